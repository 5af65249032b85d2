//! The property checks of `hooknorm::properties` on every bundled connector, and on deliberately
//! broken specs that they must catch. `HOOKNORM_PROPTEST_CASES` sets the cases per property
//! (default 32 here; `hooknorm test --cases 1000` for a deeper local run).

use std::path::Path;

use hooknorm::fixture::Fixture;
use hooknorm::properties::{check_spec, Options, PropertyResult, Verdict};
use hooknorm::{Engine, Secret, WebhookSecrets};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn cases() -> u32 {
    std::env::var("HOOKNORM_PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(32)
}

fn fixtures(connector: &str) -> Vec<Fixture> {
    hooknorm::fixture::files(&Path::new(ROOT).join("tests/fixtures").join(connector))
        .iter()
        .map(|f| hooknorm::fixture::read(f).unwrap())
        .collect()
}

/// PayPal signs with a private key the fixtures do not hold (they hold the certificate).
fn options(connector: &str) -> Options {
    let mut opts = Options {
        cases: cases(),
        ..Options::default()
    };
    if connector == "paypal" {
        let key = std::fs::read_to_string(Path::new(ROOT).join("tests/keys/paypal-test-key.pem"))
            .unwrap();
        // Signing replaces the certificate with the private key; the webhook id stays.
        opts.signing_secrets = Some(WebhookSecrets {
            additional_secret: Some(Secret::new(key)),
            ..Default::default()
        });
    }
    opts
}

fn verdict<'r>(results: &'r [PropertyResult], property: &str) -> &'r Verdict {
    &results
        .iter()
        .find(|r| r.property == property)
        .unwrap_or_else(|| panic!("no {property} result"))
        .verdict
}

#[test]
fn every_bundled_connector_satisfies_every_property() {
    let engine = Engine::bundled().unwrap();
    let mut failures = Vec::new();
    let mut passed = 0;
    for name in engine.connector_names() {
        let results = check_spec(&engine, name, &fixtures(name), &options(name));
        for r in &results {
            match &r.verdict {
                Verdict::Failed { message, .. } => {
                    failures.push(format!("{name} {}: {message}", r.property))
                }
                Verdict::Passed { .. } => passed += 1,
                Verdict::NotApplicable { .. } => {}
            }
        }
        let spec: serde_yaml_ng::Value = serde_yaml_ng::from_str(
            &std::fs::read_to_string(Path::new(ROOT).join(format!("connectors/{name}.yaml")))
                .unwrap(),
        )
        .unwrap();
        // Every bundled connector that signs has verified fixtures: these always apply. An
        // unsigned one (a processor that does not sign, as Shift4) has nothing to re-sign or
        // tamper with, and says so.
        let unsigned = spec["unsigned"].as_bool() == Some(true);
        for p in ["fixtures", "round_trip", "tamper", "robustness"] {
            let ran = matches!(
                verdict(&results, p),
                Verdict::Passed { .. } | Verdict::Failed { .. }
            );
            let must_run = !unsigned || matches!(p, "fixtures" | "robustness");
            assert_eq!(ran, must_run, "{name}: {p}: {:?}", verdict(&results, p));
        }
        // Replay applies exactly where the spec limits the timestamp.
        let timestamp = &spec["signature"]["timestamp"];
        let limited = ["past_seconds", "future_seconds"]
            .iter()
            .any(|k| timestamp[k].as_u64().is_some());
        assert_eq!(
            !matches!(verdict(&results, "replay"), Verdict::NotApplicable { .. }),
            limited,
            "{name}: replay"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Each connector × at least fixtures and robustness (and round_trip and tamper if it signs).
    assert!(
        passed >= engine.connector_names().count() * 2,
        "only {passed} properties ran"
    );
}

/// Loads a bundled spec with one text replacement (which must apply).
fn broken(connector: &str, from: &str, to: &str) -> Engine {
    let text =
        std::fs::read_to_string(Path::new(ROOT).join(format!("connectors/{connector}.yaml")))
            .unwrap();
    assert!(
        text.contains(from),
        "{connector}.yaml no longer contains {from:?}"
    );
    Engine::from_sources([(format!("{connector}.yaml"), text.replacen(from, to, 1))])
        .expect("the broken spec still loads")
}

/// Runs the properties on a broken spec; returns the failing properties' names after checking
/// that each counterexample reproduces on the broken spec and passes on the correct one.
fn failing(engine: &Engine, connector: &str) -> Vec<&'static str> {
    let correct = Engine::bundled().unwrap();
    let results = check_spec(engine, connector, &fixtures(connector), &options(connector));
    let mut out = Vec::new();
    for r in &results {
        if let Verdict::Failed {
            message,
            counterexample,
        } = &r.verdict
        {
            assert!(!message.is_empty());
            let c = counterexample
                .as_ref()
                .unwrap_or_else(|| panic!("{}: no counterexample", r.property));
            assert!(
                !c.check(engine).is_empty(),
                "{}: the counterexample passes on the broken spec",
                r.property
            );
            assert_eq!(
                c.check(&correct),
                Vec::<String>::new(),
                "{}: the counterexample fails on the correct spec",
                r.property
            );
            out.push(r.property);
        }
    }
    out
}

#[test]
fn a_signed_message_without_the_timestamp_is_caught() {
    // Stripe signs `{t}.{body}`; a spec that signs only the body lets anyone move `t`.
    let engine = broken(
        "stripe",
        "        - param: t\n        - literal: \".\"\n",
        "",
    );
    let failed = failing(&engine, "stripe");
    assert!(failed.contains(&"tamper"), "{failed:?}");
    assert!(failed.contains(&"fixtures"), "{failed:?}");
}

#[test]
fn a_wrong_key_encoding_is_caught() {
    // Adyen's HMAC key is hex; read as text it signs and verifies consistently with itself,
    // but not with what Adyen (and its SDK, which signed the fixtures) sends.
    let engine = broken(
        "adyen",
        "        encoding: hex\n",
        "        encoding: utf8\n",
    );
    let failed = failing(&engine, "adyen");
    assert_eq!(failed, ["fixtures"]);
}

#[test]
fn a_mapping_to_a_wrong_path_is_caught() {
    let engine = broken("stripe", "  type: $.type\n", "  type: $.data.object.type\n");
    let failed = failing(&engine, "stripe");
    assert!(failed.contains(&"fixtures"), "{failed:?}");
    assert!(failed.contains(&"round_trip"), "{failed:?}");
}
