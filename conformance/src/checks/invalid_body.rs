//! `invalid-body`: malformed JSON, a missing required field and a wrongly typed field each get a
//! documented 4xx with the error body.

use std::sync::Arc;

use serde_json::{Value, json};

use super::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::{Run, fill_path, fill_query, for_each_tag};
use crate::transport::{Body, Credentials, Request};

/// `invalid-body`.
pub const INVALID_BODY: &str = "invalid-body";

/// `invalid-body`.
pub struct InvalidBody;

impl Check for InvalidBody {
    fn name(&self) -> &'static str {
        INVALID_BODY
    }

    fn description(&self) -> &'static str {
        "malformed JSON, a missing required field and a wrongly typed field each get a documented 4xx with the error body"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    fn phase(&self) -> Phase {
        Phase::Late
    }

    fn covers(&self, operation: &Operation) -> bool {
        operation.has_json_body()
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            if run.read_only {
                return;
            }
            let operations: Vec<Operation> = run
                .selected
                .iter()
                .filter(|operation| operation.request_body.is_some())
                .cloned()
                .collect();
            for_each_tag(run, INVALID_BODY, operations, |run, operation| async move {
                invalid_body(&run, &operation).await;
            })
            .await;
        })
    }
}

/// `invalid-body` on `operation`.
async fn invalid_body(run: &Run, operation: &Operation) {
    let Some(body) = &operation.request_body else {
        return;
    };
    let hints = run.hints();
    let valid = run
        .generator
        .value(&run.spec, &run.schemas, &body.schema, None, &hints);
    let mut cases = vec![("malformed JSON", Body::RawJson("{\"nc\": ".into()))];
    if let Some(missing) = without_required_field(run, &body.schema, &valid) {
        cases.push(("a missing required field", Body::Json(missing)));
    }
    if let Some(wrong) = with_wrong_type(run, &body.schema, &valid) {
        cases.push(("a wrongly typed field", Body::Json(wrong)));
    }
    for (case, body) in cases {
        let request = Request {
            method: operation.method.clone(),
            path: fill_path(run, operation, &hints),
            query: fill_query(run, operation, &hints),
            body: Some(body),
            credentials: Credentials::ApiKey,
            headers: Vec::new(),
        };
        let exchange = run.exchange(INVALID_BODY, operation, request).await;
        let expected = format!("a documented 4xx with the error body for {case}");
        let status = exchange.status().unwrap_or(0);
        let documented = (400..500).contains(&status)
            && status != 401
            && operation.response_for(status).is_some();
        if !documented {
            run.violation(
                operation,
                exchange.violation(INVALID_BODY, operation, &expected, None),
            );
            continue;
        }
        let schema = operation
            .response_for(status)
            .and_then(|response| response.content.values().next().cloned());
        match (schema, exchange.json()) {
            (Some(schema), Some(body)) => {
                if let Err(problem) = run.schemas.check(&schema, &body) {
                    run.violation(
                        operation,
                        exchange.violation(INVALID_BODY, operation, &expected, Some(&problem)),
                    );
                }
            }
            (Some(_), None) => run.violation(
                operation,
                exchange.violation(
                    INVALID_BODY,
                    operation,
                    &expected,
                    Some("the body is not JSON"),
                ),
            ),
            (None, _) => {}
        }
    }
}

fn required_fields(run: &Run, schema: &Value) -> Vec<String> {
    run.spec
        .resolve(schema)
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn without_required_field(run: &Run, schema: &Value, valid: &Value) -> Option<Value> {
    for field in required_fields(run, schema) {
        let mut body = valid.clone();
        body.as_object_mut()?.remove(&field);
        if run.schemas.check(schema, &body).is_err() {
            return Some(body);
        }
    }
    None
}

fn with_wrong_type(run: &Run, schema: &Value, valid: &Value) -> Option<Value> {
    let fields: Vec<String> = valid.as_object()?.keys().cloned().collect();
    for field in fields {
        for wrong in [json!(12345), json!("nc-not-the-type"), json!({"nc": true})] {
            let mut body = valid.clone();
            body.as_object_mut()?.insert(field.clone(), wrong);
            if run.schemas.check(schema, &body).is_err() {
                return Some(body);
            }
        }
    }
    let whole = json!(["nc-not-an-object"]);
    run.schemas.check(schema, &whole).is_err().then_some(whole)
}
