//! The Redis Streams sink and the Redis intake (broker mode), against a real `redis-server`
//! started on a free loopback port with a temporary directory.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use support::*;

/// Every entry of a stream: (id, field → value).
fn xrange(url: &str, stream: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let Ok(client) = redis::Client::open(url) else {
        return Vec::new();
    };
    let Ok(mut con) = client.get_connection_with_timeout(Duration::from_secs(2)) else {
        return Vec::new();
    };
    let reply: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg(stream)
        .arg("-")
        .arg("+")
        .query(&mut con)
        .unwrap();
    reply
        .ids
        .into_iter()
        .map(|e| {
            let fields = e
                .map
                .iter()
                .map(|(k, v)| (k.clone(), redis::from_redis_value_ref::<String>(v).unwrap()))
                .collect();
            (e.id, fields)
        })
        .collect()
}

fn xlen(url: &str, stream: &str) -> usize {
    redis::Client::open(url)
        .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(2)))
        .and_then(|mut con| redis::cmd("XLEN").arg(stream).query::<usize>(&mut con))
        .unwrap_or(0)
}

fn pttl(url: &str, key: &str) -> i64 {
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    redis::cmd("PTTL").arg(key).query(&mut con).unwrap()
}

/// The idempotency keys of a stream's entries.
fn keys_of(entries: &[(String, BTreeMap<String, String>)]) -> Vec<String> {
    entries
        .iter()
        .map(|(_, f)| f["idempotency_key"].clone())
        .collect()
}

fn post(server: &Server, i: usize) -> u16 {
    let (h, b) = razorpay_webhook(i);
    send(&agent(), "POST", &server.url("/webhooks/razorpay"), &h, &b).0
}

fn sink_config(dir: &Path, url: &str, extra: &str) -> std::path::PathBuf {
    razorpay_config(
        dir,
        &format!("sink:\n  redis:\n    url: {url}\n    backoff_ms: 50\n    max_backoff_ms: 300\n    timeout_ms: 1000\n{extra}"),
    )
}

#[test]
fn the_redis_sink_adds_each_event_once_with_its_fields_and_a_dedup_key() {
    let dir = temp_dir("redis-sink");
    let redis = RedisServer::start(free_port(), &dir.join("redis"));
    let config = sink_config(&dir, &redis.url(), "    dedup_window_secs: 600\n");
    let server = Server::with_config(&config, &dir.join("data"), &[]);
    for i in 0..20 {
        assert_eq!(post(&server, i), 200);
    }
    // Duplicates of the first five.
    for i in 0..5 {
        assert_eq!(post(&server, i), 200);
    }
    assert!(
        wait_until(20, || xlen(&redis.url(), "hooknorm:events") >= 20),
        "{} entries",
        xlen(&redis.url(), "hooknorm:events")
    );
    std::thread::sleep(Duration::from_millis(300));
    let entries = xrange(&redis.url(), "hooknorm:events");
    assert_eq!(entries.len(), 20);
    let keys: BTreeSet<String> = keys_of(&entries).into_iter().collect();
    assert_eq!(keys.len(), 20);
    for (_, f) in &entries {
        assert_eq!(f["connector"], "razorpay");
        assert_eq!(f["account"], "default");
        let line: Value = serde_json::from_str(&f["event"]).unwrap();
        assert_eq!(
            line["event"]["idempotency_key"],
            f["idempotency_key"].as_str()
        );
        assert_eq!(line["event"]["event_type"], f["event_type"].as_str());
        assert!(!f["event_type"].is_empty());
        let ttl = pttl(
            &redis.url(),
            &format!(
                "hooknorm:sink:seen:razorpay:default:{}",
                f["idempotency_key"].replace('%', "%25").replace(':', "%3A")
            ),
        );
        assert!(ttl > 500_000 && ttl <= 600_000, "{ttl}");
    }
}

#[test]
fn duplicates_posted_to_two_instances_sharing_a_redis_make_one_entry_each() {
    let dir = temp_dir("redis-sink-two");
    let redis = RedisServer::start(free_port(), &dir.join("redis"));
    let config = sink_config(&dir, &redis.url(), "    stream: \"events:{connector}\"\n");
    let a = Server::with_config(&config, &dir.join("a"), &[]);
    let b = Server::with_config(&config, &dir.join("b"), &[]);
    let n = 60;
    std::thread::scope(|s| {
        for server in [&a, &b] {
            s.spawn(move || {
                for i in 0..n {
                    assert_eq!(post(server, i), 200);
                }
            });
        }
    });
    let stream = "events:razorpay";
    assert!(wait_until(30, || xlen(&redis.url(), stream) >= n));
    // Both instances have delivered all they took (the second of each pair is a duplicate).
    for server in [&a, &b] {
        assert!(wait_until(30, || metrics(server).lines().any(|l| l
            .starts_with("hooknorm_queue_pending ")
            && l.ends_with(" 0"))));
    }
    let entries = xrange(&redis.url(), stream);
    let keys = keys_of(&entries);
    let distinct: BTreeSet<&String> = keys.iter().collect();
    assert_eq!(keys.len(), n, "one entry per key");
    assert_eq!(distinct.len(), n);
}

#[test]
fn redis_killed_and_restarted_the_sink_retries_and_loses_nothing() {
    let dir = temp_dir("redis-sink-kill");
    let port = free_port();
    let redis_dir = dir.join("redis");
    let mut redis = RedisServer::start(port, &redis_dir);
    let url = redis.url();
    let config = sink_config(&dir, &url, "");
    let server = Server::with_config(&config, &dir.join("data"), &[]);
    for i in 0..20 {
        assert_eq!(post(&server, i), 200);
    }
    assert!(wait_until(20, || xlen(&url, "hooknorm:events") == 20));
    redis.child.kill().unwrap();
    redis.child.wait().unwrap();
    // Acknowledged by the local store while Redis is down; delivery fails and retries.
    for i in 20..50 {
        assert_eq!(post(&server, i), 200);
    }
    std::thread::sleep(Duration::from_secs(4));
    assert!(metrics(&server)
        .lines()
        .any(|l| l.starts_with("hooknorm_queue_pending ") && !l.ends_with(" 0")));
    drop(redis);
    let redis = RedisServer::start(port, &redis_dir);
    assert!(
        wait_until(30, || xlen(&url, "hooknorm:events") >= 50),
        "{}",
        xlen(&url, "hooknorm:events")
    );
    std::thread::sleep(Duration::from_millis(500));
    let entries = xrange(&redis.url(), "hooknorm:events");
    let keys: BTreeSet<String> = keys_of(&entries).into_iter().collect();
    assert_eq!(entries.len(), 50, "no duplicate entries");
    assert_eq!(keys.len(), 50, "every event once");
}

// ---- Redis as the intake store (broker mode). ----

/// A config with Redis as the intake and an HTTP sink at `sink_url`.
fn broker_config(dir: &Path, url: &str, sink_url: &str, extra: &str) -> std::path::PathBuf {
    razorpay_config(
        dir,
        &format!(
            "intake:\n  redis:\n    url: {url}\n{extra}sink:\n  http:\n    url: {sink_url}\n    backoff_ms: 100\n    max_backoff_ms: 400\n    timeout_ms: 30000\n"
        ),
    )
}

/// The idempotency keys of delivered bodies.
fn delivered_keys(bodies: &[String]) -> Vec<String> {
    bodies
        .iter()
        .map(|b| {
            let v: Value = serde_json::from_str(b).unwrap();
            v["event"]["idempotency_key"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn three_instances_on_one_redis_deliver_5000_webhooks_with_duplicates_exactly_once() {
    let dir = temp_dir("redis-broker-three");
    let redis = RedisServer::start(free_port(), &dir.join("redis"));
    let (sink, bodies) = receiver(vec![]);
    // A slow delivery under load is never claimed by another instance (a second delivery).
    let config = broker_config(&dir, &redis.url(), &sink, "    claim_idle_ms: 60000\n");
    let servers: Vec<Server> = (0..3)
        .map(|i| Server::with_config(&config, &dir.join(format!("data{i}")), &[]))
        .collect();
    let n = 5000;
    // Every webhook once, and every fifth again, each copy to another instance.
    let mut posts: Vec<(usize, usize)> = (0..n).map(|i| (i, i % 3)).collect();
    posts.extend((0..n).step_by(5).map(|i| (i, (i + 1) % 3)));
    let threads = 8;
    std::thread::scope(|s| {
        for t in 0..threads {
            let (posts, servers) = (&posts, &servers);
            s.spawn(move || {
                let agent = agent();
                for &(i, to) in posts.iter().skip(t).step_by(threads) {
                    let (h, b) = razorpay_webhook(i);
                    let url = servers[to].url("/webhooks/razorpay");
                    assert_eq!(send(&agent, "POST", &url, &h, &b).0, 200, "webhook {i}");
                }
            });
        }
    });
    assert_eq!(
        xlen(&redis.url(), "hooknorm:intake"),
        n,
        "one entry per key"
    );
    assert!(
        wait_until(120, || bodies.lock().unwrap().len() >= n),
        "{} delivered",
        bodies.lock().unwrap().len()
    );
    std::thread::sleep(Duration::from_secs(1));
    let keys = delivered_keys(&bodies.lock().unwrap());
    let distinct: BTreeSet<&String> = keys.iter().collect();
    assert_eq!(distinct.len(), n, "exactly {n} distinct deliveries");
    assert_eq!(keys.len(), n, "nothing delivered twice");
    // The deliveries were shared by the instances.
    for s in &servers {
        let m = metrics(s);
        let delivered: u64 = m
            .lines()
            .filter(|l| l.starts_with("hooknorm_deliveries_total") && l.contains("delivered"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum();
        assert!(delivered > 0, "{m}");
    }
    let (ok, stats, err) = queue_cli(&dir, &["stats", "--config", config.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(stats["pending"], 0, "{stats}");
    assert_eq!(stats["delivered"], n as u64, "{stats}");
    assert_eq!(stats["dead"], 0, "{stats}");
    assert_eq!(stats["intake"]["broker"], "redis");
}

#[test]
fn redis_killed_and_restarted_under_load_loses_no_acknowledged_webhook() {
    let dir = temp_dir("redis-broker-kill");
    let port = free_port();
    let redis_dir = dir.join("redis");
    let mut redis = Some(RedisServer::start(port, &redis_dir));
    let url = format!("redis://127.0.0.1:{port}");
    let (sink, bodies) = receiver(vec![]);
    let config = broker_config(&dir, &url, &sink, "");
    let a = Server::with_config(&config, &dir.join("a"), &[]);
    let b = Server::with_config(&config, &dir.join("b"), &[]);
    let n = 3000;
    // (webhook, status, started while down, finished while down)
    let results = std::sync::Mutex::new(Vec::new());
    let down = std::sync::atomic::AtomicBool::new(false);
    let sent = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..6 {
            let (servers, results, down, sent) = ([&a, &b], &results, &down, &sent);
            s.spawn(move || {
                let agent = agent();
                for i in (t..n).step_by(6) {
                    let (h, body) = razorpay_webhook(i);
                    let was_down = down.load(std::sync::atomic::Ordering::SeqCst);
                    let url = servers[i % 2].url("/webhooks/razorpay");
                    let status = send(&agent, "POST", &url, &h, &body).0;
                    let still_down = down.load(std::sync::atomic::Ordering::SeqCst);
                    results
                        .lock()
                        .unwrap()
                        .push((i, status, was_down && still_down));
                    sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
        s.spawn(|| {
            assert!(wait_until(60, || sent
                .load(std::sync::atomic::Ordering::SeqCst)
                >= 800));
            // kill -9: no clean shutdown.
            let mut r = redis.take().unwrap();
            r.child.kill().unwrap();
            r.child.wait().unwrap();
            down.store(true, std::sync::atomic::Ordering::SeqCst);
            std::thread::sleep(Duration::from_secs(4));
            down.store(false, std::sync::atomic::Ordering::SeqCst);
            redis = Some(RedisServer::start(port, &redis_dir));
        });
    });
    let results = results.into_inner().unwrap();
    assert_eq!(results.len(), n);
    let acked: BTreeSet<usize> = results
        .iter()
        .filter(|r| (200..300).contains(&r.1))
        .map(|r| r.0)
        .collect();
    let while_down: Vec<_> = results.iter().filter(|r| r.2).collect();
    assert!(
        !while_down.is_empty(),
        "some webhooks were posted while redis was down"
    );
    for r in &while_down {
        assert_eq!(r.1, 503, "webhook {} posted while redis was down", r.0);
    }
    for r in &results {
        assert!(r.1 == 200 || r.1 == 503, "webhook {}: status {}", r.0, r.1);
    }
    assert!(acked.len() > 800, "{} acknowledged", acked.len());
    eprintln!(
        "{} acknowledged, {} answered 503, {} posted entirely while redis was down",
        acked.len(),
        results.iter().filter(|r| r.1 == 503).count(),
        while_down.len()
    );
    // Every acknowledged webhook is in the stream and delivered.
    let ack_keys: BTreeSet<String> = acked.iter().map(|i| format!("pay_K{i:012}")).collect();
    let entries = xrange(&url, "hooknorm:intake");
    let stream_payments: BTreeSet<String> = entries
        .iter()
        .map(|(_, f)| payment_of(&f["line"]))
        .collect();
    for p in &ack_keys {
        assert!(
            stream_payments.contains(p),
            "{p} acknowledged but not in the stream"
        );
    }
    assert!(
        wait_until(60, || {
            let got: BTreeSet<String> = bodies
                .lock()
                .unwrap()
                .iter()
                .map(|b| payment_of(b))
                .collect();
            ack_keys.is_subset(&got)
        }),
        "every acknowledged webhook is delivered"
    );
}

/// The razorpay payment id inside a delivered line.
fn payment_of(line: &str) -> String {
    let v: Value = serde_json::from_str(line).unwrap();
    let text = v["event"].to_string();
    let at = text.find("pay_K").expect("a payment id");
    text[at..at + 17].to_string()
}

#[test]
fn broker_mode_retries_from_the_pending_list_dead_letters_and_replays_them() {
    let dir = temp_dir("redis-broker-retry");
    let redis = RedisServer::start(free_port(), &dir.join("redis"));
    // Two events: the first gets 503 twice, then 200; then four 500s dead-letter two more.
    let (sink, bodies) = receiver(vec![503, 503]);
    let config = broker_config(&dir, &redis.url(), &sink, "");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("admin_token: t0k3n\n");
    std::fs::write(&config, text).unwrap();
    let server = Server::with_config(&config, &dir.join("data"), &[]);
    assert_eq!(post(&server, 1), 200);
    assert!(wait_until(20, || bodies.lock().unwrap().len() >= 3));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        bodies.lock().unwrap().len(),
        3,
        "delivered on the third attempt, once"
    );
    let (ok, stats, err) = queue_cli(&dir, &["stats", "--config", config.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(
        (stats["pending"].as_u64(), stats["delivered"].as_u64()),
        (Some(0), Some(1)),
        "{stats}"
    );
    // The same over HTTP; what broker mode cannot show is said, not faked.
    let (status, stats) = admin(&server, "GET", "/v1/queue/stats", Some("t0k3n"), "");
    assert_eq!(status, 200);
    assert_eq!(
        (stats["pending"].as_u64(), stats["delivered"].as_u64()),
        (Some(0), Some(1)),
        "{stats}"
    );
    let (status, body) = admin(&server, "GET", "/v1/queue/events", Some("t0k3n"), "");
    assert_eq!(status, 503, "{body}");
    assert!(
        body.to_string().contains("not available in broker mode"),
        "{body}"
    );
    assert!(metrics(&server).contains("hooknorm_queue_pending 0"));
    drop(server);

    let (sink, bodies) = receiver(vec![500, 500, 500, 500]);
    let config = broker_config(
        &dir,
        &redis.url(),
        &format!("{sink}\n    max_attempts: 2"),
        "",
    );
    let server = Server::with_config(&config, &dir.join("data2"), &[]);
    assert_eq!(post(&server, 2), 200);
    assert_eq!(post(&server, 3), 200);
    assert!(wait_until(20, || xlen(
        &redis.url(),
        "hooknorm:intake:dead"
    ) == 2));
    assert_eq!(bodies.lock().unwrap().len(), 4);
    let dead = xrange(&redis.url(), "hooknorm:intake:dead");
    for (_, f) in &dead {
        assert_eq!(f["attempts"], "2");
        assert!(f["error"].contains("500"), "{}", f["error"]);
    }
    let (ok, stats, err) = queue_cli(&dir, &["stats", "--config", config.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(
        (stats["pending"].as_u64(), stats["dead"].as_u64()),
        (Some(0), Some(2)),
        "{stats}"
    );
    let (ok, replayed, err) = queue_cli(
        &dir,
        &["replay", "--dead", "--config", config.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert_eq!(replayed["replayed"].as_array().unwrap().len(), 2);
    assert!(wait_until(20, || bodies.lock().unwrap().len() >= 6));
    assert_eq!(xlen(&redis.url(), "hooknorm:intake:dead"), 0);
    let keys = delivered_keys(&bodies.lock().unwrap()[4..]);
    let want = delivered_keys(&bodies.lock().unwrap()[..4]);
    assert_eq!(
        keys.iter().collect::<BTreeSet<_>>(),
        want.iter().collect::<BTreeSet<_>>()
    );
    // What broker mode does not do is said, not faked.
    let (ok, _, err) = queue_cli(&dir, &["list", "--config", config.to_str().unwrap()]);
    assert!(!ok && err.contains("not available in broker mode"), "{err}");
}

#[test]
fn entries_of_an_instance_killed_mid_delivery_are_claimed_by_another() {
    let dir = temp_dir("redis-broker-claim");
    let redis = RedisServer::start(free_port(), &dir.join("redis"));
    // A sink that takes connections and never answers: the first instance hangs delivering.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hole_url = format!("http://{}/events", hole.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        hole.incoming()
            .take(64)
            .filter_map(Result::ok)
            .collect::<Vec<_>>()
    });
    let claim = "    claim_idle_ms: 1500\n";
    let config_a = broker_config(&dir.join("a"), &redis.url(), &hole_url, claim);
    let a = Server::with_config(&config_a, &dir.join("data-a"), &[]);
    for i in 0..10 {
        assert_eq!(post(&a, i), 200);
    }
    // All ten read by the first instance's consumer and pending.
    assert!(wait_until(10, || pending_count(&redis.url()) == 10));
    drop(a); // kill -9
    let (sink, bodies) = receiver(vec![]);
    let config_b = broker_config(&dir.join("b"), &redis.url(), &sink, claim);
    let _b = Server::with_config(&config_b, &dir.join("data-b"), &[]);
    assert!(wait_until(30, || bodies.lock().unwrap().len() >= 10));
    std::thread::sleep(Duration::from_millis(500));
    let keys = delivered_keys(&bodies.lock().unwrap());
    assert_eq!(keys.iter().collect::<BTreeSet<_>>().len(), 10);
    assert_eq!(keys.len(), 10);
    assert!(wait_until(10, || pending_count(&redis.url()) == 0));
    drop(held);
}

/// Entries read by some consumer and not acknowledged.
fn pending_count(url: &str) -> i64 {
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let v: redis::Value = redis::cmd("XPENDING")
        .arg("hooknorm:intake")
        .arg("hooknorm")
        .query(&mut con)
        .unwrap_or(redis::Value::Nil);
    match v {
        redis::Value::Array(a) => redis::from_redis_value_ref(&a[0]).unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn with_wait_replicas_a_webhook_is_acknowledged_only_once_a_replica_has_it() {
    let dir = temp_dir("redis-broker-wait");
    let primary = RedisServer::start(free_port(), &dir.join("primary"));
    let replica_port = free_port();
    let mut replica = RedisServer::start_with(
        replica_port,
        &dir.join("replica"),
        &["--replicaof", "127.0.0.1", &primary.port.to_string()],
    );
    let replica_url = format!("redis://127.0.0.1:{replica_port}");
    assert!(wait_until(20, || {
        redis::Client::open(replica_url.as_str())
            .and_then(|c| c.get_connection())
            .and_then(|mut c| {
                redis::cmd("INFO")
                    .arg("replication")
                    .query::<String>(&mut c)
            })
            .is_ok_and(|info| info.contains("master_link_status:up"))
    }));
    let (sink, bodies) = receiver(vec![]);
    let config = broker_config(
        &dir,
        &primary.url(),
        &sink,
        "    wait_replicas: 1\n    timeout_ms: 1000\n",
    );
    let server = Server::with_config(&config, &dir.join("data"), &[]);
    assert_eq!(post(&server, 1), 200);
    // The replica has the entry.
    assert_eq!(xlen(&replica_url, "hooknorm:intake"), 1);
    assert!(wait_until(20, || bodies.lock().unwrap().len() == 1));
    replica.child.kill().unwrap();
    replica.child.wait().unwrap();
    // No replica confirms: 503, though the primary stored it ...
    assert_eq!(post(&server, 2), 503);
    assert_eq!(xlen(&primary.url(), "hooknorm:intake"), 2);
    // ... so the processor's retry is a duplicate, acknowledged (as the README says).
    assert_eq!(post(&server, 2), 200);
    assert!(wait_until(20, || bodies.lock().unwrap().len() == 2));
    assert_eq!(
        delivered_keys(&bodies.lock().unwrap())
            .iter()
            .collect::<BTreeSet<_>>()
            .len(),
        2
    );
}
