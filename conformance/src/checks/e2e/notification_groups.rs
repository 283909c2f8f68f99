//! Cases ported from Novu's `notification-groups/e2e/` (workflow groups): create, read, list,
//! rename and delete, and the 404s after a delete.

use serde_json::{Value, json};

use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "notification-groups/e2e/create-notification-group.e2e.ts";
const DELETE: &str = "notification-groups/e2e/delete-notification-group.e2e.ts";
const GET: &str = "notification-groups/e2e/get-notification-group.e2e.ts";
const LIST: &str = "notification-groups/e2e/get-notification-groups.e2e.ts";
const UPDATE: &str = "notification-groups/e2e/update-notification-group.e2e.ts";

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[
    Ported::new(
        CREATE,
        "should create notification group",
        "workflow_groups_create",
        |t| Box::pin(create(t)),
    ),
    Ported::new(
        DELETE,
        "should delete notification group by id",
        "workflow_groups_delete",
        |t| Box::pin(delete(t)),
    ),
    Ported::new(
        DELETE,
        "should return 404 error when attempting to delete non-existent notification group",
        "workflow_groups_delete",
        |t| Box::pin(delete_deleted(t)),
    ),
    Ported::new(
        GET,
        "should get the notification group by id",
        "workflow_groups_retrieve",
        |t| Box::pin(get(t)),
    ),
    Ported::new(
        GET,
        "should get 404 when notification group is not present with the requested id",
        "workflow_groups_retrieve",
        |t| Box::pin(get_deleted(t)),
    ),
    Ported::new(
        LIST,
        "should get all notification groups",
        "workflow_groups_list",
        |t| Box::pin(list(t)),
    ),
    Ported::new(
        UPDATE,
        "update the notification group by id",
        "workflow_groups_update",
        |t| Box::pin(update(t)),
    ),
    Ported::new(
        UPDATE,
        "should return a 404 error if the notification group to be updated does not exist",
        "workflow_groups_update",
        |t| Box::pin(update_deleted(t)),
    ),
];

/// Creates a group named `name` (deleted at the end); answers the create's reply and its `id`.
async fn group(trial: &Trial<'_>, name: &str) -> Result<(Reply, String), Stop> {
    let reply = trial
        .call(
            "workflow_groups_create",
            &[],
            &[],
            Some(json!({ "name": name })),
        )
        .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    // Novu's tests address the group by `id`, the virtual its documents carry beside `_id`
    // with the same value; the contract names `_id` alone.
    let id = [&reply.data()["id"], &reply.data()["_id"]]
        .into_iter()
        .find_map(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    trial.holds(&reply, "data.id is set", !id.is_empty())?;
    trial.created("workflow_groups_delete", &[("id", &id)]);
    Ok((reply, id))
}

/// Reads group `id` and asserts its name, `_id` and environment.
async fn read_is(trial: &Trial<'_>, id: &str, name: &str) -> Result<Reply, Stop> {
    let (environment, _) = trial.environment().await?;
    let reply = trial
        .call("workflow_groups_retrieve", &[("id", id)], &[], None)
        .await?;
    let data = reply.data();
    trial.equal(&reply, "data.name", &data["name"], name)?;
    trial.equal(&reply, "data._id", &data["_id"], id)?;
    trial.equal(
        &reply,
        "data._environmentId",
        &data["_environmentId"],
        environment,
    )?;
    Ok(reply)
}

async fn delete_quietly(trial: &Trial<'_>, id: &str) -> Result<(), Stop> {
    trial
        .call("workflow_groups_delete", &[("id", id)], &[], None)
        .await
        .map(drop)
}

fn status_code_is(trial: &Trial<'_>, reply: &Reply, expected: u16) -> Result<(), Stop> {
    trial.equal(reply, "statusCode", &reply.body["statusCode"], expected)
}

async fn create(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("Test name");
    let (reply, _) = group(trial, &name).await?;
    let (environment, _) = trial.environment().await?;
    trial.equal(&reply, "data.name", &reply.data()["name"], name.as_str())?;
    trial.equal(
        &reply,
        "data._environmentId",
        &reply.data()["_environmentId"],
        environment,
    )
}

async fn delete(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("Test delete group");
    let (_, id) = group(trial, &name).await?;
    read_is(trial, &id, &name).await?;
    let deleted = trial
        .call("workflow_groups_delete", &[("id", &id)], &[], None)
        .await?;
    trial.equal(
        &deleted,
        "data.acknowledged",
        &deleted.data()["acknowledged"],
        true,
    )?;
    trial.equal(
        &deleted,
        "data.status",
        &deleted.data()["status"],
        "deleted",
    )?;
    let after = trial
        .call("workflow_groups_retrieve", &[("id", &id)], &[], None)
        .await?;
    status_code_is(trial, &after, 404)
}

async fn delete_deleted(trial: &Trial<'_>) -> Result<(), Stop> {
    let (_, id) = group(trial, &trial.name("Test name")).await?;
    delete_quietly(trial, &id).await?;
    let again = trial
        .call("workflow_groups_delete", &[("id", &id)], &[], None)
        .await?;
    status_code_is(trial, &again, 404)
}

async fn get(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("Test name");
    let (_, id) = group(trial, &name).await?;
    read_is(trial, &id, &name).await.map(drop)
}

async fn get_deleted(trial: &Trial<'_>) -> Result<(), Stop> {
    let (_, id) = group(trial, &trial.name("Test name")).await?;
    delete_quietly(trial, &id).await?;
    let reply = trial
        .call("workflow_groups_retrieve", &[("id", &id)], &[], None)
        .await?;
    status_code_is(trial, &reply, 404)
}

/// Novu's fresh environment holds its default group and the two made here (`length` 3); in a
/// shared one the list holds the two made here, once each.
async fn list(trial: &Trial<'_>) -> Result<(), Stop> {
    let (first, second) = (trial.name("Test name"), trial.name("Test name 2"));
    group(trial, &first).await?;
    group(trial, &second).await?;
    let (environment, _) = trial.environment().await?;
    let reply = trial.call("workflow_groups_list", &[], &[], None).await?;
    let names: Vec<&Value> = items(reply.data())
        .iter()
        .map(|group| &group["name"])
        .filter(|name| **name == json!(first) || **name == json!(second))
        .collect();
    trial.equal(
        &reply,
        "the case's groups in data",
        &json!(names),
        json!([first, second]),
    )?;
    let found = items(reply.data())
        .iter()
        .find(|group| group["name"] == json!(first))
        .cloned()
        .unwrap_or(Value::Null);
    trial.equal(
        &reply,
        "the group's _environmentId",
        &found["_environmentId"],
        environment,
    )
}

async fn update(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("Test name 1");
    let (_, id) = group(trial, &name).await?;
    read_is(trial, &id, &name).await?;
    let renamed = trial.name("Updated name");
    let reply = trial
        .call(
            "workflow_groups_update",
            &[("id", &id)],
            &[],
            Some(json!({ "name": renamed })),
        )
        .await?;
    trial.equal(&reply, "data._id", &reply.data()["_id"], id.as_str())?;
    let (environment, _) = trial.environment().await?;
    let read = trial
        .call("workflow_groups_retrieve", &[("id", &id)], &[], None)
        .await?;
    trial.equal(&read, "data.name", &read.data()["name"], renamed)?;
    trial.equal(&read, "data.id", &read.data()["id"], id)?;
    trial.equal(
        &read,
        "data._environmentId",
        &read.data()["_environmentId"],
        environment,
    )
}

async fn update_deleted(trial: &Trial<'_>) -> Result<(), Stop> {
    let (_, id) = group(trial, &trial.name("Test name")).await?;
    delete_quietly(trial, &id).await?;
    let reply = trial
        .call(
            "workflow_groups_update",
            &[("id", &id)],
            &[],
            Some(json!({ "name": trial.name("Updated name") })),
        )
        .await?;
    status_code_is(trial, &reply, 404)
}
