//! Cases ported from Novu's `integrations/e2e/update-integration.e2e.ts`: what an update
//! changes (credentials, conditions, identifier, name, environment), and how turning an
//! integration on or off moves the primary flag and the priorities of its channel.
//!
//! Novu's harness writes integrations with any `primary` and `priority` straight into its
//! repository after emptying the environment's; here the case turns the environment's active
//! integrations of the channel off for its duration ([`quiet_channel`]) and builds the same
//! order through the API: the first active integration becomes the primary one, each further
//! one ranks right below it, and conditions on an integration take its primary flag away. An
//! integration of Novu's own email provider is created or borrowed ([`novu_email_primary`])
//! where the server holds that provider's credentials.

use serde_json::{Value, json};

use super::integration_create::{bad_request, tenant_condition};
use super::integrations::{
    listed, made, novu_email_primary, placed, production, quiet_channel, ranked, sendgrid, text,
};
use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const UPDATE: &str = "integrations/e2e/update-integration.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        UPDATE,
        "should throw not found exception when integration is not found",
        "integrations_update",
        |t| Box::pin(missing(t)),
    ),
    Ported::new(
        UPDATE,
        "should update newly created integration",
        "integrations_update",
        |t| Box::pin(new_credentials(t)),
    ),
    Ported::new(
        UPDATE,
        "should update conditions on integration",
        "integrations_update",
        |t| Box::pin(conditions(t)),
    ),
    Ported::new(
        UPDATE,
        "should return error with malformed conditions",
        "integrations_update",
        |t| Box::pin(malformed_conditions(t)),
    ),
    Ported::new(
        UPDATE,
        "should not allow to update the integration with same identifier",
        "integrations_update",
        |t| Box::pin(taken_identifier(t)),
    ),
    Ported::new(
        UPDATE,
        "should allow updating the integration with just identifier",
        "integrations_update",
        |t| Box::pin(just(t, "identifier")),
    ),
    Ported::new(
        UPDATE,
        "should allow updating the integration with just name",
        "integrations_update",
        |t| Box::pin(just(t, "name")),
    ),
    Ported::new(
        UPDATE,
        "should allow updating the integration with just environment",
        "integrations_update",
        |t| Box::pin(just(t, "_environmentId")),
    ),
    Ported::new(
        UPDATE,
        "should update custom SMTP integration with TLS options successfully",
        "integrations_update",
        |t| Box::pin(custom_smtp(t)),
    ),
    Ported::new(
        UPDATE,
        "should not calculate primary and priority if active is not defined",
        "integrations_update",
        |t| {
            Box::pin(inactive_stays(
                t,
                json!({ "name": "SendGrid Email", "check": false }),
            ))
        },
    ),
    Ported::new(
        UPDATE,
        "should not calculate primary and priority if active not changed",
        "integrations_update",
        |t| {
            Box::pin(inactive_stays(
                t,
                json!({ "active": false, "check": false }),
            ))
        },
    ),
    Ported::new(
        UPDATE,
        "should not calculate primary and priority fields for in-app channel",
        "integrations_update",
        |t| Box::pin(in_app_activated(t)),
    ),
    Ported::new(
        UPDATE,
        "should not calculate primary and priority fields for push channel",
        "integrations_update",
        |t| Box::pin(activated_unranked(t, "fcm", "push")),
    ),
    Ported::new(
        UPDATE,
        "should not calculate primary and priority fields for chat channel",
        "integrations_update",
        |t| Box::pin(activated_unranked(t, "slack", "chat")),
    ),
    Ported::new(
        UPDATE,
        "should not set the primary if there are no other active integrations",
        "integrations_update",
        |t| Box::pin(activated_alone(t)),
    ),
    Ported::new(
        UPDATE,
        "should calculate the highest priority but not set primary if there is another active integration",
        "integrations_update",
        |t| Box::pin(above_non_primary(t)),
    ),
    Ported::new(
        UPDATE,
        "should calculate the priority but not higher than the primary integration",
        "integrations_update",
        |t| Box::pin(below_primary(t)),
    ),
    Ported::new(
        UPDATE,
        "should recalculate the priority when integration is deactivated",
        "integrations_update",
        |t| Box::pin(deactivated(t, false)),
    ),
    Ported::new(
        UPDATE,
        "should recalculate the priority when the primary integration is deactivated",
        "integrations_update",
        |t| Box::pin(deactivated(t, true)),
    ),
    Ported::new(
        UPDATE,
        "should not set the primary if there is only Novu active integration",
        "integrations_update",
        |t| Box::pin(activated_below_novu(t, true)),
    )
    .needs(Feature::NovuProviders(&["email"])),
    Ported::new(
        UPDATE,
        "should not disable the novu integration and clear the primary flag if the integration is updated",
        "integrations_update",
        |t| Box::pin(activated_below_novu(t, false)),
    )
    .needs(Feature::NovuProviders(&["email"])),
];

/// Sends `body` as the update of integration `id`.
pub(super) async fn update(trial: &Trial<'_>, id: &str, body: Value) -> Result<Reply, Stop> {
    trial
        .call(
            "integrations_update",
            &[("integrationId", id)],
            &[],
            Some(body),
        )
        .await
}

/// The update of `id` with `body` answers 200; answers the reply.
async fn updated(trial: &Trial<'_>, id: &str, body: Value) -> Result<Reply, Stop> {
    let reply = update(trial, id, body).await?;
    trial.status(&reply, 200)?;
    Ok(reply)
}

/// Integration `id` as listed now (`null` when it is not).
async fn listed_one(trial: &Trial<'_>, id: &str) -> Result<(Reply, Value), Stop> {
    let reply = listed(trial).await?;
    let found = items(reply.data())
        .iter()
        .find(|integration| integration["_id"] == json!(id))
        .cloned()
        .unwrap_or(Value::Null);
    Ok((reply, found))
}

/// An id no integration has.
pub(super) fn missing_id(trial: &Trial<'_>) -> String {
    format!("{:0>24x}", trial.number_in_run())
}

async fn missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = missing_id(trial);
    let body = json!({ "providerId": "sendgrid", "channel": "email",
        "credentials": { "apiKey": "new_key", "secretKey": "new_secret" }, "active": true, "check": false });
    let reply = update(trial, &id, body).await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 404)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Entity with id {id} not found"),
    )
}

async fn new_credentials(trial: &Trial<'_>) -> Result<(), Stop> {
    let body = json!({ "providerId": "sendgrid", "channel": "email",
        "credentials": { "apiKey": "SG.123", "secretKey": "abc" }, "active": true });
    let id = text(&made(trial, "sendgrid", body).await?["_id"]);
    let credentials = json!({ "apiKey": "new_key", "secretKey": "new_secret" });
    let body = json!({ "providerId": "sendgrid", "channel": "email", "credentials": credentials,
        "active": true, "check": false });
    update(trial, &id, body).await?;
    let (reply, integration) = listed_one(trial, &id).await?;
    trial.equal(
        &reply,
        "integration.credentials.apiKey",
        &integration["credentials"]["apiKey"],
        "new_key",
    )?;
    trial.equal(
        &reply,
        "integration.credentials.secretKey",
        &integration["credentials"]["secretKey"],
        "new_secret",
    )
}

/// The environment's primary email integration, made by the case: its `_id`, once its
/// conditions are read empty.
async fn primary_without_conditions(trial: &Trial<'_>) -> Result<String, Stop> {
    let (environment, _) = trial.environment().await?;
    quiet_channel(trial, &environment, "email").await?;
    let id = sendgrid(trial, "primary", true).await?;
    let (reply, integration) = listed_one(trial, &id).await?;
    trial.equal(&reply, "integration.primary", &integration["primary"], true)?;
    trial.equal(
        &reply,
        "integration.conditions length",
        &json!(items(&integration["conditions"]).len()),
        0,
    )?;
    Ok(id)
}

fn conditions_update(conditions: Value) -> Value {
    json!({ "providerId": "sendgrid", "channel": "email",
        "credentials": { "apiKey": "SG.123", "secretKey": "abc" }, "active": true, "check": false,
        "conditions": conditions })
}

async fn conditions(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = primary_without_conditions(trial).await?;
    update(trial, &id, conditions_update(tenant_condition())).await?;
    let (reply, integration) = listed_one(trial, &id).await?;
    let conditions = &integration["conditions"];
    trial.equal(
        &reply,
        "integration.conditions length",
        &json!(items(conditions).len()),
        1,
    )?;
    trial.equal(
        &reply,
        "integration.primary",
        &integration["primary"],
        false,
    )?;
    let children = &conditions[0]["children"];
    trial.equal(
        &reply,
        "conditions[0].children length",
        &json!(items(children).len()),
        1,
    )?;
    for (field, value) in [
        ("on", "tenant"),
        ("field", "identifier"),
        ("value", "test"),
        ("operator", "EQUAL"),
    ] {
        trial.equal(
            &reply,
            &format!("conditions[0].children[0].{field}"),
            &children[0][field],
            value,
        )?;
    }
    Ok(())
}

async fn malformed_conditions(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = primary_without_conditions(trial).await?;
    let reply = update(
        trial,
        &id,
        conditions_update(json!([{ "children": "test" }])),
    )
    .await?;
    bad_request(trial, &reply, None)
}

/// Creates an inactive SendGrid integration named `Test` with identifier `label`.
async fn test_integration(trial: &Trial<'_>, label: &str) -> Result<String, Stop> {
    let body =
        json!({ "name": "Test", "providerId": "sendgrid", "channel": "email", "active": false });
    Ok(text(&made(trial, label, body).await?["_id"]))
}

async fn taken_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = test_integration(trial, "identifier1").await?;
    test_integration(trial, "identifier2").await?;
    let body = json!({ "identifier": trial.name("identifier2"), "check": false });
    let reply = update(trial, &id, body).await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 409)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        "Integration with identifier already exists",
    )
}

/// An update of `field` alone is applied.
async fn just(trial: &Trial<'_>, field: &str) -> Result<(), Stop> {
    let id = test_integration(trial, "identifier").await?;
    let value = match field {
        "identifier" => trial.name("identifier2"),
        "_environmentId" => production(trial).await?,
        _ => "Test2".to_owned(),
    };
    let mut body = json!({ "check": false });
    body[field] = json!(value);
    let reply = update(trial, &id, body).await?;
    trial.equal(
        &reply,
        &format!("data.{field}"),
        &reply.data()[field],
        value,
    )
}

async fn custom_smtp(trial: &Trial<'_>) -> Result<(), Stop> {
    let credentials = |require_tls: bool, tls: Value| {
        json!({ "host": "smtp.example.com", "port": "587", "secure": true, "requireTls": require_tls,
            "tlsOptions": tls })
    };
    let body = json!({ "providerId": "nodemailer", "channel": "email",
        "credentials": credentials(true, json!({ "rejectUnauthorized": false })), "active": true });
    let id = text(&made(trial, "nodemailer", body).await?["_id"]);
    let new = credentials(
        false,
        json!({ "rejectUnauthorized": false, "enableTrace": true }),
    );
    let body = json!({ "providerId": "nodemailer", "channel": "email", "credentials": new,
        "active": true, "check": false });
    update(trial, &id, body).await?;
    let (reply, integration) = listed_one(trial, &id).await?;
    for (field, value) in new.as_object().into_iter().flatten() {
        trial.equal(
            &reply,
            &format!("nodemailer.credentials.{field}"),
            &integration["credentials"][field],
            value.clone(),
        )?;
    }
    trial.equal(&reply, "nodemailer.active", &integration["active"], true)
}

async fn inactive_stays(trial: &Trial<'_>, body: Value) -> Result<(), Stop> {
    let id = sendgrid(trial, "identifier1", false).await?;
    let reply = updated(trial, &id, body.clone()).await?;
    if let Some(name) = body.get("name") {
        trial.equal(&reply, "data.name", &reply.data()["name"], name.clone())?;
    }
    placed(trial, &reply, false, false, 0)
}

/// Novu's test makes a second, inactive in-app integration; an environment holds one, so the
/// case turns the environment's own off (it is on again at the end) and on.
async fn in_app_activated(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    let reply = listed(trial).await?;
    let in_app = items(reply.data()).iter().find(|integration| {
        integration["channel"] == "in_app" && integration["_environmentId"] == json!(environment)
    });
    let Some(in_app) = in_app else {
        return trial.fail(
            &reply,
            "the environment's in-app integration is listed",
            "none is",
        );
    };
    let id = text(&in_app["_id"]);
    trial.created_with(
        "integrations_update",
        &[("integrationId", &id)],
        Some(json!({ "active": in_app["active"], "check": false })),
    );
    updated(trial, &id, json!({ "active": false, "check": false })).await?;
    let reply = updated(trial, &id, json!({ "active": true, "check": false })).await?;
    placed(trial, &reply, false, true, 0)
}

async fn activated_unranked(trial: &Trial<'_>, provider: &str, channel: &str) -> Result<(), Stop> {
    let body = json!({ "providerId": provider, "channel": channel, "active": false });
    let id = text(&made(trial, provider, body).await?["_id"]);
    let reply = updated(trial, &id, json!({ "active": true, "check": false })).await?;
    placed(trial, &reply, false, true, 0)
}

fn activate() -> Value {
    json!({ "active": true, "check": false })
}

/// Turns off the environment's active email integrations for the case.
async fn quiet_email(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    quiet_channel(trial, &environment, "email").await
}

async fn activated_alone(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let id = sendgrid(trial, "integration", false).await?;
    let reply = updated(trial, &id, activate()).await?;
    placed(trial, &reply, false, true, 1)
}

/// Novu's active integration that is not primary: made active (so primary), then given
/// conditions, which take the primary flag away.
async fn active_not_primary(trial: &Trial<'_>, label: &str) -> Result<String, Stop> {
    let id = sendgrid(trial, label, true).await?;
    let body = json!({ "conditions": tenant_condition(), "check": false });
    let reply = updated(trial, &id, body).await?;
    trial.equal(&reply, "data.primary", &reply.data()["primary"], false)?;
    Ok(id)
}

async fn above_non_primary(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let first = active_not_primary(trial, "firstActiveIntegration").await?;
    let second = sendgrid(trial, "secondActiveIntegration", false).await?;
    let reply = updated(trial, &second, activate()).await?;
    placed(trial, &reply, false, true, 2)?;
    ranked(
        trial,
        false,
        &[(&second, false, true, 2), (&first, false, true, 1)],
    )
    .await
}

/// A primary integration (3), two active ones below it (2, 1) and an inactive one, as Novu's
/// last update cases start: answers their `_id`s in that order.
async fn four_ranked(trial: &Trial<'_>) -> Result<[String; 4], Stop> {
    quiet_email(trial).await?;
    let primary = sendgrid(trial, "primaryIntegration", true).await?;
    let two = sendgrid(trial, "activeIntegrationTwo", true).await?;
    // Each new active integration ranks right below the primary one.
    let one = sendgrid(trial, "activeIntegrationOne", true).await?;
    let inactive = sendgrid(trial, "inactiveIntegration", false).await?;
    Ok([primary, one, two, inactive])
}

async fn below_primary(trial: &Trial<'_>) -> Result<(), Stop> {
    let [primary, one, two, inactive] = four_ranked(trial).await?;
    let integration = sendgrid(trial, "integration", false).await?;
    let reply = updated(trial, &integration, activate()).await?;
    placed(trial, &reply, false, true, 3)?;
    ranked(
        trial,
        false,
        &[
            (&primary, true, true, 4),
            (&integration, false, true, 3),
            (&one, false, true, 2),
            (&two, false, true, 1),
            (&inactive, false, false, 0),
        ],
    )
    .await
}

/// Turning off one active integration (the primary one with `primary`) renumbers the others.
async fn deactivated(trial: &Trial<'_>, primary_off: bool) -> Result<(), Stop> {
    let [primary, one, two, inactive] = four_ranked(trial).await?;
    let off = if primary_off { &primary } else { &one };
    let reply = updated(trial, off, json!({ "active": false, "check": false })).await?;
    placed(trial, &reply, false, false, 0)?;
    let expected: [(&str, bool, bool, i64); 4] = if primary_off {
        [
            (&one, false, true, 2),
            (&two, false, true, 1),
            (&inactive, false, false, 0),
            (&primary, false, false, 0),
        ]
    } else {
        [
            (&primary, true, true, 2),
            (&two, false, true, 1),
            (&inactive, false, false, 0),
            (&one, false, false, 0),
        ]
    };
    ranked(trial, true, &expected).await
}

/// An inactive integration turned on under Novu's own primary one: priority 1, not primary
/// (read from the answer with `answered`, as the first of the two Novu tests does), and the
/// Novu one stays active and primary, moved up to 2 (the second test sorts ties newest first).
async fn activated_below_novu(trial: &Trial<'_>, answered: bool) -> Result<(), Stop> {
    let novu = novu_email_primary(trial).await?;
    let integration = sendgrid(trial, "integration", false).await?;
    let reply = updated(trial, &integration, activate()).await?;
    if answered {
        placed(trial, &reply, false, true, 1)?;
    }
    ranked(
        trial,
        !answered,
        &[(&novu, true, true, 2), (&integration, false, true, 1)],
    )
    .await
}
