//! The checks: each has a stable name, says what it expects, and records what it sees. Each is
//! one module (a file, or a folder for the larger ones) behind the [`Check`] trait
//! (`check.rs`), which owns its name, its phase and which operations it covers; the catalogue
//! (`catalogue.rs`) registers them. Adding a check is one new module and one line there.
//!
//! Every response any check receives also passes through `response-conformance` (the run's
//! judge), so a check only has to state its own expectation (a 401, a 2xx, a 4xx). The property
//! checks (`properties.rs`) are the exception: they judge their many cases, and the requests
//! that shrink a failing one, themselves, and report one minimal violation per operation.

mod auth;
pub mod catalogue;
mod check;
mod examples;
mod invalid_body;
mod lifecycle;
mod properties;
pub mod response;
pub mod safe_reads;
mod semantic;
pub mod snapshots;

pub use check::{Check, FixtureUse, Phase, ReadOnly, Task};
