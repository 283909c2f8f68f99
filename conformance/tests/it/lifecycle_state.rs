//! The state rules of the `lifecycles` models, each shown able to fail: the reference behind
//! [`BrokenReference`] bends one rule (a write that loses a nested field, a PUT that replaces
//! where the contract merges, a write that leaks into another scope, a previous holder that
//! keeps an exclusive flag, a count that is off after a delete), and the check reports it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::lifecycle::{broken, broken_with, only_violation, steps};
use crate::proxy::{Answer, Breakage, Outgoing};

/// The path segment after `prefix` (`/v1/tenants/` and so on) when it is the last one.
fn last_segment<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    path.strip_prefix(prefix)
        .filter(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// A tenant PATCH that loses one entry of the `data` it writes (the first of two or more).
fn patch_drops_a_data_entry() -> Breakage {
    Breakage::request(|outgoing: &mut Outgoing| {
        if outgoing.method != "PATCH" || last_segment(&outgoing.path, "/v1/tenants/").is_none() {
            return false;
        }
        let Some(mut body) = outgoing.json() else {
            return false;
        };
        let Some(data) = body["data"].as_object_mut().filter(|data| data.len() > 1) else {
            return false;
        };
        let first = data.keys().next().cloned().unwrap_or_default();
        data.remove(&first);
        outgoing.set_json(&body);
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_that_drops_a_nested_field_is_reported() {
    let (report, bent) = broken(patch_drops_a_data_entry(), &["tenants_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.check, "lifecycles");
    assert_eq!(violation.operation_id, "tenants_update", "{violation:#?}");
    assert!(
        violation.received.starts_with("data is"),
        "{}",
        violation.received
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 4, "not shrunk: {steps:?}");
    assert!(steps.last().unwrap().starts_with("Update"), "{steps:?}");
}

/// The profile fields a subscriber PUT may write.
const PROFILE: [&str; 7] = [
    "firstName",
    "lastName",
    "email",
    "phone",
    "avatar",
    "locale",
    "data",
];

/// A subscriber PUT that replaces the profile: from then on the subscriber answers only the
/// profile fields the last PUT named.
fn put_replaces_the_profile() -> Breakage {
    let replaced: Mutex<BTreeMap<String, BTreeSet<String>>> = Mutex::default();
    Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        let Some(id) = last_segment(&outgoing.path, "/v1/subscribers/") else {
            return false;
        };
        let mut replaced = replaced.lock().unwrap();
        match outgoing.method.as_str() {
            "PUT" if answer.status == 200 => {
                let named = outgoing
                    .json()
                    .and_then(|body| body.as_object().cloned())
                    .map(|body| body.keys().cloned().collect())
                    .unwrap_or_default();
                replaced.insert(id.to_owned(), named);
            }
            "GET" if answer.status == 200 => {}
            _ => {
                replaced.remove(id);
                return false;
            }
        }
        let Some(named) = replaced.get(id) else {
            return false;
        };
        let Some(mut body) = answer.json() else {
            return false;
        };
        let Some(subscriber) = body["data"].as_object_mut() else {
            return false;
        };
        let before = subscriber.len();
        subscriber.retain(|field, _| !PROFILE.contains(&field.as_str()) || named.contains(field));
        if subscriber.len() == before {
            return false;
        }
        answer.set_json(&body);
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_put_that_replaces_where_the_contract_merges_is_reported() {
    let (report, bent) = broken(put_replaces_the_profile(), &["subscribers_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.check, "lifecycles");
    assert!(
        ["subscribers_update", "subscribers_get"].contains(&violation.operation_id.as_str()),
        "{violation:#?}"
    );
    assert!(
        violation.received.contains("was written"),
        "{}",
        violation.received
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 3, "not shrunk: {steps:?}");
    assert!(steps[0].starts_with("Create"), "{steps:?}");
    assert!(
        steps.iter().any(|step| step.starts_with("Update")),
        "{steps:?}"
    );
}

/// The play a topic key belongs to: the key up to the dash after `topics<attempt>`.
fn play_of(key: &str) -> &str {
    let Some(start) = key.find("topics") else {
        return key;
    };
    let after = &key[start + "topics".len()..];
    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    &key[..start + "topics".len() + digits]
}

/// Members added to one topic also show on every other topic of the same play read or listed
/// afterwards.
fn members_leak_into_other_topics() -> Breakage {
    let added: Mutex<Vec<(String, Vec<Value>)>> = Mutex::default();
    Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.method == "POST"
            && outgoing.path.starts_with("/v1/topics/")
            && outgoing.path.ends_with("/subscribers")
            && answer.status == 200
        {
            let encoded = outgoing.path["/v1/topics/".len()..].trim_end_matches("/subscribers");
            let key = percent_encoding::percent_decode_str(encoded).decode_utf8_lossy();
            let members = outgoing
                .json()
                .and_then(|body| body["subscribers"].as_array().cloned())
                .unwrap_or_default();
            added.lock().unwrap().push((key.into_owned(), members));
            return false;
        }
        let one = last_segment(&outgoing.path, "/v1/topics/").is_some();
        if outgoing.method != "GET"
            || answer.status != 200
            || !(one || outgoing.path == "/v1/topics")
        {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        let topics: Vec<&mut Value> = match &mut body["data"] {
            Value::Array(items) => items.iter_mut().collect(),
            topic => vec![topic],
        };
        let added = added.lock().unwrap();
        let mut leaked = false;
        for topic in topics {
            let key = topic["key"].as_str().unwrap_or_default().to_owned();
            let Some(members) = topic["subscribers"].as_array_mut() else {
                continue;
            };
            for (other, added) in added.iter() {
                let neighbour = *other != key && play_of(other) == play_of(&key);
                for member in added.iter().filter(|_| neighbour) {
                    if !members.contains(member) {
                        members.push(member.clone());
                        leaked = true;
                    }
                }
            }
        }
        if leaked {
            answer.set_json(&body);
        }
        leaked
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_membership_write_that_leaks_into_another_topic_is_reported() {
    let (report, bent) = broken(members_leak_into_other_topics(), &["topics_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert!(
        ["topics_get", "topics_list"].contains(&violation.operation_id.as_str()),
        "{violation:#?}"
    );
    assert!(
        violation.received.starts_with("subscribers are"),
        "{}",
        violation.received
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 4, "not shrunk: {steps:?}");
    assert!(
        steps.iter().any(|step| step.starts_with("Add")),
        "{steps:?}"
    );
}

/// Every live integration that was once primary keeps answering `primary: true` in the list.
fn previous_primaries_stay_primary() -> Breakage {
    let primaries: Mutex<BTreeSet<String>> = Mutex::default();
    Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.method != "GET" || outgoing.path != "/v1/integrations" {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        let mut primaries = primaries.lock().unwrap();
        let mut bent = false;
        for item in body["data"].as_array_mut().into_iter().flatten() {
            let id = item["_id"].as_str().unwrap_or_default().to_owned();
            if item["primary"] == json!(true) {
                primaries.insert(id);
            } else if primaries.contains(&id) && item["active"] == json!(true) {
                item["primary"] = json!(true);
                bent = true;
            }
        }
        if bent {
            answer.set_json(&body);
        }
        bent
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_previous_primary_still_answering_primary_is_reported() {
    let (report, bent) = broken(previous_primaries_stay_primary(), &["integrations_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(
        violation.operation_id, "integrations_list",
        "{violation:#?}"
    );
    assert!(
        violation.received.contains("primary"),
        "{}",
        violation.received
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 4, "not shrunk: {steps:?}");
    assert!(
        steps.iter().any(|step| step.starts_with("SetPrimary")),
        "{steps:?}"
    );
}

/// A layout once made the default keeps answering `isDefault: true` when read alone.
fn previous_default_stays_default() -> Breakage {
    let defaults: Mutex<BTreeSet<String>> = Mutex::default();
    Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.method == "POST" && outgoing.path.ends_with("/default") {
            if let Some(id) = outgoing
                .path
                .strip_prefix("/v1/layouts/")
                .and_then(|rest| rest.strip_suffix("/default"))
            {
                defaults.lock().unwrap().insert(id.to_owned());
            }
            return false;
        }
        let Some(id) = last_segment(&outgoing.path, "/v1/layouts/") else {
            return false;
        };
        if outgoing.method != "GET" || !defaults.lock().unwrap().contains(id) {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        if body["data"]["isDefault"] != json!(false) {
            return false;
        }
        body["data"]["isDefault"] = json!(true);
        answer.set_json(&body);
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_previous_default_layout_still_answering_default_is_reported() {
    let (report, bent) = broken(previous_default_stays_default(), &["layouts_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.operation_id, "layouts_retrieve", "{violation:#?}");
    assert!(
        violation.received.starts_with("isDefault is true"),
        "{}",
        violation.received
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 4, "not shrunk: {steps:?}");
}

/// After a topic is deleted, the list's `totalCount` counts one topic too many, until the next
/// create or membership write.
fn total_count_off_after_a_delete() -> Breakage {
    let deleted: Mutex<bool> = Mutex::default();
    Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.method == "DELETE"
            && last_segment(&outgoing.path, "/v1/topics/").is_some()
            && answer.status == 204
        {
            *deleted.lock().unwrap() = true;
            return false;
        }
        if outgoing.method == "POST" {
            *deleted.lock().unwrap() = false;
            return false;
        }
        if outgoing.method != "GET" || outgoing.path != "/v1/topics" || !*deleted.lock().unwrap() {
            return false;
        }
        let Some(mut page) = answer.json() else {
            return false;
        };
        let Some(total) = page["totalCount"].as_u64() else {
            return false;
        };
        page["totalCount"] = json!(total + 1);
        answer.set_json(&page);
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_total_count_off_by_one_after_a_delete_is_reported() {
    let (report, bent) = broken(total_count_off_after_a_delete(), &["topics_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.operation_id, "topics_list", "{violation:#?}");
    assert!(violation.expected.contains("totalCount"), "{violation:#?}");
    let steps = steps(&violation);
    assert!(steps.len() <= 3, "not shrunk: {steps:?}");
    assert!(
        steps.iter().any(|step| step.starts_with("Delete")),
        "{steps:?}"
    );
}

/// After a message is deleted, the unseen count still counts it.
fn unseen_count_keeps_deleted_messages() -> Breakage {
    let deleted: Mutex<u64> = Mutex::default();
    Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.method == "DELETE"
            && last_segment(&outgoing.path, "/v1/messages/").is_some()
            && answer.status == 200
        {
            *deleted.lock().unwrap() += 1;
            return false;
        }
        let unseen = outgoing.method == "GET"
            && outgoing.path.ends_with("/notifications/unseen")
            && outgoing.query.contains("seen=false");
        let deleted = *deleted.lock().unwrap();
        if !unseen || deleted == 0 {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        let Some(count) = body["data"]["count"].as_u64() else {
            return false;
        };
        body["data"]["count"] = json!(count + deleted);
        answer.set_json(&body);
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unseen_count_that_still_counts_a_deleted_message_is_reported() {
    let (report, bent) = broken(unseen_count_keeps_deleted_messages(), &["messages_delete"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(
        violation.operation_id, "subscriber_notifications_unseen_count",
        "{violation:#?}"
    );
    assert!(violation.expected.contains("count of"), "{violation:#?}");
    let steps = steps(&violation);
    assert!(steps.len() <= 2, "not shrunk: {steps:?}");
    assert!(steps[0].starts_with("Delete"), "{steps:?}");
}

/// A channel written to one workflow's preference shows on every workflow's in the list.
fn workflow_preference_leaks_into_the_others() -> Breakage {
    let written: Mutex<Vec<(String, Value)>> = Mutex::default();
    Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        let path: Vec<&str> = outgoing.path.split('/').collect();
        let preferences =
            path.len() >= 5 && path[1..3] == ["v1", "subscribers"] && path[4] == "preferences";
        if !preferences || answer.status != 200 {
            return false;
        }
        if outgoing.method == "PATCH" && path.len() == 6 {
            if let Some(channel) = outgoing.json().map(|body| body["channel"].clone())
                && let Some(kind) = channel["type"].as_str()
            {
                written
                    .lock()
                    .unwrap()
                    .push((kind.to_owned(), channel["enabled"].clone()));
            }
            return false;
        }
        if outgoing.method != "GET" || path.len() != 5 {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        let mut leaked = false;
        for entry in body["data"].as_array_mut().into_iter().flatten() {
            let Some(channels) = entry["preference"]["channels"].as_object_mut() else {
                continue;
            };
            for (kind, on) in written.lock().unwrap().iter() {
                if channels.get(kind).is_some_and(|stored| stored != on) {
                    channels.insert(kind.clone(), on.clone());
                    leaked = true;
                }
            }
        }
        if leaked {
            answer.set_json(&body);
        }
        leaked
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_preference_that_leaks_into_another_workflow_is_reported() {
    let breakage = workflow_preference_leaks_into_the_others();
    let (report, bent) = broken(breakage, &["subscriber_preferences_update"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(
        violation.operation_id, "subscriber_preferences_list",
        "{violation:#?}"
    );
    assert!(
        violation.received.contains("channels are"),
        "{}",
        violation.received
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 3, "not shrunk: {steps:?}");
    assert!(steps[0].starts_with("Workflow"), "{steps:?}");
    assert_eq!(steps.last().unwrap(), "Read", "{steps:?}");
}

/// A workflow preference write answers only the channel it named: the others are dropped.
fn workflow_preference_write_replaces_the_channels() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let path: Vec<&str> = outgoing.path.split('/').collect();
        let workflow =
            path.len() == 6 && path[1..3] == ["v1", "subscribers"] && path[4] == "preferences";
        if outgoing.method != "PATCH" || !workflow || answer.status != 200 {
            return false;
        }
        let Some(kind) = outgoing
            .json()
            .and_then(|body| body["channel"]["type"].as_str().map(str::to_owned))
        else {
            return false;
        };
        let Some(mut body) = answer.json() else {
            return false;
        };
        let Some(channels) = body["data"]["preference"]["channels"].as_object_mut() else {
            return false;
        };
        let before = channels.len();
        channels.retain(|channel, _| *channel == kind);
        if channels.len() == before {
            return false;
        }
        answer.set_json(&body);
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preference_write_that_replaces_the_channels_it_does_not_name_is_reported() {
    let breakage = workflow_preference_write_replaces_the_channels();
    let (report, bent) = broken(breakage, &["subscriber_preferences_update"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(
        violation.operation_id, "subscriber_preferences_update",
        "{violation:#?}"
    );
    assert!(
        violation
            .expected
            .contains("the channels not written as they were"),
        "{violation:#?}"
    );
    let steps = steps(&violation);
    assert_eq!(steps.len(), 1, "not shrunk: {steps:?}");
}

/// An integration PUT that merges the credentials it is given into the stored ones, where the
/// contract replaces them: the proxy remembers each integration's credentials from the answers
/// and sends the merge.
fn credentials_merged() -> Breakage {
    let stored: std::sync::Arc<Mutex<BTreeMap<String, Value>>> = std::sync::Arc::default();
    let remembered = stored.clone();
    Breakage::both(
        move |outgoing: &mut Outgoing| {
            let Some(id) = last_segment(&outgoing.path, "/v1/integrations/") else {
                return false;
            };
            let Some(mut body) = outgoing.json() else {
                return false;
            };
            let (Some(given), Some(Value::Object(before))) = (
                body["credentials"].as_object().cloned(),
                stored.lock().unwrap().get(id).cloned(),
            ) else {
                return false;
            };
            let mut merged = before;
            merged.extend(given.clone());
            if merged == given || outgoing.method != "PUT" {
                return false;
            }
            body["credentials"] = Value::Object(merged);
            outgoing.set_json(&body);
            true
        },
        move |_outgoing: &Outgoing, answer: &mut Answer| {
            let Some(body) = answer.json() else {
                return false;
            };
            let items = match &body["data"] {
                Value::Array(items) => items.clone(),
                item => vec![item.clone()],
            };
            let mut remembered = remembered.lock().unwrap();
            for item in items {
                if let (Some(id), Some(credentials)) =
                    (item["_id"].as_str(), item.get("credentials"))
                {
                    remembered.insert(id.to_owned(), credentials.clone());
                }
            }
            false
        },
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_merged_where_the_contract_replaces_them_are_reported() {
    // Twice the sequences: an update that names credentials other than the stored ones is
    // one draw in many.
    let (report, bent) = broken_with(credentials_merged(), &["integrations_create"], 100).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(
        violation.operation_id, "integrations_update",
        "{violation:#?}"
    );
    assert!(
        violation.received.starts_with("credentials is"),
        "{}",
        violation.received
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 3, "not shrunk: {steps:?}");
}

/// Marking a message unseen also marks it unread (the contract keeps its read state).
fn unseen_clears_read() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let unseen = outgoing.method == "POST"
            && outgoing.path.ends_with("/messages/mark-as")
            && outgoing
                .json()
                .is_some_and(|body| body["markAs"] == json!("unseen"));
        if !unseen {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        let mut bent = false;
        for message in body["data"].as_array_mut().into_iter().flatten() {
            if message["read"] == json!(true) {
                message["read"] = json!(false);
                bent = true;
            }
        }
        if bent {
            answer.set_json(&body);
        }
        bent
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unseen_mark_that_clears_the_read_state_is_reported() {
    let (report, bent) = broken(unseen_clears_read(), &["messages_delete"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(
        violation.operation_id, "subscriber_messages_mark_as",
        "{violation:#?}"
    );
    assert!(violation.received.contains("read false"), "{violation:#?}");
    let steps = steps(&violation);
    assert!(steps.len() <= 3, "not shrunk: {steps:?}");
    assert!(steps.last().unwrap().contains("unseen"), "{steps:?}");
}

/// A pending layout change that keeps each write's name difference instead of the one from the
/// promoted name to the current one.
fn pending_changes_pile_up() -> Breakage {
    Breakage::json_answer("GET", "/v1/changes", 200, |body| {
        let mut bent = false;
        for change in body["data"].as_array_mut().into_iter().flatten() {
            let Some(differences) = change["change"].as_array_mut() else {
                continue;
            };
            let earlier = differences
                .iter()
                .find(|difference| difference["path"] == json!(["name"]))
                .cloned();
            if let Some(mut earlier) = earlier {
                earlier["val"] = json!("an earlier name");
                differences.insert(0, earlier);
                bent = true;
            }
        }
        bent
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pending_change_that_piles_up_writes_is_reported() {
    let (report, bent) = broken(pending_changes_pile_up(), &["changes_apply"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.operation_id, "changes_list", "{violation:#?}");
    assert!(
        violation
            .expected
            .contains("from its promoted name to its current one"),
        "{violation:#?}"
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 3, "not shrunk: {steps:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pending_count_off_the_list_is_reported() {
    let breakage = Breakage::json_answer("GET", "/v1/changes/count", 200, |body| {
        body["data"] = json!(body["data"].as_u64().unwrap_or_default() + 1);
        true
    });
    let (report, bent) = broken(breakage, &["changes_apply"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.operation_id, "changes_count", "{violation:#?}");
    assert!(
        violation.expected.contains("pending changes walked"),
        "{violation:#?}"
    );
}
