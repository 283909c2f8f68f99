//! Routes beyond the operations: those Novu serves to its dashboard only, the inbound-parse
//! status the SDKs call, unknown routes, and the dashboard's session scheme.

use reqwest::Method;

use crate::TestServer;

#[tokio::test]
async fn dashboard_routes_refuse_an_api_key_with_their_own_401() {
    let test = TestServer::start().await;
    for (method, path) in [
        (Method::PUT, "/v1/users/profile/email"),
        (Method::POST, "/v1/invites/bulk"),
        (Method::GET, "/v1/integrations/in-app/status"),
        (Method::GET, "/v1/integrations/sms/limit"),
        (Method::POST, "/v1/environments"),
        (Method::POST, "/v1/events/test/email"),
        // `me` is read as the environment id of the dashboard's environment update.
        (Method::PUT, "/v1/environments/me"),
        (Method::DELETE, "/v1/preferences"),
    ] {
        let (status, body) = test
            .raw(method.clone(), path, Some(serde_json::json!({})))
            .await;
        assert_eq!(status, 401, "{method} {path}: {body}");
        assert_eq!(
            body["message"], "API endpoint not available",
            "{method} {path}"
        );
        assert_eq!(body["error"], "Unauthorized");
        assert_eq!(body["path"], path);
    }
}

#[tokio::test]
async fn a_route_no_one_serves_is_still_a_404() {
    let test = TestServer::start().await;
    let (status, body) = test.raw(Method::PUT, "/v1/users/nobody", None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["message"], "Cannot PUT /v1/users/nobody");
}

#[tokio::test]
async fn a_session_token_is_refused_like_an_unusable_credential() {
    let test = TestServer::start().await;
    for (method, path) in [
        (Method::GET, "/v1/subscribers"),
        (Method::PUT, "/v1/users/profile/email"),
    ] {
        let response = reqwest::Client::new()
            .request(method, format!("{}{path}", test.server.base_url()))
            .header("Authorization", "Bearer some.session.token")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["message"], "Unauthorized", "{path}");
        assert!(body.get("error").is_none(), "{path}: {body}");
    }
}

#[tokio::test]
async fn the_mx_record_of_an_environment_without_inbound_domain_is_not_configured() {
    let test = TestServer::start().await;
    let (status, body) = test
        .raw(Method::GET, "/v1/inbound-parse/mx/status", None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!({"data": {"mxRecordConfigured": false}})
    );
}
