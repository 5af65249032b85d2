//! The durable intake queue (feature `serve`): events are appended here before the processor is
//! acknowledged, and delivery workers take them from here.
//!
//! [`Store`] is the backend's interface; [`SqliteStore`] (SQLite in WAL mode with
//! `synchronous=FULL`, through `rusqlite`) is the embedded one. Its single writer thread does
//! group commit: requests that arrive while a transaction is being committed are batched into the
//! next one, so concurrent appends share one fsync, and each caller gets its answer only after its
//! transaction committed. [`Reopening`] wraps it for the service: a store that cannot be opened
//! at the start is opened again later, without a restart.

mod reopen;
mod sqlite;

pub use reopen::Reopening;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Not delivered yet.
    Pending,
    /// Delivered.
    Delivered,
    /// Given up on (a dead letter).
    Dead,
}

impl State {
    /// The state named `pending`, `delivered` or `dead`.
    pub fn parse(s: &str) -> Option<State> {
        match s {
            "pending" => Some(State::Pending),
            "delivered" => Some(State::Delivered),
            "dead" => Some(State::Dead),
            _ => None,
        }
    }

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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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

/// A stored event as operators see it (`hooknorm queue list`, `/v1/queue/events`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EventInfo {
    /// The event's id: its arrival sequence number.
    pub id: i64,
    /// The idempotency key.
    pub idempotency_key: String,
    /// The connector.
    pub connector: String,
    /// The account.
    pub account: String,
    /// Its delivery state.
    pub state: State,
    /// Attempts counted toward `max_attempts` (reset by a replay; the history keeps them all).
    pub attempts: u32,
    /// When it was stored (unix milliseconds).
    pub created_ms: i64,
    /// When its state last changed (unix milliseconds).
    pub updated_ms: i64,
    /// For a pending event, not before this time (unix milliseconds).
    pub next_attempt_ms: i64,
}

/// One event in full: [`EventInfo`], the JSON line delivered and every attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDetail {
    /// The event's row.
    pub info: EventInfo,
    /// The JSON line delivered to the sink.
    pub line: String,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptRecord>,
}

/// Which events [`Store::replay`] puts back to pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplaySelect {
    /// These ids (all must exist, else nothing is replayed).
    Ids(Vec<i64>),
    /// Every dead letter.
    Dead,
}

/// What [`Store::replay`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replayed {
    /// These events are pending again, due now.
    Done(Vec<i64>),
    /// These ids are not in the store: nothing was replayed.
    Unknown(Vec<i64>),
}

/// Which events [`Store::recent`] gives: every `Some` field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Delivery state.
    pub state: Option<State>,
    /// Connector.
    pub connector: Option<String>,
    /// Account.
    pub account: Option<String>,
    /// The normalized event type (`event.event_type` of the delivered line).
    pub event_type: Option<String>,
    /// Stored at or after (unix milliseconds).
    pub since_ms: Option<i64>,
    /// Stored before (unix milliseconds).
    pub until_ms: Option<i64>,
    /// Events to skip (paging).
    pub offset: usize,
    /// At most this many.
    pub limit: usize,
}

/// What [`Store::append_async`] returns.
pub type AppendFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<Appended>, StoreError>> + Send>>;

/// [`Store::append`] on a blocking thread, for async callers.
pub(crate) fn append_on_blocking_thread<S: Store + ?Sized>(
    store: std::sync::Arc<S>,
    events: Vec<NewEvent>,
) -> AppendFuture {
    Box::pin(async move {
        tokio::task::spawn_blocking(move || store.append(events))
            .await
            .map_err(|e| StoreError::Io(format!("the append task failed: {e}")))?
    })
}

/// A durable event store. Every method but [`Store::append_async`] blocks; call them off the async
/// runtime's threads.
pub trait Store: Send + Sync + 'static {
    /// Stores the events that are new, durably, and says for each what happened. A key already
    /// stored for the same connector and account is [`Appended::Duplicate`]. Returns only once the transaction committed.
    fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, StoreError>;
    /// [`Store::append`] for async callers, with the same guarantee (it resolves only once the
    /// transaction committed). By default `append` on a blocking thread; a store with a writer
    /// thread of its own answers through a channel instead, so no thread waits for the commit.
    fn append_async(self: std::sync::Arc<Self>, events: Vec<NewEvent>) -> AppendFuture {
        append_on_blocking_thread(self, events)
    }
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
    /// Up to `limit` events, in the state given (else all), in arrival order.
    fn list(&self, _state: Option<State>, _limit: usize) -> Result<Vec<EventInfo>, StoreError> {
        Err(StoreError::Io("this store cannot list events".into()))
    }
    /// The events matching `q`, most recent first, with their delivered lines (the console).
    fn recent(&self, _q: &EventQuery) -> Result<Vec<(EventInfo, String)>, StoreError> {
        // A store that cannot list events says why (a broker names itself).
        self.list(None, 0)?;
        Err(StoreError::Io("this store cannot list events".into()))
    }
    /// One event with its attempt history, by id.
    fn event(&self, _id: i64) -> Result<Option<EventDetail>, StoreError> {
        Err(StoreError::Io("this store cannot show events".into()))
    }
    /// Puts events back to pending, due now, durably; their attempt history is kept.
    fn replay(&self, _which: ReplaySelect) -> Result<Replayed, StoreError> {
        Err(StoreError::Io("this store cannot replay events".into()))
    }
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

/// A time given as unix seconds or RFC 3339 (`2026-01-31T12:00:00Z`, `...+02:00`, fractions
/// allowed), as unix milliseconds.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return secs
            .checked_mul(1000)
            .ok_or_else(|| format!("time out of range: {s}"));
    }
    rfc3339_ms(s).ok_or_else(|| {
        format!("not a time: {s:?} (give unix seconds or RFC 3339, e.g. 2026-01-31T12:00:00Z)")
    })
}

fn rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let digits = &frac[..n];
        ms = format!("{:0<3}", &digits[..n.min(3)]).parse::<i64>().ok()?;
        rest = &frac[n..];
    }
    let offset_s = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || rb[3] != b':' || !matches!(rb[0], b'+' | b'-') {
                return None;
            }
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            let o = oh * 3600 + om * 60;
            if rb[0] == b'-' {
                -o
            } else {
                o
            }
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + sec - offset_s) * 1000 + ms)
}

/// A store's [`Stats`] as JSON, for `hooknorm queue stats` and `/v1/queue/stats`.
pub fn stats_json(s: &Stats, now_ms: i64) -> serde_json::Value {
    serde_json::json!({
        "pending": s.pending,
        "delivered": s.delivered,
        "dead": s.dead,
        "oldest_pending_ms": s.oldest_pending_ms,
        "oldest_pending_age_seconds": s.oldest_pending_ms.map(|t| (now_ms - t).max(0) as f64 / 1000.0),
    })
}

/// An event in full as JSON, for `hooknorm queue show` and `/v1/queue/events/{id}`: its row,
/// the delivered line as `"line"` (parsed JSON when it is) and its `"attempt_history"`.
pub fn detail_json(d: &EventDetail) -> serde_json::Value {
    let mut v = serde_json::to_value(&d.info).unwrap_or_default();
    let line = serde_json::from_str::<serde_json::Value>(&d.line)
        .unwrap_or_else(|_| serde_json::Value::String(d.line.clone()));
    v["line"] = line;
    v["attempt_history"] = serde_json::to_value(&d.attempts).unwrap_or_default();
    v
}

#[cfg(test)]
mod time_tests {
    use super::parse_time;

    #[test]
    fn unix_seconds_and_rfc3339() {
        assert_eq!(parse_time("0"), Ok(0));
        assert_eq!(parse_time("1700000000"), Ok(1_700_000_000_000));
        assert_eq!(parse_time("2023-11-14T22:13:20Z"), Ok(1_700_000_000_000));
        assert_eq!(
            parse_time("2023-11-15T00:13:20.5+02:00"),
            Ok(1_700_000_000_500)
        );
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_time("2000-02-29T00:00:00Z"), Ok(951_782_400_000));
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("2023-13-01T00:00:00Z").is_err());
    }
}
