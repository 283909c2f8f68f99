//! OpenAPI 3.0 schemas converted to JSON Schema (draft 4, which OpenAPI 3.0 extends), so that a
//! real validator can check instances: `nullable` becomes a `null` type, OpenAPI-only keywords
//! are dropped, and `x-validation` (what the API's messages say beyond the schema, read by the
//! server runtime) is kept.

use serde_json::{Map, Value, json};

use super::ir::{Operation, Param, VALIDATION};

/// Keywords that hold one schema.
const SCHEMA_KEYWORDS: [&str; 3] = ["items", "additionalProperties", "not"];
/// Keywords that hold a list of schemas.
const SCHEMA_LIST_KEYWORDS: [&str; 3] = ["allOf", "oneOf", "anyOf"];
/// OpenAPI keywords with no JSON Schema meaning.
const DROPPED: [&str; 7] = [
    "nullable",
    "discriminator",
    "example",
    "xml",
    "externalDocs",
    "deprecated",
    "description",
];

/// Converts one OpenAPI schema.
pub fn convert(schema: &Value) -> Value {
    let Value::Object(object) = schema else {
        return schema.clone();
    };
    let mut converted = Map::new();
    for (key, value) in object {
        if DROPPED.contains(&key.as_str()) || (key.starts_with("x-") && key != VALIDATION) {
            continue;
        }
        let value = if key == "properties" {
            match value {
                Value::Object(properties) => Value::Object(
                    properties
                        .iter()
                        .map(|(name, schema)| (name.clone(), convert(schema)))
                        .collect(),
                ),
                other => other.clone(),
            }
        } else if SCHEMA_KEYWORDS.contains(&key.as_str()) {
            convert(value)
        } else if SCHEMA_LIST_KEYWORDS.contains(&key.as_str()) {
            match value {
                Value::Array(schemas) => Value::Array(schemas.iter().map(convert).collect()),
                other => other.clone(),
            }
        } else {
            value.clone()
        };
        converted.insert(key.clone(), value);
    }
    if object.get("nullable") == Some(&Value::Bool(true)) {
        return make_nullable(converted);
    }
    Value::Object(converted)
}

fn make_nullable(mut schema: Map<String, Value>) -> Value {
    match schema.get("type").cloned() {
        Some(Value::String(kind)) if !schema.contains_key("$ref") => {
            schema.insert("type".into(), json!([kind, "null"]));
            if let Some(Value::Array(values)) = schema.get_mut("enum") {
                values.push(Value::Null);
            }
            Value::Object(schema)
        }
        _ => json!({ "anyOf": [Value::Object(schema), { "type": "null" }] }),
    }
}

/// The document the generated server validates against: every component schema converted,
/// and for every operation one object schema of its path and query parameters.
pub fn document(components: &Value, operations: &[Operation]) -> Value {
    let schemas: Map<String, Value> = components
        .as_object()
        .map(|schemas| {
            schemas
                .iter()
                .map(|(name, schema)| (name.clone(), convert(schema)))
                .collect()
        })
        .unwrap_or_default();
    let mut per_operation = Map::new();
    for operation in operations {
        let parameters: Vec<&Param> = operation
            .path_params
            .iter()
            .chain(&operation.query_params)
            .collect();
        let properties: Map<String, Value> = parameters
            .iter()
            .map(|parameter| (parameter.wire_name.clone(), convert(&parameter.schema)))
            .collect();
        let required: Vec<&str> = parameters
            .iter()
            .filter(|parameter| parameter.required)
            .map(|parameter| parameter.wire_name.as_str())
            .collect();
        let mut schema = json!({ "type": "object", "properties": properties });
        if !required.is_empty() {
            schema["required"] = json!(required);
        }
        let rules: Map<String, Value> = parameters
            .iter()
            .filter_map(|parameter| {
                let rules = parameter.validation.clone()?;
                Some((parameter.wire_name.clone(), rules))
            })
            .collect();
        if !rules.is_empty() {
            schema[VALIDATION] = Value::Object(rules);
        }
        per_operation.insert(operation.id.clone(), json!({ "parameters": schema }));
    }
    json!({ "components": { "schemas": schemas }, "operations": per_operation })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type() {
        assert_eq!(
            convert(&json!({"type": "string", "nullable": true})),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            convert(&json!({"type": "string", "enum": ["a"], "nullable": true})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            convert(&json!({"$ref": "#/components/schemas/X", "nullable": true})),
            json!({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})
        );
    }

    #[test]
    fn property_names_are_not_taken_for_keywords() {
        let schema = json!({"type": "object", "properties": {"example": {"type": "string", "example": "x"}}});
        assert_eq!(
            convert(&schema),
            json!({"type": "object", "properties": {"example": {"type": "string"}}})
        );
    }
}
