//! The caller's organization, its branding and its members.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::Caller;
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// The branding fields a branding update sets when given.
const BRANDING_FIELDS: &[&str] = &[
    "logo",
    "color",
    "fontColor",
    "contentBackground",
    "fontFamily",
];

pub(crate) fn current(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    first_document(
        transaction,
        "SELECT doc FROM organizations WHERE id = ?1",
        [&caller.organization_id],
    )?
    .ok_or_else(|| {
        Failure::internal(format!(
            "organization {} is missing",
            caller.organization_id
        ))
    })
}

pub(crate) fn list(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    Ok(json!([current(transaction, caller)?]))
}

/// Renames the organization and answers `{name}`.
pub(crate) fn rename(transaction: &Transaction, caller: &Caller, name: &str) -> Outcome<Value> {
    let mut organization = current(transaction, caller)?;
    organization["name"] = json!(name);
    save(transaction, caller, organization)?;
    Ok(json!({ "name": name }))
}

/// Sets the given branding fields, keeps the others, and answers the branding.
pub(crate) fn update_branding(
    transaction: &Transaction,
    caller: &Caller,
    body: Value,
) -> Outcome<Value> {
    let mut organization = current(transaction, caller)?;
    if !organization["branding"].is_object() {
        organization["branding"] = json!({});
    }
    for field in BRANDING_FIELDS {
        if let Some(value) = body.get(*field).filter(|value| !value.is_null()) {
            organization["branding"][*field] = value.clone();
        }
    }
    if let Some(logo) = body.get("logo").filter(|logo| !logo.is_null()) {
        organization["logo"] = logo.clone();
    }
    let branding = organization["branding"].clone();
    save(transaction, caller, organization)?;
    Ok(branding)
}

pub(crate) fn members(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    Ok(Value::Array(documents(
        transaction,
        "SELECT doc FROM members WHERE organization_id = ?1 ORDER BY rowid",
        [&caller.organization_id],
    )?))
}

fn save(transaction: &Transaction, caller: &Caller, mut organization: Value) -> Outcome<()> {
    organization["updatedAt"] = json!(ids::now());
    transaction.execute(
        "UPDATE organizations SET doc = ?2 WHERE id = ?1",
        params![caller.organization_id, organization.to_string()],
    )?;
    Ok(())
}
