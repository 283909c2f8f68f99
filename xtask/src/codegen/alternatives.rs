//! `anyOf` alternatives that are all objects, as one Rust type.
//!
//! typify turns such an `anyOf` into a struct of flattened optional members. serde hands a key
//! to the first flattened member that declares it, even when that member then fails to read
//! and is left out, so a property that several members declare with different values is lost:
//! a step's `metadata` `{"type": "scheduled", "delayPath": "sendAt"}` read back without its
//! `type`, because the regular digest's `type` (`regular` or `backoff`) took the key first.
//!
//! The types are therefore generated from a copy of the document where each such `anyOf` is
//! one object holding every member's properties, none required. A property the members
//! declare alike keeps its schema; string enums are joined; any other disagreement gives a
//! property of any value. Only the generated types see the copy: the server still validates
//! against the document as written, alternative by alternative.

use serde_json::{Map, Value, json};

/// `document` with every `anyOf` whose members are all objects merged into one object.
pub fn merged(document: &openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    let mut value = serde_json::to_value(document).expect("an OpenAPI document serialises");
    let components = value["components"]["schemas"].clone();
    merge_within(&mut value, &components);
    serde_json::from_value(value).expect("merging alternatives keeps a valid OpenAPI document")
}

fn merge_within(node: &mut Value, components: &Value) {
    match node {
        Value::Object(object) => {
            if let Some(merged) = merged_alternatives(object, components) {
                object.remove("anyOf");
                object.insert("type".into(), json!("object"));
                object.insert("properties".into(), Value::Object(merged));
            }
            for child in object.values_mut() {
                merge_within(child, components);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| merge_within(item, components)),
        _ => {}
    }
}

/// The joined properties of `schema`'s `anyOf`, when every member is a plain object.
fn merged_alternatives(
    schema: &Map<String, Value>,
    components: &Value,
) -> Option<Map<String, Value>> {
    let members = schema.get("anyOf")?.as_array()?;
    let objects: Vec<&Map<String, Value>> = members
        .iter()
        .map(|member| plain_object(member, components))
        .collect::<Option<_>>()?;
    let mut merged = Map::new();
    for properties in objects {
        for (name, property) in properties {
            let joined = match merged.get(name) {
                None => property.clone(),
                Some(known) => joined(known, property),
            };
            merged.insert(name.clone(), joined);
        }
    }
    Some(merged)
}

/// The properties of `member` (a `$ref` to a component is followed once) when it is an object
/// schema with nothing but properties to merge.
fn plain_object<'a>(member: &'a Value, components: &'a Value) -> Option<&'a Map<String, Value>> {
    let schema = match member.get("$ref").and_then(Value::as_str) {
        Some(reference) => components.get(reference.strip_prefix("#/components/schemas/")?)?,
        None => member,
    };
    let object = schema.as_object()?;
    let alternatives = ["anyOf", "oneOf", "allOf"];
    if object.get("type").and_then(Value::as_str) != Some("object")
        || alternatives
            .iter()
            .any(|keyword| object.contains_key(*keyword))
    {
        return None;
    }
    object.get("properties")?.as_object()
}

/// One schema for a property two members declare.
fn joined(known: &Value, other: &Value) -> Value {
    if known == other {
        return known.clone();
    }
    let enumeration = |schema: &Value| {
        (schema.get("type").and_then(Value::as_str) == Some("string"))
            .then(|| schema.get("enum").and_then(Value::as_array).cloned())
            .flatten()
    };
    match (enumeration(known), enumeration(other)) {
        (Some(mut values), Some(more)) => {
            for value in more {
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            let mut schema = known.clone();
            schema["enum"] = Value::Array(values);
            schema
        }
        _ => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(schemas: Value) -> openapiv3::OpenAPI {
        serde_json::from_value(json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas},
        }))
        .unwrap()
    }

    fn schema(document: &openapiv3::OpenAPI, name: &str) -> Value {
        serde_json::to_value(&document.components.as_ref().unwrap().schemas[name]).unwrap()
    }

    #[test]
    fn object_alternatives_become_one_object_with_every_property() {
        let merged = merged(&document(json!({
            "Regular": {"type": "object", "properties": {
                "type": {"type": "string", "enum": ["regular", "backoff"]},
                "amount": {"type": "number"},
            }},
            "Scheduled": {"type": "object", "properties": {
                "type": {"type": "string", "enum": ["scheduled", "regular"]},
                "delayPath": {"type": "string"},
                "amount": {"type": "integer"},
            }},
            "Step": {"type": "object", "properties": {"metadata": {
                "description": "timing",
                "anyOf": [
                    {"$ref": "#/components/schemas/Regular"},
                    {"$ref": "#/components/schemas/Scheduled"},
                ],
            }}},
        })));
        let metadata = &schema(&merged, "Step")["properties"]["metadata"];
        assert_eq!(metadata["type"], "object");
        assert_eq!(metadata["description"], "timing");
        assert!(metadata.get("anyOf").is_none());
        assert_eq!(
            metadata["properties"]["type"]["enum"],
            json!(["regular", "backoff", "scheduled"])
        );
        assert_eq!(
            metadata["properties"]["delayPath"],
            json!({"type": "string"})
        );
        assert_eq!(metadata["properties"]["amount"], json!({}));
    }

    #[test]
    fn alternatives_that_are_not_all_objects_stay() {
        let written = json!({
            "Action": {"type": "object", "properties": {"status": {"type": "string"}}},
            "OrEmpty": {"anyOf": [
                {"$ref": "#/components/schemas/Action"},
                {"type": "string", "maxLength": 0},
            ]},
        });
        let merged = merged(&document(written.clone()));
        assert_eq!(schema(&merged, "OrEmpty"), written["OrEmpty"]);
    }
}
