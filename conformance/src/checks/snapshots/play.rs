//! A scenario being played: its requests, sent through the run or straight to a server, and
//! what came back, before normalization.

use serde_json::Value;

use crate::contract::Spec;
use crate::run::{Exchange, Run};
use crate::transport::{HttpClient, Request};

/// Where a script's requests go: through the run (counted and judged by `response-conformance`
/// when the operation is selected) or straight to a server (for the snapshot tests).
pub(super) enum Target<'a> {
    /// Through the run, counted for `check`.
    Run {
        /// The run.
        run: &'a Run,
        /// The check the requests count for.
        check: &'static str,
    },
    /// Straight to a server.
    Client {
        /// The server's client.
        http: &'a HttpClient,
        /// The contract.
        spec: &'a Spec,
    },
}

/// A request a script sent, with what came back, before normalization.
pub(super) struct RawStep {
    /// The operation.
    pub operation: String,
    /// The request as sent.
    pub request: Request,
    /// The `curl` command that sends it again.
    pub curl: String,
    /// The status; `None` without a response.
    pub status: Option<u16>,
    /// The response body, the items a list step keeps.
    pub response: Value,
    /// Which items of a list were kept.
    pub kept: Option<String>,
    /// Set-up and tear-down requests are sent but left out of the transcript.
    pub recorded: bool,
}

/// Which items of a list response a step keeps: the array at `pointer` filtered by `keep`.
pub(super) struct Keep<'a> {
    /// The JSON pointer of the list.
    pub pointer: &'a str,
    /// Which items are kept, in words.
    pub describe: &'a str,
    /// Whether an item is kept.
    pub keep: &'a (dyn Fn(&Value) -> bool + Sync),
}

/// A scenario being played.
pub(super) struct Script<'a> {
    target: Target<'a>,
    steps: Vec<RawStep>,
}

impl<'a> Script<'a> {
    /// A script whose requests go to `target`.
    pub fn new(target: Target<'a>) -> Script<'a> {
        Script {
            target,
            steps: Vec::new(),
        }
    }

    /// What the script sent so far, with the answers.
    pub fn steps(&self) -> &[RawStep] {
        &self.steps
    }

    /// Sends `operation` and records it in the transcript; returns the JSON body (or null).
    pub async fn call(
        &mut self,
        operation: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Value {
        self.send(operation, params, query, body, None, true).await
    }

    /// Sends a set-up or tear-down request, left out of the transcript.
    pub async fn quiet(
        &mut self,
        operation: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Value {
        self.send(operation, params, query, body, None, false).await
    }

    /// Sends an operation answering a list (a list, or a delete answering what is left) and
    /// records only the items `keep` selects, without the totals that count everything else.
    pub async fn filtered(
        &mut self,
        operation: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        keep: Keep<'_>,
    ) -> Value {
        self.send(operation, params, query, None, Some(keep), true)
            .await
    }

    /// Repeats a quiet read until `done` holds (or about five seconds pass), for servers that
    /// deliver triggers in the background.
    pub async fn wait_for(
        &mut self,
        operation: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        done: impl Fn(&Value) -> bool,
    ) {
        for _ in 0..20 {
            let body = self.quiet(operation, params, query, None).await;
            if done(&body) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }

    async fn send(
        &mut self,
        operation_id: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
        keep: Option<Keep<'_>>,
        recorded: bool,
    ) -> Value {
        let spec = match &self.target {
            Target::Run { run, .. } => &run.spec,
            Target::Client { spec, .. } => *spec,
        };
        let Some(operation) = spec.operation(operation_id) else {
            // A scenario naming an operation the contract lacks is a bug of the suite; the
            // snapshot tests catch it by the step missing from the transcript.
            return Value::Null;
        };
        let request = Request::to(operation, params, query, body);
        let exchange = match &self.target {
            Target::Run { run, check } if run.is_selected(operation_id) => {
                run.exchange(check, operation, request).await
            }
            Target::Run { run, .. } => run.quietly(request).await,
            Target::Client { http, .. } => Exchange::quietly(http, request).await,
        };
        let mut response = match &exchange.outcome {
            Ok(received) if received.body.trim().is_empty() => Value::Null,
            Ok(received) => serde_json::from_str(&received.body)
                .unwrap_or_else(|_| Value::String(received.body.clone())),
            Err(_) => Value::Null,
        };
        let answer = response.clone();
        let kept = keep.map(|keep| {
            if let Some(Value::Array(items)) = response.pointer_mut(keep.pointer) {
                items.retain(|item| (keep.keep)(item));
            }
            if let Value::Object(object) = &mut response {
                for total in ["totalCount", "hasMore", "total"] {
                    object.remove(total);
                }
            }
            keep.describe.to_owned()
        });
        self.steps.push(RawStep {
            operation: operation_id.to_owned(),
            curl: exchange.curl.clone(),
            status: exchange.status(),
            request: exchange.request,
            response,
            kept,
            recorded,
        });
        answer
    }
}
