//! What a run found: one result per check and operation, each with its violations.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

/// One way a server broke the contract.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The check that found it.
    pub check: &'static str,
    /// The operation concerned.
    pub operation_id: String,
    /// What the contract asks for.
    pub expected: String,
    /// What the server did.
    pub received: String,
    /// A command that sends the request again (`$NOVU_API_KEY` stands for the key).
    pub curl: Option<String>,
}

/// The result of one check on one operation.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check's stable name.
    pub check: &'static str,
    /// The operation.
    pub operation_id: String,
    /// The operation's tag.
    pub tag: String,
    /// How many requests the check sent (or, for `response-conformance`, how many responses
    /// it examined).
    pub requests: u32,
    /// What went wrong; empty when the check passed.
    pub violations: Vec<Violation>,
    /// Why the check did not apply, when it was skipped.
    pub skipped: Option<String>,
}

impl CheckResult {
    /// Whether the check passed (a skipped check neither passes nor fails).
    pub fn passed(&self) -> bool {
        self.violations.is_empty() && self.skipped.is_none()
    }

    /// Whether the check failed.
    pub fn failed(&self) -> bool {
        !self.violations.is_empty()
    }
}

/// How one ported case of a check that plays cases (`novu-e2e`) ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CaseOutcome {
    /// Every assertion held.
    Passed,
    /// An assertion failed or the case could not be set up; the violation says which.
    Failed,
    /// Not played, and why.
    Skipped(String),
}

/// One case a check played (or skipped): where it comes from and how it ended.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRecord {
    /// The check that played it.
    pub check: &'static str,
    /// The file it was ported from.
    pub source: &'static str,
    /// The title of the test it was ported from.
    pub title: &'static str,
    /// How it ended.
    pub outcome: CaseOutcome,
}

/// Collects results from concurrent checks.
#[derive(Debug, Default)]
pub struct Recorder {
    results: Mutex<BTreeMap<(String, &'static str), CheckResult>>,
    cases: Mutex<Vec<CaseRecord>>,
}

impl Recorder {
    fn with<T>(
        &self,
        check: &'static str,
        operation_id: &str,
        tag: &str,
        action: impl FnOnce(&mut CheckResult) -> T,
    ) -> T {
        let mut results = self.results.lock().expect("recorder poisoned");
        let result = results
            .entry((operation_id.to_owned(), check))
            .or_insert_with(|| CheckResult {
                check,
                operation_id: operation_id.to_owned(),
                tag: tag.to_owned(),
                requests: 0,
                violations: Vec::new(),
                skipped: None,
            });
        action(result)
    }

    /// Counts one request of `check` on the operation.
    pub fn request(&self, check: &'static str, operation_id: &str, tag: &str) {
        self.with(check, operation_id, tag, |result| {
            result.requests += 1;
            result.skipped = None;
        });
    }

    /// Records a violation.
    pub fn violation(&self, tag: &str, violation: Violation) {
        let operation_id = violation.operation_id.clone();
        self.with(violation.check, &operation_id, tag, |result| {
            result.skipped = None;
            result.violations.push(violation);
        });
    }

    /// Records that `check` does not apply to the operation, unless it already ran on it or
    /// a reason is recorded already (the first, most specific one stays).
    pub fn skip(&self, check: &'static str, operation_id: &str, tag: &str, reason: &str) {
        self.with(check, operation_id, tag, |result| {
            if result.requests == 0 && result.violations.is_empty() && result.skipped.is_none() {
                result.skipped = Some(reason.to_owned());
            }
        });
    }

    /// Records how a played case ended.
    pub fn case(&self, record: CaseRecord) {
        self.cases.lock().expect("recorder poisoned").push(record);
    }

    /// Every case played, in the order they ended.
    pub fn cases(&self) -> Vec<CaseRecord> {
        self.cases.lock().expect("recorder poisoned").clone()
    }

    /// Every result, ordered by operation and check.
    pub fn results(&self) -> Vec<CheckResult> {
        self.results
            .lock()
            .expect("recorder poisoned")
            .values()
            .cloned()
            .collect()
    }
}
