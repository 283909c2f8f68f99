//! What a run found: one result per check and operation, each with its violations and what
//! the run learnt of each (its fingerprint, the baseline entry expecting it, whether it
//! reproduced when sent again).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::Serialize;

use super::baseline::{Baseline, fingerprint};
use super::recheck::{Recheck, Rechecks};
use super::violation::Violation;

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
    /// What the run learnt of each violation, in the same order.
    pub labels: Vec<Label>,
    /// Why the check did not apply, when it was skipped.
    pub skipped: Option<String>,
}

/// What the run learnt of one violation.
#[derive(Debug, Clone, Serialize)]
pub struct Label {
    /// Its fingerprint (see `baseline.rs`), the key of baseline entries.
    pub fingerprint: String,
    /// The reason of the baseline entry that expects it, if one does.
    pub baseline: Option<String>,
    /// What sending its request again showed.
    pub recheck: Recheck,
}

impl Label {
    /// Whether the baseline expects the violation.
    pub fn expected(&self) -> bool {
        self.baseline.is_some()
    }

    /// Whether its request, sent again, did not reproduce it.
    pub fn flaky(&self) -> bool {
        self.recheck == Recheck::Flaky
    }

    /// Whether the violation fails the run: not expected, and not flaky unless `strict`.
    pub fn fails(&self, strict: bool) -> bool {
        !self.expected() && (strict || !self.flaky())
    }
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

    /// Whether every violation of the check is expected by the baseline (and there is one).
    pub fn all_expected(&self) -> bool {
        self.failed() && self.labels.iter().all(Label::expected)
    }

    /// Each violation with its label.
    pub fn findings(&self) -> impl Iterator<Item = (&Violation, &Label)> {
        self.violations.iter().zip(&self.labels)
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

/// Collects results from concurrent checks, labels each violation as it comes (its
/// fingerprint, the baseline entry expecting it) and has its request sent again.
#[derive(Debug, Default)]
pub struct Recorder {
    results: Mutex<BTreeMap<(String, &'static str), CheckResult>>,
    cases: Mutex<Vec<CaseRecord>>,
    baseline: Baseline,
    /// Violations each baseline entry matched.
    matched: Mutex<Vec<u32>>,
    /// Violations no baseline entry expects.
    unexpected: AtomicU32,
    /// `--max-failures`.
    max_failures: Option<u32>,
    rechecks: Option<Rechecks>,
}

impl Recorder {
    /// A recorder that labels violations by `baseline`, says the run is cut short after
    /// `max_failures` unexpected ones, and has `rechecks` send their requests again.
    pub fn new(
        baseline: Baseline,
        max_failures: Option<u32>,
        rechecks: Option<Rechecks>,
    ) -> Recorder {
        Recorder {
            matched: Mutex::new(vec![0; baseline.violations.len()]),
            baseline,
            max_failures,
            rechecks,
            ..Recorder::default()
        }
    }

    /// Whether `--max-failures` unexpected violations were recorded: no new work starts.
    pub fn cut_short(&self) -> bool {
        self.max_failures
            .is_some_and(|limit| self.unexpected.load(Ordering::SeqCst) >= limit)
    }

    /// Violations each baseline entry matched, in the file's order.
    pub fn baseline_matches(&self) -> Vec<u32> {
        self.matched.lock().expect("recorder poisoned").clone()
    }

    /// Waits for the requests sent again and labels their violations flaky or reproduced.
    pub async fn settle_rechecks(&self) {
        let Some(rechecks) = &self.rechecks else {
            return;
        };
        for (key, index, recheck) in rechecks.settle().await {
            let mut results = self.results.lock().expect("recorder poisoned");
            if let Some(label) = results
                .get_mut(&key)
                .and_then(|result| result.labels.get_mut(index))
            {
                label.recheck = recheck;
            }
        }
    }

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
                labels: Vec::new(),
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

    /// Records a violation, labelled, and has its request sent again.
    pub fn violation(&self, tag: &str, violation: Violation) {
        let (check, operation_id) = (violation.check, violation.operation_id.clone());
        let fingerprint = fingerprint(&violation);
        let entry = self.baseline.entry_for(&violation, &fingerprint);
        match entry {
            Some(entry) => self.matched.lock().expect("recorder poisoned")[entry] += 1,
            None => {
                self.unexpected.fetch_add(1, Ordering::SeqCst);
            }
        }
        let candidate = self
            .rechecks
            .as_ref()
            .and_then(|rechecks| rechecks.candidate(&violation));
        let label = Label {
            fingerprint,
            baseline: entry.map(|entry| self.baseline.violations[entry].reason.clone()),
            recheck: if candidate.is_some() {
                Recheck::Pending
            } else {
                Recheck::NotSent
            },
        };
        let index = self.with(check, &operation_id, tag, |result| {
            result.skipped = None;
            result.violations.push(violation);
            result.labels.push(label);
            result.violations.len() - 1
        });
        if let (Some(rechecks), Some(candidate)) = (&self.rechecks, candidate) {
            rechecks.spawn((operation_id, check), index, candidate);
        }
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
