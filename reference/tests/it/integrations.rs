use novu_client::types;
use reqwest::Method;
use serde_json::json;

use crate::{TestServer, body, error, message};

async fn create(test: &TestServer, request: serde_json::Value) -> types::Integration {
    let response = test
        .client
        .integrations_create()
        .body(body::<novu_client::types::CreateIntegrationRequest>(
            request,
        ))
        .send()
        .await
        .expect("create succeeds");
    assert_eq!(response.status().as_u16(), 201);
    response.into_inner().data
}

#[tokio::test]
async fn integration_lifecycle_with_defaults_and_soft_delete() {
    let test = TestServer::start().await;
    let client = &test.client;

    let created = create(
        &test,
        json!({ "providerId": "sendgrid", "channel": "email" }),
    )
    .await;
    assert_eq!(
        created.name, "SendGrid",
        "named after the provider's display name"
    );
    assert!(
        created.identifier.starts_with("sendgrid-") && created.identifier.len() > "sendgrid-".len(),
        "the identifier defaults to slugify(name)-<shortid>: {}",
        created.identifier
    );
    assert!(!created.active, "active defaults to false");
    assert!(!created.primary, "an inactive integration is not primary");
    assert!(!created.deleted);

    let (status, conflict) = error(
        client
            .integrations_create()
            .body(body::<novu_client::types::CreateIntegrationRequest>(
                json!({
                    "providerId": "mailgun",
                    "channel": "email",
                    "identifier": created.identifier,
                }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        message(&conflict),
        "Integration with identifier already exists"
    );

    let updated = client
        .integrations_update()
        .integration_id(created.id.clone())
        .body(body::<novu_client::types::UpdateIntegrationRequest>(
            json!({ "name": "Mail", "removeNovuBranding": true }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(updated.name, "Mail");
    assert_eq!(updated.remove_novu_branding, Some(true));

    let (status, empty) = error(
        client
            .integrations_update()
            .integration_id(created.id.clone())
            .body(body::<novu_client::types::UpdateIntegrationRequest>(json!(
                {}
            )))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(message(&empty), "No properties found for update");

    let missing = "5f0000000000000000000000";
    let (status, not_found) = error(
        client
            .integrations_update()
            .integration_id(missing)
            .body(body::<novu_client::types::UpdateIntegrationRequest>(
                json!({ "name": "x" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&not_found),
        format!("Entity with id {missing} not found")
    );

    let other = create(
        &test,
        json!({ "providerId": "fcm", "channel": "push", "active": true }),
    )
    .await;
    let listed = client
        .integrations_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(
        listed.len(),
        4,
        "the in-app providers of both environments and the two created: the list is the organization's"
    );
    let active = client
        .integrations_list_active()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(
        created_only(&active)
            .iter()
            .map(|i| &i.id)
            .collect::<Vec<_>>(),
        [&other.id]
    );

    let remaining = client
        .integrations_delete()
        .integration_id(created.id.clone())
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(
        created_only(&remaining)
            .iter()
            .map(|i| &i.id)
            .collect::<Vec<_>>(),
        [&other.id]
    );
    let (status, _) = error(
        client
            .integrations_update()
            .integration_id(created.id.clone())
            .body(body::<novu_client::types::UpdateIntegrationRequest>(
                json!({ "name": "again" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404, "a deleted integration is gone");
    let (status, gone) = error(
        client
            .integrations_delete()
            .integration_id(created.id.clone())
            .send()
            .await,
    );
    assert_eq!(status, 404, "deleting it again is a 404");
    assert_eq!(
        message(&gone),
        format!("Entity with id {} not found", created.id)
    );
    // The identifier of a deleted integration is free again.
    create(
        &test,
        json!({ "providerId": "mailgun", "channel": "email", "identifier": created.identifier }),
    )
    .await;
}

#[tokio::test]
async fn only_one_novu_in_app_provider_per_environment() {
    // Every environment starts with one, so a second is refused at once.
    let test = TestServer::start().await;
    let (status, rejected) = error(
        test.client
            .integrations_create()
            .body(body::<novu_client::types::CreateIntegrationRequest>(
                json!({ "providerId": "novu", "channel": "in_app" }),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        message(&rejected),
        "One environment can only have one In app provider"
    );
}

#[tokio::test]
async fn the_first_active_email_integration_is_primary_and_set_primary_moves_it() {
    let test = TestServer::start().await;
    let client = &test.client;
    let first = create(
        &test,
        json!({ "providerId": "sendgrid", "channel": "email", "active": true }),
    )
    .await;
    assert!(first.primary);
    assert_eq!(first.priority, 1);
    let second = create(
        &test,
        json!({ "providerId": "mailgun", "channel": "email", "active": true }),
    )
    .await;
    assert!(!second.primary, "only the first active one becomes primary");
    let sms = create(
        &test,
        json!({ "providerId": "twilio", "channel": "sms", "active": true }),
    )
    .await;
    assert!(sms.primary, "primary is per channel");

    let id: types::ObjectId = body(json!(second.id));
    let response = client
        .integrations_set_primary()
        .integration_id(id.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let promoted = response.into_inner().data;
    assert!(promoted.primary);

    let listed = client
        .integrations_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let by_id = |id: &str| listed.iter().find(|i| i.id == id).unwrap().clone();
    assert!(!by_id(&first.id).primary, "the former primary is demoted");
    assert!(by_id(&second.id).priority > by_id(&first.id).priority);
    let primaries = listed
        .iter()
        .filter(|i| i.primary && i.channel == types::ChannelType::Email)
        .count();
    assert_eq!(primaries, 1);

    let missing: types::ObjectId = body(json!("5f0000000000000000000000"));
    let (status, not_found) = error(
        client
            .integrations_set_primary()
            .integration_id(missing.clone())
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        message(&not_found),
        "Integration with id 5f0000000000000000000000 not found"
    );

    // Novu's SetIntegrationAsPrimary: only CHANNELS_WITH_PRIMARY (email, sms) have one.
    let push = create(&test, json!({ "providerId": "fcm", "channel": "push" })).await;
    let push_id: types::ObjectId = body(json!(push.id));
    let (status, refused) = error(
        client
            .integrations_set_primary()
            .integration_id(push_id.clone())
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(message(&refused), "Channel push does not support primary");
}

#[tokio::test]
async fn conditions_on_a_primary_integration_clear_primary_and_empty_conditions_clear_them() {
    let test = TestServer::start().await;
    let primary = create(
        &test,
        json!({ "providerId": "sendgrid", "channel": "email", "active": true }),
    )
    .await;
    assert!(primary.primary);
    let conditions = json!([{
        "isNegated": false,
        "type": "GROUP",
        "value": "AND",
        "children": [{ "on": "tenant", "field": "identifier", "value": "acme", "operator": "EQUAL" }],
    }]);
    let path = format!("/v1/integrations/{}", primary.id);
    let (status, updated) = test
        .raw(
            Method::PUT,
            &path,
            Some(json!({ "conditions": conditions })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["data"]["primary"], false);
    assert_eq!(
        updated["data"]["conditions"][0]["children"][0]["field"],
        "identifier"
    );

    let (status, cleared) = test
        .raw(Method::PUT, &path, Some(json!({ "conditions": [] })))
        .await;
    assert_eq!(status, 200, "an empty array is a property to update");
    assert!(
        cleared["data"].get("conditions").is_none() || cleared["data"]["conditions"] == json!([]),
        "the conditions are cleared: {cleared}"
    );
}

#[tokio::test]
async fn webhook_support_is_answered_by_provider_or_integration_id() {
    // Novu's e2e: integrations/e2e/get-webhook-support-status.e2e.ts.
    let test = TestServer::start().await;
    let client = &test.client;
    let with_credentials = json!({ "apiKey": "SG.key", "secretKey": "secret" });
    let sendgrid = create(
        &test,
        json!({ "providerId": "sendgrid", "channel": "email", "credentials": with_credentials }),
    )
    .await;
    let supported = |value: types::BooleanEnvelope| value.data;
    assert!(supported(
        client
            .integration_webhook_status_retrieve()
            .provider_or_integration_id("sendgrid")
            .send()
            .await
            .unwrap()
            .into_inner()
    ));
    assert!(supported(
        client
            .integration_webhook_status_retrieve()
            .provider_or_integration_id(sendgrid.id.clone())
            .send()
            .await
            .unwrap()
            .into_inner()
    ));
    // An email provider without delivery webhooks.
    let nodemailer = create(
        &test,
        json!({ "providerId": "nodemailer", "channel": "email", "credentials": with_credentials }),
    )
    .await;
    assert!(!supported(
        client
            .integration_webhook_status_retrieve()
            .provider_or_integration_id(nodemailer.id.clone())
            .send()
            .await
            .unwrap()
            .into_inner()
    ));

    // "should throw not found error when integration doesn't exist"
    let unknown = "65f0c0ffee00000000000001";
    let (status, body) = error(
        client
            .integration_webhook_status_retrieve()
            .provider_or_integration_id(unknown)
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(body.error.as_deref(), Some("Not Found"));
    assert_eq!(
        message(&body),
        format!("Integration for {unknown} was not found")
    );

    // "should throw bad request error when integration doesn't have credentials"
    let bare = create(
        &test,
        json!({ "providerId": "mailgun", "channel": "email" }),
    )
    .await;
    let (status, body) = error(
        client
            .integration_webhook_status_retrieve()
            .provider_or_integration_id(bare.id.clone())
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(body.error.as_deref(), Some("Bad Request"));
    assert_eq!(
        message(&body),
        format!("Integration {} doesn't have credentials set up", bare.id)
    );

    // "should throw bad request error for chat, push, in-app integrations"
    for (provider, channel) in [("slack", "chat"), ("fcm", "push")] {
        let integration = create(
            &test,
            json!({ "providerId": provider, "channel": channel, "credentials": { "apiKey": "x" } }),
        )
        .await;
        let (status, body) = error(
            client
                .integration_webhook_status_retrieve()
                .provider_or_integration_id(integration.id.clone())
                .send()
                .await,
        );
        assert_eq!(status, 400);
        assert_eq!(
            message(&body),
            format!("Webhook for {provider}-{channel} is not supported yet")
        );
    }
}

#[tokio::test]
async fn toggling_active_ranks_without_making_primary() {
    let test = TestServer::start().await;
    let client = &test.client;
    let inactive = create(
        &test,
        json!({ "providerId": "sendgrid", "channel": "email" }),
    )
    .await;
    assert!(!inactive.primary);
    let activated = client
        .integrations_update()
        .integration_id(inactive.id.clone())
        .body(body::<novu_client::types::UpdateIntegrationRequest>(
            json!({ "active": true }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(
        activated.active && !activated.primary,
        "turning an integration on ranks it but leaves it not primary, as Novu's update does"
    );
    assert_eq!(activated.priority, 1);

    let second = create(
        &test,
        json!({ "providerId": "mailgun", "channel": "email", "active": true }),
    )
    .await;
    assert!(
        second.primary && second.priority == 2,
        "a new active one above an active one that is not primary becomes primary"
    );
    let deactivated = client
        .integrations_update()
        .integration_id(inactive.id.clone())
        .body(body::<novu_client::types::UpdateIntegrationRequest>(
            json!({ "active": false }),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(!deactivated.active && !deactivated.primary);
    assert_eq!(deactivated.priority, 0);
    let remaining = client
        .integrations_list_active()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let remaining = created_only(&remaining);
    assert_eq!(remaining.len(), 1);
    assert_eq!(
        remaining[0].priority, 1,
        "the remaining active one is renumbered"
    );
}

/// The integrations a test created, without the in-app provider every environment starts with.
fn created_only(integrations: &[types::Integration]) -> Vec<&types::Integration> {
    integrations
        .iter()
        .filter(|integration| integration.provider_id != "novu")
        .collect()
}

#[tokio::test]
async fn conditions_of_every_part_kind_are_stored_and_read_back() {
    // Integrations keep only `on`, `field`, `operator` and `value` of each part, so a webhook
    // or online part comes back without its other fields and must still be answerable.
    let test = TestServer::start().await;
    let conditions = json!([{
        "value": "OR",
        "children": [
            { "on": "webhook", "field": "vip", "operator": "EQUAL", "value": "true", "webhookUrl": "https://hooks.example" },
            { "on": "isOnlineInLast", "timeOperator": "days", "value": 2 },
            { "on": "tenant", "field": "identifier", "operator": "EQUAL", "value": "acme" },
        ],
    }]);
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/integrations",
            Some(json!({ "providerId": "sendgrid", "channel": "email", "conditions": conditions })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let children = &created["data"]["conditions"][0]["children"];
    assert_eq!(
        children[0],
        json!({ "on": "webhook", "field": "vip", "operator": "EQUAL", "value": "true" })
    );
    assert_eq!(children[1], json!({ "on": "isOnlineInLast", "value": 2 }));
    let id = created["data"]["_id"].as_str().unwrap().to_owned();
    let (status, updated) = test
        .raw(
            Method::PUT,
            &format!("/v1/integrations/{id}"),
            Some(json!({ "name": "renamed" })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    let (status, listed) = test.raw(Method::GET, "/v1/integrations", None).await;
    assert_eq!(status, 200, "{listed}");
}

#[tokio::test]
async fn an_environment_id_in_the_body_is_stored_as_given() {
    // Novu writes the integration to the `_environmentId` the body names without looking it up.
    let test = TestServer::start().await;
    let elsewhere = "5f00000000000000000000aa";
    let (status, created) = test
        .raw(
            reqwest::Method::POST,
            "/v1/integrations",
            Some(serde_json::json!({
                "providerId": "sendgrid",
                "channel": "email",
                "_environmentId": elsewhere,
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["data"]["_environmentId"], elsewhere);
    let (_, listed) = test
        .raw(reqwest::Method::GET, "/v1/integrations", None)
        .await;
    let ids: Vec<&serde_json::Value> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|integration| &integration["_id"])
        .collect();
    assert!(
        ids.contains(&&created["data"]["_id"]),
        "integrations are listed for the whole organization"
    );
}

#[tokio::test]
async fn a_new_active_integration_takes_its_place_as_novu_places_it() {
    let test = TestServer::start().await;
    let create = |body: serde_json::Value| async {
        let (status, created) = test
            .raw(reqwest::Method::POST, "/v1/integrations", Some(body))
            .await;
        assert_eq!(status, 201, "{created}");
        created["data"].clone()
    };
    // A channel without a primary keeps the default priority.
    let chat = create(json!({ "providerId": "slack", "channel": "chat", "active": true })).await;
    assert_eq!(
        (chat["priority"].clone(), chat["primary"].clone()),
        (json!(0), json!(false))
    );
    // The first active email integration is primary on top; the next one goes under it, and
    // the primary moves up to stay on top.
    let first =
        create(json!({ "providerId": "sendgrid", "channel": "email", "active": true })).await;
    assert_eq!(
        (first["priority"].clone(), first["primary"].clone()),
        (json!(1), json!(true))
    );
    let second =
        create(json!({ "providerId": "mailgun", "channel": "email", "active": true })).await;
    assert_eq!(
        (second["priority"].clone(), second["primary"].clone()),
        (json!(1), json!(false))
    );
    let (_, listed) = test
        .raw(reqwest::Method::GET, "/v1/integrations", None)
        .await;
    let first_now = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|integration| integration["_id"] == first["_id"])
        .unwrap();
    assert_eq!(first_now["priority"], 2);
    // With the primary gone, a new active one becomes primary above the rest.
    let first_id = first["_id"].as_str().unwrap();
    let (status, _) = test
        .raw(
            reqwest::Method::DELETE,
            &format!("/v1/integrations/{first_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let third =
        create(json!({ "providerId": "postmark", "channel": "email", "active": true })).await;
    assert_eq!(third["primary"], true);
    assert!(third["priority"].as_i64().unwrap() > second["priority"].as_i64().unwrap());
}

/// A server that plays a deployment holding the credentials of Novu's own providers.
async fn with_novu_providers() -> TestServer {
    TestServer::start_with(novu_reference::Config {
        novu_providers: true,
        ..novu_reference::Config::in_memory()
    })
    .await
}

#[tokio::test]
async fn novu_providers_are_refused_without_the_deployments_credentials() {
    let test = TestServer::start().await;
    for (provider, channel) in [("novu-email", "email"), ("novu-sms", "sms")] {
        let (status, refused) = test
            .raw(
                reqwest::Method::POST,
                "/v1/integrations",
                Some(json!({ "providerId": provider, "channel": channel, "active": true })),
            )
            .await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(
            refused["message"],
            format!("Creating Novu integration for {provider} provider is not allowed")
        );
    }
}

#[tokio::test]
async fn with_the_credentials_an_environment_holds_one_novu_provider_of_each_channel() {
    let test = with_novu_providers().await;
    let create = |provider: &'static str, channel: &'static str| {
        let test = &test;
        async move {
            test.raw(
                reqwest::Method::POST,
                "/v1/integrations",
                Some(json!({ "providerId": provider, "channel": channel, "active": true })),
            )
            .await
        }
    };
    for (provider, channel, name) in [
        ("novu-email", "email", "Novu Email"),
        ("novu-sms", "sms", "Novu SMS"),
    ] {
        let (status, created) = create(provider, channel).await;
        assert_eq!(status, 201, "{created}");
        // The first active integration of its channel, so primary on top, as any provider.
        let data = &created["data"];
        assert_eq!(
            (&data["name"], &data["primary"], &data["priority"]),
            (&json!(name), &json!(true), &json!(1))
        );
        let (status, again) = create(provider, channel).await;
        assert_eq!(status, 409, "{again}");
        assert_eq!(
            again["message"],
            format!("Integration with novu provider for {channel} channel already exists")
        );
        // Another environment of the organization may have its own.
        let production = production_environment(&test).await;
        let (status, elsewhere) = test
            .raw(
                reqwest::Method::POST,
                "/v1/integrations",
                Some(json!({ "providerId": provider, "channel": channel, "_environmentId": production })),
            )
            .await;
        assert_eq!(status, 201, "{elsewhere}");
        // Once deleted, the environment may create one again.
        let id = data["_id"].as_str().unwrap();
        let (status, _) = test
            .raw(
                reqwest::Method::DELETE,
                &format!("/v1/integrations/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        let (status, created) = create(provider, channel).await;
        assert_eq!(status, 201, "{created}");
    }
}

/// The `_id` of the production environment (the development one's child).
async fn production_environment(test: &TestServer) -> String {
    let (_, environments) = test
        .raw(reqwest::Method::GET, "/v1/environments", None)
        .await;
    environments["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|environment| environment["_parentId"].is_string())
        .and_then(|environment| environment["_id"].as_str())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_novu_provider_ranks_and_delivers_as_any_provider() {
    let test = with_novu_providers().await;
    let create = |body: serde_json::Value| {
        let test = &test;
        async move {
            let (status, created) = test
                .raw(reqwest::Method::POST, "/v1/integrations", Some(body))
                .await;
            assert_eq!(status, 201, "{created}");
            created["data"].clone()
        }
    };
    let novu =
        create(json!({ "providerId": "novu-email", "channel": "email", "active": true })).await;
    // A new active integration goes under the primary Novu one, which stays primary.
    let sendgrid =
        create(json!({ "providerId": "sendgrid", "channel": "email", "active": true })).await;
    assert_eq!(
        (&sendgrid["primary"], &sendgrid["priority"]),
        (&json!(false), &json!(1))
    );
    let (_, listed) = test
        .raw(reqwest::Method::GET, "/v1/integrations", None)
        .await;
    let novu_now = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|integration| integration["_id"] == novu["_id"])
        .unwrap()
        .clone();
    assert_eq!(
        (
            &novu_now["primary"],
            &novu_now["active"],
            &novu_now["priority"]
        ),
        (&json!(true), &json!(true), &json!(2))
    );
    // The primary Novu integration carries the email; nothing is sent, the message is kept.
    let name = crate::events::workflow(
        &test,
        "Mail",
        json!([{ "template": { "type": "email", "subject": "Hi", "content": "Body" } }]),
    )
    .await;
    crate::events::trigger(
        &test,
        json!({ "name": name, "to": { "subscriberId": "ada", "email": "ada@example.com" },
            "transactionId": "novu-mail", "payload": {} }),
    )
    .await;
    let page = test
        .client
        .messages_list()
        .channel("email")
        .transaction_id(vec!["novu-mail".to_owned()])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.data.len(), 1);
    let message = serde_json::to_value(&page.data[0]).unwrap();
    assert_eq!(
        (&message["providerId"], &message["status"]),
        (&json!("novu-email"), &json!("sent"))
    );
}

#[tokio::test]
async fn the_binary_holds_the_credentials_with_novu_providers_and_says_so_in_its_help() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let binary = env!("CARGO_BIN_EXE_novu-reference");
    let help = Command::new(binary).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("--novu-providers") && help.contains("novu-email"),
        "{help}"
    );
    let mut child = Command::new(binary)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--database",
            ":memory:",
            "--api-key",
            "novu-providers-key",
            "--novu-providers",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base_url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("listening on ") {
                    break url.trim().to_owned();
                }
            }
            _ => panic!("the server exited before listening"),
        }
    };
    let response = reqwest::Client::new()
        .post(format!("{base_url}/v1/integrations"))
        .header("Authorization", "ApiKey novu-providers-key")
        .json(&json!({ "providerId": "novu-sms", "channel": "sms", "active": true }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 201);
}
