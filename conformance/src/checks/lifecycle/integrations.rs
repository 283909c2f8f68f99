//! Integrations (sms ones, credentials unchecked), addressed by the `_id` the server gives: an
//! update writes the fields it names over the stored ones (`credentials` replaced as a whole),
//! the list holds every live integration as written, and one primary per channel at most:
//! after every write the list is read, and a primary the sequence set stays the only one until
//! another is set (the previous one then reads `primary: false`), it is deactivated or deleted.
//! Set-primary also activates. Delete is soft and answers the integrations that remain, and
//! updates of deleted or drawn ids are 404s.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::document::Document;
use super::model::Model;
use super::pages;
use super::session::{Failure, Json, Session};
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
    Create(usize, Json),
    Update(usize, Json),
    Unknown(String),
    SetPrimary(usize),
    Delete(usize),
    List,
}

#[derive(Debug, Clone)]
struct Integration {
    id: String,
    document: Document,
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
    /// The writable fields of an integration that read back as written.
    fields: Vec<String>,
}

impl State {
    fn address(&self, slot: usize) -> Option<String> {
        super::model::address(&self.live, &self.deleted, slot, |live| &live.id)
    }

    /// The `_id` of the channel's primary as far as the model knows it.
    fn primary_id(&self) -> Option<String> {
        match self.primary {
            Some(slot) => self.live.get(&slot).map(|live| live.id.clone()),
            None if !self.changed_primary => self.original_primary.clone(),
            None => None,
        }
    }
}

/// Twilio credentials, some of them.
fn credentials() -> BoxedStrategy<Value> {
    (
        proptest::option::of("AC[a-f0-9]{6}"),
        proptest::option::of("[a-z]{4,8}"),
        proptest::option::of("\\+1555[0-9]{7}"),
    )
        .prop_map(|(sid, token, from)| {
            let mut credentials = Map::new();
            for (field, value) in [("accountSid", sid), ("token", token), ("from", from)] {
                if let Some(value) = value {
                    credentials.insert(field.to_owned(), json!(value));
                }
            }
            Value::Object(credentials)
        })
        .boxed()
}

/// The fields of a create: a name, credentials and `active`.
fn created() -> BoxedStrategy<Json> {
    (name(), credentials(), proptest::bool::weighted(0.8))
        .prop_map(|(name, credentials, active)| {
            Json(json!({ "name": name, "credentials": credentials, "active": active }))
        })
        .boxed()
}

/// The fields of an update: a name, credentials or `active`, at least one of them.
fn updated() -> BoxedStrategy<Json> {
    (
        proptest::option::of(name()),
        proptest::option::weighted(0.4, credentials()),
        proptest::option::weighted(0.3, any::<bool>()),
    )
        .prop_map(|(name, credentials, active)| {
            let mut fields = Map::new();
            for (field, value) in [
                ("name", name.map(Value::from)),
                ("credentials", credentials),
                ("active", active.map(Value::from)),
            ] {
                if let Some(value) = value {
                    fields.insert(field.to_owned(), value);
                }
            }
            if fields.is_empty() {
                fields.insert("name".into(), json!("Renamed"));
            }
            Json(Value::Object(fields))
        })
        .boxed()
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
            3 => (slot.clone(), created()).prop_map(|(slot, fields)| Step::Create(slot, fields)),
            2 => (slot.clone(), updated()).prop_map(|(slot, fields)| Step::Update(slot, fields)),
            1 => "[0-9a-f]{24}".prop_map(Step::Unknown),
            2 => slot.clone().prop_map(Step::SetPrimary),
            1 => slot.prop_map(Step::Delete),
            1 => Just(Step::List),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        // `check` is not stored; the model writes neither conditions nor another environment.
        let except = ["check", "conditions", "_environmentId"];
        state.fields = session.writable("integrations_create", &except);
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
            Step::Create(slot, Json(fields)) => {
                if state.live.contains_key(slot) {
                    return Ok(());
                }
                let mut body = fields.clone();
                body["providerId"] = json!("twilio");
                body["channel"] = json!(CHANNEL);
                body["identifier"] = json!(format!("{}-{}", session.id(*slot), state.created));
                body["check"] = json!(false);
                let sent = session
                    .send("integrations_create", &[], &[], Some(body.clone()))
                    .await;
                let data = sent.expect(201, "the created integration")?;
                let id = sent.id_of(&data, "the created integration's _id")?;
                let mut document = Document::blank(&state.fields);
                if let Some(body) = body.as_object() {
                    let kept = body
                        .iter()
                        .filter(|(field, _)| state.fields.contains(field));
                    document.write(
                        &kept
                            .map(|(field, value)| (field.clone(), value.clone()))
                            .collect(),
                    );
                }
                let integration = Integration { id, document };
                same_integration(&data, &integration)
                    .map_err(|problem| sent.fail("the integration as written", problem))?;
                state.created += 1;
                state.live.insert(*slot, integration);
                listed(session, state, None).await
            }
            Step::Update(slot, Json(fields)) => {
                let Some(id) = state.address(*slot) else {
                    return Ok(());
                };
                let mut body = fields.clone();
                body["check"] = json!(false);
                let sent = session
                    .send_one("integrations_update", "integrationId", &id, Some(body))
                    .await;
                let Some(integration) = state.live.get_mut(slot) else {
                    return sent.expect_status(404, "the integration is deleted");
                };
                if let Some(fields) = fields.as_object() {
                    integration.document.write(fields);
                }
                let integration = integration.clone();
                // A deactivated integration is no primary; which one the channel falls back
                // to is not specified.
                let deactivated = fields["active"] == json!(false);
                let released = state
                    .primary_id()
                    .filter(|primary| deactivated && *primary == id);
                if released.is_some() {
                    state.primary = None;
                    state.changed_primary = true;
                }
                let expected = "the updated integration, every field not written as it was";
                sent.expect_same(200, expected, expected, |data| {
                    same_integration(data, &integration)?;
                    if deactivated && data["primary"] != json!(false) {
                        return Err(format!(
                            "a deactivated integration is primary: {}",
                            data["primary"]
                        ));
                    }
                    Ok(())
                })?;
                listed(session, state, released).await
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
                let Some(integration) = state.live.get_mut(slot) else {
                    return sent.expect_status(404, "the integration is deleted");
                };
                integration.document.set("active", json!(true));
                let integration = integration.clone();
                let expected = "the integration, now primary and active";
                sent.expect_same(201, expected, expected, |data| {
                    same_integration(data, &integration)?;
                    match &data["primary"] {
                        Value::Bool(true) => Ok(()),
                        primary => Err(format!("primary is {primary}")),
                    }
                })?;
                let previous = state.primary_id().filter(|previous| *previous != id);
                state.primary = Some(*slot);
                state.changed_primary = true;
                listed(session, state, previous).await
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
                sent.expect_same(200, expected, expected, |data| holds(data, state, None))
            }
            Step::List => listed(session, state, None).await,
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

/// Reads the list and compares it with the model (`released`: an integration that must no
/// longer be primary).
async fn listed(
    session: &mut Session<'_>,
    state: &State,
    released: Option<String>,
) -> Result<(), Failure> {
    let sent = session.send("integrations_list", &[], &[], None).await;
    let expected = "every integration";
    sent.expect_same(200, expected, "every live integration as written", |data| {
        holds(data, state, released.as_deref())
    })
}

/// Whether `list` holds every live integration as written and no deleted one, no channel
/// holds two primaries, the primary the sequence set is the channel's, and `released` is no
/// primary any more.
fn holds(list: &Value, state: &State, released: Option<&str>) -> Result<(), String> {
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
    let primaries: Vec<&Value> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["channel"] == json!(CHANNEL) && item["primary"] == json!(true))
        .map(|item| &item["_id"])
        .collect();
    if let Some(released) = released
        && primaries.contains(&&json!(released))
    {
        return Err(format!(
            "the previous {CHANNEL} primary {released} still answers primary: true"
        ));
    }
    if primaries.len() > 1 {
        return Err(format!("the {CHANNEL} channel has primaries {primaries:?}"));
    }
    if let Some(primary) = state.primary_id()
        && primaries != [&json!(primary)]
    {
        return Err(format!(
            "the {CHANNEL} primaries are {primaries:?}, expected only {primary}"
        ));
    }
    Ok(())
}

fn same_integration(stored: &Value, integration: &Integration) -> Result<(), String> {
    if stored["_id"] != json!(integration.id) {
        return Err(format!(
            "_id is {}, expected {}",
            stored["_id"], integration.id
        ));
    }
    match integration.document.differs(stored) {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}
