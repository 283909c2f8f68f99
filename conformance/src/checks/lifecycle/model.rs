//! What a model is: a resource family as a state machine ([`Model`]).

use std::collections::BTreeMap;
use std::fmt::Debug;

use proptest::collection::vec;
use proptest::prelude::*;

use super::ids::{Shape, suffixed};
use super::session::{Failure, Session};

/// The id a step on `slot` addresses, for models whose server gives the ids: the live
/// resource's (`id` reads it), else the deleted one's, so that steps on a deleted slot are
/// sent too and expect the 404.
pub(crate) fn address<T>(
    live: &BTreeMap<usize, T>,
    deleted: &BTreeMap<usize, String>,
    slot: usize,
    id: impl FnOnce(&T) -> &str,
) -> Option<String> {
    match live.get(&slot) {
        Some(item) => Some(id(item).to_owned()),
        None => deleted.get(&slot).cloned(),
    }
}

/// A resource family as a state machine.
pub(crate) trait Model {
    /// One transition.
    type Step: Clone + Debug + 'static;
    /// What the server should hold.
    type State: Default;
    /// The family's name in reports.
    const NAME: &'static str;
    /// The operation whose selection enables the model.
    const CREATE: &'static str;
    /// Every operation the model sends.
    const OPERATIONS: &'static [&'static str];
    /// How many ids the model draws (slots of its resources).
    const IDS: usize;

    /// The shapes of the drawn ids, one per id.
    fn shapes() -> BoxedStrategy<Vec<Shape>> {
        vec(suffixed(), Self::IDS).boxed()
    }

    /// One step.
    fn step() -> BoxedStrategy<Self::Step>;

    /// The step that ends every sequence: a walk over the whole list, so that each sequence
    /// is compared with what the server lists at least once.
    fn closing() -> Self::Step;

    /// Sets up what the sequence needs (helper resources, the environment's current default).
    async fn prepare(
        &self,
        session: &mut Session<'_>,
        state: &mut Self::State,
    ) -> Result<(), Failure> {
        let _ = (session, state);
        Ok(())
    }

    /// Sends `step`, compares the answer with the model and advances it.
    async fn apply(
        &self,
        session: &mut Session<'_>,
        state: &mut Self::State,
        step: &Self::Step,
    ) -> Result<(), Failure>;

    /// Deletes what the sequence left.
    async fn cleanup(&self, session: &mut Session<'_>, state: &Self::State);
}
