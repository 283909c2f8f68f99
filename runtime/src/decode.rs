//! Turning a request into an operation's typed inputs: path and query parameters read from
//! text, the body read within its limit, and both validated against the spec's schemas before
//! they are deserialized.

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::answer::{error, path_and_query};
use crate::schema::SchemaDocument;

/// What every handler knows about the request beyond its typed inputs.
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// The request's path and query string as sent, the `path` of error bodies.
    pub path_and_query: String,
    /// The request's headers (e.g. `Idempotency-Key`).
    pub headers: HeaderMap,
}

/// How one parameter's text is turned into JSON before validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// Kept as a string.
    Text,
    /// A 64-bit integer when the text is one.
    Integer,
    /// A finite number when the text is one.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Any JSON: the text is parsed as JSON when it can be, kept as a string otherwise.
    Json,
}

/// One path or query parameter of an operation.
#[derive(Debug)]
pub struct Parameter {
    /// The wire name.
    pub name: &'static str,
    /// How its text becomes JSON.
    pub scalar: Scalar,
    /// Several values: repeated keys and comma-separated values are both read.
    pub list: bool,
    /// The schema's default, as JSON text, applied when the parameter is absent.
    pub default: Option<&'static str>,
}

/// The static description of one operation that requests are decoded against.
#[derive(Debug)]
pub struct Operation {
    /// The schema document the pointers below point into.
    pub schemas: &'static SchemaDocument,
    /// The path template, `/v1/subscribers/{subscriberId}`.
    pub template: &'static str,
    /// The path parameters.
    pub path_params: &'static [Parameter],
    /// The query parameters.
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
#[derive(Debug)]
pub struct Decoded<P, Q, B> {
    /// The path parameters.
    pub path: P,
    /// The query parameters.
    pub query: Q,
    /// The body.
    pub body: B,
    /// The rest of the request.
    pub context: RequestContext,
}

/// Stands for "no parameters of this kind" in [`decode`].
#[derive(Debug, serde::Deserialize)]
pub struct Nothing {}

/// Decodes and validates the path, query and body of a request for `operation`; a rejection is
/// the API's 400 (or 413) error body listing every problem.
pub async fn decode<P, Q, B>(
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
        if let Some(value) = query_value(parameter, &query) {
            parameters.insert(parameter.name.into(), value);
        }
    }
    let parameters = Value::Object(parameters);
    let messages = operation
        .schemas
        .violations(operation.parameters_schema, &parameters);
    if !messages.is_empty() {
        return Err(reject(messages));
    }
    let path_values = pick(&parameters, operation.path_params);
    let path_params: P = P::deserialize(&path_values)
        .map_err(|problem| reject(unreadable(&path_values, "", problem)))?;
    let query_values = pick(&parameters, operation.query_params);
    let query_params: Q = Q::deserialize(&query_values)
        .map_err(|problem| reject(unreadable(&query_values, "", problem)))?;

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
                let value: Value = serde_json::from_slice(&bytes).map_err(|problem| {
                    reject(vec![format!("request body is not valid JSON: {problem}")])
                })?;
                // The API's JSON parser is strict: a body is an object or an array, never a
                // bare `null`, number, string or boolean.
                if !(value.is_object() || value.is_array()) {
                    return Err(reject(vec![
                        "request body is not valid JSON: a body must be a JSON object or array"
                            .into(),
                    ]));
                }
                value
            };
            let value = operation.schemas.without_ignored_nulls(schema, value);
            if !value.is_null() {
                let messages = operation.schemas.violations(schema, &value);
                if !messages.is_empty() {
                    return Err(reject(messages));
                }
            }
            value
        }
    };
    let body = B::deserialize(&body_value).map_err(|problem| {
        reject(unreadable(
            &body_value,
            "request body could not be read: ",
            problem,
        ))
    })?;

    Ok(Decoded {
        path: path_params,
        query: query_params,
        body,
        context: RequestContext {
            path_and_query: path,
            headers: parts.headers,
        },
    })
}

/// The messages for `values` that passed validation and still could not be read into their
/// typed form. The schemas allow any integer and the types hold 64 bits, so a larger one is
/// the usual cause: it is named as the API's validation names a value that is no integer it
/// can use. Anything else is told as `problem`, after `lead`.
fn unreadable(values: &Value, lead: &str, problem: serde_json::Error) -> Vec<String> {
    let too_large = integers_beyond_64_bits(values, &mut Vec::new());
    if too_large.is_empty() {
        return vec![format!("{lead}{problem}")];
    }
    too_large
        .into_iter()
        .map(|subject| format!("{subject} must be an integer number"))
        .collect()
}

/// The locations (`steps.0.metadata.amount`) of the integral numbers in `value` that do not fit
/// a signed 64-bit integer.
fn integers_beyond_64_bits(value: &Value, location: &mut Vec<String>) -> Vec<String> {
    let mut found = Vec::new();
    match value {
        Value::Number(number) if !number.is_i64() => {
            let integral =
                number.is_u64() || number.as_f64().is_some_and(|float| float.fract() == 0.0);
            if integral {
                found.push(if location.is_empty() {
                    "request body".to_owned()
                } else {
                    location.join(".")
                });
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                location.push(index.to_string());
                found.extend(integers_beyond_64_bits(item, location));
                location.pop();
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                location.push(name.clone());
                found.extend(integers_beyond_64_bits(field, location));
                location.pop();
            }
        }
        _ => {}
    }
    found
}

/// The JSON value of a query parameter: its last value, or all of them for a list (repeated
/// keys, `key[]`, and comma-separated values alike), or its default when it is absent.
fn query_value(parameter: &Parameter, query: &[(String, String)]) -> Option<Value> {
    let values: Vec<&str> = query
        .iter()
        .filter(|(key, _)| key == parameter.name || key.strip_suffix("[]") == Some(parameter.name))
        .map(|(_, value)| value.as_str())
        .collect();
    if values.is_empty() {
        return parameter
            .default
            .map(|default| serde_json::from_str(default).expect("generated defaults are JSON"));
    }
    Some(if parameter.list {
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

fn bad_request(path: &str, messages: Vec<String>) -> Response {
    error(StatusCode::BAD_REQUEST, path, Value::from(messages))
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
        // The API reads a query number with JavaScript's `Number`: `1.5` is a number that is
        // no integer, `2.0` the integer 2.
        Scalar::Integer => text.parse::<i64>().ok().map(Value::from).or_else(|| {
            let number = text
                .parse::<f64>()
                .ok()
                .filter(|number| number.is_finite())?;
            if number.fract() == 0.0 && number.abs() < 9.0e15 {
                Some(Value::from(number as i64))
            } else {
                serde_json::Number::from_f64(number).map(Value::Number)
            }
        }),
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

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use axum::http::Request;
    use serde::Deserialize;
    use serde_json::json;

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
        assert_eq!(scalar(Scalar::Integer, "1.5"), Value::from(1.5));
        assert_eq!(scalar(Scalar::Integer, "2.0"), Value::from(2));
        assert_eq!(scalar(Scalar::Integer, "first"), Value::from("first"));
        assert_eq!(scalar(Scalar::Boolean, "true"), Value::from(true));
        assert_eq!(scalar(Scalar::Boolean, "yes"), Value::from("yes"));
        assert_eq!(scalar(Scalar::Text, "12"), Value::from("12"));
        assert_eq!(scalar(Scalar::Json, "{\"a\":1}"), json!({"a": 1}));
        assert_eq!(scalar(Scalar::Json, "{a"), Value::from("{a"));
    }

    static SCHEMAS: SchemaDocument = SchemaDocument::new(
        r#"{
            "components": {"schemas": {"Note": {
                "type": "object", "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 4},
                    "counts": {"type": "array", "items": {"type": "integer"}}
                }
            }}},
            "operations": {"notes_update": {"parameters": {
                "type": "object",
                "properties": {
                    "noteId": {"type": "string"},
                    "page": {"type": "integer", "minimum": 0},
                    "labels": {"type": "array", "items": {"type": "string"}}
                }
            }}}
        }"#,
    );

    static NOTES_UPDATE: Operation = Operation {
        schemas: &SCHEMAS,
        template: "/v1/notes/{noteId}",
        path_params: &[Parameter {
            name: "noteId",
            scalar: Scalar::Text,
            list: false,
            default: None,
        }],
        query_params: &[
            Parameter {
                name: "page",
                scalar: Scalar::Integer,
                list: false,
                default: Some("0"),
            },
            Parameter {
                name: "labels",
                scalar: Scalar::Text,
                list: true,
                default: None,
            },
        ],
        parameters_schema: "/operations/notes_update/parameters",
        body_schema: Some("/components/schemas/Note"),
        body_required: true,
        body_limit: 64,
    };

    #[derive(Debug, Deserialize)]
    struct Path {
        #[serde(rename = "noteId")]
        note_id: String,
    }

    #[derive(Debug, Deserialize)]
    struct Query {
        page: i64,
        labels: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize)]
    struct Note {
        name: String,
        #[allow(dead_code)]
        counts: Option<Vec<i64>>,
    }

    async fn decode_note(
        uri: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> Result<Decoded<Path, Query, Note>, (StatusCode, Value)> {
        let mut request = Request::patch(uri);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let (parts, body) = request
            .body(Body::from(body.to_owned()))
            .unwrap()
            .into_parts();
        match decode(&NOTES_UPDATE, parts, body).await {
            Ok(decoded) => Ok(decoded),
            Err(response) => {
                let status = response.status();
                let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
                Err((status, serde_json::from_slice(&bytes).unwrap()))
            }
        }
    }

    #[tokio::test]
    async fn valid_requests_decode_to_typed_inputs() {
        let decoded = decode_note(
            "/v1/notes/a%2Fb?labels=x,y&labels[]=z",
            Some("application/json; charset=utf-8"),
            r#"{"name":"abc"}"#,
        )
        .await
        .unwrap();
        assert_eq!(decoded.path.note_id, "a/b");
        assert_eq!(decoded.query.page, 0, "the default applies");
        assert_eq!(decoded.query.labels.unwrap(), ["x", "y", "z"]);
        assert_eq!(decoded.body.name, "abc");
        assert_eq!(
            decoded.context.path_and_query,
            "/v1/notes/a%2Fb?labels=x,y&labels[]=z"
        );
    }

    #[tokio::test]
    async fn every_rejection_is_the_api_error_body() {
        let json = Some("application/json");
        let cases = [
            (
                "/v1/notes/n?page=-1",
                json,
                r#"{"name":"a"}"#,
                400,
                json!(["page must not be less than 0"]),
            ),
            (
                "/v1/notes/n?page=x",
                json,
                r#"{"name":"a"}"#,
                400,
                json!([
                    "page must not be less than 0",
                    "page must be an integer number"
                ]),
            ),
            (
                "/v1/notes/n",
                json,
                r#"{"name":"abcdef"}"#,
                400,
                json!(["name must be shorter than or equal to 4 characters"]),
            ),
            (
                "/v1/notes/n",
                json,
                "",
                400,
                json!([
                    "name should not be null or undefined",
                    "name must be a string"
                ]),
            ),
            (
                "/v1/notes/n?page=18446744073709551616",
                json,
                r#"{"name":"a"}"#,
                400,
                json!(["page must be an integer number"]),
            ),
            (
                "/v1/notes/n",
                json,
                r#"{"name":"a","counts":[1,9223372036854775808,1e19]}"#,
                400,
                json!([
                    "counts.1 must be an integer number",
                    "counts.2 must be an integer number"
                ]),
            ),
            (
                "/v1/notes/n",
                Some("text/plain"),
                r#"{"name":"a"}"#,
                400,
                json!("request body must be sent with Content-Type: application/json"),
            ),
            (
                "/v1/notes/n",
                json,
                &"x".repeat(65),
                413,
                json!("request body is larger than 64 bytes"),
            ),
        ];
        for (uri, content_type, body, status, message) in cases {
            let (got_status, got) = decode_note(uri, content_type, body).await.unwrap_err();
            assert_eq!(got_status.as_u16(), status, "{uri} {body}");
            assert_eq!(got["message"], message, "{uri} {body}");
            assert_eq!(got["path"], uri);
        }
        let (_, got) = decode_note("/v1/notes/n", json, "{").await.unwrap_err();
        let message = got["message"][0].as_str().unwrap();
        assert!(
            message.starts_with("request body is not valid JSON"),
            "{message}"
        );
        for scalar in ["null", " 3", "\"x\"", "true"] {
            let (status, got) = decode_note("/v1/notes/n", json, scalar).await.unwrap_err();
            assert_eq!(status.as_u16(), 400, "{scalar}");
            assert_eq!(
                got["message"],
                json!(["request body is not valid JSON: a body must be a JSON object or array"]),
                "{scalar}"
            );
        }
    }
}
