//! The preferences rule a trigger applies before it sends on a channel ([`channel_allowed`]):
//! critical workflows, the subscriber's global and per-workflow switches, the tenant's
//! workflow override and the workflow's own settings, in that order.

use rusqlite::{Transaction, params};
use serde_json::Value;

use crate::caller::Caller;
use crate::failure::Outcome;
use crate::store::{documents, first_document};

/// Whether a trigger of `workflow` may reach `subscriber` on `channel`.
///
/// Precedence, first match wins:
/// 1. a `critical` workflow is always allowed;
/// 2. the subscriber's global preference turns the channel off (`enabled: false`, or the
///    channel's switch `false`);
/// 3. the subscriber's preference for this workflow turns it off the same way;
/// 4. with a tenant, an active workflow override for (workflow, tenant) that names the channel
///    in its `preferenceSettings` turns it on or off;
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
    if stored_preference(transaction, &subscriber_key, None)?
        .is_some_and(|global| turns_off(&global))
    {
        return Ok(false);
    }
    if stored_preference(transaction, &subscriber_key, Some(&workflow_id))?
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
        // Novu reads the override's settings after the workflow's: a channel the override
        // names is on or off as it says, whatever the workflow says.
        let decided = overrides
            .iter()
            .filter(|workflow_override| workflow_override["active"] == true)
            .find_map(|workflow_override| {
                workflow_override["preferenceSettings"][channel].as_bool()
            });
        if let Some(allowed) = decided {
            return Ok(allowed);
        }
    }
    Ok(workflow["preferenceSettings"][channel] != false)
}

/// The stored preference of a subscriber (by database id): global when `workflow_id` is `None`.
pub(crate) fn stored_preference(
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

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ids;

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
        let preference =
            json!({ "_id": ids::object_id(), "enabled": enabled, "channels": channels });
        transaction
            .execute(
                "INSERT INTO subscriber_preferences (id, environment_id, subscriber_id, template_id, doc) VALUES (?1, 'e', 's1', ?2, ?3)",
                params![preference["_id"].as_str(), workflow_id, preference.to_string()],
            )
            .unwrap();
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
    fn an_override_turns_on_a_channel_the_workflow_turns_off() {
        let mut connection = crate::store::test_connection();
        let transaction = connection.transaction().unwrap();
        let workflow = workflow(false, json!({ "in_app": false }));
        store_override(&transaction, "t1", true, json!({ "in_app": true }));
        let tenant = json!({ "_id": "t1" });
        assert!(allowed(&transaction, &workflow, Some(&tenant), "in_app"));
        assert!(!allowed(&transaction, &workflow, None, "in_app"));
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
