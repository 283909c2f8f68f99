//! The conformance suite of novu-contract: checks any Novu-compatible server against the
//! contract `spec/novu.yaml`.
//!
//! The suite reads the contract itself (never the generated crates) and judges every answer
//! by it alone. [`run`] performs a run and returns a [`Report`]; [`report`] formats it.
//! [`record`] plays one of the curated [`SCENARIOS`] and returns its normalized transcript, the
//! form the `snapshots` check compares with the committed snapshots.
//!
//! The crate reads as floors, each module using only those below it: `contract` (the spec and
//! its validators) → `values` (example values and proptest strategies) → `transport` (the HTTP
//! client and the callback server) → `run` (the context of one run) → `checks` (one module per
//! check, registered in one catalogue) → `runner` (walks the catalogue phase by phase) →
//! `report` (formats what a run found).
#![deny(missing_docs)]

mod checks;
mod contract;
mod error;
pub mod report;
mod run;
mod runner;
mod transport;
mod values;

pub use checks::snapshots::{SCENARIOS, Scenario, Transcript, TranscriptStep, record};
pub use checks::{INCONCLUSIVE, check_names};
pub use contract::{EMBEDDED_SPEC, Operation, Spec};
pub use error::{Error, Result};
pub use run::{
    Baseline, CONFIG_FILE, CaseOutcome, CaseRecord, CheckResult, ConfigFile, Coverage, GateResult,
    KnownViolation, Label, OperationCoverage, Options, Recheck, RecordedExchange, Requirement,
    Violation, parse_percentage,
};
pub use runner::{CutShort, Report, run};
