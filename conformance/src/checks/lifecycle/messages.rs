//! Messages: three triggers of an in-app workflow give one subscriber three messages; deleting
//! one (by id or by its transaction) hides it from the subscriber's list, a second delete is a
//! 404, and the list pages with `totalCount` and `hasMore` (`page * limit + length <
//! totalCount`), newest first. Marks toggle each message's seen and read states as the
//! contract says (`read` also sees, `unread` also sees, `unseen` keeps the read state), a
//! mark-all turns over only the messages it names and counts them, and after every write the
//! unseen count agrees with the messages the model holds; the list step also walks the feed
//! and reads the seen count.
//!
//! Delivery is asynchronous: the play waits (a bounded number of list reads) until the three
//! messages are there. A server that does not deliver them in that time is not judged here;
//! the model's steps then send nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::model::Model;
use super::pages::{self, Counting, Listing};
use super::session::{Failure, Session};
use super::workflows;

const LIST: Listing = Listing {
    operation: "messages_list",
    size: "limit",
    max: 1000,
    counting: Counting::Messages,
};

/// Messages (one per trigger).
const SLOTS: usize = 3;

/// The marks a step may set.
const MARKS: [&str; 4] = ["read", "seen", "unread", "unseen"];

/// List reads while waiting for delivery, and the pause between two.
const DELIVERY_POLLS: u32 = 30;
const DELIVERY_PAUSE: Duration = Duration::from_millis(100);

/// The message model.
pub(crate) struct Messages;

/// A message step; numbers index the triggered messages.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Delete(usize),
    DeleteTransaction(usize),
    Unknown(String),
    Mark(usize, &'static str),
    MarkAll(&'static str),
    List { limit: u64 },
}

#[derive(Debug, Clone)]
struct Message {
    id: String,
    transaction: String,
    seen: bool,
    read: bool,
}

impl Message {
    /// Applies `mark` as the contract describes a single mark.
    fn mark(&mut self, mark: &str) {
        match mark {
            "read" => (self.read, self.seen) = (true, true),
            "unread" => (self.read, self.seen) = (false, true),
            "seen" => self.seen = true,
            _ => self.seen = false,
        }
    }

    /// Whether a mark-all of `mark` turns this message over.
    fn turned_by(&self, mark: &str) -> bool {
        match mark {
            "read" => !self.read,
            "unread" => self.read,
            "seen" => !self.seen,
            _ => self.seen,
        }
    }

    /// Whether `stored` holds this message's seen and read states.
    fn same_marks(&self, stored: &Value) -> Result<(), String> {
        if stored["seen"] != json!(self.seen) || stored["read"] != json!(self.read) {
            return Err(format!(
                "message {} is seen {} and read {}, expected seen {} and read {}",
                self.id, stored["seen"], stored["read"], self.seen, self.read
            ));
        }
        Ok(())
    }
}

/// What the server should hold.
#[derive(Default)]
pub(crate) struct State {
    group: String,
    workflow: String,
    subscriber: String,
    live: BTreeMap<usize, Message>,
    deleted: BTreeMap<usize, Message>,
    delivered: bool,
}

impl Model for Messages {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "messages";
    const CREATE: &'static str = "messages_delete";
    const OPERATIONS: &'static [&'static str] = &[
        "messages_list",
        "messages_delete",
        "messages_delete_by_transaction",
        "events_trigger",
        "subscriber_messages_mark_as",
        "subscriber_messages_mark_all",
        "subscriber_notifications_unseen_count",
        "subscriber_notifications_feed",
    ];
    const IDS: usize = 1;

    fn closing() -> Step {
        Step::List { limit: 1 }
    }

    fn step() -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        prop_oneof![
            2 => slot.clone().prop_map(Step::Delete),
            1 => slot.clone().prop_map(Step::DeleteTransaction),
            1 => "[0-9a-f]{24}".prop_map(Step::Unknown),
            3 => (slot, proptest::sample::select(&MARKS[..]))
                .prop_map(|(slot, mark)| Step::Mark(slot, mark)),
            1 => proptest::sample::select(&MARKS[..]).prop_map(Step::MarkAll),
            1 => (1..=3u64).prop_map(|limit| Step::List { limit }),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        state.group = workflows::group(session).await?;
        let body = json!({
            "name": session.name("in-app"),
            "notificationGroupId": state.group,
            "active": true,
            "steps": [{ "active": true, "template": { "type": "in_app", "content": "hello" } }],
        });
        let sent = session.send("workflows_create", &[], &[], Some(body)).await;
        let workflow = sent.expect(201, "an active in-app workflow")?;
        state.workflow = workflow["_id"].as_str().unwrap_or_default().to_owned();
        let trigger = workflow["triggers"][0]["identifier"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        state.subscriber = session.id(0);
        let body = json!({ "subscriberId": state.subscriber });
        let sent = session
            .send("subscribers_create", &[], &[], Some(body))
            .await;
        sent.expect(201, "the recipient")?;
        for _ in 0..SLOTS {
            let body = json!({ "name": trigger, "to": state.subscriber, "payload": {} });
            let sent = session.send("events_trigger", &[], &[], Some(body)).await;
            sent.expect(201, "the trigger queued")?;
        }
        let query = [
            ("subscriberId", state.subscriber.clone()),
            ("limit", "100".to_owned()),
        ];
        for _ in 0..DELIVERY_POLLS {
            let sent = session.send("messages_list", &[], &query, None).await;
            let body = sent.body();
            let messages = body["data"].as_array().cloned().unwrap_or_default();
            if messages.len() >= SLOTS {
                // Newest first: the first trigger's message is the last.
                for (slot, message) in messages.iter().rev().take(SLOTS).enumerate() {
                    let message = Message {
                        id: message["_id"].as_str().unwrap_or_default().to_owned(),
                        transaction: message["transactionId"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        seen: false,
                        read: false,
                    };
                    state.live.insert(slot, message);
                }
                state.delivered = true;
                return Ok(());
            }
            tokio::time::sleep(DELIVERY_PAUSE).await;
        }
        Ok(())
    }

    async fn apply(
        &self,
        session: &mut Session<'_>,
        state: &mut State,
        step: &Step,
    ) -> Result<(), Failure> {
        if !state.delivered {
            return Ok(());
        }
        match step {
            Step::Delete(slot) => {
                let Some(message) = state.live.get(slot).or(state.deleted.get(slot)).cloned()
                else {
                    return Ok(());
                };
                let sent = session
                    .send_one("messages_delete", "messageId", &message.id, None)
                    .await;
                if state.live.remove(slot).is_none() {
                    return sent.expect_status(404, "the message is deleted");
                }
                sent.expect_acknowledged()?;
                state.deleted.insert(*slot, message);
                counted(session, state, false).await
            }
            Step::DeleteTransaction(slot) => {
                let Some(message) = state.live.get(slot).or(state.deleted.get(slot)).cloned()
                else {
                    return Ok(());
                };
                let path = [("transactionId", message.transaction.as_str())];
                let sent = session
                    .send("messages_delete_by_transaction", &path, &[], None)
                    .await;
                if state.live.remove(slot).is_none() {
                    return sent.expect_status(404, "the transaction has no message left");
                }
                sent.expect_status(204, "the transaction's messages deleted")?;
                state.deleted.insert(*slot, message);
                counted(session, state, false).await
            }
            Step::Unknown(id) => {
                let sent = session
                    .send_one("messages_delete", "messageId", id, None)
                    .await;
                sent.expect_status(404, "no message has this id")
            }
            Step::Mark(slot, mark) => {
                // A deleted message is not the subscriber's to mark any more.
                let Some(message) = state.live.get_mut(slot) else {
                    return Ok(());
                };
                let body = json!({ "messageId": [message.id], "markAs": mark });
                let path = [("subscriberId", state.subscriber.as_str())];
                let sent = session
                    .send("subscriber_messages_mark_as", &path, &[], Some(body))
                    .await;
                message.mark(mark);
                let message = message.clone();
                let expected = format!("the message marked {mark}");
                sent.expect_same(201, &expected, &expected, |data| {
                    match data.as_array().map(Vec::as_slice) {
                        Some([marked]) => message.same_marks(marked),
                        _ => Err(format!("data is {data}, expected the one marked message")),
                    }
                })?;
                counted(session, state, false).await
            }
            Step::MarkAll(mark) => {
                let body = json!({ "markAs": mark });
                let path = [("subscriberId", state.subscriber.as_str())];
                let sent = session
                    .send("subscriber_messages_mark_all", &path, &[], Some(body))
                    .await;
                let mut turned = 0;
                for message in state.live.values_mut() {
                    if message.turned_by(mark) {
                        message.mark(mark);
                        turned += 1;
                    }
                }
                let expected = format!("the number of messages mark-all {mark} turned over");
                sent.expect_same(201, &expected, &expected, |data| {
                    if data == &json!(turned) {
                        Ok(())
                    } else {
                        Err(format!("data is {data}, expected {turned}"))
                    }
                })?;
                counted(session, state, false).await
            }
            Step::List { limit } => {
                counted(session, state, true).await?;
                feed(session, state).await?;
                let query = [("subscriberId", state.subscriber.clone())];
                let Some(walked) = pages::walk(session, LIST, &query, *limit).await? else {
                    return Ok(());
                };
                walked.newest_first("messages newest first")?;
                let listed: BTreeSet<&str> = walked
                    .items
                    .iter()
                    .filter_map(|item| item["_id"].as_str())
                    .collect();
                let live: BTreeSet<&str> = state
                    .live
                    .values()
                    .map(|message| message.id.as_str())
                    .collect();
                if listed != live {
                    let problem = format!("the subscriber's messages are {listed:?}");
                    return Err(walked.fail(&format!("exactly {live:?}"), problem));
                }
                Ok(())
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        for message in state.live.values() {
            session
                .discard("messages_delete", "messageId", &message.id)
                .await;
        }
        if !state.subscriber.is_empty() {
            session
                .discard("subscribers_delete", "subscriberId", &state.subscriber)
                .await;
        }
        if !state.workflow.is_empty() {
            session
                .discard("workflows_delete", "workflowId", &state.workflow)
                .await;
        }
        if !state.group.is_empty() {
            session
                .discard("workflow_groups_delete", "id", &state.group)
                .await;
        }
    }
}

/// Reads the subscriber's count of messages whose seen state is `seen`: it is the number of
/// live messages the model holds in that state.
async fn counted(session: &mut Session<'_>, state: &State, seen: bool) -> Result<(), Failure> {
    let path = [("subscriberId", state.subscriber.as_str())];
    let query = [("seen", seen.to_string())];
    let sent = session
        .send("subscriber_notifications_unseen_count", &path, &query, None)
        .await;
    let count = state
        .live
        .values()
        .filter(|message| message.seen == seen)
        .count();
    let expected = format!("a count of {count} messages with seen {seen}");
    sent.expect_same(200, &expected, &expected, |data| {
        if data["count"] == json!(count) {
            Ok(())
        } else {
            Err(format!("count is {}", data["count"]))
        }
    })
}

/// Reads the subscriber's in-app feed: it holds exactly the live messages, each seen and read
/// as the model holds it.
async fn feed(session: &mut Session<'_>, state: &State) -> Result<(), Failure> {
    let path = [("subscriberId", state.subscriber.as_str())];
    let query = [("page", "0".to_owned()), ("limit", "100".to_owned())];
    let sent = session
        .send("subscriber_notifications_feed", &path, &query, None)
        .await;
    let expected = "the live messages in the feed, seen and read as marked";
    sent.expect_same(200, "the feed", expected, |data| {
        let listed = pages::by_id(data);
        for message in state.live.values() {
            let Some(item) = listed.get(message.id.as_str()) else {
                return Err(format!("message {} is not in the feed", message.id));
            };
            message.same_marks(item)?;
        }
        match state
            .deleted
            .values()
            .find(|message| listed.contains_key(message.id.as_str()))
        {
            Some(message) => Err(format!("deleted message {} is in the feed", message.id)),
            None if listed.len() != state.live.len() => Err(format!(
                "the feed holds {} messages, expected {}",
                listed.len(),
                state.live.len()
            )),
            None => Ok(()),
        }
    })
}
