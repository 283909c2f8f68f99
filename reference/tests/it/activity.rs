//! The activity feed and execution details of what the trigger engine did.

use serde_json::json;

use crate::events::{condition, in_app, in_app_integration, trigger, workflow};
use crate::{TestServer, error, message};

#[tokio::test]
async fn activity_lists_notifications_and_details_explain_skipped_steps() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(
        &test,
        "Explained",
        json!([
            in_app("kept", json!([])),
            in_app("skipped", condition("payload", "plan", "EQUAL", "pro")),
            { "template": { "type": "sms", "content": "no integration" } },
            in_app("errored", condition("payload", "missing", "IN", "x")),
            {
                "template": {
                    "type": "in_app",
                    "content": "{{greeting}} {{order.id}}",
                    "variables": [
                        { "name": "greeting", "type": "String", "defaultValue": "Hello" },
                        { "name": "order.id", "type": "String", "defaultValue": "none" },
                    ],
                },
            },
        ]),
    )
    .await;
    trigger(
        &test,
        json!({ "name": name, "to": "ada", "transactionId": "explained" }),
    )
    .await;

    let page = test
        .client
        .notifications_list()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (page.page_size, page.has_more, page.data.len()),
        (10, false, 1)
    );
    let notification = &page.data[0];
    assert_eq!(notification.transaction_id, "explained");
    let jobs = notification.jobs.as_deref().unwrap_or_default();
    assert_eq!(jobs.len(), 5);
    let statuses: Vec<&str> = jobs.iter().map(|job| job.status.as_str()).collect();
    assert_eq!(
        statuses,
        ["completed", "canceled", "failed", "failed", "completed"]
    );
    let feed = test
        .client
        .subscriber_notifications_feed()
        .subscriber_id("ada")
        .send()
        .await
        .unwrap()
        .into_inner();
    let contents: Vec<&str> = feed.data.iter().map(|item| item.content.as_str()).collect();
    assert_eq!(contents.len(), 2);
    assert!(
        contents.contains(&"Hello none"),
        "template variable defaults fill the payload: {contents:?}"
    );

    let by_subscriber = test
        .client
        .notifications_list()
        .subscriber_ids(vec!["bob".to_owned()])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(by_subscriber.data.is_empty());

    let id: novu_client::types::ObjectId = notification.id.parse().unwrap();
    let fetched = test
        .client
        .notifications_get()
        .notification_id(id.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched.data.unwrap().id, notification.id);
    let unknown: novu_client::types::ObjectId = "0123456789abcdef01234567".parse().unwrap();
    assert!(
        test.client
            .notifications_get()
            .notification_id(unknown.clone())
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
            .is_none()
    );

    let details = test
        .client
        .execution_details_list()
        .notification_id(id.clone())
        .subscriber_id("ada")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let texts: Vec<&str> = details
        .iter()
        .map(|detail| detail.detail.as_str())
        .collect();
    assert!(texts.contains(&"Message sent"), "{texts:?}");
    assert!(
        texts.contains(&"Step was filtered based on steps filters"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Subscriber does not have an active integration"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Failed to process step filter"),
        "a filter that cannot be evaluated is told apart: {texts:?}"
    );
    let (status, missing) = error(
        test.client
            .execution_details_list()
            .notification_id(id.clone())
            .subscriber_id("ghost")
            .send()
            .await,
    );
    assert_eq!(
        (status, message(&missing)),
        (404, "Subscriber not found for id ghost")
    );

    let stats = test
        .client
        .notifications_stats()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!((stats.weekly_sent, stats.monthly_sent), (1, 1));
    let graph = test
        .client
        .notifications_graph_stats()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(graph.len(), 1);
    let all_time = test
        .client
        .notifications_graph_stats()
        .days(i64::MAX)
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(all_time.len(), 1);
    // The day counts the notification once per channel, as Novu unwinds them before grouping.
    assert_eq!(
        graph[0].count,
        notification.channels.as_ref().map_or(0, Vec::len) as i64
    );
    assert!(graph[0].count > 1);
}

#[tokio::test]
async fn odd_steps_do_not_break_the_readers() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let (status, _) = test
        .raw(
            reqwest::Method::POST,
            "/v1/integrations",
            Some(json!({ "providerId": "sendgrid", "channel": "email", "active": true })),
        )
        .await;
    assert_eq!(status, 201);
    let name = workflow(
        &test,
        "Odd",
        json!([
            { "name": "no template" },
            {
                "template": {
                    "type": "email",
                    "subject": "s",
                    "content": [{ "type": "text", "content": "Hi {{name}}" }],
                },
                "filters": [{ "strange": true }],
            },
            {
                "template": {
                    "type": "in_app",
                    "content": "odd",
                },
            },
        ]),
    )
    .await;
    let to = json!({ "subscriberId": "ada", "email": "ada@example.com" });
    trigger(
        &test,
        json!({ "name": name, "to": to, "payload": { "name": "Ada" } }),
    )
    .await;

    let messages = test
        .client
        .messages_list()
        .channel("email")
        .send()
        .await
        .unwrap()
        .into_inner();
    let email = serde_json::to_value(&messages.data[0]).unwrap();
    assert_eq!(
        email["content"],
        json!([{ "type": "text", "content": "Hi Ada" }])
    );
    let feed = test
        .client
        .subscriber_notifications_feed()
        .subscriber_id("ada")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(feed.data.len(), 1);
    let activity = test
        .client
        .notifications_list()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        activity.data[0].jobs.as_deref().unwrap_or_default().len(),
        2,
        "the step without a type is left out"
    );
}

#[tokio::test]
async fn the_activity_feed_narrows_to_the_named_transaction_and_workflows() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    for (label, transaction_id) in [("First", "one"), ("Second", "two"), ("Third", "three")] {
        let name = workflow(&test, label, json!([in_app(label, json!([]))])).await;
        trigger(
            &test,
            json!({ "name": name, "to": "ada", "transactionId": transaction_id }),
        )
        .await;
    }
    let listed = |path: String| {
        let test = &test;
        async move {
            let (status, body) = test.raw(reqwest::Method::GET, &path, None).await;
            assert_eq!(status, 200, "{body}");
            let mut found: Vec<(String, String)> = body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|notification| {
                    let text = |field: &str| notification[field].as_str().unwrap().to_owned();
                    (text("transactionId"), text("_templateId"))
                })
                .collect();
            found.sort();
            found
        }
    };
    let all = listed("/v1/notifications".to_owned()).await;
    let workflow_of = |transaction_id: &str| {
        all.iter()
            .find(|(id, _)| id == transaction_id)
            .map(|(_, workflow)| workflow.clone())
            .unwrap()
    };
    let (one, two, three) = (workflow_of("one"), workflow_of("two"), workflow_of("three"));
    let transactions = |found: Vec<(String, String)>| -> Vec<String> {
        found.into_iter().map(|(id, _)| id).collect()
    };
    assert_eq!(
        transactions(listed("/v1/notifications?transactionId=two".to_owned()).await),
        ["two"]
    );
    assert_eq!(
        transactions(
            listed(format!(
                "/v1/notifications?templates={one}&templates={three}"
            ))
            .await
        ),
        ["one", "three"]
    );
    assert_eq!(
        transactions(listed(format!("/v1/notifications?templates={one},{two}")).await),
        ["one", "two"]
    );
    assert!(
        listed(format!(
            "/v1/notifications?templates={one}&transactionId=two"
        ))
        .await
        .is_empty()
    );
}
