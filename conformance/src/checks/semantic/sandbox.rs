//! What the semantic checks share: requests by operation id, set-up steps whose failure ends a
//! scenario with one violation, polling the in-app feed with a deadline, and deleting what a
//! scenario made.
//!
//! Every request goes through [`Run::exchange`], so `response-conformance` judges it and it is
//! counted for the scenario's check and operation.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::contract::Operation;
use crate::run::{Exchange, Run, Violation};
use crate::transport::Request;

/// How long delivery may take: a server that queues work delivers later than it answers.
pub const DELIVERY_DEADLINE: Duration = Duration::from_secs(10);

/// The scenario cannot go on; what went wrong was recorded already.
#[derive(Debug)]
pub struct Stop;

/// A request that undoes something a scenario made.
struct Undo {
    operation: &'static str,
    path: Vec<(&'static str, String)>,
    body: Option<Value>,
}

/// Where one scenario of a semantic check plays: its requests, counted for the check, and what
/// it made, deleted again at the end.
pub struct Sandbox<'a> {
    /// The run.
    pub run: &'a Run,
    /// The check the requests count for.
    pub check: &'static str,
    /// What undoes each thing made, in creation order.
    created: Mutex<Vec<Undo>>,
}

impl<'a> Sandbox<'a> {
    /// A sandbox for a scenario of `check`.
    pub fn new(run: &'a Run, check: &'static str) -> Self {
        Sandbox {
            run,
            check,
            created: Mutex::new(Vec::new()),
        }
    }

    /// The operation `id` of the contract; a contract without it skips the check.
    pub fn operation(&self, id: &str) -> Result<Operation, Stop> {
        match self.run.spec.operation(id) {
            Some(operation) => Ok(operation.clone()),
            None => {
                self.run.recorder.skip(
                    self.check,
                    id,
                    "(scenarios)",
                    &format!("the contract has no operation {id}"),
                );
                Err(Stop)
            }
        }
    }

    /// Sends `body` to operation `id` with these path values and query pairs.
    pub async fn send(
        &self,
        id: &str,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<(Operation, Exchange), Stop> {
        let operation = self.operation(id)?;
        let request = Request::to(&operation, path, query, body);
        let exchange = self.run.exchange(self.check, &operation, request).await;
        Ok((operation, exchange))
    }

    /// A set-up step: anything but a 2xx with a JSON body is a violation that ends the scenario.
    /// Answers the body's `data`.
    pub async fn expect(
        &self,
        what: &str,
        id: &str,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<Value, Stop> {
        let (operation, exchange) = self.send(id, path, query, body).await?;
        let success = exchange
            .status()
            .is_some_and(|status| (200..300).contains(&status));
        match exchange.json() {
            Some(body) if success => Ok(body.get("data").cloned().unwrap_or(body)),
            _ => {
                let expected = format!("a 2xx with a JSON body ({what})");
                self.violate(
                    &operation,
                    &exchange,
                    &expected,
                    "the scenario cannot go on",
                );
                Err(Stop)
            }
        }
    }

    /// Records a violation of the check about `exchange`.
    pub fn violate(
        &self,
        operation: &Operation,
        exchange: &Exchange,
        expected: &str,
        problem: &str,
    ) {
        let violation = exchange.violation(self.check, operation, expected, Some(problem));
        self.run.violation(operation, violation);
    }

    /// Records a violation without a response to show: `received` says what was observed.
    pub fn observe(&self, operation: &Operation, curl: &str, expected: &str, received: String) {
        self.run.violation(
            operation,
            Violation {
                check: self.check,
                operation_id: operation.operation_id.clone(),
                expected: expected.to_owned(),
                received: format!("{received} (seed {})", self.run.seed),
                curl: Some(curl.to_owned()),
            },
        );
    }

    /// Remembers that `delete` with these path values undoes something made.
    pub fn created(&self, delete: &'static str, path: &[(&'static str, &str)]) {
        self.created_with(delete, path, None);
    }

    /// Remembers that `operation` with these path values and `body` undoes something made.
    pub fn created_with(
        &self,
        operation: &'static str,
        path: &[(&'static str, &str)],
        body: Option<Value>,
    ) {
        let path = path
            .iter()
            .map(|(name, value)| (*name, (*value).to_owned()))
            .collect();
        self.created.lock().expect("created poisoned").push(Undo {
            operation,
            path,
            body,
        });
    }

    /// Deletes what the scenario made, newest first (a failure changes nothing more).
    pub async fn cleanup(&self) {
        let created = std::mem::take(&mut *self.created.lock().expect("created poisoned"));
        for undo in created.into_iter().rev() {
            let path: Vec<(&str, &str)> = undo
                .path
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            let _ = self.send(undo.operation, &path, &[], undo.body).await;
        }
    }

    /// A fresh identifier under the run's prefix.
    pub fn name(&self, label: &str, number: u32) -> String {
        format!("{}{label}-{number}", self.run.generator.prefix())
    }

    /// Creates a workflow group and a workflow with `steps` (active unless `extra` says
    /// otherwise); answers the workflow.
    pub async fn workflow(&self, label: &str, steps: Value, extra: Value) -> Result<Value, Stop> {
        let group = self
            .expect(
                "the workflow group is created",
                "workflow_groups_create",
                &[],
                &[],
                Some(json!({ "name": self.name(label, 0) })),
            )
            .await?;
        let group_id = text(&group["_id"]);
        self.created("workflow_groups_delete", &[("id", &group_id)]);
        let mut body = json!({
            "name": self.name(label, 1),
            "notificationGroupId": group_id,
            "steps": steps,
            "active": true,
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let workflow = self
            .expect(
                "the workflow is created",
                "workflows_create",
                &[],
                &[],
                Some(body),
            )
            .await?;
        self.created(
            "workflows_delete",
            &[("workflowId", &text(&workflow["_id"]))],
        );
        Ok(workflow)
    }

    /// Creates a subscriber from `fields` (which carry the `subscriberId`).
    pub async fn subscriber(&self, fields: Value) -> Result<String, Stop> {
        let id = text(&fields["subscriberId"]);
        self.expect(
            "the subscriber is created",
            "subscribers_create",
            &[],
            &[],
            Some(fields),
        )
        .await?;
        self.created("subscribers_delete", &[("subscriberId", &id)]);
        Ok(id)
    }

    /// Creates a tenant from `fields` (which carry the `identifier`); answers it.
    pub async fn tenant(&self, fields: Value) -> Result<Value, Stop> {
        let identifier = text(&fields["identifier"]);
        let tenant = self
            .expect(
                "the tenant is created",
                "tenants_create",
                &[],
                &[],
                Some(fields),
            )
            .await?;
        self.created("tenants_delete", &[("identifier", &identifier)]);
        Ok(tenant)
    }

    /// Triggers `body`; anything but a 201 `processed` is a violation that ends the scenario.
    /// Answers the exchange's `curl` and the transaction id.
    pub async fn trigger(&self, body: Value) -> Result<(String, String), Stop> {
        let (operation, exchange) = self.send("events_trigger", &[], &[], Some(body)).await?;
        let data = exchange.json().map(|body| body["data"].clone());
        match data {
            Some(data) if exchange.status() == Some(201) && data["status"] == "processed" => {
                Ok((exchange.curl.clone(), text(&data["transactionId"])))
            }
            _ => {
                self.violate(
                    &operation,
                    &exchange,
                    "201 with status processed for an active workflow and existing recipients",
                    "the trigger was not processed",
                );
                Err(Stop)
            }
        }
    }

    /// The subscriber's in-app feed (first 100 items).
    pub async fn feed(&self, subscriber_id: &str) -> Result<Vec<Value>, Stop> {
        let data = self
            .expect(
                "the feed is readable",
                "subscriber_notifications_feed",
                &[("subscriberId", subscriber_id)],
                &[("limit", "100")],
                None,
            )
            .await?;
        Ok(data.as_array().cloned().unwrap_or_default())
    }

    /// Polls the feed until `done` says it holds what is awaited, or until the deadline;
    /// answers the last feed read either way.
    pub async fn await_feed(
        &self,
        subscriber_id: &str,
        deadline: Duration,
        done: impl Fn(&[Value]) -> bool,
    ) -> Result<Vec<Value>, Stop> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(50);
        loop {
            let feed = self.feed(subscriber_id).await?;
            if done(&feed) || started.elapsed() >= deadline {
                return Ok(feed);
            }
            tokio::time::sleep(pause.min(deadline.saturating_sub(started.elapsed()))).await;
            // A short ceiling: a delivery waited for is seen within 100 ms of its arrival,
            // not up to half a second later.
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}

/// The contents of feed items whose content is `content`.
pub fn with_content<'f>(feed: &'f [Value], content: &str) -> Vec<&'f Value> {
    feed.iter()
        .filter(|item| item["content"].as_str() == Some(content))
        .collect()
}

/// A JSON string's text, or the JSON text of anything else.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// An in-app step with `content` and these `filters`.
pub fn in_app_step(content: &str, filters: Value) -> Value {
    json!({
        "name": content,
        "active": true,
        "shouldStopOnFail": false,
        "template": { "type": "in_app", "content": content },
        "filters": filters,
    })
}
