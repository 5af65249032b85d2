//! `hooknorm serve` end to end: the binary on loopback, a real HTTP client.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hooknorm::fixture::subset;

mod support;
use serde_json::Value;
use support::*;

#[test]
fn every_fixture_through_the_handle_endpoint() {
    let server = Server::start(&["--test-clock"], &[]);
    let agent = agent();
    let all = fixtures();
    assert!(all.len() >= 21 * 8);
    let mut failures = Vec::new();
    for (path, fx) in &all {
        let mut headers = BTreeMap::new();
        headers.insert("content-type".to_string(), "application/json".to_string());
        headers.insert("x-hooknorm-now".to_string(), fx.now.to_string());
        let body = serde_json::to_vec(&fx.request).unwrap();
        let (status, content_type, resp) = send(
            &agent,
            "POST",
            &server.url("/v1/events/handle"),
            &headers,
            &body,
        );
        let resp: Value = serde_json::from_slice(&resp).unwrap();
        let mut errs = Vec::new();
        if content_type != "application/json" {
            errs.push(format!("content-type {content_type:?}"));
        }
        match (&fx.expect, &fx.expect_error) {
            (Some(expect), _) => {
                if status != 200 {
                    errs.push(format!("status {status}: {resp}"));
                } else {
                    subset(expect, Some(&resp), "", &mut errs);
                }
            }
            (None, Some(kind)) => {
                if status != status_of(kind) || resp["error"]["kind"] != kind.as_str() {
                    errs.push(format!("expected {kind}, got {status} {resp}"));
                }
            }
            _ => unreachable!(),
        }
        if !errs.is_empty() {
            failures.push(format!("{}: {}", path.display(), errs.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_through_the_webhook_endpoint_with_secrets_from_the_config() {
    let all = fixtures();
    // One account per fixture, holding its secrets and its URL.
    let dir = std::env::temp_dir().join(format!("hooknorm-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut accounts = Vec::new();
    for (path, fx) in &all {
        let account = path.file_stem().unwrap().to_string_lossy().into_owned();
        let secrets: BTreeMap<String, Value> = serde_json::to_value(&fx.request.webhook_secrets)
            .unwrap()
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!({ "value": v })))
            .collect();
        let url = fx
            .request
            .request_details
            .url
            .split('?')
            .next()
            .unwrap()
            .to_string();
        accounts.push(serde_json::json!({
            "connector": fx.request.connector, "account": account, "url": url, "secrets": secrets,
        }));
    }
    let config = dir.join("serve.yaml");
    std::fs::write(
        &config,
        serde_json::json!({ "accounts": accounts }).to_string(),
    )
    .unwrap();
    let server = Server::start(&["--test-clock", "--config", config.to_str().unwrap()], &[]);
    let agent = agent();
    let mut failures = Vec::new();
    let mut expected_events: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, fx) in &all {
        let account = path.file_stem().unwrap().to_string_lossy().into_owned();
        let d = &fx.request.request_details;
        let query = d
            .url
            .split_once('?')
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default();
        let url = server.url(&format!(
            "/webhooks/{}/{account}{query}",
            fx.request.connector
        ));
        let mut headers = d.headers.clone();
        headers.insert("x-hooknorm-now".into(), fx.now.to_string());
        let method = serde_json::to_value(d.method).unwrap();
        let method = method.as_str().unwrap().to_ascii_uppercase();
        let (status, ct, body) = send(&agent, &method, &url, &headers, &d.body);
        match (&fx.expect, &fx.expect_error) {
            (Some(expect), _) => {
                let ack = &expect["acknowledgement"];
                let want = ack["status"].as_u64().unwrap_or(200) as u16;
                if status != want {
                    failures.push(format!(
                        "{}: status {status}: {}",
                        path.display(),
                        String::from_utf8_lossy(&body)
                    ));
                    continue;
                }
                if let Some(b) = ack["body"].as_str() {
                    assert_eq!(String::from_utf8_lossy(&body), b, "{}", path.display());
                }
                if let Some(c) = ack["content_type"].as_str() {
                    assert_eq!(ct, c, "{}", path.display());
                }
                let types = expect["events"]
                    .as_array()
                    .map(|e| {
                        e.iter()
                            .map(|x| x["event_type"].as_str().unwrap_or("").to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                expected_events.insert(format!("{}/{account}", fx.request.connector), types);
            }
            (None, Some(kind)) => {
                if status != status_of(kind) {
                    failures.push(format!("{}: expected {kind}, got {status}", path.display()));
                }
            }
            _ => unreachable!(),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every event reached the stdout sink, as one JSON line each.
    let wanted: usize = expected_events.values().map(Vec::len).sum();
    let start = Instant::now();
    while server.stdout.lock().unwrap().len() < wanted && start.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in server.stdout.lock().unwrap().iter() {
        let v: Value = serde_json::from_str(line).unwrap();
        got.entry(format!(
            "{}/{}",
            v["connector"].as_str().unwrap(),
            v["account"].as_str().unwrap()
        ))
        .or_default()
        .push(v["event"]["event_type"].as_str().unwrap().to_string());
    }
    expected_events.retain(|_, v| !v.is_empty());
    assert_eq!(got, expected_events);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_limits_health_and_metrics() {
    let dir = std::env::temp_dir().join(format!("hooknorm-serve-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("serve.yaml");
    std::fs::write(&config, "body_limit_bytes: 2048\naccounts:\n  - connector: stripe\n    secrets:\n      secret: {env: STRIPE_TEST_SECRET}\n").unwrap();
    let server = Server::start(
        &["--config", config.to_str().unwrap()],
        &[("STRIPE_TEST_SECRET", "whsec_from_env_0123456789")],
    );
    let agent = agent();
    let none = BTreeMap::new();
    let get = |p: &str| send(&agent, "GET", &server.url(p), &none, b"");
    assert_eq!(get("/healthz").0, 200);
    assert_eq!(get("/readyz").0, 200);
    let (s, _, body) = get("/v1/connectors");
    assert_eq!(s, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    // Every bundled spec (connectors/*.yaml).
    let specs = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/connectors"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert_eq!(v["connectors"].as_array().unwrap().len(), specs);

    let post = |p: &str, b: &[u8]| send(&agent, "POST", &server.url(p), &none, b);
    assert_eq!(post("/v1/events/handle", b"{not json").0, 400);
    let unknown = serde_json::json!({"connector": "nope", "request_details": {"body": ""}});
    let (s, _, body) = post("/v1/events/handle", unknown.to_string().as_bytes());
    assert_eq!(s, 404, "{}", String::from_utf8_lossy(&body));
    assert_eq!(post("/v1/events/handle", &vec![b' '; 4096]).0, 413);
    // The stripe account exists (its secret came from the environment); an unsigned post fails.
    let (s, _, body) = post("/webhooks/stripe", b"{}");
    assert_eq!(s, 401);
    assert!(!String::from_utf8_lossy(&body).contains("whsec_from_env"));
    assert_eq!(post("/webhooks/adyen", b"{}").0, 404);
    assert_eq!(post("/webhooks/stripe/other", b"{}").0, 404);
    let (s, _, text) = get("/metrics");
    assert_eq!(s, 200);
    let text = String::from_utf8_lossy(&text);
    assert!(
        text.contains(
            "hooknorm_failures_total{connector=\"stripe\",reason=\"MissingSignature\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("hooknorm_request_duration_seconds_count{endpoint=\"webhook\"} 3"),
        "{text}"
    );
    assert!(
        text.contains(&format!("hooknorm_connectors {specs}")),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_http_sink_retries_until_the_host_accepts() {
    let (url, bodies) = receiver(vec![500, 503, 200]);
    let dir = std::env::temp_dir().join(format!("hooknorm-serve-sink-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("serve.yaml");
    let fx = hooknorm::fixture::read(
        &Path::new(ROOT).join("tests/fixtures/razorpay/payment_success.json"),
    )
    .unwrap();
    let secret = fx.request.webhook_secrets.secret.clone().unwrap();
    std::fs::write(
        &config,
        format!(
            "accounts:\n  - connector: razorpay\n    secrets:\n      secret: {{value: {:?}}}\nsink:\n  http: {{url: {url:?}, retries: 4, backoff_ms: 20}}\n",
            secret.expose()
        ),
    )
    .unwrap();
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let d = &fx.request.request_details;
    let (status, _, _) = send(
        &agent(),
        "POST",
        &server.url("/webhooks/razorpay"),
        &d.headers,
        &d.body,
    );
    assert_eq!(status, 200);
    let start = Instant::now();
    while bodies.lock().unwrap().len() < 3 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let got = bodies.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "{got:?}");
    // The same event each time, with its idempotency key for the host to de-duplicate.
    assert!(got.windows(2).all(|w| w[0] == w[1]));
    let v: Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!(v["event"]["event_type"], "PAYMENT_INTENT_SUCCESS");
    assert!(v["event"]["idempotency_key"]
        .as_str()
        .is_some_and(|k| !k.is_empty()));
    assert!(
        server.stdout.lock().unwrap().is_empty(),
        "the http sink does not print"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn specs_edited_broken_and_fixed_under_load_never_fail_a_request() {
    let dir = std::env::temp_dir().join(format!("hooknorm-serve-reload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = std::fs::read_to_string(format!("{ROOT}/connectors/stripe.yaml")).unwrap();
    let versioned =
        |v: &str| spec.replacen("\nversion: \"1\"\n", &format!("\nversion: \"{v}\"\n"), 1);
    std::fs::write(dir.join("stripe.yaml"), &spec).unwrap();
    let server = Arc::new(Server::start(
        &["--test-clock", "--connectors", dir.to_str().unwrap()],
        &[],
    ));
    let fx = hooknorm::fixture::read(
        &Path::new(ROOT).join("tests/fixtures/stripe/payment_success.json"),
    )
    .unwrap();
    let body = serde_json::to_vec(&fx.request).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, bad) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(Mutex::new(Vec::new())),
    );
    let clients: Vec<_> = (0..2)
        .map(|_| {
            let (server, stop, ok, bad, body) = (
                Arc::clone(&server),
                Arc::clone(&stop),
                Arc::clone(&ok),
                Arc::clone(&bad),
                body.clone(),
            );
            let now = fx.now.to_string();
            std::thread::spawn(move || {
                let agent = agent();
                let mut headers = BTreeMap::new();
                headers.insert("x-hooknorm-now".to_string(), now);
                while !stop.load(Ordering::Relaxed) {
                    let (s, _, r) = send(
                        &agent,
                        "POST",
                        &server.url("/v1/events/handle"),
                        &headers,
                        &body,
                    );
                    let v: Value = serde_json::from_slice(&r).unwrap_or_default();
                    if s == 200 && v["events"][0]["event_type"] == "PAYMENT_INTENT_SUCCESS" {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        bad.lock().unwrap().push(format!("{s} {v}"));
                    }
                }
            })
        })
        .collect();
    let agent = agent();
    let none = BTreeMap::new();
    let registry = || -> Value {
        let (_, _, b) = send(&agent, "GET", &server.url("/v1/connectors"), &none, b"");
        serde_json::from_slice(&b).unwrap()
    };
    let version = || {
        registry()["connectors"][0]["version"]
            .as_str()
            .map(str::to_string)
    };
    let wait = |f: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !f() {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "not live within 5 s"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        start.elapsed()
    };
    std::thread::sleep(Duration::from_millis(200));
    std::fs::write(dir.join("stripe.yaml"), versioned("2")).unwrap();
    let edit = wait(&|| version().as_deref() == Some("2"));
    std::fs::write(
        dir.join("stripe.yaml"),
        versioned("3").replacen("  type: $.type", "  type: $..[", 1),
    )
    .unwrap();
    // The broken spec's own error (a reload may also catch the file half-written).
    let type_error = |r: &Value| -> Option<Value> {
        r["registry"]["last_reload"]["errors"]
            .as_array()?
            .iter()
            .find(|e| {
                e["key"]
                    .as_str()
                    .is_some_and(|k| k.starts_with("events.type"))
            })
            .cloned()
    };
    wait(&|| type_error(&registry()).is_some());
    let err = type_error(&registry()).unwrap();
    assert!(
        err["file"].as_str().unwrap().ends_with("stripe.yaml") && err["line"].as_u64() > Some(0),
        "{err}"
    );
    assert_eq!(
        version().as_deref(),
        Some("2"),
        "the broken version must not serve"
    );
    std::thread::sleep(Duration::from_millis(200));
    std::fs::write(dir.join("stripe.yaml"), versioned("4")).unwrap();
    let fix = wait(&|| version().as_deref() == Some("4"));
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let bad = bad.lock().unwrap();
    assert!(
        bad.is_empty(),
        "{} failed: {:?}",
        bad.len(),
        &bad[..bad.len().min(3)]
    );
    assert!(
        ok.load(Ordering::Relaxed) > 50,
        "only {} requests",
        ok.load(Ordering::Relaxed)
    );
    eprintln!(
        "{} requests, 0 failed; edit live after {edit:?}, fix live after {fix:?}",
        ok.load(Ordering::Relaxed)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shutdown_finishes_the_request_in_flight() {
    let server = Server::start(&[], &[]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    let body = br#"{"connector":"stripe","request_details":{"body":""}}"#;
    write!(
        stream,
        "POST /v1/events/handle HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(200));
    stream.write_all(&body[10..]).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    // Answered (missing secret or signature), not dropped.
    assert!(response.starts_with("HTTP/1.1 40"), "{response}");
    let mut server = server;
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn the_example_config_starts_with_its_environment() {
    let key = std::env::temp_dir().join(format!("hooknorm-square-key-{}", std::process::id()));
    std::fs::write(&key, "square-signature-key-0123456789\n").unwrap();
    let text = std::fs::read_to_string(format!("{ROOT}/examples/serve.yaml"))
        .unwrap()
        .replace("/run/secrets/square-signature-key", key.to_str().unwrap())
        .replace(
            "connectors: connectors",
            &format!("connectors: {ROOT}/connectors"),
        );
    let config = key.with_extension("yaml");
    std::fs::write(&config, text).unwrap();
    let server = Server::start(
        &["--config", config.to_str().unwrap()],
        &[
            ("STRIPE_WEBHOOK_SECRET", "whsec_example_0123456789"),
            (
                "ADYEN_HMAC_KEY_EU",
                "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056",
            ),
        ],
    );
    let agent = agent();
    let none = BTreeMap::new();
    for (path, want) in [
        ("/webhooks/stripe", 401),
        ("/webhooks/adyen/eu", 422),
        ("/webhooks/square", 401),
        ("/webhooks/paddle", 404),
    ] {
        let (s, _, b) = send(&agent, "POST", &server.url(path), &none, b"{}");
        assert_eq!(s, want, "{path}: {}", String::from_utf8_lossy(&b));
    }
    // Without the environment the service refuses to start, naming the variable only.
    let out = Command::new(env!("CARGO_BIN_EXE_hooknorm"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--config",
            config.to_str().unwrap(),
        ])
        .env_remove("STRIPE_WEBHOOK_SECRET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("STRIPE_WEBHOOK_SECRET"));
    let _ = std::fs::remove_file(&key);
    let _ = std::fs::remove_file(&config);
}

#[test]
fn a_client_that_stalls_gets_a_timeout() {
    let dir = std::env::temp_dir().join(format!("hooknorm-serve-timeout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("serve.yaml");
    std::fs::write(&config, "request_timeout_ms: 300\n").unwrap();
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    // Headers and a tenth of the promised body, then nothing.
    write!(
        stream,
        "POST /v1/events/handle HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"connect"
    )
    .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let n = stream.read(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- Reliable intake: the durable queue, dedup, 503, delivery (faults at scale: tests/faults.rs). ----

#[test]
fn the_same_webhook_posted_ten_times_at_once_is_stored_and_delivered_once() {
    let (url, bodies) = receiver(vec![]);
    let dir = temp_dir("dedup");
    let config = razorpay_config(&dir, &format!("sink:\n  http: {{url: {url:?}}}\n"));
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let (headers, body) = razorpay_webhook(1);
    let barrier = Arc::new(std::sync::Barrier::new(10));
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let (barrier, headers, body) = (Arc::clone(&barrier), &headers, &body);
                let url = server.url("/webhooks/razorpay");
                s.spawn(move || {
                    let agent = agent();
                    barrier.wait();
                    send(&agent, "POST", &url, headers, body).0
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses, vec![200; 10]);
    assert!(wait_until(10, || !bodies.lock().unwrap().is_empty()));
    // Give a second delivery every chance to show up.
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(bodies.lock().unwrap().len(), 1);
    let text = metrics(&server);
    assert!(
        text.contains("hooknorm_intake_events_total{result=\"stored\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("hooknorm_intake_events_total{result=\"duplicate\"} 9"),
        "{text}"
    );
    assert!(text.contains("hooknorm_queue_pending 0"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_that_cannot_write_gets_503_never_2xx() {
    let dir = temp_dir("unwritable");
    let config = razorpay_config(&dir, "");
    // Two data dirs that fail even for root: one under a regular file, one whose database
    // file is a directory.
    let file = dir.join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let db_is_dir = dir.join("db-is-dir");
    std::fs::create_dir_all(db_is_dir.join("queue.sqlite3")).unwrap();
    for data in [file.join("data"), db_is_dir] {
        let server = Server::with_config(&config, &data, &[]);
        let agent = agent();
        for i in 0..3 {
            let (headers, body) = razorpay_webhook(i);
            let (status, ct, body) = send(
                &agent,
                "POST",
                &server.url("/webhooks/razorpay"),
                &headers,
                &body,
            );
            assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
            assert!(ct.starts_with("application/json"), "{ct}");
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["error"]["kind"], "StoreUnavailable");
        }
        // A bad signature is still a 401: verification comes first.
        let (h, _) = razorpay_webhook(0);
        let s = send(&agent, "POST", &server.url("/webhooks/razorpay"), &h, b"{}").0;
        assert_eq!(s, 401);
        let none = BTreeMap::new();
        assert_eq!(
            send(&agent, "GET", &server.url("/readyz"), &none, b"").0,
            503
        );
        assert!(server.stdout.lock().unwrap().is_empty());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_http_sink_gets_retries_after_503_and_a_400_is_a_dead_letter() {
    use hooknorm::queue::State;
    // 503 three times, then 200: delivered once, four attempts recorded.
    let (url, bodies) = receiver(vec![503, 503, 503, 200]);
    let dir = temp_dir("retry");
    let data = dir.join("data");
    let config = razorpay_config(
        &dir,
        &format!("sink:\n  http: {{url: {url:?}, max_attempts: 10, backoff_ms: 20}}\n"),
    );
    let mut server = Server::with_config(&config, &data, &[]);
    let (headers, body) = razorpay_webhook(7);
    let url_w = server.url("/webhooks/razorpay");
    assert_eq!(send(&agent(), "POST", &url_w, &headers, &body).0, 200);
    assert!(wait_until(10, || bodies.lock().unwrap().len() >= 4));
    std::thread::sleep(Duration::from_millis(500));
    let got = bodies.lock().unwrap().clone();
    assert_eq!(got.len(), 4);
    let text = metrics(&server);
    assert!(
        text.contains("hooknorm_deliveries_total{sink=\"http\",outcome=\"retry\"} 3"),
        "{text}"
    );
    assert!(
        text.contains("hooknorm_deliveries_total{sink=\"http\",outcome=\"delivered\"} 1"),
        "{text}"
    );
    let _ = server.child.kill();
    let _ = server.child.wait();
    let v: Value = serde_json::from_str(&got[0]).unwrap();
    let key = v["event"]["idempotency_key"].as_str().unwrap();
    assert_eq!(
        history(&data, key),
        (
            State::Delivered,
            vec![Some(503), Some(503), Some(503), Some(200)]
        )
    );

    // 400: not retried, a dead letter.
    let (url, bodies) = receiver(vec![400]);
    let data = dir.join("data-400");
    let config = razorpay_config(
        &dir,
        &format!("sink:\n  http: {{url: {url:?}, retries: 5, backoff_ms: 20}}\n"),
    );
    let server = Server::with_config(&config, &data, &[]);
    let url_w = server.url("/webhooks/razorpay");
    assert_eq!(send(&agent(), "POST", &url_w, &headers, &body).0, 200);
    assert!(wait_until(10, || !bodies.lock().unwrap().is_empty()));
    assert!(wait_until(5, || metrics(&server).contains("hooknorm_queue_dead 1")));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(bodies.lock().unwrap().len(), 1);
    let text = metrics(&server);
    assert!(
        text.contains("hooknorm_deliveries_total{sink=\"http\",outcome=\"dead\"} 1"),
        "{text}"
    );
    assert!(text.contains("hooknorm_queue_pending 0"), "{text}");
    drop(server);
    assert_eq!(history(&data, key), (State::Dead, vec![Some(400)]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_sink_is_retried_up_to_max_attempts_then_dead() {
    use hooknorm::queue::State;
    // A port nothing listens on: connection refused on every attempt.
    let port = free_port();
    let dir = temp_dir("unreachable");
    let data = dir.join("data");
    let config = razorpay_config(
        &dir,
        &format!(
            "sink:\n  http: {{url: \"http://127.0.0.1:{port}/events\", max_attempts: 3, backoff_ms: 10}}\n"
        ),
    );
    let server = Server::with_config(&config, &data, &[]);
    let (headers, body) = razorpay_webhook(3);
    let url = server.url("/webhooks/razorpay");
    assert_eq!(send(&agent(), "POST", &url, &headers, &body).0, 200);
    assert!(wait_until(10, || metrics(&server).contains("hooknorm_queue_dead 1")));
    let text = metrics(&server);
    assert!(
        text.contains("hooknorm_deliveries_total{sink=\"http\",outcome=\"retry\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("hooknorm_deliveries_total{sink=\"http\",outcome=\"dead\"} 1"),
        "{text}"
    );
    assert!(text.contains("hooknorm_sink_failures_total 1"), "{text}");
    drop(server);
    use hooknorm::queue::Store;
    let store = hooknorm::queue::SqliteStore::open(&data).unwrap();
    let lanes = store.due(i64::MAX, 10).unwrap();
    assert!(lanes.is_empty(), "nothing pending");
    let st = store.stats().unwrap();
    assert_eq!((st.pending, st.delivered, st.dead), (0, 0, 1));
    drop(store);
    // Three attempts recorded, each without a status and with the connection error.
    let mut fx = hooknorm::fixture::read(
        &Path::new(ROOT).join("tests/fixtures/razorpay/payment_success.json"),
    )
    .unwrap();
    fx.request.request_details.headers = headers;
    fx.request.request_details.body = body;
    let engine = hooknorm::Engine::bundled().unwrap();
    let outcome = engine.handle_at(&fx.request, fx.now).unwrap();
    let key = &outcome.events[0].idempotency_key;
    assert_eq!(history(&data, key), (State::Dead, vec![None, None, None]));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- Sinks: the signed HTTP sink and the file sink. ----

#[test]
fn the_http_sink_signs_with_standard_webhooks_and_the_bundled_connector_verifies_it() {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let key: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(&key)
    );
    let (url, got) = capturing_receiver();
    let dir = temp_dir("signed");
    let config = razorpay_config(
        &dir,
        &format!(
            "sink:\n  http: {{url: {url:?}, signing_secret_env: HOOKNORM_TEST_SINK_SECRET}}\n"
        ),
    );
    let server = Server::start(
        &["--config", config.to_str().unwrap()],
        &[("HOOKNORM_TEST_SINK_SECRET", &secret)],
    );
    let (headers, body) = razorpay_webhook(21);
    let url = server.url("/webhooks/razorpay");
    assert_eq!(send(&agent(), "POST", &url, &headers, &body).0, 200);
    assert!(wait_until(10, || !got.lock().unwrap().is_empty()));
    let (h, body) = got.lock().unwrap()[0].clone();
    let event: Value = serde_json::from_slice(&body).unwrap();
    let key_id = event["event"]["idempotency_key"].as_str().unwrap();
    assert_eq!(h["webhook-id"], key_id);
    let ts: i64 = h["webhook-timestamp"].parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - ts).abs() < 60, "{ts} vs {now}");
    // An independent HMAC over "{id}.{timestamp}.{body}".
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{key_id}.{ts}.").as_bytes());
    mac.update(&body);
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(h["webhook-signature"], expected);
    // The bundled standard-webhooks connector verifies it, and rejects a tampered body.
    let engine = hooknorm::Engine::bundled().unwrap();
    let request = |body: Vec<u8>| hooknorm::HandleRequest {
        connector: "standard-webhooks".into(),
        request_details: hooknorm::RequestDetails {
            url: "https://host.example/hooknorm".into(),
            headers: h.clone(),
            body,
            ..Default::default()
        },
        webhook_secrets: hooknorm::WebhookSecrets {
            secret: Some(hooknorm::Secret::new(secret.clone())),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = engine.handle_at(&request(body.clone()), ts).unwrap();
    assert!(!out.events.is_empty());
    assert!(out.events.iter().all(|e| e.source_verified));
    let tampered = String::from_utf8(body.clone())
        .unwrap()
        .replace("razorpay", "razorpaz")
        .into_bytes();
    assert_ne!(tampered, body);
    let err = engine.handle_at(&request(tampered), ts).unwrap_err();
    assert_eq!(err.kind, hooknorm::ErrorKind::InvalidSignature, "{err:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_http_sink_without_a_signing_secret_sends_no_signature_headers() {
    let (url, got) = capturing_receiver();
    let dir = temp_dir("unsigned");
    let config = razorpay_config(&dir, &format!("sink:\n  http: {{url: {url:?}}}\n"));
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let (headers, body) = razorpay_webhook(22);
    let url = server.url("/webhooks/razorpay");
    assert_eq!(send(&agent(), "POST", &url, &headers, &body).0, 200);
    assert!(wait_until(10, || !got.lock().unwrap().is_empty()));
    let (h, _) = got.lock().unwrap()[0].clone();
    for k in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        assert!(!h.contains_key(k), "{k} in {h:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_file_sink_appends_each_event_once_and_an_unwritable_path_is_retried_then_dead() {
    use hooknorm::queue::State;
    let dir = temp_dir("file-sink");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("events.jsonl");
    let config = razorpay_config(&dir, &format!("sink:\n  file: {{path: {out:?}}}\n"));
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let url = server.url("/webhooks/razorpay");
    let agent = agent();
    for i in 0..20 {
        let (headers, body) = razorpay_webhook(100 + i);
        assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 200);
        // A duplicate is acknowledged and not written again.
        if i % 5 == 0 {
            assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 200);
        }
    }
    let lines = || {
        std::fs::read_to_string(&out)
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert!(wait_until(10, || lines().len() >= 20));
    std::thread::sleep(Duration::from_millis(500));
    let got = lines();
    assert_eq!(got.len(), 20, "{got:?}");
    let keys: std::collections::BTreeSet<String> = got
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["connector"], "razorpay");
            v["event"]["idempotency_key"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(keys.len(), 20, "each event exactly once");
    assert!(
        server.stdout.lock().unwrap().is_empty(),
        "nothing on stdout"
    );
    drop(server);

    // A path under a regular file cannot be opened, even by root: retried, then dead.
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let bad = blocker.join("events.jsonl");
    let config = razorpay_config(
        &dir,
        &format!("sink:\n  file: {{path: {bad:?}, max_attempts: 3, backoff_ms: 10}}\n"),
    );
    let data = dir.join("data");
    let server = Server::with_config(&config, &data, &[]);
    let (headers, body) = razorpay_webhook(200);
    assert_eq!(
        send(
            &agent,
            "POST",
            &server.url("/webhooks/razorpay"),
            &headers,
            &body
        )
        .0,
        200
    );
    assert!(wait_until(10, || metrics(&server).contains("hooknorm_queue_dead 1")));
    let text = metrics(&server);
    assert!(
        text.contains("hooknorm_deliveries_total{sink=\"file\",outcome=\"retry\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("hooknorm_deliveries_total{sink=\"file\",outcome=\"dead\"} 1"),
        "{text}"
    );
    assert!(!text.contains("outcome=\"delivered\"} 1"), "{text}");
    drop(server);
    assert!(!bad.exists());
    use hooknorm::queue::Store;
    let store = hooknorm::queue::SqliteStore::open(&data).unwrap();
    let st = store.stats().unwrap();
    assert_eq!((st.pending, st.delivered, st.dead), (0, 0, 1));
    let lanes = store.due(i64::MAX, 10).unwrap();
    assert!(lanes.is_empty());
    drop(store);
    let key = {
        let engine = hooknorm::Engine::bundled().unwrap();
        let mut fx = hooknorm::fixture::read(
            &Path::new(ROOT).join("tests/fixtures/razorpay/payment_success.json"),
        )
        .unwrap();
        fx.request.request_details.headers = headers;
        fx.request.request_details.body = body;
        fx.request.webhook_secrets.secret = Some(hooknorm::Secret::new(RZP_SECRET));
        let out = engine.handle_at(&fx.request, fx.now).unwrap();
        out.events[0].idempotency_key.clone()
    };
    let (state, statuses) = history(&data, &key);
    assert_eq!(state, State::Dead);
    assert_eq!(statuses, vec![None, None, None], "three attempts recorded");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- Operating the queue: `hooknorm queue ...` and `/v1/queue/...`. ----

#[test]
fn a_dead_letter_is_listed_replayed_from_the_cli_while_serving_and_purged() {
    const TOKEN: &str = "adm1n-t0ken-for-tests";
    // The sink rejects the first event (400: dead at once), then accepts everything.
    let (url, bodies) = receiver(vec![400]);
    let dir = temp_dir("queue-ops");
    let data = dir.join("data");
    let config = razorpay_config(
        &dir,
        &format!(
            "sink:\n  http: {{url: {url:?}, max_attempts: 3, backoff_ms: 20}}\nadmin_token_env: HOOKNORM_TEST_ADMIN\n"
        ),
    );
    let server = Server::with_config(&config, &data, &[("HOOKNORM_TEST_ADMIN", TOKEN)]);
    let (headers, body) = razorpay_webhook(41);
    let url_w = server.url("/webhooks/razorpay");
    assert_eq!(send(&agent(), "POST", &url_w, &headers, &body).0, 200);
    assert!(wait_until(10, || metrics(&server).contains("hooknorm_queue_dead 1")));

    // The dead letter, on the CLI and over HTTP.
    let (ok, list, err) = queue_cli(&data, &["list", "--state", "dead"]);
    assert!(ok, "{err}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["state"], "dead");
    assert_eq!(list[0]["connector"], "razorpay");
    let id = list[0]["id"].as_i64().unwrap();
    let (status, http_list) = admin(
        &server,
        "GET",
        "/v1/queue/events?state=dead",
        Some(TOKEN),
        "",
    );
    assert_eq!(status, 200);
    assert_eq!(http_list.as_array().unwrap().len(), 1);
    assert_eq!(http_list[0]["id"], id);
    assert_eq!(http_list[0]["idempotency_key"], list[0]["idempotency_key"]);
    assert_eq!(
        admin(
            &server,
            "GET",
            "/v1/queue/events?state=pending",
            Some(TOKEN),
            ""
        )
        .1,
        serde_json::json!([])
    );
    // Wrong or missing token: 401 on every admin endpoint.
    for (method, path, body) in [
        ("GET", "/v1/queue/stats", ""),
        ("GET", "/v1/queue/events?state=dead", ""),
        ("GET", &*format!("/v1/queue/events/{id}"), ""),
        ("POST", "/v1/queue/replay", "{\"dead\": true}"),
        ("POST", "/v1/queue/purge", "{\"delivered_before\": 0}"),
    ] {
        assert_eq!(admin(&server, method, path, None, body).0, 401, "{path}");
        assert_eq!(
            admin(&server, method, path, Some("adm1n-t0ken-for-tesTS"), body).0,
            401,
            "{path}"
        );
        assert_eq!(
            admin(&server, method, path, Some("x"), body).0,
            401,
            "{path}"
        );
    }
    let (status, stats) = admin(&server, "GET", "/v1/queue/stats", Some(TOKEN), "");
    assert_eq!(status, 200);
    assert_eq!(
        (stats["dead"].as_u64(), stats["pending"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(bodies.lock().unwrap().len(), 1);

    // The sink is fixed (it answers 200 now): replay the dead letters from the CLI while the
    // service runs; it is delivered exactly once more, its history kept.
    let (ok, replayed, err) = queue_cli(&data, &["replay", "--dead"]);
    assert!(ok, "{err}");
    assert_eq!(replayed["replayed"], serde_json::json!([id]));
    assert!(wait_until(10, || bodies.lock().unwrap().len() >= 2));
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(bodies.lock().unwrap().len(), 2);
    let (ok, show, err) = queue_cli(&data, &["show", &id.to_string()]);
    assert!(ok, "{err}");
    assert_eq!(show["state"], "delivered");
    assert_eq!(statuses(&show), vec![Value::from(400), Value::from(200)]);
    assert_eq!(show["line"]["connector"], "razorpay");
    let (status, http_show) = admin(
        &server,
        "GET",
        &format!("/v1/queue/events/{id}"),
        Some(TOKEN),
        "",
    );
    assert_eq!(status, 200);
    assert_eq!(statuses(&http_show), statuses(&show));
    let (ok, stats, _) = queue_cli(&data, &["stats"]);
    assert!(ok);
    assert_eq!(
        (stats["delivered"].as_u64(), stats["dead"].as_u64()),
        (Some(1), Some(0))
    );

    // Purge: T after the first delivery and before a second one; only the first goes.
    let t = hooknorm::queue::now_ms() / 1000 + 1;
    while hooknorm::queue::now_ms() <= t * 1000 + 50 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (headers2, body2) = razorpay_webhook(42);
    assert_eq!(send(&agent(), "POST", &url_w, &headers2, &body2).0, 200);
    assert!(wait_until(10, || bodies.lock().unwrap().len() >= 3));
    assert!(wait_until(5, || queue_cli(
        &data,
        &["list", "--state", "delivered"]
    )
    .1
    .as_array()
    .is_some_and(|l| l.len() == 2)));
    let (ok, purged, err) = queue_cli(
        &data,
        &["purge", "--delivered-before", "1970-01-01T00:00:00Z"],
    );
    assert!(ok, "{err}");
    assert_eq!(purged["purged"], 0);
    let (status, purged) = admin(
        &server,
        "POST",
        "/v1/queue/purge",
        Some(TOKEN),
        &format!("{{\"delivered_before\": {t}}}"),
    );
    assert_eq!(status, 200);
    assert_eq!(purged["purged"], 1);
    let (_, left, _) = queue_cli(&data, &["list"]);
    let left = left.as_array().unwrap().clone();
    assert_eq!(left.len(), 1);
    assert_ne!(left[0]["id"], id);
    assert_eq!(left[0]["state"], "delivered");

    // An unknown id: a clear error, a non-zero exit, nothing replayed.
    let (ok, _, err) = queue_cli(&data, &["show", &id.to_string()]);
    assert!(!ok);
    assert!(
        err.contains("NotFound") && err.contains(&format!("no event with id {id}")),
        "{err}"
    );
    let (ok, _, err) = queue_cli(&data, &["replay", "999999"]);
    assert!(!ok);
    assert!(err.contains("no event with id 999999"), "{err}");
    assert_eq!(
        admin(
            &server,
            "GET",
            &format!("/v1/queue/events/{id}"),
            Some(TOKEN),
            ""
        )
        .0,
        404
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_admin_endpoints_are_off_without_a_token() {
    let server = Server::start(&[], &[]);
    for (method, path) in [
        ("GET", "/v1/queue/stats"),
        ("GET", "/v1/queue/events"),
        ("GET", "/v1/queue/events/1"),
        ("POST", "/v1/queue/replay"),
        ("POST", "/v1/queue/purge"),
    ] {
        assert_eq!(admin(&server, method, path, None, "{}").0, 404, "{path}");
        assert_eq!(
            admin(&server, method, path, Some("anything"), "{}").0,
            404,
            "{path}"
        );
    }
}

// ---- The NATS JetStream sink, against a real nats-server. ----

#[test]
fn the_nats_sink_publishes_each_event_once_and_survives_a_broker_restart() {
    const N: usize = 20;
    const M: usize = 10;
    let port = free_port();
    let dir = temp_dir("nats");
    let store = dir.join("jetstream");
    std::fs::create_dir_all(&store).unwrap();
    let nats_url = format!("nats://127.0.0.1:{port}");
    let nats = NatsServer::start(port, &store);
    let config = razorpay_config(
        &dir,
        &format!(
            "sink:\n  nats: {{url: {nats_url:?}, stream: HOOKNORM, subject_prefix: hooknorm, backoff_ms: 50, max_backoff_ms: 500, timeout_ms: 1000}}\n"
        ),
    );
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let url = server.url("/webhooks/razorpay");
    let agent = agent();
    for i in 0..N {
        let (headers, body) = razorpay_webhook(500 + i);
        assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 200);
        if i % 4 == 0 {
            // A duplicate: acknowledged, not published again.
            assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 200);
        }
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let check = |n: usize| {
        assert!(
            wait_until(30, || stream_messages(&rt, &nats_url, "HOOKNORM").len()
                >= n),
            "fewer than {n} messages in the stream"
        );
        std::thread::sleep(Duration::from_millis(700));
        let msgs = stream_messages(&rt, &nats_url, "HOOKNORM");
        assert_eq!(msgs.len(), n, "exactly {n} messages");
        let ids: std::collections::BTreeSet<&str> =
            msgs.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(ids.len(), n, "{n} distinct Nats-Msg-Ids");
        for (subject, id, payload) in &msgs {
            assert_eq!(payload["connector"], "razorpay");
            assert_eq!(
                payload["event"]["idempotency_key"].as_str(),
                Some(id.as_str())
            );
            let event_type = payload["event"]["event_type"].as_str().unwrap();
            let token: String = event_type
                .chars()
                .map(|c| {
                    if matches!(c, '.' | '*' | '>') || c.is_whitespace() {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            assert_eq!(subject, &format!("hooknorm.razorpay.{token}"));
        }
    };
    check(N);

    // The broker goes away: webhooks are still acknowledged (the queue holds them).
    nats.stop();
    for i in 0..M {
        let (headers, body) = razorpay_webhook(600 + i);
        assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 200);
    }
    std::thread::sleep(Duration::from_millis(1500));
    let text = metrics(&server);
    assert!(
        !text.contains("hooknorm_queue_pending 0\n"),
        "events wait in the queue while the broker is down: {text}"
    );
    // Back on the same store: every event arrives, each once.
    let nats = NatsServer::start(port, &store);
    check(N + M);
    let text = metrics(&server);
    assert!(text.contains("hooknorm_queue_pending 0"), "{text}");
    assert!(text.contains("hooknorm_queue_dead 0"), "{text}");
    drop(server);
    nats.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_spec_added_while_serving_is_served_on_its_webhook_route_without_a_restart() {
    // Only Stripe at the start; Razorpay's spec is copied in later. Its `default` account comes
    // from HOOKNORM_SECRET_RAZORPAY and its `shop2` account from the config: both were known
    // before the connector was.
    let dir = temp_dir("late-spec");
    let specs = dir.join("specs");
    std::fs::create_dir_all(&specs).unwrap();
    std::fs::copy(
        format!("{ROOT}/connectors/stripe.yaml"),
        specs.join("stripe.yaml"),
    )
    .unwrap();
    let config = dir.join("serve.yaml");
    std::fs::write(
        &config,
        format!(
            "accounts:\n  - connector: razorpay\n    account: shop2\n    secrets:\n      secret: {{value: {RZP_SECRET:?}}}\n"
        ),
    )
    .unwrap();
    let server = Server::start(
        &[
            "--connectors",
            specs.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        &[("HOOKNORM_SECRET_RAZORPAY", RZP_SECRET)],
    );
    let agent = agent();
    let post = |path: &str, i: usize| {
        let (headers, body) = razorpay_webhook(i);
        let (status, _, resp) = send(&agent, "POST", &server.url(path), &headers, &body);
        (status, String::from_utf8_lossy(&resp).into_owned())
    };
    for path in ["/webhooks/razorpay", "/webhooks/razorpay/shop2"] {
        let (status, resp) = post(path, 0);
        assert_eq!(status, 404, "{path} before the spec exists: {resp}");
    }
    std::fs::copy(
        format!("{ROOT}/connectors/razorpay.yaml"),
        specs.join("razorpay.yaml"),
    )
    .unwrap();
    assert!(
        wait_until(30, || post("/webhooks/razorpay", 1).0 == 200),
        "the default account (secret from the environment) is served once the spec appears: {:?}",
        post("/webhooks/razorpay", 1)
    );
    let (status, resp) = post("/webhooks/razorpay/shop2", 2);
    assert_eq!(
        status, 200,
        "the config's account of the new connector: {resp}"
    );
    // Still verified: another secret's signature is refused on the new route.
    let (mut headers, body) = razorpay_webhook(3);
    headers.insert("x-razorpay-signature".into(), "0".repeat(64));
    let (status, _, _) = send(
        &agent,
        "POST",
        &server.url("/webhooks/razorpay"),
        &headers,
        &body,
    );
    assert_eq!(status, 401);
    // An account that is in neither the config nor the environment stays unknown.
    assert_eq!(post("/webhooks/razorpay/other", 4).0, 404);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
