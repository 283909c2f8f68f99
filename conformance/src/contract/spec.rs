//! The contract as the suite reads it: the OpenAPI document parsed as plain JSON and lowered to
//! a list of operations, each with what a request may carry and what a response may be.
//!
//! The suite reads the spec's text itself and never the generated crates, so a mistake in the
//! generators cannot hide a mistake in a server.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::error::{Error, Result};

/// The contract embedded at build time.
pub const EMBEDDED_SPEC: &str = include_str!("../../../spec/novu.yaml");

/// The document name used in messages for the embedded contract.
pub const EMBEDDED_SPEC_NAME: &str = "spec/novu.yaml (embedded)";

/// A parsed contract: the raw document and its operations in document order.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The whole document as JSON.
    pub document: Value,
    /// Every operation, in the order the document lists them.
    pub operations: Vec<Operation>,
}

/// One operation of the contract.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `GET`, `POST`, … (upper case).
    pub method: String,
    /// The path template, e.g. `/v1/subscribers/{subscriberId}`.
    pub path: String,
    /// The `operationId`.
    pub operation_id: String,
    /// The operation's one tag.
    pub tag: String,
    /// Whether the operation requires the API key.
    pub authenticated: bool,
    /// Path, query and header parameters.
    pub parameters: Vec<Parameter>,
    /// The JSON request body schema (an OpenAPI schema, usually a `$ref`), if any.
    pub request_body: Option<RequestBody>,
    /// Documented responses by status code (`"200"`, `"default"`, …).
    pub responses: BTreeMap<String, Response>,
}

/// A parameter of an operation.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// The wire name.
    pub name: String,
    /// `path`, `query` or `header`.
    pub location: String,
    /// Whether the parameter is required.
    pub required: bool,
    /// The OpenAPI schema of the value.
    pub schema: Value,
}

/// The request body of an operation.
#[derive(Debug, Clone)]
pub struct RequestBody {
    /// Whether the body is required.
    pub required: bool,
    /// The media type, e.g. `application/json`.
    pub content_type: String,
    /// The OpenAPI schema.
    pub schema: Value,
    /// The documented examples of the body: the media type's `example` and `examples`
    /// values, then the body schema's own `example` (after its `$ref`).
    pub examples: Vec<Value>,
}

/// A documented response.
#[derive(Debug, Clone)]
pub struct Response {
    /// Media type → OpenAPI schema (`Value::Null` when the media type has no schema).
    pub content: BTreeMap<String, Value>,
    /// Header names the response documents as required.
    pub required_headers: Vec<String>,
    /// Every documented header's schema, by lower-case name (`Value::Null` without one).
    pub header_schemas: BTreeMap<String, Value>,
}

impl Operation {
    /// The operation's success status, the first documented 2xx.
    pub fn success_status(&self) -> Option<u16> {
        self.responses
            .keys()
            .filter_map(|status| status.parse::<u16>().ok())
            .find(|status| (200..300).contains(status))
    }

    /// The documented response for `status`, falling back to `default` or `NXX` ranges.
    pub fn response_for(&self, status: u16) -> Option<&Response> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        self.responses
            .get(&exact)
            .or_else(|| self.responses.get(&range))
            .or_else(|| self.responses.get("default"))
    }

    /// Parameters found in `location`.
    pub fn parameters_in<'a>(&'a self, location: &'a str) -> impl Iterator<Item = &'a Parameter> {
        self.parameters
            .iter()
            .filter(move |parameter| parameter.location == location)
    }

    /// `METHOD /path`, as messages show an operation.
    pub fn signature(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether the operation takes a JSON request body.
    pub fn has_json_body(&self) -> bool {
        self.request_body
            .as_ref()
            .is_some_and(|body| is_json(&body.content_type))
    }

    /// Whether the operation takes a JSON body or query parameters, the inputs a client chooses.
    pub fn has_inputs(&self) -> bool {
        self.has_json_body() || self.parameters_in("query").next().is_some()
    }
}

/// The examples a request body's media type object documents, each once: `example`, the
/// `value` of every `examples` entry (after its `$ref`), and the schema's `example`.
fn body_examples(document: &Value, media: &Value) -> Vec<Value> {
    let mut examples: Vec<Value> = Vec::new();
    let named = media
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(_, example)| resolve(document, example).get("value").cloned());
    let schema = media
        .get("schema")
        .and_then(|schema| resolve(document, schema).get("example").cloned());
    for example in media
        .get("example")
        .cloned()
        .into_iter()
        .chain(named)
        .chain(schema)
    {
        if !examples.contains(&example) {
            examples.push(example);
        }
    }
    examples
}

/// Whether `media_type` is JSON (`application/json`, `application/problem+json`, …).
pub fn is_json(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The tag under which the routes of `x-dashboard-only` are reported.
pub const DASHBOARD_ONLY_TAG: &str = "Dashboard only";

impl Spec {
    /// Parses document `text` (YAML or JSON) named `name` in messages.
    pub fn parse(name: &str, text: &str) -> Result<Spec> {
        let bad = |message: String| Error::Spec {
            name: name.to_owned(),
            message,
        };
        let document: Value = serde_norway::from_str(text)
            .map_err(|error| bad(format!("not a YAML or JSON document: {error}")))?;
        match document.get("openapi").and_then(Value::as_str) {
            Some(version) if version.starts_with("3.0.") => {}
            Some(version) => {
                return Err(bad(format!(
                    "OpenAPI {version} is not supported: use 3.0.x"
                )));
            }
            None => {
                return Err(bad(
                    "missing `openapi: 3.0.x`: is this an OpenAPI document?".into(),
                ));
            }
        }
        let paths = document
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("missing `paths`".into()))?;
        let global_security = document.get("security").cloned().unwrap_or(Value::Null);
        let mut operations = Vec::new();
        for (path, item) in paths {
            let item = resolve(&document, item);
            let shared_parameters = item.get("parameters").and_then(Value::as_array);
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let operation_id = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        bad(format!(
                            "{} {path} has no operationId",
                            method.to_uppercase()
                        ))
                    })?
                    .to_owned();
                let tag = operation
                    .pointer("/tags/0")
                    .and_then(Value::as_str)
                    .unwrap_or("untagged")
                    .to_owned();
                let security = operation.get("security").unwrap_or(&global_security);
                let authenticated = security.as_array().is_some_and(|list| {
                    list.iter().any(|requirement| {
                        requirement.as_object().is_some_and(|map| !map.is_empty())
                    })
                });
                let mut parameters: Vec<Parameter> = Vec::new();
                let own = operation.get("parameters").and_then(Value::as_array);
                for raw in shared_parameters
                    .into_iter()
                    .flatten()
                    .chain(own.into_iter().flatten())
                {
                    let raw = resolve(&document, raw);
                    let parameter = Parameter {
                        name: string_at(raw, "name"),
                        location: string_at(raw, "in"),
                        required: raw
                            .get("required")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                        schema: raw.get("schema").cloned().unwrap_or(Value::Null),
                    };
                    parameters.retain(|existing| {
                        existing.name != parameter.name || existing.location != parameter.location
                    });
                    parameters.push(parameter);
                }
                let request_body = operation.get("requestBody").and_then(|raw| {
                    let raw = resolve(&document, raw);
                    let (content_type, media) = raw.get("content")?.as_object()?.iter().next()?;
                    Some(RequestBody {
                        required: raw
                            .get("required")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                        content_type: content_type.clone(),
                        schema: media.get("schema").cloned().unwrap_or(Value::Null),
                        examples: body_examples(&document, media),
                    })
                });
                let mut responses = BTreeMap::new();
                for (status, raw) in operation
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let raw = resolve(&document, raw);
                    let content = raw
                        .get("content")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(media_type, media)| {
                            (
                                media_type.clone(),
                                media.get("schema").cloned().unwrap_or(Value::Null),
                            )
                        })
                        .collect();
                    let required_headers = raw
                        .get("headers")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .filter(|(_, header)| {
                            resolve(&document, header)
                                .get("required")
                                .and_then(Value::as_bool)
                                .unwrap_or(false)
                        })
                        .map(|(name, _)| name.clone())
                        .collect();
                    let header_schemas = raw
                        .get("headers")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(name, header)| {
                            let schema = resolve(&document, header)
                                .get("schema")
                                .cloned()
                                .unwrap_or(Value::Null);
                            (name.to_ascii_lowercase(), schema)
                        })
                        .collect();
                    responses.insert(
                        status.to_uppercase(),
                        Response {
                            content,
                            required_headers,
                            header_schemas,
                        },
                    );
                }
                operations.push(Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    operation_id,
                    tag,
                    authenticated,
                    parameters,
                    request_body,
                    responses,
                });
            }
        }
        if operations.is_empty() {
            return Err(bad("the document has no operations".into()));
        }
        // `serde_json` sorts object keys; the YAML value keeps the document's order of paths.
        let ordered: serde_norway::Value = serde_norway::from_str(text)
            .map_err(|error| bad(format!("not a YAML or JSON document: {error}")))?;
        let path_order: Vec<&str> = ordered
            .get("paths")
            .and_then(serde_norway::Value::as_mapping)
            .into_iter()
            .flat_map(|paths| paths.keys())
            .filter_map(serde_norway::Value::as_str)
            .collect();
        operations.sort_by_key(|operation| {
            path_order
                .iter()
                .position(|path| *path == operation.path)
                .unwrap_or(usize::MAX)
        });
        Ok(Spec {
            document,
            operations,
        })
    }

    /// The embedded contract.
    pub fn embedded() -> Result<Spec> {
        Spec::parse(EMBEDDED_SPEC_NAME, EMBEDDED_SPEC)
    }

    /// The routes of `x-dashboard-only`, as operations named `METHOD /path` whose one documented
    /// answer is the 401 of `components/responses/Unauthorized`. Malformed entries are left out
    /// (the spec's lint refuses them).
    pub fn dashboard_routes(&self) -> Vec<Operation> {
        let refusal = self
            .document
            .pointer("/components/responses/Unauthorized/content/application~1json/schema")
            .cloned()
            .unwrap_or(Value::Null);
        self.document
            .pointer("/x-dashboard-only/routes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|route| {
                let (method, path) = route.split_once(' ')?;
                let parameters = path
                    .split('/')
                    .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
                    .map(|name| Parameter {
                        name: name.to_owned(),
                        location: "path".into(),
                        required: true,
                        schema: json!({"type": "string"}),
                    })
                    .collect();
                Some(Operation {
                    method: method.to_owned(),
                    path: path.to_owned(),
                    operation_id: route.to_owned(),
                    tag: DASHBOARD_ONLY_TAG.into(),
                    authenticated: true,
                    parameters,
                    request_body: None,
                    responses: BTreeMap::from([(
                        "401".to_owned(),
                        Response {
                            content: BTreeMap::from([(
                                "application/json".to_owned(),
                                refusal.clone(),
                            )]),
                            required_headers: Vec::new(),
                            header_schemas: BTreeMap::new(),
                        },
                    )]),
                })
            })
            .collect()
    }

    /// The operation named `operation_id`.
    pub fn operation(&self, operation_id: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|operation| operation.operation_id == operation_id)
    }

    /// Follows `$ref`s inside this document until `value` is not one.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        resolve(&self.document, value)
    }

    /// `components/schemas` of the document.
    pub fn component_schemas(&self) -> serde_json::Map<String, Value> {
        self.document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }
}

fn string_at(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Follows local `$ref`s (`#/...`) until `value` is not one; unresolvable references are
/// returned as they are, so a broken reference shows up as a schema that validates nothing.
pub fn resolve<'a>(document: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let Some(pointer) = reference.strip_prefix('#') else {
            return value;
        };
        match document.pointer(pointer) {
            Some(target) => value = target,
            None => return value,
        }
    }
    value
}
