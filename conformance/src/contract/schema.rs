//! OpenAPI 3.0 schemas lowered to JSON Schema draft 4, and the validators built from them.
//!
//! OpenAPI 3.0's schema dialect is draft 4 plus a few keywords of its own; `nullable` is the
//! only one that changes what validates, so it becomes a `"null"` type. The components are
//! registered once as one document, and every `$ref` points into it.

use std::collections::HashMap;
use std::sync::Mutex;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Map, Value, json};

use super::spec::Spec;
use crate::error::{Error, Result};

/// The URI under which the converted `components/schemas` are registered.
const COMPONENTS_URI: &str = "urn:novu-conformance:components";

/// Keywords that exist only in OpenAPI and mean nothing (or something else) to draft 4.
const OPENAPI_ONLY: [&str; 9] = [
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
    "description",
];

/// Converts one OpenAPI schema to draft 4, rewriting `#/components/schemas/X` references to
/// the registered components document.
pub fn to_draft4(schema: &Value) -> Value {
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in object {
        if OPENAPI_ONLY.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let converted = match key.as_str() {
            "$ref" => match value.as_str() {
                Some(reference) => {
                    Value::String(match reference.strip_prefix("#/components/schemas/") {
                        Some(name) => format!("{COMPONENTS_URI}#/definitions/{name}"),
                        None => reference.to_owned(),
                    })
                }
                None => value.clone(),
            },
            "properties" | "patternProperties" | "definitions" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, schema)| (name.clone(), to_draft4(schema)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" if value.is_object() => to_draft4(value),
            "allOf" | "oneOf" | "anyOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(to_draft4)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    if object.get("nullable").and_then(Value::as_bool) == Some(true) {
        return allow_null(out);
    }
    Value::Object(out)
}

fn allow_null(mut out: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match out.get("type").cloned() {
        Some(Value::String(single)) if !out.contains_key("$ref") => {
            out.insert("type".into(), json!([single, "null"]));
            Value::Object(out)
        }
        Some(Value::Array(mut types)) if !out.contains_key("$ref") => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            out.insert("type".into(), Value::Array(types));
            Value::Object(out)
        }
        _ => json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
    }
}

/// Validators for the schemas of one contract, compiled on first use and kept.
pub struct SchemaSet {
    registry: Registry<'static>,
    cache: Mutex<HashMap<String, std::sync::Arc<Validator>>>,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SchemaSet").finish_non_exhaustive()
    }
}

impl SchemaSet {
    /// Registers the converted components of `spec`.
    pub fn new(spec: &Spec) -> Result<SchemaSet> {
        let definitions: Map<String, Value> = spec
            .component_schemas()
            .iter()
            .map(|(name, schema)| (name.clone(), to_draft4(schema)))
            .collect();
        let document = json!({
            "$schema": "http://json-schema.org/draft-04/schema#",
            "definitions": definitions,
        });
        let registry = Registry::new()
            .draft(Draft::Draft4)
            .add(COMPONENTS_URI, document)
            .and_then(|builder| builder.prepare())
            .map_err(|error| Error::Spec {
                name: "components/schemas".into(),
                message: format!("the schemas cannot be registered: {error}"),
            })?;
        Ok(SchemaSet {
            registry,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The validator of OpenAPI `schema`.
    pub fn validator(&self, schema: &Value) -> Result<std::sync::Arc<Validator>> {
        let key = schema.to_string();
        if let Some(found) = self.cache.lock().expect("schema cache poisoned").get(&key) {
            return Ok(found.clone());
        }
        let converted = to_draft4(schema);
        let validator = jsonschema::options()
            .with_draft(Draft::Draft4)
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .build(&converted)
            .map_err(|error| Error::Spec {
                name: key.clone(),
                message: format!("the schema does not compile: {error}"),
            })?;
        let validator = std::sync::Arc::new(validator);
        self.cache
            .lock()
            .expect("schema cache poisoned")
            .insert(key, validator.clone());
        Ok(validator)
    }

    /// Validates `instance` against OpenAPI `schema`; `Err` lists up to five problems, each
    /// with the JSON pointer of the offending value.
    pub fn check(&self, schema: &Value, instance: &Value) -> std::result::Result<(), String> {
        let validator = self.validator(schema).map_err(|error| error.to_string())?;
        let problems: Vec<String> = validator
            .iter_errors(instance)
            .take(5)
            .map(|error| {
                let path = error.instance_path().to_string();
                let path = if path.is_empty() {
                    "/".to_owned()
                } else {
                    path
                };
                format!("at {path}: {error}")
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_adds_null_to_the_type() {
        let converted = to_draft4(&json!({"type": "string", "nullable": true, "example": "x"}));
        assert_eq!(converted, json!({"type": ["string", "null"]}));
    }

    #[test]
    fn nullable_reference_becomes_any_of() {
        let converted = to_draft4(&json!({"$ref": "#/components/schemas/A", "nullable": true}));
        assert_eq!(
            converted,
            json!({"anyOf": [{"$ref": "urn:novu-conformance:components#/definitions/A"}, {"type": "null"}]})
        );
    }

    #[test]
    fn embedded_schemas_validate() {
        let spec = Spec::embedded().unwrap();
        let schemas = SchemaSet::new(&spec).unwrap();
        let error = json!({"$ref": "#/components/schemas/ErrorResponse"});
        let good = json!({"statusCode": 401, "timestamp": "2024-10-24T09:30:00.000Z", "path": "/v1", "message": "x"});
        assert!(schemas.check(&error, &good).is_ok());
        let bad = json!({"statusCode": 401, "timestamp": "yesterday", "path": "/v1"});
        let problems = schemas.check(&error, &bad).unwrap_err();
        assert!(problems.contains("message"), "{problems}");
        assert!(problems.contains("timestamp"), "{problems}");
    }
}
