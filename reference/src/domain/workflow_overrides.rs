//! Workflow overrides: a tenant's own `active` flag and channel preferences for one workflow,
//! addressed by database `_id`s; soft-deleted.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::{Caller, full_page_rule, offset};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// One page, newest first; `hasMore` says only whether the page is full (facts §3.6).
pub(crate) fn list(
    transaction: &Transaction,
    caller: &Caller,
    page: i64,
    limit: i64,
) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    let data = documents(
        transaction,
        "SELECT doc FROM workflow_overrides WHERE environment_id = ?1 AND deleted = 0 \
         ORDER BY rowid DESC LIMIT ?2 OFFSET ?3",
        params![caller.environment_id, limit, offset(page, limit)],
    )?;
    Ok(full_page_rule(page, limit, data))
}

/// Creates an override; a second one for the same pair is not rejected, as in Novu.
pub(crate) fn create(transaction: &Transaction, caller: &Caller, body: Value) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    let tenant_id = body["tenantId"].as_str().unwrap_or_default();
    let workflow_id = body["workflowId"].as_str().unwrap_or_default();
    let tenant_exists: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM tenants WHERE id = ?1 AND environment_id = ?2",
        params![tenant_id, caller.environment_id],
        |row| row.get(0),
    )?;
    if tenant_exists == 0 {
        return Err(Failure::not_found(format!(
            "Tenant with id {tenant_id} is not found"
        )));
    }
    let workflow_exists: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM workflows WHERE id = ?1 AND environment_id = ?2 AND deleted = 0",
        params![workflow_id, caller.environment_id],
        |row| row.get(0),
    )?;
    if workflow_exists == 0 {
        return Err(Failure::not_found(format!(
            "Workflow with id {workflow_id} is not found"
        )));
    }
    let mut preferences =
        json!({ "email": true, "sms": true, "in_app": true, "chat": true, "push": true });
    merge_preferences(&mut preferences, &body["preferenceSettings"]);
    let now = ids::now();
    let workflow_override = json!({
        "_id": ids::object_id(),
        "_organizationId": caller.organization_id,
        "_environmentId": caller.environment_id,
        "_workflowId": workflow_id,
        "_tenantId": tenant_id,
        "active": body["active"].as_bool().unwrap_or(false),
        "preferenceSettings": preferences,
        "deleted": false,
        "createdAt": now,
        "updatedAt": now,
    });
    transaction.execute(
        "INSERT INTO workflow_overrides (id, environment_id, workflow_id, tenant_id, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            workflow_override["_id"].as_str(),
            caller.environment_id,
            workflow_id,
            tenant_id,
            workflow_override.to_string()
        ],
    )?;
    Ok(workflow_override)
}

pub(crate) fn get(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    find(transaction, caller, id)?
        .ok_or_else(|| Failure::not_found(format!("Workflow Override with id {id} not found")))
}

pub(crate) fn get_by_tenant(
    transaction: &Transaction,
    caller: &Caller,
    workflow_id: &str,
    tenant_id: &str,
) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    find_by_pair(transaction, caller, workflow_id, tenant_id)?.ok_or_else(|| {
        Failure::not_found(format!(
            "Workflow Override with workflow id {workflow_id}, tenant id {tenant_id} not found"
        ))
    })
}

pub(crate) fn update(
    transaction: &Transaction,
    caller: &Caller,
    id: &str,
    body: Value,
) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    let workflow_override = find(transaction, caller, id)?
        .ok_or_else(|| Failure::not_found(format!("Workflow override with id {id} not found")))?;
    apply(transaction, workflow_override, &body)
}

pub(crate) fn update_by_tenant(
    transaction: &Transaction,
    caller: &Caller,
    workflow_id: &str,
    tenant_id: &str,
    body: Value,
) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    let workflow_override = find_by_pair(transaction, caller, workflow_id, tenant_id)?
        .ok_or_else(|| {
            Failure::not_found(format!(
                "Workflow override with workflow id {workflow_id} and tenant id {tenant_id} was not found"
            ))
        })?;
    apply(transaction, workflow_override, &body)
}

/// Soft-deletes the override.
pub(crate) fn delete(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    let mut workflow_override = get(transaction, caller, id)?;
    workflow_override["deleted"] = json!(true);
    workflow_override["deletedAt"] = json!(ids::now());
    workflow_override["deletedBy"] = super::creator_id(transaction, caller)?;
    save(transaction, &workflow_override)?;
    Ok(json!(true))
}

/// Sets `active` when given and merges `preferenceSettings` key by key.
fn apply(transaction: &Transaction, mut workflow_override: Value, body: &Value) -> Outcome<Value> {
    if let Some(active) = body["active"].as_bool() {
        workflow_override["active"] = json!(active);
    }
    merge_preferences(
        &mut workflow_override["preferenceSettings"],
        &body["preferenceSettings"],
    );
    workflow_override["updatedAt"] = json!(ids::now());
    save(transaction, &workflow_override)?;
    Ok(workflow_override)
}

fn merge_preferences(stored: &mut Value, given: &Value) {
    let Some(given) = given.as_object() else {
        return;
    };
    for (channel, enabled) in given {
        if enabled.is_boolean() {
            stored[channel.as_str()] = enabled.clone();
        }
    }
}

fn save(transaction: &Transaction, workflow_override: &Value) -> Outcome<()> {
    transaction.execute(
        "UPDATE workflow_overrides SET deleted = ?2, doc = ?3 WHERE id = ?1",
        params![
            workflow_override["_id"].as_str(),
            workflow_override["deleted"].as_bool().unwrap_or(false),
            workflow_override.to_string()
        ],
    )?;
    Ok(())
}

fn find(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM workflow_overrides WHERE id = ?1 AND environment_id = ?2 AND deleted = 0",
        params![id, caller.environment_id],
    )
}

fn find_by_pair(
    transaction: &Transaction,
    caller: &Caller,
    workflow_id: &str,
    tenant_id: &str,
) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM workflow_overrides WHERE environment_id = ?1 AND workflow_id = ?2 AND tenant_id = ?3 \
         AND deleted = 0 ORDER BY rowid DESC",
        params![caller.environment_id, workflow_id, tenant_id],
    )
}
