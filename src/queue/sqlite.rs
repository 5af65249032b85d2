//! [`SqliteStore`]: the embedded store, one SQLite file in WAL mode.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{
    now_ms, AppendFuture, Appended, Attempt, AttemptRecord, EventDetail, EventInfo, EventQuery,
    NewEvent, Pending, ReplaySelect, Replayed, State, Stats, Store, StoreError,
};

/// The most requests one transaction takes.
const MAX_BATCH: usize = 4096;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL,
    connector TEXT NOT NULL,
    account TEXT NOT NULL,
    line TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    UNIQUE(connector, account, idempotency_key)
);
CREATE INDEX IF NOT EXISTS events_lane ON events(state, connector, account, seq);
CREATE TABLE IF NOT EXISTS attempts(
    event_seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    status INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS attempts_event ON attempts(event_seq);
";

enum Op {
    Append(Vec<NewEvent>),
    Record(Vec<Attempt>),
    Purge(i64),
    Replay(ReplaySelect),
}

enum Out {
    Appended(Vec<Appended>),
    Done,
    Count(u64),
    Replayed(Replayed),
}

/// Where the writer sends a request's answer: a blocked thread or an awaiting task.
enum Reply {
    Thread(SyncSender<Result<Out, StoreError>>),
    Task(tokio::sync::oneshot::Sender<Result<Out, StoreError>>),
}

impl Reply {
    fn send(self, out: Result<Out, StoreError>) {
        // A caller that stopped waiting (a dropped task) needs no answer.
        match self {
            Reply::Thread(s) => drop(s.send(out)),
            Reply::Task(s) => drop(s.send(out)),
        }
    }
}

/// SQLite in WAL mode with `synchronous=FULL`; one writer thread with group commit, one reader
/// connection.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Option<Sender<(Op, Reply)>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    reader: Mutex<Connection>,
    /// (transactions committed, requests they carried).
    counts: Arc<[AtomicU64; 2]>,
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(e.to_string())
}

fn connect(file: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(file)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, not wal"
        )));
    }
    conn.execute_batch("PRAGMA synchronous=FULL;")?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating it if need be) the store `queue.sqlite3` in `dir`.
    pub fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| io(format!("{}: {e}", dir.display())))?;
        let path = dir.join("queue.sqlite3");
        let at = |e: rusqlite::Error| io(format!("{}: {e}", path.display()));
        let conn = connect(&path).map_err(at)?;
        conn.execute_batch(SCHEMA).map_err(at)?;
        let reader = connect(&path).map_err(at)?;
        let (tx, rx) = mpsc::channel();
        let counts = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
        let c = Arc::clone(&counts);
        let file = path.clone();
        let thread = std::thread::Builder::new()
            .name("hooknorm-queue-writer".into())
            .spawn(move || writer(conn, &file, rx, &c))
            .map_err(io)?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            reader: Mutex::new(reader),
            counts,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops the writer after the requests already sent; later calls fail with
    /// [`StoreError::Closed`].
    pub fn close(&self) {
        let tx = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        drop(tx);
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }

    fn send(&self, op: Op) -> Result<Out, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.submit(op, Reply::Thread(reply))?;
        answer.recv().map_err(|_| StoreError::Closed)?
    }

    /// Hands a request to the writer thread.
    fn submit(&self, op: Op, reply: Reply) -> Result<(), StoreError> {
        let w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = w.as_ref().ok_or(StoreError::Closed)?;
        tx.send((op, reply)).map_err(|_| StoreError::Closed)
    }

    /// Appends without a waiting thread: the writer answers the awaiting task when the
    /// transaction committed.
    pub fn append_awaiting(&self, events: Vec<NewEvent>) -> AppendFuture {
        if events.is_empty() {
            return Box::pin(async { Ok(Vec::new()) });
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let submitted = self.submit(Op::Append(events), Reply::Task(reply));
        Box::pin(async move {
            submitted?;
            match answer.await.map_err(|_| StoreError::Closed)?? {
                Out::Appended(v) => Ok(v),
                _ => Err(io("unexpected answer")),
            }
        })
    }

    fn read<R>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> Result<R, StoreError> {
        let conn = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn).map_err(io)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.close();
    }
}

/// The writer: takes every request waiting, runs them in one transaction, commits (one fsync),
/// then answers each. A failed transaction (a full disk, an I/O error) is rolled back and all its
/// requests get the error; the writer then opens a fresh connection for the next batch (an I/O
/// error can leave a connection's view of the files in doubt), and keeps the old one if that
/// fails too, so the store works again as soon as the disk does.
fn writer(mut conn: Connection, file: &Path, rx: Receiver<(Op, Reply)>, counts: &[AtomicU64; 2]) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let result = (|| {
            let tx = conn.transaction()?;
            let mut outs = Vec::with_capacity(batch.len());
            for (op, _) in &batch {
                outs.push(apply(&tx, op)?);
            }
            tx.commit()?;
            Ok::<_, rusqlite::Error>(outs)
        })();
        match result {
            Ok(outs) => {
                counts[0].fetch_add(1, Ordering::Relaxed);
                counts[1].fetch_add(batch.len() as u64, Ordering::Relaxed);
                for ((_, reply), out) in batch.into_iter().zip(outs) {
                    reply.send(Ok(out));
                }
            }
            Err(e) => {
                let e = io(e);
                for (_, reply) in batch {
                    reply.send(Err(e.clone()));
                }
                if let Ok(fresh) = connect(file) {
                    conn = fresh;
                }
            }
        }
    }
}

fn apply(tx: &Transaction<'_>, op: &Op) -> rusqlite::Result<Out> {
    let now = now_ms();
    match op {
        Op::Append(events) => {
            let mut insert = tx.prepare_cached(
                "INSERT INTO events(idempotency_key, connector, account, line, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(connector, account, idempotency_key) DO NOTHING",
            )?;
            let mut out = Vec::with_capacity(events.len());
            for e in events {
                let n = insert.execute(params![
                    e.idempotency_key,
                    e.connector,
                    e.account,
                    e.line,
                    now
                ])?;
                out.push(if n == 1 {
                    Appended::Stored(tx.last_insert_rowid())
                } else {
                    Appended::Duplicate
                });
            }
            Ok(Out::Appended(out))
        }
        Op::Record(attempts) => {
            let mut history = tx.prepare_cached(
                "INSERT INTO attempts(event_seq, at_ms, status, error) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut update = tx.prepare_cached(
                "UPDATE events SET state = ?2, attempts = attempts + 1, next_attempt_ms = ?3,
                 updated_ms = ?4 WHERE seq = ?1 AND state = 'pending'",
            )?;
            for a in attempts {
                history.execute(params![a.seq, a.at_ms, a.status, a.error])?;
                update.execute(params![a.seq, a.state.as_str(), a.next_attempt_ms, a.at_ms])?;
            }
            Ok(Out::Done)
        }
        Op::Purge(before) => {
            tx.execute(
                "DELETE FROM attempts WHERE event_seq IN
                 (SELECT seq FROM events WHERE state = 'delivered' AND updated_ms < ?1)",
                [before],
            )?;
            let n = tx.execute(
                "DELETE FROM events WHERE state = 'delivered' AND updated_ms < ?1",
                [before],
            )?;
            Ok(Out::Count(n as u64))
        }
        Op::Replay(which) => {
            let ids: Vec<i64> = match which {
                ReplaySelect::Ids(ids) => {
                    let mut exists = tx.prepare_cached("SELECT 1 FROM events WHERE seq = ?1")?;
                    let mut unknown = Vec::new();
                    for id in ids {
                        if !exists.exists([id])? {
                            unknown.push(*id);
                        }
                    }
                    if !unknown.is_empty() {
                        return Ok(Out::Replayed(Replayed::Unknown(unknown)));
                    }
                    let mut ids = ids.clone();
                    ids.sort_unstable();
                    ids.dedup();
                    ids
                }
                ReplaySelect::Dead => {
                    let mut q = tx.prepare_cached(
                        "SELECT seq FROM events WHERE state = 'dead' ORDER BY seq",
                    )?;
                    let ids = q.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
                    ids
                }
            };
            // Due now, with a fresh attempt budget; the attempts table keeps the history.
            let mut update = tx.prepare_cached(
                "UPDATE events SET state = 'pending', attempts = 0, next_attempt_ms = ?2,
                 updated_ms = ?2 WHERE seq = ?1",
            )?;
            for id in &ids {
                update.execute(params![id, now])?;
            }
            Ok(Out::Replayed(Replayed::Done(ids)))
        }
    }
}

fn info_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventInfo> {
    Ok(EventInfo {
        id: r.get(0)?,
        idempotency_key: r.get(1)?,
        connector: r.get(2)?,
        account: r.get(3)?,
        state: state_of(&r.get::<_, String>(4)?),
        attempts: r.get(5)?,
        created_ms: r.get(6)?,
        updated_ms: r.get(7)?,
        next_attempt_ms: r.get(8)?,
    })
}

/// The attempt history of one event, oldest first.
fn attempts_of(c: &Connection, seq: i64) -> rusqlite::Result<Vec<AttemptRecord>> {
    let mut q = c.prepare_cached(
        "SELECT at_ms, status, error FROM attempts WHERE event_seq = ?1 ORDER BY rowid",
    )?;
    let rows = q.query_map([seq], |r| {
        Ok(AttemptRecord {
            at_ms: r.get(0)?,
            status: r.get(1)?,
            error: r.get(2)?,
        })
    })?;
    rows.collect()
}

const INFO_COLUMNS: &str = "seq, idempotency_key, connector, account, state, attempts, created_ms, updated_ms, next_attempt_ms";

fn state_of(s: &str) -> State {
    match s {
        "delivered" => State::Delivered,
        "dead" => State::Dead,
        _ => State::Pending,
    }
}

impl Store for SqliteStore {
    fn append_async(self: Arc<Self>, events: Vec<NewEvent>) -> AppendFuture {
        self.append_awaiting(events)
    }
    fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        match self.send(Op::Append(events))? {
            Out::Appended(v) => Ok(v),
            _ => Err(io("unexpected answer")),
        }
    }

    fn due(&self, now_ms: i64, per_lane: usize) -> Result<Vec<Vec<Pending>>, StoreError> {
        self.read(|c| {
            let mut heads = c.prepare_cached(
                "SELECT connector, account, next_attempt_ms FROM events e
                 WHERE state = 'pending' AND seq = (SELECT MIN(seq) FROM events
                   WHERE state = 'pending' AND connector = e.connector AND account = e.account)",
            )?;
            let lanes: Vec<(String, String, i64)> = heads
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            let mut lane = c.prepare_cached(
                "SELECT seq, idempotency_key, connector, account, line, attempts, created_ms,
                 next_attempt_ms FROM events WHERE state = 'pending' AND connector = ?1
                 AND account = ?2 ORDER BY seq LIMIT ?3",
            )?;
            let mut out = Vec::new();
            for (connector, account, next) in lanes {
                if next > now_ms {
                    continue;
                }
                let events: Vec<Pending> = lane
                    .query_map(params![connector, account, per_lane as i64], |r| {
                        Ok(Pending {
                            seq: r.get(0)?,
                            idempotency_key: r.get(1)?,
                            connector: r.get(2)?,
                            account: r.get(3)?,
                            line: r.get(4)?,
                            attempts: r.get(5)?,
                            created_ms: r.get(6)?,
                            next_attempt_ms: r.get(7)?,
                        })
                    })?
                    .collect::<Result<_, _>>()?;
                if !events.is_empty() {
                    out.push(events);
                }
            }
            Ok(out)
        })
    }

    fn next_due(&self) -> Result<Option<i64>, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT MIN(next_attempt_ms) FROM events e
                 WHERE state = 'pending' AND seq = (SELECT MIN(seq) FROM events
                   WHERE state = 'pending' AND connector = e.connector AND account = e.account)",
                [],
                |r| r.get(0),
            )
        })
    }

    fn record(&self, attempts: Vec<Attempt>) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        self.send(Op::Record(attempts)).map(|_| ())
    }

    fn purge_delivered(&self, before_ms: i64) -> Result<u64, StoreError> {
        match self.send(Op::Purge(before_ms))? {
            Out::Count(n) => Ok(n),
            _ => Err(io("unexpected answer")),
        }
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        self.read(|c| {
            let mut s = Stats {
                commits: self.counts[0].load(Ordering::Relaxed),
                requests: self.counts[1].load(Ordering::Relaxed),
                ..Stats::default()
            };
            let mut q = c.prepare_cached("SELECT state, COUNT(*) FROM events GROUP BY state")?;
            let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (state, n) = row?;
                match state_of(&state) {
                    State::Pending => s.pending = n as u64,
                    State::Delivered => s.delivered = n as u64,
                    State::Dead => s.dead = n as u64,
                }
            }
            s.oldest_pending_ms = c.query_row(
                "SELECT MIN(created_ms) FROM events WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )?;
            Ok(s)
        })
    }

    fn history(&self, key: &str) -> Result<Option<(State, Vec<AttemptRecord>)>, StoreError> {
        self.read(|c| {
            let row: Option<(i64, String)> = c
                .query_row(
                    "SELECT seq, state FROM events WHERE idempotency_key = ?1 ORDER BY seq LIMIT 1",
                    [key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((seq, state)) = row else {
                return Ok(None);
            };
            let attempts = attempts_of(c, seq)?;
            Ok(Some((state_of(&state), attempts)))
        })
    }

    fn list(&self, state: Option<State>, limit: usize) -> Result<Vec<EventInfo>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {INFO_COLUMNS} FROM events WHERE ?1 IS NULL OR state = ?1
                 ORDER BY seq LIMIT ?2"
            ))?;
            let rows = q.query_map(params![state.map(State::as_str), limit], info_of)?;
            rows.collect()
        })
    }

    fn recent(&self, q: &EventQuery) -> Result<Vec<(EventInfo, String)>, StoreError> {
        let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {INFO_COLUMNS}, line FROM events
                 WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR connector = ?2)
                   AND (?3 IS NULL OR account = ?3)
                   AND (?4 IS NULL OR json_extract(line, '$.event.event_type') = ?4)
                   AND (?5 IS NULL OR created_ms >= ?5) AND (?6 IS NULL OR created_ms < ?6)
                 ORDER BY seq DESC LIMIT ?7 OFFSET ?8"
            ))?;
            let rows = st.query_map(
                params![
                    q.state.map(State::as_str),
                    q.connector,
                    q.account,
                    q.event_type,
                    q.since_ms,
                    q.until_ms,
                    limit,
                    offset
                ],
                |r| Ok((info_of(r)?, r.get::<_, String>(9)?)),
            )?;
            rows.collect()
        })
    }

    fn event(&self, id: i64) -> Result<Option<EventDetail>, StoreError> {
        self.read(|c| {
            let row = c
                .query_row(
                    &format!("SELECT {INFO_COLUMNS}, line FROM events WHERE seq = ?1"),
                    [id],
                    |r| Ok((info_of(r)?, r.get::<_, String>(9)?)),
                )
                .optional()?;
            let Some((info, line)) = row else {
                return Ok(None);
            };
            let attempts = attempts_of(c, id)?;
            Ok(Some(EventDetail {
                info,
                line,
                attempts,
            }))
        })
    }

    fn replay(&self, which: ReplaySelect) -> Result<Replayed, StoreError> {
        match self.send(Op::Replay(which))? {
            Out::Replayed(r) => Ok(r),
            _ => Err(StoreError::Io("unexpected answer from the writer".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "hooknorm-queue-{name}-{}-{}",
            std::process::id(),
            now_ms()
        ));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn ev(key: &str, account: &str) -> NewEvent {
        NewEvent {
            idempotency_key: key.into(),
            connector: "stripe".into(),
            account: account.into(),
            line: format!("{{\"key\":{key:?}}}"),
        }
    }

    /// `append_async` (no thread waits for the commit): many concurrent tasks are answered,
    /// each only with what was committed (a reopened store has every key it answered Stored,
    /// duplicates across tasks are answered Duplicate once stored), and a closed store fails.
    #[test]
    fn append_async_answers_tasks_after_the_commit() {
        let dir = temp("async");
        let s = Arc::new(SqliteStore::open(&dir).unwrap());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let answers: Vec<Vec<Appended>> = rt.block_on(async {
            let tasks: Vec<_> = (0..200)
                .map(|i| {
                    let s = Arc::clone(&s);
                    // Keys 0..150: tasks 150..200 repeat keys 0..50.
                    tokio::spawn(s.append_async(vec![ev(&format!("k{}", i % 150), "x")]))
                })
                .collect();
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap().unwrap());
            }
            out
        });
        let stored = answers
            .iter()
            .filter(|a| matches!(a[0], Appended::Stored(_)))
            .count();
        assert_eq!(stored, 150);
        assert_eq!(answers.len() - stored, 50);
        // Empty appends answer at once, without the writer.
        assert!(rt
            .block_on(Arc::clone(&s).append_async(Vec::new()))
            .unwrap()
            .is_empty());
        s.close();
        let closed = rt.block_on(Arc::clone(&s).append_async(vec![ev("late", "x")]));
        assert!(matches!(closed, Err(StoreError::Closed)), "{closed:?}");
        drop(s);
        let reopened = SqliteStore::open(&dir).unwrap();
        assert_eq!(reopened.stats().unwrap().pending, 150);
        drop(reopened);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn append_dedups_and_keeps_arrival_order() {
        let dir = temp("order");
        let s = SqliteStore::open(&dir).unwrap();
        let a = s
            .append(vec![ev("a", "x"), ev("b", "x"), ev("a", "x")])
            .unwrap();
        assert!(matches!(a[0], Appended::Stored(_)));
        assert!(matches!(a[1], Appended::Stored(_)));
        assert_eq!(a[2], Appended::Duplicate);
        assert_eq!(s.append(vec![ev("b", "x")]).unwrap(), [Appended::Duplicate]);
        // Keys are unique per (connector, account).
        assert!(matches!(
            s.append(vec![ev("b", "other")]).unwrap()[0],
            Appended::Stored(_)
        ));
        s.append(vec![ev("c", "y"), ev("d", "x")]).unwrap();
        let mut lanes = s.due(now_ms(), 10).unwrap();
        lanes.sort_by(|l, r| l[0].account.cmp(&r[0].account));
        let keys: Vec<Vec<&str>> = lanes
            .iter()
            .map(|l| l.iter().map(|p| p.idempotency_key.as_str()).collect())
            .collect();
        assert_eq!(keys, [vec!["b"], vec!["a", "b", "d"], vec!["c"]]);
        assert!(lanes[1].windows(2).all(|w| w[0].seq < w[1].seq));
        let st = s.stats().unwrap();
        assert_eq!((st.pending, st.delivered, st.dead), (5, 0, 0));
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn recent_filters_and_pages_most_recent_first() {
        let dir = temp("recent");
        let s = SqliteStore::open(&dir).unwrap();
        let typed = |key: &str, connector: &str, account: &str, t: &str| NewEvent {
            idempotency_key: key.into(),
            connector: connector.into(),
            account: account.into(),
            line: format!("{{\"event\":{{\"event_type\":{t:?}}}}}"),
        };
        s.append(vec![
            typed("a", "stripe", "x", "PAYMENT_INTENT_SUCCESS"),
            typed("b", "razorpay", "x", "REFUND_SUCCESS"),
            typed("c", "stripe", "y", "REFUND_SUCCESS"),
            typed("d", "stripe", "x", "REFUND_SUCCESS"),
        ])
        .unwrap();
        let keys = |q: EventQuery| -> Vec<String> {
            let q = EventQuery {
                limit: q.limit.max(1),
                ..q
            };
            s.recent(&q)
                .unwrap()
                .into_iter()
                .map(|(i, _)| i.idempotency_key)
                .collect()
        };
        let all = EventQuery {
            limit: 10,
            ..Default::default()
        };
        assert_eq!(keys(all.clone()), ["d", "c", "b", "a"]);
        let stripe_refunds = EventQuery {
            connector: Some("stripe".into()),
            event_type: Some("REFUND_SUCCESS".into()),
            ..all.clone()
        };
        assert_eq!(keys(stripe_refunds.clone()), ["d", "c"]);
        let account_y = EventQuery {
            account: Some("y".into()),
            ..stripe_refunds
        };
        assert_eq!(keys(account_y), ["c"]);
        assert_eq!(
            keys(EventQuery {
                offset: 1,
                limit: 2,
                ..all.clone()
            }),
            ["c", "b"]
        );
        let dead = EventQuery {
            state: Some(State::Dead),
            ..all.clone()
        };
        assert!(keys(dead).is_empty());
        let future = EventQuery {
            since_ms: Some(now_ms() + 60_000),
            ..all.clone()
        };
        assert!(keys(future).is_empty());
        let past = EventQuery {
            until_ms: Some(now_ms() + 60_000),
            ..all
        };
        assert_eq!(keys(past).len(), 4);
        // The line comes with the row.
        let (_, line) = &s
            .recent(&EventQuery {
                limit: 1,
                ..Default::default()
            })
            .unwrap()[0];
        assert!(line.contains("REFUND_SUCCESS"));
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn concurrent_appends_share_commits() {
        let dir = temp("group");
        let s = Arc::new(SqliteStore::open(&dir).unwrap());
        let barrier = Arc::new(std::sync::Barrier::new(32));
        let handles: Vec<_> = (0..32)
            .map(|i| {
                let (s, barrier) = (Arc::clone(&s), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    s.append(vec![ev(&format!("k{i}"), "x")]).unwrap()
                })
            })
            .collect();
        for h in handles {
            assert!(matches!(h.join().unwrap()[0], Appended::Stored(_)));
        }
        let st = s.stats().unwrap();
        assert_eq!((st.pending, st.requests), (32, 32));
        // While one transaction is fsynced the next requests queue up and share the next.
        assert!(st.commits < st.requests, "{st:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ten_concurrent_appends_of_one_key_store_one() {
        let dir = temp("concurrent");
        let s = Arc::new(SqliteStore::open(&dir).unwrap());
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let s = Arc::clone(&s);
                std::thread::spawn(move || s.append(vec![ev("same", "x")]).unwrap())
            })
            .collect();
        let results: Vec<Appended> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        let stored = results
            .iter()
            .filter(|a| matches!(a, Appended::Stored(_)))
            .count();
        assert_eq!(stored, 1, "{results:?}");
        assert_eq!(s.stats().unwrap().pending, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_reopened_store_keeps_pending_events_and_history() {
        let dir = temp("reopen");
        let s = SqliteStore::open(&dir).unwrap();
        s.append(vec![ev("a", "x"), ev("b", "x"), ev("c", "x")])
            .unwrap();
        let lanes = s.due(now_ms(), 10).unwrap();
        let at = now_ms();
        s.record(vec![
            Attempt {
                seq: lanes[0][0].seq,
                at_ms: at,
                status: Some(200),
                error: None,
                state: State::Delivered,
                next_attempt_ms: 0,
            },
            Attempt {
                seq: lanes[0][1].seq,
                at_ms: at,
                status: Some(503),
                error: Some("status 503".into()),
                state: State::Pending,
                next_attempt_ms: at + 60_000,
            },
        ])
        .unwrap();
        drop(s);
        let s = SqliteStore::open(&dir).unwrap();
        let st = s.stats().unwrap();
        assert_eq!((st.pending, st.delivered), (2, 1));
        // The lane's head (b) is not due yet, so c waits behind it.
        assert!(s.due(now_ms(), 10).unwrap().is_empty());
        let lanes = s.due(at + 60_000, 10).unwrap();
        let keys: Vec<&str> = lanes[0]
            .iter()
            .map(|p| p.idempotency_key.as_str())
            .collect();
        assert_eq!(keys, ["b", "c"]);
        assert_eq!(lanes[0][0].attempts, 1);
        let (state, h) = s.history("b").unwrap().unwrap();
        assert_eq!(state, State::Pending);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].status, Some(503));
        assert_eq!(s.next_due().unwrap(), Some(at + 60_000));
        // Purging delivered rows frees their keys.
        assert_eq!(s.purge_delivered(now_ms() + 1).unwrap(), 1);
        assert!(s.history("a").unwrap().is_none());
        assert!(matches!(
            s.append(vec![ev("a", "x")]).unwrap()[0],
            Appended::Stored(_)
        ));
        s.close();
        assert_eq!(s.append(vec![ev("z", "x")]), Err(StoreError::Closed));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_data_dir_under_a_regular_file_cannot_be_opened() {
        let dir = temp("file");
        std::fs::write(&dir, "not a directory").unwrap();
        assert!(matches!(
            SqliteStore::open(&dir.join("data")),
            Err(StoreError::Io(_))
        ));
        let _ = std::fs::remove_file(&dir);
    }
}
