//! Pending changes, through layouts (whose every create, update and delete is a change): an
//! entity written since it was last promoted has exactly one pending change, holding the
//! difference from its promoted state (nothing, before its first promotion) to its current
//! one, so a rename after renames names only the latest name; applying the change leaves none
//! pending; the pending count agrees with the pending changes walked.
//!
//! Only an environment that promotes to another one (Novu's Development) records changes; with
//! the key of any other the model checks the count alone.
//!
//! The play's layouts are never the default, so each write of one is a `Layout` change, the only
//! type the model reads: the writes that leave a layout the default are `DefaultLayout` changes,
//! and the list does not show a new default's (it is filed under the former default's).

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::model::Model;
use super::pages::{self, Counting, Listing};
use super::session::{Failure, Session};
use super::subscribers::name;

/// Layout slots.
const SLOTS: usize = 3;

/// The content every layout needs.
const CONTENT: &str = "<div>{{{body}}}</div>";

/// The pending changes, newest first, 100 to a page.
const PENDING: Listing = Listing {
    operation: "changes_list",
    size: "limit",
    max: 100,
    counting: Counting::TotalCount,
};

/// The pending-changes model.
pub(crate) struct Changes;

/// A step; numbers index slots.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Create(usize, String),
    Rename(usize, String),
    Delete(usize),
    Apply(usize),
    Pending,
}

/// A layout of the play.
struct Layout {
    id: String,
    name: String,
    /// Its name when last promoted; `None` before its first promotion.
    promoted: Option<String>,
    /// Written since it was last promoted.
    pending: bool,
    deleted: bool,
}

/// The play's layouts by slot, and whether the environment records changes.
#[derive(Default)]
pub(crate) struct State {
    layouts: BTreeMap<usize, Layout>,
    records: bool,
}

impl Model for Changes {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "changes";
    const CREATE: &'static str = "changes_apply";
    const OPERATIONS: &'static [&'static str] = &[
        "layouts_create",
        "layouts_update",
        "layouts_delete",
        "changes_list",
        "changes_count",
        "changes_apply",
    ];
    const IDS: usize = SLOTS;

    fn closing() -> Step {
        Step::Pending
    }

    fn step() -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        prop_oneof![
            3 => (slot.clone(), name()).prop_map(|(slot, name)| Step::Create(slot, name)),
            3 => (slot.clone(), name()).prop_map(|(slot, name)| Step::Rename(slot, name)),
            1 => slot.clone().prop_map(Step::Delete),
            2 => slot.prop_map(Step::Apply),
        ]
        .boxed()
    }

    /// Whether the key's environment has one it promotes to: an environment whose parent it is.
    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        let sent = session
            .send("environments_retrieve_current", &[], &[], None)
            .await;
        let current = sent.expect(200, "the key's environment")?;
        let sent = session.send("environments_list", &[], &[], None).await;
        let environments = sent.expect(200, "the organization's environments")?;
        state.records = environments
            .as_array()
            .into_iter()
            .flatten()
            .any(|environment| environment["_parentId"] == current["_id"]);
        Ok(())
    }

    async fn apply(
        &self,
        session: &mut Session<'_>,
        state: &mut State,
        step: &Step,
    ) -> Result<(), Failure> {
        match step {
            Step::Create(slot, name) => {
                if state.layouts.contains_key(slot) {
                    return Ok(());
                }
                let body = json!({
                    "name": name,
                    "identifier": session.id(*slot),
                    "content": CONTENT,
                    "isDefault": false,
                });
                let sent = session.send("layouts_create", &[], &[], Some(body)).await;
                let data = sent.expect(201, "the created layout")?;
                let id = sent.id_of(&data, "the created layout's _id")?;
                let layout = Layout {
                    id,
                    name: name.clone(),
                    promoted: None,
                    pending: true,
                    deleted: false,
                };
                state.layouts.insert(*slot, layout);
                Ok(())
            }
            Step::Rename(slot, name) => {
                let Some(layout) = state.layouts.get_mut(slot).filter(|layout| !layout.deleted)
                else {
                    return Ok(());
                };
                let body = json!({ "name": name });
                let sent = session
                    .send_one("layouts_update", "layoutId", &layout.id, Some(body))
                    .await;
                sent.expect(200, "the renamed layout")?;
                layout.name = name.clone();
                layout.pending = true;
                Ok(())
            }
            Step::Delete(slot) => {
                let Some(layout) = state.layouts.get_mut(slot).filter(|layout| !layout.deleted)
                else {
                    return Ok(());
                };
                let sent = session
                    .send_one("layouts_delete", "layoutId", &layout.id, None)
                    .await;
                sent.expect_status(204, "the layout is deleted")?;
                layout.deleted = true;
                layout.pending = true;
                Ok(())
            }
            Step::Apply(slot) => {
                let Some(layout) = state.layouts.get_mut(slot).filter(|_| state.records) else {
                    return Ok(());
                };
                let Some(change) = pending_change_of(session, &layout.id).await? else {
                    return Ok(());
                };
                let change_id = change["_id"].as_str().unwrap_or_default().to_owned();
                let sent = session
                    .send_one("changes_apply", "changeId", &change_id, None)
                    .await;
                sent.expect(201, "the applied change")?;
                layout.promoted = Some(layout.name.clone());
                layout.pending = false;
                Ok(())
            }
            Step::Pending => pending(session, state).await,
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        for layout in state.layouts.values().filter(|layout| !layout.deleted) {
            session
                .discard("layouts_delete", "layoutId", &layout.id)
                .await;
        }
        // A layout once promoted has a copy in the other environment: its deletion is applied
        // so that the copy goes too.
        let promoted: Vec<&str> = state
            .layouts
            .values()
            .filter(|layout| layout.promoted.is_some())
            .map(|layout| layout.id.as_str())
            .collect();
        if promoted.is_empty() {
            return;
        }
        let Ok(Some(walked)) = pages::walk(session, PENDING, &self::promoted(false), 100).await
        else {
            return;
        };
        for id in promoted {
            for change in of(&walked.items, id) {
                let change_id = change["_id"].as_str().unwrap_or_default();
                session
                    .discard("changes_apply", "changeId", change_id)
                    .await;
            }
        }
    }
}

/// The pending change of the entity `id`, read page by page, newest first, until it shows: a
/// layout of the play was written during it, so its change is among the newest (the page
/// walk of [`Step::Pending`] is what checks the pages).
async fn pending_change_of(session: &mut Session<'_>, id: &str) -> Result<Option<Value>, Failure> {
    for page in 0..20 {
        let query = [
            ("promoted", "false".to_owned()),
            ("page", page.to_string()),
            ("limit", "100".to_owned()),
        ];
        let sent = session.send("changes_list", &[], &query, None).await;
        let data = sent.expect(200, "one page of the pending changes")?;
        let items = data.as_array().cloned().unwrap_or_default();
        if let Some(change) = of(&items, id).first() {
            return Ok(Some((*change).clone()));
        }
        if items.len() < 100 {
            break;
        }
    }
    Ok(None)
}

/// The query of the pending (or promoted) changes.
fn promoted(promoted: bool) -> Vec<(&'static str, String)> {
    vec![("promoted", promoted.to_string())]
}

/// The `Layout` changes of `changes` whose entity is `id`.
fn of<'c>(changes: &'c [Value], id: &str) -> Vec<&'c Value> {
    changes
        .iter()
        .filter(|change| change["_entityId"] == json!(id) && change["type"] == "Layout")
        .collect()
}

/// The pending count agrees with the pending changes walked, and each layout of the play has
/// the pending change its writes call for, holding the difference its name made.
async fn pending(session: &mut Session<'_>, state: &State) -> Result<(), Failure> {
    let Some(walked) = pages::walk(session, PENDING, &promoted(false), 100).await? else {
        return Ok(());
    };
    let sent = session.send("changes_count", &[], &[], None).await;
    let count = sent.expect(200, "the pending count")?;
    if count != json!(walked.items.len()) {
        return Err(sent.fail(
            "the number of pending changes walked",
            format!("{count}, while {} were walked", walked.items.len()),
        ));
    }
    if !state.records {
        return Ok(());
    }
    for layout in state.layouts.values() {
        let changes = of(&walked.items, &layout.id);
        let expected = usize::from(layout.pending);
        if changes.len() != expected {
            return Err(walked.fail(
                &format!(
                    "{expected} pending change of layout {} (written since its last promotion: {})",
                    layout.id, layout.pending
                ),
                format!("{} are pending", changes.len()),
            ));
        }
        let Some(change) = changes.first().filter(|_| !layout.deleted) else {
            continue;
        };
        let names = differences_at(change, "name");
        let expected = match &layout.promoted {
            None => vec![json!({ "op": "add", "path": ["name"], "val": layout.name })],
            Some(promoted) if *promoted == layout.name => Vec::new(),
            Some(promoted) => vec![json!({
                "op": "update", "path": ["name"], "val": layout.name, "oldVal": promoted,
            })],
        };
        if names != expected {
            return Err(walked.fail(
                &format!(
                    "the pending change of layout {} holds the difference from its promoted name to its current one: {}",
                    layout.id,
                    Value::Array(expected)
                ),
                format!("its name differences are {}", Value::Array(names)),
            ));
        }
    }
    Ok(())
}

/// The differences of `change` at the top-level field `field`.
fn differences_at(change: &Value, field: &str) -> Vec<Value> {
    change["change"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|difference| difference["path"] == json!([field]))
        .cloned()
        .collect()
}
