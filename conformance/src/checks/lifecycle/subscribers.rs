//! Subscribers, addressed by their own `subscriberId`: create is an upsert that writes the
//! given fields over the stored ones, update of an unknown subscriber is a 400 and writes only
//! the fields present and not `null` (an empty or `null` `email` clears it, `data` replaces the
//! whole object), delete is soft and keeps the id taken (only a bulk create revives it, with
//! its fields written over the deleted ones), and the list pages with `hasMore`. Every read
//! compares the whole profile, so a write that loses or leaks a field it did not name is seen.
//! Two of the drawn ids may be exactly `bulk` or `removal`, the static segments of neighbouring
//! routes.

use std::collections::BTreeMap;

use proptest::collection::btree_map;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::document::Document;
use super::ids::{Shape, suffixed};
use super::model::Model;
use super::pages::{self, Counting, Listing};
use super::session::{Failure, Session};

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
    /// The whole profile.
    Live(Document),
    /// Soft-deleted with the profile it had (unknown for an exact id an earlier run may have
    /// left).
    Deleted(Option<Document>),
}

/// Subscribers by `subscriberId`; an absent id was never created.
#[derive(Default)]
pub(crate) struct State {
    subscribers: BTreeMap<String, Stored>,
    /// The profile fields the contract lets a client write.
    fields: Vec<String>,
}

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

/// A value for each profile field, as a create or an update may send it.
fn profile_value(field: &'static str) -> BoxedStrategy<Value> {
    match field {
        "email" => "[a-z]{1,6}@example\\.com".prop_map(Value::from).boxed(),
        "phone" => "\\+1555[0-9]{7}".prop_map(Value::from).boxed(),
        "avatar" => "https://example\\.com/[a-z]{1,6}\\.png"
            .prop_map(Value::from)
            .boxed(),
        "locale" => proptest::sample::select(vec!["en", "en-US", "fr-FR", "de"])
            .prop_map(Value::from)
            .boxed(),
        "data" => custom_data(0),
        _ => name().prop_map(Value::from).boxed(),
    }
}

const PROFILE: [&str; 7] = [
    "firstName",
    "lastName",
    "email",
    "phone",
    "avatar",
    "locale",
    "data",
];

/// Fields of a create: each absent or a value.
fn created() -> BoxedStrategy<Fields> {
    let each: Vec<BoxedStrategy<Option<Value>>> = PROFILE
        .iter()
        .map(|field| proptest::option::weighted(0.4, profile_value(field)).boxed())
        .collect();
    each.prop_map(fields_of).boxed()
}

/// Fields of an update: each absent or a value; the email also `null` or `""` (cleared).
fn updated() -> BoxedStrategy<Fields> {
    let each: Vec<BoxedStrategy<Option<Value>>> = PROFILE
        .iter()
        .map(|field| {
            let mut written = vec![(3, profile_value(field).prop_map(Some).boxed())];
            // The contract's schema lets only the email be `null`.
            if *field == "email" {
                written.push((1, Just(Some(Value::Null)).boxed()));
                written.push((1, Just(Some(json!(""))).boxed()));
            }
            prop_oneof![
                6 => Just(None),
                4 => proptest::strategy::Union::new_weighted(written),
            ]
            .boxed()
        })
        .collect();
    each.prop_map(fields_of).boxed()
}

fn fields_of(values: Vec<Option<Value>>) -> Fields {
    Fields(
        PROFILE
            .iter()
            .zip(values)
            .filter_map(|(field, value)| Some(((*field).to_owned(), value?)))
            .collect(),
    )
}

/// What an update writes: `null` keeps a field, except the email, which `null` or `""`
/// clears.
fn update_of(fields: &Map<String, Value>) -> Map<String, Value> {
    fields
        .iter()
        .filter_map(|(field, value)| match (field.as_str(), value) {
            ("email", Value::Null) => Some((field.clone(), Value::Null)),
            ("email", Value::String(email)) if email.is_empty() => {
                Some((field.clone(), Value::Null))
            }
            (_, Value::Null) => None,
            _ => Some((field.clone(), value.clone())),
        })
        .collect()
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
            3 => (index.clone(), created()).prop_map(|(index, fields)| Step::Create(index, fields)),
            2 => (index.clone(), updated()).prop_map(|(index, fields)| Step::Update(index, fields)),
            1 => index.prop_map(Step::Delete),
            1 => (1..=3u64).prop_map(|limit| Step::List { limit }),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        state.fields = session.writable("subscribers_update", &[]);
        // An exact id belongs to no run: whatever an earlier one left, it starts deleted here.
        for id in session.ids().to_vec() {
            if !session.owns_by_prefix(&id) && !state.subscribers.contains_key(&id) {
                session
                    .discard("subscribers_delete", "subscriberId", &id)
                    .await;
                state.subscribers.insert(id, Stored::Deleted(None));
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
                match state.subscribers.get(&id) {
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
                if let Some(Stored::Deleted(before)) = state.subscribers.get(&id) {
                    let mut known = match before {
                        Some(before) => before.clone(),
                        None => Document::known(&Map::new()),
                    };
                    known.write(fields);
                    return revive(session, state, &id, body, known).await;
                }
                let sent = session
                    .send("subscribers_create", &[], &[], Some(Value::Object(body)))
                    .await;
                let mut known = match state.subscribers.get(&id) {
                    Some(Stored::Live(known)) => known.clone(),
                    _ => Document::blank(&state.fields),
                };
                known.write(fields);
                let expected = "the created or updated subscriber";
                sent.expect_same(201, expected, "the subscriber as written", |data| {
                    same_subscriber(data, &id, &known)
                })?;
                state.subscribers.insert(id, Stored::Live(known));
                Ok(())
            }
            Step::Update(index, Fields(fields)) => {
                let id = session.id(*index);
                let body = Value::Object(fields.clone());
                let sent = session
                    .send_one("subscribers_update", "subscriberId", &id, Some(body))
                    .await;
                let Some(Stored::Live(known)) = state.subscribers.get_mut(&id) else {
                    return sent.expect_status(400, "an unknown subscriber is a 400 on update");
                };
                known.write(&update_of(fields));
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
                let Some(Stored::Live(known)) = state.subscribers.get(&id) else {
                    return sent
                        .expect_status(404, "the subscriber was never created or is deleted");
                };
                let known = known.clone();
                sent.expect_acknowledged()?;
                session.gone("subscribers_get", "subscriberId", &id).await?;
                state.subscribers.insert(id, Stored::Deleted(Some(known)));
                Ok(())
            }
            Step::List { limit } => {
                let Some(walked) = pages::walk(session, LIST, &[], *limit).await? else {
                    return Ok(());
                };
                let mut listed = walked.keyed_by("subscriberId", |id, _| session.owns(id));
                for (id, stored) in &state.subscribers {
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
                        (Stored::Deleted(_), Some(_)) => {
                            let problem = format!("deleted subscriber {id:?} is listed");
                            return Err(walked.fail("deleted subscribers not listed", problem));
                        }
                        (Stored::Deleted(_), None) => {}
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
        for (id, stored) in &state.subscribers {
            if let Stored::Live(_) = stored {
                session
                    .discard("subscribers_delete", "subscriberId", id)
                    .await;
            }
        }
    }
}

/// A deleted id comes back through a bulk create, which the contract says revives it; the
/// revived subscriber is then read back whole.
async fn revive(
    session: &mut Session<'_>,
    state: &mut State,
    id: &str,
    body: Map<String, Value>,
    known: Document,
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
    let read = session
        .send_one("subscribers_get", "subscriberId", id, None)
        .await;
    let expected = "the revived subscriber, its fields written over the deleted ones";
    read.expect_same(200, expected, expected, |data| {
        same_subscriber(data, id, &known)
    })?;
    state.subscribers.insert(id.to_owned(), Stored::Live(known));
    Ok(())
}

fn same_subscriber(stored: &Value, id: &str, known: &Document) -> Result<(), String> {
    if stored["subscriberId"] != json!(id) {
        return Err(format!(
            "subscriberId is {}, expected {id:?}",
            stored["subscriberId"]
        ));
    }
    match known.differs(stored) {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}
