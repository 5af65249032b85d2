//! Counters and a latency histogram, rendered in the Prometheus text format.
//!
//! The hot path takes no shared lock: each thread records into one of [`SHARDS`] shards (its
//! own, picked once per thread), whose mutex is then uncontended, and keys are looked up by
//! `&str` so a counter that exists costs no allocation. `render` adds the shards up.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];

/// Shards of the counters (threads beyond this share them round-robin).
const SHARDS: usize = 16;

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn add(&mut self, o: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(o.counts) {
            *a += b;
        }
        self.count += o.count;
        self.sum += o.sum;
    }
}

/// Two-level counters, looked up without allocating.
type Counts2<K2> = BTreeMap<String, BTreeMap<K2, u64>>;

fn bump(m: &mut Counts2<String>, a: &str, b: &str, n: u64) {
    let inner = match m.get_mut(a) {
        Some(i) => i,
        None => m.entry(a.to_string()).or_default(),
    };
    match inner.get_mut(b) {
        Some(c) => *c += n,
        None => {
            inner.insert(b.to_string(), n);
        }
    }
}

#[derive(Default)]
struct Inner {
    /// connector → event type → events.
    events: Counts2<String>,
    /// connector → error kind → failed requests.
    failures: Counts2<String>,
    /// endpoint → status → responses.
    responses: Counts2<u16>,
    latency: BTreeMap<String, Histogram>,
    sink_failures: u64,
    /// Intake result (stored, duplicate, unavailable) → events.
    intake: BTreeMap<&'static str, u64>,
    /// Delivery attempts by outcome: delivered, retry, dead.
    deliveries: [u64; 3],
    /// The last hour, per minute: (unix minute, series) → label → count, where the series is
    /// events (labelled by connector) or failures (labelled by error kind). The console's chart.
    minutes: BTreeMap<(i64, Series), BTreeMap<String, u64>>,
}

/// A series of the per-minute counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Series {
    /// Normalized events, by connector.
    Events,
    /// Failed requests, by error kind.
    Failures,
}

fn this_minute() -> i64 {
    crate::queue::now_ms().div_euclid(60_000)
}

impl Inner {
    fn per_minute(&mut self, series: Series, label: &str) {
        let now = this_minute();
        // The label is copied only the first time it is seen in a minute.
        let counts = self.minutes.entry((now, series)).or_default();
        match counts.get_mut(label) {
            Some(n) => *n += 1,
            None => {
                counts.insert(label.to_string(), 1);
            }
        }
        // Keep the last hour only.
        while let Some(e) = self.minutes.first_entry() {
            if e.key().0 > now - 60 {
                break;
            }
            e.remove();
        }
    }
}

impl Inner {
    fn merge(&mut self, o: &Inner) {
        for (m, om) in [
            (&mut self.events, &o.events),
            (&mut self.failures, &o.failures),
        ] {
            for (a, inner) in om {
                for (b, n) in inner {
                    bump(m, a, b, *n);
                }
            }
        }
        for (e, inner) in &o.responses {
            let mine = self.responses.entry(e.clone()).or_default();
            for (s, n) in inner {
                *mine.entry(*s).or_default() += n;
            }
        }
        for (e, h) in &o.latency {
            self.latency.entry(e.clone()).or_default().add(h);
        }
        self.sink_failures += o.sink_failures;
        for (r, n) in &o.intake {
            *self.intake.entry(r).or_default() += n;
        }
        for (a, b) in self.deliveries.iter_mut().zip(o.deliveries) {
            *a += b;
        }
    }
}

/// The service's metrics.
pub(crate) struct Metrics {
    shards: [Mutex<Inner>; SHARDS],
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            shards: std::array::from_fn(|_| Mutex::default()),
        }
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SHARD: Cell<usize> = Cell::new(NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS);
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let i = SHARD.with(|s| s.get());
        f(&mut lock(&self.shards[i]))
    }

    pub(crate) fn event(&self, connector: &str, event_type: &str) {
        self.with(|m| {
            bump(&mut m.events, connector, event_type, 1);
            m.per_minute(Series::Events, connector);
        });
    }

    pub(crate) fn failure(&self, connector: &str, kind: &str) {
        self.with(|m| {
            bump(&mut m.failures, connector, kind, 1);
            m.per_minute(Series::Failures, kind);
        });
    }

    pub(crate) fn response(&self, endpoint: &str, status: u16, took: Duration) {
        self.with(|m| {
            let r = match m.responses.get_mut(endpoint) {
                Some(r) => r,
                None => m.responses.entry(endpoint.to_string()).or_default(),
            };
            *r.entry(status).or_default() += 1;
            let h = match m.latency.get_mut(endpoint) {
                Some(h) => h,
                None => m.latency.entry(endpoint.to_string()).or_default(),
            };
            let s = took.as_secs_f64();
            for (i, b) in BUCKETS.iter().enumerate() {
                if s <= *b {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += s;
        });
    }

    pub(crate) fn intake(&self, result: &'static str, n: u64) {
        if n > 0 {
            self.with(|m| *m.intake.entry(result).or_default() += n);
        }
    }

    /// The per-minute counts of the last hour: (minutes before now, 0 the current one; series;
    /// label; count).
    pub(crate) fn last_hour(&self) -> Vec<(i64, Series, String, u64)> {
        let now = this_minute();
        let mut sum: BTreeMap<(i64, Series, String), u64> = BTreeMap::new();
        for shard in &self.shards {
            for ((t, series), counts) in &lock(shard).minutes {
                if *t > now - 60 {
                    for (label, n) in counts {
                        *sum.entry((now - t, *series, label.clone())).or_default() += n;
                    }
                }
            }
        }
        sum.into_iter().map(|((t, s, l), n)| (t, s, l, n)).collect()
    }

    /// Attempts that delivered, will be retried, and gave up (dead letters).
    pub(crate) fn deliveries(&self, counts: [u64; 3]) {
        self.with(|m| {
            for (d, c) in m.deliveries.iter_mut().zip(counts) {
                *d += c;
            }
            m.sink_failures += counts[2];
        });
    }

    /// The shards added up.
    fn total(&self) -> Inner {
        let mut t = Inner::default();
        for s in &self.shards {
            t.merge(&lock(s));
        }
        t
    }

    /// The Prometheus text exposition; `reloads` and `reload_errors` come from the registry.
    pub(crate) fn render(
        &self,
        reloads: u64,
        reload_errors: u64,
        connectors: usize,
        queue: Option<&crate::queue::Stats>,
        sink: &str,
    ) -> String {
        let m = &self.total();
        {
            let mut out = String::new();
            let _ = writeln!(
                out,
                "# HELP hooknorm_events_total Normalized events by connector and event type."
            );
            let _ = writeln!(out, "# TYPE hooknorm_events_total counter");
            for (c, t, n) in m
                .events
                .iter()
                .flat_map(|(c, i)| i.iter().map(move |(t, n)| (c, t, n)))
            {
                let _ = writeln!(
                    out,
                    "hooknorm_events_total{{connector=\"{}\",event_type=\"{}\"}} {n}",
                    escape(c),
                    escape(t)
                );
            }
            let _ = writeln!(out, "# HELP hooknorm_failures_total Requests that failed, by connector and error kind (signature failures among them).");
            let _ = writeln!(out, "# TYPE hooknorm_failures_total counter");
            for (c, k, n) in m
                .failures
                .iter()
                .flat_map(|(c, i)| i.iter().map(move |(k, n)| (c, k, n)))
            {
                let _ = writeln!(
                    out,
                    "hooknorm_failures_total{{connector=\"{}\",reason=\"{}\"}} {n}",
                    escape(c),
                    escape(k)
                );
            }
            let _ = writeln!(
                out,
                "# HELP hooknorm_responses_total Responses by endpoint and HTTP status."
            );
            let _ = writeln!(out, "# TYPE hooknorm_responses_total counter");
            for (e, s, n) in m
                .responses
                .iter()
                .flat_map(|(e, i)| i.iter().map(move |(s, n)| (e, s, n)))
            {
                let _ = writeln!(
                    out,
                    "hooknorm_responses_total{{endpoint=\"{}\",status=\"{s}\"}} {n}",
                    escape(e)
                );
            }
            let _ = writeln!(
                out,
                "# HELP hooknorm_request_duration_seconds Time to answer a request."
            );
            let _ = writeln!(out, "# TYPE hooknorm_request_duration_seconds histogram");
            for (e, h) in &m.latency {
                let e = escape(e);
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(out, "hooknorm_request_duration_seconds_bucket{{endpoint=\"{e}\",le=\"{b}\"}} {}", h.counts[i]);
                }
                let _ = writeln!(
                    out,
                    "hooknorm_request_duration_seconds_bucket{{endpoint=\"{e}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "hooknorm_request_duration_seconds_sum{{endpoint=\"{e}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "hooknorm_request_duration_seconds_count{{endpoint=\"{e}\"}} {}",
                    h.count
                );
            }
            let _ = writeln!(out, "# HELP hooknorm_reloads_total Spec reloads.");
            let _ = writeln!(out, "# TYPE hooknorm_reloads_total counter");
            let _ = writeln!(out, "hooknorm_reloads_total {reloads}");
            let _ = writeln!(
                out,
                "# HELP hooknorm_reload_errors_total Reloads in which some spec failed validation."
            );
            let _ = writeln!(out, "# TYPE hooknorm_reload_errors_total counter");
            let _ = writeln!(out, "hooknorm_reload_errors_total {reload_errors}");
            let _ = writeln!(out, "# HELP hooknorm_connectors Connectors serving.");
            let _ = writeln!(out, "# TYPE hooknorm_connectors gauge");
            let _ = writeln!(out, "hooknorm_connectors {connectors}");
            let _ = writeln!(out, "# HELP hooknorm_sink_failures_total Events the sink could not deliver after all retries.");
            let _ = writeln!(out, "# TYPE hooknorm_sink_failures_total counter");
            let _ = writeln!(out, "hooknorm_sink_failures_total {}", m.sink_failures);
            let _ = writeln!(out, "# HELP hooknorm_intake_events_total Events from webhooks by intake result (stored, duplicate, unavailable).");
            let _ = writeln!(out, "# TYPE hooknorm_intake_events_total counter");
            for (r, n) in &m.intake {
                let _ = writeln!(out, "hooknorm_intake_events_total{{result=\"{r}\"}} {n}");
            }
            let _ = writeln!(
                out,
                "# HELP hooknorm_deliveries_total Delivery attempts by sink and outcome."
            );
            let _ = writeln!(out, "# TYPE hooknorm_deliveries_total counter");
            for (o, n) in ["delivered", "retry", "dead"].iter().zip(m.deliveries) {
                let _ = writeln!(
                    out,
                    "hooknorm_deliveries_total{{sink=\"{sink}\",outcome=\"{o}\"}} {n}"
                );
            }
            if let Some(q) = queue {
                let age = q
                    .oldest_pending_ms
                    .map_or(0.0, |t| (crate::queue::now_ms() - t).max(0) as f64 / 1000.0);
                let _ = writeln!(out, "# HELP hooknorm_queue_pending Events stored and not delivered yet (the queue depth).");
                let _ = writeln!(out, "# TYPE hooknorm_queue_pending gauge");
                let _ = writeln!(out, "hooknorm_queue_pending {}", q.pending);
                let _ = writeln!(out, "# HELP hooknorm_queue_oldest_pending_age_seconds Age of the oldest pending event (0 when none).");
                let _ = writeln!(
                    out,
                    "# TYPE hooknorm_queue_oldest_pending_age_seconds gauge"
                );
                let _ = writeln!(out, "hooknorm_queue_oldest_pending_age_seconds {age}");
                let _ = writeln!(out, "# HELP hooknorm_queue_dead Dead letters in the store.");
                let _ = writeln!(out, "# TYPE hooknorm_queue_dead gauge");
                let _ = writeln!(out, "hooknorm_queue_dead {}", q.dead);
                let _ = writeln!(out, "# HELP hooknorm_queue_commits_total Store transactions committed (one fsync each).");
                let _ = writeln!(out, "# TYPE hooknorm_queue_commits_total counter");
                let _ = writeln!(out, "hooknorm_queue_commits_total {}", q.commits);
                let _ = writeln!(out, "# HELP hooknorm_queue_commit_requests_total Requests those transactions carried (more than commits: group commit).");
                let _ = writeln!(out, "# TYPE hooknorm_queue_commit_requests_total counter");
                let _ = writeln!(out, "hooknorm_queue_commit_requests_total {}", q.requests);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_recorded_on_many_threads_add_up_in_the_rendering() {
        let m = Metrics::default();
        std::thread::scope(|s| {
            for t in 0..(SHARDS + 3) {
                let m = &m;
                s.spawn(move || {
                    for _ in 0..100 {
                        m.event("stripe", "PAYMENT_INTENT_SUCCESS");
                        m.response("handle", 200, Duration::from_micros(50));
                    }
                    m.failure(
                        "stripe",
                        if t % 2 == 0 {
                            "InvalidSignature"
                        } else {
                            "MalformedBody"
                        },
                    );
                    m.intake("stored", 2);
                });
            }
        });
        let text = m.render(0, 0, 1, None, "stdout");
        let n = (SHARDS + 3) as u64;
        for line in [
            format!("hooknorm_events_total{{connector=\"stripe\",event_type=\"PAYMENT_INTENT_SUCCESS\"}} {}", n * 100),
            format!("hooknorm_failures_total{{connector=\"stripe\",reason=\"InvalidSignature\"}} {}", n.div_ceil(2)),
            format!("hooknorm_failures_total{{connector=\"stripe\",reason=\"MalformedBody\"}} {}", n / 2),
            format!("hooknorm_responses_total{{endpoint=\"handle\",status=\"200\"}} {}", n * 100),
            format!("hooknorm_request_duration_seconds_bucket{{endpoint=\"handle\",le=\"0.0001\"}} {}", n * 100),
            format!("hooknorm_request_duration_seconds_count{{endpoint=\"handle\"}} {}", n * 100),
            format!("hooknorm_intake_events_total{{result=\"stored\"}} {}", n * 2),
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
        // One line per key, whatever the shards that saw it.
        assert_eq!(text.matches("hooknorm_events_total{").count(), 1);
        // Failures are rendered sorted by reason, as before the sharding.
        let i = text.find("reason=\"InvalidSignature\"").unwrap();
        let j = text.find("reason=\"MalformedBody\"").unwrap();
        assert!(i < j);
    }
}
