use serde_json::json;

use crate::{TestServer, body, error, message};

#[tokio::test]
async fn feed_lifecycle() {
    let test = TestServer::start().await;
    let client = &test.client;
    let created = client
        .feeds_create()
        .body(body::<novu_client::types::CreateFeedRequest>(
            json!({ "name": "alerts" }),
        ))
        .send()
        .await
        .expect("create succeeds");
    assert_eq!(created.status().as_u16(), 201);
    let alerts = created.into_inner().data;
    assert_eq!(
        (alerts.name.as_str(), alerts.identifier.as_str()),
        ("alerts", "alerts")
    );

    let (status, conflict) = error(
        client
            .feeds_create()
            .body(body::<novu_client::types::CreateFeedRequest>(
                json!({ "name": "alerts" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        message(&conflict),
        "Feed with identifier: alerts already exists"
    );

    client
        .feeds_create()
        .body(body::<novu_client::types::CreateFeedRequest>(
            json!({ "name": "digest" }),
        ))
        .send()
        .await
        .unwrap();
    let names = |feeds: &[novu_client::types::Feed]| {
        feeds
            .iter()
            .map(|feed| feed.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&client.feeds_list().send().await.unwrap().into_inner().data),
        ["alerts", "digest"]
    );

    let remaining = client
        .feeds_delete()
        .feed_id(alerts.id.clone())
        .send()
        .await
        .expect("delete succeeds");
    assert_eq!(remaining.status().as_u16(), 200);
    assert_eq!(names(&remaining.into_inner().data), ["digest"]);

    let (status, missing) = error(
        client
            .feeds_delete()
            .feed_id(alerts.id.clone())
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        message(&missing),
        format!("Could not find feed with id {}", alerts.id)
    );

    // The name of a deleted feed can be used again.
    client
        .feeds_create()
        .body(body::<novu_client::types::CreateFeedRequest>(
            json!({ "name": "alerts" }),
        ))
        .send()
        .await
        .expect("recreate succeeds");
}
