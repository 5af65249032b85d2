//! The `hooknorm` command line, run as a process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hooknorm"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("HOOKNORM_CONNECTORS");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("hooknorm runs")
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hooknorm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn connectors_lists_the_bundled_names() {
    let out = run(&["connectors"]);
    assert!(out.status.success());
    let names = json(&out.stdout);
    let expected = [
        "adyen",
        "airwallex",
        "authorizenet",
        "bluesnap",
        "braintree",
        "cashfree",
        "checkout",
        "coinbase-commerce",
        "cybersource",
        "dlocal",
        "flutterwave",
        "globalpay",
        "gocardless",
        "mercadopago",
        "midtrans",
        "mollie",
        "multisafepay",
        "nmi",
        "noon",
        "novalnet",
        "nuvei",
        "paddle",
        "payme",
        "paypal",
        "paystack",
        "payu",
        "rapyd",
        "razorpay",
        "revolut",
        "shift4",
        "square",
        "standard-webhooks",
        "stripe",
        "trustpay",
        "volt",
        "wise",
        "worldline",
        "worldpay",
        "xendit",
        "zen",
    ];
    assert_eq!(names, serde_json::json!(expected.to_vec()));
    // And exactly the specs in connectors/.
    let mut stems: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/connectors"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
    stems.sort();
    assert_eq!(names, serde_json::json!(stems));
}

#[test]
fn handle_runs_the_readme_example() {
    let out = run(&[
        "handle",
        "--request",
        "examples/stripe-payment-succeeded.json",
        "--now",
        "1700000030",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["events"][0]["event_type"], "PAYMENT_INTENT_SUCCESS");
    assert_eq!(v["events"][0]["source_verified"], true);
}

#[test]
fn errors_are_json_on_stderr_with_a_nonzero_exit() {
    // Same example, but the clock is a day later: outside Stripe's 300 s window.
    let out = run(&[
        "handle",
        "--request",
        "examples/stripe-payment-succeeded.json",
        "--now",
        "1700086400",
    ]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let e = json(&out.stderr);
    assert_eq!(e["error"]["kind"], "TimestampOutOfTolerance");
    assert!(e["error"]["message"].as_str().unwrap().contains("past"));
    assert_eq!(
        e["error"]["report"].as_array().unwrap().last().unwrap()["step"],
        "timestamp"
    );

    let out = run(&["handle", "--request", "does/not/exist.json"]);
    assert!(!out.status.success());
    assert!(json(&out.stderr)["error"]["kind"].is_string());
}

#[test]
fn sign_then_handle_round_trips_through_the_binary() {
    let body_path = tmp("body.json");
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        (
            "stripe",
            "whsec_cli_test",
            None,
            r#"{"id":"evt_cli","type":"payment_intent.succeeded","data":{"object":{"id":"pi_cli","object":"payment_intent","amount":1234,"currency":"eur","status":"succeeded"}}}"#,
        ),
        (
            "razorpay",
            "rzp_cli_secret",
            None,
            r#"{"entity":"event","event":"payment.captured","contains":["payment"],"payload":{"payment":{"entity":{"id":"pay_cli","amount":5000,"currency":"INR","status":"captured"}}},"created_at":1700000000}"#,
        ),
        (
            "standard-webhooks",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            None,
            r#"{"type":"payment.succeeded","timestamp":"2023-11-14T22:13:20Z","data":{"id":"pay_cli","amount":700,"currency":"usd"}}"#,
        ),
        (
            "adyen",
            "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056",
            None,
            r#"{"live":"false","notificationItems":[{"NotificationRequestItem":{"additionalData":{},"amount":{"currency":"EUR","value":1000},"eventCode":"AUTHORISATION","eventDate":"2023-11-14T22:13:20+01:00","merchantAccountCode":"TestMerchant","merchantReference":"order-cli","pspReference":"PSPCLI0000000001","reason":"","success":"true"}}]}"#,
        ),
    ];
    for (connector, secret, additional, body) in cases {
        std::fs::write(&body_path, body).unwrap();
        let mut args = vec![
            "sign",
            "--connector",
            connector,
            "--secret",
            secret,
            "--body-file",
            body_path.to_str().unwrap(),
            "--now",
            "1700000000",
        ];
        if let Some(a) = additional {
            args.extend(["--additional-secret", a]);
        }
        let out = run(&args);
        assert!(
            out.status.success(),
            "{connector}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let signed = json(&out.stdout);
        let request = serde_json::json!({
            "connector": connector,
            "merchant_event_id": "cli",
            "request_details": {
                "method": "POST",
                "url": "https://example.com/webhooks",
                "headers": signed["headers"],
                "body": signed["body"],
            },
            "webhook_secrets": {"secret": secret},
        });
        let req_path = tmp(&format!("{connector}-req.json"));
        std::fs::write(&req_path, request.to_string()).unwrap();
        let out = run(&[
            "handle",
            "--request",
            req_path.to_str().unwrap(),
            "--now",
            "1700000010",
        ]);
        assert!(
            out.status.success(),
            "{connector}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json(&out.stdout);
        assert_eq!(v["events"][0]["source_verified"], true, "{connector}");
        assert_ne!(
            v["events"][0]["event_type"], "EVENT_NOT_SUPPORTED",
            "{connector}: {v}"
        );

        // The same request with another secret fails closed.
        let mut wrong = request.clone();
        wrong["webhook_secrets"]["secret"] = Value::from(if *connector == "adyen" {
            "00".repeat(32)
        } else {
            "whsec_d3Jvbmc=".to_string()
        });
        std::fs::write(&req_path, wrong.to_string()).unwrap();
        let out = run(&[
            "handle",
            "--request",
            req_path.to_str().unwrap(),
            "--now",
            "1700000010",
        ]);
        assert!(!out.status.success(), "{connector} accepted a wrong secret");
        assert_eq!(
            json(&out.stderr)["error"]["kind"],
            "InvalidSignature",
            "{connector}"
        );
    }
}

#[test]
fn paypal_sign_uses_the_private_key_and_verifies_with_the_certificate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let key = std::fs::read_to_string(root.join("tests/keys/paypal-test-key.pem")).unwrap();
    let cert = std::fs::read_to_string(root.join("tests/keys/paypal-test-cert.pem")).unwrap();
    let body_path = tmp("paypal.json");
    std::fs::write(&body_path, r#"{"id":"WH-CLI","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"CAP-CLI","status":"COMPLETED","amount":{"value":"10.50","currency_code":"USD"}}}"#).unwrap();
    let out = run(&[
        "sign",
        "--connector",
        "paypal",
        "--secret",
        "WEBHOOK-ID-CLI",
        "--additional-secret",
        &key,
        "--body-file",
        body_path.to_str().unwrap(),
        "--now",
        "1700000000",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed = json(&out.stdout);
    let headers: Vec<(String, String)> = signed["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let mut args: Vec<String> = vec![
        "handle".into(),
        "--connector".into(),
        "paypal".into(),
        "--body-file".into(),
        body_path.to_str().unwrap().into(),
        "--secret".into(),
        "WEBHOOK-ID-CLI".into(),
        "--secret".into(),
        cert.clone(),
        "--now".into(),
        "1700000005".into(),
    ];
    for (k, v) in &headers {
        args.push("--header".into());
        args.push(format!("{k}: {v}"));
    }
    let out = bin().args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["events"][0]["event_type"], "PAYMENT_INTENT_SUCCESS");
    assert_eq!(
        v["events"][0]["event_response"]["payments_response"]["amount"]["minor_amount"],
        1050
    );
}

#[test]
fn validate_reports_every_error_with_its_location() {
    let dir = tmp("specs");
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("connectors/stripe.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("stripe.yaml"),
        good.replace(
            "payment_intent.succeeded: PAYMENT_INTENT_SUCCESS",
            "payment_intent.succeeded: PAYMENT_SUCCEEDED",
        )
        .replace("past_seconds: 300", "past_seconds: 300\n    past_secnds: 1"),
    )
    .unwrap();
    let out = run(&["validate", dir.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stripe.yaml:"), "{stderr}");
    assert!(stderr.contains("past_secnds"), "{stderr}");
    let v = json(&out.stdout);
    assert_eq!(v["valid"], false);
    assert!(v["errors"][0]["line"].as_u64().unwrap() > 1);

    let out = run(&["validate", "connectors"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out.stdout)["valid"], true);
}

#[test]
fn handle_convenience_form_matches_the_request_form() {
    let fx: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/razorpay/payment_success.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let rd = &fx["request"]["request_details"];
    let body_path = tmp("rzp.json");
    std::fs::write(&body_path, rd["body_text"].as_str().unwrap()).unwrap();
    let mut args: Vec<String> = vec![
        "handle".into(),
        "--connector".into(),
        "razorpay".into(),
        "--body-file".into(),
        body_path.to_str().unwrap().into(),
        "--secret".into(),
        fx["request"]["webhook_secrets"]["secret"]
            .as_str()
            .unwrap()
            .into(),
        "--now".into(),
        fx["now"].to_string(),
    ];
    for (k, v) in rd["headers"].as_object().unwrap() {
        args.push("--header".into());
        args.push(format!("{k}: {}", v.as_str().unwrap()));
    }
    let out = bin().args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(
        v["events"][0]["event_type"],
        fx["expect"]["events"][0]["event_type"]
    );
}

#[test]
fn test_command_passes_the_bundled_specs_and_shows_a_broken_ones_counterexample() {
    let root = env!("CARGO_MANIFEST_DIR");
    let fixtures = format!("{root}/tests/fixtures");
    let out = run(&[
        "test",
        &format!("{root}/connectors"),
        "--fixtures",
        &fixtures,
        "--cases",
        "8",
        "--signing-secret",
        &format!("paypal:additional_secret=@{root}/tests/keys/paypal-test-key.pem"),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let specs = std::fs::read_dir(format!("{root}/connectors"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert!(
        text.contains(&format!("{specs} spec(s), 0 failure(s)")),
        "{text}"
    );

    // Stripe signing only the body: moving `t` goes unnoticed.
    let spec = std::fs::read_to_string(format!("{root}/connectors/stripe.yaml")).unwrap();
    let cut = "        - param: t\n        - literal: \".\"\n";
    assert!(spec.contains(cut));
    let dir = tmp("broken-spec");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("stripe.yaml"), spec.replacen(cut, "", 1)).unwrap();
    let out = run(&[
        "test",
        dir.to_str().unwrap(),
        "--fixtures",
        &fixtures,
        "--cases",
        "16",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  tamper"), "{text}");
    assert!(text.contains("signature parameter `t`"), "{text}");
    assert!(text.contains("counterexample (save as"), "{text}");
    // The counterexample is a fixture file: the JSON after the `save as` line parses as one.
    let tamper = text.find("FAIL  tamper").unwrap();
    let start = tamper + text[tamper..].find("counterexample (save as").unwrap();
    let json_start = start + text[start..].find('{').unwrap();
    let block: String = text[json_start..]
        .lines()
        .take_while(|l| {
            !l.starts_with("  ok") && !l.starts_with("  FAIL") && !l.starts_with("1 spec")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let fixture: Value = serde_json::from_str(&block).expect("counterexample is JSON");
    assert_eq!(fixture["expect_error"], "InvalidSignature");
    assert_eq!(fixture["request"]["connector"], "stripe");
}

// Issue 13, item 7: one broken spec in `--connectors DIR` leaves the others usable.
#[test]
fn a_broken_spec_in_the_connectors_dir_does_not_stop_the_others() {
    let dir = tmp("partly-broken");
    std::fs::create_dir_all(&dir).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["stripe", "paystack"] {
        std::fs::copy(
            root.join(format!("connectors/{name}.yaml")),
            dir.join(format!("{name}.yaml")),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("broken.yaml"),
        "connector: broken\nevents: [unclosed\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let out = run(&["--connectors", d, "connectors"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out.stdout), serde_json::json!(["paystack", "stripe"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.yaml:"), "{stderr}");
    // `handle` works for a connector that loaded.
    let out = run(&[
        "--connectors",
        d,
        "handle",
        "--request",
        "examples/stripe-payment-succeeded.json",
        "--now",
        "1700000030",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        json(&out.stdout)["events"][0]["event_type"],
        "PAYMENT_INTENT_SUCCESS"
    );
    // `validate` still fails on the directory.
    let out = run(&["validate", d]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yaml:"));
}

// Issue 13, item 8: a closed pipe ends the command quietly (no panic).
#[test]
fn a_closed_stdout_pipe_ends_the_command_quietly() {
    use std::process::Stdio;
    for args in [&["connectors"][..], &["schema"][..]] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the command writes (like `| head -0`).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
    }
}
