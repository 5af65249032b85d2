//! Reliable intake under faults, at full scale: `kill -9` under load, a sink down for a minute
//! and past its retry budget, a disk that fills up mid-run, a data directory that cannot be
//! opened at the start. The `hooknorm serve` binary on loopback, real HTTP clients and
//! receivers, a real tmpfs (mounting needs root).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;
use serde_json::Value;
use support::*;

/// What the clients of a run got back.
#[derive(Debug, Default)]
struct Answers {
    /// Webhook indices answered 2xx (once per answer).
    ok: Vec<usize>,
    /// Webhook indices answered 503.
    unavailable: Vec<usize>,
    /// Any other status, with the index.
    other: Vec<(usize, u16)>,
    /// No answer: the connection failed or was cut.
    no_answer: Vec<usize>,
}

impl Answers {
    fn add(&mut self, o: Answers) {
        self.ok.extend(o.ok);
        self.unavailable.extend(o.unavailable);
        self.other.extend(o.other);
        self.no_answer.extend(o.no_answer);
    }

    fn total(&self) -> usize {
        self.ok.len() + self.unavailable.len() + self.other.len() + self.no_answer.len()
    }
}

/// Posts razorpay webhook `i` once; files the answer.
fn post(agent: &ureq::Agent, url: &str, i: usize, into: &mut Answers) {
    let (headers, body) = razorpay_webhook(i);
    let mut b = ureq::http::Request::builder().method("POST").uri(url);
    for (k, v) in &headers {
        b = b.header(k, v);
    }
    match agent.run(b.body(body).unwrap()) {
        Ok(mut r) => {
            let _ = r.body_mut().read_to_vec();
            match r.status().as_u16() {
                200..=299 => into.ok.push(i),
                503 => into.unavailable.push(i),
                s => into.other.push((i, s)),
            }
        }
        Err(_) => into.no_answer.push(i),
    }
}

fn queue_stats(data: &std::path::Path) -> (u64, u64, u64) {
    let (ok, v, err) = queue_cli(data, &["stats"]);
    assert!(ok, "{err}");
    (
        v["pending"].as_u64().unwrap(),
        v["delivered"].as_u64().unwrap(),
        v["dead"].as_u64().unwrap(),
    )
}

#[test]
fn kill_9_under_load_loses_no_acknowledged_webhook() {
    const N: usize = 10_000;
    const CLIENTS: usize = 16;
    // The delivery worker takes at most this many events of a lane before recording them: the
    // most that can be delivered and not yet recorded when the process dies.
    const PER_LANE: usize = 64;
    // Every tenth webhook is followed by a repeat of one posted a little earlier (another
    // client's, often): 10,000 distinct webhooks, 11,000 posts.
    let plan: Vec<usize> = (0..N)
        .flat_map(|i| if i % 10 == 9 { vec![i, i - 5] } else { vec![i] })
        .collect();
    let (url, bodies) = receiver(vec![]);
    let dir = temp_dir("kill9");
    let data = dir.join("data");
    let config = razorpay_config(
        &dir,
        &format!("sink:\n  http: {{url: {url:?}, backoff_ms: 20}}\n"),
    );
    let mut server = Server::with_config(&config, &data, &[]);
    let webhook_url = server.url("/webhooks/razorpay");
    let answered = AtomicUsize::new(0);
    let load = Instant::now();
    let answers = std::thread::scope(|s| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (plan, answered, url) = (&plan, &answered, &webhook_url);
                s.spawn(move || {
                    let agent = agent();
                    let mut mine = Answers::default();
                    for j in (c..plan.len()).step_by(CLIENTS) {
                        post(&agent, url, plan[j], &mut mine);
                        answered.fetch_add(1, Ordering::SeqCst);
                    }
                    mine
                })
            })
            .collect();
        // kill -9 in the middle of the load.
        assert!(wait_until(60, || answered.load(Ordering::SeqCst) >= plan.len() / 2));
        eprintln!("kill -9 after {} ms of load", load.elapsed().as_millis());
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        let mut all = Answers::default();
        for c in clients {
            all.add(c.join().unwrap());
        }
        all
    });
    let acked: BTreeSet<usize> = answers.ok.iter().copied().collect();
    let before_restart = bodies.lock().unwrap().len();
    // Restart on the same data dir: what was pending is delivered.
    let server = Server::with_config(&config, &data, &[]);
    let delivered = || -> Vec<usize> {
        bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| razorpay_index(b))
            .collect()
    };
    let restarted = Instant::now();
    // Cheap checks while waiting (nothing pending, enough deliveries); the sets below.
    let all_in = wait_until(120, || {
        bodies.lock().unwrap().len() >= acked.len()
            && metrics(&server).contains("hooknorm_queue_pending 0")
    });
    let drained = restarted.elapsed();
    // Give a late repeat every chance to show up.
    std::thread::sleep(Duration::from_millis(700));
    let lines = bodies.lock().unwrap().clone();
    let d = delivered();
    let distinct: BTreeSet<usize> = d.iter().copied().collect();
    let missing: Vec<_> = acked.difference(&distinct).collect();
    let unacked_delivered = distinct.difference(&acked).count();
    let extras = d.len() - distinct.len();
    eprintln!(
        "kill -9 at {} of {} posts ({N} distinct webhooks, {CLIENTS} clients): {} answered 2xx ({} distinct), {} answered 503, {} other, {} without an answer; {before_restart} deliveries before the kill, {} in all, {} distinct, {extras} repeats of a key already delivered, {unacked_delivered} delivered whose answer the kill cut off, {} acknowledged missing; queue drained {} ms after the restart",
        plan.len() / 2,
        plan.len(),
        answers.ok.len(),
        acked.len(),
        answers.unavailable.len(),
        answers.other.len(),
        answers.no_answer.len(),
        d.len(),
        distinct.len(),
        missing.len(),
        drained.as_millis()
    );
    assert!(all_in, "missing after restart: {missing:?}");
    assert!(missing.is_empty());
    // Every post is accounted for: a 2xx, or no answer once the process was gone; never a 503
    // or anything else (the store never failed).
    assert_eq!(answers.total(), plan.len());
    assert_eq!(answers.unavailable, Vec::<usize>::new());
    assert_eq!(answers.other, Vec::<(usize, u16)>::new());
    assert!(
        acked.len() >= N / 3 && acked.len() < N,
        "the kill came mid-run: {} acknowledged",
        acked.len()
    );
    assert!(!answers.no_answer.is_empty());
    // Only posted webhooks are delivered; a webhook delivered without a 2xx is one whose answer
    // the kill cut off (one in flight per client at most).
    assert!(distinct.iter().all(|i| *i < N));
    assert!(unacked_delivered <= CLIENTS, "{unacked_delivered}");
    // Repeats: each carries the idempotency key of a delivery already made (one key per
    // webhook), and only what was delivered but not yet recorded at the kill is repeated.
    let keys: BTreeMap<usize, BTreeSet<String>> =
        lines.iter().fold(BTreeMap::new(), |mut m, line| {
            let v: Value = serde_json::from_str(line).unwrap();
            let key = v["event"]["idempotency_key"].as_str().unwrap().to_string();
            m.entry(razorpay_index(line)).or_default().insert(key);
            m
        });
    assert!(keys.values().all(|k| k.len() == 1));
    let distinct_keys: BTreeSet<&String> = keys.values().flatten().collect();
    assert_eq!(distinct_keys.len(), distinct.len());
    assert!(extras <= PER_LANE, "{extras} repeats");
    // The store agrees: every distinct delivery is one delivered row, nothing pending or dead.
    drop(server);
    assert_eq!(queue_stats(&data), (0, distinct.len() as u64, 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_http_sink_answering_503_for_60_seconds_gets_every_event_once_it_answers_200() {
    const N: usize = 50;
    const OUTAGE: Duration = Duration::from_secs(60);
    let (url, status, answered) = switchable_receiver(503);
    let dir = temp_dir("outage");
    let data = dir.join("data");
    // A budget far beyond the outage: 1,000 attempts at most 2 s apart, 1 hour.
    let config = razorpay_config(
        &dir,
        &format!(
            "sink:\n  http: {{url: {url:?}, max_attempts: 1000, backoff_ms: 100, max_backoff_ms: 2000, max_age_secs: 3600}}\n"
        ),
    );
    let server = Server::with_config(&config, &data, &[]);
    let down_since = Instant::now();
    let agent = agent();
    let webhook_url = server.url("/webhooks/razorpay");
    let mut answers = Answers::default();
    // N distinct webhooks, then the first 10 again.
    for i in (0..N).chain(0..10) {
        post(&agent, &webhook_url, i, &mut answers);
    }
    assert_eq!(answers.ok.len(), N + 10, "{answers:?}");
    // While the sink is down only the lane's oldest event is tried (nothing overtakes it), and
    // nothing becomes a dead letter.
    while down_since.elapsed() < OUTAGE {
        std::thread::sleep(Duration::from_millis(500));
        let text = metrics(&server);
        assert!(text.contains("hooknorm_queue_dead 0"), "{text}");
        assert!(
            text.contains(&format!("hooknorm_queue_pending {N}")),
            "{text}"
        );
    }
    status.store(200, Ordering::SeqCst);
    let back = Instant::now();
    // Back: within one backoff (2 s at most) everything goes out, once each, in order.
    assert!(wait_until(30, || metrics(&server).contains("hooknorm_queue_pending 0")));
    let drained = back.elapsed();
    std::thread::sleep(Duration::from_millis(700));
    let got = answered.lock().unwrap().clone();
    // The attempts during the outage: all on the oldest event, all answered 503.
    let tries = got.iter().take_while(|(s, _)| *s == 503).count();
    assert!(got[..tries].iter().all(|(_, b)| razorpay_index(b) == 0));
    // 100 ms doubling to at most 2 s: more than 20 tries in a minute (about 40), at most 600.
    assert!(
        (20..=600).contains(&tries),
        "{tries} attempts during the outage"
    );
    let delivered: Vec<usize> = got[tries..]
        .iter()
        .map(|(s, b)| {
            assert_eq!(*s, 200);
            razorpay_index(b)
        })
        .collect();
    assert_eq!(delivered, (0..N).collect::<Vec<_>>());
    let text = metrics(&server);
    assert!(
        text.contains(&format!(
            "hooknorm_deliveries_total{{sink=\"http\",outcome=\"retry\"}} {tries}"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "hooknorm_deliveries_total{{sink=\"http\",outcome=\"delivered\"}} {N}"
        )),
        "{text}"
    );
    assert!(text.contains("hooknorm_queue_dead 0"), "{text}");
    assert!(text.contains("hooknorm_sink_failures_total 0"), "{text}");
    eprintln!(
        "outage: {N} events held for {} s, {tries} attempts answered 503, all {N} delivered in order {} ms after the sink came back",
        OUTAGE.as_secs(),
        drained.as_millis()
    );
    drop(server);
    assert_eq!(queue_stats(&data), (0, N as u64, 0));
    // The first event's history: every 503, then the 200.
    let (ok, list, err) = queue_cli(&data, &["list", "--limit", "1"]);
    assert!(ok, "{err}");
    let (ok, show, err) = queue_cli(&data, &["show", &list[0]["id"].to_string()]);
    assert!(ok, "{err}");
    let mut expected = vec![Value::from(503); tries];
    expected.push(Value::from(200));
    assert_eq!(statuses(&show), expected);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn events_dead_past_the_retry_budget_are_replayed_from_the_cli_once_the_sink_is_back() {
    const N: usize = 20;
    const ATTEMPTS: usize = 3;
    let (url, status, answered) = switchable_receiver(503);
    let dir = temp_dir("dead-replay");
    let data = dir.join("data");
    let config = razorpay_config(
        &dir,
        &format!(
            "sink:\n  http: {{url: {url:?}, max_attempts: {ATTEMPTS}, backoff_ms: 20, max_backoff_ms: 40}}\n"
        ),
    );
    let server = Server::with_config(&config, &data, &[]);
    let agent = agent();
    let webhook_url = server.url("/webhooks/razorpay");
    let mut answers = Answers::default();
    for i in 0..N {
        post(&agent, &webhook_url, i, &mut answers);
    }
    assert_eq!(answers.ok.len(), N, "{answers:?}");
    assert!(wait_until(30, || metrics(&server)
        .contains(&format!("hooknorm_queue_dead {N}"))));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(answered.lock().unwrap().len(), N * ATTEMPTS);

    // The dead letters, from the CLI on the running service's data dir.
    let (ok, list, err) = queue_cli(&data, &["list", "--state", "dead"]);
    assert!(ok, "{err}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), N);
    assert!(list.iter().all(|e| e["attempts"] == ATTEMPTS));
    let ids: Vec<i64> = list.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    let keys: BTreeSet<&str> = list
        .iter()
        .map(|e| e["idempotency_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), N);
    assert_eq!(queue_stats(&data), (0, 0, N as u64));
    let text = metrics(&server);
    assert!(
        text.contains(&format!(
            "hooknorm_deliveries_total{{sink=\"http\",outcome=\"retry\"}} {}",
            N * (ATTEMPTS - 1)
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "hooknorm_deliveries_total{{sink=\"http\",outcome=\"dead\"}} {N}"
        )),
        "{text}"
    );

    // The sink is back; replay every dead letter while the service runs.
    status.store(200, Ordering::SeqCst);
    let (ok, replayed, err) = queue_cli(&data, &["replay", "--dead"]);
    assert!(ok, "{err}");
    assert_eq!(replayed["replayed"], serde_json::json!(ids));
    assert!(wait_until(30, || queue_stats(&data) == (0, N as u64, 0)));
    std::thread::sleep(Duration::from_millis(500));
    let got = answered.lock().unwrap().clone();
    assert_eq!(got.len(), N * ATTEMPTS + N);
    let delivered: Vec<usize> = got
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| razorpay_index(b))
        .collect();
    assert_eq!(delivered, (0..N).collect::<Vec<_>>());
    let mut history = vec![Value::from(503); ATTEMPTS];
    history.push(Value::from(200));
    for id in &ids {
        let (ok, show, err) = queue_cli(&data, &["show", &id.to_string()]);
        assert!(ok, "{err}");
        assert_eq!(show["state"], "delivered");
        assert_eq!(statuses(&show), history, "event {id}");
    }
    let text = metrics(&server);
    assert!(
        text.contains(&format!(
            "hooknorm_deliveries_total{{sink=\"http\",outcome=\"delivered\"}} {N}"
        )),
        "{text}"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Fills the file system of `file` with `file` until a write fails, then gives `leave` bytes
/// back.
fn fill(file: &std::path::Path, leave: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(file).unwrap();
    let chunk = vec![0x5a_u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
    let len = std::fs::metadata(file).unwrap().len();
    f.set_len(len.saturating_sub(leave)).unwrap();
}

#[test]
fn a_disk_that_fills_up_mid_run_never_gets_a_2xx_for_an_unstored_event_and_recovers_without_a_restart(
) {
    const CLIENTS: usize = 4;
    const AFTER: usize = 50;
    let (url, bodies) = receiver(vec![]);
    let dir = temp_dir("disk-full");
    let config = razorpay_config(
        &dir,
        &format!("sink:\n  http: {{url: {url:?}, backoff_ms: 20, max_backoff_ms: 200}}\n"),
    );
    // Declared before the server, so the server is stopped before the unmount.
    let disk = Tmpfs::mount("disk-full", "size=8m");
    let data = disk.path.join("data");
    let mut server = Server::with_config(&config, &data, &[]);
    let pid = server.child.id();
    let webhook_url = server.url("/webhooks/razorpay");
    let mut first = Answers::default();
    post(&agent(), &webhook_url, 0, &mut first);
    assert_eq!(first.ok, [0], "{first:?}");

    // Fill the disk, leaving 1 MiB, then post until the store is full.
    let filler = disk.path.join("filler");
    fill(&filler, 1024 * 1024);
    let next = AtomicUsize::new(1);
    let refused = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut answers = first;
    std::thread::scope(|s| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (next, refused, stop, url) = (&next, &refused, &stop, &webhook_url);
                s.spawn(move || {
                    let agent = agent();
                    let mut mine = Answers::default();
                    while !stop.load(Ordering::SeqCst) {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= 20_000 {
                            break;
                        }
                        let before = mine.unavailable.len();
                        post(&agent, url, i, &mut mine);
                        if mine.unavailable.len() > before
                            && refused.fetch_add(1, Ordering::SeqCst) + 1 >= 200
                        {
                            stop.store(true, Ordering::SeqCst);
                        }
                    }
                    mine
                })
            })
            .collect();
        for c in clients {
            answers.add(c.join().unwrap());
        }
    });
    let acked: BTreeSet<usize> = answers.ok.iter().copied().collect();
    let refused_set: BTreeSet<usize> = answers.unavailable.iter().copied().collect();
    assert_eq!(answers.other, Vec::<(usize, u16)>::new());
    assert_eq!(answers.no_answer, Vec::<usize>::new());
    assert!(
        answers.unavailable.len() >= 200,
        "the store never filled up: {} acknowledged",
        acked.len()
    );
    assert!(acked.len() > 1, "nothing was stored before the disk filled");
    assert_eq!(
        acked.len(),
        answers.ok.len(),
        "each webhook was posted once"
    );
    let readyz = |server: &Server| {
        send(
            &agent(),
            "GET",
            &server.url("/readyz"),
            &BTreeMap::new(),
            b"",
        )
        .0
    };
    let full_text = metrics(&server);

    // Free the space: new webhooks are stored and acknowledged again, same process.
    std::fs::remove_file(&filler).unwrap();
    let mut after = Answers::default();
    let start = next.load(Ordering::SeqCst);
    for i in start..start + AFTER {
        post(&agent(), &webhook_url, i, &mut after);
    }
    assert_eq!(after.ok.len(), AFTER, "{after:?}");
    assert!(server.child.try_wait().unwrap().is_none(), "not restarted");
    assert_eq!(server.child.id(), pid);

    // Everything acknowledged, before and after the fault, is delivered; nothing answered 503
    // was stored or delivered.
    let delivered = || -> BTreeSet<usize> {
        bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| razorpay_index(b))
            .collect()
    };
    let all_acked: BTreeSet<usize> = acked.iter().copied().chain(after.ok.clone()).collect();
    let all_in = wait_until(60, || {
        all_acked.is_subset(&delivered()) && metrics(&server).contains("hooknorm_queue_pending 0")
    });
    std::thread::sleep(Duration::from_millis(500));
    let d = delivered();
    let total = bodies.lock().unwrap().len();
    eprintln!(
        "disk full: {} acknowledged and {} answered 503 before the space was freed, {AFTER} acknowledged after; {} deliveries, {} distinct",
        acked.len(),
        refused_set.len(),
        total,
        d.len()
    );
    assert!(all_in, "missing: {:?}", all_acked.difference(&d));
    assert_eq!(d, all_acked, "only acknowledged webhooks are delivered");
    assert!(d.is_disjoint(&refused_set));
    assert_eq!(readyz(&server), 200);
    assert!(
        full_text.contains(&format!(
            "hooknorm_intake_events_total{{result=\"unavailable\"}} {}",
            refused_set.len()
        )),
        "{full_text}"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert_eq!(queue_stats(&data), (0, all_acked.len() as u64, 0));
    drop(server);
    drop(disk);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts the service on `data`, which cannot be opened: three webhooks get 503 and `/readyz`
/// 503; then `fix` makes it usable and, without a restart, the store opens, three more webhooks
/// get 2xx and exactly those are delivered. `next` numbers the webhooks, `expected` collects
/// the ones to be delivered.
#[allow(clippy::too_many_arguments)]
fn fails_then_works(
    name: &str,
    prefix: &[&str],
    config: &std::path::Path,
    data: &std::path::Path,
    fix: impl FnOnce(),
    bodies: &Arc<Mutex<Vec<String>>>,
    next: &mut usize,
    expected: &mut Vec<usize>,
) {
    let none = BTreeMap::new();
    let readyz = |server: &Server| send(&agent(), "GET", &server.url("/readyz"), &none, b"").0;
    let (c, d) = (config.to_str().unwrap(), data.to_str().unwrap());
    let server = Server::start_through(prefix, &["--config", c, "--data-dir", d], &[]);
    let pid = server.child.id();
    let url_w = server.url("/webhooks/razorpay");
    let mut answers = Answers::default();
    for _ in 0..3 {
        post(&agent(), &url_w, *next, &mut answers);
        *next += 1;
    }
    assert_eq!(answers.unavailable.len(), 3, "{name}: {answers:?}");
    assert_eq!(readyz(&server), 503, "{name}");
    fix();
    // The service opens the store by itself, within a second or two.
    assert!(
        wait_until(10, || readyz(&server) == 200),
        "{name}: the store was not opened after the fix"
    );
    let mut answers = Answers::default();
    for _ in 0..3 {
        expected.push(*next);
        post(&agent(), &url_w, *next, &mut answers);
        *next += 1;
    }
    assert_eq!(answers.ok.len(), 3, "{name}: {answers:?}");
    assert!(
        wait_until(10, || bodies.lock().unwrap().len() >= expected.len()),
        "{name}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let got: Vec<usize> = bodies
        .lock()
        .unwrap()
        .iter()
        .map(|b| razorpay_index(b))
        .collect();
    // Exactly the webhooks acknowledged after the fix; none of those answered 503.
    assert_eq!(&got, expected, "{name}");
    assert_eq!(server.child.id(), pid);
    assert!(std::fs::metadata(data.join("queue.sqlite3")).is_ok());
}

#[test]
fn a_data_dir_that_cannot_be_opened_at_start_works_once_fixed_without_a_restart() {
    let (url, bodies) = receiver(vec![]);
    let dir = temp_dir("fixed-later");
    let config = razorpay_config(&dir, &format!("sink:\n  http: {{url: {url:?}}}\n"));
    let (mut next, mut expected) = (0, Vec::new());
    // A read-only file system (a tmpfs mounted `ro`: read-only even for root), remounted
    // read-write.
    let ro = Tmpfs::mount("read-only", "size=8m,ro");
    fails_then_works(
        "read-only mount",
        &[],
        &config,
        &ro.path.join("data"),
        || ro.remount("rw"),
        &bodies,
        &mut next,
        &mut expected,
    );
    // A data dir that cannot be created (under a regular file), until the file is replaced by
    // a directory.
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, "not a directory").unwrap();
    fails_then_works(
        "under a regular file",
        &[],
        &config,
        &blocker.join("data"),
        || {
            std::fs::remove_file(&blocker).unwrap();
            std::fs::create_dir_all(&blocker).unwrap();
        },
        &bodies,
        &mut next,
        &mut expected,
    );
    // A directory without write permission for the service's user, until a chmod gives it.
    // Root ignores permissions, so this service runs as `nobody` (through `setpriv`).
    use std::os::unix::fs::PermissionsExt;
    let locked = dir.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::os::unix::fs::chown(&locked, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    fails_then_works(
        "chmod 555, then 755",
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ],
        &config,
        &locked,
        || std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap(),
        &bodies,
        &mut next,
        &mut expected,
    );
    drop(ro);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The uid and gid of `nobody`.
const NOBODY: u32 = 65534;
