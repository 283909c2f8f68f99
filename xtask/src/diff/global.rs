//! What a document declares once for every operation (its servers and security schemes), and
//! its examples, which lint checks against their schemas: changes here name no operation, or
//! the operation an example belongs to.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::document::{Document, Node};
use super::report::{Finding, METHODS, Operation};
use super::rules::Rule;
use crate::codegen::validate;
use crate::spec::Spec;

/// The servers and security schemes that changed.
pub fn compare(old: &Document<'_>, new: &Document<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    servers(old, new, &mut findings);
    security_schemes(old, new, &mut findings);
    findings
}

fn finding(rule: Rule, location: String, message: String) -> Finding {
    Finding {
        rule,
        operation: None,
        location,
        message,
        shared: None,
    }
}

/// The document's server URLs, without a trailing slash, and where each is written.
fn server_urls<'a>(document: &Document<'a>) -> Vec<(String, Node<'a>)> {
    document
        .root()
        .elements("servers")
        .into_iter()
        .filter_map(|server| {
            let url = server.value.get("url")?.as_str()?;
            Some((url.trim_end_matches('/').to_owned(), server))
        })
        .collect()
}

fn servers(old: &Document<'_>, new: &Document<'_>, findings: &mut Vec<Finding>) {
    let before = server_urls(old);
    let after = server_urls(new);
    let listed = new
        .root()
        .member("servers")
        .map_or_else(String::new, |servers| servers.at);
    for (url, _) in &before {
        if !after.iter().any(|(other, _)| other == url) {
            findings.push(finding(
                Rule::ServerRemoved,
                listed.clone(),
                format!("server `{url}` is no longer listed"),
            ));
        }
    }
    for (url, server) in &after {
        if !before.iter().any(|(other, _)| other == url) {
            findings.push(finding(
                Rule::ServerAdded,
                server.at.clone(),
                format!("server `{url}` is now listed"),
            ));
        }
    }
}

/// A scheme's definition as it matters to clients: its description and extensions left out.
fn definition(document: &Document<'_>, scheme: &Node<'_>) -> Value {
    match document.resolve(scheme).value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .filter(|(key, _)| *key != "description" && !key.starts_with("x-"))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn security_schemes(old: &Document<'_>, new: &Document<'_>, findings: &mut Vec<Finding>) {
    let schemes = |document: &Document<'_>| {
        document
            .root()
            .member("components")
            .map(|components| components.entries("securitySchemes"))
            .unwrap_or_default()
            .into_iter()
            .map(|(name, node)| (name.to_owned(), (definition(document, &node), node.at)))
            .collect::<BTreeMap<_, _>>()
    };
    let before = schemes(old);
    let after = schemes(new);
    let listed = new
        .root()
        .member("components")
        .map(|components| {
            components
                .member("securitySchemes")
                .map_or(components.at.clone(), |schemes| schemes.at)
        })
        .unwrap_or_default();
    // A scheme's name is not on the wire: one renamed with the same definition is unchanged.
    let renamed = |definition: &Value,
                   from: &BTreeMap<String, (Value, String)>,
                   to: &BTreeMap<String, (Value, String)>| {
        to.iter()
            .any(|(name, (other, _))| !from.contains_key(name) && other == definition)
    };
    for (name, (old_definition, _)) in &before {
        match after.get(name) {
            None if renamed(old_definition, &before, &after) => {}
            None => findings.push(finding(
                Rule::SecuritySchemeRemoved,
                listed.clone(),
                format!("security scheme `{name}` was removed"),
            )),
            Some((new_definition, at)) if new_definition != old_definition => {
                findings.push(finding(
                    Rule::SecuritySchemeChanged,
                    at.clone(),
                    format!(
                        "security scheme `{name}` changed from {} to {}",
                        describe_scheme(old_definition),
                        describe_scheme(new_definition)
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    for (name, (new_definition, at)) in &after {
        if !before.contains_key(name) && !renamed(new_definition, &after, &before) {
            findings.push(finding(
                Rule::SecuritySchemeAdded,
                at.clone(),
                format!(
                    "security scheme `{name}` was added: {}",
                    describe_scheme(new_definition)
                ),
            ));
        }
    }
}

/// `apiKey in header `Authorization``, `http bearer`, or the definition as JSON.
fn describe_scheme(definition: &Value) -> String {
    let text = |key: &str| definition.get(key).and_then(Value::as_str);
    match (text("type"), text("in"), text("name"), text("scheme")) {
        (Some("apiKey"), Some(location), Some(name), _) => {
            format!("`apiKey` in {location} `{name}`")
        }
        (Some("http"), _, _, Some(scheme)) => format!("`http {scheme}`"),
        (Some("oauth2"), ..) => {
            let flows = definition
                .get("flows")
                .and_then(Value::as_object)
                .map(|flows| flows.keys().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            format!("`oauth2` ({flows})")
        }
        (Some("openIdConnect"), ..) => format!(
            "`openIdConnect` at `{}`",
            text("openIdConnectUrl").unwrap_or_default()
        ),
        _ => format!("`{definition}`"),
    }
}

/// The examples that fail to validate against their schema in `new` and did not fail in
/// `old`: lint's check, run on both sides (the older one only when the newer one fails).
pub fn examples(old: &Spec, new: &Spec) -> Vec<Finding> {
    // Validating every example is most of a diff's time; identical documents need none.
    if old.raw == new.raw {
        return Vec::new();
    }
    let failing = |spec: &Spec| {
        validate::validate(spec)
            .into_iter()
            .filter(|problem| problem.message.starts_with("the example does not match"))
            .collect::<Vec<_>>()
    };
    let after = failing(new);
    if after.is_empty() {
        return Vec::new();
    }
    let before: BTreeSet<String> = failing(old)
        .into_iter()
        .map(|problem| problem.pointer)
        .collect();
    let mut reported = BTreeSet::new();
    after
        .into_iter()
        .filter(|problem| !before.contains(&problem.pointer))
        .filter(|problem| reported.insert(problem.pointer.clone()))
        .map(|problem| Finding {
            rule: Rule::ExampleInvalid,
            operation: operation_of(&problem.pointer),
            message: problem.message.replacen(
                "the example does not match",
                "the example no longer matches",
                1,
            ),
            location: problem.pointer,
            shared: None,
        })
        .collect()
}

/// The operation a pointer under `/paths/{path}/{method}` belongs to.
fn operation_of(pointer: &str) -> Option<Operation> {
    let mut segments = pointer.split('/').skip(1);
    if segments.next()? != "paths" {
        return None;
    }
    let path = segments.next()?.replace("~1", "/").replace("~0", "~");
    let method = segments.next()?;
    let method = METHODS.iter().find(|known| **known == method)?;
    Some(Operation { method, path })
}
