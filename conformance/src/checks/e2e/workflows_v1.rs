//! Cases ported from Novu's `workflows-v1/e2e/` (its creates are in `workflow_create`): a
//! workflow read by id, its status changed, deleted (gone from reads and lists, an error once
//! gone), the list paged and filtered by name and trigger identifier, and updates of its
//! name, identifier, steps, variants, variables and reply callbacks.
//!
//! Novu's harness made its workflows with a factory and read them back from its database;
//! here they are made and read through the API, each in a group of its own, and deleted at the
//! end.

use serde_json::{Value, json};

use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::{Stop, in_app_step};

const STATUS: &str = "workflows-v1/e2e/change-template-status.e2e.ts";
const DELETE: &str = "workflows-v1/e2e/delete-notification-template.e2e.ts";
const GET: &str = "workflows-v1/e2e/get-notification-template.e2e.ts";
const LIST: &str = "workflows-v1/e2e/get-notification-templates.e2e.ts";
const UPDATE: &str = "workflows-v1/e2e/update-notification-template.e2e.ts";

/// Why the reply-callback case is skipped.
const NO_REPLY_CALLBACK: &str = "a step created without `replyCallback` carries none in the reference's answers (the field is absent); Novu's step answers an empty `replyCallback` object `{}`";

/// Why the case of an empty CTA action is skipped.
const CTA_ACTION: &str = "for a step whose `cta.action` is the empty string the reference answers 400 with the schema's message list `[\"steps.0.template.cta.action must be an object\"]`; Novu answers 400 with the single message `Please provide a valid CTA action`";

/// Why the case of an update with variants is skipped.
const NO_VARIANT_PARENT: &str = "the reference's variants carry no `_parentId`; Novu chains each variant of a step to the one before it (the first's is null, the second's is the first's `_id`)";

/// Why the case of updated email steps is skipped.
const NO_STEP_PARENT: &str = "the reference's steps carry no `_parentId`; Novu chains each step to the one before it (the first's is null, each next one's is the previous step's `_id`)";

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[
    Ported::new(
        STATUS,
        "should change the status from active false to active true",
        "workflow_status_update",
        |t| Box::pin(change_status(t)),
    ),
    Ported::new(
        DELETE,
        "should delete the workflow",
        "workflows_delete",
        |t| Box::pin(delete(t)),
    ),
    Ported::new(
        DELETE,
        "should only make one change on delete",
        "workflows_delete",
        |t| Box::pin(one_change_on_delete(t)),
    ),
    Ported::new(
        DELETE,
        "should not display on listing workflows",
        "workflows_delete",
        |t| Box::pin(delete_from_list(t)),
    ),
    Ported::new(
        DELETE,
        "should fail for non-existing workflow",
        "workflows_delete",
        |t| Box::pin(delete_missing(t)),
    ),
    Ported::new(
        GET,
        "should return the workflow by its id",
        "workflows_retrieve",
        |t| Box::pin(get(t)),
    ),
    Ported::new(
        LIST,
        "should return all workflows for organization",
        "workflows_list",
        |t| Box::pin(list_all_of_case(t)),
    ),
    Ported::new(
        LIST,
        "should not include variants data in the response",
        "workflows_list",
        |t| Box::pin(list_without_variants(t)),
    ),
    Ported::new(
        LIST,
        "should return all workflows as per pagination",
        "workflows_list",
        |t| Box::pin(pages(t)),
    ),
    Ported::new(
        LIST,
        "should filter workflows based on the trigger identifier",
        "workflows_list",
        |t| Box::pin(filter_by_identifier(t)),
    ),
    Ported::new(
        LIST,
        "should filter workflows based on both the name and trigger identifier",
        "workflows_list",
        |t| Box::pin(filter_by_name_or_identifier(t)),
    ),
    Ported::new(
        LIST,
        "should paginate and filter workflows based on the name",
        "workflows_list",
        |t| Box::pin(filter_a_page_by_name(t)),
    ),
    Ported::new(
        LIST,
        "should filter workflows based on the name",
        "workflows_list",
        |t| Box::pin(filter_by_name(t)),
    ),
    Ported::new(
        UPDATE,
        "should update the workflow",
        "workflows_update",
        |t| Box::pin(update_with_variants(t)),
    )
    .differs(NO_VARIANT_PARENT),
    Ported::new(
        UPDATE,
        "should throw error if trigger identifier already exists",
        "workflows_update",
        |t| Box::pin(update_to_a_taken_identifier(t)),
    ),
    Ported::new(
        UPDATE,
        "should update the trigger identifier",
        "workflows_update",
        |t| Box::pin(update_identifier(t)),
    ),
    Ported::new(
        UPDATE,
        "should generate new variables on update",
        "workflows_update",
        |t| Box::pin(update_variables(t)),
    ),
    Ported::new(
        UPDATE,
        "should update the contentType and active of a message",
        "workflows_update",
        |t| Box::pin(update_step(t)),
    ),
    Ported::new(
        UPDATE,
        "should be able to update empty message content",
        "workflows_update",
        |t| Box::pin(update_to_empty_content(t)),
    ),
    Ported::new(UPDATE, "should update the steps", "workflows_update", |t| {
        Box::pin(update_email_steps(t))
    })
    .differs(NO_STEP_PARENT),
    Ported::new(
        UPDATE,
        "should update reply callbacks",
        "workflows_update",
        |t| Box::pin(update_reply_callback(t)),
    )
    .differs(NO_REPLY_CALLBACK),
    Ported::new(
        UPDATE,
        "should not able to update step with invalid action",
        "workflows_update",
        |t| Box::pin(update_with_empty_action(t)),
    )
    .differs(CTA_ACTION),
];

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// Creates a workflow with one in-app step and `extra` fields (deleted at the end).
async fn workflow(trial: &Trial<'_>, extra: Value) -> Result<Value, Stop> {
    let step = in_app_step("Test content for <b>{{firstName}}</b>", json!([]));
    trial.workflow_with(json!([step]), extra).await
}

async fn read(trial: &Trial<'_>, id: &str) -> Result<Reply, Stop> {
    trial
        .call("workflows_retrieve", &[("workflowId", id)], &[], None)
        .await
}

async fn change_status(trial: &Trial<'_>) -> Result<(), Stop> {
    let made = workflow(trial, json!({ "active": false })).await?;
    let id = text(&made["_id"]);
    let before = read(trial, &id).await?;
    trial.equal(&before, "data.active", &before.data()["active"], false)?;
    trial.equal(&before, "data.draft", &before.data()["draft"], true)?;
    trial
        .call(
            "workflow_status_update",
            &[("workflowId", &id)],
            &[],
            Some(json!({ "active": true })),
        )
        .await?;
    // Novu reads its database; here the workflow is read through the API.
    let after = read(trial, &id).await?;
    trial.equal(&after, "data.active", &after.data()["active"], true)?;
    trial.equal(&after, "data.draft", &after.data()["draft"], false)
}

/// Novu finds the workflow among its deleted documents; over HTTP it is gone: a read is 404.
async fn delete(trial: &Trial<'_>) -> Result<(), Stop> {
    let made = workflow(trial, json!({})).await?;
    let id = text(&made["_id"]);
    trial
        .call("workflows_delete", &[("workflowId", &id)], &[], None)
        .await?;
    let after = read(trial, &id).await?;
    trial.equal(&after, "statusCode", &after.body["statusCode"], 404)
}

/// The workflows of this case in the list, found by its prefix.
async fn listed(trial: &Trial<'_>) -> Result<(Reply, usize), Stop> {
    let prefix = trial.prefix();
    let reply = trial
        .call(
            "workflows_list",
            &[],
            &[("page", "0"), ("limit", "100"), ("query", &prefix)],
            None,
        )
        .await?;
    let count = items(reply.data())
        .iter()
        .filter(|workflow| text(&workflow["name"]).starts_with(&prefix))
        .count();
    Ok((reply, count))
}

/// Novu's fresh environment lists its three workflows, then two; here the case's own are
/// counted, found by the case's prefix.
async fn delete_from_list(trial: &Trial<'_>) -> Result<(), Stop> {
    let named = |number: u32| json!({ "name": trial.name(&format!("workflow {number}")) });
    let first = workflow(trial, named(0)).await?;
    workflow(trial, named(1)).await?;
    workflow(trial, named(2)).await?;
    let (before, count) = listed(trial).await?;
    trial.equal(&before, "the case's workflows listed", &json!(count), 3)?;
    trial
        .call(
            "workflows_delete",
            &[("workflowId", &text(&first["_id"]))],
            &[],
            None,
        )
        .await?;
    let (after, count) = listed(trial).await?;
    trial.equal(&after, "the case's workflows listed", &json!(count), 2)
}

async fn delete_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = trial
        .call(
            "workflows_delete",
            &[("workflowId", "5f6651112efc19f33b34fc39")],
            &[],
            None,
        )
        .await?;
    let message = text(&reply.body["message"]);
    trial.holds(
        &reply,
        "message contains \"Could not find workflow with id\"",
        message.contains("Could not find workflow with id"),
    )
}

async fn get(trial: &Trial<'_>) -> Result<(), Stop> {
    let made = workflow(trial, json!({})).await?;
    let id = text(&made["_id"]);
    let reply = read(trial, &id).await?;
    let found = reply.data();
    trial.equal(&reply, "data._id", &found["_id"], id.as_str())?;
    trial.equal(&reply, "data.name", &found["name"], made["name"].clone())?;
    let length = |value: &Value| json!(items(value).len());
    trial.equal(
        &reply,
        "data.steps.length",
        &length(&found["steps"]),
        length(&made["steps"]),
    )?;
    let step = &found["steps"][0];
    trial.holds(
        &reply,
        "data.steps[0].template is set",
        step["template"].is_object(),
    )?;
    trial.equal(
        &reply,
        "data.steps[0].template.content",
        &step["template"]["content"],
        made["steps"][0]["template"]["content"].clone(),
    )?;
    trial.holds(
        &reply,
        "data.steps[0]._templateId is set",
        step["_templateId"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
    )?;
    trial.equal(
        &reply,
        "data.triggers.length",
        &length(&found["triggers"]),
        length(&made["triggers"]),
    )
}

/// Novu's fresh environment lists its three workflows, in the default group `General`; here
/// the case's three are found by its prefix, each in the group made for it.
async fn list_all(trial: &Trial<'_>) -> Result<Value, Stop> {
    let named = |number: u32| json!({ "name": trial.name(&format!("workflow {number}")) });
    let first = workflow(trial, named(0)).await?;
    workflow(trial, named(1)).await?;
    workflow(trial, named(2)).await?;
    let (reply, count) = listed(trial).await?;
    trial.equal(&reply, "the case's workflows listed", &json!(count), 3)?;
    let found = items(reply.data())
        .iter()
        .find(|workflow| workflow["_id"] == first["_id"])
        .cloned()
        .unwrap_or(Value::Null);
    trial.holds(&reply, "the first workflow is listed", found.is_object())?;
    trial.equal(&reply, "its name", &found["name"], first["name"].clone())?;
    let group = trial
        .setup(
            "the workflow's group is readable",
            "workflow_groups_retrieve",
            &[("id", &text(&first["_notificationGroupId"]))],
            None,
        )
        .await?;
    trial.equal(
        &reply,
        "its notificationGroup.name",
        &found["notificationGroup"]["name"],
        group["name"].clone(),
    )?;
    Ok(found)
}

async fn list_all_of_case(trial: &Trial<'_>) -> Result<(), Stop> {
    list_all(trial).await.map(drop)
}

async fn list_without_variants(trial: &Trial<'_>) -> Result<(), Stop> {
    let found = list_all(trial).await?;
    let (reply, _) = listed(trial).await?;
    trial.holds(
        &reply,
        "its steps[0].variants is undefined",
        found["steps"][0].get("variants").is_none(),
    )
}

/// Ten workflows named `<prefix>Test Template <n>`; answers the name they share.
async fn ten_named(trial: &Trial<'_>, label: &str) -> Result<String, Stop> {
    let name = trial.name(label);
    for number in 0..10 {
        workflow(trial, json!({ "name": format!("{name} {number}") })).await?;
    }
    Ok(name)
}

/// Lists page 0 of `limit` for `query` and checks the page's form and that every item
/// matches; answers the reply.
async fn page_of(trial: &Trial<'_>, query: &str, limit: usize) -> Result<Reply, Stop> {
    let limit_text = limit.to_string();
    let reply = trial
        .call(
            "workflows_list",
            &[],
            &[("page", "0"), ("limit", &limit_text), ("query", query)],
            None,
        )
        .await?;
    let body = &reply.body;
    trial.equal(
        &reply,
        "data.length",
        &json!(items(reply.data()).len()),
        limit.min(10),
    )?;
    trial.equal(&reply, "totalCount", &body["totalCount"], 10)?;
    trial.equal(&reply, "page", &body["page"], 0)?;
    trial.equal(&reply, "pageSize", &body["pageSize"], limit)?;
    trial.holds(
        &reply,
        "every data[i].name contains the query",
        items(reply.data())
            .iter()
            .all(|workflow| text(&workflow["name"]).contains(query)),
    )?;
    Ok(reply)
}

/// Novu's fresh environment holds only its ten matches; here the names carry the case's
/// prefix, so the query matches the case's ten alone.
async fn filter_a_page_by_name(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = ten_named(trial, "Pagination Test").await?;
    page_of(trial, &name, 2).await.map(drop)
}

/// As [`filter_a_page_by_name`], on one page that holds them all.
async fn filter_by_name(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = ten_named(trial, "Test Template").await?;
    page_of(trial, &name, 100).await.map(drop)
}

async fn update_workflow(trial: &Trial<'_>, id: &str, body: Value) -> Result<Reply, Stop> {
    trial
        .call("workflows_update", &[("workflowId", id)], &[], Some(body))
        .await
}

fn identifier(workflow: &Value) -> String {
    text(&workflow["triggers"][0]["identifier"])
}

async fn update_to_a_taken_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    let named = |number: u32| json!({ "name": trial.name(&format!("workflow {number}")) });
    let first = workflow(trial, named(0)).await?;
    let second = workflow(trial, named(1)).await?;
    let taken = identifier(&first);
    let reply =
        update_workflow(trial, &text(&second["_id"]), json!({ "identifier": taken })).await?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        format!("Workflow with identifier {taken} already exists"),
    )?;
    trial.equal(&reply, "error", &reply.body["error"], "Bad Request")
}

/// Novu also finds the change the update recorded in its database; that part is not replayed.
async fn update_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    let made = workflow(
        trial,
        json!({ "description": "This is a test description" }),
    )
    .await?;
    let id = text(&made["_id"]);
    let renamed = format!("{}-new", identifier(&made));
    let reply = update_workflow(trial, &id, json!({ "identifier": renamed })).await?;
    let found = reply.data();
    trial.equal(&reply, "data._id", &found["_id"], id.as_str())?;
    trial.equal(
        &reply,
        "data.description",
        &found["description"],
        made["description"].clone(),
    )?;
    trial.equal(&reply, "data.name", &found["name"], made["name"].clone())?;
    trial.equal(
        &reply,
        "data.triggers[0].identifier",
        &found["triggers"][0]["identifier"],
        renamed,
    )
}

async fn update_variables(trial: &Trial<'_>) -> Result<(), Stop> {
    let step = in_app_step(
        "This is new content for notification {{otherVariable}}",
        json!([]),
    );
    let made = trial.workflow(json!([step])).await?;
    let id = text(&made["_id"]);
    let update = json!({ "steps": [{ "template": {
        "type": "in_app",
        "content": "This is new content for notification {{newVariableFromUpdate}}",
    } }] });
    let reply = update_workflow(trial, &id, update).await?;
    let found = reply.data();
    trial.equal(&reply, "data._id", &found["_id"], id.as_str())?;
    trial.equal(
        &reply,
        "data.triggers[0].variables[0].name",
        &found["triggers"][0]["variables"][0]["name"],
        "newVariableFromUpdate",
    )
}

async fn update_step(trial: &Trial<'_>) -> Result<(), Stop> {
    let step = json!({
        "name": "email",
        "active": true,
        "template": { "type": "email", "contentType": "editor", "content": "Content", "subject": "Subject" },
    });
    let made = trial.workflow(json!([step])).await?;
    let id = text(&made["_id"]);
    let update = json!({ "steps": [{ "active": false, "template": {
        "type": "email",
        "contentType": "customHtml",
        "content": "Content",
    } }] });
    let reply = update_workflow(trial, &id, update).await?;
    let found = reply.data();
    trial.equal(&reply, "data._id", &found["_id"], id.as_str())?;
    trial.equal(
        &reply,
        "data.steps[0].active",
        &found["steps"][0]["active"],
        false,
    )?;
    trial.equal(
        &reply,
        "data.steps[0].template.contentType",
        &found["steps"][0]["template"]["contentType"],
        "customHtml",
    )
}

/// Lists page `page` of `limit` for the case's prefix.
async fn prefixed_page(trial: &Trial<'_>, page: &str, limit: &str) -> Result<Reply, Stop> {
    let prefix = trial.prefix();
    trial
        .call(
            "workflows_list",
            &[],
            &[("page", page), ("limit", limit), ("query", &prefix)],
            None,
        )
        .await
}

/// Novu's fresh environment holds its six workflows alone; here the query of the case's
/// prefix leaves the case's six, newest first.
async fn pages(trial: &Trial<'_>) -> Result<(), Stop> {
    let mut made = Vec::new();
    for number in 0..6 {
        let name = trial.name(&format!("workflow {number}"));
        made.push(text(
            &workflow(trial, json!({ "name": name })).await?["_id"],
        ));
    }
    let first = prefixed_page(trial, "0", "2").await?;
    trial.equal(&first, "data.length", &json!(items(first.data()).len()), 2)?;
    trial.equal(&first, "totalCount", &first.body["totalCount"], 6)?;
    trial.equal(&first, "page", &first.body["page"], 0)?;
    trial.equal(&first, "pageSize", &first.body["pageSize"], 2)?;
    trial.equal(
        &first,
        "data[0]._id",
        &first.data()[0]["_id"],
        made[5].as_str(),
    )?;
    let second = prefixed_page(trial, "1", "3").await?;
    trial.equal(
        &second,
        "data.length",
        &json!(items(second.data()).len()),
        3,
    )?;
    trial.equal(&second, "totalCount", &second.body["totalCount"], 6)?;
    trial.equal(&second, "page", &second.body["page"], 1)?;
    trial.equal(&second, "pageSize", &second.body["pageSize"], 3)?;
    trial.equal(
        &second,
        "data[2]._id",
        &second.data()[2]["_id"],
        made[0].as_str(),
    )
}

/// A workflow named `name` whose trigger identifier is then set to `identifier`: Novu's
/// factory writes the trigger directly, the API takes it on update.
async fn with_identifier(trial: &Trial<'_>, name: &str, identifier: &str) -> Result<(), Stop> {
    let made = workflow(trial, json!({ "name": name })).await?;
    let body = json!({ "identifier": identifier });
    trial
        .setup(
            "the workflow's trigger identifier is set",
            "workflows_update",
            &[("workflowId", &text(&made["_id"]))],
            Some(body),
        )
        .await
        .map(drop)
}

/// Lists page 0 of 100 for `query` and checks the page's form: ten matches.
async fn ten_found(trial: &Trial<'_>, query: &str) -> Result<Reply, Stop> {
    let reply = trial
        .call(
            "workflows_list",
            &[],
            &[("page", "0"), ("limit", "100"), ("query", query)],
            None,
        )
        .await?;
    let body = &reply.body;
    trial.equal(&reply, "data.length", &json!(items(reply.data()).len()), 10)?;
    trial.equal(&reply, "totalCount", &body["totalCount"], 10)?;
    trial.equal(&reply, "page", &body["page"], 0)?;
    trial.equal(&reply, "pageSize", &body["pageSize"], 100)?;
    Ok(reply)
}

/// Novu's identifiers share `test-trigger-identifier`; here they share it after the case's
/// prefix, which the names (`<prefix>workflow <n>`) do not contain.
async fn filter_by_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    let shared = trial.name("test-trigger-identifier");
    for number in 0..10 {
        let name = trial.name(&format!("workflow {number}"));
        with_identifier(trial, &name, &format!("{shared}-{number}")).await?;
    }
    let reply = ten_found(trial, &shared).await?;
    trial.holds(
        &reply,
        "every data[i].triggers[0].identifier contains the query",
        items(reply.data())
            .iter()
            .all(|workflow| identifier(workflow).contains(&shared)),
    )
}

/// Five names with `SMS` or `sms` and five identifiers with `sms`, all after the case's prefix;
/// every identifier is set, so none matches by a name turned into an identifier.
async fn filter_by_name_or_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    for number in 0..10 {
        if number % 2 == 0 {
            let spelled = if number % 4 == 0 { "SMS" } else { "sms" };
            let name = trial.name(&format!("{spelled} {number}"));
            with_identifier(trial, &name, &trial.name(&format!("w-{number}"))).await?;
        } else {
            let name = trial.name(&format!("workflow {number}"));
            with_identifier(trial, &name, &trial.name(&format!("sms-trigger-{number}"))).await?;
        }
    }
    let query = trial.name("sms");
    let reply = ten_found(trial, &query).await?;
    let by_name = items(reply.data())
        .iter()
        .filter(|workflow| text(&workflow["name"]).to_uppercase().contains("SMS"))
        .count();
    let by_identifier = items(reply.data())
        .iter()
        .filter(|workflow| identifier(workflow).contains("sms"))
        .count();
    trial.equal(&reply, "the names with SMS", &json!(by_name), 5)?;
    trial.equal(&reply, "the identifiers with sms", &json!(by_identifier), 5)
}

async fn update_reply_callback(trial: &Trial<'_>) -> Result<(), Stop> {
    let step = json!({ "template": { "name": "Message Name", "type": "email", "content": [] } });
    let extra = json!({ "description": "This is a test description", "tags": ["test-tag"] });
    let made = trial.workflow_with(json!([step]), extra).await?;
    let id = text(&made["_id"]);
    // Novu reads the create's answer; the workflow is read back here, which answers the same.
    let read = read(trial, &id).await?;
    trial.equal(
        &read,
        "data.steps[0].replyCallback",
        &read.data()["steps"][0]["replyCallback"],
        json!({}),
    )?;
    let mut update_step = step.clone();
    update_step["replyCallback"] = json!({ "active": true, "url": "acme-corp.com/webhook" });
    let update = json!({
        "name": "",
        "tags": [""],
        "description": "",
        "steps": [update_step],
        "notificationGroupId": made["_notificationGroupId"],
    });
    let reply = update_workflow(trial, &id, update).await?;
    let found = reply.data();
    trial.equal(&reply, "data.name", &found["name"], made["name"].clone())?;
    let callback = &found["steps"][0]["replyCallback"];
    trial.equal(
        &reply,
        "data.steps[0].replyCallback.active",
        &callback["active"],
        true,
    )?;
    trial.equal(
        &reply,
        "data.steps[0].replyCallback.url",
        &callback["url"],
        "acme-corp.com/webhook",
    )
}

async fn update_with_empty_action(trial: &Trial<'_>) -> Result<(), Stop> {
    let made = workflow(trial, json!({})).await?;
    let update = json!({ "steps": [{ "template": {
        "type": "in_app",
        "cta": { "action": "" },
        "content": "This is new content for notification",
    } }] });
    let reply = update_workflow(trial, &text(&made["_id"]), update).await?;
    trial.equal(
        &reply,
        "message",
        &reply.body["message"],
        "Please provide a valid CTA action",
    )?;
    trial.equal(&reply, "statusCode", &reply.body["statusCode"], 400)
}

/// Novu's fresh environment holds the one change alone; here nothing else writes while the
/// case plays, so the newest unpromoted change is the delete's, and the workflow has one.
async fn one_change_on_delete(trial: &Trial<'_>) -> Result<(), Stop> {
    let made = workflow(trial, json!({ "steps": [] })).await?;
    let name = text(&made["name"]);
    trial
        .call(
            "workflows_delete",
            &[("workflowId", &text(&made["_id"]))],
            &[],
            None,
        )
        .await?;
    let reply = trial
        .call("changes_list", &[], &[("promoted", "false")], None)
        .await?;
    trial.equal(
        &reply,
        "data[0].templateName",
        &reply.data()[0]["templateName"],
        name.as_str(),
    )?;
    let ours = items(reply.data())
        .iter()
        .filter(|change| text(&change["templateName"]) == name)
        .count();
    trial.equal(&reply, "the workflow's changes", &json!(ours), 1)
}

/// A variant of an in-app step for tenants named `Titans`, with `content`.
fn titans_variant(content: &str) -> Value {
    json!({
        "filters": [{
            "isNegated": false,
            "type": "GROUP",
            "value": "AND",
            "children": [{ "on": "tenant", "field": "name", "value": "Titans", "operator": "EQUAL" }],
        }],
        "template": { "type": "in_app", "content": content },
    })
}

/// Novu also finds the change the update recorded in its database; that part is not replayed.
async fn update_with_variants(trial: &Trial<'_>) -> Result<(), Stop> {
    let made = workflow(trial, json!({ "description": DESCRIPTION })).await?;
    let id = text(&made["_id"]);
    let new_name = trial.name("new name for notification");
    let update = json!({
        "name": new_name,
        "steps": [{
            "template": { "type": "in_app", "content": "This is new content for notification" },
            "variants": [titans_variant("first content"), titans_variant("second content")],
        }],
    });
    let reply = update_workflow(trial, &id, update).await?;
    let found = reply.data();
    trial.equal(&reply, "data._id", &found["_id"], id.as_str())?;
    trial.equal(&reply, "data.name", &found["name"], new_name)?;
    trial.equal(
        &reply,
        "data.description",
        &found["description"],
        DESCRIPTION,
    )?;
    trial.equal(
        &reply,
        "data.steps.length",
        &json!(items(&found["steps"]).len()),
        1,
    )?;
    let step = &found["steps"][0];
    trial.equal(
        &reply,
        "data.steps[0].template.content",
        &step["template"]["content"],
        "This is new content for notification",
    )?;
    let variants = &step["variants"];
    trial.equal(
        &reply,
        "data.steps[0].variants[0].template.content",
        &variants[0]["template"]["content"],
        "first content",
    )?;
    trial.equal(
        &reply,
        "data.steps[0].variants[0]._parentId",
        &variants[0]["_parentId"],
        Value::Null,
    )?;
    trial.holds(
        &reply,
        "data.steps[0].variants[1]._parentId is variants[0]._id",
        variants[0]["_id"].is_string() && variants[1]["_parentId"] == variants[0]["_id"],
    )
}

const DESCRIPTION: &str = "This is a test description";

async fn update_to_empty_content(trial: &Trial<'_>) -> Result<(), Stop> {
    let blocks = json!([{ "type": "text", "content": "This is a sample text block" }]);
    let steps = json!([
        { "template": { "type": "email", "contentType": "editor", "content": blocks, "subject": "Subject" } },
        { "template": { "type": "email", "contentType": "customHtml",
            "content": "This is a sample text block", "subject": "Subject" } },
    ]);
    let made = trial.workflow_with(steps, json!({})).await?;
    let update_steps: Vec<Value> = items(&made["steps"])
        .iter()
        .map(|step| {
            json!({
                "_templateId": step["_templateId"],
                "template": { "type": "email", "contentType": "customHtml", "content": "" },
            })
        })
        .collect();
    let reply =
        update_workflow(trial, &text(&made["_id"]), json!({ "steps": update_steps })).await?;
    let steps = &reply.data()["steps"];
    trial.equal(
        &reply,
        "data.steps[0].template.contentType",
        &steps[0]["template"]["contentType"],
        "customHtml",
    )?;
    trial.equal(
        &reply,
        "data.steps[0].template.content",
        &steps[0]["template"]["content"],
        "",
    )?;
    trial.equal(
        &reply,
        "data.steps[1].template.content",
        &steps[1]["template"]["content"],
        "",
    )
}

/// An email step of Novu's case, with `preheader` and `senderName` when given.
fn email_step(preheader: Option<&str>, sender: Option<&str>) -> Value {
    let mut template = json!({
        "name": "Message Name",
        "subject": "Test email subject",
        "type": "email",
        "content": [],
    });
    if let Some(preheader) = preheader {
        template["preheader"] = json!(preheader);
    }
    if let Some(sender) = sender {
        template["senderName"] = json!(sender);
    }
    json!({ "template": template })
}

async fn update_email_steps(trial: &Trial<'_>) -> Result<(), Stop> {
    let first = email_step(Some("Test email preheader"), Some("Test email sender name"));
    let extra = json!({ "description": DESCRIPTION, "tags": ["test-tag"] });
    let made = trial
        .workflow_with(json!([first, email_step(None, None)]), extra)
        .await?;
    let mut steps: Vec<Value> = items(&made["steps"])
        .iter()
        .map(|step| {
            let mut updated = email_step(Some("updated preheader"), Some("updated sender name"));
            updated["_id"] = step["_id"].clone();
            updated["_parentId"] = step["_parentId"].clone();
            updated
        })
        .collect();
    steps.push(email_step(None, None));
    let update = json!({
        "name": made["name"],
        "tags": ["test-tag"],
        "description": DESCRIPTION,
        "steps": steps,
        "notificationGroupId": made["_notificationGroupId"],
    });
    let reply = update_workflow(trial, &text(&made["_id"]), update).await?;
    let steps = &reply.data()["steps"];
    trial.equal(
        &reply,
        "data.steps[0]._parentId",
        &steps[0]["_parentId"],
        Value::Null,
    )?;
    trial.equal(
        &reply,
        "data.steps[0].template.preheader",
        &steps[0]["template"]["preheader"],
        "updated preheader",
    )?;
    trial.equal(
        &reply,
        "data.steps[0].template.senderName",
        &steps[0]["template"]["senderName"],
        "updated sender name",
    )?;
    trial.holds(
        &reply,
        "each step's _id is the next step's _parentId",
        steps[0]["_id"].is_string()
            && steps[1]["_parentId"] == steps[0]["_id"]
            && steps[2]["_parentId"] == steps[1]["_id"],
    )
}
