//! Request decoding shared by every generated handler: authentication, path and query
//! extraction, body reading, and validation against the spec's schemas, with every rejection
//! answered by the API's documented error body.
//!
//! The same runtime serves every spec; a spec without, say, text answers leaves some of it unused.
#![allow(dead_code)]

use std::sync::LazyLock;

use axum::body::{Body, Bytes};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Why a request's credentials were refused; answered with 401 and this message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthError {
    /// The `message` of the 401 body, e.g. `API Key not found`.
    pub message: String,
}

impl AuthError {
    /// A refusal with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// What every handler knows about the request beyond its typed inputs.
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// The request's path and query string as sent, the `path` of error bodies.
    pub path_and_query: String,
    /// The request's headers (e.g. `Idempotency-Key`).
    pub headers: HeaderMap,
    /// The validated body as JSON (`null` when there is none), for what the typed body cannot
    /// say: a field sent as `null` and a field left out read the same there.
    pub raw_body: Value,
}

/// How one parameter's text is turned into JSON before validation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scalar {
    Text,
    Integer,
    Number,
    Boolean,
    /// Any JSON: the text is parsed as JSON when it can be, kept as a string otherwise.
    Json,
}

/// One path or query parameter of an operation.
#[derive(Debug)]
pub(crate) struct Parameter {
    pub name: &'static str,
    pub scalar: Scalar,
    /// Several values: repeated keys and comma-separated values are both read.
    pub list: bool,
    /// The schema's default, as JSON text, applied when the parameter is absent.
    pub default: Option<&'static str>,
}

/// The static description of one operation that the handlers decode against.
#[derive(Debug)]
pub(crate) struct Operation {
    /// The path template, `/v1/subscribers/{subscriberId}`.
    pub template: &'static str,
    pub path_params: &'static [Parameter],
    pub query_params: &'static [Parameter],
    /// Pointer of the parameters' schema inside the schema document.
    pub parameters_schema: &'static str,
    /// Pointer of the body's schema inside the schema document, when the operation takes one.
    pub body_schema: Option<&'static str>,
    /// Whether an absent body is an error (answered as if `{}` was sent).
    pub body_required: bool,
    /// The largest accepted body, in bytes.
    pub body_limit: usize,
}

/// The decoded, validated inputs of one request.
pub(crate) struct Decoded<P, Q, B> {
    pub path: P,
    pub query: Q,
    pub body: B,
    pub context: RequestContext,
}

/// Stands for "no parameters of this kind" in [`decode`].
#[derive(serde::Deserialize)]
pub(crate) struct Nothing {}

const SCHEMA_BASE: &str = "https://novu-contract.invalid/spec.json";

static REGISTRY: LazyLock<jsonschema::Registry<'static>> = LazyLock::new(|| {
    let document: Value = serde_json::from_str(crate::schemas::DOCUMENT)
        .expect("the generated schema document is valid JSON");
    jsonschema::Registry::new()
        .add(SCHEMA_BASE, document)
        .and_then(|registry| registry.prepare())
        .expect("the generated schema document is a valid schema resource")
});

/// Compiles (once) the validator of the schema at `pointer` in the schema document.
fn validator(pointer: &'static str) -> &'static jsonschema::Validator {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static VALIDATORS: LazyLock<
        Mutex<HashMap<&'static str, &'static OnceLock<jsonschema::Validator>>>,
    > = LazyLock::new(Default::default);
    let cell = *VALIDATORS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(pointer)
        .or_insert_with(|| Box::leak(Box::new(OnceLock::new())));
    cell.get_or_init(|| {
        let reference = serde_json::json!({ "$ref": format!("{SCHEMA_BASE}#{pointer}") });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .with_registry(&REGISTRY)
            .should_validate_formats(true)
            .build(&reference)
            .expect("the generated schema document compiles")
    })
}

/// Reads the `Authorization: ApiKey <key>` header and asks the implementation who the key belongs to.
pub(crate) async fn authenticate<A: crate::NovuApi>(
    api: &A,
    parts: &Parts,
) -> Result<A::Caller, Response> {
    let path = path_and_query(parts);
    let Some(header) = parts.headers.get(AUTHORIZATION) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            &path,
            "Missing authorization header".into(),
        ));
    };
    let header = String::from_utf8_lossy(header.as_bytes());
    let (scheme, key) = header.split_once(' ').unwrap_or((&header, ""));
    if scheme != "ApiKey" {
        let message = format!("Invalid authentication scheme: \"{scheme}\"");
        return Err(error(StatusCode::UNAUTHORIZED, &path, message.into()));
    }
    if key.is_empty() {
        return Err(error_without_reason(
            StatusCode::UNAUTHORIZED,
            &path,
            "Unauthorized",
        ));
    }
    api.authenticate(key)
        .await
        .map_err(|refusal| error(StatusCode::UNAUTHORIZED, &path, refusal.message.into()))
}

/// Decodes and validates the path, query and body of a request for `operation`.
pub(crate) async fn decode<P, Q, B>(
    operation: &'static Operation,
    parts: Parts,
    body: Body,
) -> Result<Decoded<P, Q, B>, Response>
where
    P: DeserializeOwned,
    Q: DeserializeOwned,
    B: DeserializeOwned,
{
    let path = path_and_query(&parts);
    let reject = |messages: Vec<String>| bad_request(&path, messages);

    let mut parameters = Map::new();
    let segments = path_segments(operation.template, parts.uri.path())
        .ok_or_else(|| reject(vec!["the path does not match this operation".into()]))?;
    for parameter in operation.path_params {
        let Some(text) = segments
            .iter()
            .find(|(name, _)| name == parameter.name)
            .map(|(_, text)| text)
        else {
            continue;
        };
        parameters.insert(parameter.name.into(), scalar(parameter.scalar, text));
    }
    let query: Vec<(String, String)> =
        form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
    for parameter in operation.query_params {
        let values: Vec<&str> = query
            .iter()
            .filter(|(key, _)| {
                key == parameter.name || key.strip_suffix("[]") == Some(parameter.name)
            })
            .map(|(_, value)| value.as_str())
            .collect();
        let value = if values.is_empty() {
            match parameter.default {
                Some(default) => {
                    serde_json::from_str(default).expect("generated defaults are JSON")
                }
                None => continue,
            }
        } else if parameter.list {
            Value::Array(
                values
                    .iter()
                    .flat_map(|value| value.split(','))
                    .filter(|item| !item.is_empty())
                    .map(|item| scalar(parameter.scalar, item))
                    .collect(),
            )
        } else {
            scalar(parameter.scalar, values[values.len() - 1])
        };
        parameters.insert(parameter.name.into(), value);
    }
    let parameters = Value::Object(parameters);
    let messages = violations(operation.parameters_schema, &parameters);
    if !messages.is_empty() {
        return Err(reject(messages));
    }
    let path_values = pick(&parameters, operation.path_params);
    let query_values = pick(&parameters, operation.query_params);
    let path_params: P =
        serde_json::from_value(path_values).map_err(|problem| reject(vec![problem.to_string()]))?;
    let query_params: Q = serde_json::from_value(query_values)
        .map_err(|problem| reject(vec![problem.to_string()]))?;

    let body_value = match operation.body_schema {
        None => Value::Null,
        Some(schema) => {
            let bytes = read_body(body, operation.body_limit, &path).await?;
            let value = if bytes.iter().all(u8::is_ascii_whitespace) {
                if operation.body_required {
                    Value::Object(Map::new())
                } else {
                    Value::Null
                }
            } else if !is_json(&parts.headers) {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    &path,
                    "request body must be sent with Content-Type: application/json".into(),
                ));
            } else {
                serde_json::from_slice(&bytes).map_err(|problem| {
                    reject(vec![format!("request body is not valid JSON: {problem}")])
                })?
            };
            if !value.is_null() {
                let messages = violations(schema, &value);
                if !messages.is_empty() {
                    return Err(reject(messages));
                }
            }
            value
        }
    };
    let body = B::deserialize(&body_value).map_err(|problem| reject(vec![problem.to_string()]))?;

    Ok(Decoded {
        path: path_params,
        query: query_params,
        body,
        context: RequestContext {
            path_and_query: path,
            headers: parts.headers,
            raw_body: body_value,
        },
    })
}

fn pick(parameters: &Value, wanted: &[Parameter]) -> Value {
    let mut picked = Map::new();
    for parameter in wanted {
        if let Some(value) = parameters.get(parameter.name) {
            picked.insert(parameter.name.into(), value.clone());
        }
    }
    Value::Object(picked)
}

async fn read_body(body: Body, limit: usize, path: &str) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            path,
            format!("request body is larger than {limit} bytes").into(),
        )
    })
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            let essence = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        })
        .unwrap_or(false)
}

/// Matches `path` against `template` segment by segment and returns the percent-decoded
/// values of its `{parameters}`; `None` when the path does not have the template's shape.
fn path_segments(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let template: Vec<&str> = template.trim_matches('/').split('/').collect();
    let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
    if template.len() != actual.len() {
        return None;
    }
    let mut values = Vec::new();
    for (pattern, segment) in template.iter().zip(actual) {
        let decoded = percent_encoding::percent_decode_str(segment)
            .decode_utf8()
            .ok()?
            .into_owned();
        match pattern
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
        {
            Some(name) => values.push((name.to_owned(), decoded)),
            None if *pattern == segment || *pattern == decoded => {}
            None => return None,
        }
    }
    Some(values)
}

fn scalar(kind: Scalar, text: &str) -> Value {
    let parsed = match kind {
        Scalar::Text => None,
        Scalar::Integer => text.parse::<i64>().ok().map(Value::from),
        Scalar::Number => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        Scalar::Boolean => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Scalar::Json => serde_json::from_str(text).ok(),
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

/// Every violation of the schema at `pointer`, one message per broken constraint, worded as
/// the API words them (`name should not be null or undefined`).
fn violations(pointer: &'static str, instance: &Value) -> Vec<String> {
    let mut messages: Vec<String> = validator(pointer)
        .iter_errors(instance)
        .map(|problem| describe(&problem))
        .collect();
    messages.dedup();
    messages
}

fn describe(problem: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::{TypeKind, ValidationErrorKind as Kind};
    let location: Vec<String> = problem
        .instance_path()
        .into_iter()
        .map(|segment| match segment {
            jsonschema::paths::LocationSegment::Property(name) => name.to_string(),
            jsonschema::paths::LocationSegment::Index(index) => index.to_string(),
        })
        .collect();
    let mut subject = location.join(".");
    match problem.kind() {
        Kind::Required { property } => {
            let property = property
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| property.to_string());
            if !subject.is_empty() {
                subject.push('.');
            }
            subject.push_str(&property);
            return format!("{subject} should not be null or undefined");
        }
        _ if subject.is_empty() => subject = "request body".into(),
        _ => {}
    }
    let rule = match problem.kind() {
        Kind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(single) => single.to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|kind| kind.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            match expected.as_str() {
                "string" => "must be a string".to_owned(),
                "boolean" => "must be a boolean value".to_owned(),
                "integer" => "must be an integer number".to_owned(),
                "number" => "must be a number conforming to the specified constraints".to_owned(),
                "object" => "must be an object".to_owned(),
                "array" => "must be an array".to_owned(),
                other => format!("must be of type {other}"),
            }
        }
        Kind::Enum { options } => {
            let values: Vec<String> = options
                .as_array()
                .map(|values| {
                    values
                        .iter()
                        .map(|value| {
                            value
                                .as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| value.to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("must be one of the following values: {}", values.join(", "))
        }
        Kind::MaxLength { limit } => format!("must be shorter than or equal to {limit} characters"),
        Kind::MinLength { limit } => format!("must be longer than or equal to {limit} characters"),
        Kind::MaxItems { limit } => format!("must contain no more than {limit} elements"),
        Kind::MinItems { limit: 1 } => "should not be empty".to_owned(),
        Kind::MinItems { limit } => format!("must contain at least {limit} elements"),
        Kind::Minimum { limit } => format!("must not be less than {limit}"),
        Kind::Maximum { limit } => format!("must not be greater than {limit}"),
        Kind::Pattern { pattern } if pattern == "^[0-9a-fA-F]{24}$" => {
            "must be a mongodb id".to_owned()
        }
        Kind::Pattern { pattern } => format!("must match /{pattern}/ regular expression"),
        Kind::Format { format } => match format.as_str() {
            "email" => "must be an email".to_owned(),
            "uri" | "url" => "must be a URL address".to_owned(),
            "date-time" => "must be a valid ISO 8601 date string".to_owned(),
            other => format!("must be a valid {other}"),
        },
        _ => format!("is invalid: {problem}"),
    };
    format!("{subject} {rule}")
}

fn path_and_query(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map(|value| value.as_str().to_owned())
        .unwrap_or_else(|| parts.uri.path().to_owned())
}

fn bad_request(path: &str, messages: Vec<String>) -> Response {
    error(StatusCode::BAD_REQUEST, path, Value::from(messages))
}

/// The API's error body: `statusCode`, `timestamp`, `path`, `message` and the reason phrase as `error`.
pub(crate) fn error(status: StatusCode, path: &str, message: Value) -> Response {
    let mut body = error_fields(status, path, message);
    if let Some(reason) = status.canonical_reason() {
        body.insert("error".into(), reason.into());
    }
    json(status, &Value::Object(body), Vec::new())
}

fn error_without_reason(status: StatusCode, path: &str, message: &str) -> Response {
    json(
        status,
        &Value::Object(error_fields(status, path, message.into())),
        Vec::new(),
    )
}

fn error_fields(status: StatusCode, path: &str, message: Value) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("statusCode".into(), status.as_u16().into());
    body.insert(
        "timestamp".into(),
        chrono::Utc::now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .into(),
    );
    body.insert("path".into(), path.into());
    body.insert("message".into(), message);
    body
}

/// Answers an unknown route or method the way the API does: 404 `Cannot <METHOD> <path>`.
pub(crate) async fn not_found(request: axum::extract::Request) -> Response {
    let message = format!("Cannot {} {}", request.method(), request.uri().path());
    let path = request
        .uri()
        .path_and_query()
        .map(|value| value.as_str().to_owned())
        .unwrap_or_default();
    error(StatusCode::NOT_FOUND, &path, message.into())
}

/// A JSON answer with `status`, `body` and extra headers.
pub(crate) fn json<T: Serialize>(
    status: StatusCode,
    body: &T,
    headers: Vec<(&'static str, Option<String>)>,
) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => with_headers(
            (
                status,
                [(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                )],
                bytes,
            )
                .into_response(),
            headers,
        ),
        Err(problem) => {
            let mut body = error_fields(
                StatusCode::INTERNAL_SERVER_ERROR,
                "",
                format!("response body could not be encoded: {problem}").into(),
            );
            body.insert("errorId".into(), "response-encoding".into());
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(Value::Object(body)),
            )
                .into_response()
        }
    }
}

/// A body-less answer with `status` and extra headers.
pub(crate) fn empty(status: StatusCode, headers: Vec<(&'static str, Option<String>)>) -> Response {
    with_headers(status.into_response(), headers)
}

/// A text answer (`text/html`, …) with `status` and extra headers.
pub(crate) fn text(
    status: StatusCode,
    media_type: &'static str,
    body: String,
    headers: Vec<(&'static str, Option<String>)>,
) -> Response {
    with_headers(
        (
            status,
            [(CONTENT_TYPE, HeaderValue::from_static(media_type))],
            body,
        )
            .into_response(),
        headers,
    )
}

fn with_headers(mut response: Response, headers: Vec<(&'static str, Option<String>)>) -> Response {
    for (name, value) in headers {
        let Some(value) = value else { continue };
        let name = if name.eq_ignore_ascii_case("location") {
            LOCATION
        } else {
            HeaderName::from_static(name)
        };
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_decode_parameters_and_match_static_segments() {
        let values = path_segments(
            "/v1/topics/{topicKey}/subscribers/{externalSubscriberId}",
            "/v1/topics/a%20b/subscribers/removal",
        );
        assert_eq!(
            values,
            Some(vec![
                ("topicKey".into(), "a b".into()),
                ("externalSubscriberId".into(), "removal".into())
            ])
        );
        assert_eq!(
            path_segments("/v1/topics/{topicKey}", "/v1/tenants/x"),
            None
        );
        assert_eq!(
            path_segments("/v1/topics/{topicKey}", "/v1/topics/x/y"),
            None
        );
    }

    #[test]
    fn scalars_keep_unparseable_text_for_the_validator_to_reject() {
        assert_eq!(scalar(Scalar::Integer, "12"), Value::from(12));
        assert_eq!(scalar(Scalar::Integer, "1.5"), Value::from("1.5"));
        assert_eq!(scalar(Scalar::Boolean, "true"), Value::from(true));
        assert_eq!(scalar(Scalar::Boolean, "yes"), Value::from("yes"));
        assert_eq!(scalar(Scalar::Text, "12"), Value::from("12"));
    }
}
