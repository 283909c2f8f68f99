//! The reports for CI: GitHub workflow commands (`::error file=…,line=…,col=…::message`, one
//! per change, at the line of the newer document where it shows) and a JUnit XML file (one
//! test case per change, failed when its level reaches `--fail-on`).

use super::ignore::Entry;
use super::locate::Source;
use super::report::{Change, Counts};
use super::rules::Level;

/// The newer document as annotations point into it.
pub struct NewSide<'t> {
    /// The file, as GitHub resolves it from the repository root: the argument, or the path
    /// part of `REV:path`.
    pub file: &'t str,
    pub text: &'t str,
}

/// One workflow command per change (the ignored ones left out), then a warning per stale ignore
/// entry. Errors are `::error`, warnings `::warning`, info `::notice`.
pub fn github(
    changes: &[Change],
    new: &NewSide<'_>,
    stale: &[&Entry],
    ignore_file: &str,
) -> String {
    let source = Source::new(new.text);
    let mut out = String::new();
    for change in changes.iter().filter(|change| change.ignored.is_none()) {
        let command = match change.level() {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        let position = source.locate(&change.location);
        let message = format!(
            "{} ({}; at {}; fingerprint {})",
            change.message,
            change.reach(),
            change.location,
            change.fingerprint
        );
        out.push_str(&format!(
            "::{command} file={},line={},col={},title={}::{}\n",
            property(new.file),
            position.line,
            position.column,
            property(change.rule.id()),
            data(&message)
        ));
    }
    for entry in stale {
        out.push_str(&format!(
            "::warning file={},title=stale ignore entry::{}\n",
            property(ignore_file),
            data(&stale_message(entry))
        ));
    }
    out
}

/// What a stale ignore entry is told.
pub fn stale_message(entry: &Entry) -> String {
    format!(
        "the ignore entry ({}) matches no change: remove it",
        entry.describe()
    )
}

/// A JUnit report: one test suite, one test case per change (class: the operations it
/// reaches), failed when its level reaches `threshold`, skipped when ignored; a stale ignore
/// entry is a test case too, failed when `threshold` reaches warnings.
pub fn junit(
    changes: &[Change],
    old: &str,
    new: &str,
    threshold: Option<Level>,
    stale: &[&Entry],
) -> String {
    let stale_fails = threshold.is_some_and(|threshold| Level::Warning.reaches(threshold));
    let failures = changes
        .iter()
        .filter(|change| change.fails(threshold))
        .count()
        + if stale_fails { stale.len() } else { 0 };
    let skipped = Counts::of(changes).ignored;
    let tests = changes.len() + stale.len();
    let suite = format!("{old} → {new}");
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"api diff\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\">\n",
        xml(&suite)
    ));
    for change in changes {
        let name = format!("{}: {}", change.rule.id(), change.message);
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml(&change.reach()),
            xml(&name)
        ));
        let detail = format!(
            "level: {}\nat: {}\nfingerprint: {}\noperations: {}",
            change.level(),
            change.location,
            change.fingerprint,
            if change.operations.is_empty() {
                "none (the document as a whole)".to_owned()
            } else {
                change
                    .operations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
        if let Some(reason) = &change.ignored {
            out.push_str(&format!(
                "\n      <skipped message=\"accepted: {}\"/>\n    ",
                xml(reason)
            ));
        } else if change.fails(threshold) {
            out.push_str(&format!(
                "\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    ",
                change.level(),
                xml(&change.message),
                xml(&detail)
            ));
        } else {
            out.push_str(&format!(
                "\n      <system-out>{}</system-out>\n    ",
                xml(&detail)
            ));
        }
        out.push_str("</testcase>\n");
    }
    for entry in stale {
        let message = stale_message(entry);
        out.push_str(&format!(
            "    <testcase classname=\"ignore file\" name=\"{}\">",
            xml(&message)
        ));
        if stale_fails {
            out.push_str(&format!(
                "\n      <failure type=\"warning\" message=\"{}\"/>\n    ",
                xml(&message)
            ));
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Escapes the message of a workflow command.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property (`file=`, `title=`) of a workflow command.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            other => out.push(other),
        }
    }
    out
}
