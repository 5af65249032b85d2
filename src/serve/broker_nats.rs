//! Broker-mode intake on NATS JetStream (`intake.nats`).
//!
//! Intake: each event is published to `<subject_prefix>.<connector>.<account>` of a file-backed
//! stream with `Nats-Msg-Id` = a hash of (connector, account, idempotency key); `append` returns
//! once every PubAck came back, so the processor is acknowledged only when the broker has the
//! event. JetStream's duplicate window drops a key already published by any instance.
//!
//! Delivery: every instance pulls from one durable consumer with explicit acks. A message is
//! acknowledged (and the acknowledgement confirmed by the server) after the sink took it, naked
//! with the retry policy's backoff after a failed attempt, or published to the dead-letter stream
//! and terminated when the policy gives up. A message not acknowledged within `ack_wait` (its
//! instance died) is redelivered to another instance.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy, PullConsumer};
use async_nats::jetstream::{self, AckKind};
use futures_util::StreamExt as _;
use sha2::Digest as _;

use super::delivery::{self, subject_token};
use super::intake::Broker;
use super::{AppState, NatsIntake};
use crate::queue::{
    now_ms, Appended, AttemptRecord, NewEvent, Pending, ReplaySelect, Replayed, State, Stats,
    Store, StoreError,
};

/// How long the consumer waits before looking again when the stream had nothing for it.
const IDLE: Duration = Duration::from_millis(200);

/// The shared intake on a NATS JetStream stream.
pub(crate) struct NatsBroker {
    /// The server URL with any user and password hidden, for messages.
    shown_url: String,
    stream: String,
    prefix: String,
    consumer: String,
    dead_stream: String,
    dead_prefix: String,
    duplicate_window: Duration,
    ack_wait: Duration,
    batch: usize,
    timeout: Duration,
    client: async_nats::Client,
    js: jetstream::Context,
    /// Both streams are known to exist (set by [`NatsBroker::ensure`], cleared when a publish
    /// fails, so that a stream deleted behind our back is made again).
    ready: AtomicBool,
    /// The runtime the blocking [`Store`] methods run their requests on.
    handle: tokio::runtime::Handle,
}

/// `url` with the user information (`user:password@`) replaced by `***@`.
pub(crate) fn hide_credentials(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let shown = match rest.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => rest.to_string(),
    };
    if scheme.is_empty() {
        shown
    } else {
        format!("{scheme}://{shown}")
    }
}

/// A subject prefix: dot-separated tokens without wildcards or whitespace.
fn valid_prefix(p: &str) -> bool {
    !p.is_empty() && p.split('.').all(|t| !t.is_empty() && t == subject_token(t))
}

/// A stream or consumer name: no `.`, `*`, `>` or whitespace.
fn valid_name(n: &str) -> bool {
    !n.is_empty() && n == subject_token(n) && !n.contains(['/', '\\'])
}

/// The `Nats-Msg-Id` of an event: hex SHA-256 of connector, account and key (NUL-separated), so
/// that any key is a valid header value and keys of different accounts never collide.
pub(crate) fn message_id(connector: &str, account: &str, key: &str) -> String {
    let mut h = sha2::Sha256::new();
    for part in [connector, account, key] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(e.to_string())
}

/// The event in a delivered line: (idempotency key, connector, account).
fn identity(line: &[u8]) -> Option<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(line).ok()?;
    Some((
        v["event"]["idempotency_key"].as_str()?.to_string(),
        v["connector"].as_str()?.to_string(),
        v["account"].as_str()?.to_string(),
    ))
}

impl NatsBroker {
    /// Connects (in the background when the server is not up yet: the client keeps
    /// reconnecting) and makes the streams if missing. Never fails because the server is
    /// down: webhooks get 503 until it is back.
    pub(crate) async fn open(
        n: &NatsIntake,
        default_window: Duration,
    ) -> Result<Arc<NatsBroker>, String> {
        let stream = n.stream.clone().unwrap_or_else(|| "HOOKNORM_INTAKE".into());
        let prefix = n
            .subject_prefix
            .clone()
            .unwrap_or_else(|| "hooknorm_intake".into());
        let consumer = n
            .consumer
            .clone()
            .unwrap_or_else(|| "hooknorm-delivery".into());
        let dead_stream = n
            .dead_stream
            .clone()
            .unwrap_or_else(|| format!("{stream}_DEAD"));
        let dead_prefix = n
            .dead_subject_prefix
            .clone()
            .unwrap_or_else(|| format!("{prefix}_dead"));
        for (key, v) in [
            ("stream", &stream),
            ("consumer", &consumer),
            ("dead_stream", &dead_stream),
        ] {
            if !valid_name(v) {
                return Err(format!(
                    "intake.nats.{key} `{v}`: a name without `.`, `*`, `>`, `/` or whitespace"
                ));
            }
        }
        for (key, v) in [
            ("subject_prefix", &prefix),
            ("dead_subject_prefix", &dead_prefix),
        ] {
            if !valid_prefix(v) {
                return Err(format!(
                    "intake.nats.{key} `{v}`: dot-separated tokens without `*`, `>` or whitespace"
                ));
            }
        }
        let overlap = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}."));
        if stream == dead_stream || overlap(&prefix, &dead_prefix) || overlap(&dead_prefix, &prefix)
        {
            return Err(
                "intake.nats: the dead-letter stream and subjects must differ from the intake's"
                    .into(),
            );
        }
        let timeout = Duration::from_millis(n.timeout_ms.unwrap_or(5000).max(1));
        let shown_url = hide_credentials(&n.url);
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(timeout)
            .request_timeout(Some(timeout))
            .retry_on_initial_connect()
            .max_reconnects(None)
            .reconnect_delay_callback(|attempts| {
                Duration::from_millis((attempts as u64 * 100).min(1000))
            })
            .connect(n.url.as_str())
            .await
            .map_err(|e| format!("intake.nats.url {shown_url}: {e}"))?;
        let mut js = jetstream::new(client.clone());
        js.set_timeout(timeout);
        let broker = Arc::new(NatsBroker {
            shown_url,
            stream,
            prefix,
            consumer,
            dead_stream,
            dead_prefix,
            duplicate_window: n
                .duplicate_window_secs
                .map_or(default_window, Duration::from_secs),
            ack_wait: Duration::from_millis(n.ack_wait_ms.unwrap_or(60_000).max(1)),
            batch: n.batch.unwrap_or(32).max(1),
            timeout,
            client,
            js,
            ready: AtomicBool::new(false),
            handle: tokio::runtime::Handle::current(),
        });
        // Wait a little for the first connection, then make the streams; a server that is down
        // is only logged.
        let b = Arc::clone(&broker);
        match tokio::time::timeout(timeout, async move {
            while b.client.connection_state() != async_nats::connection::State::Connected {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            b.ensure().await
        })
        .await
        {
            Ok(Ok(())) => {
                tracing::info!(url = %broker.shown_url, stream = %broker.stream, "NATS intake ready")
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "NATS intake not ready: webhooks get 503 until it is")
            }
            Err(_) => tracing::error!(
                url = %broker.shown_url,
                "NATS intake: no connection yet; webhooks get 503 until the server is reachable"
            ),
        }
        Ok(broker)
    }

    /// `NATS stream <name> at <url>` (the URL without credentials).
    pub(crate) fn describe(&self) -> String {
        format!("NATS stream {} at {}", self.stream, self.shown_url)
    }

    fn connected(&self) -> Result<(), StoreError> {
        if self.client.connection_state() == async_nats::connection::State::Connected {
            Ok(())
        } else {
            Err(StoreError::Io(format!(
                "not connected to NATS at {}",
                self.shown_url
            )))
        }
    }

    /// Makes the intake stream (file storage, the duplicate window, messages kept as long) and
    /// the dead-letter stream (file storage, kept until replayed) unless they exist.
    async fn ensure(&self) -> Result<(), StoreError> {
        if self.ready.load(Ordering::Acquire) {
            return Ok(());
        }
        self.connected()?;
        self.js
            .get_or_create_stream(jetstream::stream::Config {
                name: self.stream.clone(),
                subjects: vec![format!("{}.>", self.prefix)],
                storage: jetstream::stream::StorageType::File,
                duplicate_window: self.duplicate_window,
                max_age: self.duplicate_window,
                ..Default::default()
            })
            .await
            .map_err(|e| io(format!("stream {}: {e}", self.stream)))?;
        self.js
            .get_or_create_stream(jetstream::stream::Config {
                name: self.dead_stream.clone(),
                subjects: vec![format!("{}.>", self.dead_prefix)],
                storage: jetstream::stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| io(format!("stream {}: {e}", self.dead_stream)))?;
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    fn subject(&self, prefix: &str, connector: &str, account: &str) -> String {
        format!(
            "{prefix}.{}.{}",
            subject_token(connector),
            subject_token(account)
        )
    }

    /// Runs `f` on the runtime from a blocking caller, within the timeout.
    fn block<R>(
        &self,
        what: &str,
        f: impl Future<Output = Result<R, StoreError>>,
    ) -> Result<R, StoreError> {
        let t = self.timeout;
        self.handle
            .block_on(async { tokio::time::timeout(t, f).await })
            .unwrap_or_else(|_| {
                Err(StoreError::Io(format!(
                    "NATS at {}: no answer to {what} within {} ms",
                    self.shown_url,
                    t.as_millis()
                )))
            })
    }

    /// Publishes every event, then waits for every PubAck.
    async fn publish_all(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, StoreError> {
        self.ensure().await?;
        let result = async {
            let mut acks = Vec::with_capacity(events.len());
            for e in events {
                let mut headers = async_nats::HeaderMap::new();
                headers.insert(
                    async_nats::header::NATS_MESSAGE_ID,
                    message_id(&e.connector, &e.account, &e.idempotency_key).as_str(),
                );
                let subject = self.subject(&self.prefix, &e.connector, &e.account);
                acks.push(
                    self.js
                        .publish_with_headers(subject, headers, e.line.into())
                        .await
                        .map_err(|e| io(format!("publish: {e}")))?,
                );
            }
            let mut out = Vec::with_capacity(acks.len());
            for a in acks {
                let ack = a.await.map_err(|e| io(format!("no PubAck: {e}")))?;
                out.push(if ack.duplicate {
                    Appended::Duplicate
                } else {
                    Appended::Stored(ack.sequence as i64)
                });
            }
            Ok(out)
        }
        .await;
        if result.is_err() {
            self.ready.store(false, Ordering::Release);
        }
        result
    }

    async fn stats_async(&self) -> Result<Stats, StoreError> {
        self.ensure().await?;
        let stream = self.js.get_stream(&self.stream).await.map_err(io)?;
        let info = stream.cached_info().state.clone();
        let (pending, floor) = match stream.get_consumer::<pull::Config>(&self.consumer).await {
            Ok(mut c) => {
                let ci = c.info().await.map_err(io)?;
                (
                    ci.num_pending + ci.num_ack_pending as u64,
                    ci.ack_floor.stream_sequence,
                )
            }
            // No instance consumed yet: everything is pending.
            Err(_) => (info.messages, 0),
        };
        let dead = self
            .js
            .get_stream(&self.dead_stream)
            .await
            .map(|s| s.cached_info().state.messages)
            .unwrap_or(0);
        let oldest_pending_ms = if pending == 0 {
            None
        } else {
            let seq = (floor + 1).max(info.first_sequence);
            stream
                .get_raw_message(seq)
                .await
                .ok()
                .map(|m| (m.time.unix_timestamp_nanos() / 1_000_000) as i64)
        };
        Ok(Stats {
            pending,
            delivered: info.messages.saturating_sub(pending).saturating_sub(dead),
            dead,
            oldest_pending_ms,
            commits: 0,
            requests: 0,
        })
    }

    /// Republishes every dead letter to the intake (message id: the original's plus the
    /// dead-letter sequence, so the duplicate window does not drop it but a replay that is run
    /// twice does not publish it twice), then deletes it from the dead-letter stream.
    async fn replay_dead(&self) -> Result<Vec<i64>, StoreError> {
        self.ensure().await?;
        let mut dead = self.js.get_stream(&self.dead_stream).await.map_err(io)?;
        let state = dead.info().await.map_err(io)?.state.clone();
        let mut out = Vec::new();
        if state.messages == 0 {
            return Ok(out);
        }
        for seq in state.first_sequence..=state.last_sequence {
            let Ok(m) = dead.get_raw_message(seq).await else {
                continue; // deleted already
            };
            let Some((key, connector, account)) = identity(&m.payload) else {
                tracing::warn!(seq, "dead letter without a hooknorm event: left in place");
                continue;
            };
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(
                async_nats::header::NATS_MESSAGE_ID,
                format!("{}:replay:{seq}", message_id(&connector, &account, &key)).as_str(),
            );
            let ack = self
                .js
                .publish_with_headers(
                    self.subject(&self.prefix, &connector, &account),
                    headers,
                    m.payload.clone(),
                )
                .await
                .map_err(io)?
                .await
                .map_err(|e| io(format!("no PubAck: {e}")))?;
            dead.delete_message(seq).await.map_err(io)?;
            out.push(ack.sequence as i64);
        }
        Ok(out)
    }

    async fn consumer(&self) -> Result<PullConsumer, StoreError> {
        self.ensure().await?;
        let stream = self.js.get_stream(&self.stream).await.map_err(io)?;
        stream
            .get_or_create_consumer(
                &self.consumer,
                pull::Config {
                    durable_name: Some(self.consumer.clone()),
                    ack_policy: AckPolicy::Explicit,
                    ack_wait: self.ack_wait,
                    max_deliver: -1,
                    filter_subject: format!("{}.>", self.prefix),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| io(format!("consumer {}: {e}", self.consumer)))
    }

    /// Pulls and delivers until the service stops.
    async fn run(self: Arc<Self>, state: Arc<AppState>) {
        let mut consumer: Option<PullConsumer> = None;
        let mut warned = false;
        loop {
            if consumer.is_none() {
                match tokio::time::timeout(self.timeout, self.consumer()).await {
                    Ok(Ok(c)) => {
                        if warned {
                            tracing::info!("NATS intake consumer back");
                        }
                        warned = false;
                        consumer = Some(c);
                    }
                    r => {
                        if !warned {
                            let e = failure(r);
                            tracing::warn!(error = %e, "NATS intake consumer not ready; retrying");
                            warned = true;
                        }
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                }
            }
            let Some(c) = consumer.as_ref() else { continue };
            // A pull answers at once (no wait), but its answer is lost when the broker goes down
            // right after the request, and the batch has no timer of its own: every step is
            // bounded by `timeout`, or the loop would wait on it for ever.
            let pull =
                tokio::time::timeout(self.timeout, c.fetch().max_messages(self.batch).messages());
            let messages = match pull.await {
                Ok(Ok(mut batch)) => {
                    let mut got = Vec::new();
                    loop {
                        let ended = match tokio::time::timeout(self.timeout, batch.next()).await {
                            Ok(Some(Ok(m))) => {
                                got.push(m);
                                continue;
                            }
                            Ok(None) => break,
                            Ok(Some(Err(e))) => e.to_string(),
                            Err(_) => "no answer to the pull".to_string(),
                        };
                        // The connection dropped or the consumer is gone: make it again (get
                        // or create) before the next pull.
                        tracing::debug!(error = %ended, "pull ended");
                        if got.is_empty() {
                            consumer = None;
                        }
                        break;
                    }
                    got
                }
                r => {
                    let e = failure(r);
                    tracing::warn!(error = %e, "NATS intake: pull failed; retrying");
                    consumer = None;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            if messages.is_empty() {
                tokio::select! {
                    _ = state.wake.notified() => {}
                    _ = tokio::time::sleep(IDLE) => {}
                }
                continue;
            }
            // One task per (connector, account) subject: a lane's messages in stream order,
            // lanes in parallel.
            let fetched = std::time::Instant::now();
            let mut lanes: BTreeMap<String, Vec<jetstream::Message>> = BTreeMap::new();
            for m in messages {
                lanes.entry(m.subject.to_string()).or_default().push(m);
            }
            let mut set = tokio::task::JoinSet::new();
            for (_, lane) in lanes {
                let (this, state) = (Arc::clone(&self), Arc::clone(&state));
                set.spawn(async move {
                    for m in lane {
                        this.deliver(&state, m, fetched).await;
                    }
                });
            }
            while set.join_next().await.is_some() {}
        }
    }

    /// Delivers one message and settles it with the broker. A message that waited in its lane
    /// for a third of `ack_wait` since the pull is first marked in progress (its redelivery
    /// timer restarts), so a slow sink does not make the broker hand it to another instance.
    async fn deliver(
        &self,
        state: &Arc<AppState>,
        m: jetstream::Message,
        fetched: std::time::Instant,
    ) {
        if fetched.elapsed() > self.ack_wait / 3 {
            let _ = m.ack_with(AckKind::Progress).await;
        }
        let Ok(info) = m.info() else {
            tracing::warn!(subject = %m.subject, "NATS intake: a message without JetStream metadata; ignored");
            return;
        };
        let (seq, delivered, created_ms) = (
            info.stream_sequence,
            info.delivered,
            (info.published.unix_timestamp_nanos() / 1_000_000) as i64,
        );
        let Some((key, connector, account)) = identity(&m.payload) else {
            tracing::error!(
                seq,
                "NATS intake: a message that is not a hooknorm event; dead-lettered"
            );
            self.dead_letter(&m, seq, "-", "-", "not a hooknorm event")
                .await;
            return;
        };
        let pending = Pending {
            seq: seq as i64,
            idempotency_key: key,
            connector,
            account,
            line: String::from_utf8_lossy(&m.payload).into_owned(),
            attempts: delivered.saturating_sub(1).clamp(0, i64::from(u32::MAX)) as u32,
            created_ms,
            next_attempt_ms: now_ms(),
        };
        let st = Arc::clone(state);
        let p = pending.clone();
        let attempt = match tokio::task::spawn_blocking(move || delivery::attempt(&st, &p)).await {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(error = %e, seq, "delivery task failed; the message will be redelivered");
                return;
            }
        };
        let counts = match attempt.state {
            State::Delivered => {
                if let Err(e) = m.double_ack().await {
                    tracing::warn!(error = %e, seq, "NATS intake: ack not confirmed; the message may be delivered again");
                }
                [1, 0, 0]
            }
            State::Pending => {
                let wait = (attempt.next_attempt_ms - now_ms()).max(0) as u64;
                if let Err(e) = m
                    .ack_with(AckKind::Nak(Some(Duration::from_millis(wait))))
                    .await
                {
                    tracing::warn!(error = %e, seq, "NATS intake: nak failed; redelivered after ack_wait");
                }
                [0, 1, 0]
            }
            State::Dead => {
                let why = attempt.error.as_deref().unwrap_or("given up");
                if !self
                    .dead_letter(&m, seq, &pending.connector, &pending.account, why)
                    .await
                {
                    return;
                }
                [0, 0, 1]
            }
        };
        state.metrics.deliveries(counts);
    }

    /// Publishes the message to the dead-letter stream, then terminates it; when the dead-letter
    /// publish fails, the message is naked to be tried again. True when dead-lettered.
    async fn dead_letter(
        &self,
        m: &jetstream::Message,
        seq: u64,
        connector: &str,
        account: &str,
        why: &str,
    ) -> bool {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            async_nats::header::NATS_MESSAGE_ID,
            format!("{}:dead:{seq}", self.stream).as_str(),
        );
        let reason: String = why
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(500)
            .collect();
        headers.insert("Hooknorm-Error", reason.as_str());
        headers.insert("Hooknorm-Intake-Seq", seq.to_string().as_str());
        let subject = self.subject(&self.dead_prefix, connector, account);
        let published = async {
            self.js
                .publish_with_headers(subject, headers, m.payload.clone())
                .await
                .map_err(|e| e.to_string())?
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(self.timeout, published).await {
            Ok(Ok(_)) => {
                if let Err(e) = m.double_ack_with(AckKind::Term).await {
                    tracing::warn!(error = %e, seq, "NATS intake: term not confirmed; the dead letter may be tried again");
                }
                true
            }
            r => {
                let e = failure(r);
                tracing::error!(error = %e, seq, "dead letter not stored; the message will be tried again");
                let _ = m.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))).await;
                false
            }
        }
    }
}

/// Why a step bounded by `timeout` did not succeed: its error, or the timeout.
fn failure<T, E: std::fmt::Display>(
    r: Result<Result<T, E>, tokio::time::error::Elapsed>,
) -> String {
    match r {
        Ok(Err(e)) => e.to_string(),
        _ => "timed out".into(),
    }
}

fn broker_mode(what: &str) -> StoreError {
    StoreError::Io(format!(
        "{what} is not available in broker mode (intake.nats): the events are in the NATS stream"
    ))
}

impl Store for NatsBroker {
    fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Appended>, StoreError> {
        self.connected()?;
        self.block("the publish", self.publish_all(events))
    }
    fn due(&self, _: i64, _: usize) -> Result<Vec<Vec<Pending>>, StoreError> {
        Err(broker_mode("reading due events"))
    }
    fn next_due(&self) -> Result<Option<i64>, StoreError> {
        Err(broker_mode("reading due events"))
    }
    fn record(&self, _: Vec<crate::queue::Attempt>) -> Result<(), StoreError> {
        Err(broker_mode("recording attempts"))
    }
    fn purge_delivered(&self, _: i64) -> Result<u64, StoreError> {
        Err(broker_mode(
            "purge (delivered messages leave the stream after its duplicate window)",
        ))
    }
    fn stats(&self) -> Result<Stats, StoreError> {
        self.connected()?;
        self.block("stream info", self.stats_async())
    }
    fn history(&self, _: &str) -> Result<Option<(State, Vec<AttemptRecord>)>, StoreError> {
        Err(broker_mode("attempt history"))
    }
    fn list(&self, _: Option<State>, _: usize) -> Result<Vec<crate::queue::EventInfo>, StoreError> {
        Err(broker_mode("list"))
    }
    fn event(&self, _: i64) -> Result<Option<crate::queue::EventDetail>, StoreError> {
        Err(broker_mode("show"))
    }
    fn replay(&self, which: ReplaySelect) -> Result<Replayed, StoreError> {
        match which {
            ReplaySelect::Ids(_) => Err(broker_mode("replay by id (use replay --dead)")),
            ReplaySelect::Dead => {
                self.connected()?;
                // Each dead letter is a round trip or three: allow for many.
                let t = self.timeout.saturating_mul(20);
                self.handle
                    .block_on(async { tokio::time::timeout(t, self.replay_dead()).await })
                    .unwrap_or_else(|_| Err(io("NATS: the replay timed out; run it again")))
                    .map(Replayed::Done)
            }
        }
    }
}

impl Broker for NatsBroker {
    fn consume(self: Arc<Self>, state: Arc<AppState>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(self.run(state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_hidden() {
        assert_eq!(
            hide_credentials("nats://user:s3cret@10.0.0.1:4222"),
            "nats://***@10.0.0.1:4222"
        );
        assert_eq!(
            hide_credentials("nats://127.0.0.1:4222"),
            "nats://127.0.0.1:4222"
        );
        assert_eq!(hide_credentials("tok@host"), "***@host");
        let cfg: super::super::ServeConfig =
            serde_yaml_ng::from_str("intake: {nats: {url: \"nats://user:s3cret@10.0.0.1:4222\"}}")
                .unwrap();
        let shown = format!("{cfg:?}");
        assert!(shown.contains("nats://***@10.0.0.1:4222"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn message_ids_differ_per_connector_account_and_key() {
        let a = message_id("stripe", "default", "evt_1");
        assert_eq!(a.len(), 64);
        assert_eq!(a, message_id("stripe", "default", "evt_1"));
        assert_ne!(a, message_id("stripe", "eu", "evt_1"));
        assert_ne!(a, message_id("adyen", "default", "evt_1"));
        assert_ne!(a, message_id("stripe", "default", "evt_2"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(message_id("ab", "c", "k"), message_id("a", "bc", "k"));
    }

    #[test]
    fn the_example_configs_intake_block_parses() {
        let text = include_str!("../../examples/serve.yaml");
        let start = text
            .find("# intake:")
            .expect("an intake block in the example");
        let block: String = text[start..]
            .lines()
            .take_while(|l| l.starts_with("# ") || l.starts_with("#  "))
            .map(|l| format!("{}\n", &l[2..]))
            .collect();
        let cfg: super::super::ServeConfig = serde_yaml_ng::from_str(&block).expect(&block);
        let n = cfg.intake.nats.expect("intake.nats");
        assert_eq!(n.stream.as_deref(), Some("HOOKNORM_INTAKE"));
        assert!(n.duplicate_window_secs.is_some() && n.ack_wait_ms.is_some());
        assert!(n.batch.is_some() && n.timeout_ms.is_some() && n.consumer.is_some());
        assert!(n.dead_stream.is_some() && n.dead_subject_prefix.is_some());
    }

    #[test]
    fn names_and_prefixes_are_checked() {
        assert!(valid_prefix("hooknorm_intake"));
        assert!(valid_prefix("a.b"));
        assert!(!valid_prefix("a..b"));
        assert!(!valid_prefix("a.*"));
        assert!(!valid_prefix(""));
        assert!(valid_name("HOOKNORM_INTAKE"));
        assert!(!valid_name("A.B"));
        assert!(!valid_name("a b"));
    }
}
