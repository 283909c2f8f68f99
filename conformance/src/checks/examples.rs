//! `example-requests`: one valid request per operation, generated from its schema (required
//! properties, `enum`/`default`/minimal values) with the ids of resources created earlier in
//! the run; the answer conforms and is not a 5xx.
//!
//! The requests go one after another: the creates first (they make the run's fixtures, which
//! later requests and the property checks address), then everything else but removals, and at
//! the end the removals and deletes, which undo what the others set up.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::check::{Check, FixtureUse, Phase, ReadOnly, Task};
use super::response::response_problems;
use crate::contract::Operation;
use crate::run::fixtures::{self, PRODUCERS};
use crate::run::{Exchange, Run, fill_path, fill_query};
use crate::transport::{Body, Credentials, Request};
use crate::values::Hints;

/// `example-requests`.
pub const EXAMPLE_REQUESTS: &str = "example-requests";

/// `example-requests`.
pub struct ExampleRequests;

impl Check for ExampleRequests {
    fn name(&self) -> &'static str {
        EXAMPLE_REQUESTS
    }

    fn description(&self) -> &'static str {
        "one valid request per operation, built from the request schema and resources created earlier in the run, gets a conforming answer that is not a 5xx"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::GetsOnly
    }

    fn phase(&self) -> Phase {
        Phase::Examples
    }

    fn covers(&self, _operation: &Operation) -> bool {
        true
    }

    fn fixtures(&self) -> FixtureUse {
        FixtureUse::Makes
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            if !run.read_only {
                // Every fixture is made, the creates outside the selection quietly, so that
                // the other requests can address them.
                for operation in &fixtures::creates(run) {
                    let exchange = if run.is_selected(&operation.operation_id) {
                        example_request(run, operation).await
                    } else {
                        fixtures::create_quietly(run, operation).await
                    };
                    fixtures::capture(run, operation, &exchange);
                }
                let creates: Vec<String> = PRODUCERS
                    .iter()
                    .filter(|producer| run.is_selected(producer.create))
                    .map(|producer| producer.create.to_owned())
                    .collect();
                run.progress_line(EXAMPLE_REQUESTS, "(creates)", &creates);
            }
            let (others, _) = others_and_removals(run);
            one_by_one(run, &others).await;
        })
    }

    fn finish<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            if run.read_only {
                return;
            }
            let (_, removals) = others_and_removals(run);
            one_by_one(run, &removals).await;
            for operation in &removals {
                run.deleted(&operation.operation_id);
            }
        })
    }
}

/// The selected operations other than the fixtures' creates, split into those sent after the
/// creates and the removals sent at the end: removals and deletes, the fixtures' deletes last
/// in reverse order of creation (none with `--no-cleanup`: the fixtures stay).
fn others_and_removals(run: &Run) -> (Vec<Operation>, Vec<Operation>) {
    let fixture_deletes: Vec<&str> = PRODUCERS
        .iter()
        .filter_map(|producer| producer.delete)
        .collect();
    let mut others = Vec::new();
    let mut removals = Vec::new();
    for operation in run
        .selected
        .iter()
        .filter(|operation| run.may_send(operation))
    {
        let id = operation.operation_id.as_str();
        if PRODUCERS.iter().any(|producer| producer.create == id) || fixture_deletes.contains(&id) {
            continue;
        }
        // Removals undo what the other requests set up, so they go with the deletes.
        if operation.method == "DELETE" || operation.path.ends_with("/removal") {
            removals.push(operation.clone());
        } else {
            others.push(operation.clone());
        }
    }
    let kept = if run.no_cleanup {
        fixture_deletes.len()
    } else {
        0
    };
    for delete in fixture_deletes.iter().rev().skip(kept) {
        if let Some(operation) = run
            .selected
            .iter()
            .find(|operation| operation.operation_id == *delete)
        {
            removals.push(operation.clone());
        }
    }
    (others, removals)
}

/// The example requests of `operations`, one after another, with a progress line per tag.
async fn one_by_one(run: &Run, operations: &[Operation]) {
    let mut by_tag: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for operation in operations {
        example_request(run, operation).await;
        by_tag
            .entry(operation.tag.clone())
            .or_default()
            .push(operation.operation_id.clone());
        run.progress.tick();
    }
    for (tag, ids) in by_tag {
        run.progress_line(EXAMPLE_REQUESTS, &tag, &ids);
    }
}

/// `example-requests` on `operation`; answers the exchange so the run can keep what it made.
async fn example_request(run: &Run, operation: &Operation) -> Exchange {
    let hints = run.hints();
    let body = operation.request_body.as_ref().map(|body| {
        let value = run
            .generator
            .value(&run.spec, &run.schemas, &body.schema, None, &hints);
        Body::Json(with_one_optional_property(run, &body.schema, value, &hints))
    });
    let request = Request {
        method: operation.method.clone(),
        path: fill_path(run, operation, &hints),
        query: fill_query(run, operation, &hints),
        body,
        credentials: if operation.authenticated {
            Credentials::ApiKey
        } else {
            Credentials::Missing
        },
        headers: Vec::new(),
    };
    let exchange = run.exchange(EXAMPLE_REQUESTS, operation, request).await;
    let problems = response_problems(run, operation, &exchange);
    if !problems.is_empty() {
        run.violation(
            operation,
            exchange.violation(
                EXAMPLE_REQUESTS,
                operation,
                "a documented answer, not a 5xx, that matches its schema",
                Some(&problems.join("; ")),
            ),
        );
    }
    exchange
}

/// An empty object gets its first scalar optional property, so that updates without required
/// fields change something instead of being refused as empty.
fn with_one_optional_property(run: &Run, schema: &Value, value: Value, hints: &Hints) -> Value {
    let Value::Object(mut object) = value else {
        return value;
    };
    if !object.is_empty() {
        return Value::Object(object);
    }
    let properties = run
        .spec
        .resolve(schema)
        .get("properties")
        .and_then(Value::as_object);
    let scalar = properties.into_iter().flatten().find(|(_, property)| {
        let property = run.spec.resolve(property);
        let kind = property.get("type").and_then(Value::as_str);
        matches!(kind, Some("string" | "boolean" | "integer" | "number"))
            && property.get("deprecated").and_then(Value::as_bool) != Some(true)
            && property.get("readOnly").and_then(Value::as_bool) != Some(true)
    });
    if let Some((name, property)) = scalar {
        let generated = run
            .generator
            .value(&run.spec, &run.schemas, property, Some(name), hints);
        object.insert(name.clone(), generated);
        if run
            .schemas
            .check(schema, &Value::Object(object.clone()))
            .is_err()
        {
            object.remove(name);
        }
    }
    Value::Object(object)
}
