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
                Some("Bearer x"),
                "Invalid authentication scheme: \"Bearer\"",
                Some("Unauthorized"),
            ),
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
}
