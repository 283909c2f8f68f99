//! The trigger run and the step walk: per recipient one notification with one job per active
//! step, each job's step run in order until one waits, fails or is filtered out, and
//! [`resume`] to go on with a notification whose waiting job is due.
//!
//! [`Run::run_step`] is the walk of one step: its filters ([`super::filters`]), then a delay
//! ([`super::delay`]) or digest ([`super::digest`]) that makes the job wait, or for a channel
//! step the subscriber's preferences, the integration ([`super::integrations`]), the message's
//! address, template and rendering ([`super::messages`], [`super::render`]) and the stored
//! message with its execution details.

use std::cell::Cell;

use rusqlite::{Transaction, params};
use serde_json::{Map, Value, json};

use super::digest::digested_events;
use super::messages::{self, MESSAGE_CHANNELS};
use super::preferences;
use super::render;
use super::state::{Run, Stop, object_or_empty, save_job};
use crate::caller::Caller;
use crate::failure::Outcome;
use crate::ids;
use crate::store::{documents, first_document};

impl Run<'_> {
    /// One notification for `subscriber`, with one job per active step.
    pub(crate) fn deliver(&self, transaction: &Transaction, subscriber: &Value) -> Outcome<()> {
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

    /// What templates and conditions see for `subscriber`: `step` tells of no digest until a
    /// digest hands its events on.
    fn variables(&self, subscriber: &Value) -> Value {
        json!({
            "payload": self.payload,
            "subscriber": subscriber,
            "tenant": self.tenant.cloned().unwrap_or(Value::Null),
            "actor": self.actor.cloned().unwrap_or(Value::Null),
            "step": digest_variables(Vec::new()),
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

    /// Runs one step's job: filters, then a wait (delay, digest) or for a channel step
    /// preferences, integration, address, template, rendering and the stored message. A delay
    /// or digest that starts waiting answers its due time (Unix milliseconds).
    fn run_step(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        step: &Value,
        job: &mut Value,
        variables: &Value,
    ) -> Outcome<Result<Option<i64>, Stop>> {
        let kind = job["type"].as_str().unwrap_or_default().to_owned();
        if let Err(stop) = self.pass_filters(transaction, step, variables, job) {
            return Ok(Err(stop));
        }
        match kind.as_str() {
            "delay" => return self.delay(transaction, step, job),
            "digest" => return self.digest(transaction, subscriber, step, job),
            channel if !MESSAGE_CHANNELS.contains(&channel) => {
                job["status"] = json!("completed");
                return Ok(Ok(None));
            }
            _ => {}
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
        if kind == "push" {
            return self.push(transaction, subscriber, step, job, variables);
        }
        let Some(integration) = self.integration(transaction, &kind)? else {
            return Ok(Err(Stop::new(
                "failed",
                "Failed",
                "Subscriber does not have an active integration",
            )));
        };
        job["providerId"] = integration["providerId"].clone();
        let mut message = self.message(subscriber, step, job, &kind, &integration);
        let unaddressed = messages::address(&mut message, subscriber, &integration, &kind).err();
        if let Some(stop) = unaddressed
            .as_ref()
            .filter(|_| !messages::kept_unaddressed(&kind))
        {
            return Ok(Err(stop.clone()));
        }
        let template = self.template(transaction, step, variables, job);
        if let Err(error) = render::render_message(template, variables, self.actor, &mut message) {
            return Ok(Err(Stop {
                raw: Some(error),
                ..Stop::new("failed", "Failed", "Message content could not be generated")
            }));
        }
        if let Some(stop) = unaddressed {
            messages::mark_unaddressed(&mut message, &kind);
            self.store(transaction, subscriber, job, &message)?;
            return Ok(Err(stop));
        }
        self.send(transaction, subscriber, job, &message)?;
        job["status"] = json!("completed");
        Ok(Ok(None))
    }

    /// Records one execution detail of `job`.
    pub(super) fn detail(
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

/// Resumes a job whose wait is over: the delay finishes, or the digest hands its events on,
/// and the notification's remaining steps run as the trigger runs them (filters,
/// preferences, integration selection, rendering, messages, execution details).
pub(super) fn resume(transaction: &Transaction, job_id: &str) -> Outcome<()> {
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
    let mut following = following;
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
        variables["step"] = digest_variables(events.clone());
        // Novu records the digested events on the digest's job and on every later one.
        for later in &mut following {
            if !later["digest"].is_object() {
                later["digest"] = json!({});
            }
            later["digest"]["events"] = Value::Array(events.clone());
        }
        job["digest"]["events"] = Value::Array(events);
    } else {
        // A delay after a digest carries the digested events on to the steps after it.
        let digested = job["digest"]["events"].as_array().cloned();
        variables["step"] = digest_variables(digested.unwrap_or_default());
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

/// What a step's template sees as `step`: the events a digest handed on (none without a
/// digest, when Novu's job still carries an empty list, so `total_count` is 0).
fn digest_variables(events: Vec<Value>) -> Value {
    json!({
        "digest": !events.is_empty(),
        "total_count": events.len(),
        "events": events,
    })
}

/// The job's copy of its step: Novu keeps the whole step on the job, so a job that resumes
/// later runs the step as it was when the event was triggered.
fn step_snapshot(step: &Value) -> Value {
    let mut snapshot = json!({
        "_id": step["_id"],
        "active": step["active"].as_bool().unwrap_or(true),
        "filters": step["filters"].as_array().cloned().unwrap_or_default(),
        "template": object_or_empty(&step["template"]),
    });
    for field in [
        "_templateId",
        "uuid",
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
