//! Subscribers: upserting create and bulk create, partial update, soft delete, channel
//! credentials and the online flag.

use rusqlite::{Transaction, params};
use serde_json::{Map, Value, json};

use super::{Caller, deleted_acknowledgement, full_page_rule, offset};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// The profile fields a create or update sets when given.
const PROFILE_FIELDS: &[&str] = &["firstName", "lastName", "phone", "avatar", "locale"];

pub(crate) fn list(
    transaction: &Transaction,
    caller: &Caller,
    page: i64,
    limit: i64,
) -> Outcome<Value> {
    let data = documents(
        transaction,
        "SELECT doc FROM subscribers WHERE environment_id = ?1 AND deleted = 0 ORDER BY rowid LIMIT ?2 OFFSET ?3",
        params![caller.environment_id, limit, offset(page, limit)],
    )?;
    Ok(full_page_rule(page, limit, data))
}

/// Creates the subscriber, or updates it when the environment already has that
/// `subscriberId`. A soft-deleted subscriber is brought back, as bulk create does.
pub(crate) fn create(transaction: &Transaction, caller: &Caller, body: Value) -> Outcome<Value> {
    let subscriber_id = text(&body, "subscriberId");
    let (mut subscriber, _) = upsert_profile(transaction, caller, &subscriber_id, &body)?;
    if let Some(channels) = body.get("channels").and_then(Value::as_array) {
        for channel in channels {
            apply_channel(transaction, caller, &mut subscriber, channel, Mode::Append)?;
        }
    }
    save(transaction, &subscriber)?;
    Ok(subscriber)
}

/// Upserts every item; channel failures are reported per item instead of failing the call.
pub(crate) fn create_bulk(
    transaction: &Transaction,
    caller: &Caller,
    body: Value,
) -> Outcome<Value> {
    let mut created = Vec::new();
    let mut updated = Vec::new();
    let mut failed = Vec::new();
    for item in body["subscribers"].as_array().into_iter().flatten() {
        let subscriber_id = text(item, "subscriberId");
        transaction.execute_batch("SAVEPOINT bulk_item")?;
        let outcome = (|| -> Outcome<bool> {
            let (mut subscriber, existed) =
                upsert_profile(transaction, caller, &subscriber_id, item)?;
            if let Some(channels) = item.get("channels").and_then(Value::as_array) {
                for channel in channels {
                    apply_channel(transaction, caller, &mut subscriber, channel, Mode::Append)?;
                }
            }
            save(transaction, &subscriber)?;
            Ok(existed)
        })();
        match outcome {
            Ok(existed) => {
                transaction.execute_batch("RELEASE bulk_item")?;
                let entry = json!({ "subscriberId": subscriber_id });
                if existed {
                    updated.push(entry)
                } else {
                    created.push(entry)
                }
            }
            Err(failure) if failure.status != crate::failure::Status::InternalServerError => {
                transaction.execute_batch("ROLLBACK TO bulk_item; RELEASE bulk_item")?;
                failed.push(json!({ "subscriberId": subscriber_id, "message": failure.message() }));
            }
            Err(failure) => return Err(failure),
        }
    }
    Ok(json!({ "updated": updated, "created": created, "failed": failed }))
}

pub(crate) fn get(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
) -> Outcome<Value> {
    find(transaction, caller, subscriber_id)?
        .ok_or_else(|| Failure::not_found(format!("Subscriber not found for id {subscriber_id}")))
}

/// A partial update: absent fields keep their value, `""` clears the email, `data` replaces
/// the whole custom data object.
pub(crate) fn update(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    body: Value,
) -> Outcome<Value> {
    let mut subscriber = find(transaction, caller, subscriber_id)?
        .ok_or_else(|| Failure::bad_request(format!("SubscriberId: {subscriber_id} not found")))?;
    set_profile(&mut subscriber, &body, true);
    touch(&mut subscriber);
    save(transaction, &subscriber)?;
    Ok(subscriber)
}

/// Soft-deletes the subscriber and removes it from every topic.
pub(crate) fn delete(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
) -> Outcome<Value> {
    let mut subscriber = get(transaction, caller, subscriber_id)?;
    let now = ids::now();
    subscriber["deleted"] = json!(true);
    subscriber["deletedAt"] = json!(now);
    subscriber["updatedAt"] = json!(now);
    save(transaction, &subscriber)?;
    transaction.execute(
        "DELETE FROM topic_subscribers WHERE subscriber_id = ?1",
        [subscriber["_id"].as_str()],
    )?;
    Ok(deleted_acknowledgement())
}

/// How new credentials meet stored ones.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// PUT: the given credentials replace the stored ones.
    Replace,
    /// PATCH: the given credentials are merged in and device tokens appended.
    Append,
}

pub(crate) fn update_credentials(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    body: Value,
    mode: Mode,
) -> Outcome<Value> {
    let mut subscriber = find(transaction, caller, subscriber_id)?
        .ok_or_else(|| Failure::bad_request(format!("SubscriberId: {subscriber_id} not found")))?;
    apply_channel(transaction, caller, &mut subscriber, &body, mode)?;
    save(transaction, &subscriber)?;
    Ok(subscriber)
}

/// Removes every channel of `provider_id` from the subscriber.
pub(crate) fn delete_credentials(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    provider_id: &str,
) -> Outcome<()> {
    let mut subscriber = get(transaction, caller, subscriber_id)?;
    if let Some(channels) = subscriber.get_mut("channels").and_then(Value::as_array_mut) {
        channels.retain(|channel| channel["providerId"] != provider_id);
    }
    touch(&mut subscriber);
    save(transaction, &subscriber)
}

/// Sets `isOnline`; going offline also records `lastOnlineAt`.
pub(crate) fn update_online_status(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    is_online: bool,
) -> Outcome<Value> {
    let mut subscriber = find(transaction, caller, subscriber_id)?
        .ok_or_else(|| Failure::not_found("Subscriber not found"))?;
    subscriber["isOnline"] = json!(is_online);
    if !is_online {
        subscriber["lastOnlineAt"] = json!(ids::now());
    }
    touch(&mut subscriber);
    save(transaction, &subscriber)?;
    Ok(subscriber)
}

/// The environment's live (not soft-deleted) subscriber with this `subscriberId`.
pub(crate) fn find(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM subscribers WHERE environment_id = ?1 AND subscriber_id = ?2 AND deleted = 0",
        params![caller.environment_id, subscriber_id],
    )
}

/// The stored subscriber (reviving a soft-deleted one) or a new one, with the profile fields
/// of `body` applied; also tells whether it existed before.
fn upsert_profile(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    body: &Value,
) -> Outcome<(Value, bool)> {
    let stored = first_document(
        transaction,
        "SELECT doc FROM subscribers WHERE environment_id = ?1 AND subscriber_id = ?2",
        params![caller.environment_id, subscriber_id],
    )?;
    let existed = stored.is_some();
    let mut subscriber = match stored {
        Some(mut subscriber) => {
            if let Some(fields) = subscriber.as_object_mut() {
                fields.insert("deleted".into(), json!(false));
                fields.remove("deletedAt");
                fields.remove("deletedBy");
            }
            touch(&mut subscriber);
            subscriber
        }
        None => {
            let now = ids::now();
            json!({
                "_id": ids::object_id(),
                "subscriberId": subscriber_id,
                "channels": [],
                "_organizationId": caller.organization_id,
                "_environmentId": caller.environment_id,
                "deleted": false,
                "createdAt": now,
                "updatedAt": now,
            })
        }
    };
    set_profile(&mut subscriber, body, false);
    Ok((subscriber, existed))
}

fn set_profile(subscriber: &mut Value, body: &Value, empty_email_clears: bool) {
    let Some(fields) = subscriber.as_object_mut() else {
        return;
    };
    for field in PROFILE_FIELDS.iter().copied().chain(["data"]) {
        if let Some(value) = body.get(field).filter(|value| !value.is_null()) {
            fields.insert(field.into(), value.clone());
        }
    }
    match body.get("email") {
        Some(Value::String(email)) if email.is_empty() && empty_email_clears => {
            fields.remove("email");
        }
        Some(Value::Null) if empty_email_clears => {
            fields.remove("email");
        }
        Some(email @ Value::String(_)) => {
            fields.insert("email".into(), email.clone());
        }
        _ => {}
    }
}

/// Stores credentials for the channel `input` (`providerId`, `integrationIdentifier`,
/// `credentials`) after finding the environment's active integration for that provider.
fn apply_channel(
    transaction: &Transaction,
    caller: &Caller,
    subscriber: &mut Value,
    input: &Value,
    mode: Mode,
) -> Outcome<()> {
    let provider_id = text(input, "providerId");
    let identifier = input.get("integrationIdentifier").and_then(Value::as_str);
    let integration = first_document(
        transaction,
        "SELECT doc FROM integrations WHERE environment_id = ?1 AND provider_id = ?2 AND active = 1 AND deleted = 0 \
         AND (?3 IS NULL OR identifier = ?3) ORDER BY rowid LIMIT 1",
        params![caller.environment_id, provider_id, identifier],
    )?
    .ok_or_else(|| {
        Failure::bad_request(format!(
            "Subscribers environment ({}) do not have active {provider_id} integration.",
            caller.environment_id
        ))
    })?;
    let integration_id = integration["_id"].clone();
    let credentials = input
        .get("credentials")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if !subscriber["channels"].is_array() {
        subscriber["channels"] = json!([]);
    }
    let channels = subscriber["channels"]
        .as_array_mut()
        .expect("channels was just made an array");
    let existing = channels.iter_mut().find(|channel| {
        channel["providerId"] == provider_id.as_str() && channel["_integrationId"] == integration_id
    });
    match existing {
        Some(channel) => {
            channel["credentials"] = match mode {
                Mode::Replace => credentials,
                Mode::Append => merge_credentials(&channel["credentials"], &credentials),
            };
        }
        None => channels.push(json!({
            "providerId": provider_id,
            "integrationIdentifier": integration["identifier"],
            "credentials": credentials,
            "_integrationId": integration_id,
        })),
    }
    touch(subscriber);
    Ok(())
}

/// The stored credentials overlaid with the given ones; device tokens are the union of both,
/// stored ones first.
fn merge_credentials(stored: &Value, given: &Value) -> Value {
    let mut merged: Map<String, Value> = stored.as_object().cloned().unwrap_or_default();
    for (key, value) in given.as_object().into_iter().flatten() {
        merged.insert(key.clone(), value.clone());
    }
    let mut tokens: Vec<Value> = stored["deviceTokens"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for token in given["deviceTokens"].as_array().into_iter().flatten() {
        if !tokens.contains(token) {
            tokens.push(token.clone());
        }
    }
    if !tokens.is_empty() {
        merged.insert("deviceTokens".into(), Value::Array(tokens));
    }
    Value::Object(merged)
}

fn save(transaction: &Transaction, subscriber: &Value) -> Outcome<()> {
    transaction.execute(
        "INSERT INTO subscribers (id, environment_id, subscriber_id, deleted, doc) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET deleted = excluded.deleted, doc = excluded.doc",
        params![
            subscriber["_id"].as_str(),
            subscriber["_environmentId"].as_str(),
            subscriber["subscriberId"].as_str(),
            subscriber["deleted"].as_bool().unwrap_or(false),
            subscriber.to_string(),
        ],
    )?;
    Ok(())
}

fn touch(document: &mut Value) {
    document["updatedAt"] = json!(ids::now());
}

fn text(document: &Value, field: &str) -> String {
    document
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}
