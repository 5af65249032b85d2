//! Issue 13: what did not agree with the processors' SDKs, their payloads and specs written from
//! docs. Each test is named for its item; each spec here is written for the case.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use hooknorm::{
    Engine, ErrorKind, HandleOutcome, HandleRequest, RequestDetails, Secret, WebhookEventType,
    WebhookSecrets,
};
use sha1::Sha1;
use sha2::{Digest, Sha256};

const NOW: i64 = 1_700_000_000;
const KEY: &str = "a-webhook-secret-of-some-length";

fn engine(name: &str, text: &str) -> Engine {
    Engine::from_sources([(format!("{name}.yaml"), text.to_string())])
        .unwrap_or_else(|e| panic!("{e}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac256(key: &str, parts: &[&[u8]]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    for p in parts {
        m.update(p);
    }
    hex(&m.finalize().into_bytes())
}

fn hmac1(key: &str, msg: &[u8]) -> String {
    let mut m = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    m.update(msg);
    hex(&m.finalize().into_bytes())
}

fn request(connector: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> HandleRequest {
    HandleRequest {
        connector: connector.into(),
        merchant_event_id: None,
        request_details: RequestDetails {
            url: url.into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
            ..Default::default()
        },
        webhook_secrets: WebhookSecrets {
            secret: Some(Secret::new(KEY)),
            additional_secret: None,
            other: BTreeMap::new(),
        },
    }
}

fn payments(out: &HandleOutcome) -> serde_json::Value {
    serde_json::to_value(&out.events[0]).unwrap()["event_response"]["payments_response"].clone()
}

/// An HMAC-over-body spec with a payment section; `payment` replaces the section's body.
fn body_signed(payment: &str) -> String {
    format!(
        r#"connector: demo
secrets:
  secret: {{description: key}}
signature:
  schemes:
    - algorithm: hmac-sha256
      key: {{secrets: [secret]}}
      signature: {{from: {{header: X-Sig}}}}
      encoding: hex
      message: [{{body: true}}]
events:
  type: $.type
  id: $.id
  map:
    paid: PAYMENT_INTENT_SUCCESS
payment:
  connector_transaction_id: $.id
{payment}
"#
    )
}

fn handle_body(e: &Engine, body: &str) -> Result<HandleOutcome, hooknorm::HandleError> {
    let sig = hmac256(KEY, &[body.as_bytes()]);
    e.handle_at(
        &request(
            "demo",
            "https://shop.example/hook",
            &[("X-Sig", &sig)],
            body.as_bytes(),
        ),
        NOW,
    )
}

// Item 2: a verified webhook is not rejected because an optional field is malformed.
#[test]
fn item2_a_malformed_optional_field_is_left_out_with_a_warning() {
    let e = engine(
        "demo",
        &body_signed(
            "  amount: {value: $.amount, currency: $.currency, unit: major}\n  created_at: $.created_at",
        ),
    );
    // GoCardless's documented typo, and an amount with more digits than EUR has.
    let body = r#"{"id":"p_1","type":"paid","created_at":"2014-04-08T17:01::06.000Z","amount":"12.345","currency":"EUR"}"#;
    let out = handle_body(&e, body).expect("a verified webhook with a bad optional field");
    assert_eq!(
        out.events[0].event_type,
        WebhookEventType::PaymentIntentSuccess
    );
    let p = payments(&out);
    assert_eq!(p["connector_transaction_id"], "p_1");
    assert!(p.get("created_at").is_none(), "{p}");
    assert!(p.get("amount").is_none(), "{p}");
    let fields: Vec<&str> = out.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(
        fields,
        ["payment.amount", "payment.created_at"],
        "{:?}",
        out.warnings
    );
    assert!(out.warnings.iter().all(|w| w.item == 0));
    assert!(
        out.warnings[1].message.contains("17:01::06"),
        "{}",
        out.warnings[1].message
    );
    // A well-formed webhook has no warnings, and they are not serialized then.
    let good = r#"{"id":"p_1","type":"paid","created_at":"2014-04-08T17:01:06.000Z","amount":"12.34","currency":"EUR"}"#;
    let out = handle_body(&e, good).unwrap();
    assert!(out.warnings.is_empty());
    assert_eq!(payments(&out)["created_at"], 1_396_976_466);
    assert!(serde_json::to_value(&out)
        .unwrap()
        .get("warnings")
        .is_none());
    // An unverified body still fails before anything is extracted.
    let err = e
        .handle_at(
            &request(
                "demo",
                "https://shop.example/hook",
                &[("X-Sig", "00")],
                body.as_bytes(),
            ),
            NOW,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}

// Item 3: without a currency an amount is left out, never scaled as USD.
#[test]
fn item3_an_amount_without_a_currency_is_left_out_not_guessed() {
    let e = engine(
        "demo",
        &body_signed("  captured_amount: $.captured\n  amount: {value: $.amount, currency: $.currency, unit: major}"),
    );
    // No currency at all: neither amount is guessed.
    let out = handle_body(
        &e,
        r#"{"id":"p_1","type":"paid","amount":"1230","captured":"1230"}"#,
    )
    .expect("verified");
    let p = payments(&out);
    assert!(p.get("captured_amount").is_none(), "{p}");
    assert!(p.get("amount").is_none(), "{p}");
    let fields: Vec<&str> = out.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(fields, ["payment.amount", "payment.captured_amount"]);
    // With a currency, captured_amount follows its exponent (JPY 0, KWD 3).
    let out = handle_body(
        &e,
        r#"{"id":"p_1","type":"paid","amount":"1230","captured":"1230","currency":"JPY"}"#,
    )
    .unwrap();
    assert_eq!(payments(&out)["captured_amount"], 1230);
    let out = handle_body(
        &e,
        r#"{"id":"p_1","type":"paid","amount":"1.5","captured":"1.5","currency":"kwd"}"#,
    )
    .unwrap();
    assert_eq!(payments(&out)["captured_amount"], 1500);
    assert!(out.warnings.is_empty());
}

/// Two schemes: `form` signs form fields (signature in a form field), `json` signs the body.
fn two_schemes(form_first: bool) -> String {
    let form = r#"    - name: form
      algorithm: hmac-sha256
      key: {secrets: [secret]}
      signature: {from: {form_field: sig}}
      encoding: hex
      message: [{form_field: id}, {form_field: type}]
"#;
    let json = r#"    - name: json
      algorithm: hmac-sha256
      key: {secrets: [secret]}
      signature: {from: {header: X-Sig}}
      encoding: hex
      message: [{header: X-Stamp}, {body: true}]
    - name: json-unstamped
      algorithm: hmac-sha256
      key: {secrets: [secret]}
      signature: {from: {header: X-Sig}}
      encoding: hex
      message: [{body: true}]
"#;
    let schemes = if form_first {
        format!("{form}{json}")
    } else {
        format!("{json}{form}")
    };
    format!(
        r#"connector: demo
secrets:
  secret: {{description: key}}
body: {{format: json_or_form}}
signature:
  schemes:
{schemes}events:
  type: $.type
  id: $.id
  map:
    paid: PAYMENT_INTENT_SUCCESS
payment:
  connector_transaction_id: $.id
"#
    )
}

// Item 9: a scheme whose input is missing or unreadable does not match; the next one is tried.
#[test]
fn item9_a_scheme_without_its_input_does_not_match_and_order_does_not_matter() {
    // A JSON body that is not a readable form (a repeated `z`), without the stamp header.
    let body = br#"{"id":"p_1","type":"paid","note":"a&z=1&z=2"}"#;
    let sig = hmac256(KEY, &[body]);
    for form_first in [true, false] {
        let e = engine("demo", &two_schemes(form_first));
        let out = e
            .handle_at(
                &request(
                    "demo",
                    "https://shop.example/hook",
                    &[("X-Sig", &sig)],
                    body,
                ),
                NOW,
            )
            .unwrap_or_else(|err| panic!("form first: {form_first}: {err:?}"));
        assert!(out.events[0].source_verified);
        assert_eq!(
            out.events[0].event_type,
            WebhookEventType::PaymentIntentSuccess
        );
        // A form post verifies with the form scheme in either order.
        let form_sig = hmac256(KEY, &[b"p_2", b"paid"]);
        let form = format!("id=p_2&type=paid&sig={form_sig}");
        let out = e
            .handle_at(
                &request("demo", "https://shop.example/hook", &[], form.as_bytes()),
                NOW,
            )
            .unwrap();
        assert_eq!(out.events[0].connector_event_id.as_deref(), Some("p_2"));
        // Nothing matching is still an invalid signature, in either order.
        let err = e
            .handle_at(
                &request(
                    "demo",
                    "https://shop.example/hook",
                    &[("X-Sig", "00")],
                    body,
                ),
                NOW,
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidSignature, "{}", err.message);
    }
}

// Item 9: with one scheme, a missing signed input is still reported as such.
#[test]
fn item9_a_single_scheme_still_reports_its_missing_input() {
    let spec = two_schemes(true).replace(
        "    - name: json-unstamped\n      algorithm: hmac-sha256\n      key: {secrets: [secret]}\n      signature: {from: {header: X-Sig}}\n      encoding: hex\n      message: [{body: true}]\n",
        "",
    );
    let e = engine("demo", &spec);
    let body = br#"{"id":"p_1","type":"paid"}"#;
    let err = e
        .handle_at(
            &request(
                "demo",
                "https://shop.example/hook",
                &[("X-Sig", "00")],
                body,
            ),
            NOW,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::MissingSignature, "{}", err.message);
    assert!(err.message.contains("X-Stamp"), "{}", err.message);
}

// Item 10: values that drive classification or a resource from unsigned request parts warn.
#[test]
fn item10_unsigned_headers_and_query_parameters_that_drive_events_warn() {
    let spec = |signed_topic: bool| {
        let message = if signed_topic {
            "[{header: X-Topic}, {body: true}]"
        } else {
            "[{body: true}]"
        };
        format!(
            r#"connector: demo
secrets:
  secret: {{description: key}}
signature:
  schemes:
    - algorithm: hmac-sha256
      key: {{secrets: [secret]}}
      signature: {{from: {{header: X-Sig}}}}
      encoding: hex
      message: {message}
fields:
  shop: {{from: {{query: shop}}}}
events:
  type: {{from: {{header: X-Topic}}}}
  id: $.id
  map:
    orders/paid: PAYMENT_INTENT_SUCCESS
    refunds/create: WEBHOOK_REFUND_SUCCESS
payment:
  connector_transaction_id: $.id
  merchant_transaction_id: {{from: {{query: order}}}}
refund:
  connector_refund_id: $.id
"#
        )
    };
    let e = engine("demo", &spec(false));
    let w = &e.connector("demo").unwrap().warnings;
    let keys: Vec<&str> = w.iter().map(|w| w.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "fields.shop",
            "events.type",
            "payment.merchant_transaction_id"
        ],
        "{w:#?}"
    );
    assert!(
        w[1].message.contains("header `X-Topic`"),
        "{}",
        w[1].message
    );
    assert!(
        w[0].message.contains("query parameter `shop`"),
        "{}",
        w[0].message
    );
    let type_line = spec(false)
        .lines()
        .position(|l| l.starts_with("  type:"))
        .unwrap()
        + 1;
    assert_eq!(w[1].line, type_line, "{}", w[1]);
    // The replay the warning is about: a signed refund body under a paid order's topic.
    let body = br#"{"id":"re_1"}"#;
    let sig = hmac256(KEY, &[body]);
    let out = e
        .handle_at(
            &request(
                "demo",
                "https://shop.example/hook",
                &[("X-Sig", &sig), ("X-Topic", "orders/paid")],
                body,
            ),
            NOW,
        )
        .unwrap();
    assert_eq!(
        out.events[0].event_type,
        WebhookEventType::PaymentIntentSuccess
    );
    // Signing the topic header removes that warning (the query ones stay).
    let e = engine("demo", &spec(true));
    let keys: Vec<String> = e
        .connector("demo")
        .unwrap()
        .warnings
        .iter()
        .map(|w| w.key.clone())
        .collect();
    assert_eq!(keys, ["fields.shop", "payment.merchant_transaction_id"]);
}

const SORTED_FORM: &str = include_str!("specs/sorted-form.yaml");

/// The signature of the test spec `specs/sorted-form.yaml`, computed here: HMAC-SHA1 over the
/// URL, then every form parameter but `Signature`, sorted by name (stable: repeated names keep
/// their order), each as name then value.
fn sorted_form_signature(url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted: Vec<&(&str, &str)> = params.iter().filter(|(k, _)| *k != "Signature").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut msg = url.to_string();
    for (k, v) in sorted {
        msg.push_str(k);
        msg.push_str(v);
    }
    hmac1(KEY, msg.as_bytes())
}

fn form(params: &[(&str, &str)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
        .into_bytes()
}

// Item 11: a message part of all form or query parameters, sorted, as name + value.
#[test]
fn item11_sorted_form_parameters_are_signed_as_names_and_values() {
    let e = engine("sorted-form", SORTED_FORM);
    let url = "https://shop.example/hook?tenant=7";
    let params = [
        ("MessageStatus", "delivered"),
        ("Body", "x"),
        ("AccountSid", "AC1 é&="),
        ("B", "y"),
        ("MessageSid", "SM1"),
    ];
    let sig = sorted_form_signature(url, &params);
    let send = |url: &str, params: &[(&str, &str)], sig: &str| {
        e.handle_at(
            &request("sorted-form", url, &[("X-Signature", sig)], &form(params)),
            NOW,
        )
    };
    let out = send(url, &params, &sig).expect("verifies");
    assert!(out.events[0].source_verified);
    assert_eq!(out.events[0].connector_event_id.as_deref(), Some("SM1"));
    assert_eq!(
        out.events[0].event_type,
        WebhookEventType::PaymentIntentSuccess
    );
    // The order of the parameters in the body does not matter.
    let mut shuffled = params;
    shuffled.swap(0, 4);
    shuffled.swap(1, 3);
    assert!(send(url, &shuffled, &sig).is_ok());
    // Names and values are not interchangeable: `B`+`y` then `Body`+`x` is what is signed
    // (byte order), so moving text between them breaks the signature.
    let moved = [params[0], ("Body", ""), params[2], ("B", "yx"), params[4]];
    assert_eq!(
        send(url, &moved, &sig).unwrap_err().kind,
        ErrorKind::InvalidSignature
    );
    // Any changed value, and the URL, are signed.
    let changed = [
        params[0],
        params[1],
        ("AccountSid", "AC2 é&="),
        params[3],
        params[4],
    ];
    assert_eq!(
        send(url, &changed, &sig).unwrap_err().kind,
        ErrorKind::InvalidSignature
    );
    assert_eq!(
        send("https://shop.example/hook?tenant=8", &params, &sig)
            .unwrap_err()
            .kind,
        ErrorKind::InvalidSignature
    );
    // The signature parameter itself is excluded: a form carrying it still verifies.
    let mut with_sig = params.to_vec();
    with_sig.push(("Signature", "ignored"));
    assert!(send(url, &with_sig, &sig).is_ok());
}

/// Signs with query parameters; `options` are the `sorted_params` options after `from`.
fn query_spec(from: &str, options: &str) -> String {
    format!(
        r#"connector: q
secrets:
  secret: {{description: key}}
body: {{format: form}}
signature:
  schemes:
    - algorithm: hmac-sha256
      key: {{secrets: [secret]}}
      signature: {{from: {{query: sig}}}}
      encoding: hex
      message:
        - sorted_params: {{from: {from}, exclude: [sig], assign: "=", separator: "&"{options}}}
events:
  type: {{from: {{query: event}}}}
  map:
    paid: PAYMENT_INTENT_SUCCESS
payment:
  connector_transaction_id: {{from: {{query: id}}}}
"#
    )
}

// Item 11: query parameters, and both query and form, with separators; repeated names.
#[test]
fn item11_sorted_query_parameters_with_separators_and_repeated_names() {
    let e = engine("q", &query_spec("query", ""));
    let sig = hmac256(KEY, &[b"event=paid&id=p 1&ts=9"]);
    let url = format!("https://shop.example/hook?ts=9&id=p%201&event=paid&sig={sig}");
    let out = e
        .handle_at(&request("q", &url, &[], b""), NOW)
        .expect("verifies");
    assert_eq!(
        out.events[0].event_type,
        WebhookEventType::PaymentIntentSuccess
    );
    let tampered = url.replace("ts=9", "ts=8");
    assert_eq!(
        e.handle_at(&request("q", &tampered, &[], b""), NOW)
            .unwrap_err()
            .kind,
        ErrorKind::InvalidSignature
    );
    // Both: the query's and the form's parameters, sorted together.
    let e = engine("q", &query_spec("query_and_form", ""));
    let sig = hmac256(KEY, &[b"amount=5&event=paid&id=p1"]);
    let url = format!("https://shop.example/hook?id=p1&event=paid&sig={sig}");
    assert!(e
        .handle_at(&request("q", &url, &[], b"amount=5"), NOW)
        .is_ok());
    assert_eq!(
        e.handle_at(&request("q", &url, &[], b"amount=6"), NOW)
            .unwrap_err()
            .kind,
        ErrorKind::InvalidSignature
    );
    // A repeated name: only where the spec allows it, then each value in the order sent.
    let sig = hmac256(KEY, &[b"event=paid&id=p1&tag=b&tag=a"]);
    let url = format!("https://shop.example/hook?tag=b&id=p1&event=paid&tag=a&sig={sig}");
    let strict = engine("q", &query_spec("query", ""));
    let err = strict
        .handle_at(&request("q", &url, &[], b""), NOW)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::MalformedBody, "{}", err.message);
    assert!(err.message.contains("`tag`"), "{}", err.message);
    let lenient = engine("q", &query_spec("query", ", repeated: true"));
    assert!(lenient
        .handle_at(&request("q", &url, &[], b""), NOW)
        .is_ok());
    let swapped = url
        .replace("tag=b", "tag=X")
        .replace("tag=a", "tag=b")
        .replace("tag=X", "tag=a");
    assert_eq!(
        lenient
            .handle_at(&request("q", &swapped, &[], b""), NOW)
            .unwrap_err()
            .kind,
        ErrorKind::InvalidSignature
    );
}

/// A processor that signs the URL (query included) of a JSON post and puts the body's SHA-256
/// in a query parameter (`bodySHA256`), so the body is covered by the check.
const DIGEST_IN_URL: &str = r#"connector: digest
secrets:
  secret: {description: key}
signature:
  checks:
    - value: {query: bodySHA256}
      equals: {body: true, transform: [sha256_hex]}
  schemes:
    - algorithm: hmac-sha1
      key: {secrets: [secret]}
      signature: {from: {header: X-Signature}}
      encoding: hex
      message: [{url: full, default_port: optional}]
events:
  type: $.type
  id: $.id
  map:
    paid: PAYMENT_INTENT_SUCCESS
payment:
  connector_transaction_id: $.id
"#;

// Item 12: two sources must be equal (a digest of the body in the URL).
#[test]
fn item12_a_body_digest_in_the_url_must_equal_the_body() {
    let e = engine("digest", DIGEST_IN_URL);
    let body = br#"{"id":"p_1","type":"paid"}"#;
    let digest = hex(&Sha256::digest(body));
    let url = format!("https://shop.example/hook?bodySHA256={digest}");
    let sig = hmac1(KEY, url.as_bytes());
    let send = |url: &str, body: &[u8]| {
        e.handle_at(&request("digest", url, &[("X-Signature", &sig)], body), NOW)
    };
    assert!(send(&url, body).unwrap().events[0].source_verified);
    // The URL is signed, but the body only through the check.
    let err = send(&url, br#"{"id":"p_2","type":"paid"}"#).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature, "{}", err.message);
    assert_eq!(err.report.last().unwrap().step, "checks");
    let err = send("https://shop.example/hook", body).unwrap_err();
    assert_eq!(err.kind, ErrorKind::MissingSignature, "{}", err.message);
}

// Item 12: a URL with one query parameter removed (the one holding the signature).
#[test]
fn item12_a_url_without_its_signature_parameter_can_be_signed() {
    let spec = r#"connector: qsig
secrets:
  secret: {description: key}
signature:
  schemes:
    - algorithm: hmac-sha256
      key: {secrets: [secret]}
      signature: {from: {query: signature}}
      encoding: hex
      message: [{url: full, remove_query: [signature]}, {literal: "\n"}, {body: true}]
events:
  type: $.type
  map:
    paid: PAYMENT_INTENT_SUCCESS
payment:
  connector_transaction_id: $.id
"#;
    let e = engine("qsig", spec);
    let body = br#"{"id":"p_1","type":"paid"}"#;
    let signed = "https://shop.example/hook?a=1&b=x%20y";
    let sig = hmac256(KEY, &[signed.as_bytes(), b"\n", body]);
    for url in [
        format!("https://shop.example/hook?signature={sig}&a=1&b=x%20y"),
        format!("https://shop.example/hook?a=1&signature={sig}&b=x%20y"),
        format!("https://shop.example/hook?a=1&b=x%20y&signature={sig}"),
    ] {
        let out = e.handle_at(&request("qsig", &url, &[], body), NOW);
        assert!(out.is_ok(), "{url}: {:?}", out.unwrap_err());
    }
    let tampered = format!("https://shop.example/hook?a=2&b=x%20y&signature={sig}");
    assert_eq!(
        e.handle_at(&request("qsig", &tampered, &[], body), NOW)
            .unwrap_err()
            .kind,
        ErrorKind::InvalidSignature
    );
}

// Item 13: the URL with or without its scheme's default port.
#[test]
fn item13_a_url_verifies_with_or_without_its_default_port() {
    let e = engine("digest", DIGEST_IN_URL);
    let body = br#"{"id":"p_1","type":"paid"}"#;
    let digest = hex(&Sha256::digest(body));
    let path = format!("/hook?bodySHA256={digest}");
    let send = |signed: &str, sent: &str| {
        let sig = hmac1(KEY, signed.as_bytes());
        e.handle_at(
            &request("digest", sent, &[("X-Signature", &sig)], body),
            NOW,
        )
    };
    for (signed, sent) in [
        ("https://shop.example", "https://shop.example:443"),
        ("https://shop.example:443", "https://shop.example"),
        ("http://shop.example:80", "http://shop.example"),
        ("http://shop.example", "http://shop.example:80"),
        ("https://shop.example", "https://shop.example"),
    ] {
        let out = send(&format!("{signed}{path}"), &format!("{sent}{path}"));
        assert!(
            out.is_ok(),
            "signed {signed}, sent {sent}: {:?}",
            out.unwrap_err()
        );
    }
    // Only the scheme's default port.
    for (signed, sent) in [
        ("https://shop.example:80", "https://shop.example"),
        ("https://shop.example:8443", "https://shop.example"),
        ("http://shop.example:443", "http://shop.example"),
    ] {
        let err = send(&format!("{signed}{path}"), &format!("{sent}{path}")).unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::InvalidSignature,
            "signed {signed}, sent {sent}"
        );
    }
    // Without the option only the URL as sent verifies.
    let strict = engine(
        "digest",
        &DIGEST_IN_URL.replace("{url: full, default_port: optional}", "{url: full}"),
    );
    let sig = hmac1(KEY, format!("https://shop.example:443{path}").as_bytes());
    let err = strict
        .handle_at(
            &request(
                "digest",
                &format!("https://shop.example{path}"),
                &[("X-Signature", &sig)],
                body,
            ),
            NOW,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}

// Items 11-13: misuse is a located error.
#[test]
fn items11_to_13_misused_keys_are_located_errors() {
    let cases = [
        (
            DIGEST_IN_URL.replace(
                "{url: full, default_port: optional}",
                "{header: X, default_port: optional}",
            ),
            "signature.schemes[0].message[0].default_port",
            "`default_port` needs `url: full`",
        ),
        (
            DIGEST_IN_URL.replace(
                "{url: full, default_port: optional}",
                "{url: host, remove_query: [a]}",
            ),
            "signature.schemes[0].message[0].remove_query",
            "`remove_query` needs `url: full`, `query` or `path_and_query`",
        ),
        (
            DIGEST_IN_URL.replace(
                "{url: full, default_port: optional}",
                "{sorted_params: {from: form, exclude: ['']}}",
            ),
            "signature.schemes[0].message[0].sorted_params.exclude[0]",
            "cannot be empty",
        ),
        (
            DIGEST_IN_URL.replace(
                "equals: {body: true, transform: [sha256_hex]}",
                "equals: {body: true, url: full}",
            ),
            "signature.checks[0].equals",
            "give exactly one of",
        ),
    ];
    for (text, key, message) in cases {
        let errs = match Engine::from_sources([("digest.yaml".to_string(), text.clone())]) {
            Ok(_) => panic!("{key}: accepted"),
            Err(e) => e.errors,
        };
        assert_eq!(errs.len(), 1, "{errs:#?}");
        assert_eq!(errs[0].key, key, "{:#?}", errs[0]);
        assert!(errs[0].message.contains(message), "{}", errs[0].message);
        assert_eq!(errs[0].file, "digest.yaml");
        let line = text
            .lines()
            .position(|l| l.contains(key.rsplit('.').next().unwrap().split('[').next().unwrap()))
            .map(|i| i + 1);
        assert_eq!(Some(errs[0].line), line, "{key}");
    }
}
