//! Rate limits, ported from the cases of Novu's `throttler.guard.e2e.ts` that an API key
//! reaches (Novu's own cases call testing routes; these call real operations of each category).

use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::TestServer;

async fn limited(figures: &str) -> TestServer {
    TestServer::start_with(novu_reference::Config {
        rate_limits: Some(figures.parse().expect("valid figures")),
        ..novu_reference::Config::in_memory()
    })
    .await
}

/// Sends `method path` with `authorization`; answers status, headers and JSON body.
async fn send(
    test: &TestServer,
    method: Method,
    path: &str,
    authorization: Option<&str>,
    body: Option<Value>,
) -> (u16, HeaderMap, Value) {
    let mut request =
        reqwest::Client::new().request(method, format!("{}{path}", test.server.base_url()));
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, headers, body)
}

async fn get(test: &TestServer, path: &str) -> (u16, HeaderMap, Value) {
    let key = format!("ApiKey {}", test.server.api_key());
    send(test, Method::GET, path, Some(&key), None).await
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

// Novu: "should set rate limit headers when ApiKey security scheme is used to authenticate"
// and "should include the <parameter> parameter" / "should separate the params with a semicolon"
#[tokio::test]
async fn an_api_key_request_carries_the_headers() {
    let test = limited("free").await;
    let (status, headers, _) = get(&test, "/v1/workflows").await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "ratelimit-limit"), Some("150"));
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("164"));
    assert!(
        header(&headers, "ratelimit-reset")
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    let policy = header(&headers, "ratelimit-policy").unwrap();
    assert_eq!(
        policy,
        "150;w=5;burst=165;comment=\"token bucket\";category=\"global\";cost=\"single\";serviceLevel=\"free\""
    );
    assert_eq!(policy.split(';').count(), 7);
    test.server.shutdown().await.unwrap();
}

// Novu: "should NOT set rate limit headers when the Feature Flag is disabled"
#[tokio::test]
async fn without_rate_limits_no_headers_are_sent() {
    let test = TestServer::start().await;
    let (status, headers, _) = get(&test, "/v1/workflows").await;
    assert_eq!(status, 200);
    for name in [
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "ratelimit-policy",
    ] {
        assert!(headers.get(name).is_none(), "{name}");
    }
    test.server.shutdown().await.unwrap();
}

// Novu: "should NOT set rate limit headers when NO authorization header is present"
#[tokio::test]
async fn an_unauthenticated_request_is_not_evaluated() {
    let test = limited("free").await;
    for authorization in [None, Some("ApiKey wrong"), Some("Bearer x")] {
        let (status, headers, _) =
            send(&test, Method::GET, "/v1/workflows", authorization, None).await;
        assert_eq!(status, 401);
        assert!(
            headers.get("ratelimit-limit").is_none(),
            "{authorization:?}"
        );
    }
    test.server.shutdown().await.unwrap();
}

// Novu: "should use the global category for an endpoint WITHOUT category decorator", "should
// use the category decorator defined on the controller …" and "should use the cost decorator …"
#[tokio::test]
async fn each_operation_falls_into_its_category_and_cost() {
    let test = limited("business").await;
    let key = format!("ApiKey {}", test.server.api_key());
    let policy = |headers: &HeaderMap| header(headers, "ratelimit-policy").unwrap().to_owned();
    let (_, headers, _) = get(&test, "/v1/topics").await;
    assert!(
        policy(&headers).contains("category=\"configuration\";cost=\"single\""),
        "{}",
        policy(&headers)
    );
    assert!(policy(&headers).starts_with("1000;w=5;burst=1100;"));
    let (_, headers, _) = get(&test, "/v1/layouts").await;
    assert!(policy(&headers).contains("category=\"global\";cost=\"single\""));
    let (_, headers, _) = send(
        &test,
        Method::DELETE,
        "/v1/events/trigger/none",
        Some(&key),
        None,
    )
    .await;
    assert!(policy(&headers).contains("category=\"trigger\";cost=\"single\""));
    let bulk = json!({ "subscribers": [{ "subscriberId": "a" }] });
    let (status, headers, body) = send(
        &test,
        Method::POST,
        "/v1/subscribers/bulk",
        Some(&key),
        Some(bulk),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert!(policy(&headers).contains("category=\"configuration\";cost=\"bulk\""));
    // The bulk request took 100 of the configuration bucket's 1,100 (one went to the list).
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("999"));
    test.server.shutdown().await.unwrap();
}

// Novu's scenarios that exceed the limit: past the burst a request is refused with 429,
// `Retry-After` and the rate-limit body, and succeeds once that time has passed.
#[tokio::test]
async fn past_the_burst_requests_are_refused_until_the_bucket_refills() {
    // 1 per second: limit 5 per window, burst floor(5.5) = 5.
    let test = limited("global=1").await;
    for remaining in (0..5).rev() {
        let (status, headers, _) = get(&test, "/v1/layouts").await;
        assert_eq!(status, 200);
        assert_eq!(
            header(&headers, "ratelimit-remaining"),
            Some(remaining.to_string().as_str())
        );
    }
    let (status, headers, body) = get(&test, "/v1/layouts?page=0").await;
    assert_eq!(status, 429);
    let retry_after: u64 = header(&headers, "retry-after").unwrap().parse().unwrap();
    assert!((1..=5).contains(&retry_after), "{retry_after}");
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("0"));
    assert_eq!(body["statusCode"], 429);
    assert_eq!(body["message"], "API rate limit exceeded");
    assert_eq!(body["path"], "/v1/layouts?page=0");
    assert!(body.get("error").is_none(), "{body}");
    // Another category has its own bucket.
    let (status, _, _) = get(&test, "/v1/topics").await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let (status, _, _) = get(&test, "/v1/layouts").await;
    assert_eq!(status, 200);
    test.server.shutdown().await.unwrap();
}

// Novu: the scenario where a bulk request costs more than the bucket holds.
#[tokio::test]
async fn a_bulk_request_beyond_the_burst_is_refused() {
    // 10 per second: limit 50, burst 55; a bulk request costs 100.
    let test = limited("configuration=10").await;
    let key = format!("ApiKey {}", test.server.api_key());
    let bulk = json!({ "subscribers": [{ "subscriberId": "a" }] });
    let (status, headers, _) = send(
        &test,
        Method::POST,
        "/v1/subscribers/bulk",
        Some(&key),
        Some(bulk),
    )
    .await;
    assert_eq!(status, 429);
    assert!(header(&headers, "retry-after").is_some());
    assert!(
        header(&headers, "ratelimit-policy")
            .unwrap()
            .contains("cost=\"bulk\"")
    );
    // As in Novu's bucket script, a new bucket keeps the debt: the next single request of the
    // category is refused too, while another category is not.
    let (status, _, _) = get(&test, "/v1/subscribers").await;
    assert_eq!(status, 429);
    let (status, _, _) = get(&test, "/v1/layouts").await;
    assert_eq!(status, 200);
    test.server.shutdown().await.unwrap();
}

// Novu's authentication guard refuses an API key on a dashboard-only route before its
// rate-limit and idempotency interceptors run: no headers, no token spent, nothing replayed.
#[tokio::test]
async fn a_dashboard_only_route_is_neither_limited_nor_replayed() {
    let test = limited("global=1").await;
    let key = format!("ApiKey {}", test.server.api_key());
    for _ in 0..20 {
        let (status, headers, body) =
            send(&test, Method::GET, "/v1/auth/refresh", Some(&key), None).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["message"], "API endpoint not available");
        assert_eq!(header(&headers, "ratelimit-limit"), None, "{headers:?}");
    }
    // The global bucket (5 a window) is still full: this request takes the first token.
    let (status, headers, _) = get(&test, "/v1/workflows").await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "ratelimit-remaining"),
        Some("4"),
        "{headers:?}"
    );

    let replayed = || async {
        let response = reqwest::Client::new()
            .post(format!(
                "{}/v1/auth/update-password",
                test.server.base_url()
            ))
            .header("Authorization", &key)
            .header("Idempotency-Key", "dashboard-once")
            .json(&json!({ "currentPassword": "a", "newPassword": "b", "confirmPassword": "b" }))
            .send()
            .await
            .expect("the server answers");
        (response.status().as_u16(), response.headers().clone())
    };
    for _ in 0..2 {
        let (status, headers) = replayed().await;
        assert_eq!(status, 401);
        assert_eq!(header(&headers, "idempotency-replay"), None, "{headers:?}");
        assert_eq!(header(&headers, "idempotency-key"), None, "{headers:?}");
    }
}
