//! Cases ported from Novu's `events/e2e/trigger-event.e2e.ts` about a step filtered by a
//! webhook condition, and the `in-app avatar` part: the actor an in-app step shows.
//!
//! Novu runs its webhook cases with the webhook call turned off (its conditions let every
//! webhook part pass under `NODE_ENV=test`), so its assertions count messages as if each
//! webhook had answered yes; the answers its test meant are left in it as commented-out stubs.
//! Here the server really calls a webhook, the run's callback (`--callback-host` where the
//! server is not on this machine; without one the cases are skipped), and the callback
//! answers what those stubs answer. Where a stub fails the call, the counts are those of a
//! server that calls the webhook, which are the counts the stubs' commented-out assertions
//! hold: a webhook that cannot be reached delivers nothing, and a job gets three calls (the
//! original and two retries, as Novu's worker retries a job whose webhook call threw) before
//! its step fails.
//!
//! Novu reads the in-app message from its database, where a `user` actor's `data` stays
//! `null`; `GET /v1/messages` answers it with the actor subscriber's avatar instead (Novu's
//! `get-messages.usecase.ts` fills it in), which is what is read here.

use serde_json::{Value, json};

use super::session::{
    channel_integration, finished, id_of, identifier, messages, session_subscriber, subscriber,
    triggered,
};
use super::{Feature, Ported, Trial, items};
use crate::checks::semantic::sandbox::Stop;
use crate::transport::callback::Reply;

const TRIGGER: &str = "events/e2e/trigger-event.e2e.ts";

/// The ported cases.
pub const CASES: &[Ported] = &[
    Ported::new(
        TRIGGER,
        "should filter a message based on webhook filter",
        "events_trigger",
        |t| Box::pin(webhook_answers(t)),
    )
    .needs(Feature::Callback),
    // Against Novu they wait out the random backoff of the retries (up to 2 s, then 4 s).
    Ported::new(
        TRIGGER,
        "should throw exception on webhook filter - demo unavailable server",
        "events_trigger",
        |t| Box::pin(webhook_unreachable(t)),
    )
    .needs(Feature::Callback)
    .waits(),
    Ported::new(
        TRIGGER,
        "should backoff on exception while webhook filter (original request + 2 retries)",
        "events_trigger",
        |t| Box::pin(webhook_retried(t)),
    )
    .needs(Feature::Callback)
    .waits(),
    Ported::new(
        TRIGGER,
        "should send the message with choosed system avatar",
        "events_trigger",
        |t| Box::pin(system_avatar(t, "system_icon", "warning")),
    ),
    Ported::new(
        TRIGGER,
        "should send the message with custom system avatar url",
        "events_trigger",
        |t| Box::pin(system_avatar(t, "system_custom", AVATAR_URL)),
    ),
    Ported::new(
        TRIGGER,
        "should send the message with the actor avatar",
        "events_trigger",
        |t| Box::pin(actor_avatar(t)),
    ),
];

/// The avatar URL of Novu's avatar cases.
const AVATAR_URL: &str =
    "https://gravatar.com/avatar/5246ec47a6a90ef2bcd29f0ef7d2faa6?s=400&d=robohash&r=x";

/// Novu's email step filtered by one webhook part that calls `url` and passes when the answer's
/// `isOnline` is `"true"`.
fn webhook_email(url: &str) -> Value {
    json!({
        "name": "email", "active": true,
        "template": {
            "type": "email", "subject": "Password reset",
            "content": [
                { "type": "text", "content": "This are the text contents of the template for {{firstName}}" },
                { "type": "button", "content": "SIGN UP", "url": "https://url-of-app.com/{{urlVariable}}" },
            ],
        },
        "filters": [{
            "isNegated": false, "type": "GROUP", "value": "AND",
            "children": [{
                "field": "isOnline", "value": "true", "operator": "EQUAL",
                "on": "webhook", "webhookUrl": url,
            }],
        }],
    })
}

/// Triggers the workflow with the webhook part answered as `reply` `triggers` times for a
/// subscriber of its own; after each trigger's jobs have ended, its messages are counted
/// against the next of `expected`.
async fn webhook_case(trial: &Trial<'_>, reply: Reply, expected: &[usize]) -> Result<(), Stop> {
    let callback = trial.callback().await?;
    let result = async {
        channel_integration(trial, "email").await?;
        let workflow = trial
            .workflow(json!([webhook_email(&callback.urls().url(&reply))]))
            .await?;
        let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
        for count in expected {
            let body = json!({ "name": identifier(&workflow), "to": subscriber_id, "payload": {} });
            let data = triggered(trial, body).await?;
            finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
            let listed = messages(trial, &[("subscriberId", &subscriber_id)], *count).await?;
            trial.equal(
                &listed,
                "the number of the workflow's messages",
                &json!(items(listed.data()).len()),
                *count,
            )?;
        }
        Ok(())
    }
    .await;
    callback.stop();
    result
}

/// The webhook answers `isOnline: true` to each call: each trigger delivers.
async fn webhook_answers(trial: &Trial<'_>) -> Result<(), Stop> {
    webhook_case(trial, Reply::Json(json!({ "isOnline": true })), &[1, 2]).await
}

/// Nothing listens at the webhook's URL: the step fails, no message.
async fn webhook_unreachable(trial: &Trial<'_>) -> Result<(), Stop> {
    webhook_case(trial, Reply::Unreachable, &[0]).await
}

/// Novu's stubs: the first trigger's call fails and its retry answers; the second trigger's
/// three calls fail (a fourth would be answered), so its step fails.
async fn webhook_retried(trial: &Trial<'_>) -> Result<(), Stop> {
    let online = json!({ "isOnline": true });
    let answers = vec![
        Value::Null,
        online.clone(),
        Value::Null,
        Value::Null,
        Value::Null,
        online,
    ];
    webhook_case(trial, Reply::Sequence(answers), &[1, 1]).await
}

/// Novu's in-app step `Hello world!` showing `actor`.
fn in_app_with_actor(actor: Value) -> Value {
    json!({
        "name": "in-app", "active": true,
        "template": { "type": "in_app", "content": "Hello world!", "actor": actor },
    })
}

/// Triggers a workflow whose in-app step shows `actor` to a new subscriber, with the fields of
/// `extra` on the trigger; answers the listing of its in-app messages and the only one.
async fn in_app_message(
    trial: &Trial<'_>,
    actor: Value,
    extra: Value,
) -> Result<(super::Reply, Value), Stop> {
    let workflow = trial.workflow(json!([in_app_with_actor(actor)])).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let mut body = json!({ "name": identifier(&workflow), "to": [subscriber_id], "payload": {} });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let data = triggered(trial, body).await?;
    finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    let query = [
        ("subscriberId", subscriber_id.as_str()),
        ("channel", "in_app"),
    ];
    let listed = messages(trial, &query, 1).await?;
    let found = items(listed.data());
    trial.equal(
        &listed,
        "the number of in-app messages",
        &json!(found.len()),
        1,
    )?;
    let message = found[0].clone();
    trial.holds(
        &listed,
        "the message has an actor",
        message["actor"].is_object(),
    )?;
    Ok((listed, message))
}

/// An in-app step showing a system avatar of `kind` with `data`: the message carries it.
async fn system_avatar(trial: &Trial<'_>, kind: &str, data: &str) -> Result<(), Stop> {
    let actor = json!({ "type": kind, "data": data });
    let (listed, message) = in_app_message(trial, actor, json!({})).await?;
    trial.equal(&listed, "actor.type", &message["actor"]["type"], kind)?;
    trial.equal(&listed, "actor.data", &message["actor"]["data"], data)
}

/// An in-app step showing the user who acted, triggered with an actor that has an avatar: the
/// message names the actor and shows its avatar.
async fn actor_avatar(trial: &Trial<'_>) -> Result<(), Stop> {
    let actor_id = trial.name("actor");
    let actor = subscriber(
        trial,
        &actor_id,
        json!({ "firstName": "Test", "lastName": "Subscriber", "avatar": AVATAR_URL }),
    )
    .await?;
    let step_actor = json!({ "type": "user", "data": null });
    let (listed, message) = in_app_message(trial, step_actor, json!({ "actor": actor_id })).await?;
    trial.equal(&listed, "actor.type", &message["actor"]["type"], "user")?;
    trial.equal(&listed, "actor.data", &message["actor"]["data"], AVATAR_URL)?;
    trial.equal(&listed, "_actorId", &message["_actorId"], id_of(&actor))
}
