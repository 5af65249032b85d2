//! The delivery worker: takes pending events from the store and delivers them to the sink, at
//! least once, in arrival order per (connector, account), recording each attempt.

use std::sync::Arc;
use std::time::Duration;

use super::{AppState, HttpSink};
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
        Policy {
            max_attempts: h
                .max_attempts
                .or(h.retries.map(|r| r.saturating_add(1)))
                .unwrap_or(25)
                .max(1),
            backoff_ms: h.backoff_ms.unwrap_or(200),
            max_backoff_ms: h.max_backoff_ms.unwrap_or(300_000),
            max_age_ms: h.max_age_secs.unwrap_or(259_200).saturating_mul(1000) as i64,
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

/// What one attempt came to.
enum Try {
    Delivered(Option<u16>),
    /// Not retried (a 4xx other than 408 and 429).
    Rejected(u16),
    Failed(Option<u16>, String),
}

fn post(url: &str, agent: &ureq::Agent, line: &str) -> Try {
    match agent
        .post(url)
        .header("content-type", "application/json")
        .send(line.as_bytes())
    {
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

/// Delivers one lane's events in order (blocking). Stops at the first event that must wait for
/// a retry; dead letters do not hold the lane up.
fn deliver_lane(state: &AppState, lane: Vec<Pending>) -> Vec<Attempt> {
    let mut out = Vec::with_capacity(lane.len());
    match &state.http_sink {
        None => {
            use std::io::Write as _;
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
        }
        Some((sink, agent, policy)) => {
            for p in lane {
                let result = post(&sink.url, agent, &p.line);
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
                        if attempts >= policy.max_attempts || at - p.created_ms >= policy.max_age_ms
                        {
                            (State::Dead, s, Some(why), 0)
                        } else {
                            let wait = policy.backoff(attempts, p.seq as u64 ^ at as u64);
                            (State::Pending, s, Some(why), at + wait)
                        }
                    }
                };
                if let Some(e) = &error {
                    tracing::warn!(sink = "http", attempt = attempts, idempotency_key = %p.idempotency_key, state = state_after.as_str(), error = %e, "delivery failed");
                }
                out.push(Attempt {
                    seq: p.seq,
                    at_ms: at,
                    status,
                    error,
                    state: state_after,
                    next_attempt_ms: next,
                });
                if state_after == State::Pending {
                    break;
                }
            }
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
                            Ok(()) => state.metrics.deliveries(counts),
                            Err(e) => {
                                tracing::error!(error = %e, "delivery attempts not recorded; the events will be delivered again")
                            }
                        }
                    });
                }
                while set.join_next().await.is_some() {}
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
}
