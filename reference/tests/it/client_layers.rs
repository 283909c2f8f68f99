//! The generated client's retry policy and idempotency keys against the reference's own rate
//! limiting and idempotency layers (the scripted server of `scripted_server.rs` covers the
//! edge cases; these show the two halves agree).

use std::time::{Duration, Instant};

use novu_client::RetryPolicy;
use serde_json::json;

use crate::{TestServer, body};

fn limited_to_one_per_second() -> novu_reference::Config {
    novu_reference::Config {
        rate_limits: Some(
            "trigger=1,configuration=1,global=1"
                .parse()
                .expect("valid figures"),
        ),
        ..novu_reference::Config::in_memory()
    }
}

#[tokio::test]
async fn retries_wait_out_the_references_rate_limit() {
    let test = TestServer::start_with(limited_to_one_per_second()).await;
    let patient = novu_client::Client::with_api_key(&test.server.base_url(), test.server.api_key())
        .expect("the key fits in a header")
        .with_retries(RetryPolicy {
            max_attempts: 10,
            max_wait: Duration::from_secs(10),
            default_wait: Duration::from_secs(1),
        });
    let started = Instant::now();
    // A budget of 5 per 5-second window (+10% burst): the eighth read must wait for tokens.
    for _ in 0..8 {
        patient
            .workflow_groups_list()
            .send()
            .await
            .expect("every read succeeds once the wait the server asked for has passed");
    }
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "the client waited"
    );

    let impatient =
        novu_client::Client::with_api_key(&test.server.base_url(), test.server.api_key())
            .expect("the key fits in a header")
            .with_retries(RetryPolicy::none());
    let mut refused = 0;
    for _ in 0..8 {
        if let Err(novu_client::Error::ErrorResponse(response)) =
            impatient.workflow_groups_list().send().await
        {
            assert_eq!(response.status().as_u16(), 429);
            refused += 1;
        }
    }
    assert!(refused > 0, "without retries the limit shows");
}

#[tokio::test]
async fn an_idempotency_key_from_the_builder_makes_the_reference_act_once() {
    let test = TestServer::start().await;
    let create = || {
        test.client
            .topics_create()
            .idempotency_key("client-layers-once")
            .body(body::<novu_client::types::CreateTopicRequest>(
                json!({ "key": "once", "name": "Once" }),
            ))
            .send()
    };
    let first = create().await.expect("the topic is created");
    let again = create().await.expect("the repeat is answered, not refused");
    assert_eq!(
        again
            .headers()
            .get("idempotency-replay")
            .and_then(|value| value.to_str().ok()),
        Some("true")
    );
    assert_eq!(first.into_inner().data.id, again.into_inner().data.id);
    let listed = test.client.topics_list().send().await.unwrap().into_inner();
    assert_eq!(listed.total_count, 1, "the repeat created nothing");
}
