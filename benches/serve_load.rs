//! Load on `hooknorm serve` over loopback, in one run:
//! - intake: requests per second and acknowledgement latency percentiles for a 3 KB Stripe
//!   webhook through `POST /webhooks/stripe` (durability on: each distinct event is stored and
//!   fsynced before the 200; stdout sink), beside the verify-only `POST /v1/events/handle`
//!   (nothing stored);
//! - recovery: with `HOOKNORM_RESTART_PENDING` events (default 10,000) pending in the store,
//!   `kill -9`, then the time from the restart to the first delivery at an HTTP sink (and to the
//!   last).
//!
//! A last section does the webhook load again on an instance whose intake is a local
//! `redis-server` (broker mode, `intake.redis`), when one is installed.
//!
//! Run: `cargo bench --bench serve_load` (`HOOKNORM_LOAD_SECONDS`, default 10 per scenario;
//! `HOOKNORM_LOAD_CLIENTS`, default "1,4,16"; `HOOKNORM_RESTART_RUNS`, default 3). Client
//! threads, the receiver and the server share the machine.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "whsec_load_0123456789abcdef0123456789";

fn stripe_signature(body: &[u8], t: i64) -> String {
    common::stripe_signature(SECRET, body, t)
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

/// Starts `hooknorm serve` with this config and data dir, once it listens.
fn start_server(config: &Path, data: &Path) -> common::Server {
    let mut c = common::hooknorm_serve(env!("CARGO_BIN_EXE_hooknorm"));
    c.arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "error");
    common::spawn(c, "hooknorm: listening on ")
}

fn write_config(path: &Path, sink: &str) {
    std::fs::write(
        path,
        format!(
            "accounts:\n  - connector: stripe\n    secrets:\n      secret: {{value: {SECRET:?}}}\n{sink}"
        ),
    )
    .unwrap();
}

/// Distinct signed Stripe webhooks (each a new event id, so each is a durable append).
struct Webhooks {
    text: String,
    sent: AtomicU64,
}

impl Webhooks {
    fn next(&self) -> (BTreeMap<String, String>, Vec<u8>) {
        let n = self.sent.fetch_add(1, Ordering::Relaxed);
        let body = self
            .text
            .replace("evt_3OCxDsHkNrmTst001Ev7Sc9Q", &format!("evt_load{n:016}"))
            .into_bytes();
        let mut h = BTreeMap::new();
        h.insert("content-type".to_string(), "application/json".to_string());
        h.insert(
            "stripe-signature".to_string(),
            stripe_signature(&body, now()),
        );
        (h, body)
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Posts `n` webhooks with `clients` threads; returns how many got a 200.
fn post_n(clients: usize, n: usize, url: &str, hooks: &Webhooks) -> usize {
    let left = AtomicUsize::new(n);
    let ok = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                let agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .new_agent();
                while left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| l.checked_sub(1))
                    .is_ok()
                {
                    let (headers, body) = hooks.next();
                    let mut b = ureq::http::Request::builder().method("POST").uri(url);
                    for (k, v) in &headers {
                        b = b.header(k, v);
                    }
                    if let Ok(mut r) = agent.run(b.body(body).unwrap()) {
                        let _ = r.body_mut().read_to_vec();
                        if r.status() == 200 {
                            ok.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            });
        }
    });
    ok.into_inner()
}

/// An HTTP receiver answering 200 (keep-alive): the instant of each request's arrival.
fn receiver() -> (String, Arc<Mutex<Vec<Instant>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&got);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut len = 0;
                    let mut line = String::new();
                    let mut any = false;
                    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                        any = true;
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap_or(0);
                        }
                        line.clear();
                    }
                    let mut body = vec![0; len];
                    if !any || reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    seen.lock().unwrap().push(Instant::now());
                    if stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (url, got)
}

fn pending(base: &str) -> Option<u64> {
    let agent = ureq::Agent::new_with_defaults();
    let text = agent
        .get(&format!("{base}/metrics"))
        .call()
        .ok()?
        .body_mut()
        .read_to_string()
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("hooknorm_queue_pending "))
        .and_then(|v| v.trim().parse().ok())
}

/// One recovery run: `n` events pending (the sink hangs, so none is delivered), `kill -9`,
/// restart with a sink that answers. Returns (to listening, to first delivery, to last
/// delivery) from the restart's spawn.
fn restart_run(dir: &Path, n: usize, hooks: &Webhooks) -> (Duration, Duration, Duration) {
    let data = dir.join("restart-data");
    let _ = std::fs::remove_dir_all(&data);
    // A socket that completes connections and never answers: the first delivery hangs (60 s
    // timeout), everything else stays pending behind it in its lane.
    let hang = TcpListener::bind("127.0.0.1:0").unwrap();
    let before = dir.join("before.yaml");
    write_config(
        &before,
        &format!(
            "sink:\n  http: {{url: \"http://{}/events\", timeout_ms: 60000}}\n",
            hang.local_addr().unwrap()
        ),
    );
    let mut server = start_server(&before, &data);
    let base = server.base.clone();
    let ok = post_n(16, n, &format!("{base}/webhooks/stripe"), hooks);
    assert_eq!(ok, n, "every webhook is acknowledged");
    assert_eq!(
        pending(&base),
        Some(n as u64),
        "all pending before the kill"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(hang);
    let (url, got) = receiver();
    let after = dir.join("after.yaml");
    write_config(&after, &format!("sink:\n  http: {{url: {url:?}}}\n"));
    let t0 = Instant::now();
    let server = start_server(&after, &data);
    let listening = t0.elapsed();
    let deadline = t0 + Duration::from_secs(300);
    while got.lock().unwrap().len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let times = got.lock().unwrap().clone();
    drop(server);
    assert!(times.len() >= n, "only {} of {n} delivered", times.len());
    (listening, times[0] - t0, times[n - 1] - t0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing: run briefly.
    let bench = std::env::args().any(|a| a == "--bench");
    let var = |name: &str, full: usize, brief: usize| -> usize {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(if bench { full } else { brief })
    };
    let seconds = var("HOOKNORM_LOAD_SECONDS", 10, 1) as u64;
    let restart_pending = var("HOOKNORM_RESTART_PENDING", 10_000, 500);
    let restart_runs = var("HOOKNORM_RESTART_RUNS", 3, 1);
    let clients: Vec<usize> = std::env::var("HOOKNORM_LOAD_CLIENTS")
        .unwrap_or_else(|_| "1,4,16".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let dir = std::env::temp_dir().join(format!("hooknorm-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("serve.yaml");
    write_config(&config, "");
    let server = start_server(&config, &dir.join("data"));
    let base = server.base.clone();
    let body = common::stripe_body();
    let hooks = Webhooks {
        text: String::from_utf8(body.clone()).unwrap(),
        sent: AtomicU64::new(0),
    };
    let webhook = || hooks.next();
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
        ("webhooks/stripe (stored, fsynced)", "/webhooks/stripe"),
        ("v1/events/handle (verify only)", "/v1/events/handle"),
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
    drop(server);

    println!();
    println!(
        "Restart after kill -9 with {restart_pending} events pending (HTTP sink on loopback):"
    );
    println!(
        "| run | to listening ms | to first delivery ms | to last delivery ms | deliveries/s |"
    );
    println!("|---|---|---|---|---|");
    let mut firsts = Vec::new();
    for run in 1..=restart_runs {
        let (listening, first, last) = restart_run(&dir, restart_pending, &hooks);
        firsts.push(first);
        println!(
            "| {run} | {:.1} | {:.1} | {:.0} | {:.0} |",
            ms(listening),
            ms(first),
            ms(last),
            restart_pending as f64 / (last - first).as_secs_f64().max(1e-9)
        );
    }
    firsts.sort();
    println!(
        "median time from restart to first delivery: {:.1} ms",
        ms(firsts[firsts.len() / 2])
    );
    let _ = std::fs::remove_dir_all(&dir);
    broker_nats(&clients, seconds, &hooks.text);
}

/// Broker mode (`intake.nats`): the same distinct Stripe webhooks, acknowledged once a local
/// `nats-server -js` (file storage) sent its PubAck; the instance's consumer delivers them to
/// stdout meanwhile. Skipped when nats-server is not installed.
fn broker_nats(clients: &[usize], seconds: u64, text: &str) {
    let Some(bin) = [
        "nats-server",
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
    ]
    .into_iter()
    .find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        println!("\nbroker mode (NATS): skipped, nats-server is not installed");
        return;
    };
    let dir = std::env::temp_dir().join(format!("hooknorm-load-nats-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("js")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut nats = Command::new(bin)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(dir.join("js"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let up = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            up.elapsed() < Duration::from_secs(10),
            "nats-server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let config = dir.join("serve.yaml");
    std::fs::write(
        &config,
        format!(
            "accounts:\n  - connector: stripe\n    secrets:\n      secret: {{value: {SECRET:?}}}\n\
             intake:\n  nats: {{url: \"nats://127.0.0.1:{port}\"}}\n"
        ),
    )
    .unwrap();
    let mut c = common::hooknorm_serve(env!("CARGO_BIN_EXE_hooknorm"));
    c.arg("--config").arg(&config).env("RUST_LOG", "warn");
    let server = common::spawn(c, "hooknorm: listening on ");
    let base = server.base.clone();
    let sent = std::sync::atomic::AtomicU64::new(0);
    let webhook = || {
        let n = sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let body = text
            .replace("evt_3OCxDsHkNrmTst001Ev7Sc9Q", &format!("evt_nats{n:016}"))
            .into_bytes();
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let mut h = BTreeMap::new();
        h.insert("content-type".to_string(), "application/json".to_string());
        h.insert("stripe-signature".to_string(), stripe_signature(&body, t));
        (h, body)
    };
    println!("\nbroker mode: intake.nats, acknowledged on the PubAck of a local nats-server -js (file storage)\n");
    println!("| endpoint | clients | requests/s | p50 µs | p90 µs | p99 µs | max µs | errors |");
    println!("|---|---|---|---|---|---|---|---|");
    for &c in clients {
        let r = run(c, seconds, &format!("{base}/webhooks/stripe"), webhook);
        println!(
            "| webhooks/stripe (NATS intake) | {c} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {} |",
            r.requests as f64 / r.seconds,
            percentile(&r.latencies, 0.50),
            percentile(&r.latencies, 0.90),
            percentile(&r.latencies, 0.99),
            percentile(&r.latencies, 1.0),
            r.errors
        );
    }
    drop(server);
    let _ = nats.kill();
    let _ = nats.wait();
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
    let mut c = common::hooknorm_serve(env!("CARGO_BIN_EXE_hooknorm"));
    c.arg("--config").arg(&config).env("RUST_LOG", "warn");
    let server = common::spawn(c, "hooknorm: listening on ");
    let base = server.base.clone();
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
    drop(server);
    let _ = redis.kill();
    let _ = redis.wait();
}
