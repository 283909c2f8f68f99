//! The scenario checks `conditions`, `trigger-delivery` and `integration-selection`: they pass
//! on the server under test, and each fails when the reference behind [`BrokenReference`] has
//! the behaviour it guards bent.

use novu_conformance::{Options, Report, Spec, Violation, run};
use serde_json::{Value, json};

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};
use crate::{against_reference, target_options};

const CONDITIONS: &str = "conditions";
const TRIGGER_DELIVERY: &str = "trigger-delivery";
const INTEGRATION_SELECTION: &str = "integration-selection";

async fn run_check(options: Options, check: &str, cases: u32) -> Report {
    let options = Options {
        checks: vec![check.to_owned()],
        operations: vec!["events_trigger".to_owned()],
        cases,
        ..options
    };
    run(Spec::embedded().unwrap(), options).await.unwrap()
}

async fn run_broken(breakage: Breakage, check: &str, cases: u32) -> (Report, u32) {
    let target = BrokenReference::start(breakage).await;
    let report = run_check(target.options(), check, cases).await;
    let broken = target.broken();
    target.stop().await;
    (report, broken)
}

fn violations<'a>(report: &'a Report, check: &str) -> Vec<&'a Violation> {
    report
        .violations()
        .filter(|violation| violation.check == check)
        .collect()
}

fn requests(report: &Report, check: &str) -> u32 {
    report
        .results
        .iter()
        .filter(|result| result.check == check)
        .map(|result| result.requests)
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn conditions_agree_with_the_oracle_on_the_target() {
    let report = run_check(target_options(), CONDITIONS, 30).await;
    let found = violations(&report, CONDITIONS);
    assert!(found.is_empty(), "{found:#?}");
    // Each case updates the workflow, creates a subscriber, triggers and reads the feed.
    assert!(requests(&report, CONDITIONS) >= 30 * 4, "{report:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn conditions_with_webhook_parts_agree_with_the_oracle_on_the_reference() {
    // The suite's callback is reachable from a target on this machine only.
    if !against_reference() {
        return;
    }
    let report = run_check(target_options(), CONDITIONS, 40).await;
    let found = violations(&report, CONDITIONS);
    assert!(found.is_empty(), "{found:#?}");
    // Webhook parts were drawn and the reference called them, with bodies and signatures the
    // check accepted.
    assert!(report.webhook_calls >= 5, "{}", report.webhook_calls);
}

#[tokio::test(flavor = "multi_thread")]
async fn conditions_fail_when_webhook_urls_lead_nowhere() {
    // A port that was just free: the reference's calls fail, so every webhook part is in error
    // and nothing reaches the callback, where the oracle expects the drawn answers.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let breakage = Breakage::request(move |outgoing: &mut Outgoing| {
        if !outgoing.is("PUT", "/v1/workflows/{id}") {
            return false;
        }
        let Some(mut body) = outgoing.json() else {
            return false;
        };
        let mut changed = false;
        for step in body["steps"].as_array_mut().into_iter().flatten() {
            for group in step["filters"].as_array_mut().into_iter().flatten() {
                for part in group["children"].as_array_mut().into_iter().flatten() {
                    let Some(url) = part["webhookUrl"].as_str() else {
                        continue;
                    };
                    let path = &url[url.find("/hook/").unwrap_or(0)..];
                    part["webhookUrl"] = json!(format!("http://127.0.0.1:{closed}{path}"));
                    changed = true;
                }
            }
        }
        outgoing.set_json(&body);
        changed
    });
    let (report, broken) = run_broken(breakage, CONDITIONS, 30).await;
    assert!(broken > 0);
    assert_eq!(report.webhook_calls, 0);
    let found = violations(&report, CONDITIONS);
    assert_eq!(found.len(), 1, "one minimal case is reported: {found:#?}");
    let violation = found[0];
    // The minimal case names the webhook and the answer the oracle expected from it.
    assert!(
        violation
            .expected
            .contains("calls to the webhooks [\"/hook/"),
        "{violation:#?}"
    );
    assert!(
        violation.received.contains("the webhooks called were []")
            && violation.received.contains("; webhook http://127.0.0.1:")
            && violation.received.contains("answers"),
        "{violation:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn conditions_fail_when_webhook_calls_are_signed_for_another_environment() {
    // The suite learns the environment's id from the API; a different id makes the signature
    // the reference sends (over the real id) wrong in the suite's eyes.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer
            .json()
            .filter(|_| outgoing.is("GET", "/v1/environments/me"))
        else {
            return false;
        };
        body["data"]["_id"] = json!("000000000000000000000000");
        answer.set_json(&body);
        true
    });
    let (report, broken) = run_broken(breakage, CONDITIONS, 40).await;
    assert!(broken > 0);
    let found = violations(&report, CONDITIONS);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].expected.contains("nv-hmac-256"), "{:#?}", found[0]);
    assert!(
        found[0].received.contains("is not the HMAC-SHA256")
            && found[0].received.contains("000000000000000000000000"),
        "{:#?}",
        found[0]
    );
}

/// Every step of a workflow body loses its `filters`.
fn without_filters(outgoing: &mut Outgoing) -> bool {
    let writes_workflow =
        outgoing.is("PUT", "/v1/workflows/{id}") || outgoing.is("POST", "/v1/workflows");
    let Some(mut body) = outgoing.json().filter(|_| writes_workflow) else {
        return false;
    };
    let mut changed = false;
    for step in body["steps"].as_array_mut().into_iter().flatten() {
        if let Some(step) = step.as_object_mut() {
            changed |= step
                .remove("filters")
                .is_some_and(|filters| filters != json!([]));
        }
    }
    outgoing.set_json(&body);
    changed
}

#[tokio::test(flavor = "multi_thread")]
async fn conditions_fail_and_shrink_when_step_filters_are_dropped() {
    let (report, broken) = run_broken(Breakage::request(without_filters), CONDITIONS, 20).await;
    assert!(broken > 0);
    let found = violations(&report, CONDITIONS);
    assert_eq!(found.len(), 1, "one minimal case is reported: {found:#?}");
    let violation = found[0];
    assert_eq!(violation.operation_id, "events_trigger");
    assert!(
        violation.expected.contains("not in the feed"),
        "{violation:#?}"
    );
    assert!(
        violation.received.contains("the message was delivered")
            && violation.received.contains("shrunk in")
            && violation.received.contains("(seed 42)"),
        "{violation:#?}"
    );
    let curl = violation.curl.as_deref().unwrap_or_default();
    assert!(curl.contains("/v1/events/trigger"), "{curl}");
    // The minimal case is one group with one part: the smallest array that can fail.
    let minimal = violation
        .received
        .split("filters ")
        .nth(1)
        .and_then(|rest| rest.split(" with payload").next())
        .and_then(|filters| serde_json::from_str::<Value>(filters).ok())
        .expect("the report names the minimal filters");
    assert_eq!(minimal.as_array().map(Vec::len), Some(1), "{minimal}");
    assert_eq!(
        minimal[0]["children"].as_array().map(Vec::len),
        Some(1),
        "{minimal}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn conditions_notice_an_inclusive_bound_taken_for_an_exclusive_one() {
    // LARGER and LARGER_EQUAL differ only where the values are equal: the drawn values meet
    // the drawn bounds often enough to tell.
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        if !outgoing.is("PUT", "/v1/workflows/{id}") {
            return false;
        }
        let text = String::from_utf8_lossy(&outgoing.body).into_owned();
        let bent = text.replace("\"LARGER\"", "\"LARGER_EQUAL\"");
        let changed = bent != text;
        outgoing.body = bent.into_bytes();
        changed
    });
    let (report, broken) = run_broken(breakage, CONDITIONS, 100).await;
    assert!(broken > 0);
    let found = violations(&report, CONDITIONS);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].expected.contains("LARGER"), "{:#?}", found[0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn trigger_delivery_passes_on_the_target() {
    let report = run_check(target_options(), TRIGGER_DELIVERY, 1).await;
    let found = violations(&report, TRIGGER_DELIVERY);
    assert!(found.is_empty(), "{found:#?}");
    for operation in [
        "topics_create",
        "subscriber_preferences_update_global",
        "workflow_overrides_create",
        "subscriber_messages_mark_all",
        "events_cancel",
    ] {
        assert!(
            report
                .results
                .iter()
                .any(|result| result.check == TRIGGER_DELIVERY
                    && result.operation_id == operation
                    && result.requests > 0),
            "{operation} was not exercised"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn trigger_delivery_fails_when_preferences_are_ignored() {
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        let preference = outgoing.is("PATCH", "/v1/subscribers/{id}/preferences")
            || outgoing.is("PATCH", "/v1/subscribers/{id}/preferences/{parameter}");
        if preference {
            outgoing.set_json(&json!({}));
        }
        preference
    });
    let (report, broken) = run_broken(breakage, TRIGGER_DELIVERY, 1).await;
    assert_eq!(broken, 2);
    let found: Vec<&Violation> = violations(&report, TRIGGER_DELIVERY)
        .into_iter()
        .filter(|violation| violation.expected.contains("switches in_app off"))
        .collect();
    assert_eq!(found.len(), 2, "{report:#?}");
}

/// Triggers whose body loses `field` before the server reads it.
fn trigger_without(field: &'static str) -> Breakage {
    Breakage::request(move |outgoing: &mut Outgoing| {
        let Some(mut body) = outgoing
            .json()
            .filter(|_| outgoing.is("POST", "/v1/events/trigger"))
        else {
            return false;
        };
        let removed = body
            .as_object_mut()
            .and_then(|body| body.remove(field))
            .is_some();
        outgoing.set_json(&body);
        removed
    })
}

/// A server that ignores `transactionId` delivers the trigger that reuses one.
#[tokio::test(flavor = "multi_thread")]
async fn trigger_delivery_fails_when_a_reused_transaction_id_delivers() {
    let (report, broken) = run_broken(trigger_without("transactionId"), TRIGGER_DELIVERY, 1).await;
    assert_eq!(broken, 2, "the first trigger and the one reusing its id");
    let expected = |text: &str| {
        violations(&report, TRIGGER_DELIVERY)
            .into_iter()
            .filter(|violation| violation.expected.contains(text))
            .count()
    };
    assert_eq!(
        expected("no message for a trigger whose transactionId already delivered"),
        1,
        "{report:#?}"
    );
    assert_eq!(
        expected("the acknowledgement names the given transactionId"),
        1,
        "{report:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn trigger_delivery_fails_when_the_actor_is_not_excluded() {
    let (report, broken) = run_broken(trigger_without("actor"), TRIGGER_DELIVERY, 1).await;
    assert_eq!(broken, 1);
    let found: Vec<&Violation> = violations(&report, TRIGGER_DELIVERY)
        .into_iter()
        .filter(|violation| violation.expected.contains("no message for the actor"))
        .collect();
    assert_eq!(found.len(), 1, "{report:#?}");
    assert!(
        found[0]
            .curl
            .as_deref()
            .unwrap_or_default()
            .contains("\"actor\"")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn trigger_delivery_fails_when_the_unseen_count_or_a_mark_is_wrong() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer.json() else {
            return false;
        };
        if outgoing.is("GET", "/v1/subscribers/{id}/notifications/unseen") {
            body["data"]["count"] = json!(body["data"]["count"].as_u64().unwrap_or(0) + 1);
        } else if outgoing.is("POST", "/v1/subscribers/{id}/messages/mark-all") {
            body["data"] = json!(0);
        } else {
            return false;
        }
        answer.set_json(&body);
        true
    });
    let (report, broken) = run_broken(breakage, TRIGGER_DELIVERY, 1).await;
    assert!(broken >= 4);
    let on = |operation: &str| {
        violations(&report, TRIGGER_DELIVERY)
            .into_iter()
            .filter(|violation| violation.operation_id == operation)
            .count()
    };
    assert_eq!(
        on("subscriber_notifications_unseen_count"),
        4,
        "{report:#?}"
    );
    assert_eq!(on("subscriber_messages_mark_all"), 2, "{report:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn trigger_delivery_fails_when_cancel_misses_the_waiting_transaction() {
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        if !outgoing.is("DELETE", "/v1/events/trigger/{transactionId}") {
            return false;
        }
        outgoing.path = "/v1/events/trigger/nc-not-the-transaction".into();
        true
    });
    let (report, broken) = run_broken(breakage, TRIGGER_DELIVERY, 1).await;
    assert_eq!(broken, 1);
    let found = violations(&report, TRIGGER_DELIVERY);
    let cancel: Vec<&&Violation> = found
        .iter()
        .filter(|violation| violation.operation_id == "events_cancel")
        .collect();
    assert_eq!(cancel.len(), 1, "{found:#?}");
    assert!(cancel[0].expected.contains("data true"), "{:#?}", cancel[0]);
    // The transaction was not cancelled, so its message arrives after the delay.
    assert!(
        found
            .iter()
            .any(|violation| violation.expected.contains("cancelled during its delay")),
        "{found:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn trigger_delivery_fails_when_the_delayed_message_never_arrives() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let twin_feed = outgoing.path.contains("cancel-twin")
            && outgoing.is("GET", "/v1/subscribers/{id}/notifications/feed");
        let Some(mut body) = answer.json().filter(|_| twin_feed) else {
            return false;
        };
        body["data"] = json!([]);
        answer.set_json(&body);
        true
    });
    let (report, broken) = run_broken(breakage, TRIGGER_DELIVERY, 1).await;
    assert!(broken > 1, "the feed is polled until the deadline");
    let found = violations(&report, TRIGGER_DELIVERY);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].expected.contains("uncancelled twin"), "{found:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn integration_selection_follows_the_conditions_on_the_target() {
    let report = run_check(target_options(), INTEGRATION_SELECTION, 1).await;
    let found = violations(&report, INTEGRATION_SELECTION);
    assert!(found.is_empty(), "{found:#?}");
    assert!(
        report
            .results
            .iter()
            .any(|result| result.check == INTEGRATION_SELECTION
                && result.operation_id == "messages_list"
                && result.requests >= 4),
        "{report:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn integration_selection_fails_when_conditions_are_dropped() {
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        let Some(mut body) = outgoing
            .json()
            .filter(|_| outgoing.is("POST", "/v1/integrations"))
        else {
            return false;
        };
        let removed = body
            .as_object_mut()
            .and_then(|body| body.remove("conditions"))
            .is_some();
        outgoing.set_json(&body);
        removed
    });
    let (report, broken) = run_broken(breakage, INTEGRATION_SELECTION, 1).await;
    assert_eq!(broken, 3);
    let found = violations(&report, INTEGRATION_SELECTION);
    // The tenants meeting the identifier and the region conditions get the default.
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found.iter().all(|violation| violation
            .expected
            .contains("whose conditions the tenant meets")),
        "{found:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn integration_selection_fails_when_the_carrier_is_misreported() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer.json().filter(|_| outgoing.is("GET", "/v1/messages")) else {
            return false;
        };
        for message in body["data"].as_array_mut().into_iter().flatten() {
            message["providerId"] = json!("nc-swapped");
        }
        answer.set_json(&body);
        true
    });
    let (report, broken) = run_broken(breakage, INTEGRATION_SELECTION, 1).await;
    assert!(broken >= 4);
    let found = violations(&report, INTEGRATION_SELECTION);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|violation| violation.received.contains("nc-swapped")),
        "{found:#?}"
    );
}
