//! Cases ported from the `filters logic` part of Novu's `events/e2e/trigger-event.e2e.ts`: a
//! step filter's value may name variables (`{{payload.var}}`, `{{actor.firstName}}`) beside
//! plain text, and a filter may read the tenant's data; a digest step's filters decide whether
//! the event waits in the digest or goes on at once, undigested.
//!
//! Novu counts the workflow's messages; the case's subscriber is the workflow's only
//! recipient, so its messages are counted here.

use serde_json::{Value, json};

use super::session::{
    channel_integration, finished, identifier, messages, session_subscriber, triggered,
};
use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const TRIGGER: &str = "events/e2e/trigger-event.e2e.ts";

/// The ported cases of this part.
pub const CASES: &[Ported] = &[
    Ported::new(TRIGGER, "should filter delay step", "events_trigger", |t| {
        Box::pin(delay_filter(t, true, None))
    }),
    Ported::new(
        TRIGGER,
        "should filter a delay that is the first step in the workflow",
        "events_trigger",
        |t| Box::pin(delay_filter(t, false, None)),
    ),
    Ported::new(
        TRIGGER,
        "should not filter delay step",
        "events_trigger",
        |t| Box::pin(delay_filter(t, true, Some(false))),
    ),
    Ported::new(
        TRIGGER,
        "should filter digest step",
        "events_trigger",
        |t| {
            Box::pin(digests_between_emails(
                t,
                vec![filtered_digest(exclude_is_defined())],
                json!({ "customVar": "Testing of User Name" }),
                1,
            ))
        },
    )
    .waits(),
    Ported::new(
        TRIGGER,
        "should filter multiple digest steps",
        "events_trigger",
        |t| {
            Box::pin(digests_between_emails(
                t,
                ["1", "2", "3"]
                    .map(|kind| filtered_digest(digest_type_is(kind)))
                    .to_vec(),
                json!({ "customVar": "Testing of User Name", "digest_type": "2" }),
                2,
            ))
        },
    )
    .waits(),
    Ported::new(
        TRIGGER,
        "should not filter digest step",
        "events_trigger",
        |t| {
            Box::pin(digests_between_emails(
                t,
                vec![filtered_digest(exclude_is_defined())],
                json!({ "customVar": "Testing of User Name", "exclude": false }),
                0,
            ))
        },
    )
    .waits(),
    Ported::new(
        TRIGGER,
        "should digest events with filters",
        "events_trigger",
        |t| {
            Box::pin(digest_then_sms(
                t,
                [json!({ "exclude": false }), json!({ "exclude": false })],
                &["total digested: 2"],
                0,
            ))
        },
    )
    .waits(),
    Ported::new(
        TRIGGER,
        "should not aggregate a filtered digest into a non filtered digest",
        "events_trigger",
        |t| {
            Box::pin(digest_then_sms(
                t,
                [json!({ "exclude": false }), json!({})],
                &["total digested: 1", "total digested: 0"],
                1,
            ))
        },
    )
    .waits(),
    Ported::new(
        TRIGGER,
        "should not filter a message with correct payload",
        "events_trigger",
        |t| Box::pin(plain_value(t)),
    ),
    Ported::new(
        TRIGGER,
        "should choose variant by tenant data",
        "events_trigger",
        |t| Box::pin(variant_by_tenant(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        TRIGGER,
        "should filter a message with variables",
        "events_trigger",
        |t| Box::pin(variables_in_value(t)),
    ),
    Ported::new(
        TRIGGER,
        "should filter a message with value that includes variables and strings",
        "events_trigger",
        |t| Box::pin(variables_and_text_in_value(t)),
    ),
    Ported::new(
        TRIGGER,
        "should filter by tenant variables data",
        "events_trigger",
        |t| Box::pin(tenant_data(t)),
    )
    .needs(Feature::Tenants),
];

/// An email step with one filter group of `children`.
fn filtered_email(children: Value) -> Value {
    json!({
        "name": "email", "active": true,
        "template": {
            "type": "email", "subject": "Password reset",
            "content": [{ "type": "text", "content": "This are the text contents of the template for {{firstName}}" }],
        },
        "filters": [{ "isNegated": false, "type": "GROUP", "value": "AND", "children": children }],
    })
}

/// Triggers `body` and waits until its jobs have ended; then the case's subscriber has
/// `expected` messages.
async fn delivers(
    trial: &Trial<'_>,
    body: Value,
    subscriber_id: &str,
    expected: usize,
) -> Result<(), Stop> {
    let data = triggered(trial, body).await?;
    finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    let listed = messages(trial, &[("subscriberId", subscriber_id)], expected).await?;
    trial.equal(
        &listed,
        "the number of the workflow's messages",
        &json!(items(listed.data()).len()),
        expected,
    )
}

/// The detail Novu records for a step its filters skip.
const FILTERED: &str = "Step was filtered based on steps filters";

/// The email step around Novu's delay and digest filter tests' waits.
fn sample_email() -> Value {
    json!({
        "name": "Message Name", "active": true,
        "template": {
            "type": "email", "subject": "Test email subject",
            "content": [{ "type": "text", "content": "This is a sample text block" }],
        },
    })
}

/// The condition that the payload's `exclude` is defined.
fn exclude_is_defined() -> Value {
    json!([{ "on": "payload", "operator": "IS_DEFINED", "field": "exclude", "value": "" }])
}

/// The condition that the payload's `digest_type` equals `kind`.
fn digest_type_is(kind: &str) -> Value {
    json!([{ "field": "digest_type", "value": kind, "operator": "EQUAL", "on": "payload" }])
}

/// A 2-second regular digest with one filter group of `children`.
fn filtered_digest(children: Value) -> Value {
    json!({
        "name": "digest", "active": true,
        "template": { "type": "digest", "content": "" },
        "metadata": { "unit": "seconds", "amount": 2, "type": "regular" },
        "filters": [{ "isNegated": false, "type": "GROUP", "value": "AND", "children": children }],
    })
}

/// How many steps of type `kind` the notifications of `activity` record as filtered out.
fn filtered_steps(activity: &Reply, kind: &str) -> usize {
    items(activity.data())
        .iter()
        .flat_map(|notification| items(&notification["jobs"]))
        .filter(|job| job["type"] == kind)
        .flat_map(|job| items(&job["executionDetails"]))
        .filter(|detail| detail["detail"] == FILTERED)
        .count()
}

/// A 2-second delay filtered on the payload's `exclude` being defined, after an email when
/// `email_first`, before an email; the trigger's payload carries `exclude` when given. The
/// emails sent and the delay's filtered detail are counted as Novu counts them.
async fn delay_filter(
    trial: &Trial<'_>,
    email_first: bool,
    exclude: Option<bool>,
) -> Result<(), Stop> {
    channel_integration(trial, "email").await?;
    let delay = json!({
        "name": "delay", "active": true,
        "template": { "type": "delay", "content": "" },
        "metadata": { "unit": "seconds", "amount": 2, "type": "regular" },
        "filters": [{ "isNegated": false, "type": "GROUP", "value": "AND", "children": exclude_is_defined() }],
    });
    let steps = if email_first {
        json!([sample_email(), delay, sample_email()])
    } else {
        json!([delay, sample_email()])
    };
    let workflow = trial.workflow(steps).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let mut payload = json!({ "customVar": "Testing of User Name" });
    if let Some(exclude) = exclude {
        payload["exclude"] = json!(exclude);
    }
    let data = triggered(
        trial,
        json!({ "name": identifier(&workflow), "to": [subscriber_id], "payload": payload }),
    )
    .await?;
    let activity = finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    let emails = usize::from(email_first) + 1;
    emails_sent(trial, &subscriber_id, emails).await?;
    trial.equal(
        &activity,
        "the number of the delay's filtered details",
        &json!(filtered_steps(&activity, "delay")),
        usize::from(exclude.is_none()),
    )
}

/// The subscriber `subscriber_id` has `expected` emails.
async fn emails_sent(trial: &Trial<'_>, subscriber_id: &str, expected: usize) -> Result<(), Stop> {
    let listed = messages(
        trial,
        &[("subscriberId", subscriber_id), ("channel", "email")],
        expected,
    )
    .await?;
    trial.equal(
        &listed,
        "the number of emails",
        &json!(items(listed.data()).len()),
        expected,
    )
}

/// An email, the filtered `digests`, an email, triggered once with `payload`: both emails are
/// sent once the digests that pass have waited their window, and `filtered` digests record
/// that their filters skipped them.
async fn digests_between_emails(
    trial: &Trial<'_>,
    digests: Vec<Value>,
    payload: Value,
    filtered: usize,
) -> Result<(), Stop> {
    channel_integration(trial, "email").await?;
    let mut steps = vec![sample_email()];
    steps.extend(digests);
    steps.push(sample_email());
    let workflow = trial.workflow(Value::Array(steps)).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let data = triggered(
        trial,
        json!({ "name": identifier(&workflow), "to": [subscriber_id], "payload": payload }),
    )
    .await?;
    let activity = finished(trial, data["transactionId"].as_str().unwrap_or_default()).await?;
    emails_sent(trial, &subscriber_id, 2).await?;
    trial.equal(
        &activity,
        "the number of the digests' filtered details",
        &json!(filtered_steps(&activity, "digest")),
        filtered,
    )
}

/// A 2-second digest filtered on the payload's `exclude` being defined, before an SMS of the
/// number of digested events; triggered with each of `payloads`. The SMS messages are those
/// of `contents` (each message includes one of them; Novu lists them in the order they were
/// stored, which the message list does not promise), and `filtered` digests record that their
/// filters skipped them.
async fn digest_then_sms(
    trial: &Trial<'_>,
    payloads: [Value; 2],
    contents: &[&str],
    filtered: usize,
) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([
            filtered_digest(exclude_is_defined()),
            { "name": "sms", "active": true,
              "template": { "type": "sms", "content": "total digested: {{step.total_count}}" } },
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let mut transactions = Vec::new();
    for payload in payloads {
        let data = triggered(
            trial,
            json!({ "name": identifier(&workflow), "to": [subscriber_id], "payload": payload }),
        )
        .await?;
        transactions.push(
            data["transactionId"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let mut skipped = 0;
    for transaction in &transactions {
        skipped += filtered_steps(&finished(trial, transaction).await?, "digest");
    }
    let listed = messages(
        trial,
        &[("subscriberId", &subscriber_id), ("channel", "sms")],
        contents.len(),
    )
    .await?;
    trial.equal(
        &listed,
        "the number of SMS messages",
        &json!(items(listed.data()).len()),
        contents.len(),
    )?;
    let mut sent: Vec<String> = items(listed.data())
        .iter()
        .map(|message| message["content"].as_str().unwrap_or_default().to_owned())
        .collect();
    for expected in contents {
        let Some(found) = sent.iter().position(|content| content.contains(expected)) else {
            return trial.fail(
                &listed,
                &format!("an SMS message includes {expected:?}"),
                &format!("the messages are {sent:?}"),
            );
        };
        sent.remove(found);
    }
    trial.equal(
        &listed,
        "the number of the digest's filtered details",
        &json!(skipped),
        filtered,
    )
}

async fn plain_value(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "email").await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let workflow = trial
        .workflow(json!([
            filtered_email(json!([
                { "field": "run", "value": "true", "operator": "EQUAL", "on": "payload" },
            ])),
            filtered_email(json!([
                { "field": "subscriberId", "value": subscriber_id, "operator": "NOT_EQUAL", "on": "subscriber" },
            ])),
        ]))
        .await?;
    delivers(
        trial,
        json!({
            "name": identifier(&workflow), "to": subscriber_id,
            "payload": { "firstName": "Testing of User Name", "urlVariable": "/test/url/path", "run": true },
        }),
        &subscriber_id,
        1,
    )
    .await
}

/// An email variant whose filter needs the tenant's `name` to be `tenant_name`.
fn tenant_variant(label: &str, tenant_name: &str) -> Value {
    json!({
        "name": format!("{label} Variant Message Template"), "active": true,
        "template": {
            "type": "email", "subject": format!("{label} Variant subject"),
            "preheader": format!("{label} Variant pre header"),
            "content": [{ "type": "text", "content": format!("This is a sample of {label} Variant text block") }],
        },
        "filters": [{
            "isNegated": false, "type": "GROUP", "value": "AND",
            "children": [{ "on": "tenant", "field": "name", "value": tenant_name, "operator": "EQUAL" }],
        }],
    })
}

async fn variant_by_tenant(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "email").await?;
    let tenant = trial.name("one_123");
    trial
        .sandbox
        .tenant(json!({
            "identifier": tenant, "name": "The one and only tenant",
            "data": { "value1": "Best fighter", "value2": "Ever" },
        }))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let workflow = trial
        .workflow(json!([{
            "name": "Root Message Name", "active": true, "filters": [],
            "template": {
                "type": "email", "subject": "Root Test email subject", "preheader": "Root Test email preheader",
                "content": [{ "type": "text", "content": "Root This is a sample text block" }],
            },
            "variants": [tenant_variant("Bad", "Titans"), tenant_variant("Better", "The one and only tenant")],
        }]))
        .await?;
    delivers(
        trial,
        json!({
            "name": identifier(&workflow), "to": subscriber_id,
            "payload": {}, "tenant": { "identifier": tenant },
        }),
        &subscriber_id,
        1,
    )
    .await?;
    let listed = super::session::messages_of(trial, &subscriber_id, "email", 1).await?;
    trial.equal(
        &listed,
        "the email's subject",
        &listed.data()[0]["subject"],
        "Better Variant subject",
    )
}

async fn variables_in_value(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "email").await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let workflow = trial
        .workflow(json!([
            filtered_email(json!([
                { "field": "run", "value": "{{payload.var}}", "operator": "EQUAL", "on": "payload" },
            ])),
            filtered_email(json!([
                { "field": "subscriberId", "value": subscriber_id, "operator": "NOT_EQUAL", "on": "subscriber" },
            ])),
        ]))
        .await?;
    delivers(
        trial,
        json!({
            "name": identifier(&workflow), "to": subscriber_id,
            "payload": {
                "firstName": "Testing of User Name", "urlVariable": "/test/url/path",
                "run": true, "var": true,
            },
        }),
        &subscriber_id,
        1,
    )
    .await
}

async fn variables_and_text_in_value(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "email").await?;
    let actor = session_subscriber(trial, "actor", json!({ "firstName": "Actor" })).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let workflow = trial
        .workflow(json!([filtered_email(json!([
            { "field": "name", "value": "Test {{actor.firstName}}", "operator": "EQUAL", "on": "payload" },
        ]))]))
        .await?;
    delivers(
        trial,
        json!({
            "name": identifier(&workflow), "to": subscriber_id, "actor": actor,
            "payload": {
                "firstName": "Testing of User Name", "urlVariable": "/test/url/path",
                "name": "Test Actor",
            },
        }),
        &subscriber_id,
        1,
    )
    .await
}

/// The tenant's `data.count` (4) must be larger than the payload's `count`: 5 sends nothing,
/// 1 sends the email.
async fn tenant_data(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "email").await?;
    let identifier_of_tenant = trial.name("one_123");
    trial
        .sandbox
        .tenant(json!({
            "identifier": identifier_of_tenant, "name": "The one and only tenant",
            "data": { "value1": "Best fighter", "value2": "Ever", "count": 4 },
        }))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let workflow = trial
        .workflow(json!([{
            "name": "Message Name", "active": true,
            "template": {
                "type": "email", "subject": "Test email subject", "preheader": "Test email preheader",
                "content": [{ "type": "text", "content": "This is a sample text block" }],
            },
            "filters": [{
                "isNegated": false, "type": "GROUP", "value": "AND",
                "children": [{ "on": "tenant", "field": "data.count", "value": "{{payload.count}}", "operator": "LARGER" }],
            }],
        }]))
        .await?;
    for (count, expected) in [(5, 0), (1, 1)] {
        delivers(
            trial,
            json!({
                "name": identifier(&workflow), "to": subscriber_id,
                "payload": { "count": count }, "tenant": { "identifier": identifier_of_tenant },
            }),
            &subscriber_id,
            expected,
        )
        .await?;
    }
    Ok(())
}
