//! `novu-e2e`, the cases ported from Novu's own e2e suite: they pass on the server under test,
//! and cases fail when the reference behind [`BrokenReference`] has a behaviour they record
//! bent.

use novu_conformance::{CaseOutcome, CaseRecord, Options, Report, Spec, Violation, run};

use crate::proxy::{Breakage, BrokenReference};
use crate::target_options;

const NOVU_E2E: &str = "novu-e2e";

async fn run_e2e(options: Options, operations: &[&str]) -> Report {
    let options = Options {
        checks: vec![NOVU_E2E.to_owned()],
        operations: operations.iter().map(|id| (*id).to_owned()).collect(),
        ..options
    };
    run(Spec::embedded().unwrap(), options).await.unwrap()
}

fn violations(report: &Report) -> Vec<&Violation> {
    report
        .violations()
        .filter(|violation| violation.check == NOVU_E2E)
        .collect()
}

fn with_outcome<'a>(report: &'a Report, wanted: fn(&CaseOutcome) -> bool) -> Vec<&'a CaseRecord> {
    report
        .cases
        .iter()
        .filter(|case| wanted(&case.outcome))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_ported_case_passes_on_the_target() {
    let report = run_e2e(target_options(), &[]).await;
    let found = violations(&report);
    assert!(found.is_empty(), "{found:#?}");
    let failed = with_outcome(&report, |outcome| *outcome == CaseOutcome::Failed);
    assert!(failed.is_empty(), "{failed:#?}");
    let passed = with_outcome(&report, |outcome| *outcome == CaseOutcome::Passed);
    let skipped = with_outcome(&report, |outcome| {
        matches!(outcome, CaseOutcome::Skipped(_))
    });
    assert_eq!(report.cases.len(), PORTED, "{skipped:#?}");
    assert_eq!(passed.len(), PORTED - SKIPPED, "{skipped:#?}");
}

/// The cases ported so far, and how many of them the reference is known to answer otherwise.
const PORTED: usize = 75;
const SKIPPED: usize = 7;
