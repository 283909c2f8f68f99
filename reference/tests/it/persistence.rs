use novu_reference::Config;
use serde_json::json;

use crate::{TemporaryDatabase, TestServer, body};

/// What one server wrote, a server started later on the same file reads, with the same key.
#[tokio::test]
async fn data_survives_a_restart() {
    let database = TemporaryDatabase::new("persistence");
    let config = Config {
        database: database.0.clone(),
        api_key: Some("persistent-key".into()),
        ..Config::in_memory()
    };
    let first = TestServer::start_with(config.clone()).await;
    assert!(!first.server.api_key_generated());
    first
        .client
        .subscribers_create()
        .body(body::<novu_client::types::CreateSubscriberRequest>(
            json!({ "subscriberId": "kept", "firstName": "Kept" }),
        ))
        .send()
        .await
        .unwrap();
    first
        .client
        .topic_subscribers_add()
        .topic_key("saved")
        .body(body::<novu_client::types::AddTopicSubscribersRequest>(
            json!({ "subscribers": ["kept"] }),
        ))
        .send()
        .await
        .unwrap();
    first
        .client
        .tenants_create()
        .body(body::<novu_client::types::CreateTenantRequest>(
            json!({ "identifier": "t", "name": "T" }),
        ))
        .send()
        .await
        .unwrap();
    first.server.shutdown().await.expect("clean shutdown");

    let second = TestServer::start_with(Config {
        api_key: None,
        ..config
    })
    .await;
    assert_eq!(
        second.server.api_key(),
        "persistent-key",
        "the stored key is kept"
    );
    assert!(!second.server.api_key_generated());
    let kept = second
        .client
        .subscribers_get()
        .subscriber_id("kept")
        .send()
        .await
        .expect("the subscriber survived")
        .into_inner()
        .data;
    assert_eq!(kept.first_name.as_deref(), Some("Kept"));
    let topic = second
        .client
        .topics_get()
        .topic_key("saved")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(topic.subscribers, ["kept"]);
    second
        .client
        .tenants_get()
        .identifier("t")
        .send()
        .await
        .expect("the tenant survived");
    second.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_new_database_without_a_key_generates_one() {
    let test = TestServer::start().await;
    assert!(test.server.api_key_generated());
    assert_eq!(test.server.api_key().len(), 32);
    test.client
        .environments_retrieve_current()
        .send()
        .await
        .expect("the generated key works");
}
