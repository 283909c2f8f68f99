//! Integrations: provider configurations per environment, soft-deleted. Email and SMS keep one
//! `primary` integration and a `priority` order among their active ones.

use rusqlite::{Transaction, params};
use serde_json::{Map, Value, json};

use super::Caller;
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// The channels that have a primary integration.
const CHANNELS_WITH_PRIMARY: [&str; 2] = ["email", "sms"];

/// Novu's own email and SMS providers, which send with the deployment's credentials rather
/// than the integration's.
const NOVU_PROVIDERS: [&str; 2] = ["novu-email", "novu-sms"];

/// Whether the deployment holds the credentials of Novu's own email and SMS providers
/// (`Config::novu_providers`): Novu lets an environment create them only then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NovuCredentials {
    /// Held: one integration of each per environment.
    Held,
    /// Not held: creating one is refused.
    Missing,
}

/// Novu's provider ids, every channel (`providers` of `@novu/shared`): a webhook-support
/// lookup by one of these is by provider, any other value is an integration `_id`.
const PROVIDER_IDS: &[&str] = &[
    // email
    "emailjs",
    "mailgun",
    "mailjet",
    "mandrill",
    "nodemailer",
    "postmark",
    "sendgrid",
    "sendinblue",
    "ses",
    "netcore",
    "infobip-email",
    "resend",
    "plunk",
    "mailersend",
    "mailtrap",
    "clickatell",
    "outlook365",
    "novu-email",
    "sparkpost",
    "email-webhook",
    "braze",
    // sms
    "nexmo",
    "plivo",
    "sms77",
    "sms-central",
    "sns",
    "telnyx",
    "twilio",
    "gupshup",
    "firetext",
    "infobip-sms",
    "burst-sms",
    "bulk-sms",
    "isend-sms",
    "forty-six-elks",
    "kannel",
    "maqsam",
    "termii",
    "africas-talking",
    "novu-sms",
    "sendchamp",
    "generic-sms",
    "clicksend",
    "bandwidth",
    "messagebird",
    "simpletexting",
    "azure-sms",
    "ring-central",
    "brevo-sms",
    "eazy-sms",
    "mobishastra",
    // chat
    "slack",
    "discord",
    "msteams",
    "mattermost",
    "ryver",
    "zulip",
    "grafana-on-call",
    "getstream",
    "rocket-chat",
    "whatsapp-business",
    // push
    "fcm",
    "apns",
    "expo",
    "one-signal",
    "pushpad",
    "push-webhook",
    "pusher-beams",
    // in-app
    "novu",
];

/// The display names of Novu's providers (`providers` of `@novu/shared`): an integration
/// created without a name is named after its provider's.
const DISPLAY_NAMES: [(&str, &str); 68] = [
    ("novu-email", "Novu Email"),
    ("mailgun", "Mailgun"),
    ("mailjet", "Mailjet"),
    ("mailtrap", "Mailtrap"),
    ("mandrill", "Mandrill"),
    ("postmark", "Postmark"),
    ("sendgrid", "SendGrid"),
    ("sendinblue", "Sendinblue"),
    ("ses", "SES"),
    ("netcore", "Netcore"),
    ("nodemailer", "Custom SMTP"),
    ("mailersend", "MailerSend"),
    ("outlook365", "Microsoft Outlook365"),
    ("infobip-email", "Infobip"),
    ("braze", "Braze"),
    ("resend", "Resend"),
    ("plunk", "Plunk"),
    ("sparkpost", "SparkPost"),
    ("email-webhook", "Email Webhook"),
    ("novu-sms", "Novu SMS"),
    ("nexmo", "Nexmo"),
    ("plivo", "Plivo"),
    ("sms77", "sms77"),
    ("sns", "SNS"),
    ("telnyx", "Telnyx"),
    ("messagebird", "MessageBird"),
    ("twilio", "Twilio"),
    ("gupshup", "Gupshup"),
    ("firetext", "Firetext"),
    ("infobip-sms", "Infobip"),
    ("burst-sms", "BurstSMS"),
    ("bulk-sms", "BulkSMS"),
    ("isend-sms", "iSend SMS"),
    ("clickatell", "clickatell"),
    ("forty-six-elks", "46elks"),
    ("kannel", "Kannel SMS"),
    ("maqsam", "Maqsam"),
    ("sms-central", "SMS Central"),
    ("termii", "Termii"),
    ("africas-talking", "Africa's Talking"),
    ("sendchamp", "Sendchamp"),
    ("generic-sms", "Generic SMS"),
    ("clicksend", "Clicksend"),
    ("simpletexting", "SimpleTexting"),
    ("bandwidth", "Bandwidth"),
    ("azure-sms", "Azure Sms"),
    ("ring-central", "RingCentral"),
    ("brevo-sms", "Brevo"),
    ("eazy-sms", "Eazy"),
    ("mobishastra", "Mobishastra"),
    ("slack", "Slack"),
    ("discord", "Discord"),
    ("grafana-on-call", "Grafana On Call Webhook"),
    ("msteams", "MSTeams"),
    ("mattermost", "Mattermost"),
    ("ryver", "Ryver"),
    ("zulip", "Zulip"),
    ("getstream", "GetStream"),
    ("rocket-chat", "Rocket.Chat"),
    ("whatsapp-business", "WhatsApp Business"),
    ("one-signal", "OneSignal"),
    ("pushpad", "Pushpad"),
    ("fcm", "Firebase Cloud Messaging"),
    ("expo", "Expo Push"),
    ("apns", "APNs"),
    ("push-webhook", "Push Webhook"),
    ("pusher-beams", "Pusher Beams"),
    ("novu", "Novu Inbox"),
];

/// Providers that report delivery events back by webhook.
const WEBHOOK_PROVIDERS: [&str; 12] = [
    "sendgrid",
    "mailgun",
    "mailjet",
    "postmark",
    "ses",
    "mandrill",
    "resend",
    "sparkpost",
    "brevo",
    "sendinblue",
    "twilio",
    "plivo",
];

/// Every integration of the organization, in every environment, oldest first (Novu lists
/// integrations by organization).
pub(crate) fn list(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    Ok(Value::Array(documents(
        transaction,
        "SELECT doc FROM integrations WHERE organization_id = ?1 AND deleted = 0 ORDER BY rowid",
        [&caller.organization_id],
    )?))
}

/// The active integrations of the organization, in every environment, oldest first.
pub(crate) fn list_active(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    Ok(Value::Array(documents(
        transaction,
        "SELECT doc FROM integrations WHERE organization_id = ?1 AND deleted = 0 AND active = 1 ORDER BY rowid",
        [&caller.organization_id],
    )?))
}

/// Creates an integration in the caller's environment (or the one `_environmentId` names).
/// Novu's own email and SMS providers need the deployment's `novu_credentials`, and an environment
/// holds one of each.
pub(crate) fn create(
    transaction: &Transaction,
    caller: &Caller,
    body: Value,
    novu_credentials: NovuCredentials,
) -> Outcome<Value> {
    let provider_id = body["providerId"].as_str().unwrap_or_default().to_owned();
    let channel = body["channel"].as_str().unwrap_or_default().to_owned();
    let environment_id = target_environment(caller, &body);
    if provider_id == "novu" && channel == "in_app" {
        let existing = first_document(
            transaction,
            "SELECT doc FROM integrations WHERE environment_id = ?1 AND provider_id = 'novu' AND deleted = 0",
            [&environment_id],
        )?;
        if existing.is_some_and(|integration| integration["channel"] == "in_app") {
            return Err(Failure::bad_request(
                "One environment can only have one In app provider",
            ));
        }
    }
    if NOVU_PROVIDERS.contains(&provider_id.as_str()) {
        if novu_credentials == NovuCredentials::Missing {
            return Err(Failure::bad_request(format!(
                "Creating Novu integration for {provider_id} provider is not allowed"
            )));
        }
        let existing: i64 = transaction.query_row(
            "SELECT COUNT(*) FROM integrations WHERE environment_id = ?1 AND provider_id = ?2 \
             AND deleted = 0 AND json_extract(doc, '$.channel') = ?3",
            params![environment_id, provider_id, channel],
            |row| row.get(0),
        )?;
        if existing > 0 {
            return Err(Failure::conflict(format!(
                "Integration with novu provider for {} channel already exists",
                channel.to_lowercase()
            )));
        }
    }
    let name = match body["name"].as_str() {
        Some(name) => name.to_owned(),
        None => DISPLAY_NAMES
            .iter()
            .find(|(id, _)| *id == provider_id)
            .map_or_else(|| capitalized(&provider_id), |(_, name)| (*name).to_owned()),
    };
    let identifier = match body["identifier"].as_str() {
        Some(identifier) => identifier.to_owned(),
        None => format!("{}-{}", ids::slugify(&name), ids::short_id()),
    };
    if identifier_taken(transaction, caller, &identifier, None)? {
        return Err(Failure::conflict(
            "Integration with identifier already exists",
        ));
    }
    let active = body["active"].as_bool().unwrap_or(false);
    let now = ids::now();
    let mut integration = json!({
        "_id": ids::object_id(),
        "_environmentId": environment_id,
        "_organizationId": caller.organization_id,
        "name": name,
        "identifier": identifier,
        "providerId": provider_id,
        "channel": channel,
        "credentials": credentials(&body),
        "active": active,
        "deleted": false,
        "primary": false,
        "priority": 0,
        "conditions": conditions(&body["conditions"]),
        "createdAt": now,
        "updatedAt": now,
    });
    if active && CHANNELS_WITH_PRIMARY.contains(&channel.as_str()) {
        place_new_active(transaction, &environment_id, &channel, &mut integration)?;
    }
    transaction.execute(
        "INSERT INTO integrations (id, environment_id, organization_id, provider_id, identifier, active, doc) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            integration["_id"].as_str(),
            environment_id,
            caller.organization_id,
            provider_id,
            identifier,
            active,
            integration.to_string()
        ],
    )?;
    let id = integration["_id"].as_str().unwrap_or_default().to_owned();
    find(transaction, caller, &id)?.ok_or_else(|| not_found(&id))
}

/// Novu's own email and SMS integrations of a new organization's environment, active and
/// primary, where the deployment holds their credentials (Novu's `CreateNovuIntegrations`,
/// which the organization's creation runs for each of its environments); none otherwise.
pub(crate) fn create_novu_integrations(
    transaction: &Transaction,
    environment: &Caller,
    credentials: NovuCredentials,
) -> Outcome<()> {
    if credentials == NovuCredentials::Missing {
        return Ok(());
    }
    for (provider_id, channel, name) in [
        ("novu-email", "email", "Novu Email"),
        ("novu-sms", "sms", "Novu SMS"),
    ] {
        let body =
            json!({ "providerId": provider_id, "channel": channel, "name": name, "active": true });
        let created = create(transaction, environment, body, credentials)?;
        set_primary(
            transaction,
            environment,
            created["_id"].as_str().unwrap_or_default(),
        )?;
    }
    Ok(())
}

/// Where a new active integration of a channel with a primary goes, as Novu's create decides
/// it from the channel's highest-priority active integration: under a primary one (which moves
/// one up, so it stays on top), or else on top as the new primary.
fn place_new_active(
    transaction: &Transaction,
    environment_id: &str,
    channel: &str,
    integration: &mut Value,
) -> Outcome<()> {
    let highest = active_in_channel(transaction, environment_id, channel)?
        .into_iter()
        .max_by_key(|other| other["priority"].as_i64().unwrap_or(0));
    match highest {
        Some(mut primary) if primary["primary"] == true => {
            let priority = primary["priority"].as_i64().unwrap_or(0);
            integration["priority"] = json!(priority);
            primary["priority"] = json!(priority + 1);
            save(transaction, &primary)?;
        }
        highest => {
            let below = highest.map_or(0, |other| other["priority"].as_i64().unwrap_or(0));
            integration["priority"] = json!(below + 1);
            integration["primary"] = json!(true);
        }
    }
    Ok(())
}

/// Whether the provider (named by provider id or by an integration `_id`) reports delivery
/// events back by webhook, as Novu's `GetWebhookSupportStatus` decides it: a known provider id
/// names the environment's first integration of that provider that has a `credentials`
/// object, anything else an integration `_id` in the environment; the integration must exist
/// (404), have credentials (400) and be an email or SMS integration (400).
pub(crate) fn webhook_status(
    transaction: &Transaction,
    caller: &Caller,
    provider_or_integration_id: &str,
) -> Outcome<Value> {
    let query = if PROVIDER_IDS.contains(&provider_or_integration_id) {
        "SELECT doc FROM integrations WHERE environment_id = ?1 AND provider_id = ?2 AND deleted = 0 \
         AND json_type(doc, '$.credentials') IS NOT NULL ORDER BY rowid"
    } else {
        "SELECT doc FROM integrations WHERE environment_id = ?1 AND id = ?2 AND deleted = 0"
    };
    let integration = first_document(
        transaction,
        query,
        params![caller.environment_id, provider_or_integration_id],
    )?
    .ok_or_else(|| {
        Failure::not_found(format!(
            "Integration for {provider_or_integration_id} was not found"
        ))
    })?;
    let text = |key: &str| integration[key].as_str().unwrap_or_default();
    let has_credentials = integration["credentials"]
        .as_object()
        .is_some_and(|credentials| !credentials.is_empty());
    if !has_credentials {
        return Err(Failure::bad_request(format!(
            "Integration {} doesn't have credentials set up",
            text("_id")
        )));
    }
    let (provider_id, channel) = (text("providerId"), text("channel"));
    if !["email", "sms"].contains(&channel) {
        return Err(Failure::bad_request(format!(
            "Webhook for {provider_id}-{channel} is not supported yet"
        )));
    }
    Ok(json!(WEBHOOK_PROVIDERS.contains(&provider_id)))
}

/// Applies the fields present in the raw body; `conditions: []` clears the conditions.
pub(crate) fn update(
    transaction: &Transaction,
    caller: &Caller,
    id: &str,
    body: Value,
) -> Outcome<Value> {
    let mut integration = find(transaction, caller, id)?.ok_or_else(|| not_found(id))?;
    let fields = body.as_object().cloned().unwrap_or_default();
    // Novu reads these fields by truthiness: an empty name or identifier updates nothing, as
    // the contract's `x-empty: absent` says.
    let given = |key: &str| {
        fields
            .get(key)
            .filter(|value| !value.is_null() && value.as_str() != Some(""))
    };
    let updatable = [
        "name",
        "identifier",
        "_environmentId",
        "active",
        "credentials",
        "removeNovuBranding",
        "conditions",
    ];
    if !updatable.iter().any(|key| given(key).is_some()) {
        return Err(Failure::bad_request("No properties found for update"));
    }
    let previous_environment = integration["_environmentId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let channel = integration["channel"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let was_active = integration["active"].as_bool().unwrap_or(false);
    if let Some(identifier) = given("identifier").and_then(Value::as_str) {
        if identifier != integration["identifier"]
            && identifier_taken(transaction, caller, identifier, Some(id))?
        {
            return Err(Failure::conflict(
                "Integration with identifier already exists",
            ));
        }
        integration["identifier"] = json!(identifier);
    }
    if let Some(name) = given("name").and_then(Value::as_str) {
        integration["name"] = json!(name);
    }
    if given("_environmentId").is_some() {
        integration["_environmentId"] = json!(target_environment(caller, &body));
    }
    if given("credentials").is_some() {
        integration["credentials"] = credentials(&body);
    }
    if let Some(remove) = given("removeNovuBranding").and_then(Value::as_bool) {
        integration["removeNovuBranding"] = json!(remove);
    }
    if let Some(conditions_given) = given("conditions") {
        let conditions = conditions(conditions_given);
        if conditions.as_array().is_some_and(|all| !all.is_empty()) {
            integration["primary"] = json!(false);
        }
        integration["conditions"] = conditions;
    }
    let with_primary = CHANNELS_WITH_PRIMARY.contains(&channel.as_str());
    let environment_id = integration["_environmentId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut activated = false;
    if let Some(active) = given("active").and_then(Value::as_bool) {
        integration["active"] = json!(active);
        if active && !was_active && with_primary {
            // Novu ranks an integration turned on like a new one but leaves its primary flag
            // as it was, and renumbers nothing else.
            activated = true;
            let primary = integration["primary"].clone();
            place_new_active(transaction, &environment_id, &channel, &mut integration)?;
            integration["primary"] = primary;
        }
        if !active {
            integration["primary"] = json!(false);
            integration["priority"] = json!(0);
        }
    }
    integration["updatedAt"] = json!(ids::now());
    save(transaction, &integration)?;
    if with_primary {
        if !activated {
            recalculate_priorities(transaction, &environment_id, &channel)?;
        }
        if previous_environment != environment_id {
            recalculate_priorities(transaction, &previous_environment, &channel)?;
        }
    }
    find(transaction, caller, id)?.ok_or_else(|| not_found(id))
}

/// Soft-deletes the integration and answers the environment's remaining integrations.
pub(crate) fn delete(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Value> {
    let mut integration = find(transaction, caller, id)?
        .ok_or_else(|| Failure::not_found(format!("Entity with id {id} not found")))?;
    integration["deleted"] = json!(true);
    integration["deletedAt"] = json!(ids::now());
    integration["primary"] = json!(false);
    integration["active"] = json!(false);
    integration["priority"] = json!(0);
    save(transaction, &integration)?;
    transaction.execute("UPDATE integrations SET deleted = 1 WHERE id = ?1", [id])?;
    let environment_id = integration["_environmentId"].as_str().unwrap_or_default();
    let channel = integration["channel"].as_str().unwrap_or_default();
    if CHANNELS_WITH_PRIMARY.contains(&channel) {
        recalculate_priorities(transaction, environment_id, channel)?;
    }
    // Unlike the lists, Novu answers a delete with the caller's environment's integrations.
    Ok(Value::Array(in_environment(
        transaction,
        &caller.environment_id,
    )?))
}

/// Makes the integration the active primary one of its channel in its environment.
pub(crate) fn set_primary(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Value> {
    let mut integration = find(transaction, caller, id)?
        .ok_or_else(|| Failure::not_found(format!("Integration with id {id} not found")))?;
    let channel = integration["channel"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if !CHANNELS_WITH_PRIMARY.contains(&channel.as_str()) {
        return Err(Failure::bad_request(format!(
            "Channel {channel} does not support primary"
        )));
    }
    if integration["primary"] == true {
        return Ok(integration);
    }
    let environment_id = integration["_environmentId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for mut other in active_in_channel(transaction, &environment_id, &channel)? {
        if other["primary"] == true {
            other["primary"] = json!(false);
            save(transaction, &other)?;
        }
    }
    integration["primary"] = json!(true);
    integration["active"] = json!(true);
    // A primary integration is chosen without conditions: Novu clears them.
    integration["conditions"] = json!([]);
    integration["updatedAt"] = json!(ids::now());
    save(transaction, &integration)?;
    recalculate_priorities(transaction, &environment_id, &channel)?;
    find(transaction, caller, id)?.ok_or_else(|| not_found(id))
}

/// Renumbers the channel's active integrations: the primary one highest, then by their
/// previous priority, then oldest first; inactive ones get 0.
fn recalculate_priorities(
    transaction: &Transaction,
    environment_id: &str,
    channel: &str,
) -> Outcome<()> {
    let mut active = active_in_channel(transaction, environment_id, channel)?;
    // Newly activated integrations (priority 0) go below the ones already ordered.
    active.sort_by_key(|integration| {
        (
            integration["primary"] != true,
            -integration["priority"].as_i64().unwrap_or(0),
        )
    });
    let count = active.len() as i64;
    for (index, mut integration) in active.into_iter().enumerate() {
        let priority = count - index as i64;
        if integration["priority"] != priority {
            integration["priority"] = json!(priority);
            save(transaction, &integration)?;
        }
    }
    Ok(())
}

fn active_in_channel(
    transaction: &Transaction,
    environment_id: &str,
    channel: &str,
) -> Outcome<Vec<Value>> {
    Ok(documents(
        transaction,
        "SELECT doc FROM integrations WHERE environment_id = ?1 AND active = 1 AND deleted = 0 ORDER BY rowid",
        [environment_id],
    )?
    .into_iter()
    .filter(|integration| integration["channel"] == channel)
    .collect())
}

fn in_environment(transaction: &Transaction, environment_id: &str) -> Outcome<Vec<Value>> {
    documents(
        transaction,
        "SELECT doc FROM integrations WHERE environment_id = ?1 AND deleted = 0 ORDER BY rowid",
        [environment_id],
    )
}

/// The integration with `_id` in the caller's organization, unless deleted.
fn find(transaction: &Transaction, caller: &Caller, id: &str) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM integrations WHERE id = ?1 AND organization_id = ?2 AND deleted = 0",
        params![id, caller.organization_id],
    )
}

fn save(transaction: &Transaction, integration: &Value) -> Outcome<()> {
    transaction.execute(
        "UPDATE integrations SET environment_id = ?2, identifier = ?3, active = ?4, doc = ?5 WHERE id = ?1",
        params![
            integration["_id"].as_str(),
            integration["_environmentId"].as_str(),
            integration["identifier"].as_str(),
            integration["active"].as_bool().unwrap_or(false),
            integration.to_string()
        ],
    )?;
    Ok(())
}

fn identifier_taken(
    transaction: &Transaction,
    caller: &Caller,
    identifier: &str,
    except: Option<&str>,
) -> Outcome<bool> {
    let count: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM integrations WHERE organization_id = ?1 AND identifier = ?2 AND deleted = 0 AND id != ?3",
        params![caller.organization_id, identifier, except.unwrap_or_default()],
        |row| row.get(0),
    )?;
    Ok(count > 0)
}

/// The environment an integration is written to: the caller's, or the `_environmentId` the body
/// names, which Novu stores as given without looking it up.
fn target_environment(caller: &Caller, body: &Value) -> String {
    match body["_environmentId"].as_str() {
        Some(requested) => requested.to_owned(),
        None => caller.environment_id.clone(),
    }
}

fn credentials(body: &Value) -> Value {
    match body.get("credentials") {
        Some(Value::Object(credentials)) => Value::Object(credentials.clone()),
        _ => json!({}),
    }
}

/// Integration conditions keep only `on`, `field`, `operator` and `value` of each part.
fn conditions(given: &Value) -> Value {
    let Some(filters) = given.as_array() else {
        return json!([]);
    };
    Value::Array(
        filters
            .iter()
            .map(|filter| {
                let mut filter = filter.clone();
                if let Some(children) = filter.get_mut("children").and_then(Value::as_array_mut) {
                    for child in children.iter_mut() {
                        let kept: Map<String, Value> = child
                            .as_object()
                            .map(|part| {
                                part.iter()
                                    .filter(|(key, _)| {
                                        ["on", "field", "operator", "value"].contains(&key.as_str())
                                    })
                                    .map(|(key, value)| (key.clone(), value.clone()))
                                    .collect()
                            })
                            .unwrap_or_default();
                        *child = Value::Object(kept);
                    }
                }
                filter
            })
            .collect(),
    )
}

fn capitalized(provider_id: &str) -> String {
    let mut characters = provider_id.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

fn not_found(id: &str) -> Failure {
    Failure::not_found(format!("Entity with id {id} not found"))
}
