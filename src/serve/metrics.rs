//! Counters and a latency histogram, rendered in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    /// (connector, event type) → events.
    events: BTreeMap<(String, String), u64>,
    /// (connector, error kind) → failed requests.
    failures: BTreeMap<(String, String), u64>,
    /// (endpoint, status) → responses.
    responses: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    sink_failures: u64,
    /// Intake result (stored, duplicate, unavailable) → events.
    intake: BTreeMap<&'static str, u64>,
    /// Delivery attempts by outcome: delivered, retry, dead.
    deliveries: [u64; 3],
    /// The last hour, per minute: (unix minute, series, label) → count, where the series is
    /// events (labelled by connector) or failures (labelled by error kind). The console's chart.
    minutes: BTreeMap<(i64, Series, String), u64>,
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
        *self
            .minutes
            .entry((now, series, label.to_string()))
            .or_default() += 1;
        // Keep the last hour only.
        while let Some(e) = self.minutes.first_entry() {
            if e.key().0 > now - 60 {
                break;
            }
            e.remove();
        }
    }
}

/// The service's metrics.
#[derive(Default)]
pub(crate) struct Metrics {
    inner: Mutex<Inner>,
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        f(&mut self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub(crate) fn event(&self, connector: &str, event_type: &str) {
        self.with(|m| {
            *m.events
                .entry((connector.to_string(), event_type.to_string()))
                .or_default() += 1;
            m.per_minute(Series::Events, connector);
        });
    }

    pub(crate) fn failure(&self, connector: &str, kind: &str) {
        self.with(|m| {
            *m.failures
                .entry((connector.to_string(), kind.to_string()))
                .or_default() += 1;
            m.per_minute(Series::Failures, kind);
        });
    }

    pub(crate) fn response(&self, endpoint: &str, status: u16, took: Duration) {
        self.with(|m| {
            *m.responses
                .entry((endpoint.to_string(), status))
                .or_default() += 1;
            let h = m.latency.entry(endpoint.to_string()).or_default();
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
        self.with(|m| {
            m.minutes
                .iter()
                .filter(|((t, _, _), _)| *t > now - 60)
                .map(|((t, s, l), n)| (now - t, *s, l.clone(), *n))
                .collect()
        })
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

    /// The Prometheus text exposition; `reloads` and `reload_errors` come from the registry.
    pub(crate) fn render(
        &self,
        reloads: u64,
        reload_errors: u64,
        connectors: usize,
        queue: Option<&crate::queue::Stats>,
    ) -> String {
        self.with(|m| {
            let mut out = String::new();
            let _ = writeln!(out, "# HELP hooknorm_events_total Normalized events by connector and event type.");
            let _ = writeln!(out, "# TYPE hooknorm_events_total counter");
            for ((c, t), n) in &m.events {
                let _ = writeln!(out, "hooknorm_events_total{{connector=\"{}\",event_type=\"{}\"}} {n}", escape(c), escape(t));
            }
            let _ = writeln!(out, "# HELP hooknorm_failures_total Requests that failed, by connector and error kind (signature failures among them).");
            let _ = writeln!(out, "# TYPE hooknorm_failures_total counter");
            for ((c, k), n) in &m.failures {
                let _ = writeln!(out, "hooknorm_failures_total{{connector=\"{}\",reason=\"{}\"}} {n}", escape(c), escape(k));
            }
            let _ = writeln!(out, "# HELP hooknorm_responses_total Responses by endpoint and HTTP status.");
            let _ = writeln!(out, "# TYPE hooknorm_responses_total counter");
            for ((e, s), n) in &m.responses {
                let _ = writeln!(out, "hooknorm_responses_total{{endpoint=\"{}\",status=\"{s}\"}} {n}", escape(e));
            }
            let _ = writeln!(out, "# HELP hooknorm_request_duration_seconds Time to answer a request.");
            let _ = writeln!(out, "# TYPE hooknorm_request_duration_seconds histogram");
            for (e, h) in &m.latency {
                let e = escape(e);
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(out, "hooknorm_request_duration_seconds_bucket{{endpoint=\"{e}\",le=\"{b}\"}} {}", h.counts[i]);
                }
                let _ = writeln!(out, "hooknorm_request_duration_seconds_bucket{{endpoint=\"{e}\",le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "hooknorm_request_duration_seconds_sum{{endpoint=\"{e}\"}} {}", h.sum);
                let _ = writeln!(out, "hooknorm_request_duration_seconds_count{{endpoint=\"{e}\"}} {}", h.count);
            }
            let _ = writeln!(out, "# HELP hooknorm_reloads_total Spec reloads.");
            let _ = writeln!(out, "# TYPE hooknorm_reloads_total counter");
            let _ = writeln!(out, "hooknorm_reloads_total {reloads}");
            let _ = writeln!(out, "# HELP hooknorm_reload_errors_total Reloads in which some spec failed validation.");
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
            let _ = writeln!(out, "# HELP hooknorm_deliveries_total Delivery attempts by outcome.");
            let _ = writeln!(out, "# TYPE hooknorm_deliveries_total counter");
            for (o, n) in ["delivered", "retry", "dead"].iter().zip(m.deliveries) {
                let _ = writeln!(out, "hooknorm_deliveries_total{{outcome=\"{o}\"}} {n}");
            }
            if let Some(q) = queue {
                let age = q.oldest_pending_ms.map_or(0.0, |t| {
                    (crate::queue::now_ms() - t).max(0) as f64 / 1000.0
                });
                let _ = writeln!(out, "# HELP hooknorm_queue_pending Events stored and not delivered yet (the queue depth).");
                let _ = writeln!(out, "# TYPE hooknorm_queue_pending gauge");
                let _ = writeln!(out, "hooknorm_queue_pending {}", q.pending);
                let _ = writeln!(out, "# HELP hooknorm_queue_oldest_pending_age_seconds Age of the oldest pending event (0 when none).");
                let _ = writeln!(out, "# TYPE hooknorm_queue_oldest_pending_age_seconds gauge");
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
        })
    }
}
