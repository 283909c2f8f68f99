//! Cases ported from Novu's `subscribers/e2e/update-preference.e2e.ts`: a subscriber's
//! preference for one workflow, switched as a whole and per channel, and how it follows the
//! workflow's steps.
//!
//! Novu's environment holds the one workflow its session made and reads `data[0]` of the
//! preferences; here the entry of the case's workflow is read.

use serde_json::{Value, json};

use super::subscriber_feed::subscriber_with_workflow;
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const UPDATE: &str = "subscribers/e2e/update-preference.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        UPDATE,
        "should send a Bad Request error if channel property in payload is not right",
        "subscriber_preferences_update",
        |t| Box::pin(rejected(t, json!({ "channel": "email", "enabled": false }))),
    ),
    Ported::new(
        UPDATE,
        "should send a Bad Request error if enabled property in payload is not right",
        "subscriber_preferences_update",
        |t| {
            Box::pin(rejected(
                t,
                json!({ "channel": { "type": "email" }, "enabled": 2 }),
            ))
        },
    ),
    Ported::new(
        UPDATE,
        "should send a Not Found Request error if template id is wrong",
        "subscriber_preferences_update",
        |t| Box::pin(unknown_workflow(t)),
    ),
    Ported::new(
        UPDATE,
        "should fail on invalid \"enabled\" param (string)",
        "subscriber_preferences_update",
        |t| Box::pin(enabled_as_string(t)),
    ),
    Ported::new(
        UPDATE,
        "should not do any action or error when sending an empty channels property",
        "subscriber_preferences_update",
        |t| {
            Box::pin(switches(
                t,
                vec![(json!({ "channels": {} }), true, BOTH_ON)],
            ))
        },
    ),
    Ported::new(
        UPDATE,
        "should update user preference and disable the flag for the future general notification template preference",
        "subscriber_preferences_update",
        |t| {
            Box::pin(switches(
                t,
                vec![
                    (json!({ "enabled": false }), false, BOTH_ON),
                    (
                        json!({ "channel": { "type": "email", "enabled": false } }),
                        false,
                        EMAIL_OFF,
                    ),
                ],
            ))
        },
    ),
    Ported::new(
        UPDATE,
        "should update user preference and enable the flag for the future general notification template preference",
        "subscriber_preferences_update",
        |t| {
            Box::pin(switches(
                t,
                vec![
                    (json!({ "enabled": false }), false, BOTH_ON),
                    (json!({ "enabled": true }), true, BOTH_ON),
                ],
            ))
        },
    ),
    Ported::new(
        UPDATE,
        "should be able to update the subscriber preference for an active channel of the template",
        "subscriber_preferences_update",
        |t| {
            Box::pin(switches(
                t,
                vec![
                    (
                        json!({ "channel": { "type": "email", "enabled": false } }),
                        true,
                        EMAIL_OFF,
                    ),
                    (
                        json!({ "channel": { "type": "email", "enabled": true } }),
                        true,
                        BOTH_ON,
                    ),
                ],
            ))
        },
    ),
    Ported::new(
        UPDATE,
        "should ignore the channel update if channel not being used in the notification template",
        "subscriber_preferences_update",
        |t| {
            Box::pin(switches(
                t,
                vec![(
                    json!({ "channel": { "type": "sms", "enabled": false } }),
                    true,
                    BOTH_ON,
                )],
            ))
        },
    ),
    Ported::new(
        UPDATE,
        "should be able to modify a channel preference after it being added as step in a notification template",
        "subscriber_preferences_update",
        |t| Box::pin(added_sms_step(t)),
    ),
    Ported::new(
        UPDATE,
        "should have no problems with a digest step in the notification template",
        "subscriber_preferences_update",
        |t| Box::pin(added_digest_step(t)),
    ),
];

/// `{email, in_app}` both on.
const BOTH_ON: (bool, bool) = (true, true);
/// Email off, in-app on.
const EMAIL_OFF: (bool, bool) = (false, true);

fn id_of(workflow: &Value) -> String {
    workflow["_id"].as_str().unwrap_or_default().to_owned()
}

async fn update(
    trial: &Trial<'_>,
    subscriber: &str,
    workflow_id: &str,
    body: Value,
) -> Result<Reply, Stop> {
    trial
        .call(
            "subscriber_preferences_update",
            &[("subscriberId", subscriber), ("parameter", workflow_id)],
            &[],
            Some(body),
        )
        .await
}

/// The subscriber's preference for the workflow: `enabled` is `enabled`, and `channels` is
/// exactly `channels`.
async fn preference_is(
    trial: &Trial<'_>,
    subscriber: &str,
    workflow_id: &str,
    enabled: bool,
    channels: Value,
) -> Result<(), Stop> {
    let reply = trial
        .call(
            "subscriber_preferences_list",
            &[("subscriberId", subscriber)],
            &[],
            None,
        )
        .await?;
    trial.status(&reply, 200)?;
    let entry = items(reply.data())
        .iter()
        .find(|entry| entry["template"]["_id"] == json!(workflow_id))
        .cloned()
        .unwrap_or(Value::Null);
    trial.equal(
        &reply,
        "the workflow's preference.enabled",
        &entry["preference"]["enabled"],
        enabled,
    )?;
    trial.equal(
        &reply,
        "the workflow's preference.channels",
        &entry["preference"]["channels"],
        channels,
    )
}

fn channels((email, in_app): (bool, bool)) -> Value {
    json!({ "email": email, "in_app": in_app })
}

async fn rejected(trial: &Trial<'_>, body: Value) -> Result<(), Stop> {
    let (subscriber, workflow) = subscriber_with_workflow(trial).await?;
    let reply = update(trial, &subscriber, &id_of(&workflow), body).await?;
    trial.status(&reply, 400)
}

async fn unknown_workflow(trial: &Trial<'_>) -> Result<(), Stop> {
    let (subscriber, _) = subscriber_with_workflow(trial).await?;
    let missing = "63cc6e0b561e0a609f223e27";
    let reply = update(
        trial,
        &subscriber,
        missing,
        json!({ "channel": { "type": "email", "enabled": false } }),
    )
    .await?;
    trial.status(&reply, 404)?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 404)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Template with id {missing} is not found"),
    )?;
    trial.equal(&reply, "error", &reply.body["error"], "Not Found")
}

async fn enabled_as_string(trial: &Trial<'_>) -> Result<(), Stop> {
    let (subscriber, workflow) = subscriber_with_workflow(trial).await?;
    let reply = update(
        trial,
        &subscriber,
        &id_of(&workflow),
        json!({ "channel": { "type": "email", "enabled": "" } }),
    )
    .await?;
    trial.status(&reply, 400)?;
    trial.equal(
        &reply,
        "message[0]",
        &reply.body["message"][0],
        "channel.enabled must be a boolean value",
    )?;
    let global = trial
        .call(
            "subscriber_preferences_update_global",
            &[("subscriberId", &subscriber)],
            &[],
            Some(json!({ "preferences": [{ "type": "email", "enabled": "" }] })),
        )
        .await?;
    trial.status(&global, 400)?;
    trial.equal(
        &global,
        "message[0]",
        &global.body["message"][0],
        "preferences.0.enabled must be a boolean value",
    )
}

/// From email and in-app both on, each `(body, enabled, channels)` updates the preference and
/// leaves it `enabled` with `channels`.
async fn switches(trial: &Trial<'_>, steps: Vec<(Value, bool, (bool, bool))>) -> Result<(), Stop> {
    let (subscriber, workflow) = subscriber_with_workflow(trial).await?;
    let id = id_of(&workflow);
    preference_is(trial, &subscriber, &id, true, channels(BOTH_ON)).await?;
    for (body, enabled, flags) in steps {
        update(trial, &subscriber, &id, body).await?;
        preference_is(trial, &subscriber, &id, enabled, channels(flags)).await?;
    }
    Ok(())
}

/// Replaces the workflow's steps with `steps` (Novu's test sends the steps it read, changed);
/// the workflow then has `count` steps.
async fn set_steps(trial: &Trial<'_>, id: &str, steps: Value, count: usize) -> Result<(), Stop> {
    trial
        .call(
            "workflows_update",
            &[("workflowId", id)],
            &[],
            Some(json!({ "steps": steps })),
        )
        .await?;
    let read = trial
        .call("workflows_retrieve", &[("workflowId", id)], &[], None)
        .await?;
    trial.equal(
        &read,
        "the number of data.steps",
        &json!(items(&read.data()["steps"]).len()),
        count,
    )
}

async fn read_steps(trial: &Trial<'_>, id: &str) -> Result<Vec<Value>, Stop> {
    let read = trial
        .call("workflows_retrieve", &[("workflowId", id)], &[], None)
        .await?;
    trial.status(&read, 200)?;
    Ok(items(&read.data()["steps"]).to_vec())
}

async fn added_sms_step(trial: &Trial<'_>) -> Result<(), Stop> {
    let (subscriber, workflow) = subscriber_with_workflow(trial).await?;
    let id = id_of(&workflow);
    let mut steps = read_steps(trial, &id).await?;
    steps.push(json!({ "template": { "type": "sms", "content": "This is new content for in app notification" } }));
    set_steps(trial, &id, Value::Array(steps), 3).await?;
    preference_is(
        trial,
        &subscriber,
        &id,
        true,
        json!({ "email": true, "in_app": true, "sms": true }),
    )
    .await?;
    update(
        trial,
        &subscriber,
        &id,
        json!({ "channel": { "type": "sms", "enabled": false } }),
    )
    .await?;
    preference_is(
        trial,
        &subscriber,
        &id,
        true,
        json!({ "email": true, "in_app": true, "sms": false }),
    )
    .await
}

async fn added_digest_step(trial: &Trial<'_>) -> Result<(), Stop> {
    let (subscriber, workflow) = subscriber_with_workflow(trial).await?;
    let id = id_of(&workflow);
    let mut steps = vec![json!({
        "template": {
            "type": "digest", "content": "",
            "metadata": { "unit": "minutes", "amount": 5, "type": "regular" },
        },
    })];
    steps.extend(read_steps(trial, &id).await?);
    set_steps(trial, &id, Value::Array(steps), 3).await?;
    preference_is(trial, &subscriber, &id, true, channels(BOTH_ON)).await?;
    update(
        trial,
        &subscriber,
        &id,
        json!({ "channel": { "type": "email", "enabled": false } }),
    )
    .await?;
    preference_is(trial, &subscriber, &id, true, channels(EMAIL_OFF)).await
}
