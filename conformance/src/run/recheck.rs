//! Flaky violations: the request behind a violation is sent again at once, when that is safe
//! ([`may_repeat`]), and the violation is labelled flaky when the answer differs in kind from
//! the one that produced it: another status, a body of another shape (other object keys,
//! another JSON type, not JSON), or an answer where none came (and the reverse). Values are
//! not compared, so a violation whose answer only differs in ids or text counts as reproduced:
//! a real defect is never labelled flaky by a list that grew meanwhile.

use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::Value;

use super::traffic::{Traffic, may_repeat};
use super::violation::Violation;
use crate::transport::{HttpClient, Received, Request, TransportFailure};

/// What sending a violation's request again showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recheck {
    /// Not sent again: not safe to repeat, or the violation names no single request.
    NotSent,
    /// Sent again; the answer is not in yet.
    Pending,
    /// The same kind of answer came back.
    Reproduced,
    /// Another kind of answer came back: the violation did not reproduce.
    Flaky,
}

/// A result's key in the recorder: the operation and the check.
type Key = (String, &'static str);

/// A request to send again, with the shape of the answer that produced the violation.
#[derive(Debug)]
pub struct Candidate {
    request: Request,
    shape: String,
}

/// The requests being sent again.
#[derive(Debug)]
pub struct Rechecks {
    http: HttpClient,
    traffic: Arc<Traffic>,
    pending: Mutex<Vec<tokio::task::JoinHandle<(Key, usize, Recheck)>>>,
}

impl Rechecks {
    /// Rechecks sending with `http`, looking the requests up in `traffic`.
    pub fn new(http: HttpClient, traffic: Arc<Traffic>) -> Rechecks {
        Rechecks {
            http,
            traffic,
            pending: Mutex::default(),
        }
    }

    /// What to send again for `violation`, if its `curl` names one request the run sent and
    /// sending it again is safe.
    pub fn candidate(&self, violation: &Violation) -> Option<Candidate> {
        tokio::runtime::Handle::try_current().ok()?;
        let latest = self.traffic.latest(violation.curl.as_deref()?)?;
        let status = latest.outcome.as_ref().ok().map(|received| received.status);
        may_repeat(&latest.request, status).then(|| Candidate {
            shape: shape(&latest.outcome),
            request: latest.request,
        })
    }

    /// Sends `candidate` again for the `index`-th violation of the result `key`.
    pub fn spawn(&self, key: Key, index: usize, candidate: Candidate) {
        let http = self.http.clone();
        let task = tokio::spawn(async move {
            let again = shape(&http.send(&candidate.request).await);
            let recheck = if again == candidate.shape {
                Recheck::Reproduced
            } else {
                Recheck::Flaky
            };
            (key, index, recheck)
        });
        self.pending.lock().expect("rechecks poisoned").push(task);
    }

    /// Every recheck's outcome, once all are in.
    pub async fn settle(&self) -> Vec<(Key, usize, Recheck)> {
        let tasks = std::mem::take(&mut *self.pending.lock().expect("rechecks poisoned"));
        let mut settled = Vec::with_capacity(tasks.len());
        for task in tasks {
            if let Ok(outcome) = task.await {
                settled.push(outcome);
            }
        }
        settled
    }
}

/// The kind of an answer: its status and the shape of its body, or the kind of failure.
fn shape(outcome: &Result<Received, TransportFailure>) -> String {
    match outcome {
        Ok(received) => match serde_json::from_str::<Value>(&received.body) {
            Ok(body) => format!("{} {}", received.status, skeleton(&body)),
            Err(_) => format!("{} text", received.status),
        },
        Err(TransportFailure::Timeout(_)) => "timeout".into(),
        Err(TransportFailure::Connect(_)) => "no connection".into(),
        Err(TransportFailure::Broken(_)) => "broken".into(),
        Err(TransportFailure::TooLarge) => "too large".into(),
    }
}

/// The shape of `value`: object keys (sorted) with the shapes of their values, the JSON type
/// of everything else; an array is an array whatever it holds.
fn skeleton(value: &Value) -> String {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<(&String, &Value)> = object.iter().collect();
            keys.sort_by(|left, right| left.0.cmp(right.0));
            let inner: Vec<String> = keys
                .into_iter()
                .map(|(key, value)| format!("{key}:{}", skeleton(value)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(_) => "[]".into(),
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => "null".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_differ_by_kind_not_by_value() {
        let answer = |status: u16, body: &str| {
            Ok(Received {
                status,
                content_type: None,
                header_names: Vec::new(),
                headers: Vec::new(),
                body: body.into(),
            })
        };
        let same = shape(&answer(200, r#"{"data":[{"a":1}],"id":"x"}"#));
        assert_eq!(same, shape(&answer(200, r#"{"id":"y","data":[]}"#)));
        assert_ne!(same, shape(&answer(500, r#"{"data":[],"id":"y"}"#)));
        assert_ne!(same, shape(&answer(200, r#"{"data":[]}"#)));
        assert_ne!(same, shape(&answer(200, "oops")));
    }
}
