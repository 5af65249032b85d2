//! # hooknorm
//!
//! The service and tooling around the engine crate [`hooknorm_core`]: loading spec directories,
//! the hot-reload [`registry`], fixture files, and (feature `serve`) the HTTP service. Everything
//! of the engine is re-exported here, so `hooknorm::Engine` and `hooknorm_core::Engine` are the
//! same type; a host that only handles webhooks can depend on `hooknorm-core` alone.
//!
//! ```
//! use hooknorm::Engine;
//! let engine = Engine::bundled().expect("bundled specs are valid");
//! assert!(engine.connector_names().any(|n| n == "stripe"));
//! ```
#![warn(missing_docs)]

pub use hooknorm_core::*;

mod files;
pub mod fixture;
#[cfg(feature = "serve")]
pub mod queue;
pub mod registry;
#[cfg(feature = "serve")]
pub mod serve;

pub use files::{load_dir, load_dir_lenient, spec_files};
