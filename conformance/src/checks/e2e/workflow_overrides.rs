//! Cases ported from Novu's `workflow-overrides/e2e/`: a workflow's settings overridden for one
//! tenant, created, read by id and by workflow and tenant, listed page by page, updated and
//! deleted, and the 400s and 404s of ids that name nothing.
//!
//! Novu's harness wrote tenants and workflows straight to its database; here they are made
//! through the API (a workflow without steps, as Novu's tests make), and deleted at the end.

use serde_json::{Value, json};

use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "workflow-overrides/e2e/create-workflow-override.e2e.ts";
const DELETE: &str = "workflow-overrides/e2e/delete-workflow-override.e2e.ts";
const GET_BY_ID: &str = "workflow-overrides/e2e/get-workflow-override-by-id.e2e.ts";
const GET: &str = "workflow-overrides/e2e/get-workflow-override.e2e.ts";
const LIST: &str = "workflow-overrides/e2e/get-workflow-overrides.e2e.ts";
const UPDATE_BY_ID: &str = "workflow-overrides/e2e/update-workflow-override-by-id.e2e.ts";
const UPDATE: &str = "workflow-overrides/e2e/update-workflow-override.e2e.ts";

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[
    Ported::new(
        CREATE,
        "should successfully create new workflow override",
        "workflow_overrides_create",
        |t| Box::pin(create(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        CREATE,
        "should fail on creation of new workflow override with missing workflow id",
        "workflow_overrides_create",
        |t| Box::pin(create_without_workflow(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        CREATE,
        "should fail on creation of new workflow override with missing tenant id",
        "workflow_overrides_create",
        |t| Box::pin(create_with_bad_tenant(t)),
    ),
    Ported::new(
        DELETE,
        "should delete the workflow override",
        "workflow_overrides_delete",
        |t| Box::pin(delete(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        DELETE,
        "should fail to delete non-existing workflow override",
        "workflow_overrides_delete",
        |t| Box::pin(delete_missing(t)),
    ),
    Ported::new(
        GET_BY_ID,
        "should return the workflow override by ID",
        "workflow_overrides_retrieve",
        |t| Box::pin(get_by_id(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        GET,
        "should return the workflow override",
        "workflow_overrides_retrieve_by_tenant",
        |t| Box::pin(get_by_tenant(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        LIST,
        "should return all workflows override by workflow id",
        "workflow_overrides_list",
        |t| Box::pin(list(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        LIST,
        "should return all workflows override by workflow id with pagination",
        "workflow_overrides_list",
        |t| Box::pin(list_pages(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        UPDATE_BY_ID,
        "should successfully update workflow override by ID",
        "workflow_overrides_update",
        |t| Box::pin(update_by_id(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        UPDATE,
        "should successfully update workflow override",
        "workflow_overrides_update_by_tenant",
        |t| Box::pin(update(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        UPDATE,
        "should fail update workflow override with invalid tenant identifier",
        "workflow_overrides_update_by_tenant",
        |t| Box::pin(update_bad_tenant(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        UPDATE,
        "should fail update workflow override with invalid workflow id",
        "workflow_overrides_update_by_tenant",
        |t| Box::pin(update_bad_workflow(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        UPDATE,
        "should fail update workflow override with now existing workflow override",
        "workflow_overrides_update_by_tenant",
        |t| Box::pin(update_missing(t)),
    )
    .needs(Feature::Tenants),
];

/// The channels of an override's settings with only `email` turned off.
fn email_off() -> Value {
    json!({ "email": false, "sms": true, "in_app": true, "chat": true, "push": true })
}

/// The settings after `{ email: true, sms: false }` was applied over [`email_off`].
fn sms_off() -> Value {
    json!({ "email": true, "sms": false, "in_app": true, "chat": true, "push": true })
}

/// The update every update case sends.
fn update_body() -> Value {
    json!({ "preferenceSettings": { "email": true, "sms": false }, "active": true })
}

/// Creates a tenant (deleted at the end); answers its `_id` and identifier.
async fn tenant(trial: &Trial<'_>, label: &str) -> Result<(String, String), Stop> {
    let identifier = trial.name(label);
    let tenant = trial
        .setup(
            "the tenant is created",
            "tenants_create",
            &[],
            Some(
                json!({ "identifier": identifier, "name": trial.name("name_123"),
                "data": { "test1": "test value1", "test2": "test value2" } }),
            ),
        )
        .await?;
    trial.created("tenants_delete", &[("identifier", &identifier)]);
    Ok((text(&tenant["_id"]), identifier))
}

/// Creates a workflow without steps (and its group; both deleted at the end); answers its `_id`.
async fn workflow(trial: &Trial<'_>) -> Result<String, Stop> {
    Ok(text(&trial.workflow(json!([])).await?["_id"]))
}

/// Posts an override of `workflow` for `tenant`, with email off and inactive.
async fn post_override(trial: &Trial<'_>, workflow: &str, tenant: &str) -> Result<Reply, Stop> {
    let body = json!({
        "preferenceSettings": { "email": false },
        "active": false,
        "workflowId": workflow,
        "tenantId": tenant,
    });
    trial
        .call("workflow_overrides_create", &[], &[], Some(body))
        .await
}

/// A tenant, a workflow and an override of it (all deleted at the end): answers the
/// override, the workflow's `_id` and the tenant's `_id` and identifier.
async fn overridden(trial: &Trial<'_>) -> Result<(Value, String, String, String), Stop> {
    let (tenant_id, identifier) = tenant(trial, "identifier_123").await?;
    let workflow_id = workflow(trial).await?;
    let reply = post_override(trial, &workflow_id, &tenant_id).await?;
    trial.status(&reply, 201)?;
    let data = reply.data().clone();
    trial.created(
        "workflow_overrides_delete",
        &[("overrideId", &text(&data["_id"]))],
    );
    Ok((data, workflow_id, tenant_id, identifier))
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn status_code_is(trial: &Trial<'_>, reply: &Reply, expected: u16) -> Result<(), Stop> {
    trial.equal(reply, "statusCode", &reply.body["statusCode"], expected)
}

fn first_message_is(trial: &Trial<'_>, reply: &Reply, expected: &str) -> Result<(), Stop> {
    trial.equal(reply, "message[0]", &reply.body["message"][0], expected)
}

/// The override read back matches the one created, field by field as Novu's tests compare.
fn same_override(trial: &Trial<'_>, reply: &Reply, created: &Value) -> Result<(), Stop> {
    let found = reply.data();
    for field in ["_workflowId", "_tenantId", "active"] {
        trial.equal(
            reply,
            &format!("data.{field}"),
            &found[field],
            created[field].clone(),
        )?;
    }
    for channel in ["chat", "sms", "in_app", "email", "push"] {
        trial.equal(
            reply,
            &format!("data.preferenceSettings.{channel}"),
            &found["preferenceSettings"][channel],
            created["preferenceSettings"][channel].clone(),
        )?;
    }
    Ok(())
}

async fn create(trial: &Trial<'_>) -> Result<(), Stop> {
    let (tenant_id, _) = tenant(trial, "identifier_123").await?;
    let workflow_id = workflow(trial).await?;
    let reply = post_override(trial, &workflow_id, &tenant_id).await?;
    trial.status(&reply, 201)?;
    let data = reply.data();
    trial.created(
        "workflow_overrides_delete",
        &[("overrideId", &text(&data["_id"]))],
    );
    let (environment, organization) = trial.environment().await?;
    trial.equal(&reply, "data.active", &data["active"], false)?;
    trial.equal(
        &reply,
        "data._workflowId",
        &data["_workflowId"],
        workflow_id,
    )?;
    trial.equal(&reply, "data._tenantId", &data["_tenantId"], tenant_id)?;
    trial.equal(
        &reply,
        "data.preferenceSettings",
        &data["preferenceSettings"],
        email_off(),
    )?;
    trial.equal(&reply, "data.deleted", &data["deleted"], false)?;
    trial.equal(
        &reply,
        "data._environmentId",
        &data["_environmentId"],
        environment,
    )?;
    trial.equal(
        &reply,
        "data._organizationId",
        &data["_organizationId"],
        organization,
    )
}

async fn create_without_workflow(trial: &Trial<'_>) -> Result<(), Stop> {
    let (tenant_id, _) = tenant(trial, "identifier_123").await?;
    let body = json!({
        "preferenceSettings": { "email": false },
        "active": false,
        "tenantId": tenant_id,
    });
    let reply = trial
        .call("workflow_overrides_create", &[], &[], Some(body))
        .await?;
    status_code_is(trial, &reply, 400)?;
    first_message_is(trial, &reply, "workflowId should not be null or undefined")?;
    trial.equal(
        &reply,
        "message[1]",
        &reply.body["message"][1],
        "workflowId must be a string",
    )
}

async fn create_with_bad_tenant(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow_id = workflow(trial).await?;
    let reply = post_override(trial, &workflow_id, "fake-tenant-identifier").await?;
    status_code_is(trial, &reply, 400)?;
    first_message_is(trial, &reply, "_tenantId must be a mongodb id")
}

async fn delete(trial: &Trial<'_>) -> Result<(), Stop> {
    let (created, ..) = overridden(trial).await?;
    let id = text(&created["_id"]);
    let deleted = trial
        .call(
            "workflow_overrides_delete",
            &[("overrideId", &id)],
            &[],
            None,
        )
        .await?;
    trial.equal(&deleted, "data", deleted.data(), true)?;
    // Novu reads its database for the override; here it is read through the API.
    let after = trial
        .call(
            "workflow_overrides_retrieve",
            &[("overrideId", &id)],
            &[],
            None,
        )
        .await?;
    status_code_is(trial, &after, 404)
}

async fn delete_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    // Novu takes its user's id: a well-formed id that names no override.
    let (_, organization) = trial.environment().await?;
    let reply = trial
        .call(
            "workflow_overrides_delete",
            &[("overrideId", &organization)],
            &[],
            None,
        )
        .await?;
    status_code_is(trial, &reply, 404)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Workflow Override with id {organization} not found"),
    )
}

async fn get_by_id(trial: &Trial<'_>) -> Result<(), Stop> {
    let (created, ..) = overridden(trial).await?;
    let reply = trial
        .call(
            "workflow_overrides_retrieve",
            &[("overrideId", &text(&created["_id"]))],
            &[],
            None,
        )
        .await?;
    same_override(trial, &reply, &created)
}

async fn get_by_tenant(trial: &Trial<'_>) -> Result<(), Stop> {
    let (created, workflow_id, tenant_id, _) = overridden(trial).await?;
    let reply = trial
        .call(
            "workflow_overrides_retrieve_by_tenant",
            &[("workflowId", &workflow_id), ("tenantId", &tenant_id)],
            &[],
            None,
        )
        .await?;
    same_override(trial, &reply, &created)
}

/// Three overrides of three workflows for one tenant (deleted at the end); answers their ids.
async fn three_overrides(trial: &Trial<'_>) -> Result<Vec<String>, Stop> {
    let (tenant_id, _) = tenant(trial, "identifier_123").await?;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let workflow_id = workflow(trial).await?;
        let reply = post_override(trial, &workflow_id, &tenant_id).await?;
        trial.status(&reply, 201)?;
        let id = text(&reply.data()["_id"]);
        trial.created("workflow_overrides_delete", &[("overrideId", &id)]);
        ids.push(id);
    }
    Ok(ids)
}

/// Novu's fresh environment lists exactly its three overrides; in a shared one the list must
/// hold this case's three, and the last page of `limit` 2 holds what is left after the first.
async fn list(trial: &Trial<'_>) -> Result<(), Stop> {
    let ids = three_overrides(trial).await?;
    let reply = trial
        .call("workflow_overrides_list", &[], &[("limit", "100")], None)
        .await?;
    let listed: Vec<&Value> = items(reply.data())
        .iter()
        .map(|item| &item["_id"])
        .filter(|id| ids.iter().any(|made| **id == json!(made)))
        .collect();
    trial.equal(
        &reply,
        "the case's overrides listed",
        &json!(listed.len()),
        3,
    )?;
    let total = items(reply.data()).len();
    let second = trial
        .call(
            "workflow_overrides_list",
            &[],
            &[("page", "1"), ("limit", "2")],
            None,
        )
        .await?;
    let expected = total.saturating_sub(2).min(2);
    trial.equal(
        &second,
        "data.length",
        &json!(items(second.data()).len()),
        expected,
    )
}

/// As [`list`], with `hasMore` on each page. Novu's fresh environment holds the three alone,
/// so its second page holds one and `hasMore` is false; in a shared one the second page may be
/// full, and Novu's `hasMore` says only whether a page is full, so a full page answers true.
async fn list_pages(trial: &Trial<'_>) -> Result<(), Stop> {
    three_overrides(trial).await?;
    let all = trial
        .call("workflow_overrides_list", &[], &[("limit", "100")], None)
        .await?;
    let total = items(all.data()).len();
    let first = trial
        .call("workflow_overrides_list", &[], &[("limit", "2")], None)
        .await?;
    trial.equal(&first, "data.length", &json!(items(first.data()).len()), 2)?;
    trial.equal(&first, "hasMore", &first.body["hasMore"], true)?;
    let second = trial
        .call(
            "workflow_overrides_list",
            &[],
            &[("page", "1"), ("limit", "2")],
            None,
        )
        .await?;
    let left = total.saturating_sub(2).min(2);
    trial.equal(
        &second,
        "data.length",
        &json!(items(second.data()).len()),
        left,
    )?;
    trial.equal(&second, "hasMore", &second.body["hasMore"], left == 2)
}

async fn update_by_id(trial: &Trial<'_>) -> Result<(), Stop> {
    let (created, ..) = overridden(trial).await?;
    let reply = trial
        .call(
            "workflow_overrides_update",
            &[("overrideId", &text(&created["_id"]))],
            &[],
            Some(update_body()),
        )
        .await?;
    updated(trial, &reply)
}

/// The answer to an update carries the merged settings and `active` true.
fn updated(trial: &Trial<'_>, reply: &Reply) -> Result<(), Stop> {
    let data = reply.data();
    trial.equal(
        reply,
        "data.preferenceSettings",
        &data["preferenceSettings"],
        sms_off(),
    )?;
    trial.equal(reply, "data.active", &data["active"], true)
}

/// The override made first has email off and is inactive, as Novu's update cases check.
fn made_as_posted(trial: &Trial<'_>, reply: &Reply, created: &Value) -> Result<(), Stop> {
    trial.equal(
        reply,
        "the created override's preferenceSettings",
        &created["preferenceSettings"],
        email_off(),
    )?;
    trial.equal(
        reply,
        "the created override's active",
        &created["active"],
        false,
    )
}

async fn update_by_tenant(
    trial: &Trial<'_>,
    workflow_id: &str,
    tenant: &str,
) -> Result<Reply, Stop> {
    trial
        .call(
            "workflow_overrides_update_by_tenant",
            &[("workflowId", workflow_id), ("tenantId", tenant)],
            &[],
            Some(update_body()),
        )
        .await
}

async fn update(trial: &Trial<'_>) -> Result<(), Stop> {
    let (created, workflow_id, tenant_id, _) = overridden(trial).await?;
    let reply = update_by_tenant(trial, &workflow_id, &tenant_id).await?;
    made_as_posted(trial, &reply, &created)?;
    updated(trial, &reply)
}

async fn update_bad_tenant(trial: &Trial<'_>) -> Result<(), Stop> {
    let (created, workflow_id, ..) = overridden(trial).await?;
    let reply = update_by_tenant(trial, &workflow_id, "invalid-tenant-identifier").await?;
    made_as_posted(trial, &reply, &created)?;
    status_code_is(trial, &reply, 400)?;
    first_message_is(trial, &reply, "_tenantId must be a mongodb id")
}

/// Novu sends the tenant's `_id` as the workflow and its identifier as the tenant: the
/// identifier is no id, and that is what is reported.
async fn update_bad_workflow(trial: &Trial<'_>) -> Result<(), Stop> {
    let (created, _, tenant_id, identifier) = overridden(trial).await?;
    let reply = update_by_tenant(trial, &tenant_id, &identifier).await?;
    made_as_posted(trial, &reply, &created)?;
    status_code_is(trial, &reply, 400)?;
    first_message_is(trial, &reply, "_tenantId must be a mongodb id")
}

async fn update_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let (_, identifier) = tenant(trial, "identifier_123").await?;
    let workflow_id = workflow(trial).await?;
    let reply = update_by_tenant(trial, &workflow_id, &identifier).await?;
    status_code_is(trial, &reply, 400)?;
    first_message_is(trial, &reply, "_tenantId must be a mongodb id")
}
