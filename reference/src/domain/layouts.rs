//! Layouts: email wrappers around step content, one default per environment; soft-deleted
//! (exposed as `isDeleted`). A write of a layout that is not the default is recorded as a
//! `Layout` change; one that leaves it the default, as Novu's set-default use case records it
//! (see `become_default`).

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::{Caller, offset};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// The placeholder every layout's content must hold for the step content.
const BODY_PLACEHOLDER: &str = "{{{body}}}";

/// The content of the layout every Development environment starts with: a plain wrapper of
/// the reference's own, holding the step content and no other variable.
const DEFAULT_CONTENT: &str = include_str!("default_layout.html");

/// Novu's largest page.
const MAX_PAGE_SIZE: i64 = 1000;

/// One page sorted by creation time; `order_by == 1` is ascending, anything else descending.
pub(crate) fn list(
    transaction: &Transaction,
    caller: &Caller,
    page: i64,
    page_size: i64,
    order_by: i64,
) -> Outcome<Value> {
    if page_size > MAX_PAGE_SIZE {
        return Err(Failure::bad_request(
            "Page size can not be larger then 1000",
        ));
    }
    let direction = if order_by == 1 { "ASC" } else { "DESC" };
    let data = documents(
        transaction,
        &format!(
            "SELECT doc FROM layouts WHERE environment_id = ?1 AND deleted = 0 \
             ORDER BY created_at {direction}, rowid {direction} LIMIT ?2 OFFSET ?3"
        ),
        params![caller.environment_id, page_size, offset(page, page_size)],
    )?;
    let total_count: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM layouts WHERE environment_id = ?1 AND deleted = 0",
        [&caller.environment_id],
        |row| row.get(0),
    )?;
    Ok(json!({
        "data": data,
        "page": page,
        "pageSize": page_size,
        "totalCount": total_count,
    }))
}

/// Creates the layout and answers `{_id}`.
pub(crate) fn create(transaction: &Transaction, caller: &Caller, body: Value) -> Outcome<Value> {
    let content = body["content"].as_str().unwrap_or_default();
    require_body_placeholder(content)?;
    let identifier = body["identifier"].as_str().unwrap_or_default();
    if find_by_identifier(transaction, caller, identifier)?.is_some() {
        return Err(identifier_taken(caller, identifier));
    }
    let is_default = body["isDefault"].as_bool().unwrap_or(false);
    let now = ids::now();
    let layout = json!({
        "_id": ids::object_id(),
        "_organizationId": caller.organization_id,
        "_environmentId": caller.environment_id,
        "_creatorId": super::creator_id(transaction, caller)?,
        "name": body["name"],
        "identifier": identifier,
        "description": body.get("description").cloned().unwrap_or(Value::Null),
        "channel": "email",
        "content": content,
        "contentType": "customHtml",
        "variables": body.get("variables").filter(|variables| variables.is_array()).cloned().unwrap_or(json!([])),
        "isDefault": is_default,
        "isDeleted": false,
        "createdAt": now,
        "updatedAt": now,
    });
    transaction.execute(
        "INSERT INTO layouts (id, environment_id, identifier, is_default, created_at, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            layout["_id"].as_str(),
            caller.environment_id,
            identifier,
            is_default,
            now,
            layout.to_string()
        ],
    )?;
    let id = layout["_id"].clone();
    if is_default {
        become_default(transaction, caller, layout)?;
    } else {
        super::changes::record_write(transaction, caller, "Layout", &json!({}), &layout)?;
    }
    Ok(json!({ "_id": id }))
}

/// The default layout Novu's `CreateDefaultLayout` gives every new Development environment,
/// made as any layout created with `isDefault: true` is, so it records its pending
/// `DefaultLayout` change; the Production environment must exist already.
pub(crate) fn create_default(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    create(
        transaction,
        caller,
        json!({
            "name": "Default Layout",
            "identifier": "novu-default-layout",
            "description": "The default layout created by Novu",
            "content": DEFAULT_CONTENT,
            "isDefault": true,
        }),
    )
}

/// The `_id` of the environment's default layout, if it has one.
pub(crate) fn default_id(transaction: &Transaction, caller: &Caller) -> Outcome<Option<String>> {
    Ok(first_document(
        transaction,
        "SELECT doc FROM layouts WHERE environment_id = ?1 AND deleted = 0 AND is_default = 1",
        [&caller.environment_id],
    )?
    .and_then(|layout| layout["_id"].as_str().map(str::to_owned)))
}

pub(crate) fn get(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Value> {
    first_document(
        transaction,
        "SELECT doc FROM layouts WHERE id = ?1 AND environment_id = ?2 AND deleted = 0",
        params![id, caller.environment_id],
    )?
    .ok_or_else(|| {
        Failure::not_found(format!(
            "Layout not found for id {id} in the environment {}",
            caller.environment_id
        ))
    })
}

/// Applies the fields present in the raw body.
pub(crate) fn update(
    transaction: &Transaction,
    caller: &Caller,
    id: &str,
    body: Value,
) -> Outcome<Value> {
    let fields = body.as_object().cloned().unwrap_or_default();
    let given = |key: &str| fields.get(key).filter(|value| !value.is_null()).cloned();
    // Novu's UpdateLayoutUseCase spreads `...(updates.content && { content })`: an empty string
    // (falsy in JavaScript) leaves the stored value as it is, like an absent one.
    let truthy = |key: &str| given(key).filter(|value| value.as_str() != Some(""));
    let updatable = [
        "name",
        "identifier",
        "description",
        "content",
        "variables",
        "isDefault",
    ];
    if !updatable.iter().any(|key| given(key).is_some()) {
        return Err(Failure::bad_request("Payload can not be empty"));
    }
    let mut layout = get(transaction, caller, id)?;
    let before = layout.clone();
    if let Some(content) = truthy("content") {
        require_body_placeholder(content.as_str().unwrap_or_default())?;
        layout["content"] = content;
    }
    if let Some(identifier) = truthy("identifier").as_ref().and_then(Value::as_str) {
        if let Some(other) = find_by_identifier(transaction, caller, identifier)?
            && other["_id"] != layout["_id"]
        {
            return Err(identifier_taken(caller, identifier));
        }
        layout["identifier"] = json!(identifier);
    }
    for key in ["name", "description", "variables"] {
        if let Some(value) = truthy(key) {
            layout[key] = value;
        }
    }
    match given("isDefault").as_ref().and_then(Value::as_bool) {
        Some(false) if layout["isDefault"] == true => {
            return Err(Failure::conflict("One default layout is required"));
        }
        Some(true) => layout["isDefault"] = json!(true),
        _ => {}
    }
    layout["updatedAt"] = json!(ids::now());
    save(transaction, &layout)?;
    // Novu records every write of the default layout, not only the one that makes it so, as
    // its set-default use case does.
    if layout["isDefault"] == true {
        become_default(transaction, caller, layout.clone())?;
    } else {
        super::changes::record_write(transaction, caller, "Layout", &before, &layout)?;
    }
    Ok(layout)
}

/// Soft-deletes a layout that is neither used by a workflow nor the default (refused in that
/// order).
pub(crate) fn delete(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<()> {
    let mut layout = get(transaction, caller, id)?;
    // Novu asks whether a workflow uses the layout before whether it is the default, so a used
    // default answers with the first refusal.
    if used_by_workflow(transaction, caller, id)? {
        return Err(Failure::conflict(format!(
            "Layout with id {id} is being used so it can not be deleted"
        )));
    }
    if layout["isDefault"] == true {
        return Err(Failure::conflict(format!(
            "Layout with id {id} is being used as your default layout, so it can not be deleted"
        )));
    }
    let mut stored = layout.clone();
    layout["isDeleted"] = json!(true);
    layout["updatedAt"] = json!(ids::now());
    save(transaction, &layout)?;
    // Novu's record compares its stored layout (`deleted: false`, no `isDeleted`) with the
    // deleted one as it reads it back (`deleted` and `isDeleted` both true).
    if let Some(fields) = stored.as_object_mut() {
        fields.remove("isDeleted");
        fields.insert("deleted".into(), json!(false));
    }
    let mut deleted = layout.clone();
    deleted["deleted"] = json!(true);
    super::changes::record_write(transaction, caller, "Layout", &stored, &deleted)
}

/// Makes the layout the environment's default; the previous default stops being one.
pub(crate) fn set_default(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<()> {
    let layout = get(transaction, caller, id)?;
    become_default(transaction, caller, layout)
}

/// Novu's set-default use case, which every write that leaves `layout` the default runs: the
/// environment's other default layout, if any, stops being one, and both writes are recorded
/// as `DefaultLayout` changes. The former default's goes into its pending `DefaultLayout`
/// change (a new one when it has none); the new default's is filed under the change the
/// former default's pending one was filed under, or else under the former default's own, so
/// that promoting that one change promotes the whole switch. Without another default, the
/// layout's own change is recorded alone.
///
/// A Development environment is made with a default layout (see [`create_default`]), which
/// records its change here alone; a Production environment gets its default only by
/// promotion, which does not come here.
fn become_default(transaction: &Transaction, caller: &Caller, mut layout: Value) -> Outcome<()> {
    let former = first_document(
        transaction,
        "SELECT doc FROM layouts WHERE environment_id = ?1 AND deleted = 0 AND is_default = 1 AND id != ?2",
        params![caller.environment_id, layout["_id"].as_str()],
    )?;
    let parent_id = match former {
        None => None,
        Some(mut former) => {
            former["isDefault"] = json!(false);
            former["updatedAt"] = json!(ids::now());
            save(transaction, &former)?;
            let former_id = former["_id"].as_str().unwrap_or_default();
            let (pending, filed_under) =
                match super::changes::pending_default_layout(transaction, caller, former_id)? {
                    Some((pending, filed_under)) => (Some(pending), filed_under),
                    None => (None, None),
                };
            let change =
                super::changes::record_default_layout(transaction, caller, &former, pending, None)?;
            filed_under.or(change)
        }
    };
    if layout["isDefault"] != true {
        layout["isDefault"] = json!(true);
        layout["updatedAt"] = json!(ids::now());
        save(transaction, &layout)?;
    }
    super::changes::record_default_layout(transaction, caller, &layout, None, parent_id)?;
    Ok(())
}

/// Whether a workflow step template of the environment names the layout (`layoutId` or
/// `_layoutId`).
fn used_by_workflow(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<bool> {
    let uses: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM workflows WHERE environment_id = ?1 AND deleted = 0 AND doc LIKE ?2",
        params![caller.environment_id, format!("%layoutId\":\"{id}\"%")],
        |row| row.get(0),
    )?;
    Ok(uses > 0)
}

fn save(transaction: &Transaction, layout: &Value) -> Outcome<()> {
    transaction.execute(
        "UPDATE layouts SET identifier = ?2, is_default = ?3, deleted = ?4, doc = ?5 WHERE id = ?1",
        params![
            layout["_id"].as_str(),
            layout["identifier"].as_str(),
            layout["isDefault"].as_bool().unwrap_or(false),
            layout["isDeleted"].as_bool().unwrap_or(false),
            layout.to_string()
        ],
    )?;
    Ok(())
}

fn find_by_identifier(
    transaction: &Transaction,
    caller: &Caller,
    identifier: &str,
) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM layouts WHERE environment_id = ?1 AND identifier = ?2 AND deleted = 0",
        params![caller.environment_id, identifier],
    )
}

fn require_body_placeholder(content: &str) -> Outcome<()> {
    if content.contains(BODY_PLACEHOLDER) {
        Ok(())
    } else {
        Err(Failure::bad_request(
            "Layout content must contain {{{body}}}",
        ))
    }
}

fn identifier_taken(caller: &Caller, identifier: &str) -> Failure {
    Failure::conflict(format!(
        "Layout with identifier: {identifier} already exists under environment {}",
        caller.environment_id
    ))
}
