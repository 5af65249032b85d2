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
use crate::queue::{SqliteStore, Store};

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
/// serves anyway and answers webhooks 503 (the processors retry) while `/readyz` says why.
pub(crate) async fn open(cfg: &ServeConfig, data_dir: &Path) -> Result<Intake, String> {
    if let Some(r) = &cfg.intake.redis {
        let window_ms = cfg
            .dedup_window_hours
            .unwrap_or(168)
            .saturating_mul(3_600_000);
        let broker = super::broker_redis::RedisBroker::open(r, window_ms)?;
        tracing::info!(broker = %broker.describe(), "intake: redis");
        return Ok(Intake::Broker(Arc::new(broker)));
    }
    Ok(Intake::Local(match SqliteStore::open(data_dir) {
        Ok(s) => {
            tracing::info!(file = %s.path().display(), "event store open");
            Arc::new(s)
        }
        Err(e) => {
            tracing::error!(error = %e, "the event store cannot be opened: webhooks will get 503");
            eprintln!("hooknorm: {e}; webhooks will get 503");
            Arc::new(crate::queue::Unavailable(e.to_string()))
        }
    }))
}

/// A broker opened for `hooknorm queue`, and a description of it (JSON).
pub type BrokerStore = (Box<dyn Store>, serde_json::Value);

/// The broker the config's `intake` section names, for `hooknorm queue` (which then works on
/// it instead of the data directory): the store and a description of it. `None`: no broker.
pub fn broker_store(cfg: &ServeConfig) -> Option<Result<BrokerStore, String>> {
    let r = cfg.intake.redis.as_ref()?;
    let window_ms = cfg
        .dedup_window_hours
        .unwrap_or(168)
        .saturating_mul(3_600_000);
    Some(
        super::broker_redis::RedisBroker::open(r, window_ms).map(|b| {
            let about = b.describe();
            (Box::new(b) as Box<dyn Store>, about)
        }),
    )
}
