//! What Novu's HTTP layer answers before any route is matched: its CORS middleware answers
//! every `OPTIONS` request itself (204, on any path, before authentication), and the 404 of a
//! method a path does not declare names no allowed methods (no `Allow` header).

use axum::Router;
use axum::extract::Request;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ALLOW, CONTENT_LENGTH,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

/// The methods Novu's CORS layer announces.
const ALLOWED_METHODS: &str = "GET,HEAD,POST,PUT,DELETE,PATCH,OPTIONS";

/// The request headers Novu's CORS layer announces (its shared request-header names).
const ALLOWED_HEADERS: &str = "Authorization,User-Agent,Content-Type,Sentry-Trace,Novu-Environment-Id,Novu-API-Version,Novu-User-Agent,Bypass-Tunnel-Reminder";

/// How long a browser may keep a preflight answer, in seconds.
const MAX_AGE: &str = "86400";

/// `router` behind the API's CORS layer: `OPTIONS` on any path is answered 204 without
/// reaching a route, and no answer carries `Allow` (the router's 404 for an undeclared method
/// would otherwise list the declared ones).
pub fn cors(router: Router) -> Router {
    Router::new()
        .fallback_service(router)
        .layer(middleware::from_fn(preflight))
}

async fn preflight(request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        return preflight_answer();
    }
    let mut response = next.run(request).await;
    response.headers_mut().remove(ALLOW);
    response
}

/// The CORS layer's answer to a preflight: 204, no body, the methods and headers it allows.
fn preflight_answer() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        (ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS),
        (ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS),
        (ACCESS_CONTROL_MAX_AGE, MAX_AGE),
        (CONTENT_LENGTH, "0"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;

    use super::*;
    use crate::not_found;

    async fn answer(method: &str, path: &str) -> Response {
        use tower_service::Service as _;
        let mut app = cors(
            Router::new()
                .route("/v1/notes", get(|| async { "notes" }))
                .fallback(not_found)
                .method_not_allowed_fallback(not_found),
        );
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap();
        app.call(request).await.unwrap()
    }

    #[tokio::test]
    async fn options_is_answered_204_on_any_path_before_routing() {
        for path in ["/v1/notes", "/v1/nowhere", "/"] {
            let response = answer("OPTIONS", path).await;
            assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
            assert!(response.headers().get(ALLOW).is_none(), "{path}");
            assert_eq!(
                response.headers()[ACCESS_CONTROL_ALLOW_METHODS],
                ALLOWED_METHODS
            );
        }
    }

    #[tokio::test]
    async fn an_undeclared_method_is_a_404_without_allow() {
        let response = answer("PUT", "/v1/notes").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.headers().get(ALLOW).is_none());
        assert_eq!(answer("GET", "/v1/notes").await.status(), StatusCode::OK);
    }
}
