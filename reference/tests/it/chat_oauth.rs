use reqwest::Method;
use serde_json::{Value, json};

use crate::TestServer;

/// A browser that does not follow redirects and sends no API key.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn environment_id(test: &TestServer) -> String {
    let (_, environment) = test.raw(Method::GET, "/v1/environments/me", None).await;
    environment["data"]["_id"].as_str().unwrap().to_owned()
}

async fn slack(test: &TestServer, credentials: Value) {
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/integrations",
            Some(json!({
                "providerId": "slack",
                "channel": "chat",
                "active": true,
                "credentials": credentials,
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
}

/// The HMAC-SHA256 hex digest the server is expected to check and send.
pub fn hmac(key: &str, message: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(message.as_bytes());
    let digest = mac.finalize().into_bytes();
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test]
async fn oauth_redirects_to_the_provider_and_the_callback_stores_the_code() {
    let test = TestServer::start().await;
    let environment = environment_id(&test).await;
    slack(&test, json!({ "clientId": "client-123" })).await;
    let base = test.server.base_url();

    let response = browser()
        .get(format!(
            "{base}/v1/subscribers/ada/credentials/slack/oauth?environmentId={environment}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(
            "https://slack.com/oauth/v2/authorize?client_id=client-123&scope=incoming-webhook&user_scope=&redirect_uri="
        ),
        "{location}"
    );
    assert!(location.contains(
        "%2Fv1%2Fsubscribers%2Fada%2Fcredentials%2Fslack%2Foauth%2Fcallback%3FenvironmentId%3D"
    ));

    let response = browser()
        .get(format!(
            "{base}/v1/subscribers/ada/credentials/slack/oauth/callback?environmentId={environment}&code=the-code"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(
        response.text().await.unwrap(),
        "<script>window.close();</script>"
    );

    let (status, subscriber) = test.raw(Method::GET, "/v1/subscribers/ada", None).await;
    assert_eq!(status, 200, "the callback creates the subscriber");
    assert_eq!(subscriber["data"]["channels"][0]["providerId"], "slack");
    assert_eq!(
        subscriber["data"]["channels"][0]["credentials"]["webhookUrl"],
        "the-code"
    );
}

#[tokio::test]
async fn missing_integration_code_and_hmac_are_rejected() {
    let test = TestServer::start().await;
    let environment = environment_id(&test).await;
    let base = test.server.base_url();

    let response = browser()
        .get(format!(
            "{base}/v1/subscribers/ada/credentials/slack/oauth?environmentId={environment}"
        ))
        .send()
        .await
        .unwrap();
    // Novu's ChatOauth throws NotFoundException here.
    assert_eq!(response.status().as_u16(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["message"],
        format!(
            "Integration in environment {environment} was not found, channel: chat, providerId: slack"
        )
    );

    slack(&test, json!({ "clientId": "client-123", "hmac": true })).await;
    let oauth =
        format!("{base}/v1/subscribers/ada/credentials/slack/oauth?environmentId={environment}");
    let response = browser().get(&oauth).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["message"],
        "Hmac is enabled on the integration, please provide a HMAC hash on the request params"
    );
    let response = browser()
        .get(format!("{oauth}&hmacHash=wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["message"],
        "Hmac is enabled on the integration, please provide a valid HMAC hash"
    );
    let good = hmac(test.server.api_key(), "ada");
    let response = browser()
        .get(format!("{oauth}&hmacHash={good}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);

    let response = browser()
        .get(format!(
            "{base}/v1/subscribers/ada/credentials/slack/oauth/callback?environmentId={environment}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400, "code is required");
}
