//! Workflows (v1), addressed by `_id` or by trigger identifier: names read back, the status
//! toggles (and setting the current one again is a 400), delete is soft (a second delete is a
//! 400, a read a 404), and the list, filtered by the play's prefix so that only the model's
//! workflows are in it, pages with `totalCount`, newest first.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::model::Model;
use super::pages::{self, Counting, Listing, Words};
use super::session::{Failure, Session};

const LIST: Listing = Listing {
    operation: "workflows_list",
    size: "limit",
    max: 100,
    counting: Counting::TotalCount,
};

/// Workflow slots.
const SLOTS: usize = 3;

/// The workflow model.
pub(crate) struct Workflows;

/// A workflow step; numbers index slots.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Read(usize),
    ReadByIdentifier(usize),
    Create(usize),
    Rename(usize, String),
    Status(usize, bool),
    Delete(usize),
    List { limit: u64 },
}

#[derive(Debug, Clone)]
struct Workflow {
    id: String,
    identifier: String,
    name: String,
    active: bool,
}

/// What the server should hold.
#[derive(Default)]
pub(crate) struct State {
    group: String,
    live: BTreeMap<usize, Workflow>,
    deleted: BTreeMap<usize, Workflow>,
    created: usize,
}

impl State {
    fn address(&self, slot: usize) -> Option<&Workflow> {
        self.live.get(&slot).or_else(|| self.deleted.get(&slot))
    }
}

/// Creates the workflow group every workflow needs; answers its id.
pub(crate) async fn group(session: &mut Session<'_>) -> Result<String, Failure> {
    let body = json!({ "name": session.name("group") });
    let sent = session
        .send("workflow_groups_create", &[], &[], Some(body))
        .await;
    let data = sent.expect(201, "a workflow group for the workflows")?;
    sent.id_of(&data, "the group's _id")
}

/// Creates a workflow named `name` in `group`; answers the stored workflow.
pub(crate) async fn create(
    session: &mut Session<'_>,
    group: &str,
    name: &str,
) -> Result<Value, Failure> {
    let body = json!({ "name": name, "notificationGroupId": group, "steps": [] });
    let sent = session.send("workflows_create", &[], &[], Some(body)).await;
    let data = sent.expect(201, "the created workflow")?;
    if data["name"] != json!(name) || data["active"] != json!(false) {
        return Err(sent.fail(
            format!("name {name:?}, active false (the default)"),
            format!("name {}, active {}", data["name"], data["active"]),
        ));
    }
    Ok(data)
}

impl Model for Workflows {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "workflows";
    const CREATE: &'static str = "workflows_create";
    const OPERATIONS: &'static [&'static str] = &[
        "workflows_create",
        "workflows_retrieve",
        "workflows_update",
        "workflow_status_update",
        "workflows_delete",
        "workflows_list",
    ];
    const IDS: usize = SLOTS;

    fn closing() -> Step {
        Step::List { limit: 1 }
    }

    fn step() -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        prop_oneof![
            1 => slot.clone().prop_map(Step::Read),
            1 => slot.clone().prop_map(Step::ReadByIdentifier),
            3 => slot.clone().prop_map(Step::Create),
            1 => (slot.clone(), super::subscribers::name())
                .prop_map(|(slot, name)| Step::Rename(slot, name)),
            1 => (slot.clone(), any::<bool>()).prop_map(|(slot, active)| Step::Status(slot, active)),
            1 => slot.prop_map(Step::Delete),
            1 => (1..=3u64).prop_map(|limit| Step::List { limit }),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        state.group = group(session).await?;
        Ok(())
    }

    async fn apply(
        &self,
        session: &mut Session<'_>,
        state: &mut State,
        step: &Step,
    ) -> Result<(), Failure> {
        match step {
            Step::Read(slot) | Step::ReadByIdentifier(slot) => {
                let Some(workflow) = state.address(*slot).cloned() else {
                    return Ok(());
                };
                let by = match step {
                    Step::Read(_) => &workflow.id,
                    _ => &workflow.identifier,
                };
                let sent = session
                    .send_one("workflows_retrieve", "workflowId", by, None)
                    .await;
                let Some(live) = state.live.get(slot) else {
                    return sent.expect_status(404, "the workflow is deleted");
                };
                sent.expect_same(200, "the workflow", "the workflow as written", |data| {
                    same_workflow(data, live)
                })
            }
            Step::Create(slot) => {
                if state.live.contains_key(slot) {
                    return Ok(());
                }
                // The name carries the prefix, so that the list can be filtered to the model's.
                let name = format!("{}-{}", session.id(*slot), state.created);
                let data = create(session, &state.group, &name).await?;
                let workflow = Workflow {
                    id: data["_id"].as_str().unwrap_or_default().to_owned(),
                    identifier: data["triggers"][0]["identifier"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    name,
                    active: false,
                };
                state.created += 1;
                state.live.insert(*slot, workflow);
                Ok(())
            }
            Step::Rename(slot, name) => {
                let Some(workflow) = state.address(*slot).cloned() else {
                    return Ok(());
                };
                // The new name keeps the prefix, so the workflow stays in the filtered list.
                let name = session.name(name);
                let body = json!({ "name": name });
                let sent = session
                    .send_one("workflows_update", "workflowId", &workflow.id, Some(body))
                    .await;
                let Some(live) = state.live.get_mut(slot) else {
                    return sent.expect_status(404, "the workflow is deleted");
                };
                live.name = name;
                let expected = "the updated workflow";
                sent.expect_same(200, expected, expected, |data| same_workflow(data, live))
            }
            Step::Status(slot, active) => {
                let Some(workflow) = state.address(*slot).cloned() else {
                    return Ok(());
                };
                let body = json!({ "active": active });
                let sent = session
                    .send_one(
                        "workflow_status_update",
                        "workflowId",
                        &workflow.id,
                        Some(body),
                    )
                    .await;
                let Some(live) = state.live.get_mut(slot) else {
                    return sent.expect_status(404, "the workflow is deleted");
                };
                if live.active == *active {
                    return sent.expect_status(400, "the status is already this one");
                }
                live.active = *active;
                let expected = "the workflow with its new status";
                sent.expect_same(200, expected, expected, |data| same_workflow(data, live))
            }
            Step::Delete(slot) => {
                let Some(workflow) = state.address(*slot).cloned() else {
                    return Ok(());
                };
                let sent = session
                    .send_one("workflows_delete", "workflowId", &workflow.id, None)
                    .await;
                if state.live.remove(slot).is_none() {
                    return sent.expect_status(400, "the workflow is deleted");
                }
                sent.expect_true()?;
                session
                    .gone("workflows_retrieve", "workflowId", &workflow.id)
                    .await?;
                state.deleted.insert(*slot, workflow);
                Ok(())
            }
            Step::List { limit } => {
                let query = [("query", session.base().to_owned())];
                let Some(walked) = pages::walk(session, LIST, &query, *limit).await? else {
                    return Ok(());
                };
                walked.newest_first("workflows newest first")?;
                walked.holds(
                    walked.keyed_by("_id", |_, _| true),
                    state
                        .live
                        .values()
                        .map(|workflow| (workflow.id.clone(), workflow)),
                    |item, workflow| same_workflow(item, workflow),
                    Words {
                        every: "every live workflow listed",
                        missing: |workflow| format!("workflow {} is on no page", workflow.id),
                        as_written: "the workflows as written",
                        only: "only live workflows listed",
                        extra: |id| format!("workflow {id} matches the prefix but is not live"),
                    },
                )
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        for workflow in state.live.values() {
            session
                .discard("workflows_delete", "workflowId", &workflow.id)
                .await;
        }
        session
            .discard("workflow_groups_delete", "id", &state.group)
            .await;
    }
}

fn same_workflow(stored: &Value, workflow: &Workflow) -> Result<(), String> {
    let expected = json!({
        "_id": workflow.id,
        "name": workflow.name,
        "active": workflow.active,
    });
    for (field, value) in expected.as_object().into_iter().flatten() {
        if &stored[field] != value {
            return Err(format!("{field} is {}, expected {value}", stored[field]));
        }
    }
    if stored["triggers"][0]["identifier"] != json!(workflow.identifier) {
        return Err(format!(
            "the trigger identifier is {}, expected {:?}",
            stored["triggers"][0]["identifier"], workflow.identifier
        ));
    }
    Ok(())
}
