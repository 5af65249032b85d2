//! `handle` on a realistic ~3 KB Stripe `payment_intent.succeeded` webhook, against a
//! hand-written Stripe-only baseline and the HMAC alone, measured in the same run.
//!
//! Run: `cargo bench --bench handle`.

use std::hint::black_box;

#[path = "common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use hooknorm::{Engine, HandleRequest, RequestDetails, WebhookSecrets};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

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
    let expected = hex(&mac.finalize().into_bytes());
    if !sigs
        .iter()
        .any(|s| bool::from(s.as_bytes().ct_eq(expected.as_bytes())))
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

fn bench(c: &mut Criterion) {
    let engine = Engine::bundled().expect("bundled specs");
    let body = common::stripe_body();
    let req = signed_request(&body);
    eprintln!("body: {} bytes", body.len());

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

    let mut g = c.benchmark_group("stripe_payment_intent_succeeded_3kb");
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
