//! The changes found, grouped, and three of the ways of printing them: text for a terminal,
//! JSON for tools (one object per change) and Markdown for a pull-request comment (the CI
//! formats are in `annotations`). All list errors first, then warnings, then info, then what
//! the ignore file accepted.
//!
//! The comparison finds one `Finding` per operation; a shared component reaches many
//! operations, so findings that differ only by operation (and by the response status the
//! component is used under) become one `Change` naming every operation it reaches.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use super::rules::{Level, Rule};

/// The HTTP methods of a path item, in the order reports list them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How many operations the text and Markdown reports name before "and N more".
const OPERATIONS_SHOWN: usize = 3;

/// An operation as reports name it: `GET /v1/topics/{topicKey}`, with the newer path template
/// when it exists on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Operation {
    /// Lowercase, as the document spells it.
    pub method: &'static str,
    pub path: String,
}

impl Operation {
    /// Sorts by path, then by the order of `METHODS`.
    fn order(&self) -> (&str, usize) {
        let rank = METHODS
            .iter()
            .position(|known| *known == self.method)
            .unwrap_or(METHODS.len());
        (&self.path, rank)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.to_uppercase(), self.path)
    }
}

/// One difference as the comparison finds it: in one operation, or in the document as a whole
/// (`operation` is `None`: a server, a security scheme, a component's example).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    pub rule: Rule,
    pub operation: Option<Operation>,
    /// A JSON pointer into the newer document: where the change shows, or for something
    /// removed, the place it was removed from.
    pub location: String,
    pub message: String,
    /// What the change is grouped by instead of `location`, when the same change shows at a
    /// different place in each operation (a shared header removed from each response).
    pub shared: Option<String>,
}

/// One difference between the two documents, with every operation it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub rule: Rule,
    /// In report order; empty for a change to the document as a whole.
    pub operations: Vec<Operation>,
    pub location: String,
    pub message: String,
    /// Identifies the change whatever operations it reaches: rule, location (or what the
    /// operations share) and message (response statuses left out), hashed. Ignore files name
    /// changes by it.
    pub fingerprint: String,
    /// Why the change is accepted, when an ignore file entry matched it.
    pub ignored: Option<String>,
}

impl Change {
    pub fn level(&self) -> Level {
        self.rule.level()
    }

    /// Whether the change counts toward `--fail-on threshold`.
    pub fn fails(&self, threshold: Option<Level>) -> bool {
        self.ignored.is_none() && threshold.is_some_and(|threshold| self.level().reaches(threshold))
    }

    /// The operations as a heading: `GET /v1/x`, `GET /v1/x, POST /v1/y and 4 more operations`.
    pub fn reach(&self) -> String {
        if self.operations.is_empty() {
            return "the document".into();
        }
        let shown: Vec<String> = self
            .operations
            .iter()
            .take(OPERATIONS_SHOWN)
            .map(ToString::to_string)
            .collect();
        let hidden = self.operations.len().saturating_sub(OPERATIONS_SHOWN);
        match hidden {
            0 => shown.join(", "),
            hidden => format!(
                "{} and {} ({} operations in all)",
                shown.join(", "),
                plural(hidden, "more operation"),
                self.operations.len()
            ),
        }
    }
}

/// Groups `findings` into changes, in report order: errors, warnings, info; within a level,
/// document-wide changes first, then by first operation in path order, then as found.
pub fn group(findings: Vec<Finding>) -> Vec<Change> {
    struct Group {
        rule: Rule,
        /// The location, or what the findings share.
        place: String,
        /// The first finding's location.
        location: String,
        template: String,
        statuses: Vec<String>,
        operations: Vec<Operation>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<(Rule, String, String), usize> = HashMap::new();
    for finding in findings {
        let (template, status) = status_template(&finding.message);
        let place = finding
            .shared
            .clone()
            .unwrap_or_else(|| finding.location.clone());
        let key = (finding.rule, place.clone(), template.clone());
        let at = *index.entry(key).or_insert_with(|| {
            groups.push(Group {
                rule: finding.rule,
                place,
                location: finding.location,
                template,
                statuses: Vec::new(),
                operations: Vec::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[at];
        if let Some(status) = status
            && !group.statuses.contains(&status)
        {
            group.statuses.push(status);
        }
        if let Some(operation) = finding.operation
            && !group.operations.contains(&operation)
        {
            group.operations.push(operation);
        }
    }
    let mut changes: Vec<Change> = groups
        .into_iter()
        .map(|mut group| {
            group
                .operations
                .sort_by(|left, right| left.order().cmp(&right.order()));
            group.statuses.sort();
            Change {
                rule: group.rule,
                fingerprint: fingerprint(group.rule, &group.place, &group.template),
                message: group
                    .template
                    .replacen(STATUS, &group.statuses.join("/"), 1),
                operations: group.operations,
                location: group.location,
                ignored: None,
            }
        })
        .collect();
    sort(&mut changes);
    changes
}

/// Puts `changes` in report order (stable: changes of one operation stay as found).
pub fn sort(changes: &mut [Change]) {
    fn key(change: &Change) -> (bool, Level, Option<(&str, usize)>) {
        (
            change.ignored.is_some(),
            change.level(),
            change.operations.first().map(Operation::order),
        )
    }
    changes.sort_by(|left, right| key(left).cmp(&key(right)));
}

/// Stands for the response status in a message's template.
const STATUS: &str = "\u{0}";

/// `response 404 field `message` was removed` becomes the template `response \0 field …` and
/// the status `404`; a message without a response status is its own template.
fn status_template(message: &str) -> (String, Option<String>) {
    const MARK: &str = "response ";
    let mut from = 0;
    while let Some(found) = message[from..].find(MARK) {
        let start = from + found + MARK.len();
        let rest = &message[start..];
        let end = rest.find([' ', ':']).unwrap_or(rest.len());
        let token = &rest[..end];
        let is_status = token == "default"
            || (token.len() == 3
                && token
                    .chars()
                    .all(|character| character.is_ascii_digit() || character == 'X'));
        if is_status {
            let template = format!("{}{STATUS}{}", &message[..start], &rest[end..]);
            return (template, Some(token.to_owned()));
        }
        from = start;
    }
    (message.to_owned(), None)
}

/// 64-bit FNV-1a of the rule id, location and message template, as 16 hex digits: stable
/// across runs, platforms and versions of Rust, unlike `std`'s hashers.
fn fingerprint(rule: Rule, location: &str, template: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [rule.id(), location, template] {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// How many changes of each level count (the ignored ones apart).
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub ignored: usize,
}

impl Counts {
    pub fn of(changes: &[Change]) -> Self {
        let count = |level: Level| {
            changes
                .iter()
                .filter(|change| change.ignored.is_none() && change.level() == level)
                .count()
        };
        Self {
            error: count(Level::Error),
            warning: count(Level::Warning),
            info: count(Level::Info),
            ignored: changes
                .iter()
                .filter(|change| change.ignored.is_some())
                .count(),
        }
    }

    /// `2 errors, 1 warning, 3 info` (and `, 1 ignored`).
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{}, {}, {} info",
            plural(self.error, "error"),
            plural(self.warning, "warning"),
            self.info
        );
        if self.ignored > 0 {
            out.push_str(&format!(", {} ignored", self.ignored));
        }
        out
    }
}

fn title(level: Level) -> &'static str {
    match level {
        Level::Error => "Errors",
        Level::Warning => "Warnings",
        Level::Info => "Info",
    }
}

/// The sections of a report: each level, then the ignored changes.
fn sections(changes: &[Change]) -> Vec<(&'static str, Vec<&Change>)> {
    let mut sections: Vec<(&'static str, Vec<&Change>)> = Level::ALL
        .iter()
        .map(|level| {
            let members = changes
                .iter()
                .filter(|change| change.ignored.is_none() && change.level() == *level)
                .collect();
            (title(*level), members)
        })
        .collect();
    sections.push((
        "Ignored",
        changes
            .iter()
            .filter(|change| change.ignored.is_some())
            .collect(),
    ));
    sections.retain(|(_, members)| !members.is_empty());
    sections
}

/// The report for a terminal.
pub fn text(changes: &[Change], old: &str, new: &str) -> String {
    if changes.is_empty() {
        return format!("no changes from {old} to {new}\n");
    }
    let mut out = format!("{} from {old} to {new}\n", Counts::of(changes).summary());
    for (title, members) in sections(changes) {
        out.push_str(&format!("\n{title}\n"));
        let mut heading = None;
        for change in members {
            let reach = change.reach();
            if heading.as_ref() != Some(&reach) {
                out.push_str(&format!("\n  {reach}\n"));
                heading = Some(reach);
            }
            out.push_str(&format!(
                "    {}: {}\n      at {} (fingerprint {})\n",
                change.rule.id(),
                change.message,
                change.location,
                change.fingerprint
            ));
            if let Some(reason) = &change.ignored {
                out.push_str(&format!("      accepted: {reason}\n"));
            }
        }
    }
    out
}

/// The report as a JSON array with one object per change.
pub fn json(changes: &[Change]) -> String {
    #[derive(Serialize)]
    struct Entry<'c> {
        id: &'static str,
        level: &'static str,
        fingerprint: &'c str,
        operations: Vec<String>,
        location: &'c str,
        message: &'c str,
        #[serde(skip_serializing_if = "Option::is_none")]
        ignored: Option<&'c str>,
    }
    let entries: Vec<Entry> = changes
        .iter()
        .map(|change| Entry {
            id: change.rule.id(),
            level: change.level().as_str(),
            fingerprint: &change.fingerprint,
            operations: change.operations.iter().map(ToString::to_string).collect(),
            location: &change.location,
            message: &change.message,
            ignored: change.ignored.as_deref(),
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&entries).expect("strings always serialize");
    out.push('\n');
    out
}

/// The report as a pull-request comment: errors and warnings in full, the rest folded.
pub fn markdown(changes: &[Change], old: &str, new: &str) -> String {
    let mut out = format!("### API diff: `{old}` → `{new}`\n\n");
    if changes.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let counts = Counts::of(changes);
    out.push_str(&format!("**{}**.\n", counts.summary()));
    for (title, members) in sections(changes) {
        let folded = matches!(title, "Info" | "Ignored");
        if folded {
            out.push_str(&format!(
                "\n<details>\n<summary>{title} ({})</summary>\n",
                members.len()
            ));
        } else {
            out.push_str(&format!("\n#### {title}\n"));
        }
        let mut heading = None;
        for change in members {
            let reach = change.reach();
            if heading.as_ref() != Some(&reach) {
                out.push_str(&format!("\n**{}**\n", markdown_reach(change)));
                heading = Some(reach);
            }
            out.push_str(&format!(
                "- `{}` {} (`{}`)",
                change.rule.id(),
                change.message,
                change.location
            ));
            if let Some(reason) = &change.ignored {
                out.push_str(&format!(": accepted, {reason}"));
            }
            out.push('\n');
        }
        if folded {
            out.push_str("\n</details>\n");
        }
    }
    out
}

fn markdown_reach(change: &Change) -> String {
    if change.operations.is_empty() {
        return "the document".into();
    }
    let shown: Vec<String> = change
        .operations
        .iter()
        .take(OPERATIONS_SHOWN)
        .map(|operation| format!("`{operation}`"))
        .collect();
    match change.operations.len().saturating_sub(OPERATIONS_SHOWN) {
        0 => shown.join(", "),
        hidden => format!(
            "{} and {}",
            shown.join(", "),
            plural(hidden, "more operation")
        ),
    }
}

/// The rule catalogue, one rule a line: id, level, what it reports.
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
                "{:width$}  {:7}  {}\n",
                rule.id(),
                rule.level().as_str(),
                rule.doc()
            )
        })
        .collect()
}

pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(method: &'static str, path: &str, message: &str) -> Finding {
        Finding {
            rule: Rule::ResponseFieldRemoved,
            operation: Some(Operation {
                method,
                path: path.into(),
            }),
            location: "/components/schemas/ErrorResponse/properties".into(),
            message: message.into(),
            shared: None,
        }
    }

    #[test]
    fn a_shared_component_is_one_change_naming_every_operation_and_status() {
        let changes = group(vec![
            finding("post", "/v1/b", "response 400 field `message` was removed"),
            finding("get", "/v1/b", "response 404 field `message` was removed"),
            finding("get", "/v1/a", "response 400 field `message` was removed"),
            finding("get", "/v1/a", "response 400 field `code` was removed"),
        ]);
        assert_eq!(changes.len(), 2);
        assert_eq!(
            changes[0].message,
            "response 400/404 field `message` was removed"
        );
        let named: Vec<String> = changes[0]
            .operations
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(named, ["GET /v1/a", "GET /v1/b", "POST /v1/b"]);
        assert_ne!(changes[0].fingerprint, changes[1].fingerprint);
        // The fingerprint does not depend on the operations or statuses reached.
        let alone = group(vec![finding(
            "get",
            "/v1/z",
            "response 500 field `message` was removed",
        )]);
        assert_eq!(alone[0].fingerprint, changes[0].fingerprint);
    }

    #[test]
    fn status_templates_leave_other_words_alone() {
        assert_eq!(
            status_template("response default body: content type `a` was removed"),
            (
                format!("response {STATUS} body: content type `a` was removed"),
                Some("default".into())
            )
        );
        assert_eq!(
            status_template("success status `200` was added"),
            ("success status `200` was added".into(), None)
        );
        assert_eq!(
            status_template("response field `x` of response 2XX header"),
            (
                format!("response field `x` of response {STATUS} header"),
                Some("2XX".into())
            )
        );
    }
}
