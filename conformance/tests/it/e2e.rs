//! `novu-e2e`, the cases ported from Novu's own e2e suite: they pass on the server under test,
//! and cases fail when the reference behind [`BrokenReference`] has a behaviour they record
//! bent.

use novu_conformance::{
    CaseOutcome, CaseRecord, INCONCLUSIVE, Options, Report, Spec, Violation, run,
};

use serde_json::{Value, json};

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};
use crate::{against_reference, target_options};

const NOVU_E2E: &str = "novu-e2e";

pub(crate) async fn run_e2e(options: Options, operations: &[&str]) -> Report {
    let options = Options {
        checks: vec![NOVU_E2E.to_owned()],
        operations: operations.iter().map(|id| (*id).to_owned()).collect(),
        ..options
    };
    run(Spec::embedded().unwrap(), options).await.unwrap()
}

pub(crate) fn violations(report: &Report) -> Vec<&Violation> {
    report
        .violations()
        .filter(|violation| violation.check == NOVU_E2E)
        .collect()
}

fn with_outcome(report: &Report, wanted: fn(&CaseOutcome) -> bool) -> Vec<&CaseRecord> {
    report
        .cases
        .iter()
        .filter(|case| wanted(&case.outcome))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_ported_case_passes_on_the_target() {
    let report = run_e2e(target_options(), &[]).await;
    let found = violations(&report);
    assert!(found.is_empty(), "{found:#?}");
    let failed = with_outcome(&report, |outcome| *outcome == CaseOutcome::Failed);
    assert!(failed.is_empty(), "{failed:#?}");
    let passed = with_outcome(&report, |outcome| *outcome == CaseOutcome::Passed);
    let skipped = with_outcome(&report, |outcome| {
        matches!(outcome, CaseOutcome::Skipped(_))
    });
    assert_eq!(report.cases.len(), PORTED, "{skipped:#?}");
    // Another server may have the tenants API off: those cases are skipped there, not failed.
    // A window case the loaded machine made too slow to judge is skipped as inconclusive.
    let inconclusive = skipped
        .iter()
        .filter(|case| {
            matches!(&case.outcome, CaseOutcome::Skipped(reason) if reason.starts_with(INCONCLUSIVE))
        })
        .count();
    if against_reference() {
        assert_eq!(
            passed.len() + inconclusive,
            PORTED - SKIPPED - WITHOUT_NOVU_CREDENTIALS,
            "{skipped:#?}"
        );
    }
}

/// The cases ported so far, and how many of them the reference is known to answer otherwise.
const PORTED: usize = 418;
const SKIPPED: usize = 1;
/// The cases that replay a server without the credentials of Novu's own email or SMS provider:
/// skipped against the embedded reference, which plays one that holds them.
const WITHOUT_NOVU_CREDENTIALS: usize = 4;

/// Changes, with `bend`, each step of a workflow `outgoing` asks to create; answers whether
/// `bend` changed one (the request then counts as bent).
pub(crate) fn bend_created_steps(
    outgoing: &mut Outgoing,
    mut bend: impl FnMut(&mut Value) -> bool,
) -> bool {
    let Some(mut body) = outgoing
        .json()
        .filter(|_| outgoing.is("POST", "/v1/workflows"))
    else {
        return false;
    };
    let mut bent = false;
    for step in body["steps"].as_array_mut().into_iter().flatten() {
        bent |= bend(step);
    }
    outgoing.set_json(&body);
    bent
}

pub(crate) async fn run_broken(breakage: Breakage, operations: &[&str]) -> (Report, u32) {
    let target = BrokenReference::start(breakage).await;
    let report = run_e2e(target.options_with_second_key(), operations).await;
    let broken = target.broken();
    target.stop().await;
    (report, broken)
}

pub(crate) fn failed_titles(report: &Report) -> Vec<&'static str> {
    with_outcome(report, |outcome| *outcome == CaseOutcome::Failed)
        .into_iter()
        .map(|case| case.title)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_topic_key_accepted_with_201_fails_the_conflict_case() {
    // Where Novu answers 409 to a taken key, the bent server says 201 with the topic.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("POST", "/v1/topics") || answer.status != 409 {
            return false;
        }
        let key = outgoing.json().unwrap_or_default()["key"].clone();
        answer.status = 201;
        answer.set_json(&json!({ "data": { "_id": "6b13324fafc5d80fba1372d2", "key": key } }));
        true
    });
    let (report, broken) = run_broken(breakage, &["topics_create"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        ["should throw an error when trying to create a topic with a key already used"],
        "{:#?}",
        report.cases
    );
    let found = violations(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].expected.contains("status 409"), "{found:#?}");
    assert!(
        found[0]
            .curl
            .as_deref()
            .unwrap_or_default()
            .contains("/v1/topics")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_read_that_drops_its_data_fails_the_cases_that_read_it() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/tenants/{identifier}") || answer.status != 200 {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        let dropped = body["data"]
            .as_object_mut()
            .and_then(|tenant| tenant.remove("data"))
            .is_some();
        answer.set_json(&body);
        dropped
    });
    let (report, broken) = run_broken(breakage, &["tenants_create", "tenants_get"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should create a new tenant",
            "should get a newly created tenant"
        ],
        "{:#?}",
        report.cases
    );
    assert!(
        violations(&report)
            .iter()
            .all(|violation| violation.expected.starts_with("data.data is")),
        "{:#?}",
        violations(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_override_update_that_keeps_it_inactive_fails_the_update_cases() {
    // Where Novu answers the merged override with `active` true, the bent server keeps false.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let update = outgoing.is("PUT", "/v1/workflow-overrides/{overrideId}")
            || outgoing.is(
                "PUT",
                "/v1/workflow-overrides/workflows/{workflowId}/tenants/{tenantId}",
            );
        let Some(mut body) = answer.json().filter(|_| update && answer.status == 200) else {
            return false;
        };
        body["data"]["active"] = json!(false);
        answer.set_json(&body);
        true
    });
    let operations = [
        "workflow_overrides_update",
        "workflow_overrides_update_by_tenant",
    ];
    let (report, broken) = run_broken(breakage, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should successfully update workflow override by ID",
            "should successfully update workflow override"
        ],
        "{:#?}",
        report.cases
    );
    assert!(
        violations(&report)
            .iter()
            .all(|violation| violation.expected.starts_with("data.active is true")),
        "{:#?}",
        violations(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_list_that_miscounts_fails_the_counting_cases() {
    // Where Novu counts the matches of the query, the bent server counts one more.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer
            .json()
            .filter(|_| outgoing.is("GET", "/v1/workflows") && answer.status == 200)
        else {
            return false;
        };
        body["totalCount"] = json!(body["totalCount"].as_u64().unwrap_or_default() + 1);
        answer.set_json(&body);
        true
    });
    let (report, broken) = run_broken(breakage, &["workflows_list"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should return all workflows as per pagination",
            "should filter workflows based on the trigger identifier",
            "should filter workflows based on both the name and trigger identifier",
            "should paginate and filter workflows based on the name",
            "should filter workflows based on the name"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_update_that_drops_the_triggers_and_bends_the_steps_fails_the_update_cases() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("PUT", "/v1/workflows/{workflowId}") {
            return false;
        }
        if answer.status == 400 {
            answer
                .set_json(&json!({ "statusCode": 400, "message": "bent", "error": "Bad Request" }));
            return true;
        }
        let Some(mut body) = answer.json().filter(|_| answer.status == 200) else {
            return false;
        };
        body["data"]["triggers"] = json!([]);
        if let Some(steps) = body["data"]["steps"].as_array_mut() {
            for step in steps {
                step["active"] = json!(true);
                step["template"]["content"] = json!("bent");
            }
        }
        answer.set_json(&body);
        true
    });
    let (report, broken) = run_broken(breakage, &["workflows_update"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should update the workflow",
            "should throw error if trigger identifier already exists",
            "should update the trigger identifier",
            "should generate new variables on update",
            "should update the contentType and active of a message",
            "should be able to update empty message content",
            "should not able to update step with invalid action",
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_read_that_finds_the_deleted_and_misreports_draft_fails_those_cases() {
    // A deleted workflow is still found, and `draft` is answered equal to `active`.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/workflows/{workflowId}") {
            return false;
        }
        if answer.status == 404 {
            answer.status = 200;
            answer.set_json(&json!({ "data": {} }));
            return true;
        }
        let Some(mut body) = answer.json().filter(|_| answer.status == 200) else {
            return false;
        };
        body["data"]["draft"] = body["data"]["active"].clone();
        body["data"]["steps"][0]["_templateId"] = serde_json::Value::Null;
        answer.set_json(&body);
        true
    });
    let operations = [
        "workflow_status_update",
        "workflows_delete",
        "workflows_retrieve",
    ];
    let (report, broken) = run_broken(breakage, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should change the status from active false to active true",
            "should delete the workflow",
            "should return the workflow by its id",
            "should delete the production workflow",
            "should delete the workflow along with the message templates"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_create_that_renames_and_retriggers_fails_the_create_cases() {
    // The bent server answers another name and a trigger identifier unrelated to the name.
    let breakage = Breakage::json_answer("POST", "/v1/workflows", 201, |body| {
        body["data"]["name"] = json!("bent");
        body["data"]["triggers"][0]["identifier"] = json!("bent");
        true
    });
    let (report, broken) = run_broken(breakage, &["workflows_create"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should be able to create a notification with the API Key",
            "should create a valid notification",
            "should create event trigger",
            "should only add shortid to trigger identifier if same identifier exists",
            "should create email template"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_list_with_a_repeated_item_and_a_reworded_delete_error_fails_those_cases() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.is("DELETE", "/v1/workflows/{workflowId}") && answer.status >= 400 {
            let status = answer.status;
            answer.set_json(&json!({ "statusCode": status, "message": "bent" }));
            return true;
        }
        let list = outgoing.is("GET", "/v1/workflows") && answer.status == 200;
        let Some(mut body) = answer.json().filter(|_| list) else {
            return false;
        };
        let Some(first) = body["data"].get(0).cloned() else {
            return false;
        };
        if let Some(data) = body["data"].as_array_mut() {
            data.push(first);
        }
        answer.set_json(&body);
        true
    });
    let (report, broken) = run_broken(breakage, &["workflows_delete", "workflows_list"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should not display on listing workflows",
            "should fail for non-existing workflow",
            "should return all workflows for organization",
            "should not include variants data in the response",
            "should return all workflows as per pagination",
            "should filter workflows based on the trigger identifier",
            "should filter workflows based on both the name and trigger identifier",
            "should paginate and filter workflows based on the name",
            "should filter workflows based on the name"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn overrides_answered_otherwise_fail_the_override_cases() {
    // Each answer of the overrides API is bent in one field a case reads.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer.json() else {
            return false;
        };
        let by_id = "/v1/workflow-overrides/{overrideId}";
        let by_tenant = "/v1/workflow-overrides/workflows/{workflowId}/tenants/{tenantId}";
        match answer.status {
            201 if outgoing.is("POST", "/v1/workflow-overrides") => {
                body["data"]["deleted"] = json!(true)
            }
            400 if outgoing.is("POST", "/v1/workflow-overrides") => {
                body["message"] = json!(["bent"])
            }
            200 if outgoing.is("GET", by_id) || outgoing.is("GET", by_tenant) => {
                let email = body["data"]["preferenceSettings"]["email"].as_bool();
                body["data"]["preferenceSettings"]["email"] = json!(!email.unwrap_or(false));
            }
            200 if outgoing.is("DELETE", by_id) => body["data"] = json!(false),
            404 if outgoing.is("DELETE", by_id) => body["message"] = json!("bent"),
            200 if outgoing.is("GET", "/v1/workflow-overrides") => {
                if let Some(data) = body["data"].as_array_mut() {
                    data.pop();
                }
            }
            _ => return false,
        }
        answer.set_json(&body);
        true
    });
    let operations = [
        "workflow_overrides_create",
        "workflow_overrides_delete",
        "workflow_overrides_retrieve",
        "workflow_overrides_retrieve_by_tenant",
        "workflow_overrides_list",
    ];
    let (report, broken) = run_broken(breakage, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should successfully create new workflow override",
            "should fail on creation of new workflow override with missing workflow id",
            "should fail on creation of new workflow override with missing tenant id",
            "should delete the workflow override",
            "should fail to delete non-existing workflow override",
            "should return the workflow override by ID",
            "should return the workflow override",
            "should return all workflows override by workflow id",
            "should return all workflows override by workflow id with pagination"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organization_read_that_keeps_the_old_name_fails_the_rename_cases() {
    // Where Novu reads the organization back with its new name, the bent server keeps another.
    let breakage = Breakage::json_answer("GET", "/v1/organizations/me", 200, |body| {
        body["data"]["name"] = json!("bent");
        true
    });
    let operations = [
        "organizations_rename",
        "organizations_retrieve_current",
        "environments_retrieve_current",
    ];
    let (report, broken) = run_broken(breakage, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should rename the organization",
            "should update organization name only"
        ],
        "{:#?}",
        report.cases
    );
    assert!(
        violations(&report)
            .iter()
            .all(|violation| violation.expected.starts_with("data.name is")),
        "{:#?}",
        violations(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_activity_feed_without_the_workflow_id_fails_the_filter_cases() {
    // Novu's feed items carry the triggered workflow's `_templateId`; the bent server drops it.
    let breakage = Breakage::json_answer("GET", "/v1/notifications", 200, |body| {
        let mut dropped = false;
        for item in body["data"].as_array_mut().into_iter().flatten() {
            dropped |= item
                .as_object_mut()
                .and_then(|item| item.remove("_templateId"))
                .is_some();
        }
        dropped
    });
    let (report, broken) = run_broken(breakage, &["notifications_list"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should filter by templateId",
            "should filter by email",
            "should filter by subscriberId"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trigger_answered_unacknowledged_fails_the_trigger_cases() {
    // The bent server answers a processed trigger with `acknowledged: false`.
    let breakage = Breakage::json_answer("POST", "/v1/events/trigger", 201, |body| {
        if body["data"]["status"] != "processed" {
            return false;
        }
        body["data"]["acknowledged"] = json!(false);
        true
    });
    let (report, broken) = run_broken(breakage, &["events_trigger"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should trigger an event successfully",
            "should trigger an event successfully",
            "should trigger an event successfully"
        ],
        "{:#?}",
        report.cases
    );
    assert!(
        violations(&report)
            .iter()
            .all(|violation| violation.expected.starts_with("data.acknowledged is true")),
        "{:#?}",
        violations(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn integration_answers_with_the_primary_flag_flipped_fail_the_create_cases() {
    // Every created integration is answered with its primary flag the other way round.
    let breakage = Breakage::json_answer("POST", "/v1/integrations", 201, |body| {
        body["data"]["primary"] = json!(body["data"]["primary"] != json!(true));
        true
    });
    let (report, broken) = run_broken(breakage, &["integrations_create"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should not calculate primary and priority fields when is not active",
            "should not calculate primary and priority fields for push channel",
            "should not calculate primary and priority fields for chat channel",
            "should set the integration as primary when its active and there are no other active integrations",
            "should not set the integration as primary when there is primary integration",
            "should calculate the highest priority but not set primary if there is another active integration"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn integration_updates_one_priority_up_and_primaries_refused_fail_those_cases() {
    // An update answers one priority more; setting a primary answers it not primary.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let update = outgoing.is("PUT", "/v1/integrations/{integrationId}") && answer.status == 200;
        let primary = outgoing.is("POST", "/v1/integrations/{integrationId}/set-primary")
            && answer.status == 201;
        let Some(mut body) = answer.json().filter(|_| update || primary) else {
            return false;
        };
        if update {
            body["data"]["priority"] = json!(body["data"]["priority"].as_i64().unwrap_or(0) + 1);
        } else {
            body["data"]["primary"] = json!(false);
        }
        answer.set_json(&body);
        true
    });
    let operations = ["integrations_update", "integrations_set_primary"];
    let (report, broken) = run_broken(breakage, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should not calculate primary and priority if active is not defined",
            "should not calculate primary and priority if active not changed",
            "should not calculate primary and priority fields for in-app channel",
            "should not calculate primary and priority fields for push channel",
            "should not calculate primary and priority fields for chat channel",
            "should not set the primary if there are no other active integrations",
            "should calculate the highest priority but not set primary if there is another active integration",
            "should calculate the priority but not higher than the primary integration",
            "should recalculate the priority when integration is deactivated",
            "should recalculate the priority when the primary integration is deactivated",
            "should not update the primary integration if already is primary",
            "should set primary and active when there are no other active integrations",
            "should set primary and active and update old primary",
            "should set primary and active and update priority for other active integrations",
            "should allow set primary for active and recalculate priority for other",
            "should allow to set primary and do not recalculate priority for all inactive"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn feeds_listed_short_and_deletes_answered_otherwise_fail_the_feed_cases() {
    // The list drops its last feed; a refused delete is reworded; a delete lists one feed more.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer.json() else {
            return false;
        };
        match answer.status {
            200 if outgoing.is("GET", "/v1/feeds") => {
                if let Some(feeds) = body["data"].as_array_mut() {
                    feeds.pop();
                }
            }
            200 if outgoing.is("DELETE", "/v1/feeds/{feedId}") => {
                if let Some(feeds) = body["data"].as_array_mut() {
                    feeds.push(json!({ "_id": "6b13324fafc5d80fba1372d2", "name": "bent" }));
                }
            }
            400 if outgoing.is("DELETE", "/v1/feeds/{feedId}") => body["message"] = json!("bent"),
            _ => return false,
        }
        answer.set_json(&body);
        true
    });
    let (report, broken) = run_broken(breakage, &["feeds_delete", "feeds_list"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should not be able to delete feed that has a message",
            "should delete feed",
            "should get all feeds",
            "should create default feed if none exists"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn promoted_copies_and_change_lists_answered_otherwise_fail_the_change_cases() {
    // Workflows are read with their status flipped and their first step renamed, with one step
    // more and no variables; groups without `_parentId`; each change is listed twice and the
    // count doubled.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer.json().filter(|_| answer.status == 200) else {
            return false;
        };
        if outgoing.is("GET", "/v1/workflows") {
            for workflow in body["data"].as_array_mut().into_iter().flatten() {
                workflow["active"] = json!(workflow["active"] != json!(true));
                if let Some(steps) = workflow["steps"].as_array_mut() {
                    if let Some(first) = steps.first_mut() {
                        first["template"]["name"] = json!("bent");
                        first["template"]["variables"] = json!([]);
                    }
                    steps.push(json!({ "template": { "name": "bent" } }));
                }
            }
        } else if outgoing.is("GET", "/v1/notification-groups") {
            for group in body["data"].as_array_mut().into_iter().flatten() {
                group.as_object_mut().map(|group| group.remove("_parentId"));
            }
        } else if outgoing.is("GET", "/v1/changes") {
            let doubled: Vec<_> = body["data"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|change| [change.clone(), change.clone()])
                .collect();
            body["data"] = json!(doubled);
        } else if outgoing.is("GET", "/v1/changes/count") {
            body["data"] = json!(body["data"].as_i64().unwrap_or_default() * 2);
        } else {
            return false;
        }
        answer.set_json(&body);
        true
    });
    let operations = ["changes_apply", "changes_count", "changes_list"];
    let (report, broken) = run_broken(breakage, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "get list of changes",
            "should set correct notification group for notification template",
            "should promote step variables default values",
            "delete message",
            "update active flag on notification template",
            "update existing message",
            "add one more message",
            "should count not applied changes",
            "should count delete change",
            "should merge creation, and status changes to one change",
            "should promote the updates done to a layout existing to production",
            "should promote the deletion of a layout to production"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn workflows_read_without_their_promotion_fail_the_promotion_cases() {
    // Created steps lose their sender name, listed workflows their `_parentId`, a read one all
    // steps but its first, and changes their entity's name.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer.json() else {
            return false;
        };
        match answer.status {
            201 if outgoing.is("POST", "/v1/workflows") => {
                let Some(step) = body["data"]["steps"].get_mut(0) else {
                    return false;
                };
                step["template"]["senderName"] = json!("bent");
            }
            200 if outgoing.is("GET", "/v1/workflows") => {
                for workflow in body["data"].as_array_mut().into_iter().flatten() {
                    workflow
                        .as_object_mut()
                        .map(|workflow| workflow.remove("_parentId"));
                }
            }
            200 if outgoing.is("GET", "/v1/workflows/{workflowId}") => {
                if let Some(steps) = body["data"]["steps"].as_array_mut() {
                    steps.truncate(1);
                }
            }
            200 if outgoing.is("GET", "/v1/changes") => {
                for change in body["data"].as_array_mut().into_iter().flatten() {
                    change["templateName"] = json!("bent");
                }
            }
            _ => return false,
        }
        answer.set_json(&body);
        true
    });
    let operations = ["workflows_create", "workflows_delete"];
    let (report, broken) = run_broken(breakage, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should only make one change on delete",
            "should create email template",
            "should use sender name in email template",
            "should delete the production workflow",
            "should delete the workflow along with the message templates",
            "should delete the production message templates"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_listed_with_renamed_operations_fail_the_layout_change_cases() {
    // Each recorded `update` entry is listed as a `replace`.
    let breakage = Breakage::json_answer("GET", "/v1/changes", 200, |body| {
        for change in body["data"].as_array_mut().into_iter().flatten() {
            for entry in change["change"].as_array_mut().into_iter().flatten() {
                if entry["op"] == "update" {
                    entry["op"] = json!("replace");
                }
            }
        }
        true
    });
    let (report, broken) = run_broken(breakage, &["changes_apply"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should promote the updates done to a layout existing to production",
            "should promote the deletion of a layout to production"
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn digest_steps_stored_without_their_filters_fail_the_digest_filter_case() {
    // The bent server drops a digest step's filters when it stores the workflow, so every
    // digest waits and none is recorded as filtered: the cases whose filter should skip a
    // digest fail, those whose filter lets it wait pass.
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        bend_created_steps(outgoing, |step| {
            step["template"]["type"] == "digest"
                && step
                    .as_object_mut()
                    .and_then(|step| step.remove("filters"))
                    .is_some()
        })
    });
    let (report, broken) = run_broken(breakage, &["events_trigger"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should filter digest step",
            "should filter multiple digest steps",
            "should not aggregate a filtered digest into a non filtered digest",
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_is_defined_filter_read_as_its_negation_fails_the_delay_filter_cases() {
    // The bent server stores every `IS_DEFINED` condition of a delay step as "the value is not
    // equal to the empty string", which a missing value is and `false` (the empty string read
    // as a boolean) is not: a delay that should run is skipped and one that should be skipped
    // runs.
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        bend_created_steps(outgoing, |step| {
            if step["template"]["type"] != "delay" {
                return false;
            }
            let mut bent = false;
            for filter in step["filters"].as_array_mut().into_iter().flatten() {
                for child in filter["children"].as_array_mut().into_iter().flatten() {
                    if child["operator"] == "IS_DEFINED" {
                        child["operator"] = json!("NOT_EQUAL");
                        bent = true;
                    }
                }
            }
            bent
        })
    });
    let (report, broken) = run_broken(breakage, &["events_trigger"]).await;
    assert!(broken > 0);
    let failed = failed_titles(&report);
    for title in [
        "should filter delay step",
        "should filter a delay that is the first step in the workflow",
        "should not filter delay step",
    ] {
        assert!(failed.contains(&title), "{title}: {failed:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn push_details_reworded_as_a_single_provider_failure_fail_the_push_cases() {
    // The bent server records what kept a push step from delivering as one failure of the
    // chosen integration, as the reference did before it followed Novu's push sender.
    let breakage = Breakage::json_answer("GET", "/v1/execution-details", 200, |body| {
        let mut bent = false;
        for detail in body["data"].as_array_mut().into_iter().flatten() {
            let text = detail["detail"].as_str().unwrap_or_default();
            if text == "Subscriber does not have a configured channel"
                || text.starts_with("Subscriber credentials is missing the tokens")
            {
                detail["detail"] =
                    json!("Subscriber does not have active channel credentials for this provider");
                bent = true;
            }
        }
        bent
    });
    let (report, broken) = run_broken(breakage, &["events_trigger"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should not create any message if subscriber has no configured channel",
            "should not create any message if subscriber has configured two providers without device tokens"
        ],
        "{:#?}",
        report.cases
    );
}

/// A server too slow for a case's digest window (its third event answered only after the
/// window) makes the cases that need that event inside the window inconclusive: skipped with
/// the reason, never failed.
#[tokio::test(flavor = "multi_thread")]
async fn a_window_missed_by_a_slow_answer_is_inconclusive_not_failed() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, _: &mut Answer| {
        let third = outgoing.is("POST", "/v1/events/trigger")
            && outgoing
                .json()
                .is_some_and(|body| body["payload"]["customVar"] == json!("trigger_3_data"));
        if third {
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        third
    });
    let (report, broken) = run_broken(breakage, &["events_cancel"]).await;
    assert!(broken >= 3, "the third events were answered late: {broken}");
    assert!(violations(&report).is_empty(), "{report:#?}");
    assert!(failed_titles(&report).is_empty(), "{:#?}", report.cases);
    let inconclusive: Vec<&str> = with_outcome(&report, |outcome| {
        matches!(outcome, CaseOutcome::Skipped(reason) if reason.starts_with(INCONCLUSIVE))
    })
    .into_iter()
    .map(|case| case.title)
    .collect();
    assert_eq!(inconclusive.len(), broken as usize, "{inconclusive:?}");
}
