//! In-app feeds. A feed's identifier is its name; deletion is soft.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::Caller;
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

pub(crate) fn list(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    Ok(Value::Array(documents(
        transaction,
        "SELECT doc FROM feeds WHERE environment_id = ?1 AND deleted = 0 ORDER BY rowid",
        [&caller.environment_id],
    )?))
}

pub(crate) fn create(transaction: &Transaction, caller: &Caller, name: &str) -> Outcome<Value> {
    let duplicate = first_document(
        transaction,
        "SELECT doc FROM feeds WHERE environment_id = ?1 AND identifier = ?2 AND deleted = 0",
        params![caller.environment_id, name],
    )?;
    if duplicate.is_some() {
        return Err(Failure::conflict(format!(
            "Feed with identifier: {name} already exists"
        )));
    }
    let now = ids::now();
    let feed = json!({
        "_id": ids::object_id(),
        "name": name,
        "identifier": name,
        "_environmentId": caller.environment_id,
        "_organizationId": caller.organization_id,
        "deleted": false,
        "createdAt": now,
        "updatedAt": now,
    });
    transaction.execute(
        "INSERT INTO feeds (id, environment_id, identifier, doc) VALUES (?1, ?2, ?3, ?4)",
        params![
            feed["_id"].as_str(),
            caller.environment_id,
            name,
            feed.to_string()
        ],
    )?;
    super::changes::record(
        transaction,
        caller,
        "Feed",
        feed_id_of(&feed),
        &json!({}),
        &feed,
    )?;
    Ok(feed)
}

/// Soft-deletes the feed and answers the feeds that remain.
pub(crate) fn delete(transaction: &Transaction, caller: &Caller, feed_id: &str) -> Outcome<Value> {
    let mut feed = first_document(
        transaction,
        "SELECT doc FROM feeds WHERE environment_id = ?1 AND id = ?2 AND deleted = 0",
        params![caller.environment_id, feed_id],
    )?
    .ok_or_else(|| Failure::bad_request(format!("Could not find feed with id {feed_id}")))?;
    if used_by_a_step(transaction, caller, feed_id)? {
        return Err(Failure::bad_request(
            "Can not delete feed that has existing message",
        ));
    }
    let before = feed.clone();
    let now = ids::now();
    feed["deleted"] = json!(true);
    feed["deletedAt"] = json!(now);
    feed["updatedAt"] = json!(now);
    transaction.execute(
        "UPDATE feeds SET deleted = 1, doc = ?2 WHERE id = ?1",
        params![feed_id, feed.to_string()],
    )?;
    super::changes::record(transaction, caller, "Feed", feed_id, &before, &feed)?;
    list(transaction, caller)
}

/// Whether a step (or a step's variant) of a workflow of the environment that is not deleted
/// shows its messages in feed `feed_id`: Novu keeps such a feed.
fn used_by_a_step(transaction: &Transaction, caller: &Caller, feed_id: &str) -> Outcome<bool> {
    let workflows = documents(
        transaction,
        "SELECT doc FROM workflows WHERE environment_id = ?1 AND deleted = 0",
        [&caller.environment_id],
    )?;
    let in_feed = |template: &Value| {
        template["_feedId"].as_str() == Some(feed_id)
            || template["feedId"].as_str() == Some(feed_id)
    };
    Ok(workflows.iter().any(|workflow| {
        workflow["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|step| {
                in_feed(&step["template"])
                    || step["variants"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|variant| in_feed(&variant["template"]))
            })
    }))
}

fn feed_id_of(feed: &Value) -> &str {
    feed["_id"].as_str().unwrap_or_default()
}
