use serde_json::json;

use crate::{TestServer, body};

#[tokio::test]
async fn organization_can_be_renamed_and_branded() {
    let test = TestServer::start().await;
    let client = &test.client;
    let organization = client
        .organizations_retrieve_current()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(organization.name, "Reference Organization");

    let renamed = client
        .organizations_rename()
        .body(body::<novu_client::types::OrganizationName>(
            json!({ "name": "Initech" }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(renamed.name, "Initech");

    let branding = client
        .organization_branding_update()
        .body(
            body::<novu_client::types::UpdateOrganizationBrandingRequest>(json!({
                "logo": "https://example.com/logo.png",
                "color": "#ff0000",
                "fontFamily": "Inter",
            })),
        )
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(branding.color.as_deref(), Some("#ff0000"));
    let branding = client
        .organization_branding_update()
        .body(
            body::<novu_client::types::UpdateOrganizationBrandingRequest>(
                json!({ "fontColor": "#000" }),
            ),
        )
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(
        branding.color.as_deref(),
        Some("#ff0000"),
        "fields not sent are kept"
    );
    assert_eq!(branding.font_color.as_deref(), Some("#000"));

    let current = client
        .organizations_retrieve_current()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(current.name, "Initech");
    assert_eq!(
        current.logo.as_deref(),
        Some("https://example.com/logo.png")
    );
    let listed = client
        .organizations_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Initech");

    let members = client
        .organization_members_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(members.len(), 1);
    assert_eq!(
        serde_json::to_value(&members[0].roles).unwrap(),
        json!(["admin"])
    );
}

#[tokio::test]
async fn create_adds_an_organization_without_switching_the_key() {
    let test = TestServer::start().await;
    let (status, created) = test
        .raw(
            reqwest::Method::POST,
            "/v1/organizations",
            Some(serde_json::json!({ "name": "Second", "domain": "second.example" })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["data"]["name"], "Second");
    let (_, current) = test
        .raw(reqwest::Method::GET, "/v1/organizations/me", None)
        .await;
    assert_eq!(current["data"]["name"], "Reference Organization");
    let (status, _) = test
        .raw(
            reqwest::Method::POST,
            "/v1/organizations",
            Some(serde_json::json!({})),
        )
        .await;
    assert_eq!(status, 400, "name is required");
}

#[tokio::test]
async fn members_can_be_removed_but_not_oneself() {
    let database = crate::TemporaryDatabase::new("members");
    let test = TestServer::start_with(novu_reference::Config {
        database: database.0.clone(),
        ..novu_reference::Config::in_memory()
    })
    .await;
    let (_, members) = test
        .raw(reqwest::Method::GET, "/v1/organizations/members", None)
        .await;
    let own = members["data"][0].clone();
    // A second member can only be invited by a user session, so it is written to storage.
    let other_id = "64b7f1b2c3d4e5f6a7b8c9d1";
    let connection = rusqlite::Connection::open(&database.0).unwrap();
    connection
        .execute(
            "INSERT INTO members (id, organization_id, doc) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                other_id,
                own["_organizationId"].as_str(),
                serde_json::json!({
                    "_id": other_id,
                    "_userId": "64b7f1b2c3d4e5f6a7b8c9d2",
                    "roles": ["member"],
                    "memberStatus": "active",
                    "_organizationId": own["_organizationId"],
                })
                .to_string()
            ],
        )
        .unwrap();

    let (status, promoted) = test
        .raw(
            reqwest::Method::PUT,
            &format!("/v1/organizations/members/{other_id}/roles"),
            Some(serde_json::json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(status, 200, "{promoted}");
    assert_eq!(promoted["data"]["roles"], serde_json::json!(["admin"]));
    let (status, failed) = test
        .raw(
            reqwest::Method::PUT,
            &format!("/v1/organizations/members/{other_id}/roles"),
            Some(serde_json::json!({ "role": "member" })),
        )
        .await;
    assert_eq!(status, 400, "only admin is in the contract: {failed}");
    assert_eq!(
        failed["message"],
        serde_json::json!(["role must be one of the following values: admin"])
    );

    let (status, refused) = test
        .raw(
            reqwest::Method::DELETE,
            &format!("/v1/organizations/members/{}", own["_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused["message"], "Cannot remove self from members");
    let (status, removed) = test
        .raw(
            reqwest::Method::DELETE,
            &format!("/v1/organizations/members/{other_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["data"]["_id"], other_id);
    let (_, members) = test
        .raw(reqwest::Method::GET, "/v1/organizations/members", None)
        .await;
    assert_eq!(members["data"].as_array().unwrap().len(), 1);
    let (status, _) = test
        .raw(
            reqwest::Method::DELETE,
            "/v1/organizations/members/not-an-id",
            None,
        )
        .await;
    assert_eq!(status, 400, "a malformed id");
    for (method, path, message) in [
        (
            reqwest::Method::DELETE,
            format!("/v1/organizations/members/{other_id}"),
            "Member not found",
        ),
        (
            reqwest::Method::PUT,
            format!("/v1/organizations/members/{other_id}/roles"),
            "No member was found",
        ),
    ] {
        let body = (method == reqwest::Method::PUT).then(|| serde_json::json!({ "role": "admin" }));
        let (status, gone) = test.raw(method, &path, body).await;
        assert_eq!(
            (status, gone["message"].clone()),
            (404, serde_json::json!(message)),
            "{path}"
        );
    }
}

#[tokio::test]
async fn organizations_are_answered_as_stored_and_listed_for_their_creator() {
    let test = TestServer::start().await;
    let (status, own) = test
        .raw(reqwest::Method::GET, "/v1/organizations/me", None)
        .await;
    assert_eq!(status, 200);
    for field in ["_id", "name", "createdAt", "updatedAt"] {
        assert!(own["data"][field].is_string(), "{field}: {own}");
    }
    let (status, created) = test
        .raw(
            reqwest::Method::POST,
            "/v1/organizations",
            Some(serde_json::json!({ "name": "Second" })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (_, listed) = test
        .raw(reqwest::Method::GET, "/v1/organizations", None)
        .await;
    let ids: Vec<&serde_json::Value> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|organization| &organization["_id"])
        .collect();
    assert_eq!(ids, [&own["data"]["_id"], &created["data"]["_id"]]);
}

/// The providers of the integrations in the environments of organization `id`, by environment
/// name, with whether each is active and primary, read from the database file.
fn integrations_of(database: &std::path::Path, id: &str) -> Vec<(String, String, bool, bool)> {
    let connection = rusqlite::Connection::open(database).unwrap();
    let mut statement = connection
        .prepare(
            "SELECT json_extract(environments.doc, '$.name'), integrations.provider_id, \
             json_extract(integrations.doc, '$.active'), json_extract(integrations.doc, '$.primary') \
             FROM integrations JOIN environments ON environments.id = integrations.environment_id \
             WHERE environments.organization_id = ?1 ORDER BY integrations.rowid",
        )
        .unwrap();
    statement
        .query_map([id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_new_organization_is_free_with_its_two_environments_and_the_key_user_as_admin() {
    for novu_providers in [false, true] {
        let database = crate::TemporaryDatabase::new(&format!("new-organization-{novu_providers}"));
        let test = TestServer::start_with(novu_reference::Config {
            database: database.0.clone(),
            novu_providers,
            ..novu_reference::Config::in_memory()
        })
        .await;
        let (status, created) = test
            .raw(
                reqwest::Method::POST,
                "/v1/organizations",
                Some(json!({ "name": "Free Org", "domain": "org.com", "jobTitle": "product_manager" })),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let organization = &created["data"];
        assert_eq!(
            (
                &organization["name"],
                &organization["domain"],
                &organization["apiServiceLevel"]
            ),
            (&json!("Free Org"), &json!("org.com"), &json!("free"))
        );
        let id = organization["_id"].as_str().unwrap();
        // The key's user is an active member: the organization is among the user's.
        let (_, listed) = test
            .raw(reqwest::Method::GET, "/v1/organizations", None)
            .await;
        let listed = listed["data"].as_array().unwrap().clone();
        assert!(
            listed.iter().any(|listed| listed["_id"] == id),
            "{listed:?}"
        );
        let connection = rusqlite::Connection::open(&database.0).unwrap();
        let roles: String = connection
            .query_row(
                "SELECT json_extract(doc, '$.roles') FROM members WHERE organization_id = ?1",
                [id],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(roles, r#"["admin"]"#);
        // Each environment has the in-app integration, and Novu's own email and SMS ones,
        // active and primary, only where the deployment holds their credentials.
        let mut expected = Vec::new();
        for environment in ["Development", "Production"] {
            if novu_providers {
                for provider in ["novu-email", "novu-sms"] {
                    expected.push((environment.to_owned(), provider.to_owned(), true, true));
                }
            }
            expected.push((environment.to_owned(), "novu".to_owned(), true, false));
        }
        let mut found = integrations_of(&database.0, id);
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "novu_providers: {novu_providers}");
    }
}

/// As Novu's `CreateEnvironment` does for an environment without a parent, a new
/// organization's Development environment starts with the default layout and that layout's
/// pending `DefaultLayout` change; its Production environment has neither.
#[tokio::test]
async fn a_new_organizations_development_environment_has_the_default_layout() {
    let database = crate::TemporaryDatabase::new("new-organization-layout");
    let test = TestServer::start_with(novu_reference::Config {
        database: database.0.clone(),
        ..novu_reference::Config::in_memory()
    })
    .await;
    let (status, created) = test
        .raw(
            reqwest::Method::POST,
            "/v1/organizations",
            Some(json!({ "name": "Layout Org" })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["_id"].as_str().unwrap();
    // Nobody is shown a new organization's keys; they are read from the database file.
    let connection = rusqlite::Connection::open(&database.0).unwrap();
    let key_of = |name: &str| -> String {
        connection
            .query_row(
                "SELECT json_extract(doc, '$.apiKeys[0].key') FROM environments \
                 WHERE organization_id = ?1 AND json_extract(doc, '$.name') = ?2",
                [id, name],
                |row| row.get(0),
            )
            .unwrap()
    };
    let get = |key: String, path: &'static str| {
        let url = format!("{}{path}", test.server.base_url());
        async move {
            let response = reqwest::Client::new()
                .get(url)
                .header("Authorization", format!("ApiKey {key}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    let development = key_of("Development");
    let layouts = get(development.clone(), "/v1/layouts").await;
    assert_eq!(layouts["totalCount"], 1, "{layouts}");
    let layout = &layouts["data"][0];
    for (field, value) in [
        ("name", json!("Default Layout")),
        ("identifier", json!("novu-default-layout")),
        ("description", json!("The default layout created by Novu")),
        ("isDefault", json!(true)),
        ("channel", json!("email")),
        ("variables", json!([])),
    ] {
        assert_eq!(layout[field], value, "{field}: {layout}");
    }
    assert!(
        layout["content"].as_str().unwrap().contains("{{{body}}}"),
        "{layout}"
    );
    let changes = get(development, "/v1/changes?promoted=false").await;
    assert_eq!(changes["totalCount"], 1, "{changes}");
    assert_eq!(changes["data"][0]["type"], "DefaultLayout");
    assert_eq!(changes["data"][0]["_entityId"], layout["_id"]);
    let production = key_of("Production");
    let layouts = get(production.clone(), "/v1/layouts").await;
    assert_eq!(layouts["totalCount"], 0, "{layouts}");
    let groups = get(production, "/v1/notification-groups").await;
    assert_eq!(groups["data"][0]["name"], "General", "{groups}");
    assert!(groups["data"][0]["_parentId"].is_string(), "{groups}");
}
