//! Messages: three triggers of an in-app workflow give one subscriber three messages; deleting
//! one (by id or by its transaction) hides it from the subscriber's list, a second delete is a
//! 404, and the list pages with `totalCount` and `hasMore` (`page * limit + length <
//! totalCount`), newest first.
//!
//! Delivery is asynchronous: the play waits (a bounded number of list reads) until the three
//! messages are there. A server that does not deliver them in that time is not judged here;
//! the model's steps then send nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;

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
    List { limit: u64 },
}

#[derive(Debug, Clone)]
struct Message {
    id: String,
    transaction: String,
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
    ];
    const IDS: usize = 1;

    fn closing() -> Step {
        Step::List { limit: 1 }
    }

    fn step() -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        prop_oneof![
            2 => slot.clone().prop_map(Step::Delete),
            1 => slot.prop_map(Step::DeleteTransaction),
            1 => "[0-9a-f]{24}".prop_map(Step::Unknown),
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
                Ok(())
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
                Ok(())
            }
            Step::Unknown(id) => {
                let sent = session
                    .send_one("messages_delete", "messageId", id, None)
                    .await;
                sent.expect_status(404, "no message has this id")
            }
            Step::List { limit } => {
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
