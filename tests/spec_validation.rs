//! Spec validation: every problem is reported with file, line, column and key path.

use hooknorm::{Engine, SpecError};

const BASE: &str = r#"connector: demo
secrets:
  secret: {description: key}
signature:
  schemes:
    - algorithm: hmac-sha256
      key: {secrets: [secret]}
      signature: {from: {header: X-Sig}}
      encoding: hex
      message: [{body: true}]
events:
  type: $.type
  map:
    paid: PAYMENT_INTENT_SUCCESS
payment:
  connector_transaction_id: $.id
"#;

fn errors(text: &str) -> Vec<SpecError> {
    match Engine::from_sources([("demo.yaml".to_string(), text.to_string())]) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors,
    }
}

fn one(text: &str) -> SpecError {
    let e = errors(text);
    assert_eq!(e.len(), 1, "expected one error, got {e:#?}");
    e.into_iter().next().unwrap()
}

#[test]
fn the_base_spec_is_valid() {
    assert!(errors(BASE).is_empty(), "{:#?}", errors(BASE));
}

#[test]
fn unknown_keys_are_located() {
    let text = BASE.replace(
        "      encoding: hex\n",
        "      encoding: hex\n      encodng: hex\n",
    );
    let e = one(&text);
    assert_eq!(e.file, "demo.yaml");
    assert_eq!(e.line, 10, "{e}");
    assert!(e.key.starts_with("signature.schemes[0]"), "{e}");
    assert!(e.message.contains("encodng"), "{e}");
}

#[test]
fn duplicate_keys_are_rejected_with_their_position() {
    let text = BASE.replace(
        "    paid: PAYMENT_INTENT_SUCCESS\n",
        "    paid: PAYMENT_INTENT_SUCCESS\n    paid: PAYMENT_INTENT_FAILURE\n",
    );
    let e = errors(&text);
    assert!(!e.is_empty());
    assert_eq!(e[0].key, "events.map.paid");
    assert_eq!(e[0].line, 15);
    assert!(e[0].message.contains("duplicate"));
}

#[test]
fn bad_jsonpath_is_located() {
    let e = one(&BASE.replace(
        "connector_transaction_id: $.id",
        "connector_transaction_id: $.id[?",
    ));
    assert_eq!(e.key, "payment.connector_transaction_id");
    assert_eq!(e.line, 16);
    assert!(e.message.contains("JSONPath"), "{e}");
}

#[test]
fn unknown_enum_values_and_event_types_are_rejected() {
    let e = one(&BASE.replace("paid: PAYMENT_INTENT_SUCCESS", "paid: PAYMENT_SUCCEEDED"));
    assert_eq!(e.key, "events.map.paid");
    assert!(e.message.contains("WebhookEventType"), "{e}");

    let text = format!("{BASE}  status: {{path: $.s, map: {{ok: SUCCEEDED}}}}\n");
    let e = one(&text);
    assert_eq!(e.key, "payment.status.map.ok");
    assert!(e.message.contains("CHARGED"), "lists the valid values: {e}");
}

#[test]
fn undeclared_secrets_and_template_variables_are_rejected() {
    let e = one(&BASE.replace(
        "key: {secrets: [secret]}",
        "key: {secrets: [secret, other]}",
    ));
    assert_eq!(e.key, "signature.schemes[0].key.secrets[1]");
    assert!(e.message.contains("other"));

    let text = BASE.replace(
        "  map:\n",
        "  rules:\n    - when: stauts == 'x'\n      event: PAYMENT_INTENT_FAILURE\n  map:\n",
    );
    let e = one(&text);
    assert_eq!(e.key, "events.rules[0].when");
    assert_eq!(e.line, 14);
    assert!(e.message.contains("stauts"), "{e}");
}

#[test]
fn all_errors_of_a_file_are_reported_at_once() {
    let text = BASE
        .replace("paid: PAYMENT_INTENT_SUCCESS", "paid: NOPE")
        .replace(
            "connector_transaction_id: $.id",
            "connector_transaction_id: \"$[\"",
        )
        .replace("key: {secrets: [secret]}", "key: {secrets: [nope]}");
    let e = errors(&text);
    let keys: Vec<&str> = e.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(e.len(), 3, "{e:#?}");
    assert!(keys.contains(&"events.map.paid"));
    assert!(keys.contains(&"payment.connector_transaction_id"));
    assert!(keys.contains(&"signature.schemes[0].key.secrets[0]"));
}

#[test]
fn a_connector_must_say_whether_it_is_signed() {
    let start = BASE.find("signature:").unwrap();
    let end = BASE.find("events:").unwrap();
    let unsigned = format!("{}{}", &BASE[..start], &BASE[end..]);
    let e = one(&unsigned);
    assert_eq!(e.key, "signature");
    let explicit = format!("{}unsigned: true\n{}", &BASE[..start], &BASE[end..]);
    assert!(errors(&explicit).is_empty());
}

#[test]
fn mapped_events_need_their_resource_section() {
    let e = one(&BASE.replace(
        "    paid: PAYMENT_INTENT_SUCCESS\n",
        "    paid: PAYMENT_INTENT_SUCCESS\n    refunded: WEBHOOK_REFUND_SUCCESS\n",
    ));
    assert_eq!(e.key, "events.map.refunded");
    assert!(e.message.contains("refund"));
}

#[test]
fn unsound_signature_definitions_are_rejected() {
    // A plain digest without a secret in the message proves nothing.
    let e = one(&BASE.replace("hmac-sha256", "sha256"));
    assert_eq!(e.key, "signature.schemes[0].message");
    // A request-level signature cannot read body fields.
    let e = one(&BASE.replace("message: [{body: true}]", "message: [{field: $.id}]"));
    assert_eq!(e.key, "signature.schemes[0].message[0].field");
    // A source needs exactly one kind.
    let e = one(&BASE.replace(
        "message: [{body: true}]",
        "message: [{body: true, literal: x}]",
    ));
    assert_eq!(e.key, "signature.schemes[0].message[0]");
    // `param` needs a params format.
    let e = one(&BASE.replace("message: [{body: true}]", "message: [{param: t}]"));
    assert_eq!(e.key, "signature.schemes[0].message[0].param");
}

#[test]
fn the_file_name_must_match_the_connector() {
    let r = Engine::from_sources([("other.yaml".to_string(), BASE.to_string())]);
    let e = r.unwrap_err().errors;
    assert_eq!(e[0].key, "connector");
}

#[test]
fn syntax_errors_are_located() {
    let e = one("connector: demo\nevents: [\n");
    assert!(e.line >= 2, "{e}");
}

#[test]
fn display_shows_file_line_column_and_key() {
    let e = one(&BASE.replace("paid: PAYMENT_INTENT_SUCCESS", "paid: NOPE"));
    let shown = e.to_string();
    assert!(shown.starts_with("demo.yaml:14:"), "{shown}");
    assert!(shown.contains("events.map.paid"), "{shown}");
}

#[test]
fn the_bundled_connectors_and_the_directory_loader_agree() {
    let bundled = Engine::bundled().unwrap();
    let dir = hooknorm::load_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/connectors")).unwrap();
    let a: Vec<&str> = bundled.connector_names().collect();
    let b: Vec<&str> = dir.connector_names().collect();
    assert_eq!(a, b);
    assert!(a.contains(&"stripe"));
}

fn warnings(text: &str) -> Vec<SpecError> {
    let engine = Engine::from_sources([("demo.yaml".to_string(), text.to_string())])
        .unwrap_or_else(|e| panic!("{:#?}", e.errors));
    engine.connector("demo").unwrap().warnings.clone()
}

#[test]
fn risky_but_legal_specs_get_located_warnings() {
    // Signing the whole body covers the routing fields: no warning.
    assert!(warnings(BASE).is_empty(), "{:#?}", warnings(BASE));

    // Only a header and a query parameter are signed, yet the type comes from the body.
    let partial = BASE.replace(
        "message: [{body: true}]",
        "message: [{header: X-Request-Id}, {query: id}]",
    );
    // The resource's id from the body is uncovered too (issue 13: every value that drives
    // classification or a resource).
    let w = warnings(&partial);
    assert_eq!(w.len(), 2, "{w:#?}");
    assert_eq!(w[1].key, "payment.connector_transaction_id");
    assert!(w[1].message.contains("`/id`"), "{}", w[1].message);
    assert_eq!(w[0].key, "events.type");
    assert_eq!((w[0].line, w[0].file.as_str()), (12, "demo.yaml"));
    assert!(w[0].message.contains("`/type`"), "{}", w[0].message);

    // A signed timestamp with no replay window.
    let stamped = BASE.replace(
        "message: [{body: true}]",
        "message: [{header: X-Timestamp}, {body: true}]",
    );
    let w = warnings(&stamped);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(w[0].key, "signature");
    assert!(w[0].message.contains("`X-Timestamp`"), "{}", w[0].message);
    // With a window it is fine.
    let windowed = stamped.replace(
        "events:",
        "  timestamp: {from: {header: X-Timestamp}, unit: seconds, past_seconds: 300}\nevents:",
    );
    assert!(warnings(&windowed).is_empty(), "{:#?}", warnings(&windowed));
}

#[test]
fn short_secrets_are_flagged_without_showing_them() {
    let engine = Engine::from_sources([("demo.yaml".to_string(), BASE.to_string())]).unwrap();
    let conn = engine.connector("demo").unwrap();
    let short = hooknorm::WebhookSecrets::with_secret("hunter2");
    let w = conn.secret_warnings(&short);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("7 bytes") && !w[0].contains("hunter2"),
        "{}",
        w[0]
    );
    let long = hooknorm::WebhookSecrets::with_secret("a-long-enough-webhook-secret");
    assert!(conn.secret_warnings(&long).is_empty());
    // A hex-decoded key (Adyen) is not a chosen text secret.
    let adyen = Engine::bundled().unwrap();
    let adyen = adyen.connector("adyen").unwrap();
    assert!(adyen
        .secret_warnings(&hooknorm::WebhookSecrets::with_secret("00ff"))
        .is_empty());
}

#[test]
fn bundled_specs_warn_only_where_their_processor_leaves_a_gap() {
    let engine = Engine::bundled().unwrap();
    let mut warned: Vec<&str> = engine
        .connector_names()
        .filter(|n| !engine.connector(n).unwrap().warnings.is_empty())
        .collect();
    warned.sort();
    // Adyen, Mercado Pago, Midtrans, Novalnet and Nuvei read from unsigned fields, Xendit signs
    // nothing (a shared token), Razorpay its event id from an unsigned header; Zen reads its type and transaction id and PayMe its notify_type and price from unsigned fields; Airwallex, BlueSnap, Cashfree, Cybersource, Noon, Nuvei and Rapyd sign a timestamp (NMI a nonce named `t`) but
    // publish no window (each spec's header explains the choice).
    assert_eq!(
        warned,
        [
            "adyen",
            "airwallex",
            "bluesnap",
            "cashfree",
            "cybersource",
            "mercadopago",
            "midtrans",
            "nmi",
            "noon",
            "novalnet",
            "nuvei",
            "payme",
            "rapyd",
            "razorpay",
            "xendit",
            "zen"
        ]
    );
}

/// BASE with its signature in the body and a `json_leaf_values` message.
fn leaf_spec(options: &str) -> String {
    BASE.replace(
        "      signature: {from: {header: X-Sig}}\n",
        "      scope: item\n      signature: {from: {field: $.sig}}\n",
    )
    .replace(
        "message: [{body: true}]",
        &format!("message: [{{json_leaf_values: {{{options}}}}}]"),
    )
}

#[test]
fn json_leaf_values_covers_every_value_but_its_exclusions() {
    // Every leaf is signed: reading the type and the id warns about nothing.
    let spec = leaf_spec("exclude: [$.sig], number_decimals: 2, separator: /");
    assert!(warnings(&spec).is_empty(), "{:#?}", warnings(&spec));
    // Excluding a value the spec reads leaves that value unsigned: warned, located.
    let w = warnings(&leaf_spec("exclude: [$.sig, $.id]"));
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(w[0].key, "payment.connector_transaction_id");
    assert!(w[0].message.contains("`/id`"), "{}", w[0].message);
    // A whole excluded subtree: a value below it is unsigned too.
    let nested = leaf_spec("exclude: [$.sig, $.meta]").replace(
        "connector_transaction_id: $.id",
        "connector_transaction_id: $.meta.id",
    );
    let w = warnings(&nested);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(w[0].message.contains("`/meta/id`"), "{}", w[0].message);
}

#[test]
fn json_leaf_values_is_item_scope_with_plain_exclusions() {
    // At request level there is no document yet.
    let request_level = BASE.replace(
        "message: [{body: true}]",
        "message: [{json_leaf_values: {}}]",
    );
    let e = one(&request_level);
    assert_eq!(e.key, "signature.schemes[0].message[0].json_leaf_values");
    assert!(e.message.contains("scope: item"), "{e}");
    // Exclusions are plain paths to one value.
    for bad in ["$..sig", "$", "$.items[?@.x]"] {
        let e = one(&leaf_spec(&format!("exclude: ['{bad}']")));
        assert_eq!(
            e.key, "signature.schemes[0].message[0].json_leaf_values.exclude[0]",
            "{bad}: {e}"
        );
    }
    let e = one(&leaf_spec("number_decimals: 21"));
    assert!(e.key.ends_with("json_leaf_values.number_decimals"), "{e}");
    let e = one(&leaf_spec("order: shuffled"));
    assert!(e.key.contains("json_leaf_values"), "{e}");
    // With another source in the same part: one source per part.
    let e = one(&leaf_spec("").replace(
        "{json_leaf_values: {}}",
        "{json_leaf_values: {}, body: true}",
    ));
    assert!(e.message.contains("json_leaf_values"), "{e}");
}
