//! Cases ported from Novu's `integrations/e2e/`: making an integration its channel's primary
//! one (`set-itegration-as-primary.e2e.ts`) and deleting integrations
//! (`remove-integration.e2e.ts`), with the priorities both leave behind.
//!
//! As in the update cases, the environment's active email integrations are off for the case
//! ([`quiet_channel`]) and the order Novu's harness writes into its repository is built through
//! the API: the first active integration becomes primary, each further one ranks right below
//! the primary one. Novu's test deletes integrations that Novu's repository holds; here each
//! case deletes integrations it made.

use serde_json::{Value, json};

use super::integration_create::{bad_request, tenant_condition};
use super::integration_update::missing_id;
use super::integrations::{listed, made, placed, quiet_channel, ranked, sendgrid, text};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const PRIMARY: &str = "integrations/e2e/set-itegration-as-primary.e2e.ts";
const REMOVE: &str = "integrations/e2e/remove-integration.e2e.ts";

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(
        PRIMARY,
        "when integration id is not valid should throw bad request exception",
        "integrations_set_primary",
        |t| Box::pin(invalid_id(t)),
    ),
    Ported::new(
        PRIMARY,
        "when integration does not exist should throw not found exception",
        "integrations_set_primary",
        |t| Box::pin(missing(t)),
    ),
    Ported::new(
        PRIMARY,
        "in-app channel does not support primary flag, then for integration it should throw bad request exception",
        "integrations_set_primary",
        |t| Box::pin(in_app_refused(t)),
    ),
    Ported::new(
        PRIMARY,
        "clears conditions when set as primary",
        "integrations_set_primary",
        |t| Box::pin(clears_conditions(t)),
    ),
    Ported::new(
        PRIMARY,
        "push channel does not support primary flag, then for integration it should throw bad request exception",
        "integrations_set_primary",
        |t| Box::pin(refused(t, "fcm", "push")),
    ),
    Ported::new(
        PRIMARY,
        "chat channel does not support primary flag, then for integration it should throw bad request exception",
        "integrations_set_primary",
        |t| Box::pin(refused(t, "slack", "chat")),
    ),
    Ported::new(
        PRIMARY,
        "should not update the primary integration if already is primary",
        "integrations_set_primary",
        |t| Box::pin(already_primary(t)),
    ),
    Ported::new(
        PRIMARY,
        "should set primary and active when there are no other active integrations",
        "integrations_set_primary",
        |t| Box::pin(first_primary(t)),
    ),
    Ported::new(
        PRIMARY,
        "should set primary and active and update old primary",
        "integrations_set_primary",
        |t| Box::pin(replaces_primary(t)),
    ),
    Ported::new(
        PRIMARY,
        "should set primary and active and update priority for other active integrations",
        "integrations_set_primary",
        |t| Box::pin(inactive_on_top(t)),
    ),
    Ported::new(
        PRIMARY,
        "should allow set primary for active and recalculate priority for other",
        "integrations_set_primary",
        |t| Box::pin(active_on_top(t)),
    ),
    Ported::new(
        PRIMARY,
        "should allow to set primary and do not recalculate priority for all inactive",
        "integrations_set_primary",
        |t| Box::pin(among_inactive(t)),
    ),
    Ported::new(
        REMOVE,
        "should throw not found exception when integration is not found",
        "integrations_delete",
        |t| Box::pin(remove_missing(t)),
    ),
    Ported::new(
        REMOVE,
        "should not recalculate primary and priority fields for push channel",
        "integrations_delete",
        |t| Box::pin(remove_unranked(t, "fcm", "push")),
    ),
    Ported::new(
        REMOVE,
        "should not recalculate primary and priority fields for chat channel",
        "integrations_delete",
        |t| Box::pin(remove_unranked(t, "slack", "chat")),
    ),
    Ported::new(
        REMOVE,
        "should recalculate primary and priority fields for email channel",
        "integrations_delete",
        |t| Box::pin(remove_ranked(t)),
    ),
    Ported::new(
        REMOVE,
        "should remove existing integration",
        "integrations_delete",
        |t| {
            Box::pin(remove(
                t,
                json!({ "providerId": "sendgrid", "channel": "email", "active": true }),
            ))
        },
    ),
    Ported::new(
        REMOVE,
        "should remove a newly created integration",
        "integrations_delete",
        |t| {
            Box::pin(remove(
                t,
                json!({ "providerId": "sendgrid", "channel": "email", "active": true,
                "credentials": { "apiKey": "123", "secretKey": "abc" } }),
            ))
        },
    ),
];

async fn set_primary(trial: &Trial<'_>, id: &str) -> Result<Reply, Stop> {
    trial
        .call(
            "integrations_set_primary",
            &[("integrationId", id)],
            &[],
            None,
        )
        .await
}

async fn invalid_id(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = set_primary(trial, "fakeIntegrationId").await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)?;
    trial.equal(
        &reply,
        "message[0]",
        &reply.body["message"][0],
        "integrationId must be a mongodb id",
    )
}

async fn missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = missing_id(trial);
    let reply = set_primary(trial, &id).await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 404)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Integration with id {id} not found"),
    )
}

/// Novu's test makes a second in-app integration; an environment holds one, so the case asks
/// to make the environment's own primary.
async fn in_app_refused(trial: &Trial<'_>) -> Result<(), Stop> {
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
    let reply = set_primary(trial, &text(&in_app["_id"])).await?;
    bad_request(
        trial,
        &reply,
        Some("Channel in_app does not support primary"),
    )
}

async fn refused(trial: &Trial<'_>, provider: &str, channel: &str) -> Result<(), Stop> {
    let body = json!({ "providerId": provider, "channel": channel, "active": false });
    let id = text(&made(trial, provider, body).await?["_id"]);
    let reply = set_primary(trial, &id).await?;
    bad_request(
        trial,
        &reply,
        Some(&format!("Channel {channel} does not support primary")),
    )
}

/// Turns off the environment's active email integrations for the case.
async fn quiet_email(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    quiet_channel(trial, &environment, "email").await
}

async fn clears_conditions(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let body = json!({ "name": "Email with conditions", "providerId": "sendgrid", "channel": "email",
        "active": false, "conditions": tenant_condition() });
    let id = text(&made(trial, "identifier1", body).await?["_id"]);
    set_primary(trial, &id).await?;
    let reply = listed(trial).await?;
    let found = items(reply.data())
        .iter()
        .find(|integration| integration["_id"] == json!(id))
        .cloned()
        .unwrap_or(Value::Null);
    trial.equal(&reply, "found.conditions", &found["conditions"], json!([]))?;
    trial.equal(&reply, "found.primary", &found["primary"], true)
}

/// Novu's test writes an inactive primary integration, which the API cannot make (turning an
/// integration off takes its primary flag): the case asks again for the primary one it made.
async fn already_primary(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let id = sendgrid(trial, "identifier1", true).await?;
    let reply = set_primary(trial, &id).await?;
    trial.equal(&reply, "data.primary", &reply.data()["primary"], true)?;
    trial.equal(&reply, "data.priority", &reply.data()["priority"], 1)
}

async fn first_primary(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let id = sendgrid(trial, "identifier1", false).await?;
    let reply = set_primary(trial, &id).await?;
    placed(trial, &reply, true, true, 1)
}

async fn replaces_primary(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let old = sendgrid(trial, "primaryIdentifier", true).await?;
    let id = sendgrid(trial, "identifier1", false).await?;
    let reply = set_primary(trial, &id).await?;
    placed(trial, &reply, true, true, 2)?;
    ranked(
        trial,
        false,
        &[(&id, true, true, 2), (&old, false, true, 1)],
    )
    .await
}

async fn inactive_on_top(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let old = sendgrid(trial, "oldPrimaryIntegration", true).await?;
    let active = sendgrid(trial, "activeIntegration", true).await?;
    let inactive = sendgrid(trial, "inactiveIntegration", false).await?;
    let id = sendgrid(trial, "integrationToSetPrimary", false).await?;
    let reply = set_primary(trial, &id).await?;
    placed(trial, &reply, true, true, 3)?;
    ranked(
        trial,
        false,
        &[
            (&id, true, true, 3),
            (&old, false, true, 2),
            (&active, false, true, 1),
            (&inactive, false, false, 0),
        ],
    )
    .await
}

async fn active_on_top(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let old = sendgrid(trial, "oldPrimaryIntegration", true).await?;
    // Each new active integration ranks right below the primary one: the second made ends
    // lowest (1), the third in between (2).
    let two = sendgrid(trial, "activeIntegrationTwo", true).await?;
    let one = sendgrid(trial, "activeIntegrationOne", true).await?;
    let reply = set_primary(trial, &two).await?;
    placed(trial, &reply, true, true, 3)?;
    ranked(
        trial,
        false,
        &[
            (&two, true, true, 3),
            (&old, false, true, 2),
            (&one, false, true, 1),
        ],
    )
    .await
}

async fn among_inactive(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let one = sendgrid(trial, "inactiveIntegrationOne", false).await?;
    let two = sendgrid(trial, "inactiveIntegrationTwo", false).await?;
    let id = sendgrid(trial, "integrationToSetPrimary", false).await?;
    let reply = set_primary(trial, &id).await?;
    placed(trial, &reply, true, true, 1)?;
    ranked(
        trial,
        false,
        &[
            (&id, true, true, 1),
            (&one, false, false, 0),
            (&two, false, false, 0),
        ],
    )
    .await
}

async fn delete(trial: &Trial<'_>, id: &str) -> Result<Reply, Stop> {
    trial
        .call("integrations_delete", &[("integrationId", id)], &[], None)
        .await
}

async fn remove_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = missing_id(trial);
    let reply = delete(trial, &id).await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 404)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Entity with id {id} not found"),
    )
}

/// Deleting an integration of a channel without primary leaves the email ranking alone.
async fn remove_unranked(trial: &Trial<'_>, provider: &str, channel: &str) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let primary = sendgrid(trial, "primaryIntegration", true).await?;
    let integration = sendgrid(trial, "integration", true).await?;
    let body = json!({ "providerId": provider, "channel": channel, "active": false });
    let other = text(&made(trial, "identifier1", body).await?["_id"]);
    let reply = delete(trial, &other).await?;
    trial.status(&reply, 200)?;
    ranked(
        trial,
        false,
        &[(&primary, true, true, 2), (&integration, false, true, 1)],
    )
    .await
}

async fn remove_ranked(trial: &Trial<'_>) -> Result<(), Stop> {
    quiet_email(trial).await?;
    let primary = sendgrid(trial, "primaryIntegration", true).await?;
    let two = sendgrid(trial, "integrationTwo", true).await?;
    // Made last, it ranks right below the primary one, above `two`.
    let one = sendgrid(trial, "integrationOne", true).await?;
    let reply = delete(trial, &one).await?;
    trial.status(&reply, 200)?;
    ranked(
        trial,
        false,
        &[(&primary, true, true, 2), (&two, false, true, 1)],
    )
    .await
}

/// A deleted integration is no longer found.
async fn remove(trial: &Trial<'_>, body: Value) -> Result<(), Stop> {
    let id = text(&made(trial, "sendgrid", body).await?["_id"]);
    let reply = delete(trial, &id).await?;
    trial.status(&reply, 200)?;
    let reply = listed(trial).await?;
    let found = items(reply.data())
        .iter()
        .any(|integration| integration["_id"] == json!(id));
    trial.holds(&reply, "the deleted integration is not listed", !found)
}
