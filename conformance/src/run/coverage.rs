//! Which documented statuses a run saw: per selected operation, the statuses its exchanges got
//! (every exchange on the wire, whichever check or set-up sent it, matched to the operation by
//! method and path template), set against the statuses the contract documents; and the gates
//! a run may be asked to meet on them (`--require`, `--require-status-coverage`).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::contract::{Operation, Spec};
use crate::error::{Error, Result};

/// What the run saw of one operation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationCoverage {
    /// The `operationId`.
    pub operation_id: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// The path template.
    pub path: String,
    /// Requests whose answer had a status.
    pub requests: u32,
    /// Every status the contract documents (`"200"`, `"default"`, …).
    pub documented: Vec<String>,
    /// Every status seen, with how many answers had it.
    pub observed: BTreeMap<u16, u32>,
    /// Documented statuses seen.
    pub documented_observed: Vec<u16>,
    /// Documented statuses never seen.
    pub never_observed: Vec<u16>,
    /// Statuses seen that the contract does not document (not even by a range or `default`).
    pub undocumented_observed: Vec<u16>,
}

/// What the run saw of the selected operations, in contract order.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// One entry per selected operation.
    pub operations: Vec<OperationCoverage>,
}

/// Whether a documented `status` counts in the status coverage: a conforming run cannot
/// provoke a rate limit or a server error, so 429 and 5xx are listed but not counted.
pub fn counts_in_share(status: u16) -> bool {
    status != 429 && status < 500
}

impl Coverage {
    /// The coverage of `selected` by `statuses` (per method and path as sent, with counts).
    pub fn new(
        spec: &Spec,
        selected: &[Operation],
        statuses: &HashMap<(String, String), BTreeMap<u16, u32>>,
    ) -> Coverage {
        // The dashboard-only routes take their own exchanges, so that none is counted for an
        // operation whose template happens to match it too.
        let dashboard_routes = spec.dashboard_routes();
        let templates: Vec<(&Operation, Vec<&str>)> = spec
            .operations
            .iter()
            .chain(&dashboard_routes)
            .map(|operation| (operation, segments(&operation.path)))
            .collect();
        let mut seen: HashMap<&str, BTreeMap<u16, u32>> = HashMap::new();
        for ((method, path), counts) in statuses {
            let Some(operation) = match_operation(&templates, method, path) else {
                continue;
            };
            let entry = seen.entry(operation.operation_id.as_str()).or_default();
            for (status, count) in counts {
                *entry.entry(*status).or_default() += count;
            }
        }
        let operations = selected
            .iter()
            .map(|operation| {
                let observed = seen
                    .remove(operation.operation_id.as_str())
                    .unwrap_or_default();
                let numeric: Vec<u16> = operation
                    .responses
                    .keys()
                    .filter_map(|status| status.parse().ok())
                    .collect();
                OperationCoverage {
                    operation_id: operation.operation_id.clone(),
                    method: operation.method.clone(),
                    path: operation.path.clone(),
                    requests: observed.values().sum(),
                    documented: operation.responses.keys().cloned().collect(),
                    documented_observed: numeric
                        .iter()
                        .copied()
                        .filter(|status| observed.contains_key(status))
                        .collect(),
                    never_observed: numeric
                        .iter()
                        .copied()
                        .filter(|status| !observed.contains_key(status))
                        .collect(),
                    undocumented_observed: observed
                        .keys()
                        .copied()
                        .filter(|status| operation.response_for(*status).is_none())
                        .collect(),
                    observed,
                }
            })
            .collect();
        Coverage { operations }
    }

    /// Documented (operation, status) pairs seen and counted, of those counted
    /// ([`counts_in_share`]).
    pub fn pairs(&self) -> (usize, usize) {
        let counted = |statuses: &[u16]| {
            statuses
                .iter()
                .filter(|status| counts_in_share(**status))
                .count()
        };
        self.operations
            .iter()
            .fold((0, 0), |(seen, all), operation| {
                let observed = counted(&operation.documented_observed);
                (
                    seen + observed,
                    all + observed + counted(&operation.never_observed),
                )
            })
    }

    /// The share of counted documented pairs seen, in percent (100 when none is documented).
    pub fn share(&self) -> f64 {
        let (seen, all) = self.pairs();
        if all == 0 {
            100.0
        } else {
            seen as f64 * 100.0 / all as f64
        }
    }

    /// Operations with at least one answer.
    pub fn operations_reached(&self) -> usize {
        self.operations
            .iter()
            .filter(|operation| operation.requests > 0)
            .count()
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_end_matches('/').split('/').collect()
}

/// The operation whose template matches `method` and `path`: a `{parameter}` matches one
/// non-empty segment, and of several matches the one with the most literal segments wins
/// (`/v1/subscribers/bulk` over `/v1/subscribers/{subscriberId}`).
fn match_operation<'a>(
    templates: &[(&'a Operation, Vec<&str>)],
    method: &str,
    path: &str,
) -> Option<&'a Operation> {
    let actual = segments(path);
    templates
        .iter()
        .filter(|(operation, expected)| {
            operation.method == method
                && expected.len() == actual.len()
                && expected.iter().zip(&actual).all(|(want, got)| {
                    (want.starts_with('{') && want.ends_with('}') && !got.is_empty()) || want == got
                })
        })
        .max_by_key(|(_, expected)| {
            expected
                .iter()
                .filter(|segment| !segment.starts_with('{'))
                .count()
        })
        .map(|(operation, _)| *operation)
}

/// A gate of `--require`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `2xx-per-operation`: every selected operation got at least one 2xx.
    SuccessPerOperation,
    /// `status:NNN`: every selected operation that documents NNN got at least one.
    Status(u16),
}

impl Requirement {
    /// Reads `2xx-per-operation` or `status:NNN` (`documented-NNN` too).
    pub fn parse(text: &str) -> Result<Requirement> {
        let text = text.trim();
        if text == "2xx-per-operation" {
            return Ok(Requirement::SuccessPerOperation);
        }
        let code = text
            .strip_prefix("status:")
            .or_else(|| text.strip_prefix("documented-"));
        match code.and_then(|code| code.parse::<u16>().ok()) {
            Some(status) if (100..600).contains(&status) => Ok(Requirement::Status(status)),
            _ => Err(Error::Usage(format!(
                "unknown requirement {text:?}: write 2xx-per-operation or status:NNN (e.g. status:404)"
            ))),
        }
    }

    /// Its name, as written.
    pub fn name(&self) -> String {
        match self {
            Requirement::SuccessPerOperation => "2xx-per-operation".into(),
            Requirement::Status(status) => format!("status:{status}"),
        }
    }
}

/// Reads `80%` or `80` as a percentage between 0 and 100.
pub fn parse_percentage(text: &str) -> Result<f64> {
    let number = text.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(value) if (0.0..=100.0).contains(&value) => Ok(value),
        _ => Err(Error::Usage(format!(
            "status coverage {text:?} is not a percentage between 0 and 100, e.g. 80%"
        ))),
    }
}

/// A gate the run was asked to meet, and what misses it.
#[derive(Debug, Clone, Serialize)]
pub struct GateResult {
    /// The gate, as written (`2xx-per-operation`, `status:404`, `status-coverage 80%`).
    pub gate: String,
    /// Whether it is met.
    pub met: bool,
    /// What misses it: operations, or operations with statuses.
    pub missing: Vec<String>,
    /// A line saying how far the run got.
    pub summary: String,
}

/// Judges `requirements` and the `status_coverage` floor against `coverage`.
pub fn judge_gates(
    coverage: &Coverage,
    requirements: &[Requirement],
    status_coverage: Option<f64>,
) -> Vec<GateResult> {
    let mut results = Vec::new();
    for requirement in requirements {
        let missing: Vec<String> = coverage
            .operations
            .iter()
            .filter(|operation| match requirement {
                Requirement::SuccessPerOperation => !operation
                    .observed
                    .keys()
                    .any(|status| (200..300).contains(status)),
                Requirement::Status(status) => {
                    operation.documented.contains(&status.to_string())
                        && !operation.observed.contains_key(status)
                }
            })
            .map(|operation| operation.operation_id.clone())
            .collect();
        let summary = match requirement {
            Requirement::SuccessPerOperation => format!(
                "{} of {} operations got no 2xx",
                missing.len(),
                coverage.operations.len()
            ),
            Requirement::Status(status) => format!(
                "{} operations document {status} but never got it",
                missing.len()
            ),
        };
        results.push(GateResult {
            gate: requirement.name(),
            met: missing.is_empty(),
            missing,
            summary,
        });
    }
    if let Some(floor) = status_coverage {
        let (seen, all) = coverage.pairs();
        let share = coverage.share();
        let missing = coverage
            .operations
            .iter()
            .flat_map(|operation| {
                operation
                    .never_observed
                    .iter()
                    .filter(|status| counts_in_share(**status))
                    .map(move |status| format!("{} {status}", operation.operation_id))
            })
            .collect();
        results.push(GateResult {
            gate: format!("status-coverage {floor}%"),
            met: share + 1e-9 >= floor,
            missing,
            summary: format!(
                "{seen} of {all} documented (operation, status) pairs seen: {share:.1}%, \
                 {floor}% required"
            ),
        });
    }
    results
}
