//! Load on `hooknorm serve` over loopback: requests per second and latency percentiles for a
//! 3 KB Stripe webhook, through `POST /webhooks/stripe` (secrets from the config, events to the
//! stdout sink) and `POST /v1/events/handle`.
//!
//! A last section does the webhook load again on an instance whose intake is a local
//! `redis-server` (broker mode, `intake.redis`), when one is installed.
//!
//! Run: `cargo bench --bench serve_load` (`HOOKNORM_LOAD_SECONDS`, default 10 per scenario;
//! `HOOKNORM_LOAD_CLIENTS`, default "1,4,16"). Client threads and the server share the machine.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

const SECRET: &str = "whsec_load_0123456789abcdef0123456789";

fn stripe_signature(body: &[u8], t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
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

struct Result {
    requests: usize,
    errors: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

fn run(
    clients: usize,
    seconds: u64,
    url: &str,
    make: impl Fn() -> (BTreeMap<String, String>, Vec<u8>) + Sync,
) -> Result {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let per_thread: Vec<(usize, usize, Vec<Duration>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                let make = &make;
                s.spawn(move || {
                    let agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .new_agent();
                    let (mut ok, mut bad, mut lat) = (0, 0, Vec::new());
                    while Instant::now() < deadline {
                        let (headers, body) = make();
                        let mut b = ureq::http::Request::builder().method("POST").uri(url);
                        for (k, v) in &headers {
                            b = b.header(k, v);
                        }
                        let t0 = Instant::now();
                        let resp = agent.run(b.body(body).unwrap());
                        let took = t0.elapsed();
                        match resp {
                            Ok(mut r) if r.status() == 200 => {
                                let _ = r.body_mut().read_to_vec();
                                ok += 1;
                                lat.push(took);
                            }
                            _ => bad += 1,
                        }
                    }
                    (ok, bad, lat)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut latencies: Vec<Duration> = per_thread.iter().flat_map(|t| t.2.clone()).collect();
    latencies.sort();
    Result {
        requests: per_thread.iter().map(|t| t.0).sum(),
        errors: per_thread.iter().map(|t| t.1).sum(),
        seconds,
        latencies,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing: run briefly.
    let seconds: u64 = std::env::var("HOOKNORM_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            10
        } else {
            1
        });
    let clients: Vec<usize> = std::env::var("HOOKNORM_LOAD_CLIENTS")
        .unwrap_or_else(|_| "1,4,16".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let dir = std::env::temp_dir().join(format!("hooknorm-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("serve.yaml");
    std::fs::write(
        &config,
        format!(
            "accounts:\n  - connector: stripe\n    secrets:\n      secret: {{value: {SECRET:?}}}\n"
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hooknorm"))
        .args(["serve", "--addr", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hooknorm binary");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let base = loop {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "server did not start"
        );
        if let Some(a) = line.trim().strip_prefix("hooknorm: listening on ") {
            break a.to_string();
        }
    };
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
    });
    let body = common::stripe_body();
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    // Each webhook a distinct Stripe event, so that every one is a durable append (the same
    // event again would be a duplicate, which commits nothing).
    let sent = std::sync::atomic::AtomicU64::new(0);
    let text = String::from_utf8(body.clone()).unwrap();
    let webhook = || {
        let n = sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let body = text
            .replace("evt_3OCxDsHkNrmTst001Ev7Sc9Q", &format!("evt_load{n:016}"))
            .into_bytes();
        let mut h = BTreeMap::new();
        h.insert("content-type".to_string(), "application/json".to_string());
        h.insert(
            "stripe-signature".to_string(),
            stripe_signature(&body, now()),
        );
        (h, body)
    };
    let handle = || {
        let req = serde_json::json!({
            "connector": "stripe",
            "request_details": {
                "method": "POST",
                "url": "https://example.com/webhooks/stripe",
                "headers": {"Stripe-Signature": stripe_signature(&body, now())},
                "body_text": String::from_utf8_lossy(&body),
            },
            "webhook_secrets": {"secret": SECRET},
        });
        let mut h = BTreeMap::new();
        h.insert("content-type".to_string(), "application/json".to_string());
        (h, req.to_string().into_bytes())
    };
    println!(
        "{} cores; {} s per scenario; body {} bytes",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        seconds,
        body.len()
    );
    println!("| endpoint | clients | requests/s | p50 µs | p90 µs | p99 µs | max µs | errors |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, path) in [
        ("webhooks/stripe", "/webhooks/stripe"),
        ("v1/events/handle", "/v1/events/handle"),
    ] {
        for &c in &clients {
            let url = format!("{base}{path}");
            let r = if path.starts_with("/webhooks") {
                run(c, seconds, &url, webhook)
            } else {
                run(c, seconds, &url, handle)
            };
            println!(
                "| {name} | {c} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {} |",
                r.requests as f64 / r.seconds,
                percentile(&r.latencies, 0.50),
                percentile(&r.latencies, 0.90),
                percentile(&r.latencies, 0.99),
                percentile(&r.latencies, 1.0),
                r.errors
            );
        }
    }
    redis_broker(seconds, &clients, &dir, &webhook);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- Broker mode on Redis (`intake.redis`). ----

/// The same webhook load on an instance whose intake is a local `redis-server` (AOF with
/// `appendfsync always`: each append is fsynced before Redis answers); its delivery consumer
/// (to stdout, discarded) runs meanwhile. Skipped when `redis-server` is not installed.
fn redis_broker(
    seconds: u64,
    clients: &[usize],
    dir: &std::path::Path,
    webhook: &(impl Fn() -> (BTreeMap<String, String>, Vec<u8>) + Sync),
) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redis_dir = dir.join("redis");
    std::fs::create_dir_all(&redis_dir).unwrap();
    let Ok(mut redis) = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
        ])
        .arg("--dir")
        .arg(&redis_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        println!("\nredis-server is not installed: broker mode (redis) not measured");
        return;
    };
    let up = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            up.elapsed() < Duration::from_secs(10),
            "redis-server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let config = dir.join("serve-redis.yaml");
    std::fs::write(
        &config,
        format!(
            "accounts:\n  - connector: stripe\n    secrets:\n      secret: {{value: {SECRET:?}}}\nintake:\n  redis:\n    url: redis://127.0.0.1:{port}\n"
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hooknorm"))
        .args(["serve", "--addr", "127.0.0.1:0", "--config"])
        .arg(&config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hooknorm binary");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let base = loop {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "server did not start"
        );
        if let Some(a) = line.trim().strip_prefix("hooknorm: listening on ") {
            break a.to_string();
        }
    };
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
    });
    println!("\nBroker mode: intake.redis (redis-server, appendfsync always, same machine)\n");
    println!("| endpoint | clients | requests/s | p50 µs | p90 µs | p99 µs | max µs | errors |");
    println!("|---|---|---|---|---|---|---|---|");
    let url = format!("{base}/webhooks/stripe");
    for &c in clients {
        let r = run(c, seconds, &url, webhook);
        println!(
            "| webhooks/stripe (redis intake) | {c} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {} |",
            r.requests as f64 / r.seconds,
            percentile(&r.latencies, 0.50),
            percentile(&r.latencies, 0.90),
            percentile(&r.latencies, 0.99),
            percentile(&r.latencies, 1.0),
            r.errors
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = redis.kill();
    let _ = redis.wait();
}
