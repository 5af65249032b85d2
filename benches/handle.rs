//! `handle` on a Stripe `payment_intent.succeeded` webhook of about 300 B, 3 KB and 30 KB,
//! against two hand-written Stripe-only baselines (the minimal one: verify and read five fields;
//! the same-outcome one: verify and build the very `HandleOutcome` hooknorm returns) and the HMAC
//! alone, measured in the same run;
//! and, through a counting global allocator, the heap allocations of one call of each.
//!
//! Run: `cargo bench --bench handle`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

#[path = "common/mod.rs"]
mod common;

use std::borrow::Cow;

use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use hooknorm::{Engine, HandleOutcome, HandleRequest, RequestDetails, WebhookSecrets};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The system allocator, counting allocations (and reallocations).
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by one call of `f` (the mean of 100 calls).
fn allocations<R>(mut f: impl FnMut() -> R) -> f64 {
    let before = ALLOCS.load(Ordering::Relaxed);
    for _ in 0..100 {
        black_box(f());
    }
    (ALLOCS.load(Ordering::Relaxed) - before) as f64 / 100.0
}

const SECRET: &str = "whsec_bench_0123456789abcdef0123456789";
const NOW: i64 = 1_700_000_030;

fn signed_request(body: &[u8]) -> HandleRequest {
    let mut headers = std::collections::BTreeMap::new();
    headers.insert(
        "Content-Type".into(),
        "application/json; charset=utf-8".into(),
    );
    headers.insert(
        "User-Agent".into(),
        "Stripe/1.0 (+https://stripe.com/docs/webhooks)".into(),
    );
    headers.insert(
        "Stripe-Signature".into(),
        common::stripe_signature(SECRET, body, NOW - 5),
    );
    HandleRequest {
        connector: "stripe".into(),
        merchant_event_id: Some("mev_bench".into()),
        request_details: RequestDetails {
            url: "https://shop.example/webhooks/stripe".into(),
            headers,
            body: body.to_vec(),
            ..Default::default()
        },
        webhook_secrets: WebhookSecrets::with_secret(SECRET),
    }
}

// ---- The baseline: what a careful engineer writes for Stripe alone. ----

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow)]
    id: &'a str,
    #[serde(rename = "type", borrow)]
    event_type: &'a str,
    #[serde(borrow)]
    data: Data<'a>,
}
#[derive(Deserialize)]
struct Data<'a> {
    #[serde(borrow)]
    object: Object<'a>,
}
#[derive(Deserialize)]
struct Object<'a> {
    #[serde(borrow)]
    id: &'a str,
    amount: i64,
    #[serde(borrow)]
    currency: &'a str,
}

#[derive(Debug)]
struct Baseline {
    event_type: String,
    event_id: String,
    object_id: String,
    amount: i64,
    currency: String,
}

/// Stripe's check: some `v1` is the hex HMAC-SHA256 of `t.body`, and `t` is at most 300 s old.
fn verified(
    headers: &std::collections::BTreeMap<String, String>,
    body: &[u8],
    secret: &str,
    now: i64,
) -> Option<()> {
    let header = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("stripe-signature"))?
        .1;
    let mut t = None;
    let mut sigs: [&str; 4] = [""; 4];
    let mut n = 0;
    for part in header.split(',') {
        match part.split_once('=')? {
            ("t", v) => t = Some(v),
            ("v1", v) if n < sigs.len() => {
                sigs[n] = v;
                n += 1;
            }
            _ => {}
        }
    }
    let t = t?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    // Hex on the stack: no allocation per byte.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut expected = [0u8; 64];
    for (i, b) in mac.finalize().into_bytes().iter().enumerate() {
        expected[2 * i] = HEX[(b >> 4) as usize];
        expected[2 * i + 1] = HEX[(b & 15) as usize];
    }
    if !sigs[..n]
        .iter()
        .any(|s| bool::from(s.as_bytes().ct_eq(&expected[..])))
    {
        return None;
    }
    (now - t.parse::<i64>().ok()? <= 300).then_some(())
}

fn baseline(
    headers: &std::collections::BTreeMap<String, String>,
    body: &[u8],
    secret: &str,
    now: i64,
) -> Option<Baseline> {
    verified(headers, body, secret, now)?;
    let ev: Event = serde_json::from_slice(body).ok()?;
    Some(Baseline {
        event_type: ev.event_type.to_string(),
        event_id: ev.id.to_string(),
        object_id: ev.data.object.id.to_string(),
        amount: ev.data.object.amount,
        currency: ev.data.object.currency.to_ascii_uppercase(),
    })
}

// ---- The same-outcome baseline: Stripe alone, hand-written, returning the very `HandleOutcome`
// hooknorm returns for a payment_intent event (the bench asserts they are equal). It reads the
// fields hooknorm's Stripe spec reads for a payment, with the same fallbacks. ----

#[derive(Deserialize)]
struct FullEvent<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    event_type: Cow<'a, str>,
    #[serde(borrow)]
    data: FullData<'a>,
}
#[derive(Deserialize)]
struct FullData<'a> {
    #[serde(borrow)]
    object: PaymentObject<'a>,
}
#[derive(Deserialize)]
struct PaymentObject<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    payment_intent: Option<Str<'a>>,
    #[serde(borrow)]
    status: Option<Str<'a>>,
    amount: Option<i64>,
    #[serde(borrow)]
    currency: Option<Str<'a>>,
    amount_received: Option<i64>,
    amount_captured: Option<i64>,
    #[serde(borrow)]
    customer: Option<Str<'a>>,
    created: Option<i64>,
    #[serde(borrow, default)]
    metadata: Option<Named<'a>>,
    #[serde(borrow)]
    last_payment_error: Option<LastError<'a>>,
    #[serde(borrow)]
    failure_code: Option<Str<'a>>,
    #[serde(borrow)]
    failure_message: Option<Str<'a>>,
    #[serde(borrow)]
    payment_method_details: Option<Typed<'a>>,
    #[serde(borrow)]
    payment_method_types: Option<Vec<Str<'a>>>,
}
#[derive(Deserialize)]
struct Named<'a> {
    #[serde(borrow)]
    order_id: Option<Str<'a>>,
}
#[derive(Deserialize)]
struct Typed<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Str<'a>>,
}
#[derive(Deserialize)]
struct LastError<'a> {
    #[serde(borrow)]
    code: Option<Str<'a>>,
    #[serde(borrow)]
    message: Option<Str<'a>>,
    #[serde(borrow)]
    payment_method: Option<Typed<'a>>,
}

/// A JSON string, borrowed from the body unless it has escapes. (`Option<Cow<str>>` would
/// always copy: serde borrows only a `Cow` that is the field's own type.)
#[derive(Deserialize)]
struct Str<'a>(#[serde(borrow)] Cow<'a, str>);

/// The first present, non-empty text, owned.
fn text<'a>(options: impl IntoIterator<Item = Option<&'a Str<'a>>>) -> Option<String> {
    options
        .into_iter()
        .flatten()
        .find(|s| !s.0.is_empty())
        .map(|s| s.0.to_string())
}

fn baseline_outcome(req: &HandleRequest, now: i64) -> Option<HandleOutcome> {
    use hooknorm::{
        Acknowledgement, ErrorDetails, EventStatus, Money, NormalizedEvent, PaymentStatus,
        PaymentsResponse, WebhookEventType as T,
    };
    let details = &req.request_details;
    let secret = req.webhook_secrets.secret.as_ref()?.expose();
    verified(&details.headers, &details.body, secret, now)?;
    let ev: FullEvent = serde_json::from_slice(&details.body).ok()?;
    let event_type = match &*ev.event_type {
        "payment_intent.succeeded" => T::PaymentIntentSuccess,
        "payment_intent.payment_failed" => T::PaymentIntentFailure,
        "payment_intent.processing" => T::PaymentIntentProcessing,
        "payment_intent.canceled" => T::PaymentIntentCancelled,
        _ => return None,
    };
    let o = &ev.data.object;
    let status = o.status.as_ref().and_then(|s| match &*s.0 {
        "succeeded" => Some(PaymentStatus::Charged),
        "processing" | "pending" => Some(PaymentStatus::Pending),
        "requires_capture" => Some(PaymentStatus::Authorized),
        "requires_action" => Some(PaymentStatus::AuthenticationPending),
        "requires_confirmation" => Some(PaymentStatus::ConfirmationAwaited),
        "requires_payment_method" | "failed" => Some(PaymentStatus::Failure),
        "canceled" => Some(PaymentStatus::Voided),
        _ => None,
    });
    let last = o.last_payment_error.as_ref();
    let code = text([last.and_then(|e| e.code.as_ref()), o.failure_code.as_ref()]);
    let message = text([
        last.and_then(|e| e.message.as_ref()),
        o.failure_message.as_ref(),
    ]);
    let amount = match (o.amount, &o.currency) {
        (Some(minor_amount), Some(c)) => Some(Money {
            minor_amount,
            currency: c.0.to_ascii_uppercase(),
        }),
        _ => None,
    };
    let payment = PaymentsResponse {
        connector_transaction_id: text([o.payment_intent.as_ref(), o.id.as_ref()]),
        merchant_transaction_id: text([o.metadata.as_ref().and_then(|m| m.order_id.as_ref())]),
        status,
        captured_amount: amount.as_ref().and(o.amount_received.or(o.amount_captured)),
        amount,
        error: (code.is_some() || message.is_some()).then_some(ErrorDetails { code, message }),
        payment_method_type: text([
            o.payment_method_details
                .as_ref()
                .and_then(|d| d.kind.as_ref()),
            last.and_then(|e| e.payment_method.as_ref())
                .and_then(|d| d.kind.as_ref()),
            o.payment_method_types.as_ref().and_then(|t| t.first()),
        ]),
        network_transaction_id: None,
        connector_customer_id: text([o.customer.as_ref()]),
        created_at: o.created,
    };
    Some(HandleOutcome {
        connector: "stripe".into(),
        acknowledgement: Acknowledgement {
            status: 200,
            content_type: "text/plain".into(),
            body: String::new(),
        },
        events: vec![NormalizedEvent {
            event_type,
            source_verified: true,
            merchant_event_id: req.merchant_event_id.clone(),
            event_status: EventStatus::Complete,
            idempotency_key: format!("stripe:{}", ev.id),
            connector_event_type: Some(ev.event_type.into_owned()),
            connector_event_id: Some(ev.id.into_owned()),
            event_response: Some(hooknorm::EventResponse::PaymentsResponse(payment)),
        }],
        warnings: Vec::new(),
    })
}

/// A minimal Stripe `payment_intent.succeeded` (about 300 bytes).
fn small_body() -> Vec<u8> {
    br#"{"id":"evt_3OCxDsHkNrmTst001Ev7Sc9Q","object":"event","type":"payment_intent.succeeded","created":1699999998,"data":{"object":{"id":"pi_3OCxDsHkNrmTst001A2b3C4d","object":"payment_intent","amount":2000,"amount_received":2000,"currency":"usd","customer":"cus_P0hk4Nrm7Tq2Lx","status":"succeeded","metadata":{"order_id":"order_1042"}}}}"#.to_vec()
}

/// The 3 KB body with its metadata padded to about 30 KB.
fn large_body() -> Vec<u8> {
    let text = String::from_utf8(common::stripe_body()).unwrap();
    let extra: String = (0..400)
        .map(|i| format!("\"note_{i:04}\": \"gift wrap requested for line {i}, ship together\", "))
        .collect();
    text.replacen("\"metadata\": {", &format!("\"metadata\": {{{extra}"), 1)
        .into_bytes()
}

fn bench(c: &mut Criterion) {
    let engine = Engine::bundled().expect("bundled specs");
    for (name, body) in [
        ("stripe_payment_intent_succeeded_300b", small_body()),
        ("stripe_payment_intent_succeeded_3kb", common::stripe_body()),
        ("stripe_payment_intent_succeeded_30kb", large_body()),
    ] {
        bench_body(c, &engine, name, &body);
    }
}

fn bench_body(c: &mut Criterion, engine: &Engine, name: &str, body: &[u8]) {
    let body = body.to_vec();
    let req = signed_request(&body);
    eprintln!("{name}: body {} bytes", body.len());

    // Both must agree before timing anything.
    let out = engine
        .handle_at(&req, NOW)
        .expect("hooknorm verifies the bench webhook");
    let base =
        baseline(&req.request_details.headers, &body, SECRET, NOW).expect("baseline verifies");
    assert_eq!(
        out.events[0].connector_event_id.as_deref(),
        Some(base.event_id.as_str())
    );
    assert_eq!(
        out.events[0].connector_event_type.as_deref(),
        Some(base.event_type.as_str())
    );
    match &out.events[0].event_response {
        Some(hooknorm::EventResponse::PaymentsResponse(p)) => {
            assert_eq!(
                p.connector_transaction_id.as_deref(),
                Some(base.object_id.as_str())
            );
            assert_eq!(
                p.amount
                    .as_ref()
                    .map(|a| (a.minor_amount, a.currency.clone())),
                Some((base.amount, base.currency.clone()))
            );
        }
        other => panic!("unexpected response {other:?}"),
    }

    assert_eq!(
        baseline_outcome(&req, NOW).as_ref(),
        Some(&out),
        "the same-outcome baseline returns what hooknorm returns"
    );

    let a_base = allocations(|| baseline(&req.request_details.headers, &body, SECRET, NOW));
    let a_same = allocations(|| baseline_outcome(&req, NOW));
    let a_hook = allocations(|| engine.handle_at(&req, NOW));
    println!(
        "{name}: allocations per call: baseline {a_base}, same-outcome baseline {a_same}, \
         hooknorm handle {a_hook}"
    );

    let mut g = c.benchmark_group(name);
    g.bench_function("hmac_only", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
            mac.update(b"1700000025.");
            mac.update(black_box(&body));
            black_box(mac.finalize().into_bytes())
        })
    });
    g.bench_function("baseline_stripe_only", |b| {
        b.iter(|| {
            black_box(baseline(
                black_box(&req.request_details.headers),
                black_box(&body),
                SECRET,
                NOW,
            ))
        })
    });
    g.bench_function("baseline_same_outcome", |b| {
        b.iter(|| black_box(baseline_outcome(black_box(&req), NOW)))
    });
    g.bench_function("hooknorm_handle", |b| {
        b.iter(|| black_box(engine.handle_at(black_box(&req), NOW)))
    });
    g.bench_function("full_serde_json_value_parse", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
