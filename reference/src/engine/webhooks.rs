//! Webhook conditions' outbound call: a POST of `{subscriber, payload, identifier, channel,
//! providerId}` signed with `nv-hmac-256`, made from inside the transaction with a short
//! timeout.

use rusqlite::Transaction;
use serde_json::{Value, json};

use super::conditions;
use super::messages::MESSAGE_CHANNELS;
use super::state::Run;
use crate::ids;
use crate::store::first_document;

/// How long a webhook condition may take to answer. The call runs inside the trigger's
/// transaction, which holds the database's write lock, so it must be short.
const WEBHOOK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

impl Run<'_> {
    /// Novu's webhook condition call: POSTs `{subscriber, payload, identifier, channel,
    /// providerId}` to `url`, signed with `nv-hmac-256` (the environment id keyed with its API
    /// key), and answers the JSON the webhook returned.
    pub(super) fn call_webhook(
        &self,
        transaction: &Transaction,
        url: &str,
        variables: &conditions::Variables,
        job: &Value,
    ) -> Result<Value, String> {
        let channel = job["type"].as_str().unwrap_or_default();
        let mut body = json!({
            "subscriber": variables.subscriber,
            "payload": variables.payload,
            "identifier": self.workflow["triggers"][0]["identifier"],
            "channel": channel,
        });
        if MESSAGE_CHANNELS.contains(&channel)
            && let Ok(Some(integration)) = self.integration(transaction, channel)
        {
            body["providerId"] = integration["providerId"].clone();
        }
        let environment = first_document(
            transaction,
            "SELECT doc FROM environments WHERE id = ?1",
            [&self.caller.environment_id],
        )
        .map_err(|failure| failure.message().to_owned())?
        .unwrap_or_default();
        let api_key = environment["apiKeys"][0]["key"]
            .as_str()
            .unwrap_or_default();
        let signature = ids::hmac_sha256_hex(api_key, &self.caller.environment_id);
        post_webhook(url, &body, &signature)
    }
}

/// POSTs `body` to `url` and answers the JSON of a 2xx answer, or why there is none.
fn post_webhook(url: &str, body: &Value, signature: &str) -> Result<Value, String> {
    // Blocking, because conditions are evaluated on the store's blocking thread; the client
    // runs its own runtime, so it never waits on the server's.
    static CLIENT: std::sync::LazyLock<Result<reqwest::blocking::Client, String>> =
        std::sync::LazyLock::new(|| {
            reqwest::blocking::Client::builder()
                .timeout(WEBHOOK_TIMEOUT)
                .build()
                .map_err(|error| error.to_string())
        });
    let client = CLIENT.as_ref().map_err(Clone::clone)?;
    let response = client
        .post(url)
        .header("nv-hmac-256", signature)
        .json(body)
        .send()
        .map_err(|error| format!("the call failed: {error}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the webhook answered {status}"));
    }
    response
        .json::<Value>()
        .map_err(|error| format!("the answer is not JSON: {error}"))
}
