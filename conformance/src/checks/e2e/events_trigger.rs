//! Cases ported from Novu's `events/e2e/trigger-event.e2e.ts` about what a trigger answers
//! and what it stores: its acknowledgement and statuses, the recipients it creates or updates,
//! and the messages and notifications it makes.
//!
//! Where Novu's test reads its repositories (subscribers, notifications, messages, jobs), the
//! case reads the API: `GET /v1/subscribers/{id}`, the activity feed narrowed to the case's
//! subscriber (which carries the jobs) and `GET /v1/messages`. The subscribers Novu makes with
//! `createObjectId()` are named under the run's prefix here.

use serde_json::{Value, json};

use super::session::{
    activities, default_in_app_message, default_template, finished, identifier, integration,
    made_by_trigger, message_of, messages_of, session_subscriber, triggered,
};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const TRIGGER: &str = "events/e2e/trigger-event.e2e.ts";

/// The ported cases of this file's first part.
pub const CASES: &[Ported] = &[
    Ported::new(
        TRIGGER,
        "should trigger an event successfully",
        "events_trigger",
        |t| Box::pin(trigger_successfully(t)),
    ),
    Ported::new(
        TRIGGER,
        "should store jobs & message provider id successfully",
        "events_trigger",
        |t| Box::pin(store_provider_ids(t)),
    ),
    Ported::new(
        TRIGGER,
        "should create a subscriber based on event",
        "events_trigger",
        |t| Box::pin(create_subscriber(t)),
    ),
    Ported::new(
        TRIGGER,
        "should update a subscribers email if one dont exists",
        "events_trigger",
        |t| Box::pin(add_email(t)),
    ),
    Ported::new(
        TRIGGER,
        "should set a new subscriber with channels array",
        "events_trigger",
        |t| Box::pin(new_subscriber_channels(t)),
    ),
    Ported::new(
        TRIGGER,
        "should update a subscribers channels array",
        "events_trigger",
        |t| Box::pin(update_subscriber_channels(t)),
    ),
    Ported::new(
        TRIGGER,
        "should not unset a subscriber email",
        "events_trigger",
        |t| Box::pin(keep_email(t)),
    ),
    Ported::new(
        TRIGGER,
        "should override subscriber email based on event data",
        "events_trigger",
        |t| Box::pin(email_from_payload(t)),
    ),
    Ported::new(
        TRIGGER,
        "should generate message and notification based on event",
        "events_trigger",
        |t| Box::pin(message_and_notification(t)),
    ),
    Ported::new(
        TRIGGER,
        "should throw an error when workflow identifier provided is not in the database",
        "events_trigger",
        |t| Box::pin(unknown_workflow(t)),
    ),
    Ported::new(
        TRIGGER,
        "should handle empty workflow scenario",
        "events_trigger",
        |t| Box::pin(empty_workflow(t)),
    ),
];

/// The payload of Novu's subscriber tests.
fn url_payload() -> Value {
    json!({ "urlVar": "/test/url/path" })
}

/// The subscriber `subscriber_id`, read back (`null` when it is not found).
async fn read_subscriber(trial: &Trial<'_>, subscriber_id: &str) -> Result<Reply, Stop> {
    trial
        .call(
            "subscribers_get",
            &[("subscriberId", subscriber_id)],
            &[],
            None,
        )
        .await
}

/// Each field of `expected` reads back the same in the subscriber of `reply`.
fn same_fields(trial: &Trial<'_>, reply: &Reply, expected: &Value) -> Result<(), Stop> {
    for (field, value) in expected.as_object().into_iter().flatten() {
        trial.equal(
            reply,
            &format!("data.{field}"),
            &reply.data()[field],
            value.clone(),
        )?;
    }
    Ok(())
}

/// Triggers the default template for `to` with `payload`, waits until its jobs have ended and
/// answers the trigger's `data`.
async fn trigger_and_wait(
    trial: &Trial<'_>,
    workflow: &Value,
    to: Value,
    payload: Value,
) -> Result<Value, Stop> {
    let data = triggered(
        trial,
        json!({ "name": identifier(workflow), "to": to, "payload": payload }),
    )
    .await?;
    finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    Ok(data)
}

async fn trigger_successfully(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let reply = trial
        .call(
            "events_trigger",
            &[],
            &[],
            Some(json!({
                "name": identifier(&workflow),
                "to": subscriber_id,
                "payload": { "firstName": "Testing of User Name", "urlVariable": "/test/url/path" },
            })),
        )
        .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    trial.equal(&reply, "data.status", &reply.data()["status"], "processed")?;
    trial.equal(
        &reply,
        "data.acknowledged",
        &reply.data()["acknowledged"],
        true,
    )
}

async fn store_provider_ids(trial: &Trial<'_>) -> Result<(), Stop> {
    let email_provider = super::session::channel_integration(trial, "email").await?;
    let workflow = default_template(trial).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let data = triggered(
        trial,
        json!({ "name": identifier(&workflow), "to": subscriber_id }),
    )
    .await?;
    let activity = finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    let (in_app_reply, in_app) = message_of(trial, &subscriber_id, "in_app").await?;
    trial.equal(
        &in_app_reply,
        "the in-app message's providerId",
        &in_app["providerId"],
        "novu",
    )?;
    let (email_reply, email) = message_of(trial, &subscriber_id, "email").await?;
    trial.equal(
        &email_reply,
        "the email message's providerId",
        &email["providerId"],
        email_provider.as_str(),
    )?;
    let jobs: Vec<&Value> = items(activity.data())
        .iter()
        .flat_map(|notification| items(&notification["jobs"]))
        .collect();
    for (message, provider) in [(&in_app, "novu"), (&email, email_provider.as_str())] {
        // One job per step type: the message's job is the one of its channel.
        let job = jobs
            .iter()
            .find(|job| job["type"] == message["channel"])
            .copied()
            .cloned()
            .unwrap_or_default();
        trial.equal(
            &activity,
            &format!(
                "the providerId of the job of the {} message",
                message["channel"]
            ),
            &job["providerId"],
            provider,
        )?;
    }
    Ok(())
}

async fn create_subscriber(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = trial.name("subscriber");
    made_by_trigger(trial, &subscriber_id);
    let fields = json!({
        "firstName": "Test Name",
        "lastName": "Last of name",
        "email": "test@email.novu",
        "locale": "en",
        "data": { "custom1": "custom value1", "custom2": "custom value2" },
    });
    let mut to = fields.clone();
    to["subscriberId"] = json!(subscriber_id);
    trigger_and_wait(trial, &workflow, to, url_payload()).await?;
    let reply = read_subscriber(trial, &subscriber_id).await?;
    trial.equal(
        &reply,
        "data.subscriberId",
        &reply.data()["subscriberId"],
        subscriber_id.as_str(),
    )?;
    same_fields(trial, &reply, &fields)
}

/// A recipient whose fields are `fields` under the case's new subscriber id.
fn recipient(subscriber_id: &str, fields: &Value) -> Value {
    let mut to = fields.clone();
    to["subscriberId"] = json!(subscriber_id);
    to
}

async fn add_email(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = trial.name("subscriber");
    made_by_trigger(trial, &subscriber_id);
    let fields = json!({ "firstName": "Test Name", "lastName": "Last of name", "locale": "en" });
    let to = recipient(&subscriber_id, &fields);
    trigger_and_wait(trial, &workflow, to.clone(), url_payload()).await?;
    let created = read_subscriber(trial, &subscriber_id).await?;
    same_fields(trial, &created, &fields)?;
    trial.equal(
        &created,
        "data.email",
        &created.data()["email"],
        Value::Null,
    )?;
    let mut with_email = to;
    with_email["email"] = json!("hello@world.com");
    trigger_and_wait(trial, &workflow, with_email, url_payload()).await?;
    let updated = read_subscriber(trial, &subscriber_id).await?;
    same_fields(trial, &updated, &fields)?;
    trial.equal(
        &updated,
        "data.email",
        &updated.data()["email"],
        "hello@world.com",
    )
}

async fn keep_email(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = trial.name("subscriber");
    made_by_trigger(trial, &subscriber_id);
    let fields = json!({
        "firstName": "Test Name", "lastName": "Last of name", "email": "hello@world.com", "locale": "en",
    });
    trigger_and_wait(
        trial,
        &workflow,
        recipient(&subscriber_id, &fields),
        url_payload(),
    )
    .await?;
    let created = read_subscriber(trial, &subscriber_id).await?;
    same_fields(trial, &created, &fields)?;
    let without_email =
        json!({ "firstName": "Test Name", "lastName": "Last of name", "locale": "en" });
    trigger_and_wait(
        trial,
        &workflow,
        recipient(&subscriber_id, &without_email),
        url_payload(),
    )
    .await?;
    let updated = read_subscriber(trial, &subscriber_id).await?;
    same_fields(trial, &updated, &fields)
}

/// A Slack channel entry with `credentials`.
fn slack(credentials: Value) -> Value {
    json!([{ "providerId": "slack", "credentials": credentials }])
}

/// Novu's session has a Slack integration, which a subscriber's Slack channel belongs to.
async fn slack_integration(trial: &Trial<'_>) -> Result<(), Stop> {
    integration(trial, "slack", "chat", json!({}))
        .await
        .map(drop)
}

async fn new_subscriber_channels(trial: &Trial<'_>) -> Result<(), Stop> {
    slack_integration(trial).await?;
    let workflow = default_template(trial).await?;
    let subscriber_id = trial.name("subscriber");
    made_by_trigger(trial, &subscriber_id);
    let fields = json!({
        "firstName": "Test Name", "lastName": "Last of name", "locale": "en",
        "channels": slack(json!({ "webhookUrl": "https://slack.com/webhook/test", "deviceTokens": ["1", "2"] })),
    });
    trigger_and_wait(
        trial,
        &workflow,
        recipient(&subscriber_id, &fields),
        url_payload(),
    )
    .await?;
    let reply = read_subscriber(trial, &subscriber_id).await?;
    let channels = &reply.data()["channels"];
    trial.equal(
        &reply,
        "the number of data.channels",
        &json!(items(channels).len()),
        1,
    )?;
    trial.equal(
        &reply,
        "data.channels[0].providerId",
        &channels[0]["providerId"],
        "slack",
    )?;
    trial.equal(
        &reply,
        "data.channels[0].credentials.webhookUrl",
        &channels[0]["credentials"]["webhookUrl"],
        "https://slack.com/webhook/test",
    )?;
    trial.equal(
        &reply,
        "the number of data.channels[0].credentials.deviceTokens",
        &json!(items(&channels[0]["credentials"]["deviceTokens"]).len()),
        2,
    )
}

async fn update_subscriber_channels(trial: &Trial<'_>) -> Result<(), Stop> {
    slack_integration(trial).await?;
    let workflow = default_template(trial).await?;
    let subscriber_id = trial.name("subscriber");
    made_by_trigger(trial, &subscriber_id);
    let mut fields = json!({
        "firstName": "Test Name", "lastName": "Last of name", "locale": "en",
        "channels": slack(json!({ "webhookUrl": "https://slack.com/webhook/test" })),
    });
    trigger_and_wait(
        trial,
        &workflow,
        recipient(&subscriber_id, &fields),
        url_payload(),
    )
    .await?;
    let created = read_subscriber(trial, &subscriber_id).await?;
    trial.equal(
        &created,
        "data.subscriberId",
        &created.data()["subscriberId"],
        subscriber_id.as_str(),
    )?;
    trial.equal(
        &created,
        "the number of data.channels",
        &json!(items(&created.data()["channels"]).len()),
        1,
    )?;
    fields["channels"] = slack(json!({ "webhookUrl": "https://slack.com/webhook/test2" }));
    trigger_and_wait(
        trial,
        &workflow,
        recipient(&subscriber_id, &fields),
        url_payload(),
    )
    .await?;
    let updated = read_subscriber(trial, &subscriber_id).await?;
    let channels = &updated.data()["channels"];
    trial.equal(
        &updated,
        "the number of data.channels",
        &json!(items(channels).len()),
        1,
    )?;
    trial.equal(
        &updated,
        "data.channels[0].providerId",
        &channels[0]["providerId"],
        "slack",
    )?;
    trial.equal(
        &updated,
        "data.channels[0].credentials.webhookUrl",
        &channels[0]["credentials"]["webhookUrl"],
        "https://slack.com/webhook/test2",
    )
}

/// The message tests' payload.
fn message_payload() -> Value {
    json!({
        "email": "new-test-email@gmail.com",
        "firstName": "Testing of User Name",
        "urlVar": "/test/url/path",
    })
}

async fn email_from_payload(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let existing = session_subscriber(trial, "subscriber", json!({})).await?;
    let new = trial.name("new-subscriber");
    made_by_trigger(trial, &new);
    let transaction = trial.name("transaction");
    let data = triggered(
        trial,
        json!({
            "name": identifier(&workflow),
            "transactionId": transaction,
            "to": [
                { "subscriberId": existing, "email": "gg@ff.com" },
                { "subscriberId": new, "email": "gg@ff.com" },
            ],
            "payload": message_payload(),
        }),
    )
    .await?;
    let activity = finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    let unfinished: Vec<&Value> = items(activity.data())
        .iter()
        .flat_map(|notification| items(&notification["jobs"]))
        .filter(|job| job["status"] != "completed")
        .collect();
    trial.holds(
        &activity,
        "every job of the transaction is completed",
        unfinished.is_empty(),
    )?;
    let (reply, email) = message_of(trial, &existing, "email").await?;
    trial.equal(
        &reply,
        "the email message's email",
        &email["email"],
        "new-test-email@gmail.com",
    )
}

async fn message_and_notification(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let (_, organization_id) = trial.environment().await?;
    let mut payload = message_payload();
    payload["attachments"] = json!([
        { "name": "text1.txt", "file": "hello world!" },
        { "name": "text2.txt", "file": { "type": "Buffer", "data": [104, 101, 108, 108, 111] } },
    ]);
    if let Some(payload) = payload.as_object_mut() {
        payload.remove("email");
    }
    trigger_and_wait(
        trial,
        &workflow,
        json!({ "subscriberId": subscriber_id }),
        payload,
    )
    .await?;
    let feed = activities(trial, &[("subscriberIds", &subscriber_id)], 1).await?;
    trial.equal(
        &feed,
        "the number of the subscriber's notifications",
        &json!(items(feed.data()).len()),
        1,
    )?;
    let notification = &feed.data()[0];
    trial.equal(
        &feed,
        "the notification's _organizationId",
        &notification["_organizationId"],
        organization_id,
    )?;
    trial.equal(
        &feed,
        "the notification's _templateId",
        &notification["_templateId"],
        workflow["_id"].clone(),
    )?;
    let in_app = messages_of(trial, &subscriber_id, "in_app", 1).await?;
    trial.equal(
        &in_app,
        "the number of in-app messages",
        &json!(items(in_app.data()).len()),
        1,
    )?;
    default_in_app_message(trial, &in_app, "urlVar")?;
    let emails = messages_of(trial, &subscriber_id, "email", 1).await?;
    trial.equal(
        &emails,
        "the number of email messages",
        &json!(items(emails.data()).len()),
        1,
    )?;
    trial.equal(
        &emails,
        "the email message's channel",
        &emails.data()[0]["channel"],
        "email",
    )
}

async fn unknown_workflow(trial: &Trial<'_>) -> Result<(), Stop> {
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let reply = trial
        .call(
            "events_trigger",
            &[],
            &[],
            Some(json!({
                "name": trial.name("non-existent-template-identifier"),
                "to": subscriber_id,
                "payload": { "myUser": { "lastName": "Test" } },
            })),
        )
        .await?;
    trial.status(&reply, 422)?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 422)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        "workflow_not_found",
    )?;
    trial.equal(
        &reply,
        "error",
        &reply.body["error"],
        "Unprocessable Entity",
    )
}

async fn empty_workflow(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = trial.workflow(json!([])).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let reply = trial
        .call(
            "events_trigger",
            &[],
            &[],
            Some(json!({
                "name": identifier(&workflow),
                "to": subscriber_id,
                "payload": { "myUser": { "lastName": "Test" } },
            })),
        )
        .await?;
    trial.status(&reply, 201)?;
    trial.equal(
        &reply,
        "data.status",
        &reply.data()["status"],
        "no_workflow_steps_defined",
    )?;
    trial.equal(
        &reply,
        "data.acknowledged",
        &reply.data()["acknowledged"],
        true,
    )
}
