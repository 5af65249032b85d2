//! The durable intake queue (feature `serve`): events are appended here before the processor is
//! acknowledged, and delivery workers take them from here.
//!
//! [`Store`] is the backend's interface; [`SqliteStore`] (SQLite in WAL mode with
//! `synchronous=FULL`, through `rusqlite`) is the embedded one. Its single writer thread does
//! group commit: requests that arrive while a transaction is being committed are batched into the
//! next one, so concurrent appends share one fsync, and each caller gets its answer only after its
//! transaction committed.

mod sqlite;

pub use sqlite::SqliteStore;

use std::fmt;

/// An event to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The event's idempotency key: unique in the store per (connector, account).
    pub idempotency_key: String,
    /// The connector it came through.
    pub connector: String,
    /// The connector account.
    pub account: String,
    /// The JSON line to deliver.
    pub line: String,
}

/// What [`Store::append`] did with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Stored, with its arrival sequence number.
    Stored(i64),
    /// Its key was already stored: not stored again.
    Duplicate,
}

/// The store cannot take or give events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// An I/O or database error (disk full, read-only, corrupt, ...).
    Io(String),
    /// The store was closed.
    Closed,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io(m) => write!(f, "the event store failed: {m}"),
            StoreError::Closed => write!(f, "the event store is closed"),
        }
    }
}

impl std::error::Error for StoreError {}

/// An event's delivery state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not delivered yet.
    Pending,
    /// Delivered.
    Delivered,
    /// Given up on (a dead letter).
    Dead,
}

impl State {
    /// The name stored.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Delivered => "delivered",
            State::Dead => "dead",
        }
    }
}

/// A pending event, as the delivery workers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The arrival sequence number.
    pub seq: i64,
    /// The idempotency key.
    pub idempotency_key: String,
    /// The connector.
    pub connector: String,
    /// The account.
    pub account: String,
    /// The JSON line to deliver.
    pub line: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it was stored (unix milliseconds).
    pub created_ms: i64,
    /// Not before this time (unix milliseconds).
    pub next_attempt_ms: i64,
}

/// The outcome of one delivery attempt, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The event.
    pub seq: i64,
    /// When (unix milliseconds).
    pub at_ms: i64,
    /// The sink's status, if it answered.
    pub status: Option<u16>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// The event's state after it.
    pub state: State,
    /// For a pending event, the time of the next attempt.
    pub next_attempt_ms: i64,
}

/// One row of an event's attempt history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// When (unix milliseconds).
    pub at_ms: i64,
    /// The sink's status, if it answered.
    pub status: Option<u16>,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// Counts for metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Pending events (the queue depth).
    pub pending: u64,
    /// Delivered events still kept.
    pub delivered: u64,
    /// Dead letters.
    pub dead: u64,
    /// When the oldest pending event was stored (unix milliseconds).
    pub oldest_pending_ms: Option<i64>,
    /// Transactions committed since the store was opened (each one fsync).
    pub commits: u64,
    /// Requests (appends, attempt records, purges) those transactions carried: with group
    /// commit, more than `commits` under concurrency.
    pub requests: u64,
}

/// A durable event store. Every method blocks; call it off the async runtime's threads.
pub trait Store: Send + Sync {
    /// Stores the events that are new, durably, and says for each what happened. A key already
    /// stored for the same connector and account is [`Appended::Duplicate`]. Returns only once the transaction committed.
    fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, StoreError>;
    /// For each (connector, account) whose oldest pending event is due at `now_ms`, up to
    /// `per_lane` of its pending events in arrival order.
    fn due(&self, now_ms: i64, per_lane: usize) -> Result<Vec<Vec<Pending>>, StoreError>;
    /// The time of the earliest pending lane head, if any.
    fn next_due(&self) -> Result<Option<i64>, StoreError>;
    /// Records delivery attempts (and the events' new states) durably.
    fn record(&self, attempts: Vec<Attempt>) -> Result<(), StoreError>;
    /// Deletes delivered events (and their history) delivered before `before_ms`; returns how many.
    fn purge_delivered(&self, before_ms: i64) -> Result<u64, StoreError>;
    /// Counts for metrics.
    fn stats(&self) -> Result<Stats, StoreError>;
    /// An event's state and attempt history, by key.
    fn history(&self, key: &str) -> Result<Option<(State, Vec<AttemptRecord>)>, StoreError>;
}

/// A store that could not be opened: every call fails, so the service answers 503.
pub struct Unavailable(pub String);

impl Store for Unavailable {
    fn append(&self, _: Vec<NewEvent>) -> Result<Vec<Appended>, StoreError> {
        Err(StoreError::Io(self.0.clone()))
    }
    fn due(&self, _: i64, _: usize) -> Result<Vec<Vec<Pending>>, StoreError> {
        Err(StoreError::Io(self.0.clone()))
    }
    fn next_due(&self) -> Result<Option<i64>, StoreError> {
        Err(StoreError::Io(self.0.clone()))
    }
    fn record(&self, _: Vec<Attempt>) -> Result<(), StoreError> {
        Err(StoreError::Io(self.0.clone()))
    }
    fn purge_delivered(&self, _: i64) -> Result<u64, StoreError> {
        Err(StoreError::Io(self.0.clone()))
    }
    fn stats(&self) -> Result<Stats, StoreError> {
        Err(StoreError::Io(self.0.clone()))
    }
    fn history(&self, _: &str) -> Result<Option<(State, Vec<AttemptRecord>)>, StoreError> {
        Err(StoreError::Io(self.0.clone()))
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
