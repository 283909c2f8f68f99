//! Subscriber preferences: a global switch per subscriber and one per (subscriber, workflow),
//! each with per-channel switches. The rule a trigger applies to them before it sends on a
//! channel is the engine's (`engine::preferences`).

use rusqlite::{Transaction, params};
use serde_json::{Map, Value, json};

use super::{Caller, subscribers};
use crate::engine::stored_preference as stored;
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// The channels a preference can switch, in Novu's order.
const CHANNELS: [&str; 5] = ["email", "sms", "in_app", "chat", "push"];

/// The subscriber's preference for every active, non-critical workflow of the environment.
pub(crate) fn list(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
) -> Outcome<Value> {
    let subscriber = subscribers::find(transaction, caller, subscriber_id)?.ok_or_else(|| {
        Failure::not_found(format!("Subscriber with id: {subscriber_id} not found"))
    })?;
    let workflows = documents(
        transaction,
        "SELECT doc FROM workflows WHERE environment_id = ?1 AND deleted = 0 ORDER BY rowid",
        [&caller.environment_id],
    )?;
    let mut preferences = Vec::new();
    for workflow in workflows
        .iter()
        .filter(|workflow| workflow["active"] == true)
    {
        let preference = workflow_preference(transaction, &subscriber, workflow)?;
        if preference["template"]["critical"] == false {
            preferences.push(preference);
        }
    }
    Ok(Value::Array(preferences))
}

/// `global`: a one-element list with the global preference; `template`: as [`list`].
pub(crate) fn by_level(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    level: &str,
) -> Outcome<Value> {
    if level == "global" {
        let subscriber = subscribers::find(transaction, caller, subscriber_id)?
            .ok_or_else(|| Failure::bad_request(format!("Subscriber {subscriber_id} not found")))?;
        return Ok(json!([global_preference(transaction, &subscriber)?]));
    }
    list(transaction, caller, subscriber_id)
}

/// Sets the subscriber's switch for one workflow (and one channel of it), creating the stored
/// preference on the first write.
pub(crate) fn update(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    workflow_id: &str,
    body: &Value,
) -> Outcome<Value> {
    let subscriber = subscribers::find(transaction, caller, subscriber_id)?
        .ok_or_else(|| Failure::not_found("Subscriber not found"))?;
    let subscriber_key = text(&subscriber["_id"]);
    let enabled = body.get("enabled").and_then(Value::as_bool);
    let channel = body
        .get("channel")
        .filter(|channel| channel.is_object())
        .map(|channel| {
            (
                text(&channel["type"]),
                channel["enabled"].as_bool() == Some(true),
            )
        });
    let mut preference = match stored(transaction, &subscriber_key, Some(workflow_id))? {
        Some(existing) => {
            if enabled.is_none() && channel.is_none() {
                return Err(Failure::bad_request(
                    "In order to make an update you need to provider channel or enabled",
                ));
            }
            existing
        }
        None => {
            let mut preference = new_preference(caller, &subscriber_key, Some(workflow_id));
            preference["enabled"] = json!(enabled != Some(false));
            insert(transaction, &preference)?;
            preference
        }
    };
    if let Some(enabled) = enabled {
        preference["enabled"] = json!(enabled);
    }
    if let Some((channel, on)) = channel {
        preference["channels"][channel.as_str()] = json!(on);
    }
    preference["updatedAt"] = json!(ids::now());
    save(transaction, &preference)?;
    let workflow = first_document(
        transaction,
        "SELECT doc FROM workflows WHERE id = ?1 AND environment_id = ?2 AND deleted = 0",
        params![workflow_id, caller.environment_id],
    )?
    .ok_or_else(|| Failure::not_found(format!("Template with id {workflow_id} is not found")))?;
    workflow_preference(transaction, &subscriber, &workflow)
}

/// Sets the subscriber's global switch and channel switches; answers `{preference}`.
pub(crate) fn update_global(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    body: &Value,
) -> Outcome<Value> {
    let subscriber = subscribers::find(transaction, caller, subscriber_id)?
        .ok_or_else(|| Failure::not_found("Subscriber not found"))?;
    let subscriber_key = text(&subscriber["_id"]);
    let mut preference = match stored(transaction, &subscriber_key, None)? {
        Some(existing) => existing,
        None => {
            let preference = new_preference(caller, &subscriber_key, None);
            insert(transaction, &preference)?;
            preference
        }
    };
    if let Some(enabled) = body.get("enabled").and_then(Value::as_bool) {
        preference["enabled"] = json!(enabled);
    }
    for channel in body["preferences"].as_array().into_iter().flatten() {
        if let (Some(kind), Some(on)) = (channel["type"].as_str(), channel["enabled"].as_bool()) {
            preference["channels"][kind] = json!(on);
        }
    }
    preference["updatedAt"] = json!(ids::now());
    save(transaction, &preference)?;
    global_preference(transaction, &subscriber)
}

/// The global preference as Novu answers it: every channel on unless the subscriber's global
/// switches say otherwise.
fn global_preference(transaction: &Transaction, subscriber: &Value) -> Outcome<Value> {
    let stored = stored(transaction, &text(&subscriber["_id"]), None)?;
    let mut channels: Map<String, Value> = CHANNELS
        .iter()
        .map(|channel| ((*channel).to_owned(), json!(true)))
        .collect();
    if let Some(stored_channels) = stored
        .as_ref()
        .and_then(|stored| stored["channels"].as_object())
    {
        for (channel, on) in stored_channels {
            channels.insert(channel.clone(), on.clone());
        }
    }
    let enabled = stored.map_or(json!(true), |stored| stored["enabled"].clone());
    Ok(json!({ "preference": { "enabled": enabled, "channels": channels } }))
}

/// The subscriber's preference for one workflow: the channels of its active steps, decided by
/// the workflow's settings and then the subscriber's switches, with `overrides` naming the
/// layer that decided each channel.
fn workflow_preference(
    transaction: &Transaction,
    subscriber: &Value,
    workflow: &Value,
) -> Outcome<Value> {
    let stored = stored(
        transaction,
        &text(&subscriber["_id"]),
        Some(&text(&workflow["_id"])),
    )?;
    let used = step_channels(workflow);
    let mut channels = Map::new();
    for channel in CHANNELS
        .iter()
        .filter(|channel| used.contains(&(**channel).to_owned()))
    {
        channels.insert((*channel).to_owned(), json!(true));
    }
    let mut overrides: Vec<Value> = Vec::new();
    let sources = [
        ("template", workflow["preferenceSettings"].clone()),
        (
            "subscriber",
            stored
                .as_ref()
                .map_or(Value::Null, |stored| stored["channels"].clone()),
        ),
    ];
    for (source, settings) in sources {
        for (channel, on) in settings.as_object().into_iter().flatten() {
            if !channels.get(channel).is_some_and(Value::is_boolean) {
                continue;
            }
            channels.insert(channel.clone(), on.clone());
            let reason = json!({ "channel": channel, "source": source });
            match overrides
                .iter()
                .position(|reason| reason["channel"] == channel.as_str())
            {
                Some(index) => overrides[index] = reason,
                None => overrides.push(reason),
            }
        }
    }
    let mut template = json!({
        "_id": workflow["_id"],
        "name": workflow["name"],
        "tags": workflow.get("tags").filter(|tags| tags.is_array()).cloned().unwrap_or(json!([])),
        "critical": workflow.get("critical").filter(|critical| critical.is_boolean()).cloned().unwrap_or(json!(true)),
        "triggers": workflow["triggers"],
    });
    if let Some(data) = workflow.get("data").filter(|data| data.is_object()) {
        template["data"] = data.clone();
    }
    Ok(json!({
        "template": template,
        "preference": {
            "enabled": stored.map_or(json!(true), |stored| stored["enabled"].clone()),
            "channels": channels,
            "overrides": overrides,
        },
    }))
}

/// The channels of a workflow's active steps, each once.
fn step_channels(workflow: &Value) -> Vec<String> {
    let mut channels = Vec::new();
    for step in workflow["steps"].as_array().into_iter().flatten() {
        if step["active"] == false {
            continue;
        }
        if let Some(kind) = step["template"]["type"].as_str()
            && !channels.iter().any(|channel| channel == kind)
        {
            channels.push(kind.to_owned());
        }
    }
    channels
}

fn new_preference(caller: &Caller, subscriber_key: &str, workflow_id: Option<&str>) -> Value {
    let now = ids::now();
    let mut preference = json!({
        "_id": ids::object_id(),
        "_organizationId": caller.organization_id,
        "_environmentId": caller.environment_id,
        "_subscriberId": subscriber_key,
        "level": if workflow_id.is_some() { "template" } else { "global" },
        "enabled": true,
        "channels": {},
        "createdAt": now,
        "updatedAt": now,
    });
    if let Some(workflow_id) = workflow_id {
        preference["_templateId"] = json!(workflow_id);
    }
    preference
}

fn insert(transaction: &Transaction, preference: &Value) -> Outcome<()> {
    transaction.execute(
        "INSERT INTO subscriber_preferences (id, environment_id, subscriber_id, template_id, doc) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            preference["_id"].as_str(),
            preference["_environmentId"].as_str(),
            preference["_subscriberId"].as_str(),
            preference["_templateId"].as_str(),
            preference.to_string()
        ],
    )?;
    Ok(())
}

fn save(transaction: &Transaction, preference: &Value) -> Outcome<()> {
    transaction.execute(
        "UPDATE subscriber_preferences SET doc = ?2 WHERE id = ?1",
        params![preference["_id"].as_str(), preference.to_string()],
    )?;
    Ok(())
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}
