use reqwest::Method;

use crate::TestServer;

#[tokio::test]
async fn unknown_keys_are_refused() {
    let test = TestServer::start().await;
    let response = reqwest::Client::new()
        .get(format!("{}/v1/subscribers", test.server.base_url()))
        .header("Authorization", "ApiKey not-a-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["message"], "API Key not found");
    assert_eq!(body["error"], "Unauthorized");
}

#[tokio::test]
async fn operations_not_written_yet_answer_an_honest_500() {
    let test = TestServer::start().await;
    let (status, body) = test.raw(Method::GET, "/v1/changes/count", None).await;
    assert_eq!(status, 500);
    assert_eq!(
        body["message"],
        "not implemented in the reference server yet"
    );
    assert_eq!(body["statusCode"], 500);
    assert_eq!(body["path"], "/v1/changes/count");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
}
