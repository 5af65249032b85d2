//! The delivery worker: takes pending events from the store and delivers them to the sink, at
//! least once, in arrival order per (connector, account), recording each attempt.

use std::sync::Arc;
use std::time::Duration;

use std::io::Write as _;
use std::path::PathBuf;

use super::{AppState, FileSink, HttpSink, NatsSink, SinkConfig};
use crate::queue::{now_ms, Attempt, Pending, State};

/// Events taken from one lane per round.
const PER_LANE: usize = 64;
/// The longest sleep between looks at the store.
const IDLE: Duration = Duration::from_secs(1);
/// How often delivered rows past the dedup window are purged.
const PURGE_EVERY_MS: i64 = 3_600_000;

/// Retry policy of the HTTP sink.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    pub(crate) max_attempts: u32,
    pub(crate) backoff_ms: u64,
    pub(crate) max_backoff_ms: u64,
    pub(crate) max_age_ms: i64,
}

impl Policy {
    pub(crate) fn of(h: &HttpSink) -> Policy {
        let attempts = h.max_attempts.or(h.retries.map(|r| r.saturating_add(1)));
        Policy::from_config(attempts, h.backoff_ms, h.max_backoff_ms, h.max_age_secs)
    }

    pub(crate) fn of_file(f: &FileSink) -> Policy {
        Policy::from_config(
            f.max_attempts,
            f.backoff_ms,
            f.max_backoff_ms,
            f.max_age_secs,
        )
    }

    pub(crate) fn of_nats(n: &NatsSink) -> Policy {
        Policy::from_config(
            n.max_attempts,
            n.backoff_ms,
            n.max_backoff_ms,
            n.max_age_secs,
        )
    }

    /// A sink's retry keys with their defaults: 25 attempts, 200 ms first backoff, 5 min at
    /// most between attempts, dead after 3 days.
    pub(crate) fn from_config(
        max_attempts: Option<u32>,
        backoff_ms: Option<u64>,
        max_backoff_ms: Option<u64>,
        max_age_secs: Option<u64>,
    ) -> Policy {
        Policy {
            max_attempts: max_attempts.unwrap_or(25).max(1),
            backoff_ms: backoff_ms.unwrap_or(200),
            max_backoff_ms: max_backoff_ms.unwrap_or(300_000),
            max_age_ms: max_age_secs.unwrap_or(259_200).saturating_mul(1000) as i64,
        }
    }

    /// The wait after the `attempts`-th failed attempt: exponential, capped, with jitter (half
    /// fixed, half random).
    fn backoff(&self, attempts: u32, seed: u64) -> i64 {
        let exp = self
            .backoff_ms
            .saturating_mul(1u64 << attempts.saturating_sub(1).min(40))
            .min(self.max_backoff_ms);
        let half = exp / 2;
        (half + splitmix(seed) % (exp - half + 1)) as i64
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Where events go.
pub(crate) enum Sink {
    /// JSON lines on stdout.
    Stdout,
    /// POST to the host app.
    Http {
        url: String,
        /// Built once so that deliveries reuse connections.
        agent: ureq::Agent,
        policy: Policy,
        /// hooknorm's Standard Webhooks HMAC key (none: POSTs are not signed). Never logged.
        key: Option<Vec<u8>>,
    },
    /// JSON lines appended to a file, fsynced.
    File {
        path: PathBuf,
        policy: Policy,
        /// One writer at a time, so that lines from parallel lanes never interleave.
        lock: std::sync::Mutex<()>,
    },
    /// Published to a NATS JetStream stream; delivered on its PubAck.
    Nats(Box<Nats>),
    /// Added to a Redis stream, once per idempotency key.
    Redis(Box<super::sink_redis::Redis>),
}

impl Sink {
    /// The sink's kind, as the `sink` label of the delivery metrics.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Sink::Stdout => "stdout",
            Sink::Http { .. } => "http",
            Sink::File { .. } => "file",
            Sink::Nats(_) => "nats",
            Sink::Redis(_) => "redis",
        }
    }
}

/// The NATS JetStream sink.
pub(crate) struct Nats {
    url: String,
    stream: String,
    prefix: String,
    duplicate_window: Duration,
    timeout: Duration,
    policy: Policy,
    /// The runtime the (blocking) lane workers publish on.
    handle: tokio::runtime::Handle,
    /// The JetStream context once connected and the stream exists; (re)made by the next attempt
    /// after a failed connection.
    ctx: tokio::sync::Mutex<Option<async_nats::jetstream::Context>>,
}

/// A NATS subject token: `.`, `*`, `>` and whitespace become `_`; empty becomes `_`.
pub(crate) fn subject_token(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if matches!(c, '.' | '*' | '>') || c.is_whitespace() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if t.is_empty() {
        "_".into()
    } else {
        t
    }
}

impl Nats {
    fn of(n: &NatsSink) -> Result<Nats, String> {
        let prefix = n
            .subject_prefix
            .clone()
            .unwrap_or_else(|| "hooknorm".into());
        if prefix
            .split('.')
            .any(|t| t.is_empty() || t != subject_token(t))
        {
            return Err(format!(
                "sink.nats.subject_prefix `{prefix}`: dot-separated tokens without `*`, `>` or whitespace"
            ));
        }
        let stream = n.stream.clone().unwrap_or_else(|| "HOOKNORM".into());
        if stream.is_empty() || stream != subject_token(&stream) {
            return Err(format!(
                "sink.nats.stream `{stream}`: a name without `.`, `*`, `>` or whitespace"
            ));
        }
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| "sink.nats needs the tokio runtime".to_string())?;
        Ok(Nats {
            url: n.url.clone(),
            stream,
            prefix,
            duplicate_window: Duration::from_secs(n.duplicate_window_secs.unwrap_or(120)),
            timeout: Duration::from_millis(n.timeout_ms.unwrap_or(5000)),
            policy: Policy::of_nats(n),
            handle,
            ctx: tokio::sync::Mutex::new(None),
        })
    }

    /// Connects and creates the stream if it does not exist.
    async fn connect(&self) -> Result<async_nats::jetstream::Context, String> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(self.timeout)
            .connect(self.url.as_str())
            .await
            .map_err(|e| format!("{}: {e}", self.url))?;
        let mut ctx = async_nats::jetstream::new(client);
        ctx.set_timeout(self.timeout);
        ctx.get_or_create_stream(async_nats::jetstream::stream::Config {
            name: self.stream.clone(),
            subjects: vec![format!("{}.>", self.prefix)],
            duplicate_window: self.duplicate_window,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("stream {}: {e}", self.stream))?;
        Ok(ctx)
    }

    /// Connects (and creates the stream) at start; a failure is only logged, the first delivery
    /// tries again.
    pub(crate) async fn start(&self) {
        let mut guard = self.ctx.lock().await;
        match tokio::time::timeout(self.timeout, self.connect()).await {
            Ok(Ok(ctx)) => {
                tracing::info!(url = %self.url, stream = %self.stream, "NATS JetStream sink ready");
                *guard = Some(ctx);
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "NATS sink not ready; delivery will retry"),
            Err(_) => {
                tracing::warn!(url = %self.url, "NATS sink: connection timed out; delivery will retry")
            }
        }
    }

    /// The subject of an event: `<prefix>.<connector>.<event_type>`.
    fn subject(&self, p: &Pending) -> String {
        let event_type = serde_json::from_str::<serde_json::Value>(&p.line)
            .ok()
            .and_then(|v| v["event"]["event_type"].as_str().map(str::to_string))
            .unwrap_or_default();
        format!(
            "{}.{}.{}",
            self.prefix,
            subject_token(&p.connector),
            subject_token(&event_type)
        )
    }

    /// Publishes with `Nats-Msg-Id` = the idempotency key and waits for the PubAck.
    async fn publish(&self, p: &Pending) -> Result<(), String> {
        let mut guard = self.ctx.lock().await;
        let ctx = match guard.as_ref() {
            Some(c) => c.clone(),
            None => {
                let c = self.connect().await?;
                *guard = Some(c.clone());
                c
            }
        };
        drop(guard);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            async_nats::header::NATS_MESSAGE_ID,
            p.idempotency_key.as_str(),
        );
        let ack = ctx
            .publish_with_headers(self.subject(p), headers, p.line.clone().into())
            .await
            .map_err(|e| format!("publish: {e}"))?;
        ack.await.map_err(|e| format!("no PubAck: {e}"))?;
        Ok(())
    }

    /// One attempt, from a blocking lane worker.
    fn attempt(&self, p: &Pending) -> Try {
        let budget = self.timeout.saturating_mul(3);
        match self
            .handle
            .block_on(async { tokio::time::timeout(budget, self.publish(p)).await })
        {
            Ok(Ok(())) => Try::Delivered(None),
            Ok(Err(e)) => Try::Failed(None, e),
            Err(_) => Try::Failed(None, "timed out".into()),
        }
    }
}

impl Sink {
    /// The sink the config asks for; `env` reads the signing secret's variable.
    pub(crate) fn of(
        cfg: &SinkConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Sink, String> {
        if cfg.nats.is_some() && (cfg.http.is_some() || cfg.file.is_some() || cfg.redis.is_some()) {
            return Err("sink: give one of http, file, nats, redis".into());
        }
        if let Some(n) = &cfg.nats {
            return Ok(Sink::Nats(Box::new(Nats::of(n)?)));
        }
        if let Some(r) = &cfg.redis {
            if cfg.http.is_some() || cfg.file.is_some() {
                return Err("sink: give one of http, file, nats, redis".into());
            }
            return Ok(Sink::Redis(Box::new(super::sink_redis::Redis::of(r)?)));
        }
        match (&cfg.http, &cfg.file) {
            (Some(_), Some(_)) => Err("sink: give one of http, file, nats, redis".into()),
            (Some(h), None) => {
                let key = h.signing_key(env)?;
                if key.is_none() {
                    tracing::warn!("sink.http has no signing_secret: POSTs to the host are not signed (no webhook-signature header)");
                }
                let agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_millis(h.timeout_ms.unwrap_or(5000))))
                    .http_status_as_error(false)
                    .build()
                    .new_agent();
                Ok(Sink::Http {
                    url: h.url.clone(),
                    agent,
                    policy: Policy::of(h),
                    key,
                })
            }
            (None, Some(f)) => Ok(Sink::File {
                path: f.path.clone(),
                policy: Policy::of_file(f),
                lock: std::sync::Mutex::new(()),
            }),
            (None, None) => Ok(Sink::Stdout),
        }
    }
}

/// What one attempt came to.
pub(crate) enum Try {
    Delivered(Option<u16>),
    /// Not retried (a 4xx other than 408 and 429).
    Rejected(u16),
    Failed(Option<u16>, String),
}

/// The Standard Webhooks `webhook-signature` value: `v1,` + base64 of HMAC-SHA256 over
/// `{id}.{timestamp}.{body}`.
pub(crate) fn sign(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

fn post(url: &str, agent: &ureq::Agent, key: Option<&[u8]>, p: &Pending) -> Try {
    let mut req = agent.post(url).header("content-type", "application/json");
    if let Some(key) = key {
        let ts = now_ms().div_euclid(1000);
        req = req
            .header("webhook-id", &p.idempotency_key)
            .header("webhook-timestamp", ts.to_string())
            .header(
                "webhook-signature",
                sign(key, &p.idempotency_key, ts, &p.line),
            );
    }
    match req.send(p.line.as_bytes()) {
        Ok(r) => {
            let s = r.status().as_u16();
            match s {
                200..=299 => Try::Delivered(Some(s)),
                408 | 429 => Try::Failed(Some(s), format!("status {s}")),
                400..=499 => Try::Rejected(s),
                _ => Try::Failed(Some(s), format!("status {s}")),
            }
        }
        Err(e) => Try::Failed(None, e.to_string()),
    }
}

/// Appends `text` to the file and fsyncs it.
fn append(path: &PathBuf, text: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text)?;
    f.sync_data()
}

/// One delivery attempt of one event to the configured sink, and the event's state after it
/// under the sink's retry policy (pending with the next attempt's time, delivered, or dead).
/// Blocking. Broker-mode consumers deliver with this, one message at a time.
pub(crate) fn attempt(state: &AppState, p: &Pending) -> Attempt {
    let (policy, name) = match &state.sink {
        Sink::Stdout => (Policy::from_config(None, None, None, None), "stdout"),
        Sink::File { policy, .. } => (*policy, "file"),
        Sink::Http { policy, .. } => (*policy, "http"),
        Sink::Nats(n) => (n.policy, "nats"),
        Sink::Redis(r) => (r.policy, "redis"),
    };
    attempt_with(state, p, policy, name)
}

fn attempt_with(state: &AppState, p: &Pending, policy: Policy, name: &str) -> Attempt {
    let result = match &state.sink {
        Sink::Http {
            url, agent, key, ..
        } => post(url, agent, key.as_deref(), p),
        Sink::File { path, lock, .. } => {
            let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            match append(path, format!("{}\n", p.line).as_bytes()) {
                Ok(()) => Try::Delivered(None),
                Err(e) => Try::Failed(None, format!("{}: {e}", path.display())),
            }
        }
        Sink::Nats(n) => n.attempt(p),
        Sink::Redis(r) => r.attempt(p),
        Sink::Stdout => {
            let mut stdout = std::io::stdout().lock();
            match writeln!(stdout, "{}", p.line).and_then(|()| stdout.flush()) {
                Ok(()) => Try::Delivered(None),
                Err(e) => Try::Failed(None, format!("stdout: {e}")),
            }
        }
    };
    let at = now_ms();
    let attempts = p.attempts + 1;
    let (state_after, status, error, next) = match result {
        Try::Delivered(s) => (State::Delivered, s, None, 0),
        Try::Rejected(s) => (
            State::Dead,
            Some(s),
            Some(format!("status {s}: not retried")),
            0,
        ),
        Try::Failed(s, why) => {
            if attempts >= policy.max_attempts || at - p.created_ms >= policy.max_age_ms {
                (State::Dead, s, Some(why), 0)
            } else {
                let wait = policy.backoff(attempts, p.seq as u64 ^ at as u64);
                (State::Pending, s, Some(why), at + wait)
            }
        }
    };
    if let Some(e) = &error {
        tracing::warn!(sink = name, attempt = attempts, idempotency_key = %p.idempotency_key, state = state_after.as_str(), error = %e, "delivery failed");
    }
    Attempt {
        seq: p.seq,
        at_ms: at,
        status,
        error,
        state: state_after,
        next_attempt_ms: next,
    }
}

/// Delivers one lane's events in order (blocking). Stops at the first event that must wait for
/// a retry; dead letters do not hold the lane up.
fn deliver_lane(state: &AppState, lane: Vec<Pending>) -> Vec<Attempt> {
    let mut out = Vec::with_capacity(lane.len());
    let (policy, name) = match &state.sink {
        Sink::Stdout => {
            let mut stdout = std::io::stdout().lock();
            let mut ok = true;
            for p in &lane {
                ok &= writeln!(stdout, "{}", p.line).is_ok();
            }
            ok &= stdout.flush().is_ok();
            let at = now_ms();
            for p in lane {
                out.push(Attempt {
                    seq: p.seq,
                    at_ms: at,
                    status: None,
                    error: (!ok).then(|| "stdout write failed".to_string()),
                    state: if ok { State::Delivered } else { State::Pending },
                    next_attempt_ms: if ok { 0 } else { at + 1000 },
                });
            }
            return out;
        }
        Sink::File { path, policy, lock } => {
            // The whole lane in one write and one fsync; on failure, event by event below.
            let text: String = lane.iter().map(|p| format!("{}\n", p.line)).collect();
            let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            if append(path, text.as_bytes()).is_ok() {
                drop(guard);
                let at = now_ms();
                for p in lane {
                    out.push(Attempt {
                        seq: p.seq,
                        at_ms: at,
                        status: None,
                        error: None,
                        state: State::Delivered,
                        next_attempt_ms: 0,
                    });
                }
                return out;
            }
            drop(guard);
            (*policy, "file")
        }
        Sink::Http { policy, .. } => (*policy, "http"),
        Sink::Nats(n) => (n.policy, "nats"),
        Sink::Redis(r) => (r.policy, "redis"),
    };
    for p in lane {
        let a = attempt_with(state, &p, policy, name);
        let pending = a.state == State::Pending;
        out.push(a);
        if pending {
            break;
        }
    }
    out
}

/// Runs forever: delivers what is due, sleeps until the next due time (at most a second) or
/// until an append wakes it.
pub(crate) async fn run(state: Arc<AppState>, dedup_window_ms: i64) {
    let mut last_purge = i64::MIN;
    loop {
        let now = now_ms();
        if now.saturating_sub(last_purge) >= PURGE_EVERY_MS {
            last_purge = now;
            let store = Arc::clone(&state.store);
            match tokio::task::spawn_blocking(move || store.purge_delivered(now - dedup_window_ms))
                .await
            {
                Ok(Ok(n)) if n > 0 => {
                    tracing::info!(purged = n, "delivered events past the dedup window purged")
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "purge failed"),
                _ => {}
            }
        }
        let store = Arc::clone(&state.store);
        let due = tokio::task::spawn_blocking(move || store.due(now_ms(), PER_LANE)).await;
        match due {
            Ok(Ok(lanes)) if !lanes.is_empty() => {
                let mut set = tokio::task::JoinSet::new();
                for lane in lanes {
                    let state = Arc::clone(&state);
                    set.spawn_blocking(move || {
                        let attempts = deliver_lane(&state, lane);
                        let counts = attempts.iter().fold([0u64; 3], |mut c, a| {
                            c[match a.state {
                                State::Delivered => 0,
                                State::Pending => 1,
                                State::Dead => 2,
                            }] += 1;
                            c
                        });
                        match state.store.record(attempts) {
                            Ok(()) => {
                                state.metrics.deliveries(counts);
                                true
                            }
                            Err(e) => {
                                tracing::error!(error = %e, "delivery attempts not recorded; the events will be delivered again");
                                false
                            }
                        }
                    });
                }
                let mut all_recorded = true;
                while let Some(r) = set.join_next().await {
                    all_recorded &= r.unwrap_or(false);
                }
                if !all_recorded {
                    // The store cannot write (a full disk): the events are still pending and
                    // would be sent again at once; wait instead of flooding the sink.
                    tokio::time::sleep(IDLE).await;
                }
                continue;
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "the event store cannot be read"),
            _ => {}
        }
        let store = Arc::clone(&state.store);
        let wait = match tokio::task::spawn_blocking(move || store.next_due()).await {
            Ok(Ok(Some(t))) => Duration::from_millis((t - now_ms()).clamp(1, 1000) as u64),
            _ => IDLE,
        };
        tokio::select! {
            _ = state.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_tokens_are_sanitized() {
        assert_eq!(
            subject_token("payment_intent.succeeded"),
            "payment_intent_succeeded"
        );
        assert_eq!(subject_token("a *b>\tc"), "a__b__c");
        assert_eq!(subject_token(""), "_");
        assert_eq!(subject_token("stripe"), "stripe");
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let p = Policy {
            max_attempts: 5,
            backoff_ms: 100,
            max_backoff_ms: 1000,
            max_age_ms: 1,
        };
        for seed in 0..50 {
            let b1 = p.backoff(1, seed);
            assert!((50..=100).contains(&b1), "{b1}");
            let b3 = p.backoff(3, seed);
            assert!((200..=400).contains(&b3), "{b3}");
            let b20 = p.backoff(20, seed);
            assert!((500..=1000).contains(&b20), "{b20}");
        }
        assert!((0..50)
            .map(|s| p.backoff(3, s))
            .any(|b| b != p.backoff(3, 0)));
    }

    #[test]
    fn signature_matches_the_standard_webhooks_published_vector() {
        // From the Standard Webhooks reference libraries' tests.
        use base64::Engine as _;
        let key = base64::engine::general_purpose::STANDARD
            .decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap();
        assert_eq!(
            sign(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                r#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
