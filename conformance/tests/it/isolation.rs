//! The `isolation` check: the reference keeps its two environments apart, and the check
//! reports a proxy that lets the second key into the first environment or leaks the first
//! environment's items into the second key's lists.

use std::sync::{Arc, Mutex};

use novu_conformance::{Options, Report, Spec, Violation, run};
use serde_json::Value;

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};
use crate::target_options;

const ISOLATION: &str = "isolation";

async fn run_isolation(options: Options) -> Report {
    let options = Options {
        checks: vec![ISOLATION.to_owned()],
        ..options
    };
    run(Spec::embedded().unwrap(), options).await.unwrap()
}

fn violations_on<'a>(report: &'a Report, operation_id: &str) -> Vec<&'a Violation> {
    report
        .violations()
        .filter(|violation| violation.check == ISOLATION && violation.operation_id == operation_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reference_keeps_its_environments_apart() {
    // Without --base-url the run uses the embedded reference's production key.
    let report = run_isolation(target_options()).await;
    let requests: u32 = report
        .results
        .iter()
        .filter(|result| result.check == ISOLATION)
        .map(|result| result.requests)
        .sum();
    assert!(requests > 150, "only {requests} requests");
    let violations: Vec<_> = report.violations().collect();
    assert!(violations.is_empty(), "{violations:#?}");
    assert!(
        report.elapsed.as_secs() < 30,
        "the check took {:?}",
        report.elapsed
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_second_key_the_check_is_not_applicable() {
    let target = BrokenReference::start(Breakage::default()).await;
    let report = run_isolation(target.options()).await;
    target.stop().await;
    assert_eq!(report.violations().count(), 0);
    let results: Vec<_> = report
        .results
        .iter()
        .filter(|result| result.check == ISOLATION)
        .collect();
    assert!(!results.is_empty());
    for result in results {
        assert_eq!(result.requests, 0, "{result:?}");
        let reason = result.skipped.as_deref().unwrap_or_default();
        assert!(reason.contains("--second-api-key"), "{result:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn isolation_fails_when_the_second_key_reaches_the_first_environment() {
    // The environment of the key is told right (else the run would refuse the second key as
    // the first one's), but every request of the second key reads and writes the first
    // environment's data.
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        let second = format!("ApiKey {}", outgoing.production_key);
        if outgoing.header("authorization") != Some(second.as_str())
            || outgoing.is("GET", "/v1/environments/me")
        {
            return false;
        }
        let first = format!("ApiKey {}", outgoing.reference_key);
        outgoing.set_header("authorization", &first);
        true
    });
    let target = BrokenReference::start(breakage).await;
    let report = run_isolation(target.options_with_second_key()).await;
    let broken = target.broken();
    target.stop().await;
    assert!(broken > 50, "the breakage was not exercised");

    for read in [
        "subscribers_get",
        "topics_get",
        "tenants_get",
        "layouts_retrieve",
        "workflow_groups_retrieve",
        "workflows_retrieve",
    ] {
        let found = violations_on(&report, read);
        assert!(!found.is_empty(), "{read}: {report:#?}");
        assert!(found[0].received.starts_with("200 "), "{:#?}", found[0]);
        assert!(found[0].expected.contains("404"), "{:#?}", found[0]);
        let curl = found[0].curl.as_deref().unwrap_or_default();
        assert!(curl.contains("$NOVU_SECOND_API_KEY"), "{curl}");
    }
    // The second key's update reached the first key's subscriber: both the status and the
    // read-back say so.
    let updates = violations_on(&report, "subscribers_update");
    assert!(
        updates
            .iter()
            .any(|violation| violation.received.contains("changed after")),
        "{updates:#?}"
    );
    let listed = violations_on(&report, "subscribers_list");
    assert!(
        listed
            .iter()
            .any(|violation| violation.expected.contains("absent from")),
        "{listed:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn isolation_fails_when_a_list_of_the_second_key_leaks_a_first_environment_tenant() {
    // The proxy remembers the tenants the first key creates and adds them to the second
    // key's tenant lists.
    let leaked: Arc<Mutex<Vec<Value>>> = Arc::default();
    let breakage = Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        let first = format!("ApiKey {}", outgoing.reference_key);
        let second = format!("ApiKey {}", outgoing.production_key);
        let key = outgoing.header("authorization");
        if key == Some(first.as_str()) && outgoing.is("POST", "/v1/tenants") {
            if let Some(data) = answer.json().map(|body| body["data"].clone()) {
                leaked.lock().unwrap().push(data);
            }
            return false;
        }
        if key != Some(second.as_str()) || !outgoing.is("GET", "/v1/tenants") {
            return false;
        }
        let leaked = leaked.lock().unwrap();
        let Some(mut body) = answer.json().filter(|_| !leaked.is_empty()) else {
            return false;
        };
        if let Some(items) = body["data"].as_array_mut() {
            items.extend(leaked.iter().cloned());
        }
        answer.set_json(&body);
        true
    });
    let target = BrokenReference::start(breakage).await;
    let options = Options {
        operations: ["tenants_create", "tenants_list", "tenants_get"]
            .map(str::to_owned)
            .to_vec(),
        ..target.options_with_second_key()
    };
    let report = run_isolation(options).await;
    let broken = target.broken();
    target.stop().await;
    assert!(broken >= 1, "the breakage was not exercised");
    let found = violations_on(&report, "tenants_list");
    assert_eq!(found.len(), 1, "{report:#?}");
    assert!(
        found[0]
            .expected
            .contains("a tenant of the first key (--api-key)'s environment absent from"),
        "{:#?}",
        found[0]
    );
    // Nothing else is wrong.
    assert_eq!(report.violations().count(), 1, "{report:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_key_of_the_same_environment_is_refused_before_the_run() {
    let target = BrokenReference::start(Breakage::default()).await;
    let first = target.options().api_key;
    let options = Options {
        second_api_key: first,
        checks: vec![ISOLATION.to_owned()],
        ..target.options()
    };
    let error = run(Spec::embedded().unwrap(), options).await.unwrap_err();
    target.stop().await;
    assert!(error.to_string().contains("same environment"), "{error}");
}
