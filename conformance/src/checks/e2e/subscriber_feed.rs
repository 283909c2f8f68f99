//! Cases ported from Novu's `subscribers/e2e/` that read what a trigger delivered: the in-app
//! feed and its payload filter, the unseen count, and marking every message at once.
//!
//! Novu's tests wait for the worker (`awaitRunningJobs`); here the feed is polled until the
//! triggered messages are in it, with a deadline. Where Novu's harness flips `read`/`seen`
//! in its repository, these cases mark the messages through the API first.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const UNSEEN: &str = "subscribers/e2e/get-unseen-count.e2e.ts";
const FEED: &str = "subscribers/e2e/get-notifications-feed.e2e.ts";
const MARK_ALL: &str = "subscribers/e2e/mark-all-subscriber-messages.e2e.ts";

/// How long delivery may take: a server that queues work delivers after it answers.
const DELIVERY: Duration = Duration::from_secs(10);

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(
        UNSEEN,
        "should throw exception on invalid subscriber id",
        "subscriber_notifications_unseen_count",
        |t| Box::pin(unseen_of_unknown(t)),
    ),
    Ported::new(
        FEED,
        "should throw exception on invalid subscriber id",
        "subscriber_notifications_feed",
        |t| Box::pin(feed_of_unknown(t)),
    ),
    Ported::new(
        FEED,
        "should throw exception when invalid payload query param is passed",
        "subscriber_notifications_feed",
        |t| Box::pin(feed_invalid_payload(t)),
    ),
    Ported::new(
        FEED,
        "should allow filtering by custom data from the payload",
        "subscriber_notifications_feed",
        |t| {
            Box::pin(feed_payload_filter(
                t,
                json!({ "foo": 123 }),
                json!({ "bar": "bar" }),
            ))
        },
    ),
    Ported::new(
        FEED,
        "should allow filtering by custom nested data from the payload",
        "subscriber_notifications_feed",
        |t| {
            Box::pin(feed_payload_filter(
                t,
                json!({ "foo": { "bar": 123 } }),
                json!({ "baz": "baz" }),
            ))
        },
    ),
    Ported::new(
        MARK_ALL,
        "should throw not found when subscriberId doesn't exist",
        "subscriber_messages_mark_all",
        |t| Box::pin(mark_all_unknown(t)),
    ),
    Ported::new(
        MARK_ALL,
        "should mark all the subscriber messages as read",
        "subscriber_messages_mark_all",
        |t| Box::pin(mark_all(t, None, "read", (true, true))),
    ),
    Ported::new(
        MARK_ALL,
        "should not mark all the messages as read if they are already read",
        "subscriber_messages_mark_all",
        |t| Box::pin(mark_all(t, Some("read"), "read", (true, true))),
    ),
    Ported::new(
        MARK_ALL,
        "should mark all the subscriber messages as unread",
        "subscriber_messages_mark_all",
        |t| Box::pin(mark_all(t, Some("read"), "unread", (true, false))),
    ),
    Ported::new(
        MARK_ALL,
        "should mark all the subscriber messages as seen",
        "subscriber_messages_mark_all",
        |t| Box::pin(mark_all(t, None, "seen", (true, false))),
    ),
    Ported::new(
        MARK_ALL,
        "should mark all the subscriber messages as unseen",
        "subscriber_messages_mark_all",
        |t| Box::pin(mark_all(t, Some("seen"), "unseen", (false, false))),
    ),
];

/// Reads the feed of `subscriber_id` with `query` until it holds `count` messages, or until
/// the deadline; answers the last read.
async fn feed_holding(
    trial: &Trial<'_>,
    subscriber_id: &str,
    query: &[(&str, &str)],
    count: usize,
) -> Result<Reply, Stop> {
    trial
        .poll(
            "subscriber_notifications_feed",
            &[("subscriberId", subscriber_id)],
            query,
            DELIVERY,
            |reply| items(&reply.body["data"]).len() >= count,
        )
        .await
}

async fn unseen_of_unknown(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = trial.in_app_workflow("Test content").await?;
    let subscriber = trial.name("subscriber");
    trial.trigger(&workflow, &subscriber, json!({})).await?;
    feed_holding(trial, &subscriber, &[], 1).await?;
    let count = trial
        .call(
            "subscriber_notifications_unseen_count",
            &[("subscriberId", &subscriber)],
            &[("seen", "false")],
            None,
        )
        .await?;
    trial.equal(&count, "data.count", &count.data()["count"], 1)?;
    let unknown = format!("{subscriber}111");
    let reply = trial
        .call(
            "subscriber_notifications_unseen_count",
            &[("subscriberId", &unknown)],
            &[("seen", "false")],
            None,
        )
        .await?;
    trial.status(&reply, 400)?;
    let message = reply.body["message"].as_str().unwrap_or_default();
    let wanted = format!("Subscriber {unknown} is not exist in environment");
    trial.holds(
        &reply,
        &format!("message contains `{wanted}`"),
        message.contains(&wanted),
    )
}

async fn feed_of_unknown(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = trial.in_app_workflow("Test content").await?;
    let subscriber = trial.name("subscriber");
    trial.trigger(&workflow, &subscriber, json!({})).await?;
    let feed = feed_holding(trial, &subscriber, &[("limit", "5")], 1).await?;
    trial.equal(&feed, "pageSize", &feed.body["pageSize"], 5)?;
    let unknown = format!("{subscriber}111");
    let reply = trial
        .call(
            "subscriber_notifications_feed",
            &[("subscriberId", &unknown)],
            &[("seen", "false"), ("limit", "5")],
            None,
        )
        .await?;
    trial.status(&reply, 400)?;
    let message = reply.body["message"].as_str().unwrap_or_default();
    let wanted = format!(
        "Subscriber not found for this environment with the id: {unknown}. Make sure to create a subscriber before fetching the feed."
    );
    trial.holds(
        &reply,
        &format!("message contains `{wanted}`"),
        message.contains(&wanted),
    )
}

async fn feed_invalid_payload(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = trial.in_app_workflow("Test content").await?;
    let subscriber = trial.name("subscriber");
    trial.trigger(&workflow, &subscriber, json!({})).await?;
    feed_holding(trial, &subscriber, &[], 1).await?;
    let reply = trial
        .call(
            "subscriber_notifications_feed",
            &[("subscriberId", &subscriber)],
            &[("limit", "5"), ("payload", "invalid")],
            None,
        )
        .await?;
    trial.status(&reply, 400)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        "Invalid payload, the JSON object should be encoded to base64 string.",
    )
}

/// Two triggers, the second with `partial` and `rest` in its payload: filtering the feed by
/// `partial` (base64 JSON) finds the second message alone, with its whole payload.
async fn feed_payload_filter(trial: &Trial<'_>, partial: Value, rest: Value) -> Result<(), Stop> {
    let mut payload = partial.clone();
    if let (Some(payload), Some(rest)) = (payload.as_object_mut(), rest.as_object()) {
        payload.extend(rest.clone());
    }
    let workflow = trial.in_app_workflow("Test content").await?;
    let subscriber = trial.name("subscriber");
    trial.trigger(&workflow, &subscriber, json!({})).await?;
    feed_holding(trial, &subscriber, &[], 1).await?;
    trial
        .trigger(&workflow, &subscriber, payload.clone())
        .await?;
    feed_holding(trial, &subscriber, &[], 2).await?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(partial.to_string());
    let reply = trial
        .call(
            "subscriber_notifications_feed",
            &[("subscriberId", &subscriber)],
            &[("limit", "5"), ("payload", &encoded)],
            None,
        )
        .await?;
    trial.status(&reply, 200)?;
    let data = items(&reply.body["data"]);
    trial.equal(&reply, "data.length", &json!(data.len()), 1)?;
    trial.equal(
        &reply,
        "data[0].payload",
        &reply.body["data"][0]["payload"],
        payload,
    )
}

async fn mark_all_unknown(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    let fake = trial.name("fake-subscriber-id");
    let reply = trial
        .call(
            "subscriber_messages_mark_all",
            &[("subscriberId", &fake)],
            &[],
            Some(json!({ "markAs": "read" })),
        )
        .await?;
    trial.status(&reply, 404)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Subscriber {fake} does not exist in environment {environment}, please provide a valid subscriber identifier"),
    )
}

async fn mark_all_as(trial: &Trial<'_>, subscriber: &str, mark: &str) -> Result<Reply, Stop> {
    trial
        .call(
            "subscriber_messages_mark_all",
            &[("subscriberId", subscriber)],
            &[],
            Some(json!({ "markAs": mark })),
        )
        .await
}

/// Five messages; `before` marks them all first (what Novu's test writes in its repository);
/// marking them all `mark` then changes as many as Novu's test counts, and every message ends
/// with the `(seen, read)` flags it expects.
async fn mark_all(
    trial: &Trial<'_>,
    before: Option<&str>,
    mark: &str,
    flags: (bool, bool),
) -> Result<(), Stop> {
    let workflow = trial.in_app_workflow("Test content").await?;
    let subscriber = trial.name("subscriber");
    for _ in 0..5 {
        trial.trigger(&workflow, &subscriber, json!({})).await?;
    }
    let feed = feed_holding(trial, &subscriber, &[("limit", "100")], 5).await?;
    trial.equal(&feed, "totalCount", &feed.body["totalCount"], 5)?;
    if let Some(before) = before {
        let first = mark_all_as(trial, &subscriber, before).await?;
        trial.status(&first, 201)?;
    }
    let reply = mark_all_as(trial, &subscriber, mark).await?;
    let changed = if before == Some(mark) { 0 } else { 5 };
    trial.equal(&reply, "data", reply.data(), changed)?;
    let after = trial
        .call(
            "subscriber_notifications_feed",
            &[("subscriberId", &subscriber)],
            &[("limit", "100")],
            None,
        )
        .await?;
    let (seen, read) = flags;
    let matching = items(&after.body["data"])
        .iter()
        .filter(|message| message["seen"] == seen && message["read"] == read)
        .count();
    trial.equal(
        &after,
        &format!("the messages with seen {seen} and read {read}"),
        &json!(matching),
        5,
    )
}

const MARK_AS: &str = "subscribers/e2e/mark-as-by-mark.e2e.ts";

/// A message's `(seen, read, lastSeenDate set, lastReadDate set)`.
type Flags = (bool, bool, bool, bool);
const PREFERENCES: &str = "subscribers/e2e/get-preferences.e2e.ts";
const GLOBAL: &str = "subscribers/e2e/update-global-preference.e2e.ts";

/// The ported cases of the mark-as and preference files.
pub const MORE_CASES: &[Ported] = &[
    Ported::new(
        MARK_AS,
        "should change the seen status",
        "subscriber_messages_mark_as",
        |t| Box::pin(mark_as(t, &[("seen", (true, false, true, false))])),
    ),
    Ported::new(
        MARK_AS,
        "should change the read status",
        "subscriber_messages_mark_as",
        |t| Box::pin(mark_as(t, &[("read", (true, true, true, true))])),
    ),
    Ported::new(
        MARK_AS,
        "should change the seen status to unseen",
        "subscriber_messages_mark_as",
        |t| {
            Box::pin(mark_as(
                t,
                &[
                    ("seen", (true, false, true, false)),
                    ("unseen", (false, false, true, false)),
                ],
            ))
        },
    ),
    Ported::new(
        MARK_AS,
        "should change the read status to unread",
        "subscriber_messages_mark_as",
        |t| {
            Box::pin(mark_as(
                t,
                &[
                    ("read", (true, true, true, true)),
                    ("unread", (true, false, true, true)),
                ],
            ))
        },
    ),
    Ported::new(
        MARK_AS,
        "should throw exception if messages were not provided",
        "subscriber_messages_mark_as",
        |t| Box::pin(mark_as_without_messages(t)),
    ),
    Ported::new(
        PREFERENCES,
        "should get subscriber preferences",
        "subscriber_preferences_list",
        |t| Box::pin(preferences(t)),
    ),
    Ported::new(
        PREFERENCES,
        "should handle un existing subscriberId",
        "subscriber_preferences_list",
        |t| Box::pin(preferences_of_unknown(t)),
    ),
    Ported::new(
        GLOBAL,
        "should validate the payload",
        "subscriber_preferences_update_global",
        |t| Box::pin(global_invalid(t)),
    ),
    Ported::new(
        GLOBAL,
        "should update user global preferences",
        "subscriber_preferences_update_global",
        |t| {
            Box::pin(global_update(
                t,
                json!([{ "type": "email", "enabled": true }]),
                json!({ "email": true, "sms": true, "chat": true, "push": true, "in_app": true }),
            ))
        },
    ),
    Ported::new(
        GLOBAL,
        "should update user global preferences for multiple channels",
        "subscriber_preferences_update_global",
        |t| {
            Box::pin(global_update(
                t,
                json!([{ "type": "push", "enabled": true }, { "type": "in_app", "enabled": false }, { "type": "sms", "enabled": true }]),
                json!({ "push": true, "in_app": false, "sms": true, "email": true, "chat": true }),
            ))
        },
    ),
    Ported::new(
        GLOBAL,
        "should update user global preference and disable the flag for the future channels update",
        "subscriber_preferences_update_global",
        |t| Box::pin(global_disabled_then_channel(t)),
    ),
];

/// The one in-app message of a fresh subscriber, and its flags as Novu's test reads them
/// before marking: unseen, unread, no dates.
async fn one_message(trial: &Trial<'_>) -> Result<(String, String), Stop> {
    let workflow = trial.in_app_workflow("Test content").await?;
    let subscriber = trial.name("subscriber");
    trial.trigger(&workflow, &subscriber, json!({})).await?;
    let feed = feed_holding(trial, &subscriber, &[], 1).await?;
    let message = &feed.body["data"][0];
    flags_are(trial, &feed, message, (false, false, false, false))?;
    Ok((
        subscriber,
        message["_id"].as_str().unwrap_or_default().to_owned(),
    ))
}

/// `(seen, read, lastSeenDate set, lastReadDate set)` of `message`, read from `reply`.
fn flags_are(trial: &Trial<'_>, reply: &Reply, message: &Value, flags: Flags) -> Result<(), Stop> {
    let (seen, read, seen_date, read_date) = flags;
    trial.equal(reply, "the message's seen", &message["seen"], seen)?;
    trial.equal(reply, "the message's read", &message["read"], read)?;
    let set = |field: &str| message[field].as_str().is_some_and(|date| !date.is_empty());
    trial.equal(
        reply,
        "whether the message's lastSeenDate is set",
        &json!(set("lastSeenDate")),
        seen_date,
    )?;
    trial.equal(
        reply,
        "whether the message's lastReadDate is set",
        &json!(set("lastReadDate")),
        read_date,
    )
}

/// Marks the message with each `(mark, flags)` in turn; after each the message has `flags`.
async fn mark_as(trial: &Trial<'_>, steps: &[(&str, Flags)]) -> Result<(), Stop> {
    let (subscriber, message_id) = one_message(trial).await?;
    for (mark, flags) in steps {
        trial
            .call(
                "subscriber_messages_mark_as",
                &[("subscriberId", &subscriber)],
                &[],
                Some(json!({ "messageId": message_id, "markAs": mark })),
            )
            .await?;
        let feed = trial
            .call(
                "subscriber_notifications_feed",
                &[("subscriberId", &subscriber)],
                &[],
                None,
            )
            .await?;
        let message = items(&feed.body["data"])
            .iter()
            .find(|message| message["_id"] == json!(message_id))
            .cloned()
            .unwrap_or(Value::Null);
        flags_are(trial, &feed, &message, *flags)?;
    }
    Ok(())
}

async fn mark_as_without_messages(trial: &Trial<'_>) -> Result<(), Stop> {
    let (subscriber, _) = one_message(trial).await?;
    for body in [
        json!({ "markAs": "seen" }),
        json!({ "messageId": [], "markAs": "seen" }),
    ] {
        let reply = trial
            .call(
                "subscriber_messages_mark_as",
                &[("subscriberId", &subscriber)],
                &[],
                Some(body),
            )
            .await?;
        trial.equal(
            &reply,
            "message",
            &reply.body["message"],
            "messageId is required",
        )?;
        trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)?;
    }
    Ok(())
}

/// A subscriber of the case and, as Novu's `createTemplate` gives its session, a workflow
/// with an in-app and an email step; answers both.
pub async fn subscriber_with_workflow(trial: &Trial<'_>) -> Result<(String, Value), Stop> {
    let subscriber = trial.name("subscriber");
    super::subscribers::subscriber(
        trial,
        json!({ "subscriberId": subscriber, "lastName": "Test" }),
    )
    .await?;
    let workflow = trial
        .workflow(json!([
            { "name": "in-app", "template": { "type": "in_app", "content": "Test content" } },
            {
                "name": "email",
                "template": {
                    "type": "email", "subject": "Test subject",
                    "content": [{ "type": "text", "content": "Test content" }],
                },
            },
        ]))
        .await?;
    Ok((subscriber, workflow))
}

/// Novu's environment holds one workflow, so it reads `data[0]`; here the entry of the case's
/// workflow is read.
async fn preferences(trial: &Trial<'_>) -> Result<(), Stop> {
    let (subscriber, workflow) = subscriber_with_workflow(trial).await?;
    let reply = trial
        .call(
            "subscriber_preferences_list",
            &[("subscriberId", &subscriber)],
            &[],
            None,
        )
        .await?;
    trial.status(&reply, 200)?;
    let entry = items(reply.data())
        .iter()
        .find(|entry| entry["template"]["_id"] == workflow["_id"])
        .cloned()
        .unwrap_or(Value::Null);
    let channels = &entry["preference"]["channels"];
    trial.equal(
        &reply,
        "the workflow's preference.channels.email",
        &channels["email"],
        true,
    )?;
    trial.equal(
        &reply,
        "the workflow's preference.channels.in_app",
        &channels["in_app"],
        true,
    )
}

async fn preferences_of_unknown(trial: &Trial<'_>) -> Result<(), Stop> {
    let unknown = trial.name("unexisting-subscriber-id");
    let reply = trial
        .call(
            "subscriber_preferences_list",
            &[("subscriberId", &unknown)],
            &[],
            None,
        )
        .await?;
    trial.holds(
        &reply,
        "the request fails",
        !(200..300).contains(&reply.status),
    )?;
    let message = reply.body["message"].as_str().unwrap_or_default();
    trial.holds(
        &reply,
        "message contains `not found`",
        message.contains("not found"),
    )
}

async fn global(trial: &Trial<'_>, subscriber: &str, body: Value) -> Result<Reply, Stop> {
    trial
        .call(
            "subscriber_preferences_update_global",
            &[("subscriberId", subscriber)],
            &[],
            Some(body),
        )
        .await
}

async fn global_invalid(trial: &Trial<'_>) -> Result<(), Stop> {
    let (subscriber, _) = subscriber_with_workflow(trial).await?;
    for body in [
        json!({ "enabled": true, "preferences": false }),
        json!({ "enabled": "hello", "preferences": [{ "type": "email", "enabled": true }] }),
    ] {
        let reply = global(trial, &subscriber, body).await?;
        trial.status(&reply, 400)?;
    }
    Ok(())
}

async fn global_update(trial: &Trial<'_>, preferences: Value, channels: Value) -> Result<(), Stop> {
    let (subscriber, _) = subscriber_with_workflow(trial).await?;
    let reply = global(
        trial,
        &subscriber,
        json!({ "enabled": true, "preferences": preferences }),
    )
    .await?;
    let preference = &reply.data()["preference"];
    trial.equal(
        &reply,
        "data.preference.enabled",
        &preference["enabled"],
        true,
    )?;
    trial.equal(
        &reply,
        "data.preference.channels",
        &preference["channels"],
        channels,
    )
}

async fn global_disabled_then_channel(trial: &Trial<'_>) -> Result<(), Stop> {
    let (subscriber, _) = subscriber_with_workflow(trial).await?;
    let reply = global(trial, &subscriber, json!({ "enabled": false })).await?;
    trial.equal(
        &reply,
        "data.preference.enabled",
        &reply.data()["preference"]["enabled"],
        false,
    )?;
    let again = global(
        trial,
        &subscriber,
        json!({ "preferences": [{ "type": "email", "enabled": true }] }),
    )
    .await?;
    trial.equal(
        &again,
        "data.preference.channels",
        &again.data()["preference"]["channels"],
        json!({ "email": true, "sms": true, "chat": true, "push": true, "in_app": true }),
    )
}
