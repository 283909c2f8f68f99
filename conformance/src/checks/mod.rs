//! The checks: each has a stable name, says what it expects, and records what it sees. Each is
//! one module (a file, or a folder for the larger ones) behind the [`Check`] trait
//! (`check.rs`), which owns its name, its phase and which operations it covers; the
//! [`CATALOGUE`] below registers them. Adding a check is one new module and one line there.
//!
//! Every response any check receives also passes through `response-conformance` (the run's
//! judge), so a check only has to state its own expectation (a 401, a 2xx, a 4xx). The property
//! checks (`properties.rs`) are the exception: they judge their many cases, and the requests
//! that shrink a failing one, themselves, and report one minimal violation per operation.

mod check;

mod auth;
mod dashboard;
mod differential;
mod e2e;
mod examples;
mod idempotency;
mod invalid_body;
mod isolation;
mod lifecycle;
mod methods;
mod properties;
mod rate_limits;
pub mod response;
pub mod safe_reads;
mod semantic;
pub mod snapshots;
mod unknown_ids;

use crate::contract::Operation;

pub use check::{Check, FixtureUse, Phase, ReadOnly};
pub use e2e::INCONCLUSIVE;

/// Every check, in the order of reports and of `novu-conformance list`.
pub const CATALOGUE: &[&dyn Check] = &[
    &auth::MissingKey,
    &auth::WrongKey,
    &dashboard::DashboardOnlyRoutes,
    &response::ResponseConformance,
    &safe_reads::SafeReads,
    &examples::ExampleRequests,
    &properties::ValidInputsAccepted,
    &properties::InvalidInputsRejected,
    &invalid_body::InvalidBody,
    &methods::Methods,
    &unknown_ids::UnknownIds,
    &lifecycle::Lifecycles,
    &isolation::Isolation,
    &idempotency::Idempotency,
    &rate_limits::RateLimits,
    &semantic::conditions::Conditions,
    &semantic::delivery::TriggerDelivery,
    &semantic::delivery::IntegrationSelection,
    &e2e::NovuE2e,
    &snapshots::Snapshots,
    &differential::Differential,
];

/// The names of the checks, in catalogue order.
pub fn check_names() -> Vec<&'static str> {
    CATALOGUE.iter().map(|check| check.name()).collect()
}

/// The names of the checks that apply to `operation`, in catalogue order.
pub fn applicable(operation: &Operation) -> Vec<&'static str> {
    CATALOGUE
        .iter()
        .filter(|check| check.covers(operation))
        .map(|check| check.name())
        .collect()
}
