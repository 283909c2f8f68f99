//! Push steps: unlike the other channels, a push step delivers through every push channel the
//! subscriber has configured (one per provider whose credentials it stored), each through its
//! own active integration, one message per integration carrying that channel's device tokens.
//!
//! A subscriber without push channels, a channel without device tokens, or a channel whose
//! integration is no longer active is recorded as an execution detail rather than failing the
//! job; when any of them happened, a closing detail says the notification had errors. The job
//! itself completes either way.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::render;
use super::state::{Run, Stop};
use crate::failure::Outcome;
use crate::store::{documents, first_document};

/// The push providers: a subscriber channel of one of them is a push channel.
const PUSH_PROVIDERS: [&str; 7] = [
    "fcm",
    "apns",
    "expo",
    "one-signal",
    "pushpad",
    "push-webhook",
    "pusher-beams",
];

/// The detail of a subscriber without any push channel.
const NO_CHANNEL: &str = "Subscriber does not have a configured channel";

/// The detail of a push channel whose credentials hold no device token.
const MISSING_DEVICE_TOKENS: &str =
    "Subscriber credentials is missing the tokens for sending a push notification message";

/// The detail of a push channel whose integration is not active (any more).
const NO_INTEGRATION: &str = "Subscriber does not have an active integration";

/// The detail closing a push step where some channel could not be delivered to.
const NOTIFICATION_ERROR: &str =
    "There was one or more errors when trying to execute the notification";

impl Run<'_> {
    /// Runs a push step for `subscriber` (its filters and preferences already passed): one
    /// message through each push channel that has device tokens and an active integration,
    /// and a detail for each that has not.
    pub(super) fn push(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        step: &Value,
        job: &mut Value,
        variables: &Value,
    ) -> Outcome<Result<Option<i64>, Stop>> {
        // The job names the channel's provider as the notification's jobs were made with: the
        // first active push integration of the environment, whichever the messages go through.
        if let Some(first) = first_document(
            transaction,
            "SELECT doc FROM integrations WHERE environment_id = ?1 AND active = 1 AND deleted = 0 \
             AND json_extract(doc, '$.channel') = 'push' ORDER BY rowid LIMIT 1",
            [&self.caller.environment_id],
        )? {
            job["providerId"] = first["providerId"].clone();
        }
        let template = self.template(transaction, step, variables, job);
        let mut rendered = json!({ "channel": "push" });
        if let Err(error) = render::render_message(template, variables, self.actor, &mut rendered) {
            return Ok(Err(Stop {
                raw: Some(error),
                ..Stop::new("failed", "Failed", "Message content could not be generated")
            }));
        }
        let channels: Vec<&Value> = subscriber["channels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|channel| {
                channel["providerId"]
                    .as_str()
                    .is_some_and(|provider| PUSH_PROVIDERS.contains(&provider))
            })
            .collect();
        job["status"] = json!("completed");
        if channels.is_empty() {
            self.detail(transaction, job, NO_CHANNEL, "Failed", None, None)?;
            self.detail(transaction, job, NOTIFICATION_ERROR, "Failed", None, None)?;
            return Ok(Ok(None));
        }
        let mut errors = 0;
        for channel in channels {
            let tokens = channel["credentials"]["deviceTokens"]
                .as_array()
                .filter(|tokens| !tokens.is_empty());
            if tokens.is_none() {
                // This detail names the channel's provider, not the job's.
                let mut for_channel = job.clone();
                for_channel["providerId"] = channel["providerId"].clone();
                let raw = channel.to_string();
                self.detail(
                    transaction,
                    &for_channel,
                    MISSING_DEVICE_TOKENS,
                    "Failed",
                    Some(&raw),
                    None,
                )?;
            }
            let integration = self.channel_integration(transaction, channel)?;
            if integration.is_none() {
                self.detail(transaction, job, NO_INTEGRATION, "Failed", None, None)?;
            }
            let (Some(tokens), Some(integration)) = (tokens, integration) else {
                errors += 1;
                continue;
            };
            let provider = integration["providerId"].as_str().unwrap_or_default();
            let raw = json!({
                "providerId": integration["providerId"],
                "identifier": integration["identifier"],
                "name": integration["name"],
                "_environmentId": integration["_environmentId"],
                "_id": integration["_id"],
            })
            .to_string();
            self.detail(
                transaction,
                job,
                "Integration instance selected",
                "Pending",
                Some(&raw),
                None,
            )?;
            // A trigger's overrides for the provider may name other device tokens.
            let tokens = self.overrides[provider]["deviceTokens"]
                .as_array()
                .unwrap_or(tokens)
                .clone();
            let mut message = self.message(subscriber, step, job, "push", &integration);
            for field in ["content", "title"] {
                if let Some(value) = rendered.get(field) {
                    message[field] = value.clone();
                }
            }
            message["deviceTokens"] = Value::Array(tokens.clone());
            self.store_as(
                transaction,
                subscriber,
                job,
                &message,
                &format!("Message created: {provider}"),
            )?;
            for token in &tokens {
                let raw = json!({ "deviceToken": token }).to_string();
                self.detail(
                    transaction,
                    job,
                    &format!("Message sent: {provider}"),
                    "Success",
                    Some(&raw),
                    message["_id"].as_str(),
                )?;
            }
        }
        if errors > 0 {
            self.detail(transaction, job, NOTIFICATION_ERROR, "Failed", None, None)?;
        }
        Ok(Ok(None))
    }

    /// The active integration a push `channel` of a subscriber delivers through: the one its
    /// credentials were stored for, of the channel's provider, newest first.
    fn channel_integration(
        &self,
        transaction: &Transaction,
        channel: &Value,
    ) -> Outcome<Option<Value>> {
        let found = documents(
            transaction,
            "SELECT doc FROM integrations WHERE environment_id = ?1 AND provider_id = ?2 \
             AND active = 1 AND deleted = 0 AND (?3 IS NULL OR id = ?3) ORDER BY rowid DESC",
            params![
                self.caller.environment_id,
                channel["providerId"].as_str(),
                channel["_integrationId"].as_str()
            ],
        )?;
        Ok(found
            .into_iter()
            .find(|integration| integration["channel"] == "push"))
    }
}
