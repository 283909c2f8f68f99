//! What goes back on the wire: the API's error body, JSON, text and empty answers, and the
//! [`Documented`] trait every generated response enum implements.

use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

/// Extra response headers by lower-case wire name; `None` leaves a header out.
pub type HeaderList = Vec<(&'static str, Option<String>)>;

/// An operation's response enum, which owns every status the operation documents.
///
/// An implementation that fails with a status picks the variant through
/// [`Documented::from_failure`] instead of naming it, so a documented error status can never be
/// forgotten; a status the operation does not document comes back as `Err`, for the
/// implementation to turn into a documented one (a 500, typically).
pub trait Documented: IntoResponse + Sized {
    /// The body every documented error answer of the operation carries.
    type Failure;

    /// The error statuses (400 and above) the operation documents, ascending.
    const FAILURE_STATUSES: &'static [u16];

    /// The documented answer for `status` with `body`, or `body` back when the operation does
    /// not document `status`.
    fn from_failure(status: StatusCode, body: Self::Failure) -> Result<Self, Self::Failure>;
}

/// The request's path and query string as sent, the `path` of error bodies.
pub(crate) fn path_and_query(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map(|value| value.as_str().to_owned())
        .unwrap_or_else(|| parts.uri.path().to_owned())
}

/// The API's error body (`statusCode`, `timestamp`, `path`, `message` and the reason phrase as
/// `error`) with `status`.
pub fn error(status: StatusCode, path: &str, message: Value) -> Response {
    let mut body = error_fields(status, path, message);
    if let Some(reason) = status.canonical_reason() {
        body.insert("error".into(), reason.into());
    }
    json(status, &Value::Object(body), Vec::new())
}

/// The error body without `error`, as the API sends it for an empty API key.
pub(crate) fn error_without_reason(status: StatusCode, path: &str, message: &str) -> Response {
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
pub async fn not_found(request: axum::extract::Request) -> Response {
    let message = format!("Cannot {} {}", request.method(), request.uri().path());
    let path = request
        .uri()
        .path_and_query()
        .map(|value| value.as_str().to_owned())
        .unwrap_or_default();
    let mut response = error(StatusCode::NOT_FOUND, &path, message.into());
    response.extensions_mut().insert(Unrouted);
    response
}

/// Marks the answer [`not_found`] gives, so that a layer around the routes can tell a method a
/// path does not declare from a route's own 404 (the API's interceptors never see the former).
#[derive(Debug, Clone, Copy)]
pub struct Unrouted;

/// A JSON answer with `status`, `body` and extra headers; a body that cannot be encoded is a
/// 500 error body saying so.
pub fn json<T: Serialize>(status: StatusCode, body: &T, headers: HeaderList) -> Response {
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
pub fn empty(status: StatusCode, headers: HeaderList) -> Response {
    with_headers(status.into_response(), headers)
}

/// A text answer (`text/html; charset=utf-8`, …) with `status` and extra headers.
pub fn text(
    status: StatusCode,
    media_type: &'static str,
    body: String,
    headers: HeaderList,
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

/// Adds the headers that have a value; one that is not a valid header value is left out.
fn with_headers(mut response: Response, headers: HeaderList) -> Response {
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
    use axum::body::to_bytes;

    use super::*;

    async fn body(response: Response) -> Value {
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn error_bodies_carry_status_path_message_and_reason() {
        let response = error(
            StatusCode::BAD_REQUEST,
            "/v1/x?y=1",
            Value::from(vec!["name must be a string"]),
        );
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "application/json; charset=utf-8"
        );
        let body = body(response).await;
        assert_eq!(body["statusCode"], 400);
        assert_eq!(body["path"], "/v1/x?y=1");
        assert_eq!(body["message"][0], "name must be a string");
        assert_eq!(body["error"], "Bad Request");
        let timestamp = body["timestamp"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(timestamp).is_ok());
        assert!(timestamp.ends_with('Z'), "{timestamp}");
    }

    #[tokio::test]
    async fn unknown_routes_name_the_method_and_path() {
        let request = axum::extract::Request::delete("/v1/nothing?x=1")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = not_found(request).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = body(response).await;
        assert_eq!(body["message"], "Cannot DELETE /v1/nothing");
        assert_eq!(body["path"], "/v1/nothing?x=1");
    }

    #[test]
    fn headers_without_a_value_or_with_an_invalid_one_are_left_out() {
        let response = empty(
            StatusCode::FOUND,
            vec![
                ("location", Some("https://example.invalid/next".into())),
                ("x-absent", None),
                ("x-broken", Some("line\nbreak".into())),
            ],
        );
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(response.headers()[LOCATION], "https://example.invalid/next");
        assert!(!response.headers().contains_key("x-absent"));
        assert!(!response.headers().contains_key("x-broken"));
        let page = text(
            StatusCode::OK,
            "text/html; charset=utf-8",
            "<p>done</p>".into(),
            Vec::new(),
        );
        assert_eq!(page.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    }
}
