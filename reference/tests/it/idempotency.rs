//! Idempotency keys, ported from the cases of Novu's `idempotency.e2e.ts` that an API key
//! reaches (Novu's own cases call a testing route; these create topics and trigger events).

use std::time::Duration;

use axum::Json;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::TestServer;
use crate::events::{in_app, in_app_integration, workflow};

const LINK: &str = "https://docs.novu.co/additional-resources/idempotency";

/// One answer: status, headers and JSON body (`Null` when empty).
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// Sends `method path` with the server's key, an optional `Idempotency-Key` and a JSON body.
async fn send(
    test: &TestServer,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", test.server.base_url()))
        .header("Authorization", format!("ApiKey {}", test.server.api_key()));
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("the body is readable");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

async fn topic_count(test: &TestServer, key: &str) -> u64 {
    let page = send(
        test,
        Method::GET,
        &format!("/v1/topics?key={key}"),
        None,
        None,
    )
    .await;
    page.body["totalCount"].as_u64().expect("a topic page")
}

// Novu: "should return cached same response for duplicate requests"
#[tokio::test]
async fn a_repeated_request_replays_the_first_answer() {
    let test = TestServer::start().await;
    let topic = json!({ "key": "news", "name": "News" });
    let first = send(
        &test,
        Method::POST,
        "/v1/topics",
        Some("k1"),
        Some(topic.clone()),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.header("idempotency-key"), Some("k1"));
    assert_eq!(first.header("idempotency-replay"), None);
    // Spacing is no other body: the fingerprint is of the JSON value.
    let again = send(&test, Method::POST, "/v1/topics", Some("k1"), Some(topic)).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotency-key"), Some("k1"));
    assert_eq!(again.header("idempotency-replay"), Some("true"));
    assert_eq!(
        topic_count(&test, "news").await,
        1,
        "the topic was created once"
    );
    test.server.shutdown().await.unwrap();
}

// Novu: "should return conflict when different body is sent for same key"
#[tokio::test]
async fn a_key_reused_with_another_body_is_refused_with_422() {
    let test = TestServer::start().await;
    let first = send(
        &test,
        Method::POST,
        "/v1/topics",
        Some("k5"),
        Some(json!({ "key": "a", "name": "A" })),
    )
    .await;
    assert_eq!(first.status, 201);
    let other = send(
        &test,
        Method::POST,
        "/v1/topics",
        Some("k5"),
        Some(json!({ "key": "b", "name": "B" })),
    )
    .await;
    assert_eq!(other.status, 422);
    assert_eq!(other.header("idempotency-key"), Some("k5"));
    assert_eq!(other.header("link"), Some(LINK));
    assert_eq!(
        other.body["message"],
        "Request with key \"k5\" is being reused for a different body"
    );
    assert_eq!(other.body["error"], "Unprocessable Entity");
    assert_eq!(other.body["statusCode"], 422);
    assert_eq!(topic_count(&test, "b").await, 0);
    test.server.shutdown().await.unwrap();
}

// Novu: "should return non cached response for unique requests"
#[tokio::test]
async fn different_keys_run_separately() {
    let test = TestServer::start().await;
    let first = send(
        &test,
        Method::POST,
        "/v1/tenants",
        Some("k6"),
        Some(json!({ "identifier": "t1", "name": "T" })),
    )
    .await;
    let second = send(
        &test,
        Method::POST,
        "/v1/tenants",
        Some("k7"),
        Some(json!({ "identifier": "t2", "name": "T" })),
    )
    .await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_ne!(first.body["data"]["_id"], second.body["data"]["_id"]);
    assert_eq!(first.header("idempotency-key"), Some("k6"));
    assert_eq!(second.header("idempotency-key"), Some("k7"));
    assert_eq!(second.header("idempotency-replay"), None);
    test.server.shutdown().await.unwrap();
}

// Novu's interceptor runs inside its router: a request no route serves, or one its guards
// refuse, leaves nothing under the key.
#[tokio::test]
async fn only_answers_of_a_route_are_kept_under_a_key() {
    let test = TestServer::start().await;
    let body = json!({ "identifier": "kept", "name": "T" });
    let unrouted = send(
        &test,
        Method::PATCH,
        "/v1/tenants",
        Some("k8"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(unrouted.status, 404);
    assert_eq!(unrouted.header("idempotency-key"), None);
    let dashboard = send(
        &test,
        Method::POST,
        "/v1/auth/update-password",
        Some("k8"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(dashboard.status, 401);
    assert_eq!(dashboard.header("idempotency-key"), None);
    let created = send(&test, Method::POST, "/v1/tenants", Some("k8"), Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("idempotency-replay"), None);
    assert_eq!(created.body["data"]["identifier"], "kept");
    test.server.shutdown().await.unwrap();
}

// Novu: "should return non cached response for GET requests"
#[tokio::test]
async fn other_methods_ignore_the_key() {
    let test = TestServer::start().await;
    send(
        &test,
        Method::POST,
        "/v1/topics",
        None,
        Some(json!({ "key": "g", "name": "G" })),
    )
    .await;
    let read = send(&test, Method::GET, "/v1/topics/g", Some("k8"), None).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("idempotency-key"), None);
    // DELETE is not considered either: the second delete runs and finds nothing.
    let deleted = send(&test, Method::DELETE, "/v1/topics/g", Some("k8"), None).await;
    assert_eq!(deleted.status, 204);
    let again = send(&test, Method::DELETE, "/v1/topics/g", Some("k8"), None).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.header("idempotency-replay"), None);
    test.server.shutdown().await.unwrap();
}

// Novu: "should return cached error response for duplicate requests"
#[tokio::test]
async fn an_error_answer_is_replayed_too() {
    let test = TestServer::start().await;
    let trigger = json!({ "name": "no-such-workflow", "to": "ada" });
    let first = send(
        &test,
        Method::POST,
        "/v1/events/trigger",
        Some("k9"),
        Some(trigger.clone()),
    )
    .await;
    assert_eq!(first.status, 422, "{}", first.body);
    assert_eq!(first.header("idempotency-key"), Some("k9"));
    let again = send(
        &test,
        Method::POST,
        "/v1/events/trigger",
        Some("k9"),
        Some(trigger),
    )
    .await;
    assert_eq!(again.status, 422);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotency-key"), Some("k9"));
    assert_eq!(again.header("idempotency-replay"), Some("true"));
    test.server.shutdown().await.unwrap();
}

// Novu: "should return 400 when key bigger than allowed limit"
#[tokio::test]
async fn a_key_over_255_characters_is_refused() {
    let test = TestServer::start().await;
    let long = "0".repeat(256);
    let refused = send(
        &test,
        Method::POST,
        "/v1/topics",
        Some(&long),
        Some(json!({ "key": "x", "name": "X" })),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.body["message"],
        format!(
            "idempotencyKey \"{long}\" has exceeded the maximum allowed length of 255 characters"
        )
    );
    assert_eq!(topic_count(&test, "x").await, 0);
    let longest = "0".repeat(255);
    let accepted = send(
        &test,
        Method::POST,
        "/v1/topics",
        Some(&longest),
        Some(json!({ "key": "x", "name": "X" })),
    )
    .await;
    assert_eq!(accepted.status, 201);
    assert_eq!(accepted.header("idempotency-key"), Some(longest.as_str()));
    test.server.shutdown().await.unwrap();
}

// Novu: "should NOT set rate limit headers when NO authorization header is present"
#[tokio::test]
async fn an_unauthenticated_request_gets_the_401_without_the_key() {
    let test = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(format!("{}/v1/topics", test.server.base_url()))
        .header("Idempotency-Key", "k10")
        .json(&json!({ "key": "y", "name": "Y" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.headers().get("idempotency-key").is_none());
    test.server.shutdown().await.unwrap();
}

// Novu: "should return conflict when concurrent requests are made". A webhook condition that
// answers slowly keeps the first trigger running while the repeat arrives.
#[tokio::test]
async fn a_repeat_while_the_first_runs_is_refused_with_409() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let app = axum::Router::new().route(
        "/slow",
        axum::routing::post(|| async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            Json(json!({ "tier": "gold" }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slow", listener.local_addr().unwrap());
    let webhook = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let filters = json!([{
        "isNegated": false, "type": "GROUP", "value": "AND",
        "children": [{ "on": "webhook", "webhookUrl": url, "field": "tier", "operator": "EQUAL", "value": "gold" }],
    }]);
    let name = workflow(&test, "Slow", json!([in_app("hello", filters)])).await;
    let trigger = json!({ "name": name, "to": "ada", "transactionId": "slow-1" });

    let first = send(
        &test,
        Method::POST,
        "/v1/events/trigger",
        Some("k4"),
        Some(trigger.clone()),
    );
    let repeat = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        send(
            &test,
            Method::POST,
            "/v1/events/trigger",
            Some("k4"),
            Some(trigger.clone()),
        )
        .await
    };
    let (first, repeat) = tokio::join!(first, repeat);
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(repeat.status, 409, "{}", repeat.body);
    assert_eq!(repeat.header("idempotency-key"), Some("k4"));
    assert_eq!(repeat.header("retry-after"), Some("1"));
    assert_eq!(repeat.header("link"), Some(LINK));
    assert_eq!(
        repeat.body["message"],
        "Request with key \"k4\" is currently being processed. Please retry after 1 second"
    );
    assert_eq!(repeat.body["error"], "Conflict");
    assert_eq!(repeat.body["statusCode"], 409);
    // Once the first has answered, the repeat is a replay.
    let later = send(
        &test,
        Method::POST,
        "/v1/events/trigger",
        Some("k4"),
        Some(trigger),
    )
    .await;
    assert_eq!(later.status, 201);
    assert_eq!(later.body, first.body);
    assert_eq!(later.header("idempotency-replay"), Some("true"));
    webhook.abort();
    test.server.shutdown().await.unwrap();
}

// Novu: "should not return cached same response for duplicate requests" (when disabled)
#[tokio::test]
async fn with_idempotency_off_a_repeat_runs_again() {
    let test = TestServer::start_with(novu_reference::Config {
        idempotency: false,
        ..novu_reference::Config::in_memory()
    })
    .await;
    let topic = json!({ "key": "off", "name": "Off" });
    let first = send(
        &test,
        Method::POST,
        "/v1/topics",
        Some("k11"),
        Some(topic.clone()),
    )
    .await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("idempotency-key"), None);
    let again = send(&test, Method::POST, "/v1/topics", Some("k11"), Some(topic)).await;
    assert_eq!(again.status, 409, "the second create ran: {}", again.body);
    assert_eq!(again.header("idempotency-replay"), None);
    let long = send(
        &test,
        Method::POST,
        "/v1/topics",
        Some(&"0".repeat(300)),
        Some(json!({ "key": "z", "name": "Z" })),
    )
    .await;
    assert_eq!(long.status, 201);
    test.server.shutdown().await.unwrap();
}

// Concurrent duplicates execute once; the others are refused while it runs or replay it.
#[tokio::test]
async fn concurrent_duplicates_execute_once() {
    let test = TestServer::start().await;
    let topic = json!({ "key": "race", "name": "Race" });
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (url, key, topic) = (
            test.server.base_url(),
            test.server.api_key().to_owned(),
            topic.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let response = reqwest::Client::new()
                .post(format!("{url}/v1/topics"))
                .header("Authorization", format!("ApiKey {key}"))
                .header("Idempotency-Key", "race")
                .json(&topic)
                .send()
                .await
                .expect("the server answers");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.json::<Value>().await.unwrap_or(Value::Null);
            Answer {
                status,
                headers,
                body,
            }
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("the request task finishes"));
    }
    let executed = answers
        .iter()
        .filter(|answer| answer.status == 201 && answer.header("idempotency-replay").is_none())
        .count();
    assert_eq!(executed, 1);
    for answer in &answers {
        assert_eq!(answer.header("idempotency-key"), Some("race"));
        match answer.status {
            201 => {}
            409 => assert_eq!(answer.header("retry-after"), Some("1")),
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!(topic_count(&test, "race").await, 1);
    test.server.shutdown().await.unwrap();
}
