//! Workflow groups (Novu's notification groups); deleted for good. Unknown ids answer Nest's
//! bare 404 (`Not Found`, no `error` key).

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::{Caller, deleted_acknowledgement};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

pub(crate) fn list(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    Ok(Value::Array(documents(
        transaction,
        "SELECT doc FROM notification_groups WHERE environment_id = ?1 ORDER BY rowid",
        [&caller.environment_id],
    )?))
}

/// Creates a group whose `_parentId` is the organization's first group, as Novu does.
pub(crate) fn create(transaction: &Transaction, caller: &Caller, name: &str) -> Outcome<Value> {
    let parent = first_document(
        transaction,
        "SELECT doc FROM notification_groups WHERE organization_id = ?1 ORDER BY rowid LIMIT 1",
        [&caller.organization_id],
    )?;
    let id = ids::object_id();
    // Novu's documents carry their id as `id` too (a virtual of its models).
    let mut group = json!({
        "_id": id,
        "id": id,
        "name": name,
        "_environmentId": caller.environment_id,
        "_organizationId": caller.organization_id,
    });
    if let Some(parent) = parent {
        group["_parentId"] = parent["_id"].clone();
    }
    transaction.execute(
        "INSERT INTO notification_groups (id, environment_id, organization_id, doc) VALUES (?1, ?2, ?3, ?4)",
        params![group["_id"].as_str(), caller.environment_id, caller.organization_id, group.to_string()],
    )?;
    super::changes::record_write(transaction, caller, "NotificationGroup", &json!({}), &group)?;
    Ok(group)
}

pub(crate) fn get(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Value> {
    first_document(
        transaction,
        "SELECT doc FROM notification_groups WHERE environment_id = ?1 AND id = ?2",
        params![caller.environment_id, id],
    )?
    .ok_or_else(Failure::bare_not_found)
}

pub(crate) fn update(
    transaction: &Transaction,
    caller: &Caller,
    id: &str,
    name: &str,
) -> Outcome<Value> {
    let mut group = get(transaction, caller, id)?;
    group["name"] = json!(name);
    transaction.execute(
        "UPDATE notification_groups SET doc = ?2 WHERE id = ?1",
        params![id, group.to_string()],
    )?;
    // Novu records a group's creation only: renames and deletions are not changes.
    Ok(group)
}

pub(crate) fn delete(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Value> {
    get(transaction, caller, id)?;
    transaction.execute("DELETE FROM notification_groups WHERE id = ?1", [id])?;
    Ok(deleted_acknowledgement())
}
