//! Novu's own checks of a trigger: the payload against the workflow's required template
//! variables, the defaults it fills in (from the last step only, never an empty string), and a
//! bulk whose events are checked one by one.

use reqwest::Method;
use serde_json::{Value, json};

use crate::TestServer;
use crate::events::{feed, in_app, in_app_integration, workflow};

/// An in-app step with this content and these template variables.
fn in_app_with(content: &str, variables: Value) -> Value {
    let mut step = in_app(content, json!([]));
    step["template"]["variables"] = variables;
    step
}

async fn trigger_raw(test: &TestServer, name: &str, payload: Value) -> (u16, Value) {
    test.raw(
        Method::POST,
        "/v1/events/trigger",
        Some(json!({ "name": name, "to": "ada", "payload": payload })),
    )
    .await
}

#[tokio::test]
async fn a_payload_without_the_required_variables_is_refused_before_anything_is_sent() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let variables = json!([
        { "name": "myUser.lastName", "required": true, "type": "String" },
        { "name": "myUser.array", "required": true, "type": "Array" },
        { "name": "myUser.bool", "required": true, "type": "Boolean" },
        { "name": "subscriber.firstName", "required": true, "type": "String" },
    ]);
    let name = workflow(&test, "Required", json!([in_app_with("hi", variables)])).await;
    let wanted = "payload is missing required key(s) and type(s): myUser.lastName (Value), \
                  myUser.array (Array), myUser.bool (Boolean)";
    for payload in [
        json!({}),
        json!({ "myUser": { "lastName": true, "array": "John Doe", "bool": 0 } }),
    ] {
        let (status, body) = trigger_raw(&test, &name, payload).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            body["message"], wanted,
            "a system variable is never required"
        );
    }
    let (status, _) = test.raw(Method::GET, "/v1/subscribers/ada", None).await;
    assert_eq!(
        status, 404,
        "a refused trigger creates not even its subscriber"
    );
    let given = json!({ "myUser": { "lastName": "", "array": [], "bool": true } });
    let (status, body) = trigger_raw(&test, &name, given).await;
    assert_eq!(status, 201, "an empty string is a value: {body}");
    assert_eq!(feed(&test, "ada").await, ["hi"]);
}

#[tokio::test]
async fn defaults_come_from_the_last_step_and_an_empty_one_is_never_filled_in() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let first = in_app_with(
        "first {{a}}",
        json!([{ "name": "a", "type": "String", "defaultValue": "from the first step" }]),
    );
    let last = in_app_with(
        "last {{b.c}}",
        json!([
            { "name": "b.c", "type": "String", "defaultValue": "from the last step" },
            { "name": "empty", "type": "String", "defaultValue": "" },
        ]),
    );
    let name = workflow(&test, "Defaults", json!([first, last])).await;
    let (status, body) = trigger_raw(&test, &name, json!({ "kept": 1 })).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        feed(&test, "ada").await,
        ["last from the last step", "first "],
        "only the last step's defaults are filled in"
    );
    let (status, messages) = test
        .raw(Method::GET, "/v1/messages?subscriberId=ada", None)
        .await;
    assert_eq!(status, 200, "{messages}");
    assert_eq!(
        messages["data"][0]["payload"],
        json!({ "kept": 1, "b": { "c": "from the last step" } }),
        "an empty-string default is left out of the stored payload"
    );
}

#[tokio::test]
async fn a_bulk_event_the_command_refuses_gets_its_own_error_and_the_rest_is_triggered() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Bulk checks", json!([in_app("bulk", json!([]))])).await;
    let (status, response) = test
        .raw(
            Method::POST,
            "/v1/events/trigger/bulk",
            Some(json!({ "events": [
                { "to": "ada", "payload": {} },
                { "name": name, "payload": {}, "transactionId": 7 },
                { "name": name, "to": "ada", "payload": {} },
                5,
            ] })),
        )
        .await;
    assert_eq!(
        status, 201,
        "no event is validated by the request: {response}"
    );
    let errors: Vec<&Value> = response["data"]
        .as_array()
        .expect("one result per event")
        .iter()
        .map(|result| &result["error"])
        .collect();
    assert_eq!(
        errors,
        [
            &json!([
                "identifier should not be null or undefined",
                "identifier must be a string"
            ]),
            &json!([
                "transactionId must be a string",
                "to should not be null or undefined"
            ]),
            &Value::Null,
            &json!([
                "identifier should not be null or undefined",
                "identifier must be a string",
                "payload should not be null or undefined",
                "to should not be null or undefined"
            ]),
        ]
    );
    assert_eq!(response["data"][2]["status"], "processed");
    assert_eq!(feed(&test, "ada").await, ["bulk"]);
}
