//! The `lifecycles` check: each resource family is a state machine. A proptest strategy draws
//! sequences of steps (create, read, update, list every page, delete, membership, default or
//! primary changes, marks, preferences) over a handful of slots; a model of what the server
//! should hold — the whole expected document of each slot (`document.rs`) — says what each
//! step must answer. Steps are defined in every state (reading a slot never created
//! expects a 404), so any subsequence is a valid sequence and proptest's shrinking of the
//! sequence keeps it meaningful: a failing sequence is replayed shorter, on fresh ids, until
//! no step can go, and reported once per model with the `curl` commands of its steps.
//!
//! The models only reason about ids they made (every id carries the run prefix and the attempt
//! number, or is one of the few exact static-segment ids the subscriber model owns). Listings
//! cover the whole environment, so the check assumes nothing else writes to it while it runs:
//! the runner performs it after the concurrent checks, one model after another.

mod changes;
mod document;
mod feeds;
mod groups;
mod ids;
mod integrations;
mod layouts;
mod messages;
mod model;
mod overrides;
mod pages;
mod preferences;
mod session;
mod subscribers;
mod tenants;
mod topics;
mod workflows;

use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::{Run, Violation};
use crate::transport::HttpClient;
use crate::values::strategies;

use ids::Shape;
use model::Model;
use session::{Failure, Session};

pub(crate) use session::Recorded;

/// `lifecycles`.
pub const LIFECYCLES: &str = "lifecycles";

/// `lifecycles`.
pub struct Lifecycles;

impl Check for Lifecycles {
    fn name(&self) -> &'static str {
        LIFECYCLES
    }

    fn description(&self) -> &'static str {
        "drawn sequences of creates, reads, updates, deletes, membership, default, primary, mark and preference changes, and walks over every page agree with a model of each resource family: every writable field reads back as written after every write, merges and replacements as the contract states, no write changes another scope, a previous default or primary no longer holds it, counts agree with the items walked, lists hold exactly what exists, pages partition them, 404 after delete, ids with static segments, non-ASCII and percent signs round-trip"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    fn phase(&self) -> Phase {
        Phase::Alone
    }

    fn covers(&self, operation: &Operation) -> bool {
        covers(&operation.operation_id)
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            if run.read_only {
                return;
            }
            every_model(run.clone()).await;
            let covered: Vec<String> = run
                .selected
                .iter()
                .filter(|operation| covers(&operation.operation_id))
                .map(|operation| operation.operation_id.clone())
                .collect();
            run.progress_line(LIFECYCLES, "(models)", &covered);
        })
    }
}

/// The most steps a drawn sequence holds.
const MAX_STEPS: usize = 16;

/// The most requests spent shrinking one model's failing sequence.
const MAX_SHRINK_REQUESTS: u32 = 400;

/// A drawn sequence: the shapes of the ids, then the steps.
#[derive(Debug, Clone)]
struct Sequence<S> {
    shapes: Vec<Shape>,
    steps: Vec<S>,
}

fn sequence_strategy<M: Model>() -> BoxedStrategy<Sequence<M::Step>> {
    (M::shapes(), vec(M::step(), 1..=MAX_STEPS))
        .prop_map(|(shapes, steps)| Sequence { shapes, steps })
        .boxed()
}

/// Sequences drawn per model: a fifth of `--cases` (at least one unless it is 0), so that the
/// default run stays under two thousand requests for the whole check.
fn sequences(cases: u32) -> u32 {
    (cases / 5).max(u32::from(cases > 0))
}

/// The operations of the models [`record`] plays (all but the changes model).
const RECORDED: &[&[&str]] = &[
    subscribers::Subscribers::OPERATIONS,
    topics::Topics::OPERATIONS,
    tenants::Tenants::OPERATIONS,
    layouts::Layouts::OPERATIONS,
    groups::Groups::OPERATIONS,
    feeds::Feeds::OPERATIONS,
    integrations::Integrations::OPERATIONS,
    workflows::Workflows::OPERATIONS,
    overrides::Overrides::OPERATIONS,
    messages::Messages::OPERATIONS,
    preferences::Preferences::OPERATIONS,
];

/// Whether `operation_id` is sent by one of the models.
fn covers(operation_id: &str) -> bool {
    recorded_covers(operation_id) || changes::Changes::OPERATIONS.contains(&operation_id)
}

/// Whether `operation_id` is sent by one of the models [`record`] plays.
pub(crate) fn recorded_covers(operation_id: &str) -> bool {
    RECORDED
        .iter()
        .any(|operations| operations.contains(&operation_id))
}

/// Runs the models whose create operation is selected, one after another. Proptest's value
/// trees are not `Send`, so the sequences run on a blocking thread that drives their requests
/// on the run's runtime.
async fn every_model(run: Arc<Run>) {
    let handle = tokio::runtime::Handle::current();
    let joined = tokio::task::spawn_blocking(move || {
        handle.block_on(async {
            let chosen = |create: &str| run.is_selected(create);
            if chosen(subscribers::Subscribers::CREATE) {
                model(&run, &subscribers::Subscribers).await;
            }
            if chosen(topics::Topics::CREATE) {
                model(&run, &topics::Topics).await;
            }
            if chosen(tenants::Tenants::CREATE) {
                model(&run, &tenants::Tenants).await;
            }
            if chosen(layouts::Layouts::CREATE) {
                model(&run, &layouts::Layouts).await;
            }
            if chosen(groups::Groups::CREATE) {
                model(&run, &groups::Groups).await;
            }
            if chosen(feeds::Feeds::CREATE) {
                model(&run, &feeds::Feeds).await;
            }
            if chosen(integrations::Integrations::CREATE) {
                model(&run, &integrations::Integrations).await;
            }
            if chosen(workflows::Workflows::CREATE) {
                model(&run, &workflows::Workflows).await;
            }
            if chosen(overrides::Overrides::CREATE) {
                model(&run, &overrides::Overrides).await;
            }
            if chosen(messages::Messages::CREATE) {
                model(&run, &messages::Messages).await;
            }
            if chosen(preferences::Preferences::CREATE) {
                model(&run, &preferences::Preferences).await;
            }
            if chosen(changes::Changes::CREATE) {
                model(&run, &changes::Changes).await;
            }
        });
    })
    .await;
    if let Err(error) = joined {
        eprintln!("novu-conformance: a {LIFECYCLES} task failed: {error}");
    }
}

/// What one play of a sequence came to.
struct Played {
    result: Result<(), Failure>,
    requests: u32,
    transcript: Vec<String>,
    recorded: Vec<Recorded>,
}

async fn play<M: Model>(
    run: &Run,
    model: &M,
    sequence: &Sequence<M::Step>,
    attempt: u32,
    judged: bool,
) -> Played {
    let base = format!("{}{}{attempt}-", run.generator.prefix(), M::NAME);
    let session = Session::new(run, LIFECYCLES, judged, &base, &sequence.shapes);
    play_in(session, model, sequence).await
}

async fn play_in<M: Model>(
    mut session: Session<'_>,
    model: &M,
    sequence: &Sequence<M::Step>,
) -> Played {
    let mut state = M::State::default();
    let mut result = model.prepare(&mut session, &mut state).await;
    if result.is_ok() {
        for step in sequence.steps.iter().chain([&M::closing()]) {
            session.begin_step(&format!("{step:?}"));
            result = model.apply(&mut session, &mut state, step).await;
            if result.is_err() {
                break;
            }
        }
    }
    let transcript = session.transcript();
    let recorded = session.recorded();
    session.begin_cleanup();
    model.cleanup(&mut session, &state).await;
    Played {
        result,
        requests: session.requests(),
        transcript,
        recorded,
    }
}

/// One drawn sequence of a model, played against one server for `differential`.
pub(crate) struct Recording {
    /// `<model> sequence <n>`.
    pub name: String,
    /// The prefix of every id the play made up.
    pub base: String,
    /// Its requests with their answers.
    pub steps: Vec<Recorded>,
}

/// Plays the sequences this run's seed draws for every selected model against the server of
/// `http`, without judging or shrinking them, and answers what each saw; `label` starts
/// every id (after the run prefix), so that the plays never meet the `lifecycles` check's.
/// Requests count for `check`. The changes model is left out: it walks every pending change of
/// the environment, which two servers hold differently by what else ran on them.
pub(crate) async fn record(
    run: Arc<Run>,
    http: HttpClient,
    check: &'static str,
    label: &'static str,
) -> Vec<Recording> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        handle.block_on(async {
            let mut recordings = Vec::new();
            let target = (&*run, &http, check, label);
            record_model(target, &subscribers::Subscribers, &mut recordings).await;
            record_model(target, &topics::Topics, &mut recordings).await;
            record_model(target, &tenants::Tenants, &mut recordings).await;
            record_model(target, &layouts::Layouts, &mut recordings).await;
            record_model(target, &groups::Groups, &mut recordings).await;
            record_model(target, &feeds::Feeds, &mut recordings).await;
            record_model(target, &integrations::Integrations, &mut recordings).await;
            record_model(target, &workflows::Workflows, &mut recordings).await;
            record_model(target, &overrides::Overrides, &mut recordings).await;
            record_model(target, &messages::Messages, &mut recordings).await;
            record_model(target, &preferences::Preferences, &mut recordings).await;
            recordings
        })
    })
    .await
    .unwrap_or_default()
}

async fn record_model<M: Model>(
    (run, http, check, label): (&Run, &HttpClient, &'static str, &str),
    model: &M,
    recordings: &mut Vec<Recording>,
) {
    if !run.is_selected(M::CREATE) {
        return;
    }
    let strategy = sequence_strategy::<M>();
    let cases = sequences(run.cases);
    // The same runner as the check's: the seed draws the same sequences.
    let mut runner = strategies::runner(run.seed, &format!("{LIFECYCLES}/{}", M::NAME), cases);
    for case in 1..=cases {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            return;
        };
        let sequence = tree.current();
        let base = format!("{}{label}{}{case}-", run.generator.prefix(), M::NAME);
        let session =
            Session::new(run, check, false, &base, &sequence.shapes).through(http.clone());
        let played = play_in(session, model, &sequence).await;
        recordings.push(Recording {
            name: format!("{} sequence {case}", M::NAME),
            base,
            steps: played.recorded,
        });
    }
}

/// Draws the model's sequences; the first that fails is shrunk and reported.
async fn model<M: Model>(run: &Run, model: &M) {
    let strategy = sequence_strategy::<M>();
    let cases = sequences(run.cases);
    let mut runner = strategies::runner(run.seed, &format!("{LIFECYCLES}/{}", M::NAME), cases);
    let mut attempt = 0;
    for case in 1..=cases {
        let Ok(mut tree) = strategy.new_tree(&mut runner) else {
            return;
        };
        attempt += 1;
        let played = play(run, model, &tree.current(), attempt, true).await;
        let Err(failure) = played.result else {
            continue;
        };
        let drawn = tree.current().steps.len();
        let mut smallest = (failure, played.transcript, tree.current());
        let mut spent = 0;
        if tree.simplify() {
            while spent < MAX_SHRINK_REQUESTS {
                attempt += 1;
                let played = play(run, model, &tree.current(), attempt, false).await;
                spent += played.requests;
                match played.result {
                    Err(failure) => {
                        smallest = (failure, played.transcript, tree.current());
                        if !tree.simplify() {
                            break;
                        }
                    }
                    Ok(()) => {
                        if !tree.complicate() {
                            break;
                        }
                    }
                }
            }
        }
        let (failure, transcript, sequence) = smallest;
        report::<M>(
            run,
            failure,
            &transcript,
            &sequence,
            case,
            cases,
            drawn,
            spent,
        );
        return;
    }
}

#[allow(clippy::too_many_arguments)]
fn report<M: Model>(
    run: &Run,
    failure: Failure,
    transcript: &[String],
    sequence: &Sequence<M::Step>,
    case: u32,
    cases: u32,
    drawn: usize,
    spent: u32,
) {
    let Some(operation) = run.spec.operation(&failure.operation_id) else {
        return;
    };
    let mut steps: Vec<String> = sequence
        .steps
        .iter()
        .map(|step| format!("{step:?}"))
        .collect();
    steps.push(format!("{:?} (closing)", M::closing()));
    let received = format!(
        "{}; {} sequence {case} of {cases} (seed {}) shrunk from {drawn} drawn steps to {} in {spent} requests: [{}] with ids {:?}",
        failure.received,
        M::NAME,
        run.seed,
        sequence.steps.len(),
        steps.join(", "),
        sequence.shapes,
    );
    let violation = Violation {
        check: LIFECYCLES,
        operation_id: operation.operation_id.clone(),
        expected: failure.expected,
        received,
        curl: Some(transcript.join("\n    ")),
    };
    run.violation(operation, violation);
}
