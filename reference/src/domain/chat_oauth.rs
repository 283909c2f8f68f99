//! The public chat OAuth endpoints a subscriber's browser opens: no API key, the environment
//! named by `environmentId`, an optional HMAC of the subscriber id.
//!
//! Nothing leaves the machine, so the callback does not exchange the provider's code for a
//! webhook URL: it stores the code itself as the subscriber's `webhookUrl` credential.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::{Caller, subscribers};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::first_document;

/// Where Novu sends the browser for every chat provider.
const SLACK_AUTHORIZE_URL: &str = "https://slack.com/oauth/v2/authorize?";

/// The page the callback answers: it closes the tab the flow ran in.
const CLOSE_TAB_PAGE: &str = "<script>window.close();</script>";

/// Who a chat OAuth request is for.
pub(crate) struct OauthTarget {
    pub environment_id: String,
    pub subscriber_id: String,
    pub provider_id: String,
    pub hmac_hash: Option<String>,
    pub integration_identifier: Option<String>,
}

/// The provider's authorization URL, whose `redirect_uri` returns to the callback under
/// `api_root_url`.
pub(crate) fn authorize_url(
    transaction: &Transaction,
    target: &OauthTarget,
    api_root_url: &str,
) -> Outcome<String> {
    let credentials = integration_credentials(transaction, target)?;
    // Novu's store drops an empty object, so an integration saved with `credentials: {}` has
    // none when the flow reads it.
    if credentials
        .as_object()
        .is_none_or(|fields| fields.is_empty())
    {
        return Err(Failure::not_found(format!(
            "Integration in environment {} missing credentials, channel: chat, providerId: {}",
            target.environment_id, target.provider_id
        )));
    }
    let client_id = credentials["clientId"]
        .as_str()
        .filter(|client_id| !client_id.is_empty())
        .ok_or_else(|| {
            Failure::not_found(format!(
                "Integration in environment {} missing clientId, channel: chat, providerId: {}",
                target.environment_id, target.provider_id
            ))
        })?;
    check_hmac(transaction, target, &credentials)?;
    // Novu names Slack in the redirect whatever the provider.
    let mut redirect_uri = format!(
        "{api_root_url}/v1/subscribers/{}/credentials/slack/oauth/callback?environmentId={}",
        target.subscriber_id, target.environment_id
    );
    if let Some(identifier) = &target.integration_identifier {
        redirect_uri = format!("{redirect_uri}&integrationIdentifier={identifier}");
    }
    Ok(format!(
        "{SLACK_AUTHORIZE_URL}client_id={client_id}&scope=incoming-webhook&user_scope=&redirect_uri={}",
        encode_uri_component(&redirect_uri)
    ))
}

/// Creates the subscriber when missing and stores `code` as its webhook credential for the
/// provider; answers the page that closes the tab.
pub(crate) fn callback(
    transaction: &Transaction,
    target: &OauthTarget,
    code: &str,
) -> Outcome<String> {
    if code.is_empty() {
        return Err(Failure::bad_request("code should not be empty"));
    }
    let credentials = integration_credentials(transaction, target)?;
    let organization_id: Option<String> = first_document(
        transaction,
        "SELECT json_object('id', organization_id) FROM environments WHERE id = ?1",
        [&target.environment_id],
    )?
    .and_then(|row| row["id"].as_str().map(str::to_owned));
    let organization_id = organization_id.ok_or_else(|| {
        Failure::not_found(format!(
            "Environment ID: {} not found",
            target.environment_id
        ))
    })?;
    check_hmac(transaction, target, &credentials)?;
    let caller = Caller {
        organization_id,
        environment_id: target.environment_id.clone(),
    };
    if subscribers::find(transaction, &caller, &target.subscriber_id)?.is_none() {
        subscribers::create(
            transaction,
            &caller,
            json!({ "subscriberId": target.subscriber_id }),
        )?;
    }
    let mut channel = json!({
        "providerId": target.provider_id,
        "credentials": { "webhookUrl": code, "channel": target.provider_id },
    });
    if let Some(identifier) = &target.integration_identifier {
        channel["integrationIdentifier"] = json!(identifier);
    }
    subscribers::update_credentials(
        transaction,
        &caller,
        &target.subscriber_id,
        channel,
        subscribers::Mode::Append,
    )?;
    Ok(CLOSE_TAB_PAGE.to_owned())
}

/// The credentials of the environment's newest chat integration of the provider (and
/// identifier, when given). Novu does not ask for it to be active. Novu's ChatOauth and
/// ChatOauthCallback answer a missing integration, clientId or environment with 404
/// (`NotFoundException`).
fn integration_credentials(transaction: &Transaction, target: &OauthTarget) -> Outcome<Value> {
    let integration = first_document(
        transaction,
        "SELECT doc FROM integrations WHERE environment_id = ?1 AND provider_id = ?2 AND deleted = 0 \
         AND json_extract(doc, '$.channel') = 'chat' AND (?3 IS NULL OR identifier = ?3) \
         ORDER BY rowid DESC LIMIT 1",
        params![
            target.environment_id,
            target.provider_id,
            target.integration_identifier
        ],
    )?
    .ok_or_else(|| {
        Failure::not_found(format!(
            "Integration in environment {} was not found, channel: chat, providerId: {}",
            target.environment_id, target.provider_id
        ))
    })?;
    Ok(integration["credentials"].clone())
}

/// With `hmac` on in the integration's credentials, `hmacHash` must be the HMAC of the
/// subscriber id keyed with the environment's API key.
fn check_hmac(transaction: &Transaction, target: &OauthTarget, credentials: &Value) -> Outcome<()> {
    if credentials["hmac"] != true {
        return Ok(());
    }
    let Some(given) = target.hmac_hash.as_deref().filter(|hash| !hash.is_empty()) else {
        return Err(Failure::bad_request(
            "Hmac is enabled on the integration, please provide a HMAC hash on the request params",
        ));
    };
    let environment = first_document(
        transaction,
        "SELECT doc FROM environments WHERE id = ?1",
        [&target.environment_id],
    )?
    .ok_or_else(|| {
        Failure::not_found(format!(
            "Environment ID: {} not found",
            target.environment_id
        ))
    })?;
    let api_key = environment["apiKeys"][0]["key"]
        .as_str()
        .unwrap_or_default();
    if ids::hmac_sha256_hex(api_key, &target.subscriber_id) != given {
        return Err(Failure::bad_request(
            "Hmac is enabled on the integration, please provide a valid HMAC hash",
        ));
    }
    Ok(())
}

/// JavaScript's `encodeURIComponent`.
fn encode_uri_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}
