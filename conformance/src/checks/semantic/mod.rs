//! The semantic checks: what a trigger does, judged by the contract's words alone.
//! `conditions` (`conditions.rs`) compares the delivery of drawn step conditions with an
//! oracle written from the contract's descriptions (`oracle.rs`); `trigger-delivery` and
//! `integration-selection` (`delivery.rs`) play curated scenarios with drawn names and values.
//!
//! They run when `events_trigger` is selected and the run may write. Each scenario creates what
//! it needs under the run's prefix in a [`sandbox::Sandbox`], which deletes it again.

pub mod conditions;
pub mod delivery;
mod oracle;
pub mod sandbox;

use std::future::Future;

use crate::contract::Operation;
use crate::run::Run;

/// The operation whose selection (`--tag`, `--operation`, `--partition`) turns the semantic
/// checks on: they all trigger, and report what a trigger did on it.
pub const SCENARIO_OPERATION: &str = "events_trigger";

/// Whether `operation` is the one the semantic checks report on.
fn triggers(operation: &Operation) -> bool {
    operation.operation_id == SCENARIO_OPERATION
}

/// Performs `check`, the future of the check named `name`, when the run may write and the
/// trigger is selected; then its progress line.
async fn after_a_trigger(run: &Run, name: &'static str, check: impl Future<Output = ()>) {
    if run.read_only || !run.is_selected(SCENARIO_OPERATION) {
        return;
    }
    check.await;
    let operations: Vec<String> = run
        .recorder
        .results()
        .into_iter()
        .filter(|result| result.check == name)
        .map(|result| result.operation_id)
        .collect();
    run.progress_line(name, "(scenarios)", &operations);
}
