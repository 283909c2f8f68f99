//! The scripts of the scenarios. Their data is fixed and every name starts with `nc-snap-` and
//! the scenario's name, so that transcripts are the same on every run and one scenario never
//! sees what another (or the rest of the run) made. Set-up and tear-down that are not the point
//! of a scenario are sent quietly: judged like any request, but left out of the transcript.
//! Each scenario first sweeps away what an interrupted earlier run may have left under its
//! names, so that a leftover never shows up as a behaviour difference.

use serde_json::{Value, json};

use super::play::{Keep, Script};

mod configuration;

use configuration::{
    changes, environments, execution_details, feeds, integrations, layouts, messages,
    organizations, tenants, workflow_groups,
};

/// Plays the scenario named `name`.
pub(super) async fn play(name: &str, script: &mut Script<'_>) {
    match name {
        "events" => events(script).await,
        "subscribers" => subscribers(script).await,
        "topics" => topics(script).await,
        "notifications" => notifications(script).await,
        "workflows" => workflows(script).await,
        "workflow-overrides" => workflow_overrides(script).await,
        "workflow-groups" => workflow_groups(script).await,
        "integrations" => integrations(script).await,
        "layouts" => layouts(script).await,
        "execution-details" => execution_details(script).await,
        "organizations" => organizations(script).await,
        "messages" => messages(script).await,
        "changes" => changes(script).await,
        "environments" => environments(script).await,
        "feeds" => feeds(script).await,
        "tenants" => tenants(script).await,
        _ => {}
    }
}

fn text(value: &Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        // Later steps then address a resource that does not exist, which the transcript shows.
        None => "nc-snap-missing".to_owned(),
    }
}

fn named<'a>(field: &'a str, prefix: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |item| {
        item.get(field)
            .and_then(Value::as_str)
            .is_some_and(|value| value.starts_with(prefix))
    }
}

/// Quietly deletes the items of `list` whose `field` starts with `prefix`, each by its `_id`
/// as `delete`'s `parameter`.
async fn sweep(
    script: &mut Script<'_>,
    list: &str,
    query: &[(&str, &str)],
    (field, prefix): (&str, &str),
    (delete, parameter): (&str, &str),
) {
    let listed = script.quiet(list, &[], query, None).await;
    let leftovers: Vec<String> = listed
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|item| named(field, prefix)(item))
        .filter_map(|item| item.get("_id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    for id in leftovers {
        script.quiet(delete, &[(parameter, &id)], &[], None).await;
    }
}

/// Sweeps the workflows and workflow groups named `prefix…`.
async fn sweep_workflows(script: &mut Script<'_>, prefix: &str) {
    sweep(
        script,
        "workflows_list",
        &[("query", prefix), ("limit", "100")],
        ("name", prefix),
        ("workflows_delete", "workflowId"),
    )
    .await;
    sweep(
        script,
        "workflow_groups_list",
        &[],
        ("name", prefix),
        ("workflow_groups_delete", "id"),
    )
    .await;
}

/// A workflow with one in-app step, in a group of its own.
struct InAppWorkflow {
    group: String,
    id: String,
    trigger: String,
}

async fn in_app_workflow(script: &mut Script<'_>, name: &str, recorded: bool) -> InAppWorkflow {
    let group_body = json!({"name": format!("{name} group")});
    let workflow_body = |group: &str| {
        json!({
            "name": name,
            "notificationGroupId": group,
            "active": true,
            "steps": [{
                "active": true,
                "template": {
                    "type": "in_app",
                    "content": "Hello {{subscriber.firstName}}, {{item}} is ready",
                },
            }],
        })
    };
    let group = if recorded {
        script
            .call("workflow_groups_create", &[], &[], Some(group_body))
            .await
    } else {
        script
            .quiet("workflow_groups_create", &[], &[], Some(group_body))
            .await
    };
    let group = text(&group, "/data/_id");
    let body = Some(workflow_body(&group));
    let workflow = if recorded {
        script.call("workflows_create", &[], &[], body).await
    } else {
        script.quiet("workflows_create", &[], &[], body).await
    };
    InAppWorkflow {
        group,
        id: text(&workflow, "/data/_id"),
        trigger: text(&workflow, "/data/triggers/0/identifier"),
    }
}

async fn remove_workflow(script: &mut Script<'_>, workflow: &InAppWorkflow) {
    script
        .quiet(
            "workflows_delete",
            &[("workflowId", &workflow.id)],
            &[],
            None,
        )
        .await;
    script
        .quiet(
            "workflow_groups_delete",
            &[("id", &workflow.group)],
            &[],
            None,
        )
        .await;
}

fn subscriber(subscriber_id: &str) -> Value {
    json!({
        "subscriberId": subscriber_id,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
    })
}

/// A quiet subscriber and in-app workflow, and one recorded trigger; returns the transaction.
async fn triggered(
    script: &mut Script<'_>,
    name: &str,
    subscriber_id: &str,
) -> (InAppWorkflow, String) {
    let workflow = in_app_workflow(script, name, false).await;
    script
        .quiet(
            "subscribers_create",
            &[],
            &[],
            Some(subscriber(subscriber_id)),
        )
        .await;
    let trigger = script
        .call(
            "events_trigger",
            &[],
            &[],
            Some(json!({
                "name": workflow.trigger,
                "to": subscriber_id,
                "payload": {"item": "the report"},
            })),
        )
        .await;
    let transaction = text(&trigger, "/data/transactionId");
    script
        .wait_for(
            "subscriber_notifications_feed",
            &[("subscriberId", subscriber_id)],
            &[],
            |feed| {
                feed.get("data")
                    .and_then(Value::as_array)
                    .is_some_and(|items| !items.is_empty())
            },
        )
        .await;
    (workflow, transaction)
}

async fn untrigger(script: &mut Script<'_>, workflow: &InAppWorkflow, subscriber_id: &str) {
    remove_workflow(script, workflow).await;
    script
        .quiet(
            "subscribers_delete",
            &[("subscriberId", subscriber_id)],
            &[],
            None,
        )
        .await;
}

async fn events(script: &mut Script<'_>) {
    const SUBSCRIBER: &str = "nc-snap-events-ada";
    sweep_workflows(script, "nc-snap-events").await;
    script
        .quiet(
            "subscribers_delete",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    let workflow = in_app_workflow(script, "nc-snap-events workflow", true).await;
    script
        .call("subscribers_create", &[], &[], Some(subscriber(SUBSCRIBER)))
        .await;
    let trigger = script
        .call(
            "events_trigger",
            &[],
            &[],
            Some(json!({
                "name": workflow.trigger,
                "to": SUBSCRIBER,
                "payload": {"item": "the report"},
            })),
        )
        .await;
    let transaction = text(&trigger, "/data/transactionId");
    let feed_has_items = |feed: &Value| {
        feed.get("data")
            .and_then(Value::as_array)
            .is_some_and(|items| !items.is_empty())
    };
    script
        .wait_for(
            "subscriber_notifications_feed",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            feed_has_items,
        )
        .await;
    let feed = script
        .call(
            "subscriber_notifications_feed",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    let message = text(&feed, "/data/0/_id");
    script
        .call(
            "subscriber_notifications_unseen_count",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    script
        .call(
            "subscriber_messages_mark_as",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            Some(json!({"messageId": message, "markAs": "read"})),
        )
        .await;
    script
        .call(
            "subscriber_notifications_unseen_count",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    // Nothing is delayed, so there is nothing to cancel.
    script
        .call(
            "events_cancel",
            &[("transactionId", &transaction)],
            &[],
            None,
        )
        .await;
    script
        .call(
            "workflows_delete",
            &[("workflowId", &workflow.id)],
            &[],
            None,
        )
        .await;
    script
        .quiet(
            "workflow_groups_delete",
            &[("id", &workflow.group)],
            &[],
            None,
        )
        .await;
    script
        .call(
            "subscribers_delete",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
}

async fn subscribers(script: &mut Script<'_>) {
    const SUBSCRIBER: &str = "nc-snap-subscribers-ada";
    script
        .quiet(
            "subscribers_delete",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    let id = [("subscriberId", SUBSCRIBER)];
    script
        .call(
            "subscribers_create",
            &[],
            &[],
            Some(json!({
                "subscriberId": SUBSCRIBER,
                "firstName": "Ada",
                "lastName": "Lovelace",
                "email": "ada@example.com",
                "locale": "en_GB",
                "data": {"team": "engines", "level": 3},
            })),
        )
        .await;
    script.call("subscribers_get", &id, &[], None).await;
    script
        .call(
            "subscribers_update",
            &id,
            &[],
            Some(json!({"lastName": "King", "phone": "+441234567890"})),
        )
        .await;
    script
        .call(
            "subscriber_online_status_update",
            &id,
            &[],
            Some(json!({"isOnline": true})),
        )
        .await;
    script.call("subscribers_delete", &id, &[], None).await;
    script.call("subscribers_get", &id, &[], None).await;
}

async fn topics(script: &mut Script<'_>) {
    const TOPIC: &str = "nc-snap-topics-readers";
    const SUBSCRIBER: &str = "nc-snap-topics-ada";
    script
        .quiet("topics_delete", &[("topicKey", TOPIC)], &[], None)
        .await;
    script
        .quiet(
            "subscribers_delete",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    let key = [("topicKey", TOPIC)];
    script
        .call(
            "topics_create",
            &[],
            &[],
            Some(json!({"key": TOPIC, "name": "Readers"})),
        )
        .await;
    script.call("topics_get", &key, &[], None).await;
    script
        .call(
            "topics_rename",
            &key,
            &[],
            Some(json!({"name": "Early readers"})),
        )
        .await;
    script
        .call("subscribers_create", &[], &[], Some(subscriber(SUBSCRIBER)))
        .await;
    script
        .call(
            "topic_subscribers_add",
            &key,
            &[],
            Some(json!({"subscribers": [SUBSCRIBER, "nc-snap-topics-nobody"]})),
        )
        .await;
    script
        .call(
            "topic_subscribers_get",
            &[("topicKey", TOPIC), ("externalSubscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    script
        .call("topics_list", &[], &[("key", TOPIC)], None)
        .await;
    script
        .call(
            "topic_subscribers_remove",
            &key,
            &[],
            Some(json!({"subscribers": [SUBSCRIBER]})),
        )
        .await;
    script
        .call(
            "topic_subscribers_get",
            &[("topicKey", TOPIC), ("externalSubscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    script.call("topics_delete", &key, &[], None).await;
    script.call("topics_get", &key, &[], None).await;
    script
        .call(
            "subscribers_delete",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
}

async fn notifications(script: &mut Script<'_>) {
    const SUBSCRIBER: &str = "nc-snap-notifications-ada";
    sweep_workflows(script, "nc-snap-notifications").await;
    script
        .quiet(
            "subscribers_delete",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    let (workflow, transaction) =
        triggered(script, "nc-snap-notifications workflow", SUBSCRIBER).await;
    let list = script
        .call(
            "notifications_list",
            &[],
            &[("transactionId", &transaction)],
            None,
        )
        .await;
    let notification = text(&list, "/data/0/_id");
    script
        .call(
            "notifications_get",
            &[("notificationId", &notification)],
            &[],
            None,
        )
        .await;
    untrigger(script, &workflow, SUBSCRIBER).await;
}

async fn workflows(script: &mut Script<'_>) {
    const NAME: &str = "nc-snap-workflows weekly digest";
    sweep_workflows(script, "nc-snap-workflows").await;
    let group = script
        .quiet(
            "workflow_groups_create",
            &[],
            &[],
            Some(json!({"name": "nc-snap-workflows group"})),
        )
        .await;
    let group = text(&group, "/data/_id");
    let created = script
        .call(
            "workflows_create",
            &[],
            &[],
            Some(json!({
                "name": NAME,
                "notificationGroupId": group,
                "description": "A weekly summary",
                "tags": ["weekly"],
                "active": true,
                "steps": [{
                    "active": true,
                    "template": {"type": "in_app", "content": "Your week: {{summary}}"},
                }],
            })),
        )
        .await;
    let workflow = text(&created, "/data/_id");
    let id = [("workflowId", workflow.as_str())];
    script.call("workflows_retrieve", &id, &[], None).await;
    script
        .call(
            "workflows_update",
            &id,
            &[],
            Some(json!({"description": "A weekly summary, on Mondays", "tags": ["weekly", "monday"]})),
        )
        .await;
    script
        .call(
            "workflow_status_update",
            &id,
            &[],
            Some(json!({"active": false})),
        )
        .await;
    script
        .filtered(
            "workflows_list",
            &[],
            &[("query", NAME)],
            Keep {
                pointer: "/data",
                describe: "workflows named nc-snap-workflows…",
                keep: &named("name", "nc-snap-workflows"),
            },
        )
        .await;
    script.call("workflows_delete", &id, &[], None).await;
    script.call("workflows_retrieve", &id, &[], None).await;
    script
        .quiet("workflow_groups_delete", &[("id", &group)], &[], None)
        .await;
}

async fn workflow_overrides(script: &mut Script<'_>) {
    const TENANT: &str = "nc-snap-overrides-acme";
    sweep_workflows(script, "nc-snap-overrides").await;
    script
        .quiet("tenants_delete", &[("identifier", TENANT)], &[], None)
        .await;
    let workflow = in_app_workflow(script, "nc-snap-overrides workflow", false).await;
    let tenant = script
        .quiet(
            "tenants_create",
            &[],
            &[],
            Some(json!({"identifier": TENANT, "name": "Acme"})),
        )
        .await;
    let tenant = text(&tenant, "/data/_id");
    let created = script
        .call(
            "workflow_overrides_create",
            &[],
            &[],
            Some(json!({
                "workflowId": workflow.id,
                "tenantId": tenant,
                "active": true,
                "preferenceSettings": {"email": false, "in_app": true},
            })),
        )
        .await;
    let override_id = text(&created, "/data/_id");
    let id = [("overrideId", override_id.as_str())];
    script
        .call("workflow_overrides_retrieve", &id, &[], None)
        .await;
    script
        .call(
            "workflow_overrides_update",
            &id,
            &[],
            Some(json!({"active": false})),
        )
        .await;
    script
        .call(
            "workflow_overrides_retrieve_by_tenant",
            &[("workflowId", &workflow.id), ("tenantId", &tenant)],
            &[],
            None,
        )
        .await;
    script
        .call("workflow_overrides_delete", &id, &[], None)
        .await;
    script
        .call("workflow_overrides_retrieve", &id, &[], None)
        .await;
    remove_workflow(script, &workflow).await;
    script
        .quiet("tenants_delete", &[("identifier", TENANT)], &[], None)
        .await;
}
