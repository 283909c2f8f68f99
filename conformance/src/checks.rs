//! The checks: each has a stable name, says what it expects, and records what it sees.
//!
//! Every response any check receives also passes through `response-conformance`, so a check
//! only has to state its own expectation (a 401, a 2xx, a 4xx). The property checks
//! (`properties.rs`) are the exception: they judge their many cases, and the requests that
//! shrink a failing one, themselves, and report one minimal violation per operation.

use serde_json::{Value, json};

use crate::generate::Hints;
use crate::http::{Body, Credentials, Received, Request, TransportFailure, encode};
use crate::outcome::Violation;
use crate::runner::Run;
use crate::spec::Operation;

/// A check of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// The stable name (`--check NAME`).
    pub name: &'static str,
    /// What it checks.
    pub description: &'static str,
    /// Whether it only sends requests that change nothing on a conforming server.
    pub safe: bool,
}

/// `auth-missing-key`.
pub const AUTH_MISSING_KEY: &str = "auth-missing-key";
/// `auth-wrong-key`.
pub const AUTH_WRONG_KEY: &str = "auth-wrong-key";
/// `response-conformance`.
pub const RESPONSE_CONFORMANCE: &str = "response-conformance";
/// `safe-reads`.
pub const SAFE_READS: &str = "safe-reads";
/// `example-requests`.
pub const EXAMPLE_REQUESTS: &str = "example-requests";
/// `invalid-body`.
pub const INVALID_BODY: &str = "invalid-body";

/// `snapshots`.
pub const SNAPSHOTS: &str = "snapshots";

/// `valid-inputs-accepted`.
pub const VALID_INPUTS_ACCEPTED: &str = "valid-inputs-accepted";
/// `invalid-inputs-rejected`.
pub const INVALID_INPUTS_REJECTED: &str = "invalid-inputs-rejected";
/// `lifecycles`.
pub const LIFECYCLES: &str = "lifecycles";

/// Every check, in the order a run performs them.
pub const CHECKS: &[Check] = &[
    Check {
        name: AUTH_MISSING_KEY,
        description: "every authenticated operation answers 401 with the error body when the Authorization header is missing",
        safe: true,
    },
    Check {
        name: AUTH_WRONG_KEY,
        description: "every authenticated operation answers 401 with the error body when the API key is wrong",
        safe: true,
    },
    Check {
        name: RESPONSE_CONFORMANCE,
        description: "every response received has a documented status (never 5xx), the documented content type and headers, and a body valid against the documented schema",
        safe: true,
    },
    Check {
        name: SAFE_READS,
        description: "every GET without path parameters whose required query values have a default or an enum answers its documented 2xx with a valid body",
        safe: true,
    },
    Check {
        name: EXAMPLE_REQUESTS,
        description: "one valid request per operation, built from the request schema and resources created earlier in the run, gets a conforming answer that is not a 5xx",
        safe: false,
    },
    Check {
        name: VALID_INPUTS_ACCEPTED,
        description: "--cases random bodies and query values the schemas allow get a documented answer, never a 5xx, and never a 400 listing constraint messages",
        safe: false,
    },
    Check {
        name: INVALID_INPUTS_REJECTED,
        description: "--cases random bodies and query values breaking one schema keyword each get a documented 4xx (not 401) with the error body",
        safe: false,
    },
    Check {
        name: INVALID_BODY,
        description: "malformed JSON, a missing required field and a wrongly typed field each get a documented 4xx with the error body",
        safe: false,
    },
    Check {
        name: LIFECYCLES,
        description: "drawn sequences of creates, reads, updates, deletes, membership and default changes, and walks over every page agree with a model of each resource family: read-after-write, lists hold exactly what exists, pages partition them, 404 after delete, ids with static segments, non-ASCII and percent signs round-trip",
        safe: false,
    },
    Check {
        name: crate::conditions::CONDITIONS,
        description: "--cases drawn condition arrays on an in-app step: its message reaches the feed exactly when the conditions pass by the contract's rules (an oracle written from the StepFilter and FieldOperator descriptions); a disagreement is shrunk",
        safe: false,
    },
    Check {
        name: crate::delivery::TRIGGER_DELIVERY,
        description: "topic fan-out reaches every member but the actor, content renders payload and subscriber fields, preferences and tenant overrides switch in-app off (not for critical workflows), unseen counts and marks follow the feed, a cancelled delay never delivers and its twin does",
        safe: false,
    },
    Check {
        name: crate::delivery::INTEGRATION_SELECTION,
        description: "integration conditions select the integration that carries a tenant's messages; a tenant meeting none, and a trigger without a tenant, get the default",
        safe: false,
    },
    Check {
        name: SNAPSHOTS,
        description: "one curated scenario per tag, played with fixed data, gives the normalized transcript committed under conformance/tests/it/snapshots/",
        safe: false,
    },
];

/// The checks that apply to `operation`.
pub fn applicable(operation: &Operation) -> Vec<&'static str> {
    let mut names = Vec::new();
    if operation.authenticated {
        names.extend([AUTH_MISSING_KEY, AUTH_WRONG_KEY]);
    }
    names.push(RESPONSE_CONFORMANCE);
    if is_safe_read(operation) {
        names.push(SAFE_READS);
    }
    names.push(EXAMPLE_REQUESTS);
    if has_inputs(operation) {
        names.extend([VALID_INPUTS_ACCEPTED, INVALID_INPUTS_REJECTED]);
    }
    if has_json_body(operation) {
        names.push(INVALID_BODY);
    }
    if crate::lifecycle::covers(&operation.operation_id) {
        names.push(LIFECYCLES);
    }
    if operation.operation_id == crate::semantic::SCENARIO_OPERATION {
        names.extend([
            crate::conditions::CONDITIONS,
            crate::delivery::TRIGGER_DELIVERY,
            crate::delivery::INTEGRATION_SELECTION,
        ]);
    }
    if crate::scenarios::covers(operation) {
        names.push(SNAPSHOTS);
    }
    names
}

/// Whether `operation` is a GET without path parameters.
pub fn is_safe_read(operation: &Operation) -> bool {
    // A required query value with neither a default nor an enum names something (an id) the
    // check cannot know, and a 404 for it would be right.
    let fillable = |parameter: &crate::spec::Parameter| {
        !parameter.required
            || parameter.schema.get("default").is_some()
            || parameter.schema.get("enum").is_some()
    };
    operation.method == "GET"
        && operation.parameters_in("path").next().is_none()
        && operation.parameters_in("query").all(fillable)
}

/// Whether `operation` takes a JSON body or query parameters, the inputs the property checks draw.
pub fn has_inputs(operation: &Operation) -> bool {
    has_json_body(operation) || operation.parameters_in("query").next().is_some()
}

fn has_json_body(operation: &Operation) -> bool {
    operation
        .request_body
        .as_ref()
        .is_some_and(|body| is_json(&body.content_type))
}

/// Whether `media_type` is JSON (`application/json`, `application/problem+json`, …).
pub fn is_json(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A request exchanged with the server, with what came back.
#[derive(Debug)]
pub struct Exchange {
    /// The request.
    pub request: Request,
    /// The `curl` command reproducing it.
    pub curl: String,
    /// The answer, or why there was none.
    pub outcome: Result<Received, TransportFailure>,
}

impl Exchange {
    /// The status, if a response came back.
    pub fn status(&self) -> Option<u16> {
        self.outcome.as_ref().ok().map(|received| received.status)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        let received = self.outcome.as_ref().ok()?;
        serde_json::from_str(&received.body).ok()
    }

    /// What came back, in a line or two.
    pub fn describe(&self) -> String {
        match &self.outcome {
            Ok(received) => format!(
                "{} ({}) {}",
                received.status,
                received
                    .content_type
                    .as_deref()
                    .unwrap_or("no content type"),
                excerpt(&received.body)
            ),
            Err(failure) => format!("no response: {failure}"),
        }
    }

    /// A violation of `check` on `operation`.
    pub fn violation(
        &self,
        check: &'static str,
        operation: &Operation,
        expected: &str,
        problem: Option<&str>,
    ) -> Violation {
        let received = match (problem, &self.outcome) {
            (Some(problem), Ok(_)) => format!("{problem}; {}", self.describe()),
            // Without a response the problem already says what happened.
            (Some(problem), Err(_)) => problem.to_owned(),
            (None, _) => self.describe(),
        };
        Violation {
            check,
            operation_id: operation.operation_id.clone(),
            expected: expected.to_owned(),
            received,
            curl: Some(self.curl.clone()),
        }
    }
}

fn excerpt(body: &str) -> String {
    const LIMIT: usize = 300;
    let body = body.trim();
    if body.is_empty() {
        return "(empty body)".into();
    }
    match body.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}… ({} bytes)", &body[..cut], body.len()),
        None => body.to_owned(),
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

/// Fills the path template of `operation` from `hints`, with placeholders for the rest.
pub fn fill_path(run: &Run, operation: &Operation, hints: &Hints) -> String {
    let mut path = operation.path.clone();
    for parameter in operation.parameters_in("path") {
        let value = match hints.get(&parameter.name) {
            Some(value) => value.clone(),
            None => placeholder(run, &parameter.schema),
        };
        let text = match value {
            Value::String(text) => text,
            other => other.to_string(),
        };
        path = path.replace(&format!("{{{}}}", parameter.name), &encode(&text));
    }
    path
}

/// A value for a path parameter the run has nothing for: a constrained schema gets a valid
/// value (an ObjectId, an enum member), a free string a recognisable one.
fn placeholder(run: &Run, schema: &Value) -> Value {
    let resolved = run.spec.resolve(schema);
    if resolved.get("pattern").is_some()
        || resolved.get("enum").is_some()
        || resolved.get("type") != Some(&json!("string"))
    {
        return run
            .generator
            .value(&run.spec, &run.schemas, schema, None, &Hints::new());
    }
    json!(format!("{}missing", run.generator.prefix()))
}

/// Query values for `operation`: required parameters and those with a default.
pub fn fill_query(run: &Run, operation: &Operation, hints: &Hints) -> Vec<(String, String)> {
    operation
        .parameters_in("query")
        .filter(|parameter| {
            parameter.required || run.spec.resolve(&parameter.schema).get("default").is_some()
        })
        .map(|parameter| {
            let value = run.generator.value(
                &run.spec,
                &run.schemas,
                &parameter.schema,
                Some(&parameter.name),
                hints,
            );
            let text = match value {
                Value::String(text) => text,
                Value::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| item.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            (parameter.name.clone(), text)
        })
        .collect()
}

/// `auth-missing-key` or `auth-wrong-key` on `operation`.
pub async fn authentication(run: &Run, operation: &Operation, check: &'static str) {
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

/// `safe-reads` on `operation`.
pub async fn safe_read(run: &Run, operation: &Operation) {
    let hints = run.hints();
    let request = Request {
        method: operation.method.clone(),
        path: fill_path(run, operation, &hints),
        query: fill_query(run, operation, &hints),
        body: None,
        credentials: Credentials::ApiKey,
    };
    let exchange = run.exchange(SAFE_READS, operation, request).await;
    let expected = match operation.success_status() {
        Some(status) => format!("{status} with a body valid against the documented schema"),
        None => "a documented 2xx".into(),
    };
    let status = exchange.status();
    let problems = response_problems(run, operation, &exchange);
    if status.is_none_or(|status| !(200..300).contains(&status)) || !problems.is_empty() {
        let problem = problems.join("; ");
        let problem = (!problem.is_empty()).then_some(problem.as_str());
        run.violation(
            operation,
            exchange.violation(SAFE_READS, operation, &expected, problem),
        );
    }
}

/// `example-requests` on `operation`; answers the exchange so the run can keep what it made.
pub async fn example_request(run: &Run, operation: &Operation) -> Exchange {
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

/// `invalid-body` on `operation`.
pub async fn invalid_body(run: &Run, operation: &Operation) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    #[test]
    fn safe_reads_cover_gets_whose_required_query_values_can_be_filled() {
        let spec = Spec::embedded().expect("the embedded spec loads");
        let safe = |id: &str| is_safe_read(spec.operation(id).expect("the operation exists"));
        assert!(safe("subscribers_list"), "defaults fill page and limit");
        assert!(safe("environments_retrieve_current"));
        assert!(
            !safe("execution_details_list"),
            "its required ids cannot be known"
        );
        assert!(!safe("subscribers_get"), "it has a path parameter");
        assert!(!safe("subscribers_create"), "it is not a GET");
    }
}
