//! The context of one run, which every check is handed (`context.rs`): the contract and its
//! validators, the HTTP client, the value generator, what the run knows and made, the selection
//! and the options (`options.rs`), and where findings go.
//!
//! `exchange.rs` is a request with its answer; `requests.rs` fills a request's path and query
//! with what the run knows; `fixtures.rs` makes the resources later requests address and
//! deletes them again; `schedule.rs` sends per-operation work concurrently, tag by tag;
//! `results.rs` records requests, violations (`violation.rs`) and skips per check and
//! operation; `progress.rs` reports progress on standard error.
//!
//! `traffic.rs` is the tap that sees every exchange on the wire; `coverage.rs` makes the
//! status coverage and its gates from it; `baseline.rs` reads the known violations and
//! fingerprints each violation; `recheck.rs` sends a violation's request again to tell a flaky
//! one; `config.rs` reads `novu-conformance.toml`.
//!
//! The run knows no check by name: the one that judges every answer (`response-conformance`)
//! is handed in as a [`Judge`].

pub mod baseline;
mod config;
mod context;
pub mod coverage;
mod exchange;
pub mod fixtures;
mod options;
mod progress;
mod recheck;
mod requests;
mod results;
mod schedule;
mod traffic;
mod violation;

pub use baseline::{Baseline, KnownViolation};
pub use config::{CONFIG_FILE, ConfigFile};
pub use context::{Judge, Run};
pub use coverage::{Coverage, GateResult, OperationCoverage, Requirement, parse_percentage};
pub use exchange::Exchange;
pub use options::Options;
pub use recheck::Recheck;
pub use requests::{fill_path, fill_query};
pub use results::{CaseOutcome, CaseRecord, CheckResult, Label};
pub use schedule::for_each_tag;
pub use traffic::{RecordedExchange, Traffic};
pub use violation::Violation;
