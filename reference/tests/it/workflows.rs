use novu_client::types;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{TestServer, body, error, message};

async fn group_id(test: &TestServer) -> String {
    test.client
        .workflow_groups_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data[0]
        .id
        .clone()
}

fn in_app_step() -> Value {
    json!({
        "name": "In-app",
        "template": { "type": "in_app", "content": "Hello {{name}}, {{subscriber.firstName}}" },
        "variants": [{
            "name": "vip",
            "template": { "type": "in_app", "content": "Welcome {{name}}" },
            "filters": [{
                "isNegated": false,
                "type": "GROUP",
                "value": "AND",
                "children": [{ "on": "payload", "field": "vip", "value": "true", "operator": "EQUAL" }],
            }],
        }],
    })
}

async fn create(test: &TestServer, name: &str, active: bool) -> types::Workflow {
    let request = json!({
        "name": name,
        "notificationGroupId": group_id(test).await,
        "steps": [in_app_step()],
        "active": active,
    });
    let response = test
        .client
        .workflows_create()
        .body(body::<novu_client::types::CreateWorkflowRequest>(request))
        .send()
        .await
        .expect("create succeeds");
    assert_eq!(response.status().as_u16(), 201);
    response.into_inner().data
}

fn object_id(id: &str) -> types::ObjectId {
    body(json!(id))
}

#[tokio::test]
async fn workflow_lifecycle() {
    let test = TestServer::start().await;
    let client = &test.client;

    let created = create(&test, "Welcome Email", false).await;
    assert_eq!(created.triggers[0].identifier, "welcome-email");
    assert_eq!(
        created.triggers[0]
            .variables
            .iter()
            .map(|variable| variable.name.as_str())
            .collect::<Vec<_>>(),
        ["name"],
        "payload variables are collected, system ones are not"
    );
    assert!(!created.active, "active defaults to false");
    assert!(created.draft, "draft is the opposite of active");
    let step = &created.steps[0];
    assert!(step.id.is_some(), "steps get ids");
    assert_eq!(
        step.id, step.template_id,
        "a step is stored under its template's id"
    );
    assert!(
        step.uuid.is_none(),
        "a step keeps the uuid it was given: none"
    );
    assert!(
        step.variants.as_ref().expect("the variants are sent")[0]
            .id
            .is_some(),
        "variants get ids"
    );
    assert!(created.notification_group.is_some());

    let again = create(&test, "Welcome Email", true).await;
    let suffixed = &again.triggers[0].identifier;
    assert!(
        suffixed.starts_with("welcome-email-") && suffixed.len() > "welcome-email-".len(),
        "a taken identifier gets a short id: {suffixed}"
    );
    assert!(again.active && !again.draft);

    let by_identifier = client
        .workflows_retrieve()
        .workflow_id("welcome-email")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(by_identifier.id, created.id);
    let by_id = client
        .workflows_retrieve()
        .workflow_id(created.id.clone())
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(by_id.name, "Welcome Email");
    let (status, missing) = error(client.workflows_retrieve().workflow_id("nope").send().await);
    assert_eq!(status, 404);
    assert_eq!(message(&missing), "Template with id nope not found");

    let id = object_id(&created.id);
    let updated = client
        .workflows_update()
        .workflow_id(id.clone())
        .body(body::<novu_client::types::UpdateWorkflowRequest>(
            json!({ "name": "Renamed", "identifier": "renamed" }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(updated.name, "Renamed");
    assert_eq!(updated.triggers[0].identifier, "renamed");
    let (status, duplicate) = error(
        client
            .workflows_update()
            .workflow_id(object_id(&again.id))
            .body(body::<novu_client::types::UpdateWorkflowRequest>(
                json!({ "identifier": "renamed" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        message(&duplicate),
        "Workflow with identifier renamed already exists"
    );
    let (status, empty) = error(
        client
            .workflows_update()
            .workflow_id(id.clone())
            .body(body::<novu_client::types::UpdateWorkflowRequest>(json!({})))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(message(&empty), "No properties found for update");
    let unknown = "5f0000000000000000000000";
    let (status, not_found) = error(
        client
            .workflows_update()
            .workflow_id(object_id(unknown))
            .body(body::<novu_client::types::UpdateWorkflowRequest>(
                json!({ "name": "x" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&not_found),
        format!("Notification template with id {unknown} not found")
    );

    let activated = client
        .workflow_status_update()
        .workflow_id(id.clone())
        .body(body::<novu_client::types::ChangeWorkflowStatusRequest>(
            json!({ "active": true }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(activated.active && !activated.draft);
    let (status, same) = error(
        client
            .workflow_status_update()
            .workflow_id(id.clone())
            .body(body::<novu_client::types::ChangeWorkflowStatusRequest>(
                json!({ "active": true }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        message(&same),
        "You must provide a different status from the current status"
    );

    let deleted = client
        .workflows_delete()
        .workflow_id(id.clone())
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(deleted);
    let (status, gone) = error(
        client
            .workflows_delete()
            .workflow_id(id.clone())
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        message(&gone),
        format!("Could not find workflow with id {}", created.id)
    );
    let (status, _) = error(
        client
            .workflows_retrieve()
            .workflow_id(created.id.clone())
            .send()
            .await,
    );
    assert_eq!(status, 404, "a deleted workflow is hidden");
}

#[tokio::test]
async fn variants_need_conditions() {
    let test = TestServer::start().await;
    let (status, rejected) = test
        .raw(
            Method::POST,
            "/v1/workflows",
            Some(json!({
                "name": "Variants",
                "notificationGroupId": group_id(&test).await,
                "steps": [{
                    "template": { "type": "in_app", "content": "Hi" },
                    "variants": [{ "name": "bare", "_id": "v1", "template": { "type": "in_app", "content": "x" } }],
                }],
            })),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        rejected["message"],
        "Variant conditions are required, variant name bare id v1"
    );
}

#[tokio::test]
async fn workflows_are_paginated_newest_first_and_filtered() {
    let test = TestServer::start().await;
    let client = &test.client;
    let mut ids = Vec::new();
    for name in ["Alpha one", "Beta two", "Alpha three"] {
        ids.push(create(&test, name, false).await.id);
    }
    let first = client
        .workflows_list()
        .limit(2u64)
        .page(0)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.total_count, 3);
    assert_eq!(first.page_size, 2);
    assert_eq!(
        first.data.iter().map(|w| w.id.clone()).collect::<Vec<_>>(),
        [ids[2].clone(), ids[1].clone()]
    );
    assert!(
        first
            .data
            .iter()
            .all(|w| w.steps.iter().all(|s| s.variants.is_none())),
        "list items leave out the variants"
    );
    let filtered = client
        .workflows_list()
        .page(0)
        .query("ALPHA")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(filtered.total_count, 2);
    let by_identifier = client
        .workflows_list()
        .page(0)
        .query("beta-two")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_identifier.data[0].id, ids[1]);
}

#[tokio::test]
async fn notification_templates_are_the_same_workflows() {
    let test = TestServer::start().await;
    let client = &test.client;
    let created = create(&test, "Shared", false).await;
    let template = client
        .notification_templates_retrieve()
        .template_id("shared")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(template.id, created.id);
    let listed = client
        .notification_templates_list()
        .page(0)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.total_count, 1);
    let id = object_id(&created.id);
    client
        .notification_template_status_update()
        .template_id(id.clone())
        .body(body::<novu_client::types::ChangeWorkflowStatusRequest>(
            json!({ "active": true }),
        ))
        .send()
        .await
        .unwrap();
    assert!(
        client
            .workflows_retrieve()
            .workflow_id(created.id.clone())
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
            .active
    );
    assert!(
        client
            .notification_templates_delete()
            .template_id(id.clone())
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
    );
    let variables = client
        .workflow_variables_retrieve()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(variables.system.contains_key("subscriber"));
}

#[tokio::test]
async fn a_workflow_group_id_is_stored_as_given() {
    // Novu's create stores the id without a lookup, and its update starts one it never awaits.
    let test = TestServer::start().await;
    let missing = "5f0000000000000000000000";
    let (status, created) = test
        .raw(
            reqwest::Method::POST,
            "/v1/workflows",
            Some(json!({ "name": "Orphan", "notificationGroupId": missing, "steps": [] })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["data"]["_notificationGroupId"], missing);
    assert!(
        created["data"].get("notificationGroup").is_none(),
        "{created}"
    );
    let id = created["data"]["_id"].as_str().unwrap();
    let other = "5f0000000000000000000001";
    let (status, updated) = test
        .raw(
            reqwest::Method::PUT,
            &format!("/v1/workflows/{id}"),
            Some(json!({ "notificationGroupId": other })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["data"]["_notificationGroupId"], other);
}

#[tokio::test]
async fn only_a_development_key_may_change_workflows() {
    let database = crate::TemporaryDatabase::new("root-environment-guard");
    let test = TestServer::start_with(novu_reference::Config {
        database: database.0.clone(),
        ..novu_reference::Config::in_memory()
    })
    .await;
    // The production key is never shown to the development key, so it is read from storage.
    let connection = rusqlite::Connection::open(&database.0).expect("the database opens");
    let production_key: String = connection
        .query_row(
            "SELECT json_extract(doc, '$.apiKeys[0].key') FROM environments \
             WHERE json_extract(doc, '$.name') = 'Production'",
            [],
            |row| row.get(0),
        )
        .expect("a production environment exists");
    let production =
        novu_client::Client::with_api_key(&test.server.base_url(), &production_key).unwrap();
    let (status, refused) = error(
        production
            .workflows_create()
            .body(body::<novu_client::types::CreateWorkflowRequest>(json!({
                "name": "Prod",
                "notificationGroupId": "5f0000000000000000000000",
                "steps": [],
            })))
            .send()
            .await,
    );
    assert_eq!(status, 401);
    assert_eq!(
        message(&refused),
        "This action is only allowed in Development environment"
    );
    let (status, _) = error(
        production
            .workflow_overrides_list()
            .limit(10u64)
            .page(0)
            .send()
            .await,
    );
    assert_eq!(status, 401);
    let listed = production
        .workflows_list()
        .page(0)
        .send()
        .await
        .expect("reading is allowed")
        .into_inner();
    assert_eq!(listed.total_count, 0);
}

/// Novu's update of a step's message template never changes its type: a step that names its
/// stored template (`_templateId`) may leave `template.type` out and keeps the stored type even
/// when it gives another. A new step without a type is refused as the command refuses it, and a
/// step that leaves the type out while naming no stored template gets the 404 of that template.
#[tokio::test]
async fn an_updated_step_keeps_its_stored_type() {
    let test = TestServer::start().await;
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/workflows",
            Some(json!({ "name": "Typed", "notificationGroupId": group_id(&test).await,
                "steps": [{ "template": { "type": "email", "subject": "Hi", "content": "Old" } }] })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["_id"].as_str().unwrap().to_owned();
    let path = format!("/v1/workflows/{id}");
    let stored = &created["data"]["steps"][0];
    let named = |template: Value| json!({ "steps": [{ "_id": stored["_id"], "_templateId": stored["_templateId"], "template": template }] });

    let (status, updated) = test
        .raw(
            Method::PUT,
            &path,
            Some(named(json!({ "subject": "Hi", "content": "New" }))),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    let template = &updated["data"]["steps"][0]["template"];
    assert_eq!(template["type"], "email", "{updated}");
    assert_eq!(template["content"], "New");

    let (status, updated) = test
        .raw(
            Method::PUT,
            &path,
            Some(named(json!({ "type": "sms", "content": "Text" }))),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["data"]["steps"][0]["template"]["type"], "email");

    // As on create, where every step is new.
    let untyped = json!([{ "template": { "content": "No type" } }]);
    let (status, on_create) = test
        .raw(
            Method::POST,
            "/v1/workflows",
            Some(json!({ "name": "Untyped", "notificationGroupId": group_id(&test).await, "steps": untyped })),
        )
        .await;
    assert_eq!(status, 400, "{on_create}");
    let (status, refused) = test
        .raw(Method::PUT, &path, Some(json!({ "steps": untyped })))
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["message"], on_create["message"]);
    assert_eq!(
        refused["message"][0], "type should not be null or undefined",
        "the command's field alone: {refused}"
    );
    let (status, refused) = test
        .raw(
            Method::PUT,
            &path,
            Some(json!({ "steps": [{ "_templateId": "", "template": { "content": "x" } }] })),
        )
        .await;
    assert_eq!(
        status, 400,
        "an empty `_templateId` names no template: {refused}"
    );
    assert_eq!(refused["message"], on_create["message"]);

    let unknown = "5f0000000000000000000000";
    let (status, missing) = test
        .raw(
            Method::PUT,
            &path,
            Some(json!({ "steps": [{ "_templateId": unknown, "template": { "content": "x" } }] })),
        )
        .await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(
        missing["message"],
        format!("Message template with id {unknown} not found")
    );
}

#[tokio::test]
async fn a_step_is_stored_under_its_message_templates_id() {
    let test = TestServer::start().await;
    let given = "5f0000000000000000000001";
    let variant = json!({
        "_id": given, "_templateId": given, "name": "vip",
        "filters": [{ "isNegated": false, "type": "GROUP", "value": "AND", "children": [] }],
        "template": { "type": "in_app", "content": "VIP" },
    });
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/workflows",
            Some(json!({ "name": "Ids", "notificationGroupId": group_id(&test).await,
                "steps": [
                    { "_id": given, "_templateId": given, "template": { "type": "in_app", "content": "One" }, "variants": [variant] },
                    { "template": { "type": "in_app", "content": "Two" } },
                ] })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let steps = created["data"]["steps"].as_array().unwrap().clone();
    let variant = &steps[0]["variants"][0];
    for step in [&steps[0], &steps[1], variant] {
        // A creation makes every message template anew, whatever ids were given.
        assert_ne!(step["_templateId"], given, "{step}");
        assert_eq!(step["_id"], step["_templateId"], "{step}");
    }
    assert_eq!(steps[1]["_parentId"], steps[0]["_id"]);

    // An update keeps a named template's id, also when the step's `_id` says otherwise, and
    // names no template it cannot find, with a type or without.
    let path = format!("/v1/workflows/{}", created["data"]["_id"].as_str().unwrap());
    let template_id = steps[1]["_templateId"].clone();
    let (status, updated) = test
        .raw(
            Method::PUT,
            &path,
            Some(json!({ "steps": [{ "_id": given, "_templateId": template_id, "template": { "type": "in_app", "content": "Kept" } }] })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["data"]["steps"][0]["_id"], template_id, "{updated}");
    let (status, missing) = test
        .raw(
            Method::PUT,
            &path,
            Some(json!({ "steps": [{ "_templateId": given, "template": { "type": "in_app", "content": "x" } }] })),
        )
        .await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(
        missing["message"],
        format!("Message template with id {given} not found")
    );
    let mut stray = steps[0].clone();
    stray["variants"][0]["_templateId"] = json!(given);
    let (status, missing) = test
        .raw(Method::PUT, &path, Some(json!({ "steps": [stray] })))
        .await;
    assert_eq!(status, 404, "a variant names a template too: {missing}");
}
