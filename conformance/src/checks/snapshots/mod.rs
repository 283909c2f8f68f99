//! The `snapshots` check: one curated scenario per tag (create → read → update → list → delete,
//! trigger → feed, …) played with fixed data, whose normalized transcript must equal the one
//! committed under `conformance/tests/it/snapshots/`.
//!
//! Normalization has two layers, and the check applies both exactly as the snapshot tests do.
//! The library replaces what it recognises by value, wherever it appears (paths, error
//! messages, change diffs): server-made ids become placeholders that keep identity (`[id-1]` is
//! the same resource in every step), date-times `[timestamp]`, the run's API key `[key]`. Then a
//! scenario's [`Scenario::redactions`] replace by name the random values nothing else reveals
//! (an API key's hash); the tests hand the very same selectors to insta.

mod scripts;

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Check, Phase, ReadOnly, Task};
use crate::contract::{Operation, Spec};
use crate::error::{Error, Result};
use crate::run::{Exchange, Run, Violation};
use crate::transport::{Body, HttpClient, Request};

/// `snapshots`.
pub const SNAPSHOTS: &str = "snapshots";

/// `snapshots`.
pub struct Snapshots;

impl Check for Snapshots {
    fn name(&self) -> &'static str {
        SNAPSHOTS
    }

    fn description(&self) -> &'static str {
        "one curated scenario per tag, played with fixed data, gives the normalized transcript committed under conformance/tests/it/snapshots/"
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
            snapshot: include_str!(concat!("../../../tests/it/snapshots/it__snapshots__", $name, ".snap")),
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

/// What a scenario saw: every request it recorded and the answer, normalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// The scenario's name.
    pub scenario: String,
    /// The recorded requests, in order.
    pub steps: Vec<Step>,
}

/// One request of a transcript and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The operation.
    pub operation: String,
    /// `METHOD /path?query`, ids replaced.
    pub request: String,
    /// The request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The status; `None` when no response came back.
    pub status: Option<u16>,
    /// Which items of a list were kept, when the list holds other data too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
    /// The response body: JSON, the text when it is not JSON, or null when empty.
    pub response: Value,
}

/// Plays `scenario` against the server at `base_url` and returns its normalized transcript,
/// as the snapshot tests record it.
pub async fn record(scenario: &Scenario, base_url: &str, api_key: &str) -> Result<Transcript> {
    let spec = Spec::embedded()?;
    let http = HttpClient::new(base_url, api_key, std::time::Duration::from_secs(10))?;
    let mut script = Script {
        target: Target::Client {
            http: &http,
            spec: &spec,
        },
        steps: Vec::new(),
    };
    scripts::play(scenario.name, &mut script).await;
    Ok(normalize(scenario.name, &script.steps, api_key))
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
        let mut script = Script {
            target: Target::Run(run),
            steps: Vec::new(),
        };
        scripts::play(scenario.name, &mut script).await;
        let transcript = normalize(scenario.name, &script.steps, api_key);
        if let Some(mut violation) = compare(scenario, &transcript, &script.steps) {
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
        "conformance/tests/it/snapshots/it__snapshots__{}.snap",
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

/// Where a script's requests go: through the run (counted and judged by `response-conformance`
/// when the operation is selected) or straight to a server (for the snapshot tests).
enum Target<'a> {
    Run(&'a Run),
    Client {
        http: &'a HttpClient,
        spec: &'a Spec,
    },
}

/// A request a script sent, with what came back, before normalization.
struct RawStep {
    operation: String,
    request: Request,
    curl: String,
    status: Option<u16>,
    response: Value,
    kept: Option<String>,
    /// Set-up and tear-down requests are sent but left out of the transcript.
    recorded: bool,
}

/// Which items of a list response a step keeps: the array at `pointer` filtered by `keep`.
pub(crate) struct Keep<'a> {
    pointer: &'a str,
    describe: &'a str,
    keep: &'a (dyn Fn(&Value) -> bool + Sync),
}

/// A scenario being played.
pub(crate) struct Script<'a> {
    target: Target<'a>,
    steps: Vec<RawStep>,
}

impl Script<'_> {
    /// Sends `operation` and records it in the transcript; returns the JSON body (or null).
    async fn call(
        &mut self,
        operation: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Value {
        self.send(operation, params, query, body, None, true).await
    }

    /// Sends a set-up or tear-down request, left out of the transcript.
    async fn quiet(
        &mut self,
        operation: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Value {
        self.send(operation, params, query, body, None, false).await
    }

    /// Sends an operation answering a list (a list, or a delete answering what is left) and
    /// records only the items `keep` selects, without the totals that count everything else.
    async fn filtered(
        &mut self,
        operation: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        keep: Keep<'_>,
    ) -> Value {
        self.send(operation, params, query, None, Some(keep), true)
            .await
    }

    /// Repeats a quiet read until `done` holds (or about five seconds pass), for servers that
    /// deliver triggers in the background.
    async fn wait_for(
        &mut self,
        operation: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        done: impl Fn(&Value) -> bool,
    ) {
        for _ in 0..20 {
            let body = self.quiet(operation, params, query, None).await;
            if done(&body) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }

    async fn send(
        &mut self,
        operation_id: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
        keep: Option<Keep<'_>>,
        recorded: bool,
    ) -> Value {
        let spec = match &self.target {
            Target::Run(run) => &run.spec,
            Target::Client { spec, .. } => *spec,
        };
        let Some(operation) = spec.operation(operation_id) else {
            // A scenario naming an operation the contract lacks is a bug of the suite; the
            // snapshot tests catch it by the step missing from the transcript.
            return Value::Null;
        };
        let request = Request::to(operation, params, query, body);
        let exchange = match &self.target {
            Target::Run(run) if run.is_selected(operation_id) => {
                run.exchange(SNAPSHOTS, operation, request).await
            }
            Target::Run(run) => run.quietly(request).await,
            Target::Client { http, .. } => Exchange::quietly(http, request).await,
        };
        let mut response = match &exchange.outcome {
            Ok(received) if received.body.trim().is_empty() => Value::Null,
            Ok(received) => serde_json::from_str(&received.body)
                .unwrap_or_else(|_| Value::String(received.body.clone())),
            Err(_) => Value::Null,
        };
        let answer = response.clone();
        let kept = keep.map(|keep| {
            if let Some(Value::Array(items)) = response.pointer_mut(keep.pointer) {
                items.retain(|item| (keep.keep)(item));
            }
            if let Value::Object(object) = &mut response {
                for total in ["totalCount", "hasMore", "total"] {
                    object.remove(total);
                }
            }
            keep.describe.to_owned()
        });
        self.steps.push(RawStep {
            operation: operation_id.to_owned(),
            curl: exchange.curl.clone(),
            status: exchange.status(),
            request: exchange.request,
            response,
            kept,
            recorded,
        });
        answer
    }
}

/// The recorded steps as a transcript: server-made ids become `[id-N]` in order of first
/// appearance, and the API key `[key]`.
fn normalize(scenario: &str, steps: &[RawStep], api_key: &str) -> Transcript {
    let mut ids = Ids {
        known: HashMap::new(),
        api_key,
    };
    let steps = steps
        .iter()
        .filter(|step| step.recorded)
        .map(|step| {
            let mut request = format!("{} ", step.request.method);
            for segment in step.request.path.split('/').skip(1) {
                request.push('/');
                request.push_str(&ids.text(segment));
            }
            for (index, (name, value)) in step.request.query.iter().enumerate() {
                request.push(if index == 0 { '?' } else { '&' });
                request.push_str(&format!("{name}={}", ids.text(value)));
            }
            let body = match &step.request.body {
                Some(Body::Json(value)) => Some(ids.value(value, None)),
                Some(Body::RawJson(text)) => Some(Value::String(ids.text(text))),
                None => None,
            };
            Step {
                operation: step.operation.clone(),
                request,
                body,
                status: step.status,
                kept: step.kept.clone(),
                response: ids.value(&step.response, None),
            }
        })
        .collect();
    Transcript {
        scenario: scenario.to_owned(),
        steps,
    }
}

struct Ids<'a> {
    known: HashMap<String, String>,
    api_key: &'a str,
}

impl Ids<'_> {
    fn placeholder(&mut self, id: &str) -> String {
        let next = self.known.len() + 1;
        self.known
            .entry(id.to_owned())
            .or_insert_with(|| format!("[id-{next}]"))
            .clone()
    }

    fn value(&mut self, value: &Value, key: Option<&str>) -> Value {
        match value {
            Value::String(text) if key.is_some_and(is_id_key) && !text.is_empty() => {
                Value::String(self.placeholder(text))
            }
            Value::String(text) => Value::String(self.text(text)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|item| self.value(item, None)).collect())
            }
            Value::Object(object) => {
                // Sorted, so that placeholders are numbered alike whatever order a server uses.
                let mut keys: Vec<&String> = object.keys().collect();
                keys.sort();
                let mut normalized = Map::new();
                for key in keys {
                    normalized.insert(key.clone(), self.value(&object[key], Some(key)));
                }
                Value::Object(normalized)
            }
            other => other.clone(),
        }
    }

    /// `text` with known ids, ObjectIds and UUIDs replaced by placeholders, the key hidden,
    /// and a date-time, when that is all it is, replaced by `[timestamp]`.
    fn text(&mut self, text: &str) -> String {
        if is_date_time(text) {
            return "[timestamp]".to_owned();
        }
        if !self.api_key.is_empty() && text.contains(self.api_key) {
            return self.text(&text.replace(self.api_key, "[key]"));
        }
        if let Some(placeholder) = self.known.get(text) {
            return placeholder.clone();
        }
        let mut out = String::new();
        let mut rest = text;
        while !rest.is_empty() {
            let boundary = out
                .chars()
                .last()
                .is_none_or(|last| !last.is_ascii_alphanumeric());
            let found = [36, 24].into_iter().find(|length| {
                boundary
                    && rest.get(..*length).is_some_and(is_id)
                    && rest[*length..]
                        .chars()
                        .next()
                        .is_none_or(|next| !next.is_ascii_alphanumeric())
            });
            match found {
                Some(length) => {
                    let placeholder = self.placeholder(&rest[..length]);
                    out.push_str(&placeholder);
                    rest = &rest[length..];
                }
                None => {
                    let mut chars = rest.chars();
                    out.extend(chars.next());
                    rest = chars.as_str();
                }
            }
        }
        out
    }
}

/// `_id`, `id` and the internal references `_somethingId`.
fn is_id_key(key: &str) -> bool {
    key == "id" || (key.starts_with('_') && (key == "_id" || key.ends_with("Id")))
}

/// An RFC 3339 date-time: `2024-10-24T09:30:00Z`, with optional fractions and offset.
fn is_date_time(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// An ObjectId (24 hex digits) or a UUID.
fn is_id(token: &str) -> bool {
    let hex = |part: &str| part.bytes().all(|byte| byte.is_ascii_hexdigit());
    match token.len() {
        24 => hex(token),
        36 => {
            let parts: Vec<&str> = token.split('-').collect();
            parts.iter().map(|part| part.len()).eq([8, 4, 4, 4, 12])
                && parts.iter().all(|part| hex(part))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_keep_their_identity_and_the_key_is_hidden() {
        let mut ids = Ids {
            known: HashMap::new(),
            api_key: "secret-key",
        };
        let first = "65a1b2c3d4e5f60718293a4b";
        let normalized = ids.value(
            &json!({"_id": first, "note": format!("for {first} and 0c5e8a0e-7f3a-4c1e-9d2b-1a2b3c4d5e6f"), "key": "secret-key", "hexish": "65a1b2c3d4e5f60718293a4b0"}),
            None,
        );
        assert_eq!(
            normalized,
            json!({"_id": "[id-1]", "note": "for [id-1] and [id-2]", "key": "[key]", "hexish": "65a1b2c3d4e5f60718293a4b0"})
        );
        assert_eq!(ids.text(first), "[id-1]");
    }

    #[test]
    fn date_times_are_recognised_whole() {
        for text in [
            "2024-10-24T09:30:00Z",
            "2024-10-24T09:30:00.123Z",
            "2024-10-24T09:30:00+02:00",
        ] {
            assert!(is_date_time(text), "{text}");
        }
        for text in [
            "2024-10-24",
            "2024-10-24T09:30:00",
            "at 2024-10-24T09:30:00Z",
            "2024-10-24T09:30:00.Z",
        ] {
            assert!(!is_date_time(text), "{text}");
        }
    }

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
