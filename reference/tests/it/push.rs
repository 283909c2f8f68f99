//! Push steps deliver through every push channel a subscriber configured, each through its own
//! integration, and record what kept a channel from delivering.

use reqwest::Method;
use serde_json::{Value, json};

use crate::events::{trigger, workflow};
use crate::{TestServer, create_integration};

const NO_CHANNEL: &str = "Subscriber does not have a configured channel";
const MISSING_TOKENS: &str =
    "Subscriber credentials is missing the tokens for sending a push notification message";
const NOTIFICATION_ERROR: &str =
    "There was one or more errors when trying to execute the notification";

/// The job statuses and the execution details (`detail`, `providerId`) of the notification
/// `transaction_id` made for `subscriber_id`.
async fn outcome(
    test: &TestServer,
    transaction_id: &str,
    subscriber_id: &str,
) -> (Vec<Value>, Vec<(String, Value)>) {
    let (status, activity) = test
        .raw(
            Method::GET,
            &format!("/v1/notifications?transactionId={transaction_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{activity}");
    let notification = &activity["data"][0];
    let statuses = notification["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| job["status"].clone())
        .collect();
    let (status, details) = test
        .raw(
            Method::GET,
            &format!(
                "/v1/execution-details?notificationId={}&subscriberId={subscriber_id}",
                notification["_id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(status, 200, "{details}");
    let details = details["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|detail| {
            (
                detail["detail"].as_str().unwrap().to_owned(),
                detail["providerId"].clone(),
            )
        })
        .collect();
    (statuses, details)
}

async fn push_messages(test: &TestServer, subscriber_id: &str) -> Vec<Value> {
    let (status, listed) = test
        .raw(
            Method::GET,
            &format!("/v1/messages?channel=push&subscriberId={subscriber_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{listed}");
    listed["data"].as_array().unwrap().clone()
}

async fn credentials(test: &TestServer, subscriber_id: &str, provider_id: &str, tokens: Value) {
    let (status, answer) = test
        .raw(
            Method::PUT,
            &format!("/v1/subscribers/{subscriber_id}/credentials"),
            Some(json!({ "providerId": provider_id, "credentials": { "deviceTokens": tokens } })),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn a_push_step_delivers_through_each_configured_channel_and_records_the_others() {
    let test = TestServer::start().await;
    create_integration(&test, "fcm", "fcm-first").await;
    create_integration(&test, "expo", "expo-second").await;
    let name = workflow(
        &test,
        "Push",
        json!([{ "template": { "type": "push", "title": "Hi", "content": "Hello {{name}}" } }]),
    )
    .await;
    for subscriber_id in ["nobody", "ada"] {
        let (status, _) = test
            .raw(
                Method::POST,
                "/v1/subscribers",
                Some(json!({ "subscriberId": subscriber_id })),
            )
            .await;
        assert_eq!(status, 201);
    }

    // Without a push channel nothing is sent; the details name the job's provider, the first
    // active push integration.
    trigger(
        &test,
        json!({ "name": name, "to": "nobody", "payload": { "name": "Ada" }, "transactionId": "none" }),
    )
    .await;
    let (statuses, details) = outcome(&test, "none", "nobody").await;
    assert_eq!(statuses, [json!("completed")]);
    assert!(
        details.contains(&(NO_CHANNEL.to_owned(), json!("fcm"))),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|(detail, _)| detail == NOTIFICATION_ERROR)
    );
    assert!(push_messages(&test, "nobody").await.is_empty());

    // FCM has two device tokens, Expo none: one message through FCM, sent to both tokens, and
    // Expo's missing tokens recorded under Expo's name.
    credentials(&test, "ada", "fcm", json!(["token-1", "token-2"])).await;
    credentials(&test, "ada", "expo", json!([])).await;
    trigger(
        &test,
        json!({ "name": name, "to": "ada", "payload": { "name": "Ada" }, "transactionId": "some" }),
    )
    .await;
    let (statuses, details) = outcome(&test, "some", "ada").await;
    assert_eq!(statuses, [json!("completed")]);
    let texts: Vec<&str> = details.iter().map(|(detail, _)| detail.as_str()).collect();
    assert!(
        details.contains(&(MISSING_TOKENS.to_owned(), json!("expo"))),
        "{details:?}"
    );
    assert_eq!(
        texts
            .iter()
            .filter(|text| **text == "Message sent: fcm")
            .count(),
        2,
        "{texts:?}"
    );
    assert!(texts.contains(&"Message created: fcm"), "{texts:?}");
    assert!(texts.contains(&NOTIFICATION_ERROR), "{texts:?}");
    let messages = push_messages(&test, "ada").await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["providerId"], "fcm");
    assert_eq!(messages[0]["deviceTokens"], json!(["token-1", "token-2"]));
    assert_eq!(messages[0]["content"], "Hello Ada");
}
