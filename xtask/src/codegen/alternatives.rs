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
//! declare alike (descriptions aside) keeps its schema; string enums are joined; of two objects
//! with the same properties (a workflow update's step template, whose `type` one member
//! requires and the other does not) the one that requires less is kept; any other
//! disagreement gives a property of any value.
//! Only the generated types see the copy: the server still validates against the document as
//! written, alternative by alternative.

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
                Some(known) => joined(known, property, components),
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
fn joined(known: &Value, other: &Value, components: &Value) -> Value {
    if known == other || without_annotations(known) == without_annotations(other) {
        return known.clone();
    }
    if let (Some(known_properties), Some(other_properties)) = (
        plain_object(known, components),
        plain_object(other, components),
    ) {
        // The same properties, one member requiring fewer: that one reads what both send.
        let alike = known_properties.len() == other_properties.len()
            && known_properties.iter().all(|(name, property)| {
                other_properties.get(name).map(without_annotations)
                    == Some(without_annotations(property))
            });
        if alike {
            let laxer = required_of(other, components).len() < required_of(known, components).len();
            return if laxer { other.clone() } else { known.clone() };
        }
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

/// The properties `schema` (a `$ref` to a component is followed once) requires.
fn required_of(schema: &Value, components: &Value) -> Vec<Value> {
    let target = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| components.get(name))
            .unwrap_or(&Value::Null),
        None => schema,
    };
    target["required"].as_array().cloned().unwrap_or_default()
}

/// `schema` without the keywords that only describe it.
fn without_annotations(schema: &Value) -> Value {
    match schema {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .filter(|(key, _)| !matches!(key.as_str(), "description" | "example" | "title"))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ),
        other => other.clone(),
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
    fn of_two_alike_objects_the_laxer_is_kept_and_descriptions_do_not_disagree() {
        let merged = merged(&document(json!({
            "Strict": {"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "enum": ["email"]},
                "subject": {"type": "string", "description": "the subject"},
            }},
            "Lax": {"type": "object", "properties": {
                "type": {"type": "string", "enum": ["email"]},
                "subject": {"type": "string"},
            }},
            "New": {"type": "object", "properties": {
                "active": {"type": "boolean", "description": "whether it runs"},
                "template": {"$ref": "#/components/schemas/Strict"},
            }},
            "Existing": {"type": "object", "properties": {
                "active": {"type": "boolean"},
                "template": {"$ref": "#/components/schemas/Lax"},
            }},
            "Step": {"anyOf": [
                {"$ref": "#/components/schemas/New"},
                {"$ref": "#/components/schemas/Existing"},
            ]},
        })));
        let step = schema(&merged, "Step");
        assert_eq!(
            step["properties"]["active"],
            json!({"type": "boolean", "description": "whether it runs"})
        );
        assert_eq!(
            step["properties"]["template"],
            json!({"$ref": "#/components/schemas/Lax"}),
            "the member that requires less"
        );
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
