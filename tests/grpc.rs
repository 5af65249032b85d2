//! gRPC `ucs.v2.EventService/Handle` of `hooknorm serve`, driven by a client that is not ours:
//! Python grpcio (`tests/grpc_client.py`), which learns the service by server reflection and
//! builds each request from JSON text with protobuf's JSON mapping, as grpcurl does.
//!
//! The client runs in the venv that `.ci/python-venv` creates (`.ci/venv`), or in the Python
//! named by `HOOKNORM_TEST_PYTHON`.

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use support::*;

const SECRET: &str = "whsec_grpc_test_3f9a1c7e5b2d4086";

/// The Python that runs the client.
fn python() -> PathBuf {
    let p = std::env::var_os("HOOKNORM_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(ROOT).join(".ci/venv/bin/python"));
    assert!(
        p.exists(),
        "the gRPC tests need a Python with grpcio, grpcio-reflection, grpcio-health-checking, \
         grpcio-status and protobuf, and found none at {}: run `bash .ci/python-venv` (it creates \
         .ci/venv), or set HOOKNORM_TEST_PYTHON to such a Python",
        p.display()
    );
    p
}

/// Runs the Python client on a plan; returns what it printed.
fn client(server: &Server, mut plan: Value) -> Value {
    plan["addr"] = json!(server.base.trim_start_matches("http://"));
    let mut child = Command::new(python())
        .arg(PathBuf::from(ROOT).join("tests/grpc_client.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the Python client");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(plan.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Python client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the client's JSON")
}

/// The body of the bundled Stripe example (`payment_intent.succeeded`, 3 KB).
fn stripe_body() -> String {
    let example: Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(ROOT).join("examples/stripe-payment-succeeded.json"),
        )
        .unwrap(),
    )
    .unwrap();
    example["request_details"]["body_text"]
        .as_str()
        .unwrap()
        .to_string()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Stripe's signature header: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body" keyed with the secret>`.
fn stripe_signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

/// The request of the issue's grpcurl example, as written, with a real signature and body.
fn issue_request(signature: &str, body: &str, secret: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    format!(
        r#"{{"merchant_event_id": "evt_webhook_001",
     "request_details": {{"method": "POST", "url": "https://your-app.com/webhooks/stripe",
       "headers": {{"stripe-signature": "{signature}", "content-type": "application/json"}},
       "body": "{b64}"}},
     "webhook_secrets": {{"secret": "{secret}"}}}}"#
    )
}

/// The metadata of the issue's grpcurl example.
fn issue_metadata() -> Value {
    json!([
        ["x-connector", "stripe"],
        [
            "x-connector-auth",
            "{\"Stripe\":{\"api_key\":\"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"}}"
        ]
    ])
}

fn call(metadata: Value, request: String) -> Value {
    json!({"metadata": metadata, "request": request})
}

#[test]
fn the_issues_grpcurl_request_gets_the_documented_response() {
    let server = Server::start(&[], &[("HOOKNORM_SECRET_STRIPE", SECRET)]);
    let body = stripe_body();
    let sig = stripe_signature(SECRET, now(), &body);
    let request = issue_request(&sig, &body, SECRET);
    // The contract's own spellings: HTTP_METHOD_POST and `uri`.
    let contract_spelling = request
        .replace(r#""method": "POST""#, r#""method": "HTTP_METHOD_POST""#)
        .replace(r#""url":"#, r#""uri":"#);
    assert_ne!(contract_spelling, request);
    // No secrets in the request: the service's configured account (HOOKNORM_SECRET_STRIPE);
    // the connector's name in another case.
    let from_config = request.replace(
        &format!(",\n     \"webhook_secrets\": {{\"secret\": \"{SECRET}\"}}"),
        "",
    );
    assert!(!from_config.contains("webhook_secrets"));
    // A client compiled against the contract's `Identifier merchant_event_id = 1`.
    let identifier_form = request.replace(
        r#""merchant_event_id": "evt_webhook_001""#,
        r#""merchant_event_id": {"id": "evt_webhook_001"}"#,
    );
    assert_ne!(identifier_form, request);
    let out = client(
        &server,
        json!({
            "reflection_v1": true,
            "calls": [
                call(issue_metadata(), request.clone()),
                call(issue_metadata(), contract_spelling),
                call(json!([["x-connector", "Stripe"]]), from_config),
            ],
            "contract_form_calls": [call(issue_metadata(), identifier_form)],
        }),
    );
    let identifier_call = &out["contract_form_calls"][0];
    assert_eq!(identifier_call["ok"], true, "{identifier_call}");
    let calls = out["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 3);
    let first = &calls[0];
    assert_eq!(first["ok"], true, "{first}");
    let r = &first["response"];
    assert_eq!(r["event_type"], "PAYMENT_INTENT_SUCCESS");
    assert_eq!(first["wire"]["event_type"], 2);
    assert_eq!(r["source_verified"], true);
    assert_eq!(r["merchant_event_id"], json!({"id": "evt_webhook_001"}));
    assert_eq!(r["event_status"], "WEBHOOK_EVENT_STATUS_COMPLETE");
    let p = &r["event_response"]["payments_response"];
    assert_eq!(p["connector_transaction_id"], "pi_3OCxDsHkNrmTst001A2b3C4d");
    assert_eq!(p["status"], "CHARGED");
    // int64 is a string in protobuf's JSON mapping.
    assert_eq!(
        p["amount"],
        json!({"minor_amount": "2000", "currency": "USD"})
    );
    assert_eq!(p["merchant_transaction_id"], "order_1042");
    assert_eq!(r["connector_event_type"], "payment_intent.succeeded");
    assert_eq!(r["acknowledgement"]["status"], 200);
    // Every spelling gets the same response.
    for other in calls[1..].iter().chain([identifier_call]) {
        assert_eq!(other["ok"], true, "{other}");
        assert_eq!(other["response"], *r);
    }

    // The same request as JSON over HTTP: the same event.
    let mut http_request: Value = serde_json::from_str(&request).unwrap();
    http_request["connector"] = json!("stripe");
    let (status, _, reply) = send(
        &agent(),
        "POST",
        &server.url("/v1/events/handle"),
        &[("content-type".to_string(), "application/json".to_string())].into(),
        http_request.to_string().as_bytes(),
    );
    assert_eq!(status, 200);
    let reply: Value = serde_json::from_slice(&reply).unwrap();
    let event = &reply["events"][0];
    assert_eq!(event["event_type"], r["event_type"]);
    assert_eq!(event["idempotency_key"], r["idempotency_key"]);
    assert_eq!(event["connector_event_id"], r["connector_event_id"]);
    let hp = &event["event_response"]["payments_response"];
    for k in [
        "connector_transaction_id",
        "status",
        "merchant_transaction_id",
        "connector_customer_id",
    ] {
        assert_eq!(hp[k], p[k], "{k}");
    }
    assert_eq!(hp["amount"]["currency"], p["amount"]["currency"]);
    assert_eq!(
        hp["amount"]["minor_amount"].to_string(),
        p["amount"]["minor_amount"].as_str().unwrap()
    );

    // Reflection (v1 and v1alpha) lists the services.
    for key in ["services_v1", "services_v1alpha"] {
        let names: Vec<&str> = out[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(names.contains(&"ucs.v2.EventService"), "{key}: {names:?}");
        assert!(names.contains(&"grpc.health.v1.Health"), "{key}: {names:?}");
    }
    let m = metrics(&server);
    assert!(
        m.contains(r#"hooknorm_responses_total{endpoint="grpc",status="200"} 4"#),
        "{m}"
    );
}

#[test]
fn errors_are_status_codes_with_the_kind_and_the_report() {
    // No configured secret for stripe: a request without `webhook_secrets` has none.
    let server = Server::start(&[], &[]);
    let body = stripe_body();
    let t = now();
    let good = issue_request(&stripe_signature(SECRET, t, &body), &body, SECRET);
    let wrong_secret = "whsec_not_the_right_one_8d1e2f3a";
    let cases: Vec<(&str, Value, String, &str, &str)> = vec![
        (
            "wrong secret",
            issue_metadata(),
            issue_request(&stripe_signature(wrong_secret, t, &body), &body, SECRET),
            "UNAUTHENTICATED",
            "InvalidSignature",
        ),
        (
            "stale timestamp",
            issue_metadata(),
            issue_request(&stripe_signature(SECRET, t - 3600, &body), &body, SECRET),
            "UNAUTHENTICATED",
            "TimestampOutOfTolerance",
        ),
        (
            "tampered body",
            issue_metadata(),
            issue_request(
                &stripe_signature(SECRET, t, &body),
                &body.replace("2000", "2001"),
                SECRET,
            ),
            "UNAUTHENTICATED",
            "InvalidSignature",
        ),
        (
            "malformed signature header",
            issue_metadata(),
            issue_request("garbage", &body, SECRET),
            "UNAUTHENTICATED",
            "MalformedSignature",
        ),
        (
            "unknown connector",
            json!([["x-connector", "no-such-processor"]]),
            good.clone(),
            "NOT_FOUND",
            "UnknownConnector",
        ),
        (
            "no x-connector",
            json!([["x-connector-auth", "{}"]]),
            good.clone(),
            "INVALID_ARGUMENT",
            "InvalidRequest",
        ),
        (
            "uri and url differ",
            issue_metadata(),
            good.replace(r#""url":"#, r#""uri": "https://other.example/", "url":"#),
            "INVALID_ARGUMENT",
            "InvalidRequest",
        ),
        (
            "no secret anywhere",
            issue_metadata(),
            good.replace(&format!(r#""secret": "{SECRET}""#), r#""secret": """#),
            "INVALID_ARGUMENT",
            "MissingSecret",
        ),
    ];
    let calls: Vec<Value> = cases
        .iter()
        .map(|(_, m, r, _, _)| call(m.clone(), r.clone()))
        .collect();
    let out = client(&server, json!({ "calls": calls }));
    let results = out["calls"].as_array().unwrap();
    assert_eq!(results.len(), cases.len());
    for ((name, _, _, code, kind), r) in cases.iter().zip(results) {
        assert_eq!(r["ok"], false, "{name}: {r}");
        assert_eq!(r["code"], *code, "{name}: {r}");
        assert!(
            r["details"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{kind}: ")),
            "{name}: {r}"
        );
        assert_eq!(r["error_info"]["reason"], *kind, "{name}: {r}");
        assert_eq!(r["error_info"]["domain"], "hooknorm", "{name}: {r}");
        assert_eq!(r["trailers"]["hooknorm-error-kind"], *kind, "{name}: {r}");
        let report: Value =
            serde_json::from_str(r["trailers"]["hooknorm-error-report-bin"].as_str().unwrap())
                .unwrap();
        let detail_report: Value =
            serde_json::from_str(r["error_info"]["metadata"]["report"].as_str().unwrap()).unwrap();
        assert_eq!(report, detail_report, "{name}");
        // The report says which step failed (a request refused before the engine has none).
        if *kind != "InvalidRequest" {
            let failed: Vec<&Value> = report
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["ok"] == false)
                .collect();
            assert_eq!(failed.len(), 1, "{name}: {report}");
        }
    }
    assert!(results[1]["error_info"]["metadata"]["delta_seconds"]
        .as_str()
        .is_some_and(|d| d.parse::<i64>().unwrap() >= 3600));
    // No secret is ever shown.
    let text = out.to_string();
    assert!(!text.contains(SECRET) && !text.contains(wrong_secret));
    let m = metrics(&server);
    assert!(
        m.contains(r#"hooknorm_responses_total{endpoint="grpc",status="401"} 4"#),
        "{m}"
    );
    assert!(
        m.contains(r#"hooknorm_failures_total{connector="stripe",reason="InvalidSignature"} 2"#),
        "{m}"
    );
}

#[test]
fn an_unmapped_event_is_unspecified_on_the_wire() {
    let server = Server::start(&[], &[]);
    let body = stripe_body().replace(
        r#""type": "payment_intent.succeeded""#,
        r#""type": "customer.created""#,
    );
    assert!(body.contains("customer.created"));
    let request = issue_request(&stripe_signature(SECRET, now(), &body), &body, SECRET);
    let out = client(
        &server,
        json!({ "calls": [call(issue_metadata(), request)] }),
    );
    let r = &out["calls"][0];
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["wire"]["event_type"], 0);
    assert_eq!(
        r["wire"]["event_type_name"],
        "WEBHOOK_EVENT_TYPE_UNSPECIFIED"
    );
    // Zero values are left out of protobuf's JSON, as grpcurl prints them.
    assert!(r["response"].get("event_type").is_none(), "{r}");
    assert!(r["response"].get("event_response").is_none(), "{r}");
    assert_eq!(r["response"]["source_verified"], true);
    assert_eq!(r["response"]["connector_event_type"], "customer.created");
}

#[test]
fn many_concurrent_calls_on_one_channel_and_http_on_the_same_port() {
    let server = Server::start(&[], &[]);
    let body = stripe_body();
    let t = now();
    const N: usize = 300;
    let requests: Vec<String> = (0..N)
        .map(|i| {
            // A distinct event per call: its own event id, signed, and its own merchant id.
            let b = body.replace(
                "evt_3OCxDsHkNrmTst001Ev7Sc9Q",
                &format!("evt_concurrent_{i:04}"),
            );
            issue_request(&stripe_signature(SECRET, t, &b), &b, SECRET)
                .replace("evt_webhook_001", &format!("mev_{i:04}"))
        })
        .collect();
    let out = client(
        &server,
        json!({"concurrent": {"metadata": issue_metadata(), "requests": requests}, "health": []}),
    );
    let done = out["concurrent"].as_array().unwrap();
    assert_eq!(done.len(), N);
    for (i, r) in done.iter().enumerate() {
        assert_eq!(r["ok"], true, "call {i}: {r}");
        assert_eq!(
            r["response"]["merchant_event_id"]["id"],
            format!("mev_{i:04}")
        );
        assert_eq!(
            r["response"]["idempotency_key"],
            format!("stripe:evt_concurrent_{i:04}")
        );
        assert_eq!(r["response"]["event_type"], "PAYMENT_INTENT_SUCCESS");
    }
    // The HTTP routes answer on the same port.
    let (status, _, b) = send(
        &agent(),
        "GET",
        &server.url("/healthz"),
        &Default::default(),
        b"",
    );
    assert_eq!((status, b.as_slice()), (200, b"ok".as_slice()));
    let m = metrics(&server);
    assert!(
        m.contains(&format!(
            r#"hooknorm_responses_total{{endpoint="grpc",status="200"}} {N}"#
        )),
        "{m}"
    );
}

#[test]
fn health_service_answers_for_the_server_and_the_event_service() {
    let server = Server::start(&[], &[]);
    let out = client(
        &server,
        json!({"health": ["", "ucs.v2.EventService", "no.such.Service"]}),
    );
    assert_eq!(
        out["health"],
        json!({"": "SERVING", "ucs.v2.EventService": "SERVING", "no.such.Service": "NOT_FOUND"})
    );
}

/// The gRPC JSON a client would send for a fixture's request (the HTTP endpoint's JSON less
/// `connector`, which goes in `x-connector`, and the secrets the contract has no field for).
fn grpc_request_of(http_request: &Value) -> String {
    let mut r = http_request.clone();
    let o = r.as_object_mut().unwrap();
    o.remove("connector");
    if let Some(s) = o.get_mut("webhook_secrets").and_then(Value::as_object_mut) {
        s.retain(|k, _| k == "secret" || k == "additional_secret");
    }
    r.to_string()
}

/// What protobuf's JSON mapping of the contract's resource message holds for the engine's
/// resource: int64 as strings, zero values of non-optional fields left out, the connector's
/// error under `connector_details`, the payment method under hooknorm's own field.
fn expected_resource(kind: &str, http: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in http.as_object().unwrap() {
        let required_string = matches!(
            (kind, k.as_str()),
            ("payments_response", "connector_transaction_id")
                | ("refunds_response", "connector_refund_id")
        );
        let (key, value) = match (k.as_str(), v) {
            ("payment_method_type", v) => ("connector_payment_method_type".to_string(), v.clone()),
            ("error", v) => (k.clone(), json!({ "connector_details": v })),
            (_, Value::Object(m)) if m.contains_key("minor_amount") => {
                let mut money = serde_json::Map::new();
                if m["minor_amount"] != 0 {
                    money.insert("minor_amount".into(), json!(m["minor_amount"].to_string()));
                }
                money.insert("currency".into(), m["currency"].clone());
                (k.clone(), Value::Object(money))
            }
            (_, Value::Number(n)) => (k.clone(), json!(n.to_string())),
            (_, Value::String(s)) if required_string && s.is_empty() => continue,
            _ => (k.clone(), v.clone()),
        };
        out.insert(key, value);
    }
    Value::Object(out)
}

/// One engine event as the gRPC response shows it.
fn expected_event(e: &Value) -> Value {
    let mut out = serde_json::Map::new();
    if e["event_type"] != "EVENT_NOT_SUPPORTED" {
        out.insert("event_type".into(), e["event_type"].clone());
    }
    if e["source_verified"] == true {
        out.insert("source_verified".into(), json!(true));
    }
    if let Some(id) = e.get("merchant_event_id") {
        out.insert("merchant_event_id".into(), json!({ "id": id }));
    }
    out.insert(
        "event_status".into(),
        json!(format!(
            "WEBHOOK_EVENT_STATUS_{}",
            e["event_status"].as_str().unwrap()
        )),
    );
    for k in [
        "connector_event_type",
        "connector_event_id",
        "idempotency_key",
    ] {
        if let Some(v) = e.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    if let Some(r) = e.get("event_response").and_then(Value::as_object) {
        let (kind, resource) = r.iter().next().unwrap();
        out.insert(
            "event_response".into(),
            json!({ kind.clone(): expected_resource(kind, resource) }),
        );
    }
    Value::Object(out)
}

#[test]
fn every_fixture_through_grpc_gives_what_the_http_endpoint_gives() {
    let dir = temp_dir("grpc-fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("serve.yaml");
    // Authorize.Net's specs declare a further named secret, which the contract cannot carry.
    std::fs::write(
        &config,
        "accounts:\n  - connector: authorizenet\n    secrets:\n      account_currency: {value: USD}\n",
    )
    .unwrap();
    let server = Server::start(&["--config", config.to_str().unwrap(), "--test-clock"], &[]);
    let agent = agent();
    let fixtures = fixtures();
    assert!(fixtures.len() > 400, "{}", fixtures.len());
    let mut calls = Vec::new();
    let mut http = Vec::new();
    for (_, fx) in &fixtures {
        let mut request = serde_json::to_value(&fx.request).unwrap();
        if fx.request.connector == "authorizenet" {
            // Over gRPC the configured account's `account_currency` is added to the request's
            // secrets (the contract has no field for it); the HTTP request gets it as given.
            let secrets = request["webhook_secrets"].as_object_mut().unwrap();
            secrets.entry("account_currency").or_insert(json!("USD"));
        }
        let now = fx.now.to_string();
        let headers = [
            ("content-type".to_string(), "application/json".to_string()),
            ("x-hooknorm-now".to_string(), now.clone()),
        ]
        .into();
        let (status, _, body) = send(
            &agent,
            "POST",
            &server.url("/v1/events/handle"),
            &headers,
            request.to_string().as_bytes(),
        );
        http.push((status, serde_json::from_slice::<Value>(&body).unwrap()));
        calls.push(call(
            json!([
                ["x-connector", fx.request.connector],
                ["x-hooknorm-now", now]
            ]),
            grpc_request_of(&request),
        ));
    }
    let out = client(&server, json!({ "calls": calls }));
    let results = out["calls"].as_array().unwrap();
    assert_eq!(results.len(), fixtures.len());
    let (mut events, mut errors, mut batches) = (0, 0, 0);
    for (((path, _), (status, h)), g) in fixtures.iter().zip(&http).zip(results) {
        let name = path.display();
        if *status == 200 {
            assert_eq!(g["ok"], true, "{name}: {g}");
            let r = g["response"].as_object().unwrap();
            let ack = &h["acknowledgement"];
            assert_eq!(r["acknowledgement"]["status"], ack["status"], "{name}");
            assert_eq!(
                r["acknowledgement"]["content_type"], ack["content_type"],
                "{name}"
            );
            assert_eq!(
                r["acknowledgement"].get("body").unwrap_or(&json!("")),
                &ack["body"],
                "{name}"
            );
            let expected: Vec<Value> = h["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(expected_event)
                .collect();
            let mut top = r.clone();
            top.remove("acknowledgement");
            let listed = top.remove("events");
            match expected.len() {
                0 => assert!(top.is_empty() && listed.is_none(), "{name}: {g}"),
                1 => {
                    assert!(listed.is_none(), "{name}");
                    assert_eq!(Value::Object(top), expected[0], "{name}");
                }
                n => {
                    batches += 1;
                    let listed = listed.unwrap_or_else(|| panic!("{name}: no events"));
                    assert_eq!(listed.as_array().unwrap().len(), n, "{name}");
                    assert_eq!(listed, Value::Array(expected.clone()), "{name}");
                    assert_eq!(Value::Object(top), expected[0], "{name}");
                }
            }
            events += expected.len();
        } else {
            errors += 1;
            let kind = h["error"]["kind"].as_str().unwrap();
            let code = match status_of(kind) {
                401 => "UNAUTHENTICATED",
                404 => "NOT_FOUND",
                _ => "INVALID_ARGUMENT",
            };
            assert_eq!(g["ok"], false, "{name}: {g}");
            assert_eq!(g["code"], code, "{name}: {g}");
            assert_eq!(g["error_info"]["reason"], kind, "{name}: {g}");
            let message = h["error"]["message"].as_str().unwrap();
            assert_eq!(g["details"], format!("{kind}: {message}"), "{name}");
        }
    }
    eprintln!(
        "{} fixtures: {events} events ({batches} batches), {errors} errors, the same over gRPC and HTTP",
        fixtures.len()
    );
    assert!(
        events > 300 && errors > 50 && batches > 0,
        "{events} {errors} {batches}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_message_over_the_body_limit_is_refused() {
    let dir = temp_dir("grpc-limit");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("serve.yaml");
    std::fs::write(&config, "body_limit_bytes: 4096\n").unwrap();
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let t = now();
    // Within the limit (body limit + 64 KiB for the rest of the message): handled.
    let small = stripe_body();
    // Over it: a Stripe body padded to 80 KB, validly signed.
    let big = small.replacen(
        '{',
        &format!("{{\"padding\": \"{}\",", "x".repeat(80_000)),
        1,
    );
    let out = client(
        &server,
        json!({"calls": [
            call(issue_metadata(), issue_request(&stripe_signature(SECRET, t, &small), &small, SECRET)),
            call(issue_metadata(), issue_request(&stripe_signature(SECRET, t, &big), &big, SECRET)),
        ]}),
    );
    assert_eq!(out["calls"][0]["ok"], true, "{}", out["calls"][0]);
    assert_eq!(out["calls"][1]["ok"], false);
    assert_eq!(
        out["calls"][1]["code"], "OUT_OF_RANGE",
        "{}",
        out["calls"][1]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn health_is_not_serving_until_a_connector_is_loaded() {
    let dir = temp_dir("grpc-health");
    std::fs::create_dir_all(&dir).unwrap();
    let server = Server::start(&["--connectors", dir.to_str().unwrap()], &[]);
    let check =
        || client(&server, json!({"health": ["", "ucs.v2.EventService"]}))["health"].clone();
    assert_eq!(
        check(),
        json!({"": "NOT_SERVING", "ucs.v2.EventService": "NOT_SERVING"})
    );
    // A spec appears in the watched directory: hot reload loads it, and the health follows.
    std::fs::copy(
        PathBuf::from(ROOT).join("connectors/stripe.yaml"),
        dir.join("stripe.yaml"),
    )
    .unwrap();
    assert!(
        wait_until(20, || check()
            == json!({"": "SERVING", "ucs.v2.EventService": "SERVING"})),
        "{}",
        check()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
