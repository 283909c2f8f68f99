//! Cases ported from Novu's `subscribers/e2e/`: create (an upsert), list, update, delete (and
//! the topic memberships it ends), the online flag and bulk create.

use serde_json::{Value, json};

use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "subscribers/e2e/create-subscriber.e2e.ts";
const LIST: &str = "subscribers/e2e/get-subscribers.e2e.ts";
const UPDATE: &str = "subscribers/e2e/update-subscriber.e2e.ts";
const REMOVE: &str = "subscribers/e2e/remove-subscriber.e2e.ts";
const ONLINE: &str = "subscribers/e2e/update-online-flag.e2e.ts";
const BULK: &str = "subscribers/e2e/bulk-create-subscribers.e2e.ts";

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[
    Ported::new(
        CREATE,
        "should create a new subscriber",
        "subscribers_create",
        |t| Box::pin(create_new(t)),
    ),
    Ported::new(
        CREATE,
        "should update subscriber if already created",
        "subscribers_create",
        |t| Box::pin(create_existing(t)),
    ),
    Ported::new(
        LIST,
        "should list created subscriber",
        "subscribers_list",
        |t| Box::pin(list_created(t)),
    ),
    Ported::new(
        UPDATE,
        "should update an existing subscriber",
        "subscribers_update",
        |t| Box::pin(update_existing(t)),
    ),
    Ported::new(
        UPDATE,
        "should allow unsetting the email",
        "subscribers_update",
        |t| Box::pin(unset_email(t)),
    ),
    Ported::new(
        UPDATE,
        "should update an existing subscriber credentials",
        "subscriber_credentials_update",
        |t| Box::pin(update_credentials(t)),
    ),
    Ported::new(
        REMOVE,
        "should delete an existing subscriber",
        "subscribers_delete",
        |t| Box::pin(delete_existing(t)),
    ),
    Ported::new(
        REMOVE,
        "should dispose subscriber relations to topic once he was removed",
        "subscribers_delete",
        |t| Box::pin(delete_ends_memberships(t)),
    ),
    Ported::new(
        ONLINE,
        "should set the online status to false",
        "subscriber_online_status_update",
        |t| Box::pin(online_to_false(t)),
    ),
    Ported::new(
        ONLINE,
        "should set the online status to true",
        "subscriber_online_status_update",
        |t| Box::pin(online_to_true(t)),
    ),
    Ported::new(
        BULK,
        "should return the response array in correct format",
        "subscribers_create_bulk",
        |t| Box::pin(bulk_format(t)),
    ),
    Ported::new(
        BULK,
        "should create and update subscribers",
        "subscribers_create_bulk",
        |t| Box::pin(bulk_create_and_update(t)),
    ),
    Ported::new(
        BULK,
        "should throw an error when sending more than 500 subscribers",
        "subscribers_create_bulk",
        |t| Box::pin(bulk_over_500(t)),
    ),
    Ported::new(
        BULK,
        "should allow recreate deleted subscribers",
        "subscribers_create_bulk",
        |t| Box::pin(bulk_recreates_deleted(t)),
    ),
];

/// Creates (upserts) the subscriber `fields` describe, to be deleted at the end.
pub async fn subscriber(trial: &Trial<'_>, fields: Value) -> Result<Value, Stop> {
    let id = fields["subscriberId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let created = trial
        .setup(
            "the subscriber is created",
            "subscribers_create",
            &[],
            Some(fields),
        )
        .await?;
    trial.created("subscribers_delete", &[("subscriberId", &id)]);
    Ok(created)
}

/// Reads subscriber `id`, as Novu's tests read it from the repository; it must exist.
async fn read(trial: &Trial<'_>, id: &str) -> Result<Reply, Stop> {
    let reply = trial
        .call("subscribers_get", &[("subscriberId", id)], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    Ok(reply)
}

/// Asserts each `(field, value)` of the subscriber `reply` holds.
fn fields_are(trial: &Trial<'_>, reply: &Reply, expected: &[(&str, Value)]) -> Result<(), Stop> {
    for (pointer, value) in expected {
        let actual = reply
            .data()
            .pointer(pointer)
            .cloned()
            .unwrap_or(Value::Null);
        trial.equal(reply, &format!("data{pointer}"), &actual, value.clone())?;
    }
    Ok(())
}

async fn create_new(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = trial.name("123");
    let reply = trial
        .call(
            "subscribers_create",
            &[],
            &[],
            Some(json!({
                "subscriberId": id, "firstName": "John", "lastName": "Doe",
                "email": "john@doe.com", "phone": "+972523333333", "locale": "en",
                "data": { "test1": "test value1", "test2": "test value2" },
            })),
        )
        .await?;
    trial.created("subscribers_delete", &[("subscriberId", &id)]);
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    let stored = read(trial, &id).await?;
    fields_are(
        trial,
        &stored,
        &[
            ("/firstName", json!("John")),
            ("/email", json!("john@doe.com")),
            ("/phone", json!("+972523333333")),
            ("/locale", json!("en")),
            ("/data/test1", json!("test value1")),
        ],
    )
}

async fn create_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = trial.name("123");
    subscriber(
        trial,
        json!({
            "subscriberId": id, "firstName": "John", "lastName": "Doe",
            "data": { "test1": "test value1", "test2": "test value2" },
        }),
    )
    .await?;
    let other = trial.name("456");
    subscriber(
        trial,
        json!({ "subscriberId": other, "firstName": "John", "lastName": "Doe" }),
    )
    .await?;
    let reply = trial
        .call(
            "subscribers_create",
            &[],
            &[],
            Some(json!({
                "subscriberId": id, "firstName": "Mary", "lastName": "Doe",
                "email": "john@doe.com", "locale": "en",
                "data": { "test1": "new test value1", "test3": "test value3" },
            })),
        )
        .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    let stored = read(trial, &id).await?;
    fields_are(
        trial,
        &stored,
        &[
            ("/firstName", json!("Mary")),
            ("/email", json!("john@doe.com")),
            ("/locale", json!("en")),
            ("/data/test1", json!("new test value1")),
            ("/data/test2", Value::Null),
            ("/data/test3", json!("test value3")),
        ],
    )
}

async fn list_created(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = trial.name("123");
    subscriber(
        trial,
        json!({
            "subscriberId": id, "firstName": "John", "lastName": "Doe",
            "email": "john@doe.com", "phone": "+972523333333",
        }),
    )
    .await?;
    // Novu's environment is fresh; here the list is walked for this case's subscribers.
    let mine = trial.prefix();
    let mut found = Vec::new();
    let mut last = None;
    for page in 0..100 {
        let page = page.to_string();
        let reply = trial
            .call(
                "subscribers_list",
                &[],
                &[("page", &page), ("limit", "100")],
                None,
            )
            .await?;
        trial.status(&reply, 200)?;
        found.extend(
            items(&reply.body["data"])
                .iter()
                .filter_map(|item| item["subscriberId"].as_str())
                .filter(|subscriber| subscriber.starts_with(&mine))
                .map(str::to_owned),
        );
        let more = reply.body["hasMore"] == json!(true);
        last = Some(reply);
        if !more {
            break;
        }
    }
    let Some(last) = last else { return Ok(()) };
    trial.equal(
        &last,
        "the case's subscribers in the list",
        &json!(found),
        json!([id]),
    )
}

async fn update_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = trial.name("123");
    subscriber(
        trial,
        json!({ "subscriberId": id, "firstName": "John", "lastName": "Doe", "email": "john@doe.com" }),
    )
    .await?;
    let reply = trial
        .call(
            "subscribers_update",
            &[("subscriberId", &id)],
            &[],
            Some(json!({
                "lastName": "Test Changed", "email": "changed@mail.com",
                "phone": "+972523333333", "locale": "sv", "data": { "test": "test value" },
            })),
        )
        .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    let stored = read(trial, &id).await?;
    fields_are(
        trial,
        &stored,
        &[
            ("/firstName", json!("John")),
            ("/lastName", json!("Test Changed")),
            ("/email", json!("changed@mail.com")),
            ("/phone", json!("+972523333333")),
            ("/locale", json!("sv")),
            ("/data/test", json!("test value")),
        ],
    )
}

async fn unset_email(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = trial.name("123");
    subscriber(
        trial,
        json!({ "subscriberId": id, "firstName": "John", "lastName": "Doe", "email": "john@doe.com" }),
    )
    .await?;
    let reply = trial
        .call(
            "subscribers_update",
            &[("subscriberId", &id)],
            &[],
            Some(json!({
                "lastName": "Test Changed", "email": null,
                "phone": "+972523333333", "locale": "sv", "data": { "test": "test value" },
            })),
        )
        .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    let stored = read(trial, &id).await?;
    fields_are(
        trial,
        &stored,
        &[
            ("/firstName", json!("John")),
            ("/lastName", json!("Test Changed")),
            ("/email", Value::Null),
            ("/phone", json!("+972523333333")),
            ("/locale", json!("sv")),
            ("/data/test", json!("test value")),
        ],
    )
}

/// An active Slack integration, which Novu's test session has from the start.
pub async fn slack_integration(trial: &Trial<'_>) -> Result<Value, Stop> {
    let integration = trial
        .setup(
            "a Slack integration is created",
            "integrations_create",
            &[],
            Some(json!({
                "providerId": "slack", "channel": "chat", "active": true,
                "name": trial.name("slack"), "identifier": trial.name("slack"),
                "credentials": {},
            })),
        )
        .await?;
    let id = integration["_id"].as_str().unwrap_or_default().to_owned();
    trial.created("integrations_delete", &[("integrationId", &id)]);
    Ok(integration)
}

async fn update_credentials(trial: &Trial<'_>) -> Result<(), Stop> {
    slack_integration(trial).await?;
    let id = trial.name("123");
    subscriber(
        trial,
        json!({ "subscriberId": id, "firstName": "John", "lastName": "Doe", "email": "john@doe.com" }),
    )
    .await?;
    let reply = trial
        .call(
            "subscriber_credentials_update",
            &[("subscriberId", &id)],
            &[],
            Some(json!({
                "subscriberId": id, "providerId": "slack",
                "credentials": { "webhookUrl": "webhookUrlNew" },
            })),
        )
        .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    let stored = read(trial, &id).await?;
    let slack = items(&stored.data()["channels"])
        .iter()
        .find(|channel| channel["providerId"] == "slack")
        .cloned()
        .unwrap_or(Value::Null);
    trial.equal(
        &stored,
        "the slack channel's providerId",
        &slack["providerId"],
        "slack",
    )?;
    trial.equal(
        &stored,
        "the slack channel's credentials.webhookUrl",
        &slack["credentials"]["webhookUrl"],
        "webhookUrlNew",
    )
}

async fn delete_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = trial.name("123");
    subscriber(
        trial,
        json!({
            "subscriberId": id, "firstName": "John", "lastName": "Doe",
            "email": "john@doe.com", "phone": "+972523333333",
        }),
    )
    .await?;
    let stored = read(trial, &id).await?;
    trial.equal(
        &stored,
        "data.subscriberId",
        &stored.data()["subscriberId"],
        id.as_str(),
    )?;
    trial
        .call("subscribers_delete", &[("subscriberId", &id)], &[], None)
        .await?;
    // Novu's test finds it no more among the live subscribers: a read answers 404.
    let gone = trial
        .call("subscribers_get", &[("subscriberId", &id)], &[], None)
        .await?;
    trial.status(&gone, 404)
}

async fn delete_ends_memberships(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = trial.name("123");
    subscriber(trial, json!({ "subscriberId": id })).await?;
    let mut keys = Vec::new();
    for index in 0..50 {
        let key = trial.name(&format!("topic-key-{index}-trigger-event"));
        let name = trial.name(&format!("topic-name-{index}-trigger-event"));
        let created = trial
            .call(
                "topics_create",
                &[],
                &[],
                Some(json!({ "key": key, "name": name })),
            )
            .await?;
        trial.created("topics_delete", &[("topicKey", &key)]);
        trial.status(&created, 201)?;
        trial.holds(
            &created,
            "data._id exists",
            created.data()["_id"].is_string(),
        )?;
        trial.equal(&created, "data.key", &created.data()["key"], key.as_str())?;
        let added = trial
            .call(
                "topic_subscribers_add",
                &[("topicKey", &key)],
                &[],
                Some(json!({ "subscribers": [id] })),
            )
            .await?;
        trial.status(&added, 200)?;
        trial.equal(&added, "data", added.data(), json!({ "succeeded": [id] }))?;
        keys.push(key);
    }
    trial
        .call("subscribers_delete", &[("subscriberId", &id)], &[], None)
        .await?;
    // Novu counts the relations in the repository; here each topic is asked for the member.
    for key in &keys {
        let membership = trial
            .call(
                "topic_subscribers_get",
                &[("topicKey", key), ("externalSubscriberId", &id)],
                &[],
                None,
            )
            .await?;
        trial.status(&membership, 404)?;
    }
    Ok(())
}

async fn set_online(trial: &Trial<'_>, id: &str, online: bool) -> Result<Reply, Stop> {
    trial
        .call(
            "subscriber_online_status_update",
            &[("subscriberId", id)],
            &[],
            Some(json!({ "isOnline": online })),
        )
        .await
}

async fn online_to_false(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = trial.name("123");
    subscriber(trial, json!({ "subscriberId": id })).await?;
    // Novu's factory makes the subscriber online; here the flag is set the same way first.
    let first = set_online(trial, &id, true).await?;
    trial.status(&first, 200)?;
    let reply = set_online(trial, &id, false).await?;
    trial.equal(&reply, "data.isOnline", &reply.data()["isOnline"], false)?;
    trial.holds(
        &reply,
        "data.lastOnlineAt is a string",
        reply.data()["lastOnlineAt"].is_string(),
    )
}

async fn online_to_true(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = trial.name("456");
    subscriber(trial, json!({ "subscriberId": id })).await?;
    let first = set_online(trial, &id, false).await?;
    trial.status(&first, 200)?;
    let reply = set_online(trial, &id, true).await?;
    trial.equal(&reply, "data.isOnline", &reply.data()["isOnline"], true)
}

/// Sends a bulk create of `subscribers`, every one of which is deleted at the end.
async fn bulk(trial: &Trial<'_>, subscribers: Value) -> Result<Reply, Stop> {
    for item in items(&subscribers) {
        if let Some(id) = item["subscriberId"].as_str() {
            trial.created("subscribers_delete", &[("subscriberId", id)]);
        }
    }
    trial
        .call(
            "subscribers_create_bulk",
            &[],
            &[],
            Some(json!({ "subscribers": subscribers })),
        )
        .await
}

/// The `subscriberId`s of a bulk result's list `field`.
fn ids_of(reply: &Reply, field: &str) -> Value {
    let ids: Vec<Value> = items(&reply.data()[field])
        .iter()
        .map(|item| item["subscriberId"].clone())
        .collect();
    Value::Array(ids)
}

async fn bulk_format(trial: &Trial<'_>) -> Result<(), Stop> {
    let existing = trial.name("existing");
    subscriber(
        trial,
        json!({ "subscriberId": existing, "firstName": "Existing" }),
    )
    .await?;
    let (test1, test2) = (trial.name("test1"), trial.name("test2"));
    let reply = bulk(
        trial,
        json!([
            { "subscriberId": test1, "firstName": "sub1", "email": "sub1@test.co" },
            { "subscriberId": test2, "firstName": "sub2", "email": "sub2@test.co" },
            { "subscriberId": existing, "firstName": "update name" },
            { "subscriberId": test2, "firstName": "update name" },
        ]),
    )
    .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    trial.equal(
        &reply,
        "the updated subscriberIds",
        &ids_of(&reply, "updated"),
        json!([existing, test2]),
    )?;
    trial.equal(
        &reply,
        "the created subscriberIds",
        &ids_of(&reply, "created"),
        json!([test1, test2]),
    )?;
    trial.equal(
        &reply,
        "the failed subscriberIds",
        &ids_of(&reply, "failed"),
        json!([]),
    )
}

async fn bulk_create_and_update(trial: &Trial<'_>) -> Result<(), Stop> {
    let existing = trial.name("existing");
    subscriber(
        trial,
        json!({ "subscriberId": existing, "firstName": "Existing" }),
    )
    .await?;
    let sub1 = trial.name("sub1");
    let reply = bulk(
        trial,
        json!([
            {
                "subscriberId": sub1, "firstName": "John", "lastName": "Doe",
                "email": "john@doe.com", "phone": "+972523333333", "locale": "en",
                "data": { "test1": "test value1", "test2": "test value2" },
            },
            { "subscriberId": trial.name("test2"), "firstName": "sub2", "email": "sub2@test.co" },
            { "subscriberId": trial.name("test3"), "firstName": "sub3", "email": "sub3@test.co" },
            { "subscriberId": existing, "firstName": "update" },
            { "subscriberId": trial.name("test4"), "firstName": "sub4", "email": "sub4@test.co" },
        ]),
    )
    .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    let updated = read(trial, &existing).await?;
    fields_are(trial, &updated, &[("/firstName", json!("update"))])?;
    let created = read(trial, &sub1).await?;
    fields_are(
        trial,
        &created,
        &[
            ("/firstName", json!("John")),
            ("/email", json!("john@doe.com")),
            ("/phone", json!("+972523333333")),
            ("/locale", json!("en")),
            ("/data/test1", json!("test value1")),
        ],
    )
}

async fn bulk_over_500(trial: &Trial<'_>) -> Result<(), Stop> {
    let item = json!({ "subscriberId": trial.name("test2"), "firstName": "sub2", "email": "sub2@test.co" });
    let reply = bulk(trial, Value::Array(vec![item; 501])).await?;
    trial.status(&reply, 400)?;
    trial.equal(
        &reply,
        "message[0]",
        &reply.body["message"][0],
        "subscribers must contain no more than 500 elements",
    )
}

async fn bulk_recreates_deleted(trial: &Trial<'_>) -> Result<(), Stop> {
    let existing_id = trial.name("existing");
    subscriber(
        trial,
        json!({ "subscriberId": existing_id, "firstName": "Existing" }),
    )
    .await?;
    let existing = json!({ "subscriberId": existing_id, "firstName": "existingSubscriber" });
    let (test1, test2) = (trial.name("test1"), trial.name("test2"));
    let first = json!({ "subscriberId": test1, "firstName": "sub1", "email": "sub1@test.co" });
    let second = json!({ "subscriberId": test2, "firstName": "sub2", "email": "sub2@test.co" });
    let all = json!([existing, first, second]);
    let reply = bulk(trial, all.clone()).await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    trial.equal(
        &reply,
        "the updated subscriberIds",
        &ids_of(&reply, "updated"),
        json!([existing_id]),
    )?;
    trial.equal(
        &reply,
        "the created subscriberIds",
        &ids_of(&reply, "created"),
        json!([test1, test2]),
    )?;
    for id in [&test1, &test2] {
        trial
            .call("subscribers_delete", &[("subscriberId", id)], &[], None)
            .await?;
    }
    let again = bulk(trial, all).await?;
    trial.holds(&again, "data is present", again.data().is_object())?;
    trial.equal(
        &again,
        "the updated subscriberIds",
        &ids_of(&again, "updated"),
        json!([existing_id, test1, test2]),
    )?;
    // Novu reads `deleted: false` in the repository; here the recreated ones read back live.
    for id in [&test1, &test2] {
        read(trial, id).await?;
    }
    Ok(())
}
