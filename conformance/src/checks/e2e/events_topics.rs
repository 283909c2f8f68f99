//! Cases ported from Novu's `events/e2e/trigger-event-topic.e2e.ts`: triggers to topics (one
//! topic of two subscribers, or two topics with two more subscribers beside them), the actor
//! left out of a topic's fan-out, and a digest per key over a topic.
//!
//! The digest case waits 2 seconds where Novu's waits 5: the six triggers go out at once, well
//! inside either window, and the run stays fast.

use std::time::Duration;

use serde_json::{Value, json};

use super::session::{
    activities, default_in_app_message, default_template, finished, identifier, messages_of,
    session_subscriber, triggered,
};
use super::topics::{add_existing, topic};
use super::{Ported, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const TOPIC: &str = "events/e2e/trigger-event-topic.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        TOPIC,
        "should trigger an event successfully",
        "events_trigger",
        |t| Box::pin(trigger_successfully(t, Layout::OneTopic)),
    ),
    Ported::new(
        TOPIC,
        "should generate message and notification based on event",
        "events_trigger",
        |t| Box::pin(message_and_notification(t, Layout::OneTopic, false)),
    ),
    Ported::new(
        TOPIC,
        "should exclude actor from topic events trigger",
        "events_trigger",
        |t| Box::pin(exclude_actor(t)),
    ),
    Ported::new(
        TOPIC,
        "should only exclude actor from topic, should send event if actor explicitly included",
        "events_trigger",
        |t| Box::pin(message_and_notification(t, Layout::OneTopic, true)),
    ),
    Ported::new(
        TOPIC,
        "should trigger SMS notification",
        "events_trigger",
        |t| Box::pin(sms(t, Layout::OneTopic)),
    ),
    Ported::new(
        TOPIC,
        "should trigger an event successfully",
        "events_trigger",
        |t| Box::pin(trigger_successfully(t, Layout::TwoTopics)),
    ),
    Ported::new(
        TOPIC,
        "should generate message and notification based on event",
        "events_trigger",
        |t| Box::pin(message_and_notification(t, Layout::TwoTopics, false)),
    ),
    Ported::new(
        TOPIC,
        "should trigger SMS notification",
        "events_trigger",
        |t| Box::pin(sms(t, Layout::TwoTopics)),
    ),
    Ported::new(
        TOPIC,
        "should not contain events from a different digestKey ",
        "events_trigger",
        |t| Box::pin(digest_per_key(t)),
    )
    .waits(),
];

/// The recipients of a `describe` of Novu's file.
#[derive(Clone, Copy)]
enum Layout {
    /// One topic of two subscribers.
    OneTopic,
    /// Two topics of two subscribers each, a fifth subscriber by id and a sixth defined inline.
    TwoTopics,
}

/// What a layout made: every subscriber, the first topic's members, the first topic's key
/// and the trigger's `to`.
struct Recipients {
    subscribers: Vec<String>,
    first_topic_members: Vec<String>,
    first_topic: String,
    to: Vec<Value>,
}

/// A topic under the case's prefix with `members`.
async fn topic_of(trial: &Trial<'_>, label: &str, members: &[String]) -> Result<String, Stop> {
    let key = trial.name(&format!("topic-key-{label}-trigger-event"));
    topic(trial, &key, &format!("topic-name-{label}-trigger-event")).await?;
    add_existing(trial, &key, members).await?;
    Ok(key)
}

async fn recipients(trial: &Trial<'_>, layout: Layout) -> Result<Recipients, Stop> {
    let mut subscribers = Vec::new();
    for index in 0..2 {
        subscribers
            .push(session_subscriber(trial, &format!("subscriber-{index}"), json!({})).await?);
    }
    let first_topic = topic_of(trial, "1", &subscribers).await?;
    let mut to = vec![json!({ "type": "Topic", "topicKey": first_topic })];
    if let Layout::TwoTopics = layout {
        let mut second = Vec::new();
        for index in 2..5 {
            second
                .push(session_subscriber(trial, &format!("subscriber-{index}"), json!({})).await?);
        }
        let fifth = second.pop().unwrap_or_default();
        let second_topic = topic_of(trial, "2", &second).await?;
        let sixth = trial.name("subscriber-5");
        super::session::made_by_trigger(trial, &sixth);
        to.push(json!({ "type": "Topic", "topicKey": second_topic }));
        to.push(json!(fifth));
        to.push(json!({
            "subscriberId": sixth, "firstName": "Subscribers", "lastName": "Define",
            "email": "subscribers-define@email.novu",
        }));
        subscribers.extend(second);
        subscribers.push(fifth);
        subscribers.push(sixth);
    }
    Ok(Recipients {
        first_topic_members: subscribers[..2].to_vec(),
        subscribers,
        first_topic,
        to,
    })
}

/// Novu's trigger body for these tests.
fn trigger_body(workflow: &Value, to: &[Value], attachments: bool) -> Value {
    let mut payload =
        json!({ "firstName": "Testing of User Name", "urlVariable": "/test/url/path" });
    if attachments {
        payload["attachments"] = json!([
            { "name": "text1.txt", "file": "hello world!" },
            { "name": "text2.txt", "file": { "type": "Buffer", "data": [104, 101, 108, 108, 111] } },
        ]);
    }
    json!({ "name": identifier(workflow), "to": to, "payload": payload })
}

async fn trigger_successfully(trial: &Trial<'_>, layout: Layout) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let recipients = recipients(trial, layout).await?;
    let reply = trial
        .call(
            "events_trigger",
            &[],
            &[],
            Some(trigger_body(&workflow, &recipients.to, false)),
        )
        .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    trial.equal(&reply, "data.status", &reply.data()["status"], "processed")?;
    trial.equal(
        &reply,
        "data.acknowledged",
        &reply.data()["acknowledged"],
        true,
    )?;
    trial.holds(
        &reply,
        "data.transactionId exists",
        !reply.data()["transactionId"].is_null(),
    )
}

/// Each of `subscribers` got one notification of `workflow`, one in-app message and one
/// email rendered from Novu's payload.
async fn delivered_to_each(
    trial: &Trial<'_>,
    workflow: &Value,
    subscribers: &[String],
) -> Result<(), Stop> {
    let (_, organization_id) = trial.environment().await?;
    for subscriber_id in subscribers {
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
            workflow["_id"].clone(),
        )?;
        let in_app = messages_of(trial, subscriber_id, "in_app", 1).await?;
        trial.equal(
            &in_app,
            &format!("the number of {subscriber_id}'s in-app messages"),
            &json!(items(in_app.data()).len()),
            1,
        )?;
        default_in_app_message(trial, &in_app, "urlVariable")?;
        let emails = messages_of(trial, subscriber_id, "email", 1).await?;
        trial.equal(
            &emails,
            &format!("the number of {subscriber_id}'s emails"),
            &json!(items(emails.data()).len()),
            1,
        )?;
        let email = &emails.data()[0];
        trial.equal(&emails, "the email's channel", &email["channel"], "email")?;
        trial.equal(
            &emails,
            "the email's first block's type",
            &email["content"][0]["type"],
            "text",
        )?;
        trial.equal(
            &emails,
            "the email's first block's content",
            &email["content"][0]["content"],
            "This are the text contents of the template for Testing of User Name",
        )?;
    }
    Ok(())
}

/// Every recipient gets the event; with `actor_included`, the first member is the actor and
/// is named in `to` beside the topic, which brings it back in.
async fn message_and_notification(
    trial: &Trial<'_>,
    layout: Layout,
    actor_included: bool,
) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let recipients = recipients(trial, layout).await?;
    let mut to = recipients.to.clone();
    let mut body = trigger_body(&workflow, &to, !actor_included);
    if actor_included {
        let actor = recipients.subscribers[0].clone();
        to.push(json!(actor));
        body["to"] = json!(to);
        body["actor"] = json!({ "subscriberId": actor });
    }
    let data = triggered(trial, body).await?;
    finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    delivered_to_each(trial, &workflow, &recipients.subscribers).await
}

async fn exclude_actor(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let recipients = recipients(trial, Layout::OneTopic).await?;
    let actor = &recipients.subscribers[0];
    let second = &recipients.subscribers[1];
    let mut body = trigger_body(&workflow, &recipients.to, false);
    body["actor"] = json!({ "subscriberId": actor });
    let data = triggered(trial, body).await?;
    finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    for (subscriber_id, expected) in [(actor, 0), (second, 1)] {
        let feed = trial
            .call(
                "notifications_list",
                &[],
                &[("subscriberIds", subscriber_id)],
                None,
            )
            .await?;
        trial.equal(
            &feed,
            &format!("the number of {subscriber_id}'s notifications"),
            &json!(items(feed.data()).len()),
            expected,
        )?;
        for channel in ["in_app", "email"] {
            let listed = trial
                .call(
                    "messages_list",
                    &[],
                    &[("subscriberId", subscriber_id), ("channel", channel)],
                    None,
                )
                .await?;
            trial.equal(
                &listed,
                &format!("the number of {subscriber_id}'s {channel} messages"),
                &json!(items(listed.data()).len()),
                expected,
            )?;
        }
    }
    Ok(())
}

async fn sms(trial: &Trial<'_>, layout: Layout) -> Result<(), Stop> {
    super::session::channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([super::session::channel_step(
            "sms",
            "Hello world {{customVar}}"
        )]))
        .await?;
    let recipients = recipients(trial, layout).await?;
    let data = triggered(trial, trigger_body(&workflow, &recipients.to, false)).await?;
    finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    for subscriber_id in &recipients.subscribers {
        let subscriber = trial
            .setup(
                "the subscriber is readable",
                "subscribers_get",
                &[("subscriberId", subscriber_id)],
                None,
            )
            .await?;
        let listed = messages_of(trial, subscriber_id, "sms", 1).await?;
        let message = items(listed.data()).first().cloned().unwrap_or_default();
        trial.equal(
            &listed,
            &format!("the phone of {subscriber_id}'s SMS message"),
            &message["phone"],
            subscriber["phone"].clone(),
        )?;
    }
    Ok(())
}

async fn digest_per_key(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = trial
        .workflow(json!([
            {
                "name": "digest", "active": true,
                "template": { "type": "digest", "content": "" },
                "metadata": { "unit": "seconds", "amount": 2, "digestKey": "id", "type": "regular" },
            },
            {
                "name": "in-app", "active": true,
                "template": { "type": "in_app", "content": "{{#each step.events}}{{id}} {{/each}}" },
            },
        ]))
        .await?;
    let recipients = recipients(trial, Layout::TwoTopics).await?;
    let to = json!([{ "type": "Topic", "topicKey": recipients.first_topic }]);
    let sends = ["key-1", "key-1", "key-1", "key-2", "key-2", "key-2"].map(|key| {
        trial.call(
            "events_trigger",
            &[],
            &[],
            Some(json!({ "name": identifier(&workflow), "to": to, "payload": { "id": key } })),
        )
    });
    let mut transactions = Vec::new();
    for reply in futures_join(sends).await {
        let reply = reply?;
        trial.status(&reply, 201)?;
        transactions.push(
            reply.data()["transactionId"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for transaction in &transactions {
        finished(trial, transaction).await?;
    }
    for subscriber_id in &recipients.first_topic_members {
        let listed = messages_of(trial, subscriber_id, "in_app", 2).await?;
        let messages = items(listed.data());
        trial.equal(
            &listed,
            &format!("the number of {subscriber_id}'s in-app messages"),
            &json!(messages.len()),
            2,
        )?;
        for message in messages {
            let key = message["payload"]["id"].as_str().unwrap_or_default();
            trial.equal(
                &listed,
                &format!("the content of the digest of {key}"),
                &message["content"],
                format!("{key} {key} {key} "),
            )?;
        }
    }
    Ok(())
}

/// Awaits every future of `futures` at once, answering their outputs in order.
async fn futures_join<F: std::future::Future>(futures: [F; 6]) -> Vec<F::Output> {
    let [a, b, c, d, e, f] = futures;
    let (a, b, c, d, e, f) = tokio::join!(a, b, c, d, e, f);
    vec![a, b, c, d, e, f]
}
