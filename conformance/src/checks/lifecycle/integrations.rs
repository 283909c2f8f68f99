//! Integrations (active sms ones, credentials unchecked), addressed by the `_id` the server
//! gives: renames read back in the list, a primary set by the sequence is the only primary
//! of its channel, delete is soft and answers the integrations that remain, and updates of
//! deleted or drawn ids are 404s.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::model::Model;
use super::pages;
use super::session::{Failure, Session};
use super::subscribers::name;

/// Integration slots.
const SLOTS: usize = 3;

/// The channel the model's integrations use.
const CHANNEL: &str = "sms";

/// The integration model.
pub(crate) struct Integrations;

/// An integration step; numbers index slots, `Unknown` carries an id drawn at random.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Create(usize, String),
    Rename(usize, String),
    Unknown(String),
    SetPrimary(usize),
    Delete(usize),
    List,
}

#[derive(Debug, Clone)]
struct Integration {
    id: String,
    name: String,
}

/// What the server should hold.
#[derive(Default)]
pub(crate) struct State {
    live: BTreeMap<usize, Integration>,
    deleted: BTreeMap<usize, String>,
    /// The slot made primary by the sequence, while it is known to be.
    primary: Option<usize>,
    /// Whether the sequence changed the channel's primary.
    changed_primary: bool,
    /// The channel's primary before the sequence, restored afterwards.
    original_primary: Option<String>,
    created: usize,
}

impl State {
    fn address(&self, slot: usize) -> Option<String> {
        super::model::address(&self.live, &self.deleted, slot, |live| &live.id)
    }
}

impl Model for Integrations {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "integrations";
    const CREATE: &'static str = "integrations_create";
    const OPERATIONS: &'static [&'static str] = &[
        "integrations_create",
        "integrations_update",
        "integrations_set_primary",
        "integrations_delete",
        "integrations_list",
    ];
    const IDS: usize = SLOTS;

    fn closing() -> Step {
        Step::List
    }

    fn step() -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        prop_oneof![
            3 => (slot.clone(), name()).prop_map(|(slot, name)| Step::Create(slot, name)),
            1 => (slot.clone(), name()).prop_map(|(slot, name)| Step::Rename(slot, name)),
            1 => "[0-9a-f]{24}".prop_map(Step::Unknown),
            2 => slot.clone().prop_map(Step::SetPrimary),
            1 => slot.prop_map(Step::Delete),
            1 => Just(Step::List),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        let sent = session.send("integrations_list", &[], &[], None).await;
        let data = sent.expect(200, "the integrations")?;
        state.original_primary = data
            .as_array()
            .into_iter()
            .flatten()
            .find(|item| item["channel"] == json!(CHANNEL) && item["primary"] == json!(true))
            .and_then(|item| item["_id"].as_str())
            .map(str::to_owned);
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
                if state.live.contains_key(slot) {
                    return Ok(());
                }
                let body = json!({
                    "providerId": "twilio",
                    "channel": CHANNEL,
                    "name": name,
                    "identifier": format!("{}-{}", session.id(*slot), state.created),
                    "active": true,
                    "check": false,
                });
                let sent = session
                    .send("integrations_create", &[], &[], Some(body))
                    .await;
                let data = sent.expect(201, "the created integration")?;
                let id = sent.id_of(&data, "the created integration's _id")?;
                let integration = Integration {
                    id,
                    name: name.clone(),
                };
                same_integration(&data, &integration)
                    .map_err(|problem| sent.fail("the integration as written", problem))?;
                state.created += 1;
                state.live.insert(*slot, integration);
                Ok(())
            }
            Step::Rename(slot, name) => {
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let body = json!({ "name": name, "check": false });
                let sent = session
                    .send_one("integrations_update", "integrationId", &id, Some(body))
                    .await;
                let Some(integration) = state.live.get_mut(slot) else {
                    return sent.expect_status(404, "the integration is deleted");
                };
                integration.name = name.clone();
                let expected = "the updated integration";
                sent.expect_same(200, expected, expected, |data| {
                    same_integration(data, integration)
                })
            }
            Step::Unknown(id) => {
                let body = json!({ "name": "nobody", "check": false });
                let sent = session
                    .send_one("integrations_update", "integrationId", id, Some(body))
                    .await;
                sent.expect_status(404, "no integration has this id")
            }
            Step::SetPrimary(slot) => {
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("integrations_set_primary", "integrationId", &id, None)
                    .await;
                let Some(integration) = state.live.get(slot) else {
                    return sent.expect_status(404, "the integration is deleted");
                };
                let expected = "the integration, now primary";
                sent.expect_same(201, expected, expected, |data| {
                    same_integration(data, integration)?;
                    match &data["primary"] {
                        Value::Bool(true) => Ok(()),
                        primary => Err(format!("primary is {primary}")),
                    }
                })?;
                state.primary = Some(*slot);
                state.changed_primary = true;
                Ok(())
            }
            Step::Delete(slot) => {
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("integrations_delete", "integrationId", &id, None)
                    .await;
                if state.live.remove(slot).is_none() {
                    return sent.expect_status(404, "the integration is deleted");
                }
                state.deleted.insert(*slot, id);
                // Which integration the channel falls back to is not specified.
                if state.primary == Some(*slot) {
                    state.primary = None;
                }
                let expected = "the integrations that remain";
                sent.expect_same(200, expected, expected, |data| holds(data, state))
            }
            Step::List => {
                let sent = session.send("integrations_list", &[], &[], None).await;
                let expected = "every integration";
                sent.expect_same(200, expected, "every live integration", |data| {
                    holds(data, state)
                })
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        if let (true, Some(original)) = (state.changed_primary, &state.original_primary) {
            session
                .discard("integrations_set_primary", "integrationId", original)
                .await;
        }
        for integration in state.live.values() {
            session
                .discard("integrations_delete", "integrationId", &integration.id)
                .await;
        }
    }
}

/// Whether `list` holds every live integration as written, no deleted one, and, when the
/// sequence made one primary, no other primary of the channel.
fn holds(list: &Value, state: &State) -> Result<(), String> {
    let live = state
        .live
        .values()
        .map(|integration| (integration.id.as_str(), integration));
    pages::unpaginated_holds(
        list,
        "integration",
        live,
        state.deleted.values(),
        same_integration,
    )?;
    if let Some(primary) = state.primary.and_then(|slot| state.live.get(&slot)) {
        let primaries: Vec<&Value> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter(|item| item["channel"] == json!(CHANNEL) && item["primary"] == json!(true))
            .map(|item| &item["_id"])
            .collect();
        if primaries != [&json!(primary.id)] {
            return Err(format!(
                "the {CHANNEL} primaries are {primaries:?}, expected only {}",
                primary.id
            ));
        }
    }
    Ok(())
}

fn same_integration(stored: &Value, integration: &Integration) -> Result<(), String> {
    if stored["_id"] != json!(integration.id) || stored["name"] != json!(integration.name) {
        return Err(format!(
            "_id {} and name {}, expected {:?} and {:?}",
            stored["_id"], stored["name"], integration.id, integration.name
        ));
    }
    Ok(())
}
