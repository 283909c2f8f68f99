//! How a run's findings are shown: a summary table and the violations for people, JUnit XML
//! for CI, JSON lines for tools; and what a run leaves for later runs and for reading
//! elsewhere: a starting baseline (`report/baseline.rs`), the status coverage as JSON and
//! markdown (`report/coverage.rs`) and every exchange as a HAR file (`report/har.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::checks::response::RESPONSE_CONFORMANCE;
use crate::checks::{CATALOGUE, ReadOnly, applicable};
use crate::contract::Spec;
use crate::run::{CaseOutcome, CheckResult, Label, Violation};
use crate::runner::Report;

mod baseline;
mod coverage;
mod har;

pub use baseline::write_baseline;
pub use coverage::{coverage_json, coverage_markdown};
pub use har::har;

/// The summary table (per tag: operations, requests, checks passed, failed, known and
/// skipped), every failing violation with a `curl` command reproducing it, the flaky and the
/// expected (baselined) ones apart, what fails the run besides (baseline entries, gates, a
/// run cut short), and a closing line that counts them all.
pub fn human(report: &Report) -> String {
    #[derive(Default)]
    struct Row {
        operations: std::collections::BTreeSet<String>,
        requests: u32,
        passed: usize,
        failed: usize,
        known: usize,
        skipped: usize,
    }
    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    for result in &report.results {
        let row = rows.entry(result.tag.as_str()).or_default();
        row.operations.insert(result.operation_id.clone());
        if result.check != RESPONSE_CONFORMANCE {
            row.requests += result.requests;
        }
        if result.labels.iter().any(|label| label.fails(report.strict)) {
            row.failed += 1;
        } else if result.failed() {
            row.known += 1;
        } else if result.passed() {
            row.passed += 1;
        } else {
            row.skipped += 1;
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<20} {:>10} {:>9} {:>7} {:>7} {:>6} {:>8}",
        "tag", "operations", "requests", "passed", "failed", "known", "skipped"
    );
    let mut total = Row::default();
    for (tag, row) in &rows {
        let _ = writeln!(
            out,
            "{:<20} {:>10} {:>9} {:>7} {:>7} {:>6} {:>8}",
            tag,
            row.operations.len(),
            row.requests,
            row.passed,
            row.failed,
            row.known,
            row.skipped
        );
        total.operations.extend(row.operations.iter().cloned());
        total.requests += row.requests;
        total.passed += row.passed;
        total.failed += row.failed;
        total.known += row.known;
        total.skipped += row.skipped;
    }
    let _ = writeln!(
        out,
        "{:<20} {:>10} {:>9} {:>7} {:>7} {:>6} {:>8}",
        "total",
        total.operations.len(),
        total.requests,
        total.passed,
        total.failed,
        total.known,
        total.skipped
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<24} {:>9} {:>11}",
        "check", "requests", "violations"
    );
    for (check, requests) in report.requests_per_check() {
        let found = report
            .violations()
            .filter(|violation| violation.check == check)
            .count();
        let _ = writeln!(out, "{check:<24} {requests:>9} {found:>11}");
    }
    if report.webhook_calls > 0 {
        let _ = writeln!(
            out,
            "(the server under test called the suite's webhooks {} times)",
            report.webhook_calls
        );
    }
    cases_played(&mut out, report);
    let show = |out: &mut String, heading: &str, violation: &Violation, label: &Label| {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{heading} {} on {}",
            violation.check, violation.operation_id
        );
        let _ = writeln!(out, "  expected: {}", violation.expected);
        let _ = writeln!(out, "  received: {}", violation.received);
        if let Some(curl) = &violation.curl {
            let _ = writeln!(out, "  reproduce: {curl}");
        }
        let _ = writeln!(out, "  seed: {}", report.seed);
        let _ = writeln!(out, "  fingerprint: {}", label.fingerprint);
    };
    let findings: Vec<(&Violation, &Label)> = report.findings().collect();
    for (violation, label) in findings.iter().filter(|(_, label)| !label.expected()) {
        let heading = if label.flaky() {
            "flaky violation (its request, sent again, did not reproduce it) of"
        } else {
            "violation of"
        };
        show(&mut out, heading, violation, label);
    }
    let expected: Vec<_> = findings
        .iter()
        .filter(|(_, label)| label.expected())
        .collect();
    if !expected.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "expected violations (in the baseline; they fail nothing): {}",
            expected.len()
        );
        for (violation, label) in expected {
            let _ = writeln!(
                out,
                "  {} on {} ({}): {}",
                violation.check,
                violation.operation_id,
                label.fingerprint,
                label.baseline.as_deref().unwrap_or_default()
            );
        }
    }
    let _ = writeln!(out);
    for problem in &report.baseline_problems {
        let _ = writeln!(out, "FAIL {problem}");
    }
    for gate in &report.gates {
        if gate.met {
            let _ = writeln!(out, "gate {} met: {}", gate.gate, gate.summary);
        } else {
            let _ = writeln!(
                out,
                "FAIL gate {}: {}: {}",
                gate.gate,
                gate.summary,
                gate.missing.join(", ")
            );
        }
    }
    if let Some(cut) = &report.cut_short {
        let _ = writeln!(
            out,
            "FAIL the run was cut short after {} violations (--max-failures): {} checks not run{}{}, \
             {} per-operation tasks of started checks not run",
            cut.max_failures,
            cut.checks_not_run.len(),
            if cut.checks_not_run.is_empty() {
                ""
            } else {
                " ("
            },
            if cut.checks_not_run.is_empty() {
                String::new()
            } else {
                format!("{})", cut.checks_not_run.join(", "))
            },
            cut.tasks_not_run
        );
    }
    let checks_run: std::collections::BTreeSet<&str> = report
        .results
        .iter()
        .filter(|result| result.requests > 0 || result.failed())
        .map(|result| result.check)
        .collect();
    let skipped = report
        .results
        .iter()
        .filter(|result| result.skipped.is_some())
        .count();
    let _ = writeln!(
        out,
        "{} checks run, {} of {} operations covered, {} requests, {} violations \
         ({} expected, {} flaky), {} skipped; {} to {} in {:.1}s (seed {})",
        checks_run.len(),
        report.coverage.operations_reached(),
        report.coverage.operations.len(),
        report.requests,
        findings.len(),
        findings
            .iter()
            .filter(|(_, label)| label.expected())
            .count(),
        findings.iter().filter(|(_, label)| label.flaky()).count(),
        skipped,
        if report.passed() { "passed" } else { "FAILED" },
        report.base_url,
        report.elapsed.as_secs_f64(),
        report.seed
    );
    out
}

/// How many ported cases each check played, and every skipped one with its reason (a skip is
/// counted and shown, never silent).
fn cases_played(out: &mut String, report: &Report) {
    let mut checks: Vec<&str> = report.cases.iter().map(|case| case.check).collect();
    checks.dedup();
    for check in checks {
        let of_check = || report.cases.iter().filter(move |case| case.check == check);
        let count =
            |wanted: fn(&CaseOutcome) -> bool| of_check().filter(|c| wanted(&c.outcome)).count();
        let _ = writeln!(
            out,
            "({check}: {} cases played, {} passed, {} failed, {} skipped)",
            of_check().count(),
            count(|outcome| *outcome == CaseOutcome::Passed),
            count(|outcome| *outcome == CaseOutcome::Failed),
            count(|outcome| matches!(outcome, CaseOutcome::Skipped(_))),
        );
        for case in of_check() {
            if let CaseOutcome::Skipped(reason) = &case.outcome {
                let _ = writeln!(out, "  skipped {} › {}: {reason}", case.source, case.title);
            }
        }
    }
}

/// JUnit XML: one test suite per check, one test case per check and operation. A violation
/// the baseline expects makes its test case `skipped` with the reason; a flaky one is a
/// `flakyFailure` (Maven Surefire's element for a failure that did not reproduce), or a
/// `failure` under `--strict`.
pub fn junit(report: &Report) -> String {
    let mut by_check: BTreeMap<&str, Vec<&CheckResult>> = BTreeMap::new();
    for result in &report.results {
        by_check.entry(result.check).or_default().push(result);
    }
    let fails = |result: &CheckResult| result.labels.iter().any(|label| label.fails(report.strict));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = report.results.iter().filter(|result| fails(result)).count();
    let _ = writeln!(
        out,
        "<testsuites name=\"novu-conformance\" tests=\"{}\" failures=\"{failures}\" time=\"{:.3}\">",
        report.results.len(),
        report.elapsed.as_secs_f64()
    );
    for (check, results) in by_check {
        let failed = results.iter().filter(|result| fails(result)).count();
        let skipped = results
            .iter()
            .filter(|result| result.skipped.is_some() || result.all_expected())
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" skipped=\"{skipped}\">",
            escape(check),
            results.len()
        );
        for result in results {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(&result.tag),
                escape(&format!("{} {}", check, result.operation_id))
            );
            if result.all_expected() {
                let reasons: Vec<&str> = result
                    .labels
                    .iter()
                    .filter_map(|label| label.baseline.as_deref())
                    .collect();
                let _ = writeln!(
                    out,
                    "><skipped message=\"{}\"/></testcase>",
                    escape(&format!("expected by the baseline: {}", reasons.join("; ")))
                );
            } else if result.failed() {
                let _ = writeln!(out, ">");
                for (violation, label) in result.findings().filter(|(_, label)| !label.expected()) {
                    let text = format!(
                        "expected: {}\nreceived: {}\nreproduce: {}\nseed: {}\nfingerprint: {}",
                        violation.expected,
                        violation.received,
                        violation.curl.as_deref().unwrap_or("-"),
                        report.seed,
                        label.fingerprint
                    );
                    let (element, prefix) = match (label.flaky(), report.strict) {
                        (true, false) => ("flakyFailure", "flaky: "),
                        (true, true) => ("failure", "flaky: "),
                        (false, _) => ("failure", ""),
                    };
                    let _ = writeln!(
                        out,
                        "      <{element} message=\"{}\">{}</{element}>",
                        escape(&format!("{prefix}{}", violation.expected)),
                        escape(&text)
                    );
                }
                let _ = writeln!(out, "    </testcase>");
            } else if let Some(reason) = &result.skipped {
                let _ = writeln!(out, "><skipped message=\"{}\"/></testcase>", escape(reason));
            } else {
                let _ = writeln!(out, "/>");
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// JSON lines: one object per result (check × operation). Each violation carries its
/// `fingerprint`, `expected: true` and the baseline's `reason` when the baseline expects it,
/// and `flaky: true` when its request, sent again, did not reproduce it; a result whose every
/// violation is expected has the status `expected` and `expected: true`.
pub fn json_lines(report: &Report) -> String {
    let mut out = String::new();
    for result in &report.results {
        let status = if result.labels.iter().any(|label| label.fails(report.strict)) {
            "failed"
        } else if result.all_expected() {
            "expected"
        } else if result.failed() {
            "flaky"
        } else if result.passed() {
            "passed"
        } else {
            "skipped"
        };
        let violations: Vec<serde_json::Value> = result
            .findings()
            .map(|(violation, label)| {
                json!({
                    "check": violation.check,
                    "operationId": violation.operation_id,
                    "expectation": violation.expected,
                    "received": violation.received,
                    "curl": violation.curl,
                    "fingerprint": label.fingerprint,
                    "expected": label.expected(),
                    "reason": label.baseline,
                    "flaky": label.flaky(),
                    "recheck": label.recheck,
                })
            })
            .collect();
        let line = json!({
            "check": result.check,
            "operationId": result.operation_id,
            "tag": result.tag,
            "status": status,
            "expected": result.all_expected(),
            "requests": result.requests,
            "skipped": result.skipped,
            "violations": violations,
            "seed": report.seed,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

fn escape(text: &str) -> String {
    text.chars()
        .filter(|character| !character.is_control() || matches!(character, '\n' | '\t'))
        .fold(String::with_capacity(text.len()), |mut out, character| {
            match character {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                other => out.push(other),
            }
            out
        })
}

/// The `list` output: every check with what it does, then every operation with its checks.
pub fn list(spec: &Spec) -> String {
    let mut out = String::from("checks:\n");
    for check in CATALOGUE {
        let _ = writeln!(
            out,
            "  {:<24} {}{}",
            check.name(),
            check.description(),
            if check.read_only() == ReadOnly::Safe {
                ""
            } else {
                " (not in --read-only)"
            }
        );
    }
    let _ = writeln!(out, "\noperations ({}):", spec.operations.len());
    for operation in &spec.operations {
        let _ = writeln!(
            out,
            "  {:<42} {:<7} {:<66} [{}] {}",
            operation.operation_id,
            operation.method,
            operation.path,
            operation.tag,
            applicable(operation).join(", ")
        );
    }
    out
}
