use reqwest::Method;
use serde_json::{Value, json};

use crate::TestServer;

/// An active workflow with an email and an in-app step, as its `_id`.
async fn workflow(test: &TestServer, name: &str, critical: bool) -> String {
    let (_, groups) = test.raw(Method::GET, "/v1/notification-groups", None).await;
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/workflows",
            Some(json!({
                "name": name,
                "notificationGroupId": groups["data"][0]["_id"],
                "active": true,
                "critical": critical,
                "preferenceSettings": { "email": true, "sms": true, "in_app": false, "chat": true, "push": true },
                "steps": [
                    { "template": { "type": "email", "subject": "Hi", "content": "Hello" } },
                    { "template": { "type": "in_app", "content": "Hello" } },
                ],
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["data"]["_id"].as_str().unwrap().to_owned()
}

async fn subscriber(test: &TestServer, subscriber_id: &str) {
    let (status, _) = test
        .raw(
            Method::POST,
            "/v1/subscribers",
            Some(json!({ "subscriberId": subscriber_id })),
        )
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn workflow_preference_lifecycle() {
    let test = TestServer::start().await;
    let workflow_id = workflow(&test, "Weekly digest", false).await;
    workflow(&test, "Password reset", true).await;
    subscriber(&test, "ada").await;

    let (status, listed) = test
        .raw(Method::GET, "/v1/subscribers/ada/preferences", None)
        .await;
    assert_eq!(status, 200);
    let items = listed["data"].as_array().unwrap();
    assert_eq!(items.len(), 1, "critical workflows are left out: {listed}");
    assert_eq!(items[0]["template"]["_id"], workflow_id.as_str());
    assert_eq!(items[0]["template"]["critical"], false);
    assert_eq!(items[0]["preference"]["enabled"], true);
    assert_eq!(
        items[0]["preference"]["channels"],
        json!({ "email": true, "in_app": false })
    );
    assert_eq!(
        items[0]["preference"]["overrides"],
        json!([{ "channel": "email", "source": "template" }, { "channel": "in_app", "source": "template" }])
    );

    let path = format!("/v1/subscribers/ada/preferences/{workflow_id}");
    let (status, updated) = test
        .raw(
            Method::PATCH,
            &path,
            Some(json!({ "channel": { "type": "email", "enabled": false } })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["data"]["preference"]["enabled"], true,
        "the first write enables unless told"
    );
    assert_eq!(updated["data"]["preference"]["channels"]["email"], false);
    assert_eq!(
        updated["data"]["preference"]["overrides"][0],
        json!({ "channel": "email", "source": "subscriber" })
    );

    let (status, updated) = test
        .raw(Method::PATCH, &path, Some(json!({ "enabled": false })))
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["data"]["preference"]["enabled"], false);
    assert_eq!(
        updated["data"]["preference"]["channels"]["email"], false,
        "kept"
    );

    let (status, rejected) = test.raw(Method::PATCH, &path, Some(json!({}))).await;
    assert_eq!(status, 400);
    assert_eq!(
        rejected["message"],
        "In order to make an update you need to provider channel or enabled"
    );

    let (_, by_level) = test
        .raw(
            Method::GET,
            "/v1/subscribers/ada/preferences/template",
            None,
        )
        .await;
    assert_eq!(by_level["data"][0]["preference"]["enabled"], false);
}

#[tokio::test]
async fn first_write_with_enabled_false_and_empty_body() {
    let test = TestServer::start().await;
    let workflow_id = workflow(&test, "News", false).await;
    subscriber(&test, "bo").await;
    subscriber(&test, "cy").await;
    let (status, created) = test
        .raw(
            Method::PATCH,
            &format!("/v1/subscribers/bo/preferences/{workflow_id}"),
            Some(json!({ "enabled": false })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(created["data"]["preference"]["enabled"], false);
    let (status, created) = test
        .raw(
            Method::PATCH,
            &format!("/v1/subscribers/cy/preferences/{workflow_id}"),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        status, 200,
        "an empty first write creates the preference: {created}"
    );
    assert_eq!(created["data"]["preference"]["enabled"], true);
}

#[tokio::test]
async fn update_messages_for_unknown_subscriber_and_workflow() {
    let test = TestServer::start().await;
    let workflow_id = workflow(&test, "News", false).await;
    subscriber(&test, "ada").await;
    let (status, body) = test
        .raw(
            Method::PATCH,
            &format!("/v1/subscribers/nobody/preferences/{workflow_id}"),
            Some(json!({ "enabled": true })),
        )
        .await;
    assert_eq!(
        (status, body["message"].clone()),
        (404, json!("Subscriber not found"))
    );
    let missing = "64b7f1b2c3d4e5f6a7b8c9d0";
    let (status, body) = test
        .raw(
            Method::PATCH,
            &format!("/v1/subscribers/ada/preferences/{missing}"),
            Some(json!({ "enabled": true })),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        body["message"],
        format!("Template with id {missing} is not found")
    );
    let (status, body) = test
        .raw(
            Method::PATCH,
            "/v1/subscribers/nobody/preferences",
            Some(json!({ "enabled": false })),
        )
        .await;
    assert_eq!(
        (status, body["message"].clone()),
        (404, json!("Subscriber not found"))
    );
}

#[tokio::test]
async fn global_preference() {
    let test = TestServer::start().await;
    workflow(&test, "News", false).await;
    subscriber(&test, "ada").await;
    let (status, global) = test
        .raw(Method::GET, "/v1/subscribers/ada/preferences/global", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        global["data"],
        json!([{ "preference": { "enabled": true, "channels": {
            "email": true, "sms": true, "in_app": true, "chat": true, "push": true,
        } } }])
    );
    let (status, updated) = test
        .raw(
            Method::PATCH,
            "/v1/subscribers/ada/preferences",
            Some(json!({ "enabled": false, "preferences": [{ "type": "in_app", "enabled": false }] })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    let expected = json!({ "preference": { "enabled": false, "channels": {
        "email": true, "sms": true, "in_app": false, "chat": true, "push": true,
    } } });
    assert_eq!(updated["data"], expected);
    let (_, global) = test
        .raw(Method::GET, "/v1/subscribers/ada/preferences/global", None)
        .await;
    assert_eq!(global["data"][0], expected);
}

#[tokio::test]
async fn global_level_of_an_unknown_subscriber() {
    let test = TestServer::start().await;
    let (status, body) = test
        .raw(
            Method::GET,
            "/v1/subscribers/nobody/preferences/global",
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "Subscriber nobody not found");
}

#[tokio::test]
async fn unknown_level_is_rejected() {
    let test = TestServer::start().await;
    subscriber(&test, "ada").await;
    let (status, _): (u16, Value) = test
        .raw(
            Method::GET,
            "/v1/subscribers/ada/preferences/sometimes",
            None,
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn workflow_preferences_of_an_unknown_subscriber_are_a_404() {
    let test = TestServer::start().await;
    for path in [
        "/v1/subscribers/nobody/preferences",
        "/v1/subscribers/nobody/preferences/template",
    ] {
        let (status, body) = test.raw(Method::GET, path, None).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(
            body["message"], "Subscriber with id: nobody not found",
            "{path}"
        );
    }
}
