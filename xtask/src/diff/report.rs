//! The changes found and the three ways of printing them: text for a terminal, JSON for tools
//! (one object per change) and Markdown for a pull-request comment. All three list breaking
//! changes first, grouped by operation in path order.

use std::fmt;

use serde::Serialize;

use super::rules::{Rule, Severity};

/// The HTTP methods of a path item, in the order reports list them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// An operation as reports name it: `GET /v1/topics/{topicKey}`, with the newer path template
/// when it exists on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Operation {
    /// Lowercase, as the document spells it.
    pub method: &'static str,
    pub path: String,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.to_uppercase(), self.path)
    }
}

/// One difference between the two documents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Change {
    pub rule: Rule,
    pub operation: Operation,
    /// A JSON pointer into the newer document: where the change shows, or for something
    /// removed, the place it was removed from.
    pub location: String,
    pub message: String,
}

/// Puts `changes` in report order: breaking first, then by path and method; within an
/// operation they stay in the order they were found (parameters, body, responses, security).
pub fn sort(changes: &mut [Change]) {
    let method_rank = |method: &str| METHODS.iter().position(|known| *known == method);
    changes.sort_by(|left, right| {
        (
            left.rule.severity(),
            &left.operation.path,
            method_rank(left.operation.method),
        )
            .cmp(&(
                right.rule.severity(),
                &right.operation.path,
                method_rank(right.operation.method),
            ))
    });
}

/// Whether any change breaks clients.
pub fn breaks(changes: &[Change]) -> bool {
    changes
        .iter()
        .any(|change| change.rule.severity() == Severity::Breaking)
}

/// The report for a terminal.
pub fn text(changes: &[Change], old: &str, new: &str) -> String {
    if changes.is_empty() {
        return format!("no changes from {old} to {new}\n");
    }
    let mut out = format!("{} from {old} to {new}\n", summary(changes));
    for (severity, title) in [
        (Severity::Breaking, "Breaking changes"),
        (Severity::Compatible, "Compatible changes"),
    ] {
        let group: Vec<&Change> = changes
            .iter()
            .filter(|change| change.rule.severity() == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title}\n"));
        let mut operation = None;
        for change in group {
            if operation != Some(&change.operation) {
                out.push_str(&format!("\n  {}\n", change.operation));
                operation = Some(&change.operation);
            }
            out.push_str(&format!(
                "    {}: {}\n      at {}\n",
                change.rule.id(),
                change.message,
                change.location
            ));
        }
    }
    out
}

/// The report as a JSON array with one object per change.
pub fn json(changes: &[Change]) -> String {
    #[derive(Serialize)]
    struct Entry<'c> {
        id: &'static str,
        severity: &'static str,
        operation: String,
        location: &'c str,
        message: &'c str,
    }
    let entries: Vec<Entry> = changes
        .iter()
        .map(|change| Entry {
            id: change.rule.id(),
            severity: change.rule.severity().as_str(),
            operation: change.operation.to_string(),
            location: &change.location,
            message: &change.message,
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&entries).expect("strings always serialize");
    out.push('\n');
    out
}

/// The report as a pull-request comment: breaking changes in full, compatible ones folded.
pub fn markdown(changes: &[Change], old: &str, new: &str) -> String {
    let mut out = format!("### API diff: `{old}` → `{new}`\n\n");
    if changes.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let breaking = count(changes, Severity::Breaking);
    let compatible = count(changes, Severity::Compatible);
    if breaking > 0 {
        out.push_str(&format!(
            "**{}**, {}.\n\n#### Breaking changes\n",
            plural(breaking, "breaking change"),
            plural(compatible, "compatible change")
        ));
        markdown_group(&mut out, changes, Severity::Breaking);
    } else {
        out.push_str(&format!(
            "No breaking changes; {}.\n",
            plural(compatible, "compatible change")
        ));
    }
    if compatible > 0 {
        out.push_str(&format!(
            "\n<details>\n<summary>{}</summary>\n",
            plural(compatible, "compatible change")
        ));
        markdown_group(&mut out, changes, Severity::Compatible);
        out.push_str("\n</details>\n");
    }
    out
}

fn markdown_group(out: &mut String, changes: &[Change], severity: Severity) {
    let mut operation = None;
    for change in changes
        .iter()
        .filter(|change| change.rule.severity() == severity)
    {
        if operation != Some(&change.operation) {
            out.push_str(&format!("\n**`{}`**\n", change.operation));
            operation = Some(&change.operation);
        }
        out.push_str(&format!(
            "- `{}` {} (`{}`)\n",
            change.rule.id(),
            change.message,
            change.location
        ));
    }
}

/// The rule catalogue, one rule a line: id, severity, what it reports.
pub fn rules() -> String {
    let width = Rule::ALL
        .iter()
        .map(|rule| rule.id().len())
        .max()
        .unwrap_or(0);
    Rule::ALL
        .iter()
        .map(|rule| {
            format!(
                "{:width$}  {:10}  {}\n",
                rule.id(),
                rule.severity().as_str(),
                rule.doc()
            )
        })
        .collect()
}

fn summary(changes: &[Change]) -> String {
    format!(
        "{} and {}",
        plural(count(changes, Severity::Breaking), "breaking change"),
        plural(count(changes, Severity::Compatible), "compatible change")
    )
}

fn count(changes: &[Change], severity: Severity) -> usize {
    changes
        .iter()
        .filter(|change| change.rule.severity() == severity)
        .count()
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
