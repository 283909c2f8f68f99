//! The ignore file (`--ignore FILE`): changes the maintainers accepted, each with its reason.
//! YAML, a list of entries:
//!
//! ```yaml
//! - fingerprint: 5f0c8d1e2a3b4c6d        # as printed by the text and JSON reports
//!   rule: response-field-removed         # optional with a fingerprint
//!   location: /components/schemas/Topic/properties
//!   operation: GET /v1/topics/{topicKey} # optional: accept it for this operation only
//!   reason: never filled in since 2023
//! ```
//!
//! An entry names a change by its `fingerprint`, or by `rule` and `location`; what it names
//! must all hold. Accepted changes are listed apart and never fail the run; an entry that
//! matches nothing is stale and reported, so the file does not outlive the changes it excuses.

use anyhow::{Result, bail};
use serde::Deserialize;

use super::report::{Change, sort};
use super::rules::Rule;

/// One accepted change.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: Option<String>,
    pub rule: Option<String>,
    pub location: Option<String>,
    /// `GET /v1/topics/{topicKey}`, as reports print it.
    pub operation: Option<String>,
    pub reason: String,
}

impl Entry {
    /// How a warning names the entry.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(fingerprint) = &self.fingerprint {
            parts.push(format!("fingerprint {fingerprint}"));
        }
        if let Some(rule) = &self.rule {
            parts.push(rule.clone());
        }
        if let Some(location) = &self.location {
            parts.push(format!("at {location}"));
        }
        if let Some(operation) = &self.operation {
            parts.push(format!("in {operation}"));
        }
        parts.join(" ")
    }

    fn matches(&self, change: &Change) -> bool {
        let same = |wanted: &Option<String>, actual: &str| {
            wanted
                .as_ref()
                .is_none_or(|wanted| wanted.eq_ignore_ascii_case(actual))
        };
        same(&self.fingerprint, &change.fingerprint)
            && same(&self.rule, change.rule.id())
            && self
                .location
                .as_ref()
                .is_none_or(|location| *location == change.location)
            && self.operation.as_ref().is_none_or(|wanted| {
                change
                    .operations
                    .iter()
                    .any(|operation| same_operation(wanted, &operation.to_string()))
            })
    }
}

/// `get /v1/x` is `GET /v1/x`; the method's case and the spaces between do not matter.
fn same_operation(wanted: &str, actual: &str) -> bool {
    let split = |text: &str| {
        let mut words = text.split_whitespace();
        (
            words.next().map(str::to_ascii_uppercase),
            words.next().map(str::to_owned),
        )
    };
    split(wanted) == split(actual)
}

/// Parses the ignore file's text; `name` is how errors name the file.
pub fn parse(name: &str, text: &str) -> Result<Vec<Entry>> {
    let entries: Vec<Entry> = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_norway::from_str(text).map_err(|error| {
            anyhow::anyhow!(
                "{name}: not a list of ignore entries (fingerprint, rule, location, operation, reason): {}",
                error.to_string().replace('\n', " ")
            )
        })?
    };
    for (index, entry) in entries.iter().enumerate() {
        let number = index + 1;
        if entry.fingerprint.is_none() && (entry.rule.is_none() || entry.location.is_none()) {
            bail!("{name}: entry {number}: give a `fingerprint`, or a `rule` and a `location`");
        }
        if let Some(rule) = &entry.rule
            && Rule::from_id(rule).is_none()
        {
            bail!(
                "{name}: entry {number}: `{rule}` is not a rule id: `cargo xtask diff --rules` lists them"
            );
        }
        if entry.reason.trim().is_empty() {
            bail!("{name}: entry {number}: say in `reason` why the change is accepted");
        }
    }
    Ok(entries)
}

/// Marks the changes that `entries` accept; returns the entries that matched nothing. An entry
/// with an `operation` accepts the change for that operation only: the change stays for the
/// others it reaches.
pub fn apply<'e>(changes: &mut Vec<Change>, entries: &'e [Entry]) -> Vec<&'e Entry> {
    let mut stale = Vec::new();
    for entry in entries {
        let mut matched = false;
        let mut accepted_parts = Vec::new();
        for change in changes.iter_mut() {
            if change.ignored.is_some() || !entry.matches(change) {
                continue;
            }
            matched = true;
            let Some(wanted) = &entry.operation else {
                change.ignored = Some(entry.reason.clone());
                continue;
            };
            let (accepted, kept): (Vec<_>, Vec<_>) = change
                .operations
                .drain(..)
                .partition(|operation| same_operation(wanted, &operation.to_string()));
            if kept.is_empty() {
                change.operations = accepted;
                change.ignored = Some(entry.reason.clone());
            } else {
                change.operations = kept;
                let mut part = change.clone();
                part.operations = accepted;
                part.ignored = Some(entry.reason.clone());
                accepted_parts.push(part);
            }
        }
        changes.extend(accepted_parts);
        if !matched {
            stale.push(entry);
        }
    }
    sort(changes);
    stale
}
