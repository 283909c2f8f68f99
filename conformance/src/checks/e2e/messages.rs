//! Cases ported from Novu's `messages/e2e/` (listing and deleting what a trigger delivered)
//! and `execution-details/e2e/` (reading a notification's execution details).
//!
//! Novu's tests read messages in a fresh environment; here each list is narrowed to the
//! case's own transaction or subscriber, and the counts are Novu's. Where Novu's test reads
//! its message repository, these cases read `GET /v1/messages`. The broadcast of Novu's
//! delete-by-transaction test is a trigger to the case's subscriber: a broadcast reaches every
//! subscriber of the environment, which on a shared server are not the run's.

use serde_json::{Value, json};

use super::session::{
    default_template, finished, id_of, identifier, messages, messages_of, missing_id, subscriber,
    triggered,
};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const GET: &str = "messages/e2e/get-messages.e2e.ts";
const REMOVE: &str = "messages/e2e/remove-message.e2e.ts";
const REMOVE_BY_TRANSACTION: &str = "messages/e2e/remove-messages-by-transactionId.e2e.ts";
const EXECUTION_DETAILS: &str = "execution-details/e2e/get-execution-details.e2e.ts";

/// Why the transactionId-filter case is skipped.
const REUSED_TRANSACTION: &str = "Novu's worker drops a trigger whose transactionId already has jobs; the case triggers its first id again right after the second, before the worker has made the first trigger's jobs (a later queue makes them), so Novu delivers all three; the reference triggers synchronously, so the repeat finds the jobs and is dropped (`trigger-delivery` checks the drop once the first has delivered)";

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(
        GET,
        "should fetch existing messages",
        "messages_list",
        |t| Box::pin(fetch_existing(t)),
    ),
    Ported::new(
        GET,
        "should fetch messages using transactionId filter",
        "messages_list",
        |t| Box::pin(fetch_by_transaction(t)),
    )
    .differs(REUSED_TRANSACTION),
    Ported::new(
        REMOVE,
        "should fail to delete non existing message",
        "messages_delete",
        |t| Box::pin(delete_missing(t)),
    ),
    Ported::new(
        REMOVE,
        "should delete a existing message",
        "messages_delete",
        |t| Box::pin(delete_existing(t)),
    ),
    Ported::new(
        REMOVE_BY_TRANSACTION,
        "should fail to delete non existing message",
        "messages_delete_by_transaction",
        |t| Box::pin(delete_missing_transaction(t)),
    ),
    Ported::new(
        REMOVE_BY_TRANSACTION,
        "should delete messages by transactionId",
        "messages_delete_by_transaction",
        |t| Box::pin(delete_transaction(t, None)),
    ),
    Ported::new(
        REMOVE_BY_TRANSACTION,
        "should delete messages by transactionId and channel",
        "messages_delete_by_transaction",
        |t| Box::pin(delete_transaction(t, Some("email"))),
    ),
    Ported::new(
        EXECUTION_DETAILS,
        "should get execution details",
        "execution_details_list",
        |t| Box::pin(execution_details(t)),
    ),
];

/// The payload Novu's message tests send.
fn payload() -> Value {
    json!({
        "email": "new-test-email@gmail.com",
        "firstName": "Testing of User Name",
        "urlVar": "/test/url/path",
    })
}

/// A subscriber as Novu's `SubscribersService.createSubscriber` makes one.
async fn session_subscriber(trial: &Trial<'_>, label: &str) -> Result<String, Stop> {
    super::session::session_subscriber(trial, label, json!({})).await
}

/// The number of listed messages is `expected`.
fn count(trial: &Trial<'_>, reply: &Reply, what: &str, expected: usize) -> Result<(), Stop> {
    trial.equal(
        reply,
        &format!("the number of {what}"),
        &json!(items(reply.data()).len()),
        expected,
    )
}

async fn fetch_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let first = session_subscriber(trial, "subscriber").await?;
    let second = session_subscriber(trial, "subscriber2").await?;
    let data = triggered(
        trial,
        json!({
            "name": identifier(&workflow),
            "to": [
                { "subscriberId": first, "email": "gg@ff.com" },
                { "subscriberId": second, "email": "john@doe.com" },
            ],
            "payload": payload(),
        }),
    )
    .await?;
    let transaction = data["transactionId"].as_str().unwrap_or_default();
    let all = messages(trial, &[("transactionId", transaction)], 4).await?;
    count(trial, &all, "messages of the trigger", 4)?;
    let emails = messages(
        trial,
        &[("transactionId", transaction), ("channel", "email")],
        2,
    )
    .await?;
    count(trial, &emails, "email messages of the trigger", 2)?;
    let of_second = messages(trial, &[("subscriberId", &second)], 2).await?;
    count(trial, &of_second, "messages of the second subscriber", 2)
}

async fn fetch_by_transaction(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let third = session_subscriber(trial, "subscriber3").await?;
    let first_transaction = trial.name("transaction1");
    let second_transaction = trial.name("transaction2");
    for transaction in [&first_transaction, &second_transaction, &first_transaction] {
        triggered(
            trial,
            json!({
                "name": identifier(&workflow),
                "to": { "subscriberId": third, "email": "gg@ff.com" },
                "payload": {},
                "transactionId": transaction,
            }),
        )
        .await?;
    }
    // Two steps (in-app and email) for each of the three triggers.
    let of_subscriber = messages(trial, &[("subscriberId", &third)], 6).await?;
    count(trial, &of_subscriber, "messages of the subscriber", 6)?;
    let first = messages(trial, &[("transactionId", &first_transaction)], 4).await?;
    count(trial, &first, "messages of the first transaction", 4)?;
    let both = messages(
        trial,
        &[
            ("transactionId", &first_transaction),
            ("transactionId", &second_transaction),
        ],
        6,
    )
    .await?;
    count(trial, &both, "messages of both transactions", 6)?;
    let second = messages(trial, &[("transactionId", &second_transaction)], 2).await?;
    count(trial, &second, "messages of the second transaction", 2)
}

async fn delete_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let missing = missing_id(trial);
    let reply = trial
        .call("messages_delete", &[("messageId", &missing)], &[], None)
        .await?;
    trial.status(&reply, 404)?;
    trial.equal(&reply, "error", &reply.body["error"], "Not Found")
}

async fn delete_existing(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = session_subscriber(trial, "subscriber").await?;
    triggered(
        trial,
        json!({
            "name": identifier(&workflow),
            "to": [{ "subscriberId": subscriber_id, "email": "gg@ff.com" }],
            "payload": payload(),
        }),
    )
    .await?;
    let emails = messages_of(trial, &subscriber_id, "email", 1).await?;
    let Some(message) = items(emails.data()).first() else {
        return trial.fail(
            &emails,
            "the trigger delivered an email message",
            "no email message is listed",
        );
    };
    let message_id = id_of(message);
    let deleted = trial
        .call("messages_delete", &[("messageId", &message_id)], &[], None)
        .await?;
    trial.status(&deleted, 200)?;
    let after = trial
        .call(
            "messages_list",
            &[],
            &[("subscriberId", &subscriber_id), ("channel", "email")],
            None,
        )
        .await?;
    let still_there = items(after.data())
        .iter()
        .any(|listed| listed["_id"] == message_id.as_str());
    trial.holds(
        &after,
        &format!("the deleted message {message_id} is found no more"),
        !still_there,
    )
}

async fn delete_missing_transaction(trial: &Trial<'_>) -> Result<(), Stop> {
    let missing = trial.name("abc-1234");
    let reply = trial
        .call(
            "messages_delete_by_transaction",
            &[("transactionId", &missing)],
            &[],
            None,
        )
        .await?;
    trial.status(&reply, 404)?;
    trial.equal(&reply, "error", &reply.body["error"], "Not Found")
}

/// Deletes the messages of a transaction (only those of `channel` when given): they are found
/// no more, and the others are untouched.
async fn delete_transaction(trial: &Trial<'_>, channel: Option<&str>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = trial.name("123456");
    subscriber(
        trial,
        &subscriber_id,
        json!({ "firstName": "broadcast subscriber", "email": format!("{subscriber_id}@example.com") }),
    )
    .await?;
    let data = triggered(
        trial,
        json!({ "name": identifier(&workflow), "to": subscriber_id, "payload": payload() }),
    )
    .await?;
    let transaction = data["transactionId"].as_str().unwrap_or_default();
    let before = messages(trial, &[("transactionId", transaction)], 2).await?;
    let listed = items(before.data());
    let of_channel = |messages: &[Value], wanted: &str| {
        messages
            .iter()
            .filter(|message| message["channel"] == wanted)
            .count()
    };
    trial.holds(&before, "the transaction has messages", !listed.is_empty())?;
    let in_app_before = of_channel(listed, "in_app");
    if channel.is_some() {
        trial.holds(
            &before,
            "the transaction has email messages",
            of_channel(listed, "email") > 0,
        )?;
        trial.holds(
            &before,
            "the transaction has in-app messages",
            in_app_before > 0,
        )?;
    }
    let query: Vec<(&str, &str)> = channel
        .map(|channel| ("channel", channel))
        .into_iter()
        .collect();
    let deleted = trial
        .call(
            "messages_delete_by_transaction",
            &[("transactionId", transaction)],
            &query,
            None,
        )
        .await?;
    trial.status(&deleted, 204)?;
    let after = trial
        .call(
            "messages_list",
            &[],
            &[("transactionId", transaction), ("limit", "100")],
            None,
        )
        .await?;
    let left = items(after.data());
    if channel.is_none() {
        return count(trial, &after, "messages left in the transaction", 0);
    }
    trial.holds(
        &after,
        "messages are left in the transaction",
        !left.is_empty(),
    )?;
    trial.equal(
        &after,
        "the number of email messages left",
        &json!(of_channel(left, "email")),
        0,
    )?;
    trial.equal(
        &after,
        "the number of in-app messages left",
        &json!(of_channel(left, "in_app")),
        in_app_before,
    )
}

/// Novu's test writes an execution detail into its repository; here a trigger makes the
/// details, and the first one the activity feed shows is the one read back.
async fn execution_details(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = session_subscriber(trial, "subscriber").await?;
    let data = triggered(
        trial,
        json!({ "name": identifier(&workflow), "to": subscriber_id, "payload": payload() }),
    )
    .await?;
    let transaction = data["transactionId"].as_str().unwrap_or_default();
    let activity = finished(trial, transaction).await?;
    let notification = items(activity.data()).first().cloned().unwrap_or_default();
    // A detail's channel is the type of its job's step.
    let detail = items(&notification["jobs"])
        .iter()
        .flat_map(|job| {
            items(&job["executionDetails"])
                .iter()
                .map(move |detail| (detail, &job["type"]))
        })
        .next();
    let Some((detail, channel)) = detail else {
        return trial.fail(
            &activity,
            "the triggered notification has execution details",
            "none is listed",
        );
    };
    let notification_id = id_of(&notification);
    let reply = trial
        .call(
            "execution_details_list",
            &[],
            &[
                ("notificationId", &notification_id),
                ("subscriberId", &subscriber_id),
            ],
            None,
        )
        .await?;
    trial.status(&reply, 200)?;
    let details = items(reply.data());
    let Some(found) = details.iter().find(|listed| listed["_id"] == detail["_id"]) else {
        return trial.fail(
            &reply,
            &format!("the notification's detail {} is listed", detail["_id"]),
            "it is not",
        );
    };
    let first = details.first().cloned().unwrap_or_default();
    trial.equal(
        &reply,
        "data[0]._notificationId",
        &first["_notificationId"],
        notification_id.as_str(),
    )?;
    trial.equal(
        &reply,
        "the detail's channel",
        &found["channel"],
        channel.clone(),
    )
}
