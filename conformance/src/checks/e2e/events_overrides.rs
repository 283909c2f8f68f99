//! Cases ported from the `workflow override` part of Novu's
//! `events/e2e/trigger-event.e2e.ts`: a tenant's override of a workflow decides whether a
//! trigger for that tenant runs (whatever the workflow's own `active`), and its preference
//! settings turn a channel off or on.
//!
//! Novu's harness writes the override and flips the workflow's `active` in its repositories;
//! here the case creates a tenant and the override and changes the workflow's status over the
//! API. Novu triggers for a subscriber id no one created and counts the workflow's messages;
//! here the subscriber is created first, so its messages can be listed.

use serde_json::{Value, json};

use super::session::{finished, id_of, identifier, messages, session_subscriber};
use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const TRIGGER: &str = "events/e2e/trigger-event.e2e.ts";

/// The ported cases of this part.
pub const CASES: &[Ported] = &[
    Ported::new(
        TRIGGER,
        "should override - active false",
        "events_trigger",
        |t| Box::pin(override_active(t, false)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        TRIGGER,
        "should override - active true",
        "events_trigger",
        |t| Box::pin(override_active(t, true)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        TRIGGER,
        "should override - preference - should disable in app channel",
        "events_trigger",
        |t| Box::pin(override_preference(t, false)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        TRIGGER,
        "should override - preference - should enable in app channel",
        "events_trigger",
        |t| Box::pin(override_preference(t, true)),
    )
    .needs(Feature::Tenants),
];

/// A tenant and an override of `workflow` for it with `fields`; answers the tenant's
/// identifier. Everything is deleted at the end.
async fn tenant_override(
    trial: &Trial<'_>,
    workflow: &Value,
    fields: Value,
) -> Result<String, Stop> {
    let identifier = trial.name("tenant");
    let tenant = trial
        .sandbox
        .tenant(json!({ "identifier": identifier, "name": identifier }))
        .await?;
    let mut body = json!({ "workflowId": id_of(workflow), "tenantId": id_of(&tenant) });
    if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
        body.extend(fields.clone());
    }
    let created = trial
        .setup(
            "the workflow override is created",
            "workflow_overrides_create",
            &[],
            Some(body),
        )
        .await?;
    trial.created(
        "workflow_overrides_delete",
        &[("overrideId", &id_of(&created))],
    );
    Ok(identifier)
}

/// Triggers `workflow` for `subscriber_id` and `tenant` with Novu's payload; answers the reply
/// once its jobs (if any) have ended.
async fn trigger(
    trial: &Trial<'_>,
    workflow: &Value,
    subscriber_id: &str,
    tenant: &str,
) -> Result<Reply, Stop> {
    let reply = trial
        .call(
            "events_trigger",
            &[],
            &[],
            Some(json!({
                "name": identifier(workflow), "to": subscriber_id, "tenant": tenant,
                "payload": { "firstName": "Testing of User Name", "urlVariable": "/test/url/path" },
            })),
        )
        .await?;
    if let Some(transaction) = reply.data()["transactionId"].as_str() {
        finished(trial, transaction).await?;
    }
    Ok(reply)
}

/// The trigger answered 201 with `status`, and the subscriber has `count` messages.
async fn answered(
    trial: &Trial<'_>,
    reply: &Reply,
    status: &str,
    subscriber_id: &str,
    count: usize,
) -> Result<(), Stop> {
    trial.status(reply, 201)?;
    trial.equal(reply, "data.status", &reply.data()["status"], status)?;
    let listed = messages(trial, &[("subscriberId", subscriber_id)], count).await?;
    trial.equal(
        &listed,
        "the number of the workflow's messages",
        &json!(items(listed.data()).len()),
        count,
    )
}

/// The greeting step of Novu's `createTemplate(session, channel)`.
fn greeting_step(content: &str) -> Value {
    super::session::channel_step("in_app", content)
}

/// An override with `active` decides; turning the workflow itself off afterwards changes
/// nothing.
async fn override_active(trial: &Trial<'_>, active: bool) -> Result<(), Stop> {
    let workflow = trial
        .workflow(json!([greeting_step(
            "Hello {{subscriber.lastName}}, Welcome to {{organizationName}}"
        )]))
        .await?;
    let tenant = tenant_override(trial, &workflow, json!({ "active": active })).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let (status, counts) = if active {
        ("processed", [1, 2])
    } else {
        ("trigger_not_active", [0, 0])
    };
    let reply = trigger(trial, &workflow, &subscriber_id, &tenant).await?;
    answered(trial, &reply, status, &subscriber_id, counts[0]).await?;
    trial
        .setup(
            "the workflow is turned off",
            "workflow_status_update",
            &[("workflowId", &id_of(&workflow))],
            Some(json!({ "active": false })),
        )
        .await?;
    let reply = trigger(trial, &workflow, &subscriber_id, &tenant).await?;
    answered(trial, &reply, status, &subscriber_id, counts[1]).await
}

/// An override whose preference settings turn in-app `enabled` (the workflow's own setting
/// being the opposite) decides whether the message is sent.
async fn override_preference(trial: &Trial<'_>, enabled: bool) -> Result<(), Stop> {
    let workflow = if enabled {
        trial
            .workflow_with(
                json!([greeting_step("Hello")]),
                json!({ "preferenceSettings": { "in_app": false } }),
            )
            .await?
    } else {
        trial
            .workflow(json!([greeting_step(
                "Hello {{subscriber.lastName}}, Welcome to {{organizationName}}"
            )]))
            .await?
    };
    let tenant = tenant_override(
        trial,
        &workflow,
        json!({ "active": true, "preferenceSettings": { "in_app": enabled } }),
    )
    .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let reply = trigger(trial, &workflow, &subscriber_id, &tenant).await?;
    answered(
        trial,
        &reply,
        "processed",
        &subscriber_id,
        usize::from(enabled),
    )
    .await
}
