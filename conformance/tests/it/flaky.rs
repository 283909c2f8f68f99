//! Violations that do not reproduce when their request is sent again, and runs cut short by
//! `--max-failures`, behind the bending proxy.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use novu_conformance::{Options, Recheck, Report, Spec, report, run};
use serde_json::json;

use crate::baseline::{first_lists_fail, list_options};
use crate::proxy::{Breakage, BrokenReference};

async fn run_with(breakage: Breakage, options: impl Fn(&BrokenReference) -> Options) -> Report {
    let target = BrokenReference::start(breakage).await;
    let report = run(Spec::embedded().unwrap(), options(&target))
        .await
        .unwrap();
    target.stop().await;
    report
}

#[tokio::test(flavor = "multi_thread")]
async fn a_violation_that_does_not_reproduce_is_flaky_and_fails_only_under_strict() {
    let report = run_with(first_lists_fail(1), |target| list_options(target, 1)).await;
    let human = report::human(&report);
    let findings: Vec<_> = report.findings().collect();
    assert!(!findings.is_empty(), "{human}");
    assert!(
        findings
            .iter()
            .all(|(_, label)| label.recheck == Recheck::Flaky),
        "{human}"
    );
    assert!(report.passed(), "{human}");
    assert!(
        human.contains("flaky violation (its request, sent again, did not reproduce it) of"),
        "{human}"
    );
    assert!(report::junit(&report).contains("<flakyFailure message=\"flaky: "));
    assert!(report::json_lines(&report).contains("\"flaky\":true"));

    let strict = run_with(first_lists_fail(1), |target| Options {
        strict: true,
        ..list_options(target, 1)
    })
    .await;
    assert!(!strict.passed(), "{}", report::human(&strict));
    assert!(report::junit(&strict).contains("<failure message=\"flaky: "));

    // The same defect on every answer reproduces: not flaky, and the run fails.
    let steady = run_with(first_lists_fail(u32::MAX), |target| list_options(target, 1)).await;
    let human = report::human(&steady);
    assert!(steady.violations().count() >= 1, "{human}");
    assert!(
        steady
            .findings()
            .all(|(_, label)| label.recheck == Recheck::Reproduced),
        "{human}"
    );
    assert!(!steady.passed(), "{human}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_that_succeeded_is_never_sent_again() {
    let creates = Arc::new(AtomicU32::new(0));
    let counted = creates.clone();
    // Every topic create answers a body of the wrong shape after the topic was made.
    let breakage = Breakage::answer(move |request, answer| {
        if request.is("POST", "/v1/topics") && answer.status == 201 {
            counted.fetch_add(1, Ordering::SeqCst);
            answer.set_json(&json!({"data": "not a topic"}));
            return true;
        }
        false
    });
    let report = run_with(breakage, |target| Options {
        checks: vec!["example-requests".into(), "response-conformance".into()],
        operations: vec!["topics_create".into()],
        recheck_violations: true,
        ..target.options()
    })
    .await;
    let human = report::human(&report);
    assert!(report.violations().count() >= 1, "{human}");
    assert!(
        report
            .findings()
            .all(|(_, label)| label.recheck == Recheck::NotSent),
        "{human}"
    );
    assert_eq!(creates.load(Ordering::SeqCst), 1, "{human}");
}

#[tokio::test(flavor = "multi_thread")]
async fn max_failures_cuts_the_run_short_and_says_what_was_not_run() {
    // Every successful read answers 500: each check of each operation finds something.
    let every_read_fails = || {
        Breakage::answer(|request, answer| {
            if request.method == "GET"
                && answer.status == 200
                && request.path != "/v1/environments/me"
            {
                answer.status = 500;
                answer.set_json(&json!({"statusCode": 500, "message": "bent"}));
                return true;
            }
            false
        })
    };
    let selection = |target: &BrokenReference| Options {
        checks: vec![
            "safe-reads".into(),
            "example-requests".into(),
            "response-conformance".into(),
        ],
        tags: vec!["Topics".into(), "Environments".into(), "Tenants".into()],
        jobs: 1,
        recheck_violations: true,
        ..target.options()
    };
    let whole = run_with(every_read_fails(), selection).await;
    let cut = run_with(every_read_fails(), |target| Options {
        max_failures: Some(1),
        ..selection(target)
    })
    .await;
    let human = report::human(&cut);
    assert!(!cut.passed(), "{human}");
    let short = cut.cut_short.as_ref().expect("cut short");
    assert!(
        short.checks_not_run.contains(&"example-requests"),
        "{short:?}"
    );
    assert!(
        cut.violations().count() < whole.violations().count(),
        "{} cut against {} whole",
        cut.violations().count(),
        whole.violations().count()
    );
    assert!(cut.requests < whole.requests, "{human}");
    assert!(
        human.contains("the run was cut short after 1 violations (--max-failures)")
            && human.contains("example-requests"),
        "{human}"
    );
    assert!(whole.cut_short.is_none());
}
