//! Cases ported from Novu's `events/e2e/trigger-event.e2e.ts` about what a trigger delivers:
//! the rendered content of each channel (subscriber, actor and payload variables, defaults and
//! required variables), the integration that carries a message (the primary one, the one
//! whose tenant conditions match, or the one the trigger names), and a step filtered on
//! whether the previous one was read.
//!
//! Where Novu's harness flips an integration or a primary flag in its repository, the case does
//! it over the API and puts it back; the messages are read with `GET /v1/messages`.

use serde_json::{Value, json};

use super::session::{
    channel_integration, finished, id_of, identifier, integration_with, made_by_trigger,
    message_of, messages_of, session_subscriber, triggered,
};
use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const TRIGGER: &str = "events/e2e/trigger-event.e2e.ts";

/// The content of Novu's `createTemplate(session, channel)` helper.
const GREETING: &str = "Hello {{subscriber.lastName}}, Welcome to {{organizationName}}";

/// The ported cases of this file's delivery part.
pub const CASES: &[Ported] = &[
    Ported::new(
        TRIGGER,
        "should trigger SMS notification",
        "events_trigger",
        |t| Box::pin(sms_to_phone(t)),
    ),
    Ported::new(
        TRIGGER,
        "should trigger SMS notification for all subscribers",
        "events_trigger",
        |t| Box::pin(sms_to_every_recipient(t)),
    ),
    Ported::new(
        TRIGGER,
        "should trigger In-App notification with subscriber data",
        "events_trigger",
        |t| Box::pin(greeting(t, "in_app")),
    ),
    Ported::new(
        TRIGGER,
        "should trigger SMS notification with subscriber data",
        "events_trigger",
        |t| Box::pin(greeting(t, "sms")),
    ),
    Ported::new(
        TRIGGER,
        "should trigger E-Mail notification with subscriber data",
        "events_trigger",
        |t| Box::pin(email_with_subscriber_data(t)),
    ),
    Ported::new(
        TRIGGER,
        "should trigger E-Mail notification with actor data",
        "events_trigger",
        |t| Box::pin(email_with_actor_data(t)),
    ),
    Ported::new(
        TRIGGER,
        "should not trigger notification with subscriber data if integration is inactive",
        "events_trigger",
        |t| Box::pin(no_sms_without_sms_step(t)),
    ),
    Ported::new(
        TRIGGER,
        "should trigger message with active integration",
        "events_trigger",
        |t| Box::pin(primary_integration(t)),
    ),
    Ported::new(
        TRIGGER,
        "should fail to trigger with missing variables",
        "events_trigger",
        |t| Box::pin(missing_variables(t)),
    ),
    Ported::new(
        TRIGGER,
        "should fill trigger payload with default variables",
        "events_trigger",
        |t| Box::pin(default_variables(t)),
    ),
    Ported::new(
        TRIGGER,
        "should trigger with given required variables",
        "events_trigger",
        |t| Box::pin(required_variables(t)),
    ),
    Ported::new(
        TRIGGER,
        "should return correct status when using a non existing tenant",
        "events_trigger",
        |t| Box::pin(missing_tenant(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        TRIGGER,
        "should use conditions to select integration",
        "events_trigger",
        |t| Box::pin(tenant_conditions(t, Logic::And)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        TRIGGER,
        "should use or conditions to select integration",
        "events_trigger",
        |t| Box::pin(tenant_conditions(t, Logic::Or)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        TRIGGER,
        "should trigger message with override integration identifier",
        "events_trigger",
        |t| Box::pin(named_integration(t)),
    ),
];

/// The case of this part that delivers in-app only, through nothing of the environment's: it
/// may play beside the concurrent checks.
pub const IN_APP_CASES: &[Ported] = &[Ported::new(
    TRIGGER,
    "should filter in app seen/read step",
    "events_trigger",
    |t| Box::pin(unread_filter(t)),
)
.waits()];

/// A one-step workflow of `channel` with `content`, the integration that delivers it made
/// first (email and SMS).
async fn channel_workflow(trial: &Trial<'_>, channel: &str, content: &str) -> Result<Value, Stop> {
    if channel == "email" || channel == "sms" {
        channel_integration(trial, channel).await?;
    }
    trial
        .workflow(json!([super::session::channel_step(channel, content)]))
        .await
}

/// A one-step email workflow with `subject`, a text block `content` and `variables`.
async fn email_workflow(
    trial: &Trial<'_>,
    subject: &str,
    content: &str,
    variables: Value,
) -> Result<Value, Stop> {
    channel_integration(trial, "email").await?;
    trial
        .workflow(json!([{
            "name": "Message Name",
            "active": true,
            "template": {
                "type": "email",
                "subject": subject,
                "content": [{ "type": "text", "content": content }],
                "variables": variables,
            },
        }]))
        .await
}

/// Novu's `sendTrigger`: the workflow for a new subscriber named Smith, with Novu's payload
/// under `payload`, and `overrides`, `tenant` and `actor` when given. Waits until its jobs
/// have ended; answers the reply.
async fn send_trigger(
    trial: &Trial<'_>,
    workflow: &Value,
    subscriber_id: &str,
    payload: Value,
    extra: Value,
) -> Result<Reply, Stop> {
    made_by_trigger(trial, subscriber_id);
    let mut merged = json!({ "organizationName": "Umbrella Corp", "compiledVariable": "test-env" });
    if let (Some(merged), Some(payload)) = (merged.as_object_mut(), payload.as_object()) {
        merged.extend(payload.clone());
    }
    let mut body = json!({
        "name": identifier(workflow),
        "to": [{ "subscriberId": subscriber_id, "lastName": "Smith", "email": "test@email.novu" }],
        "payload": merged,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let reply = trial.call("events_trigger", &[], &[], Some(body)).await?;
    if let Some(transaction) = reply.data()["transactionId"].as_str() {
        finished(trial, transaction).await?;
    }
    Ok(reply)
}

async fn sms_to_phone(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = channel_workflow(trial, "sms", "Hello world {{customVar}}").await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    triggered(
        trial,
        json!({
            "name": identifier(&workflow),
            "to": [subscriber_id],
            "payload": { "customVar": "Testing of User Name" },
        }),
    )
    .await?;
    let subscriber = trial
        .setup(
            "the subscriber is readable",
            "subscribers_get",
            &[("subscriberId", &subscriber_id)],
            None,
        )
        .await?;
    let (reply, message) = message_of(trial, &subscriber_id, "sms").await?;
    trial.equal(
        &reply,
        "the SMS message's phone",
        &message["phone"],
        subscriber["phone"].clone(),
    )
}

async fn sms_to_every_recipient(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = channel_workflow(trial, "sms", "Welcome to {{organizationName}}").await?;
    let existing = session_subscriber(trial, "subscriber", json!({})).await?;
    let new = trial.name("new-subscriber");
    made_by_trigger(trial, &new);
    triggered(
        trial,
        json!({
            "name": identifier(&workflow),
            "to": [{ "subscriberId": existing }, { "subscriberId": new, "phone": "+972541111111" }],
            "payload": { "organizationName": "Testing of Organization Name" },
        }),
    )
    .await?;
    let (reply, message) = message_of(trial, &new, "sms").await?;
    trial.equal(
        &reply,
        "the new subscriber's SMS message's phone",
        &message["phone"],
        "+972541111111",
    )
}

/// Novu's `createTemplate(session, channel)` for a new subscriber: the content greets them by
/// their last name with the payload's organization.
async fn greeting(trial: &Trial<'_>, channel: &str) -> Result<(), Stop> {
    let workflow = channel_workflow(trial, channel, GREETING).await?;
    let subscriber_id = trial.name("subscriber");
    send_trigger(trial, &workflow, &subscriber_id, json!({}), json!({})).await?;
    let (reply, message) = message_of(trial, &subscriber_id, channel).await?;
    trial.equal(
        &reply,
        "the message's content",
        &message["content"],
        "Hello Smith, Welcome to Umbrella Corp",
    )
}

async fn email_with_subscriber_data(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow =
        email_workflow(trial, "Test email {{nested.subject}}", GREETING, json!([])).await?;
    let subscriber_id = trial.name("subscriber");
    send_trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "nested": { "subject": "a subject nested" } }),
        json!({}),
    )
    .await?;
    let (reply, message) = message_of(trial, &subscriber_id, "email").await?;
    trial.equal(
        &reply,
        "the email's first block's content",
        &message["content"][0]["content"],
        "Hello Smith, Welcome to Umbrella Corp",
    )?;
    trial.equal(
        &reply,
        "the email's subject",
        &message["subject"],
        "Test email a subject nested",
    )
}

async fn email_with_actor_data(trial: &Trial<'_>) -> Result<(), Stop> {
    let actor = session_subscriber(trial, "actor", json!({ "firstName": "Actor" })).await?;
    let workflow = email_workflow(
        trial,
        "Test email",
        "Hello {{actor.firstName}}, Welcome to {{organizationName}}",
        json!([]),
    )
    .await?;
    let subscriber_id = trial.name("subscriber");
    send_trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({}),
        json!({ "tenant": "", "actor": actor }),
    )
    .await?;
    let (reply, message) = message_of(trial, &subscriber_id, "email").await?;
    trial.equal(
        &reply,
        "the email's first block's content",
        &message["content"][0]["content"],
        "Hello Actor, Welcome to Umbrella Corp",
    )
}

/// Novu's test turns its Twilio integration off, then triggers an email workflow and finds no
/// SMS message; turning an integration of a shared environment off is left out, and the
/// assertion (no SMS message for the subscriber) is the same.
async fn no_sms_without_sms_step(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow =
        email_workflow(trial, "Test sms {{nested.subject}}", GREETING, json!([])).await?;
    let subscriber_id = trial.name("subscriber");
    send_trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "nested": { "subject": "a subject nested" } }),
        json!({}),
    )
    .await?;
    let reply = trial
        .call(
            "messages_list",
            &[],
            &[("subscriberId", &subscriber_id), ("channel", "sms")],
            None,
        )
        .await?;
    trial.equal(
        &reply,
        "the number of SMS messages",
        &json!(items(reply.data()).len()),
        0,
    )
}

/// Mailgun's credentials in Novu's tests.
fn mailgun_credentials() -> Value {
    json!({ "apiKey": "123", "secretKey": "abc" })
}

/// `subscriber_id` has `count` emails, the newest sent through `provider`.
async fn newest_email_through(
    trial: &Trial<'_>,
    subscriber_id: &str,
    count: usize,
    provider: &str,
) -> Result<(), Stop> {
    let (reply, emails) = emails_newest_first(trial, subscriber_id, count).await?;
    trial.equal(&reply, "the number of emails", &json!(emails.len()), count)?;
    trial.equal(
        &reply,
        "the newest email's providerId",
        &emails[0]["providerId"],
        provider,
    )
}

/// The email messages of `subscriber_id`, newest first, once there are `count`.
async fn emails_newest_first(
    trial: &Trial<'_>,
    subscriber_id: &str,
    count: usize,
) -> Result<(Reply, Vec<Value>), Stop> {
    let reply = messages_of(trial, subscriber_id, "email", count).await?;
    let mut emails = items(reply.data()).to_vec();
    emails.sort_by(|left, right| {
        let created =
            |message: &Value| message["createdAt"].as_str().unwrap_or_default().to_owned();
        created(right).cmp(&created(left))
    });
    Ok((reply, emails))
}

async fn primary_integration(trial: &Trial<'_>) -> Result<(), Stop> {
    let provider = channel_integration(trial, "email").await?;
    let workflow = email_workflow(trial, "Test email {{nested.subject}}", "", json!([])).await?;
    let subscriber_id = trial.name("subscriber");
    let payload = json!({ "nested": { "subject": "a subject nested" } });
    send_trigger(trial, &workflow, &subscriber_id, payload.clone(), json!({})).await?;
    newest_email_through(trial, &subscriber_id, 1, &provider).await?;
    // The environment's primary email integration gets its flag back at the end.
    let listed = trial
        .setup(
            "the integrations are listed",
            "integrations_list",
            &[],
            None,
        )
        .await?;
    let (environment, _) = trial.environment().await?;
    let primary = items(&listed).iter().find(|integration| {
        integration["channel"] == "email"
            && integration["primary"] == true
            && integration["_environmentId"] == environment.as_str()
    });
    if let Some(primary) = primary {
        trial.created_with(
            "integrations_set_primary",
            &[("integrationId", &id_of(primary))],
            Some(json!({})),
        );
    }
    let mailgun =
        integration_with(trial, "mailgun", "email", mailgun_credentials(), json!({})).await?;
    trial
        .setup(
            "the Mailgun integration is made primary",
            "integrations_set_primary",
            &[("integrationId", &id_of(&mailgun))],
            Some(json!({})),
        )
        .await?;
    send_trigger(trial, &workflow, &subscriber_id, payload, json!({})).await?;
    newest_email_through(trial, &subscriber_id, 2, "mailgun").await
}

/// An email triggered with `overrides.email.integrationIdentifier` naming a Mailgun integration
/// of the Production environment goes out through it, not the primary one. Novu's session
/// delivers email through SendGrid; here the first email's provider is the environment's
/// primary email integration's.
async fn named_integration(trial: &Trial<'_>) -> Result<(), Stop> {
    let provider = channel_integration(trial, "email").await?;
    let workflow = channel_workflow(trial, "email", GREETING).await?;
    let subscriber_id = trial.name("subscriber");
    send_trigger(trial, &workflow, &subscriber_id, json!({}), json!({})).await?;
    newest_email_through(trial, &subscriber_id, 1, &provider).await?;
    let production = super::integrations::production(trial).await?;
    let mailgun = integration_with(
        trial,
        "mailgun",
        "email",
        mailgun_credentials(),
        json!({ "_environmentId": production }),
    )
    .await?;
    let overrides = json!({ "email": { "integrationIdentifier": mailgun["identifier"] } });
    send_trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({}),
        json!({ "overrides": overrides }),
    )
    .await?;
    newest_email_through(trial, &subscriber_id, 2, "mailgun").await
}

/// The required variables of Novu's test.
fn required_user_variables() -> Value {
    json!([
        { "name": "myUser.lastName", "required": true, "type": "String" },
        { "name": "myUser.array", "required": true, "type": "Array" },
        { "name": "myUser.bool", "required": true, "type": "Boolean" },
    ])
}

async fn missing_variables(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = email_workflow(
        trial,
        "Test email {{nested.subject}}",
        "Hello {{myUser.lastName}}, Welcome to {{organizationName}}",
        required_user_variables(),
    )
    .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let wanted = "payload is missing required key(s) and type(s): myUser.lastName (Value), myUser.array (Array), myUser.bool (Boolean)";
    let send = |payload: Value| {
        trial.call(
            "events_trigger",
            &[],
            &[],
            Some(json!({ "name": identifier(&workflow), "to": subscriber_id, "payload": payload })),
        )
    };
    for payload in [
        json!({}),
        json!({ "myUser": { "lastName": true, "array": "John Doe", "bool": 0 } }),
    ] {
        let reply = send(payload).await?;
        trial.status(&reply, 400)?;
        trial.holds(
            &reply,
            &format!("the body includes `{wanted}`"),
            reply.body.to_string().contains(wanted),
        )?;
    }
    let reply = send(json!({ "myUser": { "lastName": "", "array": [], "bool": true } })).await?;
    trial.status(&reply, 201)
}

async fn default_variables(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = email_workflow(
        trial,
        "Test email {{nested.subject}}",
        "Hello {{myUser.lastName}}, Welcome to {{organizationName}}",
        json!([
            { "name": "myUser.lastName", "required": false, "type": "String", "defaultValue": "John Doe" },
            { "name": "organizationName", "required": false, "type": "String", "defaultValue": "Novu Corp" },
        ]),
    )
    .await?;
    let subscriber_id = trial.name("subscriber");
    made_by_trigger(trial, &subscriber_id);
    let reply = trial
        .call(
            "events_trigger",
            &[],
            &[],
            Some(json!({
                "name": identifier(&workflow),
                "to": subscriber_id,
                "payload": { "organizationName": "Umbrella Corp" },
            })),
        )
        .await?;
    trial.status(&reply, 201)?;
    // A subscriber made from an id alone has no address: Novu stores the email all the same,
    // marked with the error.
    let (reply, message) = message_of(trial, &subscriber_id, "email").await?;
    trial.equal(
        &reply,
        "the email's first block's content",
        &message["content"][0]["content"],
        "Hello John Doe, Welcome to Umbrella Corp",
    )
}

async fn required_variables(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = email_workflow(
        trial,
        "Test email {{nested.subject}}",
        "Hello {{myUser.lastName}}, Welcome to {{organizationName}}",
        json!([{ "name": "myUser.lastName", "required": true, "type": "String" }]),
    )
    .await?;
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
    trial.status(&reply, 201)
}

/// An integration whose condition matches a tenant no one created.
async fn missing_tenant(trial: &Trial<'_>) -> Result<(), Stop> {
    let tenant = trial.name("test1");
    integration_with(
        trial,
        "mailgun",
        "email",
        mailgun_credentials(),
        json!({ "conditions": [{ "children": [
            { "field": "identifier", "value": tenant, "operator": "EQUAL", "on": "tenant" },
        ] }] }),
    )
    .await?;
    let workflow = channel_workflow(trial, "email", GREETING).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let reply = send_trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({}),
        json!({ "tenant": tenant }),
    )
    .await?;
    trial.equal(
        &reply,
        "data.status",
        &reply.data()["status"],
        "no_tenant_found",
    )
}

/// How the conditions of the Mailgun integration combine.
#[derive(Clone, Copy)]
enum Logic {
    /// One condition, on one tenant.
    And,
    /// Either of two tenants.
    Or,
}

async fn tenant_conditions(trial: &Trial<'_>, logic: Logic) -> Result<(), Stop> {
    let tenants: Vec<String> = match logic {
        Logic::And => vec![trial.name("test")],
        Logic::Or => vec![trial.name("test3"), trial.name("test2")],
    };
    let children: Vec<Value> = tenants
        .iter()
        .map(|tenant| json!({ "field": "identifier", "value": tenant, "operator": "EQUAL", "on": "tenant" }))
        .collect();
    let condition = match logic {
        Logic::And => json!({ "children": children }),
        Logic::Or => json!({ "value": "OR", "children": children }),
    };
    integration_with(
        trial,
        "mailgun",
        "email",
        mailgun_credentials(),
        json!({ "conditions": [condition] }),
    )
    .await?;
    let workflow = channel_workflow(trial, "email", GREETING).await?;
    for tenant in &tenants {
        trial
            .sandbox
            .tenant(json!({ "identifier": tenant, "name": tenant }))
            .await?;
    }
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    for (sent, tenant) in tenants.iter().enumerate() {
        send_trigger(
            trial,
            &workflow,
            &subscriber_id,
            json!({}),
            json!({ "tenant": tenant }),
        )
        .await?;
        let (reply, emails) = emails_newest_first(trial, &subscriber_id, sent + 1).await?;
        let newest = emails.first().cloned().unwrap_or_default();
        trial.equal(
            &reply,
            &format!("the providerId of the email for tenant {tenant}"),
            &newest["providerId"],
            "mailgun",
        )?;
    }
    Ok(())
}

async fn unread_filter(trial: &Trial<'_>) -> Result<(), Stop> {
    let first_step = format!("{}-first", trial.prefix());
    let workflow = trial
        .workflow(json!([
            {
                "name": "first", "active": true, "uuid": first_step,
                "template": { "type": "in_app", "content": "Not Delayed {{customVar}}" },
            },
            {
                "name": "delay", "active": true,
                "template": { "type": "delay", "content": "" },
                "metadata": { "unit": "seconds", "amount": 2, "type": "regular" },
            },
            {
                "name": "second", "active": true,
                "template": { "type": "in_app", "content": "Hello world {{customVar}}" },
                "filters": [{
                    "isNegated": false, "type": "GROUP", "value": "AND",
                    "children": [{ "on": "previousStep", "stepType": "read", "step": first_step }],
                }],
            },
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let data = triggered(
        trial,
        json!({
            "name": identifier(&workflow),
            "to": [subscriber_id],
            "payload": { "customVar": "Testing of User Name" },
        }),
    )
    .await?;
    let transaction = data["transactionId"].as_str().unwrap_or_default();
    let waiting = trial
        .poll(
            "notifications_list",
            &[],
            &[("transactionId", transaction)],
            super::session::DELIVERY,
            |reply| delay_status(reply).is_some_and(|status| status != "pending"),
        )
        .await?;
    let status = delay_status(&waiting).unwrap_or_default();
    trial.holds(
        &waiting,
        &format!("the delay job is delayed (it is {status})"),
        status == "delayed",
    )?;
    let before = messages_of(trial, &subscriber_id, "in_app", 1).await?;
    trial.equal(
        &before,
        "the number of in-app messages during the delay",
        &json!(items(before.data()).len()),
        1,
    )?;
    finished(trial, transaction).await?;
    let after = messages_of(trial, &subscriber_id, "in_app", 1).await?;
    trial.equal(
        &after,
        "the number of in-app messages after the delay",
        &json!(items(after.data()).len()),
        1,
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
