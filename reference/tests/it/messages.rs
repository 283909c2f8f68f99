//! The environment-wide message list and message deletion.

use reqwest::Method;
use serde_json::json;

use crate::events::{in_app, in_app_integration, trigger, workflow};
use crate::{TestServer, body, error, message};

#[tokio::test]
async fn messages_list_and_delete() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Listed", json!([in_app("n {{n}}", json!([]))])).await;
    for n in 0..3 {
        let to = if n == 2 { "bob" } else { "ada" };
        trigger(
            &test,
            json!({ "name": name, "to": to, "payload": { "n": n }, "transactionId": format!("t{n}") }),
        )
        .await;
    }

    let page = test
        .client
        .messages_list()
        .limit(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (page.data.len(), page.total_count, page.has_more),
        (2, Some(3), true)
    );
    let last = test
        .client
        .messages_list()
        .limit(2)
        .page(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((last.data.len(), last.has_more), (1, false));
    let ada = test
        .client
        .messages_list()
        .channel("in_app")
        .subscriber_id("ada")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ada.data.len(), 2);

    let (status, unknown) = error(
        test.client
            .messages_list()
            .subscriber_id("ghost")
            .send()
            .await,
    );
    assert_eq!(
        (status, message(&unknown)),
        (404, "Subscriber not found for id ghost")
    );
    let (status, far) = test
        .raw(
            Method::GET,
            "/v1/messages?page=9223372036854775807&limit=1000",
            None,
        )
        .await;
    assert_eq!(
        (status, far["hasMore"].clone()),
        (200, json!(false)),
        "{far}"
    );
    let (status, too_big) = test.raw(Method::GET, "/v1/messages?limit=1001", None).await;
    assert_eq!(status, 400, "{too_big}");

    let deleted = test
        .client
        .messages_delete()
        .message_id(
            ada.data[0]
                .id
                .parse::<novu_client::types::ObjectId>()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(deleted.into_inner().data).unwrap(),
        json!({ "acknowledged": true, "status": "deleted" })
    );
    let (status, gone) = error(
        test.client
            .messages_delete()
            .message_id(
                ada.data[0]
                    .id
                    .parse::<novu_client::types::ObjectId>()
                    .unwrap(),
            )
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&gone),
        format!("Message with id {} not found", ada.data[0].id)
    );

    let removed = test
        .client
        .messages_delete_by_transaction()
        .transaction_id("t2")
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 204);
    let (status, nothing) = error(
        test.client
            .messages_delete_by_transaction()
            .transaction_id("t2")
            .send()
            .await,
    );
    assert_eq!(
        (status, message(&nothing)),
        (404, "Invalid transactionId or channel")
    );
    let (status, wrong_channel) = error(
        test.client
            .messages_delete_by_transaction()
            .transaction_id("t0")
            .channel(body::<novu_client::types::ChannelType>(json!("email")))
            .send()
            .await,
    );
    assert_eq!(
        (status, message(&wrong_channel)),
        (404, "Invalid transactionId or channel")
    );

    let remaining = test
        .client
        .messages_list()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(remaining.total_count, Some(1));
}
