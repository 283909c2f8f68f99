//! Workflow groups, addressed by the `_id` the server gives: read-after-write, rename, a hard
//! delete acknowledged in the body, 404 for deleted and drawn ids, and the (unpaginated) list.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::model::Model;
use super::pages;
use super::session::{Failure, Session};
use super::subscribers::name;

/// Group slots.
const SLOTS: usize = 3;

/// The workflow group model.
pub(crate) struct Groups;

/// A group step; numbers index slots, `Unknown` carries an id drawn at random.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Read(usize),
    Unknown(String),
    Create(usize, String),
    Rename(usize, String),
    Delete(usize),
    List,
}

/// Live groups (id and name) and deleted ids, by slot.
#[derive(Default)]
pub(crate) struct State {
    live: BTreeMap<usize, (String, String)>,
    deleted: BTreeMap<usize, String>,
}

impl State {
    fn address(&self, slot: usize) -> Option<String> {
        super::model::address(&self.live, &self.deleted, slot, |(id, _)| id)
    }
}

impl Model for Groups {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "workflow-groups";
    const CREATE: &'static str = "workflow_groups_create";
    const OPERATIONS: &'static [&'static str] = &[
        "workflow_groups_create",
        "workflow_groups_retrieve",
        "workflow_groups_update",
        "workflow_groups_delete",
        "workflow_groups_list",
    ];
    const IDS: usize = SLOTS;

    fn closing() -> Step {
        Step::List
    }

    fn step() -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        prop_oneof![
            1 => slot.clone().prop_map(Step::Read),
            1 => "[0-9a-f]{24}".prop_map(Step::Unknown),
            3 => (slot.clone(), name()).prop_map(|(slot, name)| Step::Create(slot, name)),
            1 => (slot.clone(), name()).prop_map(|(slot, name)| Step::Rename(slot, name)),
            1 => slot.prop_map(Step::Delete),
            1 => Just(Step::List),
        ]
        .boxed()
    }

    async fn apply(
        &self,
        session: &mut Session<'_>,
        state: &mut State,
        step: &Step,
    ) -> Result<(), Failure> {
        match step {
            Step::Read(slot) => {
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("workflow_groups_retrieve", "id", &id, None)
                    .await;
                match state.live.get(slot) {
                    Some((id, name)) => {
                        sent.expect_same(200, "the group", "the group as written", |data| {
                            same_group(data, id, name)
                        })
                    }
                    None => sent.expect_status(404, "the group is deleted"),
                }
            }
            Step::Unknown(id) => {
                let sent = session
                    .send_one("workflow_groups_retrieve", "id", id, None)
                    .await;
                sent.expect_status(404, "no group has this id")
            }
            Step::Create(slot, name) => {
                if state.live.contains_key(slot) {
                    return Ok(());
                }
                let body = json!({ "name": name });
                let sent = session
                    .send("workflow_groups_create", &[], &[], Some(body))
                    .await;
                let data = sent.expect(201, "the created group")?;
                let id = sent.id_of(&data, "the created group's _id")?;
                same_group(&data, &id, name)
                    .map_err(|problem| sent.fail("the group as written", problem))?;
                state.live.insert(*slot, (id, name.clone()));
                Ok(())
            }
            Step::Rename(slot, name) => {
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let body = json!({ "name": name });
                let sent = session
                    .send_one("workflow_groups_update", "id", &id, Some(body))
                    .await;
                let Some(live) = state.live.get_mut(slot) else {
                    return sent.expect_status(404, "the group is deleted");
                };
                live.1 = name.clone();
                let expected = "the updated group";
                sent.expect_same(200, expected, expected, |data| same_group(data, &id, name))
            }
            Step::Delete(slot) => {
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("workflow_groups_delete", "id", &id, None)
                    .await;
                if state.live.remove(slot).is_none() {
                    return sent.expect_status(404, "the group is deleted");
                }
                sent.expect_acknowledged()?;
                session.gone("workflow_groups_retrieve", "id", &id).await?;
                state.deleted.insert(*slot, id);
                Ok(())
            }
            Step::List => {
                let sent = session.send("workflow_groups_list", &[], &[], None).await;
                let data = sent.expect(200, "every group")?;
                let listed = pages::by_id(&data);
                for (id, name) in state.live.values() {
                    let Some(group) = listed.get(id.as_str()) else {
                        let problem = format!("group {id} is not listed");
                        return Err(sent.fail("every live group listed", problem));
                    };
                    if let Err(problem) = same_group(group, id, name) {
                        return Err(sent.fail("the groups as written", problem));
                    }
                }
                if let Some(id) = state
                    .deleted
                    .values()
                    .find(|id| listed.contains_key(id.as_str()))
                {
                    let problem = format!("deleted group {id} is listed");
                    return Err(sent.fail("deleted groups not listed", problem));
                }
                Ok(())
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        for (id, _) in state.live.values() {
            session.discard("workflow_groups_delete", "id", id).await;
        }
    }
}

fn same_group(stored: &Value, id: &str, name: &str) -> Result<(), String> {
    if stored["_id"] != json!(id) || stored["name"] != json!(name) {
        return Err(format!(
            "_id {} and name {}, expected {id:?} and {name:?}",
            stored["_id"], stored["name"]
        ));
    }
    Ok(())
}
