//! Servers that break the contract on purpose: each breakage must become a clear violation,
//! never a panic or a hang.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use novu_conformance::{Error, Options, Report, Spec, run};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How a hostile server answers everything but the set-up probe (`GET /v1/environments/me`).
#[derive(Clone, Copy)]
pub enum Behaviour {
    GarbageJson,
    WrongShape,
    MismatchedErrorStatus,
    WrongContentType,
    UndocumentedStatus,
    Hang,
    TooLarge,
    RefuseKey,
    RateLimitTwice,
}

pub struct Hostile {
    behaviour: Behaviour,
    pub hits: AtomicU32,
}

async fn probe(State(hostile): State<Arc<Hostile>>) -> Response {
    match hostile.behaviour {
        Behaviour::RefuseKey => (StatusCode::UNAUTHORIZED, json_body(ERROR_BODY)).into_response(),
        _ => json_body("{}").into_response(),
    }
}

const ERROR_BODY: &str =
    r#"{"statusCode":418,"timestamp":"2024-10-24T09:30:00.000Z","path":"/v1","message":"teapot"}"#;

fn json_body(text: &'static str) -> ([(header::HeaderName, &'static str); 1], &'static str) {
    ([(header::CONTENT_TYPE, "application/json")], text)
}

async fn misbehave(State(hostile): State<Arc<Hostile>>) -> Response {
    let hit = hostile.hits.fetch_add(1, Ordering::SeqCst);
    match hostile.behaviour {
        Behaviour::GarbageJson => json_body(r#"{"data": [1, 2"#).into_response(),
        Behaviour::WrongShape => json_body(r#"{"data": {"name": 5}}"#).into_response(),
        Behaviour::MismatchedErrorStatus => {
            (StatusCode::UNAUTHORIZED, json_body(ERROR_BODY)).into_response()
        }
        Behaviour::WrongContentType => (
            [(header::CONTENT_TYPE, "text/plain")],
            r#"{"data":{"_id":"x","name":"Development"}}"#,
        )
            .into_response(),
        Behaviour::UndocumentedStatus => {
            (StatusCode::IM_A_TEAPOT, json_body(ERROR_BODY)).into_response()
        }
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            json_body("{}").into_response()
        }
        Behaviour::TooLarge => {
            let body = format!("{{\"data\":\"{}\"}}", "x".repeat(9 * 1024 * 1024));
            (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from(body),
            )
                .into_response()
        }
        Behaviour::RefuseKey => (StatusCode::UNAUTHORIZED, json_body(ERROR_BODY)).into_response(),
        Behaviour::RateLimitTwice if hit < 2 => (
            StatusCode::TOO_MANY_REQUESTS,
            [
                (header::RETRY_AFTER, "0"),
                (header::CONTENT_TYPE, "application/json"),
            ],
            ERROR_BODY,
        )
            .into_response(),
        Behaviour::RateLimitTwice => json_body("{}").into_response(),
    }
}

/// Starts a hostile server on 127.0.0.1:0 and returns its base URL and state.
pub async fn serve(behaviour: Behaviour) -> (String, Arc<Hostile>) {
    let hostile = Arc::new(Hostile {
        behaviour,
        hits: AtomicU32::new(0),
    });
    let app = Router::new()
        .route("/v1/environments/me", get(probe))
        .fallback(misbehave)
        .with_state(hostile.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{address}"), hostile)
}

/// A server that reads each request and then closes the connection without answering,
/// or (with `truncate`) after half a response.
async fn serve_closing(truncate: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = vec![0; 16 * 1024];
                let read = stream.read(&mut buffer).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buffer[..read]);
                if request.starts_with("GET /v1/environments/me ") {
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                        .await;
                } else if truncate {
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"data\":")
                        .await;
                }
                let _ = stream.shutdown().await;
            });
        }
    });
    format!("http://{address}")
}

async fn check_one(base_url: String) -> Result<Report, Error> {
    let options = Options {
        base_url: Some(base_url),
        api_key: Some("hostile-key".into()),
        operations: vec!["environments_list".into()],
        checks: vec!["safe-reads".into(), "response-conformance".into()],
        timeout: Duration::from_secs(1),
        ..Options::default()
    };
    run(Spec::embedded().unwrap(), options).await
}

/// Runs the one-operation check and returns every violation's `received` text.
async fn violations_of(base_url: String) -> Vec<String> {
    let report = check_one(base_url).await.unwrap();
    let found: Vec<String> = report
        .violations()
        .filter(|violation| violation.check == "response-conformance")
        .map(|violation| violation.received.clone())
        .collect();
    assert!(
        report
            .violations()
            .any(|violation| violation.check == "safe-reads"),
        "safe-reads must fail too: {found:?}"
    );
    found
}

fn assert_mentions(found: &[String], needle: &str) {
    assert!(
        found.iter().any(|received| received.contains(needle)),
        "no violation mentions {needle:?}: {found:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_json_is_a_violation() {
    let (base_url, _) = serve(Behaviour::GarbageJson).await;
    assert_mentions(&violations_of(base_url).await, "the body is not JSON");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_off_the_schema_is_a_violation() {
    let (base_url, _) = serve(Behaviour::WrongShape).await;
    let found = violations_of(base_url).await;
    assert_mentions(&found, "the body does not match the schema");
    assert_mentions(&found, "/data");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_content_type_is_a_violation() {
    let (base_url, _) = serve(Behaviour::WrongContentType).await;
    assert_mentions(
        &violations_of(base_url).await,
        "Content-Type text/plain is not documented",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undocumented_status_is_a_violation() {
    let (base_url, _) = serve(Behaviour::UndocumentedStatus).await;
    assert_mentions(
        &violations_of(base_url).await,
        "status 418 is not documented",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_server_times_out() {
    let (base_url, _) = serve(Behaviour::Hang).await;
    let started = Instant::now();
    let found = violations_of(base_url).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_mentions(&found, "no complete response within 1s");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_body_is_a_violation() {
    let (base_url, _) = serve(Behaviour::TooLarge).await;
    assert_mentions(&violations_of(base_url).await, "larger than 8 MiB");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_connection_is_a_violation() {
    let found = violations_of(serve_closing(false).await).await;
    assert_mentions(&found, "no usable response");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_truncated_body_is_a_violation() {
    let found = violations_of(serve_closing(true).await).await;
    assert_mentions(&found, "no usable response");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_key_is_a_set_up_error() {
    let (base_url, _) = serve(Behaviour::RefuseKey).await;
    let error = check_one(base_url).await.unwrap_err();
    assert!(
        error.to_string().contains("the API key was refused"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_is_a_set_up_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let error = check_one(format!("http://{address}")).await.unwrap_err();
    assert!(matches!(error, Error::Target { .. }), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_https_target_is_spoken_to_in_tls() {
    // A plain-text server behind an https URL: the client must attempt a TLS handshake (and
    // fail it as a set-up error), not refuse the scheme before connecting.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut hello = [0u8; 5];
        socket.read_exact(&mut hello).await.unwrap();
        let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        hello
    });
    let error = check_one(format!("https://{address}")).await.unwrap_err();
    assert!(matches!(error, Error::Target { .. }), "{error}");
    assert!(!error.to_string().contains("scheme"), "{error}");
    let hello = server.await.unwrap();
    assert_eq!(
        hello[0], 0x16,
        "a TLS handshake record opens the connection"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_are_retried_not_reported() {
    let (base_url, hostile) = serve(Behaviour::RateLimitTwice).await;
    let report = check_one(base_url).await.unwrap();
    assert_eq!(hostile.hits.load(Ordering::SeqCst), 3);
    assert!(
        report
            .violations()
            .all(|violation| !violation.received.starts_with("429")),
        "{:#?}",
        report.violations().collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_run_against_garbage_reports_every_operation() {
    let (base_url, _) = serve(Behaviour::GarbageJson).await;
    let options = Options {
        base_url: Some(base_url),
        api_key: Some("hostile-key".into()),
        timeout: Duration::from_secs(2),
        ..Options::default()
    };
    let spec = Spec::embedded().unwrap();
    let report = run(spec.clone(), options).await.unwrap();
    for operation in &spec.operations {
        assert!(
            report
                .violations()
                .any(|violation| violation.operation_id == operation.operation_id),
            "{} has no violation",
            operation.operation_id
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_body_must_repeat_the_status() {
    let (base_url, _) = serve(Behaviour::MismatchedErrorStatus).await;
    let options = Options {
        base_url: Some(base_url),
        api_key: Some("hostile-key".into()),
        operations: vec!["environments_list".into()],
        checks: vec!["auth-missing-key".into(), "response-conformance".into()],
        ..Options::default()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let found: Vec<String> = report
        .violations()
        .map(|violation| violation.received.clone())
        .collect();
    assert_mentions(
        &found,
        "the body's statusCode 418 differs from the status 401",
    );
}
