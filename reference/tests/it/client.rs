//! The generated client's builders and page streams against the reference: every pagination
//! rule of the spec's `x-pagination` (by `hasMore`, by `totalCount`, the fixed-size activity
//! feed) walks more items than one page holds, and nothing twice.

use std::collections::BTreeSet;

use futures_util::StreamExt;
use serde_json::json;

use crate::events::{in_app, in_app_integration, trigger, workflow};
use crate::{TestServer, body};

/// Every item of `stream`, failing the test at the first error.
async fn collect<T, E: std::fmt::Debug>(
    stream: impl futures_util::Stream<Item = Result<T, E>> + Unpin,
) -> Vec<T> {
    let mut stream = stream;
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item.expect("every page answers"));
    }
    items
}

async fn create_subscriber(test: &TestServer, id: &str) {
    test.client
        .subscribers_create()
        .body_map(|request| request.subscriber_id(id))
        .send()
        .await
        .expect("the subscriber is created");
}

/// The ids, asserting there is no duplicate among them.
fn distinct(ids: Vec<String>) -> BTreeSet<String> {
    let count = ids.len();
    let set: BTreeSet<String> = ids.into_iter().collect();
    assert_eq!(set.len(), count, "no item comes twice: {set:?}");
    set
}

#[tokio::test]
async fn builders_send_optional_parameters_only_when_set() {
    let test = TestServer::start().await;
    let client = &test.client;
    for key in ["alpha", "beta", "gamma"] {
        client
            .topics_create()
            .body(body::<novu_client::types::CreateTopicRequest>(
                json!({ "key": key, "name": key }),
            ))
            .send()
            .await
            .expect("the topic is created");
    }

    let everything = client.topics_list().send().await.unwrap().into_inner();
    assert_eq!((everything.total_count, everything.data.len()), (3, 3));

    let by_key = client
        .topics_list()
        .key("beta")
        .send()
        .await
        .unwrap()
        .into_inner();
    let keys: Vec<&str> = by_key.data.iter().map(|topic| topic.key.as_str()).collect();
    assert_eq!(keys, ["beta"]);

    let second_page = client
        .topics_list()
        .page(1u64)
        .page_size(2i64)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            second_page.page,
            second_page.page_size,
            second_page.data.len()
        ),
        (1, 2, 1)
    );
}

#[tokio::test]
async fn a_required_parameter_left_out_is_an_invalid_request() {
    let test = TestServer::start().await;
    let result = test.client.topics_get().send().await;
    match result {
        Err(novu_client::Error::InvalidRequest(message)) => {
            assert!(message.contains("key"), "{message}")
        }
        other => panic!("expected an invalid request, got {other:?}"),
    }
}

#[tokio::test]
async fn subscribers_stream_by_has_more() {
    let test = TestServer::start().await;
    let created: BTreeSet<String> = (0..7).map(|n| format!("user-{n}")).collect();
    for id in &created {
        create_subscriber(&test, id).await;
    }
    let ids = collect(test.client.subscribers_list().limit(3u64).stream()).await;
    let ids = distinct(
        ids.into_iter()
            .map(|subscriber| subscriber.subscriber_id)
            .collect(),
    );
    assert_eq!(ids, created, "three pages of 3, 3 and 1");

    // A stream starts at the builder's page.
    let rest = collect(
        test.client
            .subscribers_list()
            .limit(3u64)
            .page(2u64)
            .stream(),
    )
    .await;
    assert_eq!(rest.len(), 1);
}

#[tokio::test]
async fn topics_stream_by_total_count() {
    let test = TestServer::start().await;
    let created: BTreeSet<String> = (0..12).map(|n| format!("topic-{n:02}")).collect();
    for key in &created {
        test.client
            .topics_create()
            .body(body::<novu_client::types::CreateTopicRequest>(
                json!({ "key": key, "name": key }),
            ))
            .send()
            .await
            .expect("the topic is created");
    }
    // Topics pages hold at most 10: a stream with the default size takes two pages.
    let keys = collect(test.client.topics_list().stream()).await;
    let keys = distinct(keys.into_iter().map(|topic| topic.key).collect());
    assert_eq!(keys, created);

    let keys = collect(test.client.topics_list().page_size(5i64).stream()).await;
    assert_eq!(
        distinct(keys.into_iter().map(|topic| topic.key).collect()),
        created
    );
}

#[tokio::test]
async fn workflows_stream_by_total_count() {
    let test = TestServer::start().await;
    let mut created = BTreeSet::new();
    for n in 0..5 {
        let identifier = workflow(&test, &format!("Flow {n}"), json!([])).await;
        created.insert(identifier);
    }
    let listed = collect(test.client.workflows_list().limit(2u64).stream()).await;
    let identifiers = distinct(
        listed
            .into_iter()
            .map(|workflow| workflow.triggers[0].identifier.clone())
            .collect(),
    );
    assert_eq!(identifiers, created, "pages of 2, 2 and 1");
}

#[tokio::test]
async fn the_feed_streams_by_has_more_not_its_capped_total() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Feed", json!([in_app("message {{n}}", json!([]))])).await;
    for n in 1..=5 {
        trigger(
            &test,
            json!({ "name": name, "to": "ada", "payload": { "n": n } }),
        )
        .await;
    }
    let messages = collect(
        test.client
            .subscriber_notifications_feed()
            .subscriber_id("ada")
            .limit(2u64)
            .stream(),
    )
    .await;
    let contents: Vec<String> = messages
        .into_iter()
        .map(|message| message.content)
        .collect();
    assert_eq!(
        contents,
        [
            "message 5",
            "message 4",
            "message 3",
            "message 2",
            "message 1"
        ],
        "newest first, over three pages whose totalCount says 2"
    );
}

#[tokio::test]
async fn the_activity_feed_streams_by_its_fixed_page_size() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Activity", json!([in_app("hello", json!([]))])).await;
    let mut transactions = BTreeSet::new();
    for n in 0..12 {
        let result = trigger(&test, json!({ "name": name, "to": format!("user-{n}") })).await;
        transactions.insert(result["transactionId"].as_str().unwrap().to_owned());
    }
    let notifications = collect(test.client.notifications_list().stream()).await;
    let listed = distinct(
        notifications
            .into_iter()
            .map(|notification| notification.transaction_id)
            .collect(),
    );
    assert_eq!(listed, transactions, "a page of 10, then one of 2");
}
