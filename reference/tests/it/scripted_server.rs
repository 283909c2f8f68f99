//! The generated client against a small scripted server (started here on 127.0.0.1) that
//! misbehaves on purpose: it answers `429`/`503` with a `Retry-After` a set number of times
//! before it succeeds (retries, idempotency keys), or serves list pages that never end or
//! fail (page-stream bounds), and records every request it saw.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use novu_client::{Client, RetryPolicy};
use serde_json::json;

/// What the scripted server answers, and what it saw.
#[derive(Default)]
struct Script {
    /// How many requests are refused before the first success (`usize::MAX`: all).
    refusals: usize,
    /// The refusal's status.
    status: u16,
    /// The refusal's `Retry-After`, if any.
    retry_after: Option<String>,
    /// Every request as (method, path, `Idempotency-Key`).
    seen: Vec<(String, String, Option<String>)>,
    /// The body of every successful GET, when it is not a topic.
    page: Option<serde_json::Value>,
    /// From which request on (counted from 0) every answer is a 500.
    failing_from: Option<usize>,
}

struct Stub {
    script: Arc<Mutex<Script>>,
    base_url: String,
    server: tokio::task::JoinHandle<()>,
}

impl Stub {
    async fn start(refusals: usize, status: u16, retry_after: Option<&str>) -> Self {
        let script = Arc::new(Mutex::new(Script {
            refusals,
            status,
            retry_after: retry_after.map(str::to_owned),
            ..Script::default()
        }));
        let shared = script.clone();
        let app =
            axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
                let script = shared.clone();
                async move { answer(&script, method, uri, headers) }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            script,
            base_url,
            server,
        }
    }

    fn client(&self) -> Client {
        Client::with_api_key(&self.base_url, "secret").unwrap()
    }

    fn seen(&self) -> Vec<(String, String, Option<String>)> {
        self.script.lock().unwrap().seen.clone()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn answer(script: &Mutex<Script>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let mut script = script.lock().unwrap();
    let key = headers
        .get("idempotency-key")
        .map(|value| value.to_str().unwrap().to_owned());
    script
        .seen
        .push((method.to_string(), uri.path().to_owned(), key));
    let failing = script
        .failing_from
        .is_some_and(|from| script.seen.len() > from);
    if script.refusals > 0 || failing {
        script.refusals = script.refusals.saturating_sub(1);
        let status = if failing { 500 } else { script.status };
        let status = StatusCode::from_u16(status).unwrap();
        let body = json!({
            "statusCode": script.status,
            "timestamp": "2024-10-24T09:30:00.000Z",
            "path": uri.path(),
            "message": "slow down",
        });
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(wait) = &script.retry_after {
            response
                .headers_mut()
                .insert("retry-after", wait.parse().unwrap());
        }
        return response;
    }
    let topic = json!({
        "_id": "t1", "_organizationId": "o1", "_environmentId": "e1",
        "key": "billing", "name": "Billing", "subscribers": [],
    });
    if let Some(page) = &script.page {
        return axum::Json(page.clone()).into_response();
    }
    match method {
        Method::POST => (
            StatusCode::CREATED,
            axum::Json(json!({ "data": { "_id": "t1", "key": "billing" } })),
        )
            .into_response(),
        _ => axum::Json(json!({ "data": topic })).into_response(),
    }
}

fn create_topic(client: &Client) -> novu_client::builder::TopicsCreate<'_> {
    client
        .topics_create()
        .body_map(|body| body.key("billing").name("Billing"))
}

#[tokio::test]
async fn a_get_is_retried_after_the_wait_the_server_asked_for() {
    let stub = Stub::start(1, 429, Some("1")).await;
    let started = Instant::now();
    let topic = stub
        .client()
        .topics_get()
        .topic_key("billing")
        .send()
        .await
        .expect("the second attempt succeeds");
    assert_eq!(topic.into_inner().data.key, "billing");
    assert_eq!(stub.seen().len(), 2, "one retry");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 is honoured, waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_post_without_an_idempotency_key_is_not_retried() {
    let stub = Stub::start(1, 429, Some("0")).await;
    let client = stub.client();
    let result = create_topic(&client).send().await;
    assert_eq!(
        result.err().and_then(|error| error.status()),
        Some(reqwest::StatusCode::TOO_MANY_REQUESTS)
    );
    assert_eq!(stub.seen().len(), 1, "sent once: the server may have acted");
}

#[tokio::test]
async fn a_post_with_an_idempotency_key_is_retried_with_the_same_key() {
    let stub = Stub::start(1, 503, Some("0")).await;
    let client = stub.client();
    let created = create_topic(&client)
        .idempotency_key("order-42")
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(created.status().as_u16(), 201);
    let keys: Vec<Option<String>> = stub.seen().into_iter().map(|(_, _, key)| key).collect();
    assert_eq!(
        keys,
        [Some("order-42".to_owned()), Some("order-42".to_owned())],
        "the server saw the key on both attempts"
    );
}

#[tokio::test]
async fn attempts_are_bounded() {
    let stub = Stub::start(usize::MAX, 503, Some("0")).await;
    let client = stub.client().with_retries(RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    });
    let result = client.topics_get().topic_key("billing").send().await;
    assert_eq!(
        result.err().and_then(|error| error.status()),
        Some(reqwest::StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(stub.seen().len(), 3);

    let stub = Stub::start(usize::MAX, 429, None).await;
    let client = stub.client().with_retries(RetryPolicy::none());
    assert!(
        client
            .topics_get()
            .topic_key("billing")
            .send()
            .await
            .is_err()
    );
    assert_eq!(stub.seen().len(), 1, "retries turned off");
}

#[tokio::test]
async fn a_wait_longer_than_the_cap_is_not_waited() {
    let stub = Stub::start(1, 429, Some("120")).await;
    let started = Instant::now();
    let result = stub.client().topics_get().topic_key("billing").send().await;
    assert_eq!(
        result.err().and_then(|error| error.status()),
        Some(reqwest::StatusCode::TOO_MANY_REQUESTS)
    );
    assert_eq!(stub.seen().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn automatic_idempotency_keys_are_fresh_per_call_and_allow_retries() {
    let stub = Stub::start(1, 429, Some("0")).await;
    let client = stub.client().auto_idempotency_keys(true);
    create_topic(&client)
        .send()
        .await
        .expect("retried, then created");
    create_topic(&client).send().await.expect("created");
    client
        .topics_get()
        .topic_key("billing")
        .send()
        .await
        .unwrap();
    let seen = stub.seen();
    let keys: Vec<Option<String>> = seen.iter().map(|(_, _, key)| key.clone()).collect();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(
        keys[0].is_some() && keys[0] == keys[1],
        "a retry repeats its key: {keys:?}"
    );
    assert!(
        keys[2].is_some() && keys[2] != keys[0],
        "each call has its own: {keys:?}"
    );
    assert_eq!(keys[3], None, "a GET gets no key");

    let mine = create_topic(&client).idempotency_key("mine").send().await;
    assert!(mine.is_ok());
    assert_eq!(
        stub.seen()[4].2.as_deref(),
        Some("mine"),
        "the caller's key wins"
    );
}

#[test]
fn retry_after_reads_seconds_and_http_dates() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 2015-10-21 07:28:00 UTC
    let wait = |value: &str| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, value.parse().unwrap());
        novu_client::retry_after(&headers, now)
    };
    assert_eq!(wait("7"), Some(Duration::from_secs(7)));
    assert_eq!(
        wait("Wed, 21 Oct 2015 07:28:30 GMT"),
        Some(Duration::from_secs(30))
    );
    assert_eq!(wait("Wed, 21 Oct 2015 07:00:00 GMT"), Some(Duration::ZERO));
    assert_eq!(wait("soon"), None);
    assert_eq!(
        novu_client::retry_after(&reqwest::header::HeaderMap::new(), now),
        None
    );
}

/// A stub whose every GET answers `page`, and every request from `failing_from` on a 500.
async fn pages(page: serde_json::Value, failing_from: Option<usize>) -> Stub {
    let stub = Stub::start(0, 200, None).await;
    {
        let mut script = stub.script.lock().unwrap();
        script.page = Some(page);
        script.failing_from = failing_from;
    }
    stub
}

fn subscriber(id: &str) -> serde_json::Value {
    json!({
        "_id": id, "subscriberId": id, "_organizationId": "o1", "_environmentId": "e1",
        "deleted": false, "createdAt": "2024-10-24T09:30:00.000Z", "updatedAt": "2024-10-24T09:30:00.000Z",
    })
}

/// The items and errors of a stream, in order.
async fn drain(
    client: &Client,
) -> (
    usize,
    Vec<novu_client::Error<novu_client::types::ErrorResponse>>,
) {
    let mut stream = client.subscribers_list().limit(1u64).stream();
    let (mut items, mut errors) = (0, Vec::new());
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => items += 1,
            Err(error) => errors.push(error),
        }
    }
    (items, errors)
}

#[tokio::test]
async fn an_empty_page_ends_a_stream_whatever_has_more_says() {
    let stub = pages(
        json!({ "page": 0, "pageSize": 1, "hasMore": true, "data": [] }),
        None,
    )
    .await;
    let (items, errors) = drain(&stub.client()).await;
    assert_eq!((items, errors.len()), (0, 0));
    assert_eq!(stub.seen().len(), 1, "one page asked for");
}

#[tokio::test]
async fn a_stream_that_never_ends_is_cut_at_max_pages_with_an_error() {
    let stub = pages(
        json!({ "page": 0, "pageSize": 1, "hasMore": true, "data": [subscriber("ada")] }),
        None,
    )
    .await;
    let (items, errors) = drain(&stub.client().with_max_pages(25)).await;
    assert_eq!(items, 25);
    assert_eq!(stub.seen().len(), 25);
    let [novu_client::Error::Custom(message)] = errors.as_slice() else {
        panic!("expected one error, got {errors:?}");
    };
    assert!(message.contains("25 pages"), "{message}");
    let pages: Vec<String> = stub.seen().into_iter().map(|(_, path, _)| path).collect();
    assert!(
        pages.iter().all(|path| path == "/v1/subscribers"),
        "{pages:?}"
    );
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_its_error() {
    let stub = pages(
        json!({ "page": 0, "pageSize": 1, "hasMore": true, "data": [subscriber("ada")] }),
        Some(2),
    )
    .await;
    let (items, errors) = drain(&stub.client()).await;
    assert_eq!(items, 2, "the pages before the failure");
    let statuses: Vec<Option<u16>> = errors
        .iter()
        .map(|error| error.status().map(|status| status.as_u16()))
        .collect();
    assert_eq!(statuses, [Some(500)], "the error, then the end");
    assert_eq!(stub.seen().len(), 3, "no page after the failure");
}

#[tokio::test]
async fn a_stream_stops_where_the_rule_says_not_at_an_empty_page() {
    // Full pages forever: only the rule can end these streams.
    let stub = pages(
        json!({ "page": 0, "pageSize": 1, "hasMore": false, "data": [subscriber("ada")] }),
        None,
    )
    .await;
    assert_eq!(drain(&stub.client()).await.0, 1);
    assert_eq!(stub.seen().len(), 1, "hasMore: false is the last page");

    let topic = json!({
        "_id": "t1", "_organizationId": "o1", "_environmentId": "e1",
        "key": "billing", "name": "Billing", "subscribers": [],
    });
    let stub = pages(
        json!({ "page": 0, "pageSize": 2, "totalCount": 5, "data": [topic.clone(), topic] }),
        None,
    )
    .await;
    let client = stub.client();
    let mut stream = client.topics_list().page_size(2i64).stream();
    let mut items = 0;
    while let Some(item) = stream.next().await {
        item.expect("every page answers");
        items += 1;
    }
    assert_eq!(items, 6, "three pages of 2");
    let queries: Vec<String> = stub.seen().into_iter().map(|(_, path, _)| path).collect();
    assert_eq!(queries.len(), 3, "pages 0, 1 and 2 hold the 5: {queries:?}");
}
