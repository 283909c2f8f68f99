//! What a check is: the [`Check`] trait, the [`Phase`] that places it in a run, what it may do
//! under `--read-only` and how it depends on the run's fixtures.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::contract::Operation;
use crate::run::{Judge, Run};

/// The work of a check, as the runner awaits or spawns it.
pub type Task<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// When a check runs. The runner walks the phases in this order and the checks of one phase in
/// catalogue order, one after another (the [`Phase::Background`] checks excepted, which all
/// start together).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Never on its own: it judges every answer the other checks receive.
    Judging,
    /// First: requests that change nothing, per operation.
    Reads,
    /// Before anything is written: what other checks leave behind (an in-app integration newer
    /// than the environment's own, say) would show in what these record.
    BeforeWrites,
    /// After the fixtures are made, one request after another, so that later requests can
    /// address what earlier ones made.
    Examples,
    /// Per operation, concurrently, while the [`Phase::Background`] checks run beside them.
    Concurrent,
    /// Beside the [`Phase::Concurrent`] checks and each other: they mostly wait (for a feed, for
    /// a delay to pass), and the writes of the other checks never reach what these create.
    Background,
    /// Alone, once the concurrent checks are done: they depend on the whole environment (every
    /// page of a list, its SMS integrations) and assume nothing else writes meanwhile.
    Alone,
    /// Last, per operation, once the checks that run alone are done.
    Late,
}

/// What a check may send under `--read-only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnly {
    /// Everything: it changes nothing on a conforming server.
    Safe,
    /// Its GETs only.
    GetsOnly,
    /// Nothing: it does not run.
    Excluded,
}

/// How a check depends on the run's fixtures (the resources made so that requests can address
/// them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixtureUse {
    /// It does not address them.
    None,
    /// It addresses them, so they must be made before its phase.
    Addresses,
    /// It makes them, as requests of its own, when it runs.
    Makes,
}

/// A check of the catalogue.
pub trait Check: Sync {
    /// The stable name (`--check NAME`).
    fn name(&self) -> &'static str;

    /// What it expects of a server, in a sentence (`novu-conformance list`).
    fn description(&self) -> &'static str;

    /// What it may send under `--read-only`.
    fn read_only(&self) -> ReadOnly;

    /// When it runs.
    fn phase(&self) -> Phase;

    /// Whether it applies to `operation` (`novu-conformance list`, and the skips of a run).
    fn covers(&self, operation: &Operation) -> bool;

    /// How it depends on the fixtures.
    fn fixtures(&self) -> FixtureUse {
        FixtureUse::None
    }

    /// Performs the check on the run's selection.
    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a>;

    /// Work of its own, for a check of a later phase, that plays in the [`Phase::Background`]
    /// phase, beside the concurrent checks: what mostly waits on objects no other check
    /// reaches. The runner awaits it before the [`Phase::Alone`] checks.
    fn background<'a>(&'a self, run: &'a Arc<Run>) -> Option<Task<'a>> {
        let _ = run;
        None
    }

    /// What it does once every phase is done, before the run's clean-up.
    fn finish<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        let _ = run;
        Box::pin(async {})
    }

    /// The judge of every answer, for a check of [`Phase::Judging`].
    fn judge(&self) -> Option<&'static dyn Judge> {
        None
    }
}

/// Records every selected operation `check` covers as skipped for `reason`: the check does not
/// apply to this run (a flag it needs was not given).
pub(super) fn not_applicable(run: &Run, check: &dyn Check, reason: &str) {
    for operation in run
        .selected
        .iter()
        .filter(|operation| check.covers(operation))
    {
        run.recorder.skip(
            check.name(),
            &operation.operation_id,
            &operation.tag,
            reason,
        );
    }
}
