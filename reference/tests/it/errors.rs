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
