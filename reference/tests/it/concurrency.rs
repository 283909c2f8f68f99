use std::sync::Arc;

use novu_reference::Config;
use serde_json::json;
use tokio::task::JoinSet;

use crate::{TemporaryDatabase, TestServer, body, create_integration};

/// Fifty topic additions and fifty credential appends race; every one of them must land.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writers_lose_nothing() {
    let database = TemporaryDatabase::new("concurrency");
    let test = Arc::new(
        TestServer::start_with(Config {
            database: database.0.clone(),
            ..Config::in_memory()
        })
        .await,
    );
    create_integration(&test, "fcm", "fcm-main").await;
    test.client
        .subscribers_create()
        .body(body::<novu_client::types::CreateSubscriberRequest>(
            json!({ "subscriberId": "device-owner" }),
        ))
        .send()
        .await
        .unwrap();
    let members: Vec<String> = (0..50).map(|index| format!("member-{index}")).collect();
    let bulk: Vec<_> = members
        .iter()
        .map(|id| json!({ "subscriberId": id }))
        .collect();
    test.client
        .subscribers_create_bulk()
        .body(body::<novu_client::types::BulkCreateSubscribersRequest>(
            json!({ "subscribers": bulk }),
        ))
        .send()
        .await
        .unwrap();

    let mut writers = JoinSet::new();
    for (index, member) in members.iter().enumerate() {
        let adder = Arc::clone(&test);
        let member = member.clone();
        writers.spawn(async move {
            let added = adder
                .client
                .topic_subscribers_add()
                .topic_key("crowd")
                .body(body::<novu_client::types::AddTopicSubscribersRequest>(
                    json!({ "subscribers": [member] }),
                ))
                .send()
                .await
                .expect("add succeeds");
            assert_eq!(added.status().as_u16(), 200);
        });
        let appender = Arc::clone(&test);
        writers.spawn(async move {
            appender
                .client
                .subscriber_credentials_append().subscriber_id("device-owner").body(body::<novu_client::types::UpdateSubscriberCredentialsRequest>(json!({ "providerId": "fcm", "credentials": { "deviceTokens": [format!("token-{index}")] } }))).send()
                .await
                .expect("append succeeds");
        });
    }
    while let Some(joined) = writers.join_next().await {
        joined.expect("no writer panicked");
    }

    let topic = test
        .client
        .topics_get()
        .topic_key("crowd")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let mut subscribed = topic.subscribers.clone();
    subscribed.sort();
    let mut expected = members.clone();
    expected.sort();
    assert_eq!(subscribed, expected);

    let owner = test
        .client
        .subscribers_get()
        .subscriber_id("device-owner")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let channels = owner.channels.as_deref().unwrap_or_default();
    assert_eq!(channels.len(), 1);
    let mut tokens = channels[0]
        .credentials
        .device_tokens
        .clone()
        .expect("the tokens are sent");
    tokens.sort();
    let mut expected_tokens: Vec<_> = (0..50).map(|index| format!("token-{index}")).collect();
    expected_tokens.sort();
    assert_eq!(tokens, expected_tokens);
}
