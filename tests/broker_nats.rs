//! Broker mode on NATS JetStream (`intake.nats`), against a real `nats-server -js`: several
//! stateless instances share one stream, dedup across instances, the broker killed under load,
//! an instance killed mid-delivery.

mod support;
use support::*;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

const STREAM: &str = "HOOKNORM_INTAKE";

/// A razorpay config whose intake is the nats-server at `nats_url`, delivering to `sink_url`.
fn broker_config(dir: &Path, nats_url: &str, sink_url: &str, nats_extra: &str) -> PathBuf {
    razorpay_config(
        dir,
        &format!(
            "sink:\n  http: {{url: {sink_url:?}, backoff_ms: 50, max_backoff_ms: 500, timeout_ms: 2000}}\n\
             intake:\n  nats: {{url: {nats_url:?}{nats_extra}}}\n"
        ),
    )
}

/// The payment number `i` of a body made by `razorpay_webhook(i)`.
fn payment_of(body: &str) -> Option<usize> {
    let at = body.find("pay_K")? + 5;
    body.get(at..at + 12)?.parse().ok()
}

fn key_of(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap();
    v["event"]["idempotency_key"].as_str().unwrap().to_string()
}

fn start_nats(dir: &Path) -> (NatsServer, u16, PathBuf, String) {
    let port = free_port();
    let store = dir.join("jetstream");
    std::fs::create_dir_all(&store).unwrap();
    let nats = NatsServer::start(port, &store);
    (nats, port, store, format!("nats://127.0.0.1:{port}"))
}

/// Posts `(webhook number, server index)` pairs from `clients` threads; returns each request's
/// (webhook number, server index, status).
fn post_all(
    servers: &[&Server],
    plan: &[(usize, usize)],
    clients: usize,
) -> Vec<(usize, usize, u16)> {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(Vec::with_capacity(plan.len()));
    std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                let agent = agent();
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&(i, srv)) = plan.get(k) else { break };
                    let (headers, body) = razorpay_webhook(i);
                    let url = servers[srv].url("/webhooks/razorpay");
                    let status = send(&agent, "POST", &url, &headers, &body).0;
                    out.lock().unwrap().push((i, srv, status));
                }
            });
        }
    });
    out.into_inner().unwrap()
}

/// `hooknorm queue stats --config CONFIG` (broker mode reads the stream, not the data dir).
fn broker_stats(config: &Path) -> Value {
    let dummy = temp_dir("unused-data");
    let (ok, v, err) = queue_cli(&dummy, &["stats", "--config", config.to_str().unwrap()]);
    assert!(ok, "queue stats failed: {err}");
    v
}

#[test]
fn three_instances_on_one_stream_deliver_5000_distinct_webhooks() {
    const N: usize = 5000;
    let dir = temp_dir("broker3");
    let (nats, _, _, nats_url) = start_nats(&dir);
    let (sink, bodies) = receiver(Vec::new());
    let config = broker_config(&dir, &nats_url, &sink, ", batch: 64");
    let cfg = config.to_str().unwrap();
    let servers: Vec<Server> = (0..3)
        .map(|_| Server::start(&["--config", cfg], &[]))
        .collect();
    let refs: Vec<&Server> = servers.iter().collect();
    // 5,000 distinct webhooks on the instances in turn, and 1,000 of them again on another
    // instance, interleaved, from 12 concurrent clients.
    let mut plan = Vec::new();
    for i in 0..N {
        plan.push((i, i % 3));
        if i % 5 == 0 {
            plan.push((i, (i + 1) % 3));
        }
    }
    assert_eq!(plan.len(), 6000);
    let results = post_all(&refs, &plan, 12);
    assert_eq!(results.len(), 6000);
    let not_ok: Vec<_> = results.iter().filter(|r| r.2 != 200).collect();
    assert!(
        not_ok.is_empty(),
        "not all acknowledged: {:?}",
        &not_ok[..not_ok.len().min(5)]
    );
    for s in &servers {
        assert!(metrics(s).contains("hooknorm_intake_events_total{result=\"stored\"}"));
    }

    let distinct = || {
        bodies
            .lock()
            .unwrap()
            .iter()
            .filter_map(|b| payment_of(b))
            .collect::<BTreeSet<_>>()
            .len()
    };
    assert!(
        wait_until(180, || distinct() == N),
        "{} of {N} distinct webhooks delivered",
        distinct()
    );
    // Let late duplicates (if any) arrive before counting.
    std::thread::sleep(Duration::from_secs(2));
    let got = bodies.lock().unwrap().clone();
    let payments: BTreeSet<usize> = got.iter().filter_map(|b| payment_of(b)).collect();
    assert_eq!(payments, (0..N).collect::<BTreeSet<_>>());
    let mut seen = BTreeSet::new();
    let mut extra = 0;
    for b in &got {
        if !seen.insert(key_of(b)) {
            extra += 1;
        }
    }
    assert_eq!(seen.len(), N, "5,000 distinct idempotency keys delivered");
    assert_eq!(got.len(), N + extra);
    eprintln!(
        "deliveries: {} ({} distinct, {extra} duplicate deliveries)",
        got.len(),
        N
    );

    // The stream holds each webhook once: the 1,000 repeats were dropped as duplicates by
    // JetStream's duplicate window, whichever instance they reached.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let msgs = stream_messages(&rt, &nats_url, STREAM);
    assert_eq!(msgs.len(), N);
    let ids: BTreeSet<&str> = msgs.iter().map(|(_, id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), N);
    assert!(msgs
        .iter()
        .all(|(subject, _, _)| subject == "hooknorm_intake.razorpay.default"));
    let dups: u64 = servers
        .iter()
        .map(|s| {
            let m = metrics(s);
            m.lines()
                .find_map(|l| l.strip_prefix("hooknorm_intake_events_total{result=\"duplicate\"} "))
                .map_or(0, |v| v.trim().parse::<u64>().unwrap())
        })
        .sum();
    assert_eq!(dups, 1000, "the repeats were acknowledged as duplicates");

    // Stats come from the stream and the consumer, on the CLI and in /metrics.
    let stats = broker_stats(&config);
    assert_eq!(stats["pending"], 0, "{stats}");
    assert_eq!(stats["delivered"], N as u64, "{stats}");
    assert_eq!(stats["dead"], 0, "{stats}");
    assert!(
        stats["broker"].as_str().unwrap().contains(STREAM) && stats["intake"]["broker"] == "nats",
        "{stats}"
    );
    assert!(metrics(&servers[0]).contains("hooknorm_queue_pending 0\n"));
    let (status, _, _) = send(
        &agent(),
        "GET",
        &servers[1].url("/readyz"),
        &BTreeMap::new(),
        b"",
    );
    assert_eq!(status, 200);
    // Operations that need the embedded store say so.
    let dummy = temp_dir("unused-data");
    let (ok, _, err) = queue_cli(&dummy, &["list", "--config", cfg]);
    assert!(!ok);
    assert!(err.contains("not available in broker mode"), "{err}");
    drop(servers);
    nats.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broker_killed_under_load_loses_no_acknowledged_webhook_and_503s_while_down() {
    let dir = temp_dir("broker-kill");
    let (nats, port, store, nats_url) = start_nats(&dir);
    let (sink, bodies) = receiver(Vec::new());
    let config = broker_config(&dir, &nats_url, &sink, ", timeout_ms: 1000");
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let url = server.url("/webhooks/razorpay");

    // Phases: 0 = broker up, 1 = broker killed (requests may race the kill), 2 = the client
    // has seen the connection drop: every request must get 503, 3 = restarting or up again.
    let phase = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, usize, usize, u16)>> = Mutex::new(Vec::new());
    let nats = Mutex::new(Some(nats));
    std::thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| {
                let agent = agent();
                while !stop.load(Ordering::SeqCst) {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let (headers, body) = razorpay_webhook(i);
                    let before = phase.load(Ordering::SeqCst);
                    let status = send(&agent, "POST", &url, &headers, &body).0;
                    let after = phase.load(Ordering::SeqCst);
                    results.lock().unwrap().push((i, before, after, status));
                }
            });
        }
        std::thread::sleep(Duration::from_millis(1500));
        phase.store(1, Ordering::SeqCst);
        // kill -9 (the Drop of NatsServer sends SIGKILL and waits).
        drop(nats.lock().unwrap().take());
        std::thread::sleep(Duration::from_millis(500));
        phase.store(2, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(2000));
        phase.store(3, Ordering::SeqCst);
        *nats.lock().unwrap() = Some(NatsServer::start(port, &store));
        std::thread::sleep(Duration::from_millis(3000));
        stop.store(true, Ordering::SeqCst);
    });
    let results = results.into_inner().unwrap();
    let acked: BTreeSet<usize> = results.iter().filter(|r| r.3 == 200).map(|r| r.0).collect();
    let down: Vec<_> = results.iter().filter(|r| r.1 == 2 && r.2 == 2).collect();
    let after: Vec<_> = results.iter().filter(|r| r.1 == 3).collect();
    eprintln!(
        "{} requests, {} acknowledged, {} while the broker was down, {} after the restart",
        results.len(),
        acked.len(),
        down.len(),
        after.len()
    );
    assert!(
        results.iter().all(|r| r.3 == 200 || r.3 == 503),
        "only 200 or 503"
    );
    assert!(
        results.iter().any(|r| r.2 == 0 && r.3 == 200),
        "acknowledged before the kill"
    );
    assert!(
        !down.is_empty(),
        "requests were made while the broker was down"
    );
    assert!(
        down.iter().all(|r| r.3 == 503),
        "while the broker was down every webhook got 503: {:?}",
        down.iter()
            .filter(|r| r.3 != 503)
            .take(5)
            .collect::<Vec<_>>()
    );
    assert!(
        after.iter().any(|r| r.3 == 200),
        "acknowledged again once the broker was back"
    );

    // Every acknowledged webhook is in the stream, and is delivered.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let in_stream: BTreeSet<usize> = stream_messages(&rt, &nats_url, STREAM)
        .iter()
        .filter_map(|(_, _, p)| payment_of(&p.to_string()))
        .collect();
    let missing: Vec<_> = acked.difference(&in_stream).take(10).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not in the stream: {missing:?}"
    );
    let delivered = || {
        bodies
            .lock()
            .unwrap()
            .iter()
            .filter_map(|b| payment_of(b))
            .collect::<BTreeSet<_>>()
    };
    assert!(
        wait_until(120, || acked.is_subset(&delivered())),
        "acknowledged but not delivered: {:?}",
        acked.difference(&delivered()).take(10).collect::<Vec<_>>()
    );
    drop(server);
    if let Some(n) = nats.into_inner().unwrap() {
        n.stop();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// An HTTP receiver, a thread per connection, that holds each request `delay` before answering
/// 200; keeps every body and the bodies being held.
type Bodies = Arc<Mutex<Vec<String>>>;

fn slow_receiver(delay: Duration) -> (String, Bodies, Bodies) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let holding = Arc::new(Mutex::new(Vec::new()));
    let (b, h) = (Arc::clone(&bodies), Arc::clone(&holding));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (b, h) = (Arc::clone(&b), Arc::clone(&h));
            std::thread::spawn(move || {
                let Some(body) = read_request_body(&stream) else {
                    return;
                };
                let body = String::from_utf8_lossy(&body).into_owned();
                b.lock().unwrap().push(body.clone());
                h.lock().unwrap().push(body.clone());
                std::thread::sleep(delay);
                h.lock().unwrap().retain(|x| *x != body);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            });
        }
    });
    (format!("http://{addr}/events"), bodies, holding)
}

#[test]
fn an_instance_killed_mid_delivery_has_its_unacked_messages_redelivered_by_the_others() {
    const N: usize = 300;
    let dir = temp_dir("broker-instance-kill");
    let (nats, _, _, nats_url) = start_nats(&dir);
    // Instance A delivers to a receiver that holds each request 10 s (longer than A lives),
    // B and C to a fast one: what B and C deliver of A's messages shows the redelivery.
    let (slow, slow_bodies, holding) = slow_receiver(Duration::from_secs(10));
    let (fast, fast_bodies) = receiver(Vec::new());
    let extra = ", ack_wait_ms: 2000, batch: 8";
    let config_a = broker_config(&dir.join("a"), &nats_url, &slow, extra);
    let config_bc = broker_config(&dir.join("bc"), &nats_url, &fast, extra);
    let mut a = Server::start(&["--config", config_a.to_str().unwrap()], &[]);
    let results = post_all(&[&a], &(0..N).map(|i| (i, 0)).collect::<Vec<_>>(), 4);
    assert!(results.iter().all(|r| r.2 == 200));
    // A alone consumes: once the receiver holds A's first delivery (A waits for the answer, up
    // to its sink timeout of 2 s), A is killed; B and C start after.
    assert!(
        wait_until(30, || !holding.lock().unwrap().is_empty()),
        "A is delivering"
    );
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    // Still held after A's death: A never got an answer, so never acked it.
    let in_flight = holding.lock().unwrap().clone();
    assert_eq!(in_flight.len(), 1, "A delivers one message at a time");
    let b = Server::start(&["--config", config_bc.to_str().unwrap()], &[]);
    let c = Server::start(&["--config", config_bc.to_str().unwrap()], &[]);
    let delivered_by_a: BTreeSet<usize> = slow_bodies
        .lock()
        .unwrap()
        .iter()
        .filter_map(|x| payment_of(x))
        .collect();
    assert!(delivered_by_a.len() < N, "A was killed before the end");

    let all = || {
        slow_bodies
            .lock()
            .unwrap()
            .iter()
            .chain(fast_bodies.lock().unwrap().iter())
            .filter_map(|x| payment_of(x))
            .collect::<BTreeSet<_>>()
    };
    assert!(
        wait_until(120, || all().len() == N),
        "{} of {N} delivered",
        all().len()
    );
    // The message A was delivering when it died was never acknowledged: another instance
    // delivers it again once its ack_wait is over (A's own copy already counts in `all`, so
    // wait for the redelivery itself).
    let fast_keys = || -> BTreeSet<String> {
        fast_bodies
            .lock()
            .unwrap()
            .iter()
            .map(|x| key_of(x))
            .collect()
    };
    assert!(
        wait_until(60, || in_flight
            .iter()
            .all(|held| fast_keys().contains(&key_of(held)))),
        "the message A held at its death was redelivered by B or C"
    );
    eprintln!(
        "A delivered {} before its death and held {}; B and C delivered {}",
        delivered_by_a.len(),
        in_flight.len(),
        fast_bodies.lock().unwrap().len()
    );
    drop((b, c));
    nats.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broker_down_at_start_means_503_until_it_is_up_then_delivery() {
    let dir = temp_dir("broker-late");
    let port = free_port();
    let store = dir.join("jetstream");
    std::fs::create_dir_all(&store).unwrap();
    let nats_url = format!("nats://127.0.0.1:{port}");
    let (sink, bodies) = receiver(Vec::new());
    let config = broker_config(&dir, &nats_url, &sink, ", timeout_ms: 500");
    // No nats-server yet: the service starts anyway.
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let url = server.url("/webhooks/razorpay");
    let agent = agent();
    let (headers, body) = razorpay_webhook(7);
    assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 503);
    let ready = |s: &Server| send(&agent, "GET", &s.url("/readyz"), &BTreeMap::new(), b"").0;
    assert_eq!(ready(&server), 503);
    let nats = NatsServer::start(port, &store);
    assert!(
        wait_until(30, || send(&agent, "POST", &url, &headers, &body).0 == 200),
        "acknowledged once the broker is up"
    );
    assert_eq!(ready(&server), 200);
    // The same webhook again is a duplicate: one message, one delivery.
    assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 200);
    assert!(wait_until(30, || !bodies.lock().unwrap().is_empty()));
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(bodies.lock().unwrap().len(), 1);
    assert_eq!(payment_of(&bodies.lock().unwrap()[0]), Some(7));
    let rt = tokio::runtime::Runtime::new().unwrap();
    assert_eq!(stream_messages(&rt, &nats_url, STREAM).len(), 1);
    drop(server);
    nats.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dead_letters_go_to_the_dead_stream_and_replay_dead_delivers_them() {
    const N: usize = 10;
    const REJECTED: usize = 4;
    let dir = temp_dir("broker-dead");
    let (nats, _, _, nats_url) = start_nats(&dir);
    // The sink rejects the first 4 POSTs with 400 (not retried: dead letters), then takes all.
    let (sink, bodies) = receiver(vec![400; REJECTED]);
    let config = razorpay_config(
        &dir,
        &format!(
            "admin_token: t0k3n\nsink:\n  http: {{url: {sink:?}}}\nintake:\n  nats: {{url: {nats_url:?}}}\n"
        ),
    );
    let cfg = config.to_str().unwrap();
    let server = Server::start(&["--config", cfg], &[]);
    let url = server.url("/webhooks/razorpay");
    let agent = agent();
    for i in 0..N {
        let (headers, body) = razorpay_webhook(100 + i);
        assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 200);
    }
    assert!(wait_until(30, || bodies.lock().unwrap().len() == N));
    let rejected: BTreeSet<usize> = bodies.lock().unwrap()[..REJECTED]
        .iter()
        .filter_map(|b| payment_of(b))
        .collect();
    assert_eq!(rejected.len(), REJECTED);
    assert!(wait_until(10, || broker_stats(&config)["dead"] == REJECTED as u64));
    let stats = broker_stats(&config);
    assert_eq!(stats["pending"], 0, "{stats}");
    assert_eq!(stats["delivered"], (N - REJECTED) as u64, "{stats}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dead: BTreeSet<usize> = stream_messages(&rt, &nats_url, "HOOKNORM_INTAKE_DEAD")
        .iter()
        .filter_map(|(subject, _, p)| {
            assert_eq!(subject, "hooknorm_intake_dead.razorpay.default");
            payment_of(&p.to_string())
        })
        .collect();
    assert_eq!(dead, rejected);
    let (status, v) = admin(&server, "GET", "/v1/queue/stats", Some("t0k3n"), "");
    assert_eq!((status, &v["dead"]), (200, &Value::from(REJECTED)), "{v}");
    assert!(metrics(&server).contains(&format!("hooknorm_queue_dead {REJECTED}\n")));

    // Replay by id needs the embedded store; replay --dead republishes the dead letters.
    let dummy = temp_dir("unused-data");
    let (ok, _, err) = queue_cli(&dummy, &["replay", "1", "--config", cfg]);
    assert!(!ok && err.contains("not available in broker mode"), "{err}");
    let (ok, replayed, err) = queue_cli(&dummy, &["replay", "--dead", "--config", cfg]);
    assert!(ok, "{err}");
    assert_eq!(replayed["replayed"].as_array().unwrap().len(), REJECTED);
    assert!(wait_until(30, || bodies.lock().unwrap().len() == N + REJECTED));
    let again: BTreeSet<usize> = bodies.lock().unwrap()[N..]
        .iter()
        .filter_map(|b| payment_of(b))
        .collect();
    assert_eq!(
        again, rejected,
        "the dead letters, delivered after the replay"
    );
    assert!(wait_until(10, || {
        let s = broker_stats(&config);
        s["dead"] == 0 && s["pending"] == 0
    }));
    // A second replay finds nothing.
    let (ok, replayed, _) = queue_cli(&dummy, &["replay", "--dead", "--config", cfg]);
    assert!(ok);
    assert_eq!(replayed["replayed"], serde_json::json!([]));
    drop(server);
    nats.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failed_attempts_are_retried_by_nak_and_counted_toward_max_attempts() {
    let dir = temp_dir("broker-retry");
    let (nats, _, _, nats_url) = start_nats(&dir);
    // 503 twice, then 200: three attempts, delivered, nothing dead.
    let (sink, bodies) = receiver(vec![503, 503]);
    let config = broker_config(&dir.join("a"), &nats_url, &sink, "");
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let agent = agent();
    let (headers, body) = razorpay_webhook(1);
    let url = server.url("/webhooks/razorpay");
    assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 200);
    assert!(wait_until(30, || bodies.lock().unwrap().len() == 3));
    assert!(wait_until(10, || {
        let s = broker_stats(&config);
        s["pending"] == 0 && s["delivered"] == 1
    }));
    std::thread::sleep(Duration::from_millis(700));
    let got = bodies.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "no attempt after the 200");
    assert!(got.iter().all(|b| payment_of(b) == Some(1)));
    assert_eq!(broker_stats(&config)["dead"], 0);
    assert!(
        metrics(&server).contains("hooknorm_deliveries_total{sink=\"http\",outcome=\"retry\"} 2\n")
    );
    drop(server);

    // With max_attempts 2 and a sink that keeps answering 503: two attempts, then a dead letter.
    let (sink, bodies) = receiver(vec![503; 10]);
    let config = razorpay_config(
        &dir.join("b"),
        &format!(
            "sink:\n  http: {{url: {sink:?}, backoff_ms: 50, max_attempts: 2}}\n\
             intake:\n  nats: {{url: {nats_url:?}}}\n"
        ),
    );
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    let (headers, body) = razorpay_webhook(2);
    let url = server.url("/webhooks/razorpay");
    assert_eq!(send(&agent, "POST", &url, &headers, &body).0, 200);
    assert!(wait_until(30, || broker_stats(&config)["dead"] == 1));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(bodies.lock().unwrap().len(), 2);
    assert_eq!(broker_stats(&config)["pending"], 0);
    drop(server);
    nats.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
