//! Tenants, addressed by their own `identifier`; deleted for good.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::{Caller, full_page_rule, offset};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// One page, newest first.
pub(crate) fn list(
    transaction: &Transaction,
    caller: &Caller,
    page: i64,
    limit: i64,
) -> Outcome<Value> {
    let data = documents(
        transaction,
        "SELECT doc FROM tenants WHERE environment_id = ?1 ORDER BY rowid DESC LIMIT ?2 OFFSET ?3",
        params![caller.environment_id, limit, offset(page, limit)],
    )?;
    Ok(full_page_rule(page, limit, data))
}

pub(crate) fn create(transaction: &Transaction, caller: &Caller, body: Value) -> Outcome<Value> {
    let identifier = body["identifier"].as_str().unwrap_or_default();
    if find(transaction, caller, identifier)?.is_some() {
        return Err(already_exists(caller, identifier));
    }
    let now = ids::now();
    let mut tenant = json!({
        "_id": ids::object_id(),
        "identifier": identifier,
        "name": body["name"],
        "_environmentId": caller.environment_id,
        "_organizationId": caller.organization_id,
        "createdAt": now,
        "updatedAt": now,
    });
    if let Some(data) = body.get("data").filter(|data| !data.is_null()) {
        tenant["data"] = data.clone();
    }
    transaction.execute(
        "INSERT INTO tenants (id, environment_id, identifier, doc) VALUES (?1, ?2, ?3, ?4)",
        params![
            tenant["_id"].as_str(),
            caller.environment_id,
            identifier,
            tenant.to_string()
        ],
    )?;
    Ok(tenant)
}

pub(crate) fn get(transaction: &Transaction, caller: &Caller, identifier: &str) -> Outcome<Value> {
    find(transaction, caller, identifier)?.ok_or_else(|| {
        Failure::not_found(format!(
            "Tenant with identifier: {identifier} does not exist under environment {}",
            caller.environment_id
        ))
    })
}

/// Sets the given non-empty fields; a new `identifier` renames the tenant.
pub(crate) fn update(
    transaction: &Transaction,
    caller: &Caller,
    identifier: &str,
    body: Value,
) -> Outcome<Value> {
    let mut tenant = get(transaction, caller, identifier)?;
    if let Some(name) = body["name"].as_str().filter(|name| !name.is_empty()) {
        tenant["name"] = json!(name);
    }
    if let Some(data) = body.get("data").filter(|data| data.is_object()) {
        tenant["data"] = data.clone();
    }
    if let Some(renamed) = body["identifier"]
        .as_str()
        .filter(|renamed| !renamed.is_empty())
    {
        if renamed != identifier && find(transaction, caller, renamed)?.is_some() {
            return Err(already_exists(caller, renamed));
        }
        tenant["identifier"] = json!(renamed);
    }
    tenant["updatedAt"] = json!(ids::now());
    transaction.execute(
        "UPDATE tenants SET identifier = ?2, doc = ?3 WHERE id = ?1",
        params![
            tenant["_id"].as_str(),
            tenant["identifier"].as_str(),
            tenant.to_string()
        ],
    )?;
    Ok(tenant)
}

pub(crate) fn delete(transaction: &Transaction, caller: &Caller, identifier: &str) -> Outcome<()> {
    let tenant = get(transaction, caller, identifier)?;
    transaction.execute(
        "DELETE FROM tenants WHERE id = ?1",
        [tenant["_id"].as_str()],
    )?;
    Ok(())
}

fn find(transaction: &Transaction, caller: &Caller, identifier: &str) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM tenants WHERE environment_id = ?1 AND identifier = ?2",
        params![caller.environment_id, identifier],
    )
}

fn already_exists(caller: &Caller, identifier: &str) -> Failure {
    Failure::conflict(format!(
        "Tenant with identifier: {identifier} already exists under environment {}",
        caller.environment_id
    ))
}
