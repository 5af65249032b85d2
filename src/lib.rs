//! # hooknorm
//!
//! Turns raw payment-processor webhooks into verified, normalized events. Everything specific
//! to a processor (signature scheme, headers, event mapping, field paths) lives in YAML
//! connector specs, compiled once at load; [`Engine::handle_at`] is a pure function of the
//! compiled specs, the request and the clock.
//!
//! ```
//! use hooknorm::Engine;
//! let engine = Engine::bundled().expect("bundled specs are valid");
//! assert!(engine.connector_names().any(|n| n == "stripe"));
//! ```

pub mod compile;
pub mod crypto;
pub mod decode;
pub mod engine;
pub mod error;
pub mod extract;
pub mod fixture;
pub mod lint;
pub mod model;
pub mod profile;
pub mod project;
#[cfg(feature = "proptest")]
pub mod properties;
pub mod registry;
mod request;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sign;
pub mod types;
mod verify;
mod yamlpos;

pub use compile::Connector;
pub use engine::Engine;
pub use error::{ErrorKind, HandleError, LoadError, ReportStep, SpecError};
pub use sign::{SignRequest, SignedWebhook};
pub use types::*;
