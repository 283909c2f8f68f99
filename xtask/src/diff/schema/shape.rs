//! A schema as the comparison sees it: `$ref`s followed and `allOf` members merged into one
//! set of constraints, each remembering where it is written.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Value;

use crate::diff::document::{Document, Node, pointer};

/// The keywords kept from a schema object (besides the structural ones); the rest describes.
const KEYWORDS: [&str; 20] = [
    "type",
    "format",
    "nullable",
    "enum",
    "maxLength",
    "maximum",
    "maxItems",
    "maxProperties",
    "minLength",
    "minimum",
    "minItems",
    "minProperties",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "multipleOf",
    "pattern",
    "uniqueItems",
    "readOnly",
    "writeOnly",
    "default",
];

/// Bounds that limit a value from above; a lower number is stricter.
pub(super) const UPPER_BOUNDS: [&str; 4] = ["maxLength", "maximum", "maxItems", "maxProperties"];
/// Bounds that limit a value from below; a higher number is stricter. Counts start at 0.
pub(super) const LOWER_BOUNDS: [(&str, Option<f64>); 4] = [
    ("minLength", Some(0.0)),
    ("minimum", None),
    ("minItems", Some(0.0)),
    ("minProperties", Some(0.0)),
];

/// How deep `allOf` members are merged before giving up on a pathological document.
const MAX_ALL_OF_DEPTH: usize = 32;

/// Stands in for a missing schema (`items` left out, a media type without `schema`): any value.
pub(super) static ANY: Value = Value::Null;

/// A schema with `$ref`s followed and `allOf` members merged into one set of constraints, each
/// remembering the pointer it is written at.
#[derive(Clone, Default)]
pub(super) struct Shape<'a> {
    /// Identifies the compared schema nodes, to compare each pair once. Shared, as every
    /// comparison clones it into the memo.
    pub(super) key: Rc<str>,
    /// Where the schema is written: changes to the value as a whole point here.
    pub(super) at: String,
    /// The component it was reached through, to name `oneOf` alternatives.
    pub(super) name: Option<&'a str>,
    pub(super) keywords: BTreeMap<&'static str, Node<'a>>,
    pub(super) properties: BTreeMap<&'a str, Vec<Node<'a>>>,
    pub(super) properties_at: Option<String>,
    /// Each required property and the `required` list that names it.
    pub(super) required: BTreeMap<&'a str, String>,
    pub(super) items: Vec<Node<'a>>,
    /// `additionalProperties` as a schema.
    pub(super) additional: Vec<Node<'a>>,
    /// Where `additionalProperties: false` is written.
    pub(super) closed: Option<String>,
    /// The `oneOf` or `anyOf` list and its members.
    pub(super) alternatives: Option<(String, Vec<Node<'a>>)>,
    /// The `discriminator` that picks among the alternatives.
    pub(super) discriminator: Option<Node<'a>>,
}

impl<'a> Shape<'a> {
    /// The conjunction of `nodes` (one, or the definitions of a property in several `allOf`
    /// members).
    pub(super) fn build(document: &Document<'a>, nodes: &[Node<'a>]) -> Self {
        let mut shape = Shape::default();
        let mut keys = Vec::with_capacity(nodes.len());
        for (index, node) in nodes.iter().enumerate() {
            let resolved = document.resolve(node);
            if index == 0 {
                shape.at = resolved.at.clone();
                shape.name = node
                    .reference()
                    .and_then(|reference| reference.rsplit('/').next());
            }
            keys.push(resolved.at.clone());
            shape.absorb(document, &resolved, 0);
        }
        shape.key = keys.join(" & ").into();
        shape
    }

    fn absorb(&mut self, document: &Document<'a>, node: &Node<'a>, depth: usize) {
        let Some(object) = node.value.as_object() else {
            return;
        };
        if depth > MAX_ALL_OF_DEPTH {
            return;
        }
        for (key, value) in object {
            if let Some(keyword) = KEYWORDS.iter().find(|keyword| *keyword == key) {
                self.merge_keyword(keyword, Node::new(value, pointer(&node.at, key)));
            }
        }
        match node.member("additionalProperties") {
            Some(extra) if extra.value == &Value::Bool(false) => {
                self.closed.get_or_insert(extra.at);
            }
            Some(extra) if extra.value.as_object().is_some_and(|map| !map.is_empty()) => {
                self.additional.push(extra);
            }
            _ => {}
        }
        for (name, property) in node.entries("properties") {
            self.properties.entry(name).or_default().push(property);
            self.properties_at
                .get_or_insert_with(|| format!("{}/properties", node.at));
        }
        if let Some(names) = node.value.get("required").and_then(Value::as_array) {
            for name in names.iter().filter_map(Value::as_str) {
                self.required
                    .entry(name)
                    .or_insert_with(|| format!("{}/required", node.at));
            }
        }
        self.items.extend(node.member("items"));
        if self.discriminator.is_none() {
            self.discriminator = node.member("discriminator");
        }
        if self.alternatives.is_none() {
            for keyword in ["oneOf", "anyOf"] {
                if node.value.get(keyword).is_some() {
                    let at = format!("{}/{keyword}", node.at);
                    self.alternatives = Some((at, node.elements(keyword)));
                    break;
                }
            }
        }
        for member in node.elements("allOf") {
            let member = document.resolve(&member);
            self.absorb(document, &member, depth + 1);
        }
    }

    /// Keeps the first value of a keyword, except that of several bounds the strictest holds
    /// and `nullable` anywhere makes the value nullable.
    fn merge_keyword(&mut self, keyword: &'static str, value: Node<'a>) {
        let Some(kept) = self.keywords.get(keyword) else {
            self.keywords.insert(keyword, value);
            return;
        };
        let stricter = match (kept.value.as_f64(), value.value.as_f64()) {
            (Some(kept), Some(new)) if UPPER_BOUNDS.contains(&keyword) => new < kept,
            (Some(kept), Some(new)) if LOWER_BOUNDS.iter().any(|(name, _)| *name == keyword) => {
                new > kept
            }
            _ => keyword == "nullable" && value.value == &Value::Bool(true),
        };
        if stricter {
            self.keywords.insert(keyword, value);
        }
    }

    /// The JSON type, `object` or `array` when only the structure says so, `None` for any.
    pub(super) fn kind(&self) -> Option<&'a str> {
        if let Some(kind) = self
            .keywords
            .get("type")
            .and_then(|node| node.value.as_str())
        {
            return Some(kind);
        }
        if self.alternatives.is_some() {
            None
        } else if !self.properties.is_empty()
            || !self.required.is_empty()
            || !self.additional.is_empty()
            || self.closed.is_some()
        {
            Some("object")
        } else if !self.items.is_empty() {
            Some("array")
        } else {
            None
        }
    }

    pub(super) fn flag(&self, keyword: &str) -> bool {
        self.keywords
            .get(keyword)
            .and_then(|node| node.value.as_bool())
            .unwrap_or(false)
    }

    pub(super) fn value(&self, keyword: &str) -> Option<&'a Value> {
        self.keywords.get(keyword).map(|node| node.value)
    }

    /// Where `keyword` is written, or the schema itself when it is not.
    pub(super) fn at(&self, keyword: &str) -> String {
        self.keywords
            .get(keyword)
            .map_or_else(|| self.at.clone(), |node| node.at.clone())
    }

    pub(super) fn label(&self) -> String {
        match (self.name, self.kind()) {
            (Some(name), _) => format!("`{name}`"),
            (None, Some(kind)) => format!("`{kind}`"),
            (None, None) => "any value".into(),
        }
    }
}

/// What `additionalProperties` allows.
pub(super) enum Extra<'s, 'a> {
    Any,
    Closed,
    Schema(&'s [Node<'a>]),
}

impl<'s, 'a> Extra<'s, 'a> {
    pub(super) fn of(shape: &'s Shape<'a>) -> Self {
        if shape.closed.is_some() {
            Extra::Closed
        } else if shape.additional.is_empty() {
            Extra::Any
        } else {
            Extra::Schema(&shape.additional)
        }
    }
}

/// The alternatives of `shape`: its `oneOf`/`anyOf` members, or itself without `nullable`
/// (which the caller has compared already).
pub(super) fn options<'a>(document: &Document<'a>, shape: &Shape<'a>) -> Vec<Shape<'a>> {
    match &shape.alternatives {
        Some((_, members)) => members
            .iter()
            .map(|member| Shape::build(document, std::slice::from_ref(member)))
            .collect(),
        None => {
            let mut alone = shape.clone();
            alone.keywords.remove("nullable");
            alone.key = format!("{} alone", shape.key).into();
            vec![alone]
        }
    }
}
