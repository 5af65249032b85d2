//! What the benchmarks share. Each bench uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A payment_intent.succeeded event shaped like Stripe's (API 2023-10-16), about 3 KB.
pub fn stripe_body() -> Vec<u8> {
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/stripe/payment_success.json"
        ))
        .expect("stripe fixture"),
    )
    .unwrap();
    let mut text = fixture["request"]["request_details"]["body_text"]
        .as_str()
        .unwrap()
        .to_string();
    // Pad the metadata to ~3 KB with realistic keys (still valid JSON).
    let extra: String = (0..6)
        .map(|i| format!("\"line_item_{i}\": \"sku_{i:04}_blue_cotton_tshirt_size_m\", "))
        .collect();
    text = text.replacen("\"metadata\": {", &format!("\"metadata\": {{{extra}"), 1);
    text.into_bytes()
}

/// A `Stripe-Signature` header for `body` at unix time `t`: `t=...,v1=` hex HMAC-SHA256 of
/// `t.body` under `secret`.
pub fn stripe_signature(secret: &str, body: &[u8], t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let sig: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={sig}")
}

/// A server process a benchmark started, with its base URL; killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `hooknorm serve` on a free loopback port (`program` is the bench's
/// `env!("CARGO_BIN_EXE_hooknorm")`); add the arguments and environment, then [`spawn`] it.
pub fn hooknorm_serve(program: &str) -> Command {
    let mut c = Command::new(program);
    c.args(["serve", "--addr", "127.0.0.1:0"]);
    c
}

/// Starts `cmd` and waits for the stderr line that contains `prefix` followed by the base URL
/// (`hooknorm: listening on http://...`); the rest of its stderr is read and dropped so the
/// server never blocks on a full pipe.
pub fn spawn(mut cmd: Command, prefix: &str) -> Server {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server process");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let base = loop {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "server did not start"
        );
        if let Some(i) = line.find(prefix) {
            break line[i + prefix.len()..].trim().to_string();
        }
    };
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
    });
    Server { child, base }
}
