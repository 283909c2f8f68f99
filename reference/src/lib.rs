//! The reference Novu-compatible server: the generated `novu_server` stubs implemented on
//! embedded SQLite.
//!
//! [`start`] opens (or creates) the database, bootstraps one organization with a development
//! and a production environment, and serves the API until the returned [`RunningServer`] is
//! shut down or dropped. The conformance suite starts its target this way; the
//! `novu-reference` binary wraps the same call.
#![deny(missing_docs)]

mod api;
mod caller;
mod config;
mod domain;
mod edge;
mod engine;
mod error;
mod failure;
mod ids;
mod server;
mod store;

pub use config::{Config, RateLimits, RateLimitsError};
pub use error::{Error, Result};
pub use server::{RunningServer, start};
