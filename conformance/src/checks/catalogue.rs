//! The catalogue: every check, once. Adding a check is one module and one line here.

use super::Check;
use super::{
    auth, examples, invalid_body, lifecycle, properties, response, safe_reads, semantic, snapshots,
};
use crate::contract::Operation;

/// Every check, in the order of reports and of `novu-conformance list`.
pub const CATALOGUE: &[&dyn Check] = &[
    &auth::MissingKey,
    &auth::WrongKey,
    &response::ResponseConformance,
    &safe_reads::SafeReads,
    &examples::ExampleRequests,
    &properties::ValidInputsAccepted,
    &properties::InvalidInputsRejected,
    &invalid_body::InvalidBody,
    &lifecycle::Lifecycles,
    &semantic::conditions::Conditions,
    &semantic::delivery::TriggerDelivery,
    &semantic::delivery::IntegrationSelection,
    &snapshots::Snapshots,
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
