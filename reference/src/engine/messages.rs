//! The message a channel step sends: its document, its address (the subscriber's email, phone
//! or the provider's channel credentials) and, once rendered, the stored message with its
//! `Message created` and `Message sent` execution details.
//!
//! Nothing leaves the machine: a message of an outside channel is recorded as `sent` through
//! the integration that would have carried it.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::state::{Run, Stop};
use crate::failure::Outcome;
use crate::ids;

/// The channels that create messages.
pub(super) const MESSAGE_CHANNELS: &[&str] = &["in_app", "email", "sms", "chat", "push"];

impl Run<'_> {
    /// The message of `channel` that `job` sends to `subscriber` through `integration`, before
    /// it is addressed and rendered.
    pub(super) fn message(
        &self,
        subscriber: &Value,
        step: &Value,
        job: &Value,
        channel: &str,
        integration: &Value,
    ) -> Value {
        json!({
            "_id": ids::object_id(),
            "_templateId": self.workflow["_id"],
            "_environmentId": self.caller.environment_id,
            "_messageTemplateId": step["_templateId"],
            "_organizationId": self.caller.organization_id,
            "_notificationId": job["_notificationId"],
            "_jobId": job["_id"],
            "_subscriberId": subscriber["_id"],
            "templateIdentifier": self.workflow["triggers"][0]["identifier"],
            "transactionId": self.transaction_id,
            "channel": channel,
            "providerId": integration["providerId"],
            "read": false,
            "seen": false,
            "deleted": false,
            "status": "sent",
            "payload": message_payload(&self.payload, channel),
            "overrides": self.overrides,
            "createdAt": ids::now(),
            "updatedAt": ids::now(),
        })
    }

    /// Stores the rendered `message` and records it as created and sent.
    pub(super) fn send(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        job: &Value,
        message: &Value,
    ) -> Outcome<()> {
        transaction.execute(
            "INSERT INTO messages (id, environment_id, subscriber_id, transaction_id, channel, created_at, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                message["_id"].as_str(),
                self.caller.environment_id,
                subscriber["_id"].as_str(),
                self.transaction_id,
                message["channel"].as_str(),
                message["createdAt"].as_str(),
                message.to_string()
            ],
        )?;
        let message_id = message["_id"].as_str();
        self.detail(
            transaction,
            job,
            "Message created",
            "Pending",
            None,
            message_id,
        )?;
        self.detail(
            transaction,
            job,
            "Message sent",
            "Success",
            None,
            message_id,
        )?;
        Ok(())
    }
}

/// The payload an in-app, email or push message keeps: the trigger's, without its
/// attachments (Novu's senders delete them from the payload they store).
fn message_payload(payload: &Value, channel: &str) -> Value {
    let mut payload = payload.clone();
    if ["in_app", "email", "push"].contains(&channel)
        && let Some(fields) = payload.as_object_mut()
    {
        fields.remove("attachments");
    }
    payload
}

/// Addresses `message` to `subscriber`: email and sms need an address (for email the payload's
/// `email` first, as Novu's email sender takes it over the subscriber's), chat and push usable
/// credentials for the integration's provider. A subscriber without them stops the step.
pub(super) fn address(
    message: &mut Value,
    subscriber: &Value,
    integration: &Value,
    channel: &str,
) -> Result<(), Stop> {
    let given_email = message["payload"]["email"]
        .as_str()
        .filter(|email| !email.is_empty())
        .map(str::to_owned);
    match channel {
        "email" => match given_email.as_deref().or_else(|| {
            subscriber["email"]
                .as_str()
                .filter(|email| !email.is_empty())
        }) {
            Some(email) => message["email"] = json!(email),
            None => {
                return Err(Stop::new(
                    "failed",
                    "Failed",
                    "Subscriber does not have an email address",
                ));
            }
        },
        "sms" => match subscriber["phone"]
            .as_str()
            .filter(|phone| !phone.is_empty())
        {
            Some(phone) => message["phone"] = json!(phone),
            None => {
                return Err(Stop::new(
                    "failed",
                    "Failed",
                    "Subscriber does not have a phone number",
                ));
            }
        },
        "chat" | "push" => {
            let credentials = subscriber["channels"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|channel| channel["providerId"] == integration["providerId"])
                .map(|channel| channel["credentials"].clone());
            let usable = match (channel, &credentials) {
                ("chat", Some(credentials)) => credentials["webhookUrl"].is_string(),
                (_, Some(credentials)) => credentials["deviceTokens"]
                    .as_array()
                    .is_some_and(|tokens| !tokens.is_empty()),
                _ => false,
            };
            if !usable {
                return Err(Stop::new(
                    "failed",
                    "Failed",
                    "Subscriber does not have active channel credentials for this provider",
                ));
            }
            let credentials = credentials.unwrap_or_default();
            if channel == "chat" {
                message["directWebhookUrl"] = credentials["webhookUrl"].clone();
            } else {
                message["deviceTokens"] = credentials["deviceTokens"].clone();
            }
        }
        _ => {}
    }
    Ok(())
}
