//! The trigger engine: turns one trigger into notifications, jobs, messages and execution
//! details, all inside the request's transaction, so the next request sees every effect.
//!
//! Novu queues the work and a worker delivers it later; here each step runs at once. Nothing
//! leaves the machine (except the calls of webhook conditions): a message of an outside channel
//! is recorded as `sent` through the integration that would have carried it. Delay and digest
//! steps stop the chain: their job stays `delayed` with a due time in the `due_at` column and
//! the later steps `pending`, until the scheduler ([`crate::scheduler`]) calls [`resume`] at the
//! due time, or `events_cancel` cancels them first.

use std::cell::Cell;

use chrono::{DateTime, Datelike, Months, NaiveTime, TimeDelta, Utc};
use handlebars::Handlebars;
use novu_server::types::{
    MessageContentBlock, MessageCtaActionButtonsItem, NotificationFeedItemActor,
};
use rusqlite::{Transaction, params};
use serde_json::{Map, Value, json};

use super::{Caller, preferences, subscribers};
use crate::engine::conditions;
use crate::failure::{Failure, Outcome, Status};
use crate::ids;
use crate::store::{documents, first_document};

/// The channels that create messages.
const MESSAGE_CHANNELS: &[&str] = &["in_app", "email", "sms", "chat", "push"];

/// Who a trigger goes to.
pub(crate) enum Audience<'a> {
    /// The `to` of the request: subscriber ids, subscriber objects and topics.
    To(&'a Value),
    /// Every subscriber of the environment (broadcast).
    Everyone,
}

/// What one trigger did: the result body, and when the earliest job it left waiting is due.
pub(crate) struct Triggered {
    pub body: Value,
    /// Unix milliseconds; the scheduler must be told once the transaction has committed.
    pub earliest_due: Option<i64>,
}

impl Triggered {
    fn answer(body: Value) -> Self {
        Self {
            body,
            earliest_due: None,
        }
    }
}

/// One trigger (`events_trigger`, one element of a bulk, or a broadcast).
pub(crate) fn trigger(
    transaction: &Transaction,
    caller: &Caller,
    event: &Value,
    audience: Audience<'_>,
) -> Outcome<Triggered> {
    let name = event["name"].as_str().unwrap_or_default();
    let workflow = first_document(
        transaction,
        "SELECT doc FROM workflows WHERE trigger_identifier = ?1 AND environment_id = ?2 AND deleted = 0",
        params![name, caller.environment_id],
    )?
    .ok_or_else(|| Failure::unprocessable("workflow_not_found"))?;
    require_reserved_variables(&workflow, event)?;
    let tenant = match tenant_identifier(&event["tenant"]) {
        Some(identifier) => match first_document(
            transaction,
            "SELECT doc FROM tenants WHERE environment_id = ?1 AND identifier = ?2",
            params![caller.environment_id, identifier],
        )? {
            Some(tenant) => Some(tenant),
            None => return Ok(Triggered::answer(acknowledgement("no_tenant_found", None))),
        },
        None => None,
    };
    // A tenant's workflow override, when there is one, decides instead of the workflow.
    let active = match override_active(transaction, caller, &workflow, tenant.as_ref())? {
        Some(active) => active,
        None => workflow["active"].as_bool().unwrap_or(false),
    };
    if !active {
        return Ok(Triggered::answer(acknowledgement(
            "trigger_not_active",
            None,
        )));
    }
    let steps = workflow["steps"].as_array().cloned().unwrap_or_default();
    if steps.is_empty() {
        return Ok(Triggered::answer(acknowledgement(
            "no_workflow_steps_defined",
            None,
        )));
    }
    let steps: Vec<Value> = steps
        .into_iter()
        .filter(|step| step["active"].as_bool().unwrap_or(true))
        .collect();
    if steps.is_empty() {
        return Ok(Triggered::answer(acknowledgement(
            "no_workflow_active_steps_defined",
            None,
        )));
    }
    let transaction_id = event["transactionId"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(ids::uuid);
    let actor = match &event["actor"] {
        Value::Null => None,
        given => Some(subscriber_for(transaction, caller, given)?),
    };
    let recipients = match audience {
        Audience::To(to) => recipients(transaction, caller, to, actor.as_ref())?,
        Audience::Everyone => documents(
            transaction,
            "SELECT doc FROM subscribers WHERE environment_id = ?1 AND deleted = 0 ORDER BY rowid",
            [&caller.environment_id],
        )?,
    };
    let run = Run {
        caller,
        workflow: &workflow,
        steps: &steps,
        payload: with_defaults(object_or_empty(&event["payload"]), &steps),
        overrides: object_or_empty(&event["overrides"]),
        tenant: tenant.as_ref(),
        actor: actor.as_ref(),
        transaction_id: &transaction_id,
        earliest_due: Cell::new(None),
    };
    for subscriber in &recipients {
        run.deliver(transaction, subscriber)?;
    }
    Ok(Triggered {
        body: acknowledgement("processed", Some(&transaction_id)),
        earliest_due: run.earliest_due.get(),
    })
}

/// Cancels what a transaction still has waiting; `true` when a delay or digest was waiting.
/// Novu's `CancelDelayed`: the transaction's `delayed` and `merged` jobs, and its `pending` ones
/// when one of those is a delay or digest step. A cancelled digest leader hands its place to
/// the oldest event merged into it, which then waits in its stead.
pub(crate) fn cancel(
    transaction: &Transaction,
    caller: &Caller,
    transaction_id: &str,
) -> Outcome<bool> {
    let waiting = documents(
        transaction,
        "SELECT doc FROM jobs WHERE environment_id = ?1 AND transaction_id = ?2 AND status IN ('delayed', 'merged') ORDER BY rowid",
        params![caller.environment_id, transaction_id],
    )?;
    if waiting.is_empty() {
        return Ok(false);
    }
    let mut jobs = waiting.clone();
    if waiting
        .iter()
        .any(|job| job["type"] == "delay" || job["type"] == "digest")
    {
        jobs.extend(documents(
            transaction,
            "SELECT doc FROM jobs WHERE environment_id = ?1 AND transaction_id = ?2 AND status = 'pending' ORDER BY rowid",
            params![caller.environment_id, transaction_id],
        )?);
    }
    // The leaders' due times, read before cancelling clears them.
    let mut leaders = Vec::new();
    for leader in waiting
        .iter()
        .filter(|job| job["type"] == "digest" && job["status"] == "delayed")
    {
        let due_at: Option<i64> = transaction.query_row(
            "SELECT due_at FROM jobs WHERE id = ?1",
            [leader["_id"].as_str()],
            |row| row.get(0),
        )?;
        leaders.push((leader, due_at));
    }
    for job in &jobs {
        let mut job = job.clone();
        job["status"] = json!("canceled");
        job["updatedAt"] = json!(ids::now());
        save_job(transaction, &job, None)?;
    }
    for (leader, due_at) in leaders {
        hand_over_digest(transaction, leader, due_at)?;
    }
    Ok(true)
}

/// Makes the oldest event merged into a cancelled digest leader the new leader: it waits
/// until the old leader's due time, its later steps become `pending` again, and the other
/// merged events now belong to it.
fn hand_over_digest(transaction: &Transaction, leader: &Value, due_at: Option<i64>) -> Outcome<()> {
    let leader_id = leader["_id"].as_str().unwrap_or_default();
    let merged = documents(
        transaction,
        "SELECT doc FROM jobs WHERE json_extract(doc, '$._mergedDigestId') = ?1 AND status = 'merged' ORDER BY rowid",
        [leader_id],
    )?;
    let Some(follower) = merged.iter().find(|job| job["type"] == "digest") else {
        return Ok(());
    };
    let follower_id = follower["_id"].clone();
    let follower_notification = follower["_notificationId"].clone();
    for mut job in merged {
        if job["_notificationId"] == follower_notification {
            job["_mergedDigestId"] = Value::Null;
            if job["_id"] == follower_id {
                job["status"] = json!("delayed");
                save_job(transaction, &job, due_at)?;
                continue;
            }
            job["status"] = json!("pending");
        } else {
            job["_mergedDigestId"] = follower_id.clone();
        }
        save_job(transaction, &job, None)?;
    }
    Ok(())
}

/// The `{acknowledged, status, transactionId?}` body.
pub(crate) fn acknowledgement(status: &str, transaction_id: Option<&str>) -> Value {
    let mut body = json!({ "acknowledged": true, "status": status });
    if let Some(transaction_id) = transaction_id {
        body["transactionId"] = json!(transaction_id);
    }
    body
}

/// Novu's check of the reserved variables a workflow declares (`tenant`, `actor`).
fn require_reserved_variables(workflow: &Value, event: &Value) -> Outcome<()> {
    let mut missing = Vec::new();
    for reserved in workflow["triggers"][0]["reservedVariables"]
        .as_array()
        .into_iter()
        .flatten()
    {
        match reserved["type"].as_str() {
            Some("tenant") => match &event["tenant"] {
                Value::Null => missing.push("tenant object"),
                Value::Object(tenant) if !truthy(tenant.get("identifier")) => {
                    missing.push("identifier property of tenant")
                }
                _ => {}
            },
            Some("actor") => match &event["actor"] {
                Value::Null => missing.push("actor object"),
                Value::Object(actor) if !truthy(actor.get("subscriberId")) => {
                    missing.push("subscriberId property of actor")
                }
                _ => {}
            },
            _ => {}
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Failure::bad_request(format!(
            "Trigger is missing: {}",
            missing.join(", ")
        )))
    }
}

/// JavaScript truthiness of an optional JSON value.
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) => !text.is_empty(),
        Some(Value::Number(number)) => number.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
        Some(_) => true,
    }
}

/// The tenant identifier of a trigger's `tenant` (a string or `{identifier}`).
fn tenant_identifier(tenant: &Value) -> Option<String> {
    match tenant {
        Value::String(identifier) => Some(identifier.clone()),
        Value::Object(fields) => Some(
            fields
                .get("identifier")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        ),
        _ => None,
    }
}

/// The `active` flag of the tenant's override of this workflow, if it has one.
fn override_active(
    transaction: &Transaction,
    caller: &Caller,
    workflow: &Value,
    tenant: Option<&Value>,
) -> Outcome<Option<bool>> {
    let Some(tenant) = tenant else {
        return Ok(None);
    };
    let workflow_override = first_document(
        transaction,
        "SELECT doc FROM workflow_overrides WHERE environment_id = ?1 AND workflow_id = ?2 AND tenant_id = ?3 AND deleted = 0",
        params![
            caller.environment_id,
            workflow["_id"].as_str(),
            tenant["_id"].as_str()
        ],
    )?;
    Ok(workflow_override.map(|found| found["active"] == json!(true)))
}

/// The subscriber a recipient or actor names: found by id (created when new), or upserted
/// from an inline subscriber object.
fn subscriber_for(transaction: &Transaction, caller: &Caller, given: &Value) -> Outcome<Value> {
    match given {
        Value::String(subscriber_id) => {
            match subscribers::find(transaction, caller, subscriber_id)? {
                Some(subscriber) => Ok(subscriber),
                None => subscribers::create(
                    transaction,
                    caller,
                    json!({ "subscriberId": subscriber_id }),
                ),
            }
        }
        object => {
            // Novu applies inline channel credentials in its worker, where a failure does not
            // reach the trigger's answer; here a channel that cannot be applied is dropped.
            let fields = subscriber_fields(object);
            transaction.execute_batch("SAVEPOINT inline_subscriber")?;
            match subscribers::create(transaction, caller, fields.clone()) {
                Ok(subscriber) => {
                    transaction.execute_batch("RELEASE inline_subscriber")?;
                    Ok(subscriber)
                }
                Err(failure) if failure.status != Status::InternalServerError => {
                    transaction.execute_batch(
                        "ROLLBACK TO inline_subscriber; RELEASE inline_subscriber",
                    )?;
                    let mut fields = fields;
                    if let Some(fields) = fields.as_object_mut() {
                        fields.remove("channels");
                    }
                    subscribers::create(transaction, caller, fields)
                }
                Err(failure) => Err(failure),
            }
        }
    }
}

/// The fields of an inline subscriber that fit a stored subscriber: recipients are not
/// validated on the way in, and a profile field of the wrong type would break every later
/// read of the subscriber.
fn subscriber_fields(given: &Value) -> Value {
    let mut fields = Map::new();
    for (name, value) in given.as_object().into_iter().flatten() {
        let fits = match name.as_str() {
            "subscriberId" | "firstName" | "lastName" | "email" | "phone" | "avatar" | "locale" => {
                value.is_string()
            }
            "data" => value.is_object(),
            "channels" => value.is_array(),
            _ => false,
        };
        if fits {
            fields.insert(name.clone(), value.clone());
        }
    }
    Value::Object(fields)
}

/// The distinct subscribers of `to`, in order; topics fan out to their members except the actor.
fn recipients(
    transaction: &Transaction,
    caller: &Caller,
    to: &Value,
    actor: Option<&Value>,
) -> Outcome<Vec<Value>> {
    let items = match to {
        Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    };
    let mut found: Vec<Value> = Vec::new();
    let mut push = |subscriber: Value| {
        if !found
            .iter()
            .any(|known| known["subscriberId"] == subscriber["subscriberId"])
        {
            found.push(subscriber);
        }
    };
    for item in items {
        if item["type"] == "Topic" {
            let members: Vec<String> = {
                let mut statement = transaction.prepare_cached(
                    "SELECT members.external_subscriber_id FROM topic_subscribers members \
                     JOIN topics ON topics.id = members.topic_id \
                     WHERE topics.environment_id = ?1 AND topics.key = ?2 ORDER BY members.rowid",
                )?;
                let rows = statement.query_map(
                    params![caller.environment_id, item["topicKey"].as_str()],
                    |row| row.get(0),
                )?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for member in members {
                if actor.is_some_and(|actor| actor["subscriberId"] == member.as_str()) {
                    continue;
                }
                if let Some(subscriber) = subscribers::find(transaction, caller, &member)? {
                    push(subscriber);
                }
            }
        } else if item.is_string() || item.get("subscriberId").is_some_and(Value::is_string) {
            push(subscriber_for(transaction, caller, &item)?);
        }
    }
    Ok(found)
}

/// What one trigger shares across its recipients.
struct Run<'a> {
    caller: &'a Caller,
    workflow: &'a Value,
    steps: &'a [Value],
    payload: Value,
    overrides: Value,
    tenant: Option<&'a Value>,
    actor: Option<&'a Value>,
    transaction_id: &'a str,
    /// The earliest due time of the jobs this run left waiting (Unix milliseconds).
    earliest_due: Cell<Option<i64>>,
}

/// Why a step did not deliver, as its execution detail says it.
#[derive(Debug)]
struct Stop {
    job_status: &'static str,
    detail: String,
    status: &'static str,
    raw: Option<String>,
}

impl Stop {
    fn new(job_status: &'static str, status: &'static str, detail: impl Into<String>) -> Self {
        Self {
            job_status,
            detail: detail.into(),
            status,
            raw: None,
        }
    }
}

impl Run<'_> {
    /// One notification for `subscriber`, with one job per active step.
    fn deliver(&self, transaction: &Transaction, subscriber: &Value) -> Outcome<()> {
        let now = ids::now();
        let mut channels: Vec<Value> = Vec::new();
        for step in self.steps {
            let kind = step["template"]["type"].clone();
            if !kind.is_null() && !channels.contains(&kind) {
                channels.push(kind);
            }
        }
        let mut summary = Map::new();
        summary.insert("_id".into(), subscriber["_id"].clone());
        for field in ["subscriberId", "firstName", "lastName", "email", "phone"] {
            if let Some(value) = subscriber.get(field).filter(|value| value.is_string()) {
                summary.insert(field.into(), value.clone());
            }
        }
        let notification = json!({
            "_id": ids::object_id(),
            "_environmentId": self.caller.environment_id,
            "_organizationId": self.caller.organization_id,
            "_templateId": self.workflow["_id"],
            "_subscriberId": subscriber["_id"],
            "transactionId": self.transaction_id,
            "channels": channels,
            "payload": self.payload,
            "subscriber": summary,
            "template": {
                "_id": self.workflow["_id"],
                "name": self.workflow["name"],
                "triggers": self.workflow["triggers"],
            },
            "createdAt": now,
            "updatedAt": now,
        });
        transaction.execute(
            "INSERT INTO notifications (id, environment_id, transaction_id, subscriber_id, created_at, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                notification["_id"].as_str(),
                self.caller.environment_id,
                self.transaction_id,
                subscriber["_id"].as_str(),
                now,
                notification.to_string()
            ],
        )?;
        let variables = self.variables(subscriber);
        // Novu creates every job of the notification up front and then runs them in order.
        let mut jobs = Vec::new();
        for step in self.steps {
            let kind = step["template"]["type"].as_str().unwrap_or_default();
            let mut job = json!({
                "_id": ids::object_id(),
                "_notificationId": notification["_id"],
                "_subscriberId": subscriber["_id"],
                "_environmentId": self.caller.environment_id,
                "_organizationId": self.caller.organization_id,
                "_templateId": self.workflow["_id"],
                "transactionId": self.transaction_id,
                "type": kind,
                "status": "pending",
                "step": step_snapshot(step),
                "payload": self.payload,
                "overrides": self.overrides,
                "digest": if kind == "digest" { object_or_empty(&step["metadata"]) } else { json!({}) },
                "createdAt": ids::now(),
                "updatedAt": ids::now(),
            });
            // What a resumed job needs to rebuild the trigger's context.
            if let Some(tenant) = self.tenant {
                job["tenant"] = tenant["identifier"].clone();
            }
            if let Some(actor) = self.actor {
                job["_actorId"] = actor["_id"].clone();
            }
            self.detail(transaction, &job, "Step queued", "Pending", None, None)?;
            jobs.push(job);
        }
        self.advance(transaction, subscriber, jobs, &variables)
    }

    /// What templates and conditions see for `subscriber`.
    fn variables(&self, subscriber: &Value) -> Value {
        json!({
            "payload": self.payload,
            "subscriber": subscriber,
            "tenant": self.tenant.cloned().unwrap_or(Value::Null),
            "actor": self.actor.cloned().unwrap_or(Value::Null),
        })
    }

    /// Runs `jobs` (the remaining steps of one notification, in order) until one waits.
    fn advance(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        jobs: Vec<Value>,
        variables: &Value,
    ) -> Outcome<()> {
        // After a delay or digest the later steps wait; after a failed step that says
        // `shouldStopOnFail` they are cancelled; after a merged digest they belong to the
        // digest they were merged into.
        let mut waiting = false;
        let mut stopped = false;
        let mut merged_into = Value::Null;
        for mut job in jobs {
            if !merged_into.is_null() {
                job["status"] = json!("merged");
                job["_mergedDigestId"] = merged_into.clone();
            } else if stopped {
                job["status"] = json!("canceled");
            }
            if waiting || stopped {
                save_job(transaction, &job, None)?;
                continue;
            }
            let step = job["step"].clone();
            let mut due = None;
            match self.run_step(transaction, subscriber, &step, &mut job, variables)? {
                Ok(wait) => due = wait,
                Err(stop) => {
                    stopped = stop.job_status == "failed" && step["shouldStopOnFail"] == true;
                    job["status"] = json!(stop.job_status);
                    self.detail(
                        transaction,
                        &job,
                        &stop.detail,
                        stop.status,
                        stop.raw.as_deref(),
                        None,
                    )?;
                }
            }
            if job["status"] == "delayed" {
                waiting = true;
            }
            if job["status"] == "merged" {
                waiting = true;
                merged_into = job["_mergedDigestId"].clone();
            }
            job["updatedAt"] = json!(ids::now());
            save_job(transaction, &job, due)?;
            if let Some(due) = due {
                let earliest = self.earliest_due.get().map_or(due, |known| known.min(due));
                self.earliest_due.set(Some(earliest));
            }
        }
        Ok(())
    }

    /// Runs one step's job: filters, preferences, integration, message. A delay or digest
    /// that starts waiting answers its due time (Unix milliseconds).
    fn run_step(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        step: &Value,
        job: &mut Value,
        variables: &Value,
    ) -> Outcome<Result<Option<i64>, Stop>> {
        let kind = job["type"].as_str().unwrap_or_default().to_owned();
        let filters = step["filters"].as_array().cloned().unwrap_or_default();
        let evaluation = self.evaluate(transaction, &filters, variables, job);
        match evaluation.outcome {
            conditions::Outcome::Pass => {}
            conditions::Outcome::Fail => {
                let trace = trace(&evaluation.conditions);
                return Ok(Err(Stop {
                    raw: Some(trace),
                    ..Stop::new(
                        "canceled",
                        "Success",
                        "Step was filtered based on steps filters",
                    )
                }));
            }
            conditions::Outcome::Error(reason) => {
                return Ok(Err(Stop {
                    raw: Some(reason),
                    ..Stop::new("failed", "Failed", "Failed to process step filter")
                }));
            }
        }
        if kind == "delay" {
            let due = match delay_until(&step["metadata"], &self.payload) {
                Ok(due) => due,
                Err(stop) => return Ok(Err(stop)),
            };
            return self.wait(transaction, job, due).map(Ok);
        }
        if kind == "digest" {
            return self.digest(transaction, subscriber, step, job);
        }
        if !MESSAGE_CHANNELS.contains(&kind.as_str()) {
            job["status"] = json!("completed");
            return Ok(Ok(None));
        }
        if !preferences::channel_allowed(
            transaction,
            self.caller,
            subscriber,
            self.workflow,
            self.tenant,
            &kind,
        )? {
            return Ok(Err(Stop::new(
                "canceled",
                "Success",
                "Step filtered by subscriber preferences",
            )));
        }
        let Some(integration) = self.integration(transaction, &kind)? else {
            return Ok(Err(Stop::new(
                "failed",
                "Failed",
                "Subscriber does not have an active integration",
            )));
        };
        let provider_id = integration["providerId"].clone();
        job["providerId"] = provider_id.clone();
        let mut message = json!({
            "_id": ids::object_id(),
            "_templateId": self.workflow["_id"],
            "_environmentId": self.caller.environment_id,
            "_messageTemplateId": step["_templateId"],
            "_organizationId": self.caller.organization_id,
            "_notificationId": job["_notificationId"],
            "_jobId": job["_id"],
            "_subscriberId": subscriber["_id"],
            "templateIdentifier": self.workflow["triggers"][0]["identifier"],
            "transactionId": self.transaction_id,
            "channel": kind,
            "providerId": provider_id,
            "read": false,
            "seen": false,
            "deleted": false,
            "status": "sent",
            "payload": self.payload,
            "overrides": self.overrides,
            "createdAt": ids::now(),
            "updatedAt": ids::now(),
        });
        match kind.as_str() {
            "email" => match subscriber["email"]
                .as_str()
                .filter(|email| !email.is_empty())
            {
                Some(email) => message["email"] = json!(email),
                None => {
                    return Ok(Err(Stop::new(
                        "failed",
                        "Failed",
                        "Subscriber does not have an email address",
                    )));
                }
            },
            "sms" => match subscriber["phone"]
                .as_str()
                .filter(|phone| !phone.is_empty())
            {
                Some(phone) => message["phone"] = json!(phone),
                None => {
                    return Ok(Err(Stop::new(
                        "failed",
                        "Failed",
                        "Subscriber does not have a phone number",
                    )));
                }
            },
            "chat" | "push" => {
                let credentials = subscriber["channels"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|channel| channel["providerId"] == integration["providerId"])
                    .map(|channel| channel["credentials"].clone());
                let usable = match (kind.as_str(), &credentials) {
                    ("chat", Some(credentials)) => credentials["webhookUrl"].is_string(),
                    (_, Some(credentials)) => credentials["deviceTokens"]
                        .as_array()
                        .is_some_and(|tokens| !tokens.is_empty()),
                    _ => false,
                };
                if !usable {
                    return Ok(Err(Stop::new(
                        "failed",
                        "Failed",
                        "Subscriber does not have active channel credentials for this provider",
                    )));
                }
                let credentials = credentials.unwrap_or_default();
                if kind == "chat" {
                    message["directWebhookUrl"] = credentials["webhookUrl"].clone();
                } else {
                    message["deviceTokens"] = credentials["deviceTokens"].clone();
                }
            }
            _ => {}
        }
        // The first active variant whose non-empty filters pass replaces the step's template.
        let template = step["variants"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|variant| {
                let filters = variant["filters"].as_array().cloned().unwrap_or_default();
                variant["active"].as_bool().unwrap_or(true)
                    && !filters.is_empty()
                    && self.evaluate(transaction, &filters, variables, job).outcome
                        == conditions::Outcome::Pass
            })
            .map_or(&step["template"], |variant| &variant["template"]);
        if let Err(error) = self.render_message(template, variables, &mut message) {
            return Ok(Err(Stop {
                raw: Some(error),
                ..Stop::new("failed", "Failed", "Message content could not be generated")
            }));
        }
        transaction.execute(
            "INSERT INTO messages (id, environment_id, subscriber_id, transaction_id, channel, created_at, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                message["_id"].as_str(),
                self.caller.environment_id,
                subscriber["_id"].as_str(),
                self.transaction_id,
                kind,
                message["createdAt"].as_str(),
                message.to_string()
            ],
        )?;
        let message_id = message["_id"].as_str();
        self.detail(
            transaction,
            job,
            "Message created",
            "Pending",
            None,
            message_id,
        )?;
        self.detail(
            transaction,
            job,
            "Message sent",
            "Success",
            None,
            message_id,
        )?;
        job["status"] = json!("completed");
        Ok(Ok(None))
    }

    /// Novu's `MergeOrCreateDigest`: the first event of a subscriber, workflow and digest key
    /// value waits the window; later ones merge into it (with their later steps). A backoff
    /// digest only waits when another event arrived within the backoff window; otherwise the
    /// event is not digested and the chain goes on at once.
    fn digest(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        step: &Value,
        job: &mut Value,
    ) -> Outcome<Result<Option<i64>, Stop>> {
        let metadata = &step["metadata"];
        let key = digest_value(metadata, &self.payload);
        job["digest"]["digestValue"] = key.clone();
        let same_digest = |other: &Value| {
            other["_templateId"] == self.workflow["_id"]
                && digest_value(&other["digest"], &other["payload"]) == key
        };
        if metadata["type"] == "backoff" || metadata["backoff"] == true {
            let since = shift(
                Utc::now(),
                &metadata["backoffAmount"],
                &metadata["backoffUnit"],
                -1,
            )
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let recent = documents(
                transaction,
                "SELECT doc FROM jobs WHERE environment_id = ?1 AND json_extract(doc, '$._subscriberId') = ?2 \
                 AND json_extract(doc, '$.type') = 'digest' AND json_extract(doc, '$.createdAt') >= ?3",
                params![
                    self.caller.environment_id,
                    subscriber["_id"].as_str(),
                    since
                ],
            )?;
            if !recent.iter().any(same_digest) {
                job["status"] = json!("skipped");
                self.detail(
                    transaction,
                    job,
                    "Digest was skipped, no other event arrived within the backoff window",
                    "Success",
                    None,
                    None,
                )?;
                return Ok(Ok(None));
            }
        }
        // Only waiting jobs have a due time: their index is far smaller than the
        // environment's jobs, which SQLite would otherwise walk.
        let waiting = documents(
            transaction,
            "SELECT doc FROM jobs INDEXED BY jobs_by_due_at WHERE due_at IS NOT NULL AND status = 'delayed' \
             AND environment_id = ?1 AND json_extract(doc, '$._subscriberId') = ?2 \
             AND json_extract(doc, '$.type') = 'digest' ORDER BY rowid",
            params![self.caller.environment_id, subscriber["_id"].as_str()],
        )?;
        if let Some(leader) = waiting.iter().find(|other| same_digest(other)) {
            job["status"] = json!("merged");
            job["_mergedDigestId"] = leader["_id"].clone();
            self.detail(
                transaction,
                job,
                "Digest was merged with other digest",
                "Success",
                None,
                None,
            )?;
            return Ok(Ok(None));
        }
        self.wait(transaction, job, digest_until(metadata)).map(Ok)
    }

    /// Makes `job` wait until `due`, recording the wait (in milliseconds) as Novu does for
    /// every job it queues with a delay; answers the due time in Unix milliseconds.
    fn wait(
        &self,
        transaction: &Transaction,
        job: &mut Value,
        due: DateTime<Utc>,
    ) -> Outcome<Option<i64>> {
        job["status"] = json!("delayed");
        let delay = (due - Utc::now()).num_milliseconds().max(0);
        let raw = json!({ "delay": delay }).to_string();
        self.detail(
            transaction,
            job,
            "Step delayed",
            "Pending",
            Some(&raw),
            None,
        )?;
        Ok(Some(due.timestamp_millis()))
    }

    /// Fills the rendered fields of `message` from the step's template.
    fn render_message(
        &self,
        template: &Value,
        variables: &Value,
        message: &mut Value,
    ) -> Result<(), String> {
        let context = variables;
        message["content"] = match &template["content"] {
            Value::String(text) => json!(render(text, context)?),
            Value::Array(blocks) => {
                let mut rendered = Vec::new();
                for block in blocks {
                    let mut block = block.clone();
                    for field in ["content", "url"] {
                        if let Some(text) = block[field].as_str().map(str::to_owned) {
                            block[field] = json!(render(&text, context)?);
                        }
                    }
                    // Steps are stored unvalidated; a block the message schema cannot carry
                    // is left out.
                    if serde_json::from_value::<MessageContentBlock>(block.clone()).is_ok() {
                        rendered.push(block);
                    }
                }
                Value::Array(rendered)
            }
            _ => json!(""),
        };
        for field in ["subject", "title"] {
            if let Some(text) = template[field].as_str() {
                message[field] = json!(render(text, context)?);
            }
        }
        if message["channel"] == "in_app" {
            message["_feedId"] = template
                .get("_feedId")
                .or_else(|| template.get("feedId"))
                .filter(|feed| feed.is_string())
                .cloned()
                .unwrap_or(Value::Null);
            message["actor"] = match template.get("actor").filter(|actor| {
                serde_json::from_value::<NotificationFeedItemActor>((*actor).clone()).is_ok()
            }) {
                Some(actor) => actor.clone(),
                None => json!({ "type": "none", "data": null }),
            };
            // A `user` actor shows the triggering actor's avatar.
            if let Some(actor) = self.actor {
                message["_actorId"] = actor["_id"].clone();
                if message["actor"]["type"] == "user" {
                    message["actor"]["data"] = actor["avatar"].clone();
                }
            }
            let cta = &template["cta"];
            let mut url = Value::Null;
            if let Some(text) = cta["data"]["url"].as_str() {
                url = json!(render(text, context)?);
            }
            let mut buttons = Vec::new();
            for button in cta["action"]["buttons"].as_array().into_iter().flatten() {
                let mut button = button.clone();
                for field in ["content", "resultContent"] {
                    if let Some(text) = button[field].as_str().map(str::to_owned) {
                        button[field] = json!(render(&text, context)?);
                    }
                }
                if serde_json::from_value::<MessageCtaActionButtonsItem>(button.clone()).is_ok() {
                    buttons.push(button);
                }
            }
            let mut data = json!({});
            if !url.is_null() {
                data["url"] = url;
            }
            message["cta"] = json!({
                "type": "redirect",
                "data": data,
                "action": {
                    "status": "pending",
                    "buttons": buttons,
                    "result": { "payload": {}, "type": null },
                },
            });
        }
        Ok(())
    }

    /// Novu's integration selection: the newest active integration of the channel (only
    /// `primary` ones for email and sms), replaced by the first one whose `conditions` pass
    /// with the trigger's tenant.
    fn integration(&self, transaction: &Transaction, channel: &str) -> Outcome<Option<Value>> {
        // A trigger can name the integration (`overrides.<channel>.integrationIdentifier`):
        // then that one, from any environment of the organization, and no conditions.
        if let Some(identifier) = self.overrides[channel]["integrationIdentifier"].as_str() {
            let named = documents(
                transaction,
                "SELECT doc FROM integrations WHERE organization_id = ?1 AND identifier = ?2 AND active = 1 AND deleted = 0",
                params![self.caller.organization_id, identifier],
            )?;
            return Ok(named
                .into_iter()
                .find(|integration| integration["channel"] == channel));
        }
        let active: Vec<Value> = documents(
            transaction,
            "SELECT doc FROM integrations WHERE environment_id = ?1 AND active = 1 AND deleted = 0 ORDER BY rowid",
            [&self.caller.environment_id],
        )?
        .into_iter()
        .filter(|integration| integration["channel"] == channel)
        .collect();
        let needs_primary = channel == "email" || channel == "sms";
        let default = active
            .iter()
            .filter(|integration| !needs_primary || integration["primary"] == json!(true))
            .max_by(|left, right| {
                let left = left["createdAt"].as_str().unwrap_or_default();
                let right = right["createdAt"].as_str().unwrap_or_default();
                left.cmp(right)
            })
            .cloned();
        let Some(tenant) = self.tenant else {
            return Ok(default);
        };
        // Integration conditions see the tenant only.
        let variables = conditions::Variables {
            tenant: Some(tenant.clone()),
            ..conditions::Variables::default()
        };
        for integration in &active {
            let conditions = integration["conditions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !conditions.is_empty()
                && conditions::evaluate(&conditions, &variables, &integration_world()).outcome
                    == conditions::Outcome::Pass
            {
                return Ok(Some(integration.clone()));
            }
        }
        Ok(default)
    }

    /// Evaluates step or variant `filters` for the job's subscriber; `previousStep` conditions
    /// look at the messages earlier steps of the same notification produced.
    fn evaluate(
        &self,
        transaction: &Transaction,
        filters: &[Value],
        variables: &Value,
        job: &Value,
    ) -> conditions::Evaluation {
        let variables = conditions::Variables {
            payload: variables["payload"].clone(),
            subscriber: Some(variables["subscriber"].clone()),
            tenant: self.tenant.cloned(),
            actor: self.actor.cloned(),
        };
        let notification_id = job["_notificationId"].as_str().unwrap_or_default();
        let previous_step = |uuid: &str| {
            previous_step_message(transaction, notification_id, uuid)
                .ok()
                .flatten()
        };
        let call_webhook = |url: &str| self.call_webhook(transaction, url, &variables, job);
        let hooks = conditions::Hooks {
            now: chrono::Utc::now(),
            previous_step: &previous_step,
            call_webhook: &call_webhook,
        };
        conditions::evaluate(filters, &variables, &hooks)
    }

    /// Novu's webhook condition call: POSTs `{subscriber, payload, identifier, channel,
    /// providerId}` to `url`, signed with `nv-hmac-256` (the environment id keyed with its API
    /// key), and answers the JSON the webhook returned.
    fn call_webhook(
        &self,
        transaction: &Transaction,
        url: &str,
        variables: &conditions::Variables,
        job: &Value,
    ) -> Result<Value, String> {
        let channel = job["type"].as_str().unwrap_or_default();
        let mut body = json!({
            "subscriber": variables.subscriber,
            "payload": variables.payload,
            "identifier": self.workflow["triggers"][0]["identifier"],
            "channel": channel,
        });
        if MESSAGE_CHANNELS.contains(&channel)
            && let Ok(Some(integration)) = self.integration(transaction, channel)
        {
            body["providerId"] = integration["providerId"].clone();
        }
        let environment = first_document(
            transaction,
            "SELECT doc FROM environments WHERE id = ?1",
            [&self.caller.environment_id],
        )
        .map_err(|failure| failure.message().to_owned())?
        .unwrap_or_default();
        let api_key = environment["apiKeys"][0]["key"]
            .as_str()
            .unwrap_or_default();
        let signature = ids::hmac_sha256_hex(api_key, &self.caller.environment_id);
        post_webhook(url, &body, &signature)
    }

    /// Records one execution detail of `job`.
    fn detail(
        &self,
        transaction: &Transaction,
        job: &Value,
        detail: &str,
        status: &str,
        raw: Option<&str>,
        message_id: Option<&str>,
    ) -> Outcome<()> {
        let mut record = json!({
            "_id": ids::object_id(),
            "_organizationId": self.caller.organization_id,
            "_environmentId": self.caller.environment_id,
            "_jobId": job["_id"],
            "_notificationId": job["_notificationId"],
            "_notificationTemplateId": self.workflow["_id"],
            "_subscriberId": job["_subscriberId"],
            "transactionId": self.transaction_id,
            "detail": detail,
            "source": "Internal",
            "status": status,
            "isTest": false,
            "isRetry": false,
            "createdAt": ids::now(),
        });
        if let Some(kind) = job["type"].as_str().filter(|kind| !kind.is_empty()) {
            record["channel"] = json!(kind);
        }
        if let Some(provider_id) = job["providerId"].as_str() {
            record["providerId"] = json!(provider_id);
        }
        if let Some(raw) = raw {
            record["raw"] = json!(raw);
        }
        if let Some(message_id) = message_id {
            record["_messageId"] = json!(message_id);
        }
        transaction.execute(
            "INSERT INTO execution_details (id, environment_id, notification_id, job_id, subscriber_id, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                record["_id"].as_str(),
                self.caller.environment_id,
                job["_notificationId"].as_str(),
                job["_id"].as_str(),
                job["_subscriberId"].as_str(),
                record.to_string()
            ],
        )?;
        Ok(())
    }
}

/// Inserts or updates a job; `due_at` (Unix milliseconds) is set while the job waits.
fn save_job(transaction: &Transaction, job: &Value, due_at: Option<i64>) -> Outcome<()> {
    transaction.execute(
        "INSERT INTO jobs (id, environment_id, notification_id, transaction_id, status, doc, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc, due_at = excluded.due_at",
        params![
            job["_id"].as_str(),
            job["_environmentId"].as_str(),
            job["_notificationId"].as_str(),
            job["transactionId"].as_str(),
            job["status"].as_str(),
            job.to_string(),
            due_at
        ],
    )?;
    Ok(())
}

/// Resumes a job whose wait is over: the delay finishes, or the digest hands its events on,
/// and the notification's remaining steps run as the trigger runs them (filters,
/// preferences, integration selection, rendering, messages, execution details).
pub(crate) fn resume(transaction: &Transaction, job_id: &str) -> Outcome<()> {
    let Some(mut job) = first_document(
        transaction,
        "SELECT doc FROM jobs WHERE id = ?1 AND status = 'delayed'",
        [job_id],
    )?
    else {
        // No longer waiting (cancelled since the scheduler looked): nothing is due any more.
        transaction.execute("UPDATE jobs SET due_at = NULL WHERE id = ?1", [job_id])?;
        return Ok(());
    };
    let caller = Caller {
        organization_id: job["_organizationId"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        environment_id: job["_environmentId"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    };
    // A deleted workflow keeps its row; the job carries its own copy of each step anyway.
    let workflow = first_document(
        transaction,
        "SELECT doc FROM workflows WHERE id = ?1",
        [job["_templateId"].as_str()],
    )?
    .unwrap_or_else(|| json!({ "_id": job["_templateId"] }));
    let tenant = match job["tenant"].as_str() {
        Some(identifier) => first_document(
            transaction,
            "SELECT doc FROM tenants WHERE environment_id = ?1 AND identifier = ?2",
            params![caller.environment_id, identifier],
        )?,
        None => None,
    };
    let actor = match job["_actorId"].as_str() {
        Some(actor_id) => first_document(
            transaction,
            "SELECT doc FROM subscribers WHERE id = ?1",
            [actor_id],
        )?,
        None => None,
    };
    let subscriber = first_document(
        transaction,
        "SELECT doc FROM subscribers WHERE id = ?1 AND deleted = 0",
        [job["_subscriberId"].as_str()],
    )?;
    let transaction_id = job["transactionId"].as_str().unwrap_or_default().to_owned();
    let run = Run {
        caller: &caller,
        workflow: &workflow,
        steps: &[],
        payload: object_or_empty(&job["payload"]),
        overrides: object_or_empty(&job["overrides"]),
        tenant: tenant.as_ref(),
        actor: actor.as_ref(),
        transaction_id: &transaction_id,
        earliest_due: Cell::new(None),
    };
    let following = documents(
        transaction,
        "SELECT doc FROM jobs WHERE notification_id = ?1 AND status = 'pending' \
         AND rowid > (SELECT rowid FROM jobs WHERE id = ?2) ORDER BY rowid",
        params![job["_notificationId"].as_str(), job_id],
    )?;
    job["updatedAt"] = json!(ids::now());
    let Some(subscriber) = subscriber else {
        // The subscriber was deleted while the job waited: there is nobody to deliver to.
        job["status"] = json!("failed");
        run.detail(
            transaction,
            &job,
            "Subscriber not found",
            "Failed",
            None,
            None,
        )?;
        save_job(transaction, &job, None)?;
        for mut later in following {
            later["status"] = json!("canceled");
            save_job(transaction, &later, None)?;
        }
        return Ok(());
    };
    let mut variables = run.variables(&subscriber);
    if job["type"] == "digest" {
        run.detail(transaction, &job, "Start digesting", "Pending", None, None)?;
        let events = digested_events(transaction, &job)?;
        let raw = Value::Array(events.clone()).to_string();
        run.detail(
            transaction,
            &job,
            "Digest triggered events",
            "Success",
            Some(&raw),
            None,
        )?;
        // What the later steps' templates see as `step`, as Novu's do.
        variables["step"] = json!({
            "digest": true,
            "events": events,
            "total_count": events.len(),
        });
        job["digest"]["events"] = Value::Array(events);
    } else {
        run.detail(
            transaction,
            &job,
            "Delay is finished",
            "Success",
            None,
            None,
        )?;
    }
    job["status"] = json!("completed");
    save_job(transaction, &job, None)?;
    run.advance(transaction, &subscriber, following, &variables)
}

/// The payloads a digest leader collected: its own first, then those merged into it, in the
/// order they arrived. A merged event whose transaction was cancelled is not among them.
fn digested_events(transaction: &Transaction, leader: &Value) -> Outcome<Vec<Value>> {
    let merged = documents(
        transaction,
        "SELECT doc FROM jobs WHERE json_extract(doc, '$._mergedDigestId') = ?1 AND status = 'merged' ORDER BY rowid",
        [leader["_id"].as_str()],
    )?;
    Ok(std::iter::once(leader["payload"].clone())
        .chain(
            merged
                .into_iter()
                .filter(|job| job["type"] == "digest")
                .map(|job| job["payload"].clone()),
        )
        .collect())
}

/// The job's copy of its step: Novu keeps the whole step on the job, so a job that resumes
/// later runs the step as it was when the event was triggered.
fn step_snapshot(step: &Value) -> Value {
    let mut snapshot = json!({
        "_id": step["_id"],
        "uuid": step["uuid"],
        "active": step["active"].as_bool().unwrap_or(true),
        "filters": step["filters"].as_array().cloned().unwrap_or_default(),
        "template": object_or_empty(&step["template"]),
    });
    for field in [
        "_templateId",
        "name",
        "metadata",
        "variants",
        "shouldStopOnFail",
    ] {
        if let Some(value) = step.get(field) {
            snapshot[field] = value.clone();
        }
    }
    snapshot
}

/// The digest key's value in `payload` (`null` without a key); events digest together when
/// their values are equal.
fn digest_value(metadata: &Value, payload: &Value) -> Value {
    match metadata["digestKey"].as_str().filter(|key| !key.is_empty()) {
        Some(key) => conditions_path(&json!({ "payload": payload }), key),
        None => Value::Null,
    }
}

/// When a delay step's job resumes: `amount` `unit`s from now, or for a `scheduled` delay the
/// date at `delayPath` in the payload, which must be in the future.
fn delay_until(metadata: &Value, payload: &Value) -> Result<DateTime<Utc>, Stop> {
    let now = Utc::now();
    if metadata["type"] != "scheduled" {
        return Ok(shift(now, &metadata["amount"], &metadata["unit"], 1));
    }
    let path = metadata["delayPath"].as_str().unwrap_or_default();
    let value = conditions_path(&json!({ "payload": payload }), path);
    match value
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
    {
        Some(at) if at > now => Ok(at.with_timezone(&Utc)),
        _ => Err(Stop {
            raw: Some(json!({ "delayPath": path, "value": value }).to_string()),
            ..Stop::new(
                "failed",
                "Failed",
                "Delay date at the delay path must be a future date",
            )
        }),
    }
}

/// When a digest that starts now sends its events on: after its window, or for a `timed`
/// digest at its next scheduled time.
fn digest_until(metadata: &Value) -> DateTime<Utc> {
    let now = Utc::now();
    if metadata["type"] == "timed"
        && let Some(at) = next_timed(now, &metadata["timed"])
    {
        return at;
    }
    shift(now, &metadata["amount"], &metadata["unit"], 1)
}

/// The next `atTime` (UTC) after `now` on a day the timed configuration allows (one of
/// `weekDays` and of `monthDays`, when given). `None` without `atTime`, or with an
/// `ordinal`, which is not supported: then the digest waits its `amount` `unit`s.
fn next_timed(now: DateTime<Utc>, timed: &Value) -> Option<DateTime<Utc>> {
    let at = timed["atTime"].as_str()?;
    if timed
        .get("ordinal")
        .is_some_and(|ordinal| !ordinal.is_null())
    {
        return None;
    }
    let time = NaiveTime::parse_from_str(at, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(at, "%H:%M"))
        .ok()?;
    let week_days: Vec<&str> = timed["weekDays"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let month_days: Vec<u64> = timed["monthDays"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect();
    (0..=400).find_map(|offset| {
        let day = now
            .date_naive()
            .checked_add_days(chrono::Days::new(offset))?;
        let candidate = day.and_time(time).and_utc();
        let weekday = match day.weekday() {
            chrono::Weekday::Mon => "monday",
            chrono::Weekday::Tue => "tuesday",
            chrono::Weekday::Wed => "wednesday",
            chrono::Weekday::Thu => "thursday",
            chrono::Weekday::Fri => "friday",
            chrono::Weekday::Sat => "saturday",
            chrono::Weekday::Sun => "sunday",
        };
        let allowed = (week_days.is_empty() || week_days.contains(&weekday))
            && (month_days.is_empty() || month_days.contains(&u64::from(day.day())));
        (candidate > now && allowed).then_some(candidate)
    })
}

/// `from` moved by `amount` `unit`s (Novu's `DigestUnitEnum`) forward (`direction` 1) or
/// back (-1). A missing or unknown amount or unit moves nothing; a move past the calendar's
/// end stops there.
fn shift(from: DateTime<Utc>, amount: &Value, unit: &Value, direction: i64) -> DateTime<Utc> {
    let amount = amount
        .as_f64()
        .or_else(|| amount.as_str().and_then(|text| text.trim().parse().ok()))
        .filter(|amount: &f64| amount.is_finite() && *amount > 0.0)
        .unwrap_or(0.0);
    let end = if direction >= 0 {
        DateTime::<Utc>::MAX_UTC
    } else {
        DateTime::<Utc>::MIN_UTC
    };
    let unit_millis = match unit.as_str() {
        Some("seconds") => 1e3,
        Some("minutes") => 6e4,
        Some("hours") => 3.6e6,
        Some("days") => 8.64e7,
        Some("weeks") => 6.048e8,
        Some("months") => {
            let months = Months::new(amount.min(f64::from(u32::MAX)) as u32);
            let moved = if direction >= 0 {
                from.checked_add_months(months)
            } else {
                from.checked_sub_months(months)
            };
            return moved.unwrap_or(end);
        }
        _ => return from,
    };
    // `as` saturates, and the checked steps catch what is still out of range.
    let millis = (amount * unit_millis) as i64;
    TimeDelta::try_milliseconds(millis.saturating_mul(direction))
        .and_then(|delta| from.checked_add_signed(delta))
        .unwrap_or(end)
}

/// The payload with the `defaultValue` of every template variable it leaves out (Novu's
/// `VerifyPayload`); variable names are dotted paths.
fn with_defaults(mut payload: Value, steps: &[Value]) -> Value {
    for step in steps {
        for variable in step["template"]["variables"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let (Some(name), Some(default)) = (
                variable["name"].as_str(),
                variable
                    .get("defaultValue")
                    .filter(|value| !value.is_null()),
            ) else {
                continue;
            };
            let mut target = &mut payload;
            let parts: Vec<&str> = name.split('.').collect();
            for (index, part) in parts.iter().enumerate() {
                if !target.is_object() {
                    break;
                }
                let last = index + 1 == parts.len();
                let fields = target.as_object_mut().expect("checked to be an object");
                if last {
                    fields.entry(*part).or_insert_with(|| default.clone());
                    break;
                }
                target = fields.entry(*part).or_insert_with(|| json!({}));
            }
        }
    }
    payload
}

fn object_or_empty(value: &Value) -> Value {
    if value.is_object() {
        value.clone()
    } else {
        json!({})
    }
}

/// Renders a Handlebars template the way Novu's `CompileTemplate` does: `{{…}}` escaped,
/// `{{{…}}}` raw, missing variables empty.
pub(crate) fn render(template: &str, context: &Value) -> Result<String, String> {
    // Missing values render empty, as Novu's helpers answer `undefined` for them.
    handlebars::handlebars_helper!(uppercase: |value: Json| value.as_str().map(str::to_uppercase).unwrap_or_default());
    handlebars::handlebars_helper!(lowercase: |value: Json| value.as_str().map(str::to_lowercase).unwrap_or_default());
    handlebars::handlebars_helper!(titlecase: |value: Json| value.as_str().map(title_case).unwrap_or_default());
    // One registry for every render: building one registers Handlebars' built-in helpers,
    // which costs more than rendering a short template.
    static REGISTRY: std::sync::LazyLock<Handlebars<'static>> = std::sync::LazyLock::new(|| {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(false);
        // A few of the helpers Novu registers for its templates.
        registry.register_helper("uppercase", Box::new(uppercase));
        registry.register_helper("lowercase", Box::new(lowercase));
        registry.register_helper("titlecase", Box::new(titlecase));
        registry
    });
    REGISTRY
        .render_template(template, context)
        .map_err(|error| error.to_string())
}

/// Novu's `titlecase`: each space-separated word capitalized, the rest lowercased.
fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let mut characters = word.chars();
            match characters.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(characters.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// The evaluator's view of the world for integration conditions: the real clock, no earlier
/// steps, and no webhook (integrations do not keep a part's `webhookUrl`, so Novu's call has
/// nowhere to go and the condition errors).
fn integration_world() -> conditions::Hooks<'static> {
    conditions::Hooks {
        now: chrono::Utc::now(),
        previous_step: &|_| None,
        call_webhook: &|_| Err("integration conditions keep no webhook url".to_owned()),
    }
}

/// How long a webhook condition may take to answer. The call runs inside the trigger's
/// transaction, which holds the database's write lock, so it must be short.
const WEBHOOK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// POSTs `body` to `url` and answers the JSON of a 2xx answer, or why there is none.
fn post_webhook(url: &str, body: &Value, signature: &str) -> Result<Value, String> {
    // Blocking, because conditions are evaluated on the store's blocking thread; the client
    // runs its own runtime, so it never waits on the server's.
    static CLIENT: std::sync::LazyLock<Result<reqwest::blocking::Client, String>> =
        std::sync::LazyLock::new(|| {
            reqwest::blocking::Client::builder()
                .timeout(WEBHOOK_TIMEOUT)
                .build()
                .map_err(|error| error.to_string())
        });
    let client = CLIENT.as_ref().map_err(Clone::clone)?;
    let response = client
        .post(url)
        .header("nv-hmac-256", signature)
        .json(body)
        .send()
        .map_err(|error| format!("the call failed: {error}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the webhook answered {status}"));
    }
    response
        .json::<Value>()
        .map_err(|error| format!("the answer is not JSON: {error}"))
}

/// The read state of the message the step with `uuid` produced in this notification. Email
/// would count `opened` events, which never arrive here, so an email reads as unread and unseen.
fn previous_step_message(
    transaction: &Transaction,
    notification_id: &str,
    uuid: &str,
) -> Outcome<Option<conditions::PreviousStepMessage>> {
    let message = first_document(
        transaction,
        "SELECT messages.doc FROM jobs JOIN messages ON json_extract(messages.doc, '$._jobId') = jobs.id \
         WHERE jobs.notification_id = ?1 AND json_extract(jobs.doc, '$.step.uuid') = ?2",
        params![notification_id, uuid],
    )?;
    Ok(message.map(|message| {
        let email = message["channel"] == "email";
        conditions::PreviousStepMessage {
            read: !email && message["read"] == json!(true),
            seen: !email && message["seen"] == json!(true),
        }
    }))
}

/// The value at a lodash-style `path` of the trigger variables (`payload.group`, or a bare
/// payload path as digest keys are often written).
fn conditions_path(variables: &Value, path: &str) -> Value {
    let mut value = if path.starts_with("payload.") || path.starts_with("subscriber.") {
        variables
    } else {
        &variables["payload"]
    };
    for part in path.split('.') {
        value = &value[part];
    }
    value.clone()
}

/// The evaluated conditions as execution-detail `raw` text.
fn trace(evaluated: &[conditions::Condition]) -> String {
    let conditions: Vec<Value> = evaluated
        .iter()
        .map(|condition| {
            json!({
                "filter": condition.filter,
                "field": condition.field,
                "expected": condition.expected,
                "actual": condition.actual,
                "operator": condition.operator,
                "passed": condition.passed,
            })
        })
        .collect();
    json!({ "conditions": conditions }).to_string()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use serde_json::json;

    use super::{delay_until, digest_value, next_timed, require_reserved_variables, shift};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn reserved_variables_name_what_is_missing() {
        let workflow = json!({ "triggers": [{ "reservedVariables": [
            { "type": "tenant", "variables": [{ "name": "identifier" }] },
            { "type": "actor", "variables": [{ "name": "subscriberId" }] },
        ] }] });
        let message = |event| {
            require_reserved_variables(&workflow, &event)
                .err()
                .map(|failure| failure.message().to_owned())
        };
        assert_eq!(
            message(json!({})),
            Some("Trigger is missing: tenant object, actor object".to_owned())
        );
        assert_eq!(
            message(json!({ "tenant": { "identifier": "" }, "actor": { "firstName": "A" } })),
            Some(
                "Trigger is missing: identifier property of tenant, subscriberId property of actor"
                    .to_owned()
            )
        );
        assert_eq!(message(json!({ "tenant": "acme", "actor": "ada" })), None);
    }

    #[test]
    fn waits_are_amounts_of_units() {
        let from = at("2024-01-31T10:00:00Z");
        let moved = |amount: f64, unit: &str| shift(from, &json!(amount), &json!(unit), 1);
        assert_eq!(moved(90.0, "seconds"), at("2024-01-31T10:01:30Z"));
        assert_eq!(moved(1.5, "hours"), at("2024-01-31T11:30:00Z"));
        assert_eq!(moved(2.0, "weeks"), at("2024-02-14T10:00:00Z"));
        // Calendar months, clamped to the month's last day.
        assert_eq!(moved(1.0, "months"), at("2024-02-29T10:00:00Z"));
        // Amounts given as text count; missing, negative or unknown ones wait nothing.
        assert_eq!(
            shift(from, &json!("5"), &json!("minutes"), 1),
            at("2024-01-31T10:05:00Z")
        );
        assert_eq!(moved(-5.0, "minutes"), from);
        assert_eq!(moved(5.0, "fortnights"), from);
        assert_eq!(shift(from, &json!(null), &json!("days"), 1), from);
        assert_eq!(
            shift(from, &json!(3), &json!("days"), -1),
            at("2024-01-28T10:00:00Z")
        );
        // Beyond the calendar the wait ends at its end instead of overflowing.
        assert_eq!(moved(1e300, "days"), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn timed_digests_wait_for_the_next_allowed_time_of_day() {
        // A Wednesday.
        let now = at("2024-05-15T12:00:00Z");
        let next = |timed| next_timed(now, &timed);
        assert_eq!(
            next(json!({ "atTime": "13:30" })),
            Some(at("2024-05-15T13:30:00Z"))
        );
        assert_eq!(
            next(json!({ "atTime": "09:00" })),
            Some(at("2024-05-16T09:00:00Z"))
        );
        assert_eq!(
            next(json!({ "atTime": "09:00", "weekDays": ["monday"] })),
            Some(at("2024-05-20T09:00:00Z"))
        );
        assert_eq!(
            next(json!({ "atTime": "09:00:00", "monthDays": [1] })),
            Some(at("2024-06-01T09:00:00Z"))
        );
        assert_eq!(next(json!({ "weekDays": ["monday"] })), None);
        assert_eq!(
            next(json!({ "atTime": "09:00", "ordinal": "1", "ordinalValue": "monday" })),
            None
        );
        assert_eq!(next(json!({ "atTime": "9 o'clock" })), None);
    }

    #[test]
    fn scheduled_delays_need_a_future_date_at_their_path() {
        let metadata = json!({ "type": "scheduled", "delayPath": "sendAt" });
        let future = (Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
        let due = delay_until(&metadata, &json!({ "sendAt": future })).unwrap();
        assert_eq!(due, at(&future));
        for payload in [
            json!({ "sendAt": "2001-01-01T00:00:00Z" }),
            json!({ "sendAt": "tomorrow" }),
            json!({}),
        ] {
            let stop = delay_until(&metadata, &payload).unwrap_err();
            assert_eq!(stop.job_status, "failed");
            assert!(stop.raw.unwrap().contains("sendAt"));
        }
    }

    #[test]
    fn digest_keys_are_payload_paths() {
        let metadata = json!({ "digestKey": "post.id" });
        let payload = json!({ "post": { "id": 7 } });
        assert_eq!(digest_value(&metadata, &payload), json!(7));
        assert_eq!(
            digest_value(&json!({ "digestKey": "payload.post.id" }), &payload),
            json!(7)
        );
        assert_eq!(digest_value(&json!({}), &payload), json!(null));
    }
}
