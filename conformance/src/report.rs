//! How a run's findings are shown: a summary table and the violations for people, JUnit XML
//! for CI, JSON lines for tools.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::checks::response::RESPONSE_CONFORMANCE;
use crate::checks::{CATALOGUE, ReadOnly, applicable};
use crate::contract::Spec;
use crate::run::{CaseOutcome, CheckResult};
use crate::runner::Report;

/// The summary table (per tag: operations, requests, checks passed and failed) followed by
/// every violation with a `curl` command reproducing it.
pub fn human(report: &Report) -> String {
    #[derive(Default)]
    struct Row {
        operations: std::collections::BTreeSet<String>,
        requests: u32,
        passed: usize,
        failed: usize,
        skipped: usize,
    }
    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    for result in &report.results {
        let row = rows.entry(result.tag.as_str()).or_default();
        row.operations.insert(result.operation_id.clone());
        if result.check != RESPONSE_CONFORMANCE {
            row.requests += result.requests;
        }
        if result.failed() {
            row.failed += 1;
        } else if result.passed() {
            row.passed += 1;
        } else {
            row.skipped += 1;
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<20} {:>10} {:>9} {:>7} {:>7} {:>8}",
        "tag", "operations", "requests", "passed", "failed", "skipped"
    );
    let mut total = Row::default();
    for (tag, row) in &rows {
        let _ = writeln!(
            out,
            "{:<20} {:>10} {:>9} {:>7} {:>7} {:>8}",
            tag,
            row.operations.len(),
            row.requests,
            row.passed,
            row.failed,
            row.skipped
        );
        total.operations.extend(row.operations.iter().cloned());
        total.requests += row.requests;
        total.passed += row.passed;
        total.failed += row.failed;
        total.skipped += row.skipped;
    }
    let _ = writeln!(
        out,
        "{:<20} {:>10} {:>9} {:>7} {:>7} {:>8}",
        "total",
        total.operations.len(),
        total.requests,
        total.passed,
        total.failed,
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
    let violations: Vec<_> = report.violations().collect();
    for violation in &violations {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "violation of {} on {}",
            violation.check, violation.operation_id
        );
        let _ = writeln!(out, "  expected: {}", violation.expected);
        let _ = writeln!(out, "  received: {}", violation.received);
        if let Some(curl) = &violation.curl {
            let _ = writeln!(out, "  reproduce: {curl}");
        }
        let _ = writeln!(out, "  seed: {}", report.seed);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} violations in {} check results; {} requests to {} in {:.1}s (seed {})",
        violations.len(),
        total.failed,
        report.requests,
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

/// JUnit XML: one test suite per check, one test case per check and operation.
pub fn junit(report: &Report) -> String {
    let mut by_check: BTreeMap<&str, Vec<&CheckResult>> = BTreeMap::new();
    for result in &report.results {
        by_check.entry(result.check).or_default().push(result);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = report
        .results
        .iter()
        .filter(|result| result.failed())
        .count();
    let _ = writeln!(
        out,
        "<testsuites name=\"novu-conformance\" tests=\"{}\" failures=\"{failures}\" time=\"{:.3}\">",
        report.results.len(),
        report.elapsed.as_secs_f64()
    );
    for (check, results) in by_check {
        let failed = results.iter().filter(|result| result.failed()).count();
        let skipped = results
            .iter()
            .filter(|result| result.skipped.is_some())
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
            if result.failed() {
                let _ = writeln!(out, ">");
                for violation in &result.violations {
                    let text = format!(
                        "expected: {}\nreceived: {}\nreproduce: {}\nseed: {}",
                        violation.expected,
                        violation.received,
                        violation.curl.as_deref().unwrap_or("-"),
                        report.seed
                    );
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{}\">{}</failure>",
                        escape(&violation.expected),
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

/// JSON lines: one object per result (check × operation).
pub fn json_lines(report: &Report) -> String {
    let mut out = String::new();
    for result in &report.results {
        let status = if result.failed() {
            "failed"
        } else if result.passed() {
            "passed"
        } else {
            "skipped"
        };
        let line = json!({
            "check": result.check,
            "operationId": result.operation_id,
            "tag": result.tag,
            "status": status,
            "requests": result.requests,
            "skipped": result.skipped,
            "violations": result.violations,
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
