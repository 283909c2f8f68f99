//! `--coverage FILE`: the statuses the run saw per operation, as JSON for tools and as a
//! markdown table for people (written beside it, `FILE` with the extension `.md`).

use std::fmt::Write as _;

use serde_json::json;

use crate::run::coverage::counts_in_share;
use crate::runner::Report;

/// The coverage as JSON: totals, the gates, and one object per selected operation.
pub fn coverage_json(report: &Report) -> String {
    let coverage = &report.coverage;
    let (seen, all) = coverage.pairs();
    let value = json!({
        "totals": {
            "operations": coverage.operations.len(),
            "operationsReached": coverage.operations_reached(),
            "documentedPairs": all,
            "documentedPairsObserved": seen,
            "statusCoverage": (coverage.share() * 10.0).round() / 10.0,
            "note": "documented pairs exclude 429 and 5xx, which a conforming run cannot provoke",
        },
        "gates": report.gates,
        "operations": coverage.operations,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("coverage serialises");
    text.push('\n');
    text
}

/// The coverage as a markdown table: one row per operation.
pub fn coverage_markdown(report: &Report) -> String {
    let coverage = &report.coverage;
    let (seen, all) = coverage.pairs();
    let mut out = String::from("# Status coverage\n\n");
    let _ = writeln!(
        out,
        "{seen} of {all} documented (operation, status) pairs observed ({:.1}%; 429 and 5xx \
         are listed but not counted). {} of {} operations got an answer.\n",
        coverage.share(),
        coverage.operations_reached(),
        coverage.operations.len()
    );
    for gate in &report.gates {
        let _ = writeln!(
            out,
            "- gate `{}`: {} ({})",
            gate.gate,
            if gate.met { "met" } else { "**not met**" },
            gate.summary
        );
    }
    if !report.gates.is_empty() {
        out.push('\n');
    }
    out.push_str(
        "| operation | method | path | requests | observed (documented) | never observed | observed, undocumented |\n\
         |---|---|---|---:|---|---|---|\n",
    );
    let list = |statuses: &[u16]| {
        if statuses.is_empty() {
            "–".to_owned()
        } else {
            statuses
                .iter()
                .map(|status| {
                    if counts_in_share(*status) {
                        status.to_string()
                    } else {
                        format!("({status})")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    for operation in &coverage.operations {
        let _ = writeln!(
            out,
            "| `{}` | {} | `{}` | {} | {} | {} | {} |",
            operation.operation_id,
            operation.method,
            operation.path,
            operation.requests,
            list(&operation.documented_observed),
            list(&operation.never_observed),
            list(&operation.undocumented_observed),
        );
    }
    out
}
