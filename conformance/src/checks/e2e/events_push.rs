//! Cases ported from Novu's `events/e2e/send-message-push.e2e.ts`: with two active push
//! integrations (FCM, made first, and Expo), a push step creates no message for a subscriber
//! without a push channel, nor for one whose channels of both providers hold no device token;
//! execution details say why.
//!
//! Novu's session starts with an FCM integration, and its test adds an Expo one; here the
//! environment's active push integrations are turned off for the case (on again at the end)
//! and both are made, so these cases play alone. Novu counts every execution detail of its
//! environment (8 and 9, most of them its queue's own steps); the case reads the details of
//! the case's notification and checks the ones Novu's test names.

use serde_json::{Value, json};

use super::integrations::quiet_channel;
use super::session::{
    channel_step, finished, id_of, identifier, integration, session_subscriber, triggered,
};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const PUSH: &str = "events/e2e/send-message-push.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        PUSH,
        "should not create any message if subscriber has no configured channel",
        "events_trigger",
        |t| Box::pin(no_configured_channel(t)),
    ),
    Ported::new(
        PUSH,
        "should not create any message if subscriber has configured two providers without device tokens",
        "events_trigger",
        |t| Box::pin(no_device_tokens(t)),
    ),
];

/// The detail of a subscriber without a push channel.
const NO_CHANNEL: &str = "Subscriber does not have a configured channel";

/// The detail of a push channel without device tokens.
const MISSING_DEVICE_TOKENS: &str =
    "Subscriber credentials is missing the tokens for sending a push notification message";

/// The detail closing a notification some of whose deliveries failed.
const NOTIFICATION_ERROR: &str =
    "There was one or more errors when trying to execute the notification";

/// The environment's only active push integrations are an FCM one, made first, and an Expo
/// one; answers the push workflow of Novu's test and its subscriber.
async fn two_push_providers(trial: &Trial<'_>) -> Result<(Value, String), Stop> {
    let (environment, _) = trial.environment().await?;
    quiet_channel(trial, &environment, "push").await?;
    integration(trial, "fcm", "push", json!({ "serviceAccount": "{}" })).await?;
    integration(trial, "expo", "push", json!({ "apiKey": "123" })).await?;
    let reply = trial
        .call("integrations_list_active", &[], &[], None)
        .await?;
    let active = items(reply.data())
        .iter()
        .filter(|listed| {
            listed["_environmentId"] == environment.as_str()
                && listed["channel"] == "push"
                && listed["active"] == true
        })
        .count();
    trial.equal(
        &reply,
        "the number of active push integrations",
        &json!(active),
        2,
    )?;
    let mut step = channel_step("push", "Welcome to {{organizationName}}");
    step["template"]["title"] = json!("Title");
    let workflow = trial.workflow(json!([step])).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    Ok((workflow, subscriber_id))
}

/// Triggers `workflow` for `subscriber_id` and waits until its jobs have ended; then no
/// message of the workflow exists for the subscriber. Answers the execution details of the
/// notification.
async fn nothing_sent(
    trial: &Trial<'_>,
    workflow: &Value,
    subscriber_id: &str,
) -> Result<(Reply, Vec<Value>), Stop> {
    let data = triggered(
        trial,
        json!({
            "name": identifier(workflow), "to": [{ "subscriberId": subscriber_id }], "payload": {},
        }),
    )
    .await?;
    let transaction = data["transactionId"].as_str().unwrap_or_default();
    let activity = finished(trial, transaction).await?;
    let listed = trial
        .call(
            "messages_list",
            &[],
            &[
                ("subscriberId", subscriber_id),
                ("transactionId", transaction),
            ],
            None,
        )
        .await?;
    trial.status(&listed, 200)?;
    trial.equal(
        &listed,
        "the number of the workflow's messages",
        &json!(items(listed.data()).len()),
        0,
    )?;
    let notification = items(activity.data()).first().cloned().unwrap_or_default();
    let details = trial
        .call(
            "execution_details_list",
            &[],
            &[
                ("notificationId", &id_of(&notification)),
                ("subscriberId", subscriber_id),
            ],
            None,
        )
        .await?;
    trial.status(&details, 200)?;
    let listed = items(details.data()).to_vec();
    Ok((details, listed))
}

/// `details` hold one whose `detail` is `text`, from `provider` when given.
fn recorded(
    trial: &Trial<'_>,
    reply: &Reply,
    details: &[Value],
    text: &str,
    provider: Option<&str>,
) -> Result<(), Stop> {
    let found = details.iter().any(|detail| {
        detail["detail"] == text && provider.is_none_or(|provider| detail["providerId"] == provider)
    });
    let from = provider.map_or(String::new(), |provider| format!(" from {provider}"));
    trial.holds(
        reply,
        &format!("an execution detail{from} says {text:?}"),
        found,
    )
}

async fn no_configured_channel(trial: &Trial<'_>) -> Result<(), Stop> {
    let (workflow, subscriber_id) = two_push_providers(trial).await?;
    let (reply, details) = nothing_sent(trial, &workflow, &subscriber_id).await?;
    recorded(trial, &reply, &details, NO_CHANNEL, Some("fcm"))?;
    recorded(trial, &reply, &details, NOTIFICATION_ERROR, None)
}

async fn no_device_tokens(trial: &Trial<'_>) -> Result<(), Stop> {
    let (workflow, subscriber_id) = two_push_providers(trial).await?;
    for provider in ["fcm", "expo"] {
        trial
            .setup(
                &format!("the subscriber's {provider} credentials hold no device token"),
                "subscriber_credentials_update",
                &[("subscriberId", &subscriber_id)],
                Some(json!({
                    "subscriberId": subscriber_id, "providerId": provider,
                    "credentials": { "deviceTokens": [] },
                })),
            )
            .await?;
    }
    let (reply, details) = nothing_sent(trial, &workflow, &subscriber_id).await?;
    for provider in ["fcm", "expo"] {
        recorded(
            trial,
            &reply,
            &details,
            MISSING_DEVICE_TOKENS,
            Some(provider),
        )?;
    }
    recorded(trial, &reply, &details, NOTIFICATION_ERROR, None)
}
