//! Cases ported from Novu's `events/e2e/delay-events.e2e.ts`: a delay holds the later steps
//! for its interval (or until the payload's scheduled date), a trigger's `overrides.delay`
//! replaces the step's, a delay before a digest, and the payload check of a scheduled delay.
//!
//! Novu reads the delayed job from its repository; here it is read from the activity feed.
//! The delayed job's `expireAt`, which Novu's first test also checks, is not in the contract's
//! activity and is not asserted.

use serde_json::{Value, json};

use super::session::{
    channel_integration, channel_step, finished, identifier, messages_of, session_subscriber,
    triggered,
};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const DELAY: &str = "events/e2e/delay-events.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        DELAY,
        "should delay event for time interval",
        "events_trigger",
        |t| Box::pin(delay_interval(t)),
    )
    .waits(),
    Ported::new(
        DELAY,
        "should override delay parameters",
        "events_trigger",
        |t| Box::pin(override_delay(t)),
    ),
    Ported::new(
        DELAY,
        "should not include delayed event in digested sent message",
        "events_trigger",
        |t| Box::pin(delay_then_digest(t)),
    )
    .waits(),
    Ported::new(
        DELAY,
        "should send a single message for same exact scheduled delay",
        "events_trigger",
        |t| Box::pin(same_scheduled_delay(t)),
    )
    .waits(),
    Ported::new(
        DELAY,
        "should fail for missing or invalid path for scheduled delay",
        "events_trigger",
        |t| Box::pin(scheduled_delay_path(t)),
    ),
];

/// A delay step with `metadata`.
fn delay_step(metadata: Value) -> Value {
    json!({
        "name": "delay", "active": true,
        "template": { "type": "delay", "content": "" },
        "metadata": metadata,
    })
}

/// A regular digest step of `seconds`.
fn digest_step(seconds: f64) -> Value {
    json!({
        "name": "digest", "active": true,
        "template": { "type": "digest", "content": "" },
        "metadata": { "unit": "seconds", "amount": seconds, "type": "regular" },
    })
}

/// Triggers `workflow` for `subscriber_id` with `payload` and `overrides`; answers the
/// transaction id.
async fn trigger(
    trial: &Trial<'_>,
    workflow: &Value,
    subscriber_id: &str,
    payload: Value,
    overrides: Value,
) -> Result<String, Stop> {
    let data = triggered(
        trial,
        json!({
            "name": identifier(workflow), "to": [subscriber_id],
            "payload": payload, "overrides": overrides,
        }),
    )
    .await?;
    Ok(data["transactionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// The number of listed messages is `expected`.
fn count(trial: &Trial<'_>, reply: &Reply, what: &str, expected: usize) -> Result<(), Stop> {
    trial.equal(reply, what, &json!(items(reply.data()).len()), expected)
}

async fn delay_interval(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = trial
        .workflow(json!([
            { "name": "first", "active": true, "template": { "type": "in_app", "content": "Not Delayed {{customVar}}" } },
            delay_step(json!({ "unit": "seconds", "amount": 2, "type": "regular" })),
            { "name": "after", "active": true, "template": { "type": "in_app", "content": "Hello world {{customVar}}" } },
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let transaction = trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "customVar": "Testing of User Name" }),
        json!({}),
    )
    .await?;
    let activity = trial
        .poll(
            "notifications_list",
            &[],
            &[("transactionId", &transaction)],
            super::session::DELIVERY,
            |reply| delay_status(reply).is_some_and(|status| status != "pending"),
        )
        .await?;
    trial.equal(
        &activity,
        "the delay job's status",
        &json!(delay_status(&activity)),
        "delayed",
    )?;
    let before = messages_of(trial, &subscriber_id, "in_app", 1).await?;
    count(
        trial,
        &before,
        "the number of in-app messages during the delay",
        1,
    )?;
    let content = before.data()[0]["content"].as_str().unwrap_or_default();
    trial.holds(
        &before,
        "the first message's content includes `Not Delayed`",
        content.contains("Not Delayed"),
    )?;
    finished(trial, &transaction).await?;
    let after = messages_of(trial, &subscriber_id, "in_app", 2).await?;
    count(
        trial,
        &after,
        "the number of in-app messages after the delay",
        2,
    )
}

/// The status of the delay job in the activity of `reply`, once it has one.
fn delay_status(reply: &Reply) -> Option<String> {
    items(reply.data())
        .iter()
        .flat_map(|notification| items(&notification["jobs"]))
        .find(|job| job["type"] == "delay")
        .and_then(|job| job["status"].as_str())
        .map(str::to_owned)
}

async fn override_delay(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([
            delay_step(json!({ "unit": "seconds", "amount": 0.1, "type": "regular" })),
            channel_step("sms", "Hello world {{customVar}}"),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let transaction = trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "customVar": "Testing of User Name" }),
        json!({ "delay": { "amount": 2, "unit": "seconds" } }),
    )
    .await?;
    finished(trial, &transaction).await?;
    let listed = messages_of(trial, &subscriber_id, "sms", 1).await?;
    count(trial, &listed, "the number of SMS messages", 1)
}

async fn delay_then_digest(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([
            delay_step(json!({ "unit": "seconds", "amount": 0.1, "type": "regular" })),
            digest_step(2.0),
            channel_step(
                "sms",
                "Event {{eventNumber}}. Digested Events {{step.events.length}}"
            ),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let mut transactions = Vec::new();
    for number in ["1", "2"] {
        transactions.push(
            trigger(
                trial,
                &workflow,
                &subscriber_id,
                json!({ "eventNumber": number }),
                json!({}),
            )
            .await?,
        );
    }
    for transaction in &transactions {
        finished(trial, transaction).await?;
    }
    let listed = messages_of(trial, &subscriber_id, "sms", 1).await?;
    let content = listed.data()[0]["content"].as_str().unwrap_or_default();
    trial.holds(
        &listed,
        "the first SMS message's content includes `Event `",
        content.contains("Event "),
    )?;
    trial.holds(
        &listed,
        "the first SMS message's content includes `Digested Events 2`",
        content.contains("Digested Events 2"),
    )
}

async fn same_scheduled_delay(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([
            delay_step(json!({ "type": "scheduled", "delayPath": "sendAt" })),
            digest_step(2.0),
            channel_step("sms", "Digested Events {{step.events.length}}"),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let send_at = (chrono::Utc::now() + chrono::Duration::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut transactions = Vec::new();
    for number in ["1", "2"] {
        transactions.push(
            trigger(
                trial,
                &workflow,
                &subscriber_id,
                json!({ "eventNumber": number, "sendAt": send_at }),
                json!({}),
            )
            .await?,
        );
    }
    for transaction in &transactions {
        finished(trial, transaction).await?;
    }
    let listed = messages_of(trial, &subscriber_id, "sms", 1).await?;
    count(trial, &listed, "the number of SMS messages", 1)?;
    let content = listed.data()[0]["content"].as_str().unwrap_or_default();
    trial.holds(
        &listed,
        "the SMS message's content includes `Digested Events 2`",
        content.contains("Digested Events 2"),
    )
}

async fn scheduled_delay_path(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([
            delay_step(json!({ "type": "scheduled", "delayPath": "sendAt" })),
            channel_step("sms", "Hello world {{customVar}}"),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    for payload in [
        json!({ "customVar": "Testing of User Name" }),
        json!({ "customVar": "Testing of User Name", "sendAt": "20-09-2025" }),
    ] {
        let reply = trial
            .call(
                "events_trigger",
                &[],
                &[],
                Some(json!({
                    "name": identifier(&workflow), "to": [subscriber_id],
                    "payload": payload, "overrides": {},
                })),
            )
            .await?;
        trial.status(&reply, 400)?;
        trial.equal(
            &reply,
            "message",
            &reply.body["message"],
            "payload is missing required key(s) and type(s): sendAt (ISO Date)",
        )?;
    }
    Ok(())
}
