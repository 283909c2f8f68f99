//! The generated server stubs and the generated client, end to end.
//!
//! A small in-test implementation of `NovuApi` is served by the generated router on 127.0.0.1 and
//! driven by the generated client, one or more operations of every tag. The router's own answers
//! (401 for credentials, 400 for invalid input, 404 for unknown routes) are checked with raw
//! requests where the typed client cannot send what they need.

mod fixture;
mod server;

use novu_server::types::{self, ChannelType};
use novu_server::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

use fixture::*;
use server::*;

#[tokio::test]
async fn events_trigger_hands_the_typed_body_to_the_implementation() {
    let server = Server::start().await;
    let client = server.client();
    let trigger = types::TriggerEventRequest {
        actor: None,
        bridge_url: None,
        controls: Default::default(),
        name: "welcome".into(),
        overrides: Default::default(),
        payload: json!({ "plan": "pro", "seats": 3 }).as_object().cloned(),
        tenant: None,
        to: types::TriggerRecipients::TriggerRecipient(types::TriggerRecipient::String(
            "ada".into(),
        )),
        transaction_id: Some("txn-1".into()),
    };

    let response = client
        .events_trigger()
        .body(trigger.clone())
        .send()
        .await
        .expect("trigger accepted");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.into_inner().data,
        types::TriggerEventResult {
            acknowledged: true,
            error: None,
            status: types::TriggerEventResultStatus::Processed,
            transaction_id: Some("txn-1".into()),
        }
    );
    assert_eq!(
        *server.fixture.triggers.lock().unwrap(),
        vec![trigger.clone()]
    );

    let unknown = types::TriggerEventRequest {
        name: "farewell".into(),
        ..trigger
    };
    let (status, body) = refusal(client.events_trigger().body(unknown.clone()).send().await);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(messages(&body), ["workflow farewell is not found"]);
    assert_eq!(body.path, "/v1/events/trigger");
}

#[tokio::test]
async fn subscribers_create_then_get_round_trips_and_an_unknown_one_is_404() {
    let server = Server::start().await;
    let client = server.client();
    let ada = types::CreateSubscriberRequest {
        avatar: None,
        channels: None,
        data: None,
        email: Some("ada@example.com".into()),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        locale: Some("en-GB".into()),
        phone: None,
        subscriber_id: "ada".into(),
    };

    let created = client
        .subscribers_create()
        .body(ada.clone())
        .send()
        .await
        .expect("subscriber created");
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = created.into_inner().data;
    assert_eq!(created.subscriber_id, "ada");
    assert_eq!(created.email.as_deref(), Some("ada@example.com"));
    assert_eq!(created.first_name.as_deref(), Some("Ada"));
    assert_eq!(created.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(created.locale.as_deref(), Some("en-GB"));
    assert_eq!(created.environment_id, ENVIRONMENT_ID);
    assert_eq!(
        server.fixture.subscribers.lock().unwrap().get("ada"),
        Some(&created)
    );

    let fetched = client
        .subscribers_get()
        .subscriber_id("ada")
        .send()
        .await
        .expect("subscriber found");
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.into_inner().data, created);

    let (status, body) = refusal(client.subscribers_get().subscriber_id("grace").send().await);
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["Subscriber not found for id grace"]);
    assert_eq!(body.status_code, 404);
    assert_eq!(body.error.as_deref(), Some("Not Found"));
    assert_eq!(body.path, "/v1/subscribers/grace");
}

#[tokio::test]
async fn topics_create_delete_answer_201_204_and_their_documented_errors() {
    let server = Server::start().await;
    let client = server.client();
    let beta = types::CreateTopicRequest {
        key: "beta-testers".into(),
        name: "Beta testers".into(),
    };

    let created = client
        .topics_create()
        .body(beta.clone())
        .send()
        .await
        .expect("topic created");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        created.into_inner().data,
        types::TopicCreated {
            id: "db-beta-testers".into(),
            key: "beta-testers".into(),
        }
    );
    let (status, body) = refusal(client.topics_create().body(beta.clone()).send().await);
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(messages(&body), ["Topic exists with key beta-testers"]);

    let deleted = client
        .topics_delete()
        .topic_key("beta-testers")
        .send()
        .await
        .expect("topic deleted");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(server.fixture.topics.lock().unwrap().is_empty());
    let (status, body) = refusal(
        client
            .topics_delete()
            .topic_key("beta-testers")
            .send()
            .await,
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        messages(&body),
        [format!(
            "Topic not found for id beta-testers in the environment {ENVIRONMENT_ID}"
        )]
    );
}

#[tokio::test]
async fn notifications_list_reads_repeated_and_comma_separated_array_parameters() {
    let server = Server::start().await;
    let channels_as_steps = |names: &[&str]| -> Vec<types::StepType> {
        names.iter().map(|name| name.parse().unwrap()).collect()
    };
    let subscribers_of = |page: &types::ActivityPage| -> Vec<String> {
        let subscribers = page.data.iter().map(|notification| {
            let subscriber = notification.subscriber.as_ref().expect("a subscriber");
            subscriber.subscriber_id.clone().expect("a subscriberId")
        });
        subscribers.collect()
    };

    let page = server
        .client()
        .notifications_list()
        .channels(vec![ChannelType::Email, ChannelType::InApp])
        .page(2)
        .subscriber_ids(vec!["ada".into(), "grace".into()])
        .send()
        .await
        .expect("notifications listed")
        .into_inner();
    assert_eq!(page.page, 2);
    assert_eq!(subscribers_of(&page), ["ada", "grace"]);
    for notification in &page.data {
        assert_eq!(
            notification.channels,
            Some(channels_as_steps(&["email", "in_app"]))
        );
    }

    let response = server
        .raw(
            Method::GET,
            "/v1/notifications?channels=email&channels=sms,push&subscriberIds=ada,grace&subscriberIds=linus",
        )
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::OK);
    let page: types::ActivityPage = response.json().await.expect("an activity page");
    assert_eq!(page.page, 0, "the spec's default page");
    assert_eq!(subscribers_of(&page), ["ada", "grace", "linus"]);
    for notification in &page.data {
        assert_eq!(
            notification.channels,
            Some(channels_as_steps(&["email", "sms", "push"]))
        );
    }
}

#[tokio::test]
async fn workflows_delete_receives_the_typed_object_id() {
    let server = Server::start().await;
    let client = server.client();

    let existed = client
        .workflows_delete()
        .workflow_id(object_id(WORKFLOW_ID))
        .send()
        .await
        .expect("deleted");
    assert_eq!(existed.status(), StatusCode::OK);
    assert!(existed.into_inner().data);
    let other = object_id("65f0c0ffee00000000000a02");
    let existed = client
        .workflows_delete()
        .workflow_id(other.clone())
        .send()
        .await
        .expect("deleted");
    assert!(!existed.into_inner().data);
}

#[tokio::test]
async fn workflow_overrides_delete_answers_200_or_404() {
    let server = Server::start().await;
    let client = server.client();

    let deleted = client
        .workflow_overrides_delete()
        .override_id(object_id(OVERRIDE_ID))
        .send()
        .await;
    assert!(deleted.expect("override deleted").into_inner().data);
    let unknown = "65f0c0ffee00000000000b02";
    let (status, body) = refusal(
        client
            .workflow_overrides_delete()
            .override_id(object_id(unknown))
            .send()
            .await,
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        messages(&body),
        [format!("Workflow override with id {unknown} not found")]
    );
    assert_eq!(body.path, format!("/v1/workflow-overrides/{unknown}"));
}

#[tokio::test]
async fn workflow_groups_create_answers_201_with_the_given_name() {
    let server = Server::start().await;
    let body = types::WorkflowGroupRequest {
        name: "Onboarding".into(),
    };

    let created = server
        .client()
        .workflow_groups_create()
        .body(body.clone())
        .send()
        .await
        .expect("group created");
    assert_eq!(created.status(), StatusCode::CREATED);
    let group = created.into_inner().data;
    assert_eq!(group.name, "Onboarding");
    assert_eq!(group.environment_id, ENVIRONMENT_ID);
}

#[tokio::test]
async fn integrations_webhook_status_receives_the_provider() {
    let server = Server::start().await;
    let client = server.client();

    let sendgrid = client
        .integration_webhook_status_retrieve()
        .provider_or_integration_id("sendgrid")
        .send()
        .await;
    assert!(sendgrid.expect("status of sendgrid").into_inner().data);
    let mailgun = client
        .integration_webhook_status_retrieve()
        .provider_or_integration_id("mailgun")
        .send()
        .await;
    assert!(!mailgun.expect("status of mailgun").into_inner().data);
}

#[tokio::test]
async fn layouts_set_default_answers_204_or_404() {
    let server = Server::start().await;
    let client = server.client();

    let response = client
        .layouts_set_default()
        .layout_id(LAYOUT_ID)
        .send()
        .await
        .expect("default set");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = refusal(
        client
            .layouts_set_default()
            .layout_id("missing")
            .send()
            .await,
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["Layout not found for id missing"]);
}

#[tokio::test]
async fn execution_details_list_receives_its_query() {
    let server = Server::start().await;
    let notification_id = object_id("65f0c0ffee00000000000d03");

    let details = server
        .client()
        .execution_details_list()
        .notification_id(notification_id.clone())
        .subscriber_id("ada")
        .send()
        .await
        .expect("details listed")
        .into_inner()
        .data;
    assert_eq!(details.len(), 1);
    assert_eq!(details[0].notification_id, *notification_id);
    assert_eq!(details[0].subscriber_id, "ada");
    assert_eq!(details[0].status, types::ExecutionDetailStatus::Success);
    assert_eq!(
        details[0].created_at.map(|at| at.to_rfc3339()).as_deref(),
        Some("2024-03-01T12:00:00+00:00")
    );
}

#[tokio::test]
async fn organizations_rename_round_trips_the_name() {
    let server = Server::start().await;
    let name = types::OrganizationName {
        name: "Analytical Engines".into(),
    };

    let renamed = server
        .client()
        .organizations_rename()
        .body(name.clone())
        .send()
        .await
        .expect("renamed");
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(renamed.into_inner().data, name);
}

#[tokio::test]
async fn messages_delete_by_transaction_receives_the_channel() {
    let server = Server::start().await;
    let client = server.client();

    let deleted = client
        .messages_delete_by_transaction()
        .transaction_id("txn-1")
        .channel(ChannelType::Email)
        .send()
        .await
        .expect("messages deleted");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let refused = client
        .messages_delete_by_transaction()
        .transaction_id("txn-1")
        .channel(ChannelType::Sms)
        .send()
        .await;
    let (status, body) = refusal(refused);
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["transaction txn-1 has no sms messages"]);
    assert_eq!(body.path, "/v1/messages/transaction/txn-1?channel=sms");
}

#[tokio::test]
async fn changes_list_receives_its_query_and_the_spec_defaults() {
    let server = Server::start().await;
    let client = server.client();

    let page = client
        .changes_list()
        .limit(5u64)
        .page(2)
        .promoted("true")
        .send()
        .await
        .expect("changes listed");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.into_inner();
    assert_eq!((page.page, page.page_size, page.total_count), (2, 5, 0));
    let page = client
        .changes_list()
        .promoted("false")
        .send()
        .await
        .expect("changes listed");
    let page = page.into_inner();
    assert_eq!((page.page, page.page_size), (0, 10), "the spec's defaults");
}

#[tokio::test]
async fn environments_retrieve_current_answers_for_the_authenticated_caller() {
    let server = Server::start().await;

    let environment = server
        .client()
        .environments_retrieve_current()
        .send()
        .await
        .expect("current environment")
        .into_inner()
        .data;
    assert_eq!(environment.id, ENVIRONMENT_ID);
    assert_eq!(environment.organization_id, ORGANIZATION_ID);
}

#[tokio::test]
async fn feeds_create_answers_201_with_the_given_name() {
    let server = Server::start().await;
    let body = types::CreateFeedRequest {
        name: "product-updates".into(),
    };

    let created = server
        .client()
        .feeds_create()
        .body(body.clone())
        .send()
        .await
        .expect("feed created");
    assert_eq!(created.status(), StatusCode::CREATED);
    let feed = created.into_inner().data;
    assert_eq!(
        (feed.name.as_str(), feed.identifier.as_str()),
        ("product-updates", "product-updates")
    );
}

#[tokio::test]
async fn tenants_get_answers_200_or_404() {
    let server = Server::start().await;
    let client = server.client();

    let tenant = client
        .tenants_get()
        .identifier("acme")
        .send()
        .await
        .expect("tenant found")
        .into_inner()
        .data;
    assert_eq!(tenant.identifier, "acme");
    assert_eq!(tenant.name.as_deref(), Some("Acme"));
    assert_eq!(tenant.created_at.to_rfc3339(), "2024-03-01T12:00:00+00:00");
    let (status, body) = refusal(client.tenants_get().identifier("initech").send().await);
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        messages(&body),
        ["Tenant with identifier: initech cannot be found"]
    );
}

#[tokio::test]
async fn a_missing_or_unknown_api_key_is_answered_with_401() {
    let server = Server::start().await;

    let (status, body) = raw_refusal(server.raw_without_key(Method::GET, "/v1/subscribers")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(messages(&body), ["Missing authorization header"]);
    assert_eq!(
        (body.status_code, body.path.as_str()),
        (401, "/v1/subscribers")
    );

    let stranger = server.client_with_key("wrong-key");
    let topic = types::CreateTopicRequest {
        key: "beta-testers".into(),
        name: "Beta testers".into(),
    };
    let (status, body) = refusal(stranger.topics_create().body(topic.clone()).send().await);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(messages(&body), ["API Key not found"]);
    assert!(
        server.fixture.topics.lock().unwrap().is_empty(),
        "the implementation was not called"
    );
}

#[tokio::test]
async fn invalid_input_is_answered_with_the_400_error_body_before_the_implementation_runs() {
    let server = Server::start().await;

    let without_name = server
        .raw(Method::POST, "/v1/topics")
        .json(&json!({ "key": "beta-testers" }));
    let (status, body) = raw_refusal(without_name).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // As Novu's create-topic test records: presence first, then the type.
    assert_eq!(
        messages(&body),
        [
            "name should not be null or undefined",
            "name must be a string"
        ]
    );
    assert_eq!(body.error.as_deref(), Some("Bad Request"));
    assert_eq!((body.status_code, body.path.as_str()), (400, "/v1/topics"));
    assert!(
        server.fixture.topics.lock().unwrap().is_empty(),
        "the implementation was not called"
    );

    let (status, body) = refusal(
        server
            .client()
            .subscribers_list()
            .limit(1000u64)
            .send()
            .await,
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(messages(&body), ["limit must not be greater than 100"]);
    assert_eq!(body.path, "/v1/subscribers?limit=1000");

    let malformed_id = server.raw(Method::DELETE, "/v1/workflows/not-an-object-id");
    let (status, body) = raw_refusal(malformed_id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(messages(&body), ["workflowId must be a mongodb id"]);
}

#[tokio::test]
async fn static_segments_reach_the_operation_whose_parameter_they_fill() {
    let server = Server::start().await;
    let client = server.client();
    let bulk = types::CreateSubscriberRequest {
        avatar: None,
        channels: None,
        data: None,
        email: None,
        first_name: Some("Bulk".into()),
        last_name: None,
        locale: None,
        phone: None,
        subscriber_id: "bulk".into(),
    };
    client
        .subscribers_create()
        .body(bulk.clone())
        .send()
        .await
        .expect("subscriber created");

    // `/v1/subscribers/bulk` is also the path of `subscribers_create_bulk` (POST only).
    let fetched = client
        .subscribers_get()
        .subscriber_id("bulk")
        .send()
        .await
        .expect("subscriber found")
        .into_inner();
    assert_eq!(fetched.data.subscriber_id, "bulk");
    assert_eq!(fetched.data.first_name.as_deref(), Some("Bulk"));

    // `/v1/topics/{topicKey}/subscribers/removal` is also `topic_subscribers_remove` (POST only).
    let membership = client
        .topic_subscribers_get()
        .topic_key("t")
        .external_subscriber_id("removal")
        .send()
        .await
        .expect("membership");
    let membership = membership.into_inner().data;
    assert_eq!(membership.topic_key, "t");
    assert_eq!(membership.external_subscriber_id, "removal");
}

#[tokio::test]
async fn a_dashboard_only_route_refuses_an_api_key_before_the_key_is_looked_up() {
    let server = Server::start().await;
    for key in [API_KEY, "unknown-key"] {
        let request = server
            .raw_without_key(Method::POST, "/v1/invites/bulk")
            .header("authorization", format!("ApiKey {key}"));
        let (status, body) = raw_refusal(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key}");
        assert_eq!(messages(&body), ["API endpoint not available"], "{key}");
    }
    // A static route the dashboard's parameter route shadows keeps its own methods and
    // gains the dashboard's: `PUT /v1/environments/{id}` reads `me` as an id.
    let (status, body) = raw_refusal(server.raw(Method::PUT, "/v1/environments/me")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(messages(&body), ["API endpoint not available"]);
    let (status, body) = raw_refusal(server.raw_without_key(Method::GET, "/v1/preferences")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(messages(&body), ["Missing authorization header"]);
}

#[tokio::test]
async fn an_unknown_route_or_method_is_answered_with_404_and_the_error_body() {
    let server = Server::start().await;

    let (status, body) = raw_refusal(server.raw(Method::GET, "/v1/nowhere?page=1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["Cannot GET /v1/nowhere"]);
    assert_eq!(body.error.as_deref(), Some("Not Found"));
    assert_eq!(
        (body.status_code, body.path.as_str()),
        (404, "/v1/nowhere?page=1")
    );

    let (status, body) = raw_refusal(server.raw(Method::PATCH, "/v1/feeds")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["Cannot PATCH /v1/feeds"]);
}

#[test]
fn a_failure_becomes_the_documented_variant_of_its_status_and_only_that() {
    let context = RequestContext {
        path_and_query: "/v1/subscribers/ada".into(),
        headers: Default::default(),
    };
    let body = || error(404, &context, "Subscriber not found");
    assert!(matches!(
        SubscribersGetResponse::from_failure(StatusCode::NOT_FOUND, body()),
        Ok(SubscribersGetResponse::NotFound(_))
    ));
    assert!(matches!(
        SubscribersGetResponse::from_failure(StatusCode::TOO_MANY_REQUESTS, body()),
        Ok(SubscribersGetResponse::TooManyRequests(_))
    ));
    // `topics_create` documents no 404: the body comes back for the caller to decide.
    assert!(!TopicsCreateResponse::FAILURE_STATUSES.contains(&404));
    let refused = TopicsCreateResponse::from_failure(StatusCode::NOT_FOUND, body());
    assert_eq!(refused.err(), Some(body()));
    assert_eq!(
        SubscribersGetResponse::FAILURE_STATUSES,
        &[400, 401, 404, 429, 500]
    );
}

#[test]
fn optional_request_collections_keep_empty_apart_from_absent() {
    let read = |text: &str| -> types::UpdateIntegrationRequest {
        serde_json::from_str(text).expect("a valid update")
    };
    assert_eq!(read("{}").conditions, None);
    assert_eq!(read(r#"{"conditions": []}"#).conditions, Some(Vec::new()));
    // Written back, each keeps its form: absent stays absent, empty stays empty.
    let written = |text: &str| serde_json::to_value(read(text)).unwrap();
    assert_eq!(written("{}").get("conditions"), None);
    assert_eq!(written(r#"{"conditions": []}"#)["conditions"], json!([]));
}

#[test]
fn nullable_request_properties_keep_null_apart_from_absent() {
    let read = |text: &str| -> types::UpdateSubscriberRequest {
        serde_json::from_str(text).expect("a valid update")
    };
    assert_eq!(read("{}").email, None);
    assert_eq!(read(r#"{"email": null}"#).email, Some(None));
    let set = read(r#"{"email": "ada@example.com"}"#).email;
    assert!(matches!(set, Some(Some(_))), "{set:?}");
    // Written back, each keeps its form: absent stays absent, null stays null.
    assert_eq!(serde_json::to_value(read("{}")).unwrap(), json!({}));
    assert_eq!(
        serde_json::to_value(read(r#"{"email": null}"#)).unwrap(),
        json!({ "email": null })
    );
}
