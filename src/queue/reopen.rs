//! [`Reopening`]: a [`SqliteStore`] that is opened again, at most once a second, while it
//! cannot be opened, so a data directory fixed after the start (permissions, a read-only mount
//! made writable, a missing directory created) starts working without a restart.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::AppendFuture;
use super::{
    Appended, Attempt, AttemptRecord, EventDetail, EventInfo, EventQuery, NewEvent, Pending,
    ReplaySelect, Replayed, SqliteStore, State, Stats, Store, StoreError,
};

/// The shortest time between two attempts to open the store.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// The store in `dir`, opened at the first call that finds it openable. While it cannot be
/// opened every call fails with the last open error (the service answers 503); a call made at
/// least [`RETRY_EVERY`] after the last attempt tries again. The service's delivery worker looks
/// at the store every second, so the retries go on without requests too.
pub struct Reopening {
    dir: PathBuf,
    inner: Mutex<Inner>,
}

struct Inner {
    store: Option<Arc<SqliteStore>>,
    last_try: Instant,
    last_error: StoreError,
}

impl Reopening {
    /// Opens the store in `dir` now; on failure keeps the error and retries later. Returns the
    /// store and, if the first open failed, its error.
    pub fn open(dir: &Path) -> (Reopening, Option<StoreError>) {
        let first = SqliteStore::open(dir);
        let (store, err) = match first {
            Ok(s) => (Some(Arc::new(s)), None),
            Err(e) => (None, Some(e)),
        };
        let r = Reopening {
            dir: dir.to_path_buf(),
            inner: Mutex::new(Inner {
                store,
                last_try: Instant::now(),
                last_error: err.clone().unwrap_or(StoreError::Closed),
            }),
        };
        (r, err)
    }

    /// The database file once the store is open.
    pub fn path(&self) -> Option<PathBuf> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.store.as_ref().map(|s| s.path().to_path_buf())
    }

    /// The open store, opening it if it is time to try again.
    fn store(&self) -> Result<Arc<SqliteStore>, StoreError> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = &inner.store {
            return Ok(Arc::clone(s));
        }
        if inner.last_try.elapsed() < RETRY_EVERY {
            return Err(inner.last_error.clone());
        }
        inner.last_try = Instant::now();
        match SqliteStore::open(&self.dir) {
            Ok(s) => {
                tracing::info!(file = %s.path().display(), "event store open: webhooks are accepted again");
                let s = Arc::new(s);
                inner.store = Some(Arc::clone(&s));
                Ok(s)
            }
            Err(e) => {
                tracing::debug!(error = %e, "the event store still cannot be opened");
                inner.last_error = e.clone();
                Err(e)
            }
        }
    }
}

impl Store for Reopening {
    fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, StoreError> {
        self.store()?.append(events)
    }
    fn append_async(self: Arc<Self>, events: Vec<NewEvent>) -> AppendFuture {
        // Open: straight to its writer. Not open: trying to open it touches the disk, so that
        // (and the append) runs on a blocking thread.
        let open = self
            .inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .store
            .clone();
        match open {
            Some(s) => s.append_awaiting(events),
            None => super::append_on_blocking_thread(self, events),
        }
    }
    fn due(&self, now_ms: i64, per_lane: usize) -> Result<Vec<Vec<Pending>>, StoreError> {
        self.store()?.due(now_ms, per_lane)
    }
    fn next_due(&self) -> Result<Option<i64>, StoreError> {
        self.store()?.next_due()
    }
    fn record(&self, attempts: Vec<Attempt>) -> Result<(), StoreError> {
        self.store()?.record(attempts)
    }
    fn purge_delivered(&self, before_ms: i64) -> Result<u64, StoreError> {
        self.store()?.purge_delivered(before_ms)
    }
    fn stats(&self) -> Result<Stats, StoreError> {
        self.store()?.stats()
    }
    fn history(&self, key: &str) -> Result<Option<(State, Vec<AttemptRecord>)>, StoreError> {
        self.store()?.history(key)
    }
    fn list(&self, state: Option<State>, limit: usize) -> Result<Vec<EventInfo>, StoreError> {
        self.store()?.list(state, limit)
    }
    fn recent(&self, q: &EventQuery) -> Result<Vec<(EventInfo, String)>, StoreError> {
        self.store()?.recent(q)
    }
    fn event(&self, id: i64) -> Result<Option<EventDetail>, StoreError> {
        self.store()?.event(id)
    }
    fn replay(&self, which: ReplaySelect) -> Result<Replayed, StoreError> {
        self.store()?.replay(which)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_that_could_not_be_opened_opens_once_the_directory_is_fixed() {
        let base = std::env::temp_dir().join(format!(
            "hooknorm-reopen-{}-{}",
            std::process::id(),
            super::super::now_ms()
        ));
        std::fs::create_dir_all(&base).unwrap();
        // A data dir under a regular file cannot be created, even by root.
        let blocker = base.join("blocker");
        std::fs::write(&blocker, "not a directory").unwrap();
        let (store, err) = Reopening::open(&blocker.join("data"));
        assert!(matches!(err, Some(StoreError::Io(_))), "{err:?}");
        assert!(store.path().is_none());
        let ev = || NewEvent {
            idempotency_key: "k".into(),
            connector: "c".into(),
            account: "a".into(),
            line: "{}".into(),
        };
        assert!(matches!(store.append(vec![ev()]), Err(StoreError::Io(_))));
        // Fixed: the next call a second after the last try opens it.
        std::fs::remove_file(&blocker).unwrap();
        std::fs::create_dir_all(&blocker).unwrap();
        std::thread::sleep(RETRY_EVERY + Duration::from_millis(50));
        assert!(matches!(
            store.append(vec![ev()]).unwrap()[..],
            [Appended::Stored(_)]
        ));
        assert!(store.path().is_some());
        assert_eq!(store.stats().unwrap().pending, 1);
        drop(store);
        let _ = std::fs::remove_dir_all(&base);
    }
}
