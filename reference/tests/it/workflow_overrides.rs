use novu_client::types;
use serde_json::json;

use crate::{TestServer, body, error, message};

fn object_id(id: &str) -> types::ObjectId {
    body(json!(id))
}

/// A tenant and a workflow to override, as their `_id`s.
async fn tenant_and_workflow(test: &TestServer) -> (String, String) {
    let client = &test.client;
    let tenant = client
        .tenants_create()
        .body(body::<novu_client::types::CreateTenantRequest>(
            json!({ "identifier": "acme", "name": "Acme" }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .id;
    let group_id = client
        .workflow_groups_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data[0]
        .id
        .clone();
    let workflow = client
        .workflows_create()
        .body(body::<novu_client::types::CreateWorkflowRequest>(json!({
            "name": "Overridden",
            "notificationGroupId": group_id,
            "steps": [{ "template": { "type": "in_app", "content": "Hi" } }],
        })))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data
        .id;
    (tenant, workflow)
}

#[tokio::test]
async fn override_lifecycle() {
    let test = TestServer::start().await;
    let client = &test.client;
    let (tenant_id, workflow_id) = tenant_and_workflow(&test).await;

    let created = client
        .workflow_overrides_create()
        .body(body::<novu_client::types::CreateWorkflowOverrideRequest>(
            json!({
                "workflowId": workflow_id,
                "tenantId": tenant_id,
                "active": true,
                "preferenceSettings": { "email": false },
            }),
        ))
        .send()
        .await
        .expect("create succeeds");
    assert_eq!(created.status().as_u16(), 201);
    let created = created.into_inner().data;
    assert!(created.active);
    assert_eq!(created.preference_settings.email, Some(false));
    assert_eq!(
        created.preference_settings.sms,
        Some(true),
        "unset channels default to true"
    );
    assert_eq!(created.tenant_id, tenant_id);
    assert_eq!(created.workflow_id, workflow_id);

    let id = object_id(&created.id);
    let by_pair = client
        .workflow_overrides_retrieve_by_tenant()
        .workflow_id(object_id(&workflow_id))
        .tenant_id(object_id(&tenant_id))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(by_pair.id, created.id);

    let updated = client
        .workflow_overrides_update()
        .override_id(id.clone())
        .body(body::<novu_client::types::UpdateWorkflowOverrideRequest>(
            json!({ "preferenceSettings": { "sms": false } }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(updated.preference_settings.sms, Some(false));
    assert_eq!(
        updated.preference_settings.email,
        Some(false),
        "preferences merge key by key"
    );
    assert!(updated.active, "absent fields stay");

    let by_pair = client
        .workflow_overrides_update_by_tenant()
        .workflow_id(object_id(&workflow_id))
        .tenant_id(object_id(&tenant_id))
        .body(body::<novu_client::types::UpdateWorkflowOverrideRequest>(
            json!({ "active": false }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(!by_pair.active);

    let page = client
        .workflow_overrides_list()
        .limit(10u64)
        .page(0)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.data.len(), 1);
    assert!(!page.has_more);
    // Novu's `hasMore` is `data.length === limit`: a full page says more even when it was
    // the last override, and an empty page past the end says none.
    let full = client
        .workflow_overrides_list()
        .limit(1u64)
        .page(0)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(full.data.len(), 1);
    assert!(full.has_more, "a full page has more");
    let past = client
        .workflow_overrides_list()
        .limit(1u64)
        .page(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(past.data.is_empty());
    assert!(!past.has_more);

    assert!(
        client
            .workflow_overrides_delete()
            .override_id(id.clone())
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
    );
    let (status, gone) = error(
        client
            .workflow_overrides_retrieve()
            .override_id(id.clone())
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&gone),
        format!("Workflow Override with id {} not found", created.id)
    );
}

#[tokio::test]
async fn overrides_report_missing_tenants_workflows_and_overrides() {
    let test = TestServer::start().await;
    let client = &test.client;
    let (tenant_id, workflow_id) = tenant_and_workflow(&test).await;
    let missing = "5f0000000000000000000000";

    let (status, no_tenant) = error(
        client
            .workflow_overrides_create()
            .body(body::<novu_client::types::CreateWorkflowOverrideRequest>(
                json!({ "workflowId": workflow_id, "tenantId": missing }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&no_tenant),
        format!("Tenant with id {missing} is not found")
    );
    let (status, no_workflow) = error(
        client
            .workflow_overrides_create()
            .body(body::<novu_client::types::CreateWorkflowOverrideRequest>(
                json!({ "workflowId": missing, "tenantId": tenant_id }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&no_workflow),
        format!("Workflow with id {missing} is not found")
    );

    let (status, update) = error(
        client
            .workflow_overrides_update()
            .override_id(object_id(missing))
            .body(body::<novu_client::types::UpdateWorkflowOverrideRequest>(
                json!({ "active": true }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&update),
        format!("Workflow override with id {missing} not found")
    );
    let (status, by_pair) = error(
        client
            .workflow_overrides_retrieve_by_tenant()
            .workflow_id(object_id(&workflow_id))
            .tenant_id(object_id(&tenant_id))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&by_pair),
        format!(
            "Workflow Override with workflow id {workflow_id}, tenant id {tenant_id} not found"
        )
    );
    let (status, update_by_pair) = error(
        client
            .workflow_overrides_update_by_tenant()
            .workflow_id(object_id(&workflow_id))
            .tenant_id(object_id(&tenant_id))
            .body(body::<novu_client::types::UpdateWorkflowOverrideRequest>(
                json!({ "active": true }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&update_by_pair),
        format!(
            "Workflow override with workflow id {workflow_id} and tenant id {tenant_id} was not found"
        )
    );
}
