//! The scripts of the scenarios of the configuration tags: workflow groups, integrations,
//! layouts, execution details, organizations, messages, changes, environments, feeds and
//! tenants.

use serde_json::{Value, json};

use super::{
    Keep, Script, in_app_workflow, named, remove_workflow, sweep, sweep_workflows, text, triggered,
    untrigger,
};

pub(super) async fn workflow_groups(script: &mut Script<'_>) {
    sweep(
        script,
        "workflow_groups_list",
        &[],
        ("name", "nc-snap-groups"),
        ("workflow_groups_delete", "id"),
    )
    .await;
    let created = script
        .call(
            "workflow_groups_create",
            &[],
            &[],
            Some(json!({"name": "nc-snap-groups onboarding"})),
        )
        .await;
    let group = text(&created, "/data/_id");
    let id = [("id", group.as_str())];
    script
        .call("workflow_groups_retrieve", &id, &[], None)
        .await;
    script
        .call(
            "workflow_groups_update",
            &id,
            &[],
            Some(json!({"name": "nc-snap-groups welcome"})),
        )
        .await;
    script
        .filtered(
            "workflow_groups_list",
            &[],
            &[],
            Keep {
                pointer: "/data",
                describe: "groups named nc-snap-groups…",
                keep: &named("name", "nc-snap-groups"),
            },
        )
        .await;
    script.call("workflow_groups_delete", &id, &[], None).await;
    script
        .call("workflow_groups_retrieve", &id, &[], None)
        .await;
}

pub(super) async fn integrations(script: &mut Script<'_>) {
    const IDENTIFIER: &str = "nc-snap-integrations-mail";
    sweep(
        script,
        "integrations_list",
        &[],
        ("identifier", "nc-snap-integrations"),
        ("integrations_delete", "integrationId"),
    )
    .await;
    let own = Keep {
        pointer: "/data",
        describe: "integrations whose identifier starts with nc-snap-integrations",
        keep: &named("identifier", "nc-snap-integrations"),
    };
    let created = script
        .call(
            "integrations_create",
            &[],
            &[],
            Some(json!({
                "name": "Snapshot mail",
                "identifier": IDENTIFIER,
                "providerId": "sendgrid",
                "channel": "email",
                "credentials": {"apiKey": "nc-snap-not-a-real-key", "from": "no-reply@example.com", "senderName": "Snapshots"},
                "active": false,
            })),
        )
        .await;
    let integration = text(&created, "/data/_id");
    let id = [("integrationId", integration.as_str())];
    script.filtered("integrations_list", &[], &[], own).await;
    script
        .call(
            "integrations_update",
            &id,
            &[],
            Some(json!({"name": "Snapshot mail (renamed)"})),
        )
        .await;
    // The delete answers the integrations that are left, the environment's own among them.
    script
        .filtered(
            "integrations_delete",
            &id,
            &[],
            Keep {
                pointer: "/data",
                describe: "integrations whose identifier starts with nc-snap-integrations",
                keep: &named("identifier", "nc-snap-integrations"),
            },
        )
        .await;
    script
        .filtered(
            "integrations_list",
            &[],
            &[],
            Keep {
                pointer: "/data",
                describe: "integrations whose identifier starts with nc-snap-integrations",
                keep: &named("identifier", "nc-snap-integrations"),
            },
        )
        .await;
}

pub(super) async fn layouts(script: &mut Script<'_>) {
    sweep(
        script,
        "layouts_list",
        &[("pageSize", "100")],
        ("name", "nc-snap-layouts"),
        ("layouts_delete", "layoutId"),
    )
    .await;
    let created = script
        .call(
            "layouts_create",
            &[],
            &[],
            Some(json!({
                "name": "nc-snap-layouts plain",
                "identifier": "nc-snap-layouts-plain",
                "description": "A plain frame",
                "content": "<html><body>{{{body}}}</body></html>",
            })),
        )
        .await;
    let layout = text(&created, "/data/_id");
    let id = [("layoutId", layout.as_str())];
    script.call("layouts_retrieve", &id, &[], None).await;
    script
        .call(
            "layouts_update",
            &id,
            &[],
            Some(json!({"description": "A plain frame, revised"})),
        )
        .await;
    script
        .filtered(
            "layouts_list",
            &[],
            &[("pageSize", "100")],
            Keep {
                pointer: "/data",
                describe: "layouts named nc-snap-layouts…",
                keep: &named("name", "nc-snap-layouts"),
            },
        )
        .await;
    script.call("layouts_delete", &id, &[], None).await;
    script.call("layouts_retrieve", &id, &[], None).await;
}

pub(super) async fn execution_details(script: &mut Script<'_>) {
    const SUBSCRIBER: &str = "nc-snap-execution-ada";
    sweep_workflows(script, "nc-snap-execution").await;
    script
        .quiet(
            "subscribers_delete",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    let (workflow, transaction) = triggered(script, "nc-snap-execution workflow", SUBSCRIBER).await;
    let list = script
        .quiet(
            "notifications_list",
            &[],
            &[("transactionId", &transaction)],
            None,
        )
        .await;
    let notification = text(&list, "/data/0/_id");
    script
        .call(
            "execution_details_list",
            &[],
            &[
                ("notificationId", &notification),
                ("subscriberId", SUBSCRIBER),
            ],
            None,
        )
        .await;
    untrigger(script, &workflow, SUBSCRIBER).await;
}

pub(super) async fn organizations(script: &mut Script<'_>) {
    let before = script
        .quiet("organizations_retrieve_current", &[], &[], None)
        .await;
    script
        .call(
            "organizations_rename",
            &[],
            &[],
            Some(json!({"name": "nc-snap-organizations Analytical Engines"})),
        )
        .await;
    script
        .call(
            "organization_branding_update",
            &[],
            &[],
            Some(json!({
                "logo": "https://example.com/nc-snap-logo.png",
                "color": "#112233",
                "fontColor": "#ffffff",
                "contentBackground": "#000000",
                "fontFamily": "Georgia",
            })),
        )
        .await;
    script
        .call("organizations_retrieve_current", &[], &[], None)
        .await;
    // Other checks and servers share the organization: leave it as it was.
    if let Some(name) = before.pointer("/data/name").and_then(Value::as_str) {
        script
            .quiet(
                "organizations_rename",
                &[],
                &[],
                Some(json!({"name": name})),
            )
            .await;
    }
    if let Some(Value::Object(branding)) = before.pointer("/data/branding") {
        let restored: serde_json::Map<String, Value> = branding
            .iter()
            .filter(|(key, value)| {
                value.is_string()
                    && [
                        "logo",
                        "color",
                        "fontColor",
                        "contentBackground",
                        "fontFamily",
                    ]
                    .contains(&key.as_str())
            })
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        script
            .quiet(
                "organization_branding_update",
                &[],
                &[],
                Some(Value::Object(restored)),
            )
            .await;
    }
}

pub(super) async fn messages(script: &mut Script<'_>) {
    const SUBSCRIBER: &str = "nc-snap-messages-ada";
    sweep_workflows(script, "nc-snap-messages").await;
    script
        .quiet(
            "subscribers_delete",
            &[("subscriberId", SUBSCRIBER)],
            &[],
            None,
        )
        .await;
    let (workflow, transaction) = triggered(script, "nc-snap-messages workflow", SUBSCRIBER).await;
    let list = script
        .call(
            "messages_list",
            &[],
            &[("subscriberId", SUBSCRIBER), ("channel", "in_app")],
            None,
        )
        .await;
    let message = text(&list, "/data/0/_id");
    script
        .call("messages_delete", &[("messageId", &message)], &[], None)
        .await;
    script
        .call(
            "messages_list",
            &[],
            &[("subscriberId", SUBSCRIBER), ("channel", "in_app")],
            None,
        )
        .await;
    script
        .call(
            "messages_delete_by_transaction",
            &[("transactionId", &transaction)],
            &[],
            None,
        )
        .await;
    untrigger(script, &workflow, SUBSCRIBER).await;
}

pub(super) async fn changes(script: &mut Script<'_>) {
    sweep_workflows(script, "nc-snap-changes").await;
    let workflow = in_app_workflow(script, "nc-snap-changes workflow", false).await;
    let entity = workflow.id.clone();
    let own = move |change: &Value| {
        change.get("_entityId").and_then(Value::as_str) == Some(entity.as_str())
    };
    let pending = script
        .filtered(
            "changes_list",
            &[],
            &[("promoted", "false"), ("limit", "100")],
            Keep {
                pointer: "/data",
                describe: "changes of the scenario's workflow",
                keep: &own,
            },
        )
        .await;
    let change = pending
        .get("data")
        .and_then(Value::as_array)
        .and_then(|changes| changes.iter().find(|change| own(change)))
        .map(|change| text(change, "/_id"))
        .unwrap_or_else(|| "nc-snap-missing".to_owned());
    script
        .call("changes_apply", &[("changeId", &change)], &[], None)
        .await;
    script
        .filtered(
            "changes_list",
            &[],
            &[("promoted", "true"), ("limit", "100")],
            Keep {
                pointer: "/data",
                describe: "changes of the scenario's workflow",
                keep: &own,
            },
        )
        .await;
    remove_workflow(script, &workflow).await;
}

pub(super) async fn environments(script: &mut Script<'_>) {
    script
        .call("environments_retrieve_current", &[], &[], None)
        .await;
    script.call("environments_list", &[], &[], None).await;
    script
        .call("environment_api_keys_list", &[], &[], None)
        .await;
}

pub(super) async fn feeds(script: &mut Script<'_>) {
    sweep(
        script,
        "feeds_list",
        &[],
        ("name", "nc-snap-feeds"),
        ("feeds_delete", "feedId"),
    )
    .await;
    let predicate = named("name", "nc-snap-feeds");
    let own = || Keep {
        pointer: "/data",
        describe: "feeds named nc-snap-feeds…",
        keep: &predicate,
    };
    let created = script
        .call(
            "feeds_create",
            &[],
            &[],
            Some(json!({"name": "nc-snap-feeds product news"})),
        )
        .await;
    let feed = text(&created, "/data/_id");
    script.filtered("feeds_list", &[], &[], own()).await;
    // The delete answers the feeds that are left.
    script
        .filtered("feeds_delete", &[("feedId", &feed)], &[], own())
        .await;
    script.filtered("feeds_list", &[], &[], own()).await;
}

pub(super) async fn tenants(script: &mut Script<'_>) {
    const TENANT: &str = "nc-snap-tenants-acme";
    script
        .quiet("tenants_delete", &[("identifier", TENANT)], &[], None)
        .await;
    let id = [("identifier", TENANT)];
    script
        .call(
            "tenants_create",
            &[],
            &[],
            Some(json!({"identifier": TENANT, "name": "Acme", "data": {"plan": "gold"}})),
        )
        .await;
    script.call("tenants_get", &id, &[], None).await;
    script
        .call(
            "tenants_update",
            &id,
            &[],
            Some(json!({"name": "Acme Corporation", "data": {"plan": "platinum"}})),
        )
        .await;
    script
        .filtered(
            "tenants_list",
            &[],
            &[("limit", "100")],
            Keep {
                pointer: "/data",
                describe: "tenants whose identifier starts with nc-snap-tenants",
                keep: &named("identifier", "nc-snap-tenants"),
            },
        )
        .await;
    script.call("tenants_delete", &id, &[], None).await;
    script.call("tenants_get", &id, &[], None).await;
}
