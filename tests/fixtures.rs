//! Runs every fixture under `tests/fixtures/<connector>/<case>.json` against the bundled
//! connectors (format: `tests/fixtures/README.md`).

use std::path::{Path, PathBuf};

use hooknorm::{Engine, HandleRequest};
use serde_json::Value;

/// `expect` is a subset of `actual`: objects recursively, arrays element by element with the
/// same length; `null` in `expect` means absent or null.
fn subset(expect: &Value, actual: Option<&Value>, path: &str, errors: &mut Vec<String>) {
    match (expect, actual) {
        (Value::Null, None) | (Value::Null, Some(Value::Null)) => {}
        (Value::Object(e), Some(Value::Object(a))) => {
            for (k, v) in e {
                subset(v, a.get(k), &format!("{path}.{k}"), errors);
            }
        }
        (Value::Array(e), Some(Value::Array(a))) => {
            if e.len() != a.len() {
                errors.push(format!(
                    "{path}: expected {} elements, got {}",
                    e.len(),
                    a.len()
                ));
                return;
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                subset(ev, Some(av), &format!("{path}[{i}]"), errors);
            }
        }
        (e, Some(a)) if e == a => {}
        (e, a) => errors.push(format!(
            "{path}: expected {e}, got {}",
            a.map_or("nothing".into(), |v| v.to_string())
        )),
    }
}

fn fixture_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "json") {
                out.push(f);
            }
        }
    }
    out.sort();
    out
}

/// Runs one fixture; returns the problems found.
fn run_fixture(engine: &Engine, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let fx: Value = serde_json::from_str(&text).unwrap();
    let now = fx["now"].as_i64().expect("fixture needs `now`");
    let req: HandleRequest = serde_json::from_value(fx["request"].clone()).expect("request parses");
    let result = engine.handle_at(&req, now);
    let mut errors = Vec::new();
    match (fx.get("expect"), fx.get("expect_error"), result) {
        (Some(expect), None, Ok(outcome)) => {
            let actual = serde_json::to_value(&outcome).unwrap();
            subset(expect, Some(&actual), "", &mut errors);
        }
        (Some(_), None, Err(e)) => errors.push(format!(
            "expected an outcome, got error {}: {}",
            e.kind, e.message
        )),
        (None, Some(kind), Err(e)) => {
            if kind.as_str() != Some(e.kind.as_str()) {
                errors.push(format!(
                    "expected error {kind}, got {}: {}",
                    e.kind, e.message
                ));
            }
        }
        (None, Some(kind), Ok(o)) => errors.push(format!(
            "expected error {kind}, got an outcome: {}",
            serde_json::to_string(&o).unwrap()
        )),
        _ => errors.push("a fixture needs exactly one of `expect` and `expect_error`".into()),
    }
    errors
}

#[test]
fn every_fixture_of_every_bundled_connector() {
    let engine = Engine::bundled().expect("bundled connectors load");
    // `FIXTURE_FILTER=stripe cargo test --test fixtures` runs only matching fixtures.
    let filter = std::env::var("FIXTURE_FILTER").unwrap_or_default();
    let files: Vec<PathBuf> = fixture_files()
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(&filter))
        .collect();
    assert!(
        !filter.is_empty() || files.len() >= 40,
        "fixtures missing: found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        let errs = run_fixture(&engine, f);
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in engine.connector_names() {
        let dir = root.join(name);
        let count = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        assert!(
            count >= 8,
            "connector {name} has only {count} fixtures in {}",
            dir.display()
        );
    }
}

#[test]
fn subset_matching_detects_differences() {
    let a = serde_json::json!({"x": 1, "y": [1, 2], "z": null});
    let mut e = Vec::new();
    subset(
        &serde_json::json!({"x": 1, "y": [1, 2], "z": null, "w": null}),
        Some(&a),
        "",
        &mut e,
    );
    assert!(e.is_empty(), "{e:?}");
    subset(&serde_json::json!({"x": 2}), Some(&a), "", &mut e);
    subset(&serde_json::json!({"y": [1]}), Some(&a), "", &mut e);
    subset(&serde_json::json!({"q": 1}), Some(&a), "", &mut e);
    assert_eq!(e.len(), 3, "{e:?}");
}
