use crate::TestServer;

#[tokio::test]
async fn environments_show_only_the_callers_keys() {
    let test = TestServer::start().await;
    let client = &test.client;
    let current = client
        .environments_retrieve_current()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(current.name, "Development");
    assert_eq!(current.parent_id, None);

    let environments = client
        .environments_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(environments.len(), 2);
    let development = environments
        .iter()
        .find(|environment| environment.id == current.id)
        .unwrap();
    assert_eq!(development.api_keys[0].key, test.server.api_key());
    let production = environments
        .iter()
        .find(|environment| environment.name == "Production")
        .unwrap();
    assert!(
        production.api_keys.is_empty(),
        "other environments' keys are not shown to an API key"
    );
    assert_eq!(production.parent_id.as_deref(), Some(current.id.as_str()));

    let keys = client
        .environment_api_keys_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].key, test.server.api_key());
    assert_eq!(keys[0].hash, None);
}

#[tokio::test]
async fn keys_show_only_in_the_list_and_only_for_the_callers_environment() {
    let test = TestServer::start().await;
    let (_, current) = test
        .raw(reqwest::Method::GET, "/v1/environments/me", None)
        .await;
    assert!(current["data"].get("apiKeys").is_none(), "{current}");
    let (_, listed) = test
        .raw(reqwest::Method::GET, "/v1/environments", None)
        .await;
    for environment in listed["data"].as_array().unwrap() {
        let keys = environment["apiKeys"].as_array().unwrap();
        if environment["_id"] == current["data"]["_id"] {
            assert_eq!(keys.len(), 1, "{environment}");
        } else {
            assert!(keys.is_empty(), "{environment}");
        }
    }
}

/// `GET /v1/environments/me` with `key`: the status and the environment.
async fn environment_of(test: &TestServer, key: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("{}/v1/environments/me", test.server.base_url()))
        .header("Authorization", format!("ApiKey {key}"))
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("the body is JSON");
    (status, body["data"].clone())
}

#[tokio::test]
async fn each_key_reaches_its_own_environment_only() {
    let test = TestServer::start().await;
    assert!(test.server.api_key_generated());
    assert!(test.server.production_api_key_generated());
    assert_ne!(test.server.api_key(), test.server.production_api_key());

    let (status, development) = environment_of(&test, test.server.api_key()).await;
    assert_eq!(status, 200);
    assert_eq!(development["name"], "Development");
    let (status, production) = environment_of(&test, test.server.production_api_key()).await;
    assert_eq!(status, 200);
    assert_eq!(production["name"], "Production");
    assert_eq!(production["_parentId"], development["_id"]);

    // What one environment holds, the other does not see.
    let (status, _) = test
        .raw(
            reqwest::Method::POST,
            "/v1/subscribers",
            Some(serde_json::json!({"subscriberId": "development-only"})),
        )
        .await;
    assert_eq!(status, 201);
    let response = reqwest::Client::new()
        .get(format!(
            "{}/v1/subscribers/development-only",
            test.server.base_url()
        ))
        .header(
            "Authorization",
            format!("ApiKey {}", test.server.production_api_key()),
        )
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn a_configured_production_key_replaces_the_stored_one() {
    let database = crate::TemporaryDatabase::new("production-key");
    let config = novu_reference::Config {
        database: database.0.clone(),
        ..novu_reference::Config::in_memory()
    };
    let first = TestServer::start_with(config.clone()).await;
    let generated = first.server.production_api_key().to_owned();
    assert!(first.server.production_api_key_generated());
    first.server.shutdown().await.expect("clean shutdown");

    // Restarted without a key, the stored one stays and is not announced again.
    let second = TestServer::start_with(config.clone()).await;
    assert_eq!(second.server.production_api_key(), generated);
    assert!(!second.server.production_api_key_generated());
    assert!(!second.server.api_key_generated());
    second.server.shutdown().await.expect("clean shutdown");

    let third = TestServer::start_with(novu_reference::Config {
        production_api_key: Some("configured-production-key".into()),
        ..config.clone()
    })
    .await;
    assert_eq!(
        third.server.production_api_key(),
        "configured-production-key"
    );
    assert!(!third.server.production_api_key_generated());
    let (status, production) = environment_of(&third, "configured-production-key").await;
    assert_eq!(status, 200);
    assert_eq!(production["name"], "Production");
    let (status, _) = environment_of(&third, &generated).await;
    assert_eq!(status, 401, "the replaced key no longer authenticates");
    // The development key is untouched.
    let (status, development) = environment_of(&third, third.server.api_key()).await;
    assert_eq!(status, 200);
    assert_eq!(development["name"], "Development");
    third.server.shutdown().await.expect("clean shutdown");

    let fourth = TestServer::start_with(config).await;
    assert_eq!(
        fourth.server.production_api_key(),
        "configured-production-key",
        "the configured key is stored"
    );
}
