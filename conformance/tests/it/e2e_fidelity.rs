//! `novu-e2e` cases that read what Novu sends beyond the obvious — the command's field names
//! in its messages, the `_parentId` chain of steps, a group's `id`, a step template's
//! `_layoutId` — fail when the reference
//! behind [`BrokenReference`] answers as it did before it followed Novu there.

use serde_json::Value;

use crate::e2e::{bend_created_steps, failed_titles, run_broken, violations};
use crate::proxy::{Answer, Breakage, Outgoing};

#[tokio::test(flavor = "multi_thread")]
async fn a_message_naming_the_request_field_fails_the_command_field_cases() {
    // The bent server names the field as the request does, not as Novu's command does.
    let breakage = Breakage::answer(|_: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer.json().filter(|_| answer.status == 400) else {
            return false;
        };
        let Some(messages) = body["message"].as_array_mut() else {
            return false;
        };
        let mut bent = false;
        for message in messages.iter_mut() {
            if let Some(rule) = message
                .as_str()
                .and_then(|text| text.strip_prefix("_tenantId "))
            {
                *message = Value::from(format!("tenantId {rule}"));
                bent = true;
            }
        }
        answer.set_json(&body);
        bent
    });
    let operations = [
        "workflow_overrides_create",
        "workflow_overrides_update_by_tenant",
    ];
    let (report, broken) = run_broken(breakage, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should fail on creation of new workflow override with missing tenant id",
            "should fail update workflow override with invalid tenant identifier",
            "should fail update workflow override with invalid workflow id",
            "should fail update workflow override with now existing workflow override",
        ],
        "{:#?}",
        report.cases
    );
    assert!(
        violations(&report).iter().all(|violation| violation
            .expected
            .contains("_tenantId must be a mongodb id")),
        "{:#?}",
        violations(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn steps_without_their_parent_fail_the_chain_cases() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let is_workflow = outgoing.is("POST", "/v1/workflows")
            || outgoing.is("PUT", "/v1/workflows/{workflowId}")
            || outgoing.is("GET", "/v1/workflows/{workflowId}");
        let Some(mut body) = answer.json().filter(|_| is_workflow) else {
            return false;
        };
        let mut bent = false;
        for step in body["data"]["steps"].as_array_mut().into_iter().flatten() {
            bent |= step
                .as_object_mut()
                .and_then(|step| step.remove("_parentId"))
                .is_some();
            for variant in step["variants"].as_array_mut().into_iter().flatten() {
                bent |= variant
                    .as_object_mut()
                    .and_then(|variant| variant.remove("_parentId"))
                    .is_some();
            }
        }
        answer.set_json(&body);
        bent
    });
    let (report, broken) = run_broken(breakage, &["workflows_create", "workflows_update"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        // The workflow-create cases play beside the others, so their outcomes come first.
        [
            "should add parentId to step",
            "should update the workflow",
            "should update the steps",
        ],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_without_its_id_fails_the_case_that_reads_it() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer
            .json()
            .filter(|_| outgoing.is("GET", "/v1/notification-groups/{id}"))
        else {
            return false;
        };
        let bent = body["data"]
            .as_object_mut()
            .and_then(|group| group.remove("id"))
            .is_some();
        answer.set_json(&body);
        bent
    });
    let (report, broken) = run_broken(breakage, &["workflow_groups_update"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        ["update the notification group by id"],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_calls_that_never_get_through_fail_the_webhook_answer_cases() {
    // The bent server's webhook conditions call a port nothing listens on, whatever URL the
    // workflow names: no answer ever decides, every call fails.
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        bend_created_steps(outgoing, |step| {
            let mut bent = false;
            for group in step["filters"].as_array_mut().into_iter().flatten() {
                for part in group["children"].as_array_mut().into_iter().flatten() {
                    if part["on"] == "webhook" {
                        part["webhookUrl"] = Value::from("http://127.0.0.1:9/hook/json/closed");
                        bent = true;
                    }
                }
            }
            bent
        })
    });
    let (report, broken) = run_broken(breakage, &["events_trigger"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        // Both play beside the concurrent checks and are recorded in the order of the file.
        [
            "should filter a message based on webhook filter",
            "should backoff on exception while webhook filter (original request + 2 retries)",
        ],
        "{:#?}",
        report.cases
    );
    assert!(
        violations(&report).iter().all(|violation| violation
            .expected
            .starts_with("the number of the workflow's messages is 1")),
        "{:#?}",
        violations(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_list_without_the_actor_avatar_fails_the_actor_avatar_case() {
    // The bent server lists a user actor as the step stored it, without the actor's avatar.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer
            .json()
            .filter(|_| outgoing.is("GET", "/v1/messages") && answer.status == 200)
        else {
            return false;
        };
        let mut bent = false;
        for message in body["data"].as_array_mut().into_iter().flatten() {
            if message["actor"]["type"] == "user" && !message["actor"]["data"].is_null() {
                message["actor"]["data"] = Value::Null;
                bent = true;
            }
        }
        answer.set_json(&body);
        bent
    });
    let (report, broken) = run_broken(breakage, &["events_trigger"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        ["should send the message with the actor avatar"],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trigger_that_loses_its_integration_override_fails_the_override_case() {
    // The bent server never sees `overrides.email.integrationIdentifier`.
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        let Some(mut body) = outgoing
            .json()
            .filter(|_| outgoing.is("POST", "/v1/events/trigger"))
        else {
            return false;
        };
        let Some(email) = body["overrides"]["email"].as_object_mut() else {
            return false;
        };
        if email.remove("integrationIdentifier").is_none() {
            return false;
        }
        outgoing.set_json(&body);
        true
    });
    let (report, broken) = run_broken(breakage, &["events_trigger"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        ["should trigger message with override integration identifier"],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_default_layout_promoted_as_a_layout_change_fails_the_default_creation_case() {
    // The bent server answers a promotion with its `DefaultLayout` changes typed `Layout`, as the
    // reference recorded a layout created as the default before.
    let breakage = Breakage::json_answer("POST", "/v1/changes/{changeId}/apply", 201, |body| {
        let mut bent = false;
        for change in body["data"].as_array_mut().into_iter().flatten() {
            if change["type"] == "DefaultLayout" {
                change["type"] = Value::from("Layout");
                bent = true;
            }
        }
        bent
    });
    let (report, broken) = run_broken(breakage, &["changes_apply"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        ["should promote a new layout created to production"],
        "{:#?}",
        report.cases
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_step_template_without_its_layout_fails_the_layout_in_use_case() {
    // The bent server answers a created workflow's templates without the `_layoutId` it stored.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer
            .json()
            .filter(|_| outgoing.is("POST", "/v1/workflows"))
        else {
            return false;
        };
        let mut bent = false;
        for step in body["data"]["steps"].as_array_mut().into_iter().flatten() {
            bent |= step["template"]
                .as_object_mut()
                .and_then(|template| template.remove("_layoutId"))
                .is_some();
        }
        answer.set_json(&body);
        bent
    });
    let (report, broken) = run_broken(breakage, &["layouts_delete"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [
            "should throw a conflict error when the layout ID to soft delete is associated to message templates"
        ],
        "{:#?}",
        report.cases
    );
}
