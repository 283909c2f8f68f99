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
