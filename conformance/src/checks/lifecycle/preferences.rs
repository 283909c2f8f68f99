//! A subscriber's preferences for two workflows (each with an in-app and an email step) and
//! its global preference. A workflow write changes that workflow's `enabled` or one of its
//! channels and keeps the others; a global write changes the global `enabled` and the channels
//! it names and keeps the others. Neither changes another scope: the other workflow's
//! preference, the global one after a workflow write, the workflows' after a global write.
//! Every write is answered with the whole preference it changed, and the reads compare every
//! scope in full. What the preferences are before the first write is read from the server.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::model::Model;
use super::session::{Failure, Session};
use super::workflows;

/// The two workflows.
const WORKFLOWS: usize = 2;

/// The channels of the workflows' steps.
const STEP_CHANNELS: [&str; 2] = ["in_app", "email"];

/// Every channel a global preference can switch.
const CHANNELS: [&str; 5] = ["email", "sms", "in_app", "chat", "push"];

/// The preference model.
pub(crate) struct Preferences;

/// A preference step; `workflow` indexes the two workflows, channels index [`STEP_CHANNELS`]
/// or [`CHANNELS`].
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Workflow {
        workflow: usize,
        enabled: Option<bool>,
        channel: Option<(usize, bool)>,
    },
    Global {
        enabled: Option<bool>,
        channels: Vec<(usize, bool)>,
    },
    Read,
}

/// One scope's preference: the switch for everything and one per channel.
#[derive(Debug, Clone, Default, PartialEq)]
struct Preference {
    enabled: Value,
    channels: Map<String, Value>,
}

impl Preference {
    /// The `enabled` and `channels` of `stored` (a `preference` object).
    fn of(stored: &Value) -> Preference {
        Preference {
            enabled: stored["enabled"].clone(),
            channels: stored["channels"].as_object().cloned().unwrap_or_default(),
        }
    }

    /// Whether `stored` (a `preference` object) holds this preference; else the problem, for
    /// the scope `scope`.
    fn same(&self, stored: &Value, scope: &str) -> Result<(), String> {
        let found = Preference::of(stored);
        if found.enabled != self.enabled {
            return Err(format!(
                "{scope}: enabled is {}, expected {}",
                found.enabled, self.enabled
            ));
        }
        if found.channels != self.channels {
            return Err(format!(
                "{scope}: channels are {}, expected {}",
                Value::Object(found.channels),
                Value::Object(self.channels.clone())
            ));
        }
        Ok(())
    }
}

/// What the server should hold.
#[derive(Default)]
pub(crate) struct State {
    group: String,
    subscriber: String,
    /// The workflows' ids, in order.
    workflows: Vec<String>,
    /// Each workflow's preference, by id.
    preferences: BTreeMap<String, Preference>,
    global: Preference,
}

impl Model for Preferences {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "preferences";
    const CREATE: &'static str = "subscriber_preferences_update";
    const OPERATIONS: &'static [&'static str] = &[
        "subscriber_preferences_list",
        "subscriber_preferences_update_global",
        "subscriber_preferences_get_by_level",
        "subscriber_preferences_update",
    ];
    const IDS: usize = 1;

    fn closing() -> Step {
        Step::Read
    }

    fn step() -> BoxedStrategy<Step> {
        let on = any::<bool>();
        let workflow = (
            0..WORKFLOWS,
            proptest::option::weighted(0.4, on),
            proptest::option::weighted(0.8, (0..STEP_CHANNELS.len(), on)),
        )
            .prop_map(|(workflow, enabled, channel)| Step::Workflow {
                workflow,
                // A write names `enabled` or a channel.
                enabled: enabled.or(channel.is_none().then_some(false)),
                channel,
            });
        let global = (
            proptest::option::weighted(0.4, on),
            proptest::collection::vec((0..CHANNELS.len(), on), 0..3),
        )
            .prop_map(|(enabled, channels)| Step::Global { enabled, channels });
        prop_oneof![
            3 => workflow,
            2 => global,
            1 => Just(Step::Read),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        state.group = workflows::group(session).await?;
        for index in 0..WORKFLOWS {
            let steps: Vec<Value> = STEP_CHANNELS
                .iter()
                .map(|channel| {
                    json!({ "active": true, "template": {
                        "type": channel, "subject": "preferences", "content": "hello"
                    } })
                })
                .collect();
            let body = json!({
                "name": session.name(&format!("workflow-{index}")),
                "notificationGroupId": state.group,
                "active": true,
                "critical": false,
                "steps": steps,
            });
            let sent = session.send("workflows_create", &[], &[], Some(body)).await;
            let data = sent.expect(201, "an active workflow with in-app and email steps")?;
            state
                .workflows
                .push(sent.id_of(&data, "the workflow's _id")?);
        }
        state.subscriber = session.id(0);
        let body = json!({ "subscriberId": state.subscriber });
        let sent = session
            .send("subscribers_create", &[], &[], Some(body))
            .await;
        sent.expect(201, "the subscriber")?;
        // Before any write, the preferences are what the server says they are.
        let path = [("subscriberId", state.subscriber.as_str())];
        let sent = session
            .send("subscriber_preferences_list", &path, &[], None)
            .await;
        let list = sent.expect(200, "the subscriber's workflow preferences")?;
        for id in &state.workflows {
            let Some(entry) = entry(&list, id) else {
                return Err(sent.fail("one entry per workflow", format!("no entry for {id}")));
            };
            state
                .preferences
                .insert(id.clone(), Preference::of(&entry["preference"]));
        }
        let path = [
            ("subscriberId", state.subscriber.as_str()),
            ("parameter", "global"),
        ];
        let sent = session
            .send("subscriber_preferences_get_by_level", &path, &[], None)
            .await;
        let global = sent.expect(200, "the subscriber's global preference")?;
        state.global = Preference::of(&global[0]["preference"]);
        Ok(())
    }

    async fn apply(
        &self,
        session: &mut Session<'_>,
        state: &mut State,
        step: &Step,
    ) -> Result<(), Failure> {
        match step {
            Step::Workflow {
                workflow,
                enabled,
                channel,
            } => {
                let id = state.workflows[*workflow].clone();
                let mut body = Map::new();
                let expected = state.preferences.entry(id.clone()).or_default();
                if let Some(enabled) = enabled {
                    body.insert("enabled".into(), json!(enabled));
                    expected.enabled = json!(enabled);
                }
                if let Some((channel, on)) = channel {
                    let channel = STEP_CHANNELS[*channel];
                    body.insert("channel".into(), json!({ "type": channel, "enabled": on }));
                    expected.channels.insert(channel.to_owned(), json!(on));
                }
                let expected = expected.clone();
                let path = [
                    ("subscriberId", state.subscriber.as_str()),
                    ("parameter", id.as_str()),
                ];
                let sent = session
                    .send(
                        "subscriber_preferences_update",
                        &path,
                        &[],
                        Some(Value::Object(body)),
                    )
                    .await;
                let as_written = "the workflow's preference, the channels not written as they were";
                sent.expect_same(200, "the workflow's preference", as_written, |data| {
                    expected.same(&data["preference"], &format!("workflow {id}"))
                })
            }
            Step::Global { enabled, channels } => {
                let mut body = Map::new();
                if let Some(enabled) = enabled {
                    body.insert("enabled".into(), json!(enabled));
                    state.global.enabled = json!(enabled);
                }
                if !channels.is_empty() {
                    let written: Vec<Value> = channels
                        .iter()
                        .map(|(channel, on)| json!({ "type": CHANNELS[*channel], "enabled": on }))
                        .collect();
                    body.insert("preferences".into(), Value::Array(written));
                    for (channel, on) in channels {
                        state
                            .global
                            .channels
                            .insert(CHANNELS[*channel].to_owned(), json!(on));
                    }
                }
                let path = [("subscriberId", state.subscriber.as_str())];
                let sent = session
                    .send(
                        "subscriber_preferences_update_global",
                        &path,
                        &[],
                        Some(Value::Object(body)),
                    )
                    .await;
                let as_written = "the global preference, the channels not written as they were";
                sent.expect_same(200, "the global preference", as_written, |data| {
                    state.global.same(&data["preference"], "global")
                })
            }
            Step::Read => {
                let path = [("subscriberId", state.subscriber.as_str())];
                let sent = session
                    .send("subscriber_preferences_list", &path, &[], None)
                    .await;
                let expected = "each workflow's preference as written to it alone";
                sent.expect_same(200, "the workflow preferences", expected, |list| {
                    for (id, preference) in &state.preferences {
                        let Some(entry) = entry(list, id) else {
                            return Err(format!("no entry for workflow {id}"));
                        };
                        preference.same(&entry["preference"], &format!("workflow {id}"))?;
                    }
                    Ok(())
                })?;
                let path = [
                    ("subscriberId", state.subscriber.as_str()),
                    ("parameter", "global"),
                ];
                let sent = session
                    .send("subscriber_preferences_get_by_level", &path, &[], None)
                    .await;
                let expected = "the global preference as written to it alone";
                sent.expect_same(200, "the global preference", expected, |data| {
                    state.global.same(&data[0]["preference"], "global")
                })
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        if !state.subscriber.is_empty() {
            session
                .discard("subscribers_delete", "subscriberId", &state.subscriber)
                .await;
        }
        for id in &state.workflows {
            session.discard("workflows_delete", "workflowId", id).await;
        }
        if !state.group.is_empty() {
            session
                .discard("workflow_groups_delete", "id", &state.group)
                .await;
        }
    }
}

/// The entry of workflow `id` in a list of workflow preferences.
fn entry<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list.as_array()?
        .iter()
        .find(|entry| entry["template"]["_id"] == json!(id))
}
