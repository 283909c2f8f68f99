//! The property checks, `valid-inputs-accepted` and `invalid-inputs-rejected`: `--cases`
//! inputs per operation drawn from the strategies of `values/strategies.rs`, each judged by the
//! contract; the first failing input is shrunk to a minimal one and reported with its `curl`
//! command, the seed and the case number, so that `--seed` replays it.
//!
//! For `valid-inputs-accepted`, the first two cases of an operation whose input states bounds
//! are drawn at the upper, then the lower, edges of those bounds (`values/bounds.rs`), the next
//! one leaves an optional body out, and after the `--cases` cases every documented example of
//! the request body is sent once, with a query drawn like any other. For
//! `invalid-inputs-rejected`, the first cases of an operation with a JSON body send a body that
//! is no object (`null`, an array, a number, a string, `true`) and, when it is required, none
//! (`values/whole_body.rs`). Last, where the contract marks values `x-empty: absent`,
//! `valid-inputs-accepted` sends an input without them and again with each of them empty, and
//! expects the same answer (`values/empty.rs`).

use std::sync::Arc;

use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::Value;

use super::check::{Check, FixtureUse, Phase, ReadOnly, Task};
use super::response::response_problems;
use crate::contract::Operation;
use crate::run::fixtures;
use crate::run::{Exchange, Run, fill_path, for_each_tag};
use crate::transport::{Body, Credentials, Request};
use crate::values::bounds::Edge;
use crate::values::strategies::{self, Mutated};
use crate::values::{empty, whole_body};

/// `valid-inputs-accepted`.
pub const VALID_INPUTS_ACCEPTED: &str = "valid-inputs-accepted";
/// `invalid-inputs-rejected`.
pub const INVALID_INPUTS_REJECTED: &str = "invalid-inputs-rejected";

/// How a randomly drawn valid input is described.
const RANDOM_VALID: &str = "an input the schemas allow";

/// The most requests spent shrinking one failing input.
const MAX_SHRINK_REQUESTS: u32 = 256;

/// `valid-inputs-accepted`.
pub struct ValidInputsAccepted;

/// `invalid-inputs-rejected`.
pub struct InvalidInputsRejected;

impl Check for ValidInputsAccepted {
    fn name(&self) -> &'static str {
        VALID_INPUTS_ACCEPTED
    }

    fn description(&self) -> &'static str {
        "--cases bodies and query values the schemas allow (two at the exact edges of their bounds, one without an optional body) and every documented body example get a documented answer, never a 5xx, and never a 400 listing constraint messages"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::GetsOnly
    }

    fn phase(&self) -> Phase {
        Phase::Concurrent
    }

    fn covers(&self, operation: &Operation) -> bool {
        operation.has_inputs()
    }

    fn fixtures(&self) -> FixtureUse {
        FixtureUse::Addresses
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(every_operation_with_inputs(run, VALID_INPUTS_ACCEPTED))
    }
}

impl Check for InvalidInputsRejected {
    fn name(&self) -> &'static str {
        INVALID_INPUTS_REJECTED
    }

    fn description(&self) -> &'static str {
        "--cases bodies and query values breaking one schema keyword each (first a whole body that is no object, or none where one is required) get a documented 4xx (not 401) with the error body"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::GetsOnly
    }

    fn phase(&self) -> Phase {
        Phase::Concurrent
    }

    fn covers(&self, operation: &Operation) -> bool {
        operation.has_inputs()
    }

    fn fixtures(&self) -> FixtureUse {
        FixtureUse::Addresses
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(every_operation_with_inputs(run, INVALID_INPUTS_REJECTED))
    }
}

/// `check` on every selected operation with inputs that the run may send.
async fn every_operation_with_inputs(run: &Arc<Run>, check: &'static str) {
    let operations: Vec<Operation> = run
        .selected
        .iter()
        .filter(|operation| run.may_send(operation) && operation.has_inputs())
        .cloned()
        .collect();
    for_each_tag(run, check, operations, move |run, operation| async move {
        on_operation(run, operation, check).await;
    })
    .await;
}

/// Runs `check` on `operation`. Proptest's value trees are not `Send`, so the cases run on a
/// blocking thread that drives their requests on the run's runtime.
async fn on_operation(run: Arc<Run>, operation: Operation, check: &'static str) {
    let handle = tokio::runtime::Handle::current();
    let joined = tokio::task::spawn_blocking(move || {
        handle.block_on(cases(&run, &operation, check));
    })
    .await;
    if let Err(error) = joined {
        eprintln!("novu-conformance: a {check} task failed: {error}");
    }
}

/// What became of one drawn input.
enum InputVerdict {
    /// The server answered as the contract says.
    Passed,
    /// The generator drew a value that is not what it should be: skipped, never blamed on the
    /// server.
    Skipped,
    /// The server broke the contract.
    Failed(Box<FailingInput>),
}

/// A failing input as far as it was shrunk.
struct FailingInput {
    exchange: Exchange,
    problem: String,
    description: String,
}

async fn cases(run: &Run, operation: &Operation, check: &'static str) {
    let valid = check == VALID_INPUTS_ACCEPTED;
    let strategy: BoxedStrategy<Mutated> = if valid {
        strategies::valid_input(&run.spec, operation)
            .prop_map(|input| (input, RANDOM_VALID.to_owned()))
            .boxed()
    } else {
        strategies::invalid_input(&run.spec, operation)
    };
    let schema = strategies::input_schema(operation);
    let mut runner = strategies::runner(
        run.seed,
        &format!("{check}/{}", operation.operation_id),
        run.cases,
    );
    let path = fill_path(run, operation, &run.hints());
    // At the edges first: the upper ones, then the lower ones, where the input has any, then
    // the whole-body edges (a body that is no object, or none).
    let mut edges: Vec<BoxedStrategy<Mutated>> = [Edge::Upper, Edge::Lower]
        .into_iter()
        .filter(|_| valid)
        .filter_map(|edge| {
            let inputs = strategies::edge_input(&run.spec, operation, edge)?;
            Some(
                inputs
                    .prop_map(move |input| (input, edge.describe().to_owned()))
                    .boxed(),
            )
        })
        .collect();
    edges.extend(if valid {
        whole_body::absent_optional_body(&run.spec, operation)
    } else {
        whole_body::invalid_bodies(&run.spec, operation)
    });
    let mut skipped = 0;
    for case in 1..=run.cases {
        let drawn = edges.get(case as usize - 1).unwrap_or(&strategy);
        let Ok(mut tree) = drawn.new_tree(&mut runner) else {
            break;
        };
        let failure = match attempt(run, operation, check, &path, &schema, tree.current()).await {
            InputVerdict::Passed => continue,
            InputVerdict::Skipped => {
                skipped += 1;
                continue;
            }
            InputVerdict::Failed(failure) => *failure,
        };
        let original = failure.description.clone();
        // On a server with state the shrunk input may fail only after the first one: keep both.
        let first_input = input_of(&failure.exchange.request);
        let (failure, steps) =
            shrink(run, operation, check, &path, &schema, &mut tree, failure).await;
        let expected = if valid {
            "a documented answer, not a 5xx, that matches its schema and is not a 400 listing constraint messages"
                .to_owned()
        } else {
            format!(
                "a documented 4xx (not 401) with the error body for {}",
                failure.description
            )
        };
        let input = input_of(&failure.exchange.request);
        let from = if valid && original == RANDOM_VALID {
            String::new()
        } else {
            format!(" from {original}")
        };
        let problem = format!(
            "{}; case {case} of {} (seed {}) sent {first_input}; shrunk in {steps} requests{from} to {input}",
            failure.problem, run.cases, run.seed
        );
        run.violation(
            operation,
            failure
                .exchange
                .violation(check, operation, &expected, Some(&problem)),
        );
        return;
    }
    if valid && examples(run, operation, &path, &schema, &strategy, &mut runner).await {
        return;
    }
    if valid && empty_as_absent(run, operation, &path, &schema, &strategy, &mut runner).await {
        return;
    }
    if run.cases > 0 && skipped == run.cases {
        run.recorder.skip(
            check,
            &operation.operation_id,
            &operation.tag,
            "no drawn input passed the generator's self-check",
        );
    }
}

/// Sends every documented example of `operation`'s request body once, each with a query drawn
/// from `inputs`; reports the first one that is not accepted and answers whether it did.
async fn examples(
    run: &Run,
    operation: &Operation,
    path: &str,
    schema: &Value,
    inputs: &BoxedStrategy<Mutated>,
    runner: &mut TestRunner,
) -> bool {
    let documented = operation
        .request_body
        .iter()
        .flat_map(|body| body.examples.iter())
        .enumerate();
    for (index, example) in documented {
        let Ok(tree) = inputs.new_tree(runner) else {
            return false;
        };
        let (mut input, _) = tree.current();
        input["body"] = example.clone();
        let description = format!("documented example {} of the request body", index + 1);
        let verdict = attempt(
            run,
            operation,
            VALID_INPUTS_ACCEPTED,
            path,
            schema,
            (input, description.clone()),
        )
        .await;
        let failure = match verdict {
            InputVerdict::Passed => continue,
            // An example its own schema refuses is the contract's mistake, not the server's.
            InputVerdict::Skipped => {
                eprintln!(
                    "novu-conformance: {} {description} does not match its schema; not sent",
                    operation.operation_id
                );
                continue;
            }
            InputVerdict::Failed(failure) => *failure,
        };
        let problem = format!(
            "{}; {description} sent {}",
            failure.problem,
            input_of(&failure.exchange.request)
        );
        let expected = "the documented example accepted like any valid input: a documented answer, not a 5xx, that matches its schema and is not a 400 listing constraint messages";
        run.violation(
            operation,
            failure
                .exchange
                .violation(VALID_INPUTS_ACCEPTED, operation, expected, Some(&problem)),
        );
        return true;
    }
    false
}

/// How many draws `empty_as_absent` tries for an input that keeps a body property of its own.
const EMPTY_PAIR_DRAWS: usize = 8;

/// Where the contract marks values `x-empty: absent`, sends a drawn input without them (twice
/// for a write), then with each of them empty, and expects the same answer: the same status
/// and, for a write that succeeds, the same body but for `updatedAt`. Reports a difference and
/// answers whether it did.
async fn empty_as_absent(
    run: &Run,
    operation: &Operation,
    path: &str,
    schema: &Value,
    inputs: &BoxedStrategy<Mutated>,
    runner: &mut TestRunner,
) -> bool {
    let places = empty::places(&run.spec, operation);
    if places.is_empty() {
        return false;
    }
    let drawn = (0..EMPTY_PAIR_DRAWS).find_map(|_| {
        let (input, _) = inputs.new_tree(runner).ok()?.current();
        empty::pair(&input, &places)
    });
    let Some((without, with_empty)) = drawn else {
        return false;
    };
    if run.schemas.check(schema, &without).is_err()
        || run.schemas.check(schema, &with_empty).is_err()
    {
        return false;
    }
    // A write may move the state once (a priority recalculated, an environment moved): the
    // input without the values is sent twice, and the second answer is the one compared.
    if operation.method != "GET" {
        send_input(run, operation, path, &without).await;
    }
    let first = send_input(run, operation, path, &without).await;
    let second = send_input(run, operation, path, &with_empty).await;
    let comparable = |exchange: &Exchange| {
        exchange.json().map(|mut body| {
            forget_updated_at(&mut body);
            body
        })
    };
    let mut problems = Vec::new();
    if first.status() != second.status() {
        problems.push(format!(
            "status {:?} without them, {:?} with them empty",
            first.status(),
            second.status()
        ));
    } else if operation.method != "GET"
        && second
            .status()
            .is_some_and(|status| (200..300).contains(&status))
        && comparable(&first) != comparable(&second)
    {
        problems.push("the bodies differ beyond updatedAt".to_owned());
    }
    problems.extend(accepted_problems(run, operation, &second));
    if problems.is_empty() {
        return false;
    }
    let named = empty::describe(&places);
    let expected = format!(
        "{named} empty answered as when left out (x-empty: absent): the same status, the same body for a successful write"
    );
    let problem = format!(
        "{}; without them sent {}",
        problems.join("; "),
        input_of(&first.request)
    );
    run.violation(
        operation,
        second.violation(VALID_INPUTS_ACCEPTED, operation, &expected, Some(&problem)),
    );
    true
}

/// Sends `input` as `operation`'s query and body; what it creates is deleted again.
async fn send_input(run: &Run, operation: &Operation, path: &str, input: &Value) -> Exchange {
    let request = Request {
        method: operation.method.clone(),
        path: path.to_owned(),
        query: query_of(input),
        body: input.get("body").cloned().map(Body::Json),
        credentials: Credentials::ApiKey,
        headers: Vec::new(),
    };
    let exchange = run.send(VALID_INPUTS_ACCEPTED, operation, request).await;
    fixtures::undo(run, operation, &exchange).await;
    exchange
}

/// Takes every `updatedAt` out of `value`: two writes of the same values differ there.
fn forget_updated_at(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            fields.remove("updatedAt");
            fields.values_mut().for_each(forget_updated_at);
        }
        Value::Array(items) => items.iter_mut().for_each(forget_updated_at),
        _ => {}
    }
}

/// proptest's shrinking loop: simplify while the input still fails, complicate when it passes.
async fn shrink(
    run: &Run,
    operation: &Operation,
    check: &'static str,
    path: &str,
    schema: &Value,
    tree: &mut Box<dyn ValueTree<Value = Mutated>>,
    mut failure: FailingInput,
) -> (FailingInput, u32) {
    let mut steps = 0;
    if !tree.simplify() {
        return (failure, steps);
    }
    while steps < MAX_SHRINK_REQUESTS {
        steps += 1;
        match attempt(run, operation, check, path, schema, tree.current()).await {
            InputVerdict::Failed(smaller) => {
                failure = *smaller;
                if !tree.simplify() {
                    break;
                }
            }
            // A simplification that passes, or that is no longer what the check needs, is undone.
            InputVerdict::Passed | InputVerdict::Skipped => {
                if !tree.complicate() {
                    break;
                }
            }
        }
    }
    (failure, steps)
}

/// Sends one drawn input, after checking that it is what the check needs (valid against the
/// input schema for `valid-inputs-accepted`, invalid for `invalid-inputs-rejected`).
async fn attempt(
    run: &Run,
    operation: &Operation,
    check: &'static str,
    path: &str,
    schema: &Value,
    (input, description): Mutated,
) -> InputVerdict {
    let valid = check == VALID_INPUTS_ACCEPTED;
    if run.schemas.check(schema, &input).is_ok() != valid {
        return InputVerdict::Skipped;
    }
    let request = Request {
        method: operation.method.clone(),
        path: path.to_owned(),
        query: query_of(&input),
        body: input.get("body").cloned().map(Body::Json),
        credentials: if operation.authenticated {
            Credentials::ApiKey
        } else {
            Credentials::Missing
        },
        headers: Vec::new(),
    };
    let exchange = run.send(check, operation, request).await;
    fixtures::undo(run, operation, &exchange).await;
    let problems = if valid {
        accepted_problems(run, operation, &exchange)
    } else {
        rejected_problems(run, operation, &exchange)
    };
    if problems.is_empty() {
        return InputVerdict::Passed;
    }
    InputVerdict::Failed(Box::new(FailingInput {
        exchange,
        problem: problems.join("; "),
        description,
    }))
}

/// Query pairs of an input: arrays repeat the parameter (`style: form`, `explode: true`).
fn query_of(input: &Value) -> Vec<(String, String)> {
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let mut pairs = Vec::new();
    for (name, value) in input
        .get("query")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        match value {
            Value::Array(items) => {
                pairs.extend(items.iter().map(|item| (name.clone(), text(item))));
            }
            Value::Null => {}
            other => pairs.push((name.clone(), text(other))),
        }
    }
    pairs
}

/// The input a request carried, for the report.
fn input_of(request: &Request) -> String {
    let query: Vec<String> = request
        .query
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let body = match &request.body {
        Some(Body::Json(body)) => body.to_string(),
        Some(Body::RawJson(text)) => text.clone(),
        None => "none".into(),
    };
    format!("query [{}] body {body}", query.join("&"))
}

fn accepted_problems(run: &Run, operation: &Operation, exchange: &Exchange) -> Vec<String> {
    let mut problems = response_problems(run, operation, exchange);
    if exchange.status() == Some(400)
        && exchange
            .json()
            .is_some_and(|body| body.get("message").is_some_and(Value::is_array))
    {
        problems.push(
            "a 400 listing constraint messages: an input the schemas allow must pass input validation"
                .into(),
        );
    }
    problems
}

fn rejected_problems(run: &Run, operation: &Operation, exchange: &Exchange) -> Vec<String> {
    let Some(status) = exchange.status() else {
        return response_problems(run, operation, exchange);
    };
    if !(400..500).contains(&status) || status == 401 {
        return vec![format!("status {status} for an input the schemas forbid")];
    }
    let Some(documented) = operation.response_for(status) else {
        return vec![format!("status {status} is not documented")];
    };
    let Some(schema) = documented.content.values().next() else {
        return Vec::new();
    };
    match exchange.json() {
        None => vec!["the body is not JSON".into()],
        Some(body) => match run.schemas.check(schema, &body) {
            Ok(()) => Vec::new(),
            Err(problem) => vec![format!(
                "the error body does not match the schema: {problem}"
            )],
        },
    }
}
