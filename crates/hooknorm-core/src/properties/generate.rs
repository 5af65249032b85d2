//! Generated inputs: bodies varied like fixtures, arbitrary JSON and bytes, signed requests.

use proptest::prelude::*;
use serde_json::Value as Json;

use super::*;

/// A small deterministic generator for mutations driven by one proptest-chosen seed.
pub(super) struct Mix(pub(super) u64);

impl Mix {
    pub(super) fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(super) fn alnum(&mut self, len: usize) -> String {
        const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|_| A[self.below(A.len())] as char).collect()
    }
}

pub(super) fn id_like(key: &str) -> bool {
    key == "id" || key.ends_with("_id") || (key.ends_with("Id") && key.len() > 2)
}

pub(super) fn amount_like(key: &str) -> bool {
    key.to_ascii_lowercase().contains("amount")
}

pub(super) fn currency_like(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "currency"
        || k.ends_with("currency")
        || k.ends_with("currency_code")
        || k.ends_with("currencycode")
}

pub(super) fn timestamp_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "created" || k == "timestamp" || k.ends_with("_at") || k.ends_with("time")
}

pub(super) const CURRENCIES: &[&str] = &[
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
    /// Extra members (`hooknorm_extra_*`) added to objects, which no spec reads.
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
pub(super) fn vary_json(v: &mut Json, mix: &mut Mix, vary: Vary) {
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
/// use hooknorm_core::{fixture::Fixture, properties::{signed_requests, Vary}, Engine};
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let engine = Engine::bundled().unwrap();
/// let text = include_str!("../../../../tests/fixtures/stripe/payment_success.json");
/// let fixtures = vec![Fixture::from_json("payment_success.json", text).unwrap()];
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
pub(super) fn write_shuffled(v: &Json, mix: &mut Mix, out: &mut String) {
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

pub(super) fn json_body(ctx: &Ctx, base: &Base) -> Option<Json> {
    match ctx.conn.body.format {
        BodyFormat::Json | BodyFormat::JsonOrForm => {
            serde_json::from_slice(&base.request.request_details.body).ok()
        }
        _ => None,
    }
}

pub(super) fn pick<'b>(ctx: &'b Ctx, i: usize) -> &'b Base {
    &ctx.bases[i % ctx.bases.len()]
}

pub(super) fn arb_json() -> impl Strategy<Value = Json> {
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

pub(super) fn arb_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        arb_json().prop_map(|v| v.to_string().into_bytes()),
        (1usize..20_000).prop_map(|d| format!("{}{}", "[".repeat(d), "]".repeat(d)).into_bytes()),
        (1usize..20_000)
            .prop_map(|d| format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d)).into_bytes()),
        ".{0,64}".prop_map(|s: String| s.into_bytes()),
    ]
}

pub(super) fn add_unknown(v: &mut Json, mix: &mut Mix) {
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
