//! The activity feed: the notifications the trigger engine recorded, with their jobs and
//! execution details, and the counts over them.

use chrono::{DateTime, Duration, Utc};
use novu_server::types::{StepFilter, StepType};
use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::{Caller, full_page_rule, offset, subscribers};
use crate::failure::{Failure, Outcome};
use crate::store::{documents, first_document};

/// The fixed page size of the activity feed.
const PAGE_SIZE: i64 = 10;

/// Filters of the activity feed.
pub(crate) struct ListQuery {
    pub channels: Option<Vec<String>>,
    pub templates: Option<Vec<String>>,
    pub emails: Option<Vec<String>>,
    pub subscriber_ids: Option<Vec<String>>,
    pub transaction_id: Option<String>,
    pub page: i64,
}

pub(crate) fn list(transaction: &Transaction, caller: &Caller, query: ListQuery) -> Outcome<Value> {
    let any_of = |wanted: &Option<Vec<String>>, actual: &Value| {
        wanted.as_ref().is_none_or(|wanted| {
            wanted
                .iter()
                .flat_map(|item| item.split(','))
                .any(|item| match actual {
                    Value::Array(values) => values.iter().any(|value| value == item),
                    value => value == item,
                })
        })
    };
    let matching: Vec<Value> = candidates(transaction, caller, &query)?
        .into_iter()
        .filter(|notification| any_of(&query.channels, &notification["channels"]))
        .filter(|notification| any_of(&query.templates, &notification["_templateId"]))
        .filter(|notification| any_of(&query.emails, &notification["subscriber"]["email"]))
        .filter(|notification| {
            any_of(
                &query.subscriber_ids,
                &notification["subscriber"]["subscriberId"],
            )
        })
        .filter(|notification| {
            query
                .transaction_id
                .as_ref()
                .is_none_or(|id| notification["transactionId"] == id.as_str())
        })
        .collect();
    let mut data = Vec::new();
    for notification in matching
        .into_iter()
        .skip(offset(query.page, PAGE_SIZE) as usize)
        .take(PAGE_SIZE as usize)
    {
        data.push(with_jobs(transaction, notification)?);
    }
    Ok(full_page_rule(query.page, PAGE_SIZE, data))
}

pub(crate) fn get(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Value> {
    let notification = first_document(
        transaction,
        "SELECT doc FROM notifications WHERE id = ?1 AND environment_id = ?2",
        params![id, caller.environment_id],
    )?;
    match notification {
        Some(notification) => with_jobs(transaction, notification),
        None => Ok(Value::Null),
    }
}

/// Notifications of the last week and of the last month.
pub(crate) fn stats(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    let now = Utc::now();
    let since = |days: i64| {
        all(transaction, caller).map(|notifications| {
            notifications
                .iter()
                .filter(|notification| created_at(notification) >= Some(now - Duration::days(days)))
                .count()
        })
    };
    Ok(json!({ "weeklySent": since(7)?, "monthlySent": since(30)? }))
}

/// One entry per day of the last `days` days that had notifications, newest day first.
pub(crate) fn graph_stats(transaction: &Transaction, caller: &Caller, days: i64) -> Outcome<Value> {
    // Beyond a century the window holds everything; the bound keeps the date arithmetic sane.
    let since = Utc::now() - Duration::days(days.clamp(0, 36_500));
    let mut entries: Vec<(String, i64, Vec<Value>, Vec<Value>)> = Vec::new();
    for notification in all(transaction, caller)? {
        let Some(created) = created_at(&notification).filter(|created| *created >= since) else {
            continue;
        };
        // Novu unwinds the channels before it groups: a notification counts once per channel,
        // and one without channels not at all.
        let channels = notification["channels"]
            .as_array()
            .map_or(0, |channels| channels.len() as i64);
        if channels == 0 {
            continue;
        }
        let day = created.format("%Y-%m-%d").to_string();
        let position = match entries.iter().position(|entry| entry.0 == day) {
            Some(position) => position,
            None => {
                entries.push((day, 0, Vec::new(), Vec::new()));
                entries.len() - 1
            }
        };
        let entry = &mut entries[position];
        entry.1 += channels;
        if !entry.2.contains(&notification["_templateId"]) {
            entry.2.push(notification["_templateId"].clone());
        }
        for channel in notification["channels"].as_array().into_iter().flatten() {
            let is_message_channel = channel.as_str().is_some_and(|channel| {
                ["in_app", "email", "sms", "chat", "push"].contains(&channel)
            });
            if is_message_channel && !entry.3.contains(channel) {
                entry.3.push(channel.clone());
            }
        }
    }
    entries.sort_by(|left, right| right.0.cmp(&left.0));
    Ok(Value::Array(
        entries
            .into_iter()
            .map(|(day, count, templates, channels)| {
                json!({ "_id": day, "count": count, "templates": templates, "channels": channels })
            })
            .collect(),
    ))
}

pub(crate) fn execution_details(
    transaction: &Transaction,
    caller: &Caller,
    notification_id: &str,
    subscriber_id: &str,
) -> Outcome<Value> {
    let subscriber = subscribers::find(transaction, caller, subscriber_id)?.ok_or_else(|| {
        Failure::not_found(format!("Subscriber not found for id {subscriber_id}"))
    })?;
    Ok(Value::Array(documents(
        transaction,
        "SELECT doc FROM execution_details WHERE notification_id = ?1 AND subscriber_id = ?2 AND environment_id = ?3 ORDER BY rowid",
        params![
            notification_id,
            subscriber["_id"].as_str(),
            caller.environment_id
        ],
    )?))
}

/// The environment's notifications that may match `query`, newest first: narrowed in SQL by
/// its transaction id and workflows when it names them, so that reading the notifications of
/// one trigger or workflow (as a client awaiting a delivery does, repeatedly) does not parse
/// every notification of the environment.
fn candidates(
    transaction: &Transaction,
    caller: &Caller,
    query: &ListQuery,
) -> Outcome<Vec<Value>> {
    let templates = query.templates.as_ref().map(|templates| {
        let ids: Vec<&str> = templates.iter().flat_map(|item| item.split(',')).collect();
        Value::from(ids).to_string()
    });
    documents(
        transaction,
        "SELECT doc FROM notifications WHERE environment_id = ?1 \
         AND (?2 IS NULL OR transaction_id = ?2) \
         AND (?3 IS NULL OR json_extract(doc, '$._templateId') IN (SELECT value FROM json_each(?3))) \
         ORDER BY created_at DESC, rowid DESC",
        params![caller.environment_id, query.transaction_id, templates],
    )
}

/// The environment's notifications, newest first.
fn all(transaction: &Transaction, caller: &Caller) -> Outcome<Vec<Value>> {
    documents(
        transaction,
        "SELECT doc FROM notifications WHERE environment_id = ?1 ORDER BY created_at DESC, rowid DESC",
        [&caller.environment_id],
    )
}

fn created_at(notification: &Value) -> Option<DateTime<Utc>> {
    notification["createdAt"]
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|time| time.with_timezone(&Utc))
}

/// The notification with its jobs, each with its execution details.
fn with_jobs(transaction: &Transaction, mut notification: Value) -> Outcome<Value> {
    let mut jobs = documents(
        transaction,
        "SELECT doc FROM jobs WHERE notification_id = ?1 ORDER BY rowid",
        [notification["_id"].as_str()],
    )?;
    // Steps are stored as given, so a job of a step without a known type, or filters of an
    // unknown shape, would not fit the activity schema: those are left out.
    if let Some(channels) = notification["channels"].as_array_mut() {
        channels.retain(|channel| serde_json::from_value::<StepType>(channel.clone()).is_ok());
    }
    jobs.retain(|job| serde_json::from_value::<StepType>(job["type"].clone()).is_ok());
    for job in &mut jobs {
        if let Some(filters) = job["step"]["filters"].as_array_mut() {
            filters.retain(|filter| serde_json::from_value::<StepFilter>(filter.clone()).is_ok());
        }
        job["executionDetails"] = Value::Array(documents(
            transaction,
            "SELECT doc FROM execution_details WHERE job_id = ?1 ORDER BY rowid",
            [job["_id"].as_str()],
        )?);
    }
    notification["jobs"] = Value::Array(jobs);
    Ok(notification)
}
