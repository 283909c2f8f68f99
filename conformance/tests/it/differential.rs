//! The `differential` check: two reference servers behave alike, and a proxy that bends one
//! field of one answer is reported at the first step whose transcript differs.

use novu_conformance::{Options, Report, Spec, Violation, report, run};

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};
use crate::target_options;

const DIFFERENTIAL: &str = "differential";

async fn run_differential(options: Options, compare: &novu_reference::RunningServer) -> Report {
    let options = Options {
        checks: vec![DIFFERENTIAL.to_owned()],
        compare_url: Some(compare.base_url()),
        compare_api_key: Some(compare.api_key().to_owned()),
        ..options
    };
    run(Spec::embedded().unwrap(), options).await.unwrap()
}

fn differences(report: &Report) -> Vec<&Violation> {
    report
        .violations()
        .filter(|violation| violation.check == DIFFERENTIAL)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_reference_servers_behave_alike() {
    let compare = novu_reference::start(novu_reference::Config::in_memory())
        .await
        .unwrap();
    let report = run_differential(target_options(), &compare).await;
    let _ = compare.shutdown().await;
    let requests: u32 = report
        .results
        .iter()
        .filter(|result| result.check == DIFFERENTIAL)
        .map(|result| result.requests)
        .sum();
    assert!(requests > 1000, "only {requests} requests");
    let found = differences(&report);
    assert!(found.is_empty(), "{found:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_server_to_compare_with_the_check_is_not_applicable() {
    let options = Options {
        checks: vec![DIFFERENTIAL.to_owned()],
        operations: vec!["tenants_create".to_owned()],
        ..target_options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    assert_eq!(report.violations().count(), 0);
    let result = report
        .results
        .iter()
        .find(|result| result.check == DIFFERENTIAL)
        .expect("a result for tenants_create");
    assert_eq!(result.requests, 0);
    assert!(
        result
            .skipped
            .as_deref()
            .is_some_and(|reason| reason.contains("--compare-url")),
        "{result:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bent_tenant_name_is_reported_at_its_first_step_with_both_curls() {
    // Every read of one tenant answers another name than the one stored.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/tenants/{identifier}") || answer.status != 200 {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        body["data"]["name"] = "bent".into();
        answer.set_json(&body);
        true
    });
    let target = BrokenReference::start(breakage).await;
    let compare = novu_reference::start(novu_reference::Config::in_memory())
        .await
        .unwrap();
    let options = Options {
        operations: [
            "tenants_create",
            "tenants_get",
            "tenants_update",
            "tenants_list",
            "tenants_delete",
        ]
        .map(str::to_owned)
        .to_vec(),
        ..target.options()
    };
    let report = run_differential(options, &compare).await;
    let broken = target.broken();
    target.stop().await;
    let _ = compare.shutdown().await;
    assert!(broken >= 1, "the breakage was not exercised");

    let found = differences(&report);
    assert!(!found.is_empty(), "{report:#?}");
    assert!(
        found
            .iter()
            .all(|violation| violation.operation_id == "tenants_get")
    );
    // The scenario: create, then the read is its second step.
    let scenario = found
        .iter()
        .find(|violation| violation.received.contains("of scenario tenants"))
        .expect("the tenants scenario differs");
    assert!(
        scenario
            .received
            .starts_with("behaviour difference at step 2 (GET /v1/tenants/nc-snap-tenants"),
        "{}",
        scenario.received
    );
    let added = |line: &str| line.trim_start().starts_with("+ ") && line.contains("name: bent");
    let removed = |line: &str| line.trim_start().starts_with("- ") && line.contains("name: Acme");
    assert!(
        scenario.received.lines().any(added) && scenario.received.lines().any(removed),
        "{}",
        scenario.received
    );
    let curl = scenario.curl.as_deref().unwrap_or_default();
    assert!(
        curl.contains("$NOVU_API_KEY") && curl.contains("# this server"),
        "{curl}"
    );
    assert!(
        curl.contains("$NOVU_COMPARE_API_KEY") && curl.contains("# the server compared with"),
        "{curl}"
    );
    // The lifecycle sequences that read a tenant differ too.
    assert!(
        found
            .iter()
            .any(|violation| violation.received.contains("of lifecycle tenants sequence")),
        "{found:#?}"
    );
    // And the machine-readable reports carry them.
    let junit = report::junit(&report);
    assert!(
        junit.contains("<testsuite name=\"differential\""),
        "{junit}"
    );
    assert!(junit.contains("<failure"), "{junit}");
    let json = report::json_lines(&report);
    assert!(
        json.lines()
            .any(|line| line.contains("\"check\":\"differential\"") && line.contains("\"failed\"")),
        "{json}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bent_status_is_reported_in_the_lifecycle_sequences_too() {
    // Deleting a topic answers 200 with a body instead of the reference's 204.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("DELETE", "/v1/topics/{topicKey}") || answer.status != 204 {
            return false;
        }
        answer.status = 200;
        answer.headers = vec![("content-type".into(), "application/json".into())];
        answer.set_json(&serde_json::json!({"data": true}));
        true
    });
    let target = BrokenReference::start(breakage).await;
    let compare = novu_reference::start(novu_reference::Config::in_memory())
        .await
        .unwrap();
    let options = Options {
        tags: vec!["Topics".to_owned()],
        ..target.options()
    };
    let report = run_differential(options, &compare).await;
    let broken = target.broken();
    target.stop().await;
    let _ = compare.shutdown().await;
    assert!(broken >= 1, "the breakage was not exercised");
    let found = differences(&report);
    let sequences: Vec<_> = found
        .iter()
        .filter(|violation| violation.received.contains("of lifecycle topics sequence"))
        .collect();
    assert!(!sequences.is_empty(), "{found:#?}");
    for violation in sequences {
        assert_eq!(violation.operation_id, "topics_delete", "{violation:#?}");
        let mut lines = violation.received.lines().map(str::trim);
        let (mut theirs, mut ours) = (false, false);
        for line in &mut lines {
            theirs |= line.starts_with('-') && line.ends_with("status: 204");
            ours |= line.starts_with('+') && line.ends_with("data: true");
        }
        assert!(theirs && ours, "{}", violation.received);
        assert!(
            violation.received.contains("(DELETE /v1/topics/"),
            "{}",
            violation.received
        );
    }
}
