//! The Redis Streams sink, against a real `redis-server`
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
    std::thread::sleep(Duration::from_millis(1500));
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
