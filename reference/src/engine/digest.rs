//! Digest steps, Novu's `MergeOrCreateDigest`: the first event of a subscriber, workflow and
//! digest key value waits its window (or a timed schedule) as the digest's leader; later ones
//! merge into it. When the leader resumes, the later steps see every digested event.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::delay::{next_timed, shift, trigger_variable};
use super::state::{Run, Stop, save_job};
use crate::failure::Outcome;
use crate::store::documents;

impl Run<'_> {
    /// Novu's `MergeOrCreateDigest`: the first event of a subscriber, workflow and digest key
    /// value waits the window; later ones merge into it (with their later steps). A backoff
    /// digest only waits when an earlier event arrived within the backoff window; otherwise
    /// the event is not digested and the chain goes on at once.
    pub(super) fn digest(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        step: &Value,
        job: &mut Value,
    ) -> Outcome<Result<Option<i64>, Stop>> {
        let metadata = &step["metadata"];
        let key = digest_value(metadata, &self.payload);
        job["digest"]["digestValue"] = key.clone();
        let same_digest = |other: &Value| {
            other["_templateId"] == self.workflow["_id"]
                && digest_value(&other["digest"], &other["payload"]) == key
        };
        if (metadata["type"] == "backoff" || metadata["backoff"] == true)
            && !self.earlier_event_within_backoff(transaction, subscriber, metadata, job, &key)?
        {
            job["status"] = json!("skipped");
            self.detail(
                transaction,
                job,
                "Digest was skipped, no other event arrived within the backoff window",
                "Success",
                None,
                None,
            )?;
            return Ok(Ok(None));
        }
        // Only waiting jobs have a due time: their index is far smaller than the
        // environment's jobs, which SQLite would otherwise walk.
        let waiting = documents(
            transaction,
            "SELECT doc FROM jobs INDEXED BY jobs_by_due_at WHERE due_at IS NOT NULL AND status = 'delayed' \
             AND environment_id = ?1 AND json_extract(doc, '$._subscriberId') = ?2 \
             AND json_extract(doc, '$.type') = 'digest' ORDER BY rowid",
            params![self.caller.environment_id, subscriber["_id"].as_str()],
        )?;
        if let Some(leader) = waiting.iter().find(|other| same_digest(other)) {
            job["status"] = json!("merged");
            job["_mergedDigestId"] = leader["_id"].clone();
            self.detail(
                transaction,
                job,
                "Digest was merged with other digest",
                "Success",
                None,
                None,
            )?;
            return Ok(Ok(None));
        }
        self.wait(transaction, job, digest_until(metadata)).map(Ok)
    }

    /// Whether a backoff digest waits, as Novu's job repository decides it: another event
    /// (trigger) of the workflow for `subscriber` with the same digest value `key` arrived
    /// within the backoff window before now, and no later than this job's own event. The
    /// first event of a window goes on at once, even when a later one arrived meanwhile (a
    /// delay before the digest), and an event never counts as its own earlier one.
    fn earlier_event_within_backoff(
        &self,
        transaction: &Transaction,
        subscriber: &Value,
        metadata: &Value,
        job: &Value,
        key: &Value,
    ) -> Outcome<bool> {
        let since = shift(
            Utc::now(),
            &metadata["backoffAmount"],
            &metadata["backoffUnit"],
            -1,
        )
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let others = documents(
            transaction,
            "SELECT doc FROM notifications WHERE environment_id = ?1 AND subscriber_id = ?2 \
             AND id != ?3 AND created_at >= ?4 AND created_at <= ?5 \
             AND json_extract(doc, '$._templateId') = ?6",
            params![
                self.caller.environment_id,
                subscriber["_id"].as_str(),
                job["_notificationId"].as_str(),
                since,
                job["createdAt"].as_str(),
                self.workflow["_id"].as_str(),
            ],
        )?;
        Ok(others
            .iter()
            .any(|other| digest_value(metadata, &other["payload"]) == *key))
    }
}

/// The payloads a digest leader collected: its own first, then those merged into it, in the
/// order they arrived. A merged event whose transaction was cancelled is not among them.
pub(super) fn digested_events(transaction: &Transaction, leader: &Value) -> Outcome<Vec<Value>> {
    let merged = documents(
        transaction,
        "SELECT doc FROM jobs WHERE json_extract(doc, '$._mergedDigestId') = ?1 AND status = 'merged' ORDER BY rowid",
        [leader["_id"].as_str()],
    )?;
    Ok(std::iter::once(leader["payload"].clone())
        .chain(
            merged
                .into_iter()
                .filter(|job| job["type"] == "digest")
                .map(|job| job["payload"].clone()),
        )
        .collect())
}

/// Makes the oldest event merged into a cancelled digest leader the new leader: it waits
/// until the old leader's due time, its later steps become `pending` again, and the other
/// merged events now belong to it.
pub(crate) fn hand_over_digest(
    transaction: &Transaction,
    leader: &Value,
    due_at: Option<i64>,
) -> Outcome<()> {
    let leader_id = leader["_id"].as_str().unwrap_or_default();
    let merged = documents(
        transaction,
        "SELECT doc FROM jobs WHERE json_extract(doc, '$._mergedDigestId') = ?1 AND status = 'merged' ORDER BY rowid",
        [leader_id],
    )?;
    let Some(follower) = merged.iter().find(|job| job["type"] == "digest") else {
        return Ok(());
    };
    let follower_id = follower["_id"].clone();
    let follower_notification = follower["_notificationId"].clone();
    for mut job in merged {
        if job["_notificationId"] == follower_notification {
            job["_mergedDigestId"] = Value::Null;
            if job["_id"] == follower_id {
                job["status"] = json!("delayed");
                save_job(transaction, &job, due_at)?;
                continue;
            }
            job["status"] = json!("pending");
        } else {
            job["_mergedDigestId"] = follower_id.clone();
        }
        save_job(transaction, &job, None)?;
    }
    Ok(())
}

/// The digest key's value in `payload` (`null` without a key); events digest together when
/// their values are equal.
fn digest_value(metadata: &Value, payload: &Value) -> Value {
    match metadata["digestKey"].as_str().filter(|key| !key.is_empty()) {
        Some(key) => trigger_variable(&json!({ "payload": payload }), key),
        None => Value::Null,
    }
}

/// When a digest that starts now sends its events on: after its window, or for a `timed`
/// digest at its next scheduled time.
fn digest_until(metadata: &Value) -> DateTime<Utc> {
    let now = Utc::now();
    if metadata["type"] == "timed"
        && let Some(at) = next_timed(now, &metadata["timed"])
    {
        return at;
    }
    shift(now, &metadata["amount"], &metadata["unit"], 1)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::digest_value;

    #[test]
    fn digest_keys_are_payload_paths() {
        let metadata = json!({ "digestKey": "post.id" });
        let payload = json!({ "post": { "id": 7 } });
        assert_eq!(digest_value(&metadata, &payload), json!(7));
        assert_eq!(
            digest_value(&json!({ "digestKey": "payload.post.id" }), &payload),
            json!(7)
        );
        assert_eq!(digest_value(&json!({}), &payload), json!(null));
    }
}
