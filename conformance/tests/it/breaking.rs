//! Each check fails when the reference behaviour it guards is broken: the reference runs behind
//! [`BrokenReference`], which bends one request or answer, and the test asserts that the check
//! reports it on the operation concerned.

use std::sync::atomic::{AtomicU32, Ordering};

use novu_conformance::{Options, Report, Spec, Violation, run};
use serde_json::{Value, json};

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};

/// Runs `check` on `operations` through a reference broken by `breakage`.
async fn run_broken(breakage: Breakage, check: &str, operations: &[&str]) -> (Report, u32) {
    run_broken_checks(breakage, &[check], operations).await
}

/// Runs `checks` on `operations` through a reference broken by `breakage`.
async fn run_broken_checks(
    breakage: Breakage,
    checks: &[&str],
    operations: &[&str],
) -> (Report, u32) {
    let target = BrokenReference::start(breakage).await;
    let options = Options {
        checks: checks.iter().map(|check| (*check).to_owned()).collect(),
        operations: operations.iter().map(|id| (*id).to_owned()).collect(),
        cases: 20,
        ..target.options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let broken = target.broken();
    target.stop().await;
    (report, broken)
}

fn violations_of<'a>(report: &'a Report, check: &str, operation_id: &str) -> Vec<&'a Violation> {
    report
        .violations()
        .filter(|violation| violation.check == check && violation.operation_id == operation_id)
        .collect()
}

fn error_body(status: u16, path: &str, message: Value) -> Value {
    json!({
        "statusCode": status,
        "timestamp": "2026-11-27T09:30:00.000Z",
        "path": path,
        "message": message,
    })
}

fn answer_with(answer: &mut Answer, status: u16, body: &Value) {
    answer.status = status;
    answer.headers = vec![("content-type".into(), "application/json".into())];
    answer.set_json(body);
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_missing_key_fails_when_requests_without_a_key_are_let_in() {
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        if outgoing.header("authorization").is_some() {
            return false;
        }
        let key = format!("ApiKey {}", outgoing.reference_key);
        outgoing.set_header("authorization", &key);
        true
    });
    let (report, broken) = run_broken(
        breakage,
        "auth-missing-key",
        &["subscribers_list", "topics_list"],
    )
    .await;
    assert!(broken >= 2, "the breakage was not exercised");
    for operation_id in ["subscribers_list", "topics_list"] {
        let found = violations_of(&report, "auth-missing-key", operation_id);
        assert_eq!(found.len(), 1, "{operation_id}: {report:#?}");
        assert!(found[0].received.starts_with("200 "), "{:#?}", found[0]);
        assert!(found[0].expected.contains("401"), "{:#?}", found[0]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_wrong_key_fails_when_any_key_is_accepted() {
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        let key = format!("ApiKey {}", outgoing.reference_key);
        if outgoing
            .header("authorization")
            .is_none_or(|given| given == key)
        {
            return false;
        }
        outgoing.set_header("authorization", &key);
        true
    });
    let (report, broken) = run_broken(breakage, "auth-wrong-key", &["tenants_list"]).await;
    assert!(broken >= 1, "the breakage was not exercised");
    let found = violations_of(&report, "auth-wrong-key", "tenants_list");
    assert_eq!(found.len(), 1, "{report:#?}");
    assert!(found[0].received.starts_with("200 "), "{:#?}", found[0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn response_conformance_fails_on_a_body_outside_its_schema_and_a_wrong_content_type() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.is("GET", "/v1/environments/me") {
            let mut body = answer.json().unwrap_or_default();
            body["data"]["name"] = json!(5);
            answer.set_json(&body);
            return true;
        }
        if outgoing.is("GET", "/v1/environments") {
            answer.headers = vec![("content-type".into(), "text/plain".into())];
            return true;
        }
        false
    });
    let operations = ["environments_retrieve_current", "environments_list"];
    let checks = ["safe-reads", "response-conformance"];
    let (report, broken) = run_broken_checks(breakage, &checks, &operations).await;
    assert!(broken >= 2, "the breakage was not exercised");
    let wrong_field = violations_of(
        &report,
        "response-conformance",
        "environments_retrieve_current",
    );
    assert_eq!(wrong_field.len(), 1, "{report:#?}");
    assert!(
        wrong_field[0].received.contains("name"),
        "the problem names the field: {:#?}",
        wrong_field[0]
    );
    let wrong_type = violations_of(&report, "response-conformance", "environments_list");
    assert_eq!(wrong_type.len(), 1, "{report:#?}");
    assert!(
        wrong_type[0].received.contains("text/plain"),
        "{:#?}",
        wrong_type[0]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn safe_reads_fail_when_a_list_is_refused_with_a_documented_error() {
    // A documented 401 passes response-conformance: only safe-reads, which expects the 2xx,
    // can notice that the list is withheld.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/subscribers") {
            return false;
        }
        let body = error_body(401, "/v1/subscribers", json!("API Key not found"));
        answer_with(answer, 401, &body);
        true
    });
    let checks = ["safe-reads", "response-conformance"];
    let (report, broken) = run_broken_checks(breakage, &checks, &["subscribers_list"]).await;
    assert_eq!(broken, 1);
    let found = violations_of(&report, "safe-reads", "subscribers_list");
    assert_eq!(found.len(), 1, "{report:#?}");
    assert!(found[0].received.starts_with("401 "), "{:#?}", found[0]);
    assert!(violations_of(&report, "response-conformance", "subscribers_list").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn example_requests_fail_when_a_create_answers_a_server_error() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("POST", "/v1/tenants") {
            return false;
        }
        let body = error_body(500, "/v1/tenants", json!("Internal server error"));
        answer_with(answer, 500, &body);
        true
    });
    let (report, broken) = run_broken(breakage, "example-requests", &["tenants_create"]).await;
    assert!(broken >= 1, "the breakage was not exercised");
    let found = violations_of(&report, "example-requests", "tenants_create");
    assert_eq!(found.len(), 1, "{report:#?}");
    assert!(found[0].received.contains("500"), "{:#?}", found[0]);
    assert!(found[0].curl.as_deref().unwrap().contains("/v1/tenants"));
}

/// Replaces whatever body comes for `POST /v1/topics` with a valid one, so the reference
/// accepts what it should refuse.
fn topic_bodies_repaired() -> Breakage {
    let counter = AtomicU32::new(0);
    Breakage::request(move |outgoing: &mut Outgoing| {
        if !outgoing.is("POST", "/v1/topics") {
            return false;
        }
        let valid = outgoing.json().is_some_and(|body| {
            body["key"].as_str().is_some_and(|key| !key.is_empty())
                && body["name"].as_str().is_some_and(|name| !name.is_empty())
        });
        if valid {
            return false;
        }
        let number = counter.fetch_add(1, Ordering::SeqCst);
        let key = format!("nc-repaired-{number}");
        outgoing.set_json(&json!({"key": key, "name": "repaired"}));
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_body_fails_when_broken_bodies_are_accepted() {
    let (report, broken) =
        run_broken(topic_bodies_repaired(), "invalid-body", &["topics_create"]).await;
    assert!(broken >= 2, "the breakage was not exercised");
    let found = violations_of(&report, "invalid-body", "topics_create");
    assert!(
        found
            .iter()
            .any(|violation| violation.expected.contains("malformed JSON")
                && violation.received.starts_with("201 ")),
        "{report:#?}"
    );
    assert!(
        found
            .iter()
            .any(|violation| violation.expected.contains("a missing required field")),
        "{report:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_inputs_rejected_fails_when_invalid_inputs_are_accepted() {
    let (report, broken) = run_broken(
        topic_bodies_repaired(),
        "invalid-inputs-rejected",
        &["topics_create"],
    )
    .await;
    assert!(broken >= 1, "the breakage was not exercised");
    let found = violations_of(&report, "invalid-inputs-rejected", "topics_create");
    assert_eq!(
        found.len(),
        1,
        "one shrunk violation per operation: {report:#?}"
    );
    assert!(found[0].received.contains("seed 42"), "{:#?}", found[0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_inputs_accepted_fails_and_shrinks_when_long_names_are_refused() {
    // The broken server refuses topic names longer than three characters, as if it had a
    // length constraint the contract does not have; shrinking must find a four-character name.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("POST", "/v1/topics") {
            return false;
        }
        let too_long = outgoing
            .json()
            .and_then(|body| body["name"].as_str().map(|name| name.chars().count() > 3))
            .unwrap_or(false);
        if !too_long {
            return false;
        }
        let body = error_body(
            400,
            "/v1/topics",
            json!(["name must be shorter than or equal to 3 characters"]),
        );
        answer_with(answer, 400, &body);
        true
    });
    let (report, broken) = run_broken(breakage, "valid-inputs-accepted", &["topics_create"]).await;
    assert!(broken >= 1, "the breakage was not exercised");
    let found = violations_of(&report, "valid-inputs-accepted", "topics_create");
    assert_eq!(found.len(), 1, "{report:#?}");
    let curl = found[0].curl.as_deref().unwrap();
    let body: Value = serde_json::from_str(
        curl.split("--data-raw '")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("the curl command carries the body"),
    )
    .unwrap();
    assert_eq!(
        body["name"].as_str().map(|name| name.chars().count()),
        Some(4),
        "shrunk to the shortest name that still fails: {curl}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dashboard_only_routes_fail_when_a_route_is_unknown_or_refused_otherwise() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.is("PUT", "/v1/users/profile/email") {
            let message = json!("Cannot PUT /v1/users/profile/email");
            answer_with(answer, 404, &error_body(404, &outgoing.path, message));
            true
        } else if outgoing.is("POST", "/v1/invites/bulk") {
            let message = json!("API Key not found");
            answer_with(answer, 401, &error_body(401, &outgoing.path, message));
            true
        } else {
            false
        }
    });
    let (report, broken) = run_broken(breakage, "dashboard-only-routes", &[]).await;
    assert_eq!(broken, 2, "both bent routes were asked once");
    let unknown = violations_of(
        &report,
        "dashboard-only-routes",
        "PUT /v1/users/profile/email",
    );
    assert_eq!(
        unknown.len(),
        1,
        "{:?}",
        report.violations().collect::<Vec<_>>()
    );
    assert!(unknown[0].received.contains("404"), "{:?}", unknown[0]);
    let refused = violations_of(&report, "dashboard-only-routes", "POST /v1/invites/bulk");
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].received.contains("API Key not found"),
        "{:?}",
        refused[0]
    );
    assert_eq!(
        report.violations().count(),
        2,
        "the other routes still answer as the contract says"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_inputs_accepted_fails_when_a_step_naming_its_template_must_carry_a_type() {
    // The bent server refuses, as the contract once required, an updated step that names its
    // stored template without `template.type`; the contract lets such a step leave it out.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(body) = outgoing
            .json()
            .filter(|_| outgoing.is("PUT", "/v1/workflows/{workflowId}"))
        else {
            return false;
        };
        let untyped = body["steps"].as_array().into_iter().flatten().any(|step| {
            step["_templateId"]
                .as_str()
                .is_some_and(|id| !id.is_empty())
                && step["template"].is_object()
                && step["template"].get("type").is_none()
        });
        if untyped {
            let message = json!(["steps.0.template.type should not be null or undefined"]);
            answer_with(answer, 400, &error_body(400, &outgoing.path, message));
        }
        untyped
    });
    let (report, broken) =
        run_broken(breakage, "valid-inputs-accepted", &["workflows_update"]).await;
    assert!(broken > 0, "the breakage was not exercised");
    let found = violations_of(&report, "valid-inputs-accepted", "workflows_update");
    assert_eq!(found.len(), 1, "{report:#?}");
    assert!(
        found[0]
            .received
            .contains("a 400 listing constraint messages"),
        "{:#?}",
        found[0]
    );
}
