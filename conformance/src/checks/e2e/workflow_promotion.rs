//! Cases ported from Novu's `workflows-v1/e2e/` that follow a workflow through promotion: the
//! email workflow and its variant copied to Production, a deleted workflow that never reached
//! Production, and deletions promoted (`create-notification-templates.e2e.ts`,
//! `delete-notification-template.e2e.ts`), with the sender name and message templates of
//! those files.
//!
//! As in `changes.rs`, the Production copies are read with the Production key
//! ([`Feature::Production`]), and the case applies the pending changes of its own workflow
//! only. Novu's message templates are documents of their own; a workflow's steps carry theirs,
//! so the case reads a promoted message template in the steps of the promoted workflow.
//!
//! Left out, with the reason in `README.md`: the blueprint cases, which need the server's
//! blueprint organization (`BLUEPRINT_CREATOR`, a server setting).

use serde_json::{Value, json};

use super::changes::{changes, first_group, promote, retire, workflow};
use super::integrations::text;
use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "workflows-v1/e2e/create-notification-templates.e2e.ts";
const DELETE: &str = "workflows-v1/e2e/delete-notification-template.e2e.ts";

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(
        CREATE,
        "should create email template",
        "workflows_create",
        |t| Box::pin(email_template(t)),
    )
    .needs(Feature::Production),
    Ported::new(
        CREATE,
        "should use sender name in email template",
        "workflows_create",
        |t| Box::pin(sender_name(t)),
    ),
    Ported::new(
        CREATE,
        "should not promote deleted template that is not existing in prod",
        "changes_apply",
        |t| Box::pin(deleted_before_promotion(t)),
    )
    .needs(Feature::Production),
    Ported::new(
        DELETE,
        "should delete the production workflow",
        "workflows_delete",
        |t| Box::pin(production_deleted(t, json!([]))),
    )
    .needs(Feature::Production),
    Ported::new(
        DELETE,
        "should delete the workflow along with the message templates",
        "workflows_delete",
        |t| Box::pin(deleted_with_templates(t)),
    ),
    Ported::new(
        DELETE,
        "should delete the production message templates",
        "workflows_delete",
        |t| Box::pin(production_deleted(t, json!([in_app_step()]))),
    )
    .needs(Feature::Production),
];

/// Novu's email step with a variant for the tenant `Titans`.
fn email_step() -> Value {
    json!({
        "template": { "name": "Message Name", "subject": "Test email subject",
            "preheader": "Test email preheader", "senderName": "Test email sender name",
            "content": [{ "type": "text", "content": "This is a sample text block" }], "type": "email" },
        "filters": [{ "isNegated": false, "type": "GROUP", "value": "AND",
            "children": [{ "on": "subscriber", "field": "firstName", "value": "test value", "operator": "EQUAL" }] }],
        "variants": [{
            "template": { "name": "Better Message Template", "subject": "Better subject",
                "preheader": "Better pre header", "senderName": "Better pre sender name",
                "content": [{ "type": "text", "content": "This is a sample of Better text block" }], "type": "email" },
            "active": true,
            "filters": [{ "isNegated": false, "type": "GROUP", "value": "AND",
                "children": [{ "on": "tenant", "field": "name", "value": "Titans", "operator": "EQUAL" }] }],
        }],
    })
}

/// Novu's in-app step with a redirect and a `firstName` variable.
fn in_app_step() -> Value {
    json!({ "template": { "type": "in_app", "content": "Test content for <b>{{firstName}}</b>",
        "cta": { "type": "redirect", "data": { "url": "/cypress/test-shell/example/test?test-param=true" } },
        "variables": [{ "defaultValue": "", "name": "firstName", "required": false, "type": "String" }] } })
}

/// Posts a workflow of `steps` in the environment's first group; a created one is deleted at
/// the end. Answers the reply and the group's `_id`.
async fn post(trial: &Trial<'_>, steps: Value) -> Result<(Reply, String), Stop> {
    let group = first_group(trial).await?;
    let body = json!({ "name": trial.name("test email template"), "description": "This is a test description",
        "tags": ["test-tag"], "notificationGroupId": group, "steps": steps });
    let reply = trial.call("workflows_create", &[], &[], Some(body)).await?;
    if let Some(id) = reply.data()["_id"].as_str() {
        trial.created("workflows_delete", &[("workflowId", id)]);
    }
    Ok((reply, group))
}

/// Each of `fields` is the same in `actual` as in `expected`.
fn same(
    trial: &Trial<'_>,
    reply: &Reply,
    what: &str,
    actual: &Value,
    expected: &Value,
    fields: &[&str],
) -> Result<(), Stop> {
    for field in fields {
        trial.equal(
            reply,
            &format!("{what}.{field}"),
            &actual[field],
            expected[field].clone(),
        )?;
    }
    Ok(())
}

/// The Production copy of workflow `workflow`, read whole (`null` when there is none).
async fn production_copy(trial: &Trial<'_>, workflow: &Value) -> Result<(Reply, Value), Stop> {
    let reply = trial
        .call_in_production(
            "workflows_list",
            &[],
            &[("query", &text(&workflow["name"])), ("limit", "100")],
            None,
        )
        .await?;
    trial.status(&reply, 200)?;
    let found = items(reply.data())
        .iter()
        .find(|copy| copy["_parentId"] == workflow["_id"])
        .map(|copy| text(&copy["_id"]));
    let Some(id) = found else {
        return Ok((reply, Value::Null));
    };
    // The list leaves variants out; the copy is read whole by its `_id`.
    let read = trial
        .call_in_production("workflows_retrieve", &[("workflowId", &id)], &[], None)
        .await?;
    trial.status(&read, 200)?;
    let copy = read.data().clone();
    Ok((read, copy))
}

const TEMPLATE_FIELDS: [&str; 7] = [
    "name",
    "subject",
    "type",
    "content",
    "active",
    "preheader",
    "senderName",
];

async fn email_template(trial: &Trial<'_>) -> Result<(), Stop> {
    let request = email_step();
    let (reply, group) = post(trial, json!([request])).await?;
    let result = reply.data().clone();
    trial.holds(&reply, "body.data is ok", result.is_object())?;
    trial.equal(
        &reply,
        "_notificationGroupId",
        &result["_notificationGroupId"],
        group,
    )?;
    let message = &result["steps"][0];
    let mut expected = request["template"].clone();
    expected["active"] = json!(true);
    same(
        trial,
        &reply,
        "message.template",
        &message["template"],
        &expected,
        &["name", "active", "subject", "preheader", "senderName"],
    )?;
    let filter = &message["filters"][0];
    trial.equal(&reply, "filters.type", &filter["type"], "GROUP")?;
    trial.equal(
        &reply,
        "filters.children length",
        &json!(items(&filter["children"]).len()),
        1,
    )?;
    trial.equal(&reply, "tags[0]", &result["tags"][0], "test-tag")?;
    let variant = &message["variants"][0];
    let mut expected = request["variants"][0]["template"].clone();
    expected["active"] = json!(true);
    same(
        trial,
        &reply,
        "variant.template",
        &variant["template"],
        &expected,
        &["name", "active", "subject", "preheader", "senderName"],
    )?;
    trial.equal(
        &reply,
        "message.template.content[0].type",
        &message["template"]["content"][0]["type"],
        "text",
    )?;
    promote(trial, &[&text(&result["_id"])]).await?;
    let (copy_reply, copy) = production_copy(trial, &result).await?;
    let mut expected = result.clone();
    expected["steps length"] = json!(items(&result["steps"]).len());
    let mut actual = copy.clone();
    actual["steps length"] = json!(items(&copy["steps"]).len());
    same(
        trial,
        &copy_reply,
        "prodVersionNotification",
        &actual,
        &expected,
        &[
            "tags",
            "steps length",
            "triggers",
            "active",
            "draft",
            "name",
            "description",
        ],
    )?;
    same(
        trial,
        &copy_reply,
        "prodVersionMessage",
        &copy["steps"][0]["template"],
        &message["template"],
        &TEMPLATE_FIELDS,
    )?;
    same(
        trial,
        &copy_reply,
        "prodVersionVariant",
        &copy["steps"][0]["variants"][0]["template"],
        &variant["template"],
        &TEMPLATE_FIELDS,
    )?;
    retire(
        trial,
        &[("workflows_delete", "workflowId", &text(&result["_id"]))],
    )
    .await
}

async fn sender_name(trial: &Trial<'_>) -> Result<(), Stop> {
    let step = json!({ "template": { "name": "Message Name", "subject": "Test email subject",
        "preheader": "Test email preheader", "senderName": "test",
        "content": [{ "type": "text", "content": "This is a sample text block" }], "type": "email" },
        "filters": [] });
    let (reply, group) = post(trial, json!([step])).await?;
    let template = reply.data();
    trial.holds(&reply, "body.data is ok", template.is_object())?;
    trial.equal(
        &reply,
        "template._notificationGroupId",
        &template["_notificationGroupId"],
        group,
    )?;
    trial.equal(
        &reply,
        "message.template.senderName",
        &template["steps"][0]["template"]["senderName"],
        "test",
    )
}

async fn deleted_before_promotion(trial: &Trial<'_>) -> Result<(), Stop> {
    let (reply, _) = post(trial, json!([])).await?;
    let template = reply.data().clone();
    trial.holds(&reply, "body.data is ok", template.is_object())?;
    let id = text(&template["_id"]);
    trial
        .call("workflows_delete", &[("workflowId", &id)], &[], None)
        .await?;
    promote(trial, &[&id]).await?;
    let (reply, copy) = production_copy(trial, &template).await?;
    trial.equal(&reply, "prodVersionNotification", &copy, Value::Null)
}

/// A promoted workflow of `steps` (with its message templates) is gone from Production once
/// its deletion is promoted; the deletion is the newest pending change, named after it.
async fn production_deleted(trial: &Trial<'_>, steps: Value) -> Result<(), Stop> {
    let created = workflow(trial, steps, None).await?;
    let id = text(&created["_id"]);
    promote(trial, &[&id]).await?;
    let (reply, copy) = production_copy(trial, &created).await?;
    trial.holds(&reply, "the promoted workflow exists", copy.is_object())?;
    for (index, step) in items(&created["steps"]).iter().enumerate() {
        let promoted =
            copy["steps"][index]["template"].is_object() && step["_templateId"].is_string();
        trial.holds(&reply, "the promoted message template exists", promoted)?;
    }
    trial
        .call("workflows_delete", &[("workflowId", &id)], &[], None)
        .await?;
    let (reply, pending) = changes(trial, false).await?;
    trial.equal(
        &reply,
        "data[0].templateName",
        &pending
            .first()
            .map(|change| change["templateName"].clone())
            .unwrap_or_default(),
        created["name"].clone(),
    )?;
    promote(trial, &[&id]).await?;
    let (reply, copy) = production_copy(trial, &created).await?;
    trial.equal(
        &reply,
        "the Production workflow (and its message templates)",
        &copy,
        Value::Null,
    )
}

/// Novu's session workflow has an in-app and an email step; once deleted, it is not found.
async fn deleted_with_templates(trial: &Trial<'_>) -> Result<(), Stop> {
    let email = json!({ "template": { "name": "Message Name", "subject": "Test email subject", "type": "email",
        "content": [{ "type": "text", "content": "This is a sample text block" }] } });
    let created = workflow(trial, json!([in_app_step(), email]), None).await?;
    let id = text(&created["_id"]);
    let read = trial
        .call("workflows_retrieve", &[("workflowId", &id)], &[], None)
        .await?;
    let templates = items(&read.data()["steps"])
        .iter()
        .filter(|step| step["template"].is_object())
        .count();
    trial.equal(&read, "messageTemplates length", &json!(templates), 2)?;
    let reply = trial
        .call("workflows_delete", &[("workflowId", &id)], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    let read = trial
        .call("workflows_retrieve", &[("workflowId", &id)], &[], None)
        .await?;
    trial.status(&read, 404)
}
