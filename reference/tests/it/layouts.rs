use serde_json::json;

use crate::{TestServer, body, error, message};

const CONTENT: &str = "<html>{{{body}}}</html>";

async fn create(test: &TestServer, identifier: &str, is_default: bool) -> String {
    let response = test
        .client
        .layouts_create()
        .body(body::<novu_client::types::CreateLayoutRequest>(json!({
            "name": identifier,
            "identifier": identifier,
            "content": CONTENT,
            "isDefault": is_default,
        })))
        .send()
        .await
        .expect("create succeeds");
    assert_eq!(response.status().as_u16(), 201);
    response.into_inner().data.id
}

#[tokio::test]
async fn layout_lifecycle_and_errors() {
    let test = TestServer::start().await;
    let client = &test.client;
    let environment_id = client
        .environments_retrieve_current()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .id;

    let (status, missing_body) = error(
        client
            .layouts_create()
            .body(body::<novu_client::types::CreateLayoutRequest>(json!({
                "name": "x", "identifier": "x", "content": "<html></html>",
            })))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        message(&missing_body),
        "Layout content must contain {{{body}}}"
    );

    let id = create(&test, "main", false).await;
    let (status, conflict) = error(
        client
            .layouts_create()
            .body(body::<novu_client::types::CreateLayoutRequest>(json!({
                "name": "again", "identifier": "main", "content": CONTENT,
            })))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        message(&conflict),
        format!("Layout with identifier: main already exists under environment {environment_id}")
    );

    let layout = client
        .layouts_retrieve()
        .layout_id(id.clone())
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(layout.identifier, "main");
    assert_eq!(layout.content, CONTENT);
    assert!(!layout.is_default);
    assert!(!layout.is_deleted);

    let (status, empty) = error(
        client
            .layouts_update()
            .layout_id(id.clone())
            .body(body::<novu_client::types::UpdateLayoutRequest>(json!({})))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(message(&empty), "Payload can not be empty");
    let updated = client
        .layouts_update()
        .layout_id(id.clone())
        .body(body::<novu_client::types::UpdateLayoutRequest>(
            json!({ "name": "Main layout" }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(updated.name, "Main layout");
    // Novu's UpdateLayoutUseCase applies only truthy strings: "" keeps what is stored.
    let kept = client
        .layouts_update()
        .layout_id(id.clone())
        .body(body::<novu_client::types::UpdateLayoutRequest>(
            json!({ "content": "", "name": "" }),
        ))
        .send()
        .await
        .expect("empty strings are not a change")
        .into_inner()
        .data;
    assert_eq!(kept.name, "Main layout");
    assert_eq!(kept.content, updated.content);

    create(&test, "other", false).await;
    let (status, clash) = error(
        client
            .layouts_update()
            .layout_id(id.clone())
            .body(body::<novu_client::types::UpdateLayoutRequest>(
                json!({ "identifier": "other" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        message(&clash),
        format!("Layout with identifier: other already exists under environment {environment_id}")
    );

    let response = client
        .layouts_delete()
        .layout_id(id.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let (status, gone) = error(client.layouts_retrieve().layout_id(id.clone()).send().await);
    assert_eq!(status, 404);
    assert_eq!(
        message(&gone),
        format!("Layout not found for id {id} in the environment {environment_id}")
    );
}

#[tokio::test]
async fn exactly_one_layout_stays_default() {
    let test = TestServer::start().await;
    let client = &test.client;
    let first = create(&test, "first", true).await;
    let second = create(&test, "second", true).await;
    let is_default = |id: String| async move {
        client
            .layouts_retrieve()
            .layout_id(id.clone())
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
            .is_default
    };
    assert!(
        !is_default(first.clone()).await,
        "creating a default demotes the old one"
    );
    assert!(is_default(second.clone()).await);

    let (status, required) = error(
        client
            .layouts_update()
            .layout_id(second.clone())
            .body(body::<novu_client::types::UpdateLayoutRequest>(
                json!({ "isDefault": false }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(message(&required), "One default layout is required");

    let (status, in_use) = error(
        client
            .layouts_delete()
            .layout_id(second.clone())
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        message(&in_use),
        format!(
            "Layout with id {second} is being used as your default layout, so it can not be deleted"
        )
    );

    let response = client
        .layouts_set_default()
        .layout_id(first.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert!(is_default(first.clone()).await);
    assert!(!is_default(second.clone()).await);
    client
        .layouts_delete()
        .layout_id(second.clone())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn layouts_are_paginated_by_creation_time() {
    let test = TestServer::start().await;
    let client = &test.client;
    // The environment's default layout, made with it, is the oldest.
    let starting = client.layouts_list().send().await.unwrap().into_inner();
    let mut ids: Vec<_> = starting
        .data
        .iter()
        .map(|layout| layout.id.clone())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    for index in 0..5 {
        ids.push(create(&test, &format!("layout-{index}"), false).await);
    }
    let newest_first = client
        .layouts_list()
        .page(0)
        .page_size(2)
        .sort_by("createdAt")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(newest_first.total_count, 6);
    assert_eq!(newest_first.page_size, 2);
    let listed: Vec<_> = newest_first
        .data
        .iter()
        .map(|layout| layout.id.clone())
        .collect();
    assert_eq!(listed, [ids[5].clone(), ids[4].clone()]);

    let oldest_first = client
        .layouts_list()
        .order_by(1)
        .page(2)
        .page_size(2)
        .sort_by("createdAt")
        .send()
        .await
        .unwrap()
        .into_inner();
    let listed: Vec<_> = oldest_first
        .data
        .iter()
        .map(|layout| layout.id.clone())
        .collect();
    assert_eq!(
        listed,
        [ids[4].clone(), ids[5].clone()],
        "the third page of two holds the last two"
    );
    assert_eq!(oldest_first.page, 2);
}

#[tokio::test]
async fn a_layout_used_by_a_workflow_cannot_be_deleted() {
    let test = TestServer::start().await;
    let client = &test.client;
    let id = create(&test, "used", false).await;
    let group_id = client
        .workflow_groups_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data[0]
        .id
        .clone();
    client
        .workflows_create()
        .body(body::<novu_client::types::CreateWorkflowRequest>(json!({
            "name": "Uses layout",
            "notificationGroupId": group_id,
            "steps": [{
                "template": { "type": "email", "content": "Hi", "subject": "Hi", "layoutId": id },
            }],
        })))
        .send()
        .await
        .expect("the workflow is created");
    let (status, in_use) = error(client.layouts_delete().layout_id(id.clone()).send().await);
    assert_eq!(status, 409);
    assert_eq!(
        message(&in_use),
        format!("Layout with id {id} is being used so it can not be deleted")
    );
}

/// Novu's `CreateMessageTemplate` gives a new email template that names no layout the
/// environment's default layout (`_layoutId`), which its worker wraps the email in; a named
/// layout is kept, other channels get none, and an update that names none leaves the stored
/// one. Promotion points the Production copy at the Production copy of that layout.
#[tokio::test]
async fn an_email_step_without_a_layout_takes_the_default() {
    let database = crate::TemporaryDatabase::new("email-default-layout");
    let test = TestServer::start_with(novu_reference::Config {
        database: database.0.clone(),
        ..novu_reference::Config::in_memory()
    })
    .await;
    let listed = test
        .client
        .layouts_list()
        .send()
        .await
        .unwrap()
        .into_inner();
    let default = listed.data[0].id.clone();
    let named = create(&test, "named", false).await;
    let (_, groups) = test
        .raw(reqwest::Method::GET, "/v1/notification-groups", None)
        .await;
    let (status, created) = test
        .raw(
            reqwest::Method::POST,
            "/v1/workflows",
            Some(json!({
                "name": "Layouts",
                "notificationGroupId": groups["data"][0]["_id"],
                "steps": [
                    { "template": { "type": "email", "subject": "Hi", "content": "Plain" } },
                    { "template": { "type": "email", "subject": "Hi", "content": "Named", "layoutId": named } },
                    { "template": { "type": "in_app", "content": "In-app" } },
                ],
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let steps = created["data"]["steps"].as_array().unwrap().clone();
    let layout_of = |step: &serde_json::Value| step["template"]["_layoutId"].clone();
    assert_eq!(layout_of(&steps[0]), json!(default), "{created}");
    assert_eq!(layout_of(&steps[1]), json!(named), "{created}");
    assert!(steps[2]["template"].get("_layoutId").is_none(), "{created}");

    // The default is now used by a workflow, which Novu asks about first.
    let (status, in_use) = error(
        test.client
            .layouts_delete()
            .layout_id(default.clone())
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        message(&in_use),
        format!("Layout with id {default} is being used so it can not be deleted")
    );

    // An update naming the stored template and no layout keeps the stored one.
    let id = created["data"]["_id"].as_str().unwrap().to_owned();
    let (status, updated) = test
        .raw(
            reqwest::Method::PUT,
            &format!("/v1/workflows/{id}"),
            Some(json!({ "steps": [{
                "_id": steps[0]["_id"], "_templateId": steps[0]["_templateId"],
                "template": { "type": "email", "subject": "Hi", "content": "Changed" },
            }] })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(layout_of(&updated["data"]["steps"][0]), json!(default));

    // Promoted before its layout, the Production template names no layout; promoted after, it
    // names the layout's Production copy.
    let (_, pending) = test
        .raw(
            reqwest::Method::GET,
            "/v1/changes?promoted=false&limit=100",
            None,
        )
        .await;
    let change_of = |entity: &str| {
        pending["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|change| change["_entityId"] == entity)
            .map(|change| change["_id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let apply = |change: String| {
        let path = format!("/v1/changes/{change}/apply");
        let test = &test;
        async move {
            let (status, applied) = test.raw(reqwest::Method::POST, &path, None).await;
            assert_eq!(status, 201, "{applied}");
        }
    };
    apply(change_of(&id)).await;
    let production_template = || {
        let connection = rusqlite::Connection::open(&database.0).unwrap();
        let text: String = connection
            .query_row(
                "SELECT json_extract(doc, '$.steps[0].template') FROM workflows \
                 WHERE json_extract(doc, '$._parentId') = ?1",
                [&id],
                |row| row.get(0),
            )
            .unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    assert!(production_template().get("_layoutId").is_none());
    apply(change_of(&default)).await;
    apply(change_of(&id)).await;
    let connection = rusqlite::Connection::open(&database.0).unwrap();
    let copy: String = connection
        .query_row(
            "SELECT id FROM layouts WHERE json_extract(doc, '$._parentId') = ?1",
            [&default],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(production_template()["_layoutId"], json!(copy));
}
