//! Requests addressed with what the run knows: path values and query values are the ids of
//! resources the run created (its hints), or values generated from the parameter's schema.

use serde_json::{Value, json};

use super::context::Run;
use crate::contract::Operation;
use crate::transport::encode;
use crate::values::Hints;

/// Fills the path template of `operation` from `hints`, with placeholders for the rest.
pub fn fill_path(run: &Run, operation: &Operation, hints: &Hints) -> String {
    let mut path = operation.path.clone();
    for parameter in operation.parameters_in("path") {
        let value = match hints.get(&parameter.name) {
            Some(value) => value.clone(),
            None => placeholder(run, &parameter.schema),
        };
        let text = match value {
            Value::String(text) => text,
            other => other.to_string(),
        };
        path = path.replace(&format!("{{{}}}", parameter.name), &encode(&text));
    }
    path
}

/// A value for a path parameter the run has nothing for: a constrained schema gets a valid
/// value (an ObjectId, an enum member), a free string a recognisable one.
fn placeholder(run: &Run, schema: &Value) -> Value {
    let resolved = run.spec.resolve(schema);
    if resolved.get("pattern").is_some()
        || resolved.get("enum").is_some()
        || resolved.get("type") != Some(&json!("string"))
    {
        return run
            .generator
            .value(&run.spec, &run.schemas, schema, None, &Hints::new());
    }
    json!(format!("{}missing", run.generator.prefix()))
}

/// Query values for `operation`: required parameters and those with a default.
pub fn fill_query(run: &Run, operation: &Operation, hints: &Hints) -> Vec<(String, String)> {
    operation
        .parameters_in("query")
        .filter(|parameter| {
            parameter.required || run.spec.resolve(&parameter.schema).get("default").is_some()
        })
        .map(|parameter| {
            let value = run.generator.value(
                &run.spec,
                &run.schemas,
                &parameter.schema,
                Some(&parameter.name),
                hints,
            );
            let text = match value {
                Value::String(text) => text,
                Value::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| item.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            (parameter.name.clone(), text)
        })
        .collect()
}
