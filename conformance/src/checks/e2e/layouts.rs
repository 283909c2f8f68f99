//! Cases ported from Novu's `layouts/e2e/`: create, read, update, delete (soft, refused for the
//! default and for a layout in use), the default layout, and the list with its paging and
//! ordering by creation time.
//!
//! A default layout cannot be deleted, so a case that makes one sets the environment's former
//! default back first, then its layouts are deleted.

use serde_json::{Value, json};

use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "layouts/e2e/create-layout.e2e.ts";
const GET: &str = "layouts/e2e/get-layout.e2e.ts";
const DELETE: &str = "layouts/e2e/delete-layout.e2e.ts";
const DEFAULT: &str = "layouts/e2e/set-default-layout.e2e.ts";
const UPDATE: &str = "layouts/e2e/update-layout.e2e.ts";

const CONTENT: &str = "<html><body><div>Hello {{organizationName}} {{{body}}}</div></body></html>";
const DESCRIPTION: &str = "Amazing new layout";

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[
    Ported::new(
        CREATE,
        "should throw validation error for missing request payload information",
        "layouts_create",
        |t| Box::pin(create_without_payload(t)),
    ),
    Ported::new(
        CREATE,
        "should create a new layout successfully",
        "layouts_create",
        |t| Box::pin(keeping_default(t, create_default)),
    ),
    Ported::new(
        CREATE,
        "should throw error for a create with layout identifier that already exists in the environment",
        "layouts_create",
        |t| Box::pin(create_taken_identifier(t)),
    ),
    Ported::new(
        CREATE,
        "if the layout created is assigned as default it should set as non default the existing default layout",
        "layouts_create",
        |t| Box::pin(keeping_default(t, create_second_default)),
    ),
    Ported::new(
        GET,
        "should retrieve the requested layout successfully if exists in the database for that user",
        "layouts_retrieve",
        |t| Box::pin(get_existing(t)),
    ),
    Ported::new(
        GET,
        "should throw a not found error when the layout ID does not exist in the database for the user requesting it",
        "layouts_retrieve",
        |t| Box::pin(get_missing(t)),
    ),
    Ported::new(
        DELETE,
        "should soft delete the requested layout successfully if exists in the database for that user",
        "layouts_delete",
        |t| Box::pin(delete_existing(t)),
    ),
    Ported::new(
        DELETE,
        "should throw a not found error when the layout ID to soft delete does not exist in the database",
        "layouts_delete",
        |t| Box::pin(delete_missing(t)),
    ),
    Ported::new(
        DELETE,
        "should throw a conflict error when the layout ID to soft delete is the default layout",
        "layouts_delete",
        |t| Box::pin(keeping_default(t, delete_default)),
    ),
    Ported::new(
        DELETE,
        "should throw a conflict error when the layout ID to soft delete is associated to message templates",
        "layouts_delete",
        |t| Box::pin(keeping_default(t, delete_in_use)),
    ),
    Ported::new(
        DEFAULT,
        "should set the chosen layout as default",
        "layouts_set_default",
        |t| Box::pin(keeping_default(t, set_default)),
    ),
    Ported::new(
        DEFAULT,
        "should set the chosen layout as default and the previous default layout is non default anymore",
        "layouts_set_default",
        |t| Box::pin(keeping_default(t, set_default_replaces)),
    ),
    Ported::new(
        DEFAULT,
        "should throw a not found error when the layout ID does not exist in the database when trying to set it as default",
        "layouts_set_default",
        |t| Box::pin(set_default_missing(t)),
    ),
    Ported::new(
        UPDATE,
        "should throw validation error for empty payload when not sending a body",
        "layouts_update",
        |t| Box::pin(keeping_default(t, |t| update_empty(t, None))),
    ),
    Ported::new(
        UPDATE,
        "should throw validation error for empty payload when sending a body of an empty object",
        "layouts_update",
        |t| Box::pin(keeping_default(t, |t| update_empty(t, Some(json!({}))))),
    ),
    Ported::new(
        UPDATE,
        "should throw a not found error when the layout ID does not exist in the database when trying to update it",
        "layouts_update",
        |t| Box::pin(update_missing(t)),
    ),
    Ported::new(
        UPDATE,
        "should update a new layout successfully",
        "layouts_update",
        |t| Box::pin(keeping_default(t, update_existing)),
    ),
    Ported::new(
        UPDATE,
        "should throw a conflict error when a default layout is updated to not be default",
        "layouts_update",
        |t| Box::pin(keeping_default(t, update_unset_default)),
    ),
    Ported::new(
        UPDATE,
        "should throw error for an update of layout identifier that already exists in the environment",
        "layouts_update",
        |t| Box::pin(keeping_default(t, update_taken_identifier)),
    ),
    Ported::new(
        UPDATE,
        "if the layout updated is assigned as default it should set as non default the existing default layout",
        "layouts_update",
        |t| Box::pin(keeping_default(t, update_to_default)),
    ),
];

/// The variables every layout of Novu's helper declares.
fn variables() -> Value {
    json!([{ "name": "organizationName", "type": "String", "defaultValue": "Company", "required": false }])
}

/// Novu's `createLayout` helper: creates the layout (deleted at the end), reads it back and
/// answers what the read returned.
pub(super) async fn layout(
    trial: &Trial<'_>,
    name: &str,
    is_default: bool,
    identifier: &str,
) -> Result<Value, Stop> {
    let reply = trial
        .call(
            "layouts_create",
            &[],
            &[],
            Some(json!({
                "name": name, "identifier": identifier, "description": DESCRIPTION,
                "content": CONTENT, "variables": variables(), "isDefault": is_default,
            })),
        )
        .await?;
    trial.status(&reply, 201)?;
    let id = reply.data()["_id"].as_str().unwrap_or_default().to_owned();
    trial.holds(&reply, "data._id is a string", !id.is_empty())?;
    trial.created("layouts_delete", &[("layoutId", &id)]);
    let read = read(trial, &id).await?;
    trial.status(&read, 200)?;
    Ok(read.data().clone())
}

async fn read(trial: &Trial<'_>, id: &str) -> Result<Reply, Stop> {
    trial
        .call("layouts_retrieve", &[("layoutId", id)], &[], None)
        .await
}

fn id_of(layout: &Value) -> String {
    layout["_id"].as_str().unwrap_or_default().to_owned()
}

/// Reads layout `id` and asserts whether it is the default.
async fn default_is(trial: &Trial<'_>, id: &str, expected: bool) -> Result<Reply, Stop> {
    let reply = read(trial, id).await?;
    trial.equal(&reply, "data._id", &reply.data()["_id"], id)?;
    trial.equal(
        &reply,
        "data.isDefault",
        &reply.data()["isDefault"],
        expected,
    )?;
    Ok(reply)
}

/// The `_id` of the environment's default layout, if it has one.
pub(super) async fn default_layout(trial: &Trial<'_>) -> Result<Option<String>, Stop> {
    for page in 0..50 {
        let page = page.to_string();
        let reply = trial
            .call(
                "layouts_list",
                &[],
                &[("page", &page), ("pageSize", "100")],
                None,
            )
            .await?;
        let data = items(&reply.body["data"]);
        let found = data
            .iter()
            .find(|layout| layout["isDefault"] == true)
            .map(id_of);
        if found.is_some() || data.is_empty() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Plays `case`, then makes the environment's default layout of before the default again, so
/// that the layouts the case made can be deleted. An environment without a default before
/// (one Novu made before it had default layouts, which no migration gave one) keeps the
/// case's last default.
async fn keeping_default<'t, F>(
    trial: &'t Trial<'t>,
    case: impl FnOnce(&'t Trial<'t>) -> F,
) -> Result<(), Stop>
where
    F: std::future::Future<Output = Result<(), Stop>> + 't,
{
    let before = default_layout(trial).await?;
    let result = case(trial).await;
    if let Some(before) = before {
        let _ = trial
            .call("layouts_set_default", &[("layoutId", &before)], &[], None)
            .await;
    }
    result
}

async fn create_without_payload(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = trial
        .call("layouts_create", &[], &[], Some(json!({})))
        .await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        json!([
            "name should not be null or undefined",
            "name must be a string",
            "identifier should not be null or undefined",
            "identifier must be a string",
            "content should not be null or undefined",
        ]),
    )
}

async fn create_default(trial: &Trial<'_>) -> Result<(), Stop> {
    layout(
        trial,
        &trial.name("layout-name-creation"),
        true,
        &trial.name("layout-identifier-creation"),
    )
    .await
    .map(drop)
}

async fn create_taken_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    let first = layout(
        trial,
        &trial.name("layout-name-creation"),
        false,
        &trial.name("layout-identifier-creation"),
    )
    .await?;
    let identifier = first["identifier"].clone();
    let (environment, _) = trial.environment().await?;
    let reply = trial
        .call(
            "layouts_create",
            &[],
            &[],
            Some(json!({
                "name": trial.name("second-layout-name-creation"), "identifier": identifier,
                "description": DESCRIPTION, "content": CONTENT, "variables": variables(), "isDefault": false,
            })),
        )
        .await?;
    if let Some(id) = reply.data()["_id"].as_str() {
        trial.created("layouts_delete", &[("layoutId", id)]);
    }
    trial.status(&reply, 409)?;
    trial.equal(&reply, "error", &reply.body["error"], "Conflict")?;
    let identifier = identifier.as_str().unwrap_or_default();
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!(
            "Layout with identifier: {identifier} already exists under environment {environment}"
        ),
    )?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 409)
}

async fn create_second_default(trial: &Trial<'_>) -> Result<(), Stop> {
    let first = layout(
        trial,
        &trial.name("layout-name-creation"),
        true,
        &trial.name("layout-identifier-creation"),
    )
    .await?;
    let first_id = id_of(&first);
    default_is(trial, &first_id, true).await?;
    let (name, identifier) = (
        trial.name("layout-name-creation-new-default"),
        trial.name("layout-identifier-creation-new-default"),
    );
    let reply = trial
        .call(
            "layouts_create",
            &[],
            &[],
            Some(json!({
                "name": name, "identifier": identifier, "description": "new-default-layout",
                "content": CONTENT, "variables": variables(), "isDefault": true,
            })),
        )
        .await?;
    let second_id = reply.data()["_id"].as_str().unwrap_or_default().to_owned();
    trial.created("layouts_delete", &[("layoutId", &second_id)]);
    trial.status(&reply, 201)?;
    default_is(trial, &first_id, false).await?;
    let second = default_is(trial, &second_id, true).await?;
    trial.equal(&second, "data.name", &second.data()["name"], name)?;
    trial.equal(
        &second,
        "data.identifier",
        &second.data()["identifier"],
        identifier,
    )
}

/// The user the API key belongs to, which Novu's tests read as the session's user.
async fn key_user(trial: &Trial<'_>) -> Result<Value, Stop> {
    let keys = trial
        .setup(
            "the API keys are listed",
            "environment_api_keys_list",
            &[],
            None,
        )
        .await?;
    Ok(items(&keys)
        .first()
        .map(|key| key["_userId"].clone())
        .unwrap_or(Value::Null))
}

async fn get_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let (name, identifier) = (
        trial.name("layout-name-retrieval"),
        trial.name("layout-identifier-retrieval"),
    );
    let created = layout(trial, &name, false, &identifier).await?;
    let (environment, organization) = trial.environment().await?;
    let user = key_user(trial).await?;
    let reply = read(trial, &id_of(&created)).await?;
    trial.status(&reply, 200)?;
    let data = reply.data();
    let expected = [
        ("_id", created["_id"].clone()),
        ("_environmentId", json!(environment)),
        ("_organizationId", json!(organization)),
        ("_creatorId", user),
        ("name", json!(name)),
        ("identifier", json!(identifier)),
        ("description", json!(DESCRIPTION)),
        ("content", json!(CONTENT)),
        ("variables", variables()),
        ("channel", json!("email")),
        ("contentType", json!("customHtml")),
        ("isDefault", json!(false)),
        ("isDeleted", json!(false)),
    ];
    for (field, value) in expected {
        trial.equal(&reply, &format!("data.{field}"), &data[field], value)?;
    }
    trial.holds(
        &reply,
        "data.createdAt is set",
        data["createdAt"].is_string(),
    )?;
    trial.holds(
        &reply,
        "data.updatedAt is set",
        data["updatedAt"].is_string(),
    )
}

/// A 404 naming the layout id and the environment.
async fn layout_not_found(trial: &Trial<'_>, reply: &Reply, id: &str) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    trial.equal(reply, "statusCode", &reply.body["statusCode"], 404)?;
    trial.equal(
        reply,
        "message",
        &reply.body["message"],
        format!("Layout not found for id {id} in the environment {environment}"),
    )?;
    trial.equal(reply, "error", &reply.body["error"], "Not Found")
}

const MISSING_ID: &str = "ab12345678901234567890ab";

async fn get_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = read(trial, MISSING_ID).await?;
    layout_not_found(trial, &reply, MISSING_ID).await
}

async fn delete_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let created = layout(
        trial,
        &trial.name("layout-name-deletion"),
        false,
        &trial.name("layout-identifier-deletion"),
    )
    .await?;
    let id = id_of(&created);
    let deleted = trial
        .call("layouts_delete", &[("layoutId", &id)], &[], None)
        .await?;
    trial.status(&deleted, 204)?;
    trial.holds(&deleted, "the body is empty", deleted.body.is_null())?;
    let after = read(trial, &id).await?;
    trial.status(&after, 404)
}

async fn delete_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = trial
        .call("layouts_delete", &[("layoutId", MISSING_ID)], &[], None)
        .await?;
    layout_not_found(trial, &reply, MISSING_ID).await
}

/// A 409 with `message`.
fn conflict(trial: &Trial<'_>, reply: &Reply, message: &str) -> Result<(), Stop> {
    trial.status(reply, 409)?;
    trial.equal(reply, "error", &reply.body["error"], "Conflict")?;
    trial.equal(reply, "message", &reply.body["message"], message)?;
    trial.equal(reply, "statusCode", &reply.body["statusCode"], 409)
}

async fn delete_default(trial: &Trial<'_>) -> Result<(), Stop> {
    let created = layout(
        trial,
        &trial.name("layout-name-deletion"),
        true,
        &trial.name("layout-identifier-deletion"),
    )
    .await?;
    let id = id_of(&created);
    let reply = trial
        .call("layouts_delete", &[("layoutId", &id)], &[], None)
        .await?;
    conflict(
        trial,
        &reply,
        &format!(
            "Layout with id {id} is being used as your default layout, so it can not be deleted"
        ),
    )
}

/// Novu's test writes a push message template with the layout through its use case; here a
/// workflow's email step names the layout.
async fn delete_in_use(trial: &Trial<'_>) -> Result<(), Stop> {
    let created = layout(
        trial,
        &trial.name("layout-name-deletion-conflict"),
        true,
        &trial.name("layout-identifier-deletion-conflict"),
    )
    .await?;
    let id = id_of(&created);
    let group = trial
        .setup(
            "a workflow group is created",
            "workflow_groups_create",
            &[],
            Some(json!({ "name": trial.name("group") })),
        )
        .await?;
    let group_id = group["_id"].as_str().unwrap_or_default().to_owned();
    trial.created("workflow_groups_delete", &[("id", &group_id)]);
    let workflow = trial
        .call(
            "workflows_create",
            &[],
            &[],
            Some(json!({
                "name": trial.name("workflow"),
                "notificationGroupId": group_id,
                "steps": [{
                    "name": "test-message-template",
                    "template": {
                        "type": "email", "subject": "test", "name": "test-message-template",
                        "content": [{ "type": "text", "content": "test" }], "layoutId": id,
                    },
                }],
            })),
        )
        .await?;
    trial.status(&workflow, 201)?;
    let workflow_id = workflow.data()["_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    trial.created("workflows_delete", &[("workflowId", &workflow_id)]);
    // Novu's test reads the message template its use case made: it names the layout.
    trial.equal(
        &workflow,
        "result._layoutId",
        &workflow.data()["steps"][0]["template"]["_layoutId"],
        id.as_str(),
    )?;
    let reply = trial
        .call("layouts_delete", &[("layoutId", &id)], &[], None)
        .await?;
    // The default is checked first in Novu too; this layout is used and, as in Novu's test,
    // also the default, so either refusal names it. Novu's test expects the in-use one.
    conflict(
        trial,
        &reply,
        &format!("Layout with id {id} is being used so it can not be deleted"),
    )
}

async fn post_default(trial: &Trial<'_>, id: &str) -> Result<Reply, Stop> {
    trial
        .call("layouts_set_default", &[("layoutId", id)], &[], None)
        .await
}

async fn set_default(trial: &Trial<'_>) -> Result<(), Stop> {
    let created = layout(
        trial,
        &trial.name("layout-name-set-default"),
        false,
        &trial.name("layout-identifier-set-default"),
    )
    .await?;
    let id = id_of(&created);
    default_is(trial, &id, false).await?;
    let reply = post_default(trial, &id).await?;
    trial.status(&reply, 204)?;
    default_is(trial, &id, true).await.map(drop)
}

async fn set_default_replaces(trial: &Trial<'_>) -> Result<(), Stop> {
    let first = layout(
        trial,
        &trial.name("layout-name-set-default"),
        false,
        &trial.name("layout-identifier-set-default"),
    )
    .await?;
    let first_id = id_of(&first);
    let made = post_default(trial, &first_id).await?;
    trial.status(&made, 204)?;
    let second = layout(
        trial,
        &trial.name("layout-name-set-default-2"),
        false,
        &trial.name("layout-identifier-set-default-2"),
    )
    .await?;
    let second_id = id_of(&second);
    default_is(trial, &first_id, true).await?;
    let reply = post_default(trial, &second_id).await?;
    trial.status(&reply, 204)?;
    default_is(trial, &first_id, false).await?;
    default_is(trial, &second_id, true).await.map(drop)
}

async fn set_default_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = post_default(trial, MISSING_ID).await?;
    layout_not_found(trial, &reply, MISSING_ID).await
}

/// The layout Novu's update-layout file starts from: a default one.
async fn update_subject(trial: &Trial<'_>) -> Result<Value, Stop> {
    layout(
        trial,
        &trial.name("layout-name-update"),
        true,
        &trial.name("layout-identifier-update"),
    )
    .await
}

async fn update_empty(trial: &Trial<'_>, body: Option<Value>) -> Result<(), Stop> {
    let created = update_subject(trial).await?;
    let reply = trial
        .call(
            "layouts_update",
            &[("layoutId", &id_of(&created))],
            &[],
            body,
        )
        .await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        "Payload can not be empty",
    )
}

fn update_body(trial: &Trial<'_>) -> Value {
    json!({
        "name": trial.name("layout-name-update-1"),
        "identifier": trial.name("layout-identifier-update-1"),
        "description": "We thought it was more amazing than it is",
        "content": "{{{body}}}",
        "variables": [],
    })
}

async fn update_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = trial
        .call(
            "layouts_update",
            &[("layoutId", MISSING_ID)],
            &[],
            Some(update_body(trial)),
        )
        .await?;
    layout_not_found(trial, &reply, MISSING_ID).await
}

async fn update_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let created = update_subject(trial).await?;
    let body = update_body(trial);
    let (environment, organization) = trial.environment().await?;
    let user = key_user(trial).await?;
    let reply = trial
        .call(
            "layouts_update",
            &[("layoutId", &id_of(&created))],
            &[],
            Some(body.clone()),
        )
        .await?;
    trial.status(&reply, 200)?;
    let data = reply.data();
    let expected = [
        ("_id", created["_id"].clone()),
        ("_environmentId", json!(environment)),
        ("_organizationId", json!(organization)),
        ("_creatorId", user),
        ("name", body["name"].clone()),
        ("identifier", body["identifier"].clone()),
        ("description", body["description"].clone()),
        ("content", body["content"].clone()),
        ("variables", json!([])),
        ("contentType", json!("customHtml")),
        ("isDeleted", json!(false)),
    ];
    for (field, value) in expected {
        trial.equal(&reply, &format!("data.{field}"), &data[field], value)?;
    }
    trial.holds(
        &reply,
        "data.createdAt is set",
        data["createdAt"].is_string(),
    )?;
    trial.holds(
        &reply,
        "data.updatedAt is set",
        data["updatedAt"].is_string(),
    )
}

async fn update_unset_default(trial: &Trial<'_>) -> Result<(), Stop> {
    let created = update_subject(trial).await?;
    let reply = trial
        .call(
            "layouts_update",
            &[("layoutId", &id_of(&created))],
            &[],
            Some(json!({ "isDefault": false })),
        )
        .await?;
    trial.equal(&reply, "error", &reply.body["error"], "Conflict")?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        "One default layout is required",
    )?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 409)
}

async fn update_taken_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    let created = update_subject(trial).await?;
    let taken = trial.name("second-layout-identifier-update");
    layout(
        trial,
        &trial.name("second-layout-name-update"),
        false,
        &taken,
    )
    .await?;
    let (environment, _) = trial.environment().await?;
    let reply = trial
        .call(
            "layouts_update",
            &[("layoutId", &id_of(&created))],
            &[],
            Some(json!({ "identifier": taken })),
        )
        .await?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Layout with identifier: {taken} already exists under environment {environment}"),
    )?;
    trial.equal(&reply, "error", &reply.body["error"], "Conflict")?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 409)
}

async fn update_to_default(trial: &Trial<'_>) -> Result<(), Stop> {
    let first = layout(
        trial,
        &trial.name("layout-name-update-first-created"),
        true,
        &trial.name("layout-identifier-update-first-created"),
    )
    .await?;
    let second = layout(
        trial,
        &trial.name("layout-name-update-second-created"),
        false,
        &trial.name("layout-identifier-update-second-created"),
    )
    .await?;
    let (first_id, second_id) = (id_of(&first), id_of(&second));
    default_is(trial, &first_id, true).await?;
    default_is(trial, &second_id, false).await?;
    trial
        .call(
            "layouts_update",
            &[("layoutId", &second_id)],
            &[],
            Some(json!({ "isDefault": true })),
        )
        .await?;
    default_is(trial, &first_id, false).await?;
    default_is(trial, &second_id, true).await.map(drop)
}
