//! The property checks against servers that get inputs wrong on purpose: one accepts
//! anything, the other refuses everything as invalid.

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use novu_conformance::{Options, Report, Spec, run};
use tokio::net::TcpListener;

/// How the server answers everything but the set-up probe.
#[derive(Clone, Copy)]
enum Answer {
    /// 201 with a body, whatever came in.
    AcceptAnything,
    /// 400 with constraint messages, whatever came in.
    RejectEverything,
}

async fn serve(answer: Answer) -> String {
    let fallback = move || async move {
        let (status, body) = match answer {
            Answer::AcceptAnything => (StatusCode::CREATED, r#"{"data":{}}"#),
            Answer::RejectEverything => (
                StatusCode::BAD_REQUEST,
                r#"{"statusCode":400,"timestamp":"2024-10-24T09:30:00.000Z","path":"/v1/topics","message":["name must be a string"],"error":"Bad Request"}"#,
            ),
        };
        let response: Response =
            (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        response
    };
    let app = Router::new()
        .route("/v1/environments/me", get(|| async { "{}" }))
        .fallback(fallback);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}")
}

async fn check(answer: Answer, check: &str, seed: u64) -> Report {
    let options = Options {
        base_url: Some(serve(answer).await),
        api_key: Some("hostile-key".into()),
        operations: vec!["topics_create".into()],
        checks: vec![check.into()],
        cases: 10,
        seed,
        timeout: Duration::from_secs(2),
        ..Options::default()
    };
    run(Spec::embedded().unwrap(), options).await.unwrap()
}

fn only_violation(report: &Report, check: &str) -> novu_conformance::Violation {
    let found: Vec<_> = report.violations().cloned().collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].check, check);
    assert_eq!(found[0].operation_id, "topics_create");
    found[0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_accepting_anything_fails_invalid_inputs_rejected() {
    let report = check(Answer::AcceptAnything, "invalid-inputs-rejected", 11).await;
    let violation = only_violation(&report, "invalid-inputs-rejected");
    assert!(
        violation
            .received
            .contains("status 201 for an input the schemas forbid"),
        "{violation:#?}"
    );
    assert!(
        violation.received.contains("case 1 of 10 (seed 11)"),
        "{violation:#?}"
    );
    assert!(violation.received.contains("shrunk in"), "{violation:#?}");
    let curl = violation.curl.unwrap();
    assert!(curl.starts_with("curl -sS -i -X POST "), "{curl}");
    // The same seed replays the same minimal input.
    let again = check(Answer::AcceptAnything, "invalid-inputs-rejected", 11).await;
    let replayed = only_violation(&again, "invalid-inputs-rejected");
    let without_port = |text: &str| text.split("/v1").nth(1).unwrap_or_default().to_owned();
    assert_eq!(without_port(&replayed.curl.unwrap()), without_port(&curl));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_rejecting_everything_fails_valid_inputs_accepted() {
    let report = check(Answer::RejectEverything, "valid-inputs-accepted", 12).await;
    let violation = only_violation(&report, "valid-inputs-accepted");
    assert!(
        violation
            .received
            .contains("a 400 listing constraint messages"),
        "{violation:#?}"
    );
    // Shrunk to the smallest body the schema allows: the required properties, short strings.
    let curl = violation.curl.unwrap();
    assert!(curl.contains("--data-raw '{\"key\":"), "{curl}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_server_passes_the_other_check() {
    let report = check(Answer::RejectEverything, "invalid-inputs-rejected", 13).await;
    assert_eq!(report.violations().count(), 0);
}
