//! Cases ported from Novu's `integrations/e2e/`: creating integrations (defaults, conditions,
//! identifiers, environments, primary and priority of a new active one), and the lists that
//! read them (`create-integration`, `deactivate-integration`, `get-active-integration`,
//! `get-decrypted-integrations`, `get-integration`).
//!
//! Novu's harness seeds every environment with integrations (SendGrid with `SG.123`, Twilio,
//! ...) and its tests count them, or empty the environment's integrations first. Here each case
//! makes the integrations it counts, in the key's environment or in the Production one
//! (`_environmentId`), and counts those alone; where the test needs a channel without active
//! integrations, the environment's active ones of that channel are turned off for the case and
//! on again at the end ([`quiet_channel`]). Where Novu's test writes an integration of its own
//! email provider, the case creates one, or borrows the environment's ([`novu_email_primary`]);
//! those cases play only where the server holds that provider's credentials. Whether stored
//! credentials are encrypted (one half of `get-decrypted-integrations`) is not visible over
//! HTTP; the case asserts the half that is.

use serde_json::{Value, json};

use super::integrations::{
    listed, made, novu_email_primary, placed, production, quiet_channel, ranked, sendgrid, text,
};
use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "integrations/e2e/create-integration.e2e.ts";
const DEACTIVATE: &str = "integrations/e2e/deactivate-integration.e2e.ts";
const ACTIVE: &str = "integrations/e2e/get-active-integration.e2e.ts";
const DECRYPTED: &str = "integrations/e2e/get-decrypted-integrations.e2e.ts";
const GET: &str = "integrations/e2e/get-integration.e2e.ts";

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(
        CREATE,
        "should get the email integration successfully",
        "integrations_list",
        |t| {
            Box::pin(seeded_pair(
                t,
                "sendgrid",
                "email",
                json!({ "apiKey": "SG.123", "secretKey": "abc" }),
            ))
        },
    ),
    Ported::new(
        CREATE,
        "should get the sms integration successfully",
        "integrations_list",
        |t| {
            Box::pin(seeded_pair(
                t,
                "twilio",
                "sms",
                json!({ "accountSid": "AC123", "token": "123" }),
            ))
        },
    ),
    Ported::new(
        CREATE,
        "should allow creating the same provider on same environment twice",
        "integrations_create",
        |t| Box::pin(same_provider_twice(t)),
    ),
    Ported::new(
        CREATE,
        "should create integration with conditions",
        "integrations_create",
        |t| Box::pin(with_conditions(t)),
    ),
    Ported::new(
        CREATE,
        "should return error with malformed conditions",
        "integrations_create",
        |t| Box::pin(malformed_conditions(t)),
    ),
    Ported::new(
        CREATE,
        "should not allow to create integration with same identifier",
        "integrations_create",
        |t| Box::pin(same_identifier(t)),
    ),
    Ported::new(
        CREATE,
        "should allow creating the integration with minimal data",
        "integrations_create",
        |t| Box::pin(minimal(t, false)),
    ),
    Ported::new(
        CREATE,
        "should allow creating the integration in the chosen environment",
        "integrations_create",
        |t| Box::pin(minimal(t, true)),
    ),
    Ported::new(
        CREATE,
        "should create custom SMTP integration with TLS options successfully",
        "integrations_create",
        |t| Box::pin(custom_smtp(t)),
    ),
    Ported::new(
        CREATE,
        "should not calculate primary and priority fields when is not active",
        "integrations_create",
        |t| Box::pin(not_ranked(t, "sendgrid", "email", false)),
    ),
    Ported::new(
        CREATE,
        "should not calculate primary and priority fields for push channel",
        "integrations_create",
        |t| Box::pin(not_ranked(t, "fcm", "push", true)),
    ),
    Ported::new(
        CREATE,
        "should not calculate primary and priority fields for chat channel",
        "integrations_create",
        |t| Box::pin(not_ranked(t, "slack", "chat", true)),
    ),
    Ported::new(
        CREATE,
        "should set the integration as primary when its active and there are no other active integrations",
        "integrations_create",
        |t| Box::pin(first_active(t)),
    ),
    Ported::new(
        CREATE,
        "should not set the integration as primary when there is primary integration",
        "integrations_create",
        |t| Box::pin(below_primary(t)),
    ),
    Ported::new(
        CREATE,
        "should calculate the highest priority but not set primary if there is another active integration",
        "integrations_create",
        |t| Box::pin(below_primary(t)),
    ),
    Ported::new(
        CREATE,
        "should not allow creating the same novu provider on same environment twice",
        "integrations_create",
        |t| Box::pin(novu_twice(t)),
    )
    .needs(Feature::NovuProviders(&["email", "sms"])),
    Ported::new(
        CREATE,
        "should not allow creating Novu Email integration when credentials are not set",
        "integrations_create",
        |t| Box::pin(novu_refused(t, "novu-email", "email")),
    )
    .needs(Feature::WithoutNovuProvider("email")),
    Ported::new(
        CREATE,
        "should not allow creating Novu SMS integration when credentials are not set",
        "integrations_create",
        |t| Box::pin(novu_refused(t, "novu-sms", "sms")),
    )
    .needs(Feature::WithoutNovuProvider("sms")),
    Ported::new(
        CREATE,
        "should not set the integration as primary when its active and there are no other active integrations other than Novu",
        "integrations_create",
        |t| Box::pin(below_novu(t, true)),
    )
    .needs(Feature::NovuProviders(&["email"])),
    Ported::new(
        CREATE,
        "should not disable the novu integration and clear the primary flag if the new integration is created",
        "integrations_create",
        |t| Box::pin(below_novu(t, false)),
    )
    .needs(Feature::NovuProviders(&["email"])),
    Ported::new(
        DEACTIVATE,
        "should not deactivate old providers when a new provider is created",
        "integrations_create",
        |t| Box::pin(old_stays_active(t)),
    ),
    Ported::new(
        ACTIVE,
        "should get active integrations",
        "integrations_list_active",
        |t| Box::pin(active_ones(t)),
    ),
    Ported::new(
        ACTIVE,
        "should have return empty array if no active integration are exist",
        "integrations_list_active",
        |t| Box::pin(none_active(t)),
    ),
    Ported::new(
        ACTIVE,
        "should have additional unselected integration after creating a new one",
        "integrations_list_active",
        |t| Box::pin(unselected(t)),
    ),
    Ported::new(
        DECRYPTED,
        "should get active decrypted integration",
        "integrations_list_active",
        |t| Box::pin(decrypted(t)),
    ),
    Ported::new(
        GET,
        "should retrieve all the integrations of all environments from an organization from the prefilled test data",
        "integrations_list",
        |t| Box::pin(all_environments(t)),
    ),
    Ported::new(
        GET,
        "should get custom SMTP integration details with TLS options",
        "integrations_list_active",
        |t| Box::pin(custom_smtp_listed(t)),
    ),
];

/// The credentials of Novu's custom SMTP cases.
fn smtp_credentials() -> Value {
    json!({
        "host": "smtp.example.com", "port": "587", "secure": true, "requireTls": true,
        "tlsOptions": { "rejectUnauthorized": false },
    })
}

/// The integrations of `reply` whose `_id` is one of `ids`.
fn own<'r>(reply: &'r Reply, ids: &[String]) -> Vec<&'r Value> {
    items(reply.data())
        .iter()
        .filter(|integration| ids.iter().any(|id| integration["_id"] == json!(id)))
        .collect()
}

/// Each field of `expected` is the same in `actual`, named `what.<field>`.
fn fields_are(
    trial: &Trial<'_>,
    reply: &Reply,
    what: &str,
    actual: &Value,
    expected: &Value,
) -> Result<(), Stop> {
    for (field, value) in expected.as_object().into_iter().flatten() {
        trial.equal(
            reply,
            &format!("{what}.{field}"),
            &actual[field],
            value.clone(),
        )?;
    }
    Ok(())
}

/// Novu's seeded pair (one in each environment) of `provider` with `credentials`, active:
/// both are listed with them.
async fn seeded_pair(
    trial: &Trial<'_>,
    provider: &str,
    channel: &str,
    credentials: Value,
) -> Result<(), Stop> {
    let production = production(trial).await?;
    let mut ids = Vec::new();
    for (label, environment) in [("development", None), ("production", Some(&production))] {
        let mut body = json!({ "providerId": provider, "channel": channel, "credentials": credentials, "active": true });
        if let Some(environment) = environment {
            body["_environmentId"] = json!(environment);
        }
        ids.push(text(&made(trial, label, body).await?["_id"]));
    }
    let reply = listed(trial).await?;
    let found = own(&reply, &ids);
    trial.equal(
        &reply,
        "the case's integrations listed",
        &json!(found.len()),
        2,
    )?;
    for integration in found {
        fields_are(
            trial,
            &reply,
            "integration",
            integration,
            &json!({ "providerId": provider, "channel": channel, "active": true }),
        )?;
        fields_are(
            trial,
            &reply,
            "integration.credentials",
            &integration["credentials"],
            &credentials,
        )?;
    }
    Ok(())
}

async fn same_provider_twice(trial: &Trial<'_>) -> Result<(), Stop> {
    let credentials = json!({ "apiKey": "123", "secretKey": "abc" });
    let body = json!({
        "name": "sendgrid", "providerId": "sendgrid", "channel": "email",
        "credentials": credentials, "active": true, "identifier": null,
    });
    let (environment, _) = trial.environment().await?;
    let mut ids = Vec::new();
    for label in ["first", "second"] {
        ids.push(text(&made(trial, label, body.clone()).await?["_id"]));
    }
    let reply = listed(trial).await?;
    let found = own(&reply, &ids);
    trial.equal(
        &reply,
        "the case's SendGrid integrations listed",
        &json!(found.len()),
        2,
    )?;
    for integration in found {
        fields_are(
            trial,
            &reply,
            "integration",
            integration,
            &json!({ "name": "sendgrid", "providerId": "sendgrid", "channel": "email", "active": true, "_environmentId": environment }),
        )?;
        trial.holds(
            &reply,
            "integration.identifier exists",
            integration["identifier"].is_string(),
        )?;
        fields_are(
            trial,
            &reply,
            "integration.credentials",
            &integration["credentials"],
            &credentials,
        )?;
    }
    Ok(())
}

/// Novu's tenant condition of the conditions cases.
pub(super) fn tenant_condition() -> Value {
    json!([{ "children": [{ "field": "identifier", "value": "test", "operator": "EQUAL", "on": "tenant" }] }])
}

async fn with_conditions(trial: &Trial<'_>) -> Result<(), Stop> {
    let body = json!({ "providerId": "sendgrid", "channel": "email", "active": false, "check": false,
        "identifier": trial.name("identifier-conditions"), "conditions": tenant_condition() });
    let reply = post(trial, body).await?;
    let conditions = &reply.data()["conditions"];
    trial.equal(
        &reply,
        "data.conditions length",
        &json!(items(conditions).len()),
        1,
    )?;
    let children = &conditions[0]["children"];
    trial.equal(
        &reply,
        "data.conditions[0].children length",
        &json!(items(children).len()),
        1,
    )?;
    fields_are(
        trial,
        &reply,
        "data.conditions[0].children[0]",
        &children[0],
        &json!({ "on": "tenant", "field": "identifier", "value": "test", "operator": "EQUAL" }),
    )
}

/// Posts `body` to the integrations; a created integration is deleted at the end.
async fn post(trial: &Trial<'_>, body: Value) -> Result<Reply, Stop> {
    let reply = trial
        .call("integrations_create", &[], &[], Some(body))
        .await?;
    if let Some(id) = reply.data()["_id"].as_str() {
        trial.created("integrations_delete", &[("integrationId", id)]);
    }
    Ok(reply)
}

/// A 400 `Bad Request` (and, when given, its message).
pub(super) fn bad_request(
    trial: &Trial<'_>,
    reply: &Reply,
    message: Option<&str>,
) -> Result<(), Stop> {
    trial.equal(reply, "statusCode", &reply.body["statusCode"], 400)?;
    match message {
        Some(message) => trial.equal(reply, "message", &reply.body["message"], message),
        None => trial.equal(reply, "error", &reply.body["error"], "Bad Request"),
    }
}

async fn malformed_conditions(trial: &Trial<'_>) -> Result<(), Stop> {
    let body = json!({ "providerId": "sendgrid", "channel": "email", "active": false, "check": false,
        "identifier": trial.name("identifier-conditions"), "conditions": [{ "children": "test" }] });
    let reply = post(trial, body).await?;
    bad_request(trial, &reply, None)
}

async fn same_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    let identifier = trial.name("identifier");
    let first = json!({ "name": "Test", "identifier": identifier, "providerId": "sendgrid", "channel": "email", "active": false });
    made(trial, "identifier", first).await?;
    let again = json!({ "providerId": "sendgrid", "channel": "email", "identifier": identifier, "active": false, "check": false });
    let reply = post(trial, again).await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 409)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        "Integration with identifier already exists",
    )
}

/// A SendGrid integration created with the least data (in the Production environment with
/// `in_production`): named `SendGrid`, an identifier made up, inactive.
async fn minimal(trial: &Trial<'_>, in_production: bool) -> Result<(), Stop> {
    let mut body = json!({ "providerId": "sendgrid", "channel": "email", "check": false });
    let environment = match in_production {
        true => {
            let production = production(trial).await?;
            body["_environmentId"] = json!(production);
            Some(production)
        }
        false => None,
    };
    let reply = post(trial, body).await?;
    let data = reply.data();
    if let Some(environment) = environment {
        trial.equal(
            &reply,
            "data._environmentId",
            &data["_environmentId"],
            environment,
        )?;
    }
    fields_are(
        trial,
        &reply,
        "data",
        data,
        &json!({ "name": "SendGrid", "providerId": "sendgrid", "channel": "email", "active": false }),
    )?;
    trial.holds(
        &reply,
        "data.identifier exists",
        data["identifier"].is_string(),
    )
}

async fn custom_smtp(trial: &Trial<'_>) -> Result<(), Stop> {
    let body = json!({ "providerId": "nodemailer", "channel": "email", "credentials": smtp_credentials(),
        "active": true, "check": false, "identifier": trial.name("smtp") });
    let reply = post(trial, body).await?;
    let data = reply.data();
    fields_are(
        trial,
        &reply,
        "data.credentials",
        &data["credentials"],
        &smtp_credentials(),
    )?;
    trial.equal(&reply, "data.active", &data["active"], true)
}

/// An integration of `provider` is created without priority: 0, not primary.
async fn not_ranked(
    trial: &Trial<'_>,
    provider: &str,
    channel: &str,
    active: bool,
) -> Result<(), Stop> {
    let body = json!({ "providerId": provider, "channel": channel, "active": active, "check": false,
        "identifier": trial.name(provider) });
    let reply = post(trial, body).await?;
    placed(trial, &reply, false, active, 0)
}

async fn first_active(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    quiet_channel(trial, &environment, "email").await?;
    let body = json!({ "providerId": "sendgrid", "channel": "email", "active": true, "check": false,
        "identifier": trial.name("sendgrid") });
    let reply = post(trial, body).await?;
    placed(trial, &reply, true, true, 1)
}

/// A new active integration under an active primary one: priority 1, not primary, and the
/// primary one moves up to 2.
async fn below_primary(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    quiet_channel(trial, &environment, "email").await?;
    let primary = sendgrid(trial, "primaryIntegration", true).await?;
    let body = json!({ "providerId": "sendgrid", "channel": "email", "active": true, "check": false,
        "identifier": trial.name("new") });
    let reply = post(trial, body).await?;
    placed(trial, &reply, false, true, 1)?;
    let new = text(&reply.data()["_id"]);
    ranked(
        trial,
        false,
        &[(&primary, true, true, 2), (&new, false, true, 1)],
    )
    .await
}

/// A new active integration under Novu's own primary one: priority 1, not primary (read from
/// the answer with `answered`, as the first of the two Novu tests does), and the Novu one stays
/// active and primary, moved up to 2.
async fn below_novu(trial: &Trial<'_>, answered: bool) -> Result<(), Stop> {
    let novu = novu_email_primary(trial).await?;
    let body = json!({ "providerId": "sendgrid", "channel": "email", "active": true, "check": false,
        "identifier": trial.name("sendgrid") });
    let reply = post(trial, body).await?;
    if answered {
        placed(trial, &reply, false, true, 1)?;
    }
    let new = text(&reply.data()["_id"]);
    ranked(
        trial,
        false,
        &[(&novu, true, true, 2), (&new, false, true, 1)],
    )
    .await
}

/// Novu's session starts with one integration of each of its own providers (its organization
/// was created where the credentials are set); here the case makes an inactive one where the
/// environment has none (deleted at the end), then asks for another.
async fn novu_twice(trial: &Trial<'_>) -> Result<(), Stop> {
    let in_app = json!({ "name": "novu", "providerId": "novu", "channel": "in_app", "credentials": {},
        "active": true, "check": false, "identifier": trial.name("in-app") });
    let reply = post(trial, in_app).await?;
    bad_request(
        trial,
        &reply,
        Some("One environment can only have one In app provider"),
    )?;
    for (provider, channel) in [("novu-email", "email"), ("novu-sms", "sms")] {
        let first = json!({ "providerId": provider, "channel": channel, "active": false,
            "check": false, "identifier": trial.name(&format!("{provider}-first")) });
        let first = post(trial, first).await?;
        if first.status != 409 {
            trial.status(&first, 201)?;
        }
        let body = json!({ "name": provider, "providerId": provider, "channel": channel, "credentials": {},
            "active": true, "check": false, "identifier": trial.name(provider) });
        let reply = post(trial, body).await?;
        trial.equal(&reply, "statusCode", &reply.body["statusCode"], 409)?;
        trial.equal(
            &reply,
            "message",
            &reply.body["message"],
            format!("Integration with novu provider for {channel} channel already exists"),
        )?;
    }
    Ok(())
}

/// Novu's own provider of `channel` is refused where the server holds no credentials for it.
async fn novu_refused(trial: &Trial<'_>, provider: &str, channel: &str) -> Result<(), Stop> {
    let body = json!({ "name": provider, "providerId": provider, "channel": channel, "credentials": {},
        "active": true, "check": false, "identifier": trial.name(provider) });
    let reply = post(trial, body).await?;
    bad_request(
        trial,
        &reply,
        Some(&format!(
            "Creating Novu integration for {provider} provider is not allowed"
        )),
    )
}

async fn old_stays_active(trial: &Trial<'_>) -> Result<(), Stop> {
    let credentials = json!({ "apiKey": "123", "secretKey": "abc" });
    let old = made(
        trial,
        "sendgrid",
        json!({ "providerId": "sendgrid", "channel": "email",
        "credentials": credentials, "active": true }),
    )
    .await?;
    let new = made(
        trial,
        "mailgun",
        json!({ "providerId": "mailgun", "channel": "email",
        "credentials": credentials, "active": true }),
    )
    .await?;
    let reply = listed(trial).await?;
    for (name, integration) in [("sendgrid", old), ("mailgun", new)] {
        let found = own(&reply, &[text(&integration["_id"])]);
        let active = found.first().map(|listed| listed["active"].clone());
        trial.equal(
            &reply,
            &format!("the {name} integration's active"),
            &json!(active),
            true,
        )?;
    }
    Ok(())
}

/// The active list (`GET /v1/integrations/active`).
async fn active_list(trial: &Trial<'_>) -> Result<Reply, Stop> {
    let reply = trial
        .call("integrations_list_active", &[], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    Ok(reply)
}

/// How many of `found` are (or are not, with `primary` false) primary in `environment`.
fn selected(found: &[&Value], environment: &str, primary: bool) -> usize {
    found
        .iter()
        .filter(|integration| {
            integration["primary"] == json!(primary)
                && integration["_environmentId"] == json!(environment)
        })
        .count()
}

async fn active_ones(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    let mut ids = Vec::new();
    for (provider, channel) in [("sendgrid", "email"), ("twilio", "sms")] {
        quiet_channel(trial, &environment, channel).await?;
        let body = json!({ "providerId": provider, "channel": channel, "active": true });
        ids.push(text(&made(trial, provider, body).await?["_id"]));
    }
    let reply = active_list(trial).await?;
    for (id, channel) in ids.iter().zip(["email", "sms"]) {
        let found = own(&reply, std::slice::from_ref(id));
        trial.equal(
            &reply,
            &format!("the case's selected (primary) {channel} integrations of the environment"),
            &json!(selected(&found, &environment, true)),
            1,
        )?;
    }
    let inactive = items(reply.data())
        .iter()
        .any(|integration| integration["active"] != json!(true));
    trial.holds(&reply, "every listed integration is active", !inactive)
}

async fn none_active(trial: &Trial<'_>) -> Result<(), Stop> {
    let id = sendgrid(trial, "inactive", false).await?;
    let reply = active_list(trial).await?;
    trial.equal(
        &reply,
        "the case's integrations (none active) listed",
        &json!(own(&reply, &[id]).len()),
        0,
    )
}

async fn unselected(trial: &Trial<'_>) -> Result<(), Stop> {
    let (development, _) = trial.environment().await?;
    let production = production(trial).await?;
    let mut ids = Vec::new();
    for environment in [&development, &production] {
        quiet_channel(trial, environment, "email").await?;
        let body = json!({ "providerId": "sendgrid", "channel": "email", "active": true, "_environmentId": environment });
        ids.push(text(
            &made(trial, &format!("sendgrid-{}", ids.len()), body).await?["_id"],
        ));
    }
    let counts = |reply: &Reply, ids: &[String]| {
        let found = own(reply, ids);
        let primaries = found
            .iter()
            .filter(|integration| integration["primary"] == json!(true))
            .count();
        json!([
            primaries,
            selected(&found, &development, true),
            selected(&found, &development, false)
        ])
    };
    let what = "the case's email integrations: [primary ones, primary in the environment, not primary in it]";
    let reply = active_list(trial).await?;
    trial.equal(&reply, what, &counts(&reply, &ids), json!([2, 1, 0]))?;
    let body = json!({ "providerId": "ses", "channel": "email", "active": true });
    ids.push(text(&made(trial, "ses", body).await?["_id"]));
    let reply = active_list(trial).await?;
    trial.equal(&reply, what, &counts(&reply, &ids), json!([2, 1, 1]))
}

async fn decrypted(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment, _) = trial.environment().await?;
    let body = json!({ "providerId": "mailgun", "channel": "email",
        "credentials": { "apiKey": "123", "secretKey": "abc" }, "active": true });
    let id = text(&made(trial, "mailgun", body).await?["_id"]);
    let reply = active_list(trial).await?;
    let found = own(&reply, &[id]);
    trial.equal(
        &reply,
        "the case's active email integrations listed",
        &json!(found.len()),
        1,
    )?;
    fields_are(
        trial,
        &reply,
        "mailgun",
        found[0],
        &json!({ "providerId": "mailgun", "active": true, "channel": "email", "_environmentId": environment }),
    )?;
    fields_are(
        trial,
        &reply,
        "mailgun.credentials",
        &found[0]["credentials"],
        &json!({ "apiKey": "123", "secretKey": "abc" }),
    )
}

/// Novu's seeded integrations of every channel but in-app (an environment holds one in-app
/// integration), in both environments: all are listed, by channel.
async fn all_environments(trial: &Trial<'_>) -> Result<(), Stop> {
    let production = production(trial).await?;
    let (development, _) = trial.environment().await?;
    let seeded = [
        (
            "sendgrid",
            "email",
            json!({ "apiKey": "SG.123", "secretKey": "abc" }),
            1,
        ),
        (
            "twilio",
            "sms",
            json!({ "accountSid": "AC123", "token": "123" }),
            1,
        ),
        ("fcm", "push", json!({}), 1),
        ("slack", "chat", json!({}), 2),
    ];
    let mut ids = Vec::new();
    for (provider, channel, credentials, per_environment) in &seeded {
        for environment in [&development, &production] {
            for _ in 0..*per_environment {
                let body = json!({ "providerId": provider, "channel": channel, "credentials": credentials,
                    "active": true, "_environmentId": environment });
                ids.push(text(
                    &made(trial, &format!("{provider}-{}", ids.len()), body).await?["_id"],
                ));
            }
        }
    }
    let reply = listed(trial).await?;
    let found = own(&reply, &ids);
    trial.equal(
        &reply,
        "the case's integrations listed",
        &json!(found.len()),
        10,
    )?;
    for (_, channel, _, per_environment) in &seeded {
        let count = found
            .iter()
            .filter(|integration| integration["channel"] == json!(channel))
            .count();
        trial.equal(
            &reply,
            &format!("the case's {channel} integrations listed"),
            &json!(count),
            2 * per_environment,
        )?;
    }
    for email in found
        .iter()
        .filter(|integration| integration["channel"] == "email")
    {
        fields_are(
            trial,
            &reply,
            "email",
            email,
            &json!({ "providerId": "sendgrid", "active": true }),
        )?;
        fields_are(
            trial,
            &reply,
            "email.credentials",
            &email["credentials"],
            &json!({ "apiKey": "SG.123", "secretKey": "abc" }),
        )?;
    }
    Ok(())
}

async fn custom_smtp_listed(trial: &Trial<'_>) -> Result<(), Stop> {
    let body = json!({ "providerId": "nodemailer", "channel": "email", "credentials": smtp_credentials(), "active": true });
    let id = text(&made(trial, "smtp", body).await?["_id"]);
    let reply = active_list(trial).await?;
    let found = own(&reply, &[id]);
    trial.equal(
        &reply,
        "the case's active email integrations listed",
        &json!(found.len()),
        1,
    )?;
    trial.equal(&reply, "customSmtp.active", &found[0]["active"], true)?;
    fields_are(
        trial,
        &reply,
        "customSmtp.credentials",
        &found[0]["credentials"],
        &smtp_credentials(),
    )
}
