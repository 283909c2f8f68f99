//! `valid-inputs-accepted` draws inputs at the exact edges of their bounds and sends every
//! documented request-body example: a reference bent to refuse either is reported.

use novu_conformance::{Options, Report, Spec, Violation, run};
use serde_json::{Value, json};

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};

/// Runs `valid-inputs-accepted` on `operation` through a reference bent by `breakage`; the
/// report and how many answers the breakage changed.
async fn run_broken(breakage: Breakage, operation: &str) -> (Report, u32) {
    let target = BrokenReference::start(breakage).await;
    let options = Options {
        checks: vec!["valid-inputs-accepted".into()],
        operations: vec![operation.into()],
        cases: 20,
        ..target.options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let broken = target.broken();
    target.stop().await;
    (report, broken)
}

fn only_violation(report: &Report, operation: &str) -> Violation {
    let found: Vec<&Violation> = report
        .violations()
        .filter(|violation| violation.check == "valid-inputs-accepted")
        .collect();
    assert_eq!(found.len(), 1, "{report:#?}");
    assert_eq!(found[0].operation_id, operation);
    found[0].clone()
}

/// Answers 400 with a constraint message, as a validation layer does.
fn refuse(answer: &mut Answer, path: &str, message: &str) {
    answer.status = 400;
    answer.headers = vec![("content-type".into(), "application/json".into())];
    answer.set_json(&json!({
        "statusCode": 400,
        "timestamp": "2026-12-04T23:30:00.000Z",
        "path": path,
        "message": [message],
    }));
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_inputs_accepted_fails_when_a_description_of_exactly_max_length_is_refused() {
    // A workflow's `description` allows 1000 characters; the bent server counts one too many.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let at_maximum = outgoing.is("POST", "/v1/workflows")
            && outgoing.json().is_some_and(|body| {
                body["description"]
                    .as_str()
                    .map(|text| text.chars().count())
                    == Some(1000)
            });
        if at_maximum {
            refuse(
                answer,
                "/v1/workflows",
                "description must be shorter than 1000 characters",
            );
        }
        at_maximum
    });
    let (report, broken) = run_broken(breakage, "workflows_create").await;
    assert!(broken >= 1, "no description of exactly maxLength was sent");
    let violation = only_violation(&report, "workflows_create");
    assert!(violation.received.contains("upper edges"), "{violation:#?}");
    let curl = violation.curl.as_deref().unwrap();
    let body: Value = serde_json::from_str(
        curl.split("--data-raw '")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("the curl command carries the body"),
    )
    .unwrap();
    assert_eq!(
        body["description"].as_str().map(str::len),
        Some(1000),
        "{curl}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_inputs_accepted_fails_when_a_limit_of_exactly_maximum_is_refused() {
    // `limit` of the workflow list allows up to 100; the bent server stops at 99.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let at_maximum = outgoing.is("GET", "/v1/workflows")
            && outgoing.query.split('&').any(|pair| pair == "limit=100");
        if at_maximum {
            refuse(answer, "/v1/workflows", "limit must not be greater than 99");
        }
        at_maximum
    });
    let (report, broken) = run_broken(breakage, "workflows_list").await;
    assert!(broken >= 1, "no limit of exactly maximum was sent");
    let violation = only_violation(&report, "workflows_list");
    assert!(violation.received.contains("limit=100"), "{violation:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_inputs_accepted_fails_when_the_documented_example_is_refused() {
    // The contract documents `{"key": "beta-testers", "name": "Beta testers"}` for a topic.
    let example = json!({"key": "beta-testers", "name": "Beta testers"});
    let breakage = Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        let documented =
            outgoing.is("POST", "/v1/topics") && outgoing.json() == Some(example.clone());
        if documented {
            refuse(answer, "/v1/topics", "key must not be beta-testers");
        }
        documented
    });
    let (report, broken) = run_broken(breakage, "topics_create").await;
    assert_eq!(broken, 1, "the example is sent exactly once");
    let violation = only_violation(&report, "topics_create");
    assert!(
        violation
            .received
            .contains("documented example 1 of the request body"),
        "{violation:#?}"
    );
}
