//! `methods`: what a path answers to a method the contract does not declare there, and to
//! `OPTIONS`. OpenAPI cannot say either per operation; `spec/README.md` ("Undeclared methods
//! and `OPTIONS`") does: an undeclared method is the 404 error body `Cannot <METHOD> <path>`,
//! and `OPTIONS` on any path is the CORS layer's 204 without a body; neither carries `Allow`.
//!
//! Each selected operation gets two probes on its path: one undeclared method, drawn from the
//! seed and the operation among those the path (with the dashboard-only routes on it) leaves
//! free, so that operations sharing a path probe it with different methods, and `OPTIONS`.

use std::sync::Arc;

use serde_json::{Value, json};

use super::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::{Exchange, Run, fill_path, for_each_tag};
use crate::transport::{Body, Credentials, Request};

/// `methods`.
pub const METHODS: &str = "methods";

/// The methods a probe may draw: those a client of a JSON API sends.
const CANDIDATES: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// `methods`.
pub struct Methods;

impl Check for Methods {
    fn name(&self) -> &'static str {
        METHODS
    }

    fn description(&self) -> &'static str {
        "on every path, a method the contract does not declare gets 404 `Cannot <METHOD> <path>` with the error body, and OPTIONS gets 204 without a body; neither answer carries Allow"
    }

    // A server that wrongly serves an undeclared DELETE or PUT would change something.
    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    fn phase(&self) -> Phase {
        Phase::Late
    }

    fn covers(&self, _operation: &Operation) -> bool {
        true
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            let operations: Vec<Operation> = run
                .selected
                .iter()
                .filter(|operation| run.may_send(operation))
                .cloned()
                .collect();
            for_each_tag(run, METHODS, operations, |run, operation| async move {
                probe_path(&run, &operation).await;
            })
            .await;
        })
    }
}

/// The methods that reach an operation or a dashboard-only route on the concrete `path`: a
/// literal segment (`/v1/events/trigger/bulk`) also matches another template's parameter
/// (`DELETE /v1/events/trigger/{transactionId}` serves it).
fn declared(run: &Run, path: &str) -> Vec<String> {
    run.spec
        .operations
        .iter()
        .chain(run.dashboard_routes.iter())
        .filter(|operation| template_matches(&operation.path, path))
        .map(|operation| operation.method.clone())
        .collect()
}

/// Whether concrete `path` has the shape of `template`, a `{parameter}` matching any segment.
fn template_matches(template: &str, path: &str) -> bool {
    let expected: Vec<&str> = template.trim_matches('/').split('/').collect();
    let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
    expected.len() == actual.len()
        && expected.iter().zip(&actual).all(|(want, got)| {
            (want.starts_with('{') && want.ends_with('}') && !got.is_empty()) || want == got
        })
}

/// The undeclared method to probe a path with, drawn from the run's seed and `salt` (the
/// operation); `None` when the path declares every candidate.
pub fn undeclared_method(seed: u64, salt: &str, declared: &[String]) -> Option<&'static str> {
    let free: Vec<&'static str> = CANDIDATES
        .into_iter()
        .filter(|method| !declared.iter().any(|taken| taken == method))
        .collect();
    if free.is_empty() {
        return None;
    }
    // FNV-1a over the seed and the salt: the same draw whatever else runs.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.to_le_bytes().iter().chain(salt.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Some(free[(hash % free.len() as u64) as usize])
}

/// The two probes of `operation`'s path.
async fn probe_path(run: &Run, operation: &Operation) {
    let path = fill_path(run, operation, &run.hints());
    let declared = declared(run, &path);
    if let Some(method) = undeclared_method(run.seed, &operation.operation_id, &declared) {
        let body = matches!(method, "POST" | "PUT" | "PATCH").then(|| Body::Json(json!({})));
        let exchange = send(run, operation, method, &path, body).await;
        let expected = format!(
            "404 with the error body and the message `Cannot {method} {path}`, without Allow"
        );
        if let Some(problem) = undeclared_problem(&exchange, method, &path) {
            run.violation(
                operation,
                exchange.violation(METHODS, operation, &expected, Some(&problem)),
            );
        }
    }
    let exchange = send(run, operation, "OPTIONS", &path, None).await;
    if let Some(problem) = preflight_problem(&exchange) {
        run.violation(
            operation,
            exchange.violation(
                METHODS,
                operation,
                "204 without a body and without Allow (the CORS layer's answer)",
                Some(&problem),
            ),
        );
    }
}

async fn send(
    run: &Run,
    operation: &Operation,
    method: &str,
    path: &str,
    body: Option<Body>,
) -> Exchange {
    let request = Request {
        method: method.to_owned(),
        path: path.to_owned(),
        query: Vec::new(),
        body,
        credentials: Credentials::ApiKey,
        headers: Vec::new(),
    };
    // Not judged as an answer of `operation`: the method is not the operation's.
    run.send(METHODS, operation, request).await
}

/// What is wrong with the answer to an undeclared `method` on `path`.
fn undeclared_problem(exchange: &Exchange, method: &str, path: &str) -> Option<String> {
    let received = match &exchange.outcome {
        Ok(received) => received,
        Err(failure) => return Some(format!("no usable response: {failure}")),
    };
    let mut problems = Vec::new();
    if received.status != 404 {
        problems.push(format!("status {}", received.status));
    }
    if received.header_names.iter().any(|name| name == "allow") {
        problems.push("an Allow header".to_owned());
    }
    let body: Option<Value> = serde_json::from_str(&received.body).ok();
    let wanted = format!("Cannot {method} {path}");
    match body {
        None => problems.push("a body that is not JSON".to_owned()),
        Some(body) => {
            if body["statusCode"] != 404 {
                problems.push(format!("statusCode {}", body["statusCode"]));
            }
            if body["message"] != wanted.as_str() {
                problems.push(format!("the message {}", body["message"]));
            }
        }
    }
    (!problems.is_empty()).then(|| problems.join(", "))
}

/// What is wrong with the answer to `OPTIONS`.
fn preflight_problem(exchange: &Exchange) -> Option<String> {
    let received = match &exchange.outcome {
        Ok(received) => received,
        Err(failure) => return Some(format!("no usable response: {failure}")),
    };
    let mut problems = Vec::new();
    if received.status != 204 {
        problems.push(format!("status {}", received.status));
    }
    if received.header_names.iter().any(|name| name == "allow") {
        problems.push("an Allow header".to_owned());
    }
    if !received.body.trim().is_empty() {
        problems.push("a body".to_owned());
    }
    (!problems.is_empty()).then(|| problems.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drawn_method_is_never_a_declared_one() {
        let declared = vec!["GET".to_owned(), "POST".to_owned()];
        for seed in 0..50 {
            let method = undeclared_method(seed, "/v1/topics", &declared).unwrap();
            assert!(["PUT", "PATCH", "DELETE"].contains(&method), "{method}");
        }
        let all: Vec<String> = CANDIDATES.iter().map(|method| method.to_string()).collect();
        assert_eq!(undeclared_method(1, "/v1/topics", &all), None);
    }

    #[test]
    fn a_literal_segment_also_matches_a_parameter() {
        assert!(template_matches(
            "/v1/events/trigger/{transactionId}",
            "/v1/events/trigger/bulk"
        ));
        assert!(!template_matches(
            "/v1/events/trigger/{transactionId}",
            "/v1/events/trigger"
        ));
        assert!(!template_matches("/v1/topics", "/v1/tenants"));
    }

    #[test]
    fn seeds_draw_different_methods() {
        let drawn: std::collections::BTreeSet<&str> = (0..50)
            .filter_map(|seed| undeclared_method(seed, "/v1/topics", &[]))
            .collect();
        assert!(drawn.len() > 1, "{drawn:?}");
    }
}
