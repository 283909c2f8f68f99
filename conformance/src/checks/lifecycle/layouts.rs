//! Layouts, addressed by the `_id` the server gives: a duplicate `identifier` is a 409, an
//! update writes the fields present and not empty over the stored ones (`variables` as a whole
//! list), there is one default layout at a time (setting one by create, update or set-default
//! unsets the previous, which is read right away; the default can be neither unset nor
//! deleted), delete is soft, and the list pages with `totalCount`. Every read compares the
//! whole layout. Ids never created are drawn, not taken from the server.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::document::Document;
use super::model::Model;
use super::pages::{self, Counting, Listing, Words};
use super::session::{Failure, Json, Session};
use super::subscribers::name;

const LIST: Listing = Listing {
    operation: "layouts_list",
    size: "pageSize",
    max: 1000,
    counting: Counting::TotalCount,
};

/// The content every layout needs.
const CONTENT: &str = "<html><body>{{{body}}}</body></html>";

/// Contents a step may write: each holds the `{{{body}}}` placeholder.
const CONTENTS: &[&str] = &[CONTENT, "<div>{{{body}}}</div>", "<p>é 日本</p>{{{body}}}"];

/// The properties of a template variable the contract names; a server may add its own.
const VARIABLE: [&str; 4] = ["type", "name", "required", "defaultValue"];

/// Layout slots.
const SLOTS: usize = 3;

/// The layout model.
pub(crate) struct Layouts;

/// A layout step; numbers index slots, `Unknown` carries an id drawn at random.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Read(usize),
    Unknown(String),
    Create(usize, Json),
    Update(usize, Json),
    SetDefault(usize),
    Unset(usize),
    Delete(usize),
    List { page_size: u64 },
}

#[derive(Debug, Clone)]
struct Layout {
    id: String,
    /// Every writable field but `isDefault`, which the state tells.
    document: Document,
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
    /// The writable fields of a layout, but `isDefault`.
    fields: Vec<String>,
}

/// Template variables as the contract describes them.
fn variables() -> BoxedStrategy<Value> {
    let variable = ("[a-z]{1,5}", any::<bool>(), "[a-z]{0,3}").prop_map(|(name, required, default)| {
        json!({ "type": "String", "name": name, "required": required, "defaultValue": default })
    });
    proptest::collection::vec(variable, 0..3)
        .prop_map(Value::Array)
        .boxed()
}

/// The fields of a create: a name, content and variables always, a description and
/// `isDefault: true` now and then.
fn created() -> BoxedStrategy<Json> {
    (
        name(),
        proptest::option::of(name()),
        proptest::sample::select(CONTENTS),
        variables(),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(name, description, content, variables, default)| {
            let mut fields = Map::new();
            fields.insert("name".into(), json!(name));
            if let Some(description) = description {
                fields.insert("description".into(), json!(description));
            }
            fields.insert("content".into(), json!(content));
            fields.insert("variables".into(), variables);
            if default {
                fields.insert("isDefault".into(), json!(true));
            }
            Json(Value::Object(fields))
        })
        .boxed()
}

/// The fields of an update: each absent or a value; the texts also `""` (left as stored),
/// and `isDefault: true` now and then. Never empty: an empty payload is a 400.
fn updated() -> BoxedStrategy<Json> {
    let text = |value: BoxedStrategy<String>| {
        proptest::option::weighted(0.5, prop_oneof![4 => value, 1 => Just(String::new())])
    };
    (
        text(name()),
        text(name()),
        proptest::option::weighted(0.4, proptest::sample::select(CONTENTS)),
        proptest::option::weighted(0.4, variables()),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(name, description, content, variables, default)| {
            let mut fields = Map::new();
            for (field, value) in [
                ("name", name.map(Value::from)),
                ("description", description.map(Value::from)),
                ("content", content.map(Value::from)),
                ("variables", variables),
                ("isDefault", default.then_some(json!(true))),
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

/// What an update writes: the fields present and not `""`, but `isDefault`.
fn written(fields: &Value) -> Map<String, Value> {
    fields
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(field, value)| *field != "isDefault" && value.as_str() != Some(""))
        .map(|(field, value)| (field.clone(), value.clone()))
        .collect()
}

fn makes_default(fields: &Value) -> bool {
    fields["isDefault"] == json!(true)
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
            3 => (slot.clone(), created()).prop_map(|(slot, fields)| Step::Create(slot, fields)),
            2 => (slot.clone(), updated()).prop_map(|(slot, fields)| Step::Update(slot, fields)),
            1 => slot.clone().prop_map(Step::SetDefault),
            1 => slot.clone().prop_map(Step::Unset),
            1 => slot.prop_map(Step::Delete),
            1 => (1..=3u64).prop_map(|page_size| Step::List { page_size }),
        ]
        .boxed()
    }

    async fn prepare(&self, session: &mut Session<'_>, state: &mut State) -> Result<(), Failure> {
        state.fields = session.writable("layouts_create", &["isDefault"]);
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
        // A Development environment is made with a default, but one Novu made before it had
        // default layouts has none (no migration adds one), nor has a reference database made
        // before the reference followed Novu there.
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
            Step::Create(slot, Json(fields)) => {
                let identifier = match state.live.get(slot) {
                    Some(layout) => layout.document.get("identifier").clone(),
                    None => json!(format!("{}-{}", session.id(*slot), state.created)),
                };
                let mut body = fields.clone();
                body["identifier"] = identifier;
                let sent = session
                    .send("layouts_create", &[], &[], Some(body.clone()))
                    .await;
                if state.live.contains_key(slot) {
                    return sent.expect_status(409, "the identifier is taken");
                }
                let data = sent.expect(201, "the new layout's id")?;
                let id = sent.id_of(&data, "the new layout's _id")?;
                state.created += 1;
                let mut document = Document::blank(&state.fields);
                document.write(&written(&body));
                let previous = state.default_id();
                state.live.insert(*slot, Layout { id, document });
                if makes_default(&body) {
                    state.default = Some(*slot);
                    released(session, state, previous).await?;
                }
                Ok(())
            }
            Step::Update(slot, Json(fields)) => {
                let Some(id) = address(state, *slot) else {
                    return Ok(());
                };
                let sent = session
                    .send_one("layouts_update", "layoutId", &id, Some(fields.clone()))
                    .await;
                let Some(layout) = state.live.get_mut(slot) else {
                    return sent.expect_status(404, "the layout is deleted");
                };
                layout.document.write(&written(fields));
                let layout = layout.clone();
                let previous = state.default_id();
                if makes_default(fields) {
                    state.default = Some(*slot);
                }
                let default = state.default == Some(*slot);
                let expected = "the updated layout, every field not written as it was";
                sent.expect_same(200, expected, expected, |data| {
                    same_layout(data, &layout, default)
                })?;
                if makes_default(fields) {
                    released(session, state, previous).await?;
                }
                Ok(())
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
                let previous = state.default_id();
                state.default = Some(*slot);
                released(session, state, previous).await
            }
            Step::Unset(slot) => {
                let Some(id) = address(state, *slot) else {
                    return Ok(());
                };
                let body = json!({ "isDefault": false });
                let sent = session
                    .send_one("layouts_update", "layoutId", &id, Some(body))
                    .await;
                let Some(layout) = state.live.get(slot) else {
                    return sent.expect_status(404, "the layout is deleted");
                };
                if state.default == Some(*slot) {
                    return sent.expect_status(409, "one default layout is required");
                }
                let expected = "the layout, still not the default and otherwise as it was";
                sent.expect_same(200, expected, expected, |data| {
                    same_layout(data, layout, false)
                })
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

impl State {
    /// The `_id` of the layout the model knows to be the default.
    fn default_id(&self) -> Option<String> {
        match self.default {
            Some(slot) => self.live.get(&slot).map(|layout| layout.id.clone()),
            None => self.original_default.clone(),
        }
    }
}

/// After the default moved, the previous holder reads back as no longer the default (and, when
/// it is one of the model's, otherwise as written).
async fn released(
    session: &mut Session<'_>,
    state: &State,
    previous: Option<String>,
) -> Result<(), Failure> {
    let Some(previous) = previous.filter(|id| Some(id) != state.default_id().as_ref()) else {
        return Ok(());
    };
    let sent = session
        .send_one("layouts_retrieve", "layoutId", &previous, None)
        .await;
    let expected = "the previous default layout, no longer the default";
    match state.live.values().find(|layout| layout.id == previous) {
        Some(layout) => sent.expect_same(200, expected, expected, |data| {
            same_layout(data, layout, false)
        }),
        None => sent.expect_same(200, expected, expected, |data| match &data["isDefault"] {
            Value::Bool(false) => Ok(()),
            other => Err(format!("isDefault is {other}")),
        }),
    }
}

/// The id a step on `slot` addresses: the live layout's, else the deleted one's.
fn address(state: &State, slot: usize) -> Option<String> {
    super::model::address(&state.live, &state.deleted, slot, |layout| &layout.id)
}

fn same_layout(stored: &Value, layout: &Layout, default: bool) -> Result<(), String> {
    if stored["_id"] != json!(layout.id) {
        return Err(format!("_id is {}, expected {}", stored["_id"], layout.id));
    }
    if stored["isDefault"] != json!(default) {
        return Err(format!(
            "isDefault is {}, expected {default}",
            stored["isDefault"]
        ));
    }
    // A variable is compared on the properties the contract names.
    let mut stored = stored.clone();
    if let Some(variables) = stored["variables"].as_array_mut() {
        for variable in variables.iter_mut().filter_map(Value::as_object_mut) {
            variable.retain(|property, _| VARIABLE.contains(&property.as_str()));
        }
    }
    match layout.document.differs(&stored) {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}
