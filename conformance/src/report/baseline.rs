//! `--write-baseline`: the run's violations as a starting baseline. Every entry gets the
//! `TODO:` reason the loader refuses, so a team must say why each one is accepted (or fix it)
//! before the file can be used; the violation's expectation and answer are written above the
//! entry as comments, to decide by.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::run::baseline::REASON_PLACEHOLDER;
use crate::runner::Report;

/// A baseline file with one entry per distinct violation of `report` (check, operation,
/// fingerprint), those the baseline already expects included.
pub fn write_baseline(report: &Report) -> String {
    let mut out = String::from(
        "# novu-conformance baseline: violations reported as expected instead of failing the run.\n\
         # Written by --write-baseline. Replace every TODO reason (the loader refuses them) or\n\
         # remove the entry; add `expires = \"YYYY-MM-DD\"` to have the run fail after that day.\n\
         # Format: conformance/README.md#baseline; schema: conformance/baseline.schema.json\n",
    );
    let mut seen = BTreeSet::new();
    for (violation, label) in report.findings() {
        if !seen.insert((violation.check, &violation.operation_id, &label.fingerprint)) {
            continue;
        }
        let _ = writeln!(out);
        for (name, text) in [
            ("expected", &violation.expected),
            ("received", &violation.received),
        ] {
            let line: String = text.replace('\n', " ").chars().take(200).collect();
            let _ = writeln!(out, "# {name}: {line}");
        }
        let _ = writeln!(out, "[[violation]]");
        let _ = writeln!(out, "check = {}", quoted(violation.check));
        let _ = writeln!(out, "operation = {}", quoted(&violation.operation_id));
        let _ = writeln!(out, "fingerprint = {}", quoted(&label.fingerprint));
        let reason = label.baseline.as_deref().unwrap_or(REASON_PLACEHOLDER);
        let _ = writeln!(out, "reason = {}", quoted(reason));
    }
    out
}

/// `text` as a TOML basic string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}
