//! The lint of object properties: the `x-validation` rules the server runtime reads, the
//! `x-rust-name` that keeps two properties apart in Rust, and the null convention of request
//! bodies (see `spec/README.md`).
//!
//! The null convention: the API validates with class-validator, whose `IsOptional` skips every
//! rule of an optional property that is absent or `null`, so the server reads a `null` there as
//! if the property were left out. `nullable: true` says that the server gives `null` a meaning
//! of its own (clearing a value, "none"); such a property must say what its `null` does, and a
//! property that is not `nullable` must not claim one.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::ir::VALIDATION;
use super::naming;
use super::problem::Problem;
use super::types::RUST_NAME;
use crate::spec::escape;

/// The keys of one property's `x-validation` rules.
const RULE_KEYS: [&str; 2] = ["presence", "commandName"];
/// The values of `presence`.
const PRESENCES: [&str; 4] = ["defined", "not-empty", "defined-only", "command"];
/// How a description names the JSON `null`.
const NULL: &str = "`null`";

/// Every problem of the properties of `raw`'s component schemas and parameters.
pub fn check(raw: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    let in_requests = request_schemas(raw);
    let Some(schemas) = raw
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return problems;
    };
    for (name, schema) in schemas {
        let pointer = format!("/components/schemas/{}", escape(name));
        check_rules(schema, &pointer, &mut problems);
        check_field_names(schema, &pointer, &mut problems);
        if in_requests.contains(name) {
            check_nulls(schema, &pointer, &mut problems);
        }
    }
    check_parameter_rules(raw, &mut problems);
    problems
}

/// `x-validation` on an object schema: a map from its own properties to rules, `presence`
/// only for a required property, `commandName` only for one with a `pattern` to check.
fn check_rules(schema: &Value, pointer: &str, problems: &mut Vec<Problem>) {
    let Some(rules) = schema.get(VALIDATION) else {
        return;
    };
    let here = format!("{pointer}/{VALIDATION}");
    let Some(rules) = rules.as_object() else {
        problems.push(Problem::new(
            here,
            format!("`{VALIDATION}` must map property names to their rules"),
        ));
        return;
    };
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (property, rule) in rules {
        let at = format!("{here}/{}", escape(property));
        if schema["properties"].get(property).is_none() {
            problems.push(Problem::new(
                &at,
                format!(
                    "`{property}` is not a property of this schema: name one of its properties"
                ),
            ));
            continue;
        }
        check_rule(rule, &at, required.contains(property.as_str()), problems);
    }
}

/// One property's (or parameter's) rules.
fn check_rule(rule: &Value, at: &str, required: bool, problems: &mut Vec<Problem>) {
    let Some(rule) = rule.as_object() else {
        problems.push(Problem::new(
            at,
            format!("the rules must be a map with {}", RULE_KEYS.join(" or ")),
        ));
        return;
    };
    for (key, value) in rule {
        match key.as_str() {
            "presence" => {
                if !value
                    .as_str()
                    .is_some_and(|value| PRESENCES.contains(&value))
                {
                    problems.push(Problem::new(
                        format!("{at}/presence"),
                        format!("`presence` must be one of {}", PRESENCES.join(", ")),
                    ));
                } else if !required {
                    problems.push(Problem::new(
                        format!("{at}/presence"),
                        "`presence` is for a required property: list it in `required` or drop the rule",
                    ));
                }
            }
            "commandName" => {
                if !value.as_str().is_some_and(is_field_name) {
                    problems.push(Problem::new(
                        format!("{at}/commandName"),
                        "`commandName` must be the command's field name, such as `_tenantId`",
                    ));
                }
            }
            other => problems.push(Problem::new(
                format!("{at}/{}", escape(other)),
                format!(
                    "unknown rule `{other}`: the rules are {}",
                    RULE_KEYS.join(" and ")
                ),
            )),
        }
    }
}

/// A parameter's `x-validation` holds its own rules (it is not a map of properties).
fn check_parameter_rules(raw: &Value, problems: &mut Vec<Problem>) {
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let parameters = operation["parameters"].as_array().into_iter().flatten();
            for (index, parameter) in parameters.enumerate() {
                let Some(rule) = parameter.get(VALIDATION) else {
                    continue;
                };
                let at = format!(
                    "/paths/{}/{method}/parameters/{index}/{VALIDATION}",
                    escape(path)
                );
                let required = parameter["required"] == true || parameter["in"] == "path";
                check_rule(rule, &at, required, problems);
            }
        }
    }
}

/// Two properties of one object must not become one Rust field (`_id` and `id` both give
/// `id`): one of them says its own with `x-rust-name`.
fn check_field_names(schema: &Value, pointer: &str, problems: &mut Vec<Problem>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let mut fields: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (wire, property) in properties {
        let field = match property.get(RUST_NAME) {
            None => naming::field_name(wire),
            Some(Value::String(name))
                if is_field_name(name) && *name == naming::field_name(name) =>
            {
                name.clone()
            }
            Some(_) => {
                problems.push(Problem::new(
                    format!("{pointer}/properties/{}/{RUST_NAME}", escape(wire)),
                    format!("`{RUST_NAME}` must be a snake_case Rust field name"),
                ));
                continue;
            }
        };
        fields.entry(field).or_default().push(wire);
    }
    for (field, wires) in fields.into_iter().filter(|(_, wires)| wires.len() > 1) {
        let listed: Vec<String> = wires.iter().map(|wire| format!("`{wire}`")).collect();
        problems.push(Problem::new(
            format!("{pointer}/properties"),
            format!(
                "properties {} all become the Rust field `{field}`: give one of them `{RUST_NAME}: <field>`",
                listed.join(" and ")
            ),
        ));
    }
}

/// The null convention on the properties of a schema a request body reaches.
fn check_nulls(schema: &Value, pointer: &str, problems: &mut Vec<Problem>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (wire, property) in properties {
        let at = format!("{pointer}/properties/{}", escape(wire));
        let nullable = property["nullable"] == true;
        let says_null = property["description"]
            .as_str()
            .is_some_and(|description| description.contains(NULL));
        let message = match (nullable, required.contains(wire.as_str()), says_null) {
            (true, false, false) => format!(
                "`{wire}` is `nullable`, so the server gives `null` a meaning: say in its description what {NULL} does"
            ),
            (true, true, false) => format!(
                "`{wire}` is required and `nullable`: say in its description why a {NULL} is sent and what it means"
            ),
            (false, _, true) => format!(
                "`{wire}` says what {NULL} does but is not `nullable`, so the server reads a `null` there as absent: mark it `nullable: true` or reword"
            ),
            _ => continue,
        };
        problems.push(Problem::new(at, message));
    }
}

/// The component schemas a request body reaches through `$ref`s, transitively.
fn request_schemas(raw: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, schemas: &Value, found: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                let target = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|reference| reference.strip_prefix("#/components/schemas/"));
                if let Some(name) = target
                    && found.insert(name.to_owned())
                    && let Some(schema) = schemas.get(name)
                {
                    walk(schema, schemas, found);
                }
                map.values().for_each(|value| walk(value, schemas, found));
            }
            Value::Array(items) => items.iter().for_each(|value| walk(value, schemas, found)),
            _ => {}
        }
    }
    let schemas = raw
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    let mut found = BTreeSet::new();
    let operations = raw["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|item| item.values()));
    for operation in operations {
        if let Some(body) = operation.get("requestBody") {
            walk(body, &schemas, &mut found);
        }
    }
    if let Some(bodies) = raw.pointer("/components/requestBodies") {
        walk(bodies, &schemas, &mut found);
    }
    found
}

/// A JavaScript-style field name: letters, digits, `_` and `$`, not starting with a digit.
fn is_field_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_' || first == '$')
        && characters.all(|rest| rest.is_ascii_alphanumeric() || rest == '_' || rest == '$')
}
