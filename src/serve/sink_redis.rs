//! The Redis Streams sink: each event is `XADD`ed to a stream, at most once per idempotency key
//! across every instance sharing the Redis, through one Lua script that checks the dedup key,
//! adds the entry and sets the key, atomically.

use std::time::Duration;

use serde::Deserialize;

use super::delivery::{Policy, Try};
use crate::queue::Pending;

/// Delivery to a Redis stream (`sink.redis`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSink {
    /// The server, e.g. `redis://127.0.0.1:6379` (`redis://:PASSWORD@host:port/DB`,
    /// `rediss://` for TLS is not built in). Never logged with its password.
    pub url: String,
    /// The stream (default `hooknorm:events`). `{connector}`, `{account}` and `{event_type}`
    /// in it are replaced by the event's, for a stream per connector or event type.
    #[serde(default)]
    pub stream: Option<String>,
    /// Dedup keys are `<dedup_prefix><connector>:<account>:<idempotency key>` (default
    /// `hooknorm:sink:seen:`).
    #[serde(default)]
    pub dedup_prefix: Option<String>,
    /// How long a dedup key lives (default: the config's `dedup_window_hours`, 7 days).
    #[serde(default)]
    pub dedup_window_secs: Option<u64>,
    /// Attempts in all before an event becomes a dead letter (default 25).
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// First backoff; doubles after each failure, with jitter (default 200 ms).
    #[serde(default)]
    pub backoff_ms: Option<u64>,
    /// The longest backoff (default 300,000 ms, 5 minutes).
    #[serde(default)]
    pub max_backoff_ms: Option<u64>,
    /// An event older than this is a dead letter after its next failed attempt (default
    /// 259,200 s, 3 days).
    #[serde(default)]
    pub max_age_secs: Option<u64>,
    /// Per attempt: the connection and the script's answer (default 5 s).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl std::fmt::Debug for RedisSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSink")
            .field("url", &redact(&self.url))
            .field("stream", &self.stream)
            .field("dedup_prefix", &self.dedup_prefix)
            .field("dedup_window_secs", &self.dedup_window_secs)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_ms", &self.backoff_ms)
            .field("max_backoff_ms", &self.max_backoff_ms)
            .field("max_age_secs", &self.max_age_secs)
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// A Redis URL without its password (`redis://user:***@host`), for logs and errors.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<redis url>".into();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        None => url.to_string(),
        Some(at) => {
            let user = rest[..at].split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{}", &rest[at + 1..])
        }
    }
}

/// `:` and `%` escaped, so that `<connector>:<account>:<key>` is unambiguous.
pub(crate) fn key_part(s: &str) -> String {
    s.replace('%', "%25").replace(':', "%3A")
}

/// The dedup key of an event: `<prefix><connector>:<account>:<idempotency key>`.
pub(crate) fn dedup_key(prefix: &str, connector: &str, account: &str, key: &str) -> String {
    format!(
        "{prefix}{}:{}:{}",
        key_part(connector),
        key_part(account),
        key_part(key)
    )
}

/// The event type of a delivered line (`event.event_type`), or empty.
pub(crate) fn event_type(line: &str) -> String {
    serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .and_then(|v| v["event"]["event_type"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// KEYS[1] dedup key, KEYS[2] stream; ARGV window ms, then the entry's fields and values.
/// Adds the entry unless the key exists, then sets the key to the entry's id with the window
/// as expiry. The script runs atomically, and Redis persists (AOF) and replicates its writes
/// as one transaction: the key is never set without the entry. Returns the new entry's id, or
/// false for a duplicate.
const ADD_ONCE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then
  return false
end
local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
redis.call('SET', KEYS[1], id, 'PX', ARGV[1])
return id
";

/// A lazily connected, self-reconnecting connection to `url` whose commands time out after
/// `timeout` (a blocking command needs a longer one: `extra`).
pub(crate) fn manager(
    url: &str,
    timeout: Duration,
    extra: Duration,
) -> Result<redis::aio::ConnectionManager, String> {
    let client = redis::Client::open(url).map_err(|e| format!("{}: {e}", redact(url)))?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout + extra))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(500));
    redis::aio::ConnectionManager::new_lazy_with_config(client, config)
        .map_err(|e| format!("{}: {e}", redact(url)))
}

/// The Redis Streams sink.
pub(crate) struct Redis {
    url: String,
    stream: String,
    prefix: String,
    window_ms: u64,
    timeout: Duration,
    pub(crate) policy: Policy,
    script: redis::Script,
    /// The runtime the (blocking) lane workers run commands on.
    handle: tokio::runtime::Handle,
    conn: redis::aio::ConnectionManager,
}

impl Redis {
    pub(crate) fn of(r: &RedisSink) -> Result<Redis, String> {
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| "sink.redis needs the tokio runtime".to_string())?;
        let stream = r.stream.clone().unwrap_or_else(|| "hooknorm:events".into());
        if stream.is_empty() {
            return Err("sink.redis.stream: empty".into());
        }
        let timeout = Duration::from_millis(r.timeout_ms.unwrap_or(5000).max(1));
        let conn = {
            let _guard = handle.enter();
            manager(&r.url, timeout, Duration::ZERO).map_err(|e| format!("sink.redis: {e}"))?
        };
        Ok(Redis {
            url: redact(&r.url),
            stream,
            prefix: r
                .dedup_prefix
                .clone()
                .unwrap_or_else(|| "hooknorm:sink:seen:".into()),
            window_ms: r
                .dedup_window_secs
                .unwrap_or(7 * 24 * 3600)
                .saturating_mul(1000)
                .max(1),
            timeout,
            policy: Policy::from_config(
                r.max_attempts,
                r.backoff_ms,
                r.max_backoff_ms,
                r.max_age_secs,
            ),
            script: redis::Script::new(ADD_ONCE),
            handle,
            conn,
        })
    }

    /// The stream of an event: the configured name with its placeholders filled.
    fn stream_of(&self, p: &Pending, event_type: &str) -> String {
        self.stream
            .replace("{connector}", &p.connector)
            .replace("{account}", &p.account)
            .replace("{event_type}", event_type)
    }

    /// Runs the script: `Some(id)` added, `None` a duplicate.
    async fn add(&self, p: &Pending) -> Result<Option<String>, String> {
        let event_type = event_type(&p.line);
        let mut conn = self.conn.clone();
        self.script
            .key(dedup_key(
                &self.prefix,
                &p.connector,
                &p.account,
                &p.idempotency_key,
            ))
            .key(self.stream_of(p, &event_type))
            .arg(self.window_ms)
            .arg("idempotency_key")
            .arg(&p.idempotency_key)
            .arg("connector")
            .arg(&p.connector)
            .arg("account")
            .arg(&p.account)
            .arg("event_type")
            .arg(&event_type)
            .arg("event")
            .arg(&p.line)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| format!("{}: {e}", self.url))
    }

    /// One attempt, from a blocking lane worker: delivered once the script answered (the entry
    /// added, or already there).
    pub(crate) fn attempt(&self, p: &Pending) -> Try {
        let budget = self.timeout.saturating_mul(2);
        match self
            .handle
            .block_on(async { tokio::time::timeout(budget, self.add(p)).await })
        {
            Ok(Ok(_)) => Try::Delivered(None),
            Ok(Err(e)) => Try::Failed(None, e),
            Err(_) => Try::Failed(None, format!("{}: timed out", self.url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact("redis://:s3cret@127.0.0.1:6379/0"),
            "redis://:***@127.0.0.1:6379/0"
        );
        assert_eq!(redact("redis://user:s3cret@h:1"), "redis://user:***@h:1");
        assert_eq!(redact("redis://h:1/2"), "redis://h:1/2");
        assert!(!redact("nonsense:s3cret").contains("s3cret"));
    }

    #[test]
    fn dedup_keys_are_unambiguous() {
        assert_ne!(
            dedup_key("p:", "a:b", "c", "k"),
            dedup_key("p:", "a", "b:c", "k")
        );
        assert_eq!(
            dedup_key("p:", "stripe", "default", "evt_1"),
            "p:stripe:default:evt_1"
        );
        assert_eq!(key_part("a%3A:"), "a%253A%3A");
    }

    #[test]
    fn the_debug_form_hides_the_password() {
        let cfg: RedisSink = serde_yaml_ng::from_str("url: redis://:hunter2@h:1").unwrap();
        assert!(!format!("{cfg:?}").contains("hunter2"));
    }
}
