//! What Novu's test session (`UserSession`) hands the delivery tests, made over the API: the
//! default two-step workflow of `session.createTemplate()`, the active email and SMS
//! integrations its organization starts with, and reading back the messages and notifications
//! a trigger delivered, waiting for them as Novu's `awaitRunningJobs` does.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

/// How long delivery may take: a server that queues work delivers after it answers.
pub(super) const DELIVERY: Duration = Duration::from_secs(10);

/// The in-app content of the default template.
pub(super) const IN_APP_CONTENT: &str = "Test content for <b>{{firstName}}</b>";

/// The in-app call to action of the default template.
pub(super) const CTA_URL: &str = "/cypress/test-shell/example/test?test-param=true";

/// The in-app step of the default template.
pub(super) fn in_app_step() -> Value {
    json!({
        "name": "in-app",
        "active": true,
        "template": {
            "type": "in_app",
            "content": IN_APP_CONTENT,
            "cta": { "type": "redirect", "data": { "url": CTA_URL } },
            "variables": [
                { "name": "firstName", "type": "String", "required": false, "defaultValue": "" },
            ],
        },
    })
}

/// The email step of the default template.
pub(super) fn email_step() -> Value {
    json!({
        "name": "email",
        "active": true,
        "template": {
            "type": "email",
            "subject": "Password reset",
            "content": [
                { "type": "text", "content": "This are the text contents of the template for {{firstName}}" },
                { "type": "button", "content": "SIGN UP", "url": "https://url-of-app.com/{{urlVariable}}" },
            ],
            "variables": [
                { "name": "firstName", "type": "String", "required": false, "defaultValue": "" },
            ],
        },
    })
}

/// A step of `channel` (`sms`, `chat`, `push`) with `content`, as `createChannelTemplate` and
/// `createTemplate({ steps })` make one.
pub(super) fn channel_step(channel: &str, content: &str) -> Value {
    json!({
        "name": channel,
        "active": true,
        "template": { "type": channel, "content": content },
    })
}

/// The default template of Novu's session, an in-app and an email step, with the email
/// integration that delivers it; answers the workflow.
pub(super) async fn default_template(trial: &Trial<'_>) -> Result<Value, Stop> {
    channel_integration(trial, "email").await?;
    trial.workflow(json!([in_app_step(), email_step()])).await
}

/// The trigger identifier of `workflow`.
pub(super) fn identifier(workflow: &Value) -> String {
    workflow["triggers"][0]["identifier"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The `_id` of `document`.
pub(super) fn id_of(document: &Value) -> String {
    document["_id"].as_str().unwrap_or_default().to_owned()
}

/// Makes sure the environment has an active integration of `channel` (`email` or `sms`), as
/// Novu's session starts with one of each: when none is active, one is created (and deleted
/// at the end). Answers the provider that delivers the channel (the primary integration's).
pub(super) async fn channel_integration(trial: &Trial<'_>, channel: &str) -> Result<String, Stop> {
    let listed = trial
        .setup(
            "the active integrations are listed",
            "integrations_list_active",
            &[],
            None,
        )
        .await?;
    let (environment, _) = trial.environment().await?;
    let active: Vec<&Value> = items(&listed)
        .iter()
        .filter(|integration| {
            integration["channel"] == channel
                && integration["active"] == true
                && integration["_environmentId"] == environment.as_str()
        })
        .collect();
    let delivering = active
        .iter()
        .find(|integration| integration["primary"] == true)
        .or(active.first());
    if let Some(integration) = delivering {
        return Ok(integration["providerId"]
            .as_str()
            .unwrap_or_default()
            .to_owned());
    }
    let (provider, credentials) = match channel {
        "sms" => (
            "twilio",
            json!({ "accountSid": "AC123", "token": "123", "from": "me" }),
        ),
        _ => (
            "sendgrid",
            json!({ "apiKey": "SG.123", "secretKey": "abc" }),
        ),
    };
    integration(trial, provider, channel, credentials).await?;
    Ok(provider.to_owned())
}

/// Creates an active integration of `provider` for `channel` with `credentials`, deleted at
/// the end; answers it.
pub(super) async fn integration(
    trial: &Trial<'_>,
    provider: &str,
    channel: &str,
    credentials: Value,
) -> Result<Value, Stop> {
    integration_with(trial, provider, channel, credentials, json!({})).await
}

/// As [`integration`], with the fields of `extra` (conditions, say) added.
pub(super) async fn integration_with(
    trial: &Trial<'_>,
    provider: &str,
    channel: &str,
    credentials: Value,
    extra: Value,
) -> Result<Value, Stop> {
    let name = trial.name(provider);
    let mut body = json!({
        "name": name, "identifier": name, "providerId": provider, "channel": channel,
        "credentials": credentials, "active": true, "check": false,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let created = trial
        .setup(
            &format!("an active {provider} integration is created"),
            "integrations_create",
            &[],
            Some(body),
        )
        .await?;
    trial.created(
        "integrations_delete",
        &[("integrationId", &id_of(&created))],
    );
    Ok(created)
}

/// Triggers `body` as a set-up step: anything but a 201 ends the case. Answers the `data`.
pub(super) async fn triggered(trial: &Trial<'_>, body: Value) -> Result<Value, Stop> {
    trial
        .setup("the event is triggered", "events_trigger", &[], Some(body))
        .await
}

/// Remembers that the subscriber `subscriber_id`, made by a trigger, is deleted at the end.
pub(super) fn made_by_trigger(trial: &Trial<'_>, subscriber_id: &str) {
    trial.created("subscribers_delete", &[("subscriberId", subscriber_id)]);
}

/// Creates the subscriber `subscriber_id` with `fields`, deleted at the end.
pub(super) async fn subscriber(
    trial: &Trial<'_>,
    subscriber_id: &str,
    fields: Value,
) -> Result<Value, Stop> {
    let mut body = json!({ "subscriberId": subscriber_id });
    if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
        body.extend(fields.clone());
    }
    let created = trial
        .setup(
            "the subscriber is created",
            "subscribers_create",
            &[],
            Some(body),
        )
        .await?;
    made_by_trigger(trial, subscriber_id);
    Ok(created)
}

/// A subscriber as Novu's `SubscribersService.createSubscriber` makes one (names, an email
/// and a phone), with the fields of `fields` over them; answers its `subscriberId`.
pub(super) async fn session_subscriber(
    trial: &Trial<'_>,
    label: &str,
    fields: Value,
) -> Result<String, Stop> {
    let id = trial.name(label);
    let mut body = json!({
        "firstName": "Test",
        "lastName": "Subscriber",
        "email": format!("{id}@example.com"),
        "phone": "+972523333333",
    });
    if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
        body.extend(fields.clone());
    }
    subscriber(trial, &id, body).await?;
    Ok(id)
}

/// The first message of `subscriber_id` on `channel`, once there is one; a case without one
/// by the deadline ends with a violation.
pub(super) async fn message_of(
    trial: &Trial<'_>,
    subscriber_id: &str,
    channel: &str,
) -> Result<(Reply, Value), Stop> {
    let reply = messages_of(trial, subscriber_id, channel, 1).await?;
    match items(reply.data()).first().cloned() {
        Some(message) => Ok((reply, message)),
        None => {
            let expected = format!("a {channel} message for {subscriber_id}");
            trial.fail(&reply, &expected, "none is listed")?;
            Err(Stop)
        }
    }
}

/// The messages listed for `query` once at least `count` are there (or the deadline passed).
pub(super) async fn messages(
    trial: &Trial<'_>,
    query: &[(&str, &str)],
    count: usize,
) -> Result<Reply, Stop> {
    let mut query = query.to_vec();
    query.push(("limit", "100"));
    trial
        .poll("messages_list", &[], &query, DELIVERY, |reply| {
            items(reply.data()).len() >= count
        })
        .await
}

/// The messages of `subscriber_id` on `channel` once at least `count` are there.
pub(super) async fn messages_of(
    trial: &Trial<'_>,
    subscriber_id: &str,
    channel: &str,
    count: usize,
) -> Result<Reply, Stop> {
    messages(
        trial,
        &[("subscriberId", subscriber_id), ("channel", channel)],
        count,
    )
    .await
}

/// The activity feed (`GET /v1/notifications`) for `query` once at least `count` items are
/// there.
pub(super) async fn activities(
    trial: &Trial<'_>,
    query: &[(&str, &str)],
    count: usize,
) -> Result<Reply, Stop> {
    trial
        .poll("notifications_list", &[], query, DELIVERY, |reply| {
            items(reply.data()).len() >= count
        })
        .await
}

/// Job states that end a job: nothing more happens to it (a merged job's events go with the
/// digest it joined).
const FINAL: &[&str] = &["completed", "failed", "canceled", "skipped", "merged"];

/// Waits until every job of the notifications of `transaction_id` has ended (or the deadline
/// passed), as Novu's `awaitRunningJobs` waits for its queue to drain; used before asserting
/// that something did not happen. Answers the last activity read.
pub(super) async fn finished(trial: &Trial<'_>, transaction_id: &str) -> Result<Reply, Stop> {
    trial
        .poll(
            "notifications_list",
            &[],
            &[("transactionId", transaction_id)],
            DELIVERY,
            |reply| {
                let notifications = items(reply.data());
                !notifications.is_empty()
                    && notifications.iter().all(|notification| {
                        items(&notification["jobs"]).iter().all(|job| {
                            job["status"]
                                .as_str()
                                .is_some_and(|status| FINAL.contains(&status))
                        })
                    })
            },
        )
        .await
}

/// A missing document's id: 24 hex digits no server made.
pub(super) fn missing_id(trial: &Trial<'_>) -> String {
    format!("{:0>24x}", trial.number_in_run())
}

/// Checks the one in-app message of the default template that `in_app` lists, as Novu's
/// delivery tests check it after a trigger whose payload has `firstName` "Testing of User
/// Name" and the URL "/test/url/path" under `url_variable`.
pub(super) fn default_in_app_message(
    trial: &Trial<'_>,
    in_app: &Reply,
    url_variable: &str,
) -> Result<(), Stop> {
    let message = &in_app.data()[0];
    let checks = [
        ("channel", &message["channel"], json!("in_app")),
        (
            "content",
            &message["content"],
            json!("Test content for <b>Testing of User Name</b>"),
        ),
        ("seen", &message["seen"], json!(false)),
        (
            "cta.data.url",
            &message["cta"]["data"]["url"],
            json!(CTA_URL),
        ),
        ("lastSeenDate", &message["lastSeenDate"], Value::Null),
        (
            "payload.firstName",
            &message["payload"]["firstName"],
            json!("Testing of User Name"),
        ),
        (
            &format!("payload.{url_variable}"),
            &message["payload"][url_variable],
            json!("/test/url/path"),
        ),
        (
            "payload.attachments",
            &message["payload"]["attachments"],
            Value::Null,
        ),
    ];
    for (field, actual, expected) in checks {
        trial.equal(
            in_app,
            &format!("the in-app message's {field}"),
            actual,
            expected,
        )?;
    }
    Ok(())
}
