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
        self.store(transaction, subscriber, job, message)?;
        self.detail(
            transaction,
            job,
            "Message sent",
            "Success",
            None,
            message["_id"].as_str(),
        )
    }

    /// Stores the rendered `message` and records it as created.
    pub(super) fn store(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        job: &Value,
        message: &Value,
    ) -> Outcome<()> {
        self.store_as(transaction, subscriber, job, message, "Message created")
    }

    /// Stores the rendered `message` and records it as created with `detail`.
    pub(super) fn store_as(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        job: &Value,
        message: &Value,
        detail: &str,
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
        self.detail(
            transaction,
            job,
            detail,
            "Pending",
            None,
            message["_id"].as_str(),
        )
    }
}

/// Whether a message of `channel` is stored even when the subscriber has no address for it:
/// Novu's email and SMS senders create the message first and then mark it with the error.
pub(super) fn kept_unaddressed(channel: &str) -> bool {
    channel == "email" || channel == "sms"
}

/// Marks `message` of `channel` as not sent for want of an address, as Novu's senders do.
pub(super) fn mark_unaddressed(message: &mut Value, channel: &str) {
    let (error_id, error_text) = match channel {
        "sms" => (
            "no_subscriber_phone",
            "Subscriber does not have active phone",
        ),
        _ => (
            "mail_unexpected_error",
            "Subscriber does not have an email address",
        ),
    };
    message["status"] = json!("warning");
    message["errorId"] = json!(error_id);
    message["errorText"] = json!(error_text);
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

/// Addresses `message` to `subscriber`: email and sms need an address (the payload's `email`
/// or `phone` first, as Novu's senders take it over the subscriber's), chat the provider's
/// webhook URL (a push step addresses each push channel itself, [`super::push`]). A
/// subscriber without them stops the step.
pub(super) fn address(
    message: &mut Value,
    subscriber: &Value,
    integration: &Value,
    channel: &str,
) -> Result<(), Stop> {
    let given = |field: &str| {
        message["payload"][field]
            .as_str()
            .filter(|address| !address.is_empty())
            .map(str::to_owned)
    };
    let (given_email, given_phone) = (given("email"), given("phone"));
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
        "sms" => match given_phone.as_deref().or_else(|| {
            subscriber["phone"]
                .as_str()
                .filter(|phone| !phone.is_empty())
        }) {
            Some(phone) => message["phone"] = json!(phone),
            None => {
                return Err(Stop::new(
                    "failed",
                    "Failed",
                    "Subscriber does not have a phone number",
                ));
            }
        },
        "chat" => {
            let credentials = subscriber["channels"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|channel| channel["providerId"] == integration["providerId"])
                .map(|channel| channel["credentials"].clone());
            let Some(webhook_url) = credentials
                .as_ref()
                .map(|credentials| &credentials["webhookUrl"])
                .filter(|url| url.is_string())
            else {
                return Err(Stop::new(
                    "failed",
                    "Failed",
                    "Subscriber does not have active channel credentials for this provider",
                ));
            };
            message["directWebhookUrl"] = webhook_url.clone();
        }
        _ => {}
    }
    Ok(())
}
