use serde_json::json;

use crate::{TestServer, body};

#[tokio::test]
async fn organization_can_be_renamed_and_branded() {
    let test = TestServer::start().await;
    let client = &test.client;
    let organization = client
        .organizations_retrieve_current()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(organization.name, "Reference Organization");

    let renamed = client
        .organizations_rename(&body(json!({ "name": "Initech" })))
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(renamed.name, "Initech");

    let branding = client
        .organization_branding_update(&body(json!({
            "logo": "https://example.com/logo.png",
            "color": "#ff0000",
            "fontFamily": "Inter",
        })))
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(branding.color.as_deref(), Some("#ff0000"));
    let branding = client
        .organization_branding_update(&body(json!({ "fontColor": "#000" })))
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
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(current.name, "Initech");
    assert_eq!(
        current.logo.as_deref(),
        Some("https://example.com/logo.png")
    );
    let listed = client.organizations_list().await.unwrap().into_inner().data;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Initech");

    let members = client
        .organization_members_list()
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
