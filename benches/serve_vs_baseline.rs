//! `hooknorm serve` against a hand-written baseline server, driven the same way in one run by a
//! real load generator (`wrk`, a separate process, not client threads of this benchmark).
//!
//! The baseline is in this file (run as a child process: this binary with `--baseline-server`):
//! axum, Stripe only, the same HMAC-SHA256 over `t.body` with a constant-time compare and the
//! 300 s tolerance, a typed borrowed `serde_json` parse of the fields hooknorm extracts, and
//! the same response: on `POST /v1/events/handle` the same outcome JSON (same fields, same
//! values) and on `POST /webhooks/stripe` the same acknowledgement (200, empty `text/plain`).
//! It stores nothing: hooknorm's `/webhooks/stripe` stores and fsyncs each event before its
//! acknowledgement (durable intake), so that endpoint is reported in a table of its own.
//!
//! Each scenario starts a fresh server, warms it for a second, then runs `wrk` for the same time
//! with the same connections; server CPU is utime+stime from `/proc/<pid>/stat` before and after.
//! Two modes: unpinned (the 2 cores shared), and pinned (`taskset`: server on core 1, `wrk` on
//! core 0).
//!
//! Webhooks need distinct bodies (hooknorm drops duplicates): the set-up writes a pool of
//! distinct signed requests per `wrk` thread, which its Lua script sends in turn; if a run
//! outlasts its pool the repeats are counted (hooknorm's `/metrics`) and printed.
//!
//! Run: `cargo bench --bench serve_vs_baseline` (`HOOKNORM_LOAD_SECONDS`, default 10;
//! `HOOKNORM_LOAD_CONNECTIONS`, default 32; `HOOKNORM_WEBHOOK_POOL`, default 60000 per `wrk`
//! thread). Needs `wrk` and `taskset`: installed with apt-get when missing and run as root,
//! else the benchmark stops with a message.

#[path = "common/mod.rs"]
mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const SECRET: &str = "whsec_load_0123456789abcdef0123456789";
const WRK_THREADS: usize = 2;

fn main() {
    if std::env::args().any(|a| a == "--baseline-server") {
        baseline::serve();
        return;
    }
    drive();
}

// ---------------------------------------------------------------------------------------------
// The baseline server.

mod baseline {
    use std::borrow::Cow;
    use std::collections::HashMap;

    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;
    use axum::Router;
    use hmac::{Hmac, Mac};
    use serde::{Deserialize, Serialize};
    use sha2::Sha256;
    use subtle::ConstantTimeEq;

    #[derive(Deserialize)]
    struct Event<'a> {
        #[serde(borrow)]
        id: Cow<'a, str>,
        #[serde(rename = "type", borrow)]
        event_type: Cow<'a, str>,
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
        id: Cow<'a, str>,
        amount: i64,
        amount_received: Option<i64>,
        #[serde(borrow)]
        currency: Cow<'a, str>,
        #[serde(borrow)]
        customer: Option<Cow<'a, str>>,
        created: Option<i64>,
        #[serde(borrow, default)]
        payment_method_types: Vec<Cow<'a, str>>,
        #[serde(borrow, default)]
        metadata: Metadata<'a>,
    }
    #[derive(Deserialize, Default)]
    struct Metadata<'a> {
        #[serde(borrow)]
        order_id: Option<Cow<'a, str>>,
    }

    #[derive(Serialize)]
    struct Outcome<'a> {
        connector: &'a str,
        acknowledgement: Ack,
        events: [Normalized<'a>; 1],
    }
    #[derive(Serialize)]
    struct Ack {
        status: u16,
        content_type: &'static str,
        body: &'static str,
    }
    #[derive(Serialize)]
    struct Normalized<'a> {
        event_type: &'static str,
        source_verified: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        merchant_event_id: Option<&'a str>,
        event_status: &'static str,
        connector_event_type: &'a str,
        connector_event_id: &'a str,
        idempotency_key: String,
        event_response: EventResponse<'a>,
    }
    #[derive(Serialize)]
    struct EventResponse<'a> {
        payments_response: Payment<'a>,
    }
    #[derive(Serialize)]
    struct Payment<'a> {
        connector_transaction_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        merchant_transaction_id: Option<&'a str>,
        status: &'static str,
        amount: Amount,
        #[serde(skip_serializing_if = "Option::is_none")]
        captured_amount: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        payment_method_type: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        connector_customer_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        created_at: Option<i64>,
    }
    #[derive(Serialize)]
    struct Amount {
        minor_amount: i64,
        currency: String,
    }

    /// The JSON Handle request, borrowed where it can be.
    #[derive(Deserialize)]
    struct HandleRequest<'a> {
        #[serde(borrow)]
        connector: Cow<'a, str>,
        #[serde(borrow)]
        merchant_event_id: Option<Cow<'a, str>>,
        #[serde(borrow)]
        request_details: Details<'a>,
        #[serde(borrow)]
        webhook_secrets: Secrets<'a>,
    }
    #[derive(Deserialize)]
    struct Details<'a> {
        #[serde(borrow)]
        headers: HashMap<Cow<'a, str>, Cow<'a, str>>,
        #[serde(borrow)]
        body_text: Cow<'a, str>,
    }
    #[derive(Deserialize)]
    struct Secrets<'a> {
        #[serde(borrow)]
        secret: Cow<'a, str>,
    }

    fn hex_eq(expected: &[u8], given: &str) -> bool {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 64];
        for (i, b) in expected.iter().enumerate() {
            buf[2 * i] = HEX[(b >> 4) as usize];
            buf[2 * i + 1] = HEX[(b & 15) as usize];
        }
        bool::from(buf[..].ct_eq(given.as_bytes()))
    }

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }

    /// Verifies the Stripe signature over `t.body` (fail closed).
    fn verify(header: Option<&str>, body: &[u8], secret: &str) -> bool {
        let Some(header) = header else { return false };
        let mut t = None;
        let mut sigs: [&str; 4] = [""; 4];
        let mut n = 0;
        for part in header.split(',') {
            match part.split_once('=') {
                Some(("t", v)) => t = Some(v),
                Some(("v1", v)) if n < sigs.len() => {
                    sigs[n] = v;
                    n += 1;
                }
                _ => {}
            }
        }
        let Some(t) = t else { return false };
        let Ok(ts) = t.parse::<i64>() else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(t.as_bytes());
        mac.update(b".");
        mac.update(body);
        let expected = mac.finalize().into_bytes();
        let mut ok = false;
        for s in &sigs[..n] {
            ok |= hex_eq(&expected, s);
        }
        ok && (now() - ts).abs() <= 300
    }

    fn event_type(t: &str) -> Option<(&'static str, &'static str)> {
        match t {
            "payment_intent.succeeded" => Some(("PAYMENT_INTENT_SUCCESS", "CHARGED")),
            "payment_intent.payment_failed" => Some(("PAYMENT_INTENT_FAILURE", "FAILURE")),
            _ => None,
        }
    }

    fn unauthorized() -> Response {
        (
            StatusCode::UNAUTHORIZED,
            [("content-type", "application/json")],
            r#"{"error":{"kind":"InvalidSignature","message":"signature mismatch"}}"#,
        )
            .into_response()
    }

    fn unprocessable() -> Response {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            [("content-type", "application/json")],
            r#"{"error":{"kind":"MalformedBody","message":"not a Stripe event"}}"#,
        )
            .into_response()
    }

    fn outcome<'a>(ev: &'a Event<'a>, merchant_event_id: Option<&'a str>) -> Option<Outcome<'a>> {
        let (kind, status) = event_type(&ev.event_type)?;
        let o = &ev.data.object;
        Some(Outcome {
            connector: "stripe",
            acknowledgement: Ack {
                status: 200,
                content_type: "text/plain",
                body: "",
            },
            events: [Normalized {
                event_type: kind,
                source_verified: true,
                merchant_event_id,
                event_status: "COMPLETE",
                connector_event_type: &ev.event_type,
                connector_event_id: &ev.id,
                idempotency_key: format!("stripe:{}", ev.id),
                event_response: EventResponse {
                    payments_response: Payment {
                        connector_transaction_id: &o.id,
                        merchant_transaction_id: o.metadata.order_id.as_deref(),
                        status,
                        amount: Amount {
                            minor_amount: o.amount,
                            currency: o.currency.to_ascii_uppercase(),
                        },
                        captured_amount: o.amount_received,
                        payment_method_type: o.payment_method_types.first().map(|s| &**s),
                        connector_customer_id: o.customer.as_deref(),
                        created_at: o.created,
                    },
                },
            }],
        })
    }

    async fn handle(body: Bytes) -> Response {
        let Ok(req) = serde_json::from_slice::<HandleRequest>(&body) else {
            return (StatusCode::BAD_REQUEST, "bad request").into_response();
        };
        if req.connector != "stripe" {
            return (StatusCode::NOT_FOUND, "unknown connector").into_response();
        }
        let sig = req
            .request_details
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("stripe-signature"))
            .map(|(_, v)| &**v);
        let raw = req.request_details.body_text.as_bytes();
        if !verify(sig, raw, &req.webhook_secrets.secret) {
            return unauthorized();
        }
        let Ok(ev) = serde_json::from_slice::<Event>(raw) else {
            return unprocessable();
        };
        match outcome(&ev, req.merchant_event_id.as_deref()) {
            None => unprocessable(),
            Some(o) => match serde_json::to_vec(&o) {
                Ok(v) => ([("content-type", "application/json")], v).into_response(),
                Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            },
        }
    }

    async fn webhook(headers: HeaderMap, body: Bytes) -> Response {
        let secret = super::SECRET;
        let sig = headers
            .get("stripe-signature")
            .and_then(|v| v.to_str().ok());
        if !verify(sig, &body, secret) {
            return unauthorized();
        }
        let Ok(ev) = serde_json::from_slice::<Event>(&body) else {
            return unprocessable();
        };
        match outcome(&ev, None) {
            None => unprocessable(),
            Some(o) => {
                let _ = std::hint::black_box(o);
                (StatusCode::OK, [("content-type", "text/plain")], "").into_response()
            }
        }
    }

    pub fn serve() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let app = Router::new()
                .route("/v1/events/handle", post(handle))
                .route("/webhooks/stripe", post(webhook));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            eprintln!(
                "baseline: listening on http://{}",
                listener.local_addr().unwrap()
            );
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, app).await.unwrap();
        });
    }
}

// ---------------------------------------------------------------------------------------------
// The driver.

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `wrk` and `taskset`, installed from Debian's packages when missing (as root).
fn setup_tools() {
    for (cmd, pkg) in [("wrk", "wrk"), ("taskset", "util-linux")] {
        if !have(cmd) {
            eprintln!("{cmd} missing: apt-get install -y {pkg}");
            let ok = Command::new("apt-get")
                .args(["install", "-y", pkg])
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok && have(cmd),
                "this benchmark needs `{cmd}` (Debian package {pkg}); install it and run again"
            );
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn stripe_signature(body: &[u8], t: i64) -> String {
    common::stripe_signature(SECRET, body, t)
}

/// The 3 KB body with event id `id`.
fn body_with_id(text: &str, id: &str) -> Vec<u8> {
    text.replace("evt_3OCxDsHkNrmTst001Ev7Sc9Q", id)
        .into_bytes()
}

/// CPU ticks (utime + stime) of a process and its threads.
fn cpu_ticks(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &s[s.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after "pid (comm) ".
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn clk_tck() -> f64 {
    let out = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(100.0)
}

fn command(pin: Option<&str>, program: &Path) -> Command {
    match pin {
        Some(cpu) => {
            let mut c = Command::new("taskset");
            c.args(["-c", cpu]).arg(program);
            c
        }
        None => Command::new(program),
    }
}

fn start_hooknorm(pin: Option<&str>, dir: &Path) -> common::Server {
    let data = dir.join(format!("data-{}", now_nanos()));
    let config = dir.join("hooknorm.yaml");
    let mut c = command(pin, Path::new(env!("CARGO_BIN_EXE_hooknorm")));
    c.args(["serve", "--addr", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .env_remove("RUST_LOG");
    common::spawn(c, "hooknorm: listening on ")
}

fn start_baseline(pin: Option<&str>) -> common::Server {
    let mut c = command(pin, &std::env::current_exe().unwrap());
    c.arg("--baseline-server");
    common::spawn(c, "baseline: listening on ")
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[derive(Clone, Default)]
struct Measure {
    rps: f64,
    cpu_us: f64,
    p50_us: f64,
    p99_us: f64,
    requests: u64,
    errors: u64,
}

/// "123.45us" / "1.20ms" / "2.00s" → µs.
fn micros(v: &str) -> f64 {
    let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
    let n: f64 = num.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n,
        "ms" => n * 1e3,
        "s" => n * 1e6,
        "m" => n * 60e6,
        _ => f64::NAN,
    }
}

/// Runs `wrk` with a script against `url`; the server's CPU is read around it.
fn run_wrk(
    pin: Option<&str>,
    server: &common::Server,
    script: &Path,
    path: &str,
    seconds: u64,
    conns: u64,
) -> Measure {
    let wrk_pin = pin.map(|_| "0");
    let wrk = |secs: u64, skip: u64| {
        let mut c = command(wrk_pin, Path::new("wrk"));
        c.args([
            "-t",
            &WRK_THREADS.to_string(),
            "-c",
            &conns.to_string(),
            "-d",
            &format!("{secs}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(format!("{}{path}", server.base))
        .args(["--", &skip.to_string()]);
        let out = c.output().expect("wrk");
        assert!(out.status.success(), "wrk failed: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Warm-up (connections, allocator, branch predictors).
    // The run starts past the webhooks the warm-up sent (each wrk thread sent fewer than all).
    let warm = wrk(1, 0);
    let skip = warm
        .lines()
        .find_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.len() >= 2 && w[1] == "requests").then(|| w[0].parse().ok())?
        })
        .map_or(0, |n: u64| n * 3 / 5);
    let pid = server.child.id();
    let before = cpu_ticks(pid);
    let text = wrk(seconds, skip);
    let after = cpu_ticks(pid);
    let mut m = Measure::default();
    let mut in_dist = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("Latency Distribution") {
            in_dist = true;
            continue;
        }
        let w: Vec<&str> = t.split_whitespace().collect();
        if in_dist && w.len() == 2 {
            match w[0] {
                "50%" => m.p50_us = micros(w[1]),
                "99%" => {
                    m.p99_us = micros(w[1]);
                    in_dist = false;
                }
                _ => {}
            }
        }
        if t.starts_with("Requests/sec:") {
            m.rps = w[1].parse().unwrap_or(0.0);
        }
        if w.len() >= 2 && w[1] == "requests" {
            m.requests = w[0].parse().unwrap_or(0);
        }
        if t.starts_with("Non-2xx or 3xx responses:") {
            m.errors += w[4].parse::<u64>().unwrap_or(0);
        }
        if t.starts_with("Socket errors:") {
            // "Socket errors: connect 0, read 0, write 0, timeout 0"
            m.errors += t
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    assert!(m.requests > 0, "wrk reported no requests:\n{text}");
    m.cpu_us = (after - before) as f64 / clk_tck() * 1e6 / m.requests as f64;
    m
}

/// hooknorm's intake counters (stored, duplicate) from `/metrics`.
fn intake_counts(base: &str) -> (u64, u64) {
    let text = ureq::get(format!("{base}/metrics"))
        .call()
        .ok()
        .and_then(|mut r| r.body_mut().read_to_string().ok())
        .unwrap_or_default();
    let get = |k: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("hooknorm_intake_events_total{{result=\"{k}\"}}")))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
            .unwrap_or(0)
    };
    (get("stored"), get("duplicate"))
}

fn lua_string(s: &str) -> String {
    format!("{s:?}")
}

fn drive() {
    setup_tools();
    let seconds = env_num("HOOKNORM_LOAD_SECONDS", 10);
    let conns = env_num("HOOKNORM_LOAD_CONNECTIONS", 32);
    let pool = env_num("HOOKNORM_WEBHOOK_POOL", 60_000) as usize;
    let dir = std::env::temp_dir().join(format!("hooknorm-vs-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("hooknorm.yaml"),
        format!(
            "accounts:\n  - connector: stripe\n    secrets:\n      secret: {{value: {SECRET:?}}}\n"
        ),
    )
    .unwrap();
    let text = String::from_utf8(common::stripe_body()).unwrap();
    eprintln!("body: {} bytes", text.len());

    // The Handle request (one request repeated: the endpoint stores nothing).
    let handle_script = dir.join("handle.lua");
    let write_handle = || {
        let body = text.as_bytes();
        let req = serde_json::json!({
            "connector": "stripe",
            "merchant_event_id": "mev_load",
            "request_details": {
                "method": "POST",
                "url": "https://shop.example/webhooks/stripe",
                "headers": {
                    "Content-Type": "application/json; charset=utf-8",
                    "Stripe-Signature": stripe_signature(body, now()),
                },
                "body_text": text,
            },
            "webhook_secrets": { "secret": SECRET },
        });
        let path = dir.join("handle.json");
        std::fs::write(&path, req.to_string()).unwrap();
        std::fs::write(
            &handle_script,
            format!(
                "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n\
                 local f = assert(io.open({}, \"rb\"))\nwrk.body = f:read(\"*a\")\nf:close()\n",
                lua_string(path.to_str().unwrap())
            ),
        )
        .unwrap();
    };

    // Distinct signed webhooks, one pool file per wrk thread (raw HTTP requests, NUL-separated).
    let webhook_script = dir.join("webhook.lua");
    let write_webhooks = || {
        let t = now();
        for th in 0..WRK_THREADS {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(dir.join(format!("pool.{th}"))).unwrap(),
            );
            for i in 0..pool {
                let body = body_with_id(&text, &format!("evt_load{th}x{i:012}"));
                write!(
                    f,
                    "POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                     Content-Type: application/json; charset=utf-8\r\n\
                     Stripe-Signature: {}\r\nContent-Length: {}\r\n\r\n",
                    stripe_signature(&body, t),
                    body.len()
                )
                .unwrap();
                f.write_all(&body).unwrap();
                f.write_all(b"\0").unwrap();
            }
        }
        std::fs::write(
            &webhook_script,
            format!(
                "local n = 0\nfunction setup(thread)\n  thread:set(\"tid\", n)\n  n = n + 1\nend\n\
                 local reqs = {{}}\nlocal i = 0\n\
                 function init(args)\n  i = tonumber(args[1] or \"0\")\n  local f = assert(io.open({} .. \"/pool.\" .. tid, \"rb\"))\n\
                 local data = f:read(\"*a\")\n  f:close()\n\
                 for r in data:gmatch(\"([^%z]+)\") do reqs[#reqs + 1] = r end\nend\n\
                 function request()\n  i = i + 1\n  if i > #reqs then i = 1 end\n  return reqs[i]\nend\n",
                lua_string(dir.to_str().unwrap())
            ),
        )
        .unwrap();
    };

    let mut rows: Vec<(String, String, Measure, Measure, String)> = Vec::new();
    for pin in [None, Some("1")] {
        let mode = if pin.is_some() {
            "pinned (server core 1, wrk core 0)"
        } else {
            "unpinned"
        };
        for path in ["/v1/events/handle", "/webhooks/stripe"] {
            let script = if path == "/v1/events/handle" {
                write_handle();
                &handle_script
            } else {
                write_webhooks();
                &webhook_script
            };
            let base = {
                let s = start_baseline(pin);
                run_wrk(pin, &s, script, path, seconds, conns)
            };
            let (hn, note) = {
                let s = start_hooknorm(pin, &dir);
                let m = run_wrk(pin, &s, script, path, seconds, conns);
                let note = if path == "/webhooks/stripe" {
                    let (stored, dup) = intake_counts(&s.base);
                    format!("{stored} stored, {dup} duplicates")
                } else {
                    String::new()
                };
                (m, note)
            };
            eprintln!(
                "{mode} {path}: baseline {:.0}/s {:.1} µs CPU, hooknorm {:.0}/s {:.1} µs CPU {note}",
                base.rps, base.cpu_us, hn.rps, hn.cpu_us
            );
            rows.push((mode.into(), path.into(), base, hn, note));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "\n{seconds} s per scenario, {conns} connections, wrk -t{WRK_THREADS}; \
         requests/s, server CPU µs per request, p50 / p99 µs\n"
    );
    println!("| mode | endpoint | baseline req/s | hooknorm req/s | ratio | baseline CPU µs/req | hooknorm CPU µs/req | baseline p50 / p99 µs | hooknorm p50 / p99 µs | errors (b / h) | note |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (mode, path, b, h, note) in &rows {
        println!(
            "| {mode} | `{path}` | {:.0} | {:.0} | {:.2}× | {:.1} | {:.1} | {:.0} / {:.0} | {:.0} / {:.0} | {} / {} | {note} |",
            b.rps,
            h.rps,
            h.rps / b.rps,
            b.cpu_us,
            h.cpu_us,
            b.p50_us,
            b.p99_us,
            h.p50_us,
            h.p99_us,
            b.errors,
            h.errors
        );
    }
}
