//! Hostile input: arbitrary bytes, huge or deeply nested bodies, odd headers and secrets give
//! typed errors (never a panic), fail closed, and never leak secrets.

use std::collections::BTreeMap;

use hooknorm::{
    Engine, ErrorKind, HandleRequest, RequestDetails, Secret, SignRequest, WebhookSecrets,
};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn text(&mut self, max: usize) -> String {
        const ALPHABET: &[u8] = b"tv1=,;:. |&-_0123456789abcdefABCDEF\"{}[]\\/whsec_sha256=";
        let n = self.below(max + 1);
        (0..n)
            .map(|_| ALPHABET[self.below(ALPHABET.len())] as char)
            .collect()
    }
}

const SECRET: &str = "whsec_c2VjcmV0LXRoYXQtbXVzdC1uZXZlci1sZWFr";

fn request(connector: &str, headers: BTreeMap<String, String>, body: Vec<u8>) -> HandleRequest {
    HandleRequest {
        connector: connector.into(),
        merchant_event_id: Some("mev".into()),
        request_details: RequestDetails {
            url: "https://shop.example/webhooks?data.id=1".into(),
            headers,
            body,
            ..Default::default()
        },
        webhook_secrets: WebhookSecrets {
            secret: Some(Secret::new(SECRET)),
            additional_secret: Some(Secret::new("00ff")),
            other: BTreeMap::new(),
        },
    }
}

/// Header names every bundled connector reads, so random values reach the parsers.
const HEADERS: &[&str] = &[
    "Stripe-Signature",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "svix-signature",
    "X-Razorpay-Signature",
    "PAYPAL-TRANSMISSION-ID",
    "PAYPAL-TRANSMISSION-TIME",
    "PAYPAL-TRANSMISSION-SIG",
    "PAYPAL-CERT-URL",
    "PAYPAL-AUTH-ALGO",
    "Content-Type",
];

#[test]
fn random_requests_never_panic_and_never_verify() {
    let engine = Engine::bundled().unwrap();
    let names: Vec<String> = engine.connector_names().map(str::to_string).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..3000 {
        let connector = &names[round % names.len()];
        let mut headers = BTreeMap::new();
        for _ in 0..rng.below(6) {
            let name = if rng.below(3) == 0 {
                rng.text(12)
            } else {
                HEADERS[rng.below(HEADERS.len())].to_string()
            };
            headers.insert(name, rng.text(80));
        }
        let body = match rng.below(4) {
            0 => rng.bytes(300),
            1 => rng.text(300).into_bytes(),
            2 => br#"{"type":"payment_intent.succeeded","id":"evt_1","data":{"object":{"id":"pi_1","amount":"x"}},"notificationItems":[{"NotificationRequestItem":{"additionalData":{"hmacSignature":"AAAA"}}}]}"#.to_vec(),
            _ => Vec::new(),
        };
        let req = request(connector, headers, body);
        let result = engine.handle_at(&req, 1_700_000_000 + rng.below(1000) as i64);
        if let Err(e) = &result {
            assert!(!e.message.contains(SECRET), "secret leaked in {e:?}");
            let report = serde_json::to_string(&e.report).unwrap();
            assert!(!report.contains(SECRET), "secret leaked in the report");
        }
        // Random material is never accepted as verified (Mollie-style unsigned specs aside).
        if let Ok(outcome) = result {
            assert!(
                outcome.events.iter().all(|e| !e.source_verified),
                "{connector}: random input verified: {outcome:?}"
            );
        }
    }
}

#[test]
fn deeply_nested_and_huge_bodies_are_typed_errors() {
    let engine = Engine::bundled().unwrap();
    for connector in engine.connector_names() {
        // Deeper than any JSON parser should follow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
        let req = request(connector, BTreeMap::new(), deep);
        match engine.handle_at(&req, 1_700_000_000) {
            Err(err) => assert!(
                matches!(
                    err.kind,
                    ErrorKind::MissingSignature
                        | ErrorKind::MalformedBody
                        | ErrorKind::BodyTooLarge
                ),
                "{connector}: {err:?}"
            ),
            // A spec that accepts unsigned requests (Mollie's classic webhooks) may parse it; it
            // is then never verified.
            Ok(outcome) => assert!(
                outcome.events.iter().all(|e| !e.source_verified),
                "{connector}: {outcome:?}"
            ),
        }
        let huge = vec![b' '; 64 * 1024 * 1024];
        let err = engine
            .handle_at(&request(connector, BTreeMap::new(), huge), 0)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::BodyTooLarge, "{connector}");
    }
}

#[test]
fn a_signed_but_deeply_nested_body_is_malformed_not_a_crash() {
    let engine = Engine::bundled().unwrap();
    let body = format!("{{\"type\":{}1{}}}", "[".repeat(5000), "]".repeat(5000)).into_bytes();
    let signed = engine
        .sign(&SignRequest {
            connector: "stripe".into(),
            secrets: WebhookSecrets::with_secret(SECRET),
            body,
            url: "https://shop.example/webhooks".into(),
            now: 1_700_000_000,
            scheme: None,
        })
        .unwrap();
    let req = request("stripe", signed.headers, signed.body);
    let err = engine.handle_at(&req, 1_700_000_000).unwrap_err();
    assert_eq!(err.kind, ErrorKind::MalformedBody, "{err:?}");
}

#[test]
fn non_utf8_bodies_and_headers_fail_closed() {
    let engine = Engine::bundled().unwrap();
    let mut headers = BTreeMap::new();
    headers.insert(
        "Stripe-Signature".to_string(),
        "t=1700000000,v1=ff".to_string(),
    );
    let req = request("stripe", headers, vec![0xff, 0xfe, 0x00, 0x80]);
    let err = engine.handle_at(&req, 1_700_000_000).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}

#[test]
fn unknown_connectors_are_typed_errors_and_names_are_escaped() {
    let engine = Engine::bundled().unwrap();
    let req = request("no\u{1b}[31mpe", BTreeMap::new(), Vec::new());
    let err = engine.handle_at(&req, 0).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnknownConnector);
    assert!(!err.message.contains('\u{1b}'), "{}", err.message);
}

#[test]
fn secrets_are_redacted_in_debug() {
    let req = request("stripe", BTreeMap::new(), Vec::new());
    let shown = format!("{req:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("redacted"));
}

#[test]
fn the_engine_is_send_and_sync_and_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    assert_send_sync::<HandleRequest>();
    assert_send_sync::<hooknorm::HandleOutcome>();
    assert_send_sync::<hooknorm::HandleError>();

    let engine = std::sync::Arc::new(Engine::bundled().unwrap());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let e = engine.clone();
            std::thread::spawn(move || {
                let signed = e
                    .sign(&SignRequest {
                        connector: "stripe".into(),
                        secrets: WebhookSecrets::with_secret(SECRET),
                        body: format!(r#"{{"id":"evt_{i}","type":"payment_intent.succeeded","data":{{"object":{{"id":"pi_{i}","amount":100,"currency":"usd"}}}}}}"#).into_bytes(),
                        url: String::new(),
                        now: 1_700_000_000,
                        scheme: None,
                    })
                    .unwrap();
                let out = e.handle_at(&request("stripe", signed.headers, signed.body), 1_700_000_000).unwrap();
                out.events[0].connector_event_id.clone().unwrap()
            })
        })
        .collect();
    let ids: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(ids, vec!["evt_0", "evt_1", "evt_2", "evt_3"]);
}
