//! Property checks of a connector spec over generated webhooks (the `proptest` feature).
//!
//! [`check_spec`] runs a spec's fixtures and then these properties, each over `cases` generated
//! inputs built from the spec's verified fixtures and re-signed with [`Engine::sign`]:
//!
//! | property | what must hold |
//! |---|---|
//! | `round_trip` | a webhook signed for the spec, with randomized ids and extra unknown fields, verifies and classifies to the event types its fixture expects |
//! | `tamper` | changing any signed material (body byte, signed header, signature parameter, query parameter, URL part, form field, signed item field, the timestamp) is never verified; adding an unsigned header is not mistaken for a failure |
//! | `rotation` | with several secrets supplied, a webhook signed with any one of them verifies; with none of them it is `InvalidSignature` |
//! | `replay` | timestamps inside the tolerance pass and just outside fail (`TimestampOutOfTolerance`), both ways where the spec limits them |
//! | `robustness` | arbitrary bytes, headers, deep JSON and wrong content types give typed errors, never a panic or a verified event |
//! | `classification` | every raw type of the `map` yields its event type; any other yields `EVENT_NOT_SUPPORTED` |
//! | `stability` | reordering keys and adding unknown fields does not change the normalized events |
//!
//! A failing property is shrunk by proptest and reported with a counterexample: a fixture file
//! ready to save next to the spec's fixtures.
//!
//! ```
//! use hooknorm_core::{properties::{check_spec, Options}, Engine};
//! let engine = Engine::bundled().unwrap();
//! let results = check_spec(&engine, "stripe", &[], &Options::default());
//! // Without fixtures there is nothing to generate from.
//! assert!(results.iter().all(|r| !r.verdict.failed()));
//! ```

use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::Serialize;
use serde_json::Value as Json;

use crate::contract::{HandleOutcome, HandleRequest, Secret, WebhookEventType, WebhookSecrets};
use crate::engine::Engine;
use crate::error::ErrorKind;
use crate::fixture::Fixture;
use crate::plan::Key;
use crate::plan::SourceKind;
use crate::projection::steps_pointer;
use crate::sign::SignRequest;
use crate::spec::{BodyFormat, KeyEncoding, SigFormat};
use crate::Connector;

mod checks;
mod generate;
mod tamper;

use checks::{classification, replay, robustness, rotation, round_trip, stability};
use generate::{add_unknown, arb_body, json_body, pick, vary_json, write_shuffled, Mix};
pub use generate::{body_variants, json_values, signed_requests, Vary};
use tamper::tamper;

/// How many cases, from which seed.
#[derive(Debug, Clone)]
pub struct Options {
    /// Generated cases per property.
    pub cases: u32,
    /// The seed: the same seed generates the same cases.
    pub seed: u64,
    /// Secrets to sign with where the fixtures hold only verification keys (a certificate or
    /// public key) and give no `signing_secrets` of their own: each one given replaces the
    /// fixture's secret of that name for signing.
    pub signing_secrets: Option<WebhookSecrets>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cases: 64,
            seed: 0x686f_6f6b,
            signing_secrets: None,
        }
    }
}

/// The outcome of one property.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Every generated case held.
    Passed {
        /// How many cases ran.
        cases: u32,
    },
    /// The property does not apply to this spec (e.g. `replay` without a timestamp).
    NotApplicable {
        /// Why it does not apply.
        reason: String,
    },
    /// A case broke the property.
    Failed {
        /// What broke.
        message: String,
        /// A fixture reproducing the failure (shrunk), ready to save.
        #[serde(skip_serializing_if = "Option::is_none")]
        counterexample: Option<Box<Fixture>>,
    },
}

impl Verdict {
    /// The property failed.
    pub fn failed(&self) -> bool {
        matches!(self, Verdict::Failed { .. })
    }
}

/// One property's result.
#[derive(Debug, Clone, Serialize)]
pub struct PropertyResult {
    /// The property's name (`round_trip`, `tamper`, ...).
    pub property: &'static str,
    /// What came of it.
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// Runs the fixtures (those whose request names `connector`) and every property.
pub fn check_spec(
    engine: &Engine,
    connector: &str,
    fixtures: &[Fixture],
    opts: &Options,
) -> Vec<PropertyResult> {
    let Some(conn) = engine.connector(connector) else {
        return vec![PropertyResult {
            property: "load",
            verdict: Verdict::Failed {
                message: format!("no connector named `{connector}` is loaded"),
                counterexample: None,
            },
        }];
    };
    let own: Vec<&Fixture> = fixtures
        .iter()
        .filter(|f| f.request.connector == connector)
        .collect();
    let ctx = Ctx {
        engine,
        conn,
        bases: bases(engine, &own, opts),
        opts,
    };
    let mut out = vec![PropertyResult {
        property: "fixtures",
        verdict: fixtures_verdict(engine, &own),
    }];
    type Prop = fn(&Ctx) -> Verdict;
    let props: [(&'static str, Prop); 7] = [
        ("round_trip", round_trip),
        ("tamper", tamper),
        ("rotation", rotation),
        ("replay", replay),
        ("robustness", robustness),
        ("classification", classification),
        ("stability", stability),
    ];
    for (name, prop) in props {
        out.push(PropertyResult {
            property: name,
            verdict: prop(&ctx),
        });
    }
    out
}

struct Ctx<'a> {
    engine: &'a Engine,
    conn: &'a Connector,
    bases: Vec<Base>,
    opts: &'a Options,
}

/// A verified fixture to generate from.
#[derive(Clone)]
struct Base {
    name: String,
    now: i64,
    request: HandleRequest,
    signing: WebhookSecrets,
    /// The event types the fixture expects.
    event_types: Vec<String>,
}

/// Why a generated case failed, with the request that shows it.
struct Failure {
    message: String,
    fixture: Box<Fixture>,
}

fn fixtures_verdict(engine: &Engine, own: &[&Fixture]) -> Verdict {
    if own.is_empty() {
        return Verdict::NotApplicable {
            reason: "no fixtures".into(),
        };
    }
    for f in own {
        let problems = f.check(engine);
        if !problems.is_empty() {
            return Verdict::Failed {
                message: format!("fixture `{}`: {}", f.description, problems.join("; ")),
                counterexample: Some(Box::new((*f).clone())),
            };
        }
    }
    Verdict::Passed {
        cases: own.len() as u32,
    }
}

/// Fixtures that expect verified events and can be re-signed.
fn bases(engine: &Engine, own: &[&Fixture], opts: &Options) -> Vec<Base> {
    let mut out = Vec::new();
    for f in own {
        let Some(events) = f.expect.as_ref().and_then(|e| e.get("events")?.as_array()) else {
            continue;
        };
        if events.is_empty()
            || !events
                .iter()
                .all(|e| e.get("source_verified") == Some(&Json::Bool(true)))
        {
            continue;
        }
        let event_types: Vec<String> = events
            .iter()
            .filter_map(|e| e.get("event_type")?.as_str().map(str::to_string))
            .collect();
        if event_types.len() != events.len() {
            continue;
        }
        let signing = match (&f.signing_secrets, &opts.signing_secrets) {
            (Some(own), _) => own.clone(),
            (None, Some(over)) => overlay(&f.request.webhook_secrets, over),
            (None, None) => f.request.webhook_secrets.clone(),
        };
        let base = Base {
            name: f.description.clone(),
            now: f.now,
            request: f.request.clone(),
            signing,
            event_types,
        };
        // Keep it if the signer can sign it with these secrets (the outcome is for the
        // properties to judge).
        if resign(
            engine,
            &base,
            base.request.request_details.body.clone(),
            base.now,
            &base.signing,
        )
        .is_ok()
        {
            out.push(base);
        }
    }
    out
}

/// `base` with every secret `over` gives replaced.
fn overlay(base: &WebhookSecrets, over: &WebhookSecrets) -> WebhookSecrets {
    let mut s = base.clone();
    if over.secret.is_some() {
        s.secret = over.secret.clone();
    }
    if over.additional_secret.is_some() {
        s.additional_secret = over.additional_secret.clone();
    }
    s.other
        .extend(over.other.iter().map(|(k, v)| (k.clone(), v.clone())));
    s
}

fn types_of(o: &HandleOutcome) -> Vec<String> {
    o.events
        .iter()
        .map(|e| e.event_type.as_str().to_string())
        .collect()
}

fn all_verified(o: &HandleOutcome) -> bool {
    !o.events.is_empty() && o.events.iter().all(|e| e.source_verified)
}

fn any_verified(o: &HandleOutcome) -> bool {
    o.events.iter().any(|e| e.source_verified)
}

/// The names of form fields that carry signatures (removed before re-signing).
fn signature_form_fields(conn: &Connector) -> Vec<String> {
    conn.signature_locations()
        .filter_map(|l| match l {
            SourceKind::FormField(f) => Some(f.clone()),
            _ => None,
        })
        .collect()
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn form_body(pairs: &[(String, String)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

/// Signs `body` as the base's webhook at `now`: the base's other headers are kept, those the
/// signer sets are replaced.
fn resign(
    engine: &Engine,
    base: &Base,
    mut body: Vec<u8>,
    now: i64,
    signing: &WebhookSecrets,
) -> Result<HandleRequest, String> {
    let conn = engine
        .connector(&base.request.connector)
        .ok_or("unknown connector")?;
    let strip = signature_form_fields(conn);
    if !strip.is_empty() {
        let pairs: Vec<_> = form_pairs(&body)
            .into_iter()
            .filter(|(k, _)| !strip.contains(k))
            .collect();
        body = form_body(&pairs);
    }
    let signed = engine
        .sign(&SignRequest {
            connector: base.request.connector.clone(),
            secrets: signing.clone(),
            body,
            url: base.request.request_details.url.clone(),
            now,
            scheme: None,
        })
        .map_err(|e| format!("{}: {}", e.kind, e.message))?;
    let mut req = base.request.clone();
    let headers = &mut req.request_details.headers;
    headers.retain(|k, _| !signed.headers.keys().any(|s| s.eq_ignore_ascii_case(k)));
    headers.extend(signed.headers);
    req.request_details.body = signed.body;
    Ok(req)
}

/// [`resign`] for a property case: a signer failure is the case's failure, shown with the
/// fixture it started from.
fn sign_case(ctx: &Ctx, base: &Base, body: Vec<u8>, at: i64) -> Result<HandleRequest, Failure> {
    resign(ctx.engine, base, body, at, &base.signing).map_err(|m| Failure {
        message: format!("from `{}`: signing at {at} failed: {m}", base.name),
        fixture: Box::new(Fixture {
            description: format!(
                "the fixture the failing case was built from; signing failed: {m}"
            ),
            now: base.now,
            request: base.request.clone(),
            signing_secrets: Some(base.signing.clone()),
            expect: Some(expect_types(&base.event_types)),
            expect_error: None,
        }),
    })
}

/// A fixture for a failing case.
fn counterexample(
    request: &HandleRequest,
    now: i64,
    description: String,
    expect: Result<Json, &str>,
) -> Box<Fixture> {
    let (expect, expect_error) = match expect {
        Ok(e) => (Some(e), None),
        Err(kind) => (None, Some(kind.to_string())),
    };
    Box::new(Fixture {
        description,
        now,
        request: request.clone(),
        signing_secrets: None,
        expect,
        expect_error,
    })
}

fn expect_types(types: &[String]) -> Json {
    Json::Object(
        [(
            "events".to_string(),
            Json::Array(
                types
                    .iter()
                    .map(|t| serde_json::json!({"event_type": t, "source_verified": true}))
                    .collect(),
            ),
        )]
        .into_iter()
        .collect(),
    )
}

fn describe(r: &Result<HandleOutcome, crate::error::HandleError>) -> String {
    match r {
        Ok(o) => format!(
            "events {:?} (verified: {:?})",
            types_of(o),
            o.events
                .iter()
                .map(|e| e.source_verified)
                .collect::<Vec<_>>()
        ),
        Err(e) => format!("error {}: {}", e.kind, e.message),
    }
}

/// Runs a property over generated inputs; on failure, shrinks and rebuilds the counterexample.
fn run<S>(
    ctx: &Ctx,
    name: &str,
    strategy: S,
    case: impl Fn(&S::Value) -> Result<(), Failure>,
) -> Verdict
where
    S: Strategy,
    S::Value: Clone + std::fmt::Debug,
{
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&ctx.opts.seed.to_le_bytes());
    for (i, b) in name.bytes().enumerate() {
        seed[8 + i % 24] ^= b;
    }
    let config = Config {
        cases: ctx.opts.cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let result = runner.run(&strategy, |v| {
        case(&v).map_err(|f| TestCaseError::fail(f.message))
    });
    match result {
        Ok(()) => Verdict::Passed {
            cases: ctx.opts.cases,
        },
        Err(TestError::Fail(reason, minimal)) => match case(&minimal) {
            Err(f) => Verdict::Failed {
                message: f.message,
                counterexample: Some(f.fixture),
            },
            Ok(()) => Verdict::Failed {
                message: reason.to_string(),
                counterexample: None,
            },
        },
        Err(TestError::Abort(reason)) => Verdict::Failed {
            message: format!("aborted: {reason}"),
            counterexample: None,
        },
    }
}

fn no_bases(ctx: &Ctx) -> Option<Verdict> {
    if ctx.conn.sign.is_none() {
        return Some(Verdict::NotApplicable {
            reason: "the spec has no `sign` recipe".into(),
        });
    }
    ctx.bases.is_empty().then(|| Verdict::NotApplicable {
        reason: "no fixture expects verified events that can be re-signed with its secrets \
                 (asymmetric schemes need `signing_secrets`)"
            .into(),
    })
}
