use novu_client::types;
use novu_reference::Config;
use reqwest::Method;
use serde_json::json;

use crate::{TemporaryDatabase, TestServer, body, create_integration, error, message};

#[tokio::test]
async fn subscriber_lifecycle() {
    let test = TestServer::start().await;
    let client = &test.client;

    let created = client
        .subscribers_create()
        .body(body::<novu_client::types::CreateSubscriberRequest>(json!({
            "subscriberId": "ada",
            "email": "ada@example.com",
            "firstName": "Ada",
            "data": { "plan": "pro" },
        })))
        .send()
        .await
        .expect("create succeeds");
    assert_eq!(created.status().as_u16(), 201);
    let ada = created.into_inner().data;
    assert_eq!(ada.subscriber_id, "ada");
    assert_eq!(ada.email.as_deref(), Some("ada@example.com"));
    assert!(!ada.deleted);
    assert_eq!(ada.id.len(), 24);

    // Create is an upsert: the same subscriberId updates the stored subscriber.
    let upserted = client
        .subscribers_create()
        .body(body::<novu_client::types::CreateSubscriberRequest>(
            json!({ "subscriberId": "ada", "lastName": "Lovelace" }),
        ))
        .send()
        .await
        .expect("upsert succeeds");
    assert_eq!(upserted.status().as_u16(), 201);
    let upserted = upserted.into_inner().data;
    assert_eq!(upserted.id, ada.id);
    assert_eq!(upserted.first_name.as_deref(), Some("Ada"));
    assert_eq!(upserted.last_name.as_deref(), Some("Lovelace"));

    let updated = client
        .subscribers_update()
        .subscriber_id("ada")
        .body(body::<novu_client::types::UpdateSubscriberRequest>(
            json!({ "firstName": "Augusta", "data": { "tier": 2 } }),
        ))
        .send()
        .await
        .expect("update succeeds")
        .into_inner()
        .data;
    assert_eq!(updated.first_name.as_deref(), Some("Augusta"));
    assert_eq!(updated.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(
        updated.email.as_deref(),
        Some("ada@example.com"),
        "absent fields are kept"
    );
    let data = serde_json::to_value(updated.data).unwrap();
    // Custom data numbers are `f64` in the generated types, so 2 comes back as 2.0.
    assert_eq!(data, json!({ "tier": 2.0 }), "data is replaced as a whole");

    let fetched = client
        .subscribers_get()
        .subscriber_id("ada")
        .send()
        .await
        .expect("get succeeds")
        .into_inner()
        .data;
    assert_eq!(fetched.first_name.as_deref(), Some("Augusta"));

    let deleted = client
        .subscribers_delete()
        .subscriber_id("ada")
        .send()
        .await
        .expect("delete succeeds")
        .into_inner()
        .data;
    assert!(deleted.acknowledged);
    assert_eq!(
        serde_json::to_value(deleted.status).unwrap(),
        json!("deleted")
    );

    let (status, missing) = error(client.subscribers_get().subscriber_id("ada").send().await);
    assert_eq!(status, 404);
    assert_eq!(message(&missing), "Subscriber not found for id ada");
    assert_eq!(missing.error.as_deref(), Some("Not Found"));
    assert_eq!(missing.path, "/v1/subscribers/ada");
    let page = client.subscribers_list().send().await.unwrap().into_inner();
    assert!(
        page.data.is_empty(),
        "soft-deleted subscribers are not listed"
    );
}

#[tokio::test]
async fn unknown_subscribers_give_the_documented_errors() {
    let test = TestServer::start().await;
    let client = &test.client;

    let (status, body_) = error(
        client
            .subscribers_update()
            .subscriber_id("ghost")
            .body(body::<novu_client::types::UpdateSubscriberRequest>(
                json!({ "firstName": "G" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(message(&body_), "SubscriberId: ghost not found");
    assert_eq!(body_.error.as_deref(), Some("Bad Request"));

    let (status, body_) = error(
        client
            .subscribers_delete()
            .subscriber_id("ghost")
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(message(&body_), "Subscriber not found for id ghost");

    let (status, body_) = error(
        client
            .subscriber_online_status_update()
            .subscriber_id("ghost")
            .body(body::<
                novu_client::types::UpdateSubscriberOnlineStatusRequest,
            >(json!({ "isOnline": true })))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(message(&body_), "Subscriber not found");

    let (status, body_) = error(
        client
            .subscriber_credentials_delete()
            .subscriber_id("ghost")
            .provider_id(body::<types::SubscriberCredentialsDeleteProviderId>(json!(
                "slack"
            )))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(message(&body_), "Subscriber not found for id ghost");
}

#[tokio::test]
async fn subscribers_are_paginated_in_storage_order() {
    let test = TestServer::start().await;
    for index in 0..12 {
        test.client
            .subscribers_create()
            .body(body::<novu_client::types::CreateSubscriberRequest>(
                json!({ "subscriberId": format!("s{index:02}") }),
            ))
            .send()
            .await
            .unwrap();
    }
    let limit = 5u64;
    let first = test
        .client
        .subscribers_list()
        .limit(limit)
        .page(0)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((first.page, first.page_size, first.has_more), (0, 5, true));
    let ids: Vec<_> = first
        .data
        .iter()
        .map(|subscriber| subscriber.subscriber_id.as_str())
        .collect();
    assert_eq!(ids, ["s00", "s01", "s02", "s03", "s04"]);
    let last = test
        .client
        .subscribers_list()
        .limit(limit)
        .page(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((last.page, last.has_more, last.data.len()), (2, false, 2));
    assert_eq!(last.data[1].subscriber_id, "s11");

    let (status, body_) = test
        .raw(Method::GET, "/v1/subscribers?limit=101", None)
        .await;
    assert_eq!(status, 400);
    assert_eq!(body_["error"], "Bad Request");
}

#[tokio::test]
async fn bulk_create_reports_created_and_updated_and_revives_deleted() {
    let test = TestServer::start().await;
    let client = &test.client;
    client
        .subscribers_create()
        .body(body::<novu_client::types::CreateSubscriberRequest>(
            json!({ "subscriberId": "old" }),
        ))
        .send()
        .await
        .unwrap();
    client
        .subscribers_delete()
        .subscriber_id("old")
        .send()
        .await
        .unwrap();

    let result = client
        .subscribers_create_bulk()
        .body(body::<novu_client::types::BulkCreateSubscribersRequest>(
            json!({
                "subscribers": [
                    { "subscriberId": "old", "firstName": "Back" },
                    { "subscriberId": "new", "email": "new@example.com" },
                ],
            }),
        ))
        .send()
        .await
        .expect("bulk create succeeds");
    assert_eq!(result.status().as_u16(), 201);
    let result = serde_json::to_value(result.into_inner().data).unwrap();
    assert_eq!(result["created"], json!([{ "subscriberId": "new" }]));
    assert_eq!(result["updated"], json!([{ "subscriberId": "old" }]));
    assert_eq!(result["failed"], json!([]));

    let revived = client
        .subscribers_get()
        .subscriber_id("old")
        .send()
        .await
        .expect("revived")
        .into_inner()
        .data;
    assert!(!revived.deleted);
    assert_eq!(revived.first_name.as_deref(), Some("Back"));

    let too_many: Vec<_> = (0..501)
        .map(|index| json!({ "subscriberId": format!("b{index}") }))
        .collect();
    let (status, body_) = test
        .raw(
            Method::POST,
            "/v1/subscribers/bulk",
            Some(json!({ "subscribers": too_many })),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body_["message"],
        json!(["subscribers must contain no more than 500 elements"])
    );
}

#[tokio::test]
async fn online_status_records_when_the_subscriber_went_offline() {
    let test = TestServer::start().await;
    test.client
        .subscribers_create()
        .body(body::<novu_client::types::CreateSubscriberRequest>(
            json!({ "subscriberId": "o" }),
        ))
        .send()
        .await
        .unwrap();
    let online = test
        .client
        .subscriber_online_status_update()
        .subscriber_id("o")
        .body(body::<
            novu_client::types::UpdateSubscriberOnlineStatusRequest,
        >(json!({ "isOnline": true })))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(online.is_online, Some(true));
    assert!(online.last_online_at.is_none());
    let offline = test
        .client
        .subscriber_online_status_update()
        .subscriber_id("o")
        .body(body::<
            novu_client::types::UpdateSubscriberOnlineStatusRequest,
        >(json!({ "isOnline": false })))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(offline.is_online, Some(false));
    assert!(offline.last_online_at.is_some());
}

#[tokio::test]
async fn credentials_are_replaced_by_put_merged_by_patch_and_removed_by_delete() {
    let database = TemporaryDatabase::new("credentials");
    let test = TestServer::start_with(Config {
        database: database.0.clone(),
        ..Config::in_memory()
    })
    .await;
    let integration_id = create_integration(&test, "fcm", "fcm-main").await;
    let client = &test.client;
    client
        .subscribers_create()
        .body(body::<novu_client::types::CreateSubscriberRequest>(
            json!({ "subscriberId": "phone" }),
        ))
        .send()
        .await
        .unwrap();

    let credentials = |tokens: &[&str]| -> types::UpdateSubscriberCredentialsRequest {
        body(json!({ "providerId": "fcm", "credentials": { "deviceTokens": tokens } }))
    };
    let tokens = |subscriber: &types::Subscriber| -> Vec<String> {
        let channels = subscriber.channels.as_deref().unwrap_or_default();
        assert_eq!(
            channels.len(),
            1,
            "one channel per provider and integration"
        );
        channels[0]
            .credentials
            .device_tokens
            .clone()
            .unwrap_or_default()
    };

    let put = client
        .subscriber_credentials_update()
        .subscriber_id("phone")
        .body(credentials(&["a"]))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(tokens(&put), ["a"]);
    let channels = put.channels.as_deref().unwrap_or_default();
    assert_eq!(channels[0].integration_id, integration_id);
    assert_eq!(
        channels[0].integration_identifier.as_deref(),
        Some("fcm-main")
    );
    let patched = client
        .subscriber_credentials_append()
        .subscriber_id("phone")
        .body(credentials(&["b", "a"]))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(
        tokens(&patched),
        ["a", "b"],
        "PATCH appends new tokens only"
    );
    let replaced = client
        .subscriber_credentials_update()
        .subscriber_id("phone")
        .body(credentials(&["c"]))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(tokens(&replaced), ["c"], "PUT replaces");

    let (status, body_) = error(
        client
            .subscriber_credentials_update()
            .subscriber_id("phone")
            .body(
                body::<novu_client::types::UpdateSubscriberCredentialsRequest>(
                    json!({ "providerId": "apns", "credentials": {} }),
                ),
            )
            .send()
            .await,
    );
    assert_eq!(status, 400);
    let environment = client
        .environments_retrieve_current()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(
        message(&body_),
        format!(
            "Subscribers environment ({}) do not have active apns integration.",
            environment.id
        )
    );
    let (status, body_) = error(
        client
            .subscriber_credentials_append()
            .subscriber_id("nobody")
            .body(credentials(&["x"]))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(message(&body_), "SubscriberId: nobody not found");

    let deleted = client
        .subscriber_credentials_delete()
        .subscriber_id("phone")
        .provider_id(body::<types::SubscriberCredentialsDeleteProviderId>(json!(
            "fcm"
        )))
        .send()
        .await
        .expect("delete succeeds");
    assert_eq!(deleted.status().as_u16(), 204);
    let after = client
        .subscribers_get()
        .subscriber_id("phone")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(after.channels.as_deref().unwrap_or_default().is_empty());
    test.server.shutdown().await.unwrap();
}
