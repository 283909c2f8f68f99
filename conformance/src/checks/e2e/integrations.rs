//! Cases ported from Novu's `integrations/e2e/`, whole files only:
//! `get-webhook-support-status.e2e.ts` (whether an integration's provider reports delivery
//! events to a webhook).
//!
//! Novu's test empties the environment's integrations and writes new ones into its
//! repository; here each case creates its integrations with `POST /v1/integrations` (deleted
//! at the end) and asks about those alone.

use serde_json::{Value, json};

use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const WEBHOOK_STATUS: &str = "integrations/e2e/get-webhook-support-status.e2e.ts";

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[
    Ported::new(
        WEBHOOK_STATUS,
        "should throw not found error when integration doesn't exist",
        "integration_webhook_status_retrieve",
        |t| Box::pin(status_of_missing(t)),
    ),
    Ported::new(
        WEBHOOK_STATUS,
        "should throw bad request error when integration doesn't have credentials",
        "integration_webhook_status_retrieve",
        |t| Box::pin(status_without_credentials(t)),
    ),
    Ported::new(
        WEBHOOK_STATUS,
        "should throw bad request error for chat, push, in-app integrations",
        "integration_webhook_status_retrieve",
        |t| Box::pin(status_not_supported(t)),
    ),
    Ported::new(
        WEBHOOK_STATUS,
        "should return true if provider supports parsing events",
        "integration_webhook_status_retrieve",
        |t| {
            Box::pin(status_is(
                t,
                "sendgrid",
                "email",
                json!({ "apiKey": "" }),
                true,
            ))
        },
    ),
    Ported::new(
        WEBHOOK_STATUS,
        "should return false if provider doesn't support parsing events",
        "integration_webhook_status_retrieve",
        |t| {
            Box::pin(status_is(
                t,
                "africas-talking",
                "sms",
                json!({ "apiKey": "asdf", "user": "asdf", "from": "asdf" }),
                false,
            ))
        },
    ),
];

/// Creates an integration of `provider` on `channel` (deleted at the end); answers its `_id`.
async fn integration(
    trial: &Trial<'_>,
    provider: &str,
    channel: &str,
    active: bool,
    credentials: Option<Value>,
) -> Result<String, Stop> {
    let mut body = json!({
        "name": trial.name(provider), "identifier": trial.name(provider),
        "providerId": provider, "channel": channel, "active": active, "check": false,
    });
    if let Some(credentials) = credentials {
        body["credentials"] = credentials;
    }
    let created = trial
        .setup(
            &format!("a {provider} integration is created"),
            "integrations_create",
            &[],
            Some(body),
        )
        .await?;
    let id = created["_id"].as_str().unwrap_or_default().to_owned();
    trial.created("integrations_delete", &[("integrationId", &id)]);
    Ok(id)
}

async fn status(trial: &Trial<'_>, id: &str) -> Result<Reply, Stop> {
    trial
        .call(
            "integration_webhook_status_retrieve",
            &[("providerOrIntegrationId", id)],
            &[],
            None,
        )
        .await
}

/// A 400 whose `message` is `message`.
fn bad_request(trial: &Trial<'_>, reply: &Reply, message: &str) -> Result<(), Stop> {
    trial.equal(reply, "statusCode", &reply.body["statusCode"], 400)?;
    trial.equal(reply, "error", &reply.body["error"], "Bad Request")?;
    trial.equal(reply, "message", &reply.body["message"], message)
}

async fn status_of_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let missing = format!("{:0>24x}", trial.number_in_run());
    let reply = status(trial, &missing).await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 404)?;
    trial.equal(&reply, "error", &reply.body["error"], "Not Found")?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Integration for {missing} was not found"),
    )
}

async fn status_without_credentials(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = integration(trial, "sendgrid", "email", false, None).await?;
    let reply = status(trial, &id).await?;
    bad_request(
        trial,
        &reply,
        &format!("Integration {id} doesn't have credentials set up"),
    )
}

/// Novu's test writes a second in-app integration into its repository; over the API an
/// environment has one in-app integration (a second is refused), so the in-app part asks about
/// the environment's own.
async fn status_not_supported(trial: &Trial<'_>) -> Result<(), Stop> {
    for (provider, channel) in [("slack", "chat"), ("fcm", "push")] {
        let id = integration(
            trial,
            provider,
            channel,
            true,
            Some(json!({ "apiKey": "" })),
        )
        .await?;
        let reply = status(trial, &id).await?;
        bad_request(
            trial,
            &reply,
            &format!("Webhook for {provider}-{channel} is not supported yet"),
        )?;
    }
    let (environment, _) = trial.environment().await?;
    let listed = trial
        .setup(
            "the integrations are listed",
            "integrations_list",
            &[],
            None,
        )
        .await?;
    let in_app = items(&listed)
        .iter()
        .find(|integration| {
            integration["channel"] == "in_app"
                && integration["_environmentId"] == json!(environment)
        })
        .cloned();
    let (id, provider) = match in_app {
        Some(found) => (
            found["_id"].as_str().unwrap_or_default().to_owned(),
            found["providerId"].as_str().unwrap_or_default().to_owned(),
        ),
        None => (
            integration(trial, "novu", "in_app", true, Some(json!({ "apiKey": "" }))).await?,
            "novu".to_owned(),
        ),
    };
    // Novu's in-app integration has credentials; the environment's may have none, which is
    // refused first. It gets Novu's and has its own back at the end.
    let credentials = listed_credentials(&listed, &id);
    trial.created_with(
        "integrations_update",
        &[("integrationId", &id)],
        Some(json!({ "credentials": credentials })),
    );
    trial
        .setup(
            "the in-app integration gets credentials",
            "integrations_update",
            &[("integrationId", &id)],
            Some(json!({ "credentials": { "apiKey": "" } })),
        )
        .await?;
    let reply = status(trial, &id).await?;
    bad_request(
        trial,
        &reply,
        &format!("Webhook for {provider}-in_app is not supported yet"),
    )
}

/// The credentials integration `id` has in `listed` (none: `{}`).
fn listed_credentials(listed: &Value, id: &str) -> Value {
    items(listed)
        .iter()
        .find(|integration| integration["_id"] == json!(id))
        .map(|integration| integration["credentials"].clone())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}))
}

async fn status_is(
    trial: &Trial<'_>,
    provider: &str,
    channel: &str,
    credentials: Value,
    supported: bool,
) -> Result<(), Stop> {
    let id = integration(trial, provider, channel, true, Some(credentials)).await?;
    let reply = status(trial, &id).await?;
    trial.status(&reply, 200)?;
    trial.equal(&reply, "data", reply.data(), supported)
}
