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

/// Creates an integration from `body` (with `check: false`, and an identifier under the run's
/// prefix unless `body` names one or sets it `null`); it is deleted at the end. Answers the
/// integration.
pub(super) async fn made(trial: &Trial<'_>, label: &str, mut body: Value) -> Result<Value, Stop> {
    body["check"] = json!(false);
    match body.get("identifier") {
        Some(Value::Null) => {
            if let Some(fields) = body.as_object_mut() {
                fields.remove("identifier");
            }
        }
        Some(_) => {}
        None => body["identifier"] = json!(trial.name(label)),
    }
    let created = trial
        .setup(
            &format!("the integration {label} is created"),
            "integrations_create",
            &[],
            Some(body),
        )
        .await?;
    trial.created(
        "integrations_delete",
        &[("integrationId", &text(&created["_id"]))],
    );
    Ok(created)
}

/// Creates a SendGrid email integration, active or not; answers its `_id`.
pub(super) async fn sendgrid(trial: &Trial<'_>, label: &str, active: bool) -> Result<String, Stop> {
    let body =
        json!({ "providerId": "sendgrid", "channel": "email", "name": label, "active": active });
    Ok(text(&made(trial, label, body).await?["_id"]))
}

/// The integrations list (`GET /v1/integrations`).
pub(super) async fn listed(trial: &Trial<'_>) -> Result<Reply, Stop> {
    let reply = trial.call("integrations_list", &[], &[], None).await?;
    trial.status(&reply, 200)?;
    Ok(reply)
}

/// Turns off every active integration of `channel` in `environment` (the case then starts
/// from a channel without active ones, as Novu's test does after emptying its repository);
/// at the end they are active again and the primary one primary again.
pub(super) async fn quiet_channel(
    trial: &Trial<'_>,
    environment: &str,
    channel: &str,
) -> Result<(), Stop> {
    let reply = listed(trial).await?;
    let active: Vec<&Value> = items(reply.data())
        .iter()
        .filter(|integration| {
            integration["_environmentId"] == json!(environment)
                && integration["channel"] == json!(channel)
                && integration["active"] == json!(true)
        })
        .collect();
    // Undone last: the former primary is primary again once all are active.
    for primary in active
        .iter()
        .filter(|integration| integration["primary"] == json!(true))
    {
        trial.created_with(
            "integrations_set_primary",
            &[("integrationId", &text(&primary["_id"]))],
            None,
        );
    }
    for integration in &active {
        let id = text(&integration["_id"]);
        trial.created_with(
            "integrations_update",
            &[("integrationId", &id)],
            Some(json!({ "active": true, "check": false })),
        );
        trial
            .setup(
                "another active integration of the channel is turned off for the case",
                "integrations_update",
                &[("integrationId", &id)],
                Some(json!({ "active": false, "check": false })),
            )
            .await?;
    }
    Ok(())
}

/// Novu's own email integration of the key's environment, active and primary on top
/// (priority 1) of an email channel otherwise quiet ([`quiet_channel`]), as Novu's tests write
/// it into their repository after emptying the environment's: made over the API (deleted at
/// the end), or, where the environment has one already (409), that one turned on and made
/// primary (and turned off again at the end when it was off). Answers its `_id`. The case
/// plays only where the server holds the provider's credentials.
pub(super) async fn novu_email_primary(trial: &Trial<'_>) -> Result<String, Stop> {
    let (environment, _) = trial.environment().await?;
    let before = listed(trial).await?;
    let existing = items(before.data())
        .iter()
        .find(|integration| {
            integration["providerId"] == "novu-email"
                && integration["_environmentId"] == json!(environment)
        })
        .cloned();
    quiet_channel(trial, &environment, "email").await?;
    let body = json!({ "name": "Novu Integration", "identifier": trial.name("novuIntegration"),
        "providerId": "novu-email", "channel": "email", "active": true, "check": false });
    let reply = trial
        .call("integrations_create", &[], &[], Some(body))
        .await?;
    if reply.status == 201 {
        let id = text(&reply.data()["_id"]);
        trial.created("integrations_delete", &[("integrationId", &id)]);
        return Ok(id);
    }
    let Some(existing) = existing.filter(|_| reply.status == 409) else {
        return trial
            .fail(
                &reply,
                "status 201, or 409 where the environment has a Novu email integration",
                &format!("status {}", reply.status),
            )
            .map(|()| String::new());
    };
    let id = text(&existing["_id"]);
    if existing["active"] != true {
        trial.created_with(
            "integrations_update",
            &[("integrationId", &id)],
            Some(json!({ "active": false, "check": false })),
        );
    }
    trial
        .setup(
            "the environment's Novu email integration is turned on for the case",
            "integrations_update",
            &[("integrationId", &id)],
            Some(json!({ "active": true, "check": false })),
        )
        .await?;
    trial
        .setup(
            "the environment's Novu email integration is made primary for the case",
            "integrations_set_primary",
            &[("integrationId", &id)],
            None,
        )
        .await?;
    Ok(id)
}

/// One integration's place as Novu's tests read it: `_id`, primary, active, priority.
pub(super) type Place<'a> = (&'a str, bool, bool, i64);

/// The integrations `ids` as listed now, highest priority first (ties: oldest first, or
/// newest first with `newest_first`, as Novu's test sorts by `createdAt`); each must be
/// where `expected` puts it.
pub(super) async fn ranked(
    trial: &Trial<'_>,
    newest_first: bool,
    expected: &[Place<'_>],
) -> Result<(), Stop> {
    let reply = listed(trial).await?;
    let mut own: Vec<(usize, &Value)> = items(reply.data())
        .iter()
        .enumerate()
        .filter(|(_, integration)| {
            expected
                .iter()
                .any(|(id, ..)| integration["_id"] == json!(id))
        })
        .collect();
    own.sort_by_key(|(position, integration)| {
        let age = if newest_first {
            -(*position as i64)
        } else {
            *position as i64
        };
        (-integration["priority"].as_i64().unwrap_or(0), age)
    });
    let found: Vec<Value> = own
        .iter()
        .map(|(_, integration)| {
            json!([
                integration["_id"],
                integration["primary"],
                integration["active"],
                integration["priority"]
            ])
        })
        .collect();
    let wanted: Vec<Value> = expected
        .iter()
        .map(|(id, primary, active, priority)| json!([id, primary, active, priority]))
        .collect();
    trial.equal(
        &reply,
        "the integrations by priority ([_id, primary, active, priority])",
        &json!(found),
        json!(wanted),
    )
}

/// The integration's `primary`, `active` and `priority` in `reply` are these.
pub(super) fn placed(
    trial: &Trial<'_>,
    reply: &Reply,
    primary: bool,
    active: bool,
    priority: i64,
) -> Result<(), Stop> {
    let data = reply.data();
    trial.equal(reply, "data.priority", &data["priority"], priority)?;
    trial.equal(reply, "data.primary", &data["primary"], primary)?;
    trial.equal(reply, "data.active", &data["active"], active)
}

/// The text of a JSON string (empty for anything else).
pub(super) fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// The `_id` of the production environment (the environment whose parent is the key's), as
/// Novu's tests find it in their database.
pub(super) async fn production(trial: &Trial<'_>) -> Result<String, Stop> {
    let (development, _) = trial.environment().await?;
    let reply = trial.call("environments_list", &[], &[], None).await?;
    trial.status(&reply, 200)?;
    let found = items(reply.data())
        .iter()
        .find(|environment| environment["_parentId"] == json!(development))
        .map(|environment| text(&environment["_id"]));
    match found {
        Some(id) => Ok(id),
        None => trial
            .fail(
                &reply,
                "an environment whose _parentId is the key's (Novu's Production)",
                "none is listed",
            )
            .map(|()| String::new()),
    }
}
