//! Shared by the service's integration tests: the `hooknorm serve` binary on loopback, real
//! HTTP clients and receivers, signed webhooks, the queue CLI and a real nats-server.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hooknorm::fixture::Fixture;
use serde_json::Value;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

pub struct Server {
    pub child: Child,
    pub base: String,
    pub stdout: Arc<Mutex<Vec<String>>>,
    /// The data directory made for this server (removed on drop), unless the test gave one.
    pub data_dir: Option<PathBuf>,
}

/// A fresh directory under the temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "hooknorm-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

impl Server {
    /// `serve --config CONFIG --data-dir DATA` with extra environment variables.
    pub fn with_config(config: &Path, data: &Path, env: &[(&str, &str)]) -> Server {
        let (config, data) = (config.to_str().unwrap(), data.to_str().unwrap());
        Server::start(&["--config", config, "--data-dir", data], env)
    }

    /// Starts the service; each server gets its own `--data-dir` unless `args` gives one.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_through(&[], args, env)
    }

    /// [`Server::start`] through a wrapper command (`prefix` then the binary), e.g. `setpriv`.
    pub fn start_through(prefix: &[&str], args: &[&str], env: &[(&str, &str)]) -> Server {
        let data_dir = (!args.contains(&"--data-dir")).then(|| temp_dir("data"));
        let bin = env!("CARGO_BIN_EXE_hooknorm");
        let mut cmd = match prefix.split_first() {
            None => Command::new(bin),
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(bin);
                c
            }
        };
        cmd.arg("serve").args(["--addr", "127.0.0.1:0"]).args(args);
        if let Some(d) = &data_dir {
            cmd.arg("--data-dir").arg(d);
        }
        cmd.env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut base = None;
        let mut line = String::new();
        while err.read_line(&mut line).unwrap() > 0 {
            if let Some(addr) = line.trim().strip_prefix("hooknorm: listening on ") {
                base = Some(addr.to_string());
                break;
            }
            line.clear();
        }
        let base = base.unwrap_or_else(|| panic!("no listening line; stderr: {line}"));
        // Keep draining stderr so the server never blocks on it.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = err.read_to_string(&mut sink);
        });
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&stdout);
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(l);
            }
        });
        Server {
            child,
            base,
            stdout,
            data_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(d) = &self.data_dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent()
}

/// Sends a request; returns (status, content type, body).
pub fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &BTreeMap<String, String>,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut b = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("host") || k.eq_ignore_ascii_case("content-length") {
            continue;
        }
        b = b.header(k, v);
    }
    let req = b.body(body.to_vec()).unwrap();
    let mut resp = agent.run(req).unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.body_mut().read_to_vec().unwrap();
    (status, ct, body)
}

pub fn fixtures() -> Vec<(PathBuf, Fixture)> {
    hooknorm::fixture::tree(&Path::new(ROOT).join("tests/fixtures"))
        .into_iter()
        .map(|f| {
            let fx = hooknorm::fixture::read(&f).unwrap();
            (f, fx)
        })
        .collect()
}

/// The HTTP status the service gives an error kind.
pub fn status_of(kind: &str) -> u16 {
    match kind {
        "UnknownConnector" => 404,
        "MissingSignature"
        | "MalformedSignature"
        | "InvalidSignature"
        | "UntrustedCertificate"
        | "TimestampOutOfTolerance" => 401,
        "BodyTooLarge" => 413,
        "MalformedBody" => 422,
        _ => 400,
    }
}

/// The body of one HTTP/1.1 request read from `stream` (by its `content-length`); `None` for a
/// request without a body or one cut off before its end (not a delivery).
pub fn read_request_body(stream: &std::net::TcpStream) -> Option<Vec<u8>> {
    let mut reader = BufReader::new(stream);
    let mut len = 0;
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        line.clear();
    }
    let mut body = vec![0; len];
    (len > 0 && reader.read_exact(&mut body).is_ok()).then_some(body)
}

/// A one-connection-at-a-time HTTP receiver that answers with the given statuses in turn.
pub fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&bodies);
    std::thread::spawn(move || {
        let mut i = 0;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            // A request cut off (the service killed mid-delivery) is not a delivery.
            let Some(body) = read_request_body(&stream) else {
                continue;
            };
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).into_owned());
            let status = statuses.get(i).copied().unwrap_or(200);
            i += 1;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (format!("http://{addr}/events"), bodies)
}

pub const RZP_SECRET: &str = "hooknorm_rzp_webhook_secret_7Qe2";

/// A razorpay `payment.captured` webhook for payment `pay_K{i}`, signed: distinct `i`, distinct
/// idempotency key (razorpay's key derives from the signed body).
pub fn razorpay_webhook(i: usize) -> (BTreeMap<String, String>, Vec<u8>) {
    razorpay_webhook_with_id(&format!("pay_K{i:012}"))
}

/// A signed razorpay `payment.captured` webhook whose payment id is `pay_id` (any text: it is
/// written as a JSON string).
pub fn razorpay_webhook_with_id(pay_id: &str) -> (BTreeMap<String, String>, Vec<u8>) {
    use hmac::{Hmac, Mac};
    let fx = hooknorm::fixture::read(
        &Path::new(ROOT).join("tests/fixtures/razorpay/payment_success.json"),
    )
    .unwrap();
    let id = serde_json::to_string(pay_id).unwrap();
    let body = String::from_utf8(fx.request.request_details.body.clone())
        .unwrap()
        .replace("\"pay_NRhkNrmTst0Py1\"", &id);
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(RZP_SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let sig: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut headers = BTreeMap::new();
    headers.insert("content-type".to_string(), "application/json".to_string());
    headers.insert("x-razorpay-signature".to_string(), sig);
    (headers, body.into_bytes())
}

/// A config with the razorpay default account and, given a URL, an HTTP sink.
pub fn razorpay_config(dir: &Path, sink: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let config = dir.join("serve.yaml");
    std::fs::write(
        &config,
        format!(
            "accounts:\n  - connector: razorpay\n    secrets:\n      secret: {{value: {RZP_SECRET:?}}}\n{sink}"
        ),
    )
    .unwrap();
    config
}

/// Waits until `f` holds or `secs` pass.
pub fn wait_until(secs: u64, f: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    f()
}

pub fn metrics(server: &Server) -> String {
    let (_, _, b) = send(
        &agent(),
        "GET",
        &server.url("/metrics"),
        &BTreeMap::new(),
        b"",
    );
    String::from_utf8(b).unwrap()
}

/// The stored state and attempt statuses of the event with this key, read from the data dir.
pub fn history(data: &Path, key: &str) -> (hooknorm::queue::State, Vec<Option<u16>>) {
    use hooknorm::queue::Store;
    let store = hooknorm::queue::SqliteStore::open(data).unwrap();
    let (state, h) = store.history(key).unwrap().unwrap();
    (state, h.iter().map(|a| a.status).collect())
}

/// A receiver that answers 200 and keeps each request's headers (lower-case names) and body.
pub type Captured = Arc<Mutex<Vec<(BTreeMap<String, String>, Vec<u8>)>>>;
pub fn capturing_receiver() -> (String, Captured) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let got: Captured = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&got);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = BTreeMap::new();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                if let Some((k, v)) = line.split_once(':') {
                    headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                }
                line.clear();
            }
            let len: usize = headers
                .get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; len];
            if len == 0 || reader.read_exact(&mut body).is_err() {
                continue;
            }
            seen.lock().unwrap().push((headers, body));
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (format!("http://{addr}/events"), got)
}

/// Runs `hooknorm queue ARGS --data-dir DATA`; returns (success, stdout JSON or null, stderr).
pub fn queue_cli(data: &Path, args: &[&str]) -> (bool, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hooknorm"))
        .arg("queue")
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.success(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An admin request with an optional bearer token; returns (status, JSON body or null).
pub fn admin(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let mut headers = BTreeMap::new();
    if let Some(t) = token {
        headers.insert("authorization".to_string(), format!("Bearer {t}"));
    }
    headers.insert("content-type".to_string(), "application/json".to_string());
    let (status, _, b) = send(
        &agent(),
        method,
        &server.url(path),
        &headers,
        body.as_bytes(),
    );
    (status, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

pub fn statuses(show: &Value) -> Vec<Value> {
    show["attempt_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect()
}

/// A `nats-server -js` on a loopback port with its store in `store`; stopped on drop.
pub struct NatsServer {
    pub child: Child,
}

impl NatsServer {
    pub fn start(port: u16, store: &Path) -> NatsServer {
        let bin = ["nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server"]
            .into_iter()
            .find(|b| {
                Command::new(b)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .unwrap_or_else(|| {
                panic!(
                    "nats-server is not installed: this test needs it (Debian: apt-get install -y nats-server; .ci/run installs it)"
                )
            });
        let child = Command::new(bin)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(
            wait_until(10, || std::net::TcpStream::connect(("127.0.0.1", port))
                .is_ok()),
            "nats-server did not listen on port {port}"
        );
        NatsServer { child }
    }

    /// Stops it with SIGTERM (a clean shutdown that flushes the store), then waits.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every message of the stream: (subject, `Nats-Msg-Id`, payload), by a client of the test.
pub fn stream_messages(
    rt: &tokio::runtime::Runtime,
    url: &str,
    stream: &str,
) -> Vec<(String, String, Value)> {
    rt.block_on(async {
        let Ok(client) = async_nats::connect(url).await else {
            return Vec::new();
        };
        let js = async_nats::jetstream::new(client);
        let Ok(mut s) = js.get_stream(stream).await else {
            return Vec::new();
        };
        let Ok(info) = s.info().await else {
            return Vec::new();
        };
        let (first, last) = (info.state.first_sequence, info.state.last_sequence);
        let mut out = Vec::new();
        if info.state.messages == 0 {
            return out;
        }
        for seq in first..=last {
            let m = s.get_raw_message(seq).await.unwrap();
            let id = m
                .headers
                .get("Nats-Msg-Id")
                .map(|v| v.as_str().to_string())
                .unwrap_or_default();
            out.push((
                m.subject.to_string(),
                id,
                serde_json::from_slice(&m.payload).unwrap(),
            ));
        }
        out
    })
}

// ---- A real redis-server. ----

/// A free loopback TCP port (bound once and released).
pub fn free_port() -> u16 {
    // Never the same port twice in one test process: a test that holds a port unbound for a
    // while (a broker it starts later, or restarts after a kill) must not find another test's
    // server on it.
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut given = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// A `redis-server` on a loopback port, persisting to an append-only file fsynced on every
/// write in `dir`; stopped on drop.
pub struct RedisServer {
    pub child: Child,
    pub port: u16,
}

impl RedisServer {
    pub fn start(port: u16, dir: &Path) -> RedisServer {
        std::fs::create_dir_all(dir).unwrap();
        let bin = ["redis-server", "/usr/bin/redis-server", "/usr/sbin/redis-server"]
            .into_iter()
            .find(|b| {
                Command::new(b)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .unwrap_or_else(|| {
                panic!(
                    "redis-server is not installed: this test needs it (Debian: apt-get install -y redis-server; .ci/run installs it)"
                )
            });
        let child = Command::new(bin)
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
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(
            wait_until(10, || std::net::TcpStream::connect(("127.0.0.1", port))
                .is_ok()),
            "redis-server did not listen on port {port}"
        );
        RedisServer { child, port }
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- Faults: a sink whose answer the test switches, a tmpfs mount. ----

/// Each request a [`switchable_receiver`] took: the status it answered and the body.
pub type Answered = Arc<Mutex<Vec<(u16, String)>>>;

/// A one-connection-at-a-time HTTP receiver that answers every request with the status held in
/// the returned cell at that moment (the test switches it), and keeps (status, body) of each.
pub fn switchable_receiver(initial: u16) -> (String, Arc<std::sync::atomic::AtomicU16>, Answered) {
    use std::sync::atomic::AtomicU16;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let status = Arc::new(AtomicU16::new(initial));
    let got: Answered = Arc::new(Mutex::new(Vec::new()));
    let (st, seen) = (Arc::clone(&status), Arc::clone(&got));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(body) = read_request_body(&stream) else {
                continue;
            };
            let s = st.load(Ordering::SeqCst);
            seen.lock()
                .unwrap()
                .push((s, String::from_utf8_lossy(&body).into_owned()));
            let _ = write!(
                stream,
                "HTTP/1.1 {s} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (format!("http://{addr}/events"), status, got)
}

/// The razorpay payment number `i` of [`razorpay_webhook`] from a delivered JSON line.
pub fn razorpay_index(line: &str) -> usize {
    let v: Value = serde_json::from_str(line).unwrap();
    let id = v["event"]["event_response"]["payments_response"]["connector_transaction_id"]
        .as_str()
        .unwrap();
    id.strip_prefix("pay_K").unwrap().parse().unwrap()
}

/// A tmpfs mounted on a fresh directory (`mount -t tmpfs -o OPTIONS`); unmounted and removed on
/// drop, also when the test fails. Mounting needs root (CAP_SYS_ADMIN): without it the test
/// panics saying so.
pub struct Tmpfs {
    pub path: PathBuf,
}

impl Tmpfs {
    pub fn mount(name: &str, options: &str) -> Tmpfs {
        let path = temp_dir(name);
        std::fs::create_dir_all(&path).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(&path)
            .output();
        match out {
            Ok(o) if o.status.success() => Tmpfs { path },
            other => {
                let _ = std::fs::remove_dir(&path);
                panic!(
                    "this test mounts a tmpfs (mount -t tmpfs -o {options}) and needs root or CAP_SYS_ADMIN: {:?}",
                    other.map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                )
            }
        }
    }

    /// `mount -o remount,OPTIONS`.
    pub fn remount(&self, options: &str) {
        let o = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.path)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "remount {options}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.path)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // Still busy (a process not yet reaped): detach it now, freed when unused.
            let _ = Command::new("umount").arg("-l").arg(&self.path).status();
        }
        let _ = std::fs::remove_dir(&self.path);
    }
}

impl RedisServer {
    /// A `redis-server` like [`RedisServer::start`] with extra arguments (e.g. `--replicaof`).
    pub fn start_with(port: u16, dir: &Path, extra: &[&str]) -> RedisServer {
        std::fs::create_dir_all(dir).unwrap();
        let child = Command::new("redis-server")
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
            .arg(dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is not installed: this test needs it");
        assert!(
            wait_until(10, || std::net::TcpStream::connect(("127.0.0.1", port))
                .is_ok()),
            "redis-server did not listen on port {port}"
        );
        RedisServer { child, port }
    }
}
