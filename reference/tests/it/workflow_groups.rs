use reqwest::Method;
use serde_json::json;

use crate::{TestServer, body, error, message};

#[tokio::test]
async fn workflow_group_lifecycle() {
    let test = TestServer::start().await;
    let client = &test.client;

    let initial = client
        .workflow_groups_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(
        initial.len(),
        1,
        "an environment starts with its General group"
    );
    assert_eq!(initial[0].name, "General");

    let created = client
        .workflow_groups_create()
        .body(body::<novu_client::types::WorkflowGroupRequest>(
            json!({ "name": "Marketing" }),
        ))
        .send()
        .await
        .expect("create succeeds");
    assert_eq!(created.status().as_u16(), 201);
    let marketing = created.into_inner().data;
    assert_eq!(marketing.name, "Marketing");
    assert_eq!(marketing.parent_id.as_deref(), Some(initial[0].id.as_str()));

    let renamed = client
        .workflow_groups_update()
        .id(marketing.id.clone())
        .body(body::<novu_client::types::WorkflowGroupRequest>(
            json!({ "name": "Promotions" }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(renamed.name, "Promotions");
    assert_eq!(
        client
            .workflow_groups_retrieve()
            .id(marketing.id.clone())
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
            .name,
        "Promotions"
    );
    assert_eq!(
        client
            .workflow_groups_list()
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
            .len(),
        2
    );

    let deleted = client
        .workflow_groups_delete()
        .id(marketing.id.clone())
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(deleted.acknowledged);

    let (status, missing) = error(
        client
            .workflow_groups_retrieve()
            .id(marketing.id.clone())
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(message(&missing), "Not Found");
    assert_eq!(missing.error, None, "Nest's bare 404 has no `error` key");
    let (status, raw) = test
        .raw(
            Method::PATCH,
            &format!("/v1/notification-groups/{}", marketing.id),
            Some(json!({ "name": "x" })),
        )
        .await;
    assert_eq!(status, 404);
    assert!(raw.get("error").is_none());
    let (status, _) = error(
        client
            .workflow_groups_delete()
            .id(marketing.id.clone())
            .send()
            .await,
    );
    assert_eq!(status, 404);
}
