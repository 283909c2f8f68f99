//! The `snapshots` check: one curated scenario per tag (create → read → update → list → delete,
//! trigger → feed, …) played with fixed data, whose normalized transcript must hold everything
//! the one committed under `conformance/snapshots/` holds; a server may answer with more fields
//! (see `align`).
//!
//! Normalization has two layers, and the check applies both exactly as the snapshot tests do.
//! The library replaces what it recognises by value, wherever it appears (paths, error
//! messages, change diffs): server-made ids become placeholders that keep identity (`[id-1]` is
//! the same resource in every step), date-times `[timestamp]`, the run's API key `[key]`. Then a
//! scenario's [`Scenario::redactions`] replace by name the random values nothing else reveals
//! (an API key's hash); the tests hand the very same selectors to insta.

mod align;
mod play;
mod scripts;
mod transcript;

use std::sync::Arc;

use serde_json::Value;

use super::check::{Check, Phase, ReadOnly, Task};
use crate::contract::{Operation, Spec};
use crate::error::{Error, Result};
use crate::run::{Run, Violation};
use crate::transport::{HttpClient, Request};
use play::{RawStep, Script, Target};
use transcript::normalize;

pub use transcript::{Transcript, TranscriptStep};

/// `snapshots`.
pub const SNAPSHOTS: &str = "snapshots";

/// `snapshots`.
pub struct Snapshots;

impl Check for Snapshots {
    fn name(&self) -> &'static str {
        SNAPSHOTS
    }

    fn description(&self) -> &'static str {
        "one curated scenario per tag, played with fixed data, gives the normalized transcript committed under conformance/snapshots/ (fields beyond it may be sent)"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    fn phase(&self) -> Phase {
        Phase::BeforeWrites
    }

    fn covers(&self, operation: &Operation) -> bool {
        SCENARIOS.iter().any(|scenario| {
            scenario
                .operations
                .contains(&operation.operation_id.as_str())
        })
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            if !run.read_only {
                every_scenario(run).await;
            }
        })
    }
}

/// A curated scenario: a short fixed script exercising one tag of the contract.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// The snapshot's name (`snapshots/it__snapshots__<name>.snap`).
    pub name: &'static str,
    /// The tag it exercises.
    pub tag: &'static str,
    /// What it does, in a line.
    pub description: &'static str,
    /// Every operation it sends, the first being the one whose selection runs it.
    pub operations: &'static [&'static str],
    /// insta selectors (`.**.<field>`) of random values, with the placeholder each string gets.
    pub redactions: &'static [(&'static str, &'static str)],
    snapshot: &'static str,
}

macro_rules! scenario {
    ($name:literal, $tag:literal, $description:literal, [$($operation:literal),+ $(,)?]
     $(, redact [$(($selector:literal, $placeholder:literal)),+])?) => {
        Scenario {
            name: $name,
            tag: $tag,
            description: $description,
            operations: &[$($operation),+],
            redactions: &[$($(($selector, $placeholder)),+)?],
            snapshot: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/snapshots/it__snapshots__",
                $name,
                ".snap"
            )),
        }
    };
}

/// Every scenario, one per tag of the contract.
pub const SCENARIOS: &[Scenario] = &[
    scenario!(
        "events",
        "Events",
        "a workflow with an in-app step and a subscriber; trigger; the feed shows the message; mark it read; the unseen count; cancel",
        [
            "events_trigger",
            "workflow_groups_create",
            "workflows_create",
            "subscribers_create",
            "subscriber_notifications_feed",
            "subscriber_messages_mark_as",
            "subscriber_notifications_unseen_count",
            "events_cancel",
            "workflows_delete",
            "workflow_groups_delete",
            "workflows_list",
            "workflow_groups_list",
            "subscribers_delete",
        ]
    ),
    scenario!(
        "subscribers",
        "Subscribers",
        "create, read, update, set the online status, delete, read after delete",
        [
            "subscribers_create",
            "subscribers_get",
            "subscribers_update",
            "subscriber_online_status_update",
            "subscribers_delete",
        ]
    ),
    scenario!(
        "topics",
        "Topics",
        "create, read, rename, add and read a subscriber, list by key, remove it, delete, read after delete",
        [
            "topics_create",
            "topics_get",
            "topics_rename",
            "subscribers_create",
            "topic_subscribers_add",
            "topic_subscribers_get",
            "topics_list",
            "topic_subscribers_remove",
            "topics_delete",
            "subscribers_delete",
        ]
    ),
    scenario!(
        "notifications",
        "Notifications",
        "trigger an in-app workflow, find the notification by transaction id, read it",
        [
            "notifications_list",
            "workflow_groups_create",
            "workflows_create",
            "subscribers_create",
            "events_trigger",
            "subscriber_notifications_feed",
            "notifications_get",
            "workflows_delete",
            "workflow_groups_delete",
            "workflows_list",
            "workflow_groups_list",
            "subscribers_delete",
        ]
    ),
    scenario!(
        "workflows",
        "Workflows",
        "create, read, update, deactivate, list by name, delete, read after delete",
        [
            "workflows_create",
            "workflow_groups_create",
            "workflows_retrieve",
            "workflows_update",
            "workflow_status_update",
            "workflows_list",
            "workflows_delete",
            "workflow_groups_delete",
            "workflow_groups_list",
        ]
    ),
    scenario!(
        "workflow-overrides",
        "Workflow Overrides",
        "override a workflow for a tenant: create, read, update, read by tenant, delete, read after delete",
        [
            "workflow_overrides_create",
            "workflow_groups_create",
            "workflows_create",
            "tenants_create",
            "workflow_overrides_retrieve",
            "workflow_overrides_update",
            "workflow_overrides_retrieve_by_tenant",
            "workflow_overrides_delete",
            "workflows_delete",
            "workflow_groups_delete",
            "workflows_list",
            "workflow_groups_list",
            "tenants_delete",
        ]
    ),
    scenario!(
        "workflow-groups",
        "Workflow groups",
        "create, read, rename, list (own groups only), delete, read after delete",
        [
            "workflow_groups_create",
            "workflow_groups_retrieve",
            "workflow_groups_update",
            "workflow_groups_list",
            "workflow_groups_delete",
        ]
    ),
    scenario!(
        "integrations",
        "Integrations",
        "create, list (own integrations only), update, delete, list after delete",
        [
            "integrations_create",
            "integrations_list",
            "integrations_update",
            "integrations_delete",
        ]
    ),
    scenario!(
        "layouts",
        "Layouts",
        "create, read, update, list (own layouts only), delete, read after delete",
        [
            "layouts_create",
            "layouts_retrieve",
            "layouts_update",
            "layouts_list",
            "layouts_delete",
        ]
    ),
    scenario!(
        "execution-details",
        "Execution Details",
        "trigger an in-app workflow and read the execution details of its notification",
        [
            "execution_details_list",
            "workflow_groups_create",
            "workflows_create",
            "subscribers_create",
            "events_trigger",
            "subscriber_notifications_feed",
            "notifications_list",
            "workflows_delete",
            "workflow_groups_delete",
            "workflows_list",
            "workflow_groups_list",
            "subscribers_delete",
        ]
    ),
    scenario!(
        "organizations",
        "Organizations",
        "rename the organization, set its branding, read it (the name and branding are restored afterwards)",
        [
            "organizations_rename",
            "organizations_retrieve_current",
            "organization_branding_update",
        ]
    ),
    scenario!(
        "messages",
        "Messages",
        "trigger an in-app workflow, list the subscriber's messages, delete the message, list again, delete by transaction",
        [
            "messages_list",
            "workflow_groups_create",
            "workflows_create",
            "subscribers_create",
            "events_trigger",
            "subscriber_notifications_feed",
            "messages_delete",
            "messages_delete_by_transaction",
            "workflows_delete",
            "workflow_groups_delete",
            "workflows_list",
            "workflow_groups_list",
            "subscribers_delete",
        ]
    ),
    scenario!(
        "changes",
        "Changes",
        "create a workflow, find its pending change, apply it, list the change as promoted",
        [
            "changes_list",
            "workflow_groups_create",
            "workflows_create",
            "changes_apply",
            "workflows_delete",
            "workflow_groups_delete",
            "workflows_list",
            "workflow_groups_list",
        ]
    ),
    scenario!(
        "environments",
        "Environments",
        "the key's environment, every environment of the organization, the API keys",
        [
            "environments_retrieve_current",
            "environments_list",
            "environment_api_keys_list",
        ],
        redact [(".**.hash", "[hash]"), (".**.identifier", "[identifier]")]
    ),
    scenario!(
        "feeds",
        "Feeds",
        "create, list (own feeds only), delete, list after delete",
        ["feeds_create", "feeds_list", "feeds_delete"]
    ),
    scenario!(
        "tenants",
        "Tenants",
        "create, read, update, list (own tenants only), delete, read after delete",
        [
            "tenants_create",
            "tenants_get",
            "tenants_update",
            "tenants_list",
            "tenants_delete",
        ]
    ),
];

/// Plays `scenario` against the server at `base_url` and returns its normalized transcript,
/// as the snapshot tests record it.
pub async fn record(scenario: &Scenario, base_url: &str, api_key: &str) -> Result<Transcript> {
    let spec = Spec::embedded()?;
    let http = HttpClient::new(base_url, api_key, std::time::Duration::from_secs(10))?;
    let mut script = Script::new(Target::Client {
        http: &http,
        spec: &spec,
    });
    scripts::play(scenario.name, &mut script).await;
    Ok(normalize(scenario.name, script.steps(), api_key))
}

/// A scenario played against one server for `differential`: its transcript as this check
/// compares it (normalized and redacted), and the `curl` command of each recorded step.
pub(crate) struct Replay {
    /// The transcript, as JSON.
    pub transcript: Value,
    /// The `curl` command of each step of the transcript.
    pub curls: Vec<String>,
}

/// Plays `scenario` against the server of `http`, counting its requests for `check`.
pub(crate) async fn replay(
    scenario: &Scenario,
    run: &Run,
    http: &HttpClient,
    check: &'static str,
) -> Replay {
    let mut script = Script::new(Target::Client {
        http,
        spec: &run.spec,
    });
    scripts::play(scenario.name, &mut script).await;
    for step in script.steps() {
        if let Some(operation) = run.spec.operation(&step.operation) {
            run.recorder
                .request(check, &operation.operation_id, &operation.tag);
        }
    }
    let transcript = normalize(scenario.name, script.steps(), http.api_key());
    Replay {
        transcript: redacted(scenario, &transcript),
        curls: recorded_curls(script.steps()),
    }
}

/// A request another play sent, with its answer, to be normalized as transcripts are.
pub(crate) struct Sent {
    /// The operation.
    pub operation: String,
    /// The request.
    pub request: Request,
    /// Its `curl` command.
    pub curl: String,
    /// The status; `None` without a response.
    pub status: Option<u16>,
    /// The body: JSON, the text when it is not JSON, or null.
    pub response: Value,
}

/// The transcript of requests another play sent (a lifecycle sequence), normalized as a
/// scenario's is: ids by order of first appearance, date-times, `api_key`.
pub(crate) fn normalized(name: &str, sent: Vec<Sent>, api_key: &str) -> Value {
    let steps: Vec<RawStep> = sent
        .into_iter()
        .map(|sent| RawStep {
            operation: sent.operation,
            request: sent.request,
            curl: sent.curl,
            status: sent.status,
            response: sent.response,
            kept: None,
            recorded: true,
        })
        .collect();
    let mut value = serde_json::to_value(normalize(name, &steps, api_key)).unwrap_or(Value::Null);
    integral_numbers(&mut value);
    value
}

fn recorded_curls(steps: &[RawStep]) -> Vec<String> {
    steps
        .iter()
        .filter(|step| step.recorded)
        .map(|step| step.curl.clone())
        .collect()
}

/// The transcript committed for `scenario`, read past insta's header.
fn committed(scenario: &Scenario) -> Result<Value> {
    let spec_error = |message: String| Error::Spec {
        name: format!("(snapshot {})", scenario.name),
        message,
    };
    let text = scenario.snapshot.replace("\r\n", "\n");
    let body = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, body)| body)
        .ok_or_else(|| spec_error("no insta header: run `cargo insta review`".into()))?;
    serde_norway::from_str(body).map_err(|error| spec_error(format!("not YAML: {error}")))
}

/// Plays every scenario whose first operation is selected and reports a behaviour difference
/// for each transcript that differs from its committed snapshot.
///
/// Requests for operations outside the selection are sent quietly, as the fixtures are, so
/// that a report names only selected operations; a difference found on one of them is
/// reported on the scenario's first operation.
async fn every_scenario(run: &Run) {
    let api_key = run.http.api_key();
    for scenario in SCENARIOS {
        let Some(first) = run
            .selected
            .iter()
            .find(|operation| operation.operation_id == scenario.operations[0])
        else {
            continue;
        };
        let mut script = Script::new(Target::Run {
            run,
            check: SNAPSHOTS,
        });
        scripts::play(scenario.name, &mut script).await;
        let transcript = normalize(scenario.name, script.steps(), api_key);
        if let Some(mut violation) = compare(scenario, &transcript, script.steps()) {
            if !run.is_selected(&violation.operation_id) {
                violation.operation_id = first.operation_id.clone();
            }
            let operation = run.spec.operation(&violation.operation_id).unwrap_or(first);
            run.violation(operation, violation);
        }
        let operations: Vec<String> = scenario
            .operations
            .iter()
            .filter(|operation| run.is_selected(operation))
            .map(|operation| (*operation).to_owned())
            .collect();
        run.progress_line(SNAPSHOTS, scenario.tag, &operations);
    }
}

fn compare(scenario: &Scenario, transcript: &Transcript, raw: &[RawStep]) -> Option<Violation> {
    let expected_path = format!(
        "conformance/snapshots/it__snapshots__{}.snap",
        scenario.name
    );
    let received = redacted(scenario, transcript);
    let expected = match committed(scenario) {
        Ok(expected) => expected,
        Err(error) => {
            return Some(Violation {
                check: SNAPSHOTS,
                operation_id: scenario.operations[0].to_owned(),
                expected: format!("the transcript committed in {expected_path}"),
                received: error.to_string(),
                curl: None,
            });
        }
    };
    if expected == received {
        return None;
    }
    let (expected, received) = align::aligned(&expected, &received);
    if expected == received {
        return None;
    }
    let steps = |value: &Value| value.get("steps").and_then(Value::as_array).cloned();
    let (expected_steps, received_steps) = (
        steps(&expected).unwrap_or_default(),
        steps(&received).unwrap_or_default(),
    );
    let first = (0..expected_steps.len().max(received_steps.len()))
        .find(|index| expected_steps.get(*index) != received_steps.get(*index))
        .unwrap_or(0);
    let operation_id = transcript
        .steps
        .get(first)
        .map(|step| step.operation.clone())
        .unwrap_or_else(|| scenario.operations[0].to_owned());
    let render =
        |value: &Value| serde_norway::to_string(value).unwrap_or_else(|error| error.to_string());
    let (before, after) = (render(&expected), render(&received));
    // Indented, so that the diff reads as part of the violation in the report.
    let diff: String = similar::TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(3)
        .header("snapshot", "received")
        .to_string()
        .lines()
        .map(|line| format!("\n    {line}"))
        .collect();
    let at = transcript
        .steps
        .get(first)
        .map(|step| format!(" at step {} ({})", first + 1, step.request))
        .unwrap_or_default();
    Some(Violation {
        check: SNAPSHOTS,
        operation_id,
        expected: format!(
            "the transcript of scenario {} committed in {expected_path}",
            scenario.name
        ),
        received: format!("behaviour difference{at}:{diff}"),
        curl: raw
            .iter()
            .filter(|step| step.recorded)
            .nth(first)
            .map(|step| step.curl.clone()),
    })
}

/// `transcript` as JSON with the scenario's redactions applied, the form compared with the
/// snapshot.
fn redacted(scenario: &Scenario, transcript: &Transcript) -> Value {
    let mut value = serde_json::to_value(transcript).unwrap_or(Value::Null);
    redact(scenario.redactions, &mut value);
    integral_numbers(&mut value);
    value
}

/// Whole floats as integers: insta writes `3.0` as `3`, and JSON does not tell them apart.
fn integral_numbers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(object) => object.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn redact(redactions: &[(&str, &'static str)], value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, item) in object.iter_mut() {
                match placeholder_for(redactions, key) {
                    // Like insta, a matched value is replaced (when a string) and not entered.
                    Some(placeholder) => {
                        if item.is_string() {
                            *item = Value::String(placeholder.to_owned());
                        }
                    }
                    None => redact(redactions, item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| redact(redactions, item)),
        _ => {}
    }
}

fn placeholder_for(redactions: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    redactions
        .iter()
        .find(|(selector, _)| selector.strip_prefix(".**.") == Some(key))
        .map(|(_, placeholder)| *placeholder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redactions_replace_strings_only_and_are_deep_field_selectors() {
        for scenario in SCENARIOS {
            for (selector, _) in scenario.redactions {
                // The check applies only this form of insta's selectors itself.
                let field = selector
                    .strip_prefix(".**.")
                    .expect("a deep field selector");
                assert!(
                    field.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{selector}"
                );
            }
        }
        let mut value =
            json!({"steps": [{"response": {"data": {"hash": "abc", "other": {"hash": null}}}}]});
        redact(&[(".**.hash", "[hash]")], &mut value);
        assert_eq!(
            value,
            json!({"steps": [{"response": {"data": {"hash": "[hash]", "other": {"hash": null}}}}]})
        );
    }

    #[test]
    fn every_scenario_has_a_committed_snapshot_and_known_operations() {
        let spec = Spec::embedded().unwrap();
        for scenario in SCENARIOS {
            assert!(
                spec.operations
                    .iter()
                    .any(|operation| operation.tag == scenario.tag),
                "{}",
                scenario.tag
            );
            for operation in scenario.operations {
                assert!(spec.operation(operation).is_some(), "{operation}");
            }
            committed(scenario).unwrap();
        }
    }
}
