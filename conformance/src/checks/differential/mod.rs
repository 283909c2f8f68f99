//! The `differential` check: with `--compare-url` and `--compare-api-key`, the snapshot
//! scenarios and the lifecycle sequences of the run's seed are played against the server under
//! test and against the server compared with, and their normalized transcripts must be the
//! same. It judges behaviour, not the contract: any difference (a status, a field, a message,
//! a step that one server reaches and the other does not) is reported once per scenario or
//! sequence, at its first differing step, with a unified diff of the two transcripts and the
//! `curl` command of that step for each server.
//!
//! Transcripts are normalized as the snapshots are (server-made ids by order of first
//! appearance, date-times, the key). A lifecycle sequence walks whole lists, so its lists keep
//! only the items the play made and lose their totals, and a read repeated while waiting (for
//! a delivery) counts once, as its last answer. Both environments should hold the same other
//! data (fresh ones do): a list that pages differently shows as a difference.

use std::sync::Arc;

use serde_json::Value;

use super::check::{Check, Phase, ReadOnly, Task, not_applicable};
use super::lifecycle::{self, Recording};
use super::snapshots::{self, SCENARIOS, Sent, Snapshots};
use crate::contract::Operation;
use crate::run::{Run, Violation};
use crate::transport::HttpClient;

/// `differential`.
pub const DIFFERENTIAL: &str = "differential";

/// `differential`.
pub struct Differential;

/// Why the check did not run without a server to compare with.
const NO_COMPARISON: &str =
    "not applicable: no --compare-url and --compare-api-key (another server to compare with)";

/// What starts every id of the lifecycle plays, after the run prefix.
const LABEL: &str = "diff-";

impl Check for Differential {
    fn name(&self) -> &'static str {
        DIFFERENTIAL
    }

    fn description(&self) -> &'static str {
        "with --compare-url: the snapshot scenarios and the seed's lifecycle sequences give the same normalized transcripts on both servers"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    fn phase(&self) -> Phase {
        // Before the run writes anything, so that both environments hold the same.
        Phase::BeforeWrites
    }

    fn covers(&self, operation: &Operation) -> bool {
        Snapshots.covers(operation) || lifecycle::recorded_covers(&operation.operation_id)
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            if run.read_only {
                return;
            }
            let Some(compare) = run.compare.clone() else {
                not_applicable(run, self, NO_COMPARISON);
                return;
            };
            scenarios(run, &compare).await;
            sequences(run, &compare).await;
            let covered: Vec<String> = run
                .selected
                .iter()
                .filter(|operation| self.covers(operation))
                .map(|operation| operation.operation_id.clone())
                .collect();
            run.progress_line(DIFFERENTIAL, "(servers)", &covered);
        })
    }
}

/// The two sides of a comparison: a transcript and the `curl` command of each of its steps.
struct Side {
    transcript: Value,
    curls: Vec<String>,
}

/// Every scenario whose first operation is selected, on both servers.
async fn scenarios(run: &Run, compare: &HttpClient) {
    for scenario in SCENARIOS {
        if !run.is_selected(scenario.operations[0]) {
            continue;
        }
        let ours = snapshots::replay(scenario, run, &run.http, DIFFERENTIAL).await;
        let theirs = snapshots::replay(scenario, run, compare, DIFFERENTIAL).await;
        let name = format!("scenario {}", scenario.name);
        report(
            run,
            compare,
            &name,
            scenario.operations[0],
            Side {
                transcript: ours.transcript,
                curls: ours.curls,
            },
            Side {
                transcript: theirs.transcript,
                curls: theirs.curls,
            },
        );
    }
}

/// The seed's lifecycle sequences, on both servers.
async fn sequences(run: &Arc<Run>, compare: &HttpClient) {
    let ours = lifecycle::record(run.clone(), run.http.clone(), DIFFERENTIAL, LABEL).await;
    let theirs = lifecycle::record(run.clone(), compare.clone(), DIFFERENTIAL, LABEL).await;
    for (ours, theirs) in ours.into_iter().zip(theirs) {
        let name = format!("lifecycle {}", ours.name);
        let first = ours
            .steps
            .first()
            .map(|step| step.operation_id)
            .unwrap_or("subscribers_create");
        let ours = lifecycle_side(&name, ours, run.http.api_key());
        let theirs = lifecycle_side(&name, theirs, compare.api_key());
        report(run, compare, &name, first, ours, theirs);
    }
}

/// A lifecycle play as a transcript: lists keep the play's items only, without totals, and a
/// read repeated at once keeps its last answer.
fn lifecycle_side(name: &str, recording: Recording, api_key: &str) -> Side {
    let mut sent: Vec<Sent> = Vec::new();
    for step in recording.steps {
        let mut response = step.body;
        own_items_only(&mut response, &recording.base);
        let repeated = sent.last().is_some_and(|last| {
            step.request.method == "GET"
                && last.request.method == "GET"
                && last.request.path == step.request.path
                && last.request.query == step.request.query
        });
        if repeated {
            sent.pop();
        }
        sent.push(Sent {
            operation: step.operation_id.to_owned(),
            request: step.request,
            curl: step.curl,
            status: step.status,
            response,
        });
    }
    let curls = sent.iter().map(|sent| sent.curl.clone()).collect();
    Side {
        transcript: snapshots::normalized(name, sent, api_key),
        curls,
    }
}

/// Keeps the items of a list answer's `data` that mention `base`, and drops its totals.
fn own_items_only(body: &mut Value, base: &str) {
    let Value::Object(object) = body else {
        return;
    };
    let Some(Value::Array(items)) = object.get_mut("data") else {
        return;
    };
    items.retain(|item| item.to_string().contains(base));
    for total in ["totalCount", "hasMore", "total"] {
        object.remove(total);
    }
}

/// Reports a difference between `ours` (the server under test) and `theirs` (the server
/// compared with), at its first differing step; `fallback` is the operation blamed when that
/// step has none.
fn report(run: &Run, compare: &HttpClient, name: &str, fallback: &str, ours: Side, theirs: Side) {
    if ours.transcript == theirs.transcript {
        return;
    }
    let steps = |side: &Side| {
        side.transcript
            .get("steps")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (our_steps, their_steps) = (steps(&ours), steps(&theirs));
    let first = (0..our_steps.len().max(their_steps.len()))
        .find(|index| our_steps.get(*index) != their_steps.get(*index))
        .unwrap_or(0);
    let step = our_steps.get(first).or_else(|| their_steps.get(first));
    let operation_id = step
        .and_then(|step| step["operation"].as_str())
        .unwrap_or(fallback);
    let Some(operation) = run
        .spec
        .operation(operation_id)
        .or_else(|| run.spec.operation(fallback))
    else {
        return;
    };
    let request = step
        .and_then(|step| step["request"].as_str())
        .unwrap_or("(no request)");
    let render =
        |value: &Value| serde_norway::to_string(value).unwrap_or_else(|error| error.to_string());
    let (before, after) = (render(&theirs.transcript), render(&ours.transcript));
    let diff: String = similar::TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(3)
        .header(compare.base_url(), run.http.base_url())
        .to_string()
        .lines()
        .map(|line| format!("\n    {line}"))
        .collect();
    let curls: Vec<String> = [
        ours.curls
            .get(first)
            .map(|curl| format!("{curl}  # this server")),
        theirs
            .curls
            .get(first)
            .map(|curl| format!("{curl}  # the server compared with")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let violation = Violation {
        check: DIFFERENTIAL,
        operation_id: operation.operation_id.clone(),
        expected: format!(
            "the behaviour of the server compared with ({}) in {name}",
            compare.base_url()
        ),
        received: format!(
            "behaviour difference at step {} ({request}) of {name}:{diff}",
            first + 1
        ),
        curl: (!curls.is_empty()).then(|| curls.join("\n    ")),
    };
    run.violation(operation, violation);
}
