//! Workflows (v1, also served as the deprecated notification templates): a trigger
//! identifier, steps with their message templates, and preferences; soft-deleted.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::{Caller, offset};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// Variables the server gives every template besides the payload.
pub(crate) fn variables(_transaction: &Transaction, _caller: &Caller) -> Outcome<Value> {
    Ok(json!({
        "translations": {},
        "system": {
            "subscriber": {
                "firstName": "string",
                "lastName": "string",
                "email": "string",
                "phone": "string",
                "avatar": "string",
                "locale": "string",
                "subscriberId": "string",
            },
            "step": { "digest": "boolean", "events": "array", "total_count": "number" },
            "branding": { "logo": "string", "color": "string" },
            "tenant": { "name": "string", "data": "object" },
        },
    }))
}

/// One page, newest first; `query` keeps names or trigger identifiers containing it, ignoring
/// case. Items leave out their steps' variants.
pub(crate) fn list(
    transaction: &Transaction,
    caller: &Caller,
    page: i64,
    limit: i64,
    query: Option<&str>,
) -> Outcome<Value> {
    // A plain substring match, so `%` and `_` in the query are not wildcards.
    let pattern = query.unwrap_or_default().to_lowercase();
    let filter = "environment_id = ?1 AND deleted = 0 \
         AND (instr(lower(name), ?2) > 0 OR instr(lower(trigger_identifier), ?2) > 0)";
    let found = documents(
        transaction,
        &format!(
            "SELECT doc FROM workflows WHERE {filter} ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4"
        ),
        params![caller.environment_id, pattern, limit, offset(page, limit)],
    )?;
    let total_count: i64 = transaction.query_row(
        &format!("SELECT COUNT(*) FROM workflows WHERE {filter}"),
        params![caller.environment_id, pattern],
        |row| row.get(0),
    )?;
    let mut data = Vec::with_capacity(found.len());
    for mut workflow in found {
        if let Some(steps) = workflow["steps"].as_array_mut() {
            for step in steps {
                if let Some(step) = step.as_object_mut() {
                    step.remove("variants");
                }
            }
        }
        data.push(with_group(transaction, workflow)?);
    }
    Ok(json!({
        "data": data,
        "page": page,
        "pageSize": limit,
        "totalCount": total_count,
    }))
}

pub(crate) fn create(transaction: &Transaction, caller: &Caller, body: Value) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    let name = body["name"].as_str().unwrap_or_default().to_owned();
    // Novu stores the group id as given, without looking the group up.
    let group_id = body["notificationGroupId"].as_str().unwrap_or_default();
    let mut steps = body["steps"].clone();
    assign_layouts(transaction, caller, &json!([]), &mut steps)?;
    let steps = prepared_steps(&steps, Templates::New)?;
    let mut identifier = ids::slugify(&name);
    if find_by_trigger(transaction, caller, &identifier)?.is_some() {
        identifier = format!("{identifier}-{}", ids::short_id());
    }
    let active = body["active"].as_bool().unwrap_or(false);
    let now = ids::now();
    let mut workflow = json!({
        "_id": ids::object_id(),
        "name": name,
        "description": body.get("description").filter(|value| value.is_string()).cloned().unwrap_or(json!("")),
        "active": active,
        "draft": !active,
        "critical": body["critical"].as_bool().unwrap_or(false),
        "preferenceSettings": body.get("preferenceSettings").filter(|value| value.is_object()).cloned()
            .unwrap_or(json!({ "email": true, "sms": true, "in_app": true, "chat": true, "push": true })),
        "tags": body.get("tags").filter(|value| value.is_array()).cloned().unwrap_or(json!([])),
        "steps": steps,
        "triggers": [],
        "_notificationGroupId": group_id,
        "_organizationId": caller.organization_id,
        "_environmentId": caller.environment_id,
        "_creatorId": super::creator_id(transaction, caller)?,
        "deleted": false,
        "createdAt": now,
        "updatedAt": now,
    });
    if let Some(data) = body.get("data").filter(|data| data.is_object()) {
        workflow["data"] = data.clone();
    }
    workflow["triggers"] = triggers(&identifier, &workflow["steps"]);
    transaction.execute(
        "INSERT INTO workflows (id, environment_id, trigger_identifier, name, created_at, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            workflow["_id"].as_str(),
            caller.environment_id,
            identifier,
            workflow["name"].as_str(),
            now,
            workflow.to_string()
        ],
    )?;
    super::changes::record_write(
        transaction,
        caller,
        "NotificationTemplate",
        &json!({}),
        &workflow,
    )?;
    with_group(transaction, workflow)
}

/// By `_id` when the value is shaped like one, else by trigger identifier.
pub(crate) fn get(
    transaction: &Transaction,
    caller: &Caller,
    id_or_identifier: &str,
) -> Outcome<Value> {
    let found = if is_object_id(id_or_identifier) {
        find(transaction, caller, id_or_identifier)?
    } else {
        find_by_trigger(transaction, caller, id_or_identifier)?
    };
    let workflow = found.ok_or_else(|| template_not_found(id_or_identifier))?;
    with_group(transaction, workflow)
}

/// Applies the fields present in the raw body.
pub(crate) fn update(
    transaction: &Transaction,
    caller: &Caller,
    id: &str,
    body: Value,
) -> Outcome<Value> {
    let mut workflow = find(transaction, caller, id)?.ok_or_else(|| {
        Failure::not_found(format!("Notification template with id {id} not found"))
    })?;
    let before = workflow.clone();
    let fields = body.as_object().cloned().unwrap_or_default();
    let given = |key: &str| fields.get(key).filter(|value| !value.is_null()).cloned();
    let updatable = [
        "name",
        "tags",
        "description",
        "identifier",
        "steps",
        "notificationGroupId",
        "critical",
        "preferenceSettings",
        "data",
    ];
    if !updatable.iter().any(|key| given(key).is_some()) {
        return Err(Failure::bad_request("No properties found for update"));
    }
    let mut identifier = workflow["triggers"][0]["identifier"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if let Some(renamed) = given("identifier").as_ref().and_then(Value::as_str)
        && renamed != identifier
    {
        if find_by_trigger(transaction, caller, renamed)?.is_some() {
            return Err(Failure::bad_request(format!(
                "Workflow with identifier {renamed} already exists"
            )));
        }
        identifier = renamed.to_owned();
    }
    // Novu's update means to look the group up but never waits for the answer, so any id is
    // stored as given.
    if let Some(group_id) = given("notificationGroupId") {
        workflow["_notificationGroupId"] = group_id;
    }
    if let Some(mut steps) = given("steps") {
        keep_stored_types(&workflow["steps"], &mut steps)?;
        assign_layouts(transaction, caller, &workflow["steps"], &mut steps)?;
        workflow["steps"] = prepared_steps(&steps, Templates::Named)?;
    }
    // Novu keeps the name when the given one is empty.
    if let Some(name) = given("name").filter(|name| name != "") {
        workflow["name"] = name;
    }
    for key in [
        "tags",
        "description",
        "critical",
        "preferenceSettings",
        "data",
    ] {
        if let Some(value) = given(key) {
            workflow[key] = value;
        }
    }
    workflow["triggers"] = triggers(&identifier, &workflow["steps"]);
    workflow["updatedAt"] = json!(ids::now());
    save(transaction, &workflow)?;
    super::changes::record_write(
        transaction,
        caller,
        "NotificationTemplate",
        &before,
        &workflow,
    )?;
    with_group(transaction, workflow)
}

/// Soft-deletes the workflow.
pub(crate) fn delete(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    let mut workflow = find(transaction, caller, id)?
        .ok_or_else(|| Failure::bad_request(format!("Could not find workflow with id {id}")))?;
    let before = workflow.clone();
    workflow["deleted"] = json!(true);
    workflow["deletedAt"] = json!(ids::now());
    workflow["deletedBy"] = super::creator_id(transaction, caller)?;
    save(transaction, &workflow)?;
    super::changes::record_write(
        transaction,
        caller,
        "NotificationTemplate",
        &before,
        &workflow,
    )?;
    Ok(json!(true))
}

pub(crate) fn update_status(
    transaction: &Transaction,
    caller: &Caller,
    id: &str,
    active: bool,
) -> Outcome<Value> {
    super::require_development(transaction, caller)?;
    let mut workflow = find(transaction, caller, id)?.ok_or_else(|| template_not_found(id))?;
    if workflow["active"] == active {
        return Err(Failure::bad_request(
            "You must provide a different status from the current status",
        ));
    }
    let before = workflow.clone();
    workflow["active"] = json!(active);
    workflow["draft"] = json!(!active);
    workflow["updatedAt"] = json!(ids::now());
    save(transaction, &workflow)?;
    super::changes::record_write(
        transaction,
        caller,
        "NotificationTemplate",
        &before,
        &workflow,
    )?;
    with_group(transaction, workflow)
}

/// Steps with `_id` and `_templateId` as [`assign_ids`] gives them (a `uuid` is kept as given:
/// Novu makes none), each chained to the one before it by `_parentId` (the first's is `null`),
/// as the variants of each step are; every variant needs conditions, and a call to action's
/// `action` may not be the empty string.
fn prepared_steps(given: &Value, templates: Templates) -> Outcome<Value> {
    let mut steps = given.as_array().cloned().unwrap_or_default();
    for step in &mut steps {
        // Novu checks the call to action when it creates a step's message template: for a new
        // step (one without `_templateId`) and each of its variants.
        let variants = step["variants"].as_array().into_iter().flatten();
        let mut new_templates = std::iter::once(&*step)
            .chain(variants)
            .filter(|step| {
                templates == Templates::New
                    || step["_templateId"].as_str().is_none_or(str::is_empty)
            })
            .map(|step| &step["template"]);
        if new_templates.any(|template| template["cta"]["action"] == "") {
            return Err(Failure::bad_request("Please provide a valid CTA action"));
        }
        if let Some(variants) = step["variants"].as_array() {
            for variant in variants {
                if variant["filters"].as_array().is_none_or(Vec::is_empty) {
                    return Err(Failure::bad_request(format!(
                        "Variant conditions are required, variant name {} id {}",
                        javascript_text(&variant["name"]),
                        javascript_text(&variant["_id"])
                    )));
                }
            }
        }
        if templates == Templates::New {
            forget_templates(step);
        }
        assign_ids(step);
        if let Some(variants) = step.get_mut("variants").and_then(Value::as_array_mut) {
            variants.iter_mut().for_each(assign_ids);
            chain_parents(variants);
        }
    }
    chain_parents(&mut steps);
    Ok(Value::Array(steps))
}

/// Whether the steps' message templates are all new (a workflow's creation: Novu ignores the
/// ids given) or those a step names by `_templateId` are stored ones (an update).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Templates {
    New,
    Named,
}

/// Removes the ids given with `step` and its variants.
fn forget_templates(step: &mut Value) {
    let variants = step.get_mut("variants").and_then(Value::as_array_mut);
    for variant in variants.into_iter().flatten() {
        forget_templates(variant);
    }
    if let Some(fields) = step.as_object_mut() {
        fields.remove("_id");
        fields.remove("_templateId");
    }
}

/// Gives each step of an update that names a stored step's message template (`_templateId`)
/// that template's type, as Novu's update of a message template never changes its type, so a
/// step may leave `template.type` out (a new step may not: the router refuses it). A step that
/// names no stored template gets Novu's 404 for the template it cannot find, with or without a
/// type.
fn keep_stored_types(stored: &Value, steps: &mut Value) -> Outcome<()> {
    let stored_type = |template_id: &str| {
        steps_and_variants(stored)
            .find(|step| step["_templateId"] == template_id)
            .map(|step| step["template"]["type"].clone())
            .filter(|kind| !kind.is_null())
    };
    for step in steps.as_array_mut().into_iter().flatten() {
        keep_stored_type(&stored_type, step)?;
        for variant in step
            .get_mut("variants")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            keep_stored_type(&stored_type, variant)?;
        }
    }
    Ok(())
}

/// What [`keep_stored_types`] does to one step or variant; `stored_type` answers the type of a
/// stored template, `None` when there is none.
fn keep_stored_type(stored_type: &dyn Fn(&str) -> Option<Value>, step: &mut Value) -> Outcome<()> {
    // An empty `_templateId` names no template: Novu makes a new one, as the router required
    // its type.
    let Some(template_id) = step["_templateId"].as_str().filter(|id| !id.is_empty()) else {
        return Ok(());
    };
    let Some(kind) = stored_type(template_id) else {
        return Err(Failure::not_found(format!(
            "Message template with id {template_id} not found"
        )));
    };
    if let Some(template) = step
        .get_mut("template")
        .filter(|template| template.is_object())
    {
        template["type"] = kind;
    }
    Ok(())
}

/// Gives each step's and variant's template the `_layoutId` Novu's message template use cases
/// store: the `layoutId` it names; else, for a step naming a stored template by `_templateId`,
/// that template's (Novu's update leaves it); else, for a new email template, the
/// environment's default layout, which Novu's worker wraps the email in; else none.
fn assign_layouts(
    transaction: &Transaction,
    caller: &Caller,
    stored: &Value,
    steps: &mut Value,
) -> Outcome<()> {
    let stored_templates: Vec<&Value> = steps_and_variants(stored).collect();
    let mut default_layout = None;
    for step in steps.as_array_mut().into_iter().flatten() {
        let variants = step
            .get_mut("variants")
            .and_then(Value::as_array_mut)
            .map(std::mem::take);
        let mut items = vec![&mut *step];
        let mut variants = variants.unwrap_or_default();
        items.extend(variants.iter_mut());
        for item in items {
            let stored_layout = item["_templateId"]
                .as_str()
                .filter(|id| !id.is_empty())
                .and_then(|id| {
                    stored_templates
                        .iter()
                        .find(|stored| stored["_templateId"] == id)
                })
                .map(|stored| stored["template"]["_layoutId"].clone());
            let Some(template) = item.get_mut("template").and_then(Value::as_object_mut) else {
                continue;
            };
            let named = template
                .get("layoutId")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(|id| json!(id));
            let layout = match (named, stored_layout) {
                (Some(named), _) => named,
                (None, Some(stored)) => stored,
                (None, None) if template.get("type").and_then(Value::as_str) == Some("email") => {
                    if default_layout.is_none() {
                        default_layout = Some(super::layouts::default_id(transaction, caller)?);
                    }
                    default_layout
                        .clone()
                        .flatten()
                        .map_or(Value::Null, Value::from)
                }
                (None, None) => Value::Null,
            };
            if layout.is_string() {
                template.insert("_layoutId".into(), layout);
            } else {
                template.remove("_layoutId");
            }
        }
        if !variants.is_empty() {
            step["variants"] = Value::Array(variants);
        }
    }
    Ok(())
}

/// Each of `steps`, followed by its variants.
fn steps_and_variants(steps: &Value) -> impl Iterator<Item = &Value> {
    steps.as_array().into_iter().flatten().flat_map(|step| {
        let variants = step["variants"].as_array().into_iter().flatten();
        std::iter::once(step).chain(variants)
    })
}

/// Sets each item's `_parentId` to the `_id` of the one before it, the first's to `null`.
fn chain_parents(items: &mut [Value]) {
    let mut parent = Value::Null;
    for item in items {
        item["_parentId"] = parent;
        parent = item["_id"].clone();
    }
}

/// A step (or variant) is stored under the id of its message template, as Novu stores it: the
/// one it names (`_templateId`, an update's stored template) or a new one; whatever `_id` it
/// was given is replaced.
fn assign_ids(step: &mut Value) {
    let Some(fields) = step.as_object_mut() else {
        return;
    };
    let template_id = match fields.get("_templateId").and_then(Value::as_str) {
        Some(named) if !named.is_empty() => named.to_owned(),
        _ => ids::object_id(),
    };
    if let Some(template) = fields.get_mut("template").and_then(Value::as_object_mut) {
        template.insert("_id".into(), json!(template_id));
    }
    fields.insert("_id".into(), json!(template_id));
    fields.insert("_templateId".into(), json!(template_id));
    fields.entry("filters").or_insert(json!([]));
    // A message template is active unless it says otherwise, as Novu stores it.
    if let Some(template) = fields.get_mut("template").and_then(Value::as_object_mut) {
        template.entry("active").or_insert(json!(true));
    }
    // Novu's stored steps always hold a reply callback, empty unless one was given.
    if !fields.get("replyCallback").is_some_and(Value::is_object) {
        fields.insert("replyCallback".into(), json!({}));
    }
}

/// The single event trigger, with the payload variables the step templates use.
fn triggers(identifier: &str, steps: &Value) -> Value {
    let mut names: Vec<String> = Vec::new();
    let mut texts = Vec::new();
    for step in steps.as_array().into_iter().flatten() {
        collect_text(&step["template"], &mut texts);
    }
    for text in texts {
        for name in template_variables(&text) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let variables: Vec<Value> = names
        .into_iter()
        .map(|name| json!({ "name": name }))
        .collect();
    json!([{
        "type": "event",
        "identifier": identifier,
        "variables": variables,
        "subscriberVariables": [],
        "reservedVariables": [],
    }])
}

fn collect_text(value: &Value, texts: &mut Vec<String>) {
    match value {
        Value::String(text) => texts.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| collect_text(item, texts)),
        Value::Object(fields) => fields.values().for_each(|item| collect_text(item, texts)),
        _ => {}
    }
}

/// The `{{name}}` references of a template that are not system variables.
fn template_variables(text: &str) -> Vec<String> {
    const SYSTEM: [&str; 4] = ["subscriber", "step", "branding", "tenant"];
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find("}}") else {
            break;
        };
        let inner = rest[..end].trim_matches(|c: char| c == '{' || c.is_whitespace());
        rest = &rest[end + 2..];
        let valid = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let root = inner.split('.').next().unwrap_or_default();
        if valid && !SYSTEM.contains(&root) && inner != "body" {
            found.push(inner.strip_prefix("payload.").unwrap_or(inner).to_owned());
        }
    }
    found
}

/// The stored workflow with its `notificationGroup` filled in.
fn with_group(transaction: &Transaction, mut workflow: Value) -> Outcome<Value> {
    let group = first_document(
        transaction,
        "SELECT doc FROM notification_groups WHERE id = ?1",
        [workflow["_notificationGroupId"]
            .as_str()
            .unwrap_or_default()],
    )?;
    if let Some(group) = group {
        workflow["notificationGroup"] = group;
    }
    Ok(workflow)
}

fn save(transaction: &Transaction, workflow: &Value) -> Outcome<()> {
    transaction.execute(
        "UPDATE workflows SET trigger_identifier = ?2, name = ?3, deleted = ?4, doc = ?5 WHERE id = ?1",
        params![
            workflow["_id"].as_str(),
            workflow["triggers"][0]["identifier"].as_str(),
            workflow["name"].as_str(),
            workflow["deleted"].as_bool().unwrap_or(false),
            workflow.to_string()
        ],
    )?;
    Ok(())
}

fn find(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM workflows WHERE id = ?1 AND environment_id = ?2 AND deleted = 0",
        params![id, caller.environment_id],
    )
}

fn find_by_trigger(
    transaction: &Transaction,
    caller: &Caller,
    identifier: &str,
) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM workflows WHERE trigger_identifier = ?1 AND environment_id = ?2 AND deleted = 0",
        params![identifier, caller.environment_id],
    )
}

fn is_object_id(text: &str) -> bool {
    text.len() == 24 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// How JavaScript writes a value into a template string (`undefined` when missing).
fn javascript_text(value: &Value) -> String {
    match value {
        Value::Null => "undefined".to_owned(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn template_not_found(id: &str) -> Failure {
    Failure::not_found(format!("Template with id {id} not found"))
}
