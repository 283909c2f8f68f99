//! `response-conformance`: every response any check receives has a documented status (never a
//! 5xx), the documented content type and required headers, header values valid against the
//! schemas of the headers the response documents, and a body valid against the documented
//! schema. It sends nothing itself: the run hands every answer to its [`Judge`].

use std::sync::Arc;

use serde_json::Value;

use super::check::{Check, Phase, ReadOnly, Task};
use crate::contract::{Operation, is_json};
use crate::run::{Exchange, Judge, Run};

/// `response-conformance`.
pub const RESPONSE_CONFORMANCE: &str = "response-conformance";

/// `response-conformance`.
pub struct ResponseConformance;

impl Check for ResponseConformance {
    fn name(&self) -> &'static str {
        RESPONSE_CONFORMANCE
    }

    fn description(&self) -> &'static str {
        "every response received has a documented status (never 5xx), the documented content type and headers (their values valid against their schemas), and a body valid against the documented schema"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Safe
    }

    fn phase(&self) -> Phase {
        Phase::Judging
    }

    fn covers(&self, _operation: &Operation) -> bool {
        true
    }

    fn run<'a>(&'a self, _run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async {})
    }

    fn judge(&self) -> Option<&'static dyn Judge> {
        Some(&ResponseConformance)
    }
}

impl Judge for ResponseConformance {
    fn judge(&self, run: &Run, operation: &Operation, exchange: &Exchange) {
        run.recorder.request(
            RESPONSE_CONFORMANCE,
            &operation.operation_id,
            &operation.tag,
        );
        let problems = response_problems(run, operation, exchange);
        if !problems.is_empty() {
            let violation = exchange.violation(
                RESPONSE_CONFORMANCE,
                operation,
                "a documented status (not 5xx), content type and headers, and a valid body",
                Some(&problems.join("; ")),
            );
            run.recorder.violation(&operation.tag, violation);
        }
    }
}

/// What is wrong with `exchange` as an answer to `operation`, by the contract alone.
pub fn response_problems(run: &Run, operation: &Operation, exchange: &Exchange) -> Vec<String> {
    let received = match &exchange.outcome {
        Ok(received) => received,
        Err(failure) => return vec![format!("no usable response: {failure}")],
    };
    let mut problems = Vec::new();
    if received.status >= 500 {
        problems.push(format!(
            "status {} is a server failure, never an acceptable answer",
            received.status
        ));
    }
    let Some(documented) = operation.response_for(received.status) else {
        let known: Vec<&str> = operation.responses.keys().map(String::as_str).collect();
        problems.push(format!(
            "status {} is not documented (documented: {})",
            received.status,
            known.join(", ")
        ));
        return problems;
    };
    for header in &documented.required_headers {
        if !received.header_names.contains(&header.to_ascii_lowercase()) {
            problems.push(format!("required header {header} is missing"));
        }
    }
    for (name, value) in &received.headers {
        if let Some(schema) = documented.header_schemas.get(name)
            && let Err(problem) = header_value_problem(run, schema, value)
        {
            problems.push(format!("header {name}: {value:?} {problem}"));
        }
    }
    if documented.content.is_empty() {
        if !received.body.trim().is_empty() {
            problems.push(format!(
                "status {} is documented without a body, but one came back",
                received.status
            ));
        }
        return problems;
    }
    let Some(content_type) = &received.content_type else {
        problems.push(format!(
            "no Content-Type (documented: {})",
            documented
                .content
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return problems;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let matched = documented.content.iter().find(|(media_type, _)| {
        let media_type = media_type.to_ascii_lowercase();
        media_type == essence || (is_json(&media_type) && is_json(&essence))
    });
    let Some((media_type, schema)) = matched else {
        problems.push(format!(
            "Content-Type {content_type} is not documented (documented: {})",
            documented
                .content
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return problems;
    };
    if is_json(media_type) {
        match serde_json::from_str::<Value>(&received.body) {
            Err(error) => problems.push(format!("the body is not JSON: {error}")),
            Ok(body) if !schema.is_null() => {
                // The error body repeats the status; a mismatch misleads clients that read it.
                if received.status >= 400
                    && let Some(repeated) = body.get("statusCode").and_then(Value::as_u64)
                    && repeated != u64::from(received.status)
                {
                    problems.push(format!(
                        "the body's statusCode {repeated} differs from the status {}",
                        received.status
                    ));
                }
                if let Err(schema_problems) = run.schemas.check(schema, &body) {
                    problems.push(format!(
                        "the body does not match the schema: {schema_problems}"
                    ));
                }
            }
            Ok(_) => {}
        }
    }
    problems
}

/// What is wrong with a header `value` against its documented `schema`: the text is read as the
/// schema's type says (an `integer` header must be digits), then validated.
fn header_value_problem(run: &Run, schema: &Value, value: &str) -> Result<(), String> {
    if schema.is_null() {
        return Ok(());
    }
    let instance = match schema.get("type").and_then(Value::as_str) {
        Some("integer") => value
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "is not an integer".to_owned())?,
        Some("number") => value
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|number| serde_json::Number::from_f64(number).map(Value::Number))
            .ok_or_else(|| "is not a number".to_owned())?,
        Some("boolean") => match value.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err("is not a boolean".to_owned()),
        },
        _ => Value::String(value.to_owned()),
    };
    run.schemas
        .check(schema, &instance)
        .map_err(|problem| format!("does not match its schema: {problem}"))
}
