//! Feeds: the name is also the identifier and a name in use is a 409; delete is soft and
//! answers the feeds that remain; deleting a deleted or never-created feed is a 400; the list
//! holds the live feeds and not the deleted ones.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::model::Model;
use super::pages;
use super::session::{Failure, Session};

/// Feed slots.
const SLOTS: usize = 3;

/// The feed model.
pub(crate) struct Feeds;

/// A feed step; numbers index slots, `Unknown` carries an id drawn at random.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Create(usize),
    Delete(usize),
    DeleteUnknown(String),
    List,
}

#[derive(Debug, Clone)]
struct Feed {
    id: String,
    name: String,
}

/// Live feeds and deleted ids, by slot.
#[derive(Default)]
pub(crate) struct State {
    live: BTreeMap<usize, Feed>,
    deleted: BTreeMap<usize, String>,
    created: usize,
}

impl Model for Feeds {
    type Step = Step;
    type State = State;
    const NAME: &'static str = "feeds";
    const CREATE: &'static str = "feeds_create";
    const OPERATIONS: &'static [&'static str] = &["feeds_create", "feeds_delete", "feeds_list"];
    const IDS: usize = SLOTS;

    fn closing() -> Step {
        Step::List
    }

    fn step() -> BoxedStrategy<Step> {
        let slot = 0..SLOTS;
        prop_oneof![
            3 => slot.clone().prop_map(Step::Create),
            1 => slot.prop_map(Step::Delete),
            1 => "[0-9a-f]{24}".prop_map(Step::DeleteUnknown),
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
            Step::Create(slot) => {
                let name = match state.live.get(slot) {
                    Some(feed) => feed.name.clone(),
                    None => format!("{}-{}", session.id(*slot), state.created),
                };
                let body = json!({ "name": name });
                let sent = session.send("feeds_create", &[], &[], Some(body)).await;
                if state.live.contains_key(slot) {
                    return sent.expect_status(409, "the name is in use");
                }
                let data = sent.expect(201, "the new feed")?;
                let id = sent.id_of(&data, "the new feed's _id")?;
                let feed = Feed { id, name };
                same_feed(&data, &feed).map_err(|problem| sent.fail("the feed", problem))?;
                state.created += 1;
                state.live.insert(*slot, feed);
                Ok(())
            }
            Step::Delete(slot) => {
                let id = match (state.live.get(slot), state.deleted.get(slot)) {
                    (Some(feed), _) => feed.id.clone(),
                    (None, Some(id)) => id.clone(),
                    (None, None) => return Ok(()),
                };
                let sent = session.send_one("feeds_delete", "feedId", &id, None).await;
                if state.live.remove(slot).is_none() {
                    return sent.expect_status(400, "the feed is deleted");
                }
                state.deleted.insert(*slot, id);
                let expected = "the feeds that remain";
                sent.expect_same(200, expected, expected, |data| holds(data, state))
            }
            Step::DeleteUnknown(id) => {
                let sent = session.send_one("feeds_delete", "feedId", id, None).await;
                sent.expect_status(400, "no feed has this id")
            }
            Step::List => {
                let sent = session.send("feeds_list", &[], &[], None).await;
                sent.expect_same(200, "every feed", "every live feed", |data| {
                    holds(data, state)
                })
            }
        }
    }

    async fn cleanup(&self, session: &mut Session<'_>, state: &State) {
        for feed in state.live.values() {
            session.discard("feeds_delete", "feedId", &feed.id).await;
        }
    }
}

/// Whether `list` holds every live feed as created and no deleted one.
fn holds(list: &Value, state: &State) -> Result<(), String> {
    let live = state.live.values().map(|feed| (feed.id.as_str(), feed));
    pages::unpaginated_holds(list, "feed", live, state.deleted.values(), same_feed)
}

fn same_feed(stored: &Value, feed: &Feed) -> Result<(), String> {
    if stored["name"] != json!(feed.name) || stored["identifier"] != json!(feed.name) {
        return Err(format!(
            "name {} and identifier {}, expected both {:?}",
            stored["name"], stored["identifier"], feed.name
        ));
    }
    Ok(())
}
