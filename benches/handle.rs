//! `handle` on a Stripe `payment_intent.succeeded` webhook of about 300 B, 3 KB and 30 KB,
//! against a hand-written Stripe-only baseline and the HMAC alone, measured in the same run;
//! and, through a counting global allocator, the heap allocations of one call of each.
//!
//! Run: `cargo bench --bench handle`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

#[path = "common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use hooknorm::{Engine, HandleRequest, RequestDetails, WebhookSecrets};
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn signed_request(body: &[u8]) -> HandleRequest {
    let t = NOW - 5;
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let sig = hex(&mac.finalize().into_bytes());
    let mut headers = std::collections::BTreeMap::new();
    headers.insert(
        "Content-Type".into(),
        "application/json; charset=utf-8".into(),
    );
    headers.insert(
        "User-Agent".into(),
        "Stripe/1.0 (+https://stripe.com/docs/webhooks)".into(),
    );
    headers.insert("Stripe-Signature".into(), format!("t={t},v1={sig}"));
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

fn baseline(
    headers: &std::collections::BTreeMap<String, String>,
    body: &[u8],
    secret: &str,
    now: i64,
) -> Option<Baseline> {
    let header = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("stripe-signature"))?
        .1;
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        let (k, v) = part.split_once('=')?;
        match k {
            "t" => t = Some(v),
            "v1" => sigs.push(v),
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
    if !sigs
        .iter()
        .any(|s| bool::from(s.as_bytes().ct_eq(&expected[..])))
    {
        return None;
    }
    if now - t.parse::<i64>().ok()? > 300 {
        return None;
    }
    let ev: Event = serde_json::from_slice(body).ok()?;
    Some(Baseline {
        event_type: ev.event_type.to_string(),
        event_id: ev.id.to_string(),
        object_id: ev.data.object.id.to_string(),
        amount: ev.data.object.amount,
        currency: ev.data.object.currency.to_ascii_uppercase(),
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

    let a_base = allocations(|| baseline(&req.request_details.headers, &body, SECRET, NOW));
    let a_hook = allocations(|| engine.handle_at(&req, NOW));
    println!("{name}: allocations per call: baseline {a_base}, hooknorm handle {a_hook}");

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
