//! What Novu does around its controllers rather than in them, as layers around the generated
//! router: rate limits (outermost, so a refused request changes nothing) and idempotency keys
//! (inside, so a replay still counts against the rate limit, as in Novu, whose rate-limit
//! interceptor runs first). The handlers know nothing of either.
//!
//! Only requests whose `Authorization: ApiKey <key>` names a known environment and that reach
//! a route the API serves to API keys are considered (Novu's interceptors run inside its router
//! and after its authentication guard, which refuses an API key on a dashboard-only route):
//! every other request passes through untouched, to the router's 401 or 404.

mod idempotency;
mod rate_limit;

use std::sync::Arc;

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::{Router, middleware};
use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value};

use crate::api::Callers;
use crate::caller::Caller;
use crate::config::Config;

/// `router` with the layers `config` turns on.
pub(crate) fn around(router: Router, callers: Arc<Callers>, config: &Config) -> Router {
    let mut router = router;
    if config.idempotency {
        let keys = Arc::new(idempotency::Keys::new(callers.clone()));
        router = router.route_layer(middleware::from_fn_with_state(keys, idempotency::layer));
    }
    if let Some(limits) = &config.rate_limits {
        let limiter = Arc::new(rate_limit::Limiter::new(callers, limits.clone()));
        router = router.route_layer(middleware::from_fn_with_state(limiter, rate_limit::layer));
    }
    router
}

/// Whether `request` reached a route the API serves to its dashboard only.
fn dashboard_only(request: &axum::extract::Request) -> bool {
    let Some(matched) = request.extensions().get::<axum::extract::MatchedPath>() else {
        return false;
    };
    novu_server::DASHBOARD_ONLY_ROUTES
        .iter()
        .any(|(method, path)| request.method() == *method && matched.as_str() == *path)
}

/// The environment behind the request's API key, or `None` when the request is not one a
/// layer considers (no `ApiKey` credentials, or a key nobody has).
async fn caller(callers: &Callers, headers: &HeaderMap) -> Option<Caller> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let key = value.strip_prefix("ApiKey ")?;
    if key.is_empty() {
        return None;
    }
    callers.resolve(key).await
}

/// The API's error body for `status` (with the reason phrase as `error` when `with_reason`).
fn error_answer(status: StatusCode, path: &str, message: String, with_reason: bool) -> Response {
    let mut body = Map::new();
    body.insert("statusCode".into(), status.as_u16().into());
    body.insert(
        "timestamp".into(),
        Utc::now()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
            .into(),
    );
    body.insert("path".into(), path.into());
    body.insert("message".into(), message.into());
    if with_reason && let Some(reason) = status.canonical_reason() {
        body.insert("error".into(), reason.into());
    }
    let bytes = serde_json::to_vec(&Value::Object(body)).expect("a JSON map always encodes");
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The request's path and query string as sent, the `path` of error bodies.
fn path_and_query(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map(|value| value.as_str().to_owned())
        .unwrap_or_else(|| uri.path().to_owned())
}
