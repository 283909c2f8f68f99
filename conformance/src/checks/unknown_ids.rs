//! `unknown-ids`: every operation whose path names a resource by a database id (a path
//! parameter of the `ObjectId` schema) is asked about a well-formed id that names nothing. The
//! answer is a documented 4xx other than 401 with the error body (or the documented 2xx with
//! `data: null` where the contract says so), and not a 400 listing constraint messages: the id is well formed, so only its absence may be refused (Novu gives
//! 404 for most, 400 with a sentence for a few, e.g. a workflow or feed delete). Each
//! top-level body property typed as a database id is probed the same way, where any
//! documented answer will do but a 5xx or a constraint list (Novu stores some such ids
//! unchecked). The other inputs are the run's usual ones: ids the run made, a valid body.

use std::sync::Arc;

use serde_json::Value;

use super::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::{Run, fill_path, fill_query, fixtures, for_each_tag};
use crate::transport::{Body, Credentials, Request};

/// `unknown-ids`.
pub const UNKNOWN_IDS: &str = "unknown-ids";

/// `unknown-ids`.
pub struct UnknownIds;

impl Check for UnknownIds {
    fn name(&self) -> &'static str {
        UNKNOWN_IDS
    }

    fn description(&self) -> &'static str {
        "each database id in a path, replaced by a well-formed id naming nothing, gets a documented 4xx (not 401) with the error body (or a documented 2xx with `data: null`); in a body, a documented answer; never a 5xx or a 400 listing constraint messages"
    }

    // Nothing exists under the id, so nothing changes; a write is still a write.
    fn read_only(&self) -> ReadOnly {
        ReadOnly::GetsOnly
    }

    fn phase(&self) -> Phase {
        Phase::Late
    }

    /// The operations with ids in their path; those with ids in their body only are probed
    /// too, but which they are takes the document to tell.
    fn covers(&self, operation: &Operation) -> bool {
        !id_parameters(operation).is_empty()
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            let operations: Vec<Operation> = run
                .selected
                .iter()
                .filter(|operation| {
                    run.may_send(operation)
                        && (self.covers(operation) || !body_ids(run, operation).is_empty())
                })
                .cloned()
                .collect();
            for_each_tag(run, UNKNOWN_IDS, operations, |run, operation| async move {
                for parameter in id_parameters(&operation) {
                    probe(&run, &operation, &parameter).await;
                }
                for property in body_ids(&run, &operation) {
                    probe_body(&run, &operation, &property).await;
                }
            })
            .await;
        })
    }
}

/// The path parameters of `operation` typed as database ids.
fn id_parameters(operation: &Operation) -> Vec<String> {
    operation
        .parameters_in("path")
        .filter(|parameter| {
            parameter.schema.get("$ref").and_then(Value::as_str)
                == Some("#/components/schemas/ObjectId")
        })
        .map(|parameter| parameter.name.clone())
        .collect()
}

/// The top-level properties of `operation`'s body typed as database ids.
fn body_ids(run: &Run, operation: &Operation) -> Vec<String> {
    let Some(body) = &operation.request_body else {
        return Vec::new();
    };
    run.spec
        .resolve(&body.schema)
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, property)| {
            property.get("$ref").and_then(Value::as_str) == Some("#/components/schemas/ObjectId")
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Sends `operation` a valid body whose `property` is an unknown id. Novu checks some such ids
/// (a workflow override's workflow and tenant: 404) and stores others unchecked (a workflow's
/// `notificationGroupId`, an integration's `_environmentId`), so any documented answer but a
/// 5xx or a 400 listing constraint messages will do; what a create made is deleted again.
async fn probe_body(run: &Run, operation: &Operation, property: &str) {
    let Some(body) = &operation.request_body else {
        return;
    };
    let hints = run.hints();
    let id = unknown_id(run.seed, &format!("{}/{property}", operation.operation_id));
    let mut value = run
        .generator
        .value(&run.spec, &run.schemas, &body.schema, None, &hints);
    let Some(fields) = value.as_object_mut() else {
        return;
    };
    fields.insert(property.to_owned(), Value::String(id.clone()));
    let request = Request {
        method: operation.method.clone(),
        path: fill_path(run, operation, &hints),
        query: fill_query(run, operation, &hints),
        body: Some(Body::Json(value)),
        credentials: Credentials::ApiKey,
        headers: Vec::new(),
    };
    let exchange = run.exchange(UNKNOWN_IDS, operation, request).await;
    fixtures::undo(run, operation, &exchange).await;
    let status = exchange.status().unwrap_or(0);
    let listed_constraints = status == 400
        && exchange
            .json()
            .is_some_and(|body| body.get("message").is_some_and(Value::is_array));
    if status < 500 && operation.response_for(status).is_some() && !listed_constraints {
        return;
    }
    let expected = format!(
        "a documented answer for body {property} {id}, a well-formed id naming nothing: not a 5xx, not a 400 listing constraint messages"
    );
    let problem =
        listed_constraints.then_some("a 400 listing constraint messages for a well-formed id");
    run.violation(
        operation,
        exchange.violation(UNKNOWN_IDS, operation, &expected, problem),
    );
}

/// A well-formed id no server made: the run's seed and the parameter, 24 hexadecimal digits
/// starting `0000` (ids made from a clock start with the time of day, never with zeros).
pub fn unknown_id(seed: u64, salt: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.to_le_bytes().iter().chain(salt.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("0000{hash:016x}{:04x}", hash >> 48)
}

/// Asks `operation` about an unknown `parameter`.
async fn probe(run: &Run, operation: &Operation, parameter: &str) {
    let mut hints = run.hints();
    let id = unknown_id(run.seed, &format!("{}/{parameter}", operation.operation_id));
    hints.insert(parameter.to_owned(), Value::String(id.clone()));
    let body = operation.request_body.as_ref().map(|body| {
        Body::Json(
            run.generator
                .value(&run.spec, &run.schemas, &body.schema, None, &hints),
        )
    });
    let request = Request {
        method: operation.method.clone(),
        path: fill_path(run, operation, &hints),
        query: fill_query(run, operation, &hints),
        body,
        credentials: Credentials::ApiKey,
        headers: Vec::new(),
    };
    let exchange = run.exchange(UNKNOWN_IDS, operation, request).await;
    let status = exchange.status().unwrap_or(0);
    let listed_constraints = status == 400
        && exchange
            .json()
            .is_some_and(|body| body.get("message").is_some_and(Value::is_array));
    let documented_refusal =
        (400..500).contains(&status) && status != 401 && operation.response_for(status).is_some();
    // A contract may document an unknown id as no error: `{"data": null}` (a notification).
    let documented_nothing = (200..300).contains(&status)
        && operation.response_for(status).is_some()
        && exchange
            .json()
            .is_some_and(|body| body.get("data") == Some(&Value::Null));
    if (documented_refusal && !listed_constraints) || documented_nothing {
        return;
    }
    let expected = format!(
        "a documented 4xx (not 401) for {parameter} {id}, a well-formed id naming nothing (404 where the operation documents it), not a 400 listing constraint messages"
    );
    let problem =
        listed_constraints.then_some("a 400 listing constraint messages for a well-formed id");
    run.violation(
        operation,
        exchange.violation(UNKNOWN_IDS, operation, &expected, problem),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_are_well_formed_and_differ_by_salt() {
        let first = unknown_id(1, "layouts_get/layoutId");
        assert_eq!(first.len(), 24);
        assert!(first.starts_with("0000"));
        assert!(first.chars().all(|digit| digit.is_ascii_hexdigit()));
        assert_ne!(first, unknown_id(1, "layouts_delete/layoutId"));
        assert_ne!(first, unknown_id(2, "layouts_get/layoutId"));
    }
}
