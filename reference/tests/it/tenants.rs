use serde_json::json;

use crate::{TestServer, body, error, message};

#[tokio::test]
async fn tenant_lifecycle() {
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

    let created = client
        .tenants_create()
        .body(body::<novu_client::types::CreateTenantRequest>(
            json!({ "identifier": "acme", "name": "Acme", "data": { "region": "eu" } }),
        ))
        .send()
        .await
        .expect("create succeeds");
    assert_eq!(created.status().as_u16(), 201);
    let created = created.into_inner().data;
    assert_eq!(created.identifier, "acme");
    assert_eq!(created.environment_id, environment_id);

    let (status, conflict) = error(
        client
            .tenants_create()
            .body(body::<novu_client::types::CreateTenantRequest>(
                json!({ "identifier": "acme", "name": "A" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        message(&conflict),
        format!("Tenant with identifier: acme already exists under environment {environment_id}")
    );

    client
        .tenants_create()
        .body(body::<novu_client::types::CreateTenantRequest>(
            json!({ "identifier": "globex", "name": "Globex" }),
        ))
        .send()
        .await
        .unwrap();
    let (status, conflict) = error(
        client
            .tenants_update()
            .identifier("acme")
            .body(body::<novu_client::types::UpdateTenantRequest>(
                json!({ "identifier": "globex" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        message(&conflict),
        format!("Tenant with identifier: globex already exists under environment {environment_id}")
    );

    let updated = client
        .tenants_update()
        .identifier("acme")
        .body(body::<novu_client::types::UpdateTenantRequest>(
            json!({ "identifier": "acme-2", "name": "", "data": { "tier": "gold" } }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(updated.identifier, "acme-2");
    assert_eq!(
        updated.name.as_deref(),
        Some("Acme"),
        "an empty name is ignored"
    );
    assert_eq!(
        serde_json::to_value(updated.data).unwrap(),
        json!({ "tier": "gold" })
    );
    assert_eq!(updated.id, created.id);

    let page = client.tenants_list().send().await.unwrap().into_inner();
    let identifiers: Vec<_> = page
        .data
        .iter()
        .map(|tenant| tenant.identifier.as_str())
        .collect();
    assert_eq!(identifiers, ["globex", "acme-2"], "newest first");
    assert_eq!((page.page, page.page_size, page.has_more), (0, 10, false));
    let full = client
        .tenants_list()
        .limit(2u64)
        .page(0)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(full.has_more, "a full page reports more");

    let (status, missing) = error(client.tenants_get().identifier("acme").send().await);
    assert_eq!(status, 404);
    assert_eq!(
        message(&missing),
        format!("Tenant with identifier: acme does not exist under environment {environment_id}")
    );
    assert_eq!(
        client
            .tenants_delete()
            .identifier("acme-2")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        204
    );
    let (status, _) = error(client.tenants_delete().identifier("acme-2").send().await);
    assert_eq!(status, 404);
    let (status, _) = error(
        client
            .tenants_update()
            .identifier("acme-2")
            .body(body::<novu_client::types::UpdateTenantRequest>(
                json!({ "name": "x" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_update_without_a_body_answers_the_tenant_unchanged() {
    let test = TestServer::start().await;
    test.client
        .tenants_create()
        .body(body::<novu_client::types::CreateTenantRequest>(
            json!({ "identifier": "acme", "name": "Acme" }),
        ))
        .send()
        .await
        .expect("create succeeds");
    let (status, answer) = test
        .raw(reqwest::Method::PATCH, "/v1/tenants/acme", None)
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["identifier"], "acme");
    assert_eq!(answer["data"]["name"], "Acme");
}
