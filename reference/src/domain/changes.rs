//! Changes: what was written in the Development environment and not yet promoted to Production.
//!
//! Resource modules call [`record`] on the writes Novu records: every create, update and delete
//! of a workflow, a layout's create, update and delete while it is not the default, a feed's
//! create and delete, a workflow group's create only. An entity has at most one pending change
//! of each type; later writes recompute its differences from the entity as it was before that
//! change. A layout that is or becomes the default is recorded by [`record_default_layout`]
//! instead, as Novu's set-default use case records it: a `DefaultLayout` change, the new
//! default's filed under the former default's, so that one change promotes both. Applying a
//! change promotes the changes filed under it first, then marks it promoted and copies the
//! entity as it now is in Development to Production, where the copy's `_parentId` names the
//! Development original.

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Value, json};

use super::{Caller, offset};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// Records a write of the entity `entity_id` of `entity_type` (a `ChangeEntityTypeEnum` value)
/// in the caller's environment, when that is the Development environment: `before` and `after`
/// are the entity on either side of the write (`{}` stands for the side a create or a delete
/// lacks). The first write since the entity was last promoted opens a pending change holding
/// the differences from `before`; each later write replaces them with the differences from
/// that first `before` to the entity as it now is, as Novu's `CreateChange` recomputes a
/// pending change from the promoted state rather than adding to it.
pub(crate) fn record(
    transaction: &Transaction,
    caller: &Caller,
    entity_type: &str,
    entity_id: &str,
    before: &Value,
    after: &Value,
) -> Outcome<()> {
    if production_of(transaction, caller)?.is_none() {
        return Ok(());
    }
    let pending = transaction
        .prepare_cached(
            "SELECT id, base FROM changes \
             WHERE environment_id = ?1 AND type = ?2 AND entity_id = ?3 AND enabled = 0",
        )?
        .query_row(
            params![caller.environment_id, entity_type, entity_id],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?)),
        )
        .optional()?;
    if let Some((change_id, base)) = pending {
        // A change recorded before bases were kept recomputes from the write's own `before`.
        let base = match base {
            Some(text) => serde_json::from_str(&text)
                .map_err(|error| Failure::internal(format!("stored change base: {error}")))?,
            None => before.clone(),
        };
        rewrite(transaction, caller, &change_id, &base, after)?;
        return Ok(());
    }
    let change = NewChange {
        id: ids::object_id(),
        entity_type,
        entity_id,
        parent_id: None,
    };
    insert(transaction, caller, &change, before, after)
}

/// Sets the differences of the pending change `change_id` to those from `base` to `after`;
/// answers whether there was such a change.
fn rewrite(
    transaction: &Transaction,
    caller: &Caller,
    change_id: &str,
    base: &Value,
    after: &Value,
) -> Outcome<bool> {
    let updated = transaction.execute(
        "UPDATE changes SET doc = json_set(doc, '$.change', json(?3)), after = ?4 \
         WHERE id = ?1 AND environment_id = ?2",
        params![
            change_id,
            caller.environment_id,
            diff(base, after).to_string(),
            after.to_string()
        ],
    )?;
    Ok(updated > 0)
}

/// A pending change to make: its `_id`, what it is a change of, and the change it is filed
/// under, if any.
struct NewChange<'a> {
    id: String,
    entity_type: &'a str,
    entity_id: &'a str,
    parent_id: Option<String>,
}

/// Stores `change` as pending, with the differences from `base` to `after`.
fn insert(
    transaction: &Transaction,
    caller: &Caller,
    change: &NewChange<'_>,
    base: &Value,
    after: &Value,
) -> Outcome<()> {
    let now = ids::now();
    let mut document = json!({
        "_id": change.id,
        "_creatorId": super::creator_id(transaction, caller)?,
        "_environmentId": caller.environment_id,
        "_organizationId": caller.organization_id,
        "_entityId": change.entity_id,
        "enabled": false,
        "type": change.entity_type,
        "change": diff(base, after),
        "createdAt": now,
    });
    if let Some(parent_id) = &change.parent_id {
        document["_parentId"] = json!(parent_id);
    }
    transaction.execute(
        "INSERT INTO changes (id, environment_id, type, entity_id, enabled, created_at, doc, base, after, parent_id) \
         VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9)",
        params![
            change.id,
            caller.environment_id,
            change.entity_type,
            change.entity_id,
            now,
            document.to_string(),
            base.to_string(),
            after.to_string(),
            change.parent_id
        ],
    )?;
    Ok(())
}

/// The pending `DefaultLayout` change of layout `layout_id`: its `_id`, and the `_id` of the
/// change it is filed under, if any.
pub(crate) fn pending_default_layout(
    transaction: &Transaction,
    caller: &Caller,
    layout_id: &str,
) -> Outcome<Option<(String, Option<String>)>> {
    Ok(transaction
        .prepare_cached(
            "SELECT id, parent_id FROM changes \
             WHERE environment_id = ?1 AND type = 'DefaultLayout' AND entity_id = ?2 AND enabled = 0",
        )?
        .query_row(params![caller.environment_id, layout_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?)
}

/// Records `layout` as a `DefaultLayout` change, when the caller's environment records changes,
/// and answers the change's `_id`: into the change `change_id` (by default the layout's pending
/// `DefaultLayout` change, else a new one), which, when it is new, is filed under `parent_id`.
///
/// As Novu's `CreateChange` does, the differences run from the layout as its promoted
/// `DefaultLayout` changes left it (nothing, before the first is promoted) to `layout`, so a
/// layout's first `DefaultLayout` change adds every field even where `Layout` changes promoted
/// the layout before; a change that already exists keeps where it is filed.
pub(crate) fn record_default_layout(
    transaction: &Transaction,
    caller: &Caller,
    layout: &Value,
    change_id: Option<String>,
    parent_id: Option<String>,
) -> Outcome<Option<String>> {
    const TYPE: &str = "DefaultLayout";
    if production_of(transaction, caller)?.is_none() {
        return Ok(None);
    }
    let entity_id = layout["_id"].as_str().unwrap_or_default();
    let change_id = match change_id {
        Some(id) => id,
        None => pending_default_layout(transaction, caller, entity_id)?
            .map_or_else(ids::object_id, |(id, _)| id),
    };
    let promoted = transaction
        .prepare_cached(
            "SELECT after FROM changes \
             WHERE environment_id = ?1 AND type = ?2 AND entity_id = ?3 AND enabled = 1 \
             ORDER BY created_at DESC, rowid DESC LIMIT 1",
        )?
        .query_row(params![caller.environment_id, TYPE, entity_id], |row| {
            row.get::<_, Option<String>>(0)
        })
        .optional()?
        .flatten();
    let base = match promoted {
        Some(text) => serde_json::from_str(&text)
            .map_err(|error| Failure::internal(format!("stored change state: {error}")))?,
        None => json!({}),
    };
    if !rewrite(transaction, caller, &change_id, &base, layout)? {
        let change = NewChange {
            id: change_id.clone(),
            entity_type: TYPE,
            entity_id,
            parent_id,
        };
        insert(transaction, caller, &change, &base, layout)?;
    }
    Ok(Some(change_id))
}

/// [`record`] for an entity whose `_id` is on whichever of `before` and `after` exists.
pub(crate) fn record_write(
    transaction: &Transaction,
    caller: &Caller,
    entity_type: &str,
    before: &Value,
    after: &Value,
) -> Outcome<()> {
    let id = after["_id"]
        .as_str()
        .or(before["_id"].as_str())
        .unwrap_or_default();
    record(transaction, caller, entity_type, id, before, after)
}

/// The differences from `before` to `after` in the shape of the `recursive-diff` records Novu
/// keeps: `add` (with `val`), `update` (with `val` and `oldVal`) and `delete` (with `oldVal`)
/// entries with the `path` of the field; objects and arrays are compared member by member, an
/// array's members by index.
fn diff(before: &Value, after: &Value) -> Value {
    let mut differences = Vec::new();
    collect_differences(&mut Vec::new(), before, after, &mut differences);
    Value::Array(differences)
}

fn collect_differences(path: &mut Vec<Value>, before: &Value, after: &Value, out: &mut Vec<Value>) {
    let mut member = |path: &mut Vec<Value>,
                      key: Value,
                      old: Option<&Value>,
                      new: Option<&Value>| {
        path.push(key);
        match (old, new) {
            (Some(old), Some(new)) => collect_differences(path, old, new, out),
            (Some(old), None) => out.push(json!({ "op": "delete", "path": path, "oldVal": old })),
            (None, Some(new)) => out.push(json!({ "op": "add", "path": path, "val": new })),
            (None, None) => {}
        }
        path.pop();
    };
    match (before, after) {
        (Value::Object(old), Value::Object(new)) => {
            for (key, old_value) in old {
                member(path, json!(key), Some(old_value), new.get(key));
            }
            for (key, new_value) in new.iter().filter(|(key, _)| !old.contains_key(*key)) {
                member(path, json!(key), None, Some(new_value));
            }
        }
        (Value::Array(old), Value::Array(new)) => {
            for index in 0..old.len().max(new.len()) {
                member(path, json!(index), old.get(index), new.get(index));
            }
        }
        (old, new) if old != new => {
            out.push(json!({ "op": "update", "path": path, "val": new, "oldVal": old }));
        }
        _ => {}
    }
}

/// One page of promoted (`promoted == "true"`) or pending changes, newest first; a change filed
/// under another is not listed.
pub(crate) fn list(
    transaction: &Transaction,
    caller: &Caller,
    page: i64,
    limit: i64,
    promoted: &str,
) -> Outcome<Value> {
    let enabled = promoted == "true";
    let data = documents(
        transaction,
        "SELECT doc FROM changes WHERE environment_id = ?1 AND enabled = ?2 AND parent_id IS NULL \
         ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4",
        params![caller.environment_id, enabled, limit, offset(page, limit)],
    )?;
    let total_count: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM changes WHERE environment_id = ?1 AND enabled = ?2 AND parent_id IS NULL",
        params![caller.environment_id, enabled],
        |row| row.get(0),
    )?;
    let data = data
        .into_iter()
        .map(|change| with_entity_name(transaction, caller, change))
        .collect::<Outcome<Vec<Value>>>()?;
    Ok(json!({
        "data": data,
        "totalCount": total_count,
        "page": page,
        "pageSize": limit,
    }))
}

/// The change with the name of the entity it concerns (`templateName`, and `templateId` for a
/// workflow), as Novu's list shows it; a deleted workflow, layout or feed is still named, a
/// workflow group deleted for good is not.
fn with_entity_name(
    transaction: &Transaction,
    caller: &Caller,
    mut change: Value,
) -> Outcome<Value> {
    let table = match change["type"].as_str().unwrap_or_default() {
        "NotificationTemplate" => "workflows",
        "Layout" | "DefaultLayout" => "layouts",
        "Feed" => "feeds",
        "NotificationGroup" => "notification_groups",
        _ => return Ok(change),
    };
    // Only the name is read: a workflow's stored document is large.
    let name = transaction
        .prepare_cached(&format!(
            "SELECT json_extract(doc, '$.name') FROM {table} WHERE id = ?1 AND environment_id = ?2"
        ))?
        .query_row(
            params![change["_entityId"].as_str(), caller.environment_id],
            |row| row.get::<_, Option<String>>(0),
        )
        .optional()?;
    if let Some(name) = name {
        change["templateName"] = json!(name);
        if table == "workflows" {
            change["templateId"] = change["_entityId"].clone();
        }
    }
    // Novu names, beside a `DefaultLayout` change's layout, the environment's default layout
    // when that is another one.
    if change["type"] == "DefaultLayout" {
        let default = transaction
            .prepare_cached(
                "SELECT json_extract(doc, '$.name') FROM layouts \
                 WHERE environment_id = ?1 AND is_default = 1 AND deleted = 0 AND id != ?2 LIMIT 1",
            )?
            .query_row(
                params![caller.environment_id, change["_entityId"].as_str()],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten();
        if let Some(default) = default {
            change["previousDefaultLayout"] = json!(default);
        }
    }
    Ok(change)
}

/// The number of pending changes not filed under another.
pub(crate) fn count(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    let pending: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM changes WHERE environment_id = ?1 AND enabled = 0 AND parent_id IS NULL",
        [&caller.environment_id],
        |row| row.get(0),
    )?;
    Ok(json!(pending))
}

/// Promotes one change: first the changes filed under it, oldest first, then it. Like Novu, the
/// answer lists them in that order as they were read before they were marked promoted. An
/// unknown id is a 404 (Novu fails with a 500 there, which the contract does not accept as an
/// answer).
pub(crate) fn apply(transaction: &Transaction, caller: &Caller, change_id: &str) -> Outcome<Value> {
    let change = find(transaction, caller, change_id)?
        .ok_or_else(|| Failure::not_found(format!("Change with id {change_id} not found")))?;
    apply_found(transaction, caller, change)
}

/// Promotes the listed changes of the environment, workflow groups first so that promoted
/// workflows find their group, each as [`apply`] does; unknown ids are skipped.
pub(crate) fn apply_bulk(
    transaction: &Transaction,
    caller: &Caller,
    body: &Value,
) -> Outcome<Value> {
    let mut changes = Vec::new();
    for id in body["changeIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if let Some(change) = find(transaction, caller, id)? {
            changes.push(change);
        }
    }
    changes.sort_by_key(|change| change["type"] != "NotificationGroup");
    let mut applied = Vec::with_capacity(changes.len());
    for change in changes {
        applied.push(apply_found(transaction, caller, change)?);
    }
    Ok(Value::Array(applied))
}

fn find(transaction: &Transaction, caller: &Caller, change_id: &str) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM changes WHERE id = ?1 AND environment_id = ?2",
        params![change_id, caller.environment_id],
    )
}

/// Promotes the changes filed under `change`, oldest first, then `change`; answers them all.
fn apply_found(transaction: &Transaction, caller: &Caller, change: Value) -> Outcome<Value> {
    let mut applied = documents(
        transaction,
        "SELECT doc FROM changes WHERE environment_id = ?1 AND parent_id = ?2 \
         ORDER BY created_at, rowid",
        params![caller.environment_id, change["_id"].as_str()],
    )?;
    applied.push(change);
    for change in &applied {
        promote(transaction, caller, change)?;
    }
    Ok(Value::Array(applied))
}

/// Marks the change promoted and copies its entity to Production.
fn promote(transaction: &Transaction, caller: &Caller, change: &Value) -> Outcome<()> {
    let mut promoted = change.clone();
    promoted["enabled"] = json!(true);
    save(transaction, &promoted)?;
    let Some(production_id) = production_of(transaction, caller)? else {
        return Ok(());
    };
    let table = match change["type"].as_str().unwrap_or_default() {
        "NotificationTemplate" => "workflows",
        "Layout" | "DefaultLayout" => "layouts",
        "Feed" => "feeds",
        "NotificationGroup" => "notification_groups",
        other => {
            return Err(Failure::internal(format!(
                "cannot promote a {other} change"
            )));
        }
    };
    let entity_id = change["_entityId"].as_str().unwrap_or_default();
    if table == "workflows" {
        promote_group_of(transaction, caller, &production_id, entity_id)?;
    }
    let original = first_document(
        transaction,
        &format!("SELECT doc FROM {table} WHERE id = ?1 AND environment_id = ?2"),
        params![entity_id, caller.environment_id],
    )?;
    let copy = first_document(
        transaction,
        &format!(
            "SELECT doc FROM {table} WHERE environment_id = ?1 AND json_extract(doc, '$._parentId') = ?2"
        ),
        params![production_id, entity_id],
    )?;
    let copy_id = copy
        .as_ref()
        .and_then(|copy| copy["_id"].as_str())
        .map_or_else(ids::object_id, str::to_owned);
    transaction.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [&copy_id])?;
    // A workflow group is deleted for good; its copy goes with it.
    let Some(mut entity) = original else {
        return Ok(());
    };
    entity["_id"] = json!(copy_id);
    entity["_environmentId"] = json!(production_id);
    entity["_parentId"] = json!(entity_id);
    if let Some(created_at) = copy.as_ref().map(|copy| copy["createdAt"].clone()) {
        entity["createdAt"] = created_at;
    }
    insert_copy(transaction, table, &production_id, entity)
}

/// Promotes the pending changes of the workflow's group when the group has no Production copy
/// yet, as Novu does before it promotes a workflow.
fn promote_group_of(
    transaction: &Transaction,
    caller: &Caller,
    production_id: &str,
    workflow_id: &str,
) -> Outcome<()> {
    let Some(workflow) = first_document(
        transaction,
        "SELECT doc FROM workflows WHERE id = ?1 AND environment_id = ?2",
        params![workflow_id, caller.environment_id],
    )?
    else {
        return Ok(());
    };
    let group_id = workflow["_notificationGroupId"]
        .as_str()
        .unwrap_or_default();
    let promoted = first_document(
        transaction,
        "SELECT doc FROM notification_groups WHERE environment_id = ?1 AND json_extract(doc, '$._parentId') = ?2",
        params![production_id, group_id],
    )?;
    if promoted.is_some() {
        return Ok(());
    }
    let pending = documents(
        transaction,
        "SELECT doc FROM changes WHERE environment_id = ?1 AND type = 'NotificationGroup' \
         AND entity_id = ?2 AND enabled = 0 ORDER BY created_at, rowid",
        params![caller.environment_id, group_id],
    )?;
    for change in pending {
        promote(transaction, caller, &change)?;
    }
    Ok(())
}

/// Writes the Production copy into its table, with that table's key columns.
fn insert_copy(
    transaction: &Transaction,
    table: &str,
    production_id: &str,
    mut entity: Value,
) -> Outcome<()> {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    match table {
        "workflows" => {
            entity["_notificationGroupId"] = json!(production_group(
                transaction,
                production_id,
                &text(&entity["_notificationGroupId"])
            )?);
            production_layouts(transaction, production_id, &mut entity["steps"])?;
            transaction.execute(
                "INSERT INTO workflows (id, environment_id, trigger_identifier, name, deleted, created_at, doc) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    text(&entity["_id"]),
                    production_id,
                    text(&entity["triggers"][0]["identifier"]),
                    text(&entity["name"]),
                    entity["deleted"] == true,
                    text(&entity["createdAt"]),
                    entity.to_string()
                ],
            )?;
        }
        "layouts" => {
            if entity["isDefault"] == true {
                transaction.execute(
                    "UPDATE layouts SET is_default = 0, doc = json_set(doc, '$.isDefault', json('false')) \
                     WHERE environment_id = ?1 AND is_default = 1",
                    [production_id],
                )?;
            }
            transaction.execute(
                "INSERT INTO layouts (id, environment_id, identifier, is_default, deleted, created_at, doc) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    text(&entity["_id"]),
                    production_id,
                    text(&entity["identifier"]),
                    entity["isDefault"] == true,
                    entity["isDeleted"] == true,
                    text(&entity["createdAt"]),
                    entity.to_string()
                ],
            )?;
        }
        "feeds" => {
            transaction.execute(
                "INSERT INTO feeds (id, environment_id, identifier, deleted, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    text(&entity["_id"]),
                    production_id,
                    text(&entity["identifier"]),
                    entity["deleted"] == true,
                    entity.to_string()
                ],
            )?;
        }
        _ => {
            entity["id"] = entity["_id"].clone();
            transaction.execute(
                "INSERT INTO notification_groups (id, environment_id, organization_id, doc) VALUES (?1, ?2, ?3, ?4)",
                params![
                    text(&entity["_id"]),
                    production_id,
                    text(&entity["_organizationId"]),
                    entity.to_string()
                ],
            )?;
        }
    }
    Ok(())
}

/// Points each promoted step's and variant's template at the Production copy of its layout,
/// or at none when that layout has no copy yet, as Novu's promotion of a message template does.
fn production_layouts(
    transaction: &Transaction,
    production_id: &str,
    steps: &mut Value,
) -> Outcome<()> {
    for step in steps.as_array_mut().into_iter().flatten() {
        let mut variants = step
            .get_mut("variants")
            .and_then(Value::as_array_mut)
            .map(std::mem::take)
            .unwrap_or_default();
        for item in std::iter::once(&mut *step).chain(variants.iter_mut()) {
            let Some(template) = item.get_mut("template").and_then(Value::as_object_mut) else {
                continue;
            };
            let Some(layout_id) = template.get("_layoutId").and_then(Value::as_str) else {
                continue;
            };
            let copy = first_document(
                transaction,
                "SELECT doc FROM layouts WHERE environment_id = ?1 AND deleted = 0 \
                 AND json_extract(doc, '$._parentId') = ?2",
                params![production_id, layout_id],
            )?;
            match copy.and_then(|copy| copy["_id"].as_str().map(str::to_owned)) {
                Some(copy_id) => template.insert("_layoutId".into(), json!(copy_id)),
                None => template.remove("_layoutId"),
            };
        }
        if !variants.is_empty() {
            step["variants"] = Value::Array(variants);
        }
    }
    Ok(())
}

/// The Production group that copies the Development group `group_id`; the first Production
/// group when that group was never promoted.
fn production_group(
    transaction: &Transaction,
    production_id: &str,
    group_id: &str,
) -> Outcome<String> {
    let group = match first_document(
        transaction,
        "SELECT doc FROM notification_groups WHERE environment_id = ?1 AND json_extract(doc, '$._parentId') = ?2",
        params![production_id, group_id],
    )? {
        Some(group) => Some(group),
        None => first_document(
            transaction,
            "SELECT doc FROM notification_groups WHERE environment_id = ?1 ORDER BY rowid LIMIT 1",
            [production_id],
        )?,
    };
    Ok(group
        .and_then(|group| group["_id"].as_str().map(str::to_owned))
        .unwrap_or_default())
}

/// The Production environment under the caller's environment, when the caller's is Development.
fn production_of(transaction: &Transaction, caller: &Caller) -> Outcome<Option<String>> {
    let production = first_document(
        transaction,
        "SELECT doc FROM environments WHERE organization_id = ?1 AND json_extract(doc, '$._parentId') = ?2",
        params![caller.organization_id, caller.environment_id],
    )?;
    Ok(production.and_then(|production| production["_id"].as_str().map(str::to_owned)))
}

fn save(transaction: &Transaction, change: &Value) -> Outcome<()> {
    transaction.execute(
        "UPDATE changes SET enabled = ?2, doc = ?3 WHERE id = ?1",
        params![
            change["_id"].as_str(),
            change["enabled"] == true,
            change.to_string()
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn diff_names_added_updated_and_deleted_fields_by_path() {
        // Documents keep their keys sorted, so the records come in key order.
        let before =
            json!({ "name": "A", "gone": 1, "nested": { "x": 1, "same": true }, "list": [1] });
        let after = json!({ "name": "B", "nested": { "x": 2, "same": true }, "list": [1, 2], "added": "n" });
        assert_eq!(
            super::diff(&before, &after),
            json!([
                { "op": "delete", "path": ["gone"], "oldVal": 1 },
                { "op": "add", "path": ["list", 1], "val": 2 },
                { "op": "update", "path": ["name"], "val": "B", "oldVal": "A" },
                { "op": "update", "path": ["nested", "x"], "val": 2, "oldVal": 1 },
                { "op": "add", "path": ["added"], "val": "n" },
            ])
        );
        assert_eq!(super::diff(&after, &after), json!([]));
    }
}
