//! Cases ported from Novu's `subscribers/e2e/chat-oauth.e2e.ts` and
//! `chat-oauth-callback.e2e.ts`: the public endpoints of a chat provider's OAuth flow refuse a
//! request when the environment's newest Slack integration cannot serve it.
//!
//! Novu's tests change the session's Slack integration in the repository; here each case
//! creates its own Slack integration with those credentials, the newest of the environment,
//! which is the one Novu's flow reads.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::{Ported, Trial};
use crate::checks::semantic::sandbox::Stop;

const OAUTH: &str = "subscribers/e2e/chat-oauth.e2e.ts";
const CALLBACK: &str = "subscribers/e2e/chat-oauth-callback.e2e.ts";

/// Which endpoint of the flow a case calls.
#[derive(Clone, Copy)]
enum Endpoint {
    Start,
    Callback,
}

/// What `hmacHash` a case sends.
#[derive(Clone, Copy)]
enum Hash {
    None,
    Tampered,
}

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(
        OAUTH,
        "should throw exception on missing credentials",
        "subscriber_chat_oauth",
        |t| {
            Box::pin(refused(
                t,
                Endpoint::Start,
                json!({}),
                false,
                Hash::None,
                "missing credentials",
            ))
        },
    ),
    Ported::new(
        OAUTH,
        "should throw exception om missing client id",
        "subscriber_chat_oauth",
        |t| {
            Box::pin(refused(
                t,
                Endpoint::Start,
                json!({ "apiKey": "123" }),
                false,
                Hash::None,
                "missing clientId",
            ))
        },
    ),
    Ported::new(
        OAUTH,
        "should throw an exception when looking for integration with invalid environmentId",
        "subscriber_chat_oauth",
        |t| {
            Box::pin(refused(
                t,
                Endpoint::Start,
                json!({ "clientId": "123" }),
                true,
                Hash::None,
                "was not found",
            ))
        },
    ),
    Ported::new(
        OAUTH,
        "should throw an exception with missing hmacHash (enabled hmac)",
        "subscriber_chat_oauth",
        |t| {
            Box::pin(refused(
                t,
                Endpoint::Start,
                json!({ "clientId": "123", "hmac": true }),
                false,
                Hash::None,
                MISSING_HASH,
            ))
        },
    ),
    Ported::new(
        OAUTH,
        "should throw exception on invalid hashHmac (hmac enabled)",
        "subscriber_chat_oauth",
        |t| {
            Box::pin(refused(
                t,
                Endpoint::Start,
                json!({ "clientId": "123", "hmac": true }),
                false,
                Hash::Tampered,
                INVALID_HASH,
            ))
        },
    ),
    Ported::new(
        CALLBACK,
        "should throw an exception when looking for integration with invalid environmentId",
        "subscriber_chat_oauth_callback",
        |t| {
            Box::pin(refused(
                t,
                Endpoint::Callback,
                json!({ "clientId": "123" }),
                true,
                Hash::None,
                "was not found",
            ))
        },
    ),
    Ported::new(
        CALLBACK,
        "should throw an exception with missing hmacHash (enabled hmac)",
        "subscriber_chat_oauth_callback",
        |t| {
            Box::pin(refused(
                t,
                Endpoint::Callback,
                json!({ "clientId": "123", "hmac": true }),
                false,
                Hash::None,
                MISSING_HASH,
            ))
        },
    ),
    Ported::new(
        CALLBACK,
        "should throw exception on invalid hashHmac (hmac enabled)",
        "subscriber_chat_oauth_callback",
        |t| {
            Box::pin(refused(
                t,
                Endpoint::Callback,
                json!({ "clientId": "123", "hmac": true }),
                false,
                Hash::Tampered,
                INVALID_HASH,
            ))
        },
    ),
];

const MISSING_HASH: &str =
    "Hmac is enabled on the integration, please provide a HMAC hash on the request params";
const INVALID_HASH: &str = "Hmac is enabled on the integration, please provide a valid HMAC hash";

/// Creates a Slack integration with `credentials`, calls `endpoint` for subscriber `123` of
/// the case (in an environment that does not exist when `elsewhere`), and expects the error
/// whose message is `error`, or (for the shorter forms) ends with the integration error
/// `error` names.
async fn refused(
    trial: &Trial<'_>,
    endpoint: Endpoint,
    credentials: Value,
    elsewhere: bool,
    hash: Hash,
    error: &str,
) -> Result<(), Stop> {
    let integration = trial
        .setup(
            "a Slack integration is created",
            "integrations_create",
            &[],
            Some(json!({
                "providerId": "slack", "channel": "chat", "active": true,
                "name": trial.name("slack"), "credentials": credentials,
            })),
        )
        .await?;
    let id = integration["_id"].as_str().unwrap_or_default().to_owned();
    trial.created("integrations_delete", &[("integrationId", &id)]);
    let (environment, _) = trial.environment().await?;
    let environment = if elsewhere {
        // An ObjectId no environment has.
        format!("{:0>24x}", trial.number_in_run())
    } else {
        environment
    };
    let subscriber = trial.name("123");
    trial.created("subscribers_delete", &[("subscriberId", &subscriber)]);
    let hash = match hash {
        Hash::None => None,
        Hash::Tampered => {
            let mut mac = Hmac::<Sha256>::new_from_slice(trial.api_key().as_bytes())
                .expect("HMAC takes a key of any length");
            mac.update(subscriber.as_bytes());
            let digest: String = mac
                .finalize()
                .into_bytes()
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            Some(format!("{digest}007"))
        }
    };
    let mut query = vec![("environmentId", environment.as_str())];
    if let Some(hash) = &hash {
        query.push(("hmacHash", hash.as_str()));
    }
    let operation = match endpoint {
        Endpoint::Start => "subscriber_chat_oauth",
        Endpoint::Callback => {
            query.insert(0, ("code", "code_123"));
            "subscriber_chat_oauth_callback"
        }
    };
    let reply = trial
        .call(
            operation,
            &[("subscriberId", &subscriber), ("providerId", "slack")],
            &query,
            None,
        )
        .await?;
    let message = match &reply.body["message"] {
        Value::Array(messages) => messages.first().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let expected = match error {
        "missing credentials" | "missing clientId" | "was not found" => format!(
            "Integration in environment {environment} {error}, channel: chat, providerId: slack"
        ),
        whole => whole.to_owned(),
    };
    trial.equal(&reply, "message", &message, expected)
}
