//! Cases ported from Novu's `workflows-v1/e2e/create-notification-templates.e2e.ts`: a
//! workflow created with the API key, its defaults (`draft`, `active`), its event trigger,
//! the short id a taken identifier gets, and its steps chained by `_parentId`.
//!
//! Novu's tests create in the environment's default group; each case here makes a group of
//! its own, and names carry the case's prefix. Everything is deleted at the end.

use serde_json::{Value, json};

use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "workflows-v1/e2e/create-notification-templates.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        CREATE,
        "should be able to create a notification with the API Key",
        "workflows_create",
        |t| Box::pin(with_api_key(t)),
    ),
    Ported::new(
        CREATE,
        "should create a valid notification",
        "workflows_create",
        |t| Box::pin(valid(t)),
    ),
    Ported::new(
        CREATE,
        "should create event trigger",
        "workflows_create",
        |t| Box::pin(event_trigger(t)),
    ),
    Ported::new(
        CREATE,
        "should only add shortid to trigger identifier if same identifier exists",
        "workflows_create",
        |t| Box::pin(short_id(t)),
    ),
    Ported::new(
        CREATE,
        "should add parentId to step",
        "workflows_create",
        |t| Box::pin(parent_ids(t)),
    ),
];

const DESCRIPTION: &str = "This is a test description";

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// An in-app step whose call to action opens the profile page.
fn redirect_step(content: &str) -> Value {
    json!({ "template": {
        "name": "Message Name",
        "content": content,
        "type": "in_app",
        "cta": { "type": "redirect", "data": { "url": "https://example.org/profile" } },
    } })
}

/// Creates a group for the case (deleted at the end); answers its `_id`.
async fn group(trial: &Trial<'_>) -> Result<String, Stop> {
    let group = trial
        .setup(
            "the workflow group is created",
            "workflow_groups_create",
            &[],
            Some(json!({ "name": trial.name("group") })),
        )
        .await?;
    let id = text(&group["_id"]);
    trial.created("workflow_groups_delete", &[("id", &id)]);
    Ok(id)
}

/// Posts `fields` to the workflows, in a group of the case's own; the workflow, when made, is
/// deleted at the end.
async fn create(trial: &Trial<'_>, group: &str, mut fields: Value) -> Result<Reply, Stop> {
    fields["notificationGroupId"] = json!(group);
    let reply = trial
        .call("workflows_create", &[], &[], Some(fields))
        .await?;
    let id = text(&reply.data()["_id"]);
    if !id.is_empty() {
        trial.created("workflows_delete", &[("workflowId", &id)]);
    }
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    Ok(reply)
}

async fn with_api_key(trial: &Trial<'_>) -> Result<(), Stop> {
    let group = group(trial).await?;
    let name = trial.name("test api template");
    let fields = json!({
        "name": name,
        "description": DESCRIPTION,
        "tags": ["test-tag-api"],
        "steps": [],
    });
    let reply = create(trial, &group, fields).await?;
    trial.equal(&reply, "data.name", &reply.data()["name"], name)
}

/// Novu's test also compares `createdAt` with today, with an `expect` that asserts nothing;
/// that is not replayed.
async fn valid(trial: &Trial<'_>) -> Result<(), Stop> {
    let group = group(trial).await?;
    let name = trial.name("test template");
    let step = redirect_step("Test Template");
    let fields = json!({ "name": name, "description": DESCRIPTION, "steps": [step] });
    let reply = create(trial, &group, fields).await?;
    let data = reply.data();
    trial.holds(&reply, "data._id is set", !text(&data["_id"]).is_empty())?;
    trial.equal(
        &reply,
        "data.description",
        &data["description"],
        DESCRIPTION,
    )?;
    trial.equal(&reply, "data.name", &data["name"], name)?;
    trial.equal(&reply, "data.draft", &data["draft"], true)?;
    trial.equal(&reply, "data.active", &data["active"], false)?;
    trial.equal(
        &reply,
        "data.steps.length",
        &json!(items(&data["steps"]).len()),
        1,
    )?;
    let template = &data["steps"][0]["template"];
    trial.equal(
        &reply,
        "data.steps[0].template.type",
        &template["type"],
        "in_app",
    )?;
    trial.equal(
        &reply,
        "data.steps[0].template.content",
        &template["content"],
        "Test Template",
    )?;
    trial.equal(
        &reply,
        "data.steps[0].template.cta.data.url",
        &template["cta"]["data"]["url"],
        "https://example.org/profile",
    )
}

async fn event_trigger(trial: &Trial<'_>) -> Result<(), Stop> {
    let group = group(trial).await?;
    let mut step = redirect_step("Test Template {{name}} {{lastName}}");
    step["active"] = json!(false);
    let fields = json!({
        "name": trial.name("test template"),
        "description": DESCRIPTION,
        "steps": [step],
    });
    let reply = create(trial, &group, fields).await?;
    let data = reply.data();
    trial.equal(&reply, "data.active", &data["active"], false)?;
    trial.equal(
        &reply,
        "data.triggers.length",
        &json!(items(&data["triggers"]).len()),
        1,
    )?;
    let trigger = &data["triggers"][0];
    trial.holds(
        &reply,
        "data.triggers[0].identifier includes \"test\"",
        text(&trigger["identifier"]).contains("test"),
    )?;
    trial.equal(&reply, "data.triggers[0].type", &trigger["type"], "event")
}

/// Novu's name `test` is its identifier as it stands; the case's name (its prefix and `test`)
/// is lower-case words and dashes, so it too is its own identifier.
async fn short_id(trial: &Trial<'_>) -> Result<(), Stop> {
    let group = group(trial).await?;
    let name = trial.name("test").to_lowercase();
    let fields = json!({ "name": name, "description": DESCRIPTION, "steps": [] });
    let first = create(trial, &group, fields.clone()).await?;
    trial.equal(
        &first,
        "data.triggers[0].identifier",
        &first.data()["triggers"][0]["identifier"],
        name.as_str(),
    )?;
    let second = create(trial, &group, fields).await?;
    let taken = format!("{name}-");
    trial.holds(
        &second,
        &format!("data.triggers[0].identifier includes \"{taken}\""),
        text(&second.data()["triggers"][0]["identifier"]).contains(&taken),
    )
}

async fn parent_ids(trial: &Trial<'_>) -> Result<(), Stop> {
    let group = group(trial).await?;
    let step = redirect_step("Test Template");
    let fields = json!({
        "name": trial.name("test template"),
        "description": DESCRIPTION,
        "steps": [step.clone(), step],
    });
    let reply = create(trial, &group, fields).await?;
    let steps = &reply.data()["steps"];
    trial.equal(
        &reply,
        "data.steps[0]._parentId",
        &steps[0]["_parentId"],
        Value::Null,
    )?;
    trial.holds(
        &reply,
        "data.steps[0]._id is data.steps[1]._parentId",
        steps[0]["_id"].is_string() && steps[0]["_id"] == steps[1]["_parentId"],
    )
}
