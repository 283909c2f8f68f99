//! Cases ported from Novu's `events/e2e/bulk-trigger.e2e.ts` (one answer per event, in order,
//! errors per event, the 100-event limit) and `events/e2e/process-subscriber.e2e.ts` (only active
//! steps run, the recipient is updated, preferences and critical workflows).
//!
//! Novu's bulk test names its transactions `1111`, `2222` and `3333`; they are named under the
//! run's prefix here, as transaction ids are unique per environment. Where Novu's harness sets
//! a preference with the widget's subscriber token, the case uses the API key's preference
//! route; where it marks the workflow critical in its repository, the case updates the workflow.

use serde_json::{Value, json};

use super::session::{
    activities, channel_integration, channel_step, default_in_app_message, default_template,
    finished, id_of, identifier, messages, messages_of, session_subscriber, triggered,
};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const BULK: &str = "events/e2e/bulk-trigger.e2e.ts";
const PROCESS: &str = "events/e2e/process-subscriber.e2e.ts";

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(
        BULK,
        "should return the response array in correct order",
        "events_trigger_bulk",
        |t| Box::pin(bulk_in_order(t)),
    ),
    Ported::new(
        BULK,
        "should generate message and notification based on a bulk event",
        "events_trigger_bulk",
        |t| Box::pin(bulk_delivers(t)),
    ),
    Ported::new(
        BULK,
        "should throw an error when sending more than 100 events",
        "events_trigger_bulk",
        |t| Box::pin(bulk_too_many(t)),
    ),
    Ported::new(
        BULK,
        "should handle bulk if one of the events returns errors",
        "events_trigger_bulk",
        |t| Box::pin(bulk_with_an_error(t)),
    ),
    Ported::new(
        PROCESS,
        "should trigger only active steps",
        "events_trigger",
        |t| Box::pin(only_active_steps(t)),
    ),
    Ported::new(
        PROCESS,
        "should update a subscriber based on event",
        "events_trigger",
        |t| Box::pin(update_recipient(t)),
    ),
    Ported::new(
        PROCESS,
        "should send only email trigger second time based on the subscriber preference",
        "events_trigger",
        |t| Box::pin(preference_respected(t, false)),
    ),
    Ported::new(
        PROCESS,
        "should ignore subscriber preference and send all triggers for system critical template",
        "events_trigger",
        |t| Box::pin(preference_respected(t, true)),
    ),
];

/// Novu's payload for the bulk events.
fn bulk_payload() -> Value {
    json!({ "firstName": "Testing of User Name", "urlVariable": "/test/url/path" })
}

async fn bulk(trial: &Trial<'_>, events: Value) -> Result<Reply, Stop> {
    trial
        .call(
            "events_trigger_bulk",
            &[],
            &[],
            Some(json!({ "events": events })),
        )
        .await
}

async fn bulk_in_order(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let transactions: Vec<String> = ["1111", "2222", "3333"]
        .iter()
        .map(|label| trial.name(label))
        .collect();
    let events: Vec<Value> = transactions
        .iter()
        .map(|transaction| {
            json!({
                "transactionId": transaction, "name": identifier(&workflow),
                "to": subscriber_id, "payload": bulk_payload(),
            })
        })
        .collect();
    let reply = bulk(trial, json!(events)).await?;
    let answers = items(reply.data());
    trial.equal(&reply, "the number of answers", &json!(answers.len()), 3)?;
    for (index, transaction) in transactions.iter().enumerate() {
        let answer = &answers[index];
        trial.equal(
            &reply,
            &format!("data[{index}].status"),
            &answer["status"],
            "processed",
        )?;
        trial.equal(
            &reply,
            &format!("data[{index}].acknowledged"),
            &answer["acknowledged"],
            true,
        )?;
        trial.equal(
            &reply,
            &format!("data[{index}].transactionId"),
            &answer["transactionId"],
            transaction.as_str(),
        )?;
    }
    for transaction in &transactions {
        finished(trial, transaction).await?;
    }
    Ok(())
}

async fn bulk_delivers(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    channel_integration(trial, "sms").await?;
    let sms_workflow = trial
        .workflow(json!([channel_step("sms", "Hello {{firstName}}")]))
        .await?;
    let first = session_subscriber(trial, "subscriber", json!({})).await?;
    let second = session_subscriber(trial, "subscriber2", json!({})).await?;
    let reply = bulk(
        trial,
        json!([
            {
                "name": identifier(&workflow),
                "to": { "subscriberId": first },
                "payload": { "firstName": "Testing of User Name", "urlVar": "/test/url/path" },
            },
            {
                "name": identifier(&sms_workflow),
                "to": { "subscriberId": second },
                "payload": { "firstName": "This is a second template" },
            },
        ]),
    )
    .await?;
    for answer in items(reply.data()) {
        finished(trial, answer["transactionId"].as_str().unwrap_or_default()).await?;
    }
    let (_, organization_id) = trial.environment().await?;
    for (subscriber_id, template) in [(&first, &workflow), (&second, &sms_workflow)] {
        let feed = activities(trial, &[("subscriberIds", subscriber_id)], 1).await?;
        let notifications = items(feed.data());
        trial.equal(
            &feed,
            &format!("the number of {subscriber_id}'s notifications"),
            &json!(notifications.len()),
            1,
        )?;
        trial.equal(
            &feed,
            "the notification's _organizationId",
            &notifications[0]["_organizationId"],
            organization_id.as_str(),
        )?;
        trial.equal(
            &feed,
            "the notification's _templateId",
            &notifications[0]["_templateId"],
            template["_id"].clone(),
        )?;
    }
    let in_app = messages_of(trial, &first, "in_app", 1).await?;
    trial.equal(
        &in_app,
        "the number of in-app messages",
        &json!(items(in_app.data()).len()),
        1,
    )?;
    default_in_app_message(trial, &in_app, "urlVar")?;
    let emails = messages_of(trial, &first, "email", 1).await?;
    trial.equal(
        &emails,
        "the number of emails",
        &json!(items(emails.data()).len()),
        1,
    )?;
    trial.equal(
        &emails,
        "the email's channel",
        &emails.data()[0]["channel"],
        "email",
    )?;
    let no_sms = trial
        .call(
            "messages_list",
            &[],
            &[("subscriberId", &first), ("channel", "sms")],
            None,
        )
        .await?;
    trial.equal(
        &no_sms,
        "the number of the first subscriber's SMS messages",
        &json!(items(no_sms.data()).len()),
        0,
    )?;
    let sms = messages_of(trial, &second, "sms", 1).await?;
    trial.equal(
        &sms,
        "the number of the second subscriber's SMS messages",
        &json!(items(sms.data()).len()),
        1,
    )?;
    trial.equal(
        &sms,
        "the SMS message's content",
        &sms.data()[0]["content"],
        "Hello This is a second template",
    )
}

async fn bulk_too_many(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let event = json!({
        "transactionId": trial.name("2222"), "name": identifier(&workflow),
        "to": subscriber_id, "payload": bulk_payload(),
    });
    let reply = bulk(trial, json!(vec![event; 101])).await?;
    trial.status(&reply, 400)?;
    trial.equal(
        &reply,
        "message[0]",
        &reply.body["message"][0],
        "events must contain no more than 100 elements",
    )
}

async fn bulk_with_an_error(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let reply = bulk(
        trial,
        json!([
            {
                "transactionId": trial.name("1111"), "name": trial.name("non-existing-trigger"),
                "to": subscriber_id, "payload": bulk_payload(),
            },
            {
                "transactionId": trial.name("2222"), "name": identifier(&workflow),
                "to": subscriber_id, "payload": bulk_payload(),
            },
            { "transactionId": trial.name("1111"), "payload": bulk_payload() },
        ]),
    )
    .await?;
    let answers = items(reply.data());
    trial.equal(&reply, "the number of answers", &json!(answers.len()), 3)?;
    trial.equal(
        &reply,
        "data[0].error[0]",
        &answers[0]["error"][0],
        "workflow_not_found",
    )?;
    trial.equal(&reply, "data[0].status", &answers[0]["status"], "error")?;
    trial.equal(&reply, "data[1].status", &answers[1]["status"], "processed")?;
    finished(trial, &trial.name("2222")).await.map(drop)
}

async fn only_active_steps(trial: &Trial<'_>) -> Result<(), Stop> {
    let step = |active: bool| {
        json!({
            "name": "in-app", "active": active,
            "template": { "type": "in_app", "content": "Welcome to {{organizationName}}" },
        })
    };
    let workflow = trial
        .workflow(json!([step(true), step(true), step(false)]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let data = triggered(
        trial,
        json!({
            "name": identifier(&workflow),
            "to": [{ "subscriberId": subscriber_id, "phone": "+972541111111" }],
            "payload": { "organizationName": "Testing of Organization Name" },
        }),
    )
    .await?;
    finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    let listed = messages_of(trial, &subscriber_id, "in_app", 2).await?;
    trial.equal(
        &listed,
        "the number of in-app messages",
        &json!(items(listed.data()).len()),
        2,
    )
}

async fn update_recipient(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let fields = json!({
        "firstName": "New Test Name", "lastName": "New Last of name",
        "email": "newtest@email.novu", "locale": "en",
    });
    let mut to = fields.clone();
    to["subscriberId"] = json!(subscriber_id);
    let data = triggered(
        trial,
        json!({ "name": identifier(&workflow), "to": to, "payload": {} }),
    )
    .await?;
    finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    let reply = trial
        .call(
            "subscribers_get",
            &[("subscriberId", &subscriber_id)],
            &[],
            None,
        )
        .await?;
    for (field, value) in fields.as_object().into_iter().flatten() {
        trial.equal(
            &reply,
            &format!("data.{field}"),
            &reply.data()[field],
            value.clone(),
        )?;
    }
    Ok(())
}

/// Two steps deliver; with in-app turned off for the workflow the second trigger delivers the
/// email alone, unless the workflow is `critical`, which keeps every channel.
async fn preference_respected(trial: &Trial<'_>, critical: bool) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = trial.name("widget-subscriber");
    super::session::made_by_trigger(trial, &subscriber_id);
    let to = json!({
        "subscriberId": subscriber_id, "firstName": "New Test Name",
        "lastName": "New Last of name", "email": "newtest@email.novu",
    });
    let trigger = || async {
        let data = triggered(
            trial,
            json!({ "name": identifier(&workflow), "to": to, "payload": {} }),
        )
        .await?;
        finished(trial, data["transactionId"].as_str().unwrap_or_default()).await
    };
    trigger().await?;
    let first = messages(trial, &[("subscriberId", &subscriber_id)], 2).await?;
    trial.equal(
        &first,
        "the number of messages after the first trigger",
        &json!(items(first.data()).len()),
        2,
    )?;
    let workflow_id = id_of(&workflow);
    trial
        .setup(
            "the subscriber turns in-app off for the workflow",
            "subscriber_preferences_update",
            &[
                ("subscriberId", &subscriber_id),
                ("parameter", &workflow_id),
            ],
            Some(json!({ "channel": { "type": "in_app", "enabled": false } })),
        )
        .await?;
    if critical {
        trial
            .setup(
                "the workflow is made critical",
                "workflows_update",
                &[("workflowId", &workflow_id)],
                Some(json!({ "critical": true })),
            )
            .await?;
    }
    trigger().await?;
    let expected = if critical { 4 } else { 3 };
    let second = messages(trial, &[("subscriberId", &subscriber_id)], expected).await?;
    trial.equal(
        &second,
        "the number of messages after the second trigger",
        &json!(items(second.data()).len()),
        expected,
    )
}
