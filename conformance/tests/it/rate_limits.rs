//! The `rate-limits` check, and `response-conformance` on header values: against a reference
//! with low limits (`trigger=2,configuration=2,global=2`: a bucket of 11 per category) they
//! pass, the budget is spent and waited out; behind [`BrokenReference`] a 429 without
//! `Retry-After` or a malformed `RateLimit-*` header is reported. Without limits the check is
//! not applicable.

use novu_conformance::{Options, Report, Spec, run};

use crate::proxy::{Breakage, BrokenReference};
use crate::target_options;

const RATE_LIMITS: &str = "rate-limits";
const RESPONSE_CONFORMANCE: &str = "response-conformance";
const PROBES: [&str; 3] = [
    "environments_retrieve_current",
    "topics_list",
    "events_cancel",
];

async fn run_check(options: Options) -> Report {
    let options = Options {
        // The judge runs only when its check is selected.
        checks: vec![RATE_LIMITS.to_owned(), RESPONSE_CONFORMANCE.to_owned()],
        operations: PROBES.iter().map(|id| (*id).to_owned()).collect(),
        ..options
    };
    run(Spec::embedded().unwrap(), options).await.unwrap()
}

fn limited() -> novu_reference::Config {
    novu_reference::Config {
        rate_limits: Some("trigger=2,configuration=2,global=2".parse().unwrap()),
        ..novu_reference::Config::in_memory()
    }
}

fn violations(report: &Report, check: &str) -> Vec<String> {
    report
        .violations()
        .filter(|violation| violation.check == check)
        .map(|violation| format!("{}: {}", violation.expected, violation.received))
        .collect()
}

fn requests(report: &Report) -> u32 {
    report
        .results
        .iter()
        .filter(|result| result.check == RATE_LIMITS)
        .map(|result| result.requests)
        .sum()
}

async fn run_broken(breakage: Breakage) -> (Report, u32) {
    let target = BrokenReference::start_with(breakage, limited()).await;
    let report = run_check(target.options()).await;
    let broken = target.broken();
    target.stop().await;
    (report, broken)
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_hold_on_a_limited_reference() {
    let (report, _) = run_broken(Breakage::default()).await;
    for check in [RATE_LIMITS, RESPONSE_CONFORMANCE] {
        let found = violations(&report, check);
        assert!(found.is_empty(), "{check}: {found:#?}");
    }
    // Each of the three buckets of 11 was spent, refused and waited out.
    assert!(requests(&report) >= 3 * 12, "{}", requests(&report));
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_are_not_applicable_without_headers() {
    let report = run_check(target_options()).await;
    assert!(violations(&report, RATE_LIMITS).is_empty());
    if crate::against_reference() {
        let skipped = report
            .results
            .iter()
            .filter(|result| result.check == RATE_LIMITS && result.skipped.is_some())
            .count();
        assert_eq!(skipped, PROBES.len(), "{report:#?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_fail_when_a_429_has_no_retry_after() {
    let (report, broken) = run_broken(Breakage::answer(|_, answer| {
        if answer.status != 429 {
            return false;
        }
        answer.set_header("retry-after", None);
        true
    }))
    .await;
    assert!(broken > 0);
    let found = violations(&report, RATE_LIMITS);
    assert!(
        found
            .iter()
            .any(|violation| violation.contains("no numeric Retry-After")),
        "{found:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_fail_on_a_malformed_policy() {
    let (report, broken) = run_broken(Breakage::answer(|_, answer| {
        let Some(policy) = answer.header("ratelimit-policy").map(str::to_owned) else {
            return false;
        };
        answer.set_header("ratelimit-policy", Some(&policy.replace(";w=", ";window=")));
        true
    }))
    .await;
    assert!(broken > 0);
    let found = violations(&report, RATE_LIMITS);
    assert!(
        found
            .iter()
            .any(|violation| violation.contains("RateLimit-Policy `window=5`")),
        "{found:#?}"
    );
    // The header's schema (its pattern) catches it too.
    let judged = violations(&report, RESPONSE_CONFORMANCE);
    assert!(
        judged
            .iter()
            .any(|violation| violation.contains("header ratelimit-policy")),
        "{judged:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn response_conformance_checks_header_values_against_their_schemas() {
    let (report, broken) = run_broken(Breakage::answer(|_, answer| {
        if answer.header("ratelimit-remaining").is_none() {
            return false;
        }
        answer.set_header("ratelimit-remaining", Some("plenty"));
        true
    }))
    .await;
    assert!(broken > 0);
    let judged = violations(&report, RESPONSE_CONFORMANCE);
    assert!(
        judged.iter().any(|violation| violation
            .contains("header ratelimit-remaining: \"plenty\" is not an integer")),
        "{judged:#?}"
    );
}
