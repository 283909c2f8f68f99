//! The operations of a document lowered to what the generators need: wire names beside Rust
//! names, resolved parameters, the body's named type and every documented response.

use anyhow::{Context, Result, anyhow, bail};
use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};
use serde_json::Value;

use super::naming;

/// Default body limit: what the Novu server's JSON parser accepts unless an operation says more.
pub const DEFAULT_BODY_LIMIT: usize = 100 * 1024;

/// One operation.
#[derive(Debug)]
pub struct Operation {
    /// `subscribers_create`.
    pub id: String,
    /// `SubscribersCreate`.
    pub type_name: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// `/v1/subscribers/{subscriberId}`.
    pub path: String,
    pub summary: Option<String>,
    /// The first tag, which names the trait the operation belongs to.
    pub tag: Option<String>,
    pub deprecated: bool,
    pub authenticated: bool,
    pub path_params: Vec<Param>,
    pub query_params: Vec<Param>,
    /// Header parameters (`Idempotency-Key`), handed to the implementation as text.
    pub header_params: Vec<Param>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    pub body_limit: usize,
    /// How its pages are walked (`x-pagination`), for a list operation.
    pub pagination: Option<super::pagination::Pagination>,
}

/// The extension of an object schema naming its properties' validation rules beyond JSON
/// Schema (see `spec/README.md`); a parameter carries its own rules under the same name.
pub const VALIDATION: &str = "x-validation";

/// A path or query parameter.
#[derive(Debug)]
pub struct Param {
    pub wire_name: String,
    pub field_name: String,
    pub required: bool,
    /// The parameter's schema as written (a `$ref` or inline).
    pub schema: Value,
    pub rust_type: RustType,
    pub description: Option<String>,
    /// The parameter's `x-validation` rules (the name the API's messages give it).
    pub validation: Option<Value>,
}

/// The Rust shape of a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum RustType {
    /// A component schema, by its type name.
    Named(String),
    Text,
    Integer,
    Number,
    Boolean,
    List(Box<RustType>),
    Json,
}

/// A JSON request body, always a named component.
#[derive(Debug)]
pub struct Body {
    pub schema: String,
    pub required: bool,
}

/// A documented response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub variant: String,
    pub content: Content,
    pub headers: Vec<Header>,
    pub description: String,
}

/// What a response carries.
#[derive(Debug, PartialEq)]
pub enum Content {
    None,
    /// JSON of a named component schema.
    Json(String),
    /// Text of a media type (`text/html`).
    Text(String),
}

/// A documented response header.
#[derive(Debug)]
pub struct Header {
    /// Lower-case wire name.
    pub wire_name: String,
    pub field_name: String,
    pub required: bool,
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// A route the API serves to dashboard sessions only (`x-dashboard-only`): not an operation,
/// but answered with 401 to an API key instead of the 404 of an unknown route.
#[derive(Debug)]
pub struct DashboardRoute {
    /// `GET`, `POST`, …
    pub method: String,
    /// `/v1/users/profile/email`.
    pub path: String,
}

/// `METHOD /path` as written in `x-dashboard-only.routes`, when it is written so.
pub fn dashboard_route(text: &str) -> Option<DashboardRoute> {
    let (method, path) = text.split_once(' ')?;
    let known =
        METHODS.contains(&method.to_lowercase().as_str()) && method == method.to_uppercase();
    (known && path.starts_with('/') && !path.contains(' ')).then(|| DashboardRoute {
        method: method.to_owned(),
        path: path.to_owned(),
    })
}

/// The routes of `x-dashboard-only.routes`; the lint has already refused malformed ones and
/// routes that are also operations.
pub fn dashboard_routes(raw: &Value) -> Result<Vec<DashboardRoute>> {
    let routes = raw
        .pointer("/x-dashboard-only/routes")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    routes
        .iter()
        .map(|route| {
            route.as_str().and_then(dashboard_route).with_context(|| {
                format!("x-dashboard-only: `{route}` is not written `METHOD /path`")
            })
        })
        .collect()
}

/// Lowers every operation of `document`, in document order.
pub fn lower(document: &OpenAPI, raw: &Value) -> Result<Vec<Operation>> {
    let default_limit = raw
        .pointer("/x-body-limit")
        .and_then(Value::as_u64)
        .map(|limit| limit as usize)
        .unwrap_or(DEFAULT_BODY_LIMIT);
    let mut operations = Vec::new();
    for (path, item) in document.paths.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            bail!("path {path}: path items must be written inline, not as `$ref`");
        };
        for (method, operation) in item.iter() {
            if !METHODS.contains(&method) {
                continue;
            }
            let pointer = format!("/paths/{}/{method}", crate::spec::escape(path));
            let raw_operation = raw.pointer(&pointer).cloned().unwrap_or(Value::Null);
            let mut lowered = lower_operation(
                document,
                path,
                method,
                operation,
                &item.parameters,
                &raw_operation,
                default_limit,
            )
            .with_context(|| format!("{} {path}", method.to_uppercase()))?;
            lowered.pagination = super::pagination::read(raw, &pointer).map_err(|problems| {
                let listing: Vec<String> = problems
                    .iter()
                    .map(|problem| problem.display("the spec"))
                    .collect();
                anyhow!("{} {path}: {}", method.to_uppercase(), listing.join("; "))
            })?;
            operations.push(lowered);
        }
    }
    Ok(operations)
}

fn lower_operation(
    document: &OpenAPI,
    path: &str,
    method: &str,
    operation: &openapiv3::Operation,
    shared_parameters: &[ReferenceOr<Parameter>],
    raw_operation: &Value,
    default_limit: usize,
) -> Result<Operation> {
    let id = operation
        .operation_id
        .clone()
        .ok_or_else(|| anyhow!("the operation has no operationId"))?;
    let mut path_params = Vec::new();
    let mut query_params = Vec::new();
    let mut header_params = Vec::new();
    for parameter in shared_parameters.iter().chain(&operation.parameters) {
        let parameter = resolve_parameter(document, parameter)?;
        let (data, is_path) = match parameter {
            Parameter::Path { parameter_data, .. } => (parameter_data, true),
            Parameter::Query { parameter_data, .. } => (parameter_data, false),
            Parameter::Header { parameter_data, .. } => {
                header_params.push(header_param(document, parameter_data)?);
                continue;
            }
            // Cookies are read by the implementation from the request context.
            Parameter::Cookie { .. } => continue,
        };
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            bail!("parameter `{}` must have a `schema`", data.name);
        };
        let schema = serde_json::to_value(schema)?;
        let param = Param {
            wire_name: data.name.clone(),
            field_name: naming::field_name(&data.name),
            required: data.required || is_path,
            rust_type: rust_type(document, &schema)?,
            schema,
            description: data.description.clone(),
            validation: data.extensions.get(VALIDATION).cloned(),
        };
        let list = if is_path {
            &mut path_params
        } else {
            &mut query_params
        };
        list.retain(|existing: &Param| existing.wire_name != param.wire_name);
        list.push(param);
    }

    let body = match &operation.request_body {
        None => None,
        Some(body) => {
            let body = match body {
                ReferenceOr::Item(body) => body,
                ReferenceOr::Reference { reference } => {
                    let name = component_name(reference, "requestBodies")?;
                    match document
                        .components
                        .as_ref()
                        .and_then(|c| c.request_bodies.get(name))
                    {
                        Some(ReferenceOr::Item(body)) => body,
                        _ => bail!("request body `{reference}` does not resolve"),
                    }
                }
            };
            let media = body
                .content
                .get("application/json")
                .ok_or_else(|| anyhow!("the request body must be `application/json`"))?;
            let schema = match &media.schema {
                Some(ReferenceOr::Reference { reference }) => {
                    component_name(reference, "schemas")?.to_owned()
                }
                _ => bail!("the request body's schema must be a `$ref` to a component schema"),
            };
            Some(Body {
                schema,
                required: body.required,
            })
        }
    };

    let mut responses = Vec::new();
    for (status, response) in &operation.responses.responses {
        let StatusCode::Code(status) = status else {
            bail!("status ranges (`4XX`) are not supported: document each status");
        };
        let response = match response {
            ReferenceOr::Item(response) => response,
            ReferenceOr::Reference { reference } => {
                let name = component_name(reference, "responses")?;
                match document
                    .components
                    .as_ref()
                    .and_then(|c| c.responses.get(name))
                {
                    Some(ReferenceOr::Item(response)) => response,
                    _ => bail!("response `{reference}` does not resolve"),
                }
            }
        };
        let content = match response.content.iter().next() {
            None => Content::None,
            Some((media_type, media)) if media_type.starts_with("application/json") => match &media
                .schema
            {
                Some(ReferenceOr::Reference { reference }) => {
                    Content::Json(component_name(reference, "schemas")?.to_owned())
                }
                _ => bail!("the {status} response's schema must be a `$ref` to a component schema"),
            },
            Some((media_type, _)) => Content::Text(media_type.clone()),
        };
        let headers = response
            .headers
            .iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("content-type"))
            .filter(|(_, header)| !added_by_a_layer(document, header))
            .map(|(name, header)| Header {
                wire_name: name.to_ascii_lowercase(),
                field_name: naming::field_name(name),
                required: matches!(header, ReferenceOr::Item(header) if header.required),
            })
            .collect();
        responses.push(Response {
            status: *status,
            variant: naming::status_variant(*status),
            content,
            headers,
            description: response.description.clone(),
        });
    }
    if operation.responses.default.is_some() {
        bail!("`default` responses are not supported: document each status");
    }

    let authenticated = match &operation.security {
        Some(requirements) => requirements
            .iter()
            .any(|requirement| !requirement.is_empty()),
        None => document
            .security
            .as_ref()
            .is_some_and(|requirements| requirements.iter().any(|r| !r.is_empty())),
    };
    let body_limit = raw_operation
        .get("x-body-limit")
        .and_then(Value::as_u64)
        .map(|limit| limit as usize)
        .unwrap_or(default_limit);

    Ok(Operation {
        type_name: naming::type_name(&id),
        id,
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: operation.summary.clone(),
        tag: operation.tags.first().cloned(),
        deprecated: operation.deprecated,
        authenticated,
        path_params,
        query_params,
        header_params,
        body,
        responses,
        body_limit,
        pagination: None,
    })
}

/// A header parameter: text, whatever its schema says about its length or pattern (the
/// implementation checks those).
fn header_param(document: &OpenAPI, data: &openapiv3::ParameterData) -> Result<Param> {
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        bail!("header parameter `{}` must have a `schema`", data.name);
    };
    let schema = serde_json::to_value(schema)?;
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = component_name(reference, "schemas")?;
            let component = document
                .components
                .as_ref()
                .and_then(|components| components.schemas.get(name));
            serde_json::to_value(component)?
        }
        None => schema.clone(),
    };
    if resolved.get("type").and_then(Value::as_str) != Some("string") {
        bail!("header parameter `{}` must be a string", data.name);
    }
    let rust_type = RustType::Text;
    Ok(Param {
        wire_name: data.name.to_ascii_lowercase(),
        field_name: naming::field_name(&data.name),
        required: data.required,
        rust_type,
        schema,
        description: data.description.clone(),
        validation: None,
    })
}

fn resolve_parameter<'a>(
    document: &'a OpenAPI,
    parameter: &'a ReferenceOr<Parameter>,
) -> Result<&'a Parameter> {
    match parameter {
        ReferenceOr::Item(parameter) => Ok(parameter),
        ReferenceOr::Reference { reference } => {
            let name = component_name(reference, "parameters")?;
            match document
                .components
                .as_ref()
                .and_then(|c| c.parameters.get(name))
            {
                Some(ReferenceOr::Item(parameter)) => Ok(parameter),
                _ => bail!("parameter `{reference}` does not resolve"),
            }
        }
    }
}

/// `#/components/schemas/Foo` → `Foo`, checking the section.
pub fn component_name<'a>(reference: &'a str, section: &str) -> Result<&'a str> {
    reference
        .strip_prefix(&format!("#/components/{section}/"))
        .filter(|name| !name.contains('/'))
        .ok_or_else(|| anyhow!("`{reference}` must point into `#/components/{section}/`"))
}

/// The Rust shape of a parameter schema.
fn rust_type(document: &OpenAPI, schema: &Value) -> Result<RustType> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = component_name(reference, "schemas")?;
        if !document
            .components
            .as_ref()
            .is_some_and(|components| components.schemas.contains_key(name))
        {
            bail!("`{reference}` does not resolve");
        }
        return Ok(RustType::Named(naming::type_name(name)));
    }
    Ok(match schema.get("type").and_then(Value::as_str) {
        Some("string") => RustType::Text,
        Some("integer") => RustType::Integer,
        Some("number") => RustType::Number,
        Some("boolean") => RustType::Boolean,
        Some("array") => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            RustType::List(Box::new(rust_type(document, &items)?))
        }
        _ => RustType::Json,
    })
}

/// Whether a response header is added by a layer around the router (`x-layer` on the header,
/// or on the component header it refers to), such as the rate-limit and idempotency headers:
/// the contract documents it, but the handler does not set it, so it is no variant field.
fn added_by_a_layer(document: &OpenAPI, header: &ReferenceOr<openapiv3::Header>) -> bool {
    let header = match header {
        ReferenceOr::Item(header) => Some(header),
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/headers/")
            .and_then(|name| document.components.as_ref()?.headers.get(name))
            .and_then(|header| header.as_item()),
    };
    header.is_some_and(|header| header.extensions.contains_key("x-layer"))
}
