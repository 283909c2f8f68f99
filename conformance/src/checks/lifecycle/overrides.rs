//! Workflow overrides of one workflow for two tenants, addressed by `_id` and by the
//! (workflow, tenant) pair: fields read back both ways, updates merge `preferenceSettings`
//! channel by channel (every channel compared, the ones no update named as the create
//! answered them), delete is soft (then 404 by id and by pair), and the list pages with
//! `hasMore`, newest first.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::model::Model;
use super::pages::{self, Counting, Listing, Words};
use super::session::{Failure, Session, same_json};
use super::workflows;

const LIST: Listing = Listing {
    operation: "workflow_overrides_list",
    size: "limit",
    max: 100,
    counting: Counting::HasMore,
};

/// Override slots; the first ids name the tenants.
const SLOTS: usize = 3;
const TENANTS: usize = 2;

const CHANNELS: &[&str] = &["email", "sms", "in_app", "chat", "push"];

/// The override model.
pub(crate) struct Overrides;

/// An override step; `slot` indexes overrides, `tenant` the two tenants, and `preferences`
/// holds a value for some channels.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Read(usize),
    ReadByTenant(usize),
    Unknown(String),
    Create {
        slot: usize,
        tenant: usize,
        active: bool,
    },
    Update {
        slot: usize,
        active: Option<bool>,
        preferences: Vec<(usize, bool)>,
    },
    UpdateByTenant {
        tenant: usize,
        active: bool,
    },
    Delete(usize),
    List {
        limit: u64,
    },
}

#[derive(Debug, Clone)]
struct Override {
    id: String,
    tenant: usize,
    active: bool,
    /// The channels written so far.
    preferences: Map<String, Value>,
}

/// What the server should hold.
#[derive(Default)]
pub(crate) struct State {
    group: String,
    workflow: String,
    tenants: Vec<String>,
    tenant_identifiers: Vec<String>,
    live: BTreeMap<usize, Override>,
    deleted: BTreeMap<usize, String>,
}

impl State {
    fn address(&self, slot: usize) -> Option<String> {
        super::model::address(&self.live, &self.deleted, slot, |found| &found.id)
    }

    fn of_tenant(&self, tenant: usize) -> Option<(&usize, &Override)> {
        self.live.iter().find(|(_, found)| found.tenant == tenant)
    }
}

impl Model for Overrides {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "overrides";
    const CREATE: &'static str = "workflow_overrides_create";
    const OPERATIONS: &'static [&'static str] = &[
        "workflow_overrides_create",
        "workflow_overrides_retrieve",
        "workflow_overrides_retrieve_by_tenant",
        "workflow_overrides_update",
        "workflow_overrides_update_by_tenant",
        "workflow_overrides_delete",
        "workflow_overrides_list",
    ];
    const IDS: usize = TENANTS;

    fn closing() -> Step {
        Step::List { limit: 1 }
    }

    fn step() -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        let tenant = 0..TENANTS;
        let preferences = proptest::collection::vec((0..CHANNELS.len(), any::<bool>()), 0..3);
        prop_oneof![
            1 => slot.clone().prop_map(Step::Read),
            1 => tenant.clone().prop_map(Step::ReadByTenant),
            1 => "[0-9a-f]{24}".prop_map(Step::Unknown),
            3 => (slot.clone(), tenant.clone(), any::<bool>())
                .prop_map(|(slot, tenant, active)| Step::Create { slot, tenant, active }),
            1 => (slot.clone(), proptest::option::of(any::<bool>()), preferences).prop_map(
                |(slot, active, preferences)| Step::Update { slot, active, preferences }
            ),
            1 => (tenant, any::<bool>())
                .prop_map(|(tenant, active)| Step::UpdateByTenant { tenant, active }),
            1 => slot.prop_map(Step::Delete),
            1 => (1..=3u64).prop_map(|limit| Step::List { limit }),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        state.group = workflows::group(session).await?;
        let name = session.name("workflow");
        let workflow = workflows::create(session, &state.group, &name).await?;
        state.workflow = workflow["_id"].as_str().unwrap_or_default().to_owned();
        for tenant in 0..TENANTS {
            let identifier = session.id(tenant);
            let body = json!({ "identifier": identifier, "name": "tenant" });
            let sent = session.send("tenants_create", &[], &[], Some(body)).await;
            let data = sent.expect(201, "a tenant for the overrides")?;
            state
                .tenants
                .push(data["_id"].as_str().unwrap_or_default().to_owned());
            state.tenant_identifiers.push(identifier);
        }
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
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("workflow_overrides_retrieve", "overrideId", &id, None)
                    .await;
                let Some(found) = state.live.get(slot) else {
                    return sent.expect_status(404, "the override is deleted");
                };
                sent.expect_same(200, "the override", "the override as written", |data| {
                    same_override(data, found, state)
                })
            }
            Step::ReadByTenant(tenant) => {
                let path = [
                    ("workflowId", state.workflow.as_str()),
                    ("tenantId", state.tenants[*tenant].as_str()),
                ];
                let sent = session
                    .send("workflow_overrides_retrieve_by_tenant", &path, &[], None)
                    .await;
                let Some((_, found)) = state.of_tenant(*tenant) else {
                    return sent.expect_status(404, "the pair has no override");
                };
                let expected = "the pair's override";
                sent.expect_same(200, expected, expected, |data| {
                    same_override(data, found, state)
                })
            }
            Step::Unknown(id) => {
                let sent = session
                    .send_one("workflow_overrides_retrieve", "overrideId", id, None)
                    .await;
                sent.expect_status(404, "no override has this id")
            }
            Step::Create {
                slot,
                tenant,
                active,
            } => {
                // A second override of a pair is allowed but leaves the pair's reads open.
                if state.live.contains_key(slot) || state.of_tenant(*tenant).is_some() {
                    return Ok(());
                }
                let body = json!({
                    "workflowId": state.workflow,
                    "tenantId": state.tenants[*tenant],
                    "active": active,
                });
                let sent = session
                    .send("workflow_overrides_create", &[], &[], Some(body))
                    .await;
                let data = sent.expect(201, "the created override")?;
                // The channels a create does not name are the server's to fill; from then on
                // they keep what the create answered until an update names them.
                let preferences = data["preferenceSettings"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                let found = Override {
                    id: data["_id"].as_str().unwrap_or_default().to_owned(),
                    tenant: *tenant,
                    active: *active,
                    preferences,
                };
                same_override(&data, &found, state)
                    .map_err(|problem| sent.fail("the override as written", problem))?;
                state.live.insert(*slot, found);
                Ok(())
            }
            Step::Update {
                slot,
                active,
                preferences,
            } => {
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let mut body = Map::new();
                if let Some(active) = active {
                    body.insert("active".into(), json!(active));
                }
                let written: Map<String, Value> = preferences
                    .iter()
                    .map(|(channel, on)| (CHANNELS[*channel].to_owned(), json!(on)))
                    .collect();
                if !written.is_empty() {
                    body.insert("preferenceSettings".into(), Value::Object(written.clone()));
                }
                let sent = session
                    .send(
                        "workflow_overrides_update",
                        &[("overrideId", &id)],
                        &[],
                        Some(Value::Object(body)),
                    )
                    .await;
                let Some(mut found) = state.live.get(slot).cloned() else {
                    return sent.expect_status(404, "the override is deleted");
                };
                if let Some(active) = active {
                    found.active = *active;
                }
                found.preferences.extend(written);
                let expected = "the updated override";
                sent.expect_same(200, expected, expected, |data| {
                    same_override(data, &found, state)
                })?;
                state.live.insert(*slot, found);
                Ok(())
            }
            Step::UpdateByTenant { tenant, active } => {
                let path = [
                    ("workflowId", state.workflow.as_str()),
                    ("tenantId", state.tenants[*tenant].as_str()),
                ];
                let body = json!({ "active": active });
                let sent = session
                    .send(
                        "workflow_overrides_update_by_tenant",
                        &path,
                        &[],
                        Some(body),
                    )
                    .await;
                let Some((slot, found)) = state.of_tenant(*tenant) else {
                    return sent.expect_status(404, "the pair has no override");
                };
                let (slot, mut found) = (*slot, found.clone());
                found.active = *active;
                let expected = "the pair's updated override";
                sent.expect_same(200, expected, expected, |data| {
                    same_override(data, &found, state)
                })?;
                state.live.insert(slot, found);
                Ok(())
            }
            Step::Delete(slot) => {
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("workflow_overrides_delete", "overrideId", &id, None)
                    .await;
                if state.live.remove(slot).is_none() {
                    return sent.expect_status(404, "the override is deleted");
                }
                sent.expect_true()?;
                session
                    .gone("workflow_overrides_retrieve", "overrideId", &id)
                    .await?;
                state.deleted.insert(*slot, id);
                Ok(())
            }
            Step::List { limit } => {
                let Some(walked) = pages::walk(session, LIST, &[], *limit).await? else {
                    return Ok(());
                };
                walked.newest_first("overrides newest first")?;
                walked.holds(
                    walked.keyed_by("_id", |_, item| {
                        item["_workflowId"] == json!(state.workflow)
                    }),
                    state.live.values().map(|found| (found.id.clone(), found)),
                    |item, found| same_override(item, found, state),
                    Words {
                        every: "every live override listed",
                        missing: |found| format!("override {} is on no page", found.id),
                        as_written: "the overrides as written",
                        only: "deleted overrides not listed",
                        extra: |id| format!("override {id} is listed but deleted"),
                    },
                )
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        for found in state.live.values() {
            session
                .discard("workflow_overrides_delete", "overrideId", &found.id)
                .await;
        }
        for identifier in &state.tenant_identifiers {
            session
                .discard("tenants_delete", "identifier", identifier)
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

fn same_override(stored: &Value, found: &Override, state: &State) -> Result<(), String> {
    let expected = json!({
        "_id": found.id,
        "_workflowId": state.workflow,
        "_tenantId": state.tenants[found.tenant],
        "active": found.active,
    });
    for (field, value) in expected.as_object().into_iter().flatten() {
        if &stored[field] != value {
            return Err(format!("{field} is {}, expected {value}", stored[field]));
        }
    }
    for (channel, on) in &found.preferences {
        let actual = &stored["preferenceSettings"][channel];
        if !same_json(actual, on) {
            return Err(format!(
                "preferenceSettings.{channel} is {actual}, but {on} was written or created"
            ));
        }
    }
    // Every channel, not only the written ones: no write adds a channel either.
    let channels = stored["preferenceSettings"].as_object().map_or(0, Map::len);
    if channels != found.preferences.len() {
        return Err(format!(
            "preferenceSettings is {}, expected {}",
            stored["preferenceSettings"],
            Value::Object(found.preferences.clone())
        ));
    }
    Ok(())
}
