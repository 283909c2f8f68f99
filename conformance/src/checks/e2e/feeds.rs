//! Cases ported from Novu's `feeds/e2e/`: creating, listing and deleting in-app feeds, the
//! refusal to delete a feed a step still uses, and feeds promoted with the workflows that use
//! them.
//!
//! Novu's session seeds each environment with feeds and its tests count them; here each case
//! counts the feeds it made against the list it read before. The cases that count the
//! Production copies read them with the Production environment's key
//! ([`Feature::Production`]) and apply the pending changes of their own entities only (see
//! `changes.rs`).

use serde_json::{Value, json};

use super::changes::{promote, retire, without_nulls, workflow};
use super::integrations::text;
use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "feeds/e2e/create-feed.e2e.ts";
const DELETE: &str = "feeds/e2e/delete-feed.e2e.ts";
const GET: &str = "feeds/e2e/get-feeds.e2e.ts";

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[
    Ported::new(CREATE, "should create a new feed", "feeds_create", |t| {
        Box::pin(created(t))
    }),
    Ported::new(
        CREATE,
        "should promote feed changes with template",
        "feeds_create",
        |t| Box::pin(promoted_with_workflow(t)),
    )
    .needs(Feature::Production),
    Ported::new(
        CREATE,
        "update existing message with feed",
        "feeds_create",
        |t| Box::pin(promoted_with_update(t)),
    )
    .needs(Feature::Production),
    Ported::new(
        CREATE,
        "should throw error if a feed already exist",
        "feeds_create",
        |t| Box::pin(duplicate(t)),
    ),
    Ported::new(
        DELETE,
        "should not be able to delete feed that has a message",
        "feeds_delete",
        |t| Box::pin(in_use(t)),
    ),
    Ported::new(DELETE, "should delete feed", "feeds_delete", |t| {
        Box::pin(deleted(t))
    }),
    Ported::new(
        DELETE,
        "update existing message with feed",
        "feeds_delete",
        |t| Box::pin(deletion_promoted(t)),
    ),
    Ported::new(
        DELETE,
        "should be able to delete feed after template is deleted",
        "feeds_delete",
        |t| Box::pin(deleted_after_workflow(t)),
    ),
    Ported::new(GET, "should get all feeds", "feeds_list", |t| {
        Box::pin(listed(t, &["Test name", "Test name 2"]))
    }),
    Ported::new(
        GET,
        "should create default feed if none exists",
        "feeds_list",
        |t| Box::pin(listed(t, &["Feed 2"])),
    ),
];

/// Posts a feed named `name`; a created one is deleted at the end.
async fn post(trial: &Trial<'_>, name: &str) -> Result<Reply, Stop> {
    let reply = trial
        .call("feeds_create", &[], &[], Some(json!({ "name": name })))
        .await?;
    if let Some(id) = reply.data()["_id"].as_str() {
        trial.created("feeds_delete", &[("feedId", id)]);
    }
    Ok(reply)
}

/// Creates a feed named `name`; answers it.
async fn feed(trial: &Trial<'_>, name: &str) -> Result<Value, Stop> {
    let reply = post(trial, name).await?;
    trial.status(&reply, 201)?;
    Ok(reply.data().clone())
}

/// The feeds of the environment (of the Production one with `production`).
async fn feeds(trial: &Trial<'_>, production: bool) -> Result<Reply, Stop> {
    let reply = match production {
        true => {
            trial
                .call_in_production("feeds_list", &[], &[], None)
                .await?
        }
        false => trial.call("feeds_list", &[], &[], None).await?,
    };
    trial.status(&reply, 200)?;
    Ok(reply)
}

fn named<'r>(reply: &'r Reply, name: &str) -> Vec<&'r Value> {
    items(reply.data())
        .iter()
        .filter(|feed| feed["name"] == json!(name))
        .collect()
}

async fn created(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    let name = trial.name("Test name");
    let reply = post(trial, &name).await?;
    let feed = reply.data();
    trial.holds(&reply, "data is ok", feed.is_object())?;
    trial.equal(&reply, "feed.name", &feed["name"], name)?;
    trial.equal(
        &reply,
        "feed._environmentId",
        &feed["_environmentId"],
        environment,
    )
}

/// Novu's in-app step, in feed `feed` when given.
fn in_app_step(feed: Option<&str>) -> Value {
    let mut step = json!({ "template": { "name": "Message Name", "subject": "Test email subject",
        "content": "This is a sample text block", "type": "in_app" } });
    if let Some(feed) = feed {
        step["template"]["feedId"] = json!(feed);
    }
    step
}

/// The feeds named `name` in both environments are two: the Development one and its copy.
async fn two_copies(trial: &Trial<'_>, name: &str) -> Result<(), Stop> {
    let development = feeds(trial, false).await?;
    let production = feeds(trial, true).await?;
    let count = named(&development, name).len() + named(&production, name).len();
    trial.equal(
        &production,
        "feedsCount (both environments)",
        &json!(count),
        2,
    )
}

async fn promoted_with_workflow(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("add feed to message");
    let feed_id = text(&feed(trial, &name).await?["_id"]);
    let workflow = workflow(trial, json!([in_app_step(Some(&feed_id))]), None).await?;
    let workflow_id = text(&workflow["_id"]);
    promote(trial, &[&feed_id, &workflow_id]).await?;
    two_copies(trial, &name).await?;
    retire(
        trial,
        &[
            ("workflows_delete", "workflowId", &workflow_id),
            ("feeds_delete", "feedId", &feed_id),
        ],
    )
    .await
}

async fn promoted_with_update(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = workflow(trial, json!([in_app_step(None)]), None).await?;
    let workflow_id = text(&workflow["_id"]);
    promote(trial, &[&workflow_id]).await?;
    let name = trial.name("Test update message with feed");
    let feed_id = text(&feed(trial, &name).await?["_id"]);
    let step = &workflow["steps"][0];
    let update = json!({ "name": workflow["name"], "description": workflow["description"],
        "tags": workflow["tags"], "notificationGroupId": workflow["_notificationGroupId"],
        "steps": [without_nulls(json!({ "_id": step["_templateId"], "_templateId": step["_templateId"],
            "template": { "feedId": feed_id, "name": "test", "type": step["template"]["type"],
                "cta": step["template"]["cta"], "content": step["template"]["content"] } }))] });
    trial
        .setup(
            "the workflow is updated",
            "workflows_update",
            &[("workflowId", &workflow_id)],
            Some(update),
        )
        .await?;
    promote(trial, &[&feed_id, &workflow_id]).await?;
    two_copies(trial, &name).await?;
    retire(
        trial,
        &[
            ("workflows_delete", "workflowId", &workflow_id),
            ("feeds_delete", "feedId", &feed_id),
        ],
    )
    .await
}

async fn duplicate(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("identifier_123");
    post(trial, &name).await?;
    let reply = post(trial, &name).await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 409)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Feed with identifier: {name} already exists"),
    )
}

async fn delete(trial: &Trial<'_>, id: &str) -> Result<Reply, Stop> {
    trial
        .call("feeds_delete", &[("feedId", id)], &[], None)
        .await
}

/// Novu's session workflow shows its in-app messages in the session's first feed; here a
/// feed and a workflow using it are made.
async fn in_use(trial: &Trial<'_>) -> Result<(), Stop> {
    let feed_id = text(&feed(trial, &trial.name("Activities")).await?["_id"]);
    workflow(trial, json!([in_app_step(Some(&feed_id))]), None).await?;
    let reply = delete(trial, &feed_id).await?;
    let message = reply.body["message"].as_str().unwrap_or_default();
    trial.holds(
        &reply,
        "message contains `Can not delete feed that has existing`",
        message.contains("Can not delete feed that has existing"),
    )
}

/// Novu counts the seeded feeds that remain; the case expects the feeds listed before it
/// made its own.
async fn deleted(trial: &Trial<'_>) -> Result<(), Stop> {
    let before = feeds(trial, false).await?;
    let name = trial.name("Test name");
    let id = text(&feed(trial, &name).await?["_id"]);
    let listed = feeds(trial, false).await?;
    let found = named(&listed, &name);
    trial.equal(
        &listed,
        "the new feed's name, listed",
        &json!(found.first().map(|feed| &feed["name"])),
        name,
    )?;
    let reply = delete(trial, &id).await?;
    trial.status(&reply, 200)?;
    let ids = |reply: &Reply| -> Vec<Value> {
        items(reply.data())
            .iter()
            .map(|feed| feed["_id"].clone())
            .collect()
    };
    trial.equal(
        &reply,
        "the remaining feeds (their _id)",
        &json!(ids(&reply)),
        json!(ids(&before)),
    )
}

async fn deletion_promoted(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("Test delete feed in message");
    let id = text(&feed(trial, &name).await?["_id"]);
    promote(trial, &[&id]).await?;
    delete(trial, &id).await?;
    promote(trial, &[&id]).await?;
    let reply = feeds(trial, false).await?;
    trial.equal(
        &reply,
        "feeds named so",
        &json!(named(&reply, &name).len()),
        0,
    )
}

async fn deleted_after_workflow(trial: &Trial<'_>) -> Result<(), Stop> {
    let feed_id = text(&feed(trial, &trial.name("add feed to message")).await?["_id"]);
    let workflow = workflow(trial, json!([in_app_step(Some(&feed_id))]), None).await?;
    let workflow_id = text(&workflow["_id"]);
    let templates = items(&workflow["steps"])
        .iter()
        .filter(|step| step["_templateId"].is_string())
        .count();
    let reply = trial
        .call(
            "workflows_delete",
            &[("workflowId", &workflow_id)],
            &[],
            None,
        )
        .await?;
    trial.equal(&reply, "messageTemplates length", &json!(templates), 1)?;
    let read = trial
        .call(
            "workflows_retrieve",
            &[("workflowId", &workflow_id)],
            &[],
            None,
        )
        .await?;
    trial.status(&read, 404)?;
    let reply = delete(trial, &feed_id).await?;
    trial.status(&reply, 200)?;
    trial.holds(
        &reply,
        "deletedFeedBody.data is ok",
        reply.data().is_array(),
    )
}

/// Novu's session seeds feeds (the first named `Activities`) and its test counts them with the
/// new ones; the case counts its new ones against the list read before.
async fn listed(trial: &Trial<'_>, names: &[&str]) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    let before = items(feeds(trial, false).await?.data()).len();
    for name in names {
        feed(trial, &trial.name(name)).await?;
    }
    let reply = feeds(trial, false).await?;
    trial.equal(
        &reply,
        "body.data length",
        &json!(items(reply.data()).len()),
        before + names.len(),
    )?;
    let name = trial.name(names[0]);
    let found = named(&reply, &name);
    let Some(found) = found.first() else {
        return trial.fail(&reply, &format!("a feed named {name} is listed"), "none is");
    };
    trial.equal(&reply, "feed.name", &found["name"], name)?;
    trial.equal(
        &reply,
        "feed._environmentId",
        &found["_environmentId"],
        environment,
    )
}
