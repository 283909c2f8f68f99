//! The baseline: violations a team knows of and accepts for a while, read from a TOML file
//! (`--baseline FILE`). A violation an entry matches is reported as expected and fails nothing;
//! an entry that matched nothing, or whose `expires` date has passed, fails the run, so the file
//! cannot quietly outlive the defects it names.
//!
//! An entry matches a violation by check, operation and fingerprint. The fingerprint
//! ([`fingerprint`]) is made from what stays the same when the same defect is found again with
//! another seed or on another day: the check, the operation, the kind of answer (its status, or
//! that none came) and the expectation with every generated value taken out.

use std::fmt::Write as _;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::violation::Violation;
use crate::error::{Error, Result};

/// What a `--write-baseline` file says in place of a reason; the loader refuses it.
pub const REASON_PLACEHOLDER: &str = "TODO: say why this violation is accepted, or fix it";

/// A baseline file: the violations a team accepts for now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "novu-conformance baseline",
    description = "Known violations of the Novu contract that a run reports as expected instead of failing (TOML, `novu-conformance run --baseline FILE`)."
)]
pub struct Baseline {
    /// The known violations, one `[[violation]]` table each.
    #[serde(default, rename = "violation")]
    pub violations: Vec<KnownViolation>,
}

/// One known violation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownViolation {
    /// The check that reports it, e.g. `response-conformance`.
    pub check: String,
    /// The `operationId` it is reported on.
    pub operation: String,
    /// The violation's fingerprint: 16 lowercase hex digits, as reports and
    /// `--write-baseline` show them.
    #[schemars(regex(pattern = "^[0-9a-f]{16}$"))]
    pub fingerprint: String,
    /// Why it is accepted (a ticket, a decision); required, and not the `TODO:` placeholder
    /// `--write-baseline` writes.
    #[schemars(length(min = 1))]
    pub reason: String,
    /// The last day the entry holds (`2027-01-31`, quoted or as a TOML date); after it the
    /// run fails until the entry is renewed or removed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "toml_date"
    )]
    pub expires: Option<NaiveDate>,
}

impl Baseline {
    /// Reads the baseline `text` of the file `name`; an error names the line.
    pub fn parse(name: &str, text: &str) -> Result<Baseline> {
        let usage = |message: String| Error::Usage(format!("baseline {name}: {message}"));
        let baseline: Baseline =
            toml::from_str(text).map_err(|error| usage(toml_error(text, &error)))?;
        for (index, entry) in baseline.violations.iter().enumerate() {
            let line = entry_line(text, index);
            let problem = if entry.reason.trim().is_empty() {
                Some("`reason` is empty: say why the violation is accepted".to_owned())
            } else if entry.reason.trim_start().starts_with("TODO") {
                Some(
                    "`reason` is still the TODO placeholder of --write-baseline: say why the \
                     violation is accepted, or fix it and remove the entry"
                        .to_owned(),
                )
            } else if !is_fingerprint(&entry.fingerprint) {
                Some(format!(
                    "fingerprint {:?} is not 16 lowercase hex digits: copy it from a report",
                    entry.fingerprint
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(usage(format!("line {line}: {problem}")));
            }
        }
        Ok(baseline)
    }

    /// The index of the entry that matches `violation`, whose fingerprint is `fingerprint`.
    pub fn entry_for(&self, violation: &Violation, fingerprint: &str) -> Option<usize> {
        self.violations.iter().position(|entry| {
            entry.check == violation.check
                && entry.operation == violation.operation_id
                && entry.fingerprint == fingerprint
        })
    }

    /// The JSON schema of the file, as committed in `conformance/baseline.schema.json`.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Baseline);
        let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
        text.push('\n');
        text
    }
}

/// A date written as a TOML local date (`2027-01-31`) or as a string (`"2027-01-31"`).
fn toml_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<NaiveDate>, D::Error> {
    let text = match toml::Value::deserialize(deserializer)? {
        toml::Value::String(text) => text,
        toml::Value::Datetime(date) if date.time.is_none() && date.offset.is_none() => {
            date.to_string()
        }
        other => {
            return Err(serde::de::Error::custom(format!(
                "expires must be a date such as 2027-01-31, not {other}"
            )));
        }
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("expires {text:?} is not a date YYYY-MM-DD")))
}

/// The line (1-based) of the `index`-th `[[violation]]` table of `text`.
fn entry_line(text: &str, index: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with("[[violation]]"))
        .nth(index)
        .map(|(number, _)| number + 1)
        .unwrap_or(1)
}

/// A TOML error in one line: where, then what.
pub fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end_matches('.').to_owned();
    match error.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}

fn is_fingerprint(text: &str) -> bool {
    text.len() == 16
        && text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// The fingerprint of `violation`: the first 16 hex digits of the SHA-256 of its check, its
/// operation, the kind of answer ([`answer_kind`]) and its expectation normalized
/// ([`normalize`]), so that the same defect found with another seed gives the same one.
pub fn fingerprint(violation: &Violation) -> String {
    let mut hasher = Sha256::new();
    for part in [
        violation.check,
        violation.operation_id.as_str(),
        &answer_kind(&violation.received),
        &normalize(&violation.expected),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..8]
        .iter()
        .fold(String::with_capacity(16), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// The kind of answer a violation's `received` describes: `status 404` for the first status
/// code it shows (`404 (application/json) …`), `no response` when none came, `other` else.
pub fn answer_kind(received: &str) -> String {
    let bytes = received.as_bytes();
    for start in 0..bytes.len().saturating_sub(4) {
        let at_word = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let code = &bytes[start..start + 3];
        if at_word
            && matches!(code[0], b'1'..=b'5')
            && code.iter().all(u8::is_ascii_digit)
            && bytes[start + 3..].starts_with(b" (")
        {
            return format!("status {}", &received[start..start + 3]);
        }
    }
    if received.contains("no response") || received.contains("no usable response") {
        "no response".into()
    } else {
        "other".into()
    }
}

/// `expected` with generated values replaced by placeholders: quoted text by `"…"`, the run's
/// names (`nc-<seed>-…`) by `[name]`, ObjectIds and UUIDs by `[id]`, numbers of five digits or
/// more (seeds, case numbers, timestamps) by `[n]`.
pub fn normalize(expected: &str) -> String {
    let mut out = String::with_capacity(expected.len());
    let characters: Vec<char> = expected.chars().collect();
    let mut index = 0;
    let word_end = |from: usize| {
        let mut end = from;
        while end < characters.len()
            && (characters[end].is_alphanumeric() || matches!(characters[end], '-' | '_' | '.'))
        {
            end += 1;
        }
        end
    };
    while index < characters.len() {
        let character = characters[index];
        let at_word = index == 0 || !characters[index - 1].is_alphanumeric();
        if character == '"' {
            let close = characters[index + 1..]
                .iter()
                .position(|next| *next == '"')
                .map(|offset| index + 1 + offset);
            if let Some(close) = close {
                out.push_str("\"…\"");
                index = close + 1;
                continue;
            }
        }
        if at_word && character.is_alphanumeric() {
            let end = word_end(index);
            let word: String = characters[index..end].iter().collect();
            let hex = |text: &str| text.chars().all(|c| c.is_ascii_hexdigit());
            let replacement = if word.starts_with("nc-") {
                Some("[name]")
            } else if (word.len() == 24 && hex(&word))
                || (word.len() == 36 && word.split('-').map(str::len).eq([8, 4, 4, 4, 12]))
            {
                Some("[id]")
            } else if word.len() >= 5 && word.chars().all(|c| c.is_ascii_digit()) {
                Some("[n]")
            } else {
                None
            };
            out.push_str(replacement.unwrap_or(&word));
            index = end;
            continue;
        }
        out.push(character);
        index += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(expected: &str, received: &str) -> Violation {
        Violation {
            check: "response-conformance",
            operation_id: "topics_get".into(),
            expected: expected.into(),
            received: received.into(),
            curl: None,
        }
    }

    #[test]
    fn fingerprints_ignore_generated_values_but_not_the_defect() {
        let one = violation(
            "topic \"nc-42-3\" (id 6512a1b2c3d4e5f601234567) answers 200 in case 123456",
            "body invalid; 500 (application/json) {\"id\":\"a\"}",
        );
        let other = violation(
            "topic \"nc-7-9\" (id 0000a1b2c3d4e5f601234567) answers 200 in case 99999",
            "body invalid; 500 (application/json) {\"id\":\"b\"}",
        );
        assert_eq!(fingerprint(&one), fingerprint(&other));
        let another_status = violation(&one.expected, "404 (application/json) {}");
        assert_ne!(fingerprint(&one), fingerprint(&another_status));
        let another_expectation = violation("answers 201", &one.received);
        assert_ne!(fingerprint(&one), fingerprint(&another_expectation));
        assert_eq!(fingerprint(&one).len(), 16);
    }

    #[test]
    fn answer_kinds_read_the_status_or_its_absence() {
        assert_eq!(answer_kind("500 (text/plain) oops"), "status 500");
        assert_eq!(
            answer_kind("missing header; 201 (application/json) {}"),
            "status 201"
        );
        assert_eq!(answer_kind("no response: timeout"), "no response");
        assert_eq!(answer_kind("two items"), "other");
    }

    #[test]
    fn expiry_dates_are_read_bare_or_quoted() {
        let entry = |expires: &str| {
            format!(
                "[[violation]]\ncheck = \"a\"\noperation = \"b\"\n\
                 fingerprint = \"0123456789abcdef\"\nreason = \"ok\"\nexpires = {expires}\n"
            )
        };
        let date = NaiveDate::from_ymd_opt(2027, 1, 31);
        for written in ["2027-01-31", "\"2027-01-31\""] {
            let baseline = Baseline::parse("b.toml", &entry(written)).unwrap();
            assert_eq!(baseline.violations[0].expires, date);
        }
        let error = Baseline::parse("b.toml", &entry("\"soon\""))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 6") && error.contains("soon"),
            "{error}"
        );
    }

    #[test]
    fn a_placeholder_reason_and_unknown_keys_are_refused_with_their_line() {
        let text = "[[violation]]\ncheck = \"auth-missing-key\"\noperation = \"x\"\n\
                    fingerprint = \"0123456789abcdef\"\nreason = \"ok\"\n\n[[violation]]\n\
                    check = \"a\"\noperation = \"b\"\nfingerprint = \"0123456789abcdef\"\n\
                    reason = \"TODO: fill\"\n";
        let error = Baseline::parse("b.toml", text).unwrap_err().to_string();
        assert!(
            error.contains("line 7") && error.contains("TODO"),
            "{error}"
        );
        let error = Baseline::parse("b.toml", "[[violation]]\ncolour = 1\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 2") && error.contains("colour"),
            "{error}"
        );
    }
}
