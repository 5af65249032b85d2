//! Where a webhook's events are stored before the processor is acknowledged: the embedded store
//! in the data directory (the default), or a shared broker named by the config's `intake`
//! section, so that several stateless `hooknorm serve` instances can run behind one load
//! balancer.
//!
//! A broker is a [`Store`] whose `append` returns once the broker has durably taken the events
//! (its acknowledgement), plus its own delivery consumer ([`Broker::consume`]), which replaces
//! the local delivery workers and delivers each message with [`super::delivery::attempt`].

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use super::{AppState, ServeConfig};
use crate::queue::{Reopening, Store};

/// A shared intake store with its own delivery consumer.
pub(crate) trait Broker: Store {
    /// This instance's delivery consumer: takes events from the broker, delivers them to the
    /// sink and acknowledges them to the broker. Runs until the service stops.
    fn consume(self: Arc<Self>, state: Arc<AppState>) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The intake the config asks for.
pub(crate) enum Intake {
    /// The embedded store, delivered by the local workers.
    Local(Arc<dyn Store>),
    /// A shared broker and its consumer.
    Broker(Arc<dyn Broker>),
}

impl Intake {
    /// The store the webhook handler appends to and the admin endpoints read.
    pub(crate) fn store(&self) -> Arc<dyn Store> {
        match self {
            Intake::Local(s) => Arc::clone(s),
            Intake::Broker(b) => Arc::clone(b) as Arc<dyn Store>,
        }
    }
}

/// Opens the intake: a broker when the config's `intake` section names one, else the embedded
/// store in `data_dir`. An embedded store that cannot be opened is not an error: the service
/// serves anyway and answers webhooks 503 (the processors retry) while `/readyz` says why, and
/// the store is opened again every second until it opens ([`Reopening`]), without a restart.
pub(crate) async fn open(cfg: &ServeConfig, data_dir: &Path) -> Result<Intake, String> {
    if let Some(b) = open_named_broker(cfg).await? {
        return Ok(Intake::Broker(b));
    }
    let (store, open_error) = Reopening::open(data_dir);
    match (store.path(), open_error) {
        (Some(file), _) => tracing::info!(file = %file.display(), "event store open"),
        (None, Some(e)) => {
            tracing::error!(error = %e, "the event store cannot be opened: webhooks get 503 until it can");
            eprintln!("hooknorm: {e}; webhooks will get 503 until the store can be opened (tried every second)");
        }
        (None, None) => {}
    }
    Ok(Intake::Local(Arc::new(store)))
}

/// The config's dedup window (`dedup_window_hours`, default 7 days).
fn dedup_window(cfg: &ServeConfig) -> std::time::Duration {
    std::time::Duration::from_secs(cfg.dedup_window_hours.unwrap_or(168).saturating_mul(3600))
}

/// The broker the config's `intake` names (`nats` or `redis`, not both), opened; `None` in
/// embedded mode.
async fn open_named_broker(cfg: &ServeConfig) -> Result<Option<Arc<dyn Broker>>, String> {
    match (&cfg.intake.nats, &cfg.intake.redis) {
        (Some(_), Some(_)) => Err("intake: give one of nats, redis, not both".into()),
        (Some(n), None) => {
            let b: Arc<dyn Broker> =
                super::broker_nats::NatsBroker::open(n, dedup_window(cfg)).await?;
            Ok(Some(b))
        }
        (None, Some(r)) => {
            let window_ms = dedup_window(cfg).as_millis() as u64;
            let broker = super::broker_redis::RedisBroker::open(r, window_ms)?;
            tracing::info!(broker = %broker.describe(), "intake: redis");
            Ok(Some(Arc::new(broker)))
        }
        (None, None) => Ok(None),
    }
}

/// The broker the config names as its intake, for `hooknorm queue`: the store, a line naming
/// it (for messages) and a description (JSON), or `None` in embedded mode. Call it within a
/// tokio runtime that outlives the store; its blocking methods are then called outside the
/// runtime.
pub async fn open_broker(
    cfg: &ServeConfig,
) -> Result<Option<(Arc<dyn Store>, String, serde_json::Value)>, String> {
    if let Some(n) = &cfg.intake.nats {
        let b = super::broker_nats::NatsBroker::open(n, dedup_window(cfg)).await?;
        let shown = b.describe();
        let about = serde_json::json!({ "broker": "nats", "about": shown });
        return Ok(Some((b as Arc<dyn Store>, shown, about)));
    }
    if let Some(r) = &cfg.intake.redis {
        let b = super::broker_redis::RedisBroker::open(r, dedup_window(cfg).as_millis() as u64)?;
        let about = b.describe();
        let shown = format!(
            "Redis stream {} at {}",
            about["stream"].as_str().unwrap_or_default(),
            about["url"].as_str().unwrap_or_default()
        );
        return Ok(Some((Arc::new(b) as Arc<dyn Store>, shown, about)));
    }
    Ok(None)
}
