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
