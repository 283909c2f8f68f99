//! The edges of a schema's ranges: the exact lengths, numbers and item counts at which a
//! `minLength`/`maxLength`, `minimum`/`maximum` (with `exclusiveMinimum`/`exclusiveMaximum`)
//! or `minItems`/`maxItems` still allows a value. Random draws rarely land there, and a server
//! that refuses exactly the largest allowed value is as wrong as one refusing any other, so the
//! strategies draw whole inputs at one edge on purpose.

use serde_json::Value;

use crate::contract::Spec;

/// Which end of every range an input sits at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// `minLength`, `minimum` and `minItems`.
    Lower,
    /// `maxLength`, `maximum` and `maxItems`.
    Upper,
}

impl Edge {
    /// How a report names an input at this edge.
    pub fn describe(self) -> &'static str {
        match self {
            Edge::Lower => {
                "an input at the lower edges its schemas allow (exactly minLength, minimum, minItems)"
            }
            Edge::Upper => {
                "an input at the upper edges its schemas allow (exactly maxLength, maximum, maxItems)"
            }
        }
    }

    fn keywords(self) -> [&'static str; 3] {
        match self {
            Edge::Lower => ["minLength", "minimum", "minItems"],
            Edge::Upper => ["maxLength", "maximum", "maxItems"],
        }
    }
}

/// How deep [`has_edge`] looks (the schemas nest recursively).
const MAX_DEPTH: usize = 10;

/// The integer at `edge` of `schema`'s range, when it states that bound.
pub fn number_at(schema: &Value, edge: Edge) -> Option<i64> {
    let exclusive =
        |keyword: &str| i64::from(schema.get(keyword).and_then(Value::as_bool) == Some(true));
    match edge {
        Edge::Lower => schema
            .get("minimum")
            .and_then(Value::as_f64)
            .map(|minimum| minimum.ceil() as i64 + exclusive("exclusiveMinimum")),
        Edge::Upper => schema
            .get("maximum")
            .and_then(Value::as_f64)
            .map(|maximum| maximum.floor() as i64 - exclusive("exclusiveMaximum")),
    }
}

/// The string length at `edge` of `schema`, when it states that bound.
pub fn length_at(schema: &Value, edge: Edge) -> Option<usize> {
    let keyword = match edge {
        Edge::Lower => "minLength",
        Edge::Upper => "maxLength",
    };
    schema
        .get(keyword)
        .and_then(Value::as_u64)
        .map(|length| length as usize)
}

/// The number of array items at `edge` of `schema`, when it states that bound.
pub fn items_at(schema: &Value, edge: Edge) -> Option<usize> {
    let keyword = match edge {
        Edge::Lower => "minItems",
        Edge::Upper => "maxItems",
    };
    schema
        .get(keyword)
        .and_then(Value::as_u64)
        .map(|count| count as usize)
}

/// Whether `schema`, or a schema inside it, states a bound at `edge`.
pub fn has_edge(spec: &Spec, schema: &Value, edge: Edge) -> bool {
    walk(spec, schema, edge, 0)
}

fn walk(spec: &Spec, schema: &Value, edge: Edge, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let schema = spec.resolve(schema);
    if edge
        .keywords()
        .iter()
        .any(|keyword| schema.get(*keyword).is_some())
    {
        return true;
    }
    let inside = |value: &Value| walk(spec, value, edge, depth + 1);
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|properties| properties.values());
    let parts = ["allOf", "oneOf", "anyOf"]
        .iter()
        .filter_map(|keyword| schema.get(*keyword).and_then(Value::as_array))
        .flatten();
    let single = ["items", "additionalProperties"]
        .iter()
        .filter_map(|keyword| schema.get(*keyword).filter(|value| value.is_object()));
    properties.chain(parts).chain(single).any(inside)
}
