//! Subscribers, addressed by their own `subscriberId`: create is an upsert, update of an
//! unknown subscriber is a 400, delete is soft and keeps the id taken (only a bulk create
//! revives it), and the list pages with `hasMore`. Two of the drawn ids may be exactly `bulk`
//! or `removal`, the static segments of neighbouring routes.

use std::collections::BTreeMap;

use proptest::collection::btree_map;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::ids::{Shape, suffixed};
use super::model::Model;
use super::pages::{self, Counting, Listing};
use super::session::{Failure, Session, unlike};

const LIST: Listing = Listing {
    operation: "subscribers_list",
    size: "limit",
    max: 100,
    counting: Counting::HasMore,
};

/// The subscriber model.
pub(crate) struct Subscribers;

/// Fields a step writes; absent ones are not sent.
#[derive(Clone)]
pub(crate) struct Fields(Map<String, Value>);

impl std::fmt::Debug for Fields {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", Value::Object(self.0.clone()))
    }
}

/// A subscriber step; the number is the index of the drawn id.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Read(usize),
    Create(usize, Fields),
    Update(usize, Fields),
    Delete(usize),
    List { limit: u64 },
}

/// What the server should hold for an id.
#[derive(Debug)]
enum Stored {
    /// The fields known to be stored.
    Live(Map<String, Value>),
    /// Soft-deleted (or possibly left so by an earlier run, for the exact ids).
    Deleted,
}

/// Subscribers by `subscriberId`; an absent id was never created.
#[derive(Default)]
pub(crate) struct State(BTreeMap<String, Stored>);

/// Custom data as the contract allows it (strings, lists of strings, booleans, numbers),
/// with at least `least` entries.
pub(crate) fn custom_data(least: usize) -> BoxedStrategy<Value> {
    let value = prop_oneof![
        "[a-z]{0,5}".prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        proptest::collection::vec("[a-z]{0,3}", 0..3).prop_map(|items| json!(items)),
    ];
    btree_map("[a-z]{1,4}", value, least..3)
        .prop_map(|map| Value::Object(map.into_iter().collect()))
        .boxed()
}

/// A short human name with a non-ASCII letter now and then.
pub(crate) fn name() -> BoxedStrategy<String> {
    "[A-Z][a-zé日本]{0,7}".boxed()
}

fn fields() -> BoxedStrategy<Fields> {
    (
        proptest::option::of(name()),
        proptest::option::of(name()),
        proptest::option::of(custom_data(0)),
    )
        .prop_map(|(first, last, data)| {
            let mut fields = Map::new();
            for (field, value) in [
                ("firstName", first.map(Value::from)),
                ("lastName", last.map(Value::from)),
                ("data", data),
            ] {
                if let Some(value) = value {
                    fields.insert(field.to_owned(), value);
                }
            }
            Fields(fields)
        })
        .boxed()
}

impl Model for Subscribers {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "subscribers";
    const CREATE: &'static str = "subscribers_create";
    const OPERATIONS: &'static [&'static str] = &[
        "subscribers_create",
        "subscribers_create_bulk",
        "subscribers_get",
        "subscribers_update",
        "subscribers_delete",
        "subscribers_list",
    ];
    const IDS: usize = 3;

    fn shapes() -> BoxedStrategy<Vec<Shape>> {
        let shape = prop_oneof![
            4 => suffixed(),
            1 => Just(Shape::Exact("bulk")),
            1 => Just(Shape::Exact("removal")),
        ];
        proptest::collection::vec(shape, Self::IDS).boxed()
    }

    fn closing() -> Step {
        Step::List { limit: 1 }
    }

    fn step() -> BoxedStrategy<Step> {
        let index = 0..Self::IDS;
        prop_oneof![
            1 => index.clone().prop_map(Step::Read),
            3 => (index.clone(), fields()).prop_map(|(index, fields)| Step::Create(index, fields)),
            1 => (index.clone(), fields()).prop_map(|(index, fields)| Step::Update(index, fields)),
            1 => index.prop_map(Step::Delete),
            1 => (1..=3u64).prop_map(|limit| Step::List { limit }),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        // An exact id belongs to no run: whatever an earlier one left, it starts deleted here.
        for id in session.ids().to_vec() {
            if !session.owns_by_prefix(&id) && !state.0.contains_key(&id) {
                session
                    .discard("subscribers_delete", "subscriberId", &id)
                    .await;
                state.0.insert(id, Stored::Deleted);
            }
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
            Step::Read(index) => {
                let id = session.id(*index);
                let sent = session
                    .send_one("subscribers_get", "subscriberId", &id, None)
                    .await;
                match state.0.get(&id) {
                    Some(Stored::Live(known)) => {
                        let expected = "the subscriber as written";
                        sent.expect_same(200, expected, expected, |data| {
                            same_subscriber(data, &id, known)
                        })
                    }
                    _ => sent.expect_status(404, "the subscriber was never created or is deleted"),
                }
            }
            Step::Create(index, Fields(fields)) => {
                let id = session.id(*index);
                let mut body = fields.clone();
                body.insert("subscriberId".into(), json!(id));
                if matches!(state.0.get(&id), Some(Stored::Deleted)) {
                    return revive(session, state, &id, body, fields).await;
                }
                let sent = session
                    .send("subscribers_create", &[], &[], Some(Value::Object(body)))
                    .await;
                let mut known = match state.0.get(&id) {
                    Some(Stored::Live(known)) => known.clone(),
                    _ => Map::new(),
                };
                known.extend(fields.clone());
                let expected = "the created or updated subscriber";
                sent.expect_same(201, expected, "the subscriber as written", |data| {
                    same_subscriber(data, &id, &known)
                })?;
                state.0.insert(id, Stored::Live(known));
                Ok(())
            }
            Step::Update(index, Fields(fields)) => {
                let id = session.id(*index);
                let body = Value::Object(fields.clone());
                let sent = session
                    .send_one("subscribers_update", "subscriberId", &id, Some(body))
                    .await;
                let Some(Stored::Live(known)) = state.0.get_mut(&id) else {
                    return sent.expect_status(400, "an unknown subscriber is a 400 on update");
                };
                known.extend(fields.clone());
                let expected = "the updated subscriber";
                sent.expect_same(200, expected, expected, |data| {
                    same_subscriber(data, &id, known)
                })
            }
            Step::Delete(index) => {
                let id = session.id(*index);
                let sent = session
                    .send_one("subscribers_delete", "subscriberId", &id, None)
                    .await;
                if !matches!(state.0.get(&id), Some(Stored::Live(_))) {
                    return sent
                        .expect_status(404, "the subscriber was never created or is deleted");
                }
                sent.expect_acknowledged()?;
                session.gone("subscribers_get", "subscriberId", &id).await?;
                state.0.insert(id, Stored::Deleted);
                Ok(())
            }
            Step::List { limit } => {
                let Some(walked) = pages::walk(session, LIST, &[], *limit).await? else {
                    return Ok(());
                };
                let mut listed = walked.keyed_by("subscriberId", |id, _| session.owns(id));
                for (id, stored) in &state.0 {
                    match (stored, listed.remove(id)) {
                        (Stored::Live(known), Some(item)) => {
                            if let Err(problem) = same_subscriber(&item, id, known) {
                                return Err(walked.fail("the subscribers as written", problem));
                            }
                        }
                        (Stored::Live(_), None) => {
                            let problem = format!("subscriber {id:?} is on no page");
                            return Err(walked.fail("every live subscriber listed", problem));
                        }
                        (Stored::Deleted, Some(_)) => {
                            let problem = format!("deleted subscriber {id:?} is listed");
                            return Err(walked.fail("deleted subscribers not listed", problem));
                        }
                        (Stored::Deleted, None) => {}
                    }
                }
                if let Some(id) = listed.keys().next() {
                    let problem = format!("subscriber {id:?} is listed but was never created");
                    return Err(walked.fail("only created subscribers listed", problem));
                }
                Ok(())
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        for (id, stored) in &state.0 {
            if let Stored::Live(_) = stored {
                session
                    .discard("subscribers_delete", "subscriberId", id)
                    .await;
            }
        }
    }
}

/// A deleted id comes back through a bulk create, which the contract says revives it.
async fn revive(
    session: &mut Session<'_>,
    state: &mut State,
    id: &str,
    body: Map<String, Value>,
    fields: &Map<String, Value>,
) -> Result<(), Failure> {
    let sent = session
        .send(
            "subscribers_create_bulk",
            &[],
            &[],
            Some(json!({ "subscribers": [body] })),
        )
        .await;
    let expected = "the deleted subscriber revived, under created or updated";
    let data = sent.expect(201, expected)?;
    let named = |list: &str| {
        data[list]
            .as_array()
            .is_some_and(|items| items.iter().any(|item| item["subscriberId"] == json!(id)))
    };
    if !named("created") && !named("updated") || named("failed") {
        return Err(sent.fail(expected, format!("{id:?} is not among created or updated")));
    }
    state.0.insert(id.to_owned(), Stored::Live(fields.clone()));
    Ok(())
}

fn same_subscriber(stored: &Value, id: &str, known: &Map<String, Value>) -> Result<(), String> {
    if stored["subscriberId"] != json!(id) {
        return Err(format!(
            "subscriberId is {}, expected {id:?}",
            stored["subscriberId"]
        ));
    }
    if let Some(problem) = unlike(known, stored) {
        return Err(problem);
    }
    Ok(())
}
