//! The trigger engine end to end: triggers, bulk, broadcast and cancel, seen through the feed,
//! the message list and the activity feed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{TestServer, body, error, message};

/// Creates an active workflow with these steps and answers its trigger identifier.
pub async fn workflow(test: &TestServer, name: &str, steps: Value) -> String {
    let group = test
        .client
        .workflow_groups_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data[0]
        .id
        .clone();
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/workflows",
            Some(json!({
                "name": name,
                "notificationGroupId": group,
                "steps": steps,
                "active": true,
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["data"]["triggers"][0]["identifier"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An in-app step with this content, optional filters.
pub fn in_app(content: &str, filters: Value) -> Value {
    json!({
        "name": "In-app",
        "template": { "type": "in_app", "content": content },
        "filters": filters,
    })
}

/// One AND group of one field condition.
pub fn condition(on: &str, field: &str, operator: &str, value: &str) -> Value {
    json!([{
        "isNegated": false,
        "type": "GROUP",
        "value": "AND",
        "children": [{ "on": on, "field": field, "operator": operator, "value": value }],
    }])
}

/// The environment's in-app integration, which in-app steps deliver through: every new
/// environment starts with it active, as Novu's do. The list spans the organization, so the
/// environment's own is picked out.
pub async fn in_app_integration(test: &TestServer) {
    let (_, environment) = test.raw(Method::GET, "/v1/environments/me", None).await;
    let (status, active) = test.raw(Method::GET, "/v1/integrations/active", None).await;
    assert_eq!(status, 200, "{active}");
    let in_app = active["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|integration| {
            integration["channel"] == "in_app"
                && integration["providerId"] == "novu"
                && integration["_environmentId"] == environment["data"]["_id"]
        })
        .count();
    assert_eq!(in_app, 1, "one active in-app provider: {active}");
}

/// Triggers through the client and answers the result body as JSON.
pub async fn trigger(test: &TestServer, request: Value) -> Value {
    let response = test
        .client
        .events_trigger()
        .body(body::<novu_client::types::TriggerEventRequest>(request))
        .send()
        .await
        .expect("the trigger is accepted");
    assert_eq!(response.status().as_u16(), 201);
    serde_json::to_value(response.into_inner().data).unwrap()
}

/// The subscriber's feed contents, newest first.
pub async fn feed(test: &TestServer, subscriber_id: &str) -> Vec<String> {
    test.client
        .subscriber_notifications_feed()
        .subscriber_id(subscriber_id)
        .send()
        .await
        .expect("the feed answers")
        .into_inner()
        .data
        .into_iter()
        .map(|item| item.content)
        .collect()
}

#[tokio::test]
async fn an_in_app_step_delivers_the_rendered_message_to_the_feed() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let mut step = in_app(
        "Hi {{subscriber.firstName}}, {{item}} {{markup}} {{{markup}}}{{missing}} {{titlecase title}}{{uppercase absent}}",
        json!([]),
    );
    step["template"]["cta"] = json!({
        "type": "redirect",
        "data": { "url": "/orders/{{orderId}}" },
        "action": { "buttons": [{ "type": "primary", "content": "Open {{item}}" }] },
    });
    let name = workflow(&test, "Order shipped", json!([step])).await;

    let result = trigger(
        &test,
        json!({
            "name": name,
            "to": { "subscriberId": "ada", "firstName": "Ada" },
            "payload": { "item": "lamp", "markup": "<b>", "orderId": 7, "title": "dear OLD friend" },
        }),
    )
    .await;
    assert_eq!(result["status"], "processed");
    let transaction_id = result["transactionId"].as_str().unwrap();
    assert_eq!(
        transaction_id.len(),
        36,
        "a UUID is generated: {transaction_id}"
    );
    assert_eq!(&transaction_id[14..15], "4");

    let page = test
        .client
        .subscriber_notifications_feed()
        .subscriber_id("ada")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.total_count, 1);
    let item = serde_json::to_value(&page.data[0]).unwrap();
    assert_eq!(
        item["content"],
        "Hi Ada, lamp &lt;b&gt; <b> Dear Old Friend"
    );
    assert_eq!(item["cta"]["data"]["url"], "/orders/7");
    assert_eq!(item["cta"]["action"]["buttons"][0]["content"], "Open lamp");
    assert_eq!(item["cta"]["action"]["status"], "pending");
    assert_eq!(
        (item["seen"].clone(), item["read"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(item["transactionId"], transaction_id);
    assert_eq!(item["subscriber"]["subscriberId"], "ada");

    let created = test
        .client
        .subscribers_get()
        .subscriber_id("ada")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        created.data.first_name.as_deref(),
        Some("Ada"),
        "an inline subscriber is upserted"
    );
}

#[tokio::test]
async fn trigger_statuses_before_anything_is_sent() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Statuses", json!([in_app("x", json!([]))])).await;

    let (status, unknown) = error(
        test.client
            .events_trigger()
            .body(body::<novu_client::types::TriggerEventRequest>(
                json!({ "name": "nope", "to": "ada" }),
            ))
            .send()
            .await,
    );
    assert_eq!((status, message(&unknown)), (422, "workflow_not_found"));

    test.client
        .subscribers_create()
        .body(body::<novu_client::types::CreateSubscriberRequest>(
            json!({ "subscriberId": "ada" }),
        ))
        .send()
        .await
        .unwrap();
    let missing_tenant = trigger(
        &test,
        json!({ "name": name, "to": "ada", "tenant": "ghost" }),
    )
    .await;
    assert_eq!(missing_tenant["status"], "no_tenant_found");
    assert!(feed(&test, "ada").await.is_empty(), "nothing is sent");

    let empty = workflow(&test, "Empty", json!([])).await;
    let result = trigger(&test, json!({ "name": empty, "to": "ada" })).await;
    assert_eq!(result["status"], "no_workflow_steps_defined");

    let mut inactive_step = in_app("x", json!([]));
    inactive_step["active"] = json!(false);
    let inactive_steps = workflow(&test, "Inactive steps", json!([inactive_step])).await;
    let result = trigger(&test, json!({ "name": inactive_steps, "to": "ada" })).await;
    assert_eq!(result["status"], "no_workflow_active_steps_defined");

    let (status, workflows) = test.raw(Method::GET, "/v1/workflows", None).await;
    assert_eq!(status, 200);
    let id = workflows["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|workflow| workflow["triggers"][0]["identifier"] == name.as_str())
        .unwrap()["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = test
        .raw(
            Method::PUT,
            &format!("/v1/workflows/{id}/status"),
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!(status, 200);
    let result = trigger(&test, json!({ "name": name, "to": "ada" })).await;
    assert_eq!(result["status"], "trigger_not_active");
    assert!(result.get("transactionId").is_none());
}

#[tokio::test]
async fn a_failing_step_filter_delivers_nothing() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let equal = workflow(
        &test,
        "Equal",
        json!([in_app(
            "equal",
            condition("payload", "plan", "EQUAL", "pro")
        )]),
    )
    .await;
    let larger = workflow(
        &test,
        "Larger",
        json!([in_app(
            "larger",
            condition("subscriber", "data.age", "LARGER", "17")
        )]),
    )
    .await;
    let within = workflow(
        &test,
        "Within",
        json!([in_app("in", condition("payload", "tags", "IN", "vip"))]),
    )
    .await;
    for (subscriber, age) in [("young", 12), ("adult", 30)] {
        test.client
            .subscribers_create()
            .body(body::<novu_client::types::CreateSubscriberRequest>(
                json!({ "subscriberId": subscriber, "data": { "age": age } }),
            ))
            .send()
            .await
            .unwrap();
    }

    trigger(
        &test,
        json!({ "name": equal, "to": "young", "payload": { "plan": "free" } }),
    )
    .await;
    trigger(&test, json!({ "name": larger, "to": "young" })).await;
    trigger(
        &test,
        json!({ "name": within, "to": "young", "payload": { "tags": ["new"] } }),
    )
    .await;
    assert!(feed(&test, "young").await.is_empty(), "every filter failed");

    trigger(
        &test,
        json!({ "name": equal, "to": "adult", "payload": { "plan": "pro" } }),
    )
    .await;
    trigger(&test, json!({ "name": larger, "to": "adult" })).await;
    trigger(
        &test,
        json!({ "name": within, "to": "adult", "payload": { "tags": ["new", "vip"] } }),
    )
    .await;
    let mut delivered = feed(&test, "adult").await;
    delivered.sort();
    assert_eq!(delivered, ["equal", "in", "larger"]);
}

#[tokio::test]
async fn a_topic_fans_out_to_every_member_but_the_actor() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let mut step = in_app("{{actor.firstName}} posted", json!([]));
    step["template"]["actor"] = json!({ "type": "user", "data": null });
    let name = workflow(&test, "Topic", json!([step])).await;
    for subscriber in ["ann", "bob", "cid"] {
        test.client
            .subscribers_create()
            .body(body::<novu_client::types::CreateSubscriberRequest>(json!({
                "subscriberId": subscriber,
                "firstName": subscriber,
                "avatar": format!("https://example.com/{subscriber}.png"),
            })))
            .send()
            .await
            .unwrap();
    }
    let (status, _) = test
        .raw(
            Method::POST,
            "/v1/topics",
            Some(json!({ "key": "team", "name": "Team" })),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = test
        .raw(
            Method::POST,
            "/v1/topics/team/subscribers",
            Some(json!({ "subscribers": ["ann", "bob", "cid"] })),
        )
        .await;
    assert_eq!(status, 200);

    let result = trigger(
        &test,
        json!({ "name": name, "to": [{ "type": "Topic", "topicKey": "team" }], "actor": "bob" }),
    )
    .await;
    assert_eq!(result["status"], "processed");
    assert_eq!(feed(&test, "ann").await, ["bob posted"]);
    assert_eq!(feed(&test, "cid").await, ["bob posted"]);
    assert!(feed(&test, "bob").await.is_empty(), "the actor is left out");
    let page = test
        .client
        .subscriber_notifications_feed()
        .subscriber_id("ann")
        .send()
        .await
        .unwrap()
        .into_inner();
    let actor = serde_json::to_value(page.data[0].actor.as_ref().unwrap()).unwrap();
    assert_eq!(
        actor,
        json!({ "type": "user", "data": "https://example.com/bob.png" }),
        "a user actor shows the actor's avatar"
    );
}

#[tokio::test]
async fn bulk_reports_an_unknown_workflow_in_its_item() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Bulk", json!([in_app("bulk", json!([]))])).await;
    // Raw, because the generated client leaves an empty `payload` out, and a left-out payload
    // is an error in bulk.
    let (status, response) = test
        .raw(
            Method::POST,
            "/v1/events/trigger/bulk",
            Some(json!({ "events": [
                { "name": name, "to": "ada", "payload": {} },
                { "name": "missing", "to": "ada", "payload": {} },
                { "name": name, "to": "ada" },
            ] })),
        )
        .await;
    assert_eq!(status, 201, "{response}");
    let results = &response["data"];
    assert_eq!(results[0]["status"], "processed");
    assert_eq!(
        results[1],
        json!({ "acknowledged": true, "status": "error", "error": ["workflow_not_found"] })
    );
    assert_eq!(
        results[2],
        json!({ "acknowledged": true, "status": "error", "error": ["payload should not be null or undefined"] }),
        "payload is required in bulk"
    );
    assert_eq!(feed(&test, "ada").await, ["bulk"]);

    let too_many: Vec<Value> = (0..101)
        .map(|_| json!({ "name": name, "to": "ada", "payload": {} }))
        .collect();
    let (status, body) = test
        .raw(
            Method::POST,
            "/v1/events/trigger/bulk",
            Some(json!({ "events": too_many })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn broadcast_reaches_every_subscriber() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Everyone", json!([in_app("hello all", json!([]))])).await;
    for subscriber in ["ann", "bob"] {
        test.client
            .subscribers_create()
            .body(body::<novu_client::types::CreateSubscriberRequest>(
                json!({ "subscriberId": subscriber }),
            ))
            .send()
            .await
            .unwrap();
    }
    let response = test
        .client
        .events_broadcast()
        .body(body::<novu_client::types::BroadcastEventRequest>(
            json!({ "name": name, "payload": {}, "transactionId": "t-1" }),
        ))
        .send()
        .await
        .unwrap();
    let result = serde_json::to_value(response.into_inner().data).unwrap();
    assert_eq!(
        result,
        json!({ "acknowledged": true, "status": "processed", "transactionId": "t-1" })
    );
    assert_eq!(feed(&test, "ann").await, ["hello all"]);
    assert_eq!(feed(&test, "bob").await, ["hello all"]);
}

#[tokio::test]
async fn cancel_stops_a_pending_delay_once() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(
        &test,
        "Delayed",
        json!([
            { "template": { "type": "delay" }, "metadata": { "type": "regular", "amount": 1, "unit": "hours" } },
            in_app("later", json!([])),
        ]),
    )
    .await;
    trigger(
        &test,
        json!({ "name": name, "to": "ada", "transactionId": "delay-1" }),
    )
    .await;
    assert!(
        feed(&test, "ada").await.is_empty(),
        "the delay holds the in-app step"
    );

    let cancelled = test
        .client
        .events_cancel()
        .transaction_id("delay-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(cancelled.data, "the delay was pending");
    let again = test
        .client
        .events_cancel()
        .transaction_id("delay-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!again.data, "nothing is pending any more");
    let unknown = test
        .client
        .events_cancel()
        .transaction_id("never")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!unknown.data);
}

#[tokio::test]
async fn tenant_conditions_pick_the_integration() {
    let test = TestServer::start().await;
    let email = |provider: &str, identifier: &str, conditions: Value| {
        json!({
            "providerId": provider,
            "channel": "email",
            "identifier": identifier,
            "active": true,
            "conditions": conditions,
        })
    };
    for request in [
        email("sendgrid", "default-mail", json!([])),
        email(
            "mailgun",
            "acme-mail",
            condition("tenant", "identifier", "EQUAL", "acme"),
        ),
    ] {
        let (status, created) = test
            .raw(Method::POST, "/v1/integrations", Some(request))
            .await;
        assert_eq!(status, 201, "{created}");
    }
    let (status, _) = test
        .raw(
            Method::POST,
            "/v1/tenants",
            Some(json!({ "identifier": "acme", "name": "Acme" })),
        )
        .await;
    assert_eq!(status, 201);
    let name = workflow(
        &test,
        "Mail",
        json!([{ "template": { "type": "email", "subject": "Hi {{name}}", "content": "Body" } }]),
    )
    .await;
    let to = json!({ "subscriberId": "ada", "email": "ada@example.com" });
    trigger(
        &test,
        json!({ "name": name, "to": to, "tenant": "acme", "transactionId": "with", "payload": { "name": "Ada" } }),
    )
    .await;
    trigger(
        &test,
        json!({ "name": name, "to": to, "transactionId": "without", "payload": { "name": "Ada" } }),
    )
    .await;

    let provider = |transaction_id: &'static str| {
        let test = &test;
        async move {
            let ids = vec![transaction_id.to_owned()];
            let page = test
                .client
                .messages_list()
                .channel("email")
                .transaction_id(ids.clone())
                .send()
                .await
                .unwrap()
                .into_inner();
            assert_eq!(page.data.len(), 1);
            let message = serde_json::to_value(&page.data[0]).unwrap();
            (
                message["providerId"].clone(),
                message["subject"].clone(),
                message["status"].clone(),
            )
        }
    };
    assert_eq!(
        provider("with").await,
        (json!("mailgun"), json!("Hi Ada"), json!("sent"))
    );
    assert_eq!(
        provider("without").await,
        (json!("sendgrid"), json!("Hi Ada"), json!("sent"))
    );
}

#[tokio::test]
async fn a_channel_turned_off_by_the_subscriber_is_skipped_unless_critical() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let quiet = workflow(&test, "Quiet", json!([in_app("quiet", json!([]))])).await;
    test.client
        .subscribers_create()
        .body(body::<novu_client::types::CreateSubscriberRequest>(
            json!({ "subscriberId": "ada" }),
        ))
        .send()
        .await
        .unwrap();
    let (status, answer) = test
        .raw(
            Method::PATCH,
            "/v1/subscribers/ada/preferences",
            Some(
                json!({ "enabled": true, "preferences": [{ "type": "in_app", "enabled": false }] }),
            ),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let result = trigger(&test, json!({ "name": quiet, "to": "ada" })).await;
    assert!(feed(&test, "ada").await.is_empty());

    let transaction_id = result["transactionId"].as_str().unwrap().to_owned();
    let page = test
        .client
        .notifications_list()
        .transaction_id(transaction_id.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    let id: novu_client::types::ObjectId = page.data[0].id.parse().unwrap();
    let details = test
        .client
        .execution_details_list()
        .notification_id(id.clone())
        .subscriber_id("ada")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(
        details
            .iter()
            .any(|detail| detail.detail == "Step filtered by subscriber preferences"),
        "{details:?}"
    );

    let group = test
        .client
        .workflow_groups_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .data[0]
        .id
        .clone();
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/workflows",
            Some(json!({
                "name": "Critical",
                "notificationGroupId": group,
                "steps": [in_app("critical", json!([]))],
                "active": true,
                "critical": true,
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let critical = created["data"]["triggers"][0]["identifier"]
        .as_str()
        .unwrap();
    trigger(&test, json!({ "name": critical, "to": "ada" })).await;
    assert_eq!(feed(&test, "ada").await, ["critical"]);
}

#[tokio::test]
async fn a_digest_holds_the_first_event_and_merges_the_next() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(
        &test,
        "Digest",
        json!([
            {
                "template": { "type": "digest" },
                "metadata": { "type": "regular", "amount": 5, "unit": "minutes", "digestKey": "postId" },
            },
            in_app("digest", json!([])),
        ]),
    )
    .await;
    for (transaction_id, post) in [("first", 1), ("second", 1), ("other", 2)] {
        trigger(
            &test,
            json!({ "name": name, "to": "ada", "payload": { "postId": post }, "transactionId": transaction_id }),
        )
        .await;
    }
    assert!(feed(&test, "ada").await.is_empty());
    let statuses = |page: &novu_client::types::ActivityPage| -> Vec<String> {
        page.data[0]
            .jobs
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|job| job.status.clone())
            .collect()
    };
    for (transaction_id, expected) in [
        ("first", ["delayed", "pending"]),
        // A merged event's later steps are merged too: the leader's continuation delivers.
        ("second", ["merged", "merged"]),
        ("other", ["delayed", "pending"]),
    ] {
        let page = test
            .client
            .notifications_list()
            .transaction_id(transaction_id)
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(statuses(&page), expected, "{transaction_id}");
    }
    assert!(
        test.client
            .events_cancel()
            .transaction_id("second")
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
    );
    assert!(
        !test
            .client
            .events_cancel()
            .transaction_id("second")
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
    );
}

#[tokio::test]
async fn a_named_integration_wins_and_a_failed_step_can_stop_the_rest() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    for (provider, identifier) in [("sendgrid", "main-mail"), ("mailgun", "other-mail")] {
        let (status, created) = test
            .raw(
                Method::POST,
                "/v1/integrations",
                Some(json!({ "providerId": provider, "channel": "email", "identifier": identifier, "active": true })),
            )
            .await;
        assert_eq!(status, 201, "{created}");
    }
    let mut sms = json!({ "template": { "type": "sms", "content": "sms" } });
    sms["shouldStopOnFail"] = json!(true);
    let name = workflow(
        &test,
        "Named",
        json!([
            { "template": { "type": "email", "subject": "s", "content": "c" } },
            sms,
            in_app("never", json!([])),
        ]),
    )
    .await;
    trigger(
        &test,
        json!({
            "name": name,
            "to": { "subscriberId": "ada", "email": "ada@example.com" },
            "overrides": { "email": { "integrationIdentifier": "other-mail" } },
            "transactionId": "named",
        }),
    )
    .await;
    let page = test
        .client
        .messages_list()
        .channel("email")
        .subscriber_id("ada")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.data[0].provider_id.as_deref(), Some("mailgun"));
    assert!(
        feed(&test, "ada").await.is_empty(),
        "the failed sms stopped the in-app step"
    );
    let activity = test
        .client
        .notifications_list()
        .transaction_id("named")
        .send()
        .await
        .unwrap()
        .into_inner();
    let statuses: Vec<&str> = activity.data[0]
        .jobs
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|job| job.status.as_str())
        .collect();
    assert_eq!(statuses, ["completed", "failed", "canceled"]);
}

#[tokio::test]
async fn a_tenant_override_decides_whether_the_workflow_is_active() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let on = workflow(
        &test,
        "On",
        json!([in_app("on for {{tenant.name}}", json!([]))]),
    )
    .await;
    let (_, workflows) = test.raw(Method::GET, "/v1/workflows", None).await;
    let workflow_id = workflows["data"][0]["_id"].as_str().unwrap().to_owned();
    assert_eq!(
        workflows["data"][0]["triggers"][0]["identifier"],
        on.as_str()
    );
    let mut tenants = Vec::new();
    for identifier in ["open", "closed"] {
        let (status, tenant) = test
            .raw(
                Method::POST,
                "/v1/tenants",
                Some(json!({ "identifier": identifier, "name": identifier })),
            )
            .await;
        assert_eq!(status, 201, "{tenant}");
        tenants.push(tenant["data"]["_id"].as_str().unwrap().to_owned());
    }
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/workflow-overrides",
            Some(json!({ "workflowId": workflow_id, "tenantId": tenants[1], "active": false })),
        )
        .await;
    assert_eq!(status, 201, "{created}");

    let open = trigger(&test, json!({ "name": on, "to": "ada", "tenant": "open" })).await;
    assert_eq!(open["status"], "processed");
    assert_eq!(
        feed(&test, "ada").await,
        ["on for open"],
        "templates see the tenant"
    );
    let closed = trigger(
        &test,
        json!({ "name": on, "to": "ada", "tenant": { "identifier": "closed" } }),
    )
    .await;
    assert_eq!(closed["status"], "trigger_not_active");

    let (status, _) = test
        .raw(
            Method::PUT,
            &format!("/v1/workflows/{workflow_id}/status"),
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!(status, 200);
    let off = trigger(&test, json!({ "name": on, "to": "ada", "tenant": "open" })).await;
    assert_eq!(off["status"], "trigger_not_active");
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/workflow-overrides",
            Some(json!({ "workflowId": workflow_id, "tenantId": tenants[0], "active": true })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let overridden = trigger(&test, json!({ "name": on, "to": "ada", "tenant": "open" })).await;
    assert_eq!(
        overridden["status"], "processed",
        "an active override wins over the workflow"
    );
}

/// A `transactionId` that already has jobs is answered as processed and delivers nothing, as
/// Novu's worker drops such a trigger; a fresh one delivers.
#[tokio::test]
async fn a_reused_transaction_id_is_acknowledged_and_dropped() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Receipts", json!([in_app("Receipt", json!([]))])).await;
    for (subscriber, transaction) in [
        ("ada", "receipt-1"),
        ("grace", "receipt-1"),
        ("alan", "receipt-2"),
    ] {
        let result = trigger(
            &test,
            json!({ "name": name, "to": subscriber, "transactionId": transaction }),
        )
        .await;
        assert_eq!(result["status"], "processed");
        assert_eq!(result["transactionId"], transaction);
    }
    assert_eq!(feed(&test, "ada").await, ["Receipt"]);
    let (status, _) = test.raw(Method::GET, "/v1/subscribers/grace", None).await;
    assert_eq!(
        status, 404,
        "the dropped trigger neither delivers nor makes its subscriber"
    );
    assert_eq!(feed(&test, "alan").await, ["Receipt"]);
}

#[tokio::test]
async fn without_a_digest_a_step_sees_no_digested_events() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let content = "total {{step.total_count}}, digest {{#if step.digest}}yes{{else}}no{{/if}}";
    let name = workflow(&test, "Undigested", json!([in_app(content, json!([]))])).await;
    trigger(&test, json!({ "name": name, "to": "ada", "payload": {} })).await;
    assert_eq!(feed(&test, "ada").await, ["total 0, digest no"]);
}
