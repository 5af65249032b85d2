//! `handle` on arbitrary input: the first byte picks a bundled connector, the bytes up to the
//! first NUL are `Name: value` header lines, the rest is the body. Never a panic, and random
//! input is never a verified event.
#![no_main]

use std::sync::OnceLock;

use hooknorm_core::{Engine, HandleRequest, WebhookSecrets};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::bundled().expect("bundled specs load"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let engine = engine();
    let names: Vec<&str> = engine.connector_names().collect();
    let connector = names[pick as usize % names.len()];
    let (head, body) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&[][..], rest),
    };
    let mut req = HandleRequest {
        connector: connector.to_string(),
        webhook_secrets: WebhookSecrets::with_secret("fuzz-secret-0123456789abcdef"),
        ..Default::default()
    };
    for line in String::from_utf8_lossy(head).lines() {
        if let Some((n, v)) = line.split_once(':') {
            req.request_details
                .headers
                .insert(n.trim().to_string(), v.trim().to_string());
        }
    }
    req.request_details.url = "https://example.com/webhooks?data.id=1".into();
    req.request_details.body = body.to_vec();
    if let Ok(outcome) = engine.handle_at(&req, 1_700_000_000) {
        assert!(
            outcome.events.iter().all(|e| !e.source_verified),
            "{connector}: random input verified"
        );
    }
});
