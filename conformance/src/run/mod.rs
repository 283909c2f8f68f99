//! The context of one run, which every check is handed (`context.rs`): the contract and its
//! validators, the HTTP client, the value generator, what the run knows and made, the selection
//! and the options (`options.rs`), and where findings go.
//!
//! `exchange.rs` is a request with its answer; `requests.rs` fills a request's path and query
//! with what the run knows; `fixtures.rs` makes the resources later requests address and
//! deletes them again; `schedule.rs` sends per-operation work concurrently, tag by tag;
//! `results.rs` records requests, violations and skips per check and operation;
//! `progress.rs` reports progress on standard error.
//!
//! The run knows no check by name: the one that judges every answer (`response-conformance`)
//! is handed in as a [`Judge`].

mod context;
mod exchange;
pub mod fixtures;
mod options;
mod progress;
mod requests;
mod results;
mod schedule;

pub use context::{Judge, Run};
pub use exchange::Exchange;
pub use options::Options;
pub use requests::{fill_path, fill_query};
pub use results::{CaseOutcome, CaseRecord, CheckResult, Violation};
pub use schedule::for_each_tag;
