//! The conformance suite of novu-contract: checks any Novu-compatible server against the
//! contract `spec/novu.yaml`.
//!
//! The suite reads the contract itself (never the generated crates) and judges every answer
//! by it alone. [`run`] performs a run and returns a [`Report`]; [`report`] formats it.
//! [`record`] plays one of the curated [`SCENARIOS`] and returns its normalized transcript, the
//! form the `snapshots` check compares with the committed snapshots.
#![deny(missing_docs)]

mod callback;
mod checks;
mod conditions;
mod delivery;
mod error;
mod generate;
mod http;
mod lifecycle;
mod oracle;
mod outcome;
mod progress;
mod properties;
pub mod report;
mod resources;
mod runner;
mod scenarios;
mod schema;
mod semantic;
mod spec;
mod strategies;

pub use checks::{CHECKS, Check};
pub use error::{Error, Result};
pub use outcome::{CheckResult, Violation};
pub use runner::{Options, Report, run};
pub use scenarios::{SCENARIOS, Scenario, Step, Transcript, record};
pub use spec::{EMBEDDED_SPEC, Operation, Spec};
