//! Subscriber preferences: a global switch per subscriber and one per (subscriber, workflow),
//! each with per-channel switches; and [`channel_allowed`], the rule the trigger engine asks
//! before it sends on a channel.

use rusqlite::{Transaction, params};
use serde_json::{Map, Value, json};

use super::{Caller, subscribers};
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

/// Whether a trigger of `workflow` may reach `subscriber` on `channel`.
///
/// Precedence, first match wins:
/// 1. a `critical` workflow is always allowed;
/// 2. the subscriber's global preference turns the channel off (`enabled: false`, or the
///    channel's switch `false`);
/// 3. the subscriber's preference for this workflow turns it off the same way;
/// 4. with a tenant, an active workflow override for (workflow, tenant) has the channel `false`
///    in its `preferenceSettings`;
/// 5. otherwise the workflow's own `preferenceSettings` decide, a missing channel meaning on.
pub(crate) fn channel_allowed(
    transaction: &rusqlite::Transaction,
    caller: &Caller,
    subscriber: &serde_json::Value,
    workflow: &serde_json::Value,
    tenant: Option<&serde_json::Value>,
    channel: &str,
) -> Outcome<bool> {
    if workflow["critical"] == true {
        return Ok(true);
    }
    let turns_off = |preference: &Value| {
        preference["enabled"] == false || preference["channels"][channel] == false
    };
    let subscriber_key = text(&subscriber["_id"]);
    let workflow_id = text(&workflow["_id"]);
    if stored(transaction, &subscriber_key, None)?.is_some_and(|global| turns_off(&global)) {
        return Ok(false);
    }
    if stored(transaction, &subscriber_key, Some(&workflow_id))?
        .is_some_and(|preference| turns_off(&preference))
    {
        return Ok(false);
    }
    if let Some(tenant) = tenant {
        let overrides = documents(
            transaction,
            "SELECT doc FROM workflow_overrides WHERE environment_id = ?1 AND workflow_id = ?2 \
             AND tenant_id = ?3 AND deleted = 0",
            params![caller.environment_id, workflow_id, text(&tenant["_id"])],
        )?;
        if overrides.iter().any(|workflow_override| {
            workflow_override["active"] == true
                && workflow_override["preferenceSettings"][channel] == false
        }) {
            return Ok(false);
        }
    }
    Ok(workflow["preferenceSettings"][channel] != false)
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

/// The stored preference of a subscriber (by database id): global when `workflow_id` is `None`.
fn stored(
    transaction: &Transaction,
    subscriber_key: &str,
    workflow_id: Option<&str>,
) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM subscriber_preferences WHERE subscriber_id = ?1 AND template_id IS ?2",
        params![subscriber_key, workflow_id],
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> Caller {
        Caller {
            organization_id: "o".into(),
            environment_id: "e".into(),
        }
    }

    fn workflow(critical: bool, settings: Value) -> Value {
        json!({ "_id": "w1", "critical": critical, "preferenceSettings": settings })
    }

    fn store_preference(
        transaction: &Transaction,
        workflow_id: Option<&str>,
        enabled: bool,
        channels: Value,
    ) {
        let mut preference = new_preference(&caller(), "s1", workflow_id);
        preference["enabled"] = json!(enabled);
        preference["channels"] = channels;
        insert(transaction, &preference).unwrap();
    }

    fn store_override(transaction: &Transaction, tenant_id: &str, active: bool, settings: Value) {
        let document =
            json!({ "_id": ids::object_id(), "active": active, "preferenceSettings": settings });
        transaction
            .execute(
                "INSERT INTO workflow_overrides (id, environment_id, workflow_id, tenant_id, doc) VALUES (?1, 'e', 'w1', ?2, ?3)",
                params![document["_id"].as_str(), tenant_id, document.to_string()],
            )
            .unwrap();
    }

    fn allowed(
        transaction: &Transaction,
        workflow: &Value,
        tenant: Option<&Value>,
        channel: &str,
    ) -> bool {
        channel_allowed(
            transaction,
            &caller(),
            &json!({ "_id": "s1" }),
            workflow,
            tenant,
            channel,
        )
        .unwrap()
    }

    #[test]
    fn workflow_settings_decide_when_nothing_else_does() {
        let mut connection = crate::store::test_connection();
        let transaction = connection.transaction().unwrap();
        let workflow = workflow(false, json!({ "email": false }));
        assert!(!allowed(&transaction, &workflow, None, "email"));
        assert!(
            allowed(&transaction, &workflow, None, "sms"),
            "a missing channel means on"
        );
    }

    #[test]
    fn global_preference_turns_channels_off() {
        let mut connection = crate::store::test_connection();
        let transaction = connection.transaction().unwrap();
        let workflow = workflow(false, json!({}));
        store_preference(&transaction, None, true, json!({ "sms": false }));
        assert!(!allowed(&transaction, &workflow, None, "sms"));
        assert!(allowed(&transaction, &workflow, None, "email"));
        transaction
            .execute(
                "UPDATE subscriber_preferences SET doc = json_set(doc, '$.enabled', json('false'))",
                [],
            )
            .unwrap();
        assert!(
            !allowed(&transaction, &workflow, None, "email"),
            "global enabled false turns everything off"
        );
    }

    #[test]
    fn workflow_preference_turns_channels_off() {
        let mut connection = crate::store::test_connection();
        let transaction = connection.transaction().unwrap();
        let workflow = workflow(false, json!({ "chat": true }));
        store_preference(&transaction, Some("w1"), true, json!({ "chat": false }));
        assert!(!allowed(&transaction, &workflow, None, "chat"));
        assert!(allowed(&transaction, &workflow, None, "push"));
        store_preference(&transaction, Some("other"), false, json!({}));
        assert!(
            allowed(&transaction, &workflow, None, "push"),
            "another workflow's switch does not count"
        );
    }

    #[test]
    fn override_turns_a_channel_off_for_its_tenant_only() {
        let mut connection = crate::store::test_connection();
        let transaction = connection.transaction().unwrap();
        let workflow = workflow(false, json!({ "email": true }));
        store_override(&transaction, "t1", true, json!({ "email": false }));
        store_override(&transaction, "t2", false, json!({ "email": false }));
        assert!(!allowed(
            &transaction,
            &workflow,
            Some(&json!({ "_id": "t1" })),
            "email"
        ));
        assert!(
            allowed(
                &transaction,
                &workflow,
                Some(&json!({ "_id": "t2" })),
                "email"
            ),
            "inactive override"
        );
        assert!(allowed(
            &transaction,
            &workflow,
            Some(&json!({ "_id": "t3" })),
            "email"
        ));
        assert!(allowed(&transaction, &workflow, None, "email"));
    }

    #[test]
    fn critical_workflows_win_over_every_switch() {
        let mut connection = crate::store::test_connection();
        let transaction = connection.transaction().unwrap();
        let workflow = workflow(true, json!({ "email": false }));
        store_preference(&transaction, None, false, json!({ "email": false }));
        store_preference(&transaction, Some("w1"), false, json!({ "email": false }));
        store_override(&transaction, "t1", true, json!({ "email": false }));
        assert!(allowed(
            &transaction,
            &workflow,
            Some(&json!({ "_id": "t1" })),
            "email"
        ));
    }
}
