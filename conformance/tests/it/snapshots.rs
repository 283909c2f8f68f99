//! The curated scenario transcripts, as insta snapshots: one per tag, recorded against the
//! embedded reference server (or `NOVU_BASE_URL`). The `snapshots` check compares a run's
//! transcripts with the same files.

use novu_conformance::{Options, Report, SCENARIOS, Scenario, Spec, Transcript, Violation, run};
use serde_json::{Value, json};

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};
use crate::{against_reference, target_options};

/// The one place insta is configured: the snapshots are data of the crate
/// (`conformance/snapshots/`, which the `snapshots` check embeds), and the scenario's
/// redactions replace strings only (the library has already replaced ids, date-times and the
/// key).
fn settings(scenario: &Scenario) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_description(scenario.description);
    settings.set_info(&json!({
        "tag": scenario.tag,
        "operations": scenario.operations,
    }));
    settings.set_omit_expression(true);
    for (selector, placeholder) in scenario.redactions {
        settings.add_redaction(
            selector,
            insta::dynamic_redaction(move |value, _path| {
                if value.as_str().is_some() {
                    insta::internals::Content::from(*placeholder)
                } else {
                    value
                }
            }),
        );
    }
    settings
}

/// Plays `scenario` on a fresh reference server (or the target) and returns its transcript.
async fn transcript(scenario: &Scenario) -> Transcript {
    match (
        std::env::var("NOVU_BASE_URL").ok(),
        std::env::var("NOVU_API_KEY").ok(),
    ) {
        (Some(base_url), Some(api_key)) => novu_conformance::record(scenario, &base_url, &api_key)
            .await
            .unwrap(),
        _ => {
            let server = novu_reference::start(novu_reference::Config::in_memory())
                .await
                .unwrap();
            let transcript =
                novu_conformance::record(scenario, &server.base_url(), server.api_key())
                    .await
                    .unwrap();
            let _ = server.shutdown().await;
            transcript
        }
    }
}

async fn assert_scenario(name: &str) {
    let scenario = SCENARIOS
        .iter()
        .find(|scenario| scenario.name == name)
        .unwrap();
    let transcript = transcript(scenario).await;
    for step in &transcript.steps {
        assert!(
            scenario.operations.contains(&step.operation.as_str()),
            "{name} sends {} without listing it",
            step.operation
        );
    }
    settings(scenario).bind(|| insta::assert_yaml_snapshot!(name, transcript));
}

macro_rules! scenario_tests {
    ($($test:ident => $name:literal),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread")]
            async fn $test() {
                assert_scenario($name).await;
            }
        )+

        #[test]
        fn every_scenario_has_a_test() {
            let tested = [$($name),+];
            for scenario in SCENARIOS {
                assert!(tested.contains(&scenario.name), "{} has no test", scenario.name);
            }
        }
    };
}

scenario_tests! {
    events => "events",
    subscribers => "subscribers",
    topics => "topics",
    notifications => "notifications",
    workflows => "workflows",
    workflow_overrides => "workflow-overrides",
    workflow_groups => "workflow-groups",
    integrations => "integrations",
    layouts => "layouts",
    execution_details => "execution-details",
    organizations => "organizations",
    messages => "messages",
    changes => "changes",
    environments => "environments",
    feeds => "feeds",
    tenants => "tenants",
}

/// Runs only the `snapshots` check on the operations of `tag` (or only `operation`), through
/// a reference broken by `breakage`.
async fn snapshots_through(
    breakage: Breakage,
    tag: &str,
    operation: Option<&str>,
) -> (Report, u32) {
    let target = BrokenReference::start(breakage).await;
    let options = Options {
        checks: vec!["snapshots".into()],
        tags: vec![tag.into()],
        operations: operation.into_iter().map(str::to_owned).collect(),
        ..target.options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let broken = target.broken();
    target.stop().await;
    (report, broken)
}

fn snapshot_violations(report: &Report) -> Vec<&Violation> {
    report
        .violations()
        .filter(|violation| violation.check == "snapshots")
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_against_the_reference_matches_every_snapshot() {
    if !against_reference() {
        return;
    }
    // The examples leave resources of every kind behind, which the scenarios must not see.
    let options = Options {
        checks: vec!["example-requests".into(), "snapshots".into()],
        ..target_options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let found = snapshot_violations(&report);
    assert!(found.is_empty(), "{found:#?}");
    for scenario in SCENARIOS {
        for operation in scenario.operations {
            let sent = report
                .results
                .iter()
                .find(|result| result.check == "snapshots" && result.operation_id == *operation)
                .map_or(0, |result| result.requests);
            assert!(sent > 0, "{} sent no {operation}", scenario.name);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fields_a_server_sends_beyond_the_snapshot_are_no_difference() {
    // Every object of every answer gains what Novu's stored documents carry beside the
    // contract's fields: a version, a deleted flag and a creator's id, new in each answer (so
    // the ids of the transcript would be numbered otherwise if they were compared).
    let made = std::sync::atomic::AtomicU64::new(0);
    let breakage = Breakage::answer(move |_: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer.json() else {
            return false;
        };
        fn stored(value: &mut Value, made: &std::sync::atomic::AtomicU64) {
            match value {
                Value::Object(fields) => {
                    for value in fields.values_mut() {
                        stored(value, made);
                    }
                    let id = made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    fields.entry("__v").or_insert(json!(0));
                    fields.entry("deleted").or_insert(json!(false));
                    let creator = json!(format!("{:024x}", 0xa0_0000 + id));
                    fields.entry("_creatorId").or_insert(creator);
                }
                Value::Array(items) => items.iter_mut().for_each(|item| stored(item, made)),
                _ => {}
            }
        }
        stored(&mut body, &made);
        answer.set_json(&body);
        true
    });
    let target = BrokenReference::start(breakage).await;
    let options = Options {
        checks: vec!["snapshots".into()],
        ..target.options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let broken = target.broken();
    target.stop().await;
    assert!(broken > 50, "the breakage was not exercised: {broken}");
    let found = snapshot_violations(&report);
    assert!(found.is_empty(), "{found:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_field_is_a_behaviour_difference_with_the_diff() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/subscribers/{subscriberId}") || answer.status != 200 {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        let Some(data) = body.get_mut("data").and_then(Value::as_object_mut) else {
            return false;
        };
        let Some(first_name) = data.remove("firstName") else {
            return false;
        };
        data.insert("first_name".into(), first_name);
        answer.set_json(&body);
        true
    });
    let (report, broken) = snapshots_through(breakage, "Subscribers", None).await;
    assert!(broken >= 1, "the breakage was not exercised");
    let found = snapshot_violations(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    let violation = found[0];
    assert_eq!(violation.operation_id, "subscribers_get");
    assert!(
        violation.received.starts_with(
            "behaviour difference at step 2 (GET /v1/subscribers/nc-snap-subscribers-ada):"
        ),
        "{}",
        violation.received
    );
    let lines: Vec<&str> = violation.received.lines().map(str::trim_start).collect();
    assert!(lines.contains(&"--- snapshot"), "{}", violation.received);
    assert!(lines.contains(&"+++ received"), "{}", violation.received);
    let changed = |sign: char, text: &str| {
        lines
            .iter()
            .any(|line| line.starts_with(sign) && line.trim_start_matches(sign).trim() == text)
    };
    assert!(changed('-', "firstName: Ada"), "{}", violation.received);
    // The field under its new name is one the snapshot lacks: a server may send more.
    assert!(
        !violation.received.contains("first_name"),
        "{}",
        violation.received
    );
    let curl = violation.curl.as_deref().unwrap_or_default();
    assert!(
        curl.starts_with("curl -sS -i -X GET ")
            && curl.contains("/v1/subscribers/nc-snap-subscribers-ada'"),
        "{curl}"
    );
}

fn tenant_found_after_delete() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/tenants/{identifier}") || answer.status != 404 {
            return false;
        }
        answer.status = 200;
        answer.headers = vec![("content-type".into(), "application/json".into())];
        answer.set_json(&json!({"data": {"identifier": "nc-snap-tenants-acme", "name": "Acme"}}));
        true
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_found_after_delete_is_a_behaviour_difference() {
    let (report, broken) = snapshots_through(tenant_found_after_delete(), "Tenants", None).await;
    assert_eq!(broken, 1, "the read after delete was not bent");
    let found = snapshot_violations(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].operation_id, "tenants_get");
    assert!(
        found[0]
            .received
            .starts_with("behaviour difference at step 6 (GET /v1/tenants/nc-snap-tenants-acme):"),
        "{}",
        found[0].received
    );
    assert!(
        found[0]
            .received
            .lines()
            .any(|line| line.trim_start().starts_with('-') && line.contains("status: 404")),
        "{}",
        found[0].received
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_difference_outside_the_selection_is_reported_on_the_scenario_s_first_operation() {
    let (report, broken) = snapshots_through(
        tenant_found_after_delete(),
        "Tenants",
        Some("tenants_create"),
    )
    .await;
    assert_eq!(broken, 1, "the read after delete was not bent");
    let found = snapshot_violations(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].operation_id, "tenants_create");
    assert!(
        found[0]
            .received
            .starts_with("behaviour difference at step 6 (GET /v1/tenants/"),
        "{}",
        found[0].received
    );
    for result in &report.results {
        assert_eq!(result.operation_id, "tenants_create", "{result:#?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn leftovers_of_an_interrupted_run_are_swept_first() {
    let server = novu_reference::start(novu_reference::Config::in_memory())
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let leftovers = [
        (
            "/v1/tenants",
            json!({"identifier": "nc-snap-tenants-acme", "name": "Old"}),
        ),
        (
            "/v1/topics",
            json!({"key": "nc-snap-topics-readers", "name": "Old"}),
        ),
        (
            "/v1/notification-groups",
            json!({"name": "nc-snap-groups old"}),
        ),
        ("/v1/feeds", json!({"name": "nc-snap-feeds old"})),
        (
            "/v1/layouts",
            json!({
                "name": "nc-snap-layouts old",
                "identifier": "nc-snap-layouts-plain",
                "content": "<html><body>{{{body}}}</body></html>",
            }),
        ),
    ];
    for (path, body) in leftovers {
        let response = client
            .post(format!("{}{path}", server.base_url()))
            .header("Authorization", format!("ApiKey {}", server.api_key()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
    }
    let options = Options {
        base_url: Some(server.base_url()),
        api_key: Some(server.api_key().to_owned()),
        checks: vec!["snapshots".into()],
        ..target_options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let found = snapshot_violations(&report);
    assert!(found.is_empty(), "{found:#?}");
    let _ = server.shutdown().await;
}
