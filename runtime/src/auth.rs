//! Who is calling: the `Authorization: ApiKey <key>` header, resolved by the implementation.

use std::future::Future;

use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::Response;

use crate::answer::{error, error_without_reason, path_and_query};

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

/// How an implementation resolves API keys; every per-tag trait of a generated server builds
/// on it, so one `Caller` type serves the whole API.
pub trait Authenticate: Send + Sync + 'static {
    /// Who a valid API key belongs to (an environment, typically).
    type Caller: Send + Sync + 'static;

    /// Resolves the key of `Authorization: ApiKey <key>`; an error is answered with 401 and its
    /// message (`API Key not found`).
    fn authenticate(
        &self,
        api_key: &str,
    ) -> impl Future<Output = Result<Self::Caller, AuthError>> + Send;
}

/// Reads the `Authorization: ApiKey <key>` header and asks `api` who the key belongs to; a
/// missing header, another scheme or an empty key are refused before `api` is asked.
pub async fn authenticate<A: Authenticate>(api: &A, parts: &Parts) -> Result<A::Caller, Response> {
    let path = path_and_query(parts);
    let Some(header) = parts.headers.get(AUTHORIZATION) else {
        return Err(missing_header(&path));
    };
    let header = String::from_utf8_lossy(header.as_bytes());
    let (scheme, key) = header.split_once(' ').unwrap_or((&header, ""));
    match scheme {
        "ApiKey" if key.is_empty() => Err(unauthorized(&path)),
        "ApiKey" => api
            .authenticate(key)
            .await
            .map_err(|refusal| error(StatusCode::UNAUTHORIZED, &path, refusal.message.into())),
        // A dashboard session token; an API implementation has no sessions to match it with.
        "Bearer" => Err(unauthorized(&path)),
        _ => Err(invalid_scheme(&path, scheme)),
    }
}

/// Answers a route the API serves to dashboard sessions only: an API key is refused with 401
/// `API endpoint not available` before the key is even looked up, the other refusals are those
/// of [`authenticate`] (a session token is never valid here).
pub async fn dashboard_only(request: axum::extract::Request) -> Response {
    let (parts, _) = request.into_parts();
    let path = path_and_query(&parts);
    let Some(header) = parts.headers.get(AUTHORIZATION) else {
        return missing_header(&path);
    };
    let header = String::from_utf8_lossy(header.as_bytes());
    match header
        .split_once(' ')
        .map_or(header.as_ref(), |(scheme, _)| scheme)
    {
        "ApiKey" => error(
            StatusCode::UNAUTHORIZED,
            &path,
            "API endpoint not available".into(),
        ),
        "Bearer" => unauthorized(&path),
        scheme => invalid_scheme(&path, scheme),
    }
}

fn missing_header(path: &str) -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        path,
        "Missing authorization header".into(),
    )
}

/// The bare 401 of a credential that is present but empty or unusable (no `error` field).
fn unauthorized(path: &str) -> Response {
    error_without_reason(StatusCode::UNAUTHORIZED, path, "Unauthorized")
}

fn invalid_scheme(path: &str, scheme: &str) -> Response {
    let message = format!("Invalid authentication scheme: \"{scheme}\"");
    error(StatusCode::UNAUTHORIZED, path, message.into())
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use axum::http::Request;
    use serde_json::Value;

    use super::*;

    struct OneKey;

    impl Authenticate for OneKey {
        type Caller = &'static str;

        async fn authenticate(&self, api_key: &str) -> Result<&'static str, AuthError> {
            if api_key == "right" {
                Ok("environment")
            } else {
                Err(AuthError::new("API Key not found"))
            }
        }
    }

    async fn refusal(header: Option<&str>) -> (StatusCode, Value) {
        let mut request = Request::get("/v1/things?page=1");
        if let Some(header) = header {
            request = request.header(AUTHORIZATION, header);
        }
        let (parts, ()) = request.body(()).unwrap().into_parts();
        let response = authenticate(&OneKey, &parts).await.unwrap_err();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn every_refusal_is_a_401_with_the_api_message() {
        for (header, message, reason) in [
            (None, "Missing authorization header", Some("Unauthorized")),
            (
                Some("Token x"),
                "Invalid authentication scheme: \"Token\"",
                Some("Unauthorized"),
            ),
            (Some("Bearer x"), "Unauthorized", None),
            (Some("ApiKey"), "Unauthorized", None),
            (
                Some("ApiKey wrong"),
                "API Key not found",
                Some("Unauthorized"),
            ),
        ] {
            let (status, body) = refusal(header).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{header:?}");
            assert_eq!(body["message"], message, "{header:?}");
            assert_eq!(body["statusCode"], 401);
            assert_eq!(body["path"], "/v1/things?page=1");
            assert_eq!(body["error"].as_str(), reason, "{header:?}");
        }
    }

    #[tokio::test]
    async fn a_known_key_yields_its_caller() {
        let (parts, ()) = Request::get("/v1/things")
            .header(AUTHORIZATION, "ApiKey right")
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(authenticate(&OneKey, &parts).await.unwrap(), "environment");
    }

    async fn dashboard_refusal(header: Option<&str>) -> (StatusCode, Value) {
        let mut request = Request::put("/v1/users/profile/email");
        if let Some(header) = header {
            request = request.header(AUTHORIZATION, header);
        }
        let response = dashboard_only(request.body(axum::body::Body::empty()).unwrap()).await;
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn a_dashboard_route_refuses_any_api_key_before_looking_it_up() {
        for (header, message, reason) in [
            (
                Some("ApiKey right"),
                "API endpoint not available",
                Some("Unauthorized"),
            ),
            (
                Some("ApiKey"),
                "API endpoint not available",
                Some("Unauthorized"),
            ),
            (None, "Missing authorization header", Some("Unauthorized")),
            (Some("Bearer token"), "Unauthorized", None),
            (
                Some("Basic x"),
                "Invalid authentication scheme: \"Basic\"",
                Some("Unauthorized"),
            ),
        ] {
            let (status, body) = dashboard_refusal(header).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{header:?}");
            assert_eq!(body["message"], message, "{header:?}");
            assert_eq!(body["path"], "/v1/users/profile/email");
            assert_eq!(body["error"].as_str(), reason, "{header:?}");
        }
    }
}
