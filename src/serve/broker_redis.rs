//! Redis as the intake store (broker mode, `intake.redis`): several stateless instances share
//! one Redis stream.
//!
//! - Intake: one Lua script per webhook checks each event's dedup key, `XADD`s the new ones to
//!   the intake stream and sets their keys (expiring after the dedup window), atomically; the
//!   webhook is acknowledged once Redis answered (and, with `wait_replicas`, once `WAIT` saw
//!   the replicas take it).
//! - Delivery: a consumer group shared by all instances; each reads new entries with
//!   `XREADGROUP` under its own consumer name, delivers them with
//!   [`super::delivery::attempt`] and `XACK`s the delivered ones. A failed attempt leaves the
//!   entry pending and records when it is due again in the `<stream>:retry` hash; any instance
//!   claims it (`XCLAIM`, in a script so only one does) once due. An entry pending without a
//!   retry time (its consumer died mid-delivery) is claimed after `claim_idle_ms`. Attempts
//!   are counted from the entry's delivery count. Dead letters go to `<stream>:dead` and are
//!   acknowledged, in one script.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::intake::Broker;
use super::sink_redis::{dedup_key, manager, redact};
use super::AppState;
use crate::queue::{
    now_ms, Appended, Attempt, AttemptRecord, NewEvent, Pending, ReplaySelect, Replayed, State,
    Stats, Store, StoreError,
};

/// Redis as the intake store (`intake.redis`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisIntake {
    /// The server, e.g. `redis://127.0.0.1:6379`. Never logged with its password.
    pub url: String,
    /// The intake stream (default `hooknorm:intake`); dead letters go to `<stream>:dead`.
    #[serde(default)]
    pub stream: Option<String>,
    /// The consumer group all instances share (default `hooknorm`).
    #[serde(default)]
    pub group: Option<String>,
    /// This instance's consumer name (default `<hostname>-<pid>-<start time>`, unique per
    /// process).
    #[serde(default)]
    pub consumer: Option<String>,
    /// Dedup keys are `<dedup_prefix><connector>:<account>:<idempotency key>` (default
    /// `hooknorm:intake:seen:`); they expire after the config's `dedup_window_hours`.
    #[serde(default)]
    pub dedup_prefix: Option<String>,
    /// An entry pending this long without a retry time (its consumer died mid-delivery) is
    /// claimed by another instance (default 30,000 ms; keep it above the sink's timeout).
    #[serde(default)]
    pub claim_idle_ms: Option<u64>,
    /// Per Redis command (default 5,000 ms).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// After each append, `WAIT` for this many replicas to acknowledge it (default 0: the
    /// primary's answer, fsynced first with `appendfsync always`); fewer in time = 503.
    #[serde(default)]
    pub wait_replicas: Option<u32>,
    /// Deliveries in flight at once per instance (default 32): new entries are read as
    /// earlier ones finish, so one slow delivery does not hold the others up.
    #[serde(default)]
    pub batch: Option<usize>,
}

impl std::fmt::Debug for RedisIntake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisIntake")
            .field("url", &redact(&self.url))
            .field("stream", &self.stream)
            .field("group", &self.group)
            .field("consumer", &self.consumer)
            .field("dedup_prefix", &self.dedup_prefix)
            .field("claim_idle_ms", &self.claim_idle_ms)
            .field("timeout_ms", &self.timeout_ms)
            .field("wait_replicas", &self.wait_replicas)
            .field("batch", &self.batch)
            .finish()
    }
}

/// KEYS: the events' dedup keys, then the stream. ARGV: the window in ms, then per event its
/// idempotency key, connector, account and line. Returns per event the new entry's id, or
/// false for a duplicate. Atomic: a key is never set without its entry.
const APPEND: &str = r"
local n = #KEYS - 1
local out = {}
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    out[i] = false
  else
    local b = 1 + (i - 1) * 4
    local id = redis.call('XADD', KEYS[n + 1], '*', 'idempotency_key', ARGV[b + 1],
      'connector', ARGV[b + 2], 'account', ARGV[b + 3], 'line', ARGV[b + 4])
    redis.call('SET', KEYS[i], id, 'PX', ARGV[1])
    out[i] = id
  end
end
return out
";

/// KEYS: stream, retry hash, counters hash. ARGV: group, id. Acknowledges a delivered entry.
const ACK: &str = r"
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if acked == 1 then
  redis.call('HINCRBY', KEYS[3], 'delivered', 1)
end
redis.call('HDEL', KEYS[2], ARGV[2])
return acked
";

/// KEYS: stream, dead stream, retry hash. ARGV: group, id, key, connector, account, line,
/// error, attempts. Moves an entry to the dead letters: added there and acknowledged, once.
const DEAD: &str = r"
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if acked == 1 then
  redis.call('XADD', KEYS[2], '*', 'idempotency_key', ARGV[3], 'connector', ARGV[4],
    'account', ARGV[5], 'line', ARGV[6], 'error', ARGV[7], 'attempts', ARGV[8],
    'intake_id', ARGV[2])
end
redis.call('HDEL', KEYS[3], ARGV[2])
return acked
";

/// KEYS: stream, retry hash. ARGV: group, consumer, id, claim idle ms, now ms. Claims a
/// pending entry for this consumer when its retry is due, or, without a retry time, when it
/// has been idle for the claim time. Only one caller gets a due entry: the retry time is
/// removed with the claim, and the claim resets the idle time.
const CLAIM: &str = r"
local due = redis.call('HGET', KEYS[2], ARGV[3])
local min_idle = ARGV[4]
if due then
  if tonumber(due) > tonumber(ARGV[5]) then
    return {}
  end
  min_idle = 0
  redis.call('HDEL', KEYS[2], ARGV[3])
end
return redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], min_idle, ARGV[3])
";

/// KEYS: dead stream, stream. ARGV: the dead letter's id. Adds it to the intake stream again
/// (a new entry, delivered anew) and deletes it from the dead letters.
const REPLAY: &str = r"
local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #e == 0 then
  return false
end
local f = e[1][2]
local m = {}
for i = 1, #f, 2 do
  m[f[i]] = f[i + 1]
end
local id = redis.call('XADD', KEYS[2], '*', 'idempotency_key', m['idempotency_key'],
  'connector', m['connector'], 'account', m['account'], 'line', m['line'])
redis.call('XDEL', KEYS[1], ARGV[1])
return id
";

/// One stream entry: its id and fields.
type Entry = (String, Vec<(String, String)>);

/// The Redis intake.
pub(crate) struct RedisBroker {
    url: String,
    stream: String,
    dead: String,
    retry: String,
    counts: String,
    group: String,
    consumer: String,
    prefix: String,
    window_ms: u64,
    claim_idle_ms: u64,
    timeout: Duration,
    wait_replicas: u32,
    batch: usize,
    /// Commands (multiplexed, shared by all requests).
    conn: redis::aio::ConnectionManager,
    /// The consumer's blocking reads, on a connection of their own.
    reader: redis::aio::ConnectionManager,
    scripts: Scripts,
    handle: tokio::runtime::Handle,
    /// A runtime of its own when opened outside one (the `hooknorm queue` CLI).
    _runtime: Option<tokio::runtime::Runtime>,
}

struct Scripts {
    append: redis::Script,
    ack: redis::Script,
    dead: redis::Script,
    claim: redis::Script,
    replay: redis::Script,
}

/// How long a consumer's read blocks waiting for new entries.
const BLOCK_MS: u64 = 500;
/// How often pending entries are looked at for claims.
const RECLAIM_EVERY: Duration = Duration::from_millis(200);
/// How often the intake stream is trimmed to the dedup window.
const TRIM_EVERY: Duration = Duration::from_secs(600);

fn io(url: &str) -> impl Fn(redis::RedisError) -> StoreError + '_ {
    move |e| StoreError::Io(format!("redis {url}: {e}"))
}

/// The unix milliseconds and sequence of an entry id `<ms>-<n>`.
fn id_parts(id: &str) -> Option<(i64, i64)> {
    let (ms, n) = id.split_once('-')?;
    Some((ms.parse().ok()?, n.parse().ok()?))
}

/// An entry id as the store's sequence number: `ms × 1000 + n`.
fn seq_of(id: &str) -> i64 {
    id_parts(id).map_or(0, |(ms, n)| {
        ms.saturating_mul(1000).saturating_add(n.min(999))
    })
}

fn text(v: &redis::Value) -> Option<String> {
    match v {
        redis::Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        redis::Value::SimpleString(s) => Some(s.clone()),
        redis::Value::Int(i) => Some(i.to_string()),
        redis::Value::VerbatimString { text, .. } => Some(text.clone()),
        _ => None,
    }
}

fn int(v: &redis::Value) -> Option<i64> {
    match v {
        redis::Value::Int(i) => Some(*i),
        other => text(other)?.parse().ok(),
    }
}

fn items(v: &redis::Value) -> &[redis::Value] {
    match v {
        redis::Value::Array(a) | redis::Value::Set(a) => a,
        _ => &[],
    }
}

/// `[[id, [field, value, ...]], ...]` (XRANGE, XCLAIM; deleted entries are nil) → entries.
fn entries(v: &redis::Value) -> Vec<Entry> {
    items(v)
        .iter()
        .filter_map(|e| {
            let e = items(e);
            let id = text(e.first()?)?;
            let f = items(e.get(1)?);
            let fields = f
                .chunks(2)
                .filter_map(|kv| Some((text(kv.first()?)?, text(kv.get(1)?)?)))
                .collect();
            Some((id, fields))
        })
        .collect()
}

fn field<'a>(e: &'a Entry, name: &str) -> &'a str {
    e.1.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// A map reply (RESP2 flat array or RESP3 map) → (name, value) pairs.
fn pairs(v: &redis::Value) -> Vec<(String, redis::Value)> {
    match v {
        redis::Value::Map(m) => m
            .iter()
            .filter_map(|(k, v)| Some((text(k)?, v.clone())))
            .collect(),
        other => items(other)
            .chunks(2)
            .filter_map(|kv| Some((text(kv.first()?)?, kv.get(1)?.clone())))
            .collect(),
    }
}

fn is_nogroup(e: &redis::RedisError) -> bool {
    e.code() == Some("NOGROUP")
}

impl RedisBroker {
    /// Opens the intake (connections are made on first use, so a Redis that is down only
    /// fails the requests: webhooks get 503 until it is back).
    pub(crate) fn open(cfg: &RedisIntake, window_ms: u64) -> Result<RedisBroker, String> {
        let (handle, runtime) = match tokio::runtime::Handle::try_current() {
            Ok(h) => (h, None),
            Err(_) => {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .map_err(|e| format!("intake.redis: {e}"))?;
                (rt.handle().clone(), Some(rt))
            }
        };
        let stream = cfg
            .stream
            .clone()
            .unwrap_or_else(|| "hooknorm:intake".into());
        if stream.is_empty() {
            return Err("intake.redis.stream: empty".into());
        }
        let group = cfg.group.clone().unwrap_or_else(|| "hooknorm".into());
        if group.is_empty() {
            return Err("intake.redis.group: empty".into());
        }
        let timeout = Duration::from_millis(cfg.timeout_ms.unwrap_or(5000).max(1));
        let (conn, reader) = {
            let _guard = handle.enter();
            let conn = manager(&cfg.url, timeout, Duration::ZERO);
            let reader = manager(&cfg.url, timeout, Duration::from_millis(BLOCK_MS));
            (
                conn.map_err(|e| format!("intake.redis: {e}"))?,
                reader.map_err(|e| format!("intake.redis: {e}"))?,
            )
        };
        let consumer = cfg.consumer.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "hooknorm".into());
            format!("{host}-{}-{}", std::process::id(), now_ms())
        });
        Ok(RedisBroker {
            url: redact(&cfg.url),
            dead: format!("{stream}:dead"),
            retry: format!("{stream}:retry"),
            counts: format!("{stream}:counts"),
            stream,
            group,
            consumer,
            prefix: cfg
                .dedup_prefix
                .clone()
                .unwrap_or_else(|| "hooknorm:intake:seen:".into()),
            window_ms: window_ms.max(1),
            claim_idle_ms: cfg.claim_idle_ms.unwrap_or(30_000).max(1),
            timeout,
            wait_replicas: cfg.wait_replicas.unwrap_or(0),
            batch: cfg.batch.unwrap_or(32).clamp(1, 1000),
            conn,
            reader,
            scripts: Scripts {
                append: redis::Script::new(APPEND),
                ack: redis::Script::new(ACK),
                dead: redis::Script::new(DEAD),
                claim: redis::Script::new(CLAIM),
                replay: redis::Script::new(REPLAY),
            },
            handle,
            _runtime: runtime,
        })
    }

    /// What it is, for `hooknorm queue stats`.
    pub(crate) fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "broker": "redis",
            "url": self.url,
            "stream": self.stream,
            "dead_stream": self.dead,
            "group": self.group,
        })
    }

    /// Runs `f` on the runtime, within the command timeout (blocking; off the runtime's threads).
    fn block<T>(&self, f: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        let budget = self.timeout.saturating_mul(2);
        self.handle.block_on(async {
            tokio::time::timeout(budget, f)
                .await
                .unwrap_or_else(|_| Err(StoreError::Io(format!("redis {}: timed out", self.url))))
        })
    }

    async fn append_async(&self, events: &[NewEvent]) -> Result<Vec<Appended>, StoreError> {
        let mut inv = self.scripts.append.prepare_invoke();
        for e in events {
            inv.key(dedup_key(
                &self.prefix,
                &e.connector,
                &e.account,
                &e.idempotency_key,
            ));
        }
        inv.key(&self.stream).arg(self.window_ms);
        for e in events {
            inv.arg(&e.idempotency_key)
                .arg(&e.connector)
                .arg(&e.account)
                .arg(&e.line);
        }
        let mut conn = self.conn.clone();
        let ids: Vec<Option<String>> = inv.invoke_async(&mut conn).await.map_err(io(&self.url))?;
        if ids.len() != events.len() {
            return Err(StoreError::Io(format!(
                "redis {}: the append script answered {} ids for {} events",
                self.url,
                ids.len(),
                events.len()
            )));
        }
        if self.wait_replicas > 0 && ids.iter().any(Option::is_some) {
            let got: i64 = redis::cmd("WAIT")
                .arg(self.wait_replicas)
                .arg(self.timeout.as_millis() as u64)
                .query_async(&mut conn)
                .await
                .map_err(io(&self.url))?;
            if got < i64::from(self.wait_replicas) {
                return Err(StoreError::Io(format!(
                    "redis {}: {got} of {} replicas acknowledged the append",
                    self.url, self.wait_replicas
                )));
            }
        }
        Ok(ids
            .iter()
            .map(|id| match id {
                Some(id) => Appended::Stored(seq_of(id)),
                None => Appended::Duplicate,
            })
            .collect())
    }

    /// Creates the consumer group (from the stream's start, with the stream) unless it exists.
    async fn create_group(&self) -> Result<(), redis::RedisError> {
        let mut conn = self.conn.clone();
        let r: Result<redis::Value, _> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&self.stream)
            .arg(&self.group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut conn)
            .await;
        match r {
            Err(e) if e.code() != Some("BUSYGROUP") => Err(e),
            _ => Ok(()),
        }
    }

    /// Up to `count` new entries for this consumer (blocking up to [`BLOCK_MS`]).
    async fn read_new(&self, count: usize) -> Result<Vec<Entry>, redis::RedisError> {
        let mut reader = self.reader.clone();
        let v: redis::Value = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(&self.group)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(count)
            .arg("BLOCK")
            .arg(BLOCK_MS)
            .arg("STREAMS")
            .arg(&self.stream)
            .arg(">")
            .query_async(&mut reader)
            .await?;
        // [[stream, entries]] (RESP2) or {stream: entries} (RESP3); nil when none.
        Ok(pairs(&match v {
            redis::Value::Array(a) => {
                redis::Value::Array(a.iter().flat_map(|s| items(s).iter().cloned()).collect())
            }
            other => other,
        })
        .iter()
        .flat_map(|(_, e)| entries(e))
        .collect())
    }

    /// Pending entries due for a retry, or idle past the claim time, claimed for this consumer,
    /// with the deliveries each had before.
    ///
    /// Looks at up to 1,000 pending entries from `cursor` on, and leaves `cursor` where the next
    /// look starts (back at the beginning after the last page), so that a long pending list is
    /// gone through over several looks rather than only its head.
    async fn claim_due(&self, cursor: &mut String) -> Result<Vec<(Entry, u32)>, redis::RedisError> {
        let mut conn = self.conn.clone();
        let mut out = Vec::new();
        let start = cursor;
        for _page in 0..10 {
            let v: redis::Value = redis::cmd("XPENDING")
                .arg(&self.stream)
                .arg(&self.group)
                .arg("IDLE")
                .arg(50)
                .arg(start.as_str())
                .arg("+")
                .arg(100)
                .query_async(&mut conn)
                .await?;
            let rows: Vec<(String, i64, i64)> = items(&v)
                .iter()
                .filter_map(|r| {
                    let r = items(r);
                    Some((text(r.first()?)?, int(r.get(2)?)?, int(r.get(3)?)?))
                })
                .collect();
            if rows.is_empty() {
                "-".clone_into(start);
                break;
            }
            let mut hmget = redis::cmd("HMGET");
            hmget.arg(&self.retry);
            for (id, _, _) in &rows {
                hmget.arg(id);
            }
            let due: Vec<Option<i64>> = hmget.query_async(&mut conn).await?;
            let now = now_ms();
            for ((id, idle, deliveries), due) in rows.iter().zip(due) {
                let ready = match due {
                    Some(t) => t <= now,
                    None => *idle as u64 >= self.claim_idle_ms,
                };
                if !ready {
                    continue;
                }
                let claimed: redis::Value = self
                    .scripts
                    .claim
                    .key(&self.stream)
                    .key(&self.retry)
                    .arg(&self.group)
                    .arg(&self.consumer)
                    .arg(id)
                    .arg(self.claim_idle_ms)
                    .arg(now)
                    .invoke_async(&mut conn)
                    .await?;
                for e in entries(&claimed) {
                    out.push((e, (*deliveries).clamp(0, u32::MAX as i64) as u32));
                }
            }
            let last = rows.last().map(|r| r.0.clone()).unwrap_or_default();
            if rows.len() < 100 {
                "-".clone_into(start);
                break;
            }
            *start = format!("({last}");
        }
        Ok(out)
    }

    /// Delivers one entry (which had `attempts` deliveries before), then acknowledges,
    /// dead-letters or schedules it.
    async fn deliver(self: Arc<Self>, state: Arc<AppState>, e: Entry, attempts: u32) {
        let p = Pending {
            seq: seq_of(&e.0),
            idempotency_key: field(&e, "idempotency_key").to_string(),
            connector: field(&e, "connector").to_string(),
            account: field(&e, "account").to_string(),
            line: field(&e, "line").to_string(),
            attempts,
            created_ms: id_parts(&e.0).map_or(0, |(ms, _)| ms),
            next_attempt_ms: 0,
        };
        let st = Arc::clone(&state);
        let Ok((p, a)) = tokio::task::spawn_blocking(move || {
            let a = super::delivery::attempt(&st, &p);
            (p, a)
        })
        .await
        else {
            return;
        };
        let mut counts = [0u64; 3];
        counts[match a.state {
            State::Delivered => 0,
            State::Pending => 1,
            State::Dead => 2,
        }] += 1;
        state.metrics.deliveries(counts);
        if let Err(err) = self.settle(&e.0, &p, &a).await {
            tracing::warn!(error = %err, id = %e.0, "delivery outcome not recorded in redis; the entry will be delivered again");
        }
    }

    async fn settle(&self, id: &str, p: &Pending, a: &Attempt) -> Result<(), redis::RedisError> {
        let mut conn = self.conn.clone();
        match a.state {
            State::Delivered => {
                let _: i64 = self
                    .scripts
                    .ack
                    .key(&self.stream)
                    .key(&self.retry)
                    .key(&self.counts)
                    .arg(&self.group)
                    .arg(id)
                    .invoke_async(&mut conn)
                    .await?;
            }
            State::Dead => {
                let _: i64 = self
                    .scripts
                    .dead
                    .key(&self.stream)
                    .key(&self.dead)
                    .key(&self.retry)
                    .arg(&self.group)
                    .arg(id)
                    .arg(&p.idempotency_key)
                    .arg(&p.connector)
                    .arg(&p.account)
                    .arg(&p.line)
                    .arg(a.error.as_deref().unwrap_or(""))
                    .arg(p.attempts + 1)
                    .invoke_async(&mut conn)
                    .await?;
            }
            State::Pending => {
                let _: i64 = redis::cmd("HSET")
                    .arg(&self.retry)
                    .arg(id)
                    .arg(a.next_attempt_ms)
                    .query_async(&mut conn)
                    .await?;
            }
        }
        Ok(())
    }

    /// Trims the intake stream to the dedup window, never past an entry that is pending or not
    /// read yet.
    async fn trim(&self) -> Result<(), redis::RedisError> {
        let mut conn = self.conn.clone();
        let mut floor = (now_ms() - self.window_ms as i64, 0);
        let summary: redis::Value = redis::cmd("XPENDING")
            .arg(&self.stream)
            .arg(&self.group)
            .query_async(&mut conn)
            .await?;
        if let Some(oldest) = items(&summary)
            .get(1)
            .and_then(text)
            .and_then(|i| id_parts(&i))
        {
            floor = floor.min(oldest);
        }
        let groups: redis::Value = redis::cmd("XINFO")
            .arg("GROUPS")
            .arg(&self.stream)
            .query_async(&mut conn)
            .await?;
        let last = items(&groups)
            .iter()
            .map(pairs)
            .find(|g| {
                g.iter()
                    .any(|(k, v)| k == "name" && text(v).as_deref() == Some(&self.group))
            })
            .and_then(|g| {
                g.iter()
                    .find(|(k, _)| k == "last-delivered-id")
                    .and_then(|(_, v)| text(v))
            })
            .and_then(|i| id_parts(&i))
            .unwrap_or((0, 0));
        floor = floor.min(last);
        if floor.0 > 0 {
            let _: i64 = redis::cmd("XTRIM")
                .arg(&self.stream)
                .arg("MINID")
                .arg(format!("{}-{}", floor.0, floor.1))
                .query_async(&mut conn)
                .await?;
        }
        Ok(())
    }

    async fn stats_async(&self) -> Result<Stats, StoreError> {
        let mut conn = self.conn.clone();
        let err = io(&self.url);
        let len: u64 = redis::cmd("XLEN")
            .arg(&self.stream)
            .query_async(&mut conn)
            .await
            .map_err(&err)?;
        let dead: u64 = redis::cmd("XLEN")
            .arg(&self.dead)
            .query_async(&mut conn)
            .await
            .map_err(&err)?;
        let delivered: Option<u64> = redis::cmd("HGET")
            .arg(&self.counts)
            .arg("delivered")
            .query_async(&mut conn)
            .await
            .map_err(&err)?;
        let groups: redis::Value = if len > 0 {
            redis::cmd("XINFO")
                .arg("GROUPS")
                .arg(&self.stream)
                .query_async(&mut conn)
                .await
                .map_err(&err)?
        } else {
            redis::Value::Nil
        };
        let group = items(&groups).iter().map(pairs).find(|g| {
            g.iter()
                .any(|(k, v)| k == "name" && text(v).as_deref() == Some(&self.group))
        });
        let (pending, oldest) = match group {
            // No consumer yet: every entry is waiting.
            None => {
                let first: redis::Value = redis::cmd("XRANGE")
                    .arg(&self.stream)
                    .arg("-")
                    .arg("+")
                    .arg("COUNT")
                    .arg(1)
                    .query_async(&mut conn)
                    .await
                    .map_err(&err)?;
                let oldest = entries(&first).first().and_then(|e| id_parts(&e.0));
                (len, oldest.map(|(ms, _)| ms))
            }
            Some(g) => {
                let get = |name: &str| g.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
                let pel = get("pending").as_ref().and_then(int).unwrap_or(0).max(0) as u64;
                let last = get("last-delivered-id")
                    .as_ref()
                    .and_then(text)
                    .unwrap_or_else(|| "0-0".into());
                let unread: redis::Value = redis::cmd("XRANGE")
                    .arg(&self.stream)
                    .arg(format!("({last}"))
                    .arg("+")
                    .arg("COUNT")
                    .arg(1)
                    .query_async(&mut conn)
                    .await
                    .map_err(&err)?;
                let first_unread = entries(&unread).first().and_then(|e| id_parts(&e.0));
                let lag = match get("lag").as_ref().and_then(int) {
                    Some(l) => l.max(0) as u64,
                    // Not known to Redis (deletions in the range): count the unread entries.
                    None if first_unread.is_some() => {
                        let rest: redis::Value = redis::cmd("XRANGE")
                            .arg(&self.stream)
                            .arg(format!("({last}"))
                            .arg("+")
                            .arg("COUNT")
                            .arg(100_000)
                            .query_async(&mut conn)
                            .await
                            .map_err(&err)?;
                        items(&rest).len() as u64
                    }
                    None => 0,
                };
                let summary: redis::Value = redis::cmd("XPENDING")
                    .arg(&self.stream)
                    .arg(&self.group)
                    .query_async(&mut conn)
                    .await
                    .map_err(&err)?;
                let oldest_pel = items(&summary)
                    .get(1)
                    .and_then(text)
                    .and_then(|i| id_parts(&i));
                let oldest = [oldest_pel, first_unread]
                    .into_iter()
                    .flatten()
                    .min()
                    .map(|(ms, _)| ms);
                (pel + lag, oldest)
            }
        };
        Ok(Stats {
            pending,
            delivered: delivered.unwrap_or(0),
            dead,
            oldest_pending_ms: oldest,
            commits: 0,
            requests: 0,
        })
    }

    async fn replay_dead(&self) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn.clone();
        let err = io(&self.url);
        let mut out = Vec::new();
        loop {
            let v: redis::Value = redis::cmd("XRANGE")
                .arg(&self.dead)
                .arg("-")
                .arg("+")
                .arg("COUNT")
                .arg(100)
                .query_async(&mut conn)
                .await
                .map_err(&err)?;
            let dead = entries(&v);
            if dead.is_empty() {
                return Ok(out);
            }
            for (id, _) in dead {
                let new: Option<String> = self
                    .scripts
                    .replay
                    .key(&self.dead)
                    .key(&self.stream)
                    .arg(&id)
                    .invoke_async(&mut conn)
                    .await
                    .map_err(&err)?;
                out.extend(new.as_deref().map(seq_of));
            }
        }
    }

    /// The consumer loop.
    async fn run(self: Arc<Self>, state: Arc<AppState>) {
        let mut group_ready = false;
        let mut last_claim = Instant::now();
        let mut last_trim: Option<Instant> = None;
        let mut warned = false;
        // Deliveries in flight: new entries are read while slow ones go on, up to `batch`.
        let mut inflight = tokio::task::JoinSet::new();
        let mut cursor = "-".to_string();
        loop {
            if !group_ready {
                match tokio::time::timeout(self.timeout, self.create_group()).await {
                    Ok(Ok(())) => {
                        group_ready = true;
                        warned = false;
                        tracing::info!(url = %self.url, stream = %self.stream, group = %self.group, consumer = %self.consumer, "redis intake consumer ready");
                    }
                    Ok(Err(e)) => {
                        if !warned {
                            tracing::warn!(url = %self.url, error = %e, "redis intake: no consumer group yet; retrying");
                            warned = true;
                        }
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        continue;
                    }
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        continue;
                    }
                }
            }
            while inflight.try_join_next().is_some() {}
            let budget = self.timeout + Duration::from_millis(BLOCK_MS);
            let room = self.batch.saturating_sub(inflight.len());
            if room == 0 {
                // As many deliveries in flight as allowed: wait for one to finish.
                let _ = tokio::time::timeout(budget, inflight.join_next()).await;
            } else {
                match tokio::time::timeout(budget, self.read_new(room)).await {
                    Ok(Ok(new)) => {
                        for e in new {
                            let (me, st) = (Arc::clone(&self), Arc::clone(&state));
                            inflight.spawn(me.deliver(st, e, 0));
                        }
                    }
                    Ok(Err(e)) => {
                        if is_nogroup(&e) {
                            group_ready = false;
                        } else {
                            tracing::warn!(url = %self.url, error = %e, "redis intake: read failed");
                            tokio::time::sleep(Duration::from_millis(250)).await;
                        }
                        continue;
                    }
                    Err(_) => continue,
                }
            }
            if last_claim.elapsed() >= RECLAIM_EVERY {
                last_claim = Instant::now();
                match tokio::time::timeout(budget, self.claim_due(&mut cursor)).await {
                    Ok(Ok(claimed)) => {
                        for (e, attempts) in claimed {
                            let (me, st) = (Arc::clone(&self), Arc::clone(&state));
                            inflight.spawn(me.deliver(st, e, attempts));
                        }
                    }
                    Ok(Err(e)) if is_nogroup(&e) => group_ready = false,
                    Ok(Err(e)) => {
                        tracing::warn!(url = %self.url, error = %e, "redis intake: claiming pending entries failed")
                    }
                    Err(_) => {}
                }
            }
            if last_trim.is_none_or(|t| t.elapsed() >= TRIM_EVERY) {
                last_trim = Some(Instant::now());
                if let Ok(Err(e)) = tokio::time::timeout(self.timeout, self.trim()).await {
                    tracing::warn!(url = %self.url, error = %e, "redis intake: trimming failed");
                }
            }
        }
    }
}

/// What the embedded store does that broker mode does not.
fn unsupported(what: &str) -> StoreError {
    StoreError::Io(format!(
        "{what} is not available in broker mode (intake.redis); see `hooknorm queue stats` and `replay --dead`"
    ))
}

impl Store for RedisBroker {
    fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        self.block(self.append_async(&events))
    }
    fn due(&self, _: i64, _: usize) -> Result<Vec<Vec<Pending>>, StoreError> {
        Ok(Vec::new())
    }
    fn next_due(&self) -> Result<Option<i64>, StoreError> {
        Ok(None)
    }
    fn record(&self, _: Vec<Attempt>) -> Result<(), StoreError> {
        Err(unsupported("recording attempts"))
    }
    fn purge_delivered(&self, _: i64) -> Result<u64, StoreError> {
        Err(unsupported(
            "purge (the intake stream is trimmed to the dedup window by the consumers)",
        ))
    }
    fn stats(&self) -> Result<Stats, StoreError> {
        self.block(self.stats_async())
    }
    fn history(&self, _: &str) -> Result<Option<(State, Vec<AttemptRecord>)>, StoreError> {
        Err(unsupported("an event's attempt history"))
    }
    fn list(&self, _: Option<State>, _: usize) -> Result<Vec<crate::queue::EventInfo>, StoreError> {
        Err(unsupported("list"))
    }
    fn event(&self, _: i64) -> Result<Option<crate::queue::EventDetail>, StoreError> {
        Err(unsupported("show"))
    }
    fn replay(&self, which: ReplaySelect) -> Result<Replayed, StoreError> {
        match which {
            ReplaySelect::Dead => self.block(self.replay_dead()).map(Replayed::Done),
            ReplaySelect::Ids(_) => Err(unsupported("replay by id")),
        }
    }
}

impl Broker for RedisBroker {
    fn consume(self: Arc<Self>, state: Arc<AppState>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(self.run(state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_become_sequence_numbers() {
        assert_eq!(id_parts("1700000000000-3"), Some((1_700_000_000_000, 3)));
        assert_eq!(seq_of("1700000000000-3"), 1_700_000_000_000_003);
        assert_eq!(id_parts("nonsense"), None);
        assert_eq!(seq_of("x-y"), 0);
    }

    #[test]
    fn stream_replies_are_parsed() {
        use redis::Value::{Array, BulkString};
        let b = |s: &str| BulkString(s.as_bytes().to_vec());
        let v = Array(vec![
            Array(vec![
                b("1-0"),
                Array(vec![b("line"), b("{}"), b("account"), b("a")]),
            ]),
            redis::Value::Nil,
        ]);
        let e = entries(&v);
        assert_eq!(e.len(), 1);
        assert_eq!(field(&e[0], "account"), "a");
        assert_eq!(field(&e[0], "missing"), "");
    }

    #[test]
    fn the_debug_form_hides_the_password() {
        let cfg: RedisIntake = serde_yaml_ng::from_str("url: redis://:hunter2@h:1").unwrap();
        assert!(!format!("{cfg:?}").contains("hunter2"));
    }
}
