//! A request sent to the server with what came back, and how it reads in a report.

use serde_json::Value;

use super::violation::Violation;
use crate::contract::Operation;
use crate::transport::{HttpClient, Received, Request, TransportFailure};

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
    /// Sends `request` with `http`, without counting or judging it.
    pub async fn quietly(http: &HttpClient, request: Request) -> Exchange {
        let curl = http.curl(&request);
        let outcome = http.send(&request).await;
        Exchange {
            request,
            curl,
            outcome,
        }
    }

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
