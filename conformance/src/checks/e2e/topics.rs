//! Cases ported from Novu's `topics/e2e/`: create, read, rename, delete, the list and its
//! paging, adding and removing members, and reading one membership.
//!
//! Novu's files share one topic between the `it`s of a `describe`, each test starting where
//! the one before left it; here each case makes that state itself first.

use serde_json::{Value, json};

use super::subscribers::subscriber;
use super::{Ported, Reply, Trial, members};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "topics/e2e/create-topic.e2e.ts";
const GET: &str = "topics/e2e/get-topic.e2e.ts";
const RENAME: &str = "topics/e2e/rename-topic.e2e.ts";
const DELETE: &str = "topics/e2e/delete-topic.e2e.ts";
const MEMBER: &str = "topics/e2e/get-topic-subscriber.e2e.ts";
const ADD: &str = "topics/e2e/add-subscribers.e2e.ts";
const REMOVE: &str = "topics/e2e/remove-subscribers.e2e.ts";

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[
    Ported::new(
        CREATE,
        "should throw validation error for missing request payload information",
        "topics_create",
        |t| Box::pin(create_without_payload(t)),
    ),
    Ported::new(
        CREATE,
        "should create a new topic successfully",
        "topics_create",
        |t| Box::pin(create_new(t)),
    ),
    Ported::new(
        CREATE,
        "should throw an error when trying to create a topic with a key already used",
        "topics_create",
        |t| Box::pin(create_taken_key(t)),
    ),
    Ported::new(
        GET,
        "should retrieve the requested topic successfully if exists in the database for that user",
        "topics_get",
        |t| Box::pin(get_existing(t)),
    ),
    Ported::new(
        GET,
        "should throw a not found error when the topic key does not exist in the database for the user requesting it",
        "topics_get",
        |t| Box::pin(get_missing(t)),
    ),
    Ported::new(
        RENAME,
        "should throw a bad request error when not providing the name field",
        "topics_rename",
        |t| Box::pin(rename_without_name(t)),
    ),
    Ported::new(
        RENAME,
        "should rename the topic and return it if exists in the database",
        "topics_rename",
        |t| Box::pin(rename_existing(t)),
    ),
    Ported::new(
        RENAME,
        "should throw a not found error when the topic id provided does not exist in the database",
        "topics_rename",
        |t| Box::pin(rename_missing(t)),
    ),
    Ported::new(
        DELETE,
        "should delete the topic requested by its key",
        "topics_delete",
        |t| Box::pin(delete_existing(t)),
    ),
    Ported::new(
        DELETE,
        "should throw a not found error when trying to delete a topic that does not exist",
        "topics_delete",
        |t| Box::pin(delete_missing(t)),
    ),
    Ported::new(
        DELETE,
        "should throw a conflict error when trying to delete a topic with subscribers assigned",
        "topics_delete",
        |t| Box::pin(delete_with_members(t)),
    ),
    Ported::new(
        MEMBER,
        "should check the requested subscriber belongs to a topic successfully in the database for that user",
        "topic_subscribers_get",
        |t| Box::pin(member_found(t)),
    ),
    Ported::new(
        MEMBER,
        "should throw a not found error when the external subscriber id passed does not belong to the chosen topic",
        "topic_subscribers_get",
        |t| Box::pin(member_not_in_topic(t)),
    ),
    Ported::new(
        MEMBER,
        "should throw a not found error when the topic key does not exist in the database for the call",
        "topic_subscribers_get",
        |t| Box::pin(member_of_missing_topic(t)),
    ),
    Ported::new(
        ADD,
        "should throw validation error for missing request payload information",
        "topic_subscribers_add",
        |t| Box::pin(add_without_payload(t)),
    ),
    Ported::new(
        ADD,
        "should add subscriber to topic",
        "topic_subscribers_add",
        |t| Box::pin(add_one(t)),
    ),
    Ported::new(
        ADD,
        "should not add subscriber to topic if the subscriber does not exist",
        "topic_subscribers_add",
        |t| Box::pin(add_unknown(t)),
    ),
    Ported::new(
        ADD,
        "should not duplicate subscribers if adding a subscriber already added to topic",
        "topic_subscribers_add",
        |t| Box::pin(add_twice(t)),
    ),
    Ported::new(
        ADD,
        "should add multiple subscribers to topic",
        "topic_subscribers_add",
        |t| Box::pin(add_many(t)),
    ),
    Ported::new(
        ADD,
        "should create topic on the fly when adding existing subscriber to topic if the topic does not exist",
        "topic_subscribers_add",
        |t| Box::pin(add_creates_topic(t, true)),
    ),
    Ported::new(
        ADD,
        "should create topic on the fly when adding non existing subscriber to topic if the topic does not exist",
        "topic_subscribers_add",
        |t| Box::pin(add_creates_topic(t, false)),
    ),
    Ported::new(
        REMOVE,
        "should throw validation error for missing request payload information",
        "topic_subscribers_remove",
        |t| Box::pin(remove_without_payload(t)),
    ),
    Ported::new(
        REMOVE,
        "should remove subscriber from the topic",
        "topic_subscribers_remove",
        |t| Box::pin(remove_one(t)),
    ),
    Ported::new(
        REMOVE,
        "should not remove subscriber from topic if it does not exist",
        "topic_subscribers_remove",
        |t| Box::pin(remove_unknown(t)),
    ),
    Ported::new(
        REMOVE,
        "should keep the same when trying to remove a subscriber already removed from the topic",
        "topic_subscribers_remove",
        |t| Box::pin(remove_twice(t)),
    ),
    Ported::new(
        REMOVE,
        "should remove multiple subscribers from the topic",
        "topic_subscribers_remove",
        |t| Box::pin(remove_many(t)),
    ),
    Ported::new(
        REMOVE,
        "should remove subscriber from only one topic",
        "topic_subscribers_remove",
        |t| Box::pin(remove_from_one_topic(t, 1)),
    ),
    Ported::new(
        REMOVE,
        "should remove multiple subscribers from only one topic",
        "topic_subscribers_remove",
        |t| Box::pin(remove_from_one_topic(t, 2)),
    ),
];

/// Creates topic `key` named `name` (to be deleted at the end); answers its `_id`.
pub(super) async fn topic(trial: &Trial<'_>, key: &str, name: &str) -> Result<String, Stop> {
    let created = trial
        .call(
            "topics_create",
            &[],
            &[],
            Some(json!({ "key": key, "name": name })),
        )
        .await?;
    trial.created("topics_delete", &[("topicKey", key)]);
    trial.status(&created, 201)?;
    trial.holds(
        &created,
        "data._id is a string",
        created.data()["_id"].is_string(),
    )?;
    trial.equal(&created, "data.key", &created.data()["key"], key)?;
    Ok(created.data()["_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Creates `count` subscribers of the case; answers their ids.
pub(super) async fn subscribers(trial: &Trial<'_>, count: usize) -> Result<Vec<String>, Stop> {
    let mut ids = Vec::new();
    for index in 0..count {
        let id = trial.name(&format!("subscriber-{index}"));
        subscriber(trial, json!({ "subscriberId": id, "firstName": "Test" })).await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Adds `ids` to topic `key`, which Novu answers with 200 and `data`.
async fn add(trial: &Trial<'_>, key: &str, ids: &[String]) -> Result<Reply, Stop> {
    let reply = trial
        .call(
            "topic_subscribers_add",
            &[("topicKey", key)],
            &[],
            Some(json!({ "subscribers": ids })),
        )
        .await?;
    // Members must be gone before the topic can be deleted.
    trial.created_with(
        "topic_subscribers_remove",
        &[("topicKey", key)],
        Some(json!({ "subscribers": ids })),
    );
    trial.status(&reply, 200)?;
    Ok(reply)
}

/// Adds `ids`, all existing subscribers, to topic `key`.
pub(super) async fn add_existing(trial: &Trial<'_>, key: &str, ids: &[String]) -> Result<(), Stop> {
    let reply = add(trial, key, ids).await?;
    trial.equal(&reply, "data", reply.data(), json!({ "succeeded": ids }))
}

/// Removes `ids` from topic `key`: 204 with an empty body.
async fn remove(trial: &Trial<'_>, key: &str, ids: &[&String]) -> Result<(), Stop> {
    let reply = trial
        .call(
            "topic_subscribers_remove",
            &[("topicKey", key)],
            &[],
            Some(json!({ "subscribers": ids })),
        )
        .await?;
    trial.status(&reply, 204)?;
    trial.holds(&reply, "the body is empty", reply.body.is_null())
}

/// How a topic's members are compared.
enum Members<'m> {
    /// `to.eql`: this exact list.
    Exactly(&'m [&'m String]),
    /// `to.have.members`: these, in any order.
    Set(&'m [&'m String]),
}

/// Reads topic `key` and asserts what Novu's tests assert of it.
async fn topic_is(
    trial: &Trial<'_>,
    key: &str,
    id: Option<&str>,
    name: &str,
    expected: Members<'_>,
) -> Result<(), Stop> {
    let (environment, organization) = trial.environment().await?;
    let reply = trial
        .call("topics_get", &[("topicKey", key)], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    let data = reply.data();
    match id {
        Some(id) => trial.equal(&reply, "data._id", &data["_id"], id)?,
        None => trial.holds(&reply, "data._id is set", data["_id"].is_string())?,
    }
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
    )?;
    trial.equal(&reply, "data.key", &data["key"], key)?;
    trial.equal(&reply, "data.name", &data["name"], name)?;
    match expected {
        Members::Exactly(ids) => {
            trial.equal(&reply, "data.subscribers", &data["subscribers"], json!(ids))
        }
        Members::Set(ids) => {
            let mut wanted: Vec<String> = ids.iter().map(|id| (*id).clone()).collect();
            wanted.sort();
            trial.equal(
                &reply,
                "the members of data.subscribers",
                &json!(members(&data["subscribers"])),
                json!(wanted),
            )
        }
    }
}

/// A 404 whose `message` is `message` and `error` is `Not Found`.
fn not_found(trial: &Trial<'_>, reply: &Reply, message: &str) -> Result<(), Stop> {
    trial.equal(reply, "statusCode", &reply.body["statusCode"], 404)?;
    trial.equal(reply, "message", &reply.body["message"], message)?;
    trial.equal(reply, "error", &reply.body["error"], "Not Found")
}

/// A 400 whose `message` is `messages`.
pub(super) fn bad_request(trial: &Trial<'_>, reply: &Reply, messages: Value) -> Result<(), Stop> {
    trial.status(reply, 400)?;
    trial.equal(reply, "error", &reply.body["error"], "Bad Request")?;
    trial.equal(reply, "message", &reply.body["message"], messages)
}

async fn create_without_payload(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = trial
        .call("topics_create", &[], &[], Some(json!({})))
        .await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        json!([
            "key should not be null or undefined",
            "key must be a string",
            "name should not be null or undefined",
            "name must be a string",
        ]),
    )
}

async fn create_new(trial: &Trial<'_>) -> Result<(), Stop> {
    topic(trial, &trial.name("topic-key"), "topic-name")
        .await
        .map(drop)
}

async fn create_taken_key(trial: &Trial<'_>) -> Result<(), Stop> {
    let key = trial.name("topic-key-unique");
    topic(trial, &key, "topic-name").await?;
    let (environment, organization) = trial.environment().await?;
    let conflict = trial
        .call(
            "topics_create",
            &[],
            &[],
            Some(json!({ "key": key, "name": "topic-name" })),
        )
        .await?;
    trial.status(&conflict, 409)?;
    trial.equal(&conflict, "error", &conflict.body["error"], "Conflict")?;
    trial.equal(
        &conflict,
        "message",
        &conflict.body["message"],
        format!("Topic exists with key {key} in the environment {environment} of the organization {organization}"),
    )
}

async fn get_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let key = trial.name("topic-key");
    let id = topic(trial, &key, "topic-name").await?;
    topic_is(trial, &key, Some(&id), "topic-name", Members::Exactly(&[])).await
}

async fn get_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    let key = trial.name("ab12345678901234567890ab");
    let reply = trial
        .call("topics_get", &[("topicKey", &key)], &[], None)
        .await?;
    not_found(
        trial,
        &reply,
        &format!("Topic not found for id {key} in the environment {environment}"),
    )
}

async fn rename_without_name(trial: &Trial<'_>) -> Result<(), Stop> {
    let key = trial.name("topic-key");
    topic(trial, &key, "topic-name").await?;
    let reply = trial
        .call("topics_rename", &[("topicKey", &key)], &[], None)
        .await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)?;
    bad_request(
        trial,
        &reply,
        json!([
            "name should not be null or undefined",
            "name must be a string"
        ]),
    )
}

async fn rename_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let key = trial.name("topic-key");
    topic(trial, &key, "topic-name").await?;
    let ids = subscribers(trial, 2).await?;
    add_existing(trial, &key, &ids).await?;
    let (environment, organization) = trial.environment().await?;
    let reply = trial
        .call(
            "topics_rename",
            &[("topicKey", &key)],
            &[],
            Some(json!({ "name": "topic-renamed" })),
        )
        .await?;
    trial.status(&reply, 200)?;
    let data = reply.data();
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
    )?;
    trial.equal(&reply, "data.key", &data["key"], key.as_str())?;
    trial.equal(&reply, "data.name", &data["name"], "topic-renamed")?;
    let mut wanted = ids.clone();
    wanted.sort();
    trial.equal(
        &reply,
        "the members of data.subscribers",
        &json!(members(&data["subscribers"])),
        json!(wanted),
    )
}

async fn rename_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    let key = trial.name("ab12345678901234567890ab");
    let reply = trial
        .call(
            "topics_rename",
            &[("topicKey", &key)],
            &[],
            Some(json!({ "name": "topic-renamed" })),
        )
        .await?;
    not_found(
        trial,
        &reply,
        &format!("Topic not found for id {key} in the environment {environment}"),
    )
}

async fn delete_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let key = trial.name("topic-key-deletion");
    let id = topic(trial, &key, "topic-name-deletion").await?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name-deletion",
        Members::Exactly(&[]),
    )
    .await?;
    let deleted = trial
        .call("topics_delete", &[("topicKey", &key)], &[], None)
        .await?;
    trial.status(&deleted, 204)?;
    trial.holds(&deleted, "the body is empty", deleted.body.is_null())?;
    let (environment, _) = trial.environment().await?;
    let reply = trial
        .call("topics_get", &[("topicKey", &key)], &[], None)
        .await?;
    not_found(
        trial,
        &reply,
        &format!("Topic not found for id {key} in the environment {environment}"),
    )
}

async fn delete_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    let key = trial.name("ab12345678901234567890ab");
    let reply = trial
        .call("topics_delete", &[("topicKey", &key)], &[], None)
        .await?;
    not_found(
        trial,
        &reply,
        &format!("Topic not found for id {key} in the environment {environment}"),
    )
}

async fn delete_with_members(trial: &Trial<'_>) -> Result<(), Stop> {
    let key = trial.name("topic-key-deletion-with-subscribers");
    let id = topic(trial, &key, "topic-name-deletion-with-subscribers").await?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name-deletion-with-subscribers",
        Members::Exactly(&[]),
    )
    .await?;
    let ids = subscribers(trial, 1).await?;
    add_existing(trial, &key, &ids).await?;
    let (environment, _) = trial.environment().await?;
    let reply = trial
        .call("topics_delete", &[("topicKey", &key)], &[], None)
        .await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 409)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Topic with key {key} in the environment {environment} can't be deleted as it still has subscribers assigned"),
    )?;
    trial.equal(&reply, "error", &reply.body["error"], "Conflict")
}

/// The topic and member Novu's get-topic-subscriber file sets up: `(key, topic _id, member)`.
async fn one_member(trial: &Trial<'_>) -> Result<(String, String, String), Stop> {
    let ids = subscribers(trial, 1).await?;
    let key = trial.name("topic-key-get-topic-subscriber");
    let id = topic(trial, &key, "topic-name").await?;
    add_existing(trial, &key, &ids).await?;
    Ok((key, id, ids[0].clone()))
}

async fn member_found(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, topic_id, member) = one_member(trial).await?;
    let stored = trial
        .call("subscribers_get", &[("subscriberId", &member)], &[], None)
        .await?;
    trial.status(&stored, 200)?;
    let (environment, organization) = trial.environment().await?;
    let reply = trial
        .call(
            "topic_subscribers_get",
            &[("topicKey", &key), ("externalSubscriberId", &member)],
            &[],
            None,
        )
        .await?;
    trial.status(&reply, 200)?;
    let data = reply.data();
    trial.holds(&reply, "data._id is set", data["_id"].is_string())?;
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
    )?;
    trial.equal(
        &reply,
        "data._subscriberId",
        &data["_subscriberId"],
        stored.data()["_id"].clone(),
    )?;
    trial.equal(&reply, "data._topicId", &data["_topicId"], topic_id)?;
    trial.equal(&reply, "data.topicKey", &data["topicKey"], key)?;
    trial.equal(
        &reply,
        "data.externalSubscriberId",
        &data["externalSubscriberId"],
        member,
    )
}

async fn member_not_in_topic(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, _, _) = one_member(trial).await?;
    let (environment, _) = trial.environment().await?;
    let stranger = trial.name("ab12345678901234567890ab");
    let reply = trial
        .call(
            "topic_subscribers_get",
            &[("topicKey", &key), ("externalSubscriberId", &stranger)],
            &[],
            None,
        )
        .await?;
    not_found(
        trial,
        &reply,
        &format!(
            "Subscriber {stranger} not found for topic {key} in the environment {environment}"
        ),
    )
}

async fn member_of_missing_topic(trial: &Trial<'_>) -> Result<(), Stop> {
    let (_, _, member) = one_member(trial).await?;
    let (environment, _) = trial.environment().await?;
    let key = trial.name("ab12345678901234567890ab");
    let reply = trial
        .call(
            "topic_subscribers_get",
            &[("topicKey", &key), ("externalSubscriberId", &member)],
            &[],
            None,
        )
        .await?;
    not_found(
        trial,
        &reply,
        &format!("Subscriber {member} not found for topic {key} in the environment {environment}"),
    )
}

/// The topic Novu's add-subscribers file sets up, with three subscribers not yet members.
async fn add_setup(trial: &Trial<'_>) -> Result<(String, String, Vec<String>), Stop> {
    let ids = subscribers(trial, 3).await?;
    let key = trial.name("topic-key-add-subscribers");
    let id = topic(trial, &key, "topic-name").await?;
    Ok((key, id, ids))
}

async fn add_without_payload(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, _, _) = add_setup(trial).await?;
    let reply = trial
        .call(
            "topic_subscribers_add",
            &[("topicKey", &key)],
            &[],
            Some(json!({})),
        )
        .await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        json!([
            "subscribers should not be null or undefined",
            "subscribers must be an array"
        ]),
    )
}

async fn add_one(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, id, ids) = add_setup(trial).await?;
    add_existing(trial, &key, &ids[..1]).await?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name",
        Members::Exactly(&[&ids[0]]),
    )
    .await
}

async fn add_unknown(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, id, ids) = add_setup(trial).await?;
    add_existing(trial, &key, &ids[..1]).await?;
    let made_up = trial.name("this-is-a-made-up-subscriber-id");
    let reply = add(trial, &key, std::slice::from_ref(&made_up)).await?;
    trial.equal(
        &reply,
        "data",
        reply.data(),
        json!({ "succeeded": [], "failed": { "notFound": [made_up] } }),
    )?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name",
        Members::Exactly(&[&ids[0]]),
    )
    .await
}

async fn add_twice(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, id, ids) = add_setup(trial).await?;
    add_existing(trial, &key, &ids[..1]).await?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name",
        Members::Exactly(&[&ids[0]]),
    )
    .await?;
    add_existing(trial, &key, &ids[..1]).await?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name",
        Members::Exactly(&[&ids[0]]),
    )
    .await
}

async fn add_many(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, id, ids) = add_setup(trial).await?;
    add_existing(trial, &key, &ids[..1]).await?;
    add_existing(trial, &key, &ids[1..]).await?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name",
        Members::Set(&[&ids[0], &ids[1], &ids[2]]),
    )
    .await
}

async fn add_creates_topic(trial: &Trial<'_>, existing: bool) -> Result<(), Stop> {
    let (_, _, ids) = add_setup(trial).await?;
    let key = trial.name("non-existing-topic-key");
    trial.created("topics_delete", &[("topicKey", &key)]);
    let member = if existing {
        ids[0].clone()
    } else {
        trial.name("this-is-a-made-up-subscriber-id")
    };
    let reply = add(trial, &key, std::slice::from_ref(&member)).await?;
    let name = format!("Autogenerated-{key}");
    if existing {
        trial.equal(
            &reply,
            "data",
            reply.data(),
            json!({ "succeeded": [member] }),
        )?;
        topic_is(trial, &key, None, &name, Members::Exactly(&[&member])).await
    } else {
        trial.equal(
            &reply,
            "data",
            reply.data(),
            json!({ "succeeded": [], "failed": { "notFound": [member] } }),
        )?;
        topic_is(trial, &key, None, &name, Members::Exactly(&[])).await
    }
}

/// The topic Novu's remove-subscribers file sets up, with three members.
async fn remove_setup(trial: &Trial<'_>) -> Result<(String, String, Vec<String>), Stop> {
    let ids = subscribers(trial, 3).await?;
    let key = trial.name("topic-key-remove-subscribers");
    let id = topic(trial, &key, "topic-name").await?;
    add_existing(trial, &key, &ids).await?;
    Ok((key, id, ids))
}

async fn remove_without_payload(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, _, _) = remove_setup(trial).await?;
    let reply = trial
        .call(
            "topic_subscribers_remove",
            &[("topicKey", &key)],
            &[],
            Some(json!({})),
        )
        .await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        json!([
            "subscribers should not be null or undefined",
            "subscribers must be an array"
        ]),
    )
}

async fn remove_one(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, id, ids) = remove_setup(trial).await?;
    remove(trial, &key, &[&ids[0]]).await?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name",
        Members::Set(&[&ids[1], &ids[2]]),
    )
    .await
}

async fn remove_unknown(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, id, ids) = remove_setup(trial).await?;
    remove(trial, &key, &[&ids[0]]).await?;
    remove(
        trial,
        &key,
        &[&trial.name("this-is-a-made-up-subscriber-id")],
    )
    .await?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name",
        Members::Set(&[&ids[1], &ids[2]]),
    )
    .await
}

async fn remove_twice(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, id, ids) = remove_setup(trial).await?;
    remove(trial, &key, &[&ids[0]]).await?;
    remove(trial, &key, &[&ids[0]]).await?;
    topic_is(
        trial,
        &key,
        Some(&id),
        "topic-name",
        Members::Set(&[&ids[1], &ids[2]]),
    )
    .await
}

async fn remove_many(trial: &Trial<'_>) -> Result<(), Stop> {
    let (key, id, ids) = remove_setup(trial).await?;
    remove(trial, &key, &[&ids[0]]).await?;
    remove(trial, &key, &[&ids[1], &ids[2]]).await?;
    topic_is(trial, &key, Some(&id), "topic-name", Members::Exactly(&[])).await
}

/// Two more topics share the members; removing `removed` of them from the first leaves the
/// second as it was. Novu finds both in the list; here each is read by its key.
async fn remove_from_one_topic(trial: &Trial<'_>, removed: usize) -> Result<(), Stop> {
    let (_, _, ids) = remove_setup(trial).await?;
    let first = trial.name("new-topic-key1");
    let second = trial.name("new-topic-key2");
    topic(trial, &first, "topic-name").await?;
    topic(trial, &second, "topic-name").await?;
    add_existing(trial, &first, &ids).await?;
    add_existing(trial, &second, &ids[..2]).await?;
    let gone: Vec<&String> = ids[..removed].iter().collect();
    remove(trial, &first, &gone).await?;
    let kept: Vec<&String> = ids[removed..].iter().collect();
    topic_is(trial, &first, None, "topic-name", Members::Set(&kept)).await?;
    topic_is(
        trial,
        &second,
        None,
        "topic-name",
        Members::Set(&[&ids[0], &ids[1]]),
    )
    .await
}
