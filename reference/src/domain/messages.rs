//! Messages as the trigger engine wrote them: the subscriber's in-app feed (with its seen, read
//! and action states) and the environment-wide message list.

use base64::Engine;
use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::{Caller, offset, subscribers};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document};

/// Query of the subscriber feed.
pub(crate) struct FeedQuery {
    pub page: i64,
    pub limit: i64,
    pub feed_identifiers: Option<Vec<String>>,
    pub read: Option<bool>,
    pub seen: Option<bool>,
    pub payload: Option<String>,
}

pub(crate) fn feed(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    query: FeedQuery,
) -> Outcome<Value> {
    let subscriber = subscribers::find(transaction, caller, subscriber_id)?.ok_or_else(|| {
        Failure::bad_request(format!(
            "Subscriber not found for this environment with the id: {subscriber_id}. Make sure to create a subscriber before fetching the feed."
        ))
    })?;
    // Novu's GetNotificationsFeed: `if (!payload) return;` — an empty value filters nothing.
    let payload = match query
        .payload
        .as_deref()
        .filter(|encoded| !encoded.is_empty())
    {
        Some(encoded) => Some(decode_payload(encoded)?),
        None => None,
    };
    let feed_ids = feed_ids(transaction, caller, query.feed_identifiers.as_deref())?;
    let matching: Vec<Value> = in_app(transaction, caller, &subscriber)?
        .into_iter()
        .filter(|message| {
            feed_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&message["_feedId"]))
        })
        .filter(|message| query.read.is_none_or(|read| message["read"] == read))
        .filter(|message| query.seen.is_none_or(|seen| message["seen"] == seen))
        .filter(|message| {
            payload
                .as_ref()
                .is_none_or(|wanted| payload_matches(&message["payload"], wanted))
        })
        .collect();
    let skip = offset(query.page, query.limit) as usize;
    let limit = query.limit.max(0) as usize;
    let data: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(limit)
        .map(|message| feed_item(message, &subscriber))
        .collect();
    let ahead = matching
        .len()
        .saturating_sub(skip)
        .min(limit.saturating_add(1));
    Ok(json!({
        "data": data,
        "totalCount": matching.len().min(limit),
        "hasMore": data.len() < ahead,
        "pageSize": query.limit,
        "page": query.page,
    }))
}

pub(crate) fn unseen_count(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    feed_identifiers: Option<&[String]>,
    seen: bool,
    limit: i64,
) -> Outcome<Value> {
    let subscriber = subscribers::find(transaction, caller, subscriber_id)?.ok_or_else(|| {
        Failure::bad_request(format!(
            "Subscriber {subscriber_id} is not exist in environment {}, please provide a valid subscriber identifier",
            caller.environment_id
        ))
    })?;
    let feed_ids = feed_ids(transaction, caller, feed_identifiers)?;
    let count = in_app(transaction, caller, &subscriber)?
        .iter()
        .filter(|message| {
            feed_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&message["_feedId"]))
        })
        .filter(|message| message["seen"] == seen)
        .count() as i64;
    Ok(json!({ "count": count.min(limit) }))
}

/// `mark-as`: applies one of `read`, `seen`, `unread`, `unseen` to the listed messages.
pub(crate) fn mark_as(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    message_ids: Vec<String>,
    mark_as: &str,
) -> Outcome<Value> {
    let message_ids = split_ids(message_ids);
    if message_ids.is_empty() {
        return Err(Failure::bad_request("messageId is required"));
    }
    let subscriber = subscriber_or_not_found(transaction, caller, subscriber_id)?;
    let mut updated = Vec::new();
    for mut message in owned_messages(transaction, caller, &subscriber, &message_ids)? {
        apply_mark(&mut message, mark_as);
        save(transaction, &message)?;
        updated.push(message);
    }
    Ok(Value::Array(updated))
}

/// The legacy `markAs`: sets `seen` and/or `read` on the listed messages.
///
/// In Novu's order: the controller's `if (!body.messageId)` (absent, `null` and `""` are 400
/// `messageId is required`; `[]` passes), then MarkMessageAs's 404 for an unknown subscriber.
/// (The command's `@IsDefined() mark` is the contract's `required`, checked by the router.)
pub(crate) fn mark_legacy(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    message_id: &Value,
    mark: &Value,
) -> Outcome<Value> {
    if message_id.is_null() || message_id.as_str() == Some("") {
        return Err(Failure::bad_request("messageId is required"));
    }
    let subscriber = subscriber_or_not_found(transaction, caller, subscriber_id)?;
    let message_ids = split_ids(string_list(message_id));
    let now = ids::now();
    let mut updated = Vec::new();
    for mut message in owned_messages(transaction, caller, &subscriber, &message_ids)? {
        if let Some(seen) = mark["seen"].as_bool() {
            message["seen"] = json!(seen);
            if seen {
                message["lastSeenDate"] = json!(now);
            }
        }
        if let Some(read) = mark["read"].as_bool() {
            message["read"] = json!(read);
            if read {
                message["lastReadDate"] = json!(now);
            }
        }
        save(transaction, &message)?;
        updated.push(message);
    }
    Ok(Value::Array(updated))
}

/// `mark-all`: applies `markAs` to every in-app message (of the given feeds); answers how many
/// changed.
pub(crate) fn mark_all(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    feed_identifiers: Option<Vec<String>>,
    mark_as: &str,
) -> Outcome<i64> {
    let subscriber = subscribers::find(transaction, caller, subscriber_id)?.ok_or_else(|| {
        Failure::not_found(format!(
            "Subscriber {subscriber_id} does not exist in environment {}, please provide a valid subscriber identifier",
            caller.environment_id
        ))
    })?;
    let feed_identifiers = feed_identifiers.map(split_ids);
    let feed_ids = feed_ids(transaction, caller, feed_identifiers.as_deref())?;
    let mut changed = 0;
    for mut message in in_app(transaction, caller, &subscriber)? {
        if feed_ids
            .as_ref()
            .is_some_and(|ids| !ids.contains(&message["_feedId"]))
        {
            continue;
        }
        // Novu selects the messages the mark turns over (`getReadSeenUpdateQuery`: unread
        // ones for `read`, read ones for `unread`, unseen ones for `seen`, seen ones for
        // `unseen`) and counts those; the others stay as they are.
        let turned = match mark_as {
            "read" => message["read"] != true,
            "unread" => message["read"] == true,
            "seen" => message["seen"] != true,
            "unseen" => message["seen"] == true,
            _ => false,
        };
        if turned {
            apply_mark(&mut message, mark_as);
            save(transaction, &message)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Records the state (and result payload) of an in-app message's action button.
pub(crate) fn update_action(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
    message_id: &str,
    button: &str,
    status: &str,
    payload: Value,
) -> Outcome<Value> {
    let mut message = find(transaction, caller, message_id)?
        .ok_or_else(|| Failure::not_found(format!("Message {message_id} not found")))?;
    let subscriber = subscriber_or_bad_request(transaction, caller, subscriber_id)?;
    // Like Novu, any status string is stored (`pending` and `done` are the conventional ones).
    if message["_subscriberId"] != subscriber["_id"] {
        return Err(Failure::bad_request(format!(
            "Message {message_id} does not belong to subscriber {subscriber_id}"
        )));
    }
    if !message["cta"].is_object() {
        message["cta"] = json!({ "type": "redirect", "data": {} });
    }
    message["cta"]["action"]["status"] = json!(status);
    message["cta"]["action"]["result"] = json!({ "payload": payload });
    if button == "primary" || button == "secondary" {
        message["cta"]["action"]["result"]["type"] = json!(button);
    }
    if !message["cta"]["action"]["buttons"].is_array() {
        message["cta"]["action"]["buttons"] = json!([]);
    }
    save(transaction, &message)?;
    Ok(message)
}

/// Query of the environment-wide message list.
pub(crate) struct ListQuery {
    pub channel: Option<String>,
    pub subscriber_id: Option<String>,
    pub transaction_ids: Option<Vec<String>>,
    pub page: i64,
    pub limit: i64,
}

pub(crate) fn list(transaction: &Transaction, caller: &Caller, query: ListQuery) -> Outcome<Value> {
    if query.limit > 1000 {
        return Err(Failure::bad_request("Limit can not be larger then 1000"));
    }
    let subscriber = match &query.subscriber_id {
        Some(subscriber_id) => Some(
            subscribers::find(transaction, caller, subscriber_id)?.ok_or_else(|| {
                Failure::not_found(format!("Subscriber not found for id {subscriber_id}"))
            })?,
        ),
        None => None,
    };
    let transaction_ids = query.transaction_ids.map(split_ids);
    let matching: Vec<Value> = documents(
        transaction,
        "SELECT doc FROM messages WHERE environment_id = ?1 AND deleted = 0 ORDER BY created_at DESC, rowid DESC",
        [&caller.environment_id],
    )?
    .into_iter()
    .filter(|message| {
        query
            .channel
            .as_ref()
            .is_none_or(|channel| message["channel"] == channel.as_str())
    })
    .filter(|message| {
        subscriber
            .as_ref()
            .is_none_or(|subscriber| message["_subscriberId"] == subscriber["_id"])
    })
    .filter(|message| {
        transaction_ids.as_ref().is_none_or(|ids| {
            ids.iter()
                .any(|id| message["transactionId"] == id.as_str())
        })
    })
    .collect();
    let skip = offset(query.page, query.limit) as usize;
    let data: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(query.limit.max(0) as usize)
        .cloned()
        .collect();
    let total = matching.len() as i64;
    Ok(json!({
        "page": query.page,
        "totalCount": total,
        "hasMore": query.page.max(0).saturating_mul(query.limit).saturating_add(data.len() as i64) < total,
        "pageSize": query.limit,
        "data": data,
    }))
}

pub(crate) fn delete(
    transaction: &Transaction,
    caller: &Caller,
    message_id: &str,
) -> Outcome<Value> {
    let mut message = find(transaction, caller, message_id)?
        .ok_or_else(|| Failure::not_found(format!("Message with id {message_id} not found")))?;
    message["deleted"] = json!(true);
    save(transaction, &message)?;
    Ok(super::deleted_acknowledgement())
}

pub(crate) fn delete_by_transaction(
    transaction: &Transaction,
    caller: &Caller,
    transaction_id: &str,
    channel: Option<&str>,
) -> Outcome<()> {
    let changed = transaction.execute(
        "UPDATE messages SET deleted = 1, doc = json_set(doc, '$.deleted', json('true')) \
         WHERE environment_id = ?1 AND transaction_id = ?2 AND deleted = 0 AND (?3 IS NULL OR channel = ?3)",
        params![caller.environment_id, transaction_id, channel],
    )?;
    if changed == 0 {
        return Err(Failure::not_found("Invalid transactionId or channel"));
    }
    Ok(())
}

/// The subscriber, or the 404 `Subscriber <id> not found` of Novu's MarkMessageAs and
/// MarkMessageAsByMark (the feed and unseen count answer 400 instead).
fn subscriber_or_not_found(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
) -> Outcome<Value> {
    subscribers::find(transaction, caller, subscriber_id)?
        .ok_or_else(|| Failure::not_found(format!("Subscriber {subscriber_id} not found")))
}

fn subscriber_or_bad_request(
    transaction: &Transaction,
    caller: &Caller,
    subscriber_id: &str,
) -> Outcome<Value> {
    subscribers::find(transaction, caller, subscriber_id)?.ok_or_else(|| {
        Failure::bad_request(format!(
            "Subscriber {subscriber_id} does not exist in environment {}, please provide a valid subscriber identifier",
            caller.environment_id
        ))
    })
}

fn find(transaction: &Transaction, caller: &Caller, message_id: &str) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM messages WHERE id = ?1 AND environment_id = ?2 AND deleted = 0",
        params![message_id, caller.environment_id],
    )
}

/// The subscriber's live in-app messages, newest first.
fn in_app(transaction: &Transaction, caller: &Caller, subscriber: &Value) -> Outcome<Vec<Value>> {
    documents(
        transaction,
        "SELECT doc FROM messages WHERE environment_id = ?1 AND subscriber_id = ?2 AND channel = 'in_app' AND deleted = 0 \
         ORDER BY created_at DESC, rowid DESC",
        params![caller.environment_id, subscriber["_id"].as_str()],
    )
}

/// The listed messages that belong to the subscriber.
fn owned_messages(
    transaction: &Transaction,
    caller: &Caller,
    subscriber: &Value,
    message_ids: &[String],
) -> Outcome<Vec<Value>> {
    let mut found = Vec::new();
    for message_id in message_ids {
        if let Some(message) = find(transaction, caller, message_id)?
            && message["_subscriberId"] == subscriber["_id"]
        {
            found.push(message);
        }
    }
    Ok(found)
}

/// The database ids of the feeds with these identifiers, or `None` when not filtering.
fn feed_ids(
    transaction: &Transaction,
    caller: &Caller,
    identifiers: Option<&[String]>,
) -> Outcome<Option<Vec<Value>>> {
    let Some(identifiers) = identifiers else {
        return Ok(None);
    };
    let identifiers = split_ids(identifiers.to_vec());
    let mut ids = Vec::new();
    for identifier in identifiers {
        let mut statement = transaction.prepare_cached(
            "SELECT id FROM feeds WHERE environment_id = ?1 AND identifier = ?2 AND deleted = 0",
        )?;
        let rows = statement.query_map(params![caller.environment_id, identifier], |row| {
            row.get::<_, String>(0)
        })?;
        for id in rows {
            ids.push(json!(id?));
        }
    }
    Ok(Some(ids))
}

fn apply_mark(message: &mut Value, mark_as: &str) {
    let now = ids::now();
    match mark_as {
        "read" => {
            message["read"] = json!(true);
            message["seen"] = json!(true);
            message["lastReadDate"] = json!(now);
            message["lastSeenDate"] = json!(now);
        }
        "seen" => {
            message["seen"] = json!(true);
            message["lastSeenDate"] = json!(now);
        }
        "unread" => {
            message["read"] = json!(false);
            message["seen"] = json!(true);
        }
        // Novu's v1 marks (`getReadSeenUpdatePayload`) leave the read state of an unseen
        // message as it was.
        "unseen" => {
            message["seen"] = json!(false);
        }
        _ => {}
    }
}

fn save(transaction: &Transaction, message: &Value) -> Outcome<()> {
    let mut message = message.clone();
    message["updatedAt"] = json!(ids::now());
    transaction.execute(
        "UPDATE messages SET deleted = ?2, doc = ?3 WHERE id = ?1",
        params![
            message["_id"].as_str(),
            message["deleted"].as_bool().unwrap_or(false),
            message.to_string()
        ],
    )?;
    Ok(())
}

/// A string or a list of strings (ids given either way) as a list.
pub(crate) fn string_list(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Ids given as a list or comma-separated, without empty entries.
fn split_ids(given: Vec<String>) -> Vec<String> {
    given
        .iter()
        .flat_map(|item| item.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The feed's `payload` filter, decoded as Node's `Buffer.from(text, 'base64')` reads it:
/// padding optional, the URL-safe alphabet as well as the standard one, whitespace ignored.
fn decode_payload(encoded: &str) -> Outcome<Value> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let invalid = || {
        Failure::bad_request("Invalid payload, the JSON object should be encoded to base64 string.")
    };
    let standard: String = encoded
        .chars()
        .filter(|character| !character.is_whitespace())
        .map(|character| match character {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    let bytes = LENIENT.decode(standard).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(invalid())
    }
}

/// Whether `payload` has equal values at every leaf path of `wanted` (Novu flattens the
/// filter into `payload.<path>` equalities).
fn payload_matches(payload: &Value, wanted: &Value) -> bool {
    match wanted {
        Value::Object(fields) => fields
            .iter()
            .all(|(key, value)| payload_matches(&payload[key.as_str()], value)),
        leaf => payload == leaf,
    }
}

/// A feed entry: the message with the subscriber's profile summary.
fn feed_item(message: &Value, subscriber: &Value) -> Value {
    let mut item = message.clone();
    let mut summary =
        json!({ "_id": subscriber["_id"], "subscriberId": subscriber["subscriberId"] });
    for field in ["firstName", "lastName", "avatar"] {
        if let Some(value) = subscriber.get(field).filter(|value| value.is_string()) {
            summary[field] = value.clone();
        }
    }
    item["subscriber"] = summary;
    item
}
