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
//! use hooknorm::{properties::{check_spec, Options}, Engine};
//! let engine = Engine::bundled().unwrap();
//! let results = check_spec(&engine, "stripe", &[], &Options::default());
//! // Without fixtures there is nothing to generate from.
//! assert!(results.iter().all(|r| !r.verdict.failed()));
//! ```

use std::panic::{catch_unwind, AssertUnwindSafe};

use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::Serialize;
use serde_json::Value as Json;

use crate::engine::Engine;
use crate::error::ErrorKind;
use crate::fixture::Fixture;
use crate::model::{BodyFormat, KeyEncoding, KeySpec, SigFormat};
use crate::profile::{steps_pointer, Location, SpecProfile};
use crate::sign::SignRequest;
use crate::types::{HandleOutcome, HandleRequest, Secret, WebhookEventType, WebhookSecrets};
use crate::Connector;

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
    Passed {
        cases: u32,
    },
    /// The property does not apply to this spec (e.g. `replay` without a timestamp).
    NotApplicable {
        reason: String,
    },
    Failed {
        message: String,
        /// A fixture reproducing the failure (shrunk), ready to save.
        #[serde(skip_serializing_if = "Option::is_none")]
        counterexample: Option<Box<Fixture>>,
    },
}

impl Verdict {
    pub fn failed(&self) -> bool {
        matches!(self, Verdict::Failed { .. })
    }
}

/// One property's result.
#[derive(Debug, Clone, Serialize)]
pub struct PropertyResult {
    pub property: &'static str,
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
        profile: conn.profile(),
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
    profile: SpecProfile,
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
fn signature_form_fields(p: &SpecProfile) -> Vec<String> {
    p.signature
        .iter()
        .flat_map(|s| &s.schemes)
        .filter_map(|x| match &x.signature_from {
            Location::FormField(f) => Some(f.clone()),
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
    let strip = signature_form_fields(&conn.profile());
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
    if !ctx.profile.can_sign {
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

/// A small deterministic generator for mutations driven by one proptest-chosen seed.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn alnum(&mut self, len: usize) -> String {
        const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|_| A[self.below(A.len())] as char).collect()
    }
}

fn id_like(key: &str) -> bool {
    key == "id" || key.ends_with("_id") || (key.ends_with("Id") && key.len() > 2)
}

fn amount_like(key: &str) -> bool {
    key.to_ascii_lowercase().contains("amount")
}

fn currency_like(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "currency"
        || k.ends_with("currency")
        || k.ends_with("currency_code")
        || k.ends_with("currencycode")
}

fn timestamp_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "created" || k == "timestamp" || k.ends_with("_at") || k.ends_with("time")
}

const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "KWD", "INR", "BRL", "CHF", "SEK", "BHD",
];

/// Which values of a fixture body [`body_variants`] randomizes. Unknown fields are added with
/// `hooknorm_extra_` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vary {
    /// Strings under `id`, `*_id` and `*Id` keys (a `prefix_` is kept).
    pub ids: bool,
    /// Whole numbers (or digit strings) under keys containing `amount`.
    pub amounts: bool,
    /// Three-letter codes under `currency`-like keys (case kept).
    pub currencies: bool,
    /// Unix seconds under `created`, `timestamp`, `*_at` and `*time` keys.
    pub timestamps: bool,
    pub unknown_fields: bool,
}

impl Vary {
    /// Everything.
    pub const ALL: Vary = Vary {
        ids: true,
        amounts: true,
        currencies: true,
        timestamps: true,
        unknown_fields: true,
    };
    /// What never changes how an event is classified: ids and unknown fields.
    pub const SAFE: Vary = Vary {
        ids: true,
        amounts: false,
        currencies: false,
        timestamps: false,
        unknown_fields: true,
    };
}

/// Randomizes the values `vary` names, keeping the body's shape.
fn vary_json(v: &mut Json, mix: &mut Mix, vary: Vary) {
    match v {
        Json::Object(map) => {
            for (k, child) in map.iter_mut() {
                match child {
                    Json::String(s) if vary.ids && id_like(k) && !s.is_empty() => {
                        let keep = s.rfind('_').map_or(0, |i| i + 1);
                        let len = (s.len() - keep).clamp(4, 32);
                        *s = format!("{}{}", &s[..keep], mix.alnum(len));
                    }
                    Json::String(s)
                        if vary.currencies
                            && currency_like(k)
                            && s.len() == 3
                            && s.bytes().all(|b| b.is_ascii_alphabetic()) =>
                    {
                        let c = CURRENCIES[mix.below(CURRENCIES.len())];
                        *s = if s.bytes().all(|b| b.is_ascii_lowercase()) {
                            c.to_ascii_lowercase()
                        } else {
                            c.to_string()
                        };
                    }
                    Json::Number(n) if vary.amounts && amount_like(k) && n.as_u64().is_some() => {
                        *child = Json::from(1 + mix.next() % 10_000_000);
                    }
                    Json::String(s)
                        if vary.amounts
                            && amount_like(k)
                            && !s.is_empty()
                            && s.bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        *s = (1 + mix.next() % 10_000_000).to_string();
                    }
                    Json::Number(n)
                        if vary.timestamps
                            && timestamp_key(k)
                            && n.as_u64()
                                .is_some_and(|t| (1_000_000_000..4_000_000_000).contains(&t)) =>
                    {
                        *child = Json::from(1_500_000_000 + mix.next() % 400_000_000);
                    }
                    _ => vary_json(child, mix, vary),
                }
            }
            if vary.unknown_fields && mix.below(3) == 0 {
                let key = format!("hooknorm_extra_{}", mix.alnum(6));
                let value = match mix.below(4) {
                    0 => Json::from(mix.next() % 1_000_000),
                    1 => Json::from(mix.alnum(8)),
                    2 => Json::Null,
                    _ => serde_json::json!({"nested": [true, mix.alnum(3)]}),
                };
                map.insert(key, value);
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|i| vary_json(i, mix, vary)),
        _ => {}
    }
}

/// Variants of a JSON body: the same shape with the values `vary` names randomized.
pub fn body_variants(body: Json, vary: Vary) -> impl Strategy<Value = Json> {
    any::<u64>().prop_map(move |seed| {
        let mut b = body.clone();
        vary_json(&mut b, &mut Mix(seed), vary);
        b
    })
}

/// Fully signed requests for a connector, with their clock, generated from its fixtures that
/// expect verified events: JSON bodies varied as `vary` says, then signed with
/// [`Engine::sign`] (with each fixture's `signing_secrets`, else `signing` laid over its
/// secrets, else its secrets). Fails when no fixture can be signed.
///
/// ```
/// use hooknorm::{fixture::Fixture, properties::{signed_requests, Vary}, Engine};
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let engine = Engine::bundled().unwrap();
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stripe");
/// let fixtures: Vec<Fixture> =
///     Fixture::files(&dir).iter().map(|f| Fixture::read(f).unwrap()).collect();
/// let strategy = signed_requests(&engine, "stripe", &fixtures, None, Vary::ALL).unwrap();
/// let mut runner = TestRunner::deterministic();
/// for _ in 0..10 {
///     let (request, now) = strategy.new_tree(&mut runner).unwrap().current();
///     let outcome = engine.handle_at(&request, now).unwrap();
///     assert!(outcome.events.iter().all(|e| e.source_verified));
/// }
/// ```
pub fn signed_requests(
    engine: &Engine,
    connector: &str,
    fixtures: &[Fixture],
    signing: Option<WebhookSecrets>,
    vary: Vary,
) -> Result<BoxedStrategy<(HandleRequest, i64)>, String> {
    let own: Vec<&Fixture> = fixtures
        .iter()
        .filter(|f| f.request.connector == connector)
        .collect();
    let opts = Options {
        signing_secrets: signing,
        ..Options::default()
    };
    let bases = bases(engine, &own, &opts);
    if bases.is_empty() {
        return Err(format!(
            "no fixture of `{connector}` expects verified events that can be re-signed"
        ));
    }
    let engine = engine.clone();
    Ok((0..bases.len(), any::<u64>())
        .prop_filter_map("the signer refused the variant", move |(i, seed)| {
            let base = &bases[i];
            let body = match serde_json::from_slice::<Json>(&base.request.request_details.body) {
                Ok(mut doc) if doc.is_object() || doc.is_array() => {
                    vary_json(&mut doc, &mut Mix(seed), vary);
                    doc.to_string().into_bytes()
                }
                _ => base.request.request_details.body.clone(),
            };
            resign(&engine, base, body, base.now, &base.signing)
                .ok()
                .map(|r| (r, base.now))
        })
        .boxed())
}

/// JSON text with every object's keys in a shuffled order.
fn write_shuffled(v: &Json, mix: &mut Mix, out: &mut String) {
    match v {
        Json::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            for i in (1..entries.len()).rev() {
                entries.swap(i, mix.below(i + 1));
            }
            out.push('{');
            for (n, (k, child)) in entries.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Json::from(k.as_str()).to_string());
                out.push(':');
                write_shuffled(child, mix, out);
            }
            out.push('}');
        }
        Json::Array(items) => {
            out.push('[');
            for (n, child) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_shuffled(child, mix, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn json_body(ctx: &Ctx, base: &Base) -> Option<Json> {
    match ctx.profile.body_format {
        BodyFormat::Json | BodyFormat::JsonOrForm => {
            serde_json::from_slice(&base.request.request_details.body).ok()
        }
        _ => None,
    }
}

fn pick<'b>(ctx: &'b Ctx, i: usize) -> &'b Base {
    &ctx.bases[i % ctx.bases.len()]
}

// 1. Round trip.
fn round_trip(ctx: &Ctx) -> Verdict {
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    run(
        ctx,
        "round_trip",
        (any::<usize>(), any::<u64>()),
        |&(i, seed)| {
            let base = pick(ctx, i);
            let body = match json_body(ctx, base) {
                Some(mut doc) if seed != 0 => {
                    vary_json(&mut doc, &mut Mix(seed), Vary::SAFE);
                    doc.to_string().into_bytes()
                }
                _ => base.request.request_details.body.clone(),
            };
            let req =
                resign(ctx.engine, base, body, base.now, &base.signing).map_err(|m| Failure {
                    message: format!("`{}`: signing failed: {m}", base.name),
                    fixture: counterexample(
                        &base.request,
                        base.now,
                        m.clone(),
                        Err("InvalidSignature"),
                    ),
                })?;
            let result = ctx.engine.handle_at(&req, base.now);
            match &result {
                Ok(o) if all_verified(o) && types_of(o) == base.event_types => Ok(()),
                other => Err(Failure {
                    message: format!(
                        "from `{}`: expected verified {:?}, got {}",
                        base.name,
                        base.event_types,
                        describe(other)
                    ),
                    fixture: counterexample(
                        &req,
                        base.now,
                        format!("round trip of `{}` (property counterexample)", base.name),
                        Ok(expect_types(&base.event_types)),
                    ),
                }),
            }
        },
    )
}

/// A place to tamper with.
#[derive(Debug, Clone)]
enum Target {
    Signed(Location),
    /// An extra header nobody signs.
    UnsignedHeader,
}

fn tamper_targets(p: &SpecProfile) -> Vec<Target> {
    let mut locs: Vec<Location> = Vec::new();
    if let Some(sig) = &p.signature {
        for s in &sig.schemes {
            for l in &s.signed {
                if l.is_request_material() && !locs.contains(l) {
                    locs.push(l.clone());
                }
            }
        }
        if let Some(t) = &sig.timestamp {
            if !locs.contains(&t.from) {
                locs.push(t.from.clone());
            }
        }
    }
    let mut out: Vec<Target> = locs.into_iter().map(Target::Signed).collect();
    out.push(Target::UnsignedHeader);
    out
}

/// A different printable character at a position of a text.
fn flip_char(s: &str, pos: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return "x".into();
    }
    let i = pos % chars.len();
    let c = chars[i];
    // Never only a change of case: some schemes sign a lower-cased value (Mercado Pago's
    // alphanumeric ids), and then a case change is not a change of the signed material.
    let repl = if c.is_ascii_digit() {
        char::from(b'0' + ((c as u8 - b'0' + 1) % 10))
    } else if c.eq_ignore_ascii_case(&'a') {
        'b'
    } else {
        'a'
    };
    chars
        .iter()
        .enumerate()
        .map(|(j, &x)| if j == i { repl } else { x })
        .collect()
}

/// Bumps a number (a timestamp stays within any window) or flips a character.
fn alter_value(s: &str, pos: usize) -> String {
    match s.parse::<i64>() {
        Ok(n) => (n + 1).to_string(),
        Err(_) => flip_char(s, pos),
    }
}

fn header_key(req: &HandleRequest, names: &[String]) -> Option<String> {
    names.iter().find_map(|n| {
        req.request_details
            .headers
            .keys()
            .find(|k| k.eq_ignore_ascii_case(n))
            .cloned()
    })
}

/// Applies a tamper; `None` when the request does not have that part.
fn apply_tamper(
    ctx: &Ctx,
    req: &HandleRequest,
    target: &Location,
    pos: usize,
    byte: u8,
) -> Option<HandleRequest> {
    let mut out = req.clone();
    let d = &mut out.request_details;
    match target {
        Location::Body => {
            if d.body.is_empty() {
                return None;
            }
            let i = pos % d.body.len();
            d.body[i] ^= byte.max(1);
        }
        Location::Header(names) => {
            let k = header_key(req, names)?;
            let v = d.headers.get(&k)?.clone();
            d.headers.insert(k, alter_value(&v, pos));
        }
        Location::Param(p) => {
            // The parameter lives in the signature value of a `params` scheme.
            let sig = ctx.profile.signature.as_ref()?;
            let (names, sep, assign) =
                sig.schemes
                    .iter()
                    .find_map(|s| match (&s.signature_from, &s.format) {
                        (
                            Location::Header(n),
                            SigFormat::Params {
                                separator, assign, ..
                            },
                        ) => Some((n.clone(), separator.clone(), assign.clone())),
                        _ => None,
                    })?;
            let k = header_key(req, &names)?;
            let v = d.headers.get(&k)?.clone();
            let mut found = false;
            let parts: Vec<String> = v
                .split(sep.as_str())
                .map(|e| match e.split_once(assign.as_str()) {
                    Some((key, val)) if key.trim() == p && !found => {
                        found = true;
                        format!("{key}{assign}{}", alter_value(val, pos))
                    }
                    _ => e.to_string(),
                })
                .collect();
            if !found {
                return None;
            }
            d.headers.insert(k, parts.join(&sep));
        }
        Location::Query(q) => {
            let mut url = url::Url::parse(&d.url).ok()?;
            let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            if !pairs.iter().any(|(k, _)| k == q) {
                return None;
            }
            url.query_pairs_mut()
                .clear()
                .extend_pairs(pairs.iter().map(|(k, v)| {
                    (
                        k.clone(),
                        if k == q {
                            alter_value(v, pos)
                        } else {
                            v.clone()
                        },
                    )
                }));
            d.url = url.to_string();
        }
        Location::FormField(f) => {
            let mut pairs = form_pairs(&d.body);
            let entry = pairs.iter_mut().find(|(k, _)| k == f)?;
            entry.1 = alter_value(&entry.1, pos);
            d.body = form_body(&pairs);
        }
        Location::Field(Some(steps)) => {
            let mut doc: Json = serde_json::from_slice(&d.body).ok()?;
            let items = ctx.conn.item_pointers(&doc);
            if items.is_empty() {
                return None;
            }
            let ptr = format!("{}{}", items[pos % items.len()], steps_pointer(steps));
            let v = doc.pointer_mut(&ptr)?;
            *v = match v {
                Json::String(s) => Json::from(alter_value(s, pos)),
                Json::Number(n) => Json::from(n.as_i64().map_or(1, |x| x.wrapping_add(1))),
                Json::Bool(b) => Json::Bool(!*b),
                _ => return None,
            };
            d.body = doc.to_string().into_bytes();
        }
        Location::Url(_) => {
            let mut url = url::Url::parse(&d.url).ok()?;
            let path = format!("{}x", url.path());
            url.set_path(&path);
            d.url = url.to_string();
        }
        Location::Field(None) | Location::Literal | Location::Secret(_) => return None,
    }
    Some(out)
}

// 2. Tamper.
fn tamper(ctx: &Ctx) -> Verdict {
    if ctx.profile.signature.is_none() {
        return Verdict::NotApplicable {
            reason: "the spec verifies no signature".into(),
        };
    }
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    let targets = tamper_targets(&ctx.profile);
    run(
        ctx,
        "tamper",
        (any::<usize>(), 0..targets.len(), any::<usize>(), 1u8..=255),
        |&(i, t, pos, byte)| {
            let base = pick(ctx, i);
            let Ok(req) = resign(
                ctx.engine,
                base,
                base.request.request_details.body.clone(),
                base.now,
                &base.signing,
            ) else {
                return Ok(());
            };
            match &targets[t] {
                Target::UnsignedHeader => {
                    let mut probe = req.clone();
                    probe
                        .request_details
                        .headers
                        .insert("X-Hooknorm-Probe".into(), format!("probe-{pos}"));
                    let r = ctx.engine.handle_at(&probe, base.now);
                    match &r {
                        Ok(o) if all_verified(o) && types_of(o) == base.event_types => Ok(()),
                        other => Err(Failure {
                            message: format!(
                                "from `{}`: an extra unsigned header changed the outcome: {}",
                                base.name,
                                describe(other)
                            ),
                            fixture: counterexample(
                                &probe,
                                base.now,
                                "an unsigned header must not matter (property counterexample)"
                                    .into(),
                                Ok(expect_types(&base.event_types)),
                            ),
                        }),
                    }
                }
                Target::Signed(loc) => {
                    let Some(bad) = apply_tamper(ctx, &req, loc, pos, byte) else {
                        return Ok(());
                    };
                    let r = ctx.engine.handle_at(&bad, base.now);
                    match &r {
                        Ok(o) if any_verified(o) => Err(Failure {
                            message: format!(
                                "from `{}`: changing the {loc} (signed material or the timestamp) still verified: {}",
                                base.name,
                                describe(&r)
                            ),
                            fixture: counterexample(
                                &bad,
                                base.now,
                                format!("the {loc} was changed after signing (property counterexample)"),
                                Err("InvalidSignature"),
                            ),
                        }),
                        _ => Ok(()),
                    }
                }
            }
        },
    )
}

/// A fresh secret of the shape a key expects.
fn fresh_secret(key: &KeySpec, like: Option<&str>, mix: &mut Mix) -> String {
    let prefix = key.prefix.clone().unwrap_or_default();
    let bytes: Vec<u8> = (0..32).map(|_| mix.next() as u8).collect();
    match key.encoding {
        KeyEncoding::Hex => {
            let n = like.map_or(32, |l| (l.len() / 2).max(16));
            let b: Vec<u8> = (0..n).map(|_| mix.next() as u8).collect();
            let upper = like.is_some_and(|l| l.chars().any(|c| c.is_ascii_uppercase()));
            let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
            format!("{prefix}{}", if upper { h.to_uppercase() } else { h })
        }
        KeyEncoding::Base64 => format!(
            "{prefix}{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes[..24])
        ),
        _ => {
            // Keep a recognisable prefix of the example (`whsec_`, `sk_test_`).
            let keep = like
                .and_then(|l| l.rfind('_').map(|i| &l[..=i]))
                .unwrap_or("");
            format!("{prefix}{keep}{}", mix.alnum(32))
        }
    }
}

fn with_secret(secrets: &WebhookSecrets, name: &str, value: &str) -> WebhookSecrets {
    let mut s = secrets.clone();
    let v = Some(Secret::new(value));
    match name {
        "secret" => s.secret = v,
        "additional_secret" => s.additional_secret = v,
        other => {
            s.other.insert(other.to_string(), Secret::new(value));
        }
    }
    s
}

// 3. Rotation.
fn rotation(ctx: &Ctx) -> Verdict {
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    let Some(scheme) = ctx
        .profile
        .signature
        .iter()
        .flat_map(|s| &s.schemes)
        .find(|s| !s.asymmetric() && s.key.secrets.len() >= 2)
        .cloned()
    else {
        return Verdict::NotApplicable {
            reason: "no symmetric scheme takes several secrets".into(),
        };
    };
    let slots = scheme.key.secrets.clone();
    run(
        ctx,
        "rotation",
        (any::<usize>(), any::<u64>(), 0..slots.len()),
        |&(i, seed, slot)| {
            let base = pick(ctx, i);
            let mut mix = Mix(seed);
            let like = base.signing.get(&slots[0]).map(|s| s.expose().to_string());
            let [a, b, c] = [0; 3].map(|_| fresh_secret(&scheme.key, like.as_deref(), &mut mix));
            let mut signing = base.signing.clone();
            for s in &slots {
                signing = with_secret(&signing, s, "");
            }
            signing = with_secret(&signing, &slots[slot], &a);
            let req = match resign(
                ctx.engine,
                base,
                base.request.request_details.body.clone(),
                base.now,
                &signing,
            ) {
                Ok(r) => r,
                Err(m) => {
                    return Err(Failure {
                        message: format!(
                            "from `{}`: signing with a fresh secret failed: {m}",
                            base.name
                        ),
                        fixture: counterexample(
                            &base.request,
                            base.now,
                            m,
                            Err("InvalidSignature"),
                        ),
                    })
                }
            };
            // The signing secret in its slot, another secret in every other slot.
            let mut verify = req.webhook_secrets.clone();
            for (n, s) in slots.iter().enumerate() {
                verify = with_secret(&verify, s, if n == slot { &a } else { &b });
            }
            let mut ok_req = req.clone();
            ok_req.webhook_secrets = verify.clone();
            let r = ctx.engine.handle_at(&ok_req, base.now);
            if !r.as_ref().is_ok_and(all_verified) {
                return Err(Failure {
                    message: format!(
                        "from `{}`: signed with the secret in `{}`, not verified when other slots hold other secrets: {}",
                        base.name,
                        slots[slot],
                        describe(&r)
                    ),
                    fixture: counterexample(
                        &ok_req,
                        base.now,
                        "any supplied secret may verify (property counterexample)".into(),
                        Ok(expect_types(&base.event_types)),
                    ),
                });
            }
            let mut wrong = req;
            for (n, s) in slots.iter().enumerate() {
                wrong.webhook_secrets =
                    with_secret(&wrong.webhook_secrets, s, if n == 0 { &b } else { &c });
            }
            let r = ctx.engine.handle_at(&wrong, base.now);
            match &r {
                Err(e) if e.kind == ErrorKind::InvalidSignature => Ok(()),
                other => Err(Failure {
                    message: format!(
                        "from `{}`: verified with none of the signing secrets supplied: {}",
                        base.name,
                        describe(other)
                    ),
                    fixture: counterexample(
                        &wrong,
                        base.now,
                        "no supplied secret signed this (property counterexample)".into(),
                        Err("InvalidSignature"),
                    ),
                }),
            }
        },
    )
}

// 4. Replay.
fn replay(ctx: &Ctx) -> Verdict {
    let Some(ts) = ctx
        .profile
        .signature
        .as_ref()
        .and_then(|s| s.timestamp.clone())
    else {
        return Verdict::NotApplicable {
            reason: "the spec checks no timestamp".into(),
        };
    };
    if ts.past_seconds.is_none() && ts.future_seconds.is_none() {
        return Verdict::NotApplicable {
            reason: "the timestamp has no tolerance either way".into(),
        };
    }
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    // (base, direction: false = past, inside offset fraction, outside offset)
    run(
        ctx,
        "replay",
        (any::<usize>(), any::<bool>(), 0u32..=1000, 1i64..=100_000),
        |&(i, future, frac, beyond)| {
            let base = pick(ctx, i);
            let Some(limit) = (if future {
                ts.future_seconds
            } else {
                ts.past_seconds
            }) else {
                return Ok(());
            };
            let limit = limit as i64;
            let sign = if future { 1 } else { -1 };
            let inside = limit * i64::from(frac) / 1000;
            let body = base.request.request_details.body.clone();
            for (offset, should_pass) in [(inside, true), (limit, true), (limit + beyond, false)] {
                let at = base.now + sign * offset;
                let req =
                    resign(ctx.engine, base, body.clone(), at, &base.signing).map_err(|m| {
                        Failure {
                            message: format!("from `{}`: signing at {at} failed: {m}", base.name),
                            fixture: counterexample(
                                &base.request,
                                base.now,
                                m.clone(),
                                Err("TimestampOutOfTolerance"),
                            ),
                        }
                    })?;
                let r = ctx.engine.handle_at(&req, base.now);
                let good = match &r {
                    Ok(o) => should_pass && all_verified(o),
                    Err(e) => !should_pass && e.kind == ErrorKind::TimestampOutOfTolerance,
                };
                if !good {
                    let dir = if future { "ahead" } else { "old" };
                    return Err(Failure {
                        message: format!(
                            "from `{}`: a webhook signed {offset} s {dir} (tolerance {limit} s) gave {}",
                            base.name,
                            describe(&r)
                        ),
                        fixture: counterexample(
                            &req,
                            base.now,
                            format!("signed {offset} s {dir}, tolerance {limit} s (property counterexample)"),
                            if should_pass {
                                Ok(expect_types(&base.event_types))
                            } else {
                                Err("TimestampOutOfTolerance")
                            },
                        ),
                    });
                }
            }
            Ok(())
        },
    )
}

fn arb_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        ".{0,12}".prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// Arbitrary JSON values (for host apps' own property tests).
pub fn json_values() -> impl Strategy<Value = Json> {
    arb_json()
}

fn arb_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        arb_json().prop_map(|v| v.to_string().into_bytes()),
        (1usize..20_000).prop_map(|d| format!("{}{}", "[".repeat(d), "]".repeat(d)).into_bytes()),
        (1usize..20_000)
            .prop_map(|d| format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d)).into_bytes()),
        ".{0,64}".prop_map(|s: String| s.into_bytes()),
    ]
}

// 5. Robustness.
fn robustness(ctx: &Ctx) -> Verdict {
    let mut names: Vec<String> = vec!["Content-Type".into(), "X-Random".into()];
    if let Some(sig) = &ctx.profile.signature {
        for s in &sig.schemes {
            for l in std::iter::once(&s.signature_from).chain(&s.signed) {
                if let Location::Header(h) = l {
                    names.extend(h.iter().cloned());
                }
            }
        }
    }
    let headers = prop::collection::btree_map(
        prop_oneof![prop::sample::select(names), "[A-Za-z-]{1,12}"],
        ".{0,80}",
        0..6,
    );
    let secrets = ctx
        .bases
        .first()
        .map(|b| b.request.webhook_secrets.clone())
        .unwrap_or_else(|| WebhookSecrets::with_secret("hooknorm-robustness-secret"));
    let url = prop_oneof![
        Just("https://example.com/webhooks".to_string()),
        ".{0,40}",
        Just("https://example.com/webhooks?data.id=1&x=%ff".to_string()),
    ];
    let name = ctx.profile.connector.clone();
    run(
        ctx,
        "robustness",
        (arb_body(), headers, url),
        |(body, headers, url)| {
            let mut req = HandleRequest {
                connector: name.clone(),
                merchant_event_id: Some("robustness".into()),
                request_details: Default::default(),
                webhook_secrets: secrets.clone(),
            };
            req.request_details.body = body.clone();
            req.request_details.headers = headers.clone();
            req.request_details.url = url.clone();
            let r = catch_unwind(AssertUnwindSafe(|| {
                ctx.engine.handle_at(&req, 1_700_000_000)
            }));
            let problem = match &r {
                Err(_) => Some("panicked".to_string()),
                Ok(Ok(o)) if any_verified(o) => Some(format!(
                    "verified random input: {}",
                    describe(&Ok(o.clone()))
                )),
                Ok(_) => None,
            };
            match problem {
                None => Ok(()),
                Some(message) => Err(Failure {
                    message,
                    fixture: counterexample(
                        &req,
                        1_700_000_000,
                        "random input (property counterexample)".into(),
                        Err("InvalidSignature"),
                    ),
                }),
            }
        },
    )
}

// 6. Classification.
fn classification(ctx: &Ctx) -> Verdict {
    let p = &ctx.profile;
    if !p.event_type_only_from_paths || p.event_type_paths.is_empty() {
        return Verdict::NotApplicable {
            reason: "the raw event type is computed, not read from one plain path".into(),
        };
    }
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    let candidates: Vec<(String, Option<String>)> = p
        .mapped
        .iter()
        .filter(|(raw, _)| !p.untyped_rules && !p.rule_types.contains(raw))
        .map(|(raw, ev)| (raw.clone(), Some(ev.as_str().to_string())))
        .collect();
    let steps = p.event_type_paths[0].clone();
    let usable: Vec<usize> = (0..ctx.bases.len())
        .filter(|&i| {
            json_body(ctx, &ctx.bases[i]).is_some_and(|doc| {
                let items = ctx.conn.item_pointers(&doc);
                !items.is_empty()
                    && items.iter().all(|it| {
                        doc.pointer(&format!("{it}{}", steps_pointer(&steps)))
                            .is_some_and(Json::is_string)
                    })
            })
        })
        .collect();
    if usable.is_empty() {
        return Verdict::NotApplicable {
            reason: "no verified JSON fixture has the type at the type path".into(),
        };
    }
    let n = candidates.len();
    run(
        ctx,
        "classification",
        (any::<usize>(), 0..n + 1, "[a-z]{1,10}"),
        |(i, c, junk)| {
            let (raw, expected) = if *c < n {
                candidates[*c].clone()
            } else if p.untyped_rules {
                return Ok(());
            } else {
                let raw = format!("hooknorm.unmapped.{junk}");
                if p.mapped.iter().any(|(m, _)| *m == raw) {
                    return Ok(());
                }
                (raw, Some("EVENT_NOT_SUPPORTED".to_string()))
            };
            let Some(expected) = expected else {
                return Ok(());
            };
            // A base about the same kind of resource, so the body has what extraction needs.
            let kind = WebhookEventType::from_name(&expected).and_then(WebhookEventType::resource);
            let unsupported = expected == WebhookEventType::EventNotSupported.as_str();
            let same: Vec<usize> = usable
                .iter()
                .copied()
                .filter(|&b| {
                    unsupported
                        || ctx.bases[b].event_types.iter().all(|t| {
                            WebhookEventType::from_name(t).and_then(WebhookEventType::resource)
                                == kind
                        })
                })
                .collect();
            let Some(&b) = same.get(i % same.len().max(1)) else {
                return Ok(());
            };
            let base = &ctx.bases[b];
            let mut doc = json_body(ctx, base).unwrap_or(Json::Null);
            for it in ctx.conn.item_pointers(&doc) {
                if let Some(v) = doc.pointer_mut(&format!("{it}{}", steps_pointer(&steps))) {
                    *v = Json::from(raw.as_str());
                }
            }
            let req = resign(
                ctx.engine,
                base,
                doc.to_string().into_bytes(),
                base.now,
                &base.signing,
            )
            .map_err(|m| Failure {
                message: format!("from `{}`: signing failed: {m}", base.name),
                fixture: counterexample(
                    &base.request,
                    base.now,
                    m.clone(),
                    Err("InvalidSignature"),
                ),
            })?;
            let r = ctx.engine.handle_at(&req, base.now);
            let want = vec![expected.clone(); base.event_types.len()];
            match &r {
                Ok(o) if types_of(o) == want => Ok(()),
                other => Err(Failure {
                    message: format!(
                        "from `{}`: raw type `{raw}` should give {expected}, got {}",
                        base.name,
                        describe(other)
                    ),
                    fixture: counterexample(
                        &req,
                        base.now,
                        format!("raw type `{raw}` (property counterexample)"),
                        Ok(expect_types(&want)),
                    ),
                }),
            }
        },
    )
}

/// The outcome without what legitimately depends on the exact signed bytes: the idempotency key
/// (it may be derived from the signature) and, when the signer generated different headers for
/// the two bodies (an id derived from the body), the event id.
fn comparable(o: &HandleOutcome, drop_event_id: bool) -> Json {
    let mut v = serde_json::to_value(o).unwrap_or(Json::Null);
    if let Some(events) = v.get_mut("events").and_then(Json::as_array_mut) {
        for e in events {
            if let Some(m) = e.as_object_mut() {
                m.remove("idempotency_key");
                if drop_event_id {
                    m.remove("connector_event_id");
                }
            }
        }
    }
    v
}

/// Headers other than the signatures differ between two signed requests.
fn regenerated_headers_differ(ctx: &Ctx, a: &HandleRequest, b: &HandleRequest) -> bool {
    let sig_headers: Vec<String> = ctx
        .profile
        .signature
        .iter()
        .flat_map(|s| &s.schemes)
        .filter_map(|x| match &x.signature_from {
            Location::Header(h) => Some(h.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let strip = |r: &HandleRequest| -> Vec<(String, String)> {
        r.request_details
            .headers
            .iter()
            .filter(|(k, _)| !sig_headers.iter().any(|s| s.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect()
    };
    strip(a) != strip(b)
}

// 7. Stability.
fn stability(ctx: &Ctx) -> Verdict {
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    let usable: Vec<usize> = (0..ctx.bases.len())
        .filter(|&i| json_body(ctx, &ctx.bases[i]).is_some())
        .collect();
    if usable.is_empty() {
        return Verdict::NotApplicable {
            reason: "no verified fixture has a JSON body".into(),
        };
    }
    run(
        ctx,
        "stability",
        (any::<usize>(), any::<u64>()),
        |&(i, seed)| {
            let base = &ctx.bases[usable[i % usable.len()]];
            let doc = json_body(ctx, base).unwrap_or(Json::Null);
            let plain = resign(
                ctx.engine,
                base,
                doc.to_string().into_bytes(),
                base.now,
                &base.signing,
            );
            let mut mix = Mix(seed);
            // Only unknown fields are added and keys reordered; the values stay.
            let mut extra = doc.clone();
            add_unknown(&mut extra, &mut mix);
            let mut text = String::new();
            write_shuffled(&extra, &mut mix, &mut text);
            let shuffled = resign(ctx.engine, base, text.into_bytes(), base.now, &base.signing);
            let (Ok(plain), Ok(shuffled)) = (plain, shuffled) else {
                return Ok(());
            };
            let drop_key = regenerated_headers_differ(ctx, &plain, &shuffled);
            let a = ctx.engine.handle_at(&plain, base.now);
            let b = ctx.engine.handle_at(&shuffled, base.now);
            match (&a, &b) {
            (Ok(x), Ok(y)) if comparable(x, drop_key) == comparable(y, drop_key) => Ok(()),
            _ => Err(Failure {
                message: format!(
                    "from `{}`: reordered keys and unknown fields changed the outcome: {} vs {}",
                    base.name,
                    a.as_ref().map_or_else(|e| e.message.clone(), |o| comparable(o, drop_key).to_string()),
                    b.as_ref().map_or_else(|e| e.message.clone(), |o| comparable(o, drop_key).to_string()),
                ),
                fixture: counterexample(
                    &shuffled,
                    base.now,
                    "keys reordered and unknown fields added (property counterexample)".into(),
                    a.as_ref().map(|o| comparable(o, drop_key)).map_err(|_| "InvalidSignature"),
                ),
            }),
        }
        },
    )
}

fn add_unknown(v: &mut Json, mix: &mut Mix) {
    match v {
        Json::Object(map) => {
            for child in map.values_mut() {
                add_unknown(child, mix);
            }
            if mix.below(2) == 0 {
                map.insert(
                    format!("hooknorm_unknown_{}", mix.alnum(5)),
                    Json::from(mix.alnum(7)),
                );
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|i| add_unknown(i, mix)),
        _ => {}
    }
}
