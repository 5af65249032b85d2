//! Hot reload: a [`Registry`] serves an [`Engine`] compiled from a directory of specs and swaps
//! in a new one atomically whenever a file changes.
//!
//! - Every change (edit, atomic rename-over save, new file, deleted file) re-reads the
//!   directory. Each file is compiled on its own: a file that fails validation keeps its previous
//!   working version serving, and its errors (file, line, column, key, message) are reported to
//!   the [`Registry::on_reload`] callbacks and kept in [`Registry::status`] until it is fixed.
//! - Requests take a snapshot with [`Registry::engine`]; one in flight finishes on the version
//!   it started with.
//! - [`Registry::watch`] follows the directory with the platform's file events (inotify, ...)
//!   and debounces bursts; [`WatchMode::Poll`] (or `Auto` when native events are unavailable)
//!   compares the directory's contents on an interval instead.
//!
//! ```
//! use hooknorm::registry::Registry;
//! let dir = std::env::temp_dir().join(format!("hooknorm-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let registry = Registry::open(&dir);
//! assert_eq!(registry.engine().connector_names().count(), 0);
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher as _};
use serde::Serialize;

use crate::Connector;
use crate::Engine;
use crate::SpecError;

/// What one reload did.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadReport {
    /// Counts reloads since the registry opened (the first load is 1).
    pub generation: u64,
    /// Unix milliseconds.
    pub at_unix_ms: u64,
    /// How long reading and compiling took.
    pub duration_ms: f64,
    /// Connectors serving after the reload.
    pub connectors: Vec<String>,
    /// Connectors whose spec changed and went live.
    pub updated: Vec<String>,
    /// Connectors removed (their file was deleted).
    pub removed: Vec<String>,
    /// Errors of files that failed; their previous version, if any, keeps serving.
    pub errors: Vec<SpecError>,
}

/// The registry's state for a status endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct RegistryStatus {
    /// The watched directory.
    pub dir: String,
    /// Connector name → spec `version`.
    pub connectors: BTreeMap<String, Option<String>>,
    /// Reloads done since the registry opened.
    pub reloads: u64,
    /// Reloads that found errors (their specs kept the last good version).
    pub reload_errors: u64,
    /// The last reload's report.
    pub last_reload: Option<ReloadReport>,
}

/// How to follow the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The platform's file events (inotify, FSEvents, ...).
    Native,
    /// Compare the directory's files on this interval.
    Poll(Duration),
    /// Native events, or polling every 250 ms where they are unavailable.
    Auto,
}

/// A file's last working version.
struct Good {
    text: String,
    connector: Arc<Connector>,
}

type Listener = Box<dyn Fn(&ReloadReport) + Send + Sync>;

/// Specs of a directory, compiled, hot-reloaded. Share it as `Arc<Registry>`.
pub struct Registry {
    dir: PathBuf,
    current: ArcSwap<Engine>,
    /// File path → last working version.
    good: Mutex<BTreeMap<PathBuf, Good>>,
    last: Mutex<Option<ReloadReport>>,
    generation: AtomicU64,
    reload_errors: AtomicU64,
    listeners: Mutex<Vec<Listener>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// The directory's spec files, without hidden ones (editors' lock and swap files).
fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, std::io::Error> {
    let mut files = crate::spec_files(dir)?;
    files.retain(|p| {
        p.file_name()
            .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
    });
    Ok(files)
}

fn io_error(path: &Path, e: &std::io::Error) -> SpecError {
    SpecError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        key: String::new(),
        message: e.to_string(),
    }
}

impl Registry {
    /// Loads the directory. Files that fail are reported in [`Registry::status`] (and serve
    /// nothing until fixed); the others serve.
    pub fn open(dir: impl AsRef<Path>) -> Arc<Registry> {
        let registry = Arc::new(Registry {
            dir: dir.as_ref().to_path_buf(),
            current: ArcSwap::from_pointee(Engine::default()),
            good: Mutex::new(BTreeMap::new()),
            last: Mutex::new(None),
            generation: AtomicU64::new(0),
            reload_errors: AtomicU64::new(0),
            listeners: Mutex::new(Vec::new()),
        });
        registry.reload();
        registry
    }

    /// The directory followed.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A snapshot of the current specs. Hold it for the length of one request.
    pub fn engine(&self) -> Arc<Engine> {
        self.current.load_full()
    }

    /// Calls `f` after every reload (including ones that change nothing).
    pub fn on_reload(&self, f: impl Fn(&ReloadReport) + Send + Sync + 'static) {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Box::new(f));
    }

    /// Re-reads the directory and swaps in the result. Safe to call from several threads;
    /// reloads are serialized.
    pub fn reload(&self) -> ReloadReport {
        let started = Instant::now();
        let mut good = self.good.lock().unwrap_or_else(|p| p.into_inner());
        let mut errors = Vec::new();
        let mut updated = Vec::new();
        let files = match spec_files(&self.dir) {
            Ok(f) => f,
            Err(e) => {
                // The directory itself is unreadable: keep everything serving.
                errors.push(io_error(&self.dir, &e));
                good.keys().cloned().collect()
            }
        };
        let before: Vec<String> = good.values().map(|g| g.connector.name.clone()).collect();
        // Forget files that are gone.
        good.retain(|path, _| files.contains(path));
        for path in &files {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(io_error(path, &e));
                    continue;
                }
            };
            if good.get(path).is_some_and(|g| g.text == text) {
                continue;
            }
            match Engine::compile_one(&path.display().to_string(), &text) {
                Ok(connector) => {
                    updated.push(connector.name.clone());
                    good.insert(path.clone(), Good { text, connector });
                }
                Err(es) => errors.extend(es),
            }
        }
        // Assemble: one connector per name, the first file (by path) wins.
        let mut connectors: BTreeMap<String, Arc<Connector>> = BTreeMap::new();
        for (path, g) in good.iter() {
            if connectors.contains_key(&g.connector.name) {
                errors.push(SpecError {
                    file: path.display().to_string(),
                    line: 1,
                    column: 1,
                    key: "connector".into(),
                    message: format!("connector `{}` is defined twice", g.connector.name),
                });
            } else {
                connectors.insert(g.connector.name.clone(), g.connector.clone());
            }
        }
        let removed: Vec<String> = before
            .into_iter()
            .filter(|n| !connectors.contains_key(n))
            .collect();
        let names: Vec<String> = connectors.keys().cloned().collect();
        let engine = Arc::new(Engine::from_compiled(connectors.into_values()));

        if !errors.is_empty() {
            self.reload_errors.fetch_add(1, Ordering::Relaxed);
        }
        let report = ReloadReport {
            generation: self.generation.fetch_add(1, Ordering::Relaxed) + 1,
            at_unix_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            connectors: names,
            updated,
            removed,
            errors,
        };
        // The report first, then the engine: whoever sees the new specs sees their report.
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(report.clone());
        self.current.store(engine);
        drop(good);
        for l in self
            .listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            l(&report);
        }
        report
    }

    /// The current state.
    pub fn status(&self) -> RegistryStatus {
        let engine = self.engine();
        RegistryStatus {
            dir: self.dir.display().to_string(),
            connectors: engine
                .connector_names()
                .map(|n| {
                    (
                        n.to_string(),
                        engine.connector(n).and_then(|c| c.version.clone()),
                    )
                })
                .collect(),
            reloads: self.generation.load(Ordering::Relaxed),
            reload_errors: self.reload_errors.load(Ordering::Relaxed),
            last_reload: self.last.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }

    /// Follows the directory until the returned [`Watch`] is dropped. A burst of events (an
    /// editor's save) is debounced into one reload, 50 ms after the last event.
    pub fn watch(self: &Arc<Self>, mode: WatchMode) -> Result<Watch, String> {
        let (tx, rx) = channel::<()>();
        let handler = move |res: notify::Result<notify::Event>| {
            if res.is_ok() {
                let _ = tx.send(());
            }
        };
        let poll = |every: Duration, h| -> Result<Box<dyn notify::Watcher + Send>, String> {
            let config = notify::Config::default()
                .with_poll_interval(every)
                .with_compare_contents(true);
            let w = PollWatcher::new(h, config).map_err(|e| e.to_string())?;
            Ok(Box::new(w))
        };
        let mut watcher: Box<dyn notify::Watcher + Send> = match mode {
            WatchMode::Poll(every) => poll(every, handler)?,
            WatchMode::Native => Box::new(
                RecommendedWatcher::new(handler, notify::Config::default())
                    .map_err(|e| e.to_string())?,
            ),
            WatchMode::Auto => {
                let h2 = handler.clone();
                match RecommendedWatcher::new(handler, notify::Config::default()) {
                    Ok(w) => Box::new(w),
                    Err(_) => poll(Duration::from_millis(250), h2)?,
                }
            }
        };
        watcher
            .watch(&self.dir, RecursiveMode::NonRecursive)
            .map_err(|e| format!("{}: {e}", self.dir.display()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let registry = Arc::clone(self);
        let stopping = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("hooknorm-watch".into())
            .spawn(move || {
                while !stopping.load(Ordering::Relaxed) {
                    match rx.recv_timeout(Duration::from_millis(200)) {
                        Ok(()) => {
                            // Debounce: wait until 50 ms pass without another event.
                            while rx.recv_timeout(Duration::from_millis(50)).is_ok() {}
                            registry.reload();
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(Watch {
            _watcher: watcher,
            stop,
            thread: Some(thread),
        })
    }
}

/// Following a directory; stops when dropped.
pub struct Watch {
    _watcher: Box<dyn notify::Watcher + Send>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watch")
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
