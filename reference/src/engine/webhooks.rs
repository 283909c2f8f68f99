//! Webhook conditions' outbound call: a POST of `{subscriber, payload, identifier, channel,
//! providerId}` signed with `nv-hmac-256`, made from inside the transaction with a short
//! timeout, and made again when it fails, as Novu's worker retries the job.

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

/// How many calls a webhook condition gets before it is in error: Novu queues a job whose step
/// has a webhook filter with three attempts (the original and two retries) and retries it
/// only when the webhook call threw. Novu waits a random time of up to 2^n seconds before
/// retry n; here the retry follows at once, as the call runs inside the trigger's transaction,
/// which must not sleep holding the write lock (and a random wait from zero is nothing a
/// client can count on).
const WEBHOOK_ATTEMPTS: u32 = 3;

/// The execution detail of a failed call that will be made again.
const RETRY_DETAIL: &str = "Webhook filter failed, retry will be executed";

/// The execution detail of the last failed call.
const LAST_RETRY_DETAIL: &str = "Failed to get response from remote webhook filter on last retry";

/// Why a webhook call gave no answer to compare.
enum Failure {
    /// No 2xx answer came back: Novu's HTTP client throws, and the job is retried.
    Call(String),
    /// A 2xx answer that is not JSON.
    Answer(String),
}

impl Run<'_> {
    /// Novu's webhook condition call: POSTs `{subscriber, payload, identifier, channel,
    /// providerId}` to `url`, signed with `nv-hmac-256` (the environment id keyed with its API
    /// key), and answers the JSON the webhook returned. A call without a 2xx answer is made
    /// again, [`WEBHOOK_ATTEMPTS`] calls in all, each failure recorded on `job`.
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
        let mut attempt = 1;
        loop {
            let reason = match post_webhook(url, &body, &signature) {
                Ok(answer) => return Ok(answer),
                Err(Failure::Answer(reason)) => return Err(reason),
                Err(Failure::Call(reason)) => reason,
            };
            let last = attempt == WEBHOOK_ATTEMPTS;
            let detail = if last {
                LAST_RETRY_DETAIL
            } else {
                RETRY_DETAIL
            };
            let raw =
                json!({ "message": format!("webhook `{url}`: {reason}"), "attempt": attempt });
            self.detail(
                transaction,
                job,
                detail,
                "Pending",
                Some(&raw.to_string()),
                None,
            )
            .map_err(|failure| failure.message().to_owned())?;
            if last {
                return Err(reason);
            }
            attempt += 1;
        }
    }
}

/// POSTs `body` to `url` and answers the JSON of a 2xx answer, or why there is none.
fn post_webhook(url: &str, body: &Value, signature: &str) -> Result<Value, Failure> {
    // Blocking, because conditions are evaluated on the store's blocking thread; the client
    // runs its own runtime, so it never waits on the server's.
    static CLIENT: std::sync::LazyLock<Result<reqwest::blocking::Client, String>> =
        std::sync::LazyLock::new(|| {
            reqwest::blocking::Client::builder()
                .timeout(WEBHOOK_TIMEOUT)
                .build()
                .map_err(|error| error.to_string())
        });
    let client = CLIENT
        .as_ref()
        .map_err(|error| Failure::Call(error.clone()))?;
    let response = client
        .post(url)
        .header("nv-hmac-256", signature)
        .json(body)
        .send()
        .map_err(|error| Failure::Call(format!("the call failed: {error}")))?;
    let status = response.status();
    if !status.is_success() {
        return Err(Failure::Call(format!("the webhook answered {status}")));
    }
    response
        .json::<Value>()
        .map_err(|error| Failure::Answer(format!("the answer is not JSON: {error}")))
}
