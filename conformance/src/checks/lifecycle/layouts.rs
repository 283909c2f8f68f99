//! Layouts, addressed by the `_id` the server gives: a duplicate `identifier` is a 409, there
//! is one default layout at a time (setting one unsets the previous; the default can be
//! neither unset nor deleted), delete is soft, and the list pages with `totalCount`. Ids never
//! created are drawn, not taken from the server.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::model::Model;
use super::pages::{self, Counting, Listing, Words};
use super::session::{Failure, Session};
use super::subscribers::name;

const LIST: Listing = Listing {
    operation: "layouts_list",
    size: "pageSize",
    max: 1000,
    counting: Counting::TotalCount,
};

/// The content every layout needs.
const CONTENT: &str = "<html><body>{{{body}}}</body></html>";

/// Layout slots.
const SLOTS: usize = 3;

/// The layout model.
pub(crate) struct Layouts;

/// A layout step; numbers index slots, `Unknown` carries an id drawn at random.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Read(usize),
    Unknown(String),
    Create(usize, String),
    Rename(usize, String),
    SetDefault(usize),
    Unset(usize),
    Delete(usize),
    List { page_size: u64 },
}

#[derive(Debug, Clone)]
struct Layout {
    id: String,
    identifier: String,
    name: String,
}

/// What the server should hold.
#[derive(Default)]
pub(crate) struct State {
    live: BTreeMap<usize, Layout>,
    /// The ids of deleted layouts, by slot (the latest).
    deleted: BTreeMap<usize, String>,
    /// The environment's default before the sequence, restored afterwards.
    original_default: Option<String>,
    /// The slot holding the default, once the sequence set one.
    default: Option<usize>,
    created: usize,
}

impl Model for Layouts {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "layouts";
    const CREATE: &'static str = "layouts_create";
    const OPERATIONS: &'static [&'static str] = &[
        "layouts_create",
        "layouts_retrieve",
        "layouts_update",
        "layouts_set_default",
        "layouts_delete",
        "layouts_list",
    ];
    const IDS: usize = SLOTS;

    fn closing() -> Step {
        Step::List { page_size: 1 }
    }

    fn step() -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        prop_oneof![
            1 => slot.clone().prop_map(Step::Read),
            1 => "[0-9a-f]{24}".prop_map(Step::Unknown),
            3 => (slot.clone(), name()).prop_map(|(slot, name)| Step::Create(slot, name)),
            1 => (slot.clone(), name()).prop_map(|(slot, name)| Step::Rename(slot, name)),
            1 => slot.clone().prop_map(Step::SetDefault),
            1 => slot.clone().prop_map(Step::Unset),
            1 => slot.prop_map(Step::Delete),
            1 => (1..=3u64).prop_map(|page_size| Step::List { page_size }),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        let query = [("page", "0".to_owned()), ("pageSize", "1000".to_owned())];
        let sent = session.send("layouts_list", &[], &query, None).await;
        let body = sent.body();
        sent.expect(200, "the layouts")?;
        state.original_default = body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|layout| layout["isDefault"] == json!(true))
            .and_then(|layout| layout["_id"].as_str())
            .map(str::to_owned);
        if state.original_default.is_some() {
            return Ok(());
        }
        // Without a default the contract does not say which layout becomes one; a default
        // made here settles it, and stays (a default cannot be deleted), for later plays too.
        let body = json!({
            "name": "default",
            "identifier": session.name("default"),
            "content": CONTENT,
            "isDefault": true,
        });
        let sent = session.send("layouts_create", &[], &[], Some(body)).await;
        let data = sent.expect(201, "a default layout created")?;
        state.original_default = data["_id"].as_str().map(str::to_owned);
        Ok(())
    }

    async fn apply(
        &self,
        session: &mut Session<'_>,
        state: &mut State,
        step: &Step,
    ) -> Result<(), Failure> {
        match step {
            Step::Read(slot) => {
                let Some(id) = address(state, *slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("layouts_retrieve", "layoutId", &id, None)
                    .await;
                match state.live.get(slot) {
                    Some(layout) => {
                        sent.expect_same(200, "the layout", "the layout as written", |data| {
                            same_layout(data, layout, state.default == Some(*slot))
                        })
                    }
                    None => sent.expect_status(404, "the layout is deleted"),
                }
            }
            Step::Unknown(id) => {
                let sent = session
                    .send_one("layouts_retrieve", "layoutId", id, None)
                    .await;
                sent.expect_status(404, "no layout has this id")
            }
            Step::Create(slot, name) => {
                let identifier = match state.live.get(slot) {
                    Some(layout) => layout.identifier.clone(),
                    None => format!("{}-{}", session.id(*slot), state.created),
                };
                let body = json!({ "name": name, "identifier": identifier, "content": CONTENT });
                let sent = session.send("layouts_create", &[], &[], Some(body)).await;
                if state.live.contains_key(slot) {
                    return sent.expect_status(409, "the identifier is taken");
                }
                let data = sent.expect(201, "the new layout's id")?;
                let id = sent.id_of(&data, "the new layout's _id")?;
                state.created += 1;
                let layout = Layout {
                    id,
                    identifier,
                    name: name.clone(),
                };
                state.live.insert(*slot, layout);
                Ok(())
            }
            Step::Rename(slot, name) => {
                let Some(id) = address(state, *slot) else {
                    return Ok(());
                };
                let body = json!({ "name": name });
                let sent = session
                    .send_one("layouts_update", "layoutId", &id, Some(body))
                    .await;
                let default = state.default == Some(*slot);
                let Some(layout) = state.live.get_mut(slot) else {
                    return sent.expect_status(404, "the layout is deleted");
                };
                layout.name = name.clone();
                let expected = "the updated layout";
                sent.expect_same(200, expected, expected, |data| {
                    same_layout(data, layout, default)
                })
            }
            Step::SetDefault(slot) => {
                let Some(id) = address(state, *slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("layouts_set_default", "layoutId", &id, None)
                    .await;
                if !state.live.contains_key(slot) {
                    return sent.expect_status(404, "the layout is deleted");
                }
                sent.expect_status(204, "the layout made the default")?;
                state.default = Some(*slot);
                Ok(())
            }
            Step::Unset(slot) => {
                let Some(id) = address(state, *slot) else {
                    return Ok(());
                };
                let body = json!({ "isDefault": false });
                let sent = session
                    .send_one("layouts_update", "layoutId", &id, Some(body))
                    .await;
                if !state.live.contains_key(slot) {
                    return sent.expect_status(404, "the layout is deleted");
                }
                if state.default == Some(*slot) {
                    return sent.expect_status(409, "one default layout is required");
                }
                sent.expect_status(200, "the layout, still not the default")
            }
            Step::Delete(slot) => {
                let Some(id) = address(state, *slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("layouts_delete", "layoutId", &id, None)
                    .await;
                if !state.live.contains_key(slot) {
                    return sent.expect_status(404, "the layout is deleted");
                }
                if state.default == Some(*slot) {
                    return sent.expect_status(409, "the default layout cannot be deleted");
                }
                sent.expect_status(204, "the layout deleted")?;
                state.live.remove(slot);
                session.gone("layouts_retrieve", "layoutId", &id).await?;
                state.deleted.insert(*slot, id);
                Ok(())
            }
            Step::List { page_size } => {
                let Some(walked) = pages::walk(session, LIST, &[], *page_size).await? else {
                    return Ok(());
                };
                let defaults: Vec<&Value> = walked
                    .items
                    .iter()
                    .filter(|item| item["isDefault"] == json!(true))
                    .map(|item| &item["_id"])
                    .collect();
                let default = match state.default {
                    Some(slot) => state.live.get(&slot).map(|layout| layout.id.clone()),
                    None => state.original_default.clone(),
                };
                if let Some(default) = default
                    && defaults != [&json!(default)]
                {
                    let problem = format!("the defaults listed are {defaults:?}");
                    return Err(walked.fail(&format!("one default layout, {default}"), problem));
                }
                // Keyed by the `_id` as JSON, so that an `_id` that is not a string is listed too.
                let mut listed: BTreeMap<String, Value> = BTreeMap::new();
                for item in &walked.items {
                    let identifier = item["identifier"].as_str().unwrap_or_default();
                    let original = item["_id"].as_str() == state.original_default.as_deref();
                    if session.owns(identifier) && !original {
                        listed.insert(item["_id"].to_string(), item.clone());
                    }
                }
                let held = state
                    .live
                    .iter()
                    .map(|(slot, layout)| (json!(layout.id).to_string(), (*slot, layout)));
                walked.holds(
                    listed,
                    held,
                    |item, (slot, layout)| same_layout(item, layout, state.default == Some(*slot)),
                    Words {
                        every: "every layout listed",
                        missing: |(_, layout)| format!("layout {} is on no page", layout.id),
                        as_written: "the layouts as written",
                        only: "deleted layouts not listed",
                        extra: |id| format!("layout {id} is listed but deleted"),
                    },
                )
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        if let (Some(_), Some(original)) = (state.default, &state.original_default) {
            session
                .discard("layouts_set_default", "layoutId", original)
                .await;
        }
        for layout in state.live.values() {
            session
                .discard("layouts_delete", "layoutId", &layout.id)
                .await;
        }
    }
}

/// The id a step on `slot` addresses: the live layout's, else the deleted one's.
fn address(state: &State, slot: usize) -> Option<String> {
    super::model::address(&state.live, &state.deleted, slot, |layout| &layout.id)
}

fn same_layout(stored: &Value, layout: &Layout, default: bool) -> Result<(), String> {
    let expected = json!({
        "_id": layout.id,
        "identifier": layout.identifier,
        "name": layout.name,
        "isDefault": default,
    });
    for (field, value) in expected.as_object().into_iter().flatten() {
        if &stored[field] != value {
            return Err(format!("{field} is {}, expected {value}", stored[field]));
        }
    }
    Ok(())
}
