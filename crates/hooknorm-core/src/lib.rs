//! # hooknorm-core
//!
//! The engine of hooknorm: turns raw payment-processor webhooks into verified, normalized
//! events. Everything specific to a processor (signature scheme, headers, event mapping, field
//! paths) lives in YAML connector specs. A spec is parsed once, compiled into a plan, and
//! [`Engine::handle_at`] runs that plan: a pure function of the plan, the request and the clock.
//! This crate does no file or network I/O; the `hooknorm` crate loads spec directories, watches
//! them and serves HTTP.
//!
//! ```
//! use hooknorm_core::Engine;
//! let engine = Engine::bundled().expect("bundled specs are valid");
//! assert!(engine.connector_names().any(|n| n == "stripe"));
//! ```
#![warn(missing_docs)]
// One `unsafe` block, in `projection::scan::ascii_str`: allowed there alone.
#![deny(unsafe_code)]

mod compile;
mod contract;
mod convert;
mod crypto;
mod decode;
mod engine;
mod error;
mod extract;
pub mod fixture;
mod leaf_values;
mod lint;
mod message;
mod plan;
mod projection;
#[cfg(feature = "proptest")]
pub mod properties;
mod request;
mod request_json;
mod resource;
pub mod schema;
mod sign;
mod spec;
mod spec_yaml;
mod value;
mod verify;

pub use contract::*;
pub use engine::{printable, Engine, BUNDLED};
pub use error::{ErrorKind, HandleError, LoadError, ReportStep, SpecError};
pub use lint::MIN_SECRET_BYTES;
pub use plan::Connector;
pub use sign::{SignRequest, SignedWebhook};
