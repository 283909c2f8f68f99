//! The subscriber's in-app inbox: feed pages and filters, the unseen count, mark-as, mark-all,
//! action buttons and the legacy mark.

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

use crate::events::{in_app, in_app_integration, trigger, workflow};
use crate::{TestServer, body, error, message};

/// Three in-app messages for `ada` (payload `n` = 1, 2, 3, the newest last) and their ids,
/// newest first as the feed lists them.
async fn inbox(test: &TestServer) -> Vec<String> {
    in_app_integration(test).await;
    let name = workflow(test, "Inbox", json!([in_app("message {{n}}", json!([]))])).await;
    for n in 1..=3 {
        trigger(test, json!({ "name": name, "to": "ada", "payload": { "n": n, "group": { "kind": if n == 2 { "even" } else { "odd" } } } })).await;
    }
    feed_page(test, "").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn feed_page(test: &TestServer, query: &str) -> Value {
    let (status, page) = test
        .raw(
            Method::GET,
            &format!("/v1/subscribers/ada/notifications/feed{query}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    page
}

async fn unseen(test: &TestServer) -> i64 {
    test.client
        .subscriber_notifications_unseen_count()
        .subscriber_id("ada")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .count
}

#[tokio::test]
async fn the_feed_pages_and_filters() {
    let test = TestServer::start().await;
    let ids = inbox(&test).await;
    assert_eq!(ids.len(), 3);

    let first = feed_page(&test, "?limit=2").await;
    assert_eq!(first["data"][0]["content"], "message 3", "newest first");
    assert_eq!(
        (
            first["totalCount"].clone(),
            first["hasMore"].clone(),
            first["pageSize"].clone()
        ),
        (json!(2), json!(true), json!(2)),
        "totalCount is capped at the limit"
    );
    let second = feed_page(&test, "?limit=2&page=1").await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["hasMore"], false);

    let encoded = base64::engine::general_purpose::STANDARD.encode(r#"{"group":{"kind":"even"}}"#);
    let even = feed_page(&test, &format!("?payload={encoded}")).await;
    assert_eq!(even["data"].as_array().unwrap().len(), 1);
    assert_eq!(even["data"][0]["content"], "message 2");
    // Node's Buffer.from(text, 'base64') reads it without padding, and `payload=` filters nothing.
    let unpadded =
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(r#"{"group":{"kind":"even"}}"#);
    assert!(encoded.ends_with('=') && !unpadded.ends_with('='));
    let even = feed_page(&test, &format!("?payload={unpadded}")).await;
    assert_eq!(even["data"].as_array().unwrap().len(), 1);
    let everything = feed_page(&test, "?payload=").await;
    assert_eq!(everything["data"].as_array().unwrap().len(), 3);

    let (status, bad) = test
        .raw(
            Method::GET,
            "/v1/subscribers/ada/notifications/feed?payload=%25%25",
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        bad["message"],
        "Invalid payload, the JSON object should be encoded to base64 string."
    );

    let (status, unknown) = error(
        test.client
            .subscriber_notifications_feed()
            .subscriber_id("ghost")
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(
        message(&unknown)
            .starts_with("Subscriber not found for this environment with the id: ghost.")
    );
}

#[tokio::test]
async fn marking_changes_the_feed_and_the_unseen_count() {
    let test = TestServer::start().await;
    let ids = inbox(&test).await;
    assert_eq!(unseen(&test).await, 3);
    let capped = test
        .client
        .subscriber_notifications_unseen_count()
        .subscriber_id("ada")
        .limit(2u64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(capped.data.count, 2, "the count stops at the limit");

    let marked = test
        .client
        .subscriber_messages_mark_as()
        .subscriber_id("ada")
        .body(body::<novu_client::types::MarkMessagesAsRequest>(
            json!({ "messageId": ids[0], "markAs": "read" }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(marked.data.len(), 1);
    assert!(marked.data[0].read && marked.data[0].seen);
    assert_eq!(unseen(&test).await, 2);
    let read = feed_page(&test, "?read=true").await;
    assert_eq!(read["data"].as_array().unwrap().len(), 1);
    assert_eq!(read["data"][0]["_id"], ids[0].as_str());

    let marked = test
        .client
        .subscriber_messages_mark_as()
        .subscriber_id("ada")
        .body(body::<novu_client::types::MarkMessagesAsRequest>(
            json!({ "messageId": [ids[0]], "markAs": "unseen" }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!marked.data[0].seen);
    assert!(
        marked.data[0].read,
        "unseen leaves the read state as it was"
    );
    assert_eq!(unseen(&test).await, 3);

    let (status, empty) = error(
        test.client
            .subscriber_messages_mark_as()
            .subscriber_id("ada")
            .body(body::<novu_client::types::MarkMessagesAsRequest>(
                json!({ "messageId": "", "markAs": "seen" }),
            ))
            .send()
            .await,
    );
    assert_eq!((status, message(&empty)), (400, "messageId is required"));
    // Novu's MarkMessageAsByMark answers an unknown subscriber with 404.
    let (status, unknown) = error(
        test.client
            .subscriber_messages_mark_as()
            .subscriber_id("nobody")
            .body(body::<novu_client::types::MarkMessagesAsRequest>(
                json!({ "messageId": [ids[0]], "markAs": "seen" }),
            ))
            .send()
            .await,
    );
    assert_eq!(
        (status, message(&unknown)),
        (404, "Subscriber nobody not found")
    );

    let changed = test
        .client
        .subscriber_messages_mark_all()
        .subscriber_id("ada")
        .body(body::<novu_client::types::MarkAllMessagesAsRequest>(
            json!({ "markAs": "seen" }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(changed.data, 3);
    assert_eq!(unseen(&test).await, 0);
    let again = test
        .client
        .subscriber_messages_mark_all()
        .subscriber_id("ada")
        .body(body::<novu_client::types::MarkAllMessagesAsRequest>(
            json!({ "markAs": "seen" }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.data, 0, "only changed messages count");
    let seen = feed_page(&test, "?seen=true").await;
    assert_eq!(seen["data"].as_array().unwrap().len(), 3);

    let (status, unknown) = error(
        test.client
            .subscriber_messages_mark_all()
            .subscriber_id("ghost")
            .body(body::<novu_client::types::MarkAllMessagesAsRequest>(
                json!({ "markAs": "read" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert!(message(&unknown).starts_with("Subscriber ghost does not exist in environment"));

    let legacy = test
        .client
        .subscriber_messages_mark_as_legacy()
        .subscriber_id("ada")
        .body(body::<novu_client::types::LegacyMarkMessagesRequest>(
            json!({ "messageId": ids[1], "mark": { "read": true } }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(legacy.data[0].read);

    // Novu's legacy markAs: the controller's `if (!body.messageId)`, the command's
    // `@IsDefined() mark` (class-validator's list; the contract's `required`), then
    // MarkMessageAs's 404.
    let legacy = |subscriber: &'static str, request: serde_json::Value| {
        let test = &test;
        async move {
            test.raw(
                Method::POST,
                &format!("/v1/subscribers/{subscriber}/messages/markAs"),
                Some(request),
            )
            .await
        }
    };
    let (status, refused) = legacy("ada", json!({ "mark": { "seen": true } })).await;
    assert_eq!(
        (status, &refused["message"]),
        (400, &json!("messageId is required"))
    );
    let (status, refused) =
        legacy("ada", json!({ "messageId": "", "mark": { "seen": true } })).await;
    assert_eq!(
        (status, &refused["message"]),
        (400, &json!("messageId is required"))
    );
    let (status, refused) = legacy("ada", json!({ "messageId": ids[0] })).await;
    assert_eq!(
        (status, &refused["message"]),
        (400, &json!(["mark should not be null or undefined"]))
    );
    let (status, refused) = legacy(
        "ghost",
        json!({ "messageId": ids[0], "mark": { "seen": true } }),
    )
    .await;
    assert_eq!(
        (status, &refused["message"]),
        (404, &json!("Subscriber ghost not found"))
    );
    let (status, none) = legacy("ada", json!({ "messageId": [], "mark": { "seen": true } })).await;
    assert_eq!(
        (status, &none["data"]),
        (201, &json!([])),
        "an empty list is no error"
    );
}

#[tokio::test]
async fn an_action_button_records_its_result() {
    let test = TestServer::start().await;
    let ids = inbox(&test).await;
    let message_id: novu_client::types::ObjectId = body(json!(ids[0]));
    let updated = test
        .client
        .subscriber_message_action_update()
        .subscriber_id("ada")
        .message_id(message_id.clone())
        .type_(body::<novu_client::types::SubscriberMessageActionUpdateType>(json!("primary")))
        .body(body::<novu_client::types::MarkMessageActionRequest>(
            json!({ "status": "done", "payload": { "answer": 42 } }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    let updated = serde_json::to_value(updated.data).unwrap();
    assert_eq!(updated["cta"]["action"]["status"], "done");
    assert_eq!(
        updated["cta"]["action"]["result"],
        json!({ "payload": { "answer": 42 }, "type": "primary" })
    );
    let listed = feed_page(&test, "").await;
    assert_eq!(listed["data"][0]["cta"]["action"]["status"], "done");

    // Any status string is stored and read back, as Novu does.
    let (status, stored) = test
        .raw(
            Method::POST,
            &format!(
                "/v1/subscribers/ada/messages/{}/actions/secondary",
                message_id.as_str()
            ),
            Some(json!({ "status": "maybe" })),
        )
        .await;
    assert_eq!(status, 201, "{stored}");
    assert_eq!(stored["data"]["cta"]["action"]["status"], "maybe");

    let unknown: novu_client::types::ObjectId = body(json!("0123456789abcdef01234567"));
    let (status, missing) = error(
        test.client
            .subscriber_message_action_update()
            .subscriber_id("ada")
            .message_id(unknown.clone())
            .type_(body::<novu_client::types::SubscriberMessageActionUpdateType>(json!("primary")))
            .body(body::<novu_client::types::MarkMessageActionRequest>(
                json!({ "status": "done" }),
            ))
            .send()
            .await,
    );
    assert_eq!(
        (status, message(&missing)),
        (404, "Message 0123456789abcdef01234567 not found")
    );
}
