//! Tenants, addressed by `identifier`: a duplicate identifier is a 409 on create and on a
//! rename, an update changes only the fields it names and not empty (`data` as a whole),
//! delete is for good, and the list pages with `hasMore`, newest first. Every read compares the
//! whole tenant, so a field left out of a write must keep its value (or stay unwritten).

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::document::Document;
use super::model::Model;
use super::pages::{self, Counting, Listing, Words};
use super::session::{Failure, Json, Session};
use super::subscribers::{custom_data, name};

const LIST: Listing = Listing {
    operation: "tenants_list",
    size: "limit",
    max: 100,
    counting: Counting::HasMore,
};

/// The tenant model.
pub(crate) struct Tenants;

/// A tenant step; numbers index the drawn identifiers.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Read(usize),
    Create(usize, String, Option<Json>),
    Update {
        tenant: usize,
        name: Option<String>,
        data: Option<Json>,
        rename: Option<usize>,
    },
    Delete(usize),
    List {
        limit: u64,
    },
}

/// What the server should hold: the tenants by identifier (an absent identifier has no
/// tenant), and the writable fields of a tenant.
#[derive(Default)]
pub(crate) struct State(BTreeMap<String, Document>, Vec<String>);

impl Model for Tenants {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "tenants";
    const CREATE: &'static str = "tenants_create";
    const OPERATIONS: &'static [&'static str] = &[
        "tenants_create",
        "tenants_get",
        "tenants_update",
        "tenants_delete",
        "tenants_list",
    ];
    const IDS: usize = 3;

    fn closing() -> Step {
        Step::List { limit: 1 }
    }

    fn step() -> BoxedStrategy<Step> {
        let tenant = 0..Self::IDS;
        // Empty data counts as absent ("empty or absent fields are left unchanged"): data drawn
        // here has an entry or more, so that writing it always changes what is stored.
        let update = (
            tenant.clone(),
            proptest::option::of(prop_oneof![4 => name(), 1 => Just(String::new())]),
            proptest::option::of(custom_data(1).prop_map(Json)),
            proptest::option::weighted(0.3, tenant.clone()),
        )
            .prop_map(|(tenant, name, data, rename)| Step::Update {
                tenant,
                name,
                data,
                rename,
            });
        prop_oneof![
            1 => tenant.clone().prop_map(Step::Read),
            3 => (tenant.clone(), name(), proptest::option::of(custom_data(1).prop_map(Json)))
                .prop_map(|(tenant, name, data)| Step::Create(tenant, name, data)),
            1 => update,
            1 => tenant.prop_map(Step::Delete),
            1 => (1..=3u64).prop_map(|limit| Step::List { limit }),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        state.1 = session.writable("tenants_create", &["identifier"]);
        Ok(())
    }

    async fn apply(
        &self,
        session: &mut Session<'_>,
        state: &mut State,
        step: &Step,
    ) -> Result<(), Failure> {
        match step {
            Step::Read(tenant) => {
                let id = session.id(*tenant);
                let sent = session
                    .send_one("tenants_get", "identifier", &id, None)
                    .await;
                match state.0.get(&id) {
                    Some(known) => {
                        sent.expect_same(200, "the tenant", "the tenant as written", |data| {
                            same_tenant(data, &id, known)
                        })
                    }
                    None => sent.expect_status(404, "no tenant has this identifier"),
                }
            }
            Step::Create(tenant, name, data) => {
                let id = session.id(*tenant);
                let mut body = Map::new();
                body.insert("identifier".into(), json!(id));
                body.insert("name".into(), json!(name));
                if let Some(Json(data)) = data {
                    body.insert("data".into(), data.clone());
                }
                let sent = session
                    .send(
                        "tenants_create",
                        &[],
                        &[],
                        Some(Value::Object(body.clone())),
                    )
                    .await;
                if state.0.contains_key(&id) {
                    return sent.expect_status(409, "the identifier is taken");
                }
                body.remove("identifier");
                let mut known = Document::blank(&state.1);
                known.write(&body);
                sent.expect_same(201, "the new tenant", "the tenant as written", |stored| {
                    same_tenant(stored, &id, &known)
                })?;
                state.0.insert(id, known);
                Ok(())
            }
            Step::Update {
                tenant,
                name,
                data,
                rename,
            } => {
                let id = session.id(*tenant);
                let mut fields = Map::new();
                if let Some(name) = name {
                    fields.insert("name".into(), json!(name));
                }
                if let Some(Json(data)) = data {
                    fields.insert("data".into(), data.clone());
                }
                let mut body = fields.clone();
                // Renaming to its own identifier is a case the contract leaves open.
                let renamed = rename
                    .map(|other| session.id(other))
                    .filter(|new| *new != id);
                if let Some(new) = &renamed {
                    body.insert("identifier".into(), json!(new));
                }
                let sent = session
                    .send(
                        "tenants_update",
                        &[("identifier", &id)],
                        &[],
                        Some(Value::Object(body)),
                    )
                    .await;
                let Some(mut known) = state.0.get(&id).cloned() else {
                    return sent.expect_status(404, "no tenant has this identifier");
                };
                if let Some(new) = renamed.as_ref().filter(|new| state.0.contains_key(*new)) {
                    let expected = format!("the new identifier {new:?} is taken");
                    return sent.expect_status(409, &expected);
                }
                // An empty name is left as stored, like an absent one.
                fields.retain(|_, value| value.as_str() != Some(""));
                known.write(&fields);
                let now = renamed.unwrap_or(id.clone());
                let expected = "the updated tenant, every field not written as it was";
                sent.expect_same(200, expected, expected, |stored| {
                    same_tenant(stored, &now, &known)
                })?;
                state.0.remove(&id);
                state.0.insert(now, known);
                Ok(())
            }
            Step::Delete(tenant) => {
                let id = session.id(*tenant);
                let sent = session
                    .send_one("tenants_delete", "identifier", &id, None)
                    .await;
                if state.0.remove(&id).is_none() {
                    return sent.expect_status(404, "no tenant has this identifier");
                }
                sent.expect_status(204, "the tenant deleted")?;
                session.gone("tenants_get", "identifier", &id).await
            }
            Step::List { limit } => {
                let Some(walked) = pages::walk(session, LIST, &[], *limit).await? else {
                    return Ok(());
                };
                walked.newest_first("tenants newest first")?;
                walked.holds(
                    walked.keyed_by("identifier", |id, _| session.owns(id)),
                    state.0.iter().map(|(id, known)| (id.clone(), (id, known))),
                    |item, (id, known)| same_tenant(item, id, known),
                    Words {
                        every: "every tenant listed",
                        missing: |(id, _)| format!("tenant {id:?} is on no page"),
                        as_written: "the tenants as written",
                        only: "only existing tenants listed",
                        extra: |id| format!("tenant {id:?} is listed but does not exist"),
                    },
                )
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        for id in state.0.keys() {
            session.discard("tenants_delete", "identifier", id).await;
        }
    }
}

fn same_tenant(stored: &Value, id: &str, known: &Document) -> Result<(), String> {
    if stored["identifier"] != json!(id) {
        return Err(format!(
            "identifier is {}, expected {id:?}",
            stored["identifier"]
        ));
    }
    match known.differs(stored) {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}
