//! The `lifecycles` check: it passes on the server under test, and it reports a server that
//! forgets one lifecycle rule, shrunk to the few steps that show it. The broken servers are
//! the reference behind [`BrokenReference`], bending one kind of answer.

use std::collections::HashSet;
use std::sync::Mutex;

use novu_conformance::{Options, Report, Spec, Violation, run};
use serde_json::json;

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};
use crate::target_options;

/// A deleted subscriber still answers 200 to a GET.
fn deleted_subscribers_still_answer() -> Breakage {
    let deleted: Mutex<HashSet<String>> = Mutex::default();
    Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.path.starts_with("/v1/subscribers/") || outgoing.path.matches('/').count() != 3
        {
            return false;
        }
        let mut deleted = deleted.lock().unwrap();
        match outgoing.method.as_str() {
            "DELETE" if answer.status == 200 => {
                deleted.insert(outgoing.path.clone());
                false
            }
            "GET" if answer.status == 404 && deleted.contains(&outgoing.path) => {
                answer.status = 200;
                answer.set_json(&json!({ "data": {} }));
                true
            }
            _ => false,
        }
    })
}

/// The second page of topics loses its first item.
fn second_topic_page_drops_an_item() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let second = outgoing.query.split('&').any(|pair| pair == "page=1");
        if outgoing.method != "GET" || outgoing.path != "/v1/topics" || !second {
            return false;
        }
        let Some(mut page) = answer.json() else {
            return false;
        };
        let Some(items) = page["data"]
            .as_array_mut()
            .filter(|items| !items.is_empty())
        else {
            return false;
        };
        items.remove(0);
        answer.set_json(&page);
        true
    })
}

/// Runs `lifecycles` on the models whose create operation is in `operations`, against the
/// reference behind `breakage`; answers the report and how many answers were bent.
pub(crate) async fn broken(breakage: Breakage, operations: &[&str]) -> (Report, u32) {
    broken_with(breakage, operations, Options::default().cases).await
}

/// [`broken`] with `cases` (a fifth of them are the sequences drawn per model).
pub(crate) async fn broken_with(
    breakage: Breakage,
    operations: &[&str],
    cases: u32,
) -> (Report, u32) {
    let target = BrokenReference::start(breakage).await;
    let options = Options {
        operations: operations.iter().map(|id| (*id).to_owned()).collect(),
        checks: vec!["lifecycles".into()],
        seed: 7,
        cases,
        ..target.options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let bent = target.broken();
    target.stop().await;
    (report, bent)
}

pub(crate) fn only_violation(report: &Report) -> Violation {
    let violations: Vec<&Violation> = report.violations().collect();
    assert_eq!(
        violations.len(),
        1,
        "one violation per model: {violations:#?}"
    );
    violations[0].clone()
}

/// The steps of a reported sequence, from the comments that end its commands.
pub(crate) fn steps(violation: &Violation) -> Vec<String> {
    violation
        .curl
        .as_deref()
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once("  # ").map(|(_, step)| step.to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn lifecycles_pass_on_the_server_under_test() {
    let options = Options {
        checks: vec!["lifecycles".into(), "response-conformance".into()],
        ..target_options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let violations: Vec<&Violation> = report.violations().collect();
    assert!(violations.is_empty(), "{violations:#?}");
    let sent = |operation_id: &str| {
        report
            .results
            .iter()
            .find(|result| result.check == "lifecycles" && result.operation_id == operation_id)
            .map_or(0, |result| result.requests)
    };
    for operation_id in [
        "subscribers_get",
        "subscribers_list",
        "topic_subscribers_get",
        "tenants_list",
        "layouts_set_default",
        "workflow_groups_delete",
        "feeds_delete",
        "integrations_set_primary",
        "workflow_status_update",
        "workflow_overrides_retrieve_by_tenant",
        "messages_delete",
        "subscriber_messages_mark_as",
        "subscriber_messages_mark_all",
        "subscriber_notifications_unseen_count",
        "subscriber_notifications_feed",
    ] {
        assert!(sent(operation_id) > 0, "no request on {operation_id}");
    }
    assert!(
        report.requests <= 3000,
        "{} requests: over the check's budget",
        report.requests
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_subscriber_that_still_answers_is_reported_in_two_steps_at_most() {
    let (report, bent) = broken(deleted_subscribers_still_answer(), &["subscribers_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.check, "lifecycles");
    assert_eq!(violation.operation_id, "subscribers_get");
    assert!(violation.expected.starts_with("404"), "{violation:#?}");
    // Either a subscriber the sequence creates and deletes, or one of the exact ids (`bulk`,
    // `removal`) that an earlier sequence deleted, read once.
    match steps(&violation).as_slice() {
        [create, delete] => {
            assert!(create.starts_with("Create("), "{create}");
            assert!(delete.starts_with("Delete("), "{delete}");
        }
        [read] => {
            assert!(read.starts_with("Read("), "{read}");
            assert!(
                violation.received.contains("Exact("),
                "{}",
                violation.received
            );
        }
        steps => panic!("not shrunk: {steps:?}"),
    }
    let curl = violation.curl.unwrap();
    assert!(curl.starts_with("curl "), "{curl}");
    assert!(
        curl.lines().last().unwrap().contains("-X GET"),
        "the failing request comes last: {curl}"
    );
    assert!(
        violation.received.contains("(seed 7)"),
        "{}",
        violation.received
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_topic_page_that_drops_an_item_is_reported_as_a_broken_partition() {
    let (report, bent) = broken(second_topic_page_drops_an_item(), &["topics_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.operation_id, "topics_list");
    assert!(
        violation.received.contains("items") && violation.expected.contains("totalCount"),
        "{violation:#?}"
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 3, "not shrunk: {steps:?}");
    assert!(steps.last().unwrap().starts_with("List"), "{steps:?}");
}

/// Every page of subscribers says there is nothing more.
fn subscriber_pages_never_have_more() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.method != "GET" || outgoing.path != "/v1/subscribers" {
            return false;
        }
        let Some(mut page) = answer.json() else {
            return false;
        };
        if page["hasMore"] != json!(true) {
            return false;
        }
        page["hasMore"] = json!(false);
        answer.set_json(&page);
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_page_without_has_more_is_reported_after_one_create() {
    let (report, bent) = broken(subscriber_pages_never_have_more(), &["subscribers_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.operation_id, "subscribers_list");
    assert_eq!(
        violation.expected,
        "hasMore true exactly when the page is full"
    );
    let steps = steps(&violation);
    assert_eq!(steps.len(), 2, "not shrunk: {steps:?}");
    assert!(steps[0].starts_with("Create(0"), "{steps:?}");
    assert_eq!(steps[1], "List { limit: 1 }", "{steps:?}");
}

/// Listed layouts all claim to be the default.
fn every_listed_layout_is_default() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.method != "GET" || outgoing.path != "/v1/layouts" {
            return false;
        }
        let Some(mut page) = answer.json() else {
            return false;
        };
        let Some(items) = page["data"].as_array_mut().filter(|items| items.len() > 1) else {
            return false;
        };
        for item in items.iter_mut() {
            item["isDefault"] = json!(true);
        }
        answer.set_json(&page);
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn two_default_layouts_are_reported() {
    let (report, bent) = broken(every_listed_layout_is_default(), &["layouts_create"]).await;
    assert!(bent > 0, "the breakage was never exercised");
    let violation = only_violation(&report);
    assert_eq!(violation.operation_id, "layouts_list");
    assert!(
        violation.expected.starts_with("one default layout"),
        "{violation:#?}"
    );
    let steps = steps(&violation);
    assert!(steps.len() <= 2, "not shrunk: {steps:?}");
    assert!(steps.last().unwrap().starts_with("List"), "{steps:?}");
}
