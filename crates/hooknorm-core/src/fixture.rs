//! Fixture files: one webhook case each (request, clock, and the expected outcome or error).
//! The format is described in `tests/fixtures/README.md`; `cargo test` and `hooknorm test` run
//! them. Reading them from disk is the `hooknorm` crate's part (`hooknorm::fixture`).

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::contract::{HandleRequest, WebhookSecrets};
use crate::engine::Engine;

/// One fixture file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// What the case shows and where its facts come from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The clock, unix seconds.
    pub now: i64,
    /// The webhook, as the host passes it to `handle`.
    pub request: HandleRequest,
    /// Secrets to sign with when they differ from the verifying ones (a private key where the
    /// processor signs with one). Used by the property checks, not by the fixture run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secrets: Option<WebhookSecrets>,
    /// The expected outcome, matched as a subset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Json>,
    /// The expected error kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_error: Option<String>,
}

impl Fixture {
    /// Parses a fixture from its JSON text; `origin` (a file name) prefixes the error.
    pub fn from_json(origin: &str, text: &str) -> Result<Fixture, String> {
        serde_json::from_str(text).map_err(|e| format!("{origin}: {e}"))
    }

    /// Runs the fixture; returns the differences found (empty when it passes).
    pub fn check(&self, engine: &Engine) -> Vec<String> {
        let result = engine.handle_at(&self.request, self.now);
        let mut errors = Vec::new();
        match (&self.expect, &self.expect_error, result) {
            (Some(expect), None, Ok(outcome)) => match serde_json::to_value(&outcome) {
                Ok(actual) => subset(expect, Some(&actual), "", &mut errors),
                Err(e) => errors.push(format!("the outcome does not serialize: {e}")),
            },
            (Some(_), None, Err(e)) => errors.push(format!(
                "expected an outcome, got error {}: {}",
                e.kind, e.message
            )),
            (None, Some(kind), Err(e)) => {
                if kind != e.kind.as_str() {
                    errors.push(format!(
                        "expected error {kind}, got {}: {}",
                        e.kind, e.message
                    ));
                }
            }
            (None, Some(kind), Ok(o)) => errors.push(format!(
                "expected error {kind}, got an outcome: {}",
                serde_json::to_string(&o).unwrap_or_default()
            )),
            _ => errors.push("a fixture needs exactly one of `expect` and `expect_error`".into()),
        }
        errors
    }
}

/// `expect` is a subset of `actual`: objects recursively, arrays element by element with the
/// same length; `null` in `expect` means absent or null.
pub fn subset(expect: &Json, actual: Option<&Json>, path: &str, errors: &mut Vec<String>) {
    match (expect, actual) {
        (Json::Null, None) | (Json::Null, Some(Json::Null)) => {}
        (Json::Object(e), Some(Json::Object(a))) => {
            for (k, v) in e {
                subset(v, a.get(k), &format!("{path}.{k}"), errors);
            }
        }
        (Json::Array(e), Some(Json::Array(a))) => {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
