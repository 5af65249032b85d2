//! Hot reload: edits, atomic saves, new and deleted files go live; broken edits never replace a
//! working spec; requests in flight keep their version.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hooknorm::registry::{Registry, ReloadReport, WatchMode};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn spec(name: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/connectors/{name}.yaml")).unwrap()
}

fn with_version(text: &str, v: &str) -> String {
    assert!(text.contains("\nversion: \"1\"\n"));
    text.replacen("\nversion: \"1\"\n", &format!("\nversion: \"{v}\"\n"), 1)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hooknorm-registry-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn version(r: &Registry, connector: &str) -> Option<String> {
    r.status().connectors.get(connector).cloned().flatten()
}

/// Waits (up to 5 s) until `f` holds; returns how long it took.
fn eventually(mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(5), "not within 5 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    start.elapsed()
}

/// Writes like an editor that saves atomically: a temporary file renamed over the target.
fn atomic_write(path: &Path, text: &str) {
    let tmp = path.with_extension("yaml.tmp~");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn check_live_changes(mode: WatchMode) -> Vec<Duration> {
    let dir = scratch(&format!("{mode:?}").replace(|c: char| !c.is_alphanumeric(), ""));
    std::fs::write(dir.join("stripe.yaml"), spec("stripe")).unwrap();
    let registry = Registry::open(&dir);
    assert_eq!(version(&registry, "stripe").as_deref(), Some("1"));
    let reports: Arc<Mutex<Vec<ReloadReport>>> = Arc::default();
    let sink = Arc::clone(&reports);
    registry.on_reload(move |r| sink.lock().unwrap().push(r.clone()));
    let _watch = registry.watch(mode).unwrap();
    let mut latencies = Vec::new();

    // An in-place edit.
    let before = registry.engine();
    std::fs::write(dir.join("stripe.yaml"), with_version(&spec("stripe"), "2")).unwrap();
    latencies.push(eventually(|| {
        version(&registry, "stripe").as_deref() == Some("2")
    }));
    // A snapshot taken before keeps serving the old version.
    assert_eq!(
        before.connector("stripe").unwrap().version.as_deref(),
        Some("1")
    );

    // An atomic rename-over save.
    atomic_write(
        &dir.join("stripe.yaml"),
        &with_version(&spec("stripe"), "3"),
    );
    latencies.push(eventually(|| {
        version(&registry, "stripe").as_deref() == Some("3")
    }));

    // A broken edit: the working version keeps serving, the error is reported with its place.
    let broken = with_version(&spec("stripe"), "4").replacen("  type: $.type", "  type: $..[", 1);
    std::fs::write(dir.join("stripe.yaml"), broken).unwrap();
    // (A poll may also catch the file half-written; wait for the error of the broken spec.)
    let broken_reported =
        |r: &ReloadReport| r.errors.iter().any(|e| e.key.starts_with("events.type"));
    eventually(|| {
        registry
            .status()
            .last_reload
            .is_some_and(|r| broken_reported(&r))
    });
    let status = registry.status();
    let err = status
        .last_reload
        .as_ref()
        .unwrap()
        .errors
        .iter()
        .find(|e| e.key.starts_with("events.type"))
        .unwrap();
    assert!(err.file.ends_with("stripe.yaml"), "{err}");
    assert!(err.line > 0 && err.key.starts_with("events.type"), "{err}");
    assert_eq!(version(&registry, "stripe").as_deref(), Some("3"));
    assert!(status.reload_errors >= 1);
    assert!(reports
        .lock()
        .unwrap()
        .iter()
        .any(|r| r.errors.iter().any(|e| e.key.starts_with("events.type"))));

    // Fixed: the fixed version goes live.
    std::fs::write(dir.join("stripe.yaml"), with_version(&spec("stripe"), "5")).unwrap();
    latencies.push(eventually(|| {
        version(&registry, "stripe").as_deref() == Some("5")
    }));
    assert!(registry.status().last_reload.unwrap().errors.is_empty());

    // A new file, then its deletion.
    std::fs::write(dir.join("razorpay.yaml"), spec("razorpay")).unwrap();
    latencies.push(eventually(|| version(&registry, "razorpay").is_some()));
    std::fs::remove_file(dir.join("razorpay.yaml")).unwrap();
    latencies.push(eventually(|| version(&registry, "razorpay").is_none()));
    assert!(reports
        .lock()
        .unwrap()
        .iter()
        .any(|r| r.removed == ["razorpay"]));
    let _ = std::fs::remove_dir_all(&dir);
    latencies
}

#[test]
fn native_events_take_edits_saves_new_and_deleted_files_live() {
    let latencies = check_live_changes(WatchMode::Native);
    eprintln!("native reload latencies: {latencies:?}");
}

#[test]
fn polling_takes_the_same_changes_live() {
    let latencies = check_live_changes(WatchMode::Poll(Duration::from_millis(100)));
    eprintln!("poll reload latencies: {latencies:?}");
}

#[test]
fn a_spec_broken_from_the_start_serves_nothing_until_fixed() {
    let dir = scratch("broken-start");
    std::fs::write(dir.join("stripe.yaml"), spec("stripe")).unwrap();
    std::fs::write(
        dir.join("razorpay.yaml"),
        "connector: razorpay\nnonsense: [",
    )
    .unwrap();
    let registry = Registry::open(&dir);
    let status = registry.status();
    assert_eq!(status.connectors.keys().collect::<Vec<_>>(), ["stripe"]);
    let errors = &status.last_reload.unwrap().errors;
    assert!(
        errors.iter().all(|e| e.file.ends_with("razorpay.yaml")),
        "{errors:?}"
    );
    assert!(!errors.is_empty());
    std::fs::write(dir.join("razorpay.yaml"), spec("razorpay")).unwrap();
    let report = registry.reload();
    assert_eq!(report.updated, ["razorpay"]);
    assert!(report.errors.is_empty());
    // An unchanged file is not recompiled.
    assert!(registry.reload().updated.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn requests_during_reloads_always_get_a_complete_engine() {
    let dir = scratch("concurrent");
    std::fs::write(dir.join("stripe.yaml"), spec("stripe")).unwrap();
    let registry = Registry::open(&dir);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (r, stop) = (Arc::clone(&registry), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let engine = r.engine();
                    assert!(engine.connector("stripe").is_some());
                    n += 1;
                }
                n
            })
        })
        .collect();
    for v in 2..40 {
        let text = if v % 3 == 0 {
            "connector: stripe\nbroken: [".to_string()
        } else {
            with_version(&spec("stripe"), &v.to_string())
        };
        atomic_write(&dir.join("stripe.yaml"), &text);
        registry.reload();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in readers {
        assert!(t.join().unwrap() > 0);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
