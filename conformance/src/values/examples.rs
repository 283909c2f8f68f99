//! A small deterministic generator: one valid value for a schema, as simple as the schema
//! allows (required properties only, the first `enum` value, minimal numbers and lengths).
//!
//! Strings without a format get a run-scoped prefix (`nc-<seed>-<n>`) so that everything the
//! run creates can be recognised, and two runs against one server do not collide.

use std::collections::HashMap;

use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{Map, Value, json};

use crate::contract::{SchemaSet, Spec};

/// Values the run already knows, used in place of generated ones for body properties and
/// parameters of the same name (ids of resources created earlier in the run).
pub type Hints = HashMap<String, Value>;

/// The generator of one run.
#[derive(Debug)]
pub struct Generator {
    prefix: String,
    counter: AtomicU32,
}

struct Context<'a> {
    spec: &'a Spec,
    schemas: &'a SchemaSet,
    hints: &'a Hints,
}

/// An ObjectId that no server has issued, for path parameters the run has nothing for.
pub const PLACEHOLDER_OBJECT_ID: &str = "000000000000000000000000";

const MAX_DEPTH: usize = 12;

impl Generator {
    /// A generator whose strings start with `prefix`.
    pub fn new(prefix: &str) -> Generator {
        Generator {
            prefix: prefix.to_owned(),
            counter: AtomicU32::new(0),
        }
    }

    /// The run-scoped prefix of generated strings.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// One value valid for OpenAPI `schema`; `name` is the property or parameter name, looked
    /// up in `hints` first.
    pub fn value(
        &self,
        spec: &Spec,
        schemas: &SchemaSet,
        schema: &Value,
        name: Option<&str>,
        hints: &Hints,
    ) -> Value {
        let context = Context {
            spec,
            schemas,
            hints,
        };
        self.generate(&context, schema, name, 0)
    }

    fn unique(&self) -> String {
        let next = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}{next}", self.prefix)
    }

    fn generate(
        &self,
        context: &Context<'_>,
        schema: &Value,
        name: Option<&str>,
        depth: usize,
    ) -> Value {
        // A known value is used only where it fits: `subscribers` may be a list of ids or of
        // subscriber objects, depending on the operation.
        if let Some(hint) = name.and_then(|name| context.hints.get(name))
            && context.schemas.check(schema, hint).is_ok()
        {
            return hint.clone();
        }
        let schema = context.spec.resolve(schema);
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|values| values.first())
        {
            return first.clone();
        }
        if let Some(default) = schema.get("default") {
            return default.clone();
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in parts {
                match self.generate(context, part, name, depth + 1) {
                    Value::Object(fields) => merged.extend(fields),
                    other => return other,
                }
            }
            return Value::Object(merged);
        }
        for composition in ["oneOf", "anyOf"] {
            if let Some(first) = schema
                .get(composition)
                .and_then(Value::as_array)
                .and_then(|alternatives| alternatives.first())
            {
                return self.generate(context, first, name, depth + 1);
            }
        }
        let kind = schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_else(|| {
                if schema.get("properties").is_some() {
                    "object"
                } else {
                    "string"
                }
            });
        match kind {
            "object" => {
                let mut object = Map::new();
                let required = schema.get("required").and_then(Value::as_array);
                for field in required.into_iter().flatten().filter_map(Value::as_str) {
                    let property = schema
                        .pointer(&format!("/properties/{}", escape_pointer(field)))
                        .cloned()
                        .unwrap_or(json!({}));
                    object.insert(
                        field.to_owned(),
                        self.generate(context, &property, Some(field), depth + 1),
                    );
                }
                Value::Object(object)
            }
            "array" => {
                let count = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                let items = schema.get("items").cloned().unwrap_or(json!({}));
                Value::Array(
                    (0..count)
                        .map(|_| self.generate(context, &items, None, depth + 1))
                        .collect(),
                )
            }
            "integer" | "number" => {
                let minimum = schema.get("minimum").and_then(Value::as_i64);
                let maximum = schema.get("maximum").and_then(Value::as_i64);
                let exclusive =
                    schema.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
                let mut number = match (minimum, maximum) {
                    (Some(minimum), _) => minimum + i64::from(exclusive),
                    (None, Some(maximum)) => maximum.min(0),
                    (None, None) => 0,
                };
                if let Some(example) = schema.get("example").and_then(Value::as_i64)
                    && minimum.is_none_or(|minimum| example >= minimum)
                    && maximum.is_none_or(|maximum| example <= maximum)
                {
                    number = example;
                }
                json!(number)
            }
            "boolean" => json!(false),
            _ => Value::String(self.string(schema)),
        }
    }

    fn string(&self, schema: &Value) -> String {
        if let Some(example) = schema.get("example").and_then(Value::as_str)
            && schema.get("format").is_some()
        {
            return example.to_owned();
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("email") => return format!("{}@example.com", self.unique()),
            Some("date-time") => return "2024-01-01T00:00:00.000Z".into(),
            Some("date") => return "2024-01-01".into(),
            Some("uri") | Some("url") => return format!("https://example.com/{}", self.unique()),
            Some("uuid") => return "00000000-0000-4000-8000-000000000000".into(),
            _ => {}
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            if pattern.contains("{24}") {
                return PLACEHOLDER_OBJECT_ID.into();
            }
            if pattern.contains("[0-9a-fA-F]{6}") {
                return "#000000".into();
            }
        }
        let minimum = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let maximum = schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|max| max as usize);
        let mut text = self.unique();
        while text.len() < minimum {
            text.push('x');
        }
        if let Some(maximum) = maximum {
            text.truncate(maximum.max(minimum));
        }
        text
    }
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::SchemaSet;

    #[test]
    fn every_request_body_generates_a_valid_value() {
        let spec = Spec::embedded().unwrap();
        let schemas = SchemaSet::new(&spec).unwrap();
        let generator = Generator::new("nc-1-");
        for operation in &spec.operations {
            if let Some(body) = &operation.request_body {
                let value = generator.value(&spec, &schemas, &body.schema, None, &Hints::new());
                let verdict = schemas.check(&body.schema, &value);
                assert!(
                    verdict.is_ok(),
                    "{}: {value} {verdict:?}",
                    operation.operation_id
                );
            }
        }
    }
}
