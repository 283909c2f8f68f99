//! The contract's schemas compiled to `proptest` strategies of JSON values: [`valid`] values
//! that every schema keyword allows, and [`invalid`] ones that break exactly one keyword.
//!
//! The property checks send what these strategies draw and, on a violation, shrink the input
//! with proptest's value trees, so a report shows the smallest request that still fails.
//! The strategies read the OpenAPI schemas directly (`$ref`s resolved, `nullable` as a `null`
//! alternative), the same meaning the draft 4 validators give them. Invalid values break a
//! keyword anywhere down to a few levels: in optional properties (put in place first), in the
//! first item of arrays, in every part of an `allOf`, and inside an alternative of a
//! `oneOf`/`anyOf` when no other alternative could accept the result. Every drawn value is
//! checked against those validators before it is sent, so a generator mistake is skipped
//! rather than reported as the server's.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Just, Union};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

use super::bounds::{self, Edge};
use crate::contract::{Operation, Spec};

/// A strategy of JSON values.
pub type ValueStrategy = BoxedStrategy<Value>;

/// A value that breaks one keyword, with the description of what was broken.
pub type Mutated = (Value, String);

/// Beyond this depth optional properties are left out and arrays hold their minimum.
const OPTIONAL_DEPTH: usize = 4;

/// Beyond this depth a schema yields `null` (the self-check then skips the value).
const MAX_DEPTH: usize = 10;

/// The most items a generated array holds beyond its `minItems`.
const EXTRA_ITEMS: usize = 3;

/// A deterministic runner for `cases` cases, seeded from the run's seed and `salt` (the
/// operation), so that each operation draws the same inputs whatever runs beside it.
pub fn runner(seed: u64, salt: &str, cases: u32) -> TestRunner {
    // FNV-1a: stable across platforms and Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.to_le_bytes().iter().chain(salt.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mut bytes = [0u8; 32];
    for (index, chunk) in bytes.chunks_mut(8).enumerate() {
        let word = hash.rotate_left(index as u32 * 17) ^ (index as u64);
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Values valid against OpenAPI `schema`.
#[cfg_attr(not(test), allow(dead_code))]
pub fn valid(spec: &Spec, schema: &Value) -> ValueStrategy {
    Compiler { spec, edge: None }.valid(schema, 0)
}

/// Values that break exactly one keyword of OpenAPI `schema`, with what was broken.
#[cfg_attr(not(test), allow(dead_code))]
pub fn invalid(spec: &Spec, schema: &Value) -> BoxedStrategy<Mutated> {
    let compiler = Compiler { spec, edge: None };
    let base = compiler.valid(schema, 0);
    let mut mutations = Vec::new();
    compiler.mutations(
        schema,
        &mut Vec::new(),
        0,
        false,
        &Vec::new(),
        &mut mutations,
    );
    mutated(&compiler, base, mutations)
}

/// The schema of an operation's whole input: `{"body": …, "query": {…}}`, `body` only when the
/// operation has a JSON body and required when the body is.
pub fn input_schema(operation: &Operation) -> Value {
    let mut properties = Map::new();
    let mut required = vec![json!("query")];
    let mut query_properties = Map::new();
    let mut query_required = Vec::new();
    for parameter in operation.parameters_in("query") {
        query_properties.insert(parameter.name.clone(), parameter.schema.clone());
        if parameter.required {
            query_required.push(json!(parameter.name));
        }
    }
    let mut query = json!({
        "type": "object",
        "properties": query_properties,
        "additionalProperties": false,
    });
    if !query_required.is_empty() {
        query["required"] = Value::Array(query_required);
    }
    properties.insert("query".into(), query);
    if let Some(body) = &operation.request_body {
        properties.insert("body".into(), body.schema.clone());
        if body.required {
            required.push(json!("body"));
        }
    }
    json!({"type": "object", "properties": properties, "required": required})
}

/// Valid inputs of `operation` (see [`input_schema`]); the body is always present.
pub fn valid_input(spec: &Spec, operation: &Operation) -> ValueStrategy {
    let compiler = Compiler { spec, edge: None };
    compiler.input(operation)
}

/// Valid inputs of `operation` with every string, number and array that states a bound at
/// `edge` exactly at it, and every optional property present; `None` when no schema of the
/// input states such a bound.
pub fn edge_input(spec: &Spec, operation: &Operation, edge: Edge) -> Option<ValueStrategy> {
    bounds::has_edge(spec, &input_schema(operation), edge).then(|| {
        Compiler {
            spec,
            edge: Some(edge),
        }
        .input(operation)
    })
}

/// Inputs of `operation` breaking one keyword of a query parameter or of the body. Query
/// values travel as text, so a query parameter is never given a number for a string.
pub fn invalid_input(spec: &Spec, operation: &Operation) -> BoxedStrategy<Mutated> {
    let compiler = Compiler { spec, edge: None };
    let schema = input_schema(operation);
    let mut mutations = Vec::new();
    let query = &schema["properties"]["query"];
    let no_anchor = Vec::new();
    compiler.mutations(
        query,
        &mut vec!["query".into()],
        0,
        true,
        &no_anchor,
        &mut mutations,
    );
    // The query object itself never travels: only its parameters can be broken.
    mutations.retain(
        |(mutation, _)| !matches!(mutation, Mutation::Replace(path, _, _) if path.len() < 2),
    );
    if let Some(body) = &operation.request_body {
        if body.required {
            mutations.insert(0, (Mutation::Remove(Vec::new(), "body".into()), Vec::new()));
        }
        compiler.mutations(
            &body.schema,
            &mut vec!["body".into()],
            0,
            false,
            &no_anchor,
            &mut mutations,
        );
    }
    mutated(&compiler, compiler.input(operation), mutations)
}

/// What must be in place above a mutation, outermost first: optional properties and array
/// items the valid value may have left out, and the alternative of a composition it chose.
type Anchor = Vec<AnchorStep>;

/// One location above a mutation and the schema of what it must hold.
#[derive(Debug, Clone)]
struct AnchorStep {
    path: Vec<String>,
    schema: Value,
    /// Replace whatever is there (a composition's alternative), not only what is missing.
    force: bool,
}

/// The deepest level (properties, array items, alternatives) whose keywords are broken.
const MAX_MUTATION_DEPTH: usize = 4;

/// One way to break a schema at a location: the path (property names) of the value to change.
#[derive(Debug, Clone)]
enum Mutation {
    /// Remove required property `.1` of the object at `.0`.
    Remove(Vec<String>, String),
    /// Put this value at the path; the text says which keyword it breaks.
    Replace(Vec<String>, Value, String),
    /// Put `count` valid items of `items` at the path (over `maxItems`).
    TooManyItems(Vec<String>, Value, usize),
}

fn pointer(path: &[String]) -> String {
    if path.is_empty() {
        return "/".into();
    }
    path.iter()
        .map(|segment| format!("/{}", segment.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn mutated(
    compiler: &Compiler<'_>,
    base: ValueStrategy,
    mutations: Vec<(Mutation, Anchor)>,
) -> BoxedStrategy<Mutated> {
    if mutations.is_empty() {
        return Just((Value::Null, "no keyword to break".to_owned())).boxed();
    }
    let options: Vec<BoxedStrategy<Mutated>> = mutations
        .into_iter()
        .map(|(mutation, anchor)| {
            let base = anchor.into_iter().fold(base.clone(), |base, step| {
                let present = compiler.non_null(compiler.spec.resolve(&step.schema), 1);
                (base, present)
                    .prop_map(move |(mut value, present)| {
                        let missing = at(&mut value, &step.path).is_none_or(|found| {
                            found.is_null() || found.as_array().is_some_and(Vec::is_empty)
                        });
                        if step.force || missing {
                            put(&mut value, &step.path, present);
                        }
                        value
                    })
                    .boxed()
            });
            (mutation, base)
        })
        .map(|(mutation, base)| match mutation {
            Mutation::Remove(path, name) => {
                let description = match path.first().map(String::as_str) {
                    None => format!("no {name}, which is required"),
                    Some("query") => format!("required query parameter {name} left out"),
                    _ => format!("required property {name} removed at {}", pointer(&path)),
                };
                base.clone()
                    .prop_map(move |mut value| {
                        if let Some(Value::Object(object)) = at(&mut value, &path) {
                            object.remove(&name);
                        }
                        (value, description.clone())
                    })
                    .boxed()
            }
            Mutation::Replace(path, bad, what) => {
                let description = format!("{what} at {}", pointer(&path));
                base.clone()
                    .prop_map(move |mut value| {
                        put(&mut value, &path, bad.clone());
                        (value, description.clone())
                    })
                    .boxed()
            }
            Mutation::TooManyItems(path, items, count) => {
                let description = format!("{count} items, over maxItems, at {}", pointer(&path));
                (base.clone(), vec(compiler.valid(&items, 1), count..=count))
                    .prop_map(move |(mut value, items)| {
                        put(&mut value, &path, Value::Array(items));
                        (value, description.clone())
                    })
                    .boxed()
            }
        })
        .collect();
    Union::new(options).boxed()
}

/// The value at `path`, if every step exists; a step into an array is an item's index.
fn at<'v>(value: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |value, segment| match value {
        Value::Array(items) => segment
            .parse::<usize>()
            .ok()
            .and_then(|index| items.get_mut(index)),
        other => other.get_mut(segment.as_str()),
    })
}

/// Sets the value at `path` when its parent object, or the array item, exists.
fn put(value: &mut Value, path: &[String], new: Value) {
    match path.split_last() {
        None => *value = new,
        Some((last, parent)) => match at(value, parent) {
            Some(Value::Object(object)) => {
                object.insert(last.clone(), new);
            }
            Some(Value::Array(items)) => {
                if let Some(item) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    *item = new;
                }
            }
            _ => {}
        },
    }
}

/// The JSON type a schema admits, when it names exactly one (`integer` counts as `number`).
fn json_type(schema: &Value) -> Option<&'static str> {
    let kind = match schema.get("type").and_then(Value::as_str) {
        Some(kind) => kind,
        None if schema.get("properties").is_some() => "object",
        None if schema.get("items").is_some() => "array",
        None => return None,
    };
    Some(match kind {
        "integer" | "number" => "number",
        "string" => "string",
        "boolean" => "boolean",
        "array" => "array",
        _ => "object",
    })
}

/// A property every alternative requires, with an enum per alternative that no other
/// alternative shares: a value keeping its tag can only ever match its own alternative.
fn discriminator(alternatives: &[&Value]) -> Option<String> {
    let first = alternatives.first()?;
    let candidates = first.get("required").and_then(Value::as_array)?;
    candidates
        .iter()
        .filter_map(Value::as_str)
        .find_map(|name| {
            let tags: Option<Vec<&Vec<Value>>> = alternatives
                .iter()
                .map(|alternative| {
                    let required = alternative.get("required").and_then(Value::as_array)?;
                    required.contains(&json!(name)).then_some(())?;
                    alternative
                        .get("properties")?
                        .get(name)?
                        .get("enum")?
                        .as_array()
                })
                .collect();
            let tags = tags?;
            let disjoint = tags.iter().enumerate().all(|(index, own)| {
                tags.iter()
                    .skip(index + 1)
                    .all(|other| own.iter().all(|tag| !other.contains(tag)))
            });
            disjoint.then(|| name.to_owned())
        })
}

struct Compiler<'a> {
    spec: &'a Spec,
    /// Draw at this edge of every range (see [`edge_input`]).
    edge: Option<Edge>,
}

impl Compiler<'_> {
    fn input(&self, operation: &Operation) -> ValueStrategy {
        let schema = input_schema(operation);
        let query = self.valid(&schema["properties"]["query"], 0);
        match &operation.request_body {
            Some(body) => (query, self.valid(&body.schema, 0))
                .prop_map(|(query, body)| json!({"query": query, "body": body}))
                .boxed(),
            None => query.prop_map(|query| json!({"query": query})).boxed(),
        }
    }

    fn valid(&self, schema: &Value, depth: usize) -> ValueStrategy {
        let resolved = self.spec.resolve(schema);
        if depth > MAX_DEPTH {
            return Just(Value::Null).boxed();
        }
        let inner = self.non_null(resolved, depth);
        if resolved.get("nullable").and_then(Value::as_bool) == Some(true) && self.edge.is_none() {
            prop_oneof![4 => inner, 1 => Just(Value::Null)].boxed()
        } else {
            inner
        }
    }

    fn non_null(&self, schema: &Value, depth: usize) -> ValueStrategy {
        if let Some(values) = schema.get("enum").and_then(Value::as_array)
            && !values.is_empty()
        {
            let values: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
            if !values.is_empty() {
                return proptest::sample::select(values).boxed();
            }
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let parts: Vec<ValueStrategy> = parts
                .iter()
                .map(|part| self.valid(part, depth + 1))
                .collect();
            return parts
                .prop_map(|parts| {
                    let mut merged = Map::new();
                    for part in parts {
                        match part {
                            Value::Object(fields) => merged.extend(fields),
                            other => return other,
                        }
                    }
                    Value::Object(merged)
                })
                .boxed();
        }
        for composition in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(composition).and_then(Value::as_array)
                && !branches.is_empty()
            {
                // Deep down only the first branch, which the schemas keep simplest.
                let take = if depth > OPTIONAL_DEPTH {
                    1
                } else {
                    branches.len()
                };
                let branches: Vec<ValueStrategy> = branches
                    .iter()
                    .take(take)
                    .map(|branch| self.valid(branch, depth + 1))
                    .collect();
                return Union::new(branches).boxed();
            }
        }
        let kind = match schema.get("type").and_then(Value::as_str) {
            Some(kind) => kind,
            None if schema.get("properties").is_some() => "object",
            None if schema.get("items").is_some() => "array",
            None => return free_form(),
        };
        match kind {
            "object" => self.object(schema, depth),
            "array" => {
                let mut minimum =
                    schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let maximum = schema
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .map_or(usize::MAX, |maximum| maximum as usize);
                let extra = if depth > OPTIONAL_DEPTH {
                    0
                } else {
                    EXTRA_ITEMS
                };
                let mut upper = maximum.min(minimum + extra).max(minimum);
                let items = schema.get("items").cloned().unwrap_or(json!({}));
                let mut item = self.valid(&items, depth + 1);
                if let Some(count) = self.edge.and_then(|edge| bounds::items_at(schema, edge)) {
                    (minimum, upper) = (count, count);
                    // Many items are drawn plainly, or a hundred would each carry every edge.
                    if count > EXTRA_ITEMS {
                        item = Compiler {
                            spec: self.spec,
                            edge: None,
                        }
                        .valid(&items, depth + 1);
                    }
                }
                vec(item, minimum..=upper).prop_map(Value::Array).boxed()
            }
            "integer" | "number" => {
                match self.edge.and_then(|edge| bounds::number_at(schema, edge)) {
                    Some(number) => Just(json!(number)).boxed(),
                    None => integer(schema),
                }
            }
            "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
            _ => string(schema, self.edge),
        }
    }

    fn object(&self, schema: &Value, depth: usize) -> ValueStrategy {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let properties = schema.get("properties").and_then(Value::as_object);
        let Some(properties) = properties.filter(|properties| !properties.is_empty()) else {
            return match schema.get("additionalProperties") {
                Some(Value::Object(values)) if !values.is_empty() => btree_map(
                    "[a-z]{1,6}",
                    self.valid(&Value::Object(values.clone()), depth + 1),
                    0..=2,
                )
                .prop_map(|map| Value::Object(map.into_iter().collect()))
                .boxed(),
                Some(Value::Bool(false)) => Just(json!({})).boxed(),
                _ => btree_map("[a-z]{1,6}", scalar(), 0..=2)
                    .prop_map(|map| Value::Object(map.into_iter().collect()))
                    .boxed(),
            };
        };
        let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
        for (name, property) in properties {
            let is_required = required.contains(&name.as_str());
            let resolved = self.spec.resolve(property);
            let read_only = resolved.get("readOnly").and_then(Value::as_bool) == Some(true);
            if !is_required && (depth >= OPTIONAL_DEPTH || read_only) {
                continue;
            }
            let key = name.clone();
            let value = self
                .valid(property, depth + 1)
                .prop_map(move |value| Some((key.clone(), value)));
            fields.push(if is_required || self.edge.is_some() {
                value.boxed()
            } else {
                // Absent first: optional properties shrink away.
                prop_oneof![Just(None), value].boxed()
            });
        }
        // Required properties the schema does not describe still need a value.
        for name in required {
            if !properties.contains_key(name) {
                let key = name.to_owned();
                fields.push(
                    scalar()
                        .prop_map(move |value| Some((key.clone(), value)))
                        .boxed(),
                );
            }
        }
        fields
            .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect()))
            .boxed()
    }

    /// Collects the mutations of `schema` at `path`, and of its properties down to a few levels.
    /// `as_text` marks query values, which reach the server as text.
    fn mutations(
        &self,
        schema: &Value,
        path: &mut Vec<String>,
        depth: usize,
        as_text: bool,
        anchor: &Anchor,
        out: &mut Vec<(Mutation, Anchor)>,
    ) {
        let schema = self.spec.resolve(schema);
        if depth > MAX_MUTATION_DEPTH {
            return;
        }
        // A `null` there would leave nothing to break below it.
        let mut anchor = anchor.clone();
        if schema.get("nullable").and_then(Value::as_bool) == Some(true) && !path.is_empty() {
            anchor.push(AnchorStep {
                path: path.clone(),
                schema: schema.clone(),
                force: false,
            });
        }
        let anchor = &anchor;
        // A value must satisfy every part of an `allOf`, so breaking any part breaks it.
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.mutations(part, path, depth + 1, as_text, anchor, out);
            }
            return;
        }
        if let Some(alternatives) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            if !as_text {
                self.alternative_mutations(alternatives, path, depth, anchor, out);
            }
            return;
        }
        let mut found = Vec::new();
        let kind = schema
            .get("type")
            .and_then(Value::as_str)
            .or_else(|| schema.get("properties").map(|_| "object"));
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        for name in &required {
            found.push(Mutation::Remove(path.clone(), name.clone()));
        }
        // As text, a number is a valid string and one value a valid one-item array.
        if let Some(kind) = kind
            && !(as_text && matches!(kind, "string" | "array" | "object"))
            && schema.get("oneOf").is_none()
            && schema.get("anyOf").is_none()
        {
            let wrong = if kind == "string" {
                json!(12345)
            } else {
                json!("nc-wrong-type")
            };
            found.push(Mutation::Replace(
                path.clone(),
                wrong,
                format!("a value that is not of type {kind}"),
            ));
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let outside = if values.iter().all(Value::is_string) {
                json!("nc-not-in-enum")
            } else {
                json!(987_654_321)
            };
            if !values.contains(&outside) {
                found.push(Mutation::Replace(
                    path.clone(),
                    outside,
                    "a value outside the enum".into(),
                ));
            }
        }
        if kind == Some("string") || (kind.is_none() && schema.get("maxLength").is_some()) {
            if let Some(maximum) = schema.get("maxLength").and_then(Value::as_u64)
                && maximum < 10_000
            {
                found.push(Mutation::Replace(
                    path.clone(),
                    json!("x".repeat(maximum as usize + 1)),
                    format!("a string of {} characters, over maxLength", maximum + 1),
                ));
            }
            if let Some(minimum) = schema.get("minLength").and_then(Value::as_u64)
                && minimum > 0
            {
                found.push(Mutation::Replace(
                    path.clone(),
                    json!("x".repeat(minimum as usize - 1)),
                    format!("a string of {} characters, under minLength", minimum - 1),
                ));
            }
        }
        // A query integer travels as text, so it can be one no 64-bit integer holds; in a body
        // such a number is still an integer to the schemas, and the check could not tell it
        // invalid.
        if kind == Some("integer") && as_text {
            found.push(Mutation::Replace(
                path.clone(),
                json!(BEYOND_64_BITS),
                "an integer beyond 64 bits (2^64)".into(),
            ));
        }
        if matches!(kind, Some("integer" | "number")) {
            if let Some(maximum) = schema.get("maximum").and_then(Value::as_i64) {
                found.push(Mutation::Replace(
                    path.clone(),
                    json!(maximum + 1),
                    format!("{}, over maximum", maximum + 1),
                ));
            }
            if let Some(minimum) = schema.get("minimum").and_then(Value::as_i64) {
                found.push(Mutation::Replace(
                    path.clone(),
                    json!(minimum - 1),
                    format!("{}, under minimum", minimum - 1),
                ));
            }
        }
        if kind == Some("array") {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            if let Some(maximum) = schema.get("maxItems").and_then(Value::as_u64)
                && maximum < 20
            {
                found.push(Mutation::TooManyItems(
                    path.clone(),
                    items,
                    maximum as usize + 1,
                ));
            }
            if let Some(minimum) = schema.get("minItems").and_then(Value::as_u64)
                && minimum > 0
                && !as_text
            {
                found.push(Mutation::Replace(
                    path.clone(),
                    json!([]),
                    "an empty array, under minItems".into(),
                ));
            }
        }
        out.extend(found.into_iter().map(|mutation| (mutation, anchor.clone())));
        if kind == Some("object") {
            let properties = schema.get("properties").and_then(Value::as_object);
            for (name, property) in properties.into_iter().flatten() {
                let read_only = self
                    .spec
                    .resolve(property)
                    .get("readOnly")
                    .and_then(Value::as_bool)
                    == Some(true);
                if read_only {
                    continue;
                }
                path.push(name.clone());
                // An optional property on the way must be present for a change below it.
                let mut anchor = anchor.clone();
                if !required.contains(name) {
                    anchor.push(AnchorStep {
                        path: path.clone(),
                        schema: property.clone(),
                        force: false,
                    });
                }
                self.mutations(property, path, depth + 1, as_text, &anchor, out);
                path.pop();
            }
        }
        // Inside an array, the first item is broken; the array is given one when it has none.
        if kind == Some("array") && !as_text {
            let maximum = schema.get("maxItems").and_then(Value::as_u64);
            if let Some(items) = schema.get("items").filter(|_| maximum != Some(0)) {
                let mut non_empty = schema.clone();
                let minimum = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                non_empty["minItems"] = json!(minimum.max(1));
                let mut anchor = anchor.clone();
                anchor.push(AnchorStep {
                    path: path.clone(),
                    schema: non_empty,
                    force: false,
                });
                path.push("0".into());
                self.mutations(items, path, depth + 1, as_text, &anchor, out);
                path.pop();
            }
        }
    }

    /// The mutations of a `oneOf`/`anyOf` at `path` that surely match no alternative: a value
    /// of a type none admits, and changes inside an alternative that no other alternative can
    /// accept (one told apart by its type, or by a tag property).
    fn alternative_mutations(
        &self,
        alternatives: &[Value],
        path: &mut Vec<String>,
        depth: usize,
        anchor: &Anchor,
        out: &mut Vec<(Mutation, Anchor)>,
    ) {
        let resolved: Vec<&Value> = alternatives
            .iter()
            .map(|alternative| self.spec.resolve(alternative))
            .collect();
        let types: Option<Vec<&str>> = resolved.iter().map(|schema| json_type(schema)).collect();
        let Some(types) = types else {
            // An alternative without a type admits anything of some type: nothing is sure.
            return;
        };
        let candidates = [
            ("number", json!(12345)),
            ("string", json!("nc-wrong-type")),
            ("boolean", json!(true)),
            ("object", json!({"nc": true})),
            ("array", json!(["nc"])),
        ];
        if let Some((kind, value)) = candidates
            .into_iter()
            .find(|(kind, _)| !types.contains(kind))
        {
            out.push((
                Mutation::Replace(
                    path.clone(),
                    value,
                    format!("a {kind}, which no alternative admits"),
                ),
                anchor.clone(),
            ));
        }
        let objects: Vec<&Value> = resolved
            .iter()
            .zip(&types)
            .filter(|(_, kind)| **kind == "object")
            .map(|(schema, _)| *schema)
            .collect();
        let tagged = objects.len() > 1 && discriminator(&objects).is_some();
        for (index, alternative) in alternatives.iter().enumerate() {
            let kind = types[index];
            let unique = types.iter().filter(|other| **other == kind).count() == 1;
            let told_apart = unique || (kind == "object" && tagged);
            if !told_apart {
                continue;
            }
            let mut anchor = anchor.clone();
            anchor.push(AnchorStep {
                path: path.clone(),
                schema: alternative.clone(),
                force: true,
            });
            let mut inner = Vec::new();
            self.mutations(alternative, path, depth + 1, false, &anchor, &mut inner);
            // A value of another type may well match another alternative.
            inner.retain(|(mutation, _)| {
                !matches!(mutation, Mutation::Replace(at, _, what)
                    if at == path && what.starts_with("a value that is not of type"))
            });
            out.extend(inner);
        }
    }
}

fn free_form() -> ValueStrategy {
    scalar()
}

fn scalar() -> ValueStrategy {
    prop_oneof![
        "[a-z]{0,8}".prop_map(Value::String),
        (-100i64..100).prop_map(|number| json!(number)),
        any::<bool>().prop_map(Value::Bool),
    ]
    .boxed()
}

fn integer(schema: &Value) -> ValueStrategy {
    let exclusive_minimum = schema.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
    let exclusive_maximum = schema.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true);
    let minimum = schema
        .get("minimum")
        .and_then(Value::as_f64)
        .map(|minimum| minimum.ceil() as i64 + i64::from(exclusive_minimum));
    let maximum = schema
        .get("maximum")
        .and_then(Value::as_f64)
        .map(|maximum| maximum.floor() as i64 - i64::from(exclusive_maximum));
    let (low, high) = match (minimum, maximum) {
        (Some(low), Some(high)) => (low, high.max(low)),
        (Some(low), None) => (low, low.saturating_add(1000)),
        (None, Some(high)) => (high.saturating_sub(1000), high),
        (None, None) => (-1000, 1000),
    };
    // Numbers shrink towards the lower bound, or zero when it is allowed.
    let near = if low <= 0 && 0 <= high {
        prop_oneof![Just(0i64), low..=high].boxed()
    } else {
        (low..=high).boxed()
    };
    // An unbounded side also reaches past what a double holds exactly: the contract's integers
    // are 64-bit ones, so a server must not lose or refuse them.
    let mut far = Vec::new();
    if maximum.is_none() {
        far.push(BEYOND_DOUBLES);
    }
    if minimum.is_none() {
        far.push(-BEYOND_DOUBLES);
    }
    let numbers = if far.is_empty() {
        near
    } else {
        prop_oneof![8 => near, 1 => proptest::sample::select(far)].boxed()
    };
    numbers.prop_map(|number| json!(number)).boxed()
}

/// 2^53 + 1, the first integer no double holds exactly.
const BEYOND_DOUBLES: i64 = 9_007_199_254_740_993;

/// 2^64 as text: an integer query value no 64-bit integer holds.
pub const BEYOND_64_BITS: &str = "18446744073709551616";

fn string(schema: &Value, edge: Option<Edge>) -> ValueStrategy {
    match schema.get("format").and_then(Value::as_str) {
        Some("email") => return "[a-z]{1,8}@example\\.com".prop_map(Value::String).boxed(),
        Some("date-time") => {
            return (
                2000u32..2030,
                1u32..=12,
                1u32..=28,
                0u32..24,
                0u32..60,
                0u32..1000,
            )
                .prop_map(|(year, month, day, hour, minute, millis)| {
                    json!(format!(
                        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:00.{millis:03}Z"
                    ))
                })
                .boxed();
        }
        Some("date") => {
            return (2000u32..2030, 1u32..=12, 1u32..=28)
                .prop_map(|(year, month, day)| json!(format!("{year:04}-{month:02}-{day:02}")))
                .boxed();
        }
        Some("uri") | Some("url") => {
            return "https://example\\.com/[a-z0-9]{0,8}"
                .prop_map(Value::String)
                .boxed();
        }
        Some("uuid") => {
            return "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}"
                .prop_map(Value::String)
                .boxed();
        }
        _ => {}
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        if pattern.contains("{24}") {
            return "[0-9a-f]{24}".prop_map(Value::String).boxed();
        }
        let unanchored = pattern.trim_start_matches('^').trim_end_matches('$');
        if let Ok(strategy) = proptest::string::string_regex(unanchored) {
            return strategy.prop_map(Value::String).boxed();
        }
    }
    let minimum = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    if let Some(length) = edge.and_then(|edge| bounds::length_at(schema, edge)) {
        return proptest::string::string_regex(&format!("[a-zA-Z0-9_-]{{{length}}}"))
            .expect("a character class with a count is a valid regex")
            .prop_map(Value::String)
            .boxed();
    }
    let maximum = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |maximum| maximum as usize);
    let upper = maximum.min(minimum.max(1) + 11).max(minimum);
    proptest::string::string_regex(&format!("[a-zA-Z0-9_-]{{{minimum},{upper}}}"))
        .expect("a character class with bounds is a valid regex")
        .prop_map(Value::String)
        .boxed()
}

#[cfg(test)]
mod tests;
