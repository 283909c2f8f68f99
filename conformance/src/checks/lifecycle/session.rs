//! One play of a sequence: sends its requests (counted for `lifecycles`, and judged by
//! `response-conformance` on the first play, not when shrinking replays it), keeps the `curl`
//! transcript a report shows, and names the play's ids.

use serde_json::{Map, Value, json};

use super::ids::Shape;
use crate::run::{Exchange, Run};
use crate::transport::{HttpClient, Request};

/// Why a sequence failed: the step's request and what was wrong with its answer.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The operation of the failing request.
    pub operation_id: String,
    /// What the model expected.
    pub expected: String,
    /// What came back, with the problem first.
    pub received: String,
}

/// A request sent, with its answer.
pub(crate) struct Sent {
    operation_id: &'static str,
    exchange: Exchange,
}

impl Sent {
    /// The status, or 0 without a response.
    pub fn status(&self) -> u16 {
        self.exchange.status().unwrap_or(0)
    }

    /// The JSON body, or `null`.
    pub fn body(&self) -> Value {
        self.exchange.json().unwrap_or(Value::Null)
    }

    /// The body's `data`, or `null`.
    pub fn data(&self) -> Value {
        self.body().get("data").cloned().unwrap_or(Value::Null)
    }

    /// A failure of this request.
    pub fn fail(&self, expected: impl Into<String>, problem: impl AsRef<str>) -> Failure {
        Failure {
            operation_id: self.operation_id.to_owned(),
            expected: expected.into(),
            received: format!("{}; {}", problem.as_ref(), self.exchange.describe()),
        }
    }

    /// The answer's `data` when the status is `status`, else a failure expecting `expected`.
    pub fn expect(&self, status: u16, expected: &str) -> Result<Value, Failure> {
        if self.status() == status {
            Ok(self.data())
        } else {
            Err(self.fail(
                format!("{status}: {expected}"),
                format!("status {}", self.status()),
            ))
        }
    }

    /// The status is `status` and `same` finds the answer's `data` as the model holds it;
    /// else a failure expecting `expected` (a wrong status) or `as_written`.
    pub fn expect_same(
        &self,
        status: u16,
        expected: &str,
        as_written: &str,
        same: impl FnOnce(&Value) -> Result<(), String>,
    ) -> Result<(), Failure> {
        let data = self.expect(status, expected)?;
        same(&data).map_err(|problem| self.fail(as_written, problem))
    }

    /// The status is `status`; the answer's body does not matter.
    pub fn expect_status(&self, status: u16, expected: &str) -> Result<(), Failure> {
        self.expect(status, expected).map(drop)
    }

    /// A soft delete's answer: 200 with `{"acknowledged": true, "status": "deleted"}`.
    pub fn expect_acknowledged(&self) -> Result<(), Failure> {
        let data = self.expect(200, "the deletion acknowledged")?;
        if data != json!({"acknowledged": true, "status": "deleted"}) {
            return Err(self.fail(
                "{\"acknowledged\": true, \"status\": \"deleted\"}",
                format!("data is {data}"),
            ));
        }
        Ok(())
    }

    /// A delete answered 200 with `data` true.
    pub fn expect_true(&self) -> Result<(), Failure> {
        let data = self.expect(200, "data true")?;
        if data != json!(true) {
            return Err(self.fail("data true", format!("data is {data}")));
        }
        Ok(())
    }

    /// The `_id` the server gave `data`, else a failure expecting `expected`.
    pub fn id_of(&self, data: &Value, expected: &str) -> Result<String, Failure> {
        match data["_id"].as_str() {
            Some(id) => Ok(id.to_owned()),
            None => Err(self.fail(expected, "no _id")),
        }
    }
}

/// A request of a play's transcript with its answer, as `differential` compares plays.
pub(crate) struct Recorded {
    /// The operation.
    pub operation_id: &'static str,
    /// The request as sent.
    pub request: Request,
    /// The `curl` command that sends it again.
    pub curl: String,
    /// The status; `None` without a response.
    pub status: Option<u16>,
    /// The JSON body (the text when it is not JSON, null when empty).
    pub body: Value,
}

/// The requests of one play.
pub(crate) struct Session<'a> {
    run: &'a Run,
    check: &'static str,
    judged: bool,
    ids: Vec<String>,
    base: String,
    transcript: Vec<String>,
    step: Option<String>,
    recording: bool,
    requests: u32,
    via: Option<HttpClient>,
    recorded: Vec<Recorded>,
}

impl<'a> Session<'a> {
    /// A play for `check` whose ids start with `base`, shaped by `shapes`.
    pub fn new(
        run: &'a Run,
        check: &'static str,
        judged: bool,
        base: &str,
        shapes: &[Shape],
    ) -> Session<'a> {
        let ids = shapes
            .iter()
            .enumerate()
            .map(|(index, shape)| match shape {
                Shape::Suffix(suffix) => format!("{base}{index}{suffix}"),
                Shape::Exact(exact) => (*exact).to_owned(),
            })
            .collect();
        Session {
            run,
            check,
            judged,
            ids,
            base: base.to_owned(),
            transcript: Vec::new(),
            step: None,
            recording: true,
            requests: 0,
            via: None,
            recorded: Vec::new(),
        }
    }

    /// The same play sent with `http` (another server), counted for the check but not judged.
    pub fn through(self, http: HttpClient) -> Session<'a> {
        Session {
            via: Some(http),
            ..self
        }
    }

    /// The requests of the transcript with their answers.
    pub fn recorded(&mut self) -> Vec<Recorded> {
        std::mem::take(&mut self.recorded)
    }

    /// The drawn id at `index`.
    pub fn id(&self, index: usize) -> String {
        self.ids[index % self.ids.len()].clone()
    }

    /// Every drawn id.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// A fresh name or id made of the play's base and `label`; unique within the play.
    pub fn name(&self, label: &str) -> String {
        format!("{}{label}", self.base)
    }

    /// The properties of `operation_id`'s request body that a model reads back as written:
    /// every one the contract lists except `except`.
    pub fn writable(&self, operation_id: &str, except: &[&str]) -> Vec<String> {
        let spec = &self.run.spec;
        let schema = spec
            .operation(operation_id)
            .and_then(|operation| operation.request_body.as_ref())
            .map(|body| spec.resolve(&body.schema).clone())
            .unwrap_or_default();
        writable(&schema, except, |property| spec.resolve(property).clone())
    }

    /// The prefix of everything this play names.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether `id` is one this play made up.
    pub fn owns(&self, id: &str) -> bool {
        self.owns_by_prefix(id) || self.ids.iter().any(|own| own == id)
    }

    /// Whether `id` carries this play's prefix (exact ids do not: other runs may use them).
    pub fn owns_by_prefix(&self, id: &str) -> bool {
        id.starts_with(&self.base)
    }

    /// Names the step whose requests follow: the first of them carries it as a shell comment,
    /// so that the transcript stays a list of commands.
    pub fn begin_step(&mut self, step: &str) {
        self.step = Some(step.to_owned());
    }

    /// From here on, requests are clean-up and stay out of the transcript.
    pub fn begin_cleanup(&mut self) {
        self.recording = false;
    }

    /// The transcript so far.
    pub fn transcript(&self) -> Vec<String> {
        self.transcript.clone()
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// Reads what was just deleted with `operation_id`: use after delete is a 404.
    pub async fn gone(
        &mut self,
        operation_id: &'static str,
        parameter: &str,
        id: &str,
    ) -> Result<(), Failure> {
        let sent = self.send_one(operation_id, parameter, id, None).await;
        sent.expect_status(404, "a read right after the delete finds nothing")
    }

    /// Sends `operation_id` with `parameter` set to `id`, as clean-up does: whatever it
    /// answers, the play goes on.
    pub async fn discard(&mut self, operation_id: &'static str, parameter: &str, id: &str) {
        self.send_one(operation_id, parameter, id, None).await;
    }

    /// Sends `operation_id` to one resource: its one path parameter, `parameter`, is `id`.
    pub async fn send_one(
        &mut self,
        operation_id: &'static str,
        parameter: &str,
        id: &str,
        body: Option<Value>,
    ) -> Sent {
        self.send(operation_id, &[(parameter, id)], &[], body).await
    }

    /// Sends `operation_id` with its path parameters filled from `path` (encoded here),
    /// `query` and an optional JSON `body`.
    pub async fn send(
        &mut self,
        operation_id: &'static str,
        path: &[(&str, &str)],
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Sent {
        let run = self.run;
        let operation = run
            .spec
            .operation(operation_id)
            .unwrap_or_else(|| panic!("the contract has no operation {operation_id}"));
        let request = Request::to(operation, path, query, body);
        let exchange = match &self.via {
            Some(http) => run.send_with(http, self.check, operation, request).await,
            None if self.judged => run.exchange(self.check, operation, request).await,
            None => run.send(self.check, operation, request).await,
        };
        self.requests += 1;
        if self.recording && self.via.is_some() {
            let body = match &exchange.outcome {
                Ok(received) if received.body.trim().is_empty() => Value::Null,
                Ok(received) => serde_json::from_str(&received.body)
                    .unwrap_or_else(|_| Value::String(received.body.clone())),
                Err(_) => Value::Null,
            };
            self.recorded.push(Recorded {
                operation_id,
                request: exchange.request.clone(),
                curl: exchange.curl.clone(),
                status: exchange.status(),
                body,
            });
        }
        if self.recording {
            let command = match self.step.take() {
                Some(step) => format!("{}  # {step}", exchange.curl),
                None => exchange.curl.clone(),
            };
            self.transcript.push(command);
        }
        Sent {
            operation_id,
            exchange,
        }
    }
}

/// The properties of a request body `schema` that a model writes and reads back: every one
/// the contract lists except `except` (fields that are not echoed, like `check`, or that the
/// model addresses otherwise, like the id) and the read-only ones; `resolve` follows `$ref`s.
fn writable(schema: &Value, except: &[&str], resolve: impl Fn(&Value) -> Value) -> Vec<String> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, property)| {
            !except.contains(&name.as_str())
                && resolve(property).get("readOnly") != Some(&Value::Bool(true))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// A JSON value in a step, shown in reports as compact JSON.
#[derive(Clone)]
pub(crate) struct Json(pub Value);

impl std::fmt::Debug for Json {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

/// The first field of `written` that `stored` does not hold as written.
pub(crate) fn unlike(written: &Map<String, Value>, stored: &Value) -> Option<String> {
    written.iter().find_map(|(field, value)| {
        let actual = stored.get(field).unwrap_or(&Value::Null);
        (!same_json(actual, value)).then(|| format!("{field} is {actual}, but {value} was written"))
    })
}

/// JSON equality, where numbers are equal by value (`0` and `0.0` are the same number).
pub(crate) fn same_json(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(l, r)| same_json(l, r))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .all(|(key, l)| right.get(key).is_some_and(|r| same_json(l, r)))
        }
        _ => left == right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_equal_by_value_at_any_depth() {
        assert!(same_json(
            &json!({"a": [0, 1.5]}),
            &json!({"a": [0.0, 1.5]})
        ));
        assert!(!same_json(&json!({"a": 0}), &json!({"a": "0"})));
        assert!(!same_json(&json!({"a": 0}), &json!({"a": 0, "b": 1})));
    }

    #[test]
    fn writable_fields_leave_out_the_excepted_and_read_only_ones() {
        let schema = json!({"properties": {
            "name": {}, "check": {}, "_id": {"readOnly": true}
        }});
        let fields = writable(&schema, &["check"], Value::clone);
        assert_eq!(fields, vec!["name".to_owned()]);
    }

    #[test]
    fn unlike_names_the_first_field_not_stored_as_written() {
        let written = json!({"firstName": "Ada", "data": {"n": 1}});
        let written = written.as_object().unwrap();
        assert_eq!(
            unlike(
                written,
                &json!({"firstName": "Ada", "data": {"n": 1.0}, "extra": true})
            ),
            None
        );
        assert_eq!(
            unlike(written, &json!({"firstName": "Ada"})).as_deref(),
            Some("data is null, but {\"n\":1} was written")
        );
    }
}
