//! The checks a spec must pass before anything is generated from it (`cargo xtask lint` prints
//! them). Each problem names a JSON pointer and says what to fix.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::ir::dashboard_route;
use super::json_schema;
use super::naming;
use crate::spec::{Spec, display_pointer, escape};

pub use super::problem::Problem;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every problem of `spec`, sorted by pointer.
pub fn validate(spec: &Spec) -> Vec<Problem> {
    let raw = &spec.raw;
    let mut problems = Vec::new();
    check_references(raw, raw, String::new(), &mut problems);
    check_component_names(raw, &mut problems);
    check_operations(raw, &mut problems);
    check_examples(raw, &mut problems);
    check_dashboard_routes(raw, &mut problems);
    problems.extend(super::pagination::check(raw));
    problems.extend(super::empty::check(raw));
    problems.extend(super::properties::check(raw));
    problems.sort();
    problems.dedup();
    problems
}

/// `x-dashboard-only` lists routes as `METHOD /path`, each once, none of them an operation.
fn check_dashboard_routes(raw: &Value, problems: &mut Vec<Problem>) {
    let Some(extension) = raw.get("x-dashboard-only") else {
        return;
    };
    let Some(routes) = extension.get("routes").and_then(Value::as_array) else {
        problems.push(Problem::new(
            "/x-dashboard-only",
            "`x-dashboard-only` needs `routes`: a list of `METHOD /path` strings",
        ));
        return;
    };
    let mut seen = BTreeSet::new();
    for (index, route) in routes.iter().enumerate() {
        let pointer = format!("/x-dashboard-only/routes/{index}");
        let Some(parsed) = route.as_str().and_then(dashboard_route) else {
            problems.push(Problem::new(
                pointer,
                format!(
                    "`{route}` is not written `METHOD /path`, e.g. `PUT /v1/users/profile/email`"
                ),
            ));
            continue;
        };
        let key = (parsed.method.clone(), parsed.path.clone());
        if !seen.insert(key) {
            problems.push(Problem::new(
                pointer,
                format!("`{}` is listed twice", parsed.path),
            ));
        } else if raw
            .pointer(&format!(
                "/paths/{}/{}",
                escape(&parsed.path),
                parsed.method.to_lowercase()
            ))
            .is_some()
        {
            problems.push(Problem::new(
                pointer,
                format!(
                    "`{} {}` is an operation of the document: a route is either an operation or dashboard-only",
                    parsed.method, parsed.path
                ),
            ));
        }
    }
}

/// Every `$ref` must point at something inside the document.
fn check_references(root: &Value, value: &Value, pointer: String, problems: &mut Vec<Problem>) {
    match value {
        Value::Object(object) => {
            if let Some(reference) = object.get("$ref") {
                match reference.as_str() {
                    Some(reference) if reference.starts_with("#/") => {
                        if root.pointer(&reference[1..]).is_none() {
                            problems.push(Problem::new(
                                format!("{pointer}/$ref"),
                                format!("`{reference}` does not resolve: define it or fix the name"),
                            ));
                        }
                    }
                    Some(reference) => problems.push(Problem::new(
                        format!("{pointer}/$ref"),
                        format!("`{reference}` is not a local reference: the spec must be one self-contained document (`#/components/...`)"),
                    )),
                    None => problems.push(Problem::new(format!("{pointer}/$ref"), "`$ref` must be a string")),
                }
            }
            for (key, child) in object {
                check_references(root, child, format!("{pointer}/{}", escape(key)), problems);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                check_references(root, child, format!("{pointer}/{index}"), problems);
            }
        }
        _ => {}
    }
}

/// Component schema names become Rust type names unchanged only when they already are PascalCase.
fn check_component_names(raw: &Value, problems: &mut Vec<Problem>) {
    let Some(schemas) = raw
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    for name in schemas.keys() {
        if naming::type_name(name) != *name {
            problems.push(Problem::new(
                format!("/components/schemas/{}", escape(name)),
                format!(
                    "schema name `{name}` is not PascalCase: rename it `{}`",
                    naming::type_name(name)
                ),
            ));
        }
    }
}

fn check_operations(raw: &Value, problems: &mut Vec<Problem>) {
    let declared_tags: BTreeSet<&str> = raw
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|tag| tag.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let global_security = raw.get("security");
    let mut operation_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut error_schemas: BTreeMap<String, String> = BTreeMap::new();
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        problems.push(Problem::new("/paths", "the document has no `paths`"));
        return;
    };
    for (path, item) in paths {
        let item_pointer = format!("/paths/{}", escape(path));
        if !path.starts_with('/') {
            problems.push(Problem::new(&item_pointer, "a path must start with `/`"));
        }
        let template_names: Vec<String> = path
            .split('/')
            .filter_map(|segment| {
                segment
                    .strip_prefix('{')
                    .and_then(|rest| rest.strip_suffix('}'))
            })
            .map(str::to_owned)
            .collect();
        let shared_parameters = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let pointer = format!("{item_pointer}/{method}");
            check_operation(
                raw,
                operation,
                &pointer,
                &template_names,
                &shared_parameters,
                &declared_tags,
                global_security,
                &mut operation_ids,
                &mut error_schemas,
                problems,
            );
        }
    }
    let distinct: BTreeSet<&String> = error_schemas.keys().collect();
    if distinct.len() > 1 {
        for (schema, pointer) in &error_schemas {
            problems.push(Problem::new(
                pointer.clone(),
                format!(
                    "4xx/5xx responses use {} different schemas ({}): every error response must carry the one error schema",
                    distinct.len(),
                    schema
                ),
            ));
        }
    }
}

fn resolve<'a>(raw: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..16 {
        match current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix('#'))
        {
            Some(pointer) => match raw.pointer(pointer) {
                Some(target) => current = target,
                None => return current,
            },
            None => return current,
        }
    }
    current
}

#[allow(clippy::too_many_arguments)]
fn check_operation(
    raw: &Value,
    operation: &Value,
    pointer: &str,
    template_names: &[String],
    shared_parameters: &[Value],
    declared_tags: &BTreeSet<&str>,
    global_security: Option<&Value>,
    operation_ids: &mut BTreeMap<String, String>,
    error_schemas: &mut BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) {
    // A suffix may climb out of the operation with `/..` (path-level parameters).
    let mut problem = |suffix: &str, message: String| {
        problems.push(Problem::new(
            resolve_dots(&format!("{pointer}{suffix}")),
            message,
        ))
    };

    // operationId: present, snake_case, unique.
    match operation.get("operationId").and_then(Value::as_str) {
        None => problem(
            "",
            "the operation has no `operationId`: add a snake_case one (`subscribers_create`)"
                .into(),
        ),
        Some(id) => {
            if naming::field_name(id) != id {
                problem(
                    "/operationId",
                    format!("`{id}` is not snake_case: use `{}`", naming::field_name(id)),
                );
            }
            if let Some(first) = operation_ids.insert(id.to_owned(), pointer.to_owned()) {
                problem(
                    "/operationId",
                    format!(
                        "`{id}` is also the operationId of {first}: operationIds must be unique"
                    ),
                );
            }
        }
    }
    if operation
        .get("summary")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        problem("", "the operation has no `summary`: add a short one".into());
    }

    // Tags: exactly one, declared.
    match operation
        .get("tags")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([tag]) => {
            let tag = tag.as_str().unwrap_or_default();
            if !declared_tags.contains(tag) {
                problem(
                    "/tags/0",
                    format!("tag `{tag}` is not declared in the top-level `tags`"),
                );
            }
        }
        Some([]) | None => problem(
            "",
            "the operation has no tag: give it the one tag of its API group".into(),
        ),
        Some(_) => problem(
            "/tags",
            "the operation has several tags: give it exactly one".into(),
        ),
    }

    // Security: required, unless explicitly public with a reason.
    let security = operation.get("security").or(global_security);
    let is_public = matches!(security, Some(Value::Array(requirements)) if requirements.is_empty());
    match security {
        None => problem("", "the operation declares no `security`: add `security: [{api-key: []}]`".into()),
        Some(_) if is_public && operation.get("x-unauthenticated").and_then(Value::as_str).is_none() => problem(
            "/security",
            "the operation is public (`security: []`) without `x-unauthenticated: <reason>`: say why, or require `api-key`".into(),
        ),
        Some(Value::Array(requirements)) => {
            let schemes = raw.pointer("/components/securitySchemes");
            for (index, requirement) in requirements.iter().enumerate() {
                for scheme in requirement.as_object().map(|r| r.keys().collect::<Vec<_>>()).unwrap_or_default() {
                    if schemes.and_then(|schemes| schemes.get(scheme)).is_none() {
                        problem(&format!("/security/{index}"), format!("security scheme `{scheme}` is not declared in `components.securitySchemes`"));
                    }
                }
            }
        }
        Some(_) => problem("/security", "`security` must be a list of requirements".into()),
    }

    // Parameters: every template name declared as a required path parameter with a typed schema.
    let mut declared_path = BTreeSet::new();
    let parameters = operation
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (index, parameter) in shared_parameters
        .iter()
        .chain(parameters.iter())
        .enumerate()
    {
        let parameter = resolve(raw, parameter);
        let suffix = if index < shared_parameters.len() {
            format!("/../parameters/{index}")
        } else {
            format!("/parameters/{}", index - shared_parameters.len())
        };
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let location = parameter
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let schema = parameter.get("schema").map(|schema| resolve(raw, schema));
        let typed = schema.is_some_and(|schema| {
            schema.get("type").is_some()
                || schema.get("enum").is_some()
                || schema.get("oneOf").is_some()
                || schema.get("anyOf").is_some()
        });
        if !typed {
            problem(
                &format!("{suffix}/schema"),
                format!("parameter `{name}` has no typed schema: give it a `type`"),
            );
        }
        if location == "path" {
            declared_path.insert(name.to_owned());
            if !template_names.iter().any(|template| template == name) {
                problem(
                    &suffix,
                    format!("path parameter `{name}` does not appear in the path template"),
                );
            }
            if parameter.get("required") != Some(&Value::Bool(true)) {
                problem(
                    &suffix,
                    format!("path parameter `{name}` must be `required: true`"),
                );
            }
        }
        if location == "query"
            && ["page", "limit", "pageSize"].contains(&name)
            && schema
                .and_then(|schema| schema.get("type"))
                .and_then(Value::as_str)
                != Some("integer")
        {
            problem(
                &format!("{suffix}/schema"),
                format!("query parameter `{name}` must be `type: integer` (not number or string)"),
            );
        }
    }
    for name in template_names {
        if !declared_path.contains(name) {
            problem(
                "/parameters",
                format!(
                    "path parameter `{{{name}}}` is not declared: add it with `in: path`, `required: true` and a typed schema"
                ),
            );
        }
    }

    // Request body: a named JSON schema.
    if let Some(body) = operation.get("requestBody") {
        let body = resolve(raw, body);
        match body.pointer("/content/application~1json/schema") {
            Some(schema) if schema.get("$ref").is_some() => {}
            Some(_) => problem(
                "/requestBody/content/application~1json/schema",
                "the request body's schema must be a `$ref` to `#/components/schemas/<Name>`"
                    .into(),
            ),
            None => problem(
                "/requestBody",
                "the request body must have `application/json` content".into(),
            ),
        }
    }

    // Responses: exactly one success, named JSON bodies, one error schema.
    let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
        problem("", "the operation has no `responses`".into());
        return;
    };
    let mut successes = Vec::new();
    for (status, response) in responses {
        let suffix = format!("/responses/{}", escape(status));
        let Ok(code) = status.parse::<u16>() else {
            problem(
                &suffix,
                format!("`{status}`: document each status code (`404`), not ranges or `default`"),
            );
            continue;
        };
        let resolved = resolve(raw, response);
        let content = resolved.get("content").and_then(Value::as_object);
        let json_schema = content
            .and_then(|content| {
                content
                    .iter()
                    .find(|(media, _)| media.starts_with("application/json"))
            })
            .and_then(|(_, media)| media.get("schema"));
        // A redirect is how some operations succeed (the chat OAuth start).
        if (200..400).contains(&code) {
            successes.push(code);
            if code == 204 && content.is_some_and(|content| !content.is_empty()) {
                problem(
                    &suffix,
                    "a 204 response has no content: remove `content`".into(),
                );
            }
        }
        if let Some(schema) = json_schema
            && schema.get("$ref").is_none()
        {
            problem(
                &suffix,
                format!(
                    "the {code} response's schema must be a `$ref` to `#/components/schemas/<Name>`"
                ),
            );
        }
        if code >= 400 {
            match json_schema
                .and_then(|schema| schema.get("$ref"))
                .and_then(Value::as_str)
            {
                Some(reference) => {
                    error_schemas
                        .entry(reference.to_owned())
                        .or_insert_with(|| format!("{pointer}{suffix}"));
                }
                None => problem(
                    &suffix,
                    format!(
                        "the {code} response must carry the error schema as `application/json`"
                    ),
                ),
            }
        }
    }
    match successes.len() {
        0 => problem(
            "/responses",
            "the operation documents no success (2xx or 3xx) response".into(),
        ),
        1 => {}
        _ => problem(
            "/responses",
            format!(
                "the operation documents several success responses ({successes:?}): keep the one the server sends"
            ),
        ),
    }
    if !responses.contains_key("401") && !is_public {
        problem(
            "/responses",
            "the operation requires an API key but does not document `401`".into(),
        );
    }
}

/// `/paths/~1x/get/../parameters/0` → `/paths/~1x/parameters/0`.
fn resolve_dots(pointer: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in pointer.split('/').skip(1) {
        if segment == ".." {
            segments.pop();
        } else {
            segments.push(segment);
        }
    }
    segments
        .iter()
        .map(|segment| format!("/{segment}"))
        .collect()
}

const SCHEMA_BASE: &str = "https://novu-contract.invalid/lint.json";

/// Every `example` must validate against the schema it illustrates.
fn check_examples(raw: &Value, problems: &mut Vec<Problem>) {
    let components = raw
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(Value::Null);
    let document = json_schema::document(&components, &[]);
    let registry = match jsonschema::Registry::new()
        .add(SCHEMA_BASE, document)
        .and_then(|registry| registry.prepare())
    {
        Ok(registry) => registry,
        Err(error) => {
            problems.push(Problem::new(
                "/components/schemas",
                format!("the schemas do not form a valid JSON Schema document: {error}"),
            ));
            return;
        }
    };
    let mut examples = Vec::new();
    if let Some(schemas) = components.as_object() {
        for (name, schema) in schemas {
            collect_schema_examples(
                schema,
                format!("/components/schemas/{}", escape(name)),
                &mut examples,
            );
        }
    }
    collect_operation_examples(raw, &mut examples);
    for (pointer, schema, example) in examples {
        let schema = absolutize(&json_schema::convert(&schema));
        let validator = match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .with_registry(&registry)
            .should_validate_formats(true)
            .build(&schema)
        {
            Ok(validator) => validator,
            Err(error) => {
                problems.push(Problem::new(
                    pointer,
                    format!("the schema does not compile: {error}"),
                ));
                continue;
            }
        };
        for error in validator.iter_errors(&example) {
            problems.push(Problem::new(
                format!("{pointer}/example"),
                format!(
                    "the example does not match its schema at `{}`: {error}",
                    display_pointer(error.instance_path().as_str())
                ),
            ));
        }
    }
}

/// Walks the schema positions below `schema`, collecting `(pointer, schema, example)`.
fn collect_schema_examples(
    schema: &Value,
    pointer: String,
    found: &mut Vec<(String, Value, Value)>,
) {
    let Some(object) = schema.as_object() else {
        return;
    };
    if let Some(example) = object.get("example") {
        found.push((pointer.clone(), schema.clone(), example.clone()));
    }
    if let Some(properties) = object.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            collect_schema_examples(
                child,
                format!("{pointer}/properties/{}", escape(name)),
                found,
            );
        }
    }
    for keyword in ["items", "additionalProperties", "not"] {
        if let Some(child) = object.get(keyword) {
            collect_schema_examples(child, format!("{pointer}/{keyword}"), found);
        }
    }
    for keyword in ["allOf", "oneOf", "anyOf"] {
        if let Some(children) = object.get(keyword).and_then(Value::as_array) {
            for (index, child) in children.iter().enumerate() {
                collect_schema_examples(child, format!("{pointer}/{keyword}/{index}"), found);
            }
        }
    }
}

fn collect_operation_examples(raw: &Value, found: &mut Vec<(String, Value, Value)>) {
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let pointer = format!("/paths/{}/{method}", escape(path));
            for (index, parameter) in operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let at = format!("{pointer}/parameters/{index}");
                if let Some(schema) = parameter.get("schema") {
                    if let Some(example) = parameter.get("example") {
                        found.push((at.clone(), schema.clone(), example.clone()));
                    }
                    collect_schema_examples(schema, format!("{at}/schema"), found);
                }
            }
            let mut media_types = Vec::new();
            if let Some(content) = operation
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
            {
                media_types.extend(content.iter().map(|(media, value)| {
                    (
                        format!("{pointer}/requestBody/content/{}", escape(media)),
                        value,
                    )
                }));
            }
            for (status, response) in operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(content) = response.get("content").and_then(Value::as_object) {
                    media_types.extend(content.iter().map(|(media, value)| {
                        (
                            format!("{pointer}/responses/{status}/content/{}", escape(media)),
                            value,
                        )
                    }));
                }
            }
            for (at, media) in media_types {
                if let Some(schema) = media.get("schema") {
                    if let Some(example) = media.get("example") {
                        found.push((at.clone(), schema.clone(), example.clone()));
                    }
                    collect_schema_examples(schema, format!("{at}/schema"), found);
                }
            }
        }
    }
}

/// Rewrites local `$ref`s to point into the registered document.
fn absolutize(schema: &Value) -> Value {
    match schema {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| match (key.as_str(), value.as_str()) {
                    ("$ref", Some(reference)) if reference.starts_with('#') => {
                        (key.clone(), json!(format!("{SCHEMA_BASE}{reference}")))
                    }
                    _ => (key.clone(), absolutize(value)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(absolutize).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse;

    /// A valid one-operation document; each test breaks one thing in it.
    const VALID: &str = r##"
openapi: 3.0.3
info: {title: T, version: '1'}
security: [{api-key: []}]
tags: [{name: Notes}]
paths:
  /v1/notes/{noteId}:
    get:
      operationId: notes_get
      summary: Get a note
      tags: [Notes]
      parameters:
        - {name: noteId, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}
        '401': {$ref: '#/components/responses/Error'}
components:
  securitySchemes:
    api-key: {type: apiKey, in: header, name: Authorization}
  responses:
    Error:
      description: error
      content: {application/json: {schema: {$ref: '#/components/schemas/ErrorResponse'}}}
  schemas:
    ErrorResponse: {type: object, properties: {message: {type: string}}}
    Note:
      type: object
      required: [text]
      properties: {text: {type: string, maxLength: 5}}
      example: {text: hi}
"##;

    fn problems_after(from: &str, to: &str) -> Vec<String> {
        assert!(VALID.contains(from), "the fixture contains {from:?}");
        let text = VALID.replacen(from, to, 1);
        let spec = parse("t.yaml", &text).expect("still an OpenAPI document");
        validate(&spec)
            .iter()
            .map(|problem| problem.display("t.yaml"))
            .collect()
    }

    #[test]
    fn dashboard_routes_are_method_and_path_and_never_an_operation() {
        let with = |routes: &str| {
            problems_after(
                "openapi: 3.0.3\n",
                &format!("openapi: 3.0.3\nx-dashboard-only:\n  routes: {routes}\n"),
            )
        };
        assert_eq!(
            with("['PUT /v1/users/profile/email']"),
            Vec::<String>::new()
        );
        let problems = with("['put /v1/x', 'GET v1/x', 'GET /v1/y', 'GET /v1/y']");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("routes/0: `\"put /v1/x\"` is not written `METHOD /path`")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("routes/1: ")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("routes/3: `/v1/y` is listed twice")),
            "{problems:?}"
        );
        let operation = VALID
            .lines()
            .find(|line| line.starts_with("  /"))
            .expect("the fixture has a path")
            .trim()
            .trim_end_matches(':')
            .to_owned();
        let problems = with(&format!("['GET {operation}']"));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("is an operation of the document")),
            "{problems:?}"
        );
    }

    #[test]
    fn the_valid_document_has_no_problem() {
        assert_eq!(
            problems_after("Get a note", "Get a note"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_reference_must_resolve() {
        let problems = problems_after("schemas/Note'}", "schemas/Nope'}");
        assert!(problems.iter().any(|p| p.contains("/content/application~1json/schema/$ref: `#/components/schemas/Nope` does not resolve")), "{problems:?}");
    }

    #[test]
    fn operations_need_a_declared_tag_security_and_snake_case_id() {
        let problems = problems_after("tags: [Notes]", "tags: [Other]");
        assert!(
            problems.iter().any(
                |p| p.ends_with("/tags/0: tag `Other` is not declared in the top-level `tags`")
            ),
            "{problems:?}"
        );
        let problems = problems_after("operationId: notes_get", "operationId: notesGet");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`notesGet` is not snake_case: use `notes_get`")),
            "{problems:?}"
        );
        let problems = problems_after("security: [{api-key: []}]\n", "");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("declares no `security`")),
            "{problems:?}"
        );
        let problems = problems_after(
            "      tags: [Notes]\n",
            "      security: []\n      tags: [Notes]\n",
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("without `x-unauthenticated")),
            "{problems:?}"
        );
    }

    #[test]
    fn path_parameters_must_be_declared_and_typed() {
        let problems = problems_after(
            "- {name: noteId, in: path, required: true, schema: {type: string}}",
            "- {name: other, in: query, schema: {}}",
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("path parameter `{noteId}` is not declared")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("parameter `other` has no typed schema")),
            "{problems:?}"
        );
    }

    #[test]
    fn path_level_parameters_are_pointed_at_where_they_are() {
        let problems = problems_after(
            "  /v1/notes/{noteId}:\n",
            "  /v1/notes/{noteId}:\n    parameters:\n      - {name: page, in: query, schema: {type: number}}\n",
        );
        assert!(
            problems.iter().any(|p| p.starts_with("t.yaml: /paths/~1v1~1notes~1{noteId}/parameters/0/schema: query parameter `page` must be `type: integer`")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_success_response_is_required() {
        let problems = problems_after("'200':", "'202x':");
        assert!(
            problems.iter().any(|p| p.contains("documents no success")),
            "{problems:?}"
        );
    }

    #[test]
    fn examples_must_match_their_schema() {
        let problems = problems_after("example: {text: hi}", "example: {text: too long}");
        assert!(
            problems.iter().any(|p| p.starts_with("t.yaml: /components/schemas/Note/example: the example does not match its schema at `/text`")),
            "{problems:?}"
        );
    }

    #[test]
    fn error_responses_share_one_schema() {
        let problems = problems_after(
            "'401': {$ref: '#/components/responses/Error'}",
            "'401': {description: x, content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}}\n        '404': {$ref: '#/components/responses/Error'}",
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("4xx/5xx responses use 2 different schemas")),
            "{problems:?}"
        );
    }

    #[test]
    fn the_project_spec_is_clean() {
        let spec = crate::spec::load(&crate::codegen::workspace_root().join("spec/novu.yaml"))
            .expect("spec loads");
        let problems: Vec<String> = validate(&spec)
            .iter()
            .map(|problem| problem.display("spec/novu.yaml"))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
