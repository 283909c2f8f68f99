//! Baselines: known violations reported as expected, stale and expired entries failing the
//! run, `--write-baseline` round trips, and the committed JSON schema of the format.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use novu_conformance::{Baseline, KnownViolation, Options, Report, Spec, report, run};
use serde_json::json;

use crate::proxy::{Breakage, BrokenReference};

/// The environments list answers a body of the wrong shape: `response-conformance` reports it.
pub fn wrong_list_shape() -> Breakage {
    Breakage::answer(|request, answer| {
        if request.is("GET", "/v1/environments") && answer.status == 200 {
            answer.set_json(&json!({"data": "not a list"}));
            return true;
        }
        false
    })
}

/// The environments list answers 500 to its first `broken` successful answers, then as it
/// should.
pub fn first_lists_fail(broken: u32) -> Breakage {
    let seen = Arc::new(AtomicU32::new(0));
    Breakage::answer(move |request, answer| {
        if request.is("GET", "/v1/environments")
            && answer.status == 200
            && seen.fetch_add(1, Ordering::SeqCst) < broken
        {
            answer.status = 500;
            answer.set_json(&json!({"statusCode": 500, "message": "bent by the proxy"}));
            return true;
        }
        false
    })
}

/// Options for a small run of `safe-reads` (judged by `response-conformance`) on the
/// environments list.
pub fn list_options(target: &BrokenReference, seed: u64) -> Options {
    Options {
        seed,
        checks: vec!["safe-reads".into(), "response-conformance".into()],
        operations: vec!["environments_list".into()],
        recheck_violations: true,
        ..target.options()
    }
}

async fn run_with(breakage: Breakage, options: impl Fn(&BrokenReference) -> Options) -> Report {
    let target = BrokenReference::start(breakage).await;
    let report = run(Spec::embedded().unwrap(), options(&target))
        .await
        .unwrap();
    target.stop().await;
    report
}

fn known(report: &Report, expires: Option<NaiveDate>) -> Baseline {
    Baseline {
        violations: report
            .findings()
            .map(|(violation, label)| KnownViolation {
                check: violation.check.to_owned(),
                operation: violation.operation_id.clone(),
                fingerprint: label.fingerprint.clone(),
                reason: "NOV-1: the list shape is being fixed".into(),
                expires,
            })
            .collect(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_matching_baseline_turns_violations_into_expected_ones_on_another_seed() {
    let first = run_with(wrong_list_shape(), |target| list_options(target, 1)).await;
    assert!(!first.passed(), "{}", report::human(&first));
    assert!(first.violations().count() >= 1);
    let baseline = known(&first, NaiveDate::from_ymd_opt(2999, 1, 1));

    // Another seed: the fingerprints must not depend on it.
    let second = run_with(wrong_list_shape(), |target| Options {
        baseline: Some(baseline.clone()),
        ..list_options(target, 2)
    })
    .await;
    let human = report::human(&second);
    assert!(second.passed(), "{human}");
    assert!(second.violations().count() >= 1, "{human}");
    assert!(
        second.findings().all(|(_, label)| label.expected()),
        "{human}"
    );
    assert!(
        human.contains("expected violations (in the baseline; they fail nothing)"),
        "{human}"
    );
    assert!(
        human.contains("NOV-1: the list shape is being fixed"),
        "{human}"
    );
    let junit = report::junit(&second);
    assert!(
        junit.contains("<skipped message=\"expected by the baseline: NOV-1"),
        "{junit}"
    );
    let lines = report::json_lines(&second);
    let conformance = lines
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|line| line["check"] == "response-conformance")
        .unwrap();
    assert_eq!(conformance["expected"], true, "{conformance}");
    assert_eq!(conformance["status"], "expected", "{conformance}");
    assert_eq!(conformance["violations"][0]["expected"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_entry_fails_the_run() {
    let broken = run_with(wrong_list_shape(), |target| list_options(target, 1)).await;
    let baseline = known(&broken, None);
    // The defect is gone: the same entries now match nothing.
    let fixed = run_with(Breakage::default(), |target| Options {
        baseline: Some(baseline.clone()),
        ..list_options(target, 1)
    })
    .await;
    let human = report::human(&fixed);
    assert_eq!(fixed.violations().count(), 0, "{human}");
    assert!(!fixed.passed(), "{human}");
    assert!(
        human.contains("matched no violation: the defect is gone or changed"),
        "{human}"
    );
    // An entry for an operation outside the run is not judged.
    let elsewhere = run_with(Breakage::default(), |target| Options {
        baseline: Some(baseline.clone()),
        operations: vec!["environments_retrieve_current".into()],
        ..list_options(target, 1)
    })
    .await;
    assert!(elsewhere.passed(), "{}", report::human(&elsewhere));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_entry_fails_the_run() {
    let broken = run_with(wrong_list_shape(), |target| list_options(target, 1)).await;
    let baseline = known(&broken, NaiveDate::from_ymd_opt(2020, 1, 31));
    let again = run_with(wrong_list_shape(), |target| Options {
        baseline: Some(baseline.clone()),
        ..list_options(target, 1)
    })
    .await;
    let human = report::human(&again);
    assert!(
        again.findings().all(|(_, label)| label.expected()),
        "{human}"
    );
    assert!(!again.passed(), "{human}");
    assert!(human.contains("expired on 2020-01-31"), "{human}");
}

#[tokio::test(flavor = "multi_thread")]
async fn write_baseline_round_trips_once_the_reasons_are_written() {
    let target = BrokenReference::start(wrong_list_shape()).await;
    let directory = std::env::temp_dir().join(format!("nc-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let written = directory.join("baseline.toml");
    let base_url = target.options().base_url.unwrap();
    let api_key = target.options().api_key.unwrap();
    let command = move |extra: Vec<std::ffi::OsString>| {
        let mut command = crate::ci::binary();
        command.args([
            "run",
            "--seed",
            "4",
            "--operation",
            "environments_list",
            "--check",
            "safe-reads",
            "--check",
            "response-conformance",
            "--base-url",
            &base_url,
            "--api-key",
            &api_key,
        ]);
        command.args(extra);
        command
    };
    let output = crate::ci::finish(command(vec![
        "--write-baseline".into(),
        written.clone().into(),
    ]))
    .await;
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        crate::ci::text(&output)
    );
    let text = std::fs::read_to_string(&written).unwrap();
    assert!(text.contains("reason = \"TODO:"), "{text}");
    assert!(text.contains("operation = \"environments_list\""), "{text}");

    // The placeholder is refused, with its line.
    let output =
        crate::ci::finish(command(vec!["--baseline".into(), written.clone().into()])).await;
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        crate::ci::text(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line ") && stderr.contains("TODO"),
        "{stderr}"
    );

    // With reasons written the same file makes the run pass.
    let edited = text.replace(
        "TODO: say why this violation is accepted, or fix it",
        "NOV-2: accepted until the list is fixed",
    );
    std::fs::write(&written, edited).unwrap();
    let output =
        crate::ci::finish(command(vec!["--baseline".into(), written.clone().into()])).await;
    let stdout = crate::ci::text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("NOV-2: accepted until the list is fixed"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(directory);
    target.stop().await;
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("baseline.schema.json");
    let generated = Baseline::json_schema();
    if std::env::var_os("NOVU_CONFORMANCE_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "conformance/baseline.schema.json is stale: run \
         `NOVU_CONFORMANCE_UPDATE_SCHEMA=1 cargo test -p novu-conformance --test it baseline::` and commit it"
    );
}
