//! Step and variant `filters`: the [`conditions`](super::conditions) evaluator with this run's
//! view of the world (the subscriber, the tenant and actor, the messages earlier steps of the
//! notification produced, and webhook calls).

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::conditions;
use super::state::{Run, Stop};
use crate::failure::Outcome;
use crate::store::first_document;

impl Run<'_> {
    /// The step's `filters`: a step they filter out is cancelled with the evaluated conditions
    /// recorded; one whose conditions cannot be evaluated fails.
    pub(super) fn pass_filters(
        &self,
        transaction: &Transaction,
        step: &Value,
        variables: &Value,
        job: &Value,
    ) -> Result<(), Stop> {
        let filters = step["filters"].as_array().cloned().unwrap_or_default();
        let evaluation = self.evaluate(transaction, &filters, variables, job);
        match evaluation.outcome {
            conditions::Outcome::Pass => Ok(()),
            conditions::Outcome::Fail => {
                let trace = trace(&evaluation.conditions);
                Err(Stop {
                    raw: Some(trace),
                    ..Stop::new(
                        "canceled",
                        "Success",
                        "Step was filtered based on steps filters",
                    )
                })
            }
            conditions::Outcome::Error(reason) => Err(Stop {
                raw: Some(reason),
                ..Stop::new("failed", "Failed", "Failed to process step filter")
            }),
        }
    }

    /// The template the step's message renders: the first active variant whose non-empty
    /// filters pass replaces the step's own.
    pub(super) fn template<'s>(
        &self,
        transaction: &Transaction,
        step: &'s Value,
        variables: &Value,
        job: &Value,
    ) -> &'s Value {
        step["variants"]
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
            .map_or(&step["template"], |variant| &variant["template"])
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
