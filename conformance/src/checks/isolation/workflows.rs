//! Workflows, their overrides for a tenant, and the notifications and messages a trigger makes,
//! probed across environments.

use std::time::Duration;

use serde_json::{Value, json};

use super::probe::{GUARDED, NOT_FOUND, Probe, UNKNOWN, has, success_data};

/// How long the owner's in-app message may take to reach the feed.
const DELIVERY_POLLS: u32 = 50;
const DELIVERY_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// An active in-app workflow of the owner, in a group of its own.
struct Workflow {
    group: String,
    id: String,
    trigger: String,
}

/// A workflow of the owner (when its environment may make one): the other key reaches neither
/// it nor, through it, its overrides and the messages its trigger made.
pub(super) async fn workflows(probe: &Probe<'_>) {
    let Some(workflow) = make_workflow(probe).await else {
        return;
    };
    let path = [("workflowId", workflow.id.as_str())];
    if let Some(before) = probe.owner("workflows_retrieve", &path, None).await {
        probe_workflow(probe, &workflow, &before).await;
    }
    if probe.run.is_selected("workflow_overrides_create") {
        overrides(probe, &workflow).await;
    }
    if probe.run.is_selected("events_trigger") {
        messages(probe, &workflow).await;
    }
    probe.discard("workflows_delete", &path, None).await;
    probe
        .discard(
            "workflow_groups_delete",
            &[("id", workflow.group.as_str())],
            None,
        )
        .await;
}

async fn make_workflow(probe: &Probe<'_>) -> Option<Workflow> {
    let name = probe.name("workflow");
    let group = probe
        .owner(
            "workflow_groups_create",
            &[],
            Some(json!({"name": format!("{name} group")})),
        )
        .await?["_id"]
        .as_str()?
        .to_owned();
    let created = probe
        .owner(
            "workflows_create",
            &[],
            Some(json!({
                "name": name,
                "notificationGroupId": group,
                "active": true,
                "steps": [{
                    "active": true,
                    "template": {"type": "in_app", "content": "Hello {{subscriber.firstName}}"},
                }],
            })),
        )
        .await;
    let workflow = created.and_then(|data| {
        Some(Workflow {
            group: group.clone(),
            id: data["_id"].as_str()?.to_owned(),
            trigger: data.pointer("/triggers/0/identifier")?.as_str()?.to_owned(),
        })
    });
    if workflow.is_none() {
        // Refused (Novu makes workflows in Development only) or not understood.
        probe
            .discard("workflow_groups_delete", &[("id", group.as_str())], None)
            .await;
    }
    workflow
}

async fn probe_workflow(probe: &Probe<'_>, workflow: &Workflow, before: &Value) {
    let what = "a workflow";
    let path = [("workflowId", workflow.id.as_str())];
    let check = async |write| {
        probe
            .unchanged(write, "workflows_retrieve", &path, before, what)
            .await
    };
    probe
        .refused("workflows_retrieve", &path, None, NOT_FOUND, what)
        .await;
    probe
        .refused(
            "workflows_retrieve",
            &[("workflowId", workflow.trigger.as_str())],
            None,
            NOT_FOUND,
            what,
        )
        .await;
    probe
        .refused(
            "notification_templates_retrieve",
            &[("templateId", workflow.id.as_str())],
            None,
            NOT_FOUND,
            what,
        )
        .await;
    for list in ["workflows_list", "notification_templates_list"] {
        probe
            .unlisted(list, &[], |item| has(item, "_id", &workflow.id), what)
            .await;
    }
    let written = probe
        .refused(
            "workflows_update",
            &path,
            Some(json!({"name": format!("{} intruder", workflow.trigger)})),
            NOT_FOUND,
            what,
        )
        .await;
    check(written).await;
    let written = probe
        .refused(
            "workflow_status_update",
            &path,
            Some(json!({"active": false})),
            GUARDED,
            what,
        )
        .await;
    check(written).await;
    let written = probe
        .refused("workflows_delete", &path, None, GUARDED, what)
        .await;
    check(written).await;
}

/// An override of the owner's workflow for one of its tenants.
async fn overrides(probe: &Probe<'_>, workflow: &Workflow) {
    let identifier = probe.name("override-tenant");
    let tenant_path = [("identifier", identifier.as_str())];
    let tenant = probe
        .owner(
            "tenants_create",
            &[],
            Some(json!({"identifier": identifier, "name": "Owner"})),
        )
        .await
        .and_then(|data| data["_id"].as_str().map(str::to_owned));
    let made = match &tenant {
        Some(tenant) => probe
            .owner(
                "workflow_overrides_create",
                &[],
                Some(json!({"workflowId": workflow.id, "tenantId": tenant, "active": true})),
            )
            .await
            .and_then(|data| data["_id"].as_str().map(str::to_owned)),
        None => None,
    };
    if let (Some(tenant), Some(id)) = (&tenant, &made) {
        let path = [("overrideId", id.as_str())];
        if let Some(before) = probe
            .owner("workflow_overrides_retrieve", &path, None)
            .await
        {
            probe_override(probe, workflow, tenant, id, &before).await;
        }
        probe
            .discard("workflow_overrides_delete", &path, None)
            .await;
    }
    probe.discard("tenants_delete", &tenant_path, None).await;
}

async fn probe_override(
    probe: &Probe<'_>,
    workflow: &Workflow,
    tenant: &str,
    id: &str,
    before: &Value,
) {
    let what = "a workflow override";
    let path = [("overrideId", id)];
    let by_tenant = [("workflowId", workflow.id.as_str()), ("tenantId", tenant)];
    let check = async |write| {
        probe
            .unchanged(write, "workflow_overrides_retrieve", &path, before, what)
            .await
    };
    probe
        .refused("workflow_overrides_retrieve", &path, None, GUARDED, what)
        .await;
    probe
        .refused(
            "workflow_overrides_retrieve_by_tenant",
            &by_tenant,
            None,
            GUARDED,
            what,
        )
        .await;
    probe
        .unlisted(
            "workflow_overrides_list",
            &[],
            |item| has(item, "_id", id),
            what,
        )
        .await;
    let written = probe
        .refused(
            "workflow_overrides_update",
            &path,
            Some(json!({"active": false})),
            GUARDED,
            what,
        )
        .await;
    check(written).await;
    let written = probe
        .refused(
            "workflow_overrides_update_by_tenant",
            &by_tenant,
            Some(json!({"active": false})),
            GUARDED,
            what,
        )
        .await;
    check(written).await;
    let written = probe
        .refused("workflow_overrides_delete", &path, None, GUARDED, what)
        .await;
    check(written).await;
}

/// The in-app message a trigger of the owner's workflow made for the owner's subscriber.
async fn messages(probe: &Probe<'_>, workflow: &Workflow) {
    let subscriber = probe.name("recipient");
    let path = [("subscriberId", subscriber.as_str())];
    probe
        .owner(
            "subscribers_create",
            &[],
            Some(json!({"subscriberId": subscriber, "firstName": "Owner"})),
        )
        .await;
    let triggered = probe
        .owner(
            "events_trigger",
            &[],
            Some(json!({"name": workflow.trigger, "to": subscriber, "payload": {}})),
        )
        .await;
    if triggered.is_some()
        && let Some(message) = delivered(probe, &subscriber).await
    {
        probe_message(probe, &subscriber, &message).await;
    }
    probe.discard("subscribers_delete", &path, None).await;
}

/// The first message of the owner's subscriber's feed, once it arrives.
async fn delivered(probe: &Probe<'_>, subscriber: &str) -> Option<Value> {
    let path = [("subscriberId", subscriber)];
    for _ in 0..DELIVERY_POLLS {
        let exchange = probe
            .send(
                probe.owner,
                "subscriber_notifications_feed",
                &path,
                &[],
                None,
            )
            .await?;
        if let Some(first) = success_data(&exchange)
            .and_then(|data| data.as_array().and_then(|items| items.first().cloned()))
        {
            return Some(first);
        }
        tokio::time::sleep(DELIVERY_POLL_INTERVAL).await;
    }
    None
}

async fn probe_message(probe: &Probe<'_>, subscriber: &str, message: &Value) {
    let (Some(id), Some(notification), Some(transaction)) = (
        message["_id"].as_str(),
        message["_notificationId"].as_str(),
        message["transactionId"].as_str(),
    ) else {
        return;
    };
    let what = "a message";
    let feed = [("subscriberId", subscriber)];
    let find = |feed: Value| {
        feed.as_array()?
            .iter()
            .find(|item| has(item, "_id", id))
            .cloned()
    };
    let check = async |write| {
        probe
            .unchanged_in(
                write,
                "subscriber_notifications_feed",
                &feed,
                find,
                message,
                what,
            )
            .await
    };
    // Novu answers an unknown notification with 200 and no data; either way nothing shows.
    if let Some(exchange) = probe
        .send(
            probe.other,
            "notifications_get",
            &[("notificationId", notification)],
            &[],
            None,
        )
        .await
        && let Some(data) = success_data(&exchange)
        && !data.is_null()
    {
        probe
            .refused(
                "notifications_get",
                &[("notificationId", notification)],
                None,
                NOT_FOUND,
                "a notification",
            )
            .await;
    }
    let transaction_query = [("transactionId", transaction.to_owned())];
    probe
        .unlisted(
            "notifications_list",
            &transaction_query,
            |item| has(item, "_id", notification),
            "a notification",
        )
        .await;
    probe
        .unlisted(
            "messages_list",
            &transaction_query,
            |item| has(item, "_id", id),
            what,
        )
        .await;
    let written = probe
        .refused(
            "subscriber_messages_mark_as",
            &feed,
            Some(json!({"messageId": id, "markAs": "read"})),
            UNKNOWN,
            what,
        )
        .await;
    check(written).await;
    let written = probe
        .refused(
            "subscriber_message_action_update",
            &[
                ("subscriberId", subscriber),
                ("messageId", id),
                ("type", "primary"),
            ],
            Some(json!({"status": "done"})),
            UNKNOWN,
            what,
        )
        .await;
    check(written).await;
    let written = probe
        .refused(
            "messages_delete",
            &[("messageId", id)],
            None,
            NOT_FOUND,
            what,
        )
        .await;
    check(written).await;
    let written = probe
        .refused(
            "messages_delete_by_transaction",
            &[("transactionId", transaction)],
            None,
            NOT_FOUND,
            what,
        )
        .await;
    check(written).await;

    // A subscriber of the same id in the other environment marks only its own messages.
    probe
        .other(
            "subscribers_create",
            &[],
            Some(json!({"subscriberId": subscriber, "firstName": "Intruder"})),
        )
        .await;
    let written = probe
        .other(
            "subscriber_messages_mark_as",
            &feed,
            Some(json!({"messageId": id, "markAs": "read"})),
        )
        .await;
    check(written).await;
    let written = probe
        .other(
            "subscriber_messages_mark_all",
            &feed,
            Some(json!({"markAs": "read"})),
        )
        .await;
    check(written).await;
    probe.other("subscribers_delete", &feed, None).await;
}
