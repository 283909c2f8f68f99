//! The state one trigger's run carries across its recipients and steps ([`Run`]), why a step
//! stopped ([`Stop`]), and how a job is stored ([`save_job`]): what the step walk
//! ([`super::run`]) and each concern it calls share.

use std::cell::Cell;

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use crate::caller::Caller;
use crate::failure::Outcome;

/// What one trigger shares across its recipients.
pub(crate) struct Run<'a> {
    pub(super) caller: &'a Caller,
    pub(super) workflow: &'a Value,
    pub(super) steps: &'a [Value],
    pub(super) payload: Value,
    pub(super) overrides: Value,
    pub(super) tenant: Option<&'a Value>,
    pub(super) actor: Option<&'a Value>,
    pub(super) transaction_id: &'a str,
    /// The earliest due time of the jobs this run left waiting (Unix milliseconds).
    pub(super) earliest_due: Cell<Option<i64>>,
}

/// Why a step did not deliver, as its execution detail says it.
#[derive(Debug, Clone)]
pub(super) struct Stop {
    pub(super) job_status: &'static str,
    pub(super) detail: String,
    pub(super) status: &'static str,
    pub(super) raw: Option<String>,
}

impl Stop {
    pub(super) fn new(
        job_status: &'static str,
        status: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            job_status,
            detail: detail.into(),
            status,
            raw: None,
        }
    }
}

impl<'a> Run<'a> {
    /// The run of one trigger: its `payload` (with the template variables' defaults) and
    /// `overrides` come from `event`, the steps are the workflow's active ones.
    pub(crate) fn new(
        caller: &'a Caller,
        workflow: &'a Value,
        steps: &'a [Value],
        event: &Value,
        tenant: Option<&'a Value>,
        actor: Option<&'a Value>,
        transaction_id: &'a str,
    ) -> Self {
        Self {
            caller,
            workflow,
            steps,
            payload: with_defaults(object_or_empty(&event["payload"]), workflow),
            overrides: object_or_empty(&event["overrides"]),
            tenant,
            actor,
            transaction_id,
            earliest_due: Cell::new(None),
        }
    }

    /// The earliest due time of the jobs this run left waiting (Unix milliseconds); the
    /// scheduler must be told once the transaction has committed.
    pub(crate) fn earliest_due(&self) -> Option<i64> {
        self.earliest_due.get()
    }
}

/// Inserts or updates a job; `due_at` (Unix milliseconds) is set while the job waits.
pub(crate) fn save_job(transaction: &Transaction, job: &Value, due_at: Option<i64>) -> Outcome<()> {
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

/// The payload with the `defaultValue`s it leaves out, as Novu's `VerifyPayload` fills them:
/// from the template variables of the workflow's last step alone (Novu keeps only the last
/// step's defaults), never an empty-string default; variable names are dotted paths, and a
/// value the payload gives wins.
fn with_defaults(mut payload: Value, workflow: &Value) -> Value {
    let last_step = workflow["steps"].as_array().and_then(|steps| steps.last());
    for variable in last_step
        .and_then(|step| step["template"]["variables"].as_array())
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(default)) = (
            variable["name"].as_str(),
            variable
                .get("defaultValue")
                .filter(|value| !value.is_null() && **value != ""),
        ) else {
            continue;
        };
        if is_system_variable(name) {
            continue;
        }
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
    payload
}

/// Whether a template variable belongs to the server, not the payload: its first part is one
/// of Novu's system variables.
pub(crate) fn is_system_variable(name: &str) -> bool {
    const SYSTEM: [&str; 6] = [
        "subscriber",
        "step",
        "branding",
        "tenant",
        "preheader",
        "actor",
    ];
    SYSTEM.contains(&name.split('.').next().unwrap_or_default())
}

pub(super) fn object_or_empty(value: &Value) -> Value {
    if value.is_object() {
        value.clone()
    } else {
        json!({})
    }
}
