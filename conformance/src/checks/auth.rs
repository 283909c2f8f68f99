//! `auth-missing-key` and `auth-wrong-key`: every authenticated operation answers 401 with the
//! error body to a request without the key, or with a wrong one (placeholder path values, `{}`
//! bodies).

use std::sync::Arc;

use serde_json::json;

use super::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::{Run, fill_path, for_each_tag};
use crate::transport::{Body, Credentials, Request};
use crate::values::Hints;

/// `auth-missing-key`.
pub const AUTH_MISSING_KEY: &str = "auth-missing-key";
/// `auth-wrong-key`.
pub const AUTH_WRONG_KEY: &str = "auth-wrong-key";

/// `auth-missing-key`: no `Authorization` header.
pub struct MissingKey;

/// `auth-wrong-key`: `Authorization: ApiKey <a wrong key>`.
pub struct WrongKey;

impl Check for MissingKey {
    fn name(&self) -> &'static str {
        AUTH_MISSING_KEY
    }

    fn description(&self) -> &'static str {
        "every authenticated operation answers 401 with the error body when the Authorization header is missing"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Safe
    }

    fn phase(&self) -> Phase {
        Phase::Reads
    }

    fn covers(&self, operation: &Operation) -> bool {
        operation.authenticated
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(every_authenticated_operation(run, AUTH_MISSING_KEY))
    }
}

impl Check for WrongKey {
    fn name(&self) -> &'static str {
        AUTH_WRONG_KEY
    }

    fn description(&self) -> &'static str {
        "every authenticated operation answers 401 with the error body when the API key is wrong"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Safe
    }

    fn phase(&self) -> Phase {
        Phase::Reads
    }

    fn covers(&self, operation: &Operation) -> bool {
        operation.authenticated
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(every_authenticated_operation(run, AUTH_WRONG_KEY))
    }
}

/// `check` on every selected authenticated operation the run may send.
async fn every_authenticated_operation(run: &Arc<Run>, check: &'static str) {
    let operations: Vec<Operation> = run
        .selected
        .iter()
        .filter(|operation| operation.authenticated && run.may_send(operation))
        .cloned()
        .collect();
    for_each_tag(run, check, operations, move |run, operation| async move {
        authentication(&run, &operation, check).await;
    })
    .await;
}

/// `auth-missing-key` or `auth-wrong-key` on `operation`.
async fn authentication(run: &Run, operation: &Operation, check: &'static str) {
    let credentials = if check == AUTH_MISSING_KEY {
        Credentials::Missing
    } else {
        Credentials::WrongKey(format!("{}wrong-key", run.generator.prefix()))
    };
    let request = Request {
        method: operation.method.clone(),
        path: fill_path(run, operation, &Hints::new()),
        query: Vec::new(),
        body: operation
            .request_body
            .as_ref()
            .map(|_| Body::Json(json!({}))),
        credentials,
        headers: Vec::new(),
    };
    let exchange = run.exchange(check, operation, request).await;
    let expected = "401 with the error body";
    match exchange.status() {
        Some(401) => {
            let shape = operation
                .response_for(401)
                .and_then(|response| response.content.values().next().cloned());
            if let (Some(schema), Some(body)) = (shape, exchange.json())
                && let Err(problem) = run.schemas.check(&schema, &body)
            {
                run.violation(
                    operation,
                    exchange.violation(check, operation, expected, Some(&problem)),
                );
            } else if exchange.json().is_none() {
                run.violation(
                    operation,
                    exchange.violation(check, operation, expected, Some("the body is not JSON")),
                );
            }
        }
        _ => run.violation(
            operation,
            exchange.violation(check, operation, expected, None),
        ),
    }
}
