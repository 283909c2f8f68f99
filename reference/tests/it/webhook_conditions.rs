//! Webhook conditions call their `webhookUrl` and decide by its JSON answer; a call that fails
//! is made again (three calls in all) and then puts the condition in error.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::TestServer;
use crate::chat_oauth::{environment_id, hmac};
use crate::events::{feed, in_app, in_app_integration, trigger, workflow};

/// What the webhook received: the `nv-hmac-256` header and the body.
type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// A webhook on `127.0.0.1:0` that answers `{"tier": <payload.tier>}` and records each call;
/// answers its URL, what it received, and the handle that stops it.
async fn webhook() -> (String, Received, tokio::task::JoinHandle<()>) {
    let received = Received::default();
    let record = received.clone();
    let app = axum::Router::new().route(
        "/decide",
        axum::routing::post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let record = record.clone();
            async move {
                let signature = headers
                    .get("nv-hmac-256")
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned);
                let tier = body["payload"]["tier"].clone();
                record.lock().unwrap().push((signature, body));
                Json(json!({ "tier": tier }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/decide", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, received, server)
}

/// A webhook on `127.0.0.1:0` that answers 500 to its first `failures` calls and `{"tier":
/// "gold"}` to the others; answers its URL, how many calls it received, and the handle that
/// stops it.
async fn failing_first(
    failures: usize,
) -> (
    String,
    Arc<std::sync::atomic::AtomicUsize>,
    tokio::task::JoinHandle<()>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let app = axum::Router::new().route(
        "/decide",
        axum::routing::post(move || {
            let counted = counted.clone();
            async move {
                if counted.fetch_add(1, Ordering::SeqCst) < failures {
                    Err(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
                } else {
                    Ok(Json(json!({ "tier": "gold" })))
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/decide", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, calls, server)
}

/// An in-app step that only gets through when the webhook at `url` answers `tier: gold`.
fn gated_by(url: &str) -> Value {
    in_app(
        "welcome to gold",
        json!([{
            "isNegated": false,
            "type": "GROUP",
            "value": "AND",
            "children": [{ "on": "webhook", "webhookUrl": url, "field": "tier", "operator": "EQUAL", "value": "gold" }],
        }]),
    )
}

/// The job statuses and execution details of a transaction's only notification.
async fn job(test: &TestServer, transaction_id: &str) -> Value {
    let page = test
        .client
        .notifications_list()
        .transaction_id(transaction_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    serde_json::to_value(&page.data[0].jobs.as_deref().unwrap_or_default()[0]).unwrap()
}

fn details(job: &Value) -> Vec<&str> {
    job["executionDetails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|detail| detail["detail"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_webhook_answer_decides_whether_the_step_delivers() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let (url, received, webhook_server) = webhook().await;
    let name = workflow(&test, "Gold", json!([gated_by(&url)])).await;

    trigger(
        &test,
        json!({ "name": name, "to": "ada", "payload": { "tier": "gold" }, "transactionId": "gold" }),
    )
    .await;
    assert_eq!(feed(&test, "ada").await, ["welcome to gold"]);
    trigger(
        &test,
        json!({ "name": name, "to": "bob", "payload": { "tier": "silver" }, "transactionId": "silver" }),
    )
    .await;
    assert!(feed(&test, "bob").await.is_empty());
    let skipped = job(&test, "silver").await;
    assert_eq!(skipped["status"], "canceled");
    assert!(
        details(&skipped).contains(&"Step was filtered based on steps filters"),
        "{skipped}"
    );

    let calls = received.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "one call per trigger");
    let (signature, body) = &calls[0];
    let environment = environment_id(&test).await;
    assert_eq!(
        signature.as_deref(),
        Some(hmac(test.server.api_key(), &environment).as_str())
    );
    assert_eq!(body["payload"], json!({ "tier": "gold" }));
    assert_eq!(body["subscriber"]["subscriberId"], "ada");
    assert_eq!(body["identifier"], name.as_str());
    assert_eq!(body["channel"], "in_app");
    assert_eq!(body["providerId"], "novu");
    assert_eq!(calls[1].1["subscriber"]["subscriberId"], "bob");

    webhook_server.abort();
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_webhook_that_cannot_be_reached_fails_the_step() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    // A port that was free a moment ago and has nobody listening now.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/decide", closed.local_addr().unwrap());
    drop(closed);
    let name = workflow(&test, "Unreachable", json!([gated_by(&url)])).await;

    trigger(
        &test,
        json!({ "name": name, "to": "ada", "payload": { "tier": "gold" }, "transactionId": "down" }),
    )
    .await;
    assert!(feed(&test, "ada").await.is_empty());
    let failed = job(&test, "down").await;
    assert_eq!(failed["status"], "failed");
    assert!(
        details(&failed).contains(&"Failed to process step filter"),
        "{failed}"
    );
    let raw = failed["executionDetails"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|detail| detail["raw"].as_str())
        .unwrap()
        .to_owned();
    assert!(raw.contains(&url), "the reason names the webhook: {raw}");
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_failed_webhook_call_is_made_again_up_to_three_calls() {
    use std::sync::atomic::Ordering;
    let test = TestServer::start().await;
    in_app_integration(&test).await;

    // One failure, then an answer: the retry decides, as Novu's worker retries the job.
    let (url, calls, flaky) = failing_first(1).await;
    let name = workflow(&test, "Flaky", json!([gated_by(&url)])).await;
    trigger(
        &test,
        json!({ "name": name, "to": "ada", "payload": {}, "transactionId": "flaky" }),
    )
    .await;
    assert_eq!(feed(&test, "ada").await, ["welcome to gold"]);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the original call and one retry"
    );
    let delivered = job(&test, "flaky").await;
    assert_eq!(delivered["status"], "completed");
    assert!(
        details(&delivered).contains(&"Webhook filter failed, retry will be executed"),
        "{delivered}"
    );
    flaky.abort();

    // Three failures: the original call and two retries, then the step fails.
    let (url, calls, down) = failing_first(3).await;
    let name = workflow(&test, "Down", json!([gated_by(&url)])).await;
    trigger(
        &test,
        json!({ "name": name, "to": "bob", "payload": {}, "transactionId": "down" }),
    )
    .await;
    assert!(feed(&test, "bob").await.is_empty());
    assert_eq!(calls.load(Ordering::SeqCst), 3, "no fourth call");
    let failed = job(&test, "down").await;
    assert_eq!(failed["status"], "failed");
    let recorded = details(&failed);
    assert_eq!(
        recorded
            .iter()
            .filter(|detail| **detail == "Webhook filter failed, retry will be executed")
            .count(),
        2,
        "{failed}"
    );
    assert!(
        recorded.contains(&"Failed to get response from remote webhook filter on last retry"),
        "{failed}"
    );
    down.abort();
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_webhook_condition_after_a_delay_is_called_when_the_step_resumes() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let (url, received, webhook_server) = webhook().await;
    let name = workflow(
        &test,
        "Gold later",
        json!([
            { "template": { "type": "delay" }, "metadata": { "type": "regular", "amount": 1, "unit": "seconds" } },
            gated_by(&url),
        ]),
    )
    .await;
    trigger(
        &test,
        json!({ "name": name, "to": "ada", "payload": { "tier": "gold" } }),
    )
    .await;
    assert!(
        received.lock().unwrap().is_empty(),
        "not called before the step runs"
    );

    let started = std::time::Instant::now();
    while feed(&test, "ada").await.is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the resumed step was never delivered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(feed(&test, "ada").await, ["welcome to gold"]);
    assert_eq!(received.lock().unwrap().len(), 1);
    webhook_server.abort();
    test.server.shutdown().await.unwrap();
}
