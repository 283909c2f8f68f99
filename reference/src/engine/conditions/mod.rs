//! The condition evaluator: step `filters`, variant `filters` and integration `conditions`.
//!
//! It implements the prose of the spec's `StepFilter`, filter part and `FieldOperator`
//! schemas over the stored JSON of the groups, so it does not depend on the generated types.
//! Everything outside the process (the clock, earlier steps' messages, webhook calls) comes in
//! through [`Hooks`], which keeps the evaluator synchronous and deterministic under test.

mod javascript;
mod operators;
#[cfg(test)]
mod tests;
mod variables;

use chrono::{DateTime, Utc};
use serde_json::Value;

use javascript::display;
use operators::compare;
use variables::{lookup_path, render_template};

/// The result of evaluating conditions: a condition can also fail to evaluate at all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Pass,
    Fail,
    Error(String),
}

/// One evaluated condition, as execution details record it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    /// `Payload`, `Subscriber`, `Tenant`, `Webhook`, `Is online`, `Last time was online` or
    /// `Previous step`.
    pub(crate) filter: &'static str,
    pub(crate) field: String,
    pub(crate) expected: String,
    pub(crate) actual: String,
    pub(crate) operator: String,
    pub(crate) passed: bool,
}

/// The outcome of a whole array of groups and the conditions evaluated on the way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evaluation {
    pub(crate) outcome: Outcome,
    pub(crate) conditions: Vec<Condition>,
}

/// What field conditions and templates can see.
#[derive(Debug, Clone, Default)]
pub(crate) struct Variables {
    pub(crate) payload: Value,
    pub(crate) subscriber: Option<Value>,
    pub(crate) tenant: Option<Value>,
    pub(crate) actor: Option<Value>,
}

/// The read state of the message an earlier step produced. For email the caller reports an
/// `opened` event as both `read` and `seen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PreviousStepMessage {
    pub(crate) read: bool,
    pub(crate) seen: bool,
}

/// The outside world as the evaluator needs it.
pub(crate) struct Hooks<'a> {
    /// "Now" for `isOnlineInLast`.
    pub(crate) now: DateTime<Utc>,
    /// The message the step with this uuid produced for the same subscriber and transaction.
    pub(crate) previous_step: &'a dyn Fn(&str) -> Option<PreviousStepMessage>,
    /// Calls `webhookUrl` and answers its JSON, or why the call failed.
    pub(crate) call_webhook: &'a dyn Fn(&str) -> Result<Value, String>,
}

/// Evaluates an array of groups: the groups are ordered alternatives.
pub(crate) fn evaluate(groups: &[Value], variables: &Variables, hooks: &Hooks<'_>) -> Evaluation {
    let mut conditions = Vec::new();
    let mut outcome = if groups.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    for group in groups {
        match evaluate_group(group, variables, hooks, &mut conditions) {
            Outcome::Fail => continue,
            decided => {
                outcome = decided;
                break;
            }
        }
    }
    Evaluation {
        outcome,
        conditions,
    }
}

fn evaluate_group(
    group: &Value,
    variables: &Variables,
    hooks: &Hooks<'_>,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let children: &[Value] = group
        .get("children")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    match children {
        [] => return Outcome::Pass,
        [only] => return evaluate_part(only, variables, hooks, conditions),
        _ => {}
    }
    // Webhook conditions run after the other children of their group.
    let is_webhook = |child: &&Value| child.get("on").and_then(Value::as_str) == Some("webhook");
    let ordered = children
        .iter()
        .filter(|child| !is_webhook(child))
        .chain(children.iter().filter(is_webhook));
    match group.get("value").and_then(Value::as_str) {
        Some("AND") => {
            // Every non-webhook child is evaluated; webhooks are called only when all of
            // those passed.
            let (webhooks, others): (Vec<&Value>, Vec<&Value>) =
                children.iter().partition(is_webhook);
            let all_of = |parts: Vec<&Value>, conditions: &mut Vec<Condition>| {
                let mut first_error = None;
                let mut all_pass = true;
                for child in parts {
                    match evaluate_part(child, variables, hooks, conditions) {
                        Outcome::Pass => {}
                        Outcome::Fail => all_pass = false,
                        Outcome::Error(reason) => {
                            first_error.get_or_insert(reason);
                        }
                    }
                }
                match first_error {
                    Some(reason) => Outcome::Error(reason),
                    None if all_pass => Outcome::Pass,
                    None => Outcome::Fail,
                }
            };
            match all_of(others, conditions) {
                Outcome::Pass => all_of(webhooks, conditions),
                decided => decided,
            }
        }
        Some("OR") => {
            for child in ordered {
                match evaluate_part(child, variables, hooks, conditions) {
                    Outcome::Fail => {}
                    decided => return decided,
                }
            }
            Outcome::Fail
        }
        _ => Outcome::Fail,
    }
}

fn evaluate_part(
    part: &Value,
    variables: &Variables,
    hooks: &Hooks<'_>,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let on = part.get("on").and_then(Value::as_str).unwrap_or_default();
    match on {
        "payload" => evaluate_field(
            part,
            "Payload",
            Some(&variables.payload),
            variables,
            conditions,
        ),
        "subscriber" => evaluate_field(
            part,
            "Subscriber",
            variables.subscriber.as_ref(),
            variables,
            conditions,
        ),
        "tenant" => evaluate_field(
            part,
            "Tenant",
            variables.tenant.as_ref(),
            variables,
            conditions,
        ),
        "webhook" => {
            let url = part
                .get("webhookUrl")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match (hooks.call_webhook)(url) {
                Ok(answer) => evaluate_field(part, "Webhook", Some(&answer), variables, conditions),
                Err(reason) => {
                    conditions.push(Condition {
                        filter: "Webhook",
                        field: string_property(part, "field"),
                        expected: string_property(part, "value"),
                        actual: String::new(),
                        operator: string_property(part, "operator"),
                        passed: false,
                    });
                    Outcome::Error(format!("webhook `{url}` failed: {reason}"))
                }
            }
        }
        "isOnline" => evaluate_is_online(part, variables, conditions),
        "isOnlineInLast" => evaluate_is_online_in_last(part, variables, hooks, conditions),
        "previousStep" => evaluate_previous_step(part, hooks, conditions),
        _ => Outcome::Fail,
    }
}

fn string_property(part: &Value, name: &str) -> String {
    part.get(name).map(display).unwrap_or_default()
}

fn evaluate_field(
    part: &Value,
    label: &'static str,
    root: Option<&Value>,
    variables: &Variables,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let field = string_property(part, "field");
    let operator = string_property(part, "operator");
    let template = string_property(part, "value");
    let expected = render_template(&template, variables);
    let actual = root.and_then(|root| lookup_path(root, &field));
    let outcome = compare(&operator, actual, &expected);
    conditions.push(Condition {
        filter: label,
        field,
        expected: expected.clone(),
        actual: match actual {
            Some(array @ Value::Array(_)) => array.to_string(),
            Some(value) => display(value),
            None => String::new(),
        },
        operator,
        passed: outcome == Outcome::Pass,
    });
    outcome
}

fn evaluate_is_online(
    part: &Value,
    variables: &Variables,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let subscriber = variables.subscriber.as_ref();
    let is_online = subscriber.and_then(|subscriber| subscriber.get("isOnline"));
    let reported = subscriber
        .is_some_and(|subscriber| is_online.is_some() || subscriber.get("lastOnlineAt").is_some());
    let expected = part.get("value");
    let passed = reported
        && matches!((is_online, expected), (Some(Value::Bool(a)), Some(Value::Bool(e))) if a == e);
    conditions.push(Condition {
        filter: "Is online",
        field: "isOnline".to_owned(),
        expected: expected.map(display).unwrap_or_default(),
        actual: is_online.map(display).unwrap_or_default(),
        operator: "EQUAL".to_owned(),
        passed,
    });
    pass_if(passed)
}

fn evaluate_is_online_in_last(
    part: &Value,
    variables: &Variables,
    hooks: &Hooks<'_>,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let subscriber = variables.subscriber.as_ref();
    let is_online = subscriber.and_then(|subscriber| subscriber.get("isOnline"));
    let last_online_at = subscriber.and_then(|subscriber| subscriber.get("lastOnlineAt"));
    let limit = part.get("value").and_then(Value::as_f64);
    let unit = string_property(part, "timeOperator");
    let passed = if is_online.is_none() && last_online_at.is_none() {
        false
    } else if is_online == Some(&Value::Bool(true)) {
        true
    } else {
        // With no `lastOnlineAt` the elapsed time is measured from now, so it is 0.
        let elapsed = match last_online_at.and_then(Value::as_str) {
            None if last_online_at.is_none() => Some(chrono::TimeDelta::zero()),
            None => None,
            Some(text) => DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|at| hooks.now.signed_duration_since(at.with_timezone(&Utc))),
        };
        // `num_*` truncate toward zero, as the spec's "whole units" asks.
        let whole_units = elapsed.and_then(|elapsed| match unit.as_str() {
            "days" => Some(elapsed.num_days()),
            "hours" => Some(elapsed.num_hours()),
            "minutes" => Some(elapsed.num_minutes()),
            _ => None,
        });
        match (whole_units, limit) {
            (Some(units), Some(limit)) => units >= 0 && (units as f64) <= limit,
            _ => false,
        }
    };
    conditions.push(Condition {
        filter: "Last time was online",
        field: "lastOnlineAt".to_owned(),
        expected: format!(
            "{} {unit}",
            part.get("value").map(display).unwrap_or_default()
        ),
        actual: last_online_at.map(display).unwrap_or_default(),
        operator: "SMALLER_EQUAL".to_owned(),
        passed,
    });
    pass_if(passed)
}

fn evaluate_previous_step(
    part: &Value,
    hooks: &Hooks<'_>,
    conditions: &mut Vec<Condition>,
) -> Outcome {
    let step = string_property(part, "step");
    let step_type = string_property(part, "stepType");
    let message = (hooks.previous_step)(&step);
    let passed = match message {
        None => true,
        Some(message) => match step_type.as_str() {
            "read" => message.read,
            "unread" => !message.read,
            "seen" => message.seen,
            "unseen" => !message.seen,
            _ => false,
        },
    };
    conditions.push(Condition {
        filter: "Previous step",
        field: step,
        expected: step_type,
        actual: match message {
            None => String::new(),
            Some(message) => format!("read: {}, seen: {}", message.read, message.seen),
        },
        operator: "EQUAL".to_owned(),
        passed,
    });
    pass_if(passed)
}

fn pass_if(passed: bool) -> Outcome {
    if passed { Outcome::Pass } else { Outcome::Fail }
}
