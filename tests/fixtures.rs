//! Runs every fixture under `tests/fixtures/<connector>/<case>.json` against the bundled
//! connectors (format: `tests/fixtures/README.md`; matching: `hooknorm::fixture`).

use std::path::{Path, PathBuf};

use hooknorm::Engine;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_fixture_of_every_bundled_connector() {
    let engine = Engine::bundled().expect("bundled connectors load");
    // `FIXTURE_FILTER=stripe cargo test --test fixtures` runs only matching fixtures.
    let filter = std::env::var("FIXTURE_FILTER").unwrap_or_default();
    let files: Vec<PathBuf> = hooknorm::fixture::tree(&root())
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(&filter))
        .collect();
    assert!(
        !filter.is_empty() || files.len() >= 21 * 8,
        "fixtures missing: found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        let errs = match hooknorm::fixture::read(f) {
            Ok(fx) => fx.check(&engine),
            Err(e) => vec![e],
        };
        if !errs.is_empty() {
            failures.push(format!("{}:\n  {}", f.display(), errs.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_bundled_connector_has_fixtures() {
    let engine = Engine::bundled().unwrap();
    for name in engine.connector_names() {
        let dir = root().join(name);
        let count = hooknorm::fixture::files(&dir).len();
        assert!(
            count >= 8,
            "connector {name} has only {count} fixtures in {}",
            dir.display()
        );
    }
}

#[test]
fn a_fixture_that_does_not_match_reports_each_difference() {
    let engine = Engine::bundled().unwrap();
    let mut fx = hooknorm::fixture::read(&root().join("stripe/payment_success.json")).unwrap();
    assert_eq!(fx.check(&engine), Vec::<String>::new());
    fx.expect = Some(
        serde_json::json!({"events": [{"event_type": "WEBHOOK_REFUND_SUCCESS"}], "connector": "adyen"}),
    );
    assert_eq!(fx.check(&engine).len(), 2, "{:?}", fx.check(&engine));
    fx.expect = None;
    fx.expect_error = Some("InvalidSignature".into());
    assert_eq!(fx.check(&engine).len(), 1);
}
