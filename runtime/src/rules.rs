//! What a schema document says of one property's validation beyond JSON Schema: the spec's
//! `x-validation` map on an object schema (how the API checks a property's presence, and the
//! field of its use-case command that checks its `pattern`), and the numeric bounds a value
//! that is no number also breaks.
//!
//! The API validates with class-validator, first the request's own class and then the class of
//! the use case's command, which may name a property otherwise; class-validator runs every
//! decorator of a property on any value. A schema records none of it, so the generator carries
//! it here from the spec.

use serde_json::Value;

/// How the API checks that a required property is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Presence {
    /// `should not be null or undefined`, followed by what the property's other rules say of
    /// a missing value (class-validator's `IsDefined` beside the type decorator).
    #[default]
    Defined,
    /// `should not be empty`, for a missing value and an empty string alike, followed by what
    /// the other rules say of a missing value (`IsNotEmpty`).
    NotEmpty,
    /// `should not be null or undefined` alone: the API checks presence and nothing else.
    DefinedOnly,
    /// The request's class lets a missing property through and the use case's command refuses
    /// it: the messages of [`Presence::Defined`], naming the command's field, once the request
    /// passed every other rule.
    Command,
}

/// The rules of one property beyond its schema.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PropertyRules {
    /// The property's field in the API's use-case command, which checks the property's
    /// `pattern` once the request passed every other rule, and names it so.
    pub command_name: Option<String>,
    /// How presence is checked.
    pub presence: Presence,
    /// The property's `minimum` and `maximum`, which a value that is no number breaks too.
    pub minimum: Option<Value>,
    pub maximum: Option<Value>,
}

impl PropertyRules {
    /// The rules of the property at instance `path` below the schema at `pointer` in
    /// `document` (an empty path has none).
    pub(crate) fn at(document: &Value, pointer: &str, path: &[String]) -> PropertyRules {
        let Some((property, parents)) = path.split_last() else {
            return PropertyRules::default();
        };
        let Some(parent) = document
            .pointer(pointer)
            .and_then(|root| walk(document, root, parents))
        else {
            return PropertyRules::default();
        };
        let declared = &parent["x-validation"][property.as_str()];
        let property_schema = parent["properties"]
            .get(property.as_str())
            .and_then(|schema| resolve(document, schema));
        let bound = |keyword: &str| {
            property_schema
                .and_then(|schema| schema.get(keyword))
                .filter(|value| value.is_number())
                .cloned()
        };
        PropertyRules {
            command_name: declared["commandName"].as_str().map(str::to_owned),
            presence: match declared["presence"].as_str() {
                Some("not-empty") => Presence::NotEmpty,
                Some("defined-only") => Presence::DefinedOnly,
                Some("command") => Presence::Command,
                _ => Presence::Defined,
            },
            minimum: bound("minimum"),
            maximum: bound("maximum"),
        }
    }

    /// The command's field: `commandName`, or the property's own name.
    fn command_field<'a>(&'a self, path: &'a [String]) -> &'a str {
        self.command_name
            .as_deref()
            .or_else(|| path.last().map(String::as_str))
            .unwrap_or_default()
    }

    /// `messages` about the property at `path`, as the use case's command words them: the
    /// command validates a flat object, so each names the command's field alone.
    pub(crate) fn as_command(&self, path: &[String], messages: Vec<String>) -> Vec<String> {
        let wire = path.join(".");
        let field = self.command_field(path);
        messages
            .into_iter()
            .map(|message| match message.strip_prefix(wire.as_str()) {
                Some(rule) => format!("{field}{rule}"),
                None => message,
            })
            .collect()
    }
}

/// `value` without the `null`s of optional properties whose schema does not admit `null`,
/// at any depth below `schema`.
pub(crate) fn without_ignored_nulls(document: &Value, schema: &Value, value: Value) -> Value {
    let Some(node) = resolve(document, schema) else {
        return value;
    };
    match value {
        Value::Object(members) => {
            let required = node["required"].as_array();
            let is_required =
                |name: &str| required.is_some_and(|required| required.iter().any(|n| n == name));
            members
                .into_iter()
                .filter_map(|(name, member)| {
                    let member_schema = node["properties"].get(name.as_str()).or_else(|| {
                        node.get("additionalProperties")
                            .filter(|value| value.is_object())
                    });
                    let Some(member_schema) = member_schema else {
                        return Some((name, member));
                    };
                    if member.is_null()
                        && !is_required(&name)
                        && !admits_null(document, member_schema)
                    {
                        return None;
                    }
                    let member = without_ignored_nulls(document, member_schema, member);
                    Some((name, member))
                })
                .collect()
        }
        Value::Array(items) => match node.get("items") {
            Some(items_schema) => Value::Array(
                items
                    .into_iter()
                    .map(|item| without_ignored_nulls(document, items_schema, item))
                    .collect(),
            ),
            None => Value::Array(items),
        },
        other => other,
    }
}

/// Whether `schema` admits `null` (a `null` type, or an alternative that is one), or has no
/// type to refuse it with.
fn admits_null(document: &Value, schema: &Value) -> bool {
    let mut node = schema;
    for _ in 0..64 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => match reference
                .strip_prefix('#')
                .and_then(|pointer| document.pointer(pointer))
            {
                Some(target) => node = target,
                None => return true,
            },
            None => break,
        }
    }
    let is_null = |kind: &Value| kind == "null";
    match &node["type"] {
        Value::String(kind) => kind == "null",
        Value::Array(kinds) => kinds.iter().any(is_null),
        _ => ["anyOf", "oneOf"]
            .iter()
            .filter_map(|keyword| node[*keyword].as_array())
            .all(|alternatives| {
                alternatives
                    .iter()
                    .any(|alternative| admits_null(document, alternative))
            }),
    }
}

/// The schema of the value at `path` below `schema`, through `$ref`s, nullable wrappers,
/// `properties`, `items` and `additionalProperties`.
fn walk<'a>(document: &'a Value, schema: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut node = resolve(document, schema)?;
    for segment in path {
        let next = node["properties"]
            .get(segment.as_str())
            .or_else(|| {
                node.get("items")
                    .filter(|_| segment.parse::<usize>().is_ok())
            })
            .or_else(|| {
                node.get("additionalProperties")
                    .filter(|value| value.is_object())
            })?;
        node = resolve(document, next)?;
    }
    Some(node)
}

/// `schema` with its `$ref`s followed, and of a nullable wrapper (`anyOf` of a schema and
/// `null`) the schema.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let mut node = schema;
    // A document's references cannot be deeper than its schemas; the bound only guards a
    // reference cycle.
    for _ in 0..64 {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            node = document.pointer(reference.strip_prefix('#')?)?;
        } else if let Some(alternatives) = node.get("anyOf").and_then(Value::as_array)
            && node.get("properties").is_none()
            && let Some(first) = alternatives
                .iter()
                .find(|alternative| alternative.get("type") != Some(&Value::from("null")))
        {
            node = first;
        } else {
            return Some(node);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rules_are_read_through_references_and_nesting() {
        let document = json!({
            "components": {"schemas": {
                "Request": {
                    "type": "object",
                    "x-validation": {"tenantId": {"commandName": "_tenantId", "presence": "not-empty"}},
                    "properties": {
                        "tenantId": {"$ref": "#/components/schemas/Id"},
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
                    }
                },
                "Id": {"type": "string"},
                "Item": {
                    "type": "object",
                    "x-validation": {"note": {"presence": "defined-only"}},
                    "properties": {"count": {"type": "integer", "minimum": 0, "maximum": 9}}
                }
            }}
        });
        let path = |parts: &[&str]| {
            parts
                .iter()
                .map(|part| part.to_string())
                .collect::<Vec<_>>()
        };
        let tenant = PropertyRules::at(
            &document,
            "/components/schemas/Request",
            &path(&["tenantId"]),
        );
        assert_eq!(tenant.command_name.as_deref(), Some("_tenantId"));
        assert_eq!(tenant.presence, Presence::NotEmpty);
        assert_eq!(
            tenant.as_command(
                &path(&["tenantId"]),
                vec!["tenantId must be a mongodb id".into()]
            ),
            ["_tenantId must be a mongodb id"]
        );
        let count = path(&["items", "3", "count"]);
        let rules = PropertyRules::at(&document, "/components/schemas/Request", &count);
        assert_eq!(
            (&rules.minimum, &rules.maximum),
            (&Some(json!(0)), &Some(json!(9)))
        );
        assert_eq!(
            rules.as_command(
                &count,
                vec!["items.3.count must be an integer number".into()]
            ),
            ["count must be an integer number"],
            "the command names its own field, without the request's path"
        );
        let note = PropertyRules::at(
            &document,
            "/components/schemas/Request",
            &path(&["items", "0", "note"]),
        );
        assert_eq!(note.presence, Presence::DefinedOnly);
        assert_eq!(
            PropertyRules::at(&document, "/components/schemas/Request", &path(&["other"])),
            PropertyRules::default()
        );
    }
}
