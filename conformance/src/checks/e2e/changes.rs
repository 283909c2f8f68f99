//! Cases ported from Novu's `change/e2e/get-changes.e2e.ts` and `promote-changes.e2e.ts`: the
//! pending changes that writes in the Development environment record, how they count and
//! merge, and what applying them copies to the Production environment.
//!
//! Novu's harness reads the Production copies from its repositories; here they are read over
//! HTTP with the Production environment's key, so those cases need it
//! ([`Feature::Production`]). Where Novu's test applies every pending change of its fresh
//! environment, the case applies the pending changes of the entities it made, oldest first,
//! and where it counts every pending change, the case counts the ones of its own entities.
//! The workflows are made in the environment's first workflow group, as Novu's tests use the
//! session's. At the end of a case that promoted, its entities are deleted and the deletions
//! promoted too, so Production keeps no copy.

use serde_json::{Value, json};

use super::integrations::text;
use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const GET: &str = "change/e2e/get-changes.e2e.ts";
const PROMOTE: &str = "change/e2e/promote-changes.e2e.ts";

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(GET, "get list of changes", "changes_list", |t| {
        Box::pin(promoted_list(t))
    }),
    Ported::new(
        PROMOTE,
        "should set correct notification group for notification template",
        "changes_apply",
        |t| Box::pin(group_of_copy(t)),
    )
    .needs(Feature::Production),
    Ported::new(
        PROMOTE,
        "should promote step variables default values",
        "changes_apply",
        |t| Box::pin(variable_defaults(t)),
    )
    .needs(Feature::Production),
    Ported::new(PROMOTE, "delete message", "changes_apply", |t| {
        Box::pin(steps_removed(t))
    })
    .needs(Feature::Production),
    Ported::new(
        PROMOTE,
        "update active flag on notification template",
        "changes_apply",
        |t| Box::pin(status_promoted(t)),
    )
    .needs(Feature::Production),
    Ported::new(PROMOTE, "update existing message", "changes_apply", |t| {
        Box::pin(step_renamed(t))
    })
    .needs(Feature::Production),
    Ported::new(PROMOTE, "add one more message", "changes_apply", |t| {
        Box::pin(step_added(t))
    })
    .needs(Feature::Production),
    Ported::new(
        PROMOTE,
        "should count not applied changes",
        "changes_count",
        |t| Box::pin(count_create(t)),
    ),
    Ported::new(
        PROMOTE,
        "should count delete change",
        "changes_count",
        |t| Box::pin(count_delete(t)),
    ),
    Ported::new(
        PROMOTE,
        "should promote notification group if it is not already promoted",
        "changes_apply",
        |t| Box::pin(group_promoted_along(t)),
    ),
    Ported::new(
        PROMOTE,
        "should merge creation, and status changes to one change",
        "changes_list",
        |t| Box::pin(merged(t)),
    ),
    Ported::new(
        PROMOTE,
        "should not have feed in production after feed delete",
        "changes_apply",
        |t| Box::pin(feed_deleted(t)),
    )
    .needs(Feature::Production),
];

/// The pending (or, with `promoted`, promoted) changes of the environment, newest first.
pub(super) async fn changes(
    trial: &Trial<'_>,
    promoted: bool,
) -> Result<(Reply, Vec<Value>), Stop> {
    walk(trial, promoted, |_| false).await
}

/// The changes of the environment, newest first, page by page until `enough` holds of those
/// read so far or the pages end; answers the last page's reply and the changes read.
async fn walk(
    trial: &Trial<'_>,
    promoted: bool,
    enough: impl Fn(&[Value]) -> bool,
) -> Result<(Reply, Vec<Value>), Stop> {
    let promoted = if promoted { "true" } else { "false" };
    let mut all = Vec::new();
    for page in 0.. {
        let page = page.to_string();
        let query = [
            ("promoted", promoted),
            ("page", page.as_str()),
            ("limit", "100"),
        ];
        let reply = trial.call("changes_list", &[], &query, None).await?;
        trial.status(&reply, 200)?;
        let data = items(&reply.body["data"]).to_vec();
        let total = reply.body["totalCount"].as_u64().unwrap_or_default() as usize;
        let done = data.is_empty() || all.len() + data.len() >= total;
        all.extend(data);
        if done || enough(&all) {
            return Ok((reply, all));
        }
    }
    unreachable!("the pages end")
}

/// The changes of `changes` whose entity is one of `ids`.
pub(super) fn of<'c>(changes: &'c [Value], ids: &[&str]) -> Vec<&'c Value> {
    changes
        .iter()
        .filter(|change| ids.iter().any(|id| change["_entityId"] == json!(id)))
        .collect()
}

/// Applies the pending changes of the entities `ids`, oldest first, one by one, as Novu's
/// `session.applyChanges` applies those of its environment.
///
/// An entity has at most one pending change of each type, and a workflow, a workflow group or
/// a feed has one type; so once each of `ids` has its change, the older pages (the whole
/// environment's, which other checks fill) are not read. A layout may have two (`Layout` and
/// `DefaultLayout`): where one is found, every page is read. A change filed under another (a new
/// default layout's `DefaultLayout` change) is not listed; it is promoted with the change it is
/// filed under.
pub(super) async fn promote(trial: &Trial<'_>, ids: &[&str]) -> Result<(), Stop> {
    let (_, pending) = walk(trial, false, |read| {
        let found = of(read, ids);
        ids.iter()
            .all(|id| found.iter().any(|change| change["_entityId"] == json!(id)))
            && !found
                .iter()
                .any(|change| matches!(change["type"].as_str(), Some("Layout" | "DefaultLayout")))
    })
    .await?;
    for change in of(&pending, ids).into_iter().rev() {
        trial
            .setup(
                "the case's pending change is applied",
                "changes_apply",
                &[("changeId", &text(&change["_id"]))],
                None,
            )
            .await?;
    }
    Ok(())
}

/// Deletes (with `delete` and its path parameter) what the case promoted, and promotes the
/// deletions, so Production keeps no copy.
pub(super) async fn retire(trial: &Trial<'_>, entities: &[(&str, &str, &str)]) -> Result<(), Stop> {
    for (delete, parameter, id) in entities {
        trial.call(delete, &[(parameter, id)], &[], None).await?;
    }
    let ids: Vec<&str> = entities.iter().map(|(_, _, id)| *id).collect();
    promote(trial, &ids).await
}

/// The `_id` of the environment's first workflow group, where Novu's tests put workflows.
pub(super) async fn first_group(trial: &Trial<'_>) -> Result<String, Stop> {
    let groups = trial
        .setup(
            "the workflow groups are listed",
            "workflow_groups_list",
            &[],
            None,
        )
        .await?;
    Ok(text(
        &items(&groups).first().cloned().unwrap_or_default()["_id"],
    ))
}

/// Novu's email step with a filter on the subscriber's first name.
fn email_step() -> Value {
    json!({
        "template": { "name": "Message Name", "subject": "Test email subject", "type": "email",
            "content": [{ "type": "text", "content": "This is a sample text block" }] },
        "filters": [{ "isNegated": false, "type": "GROUP", "value": "AND",
            "children": [{ "on": "subscriber", "field": "firstName", "value": "test value", "operator": "EQUAL" }] }],
    })
}

/// Creates a workflow named under the run's prefix with `steps` in group `group` (the
/// environment's first one when `None`), deleted at the end; answers it.
pub(super) async fn workflow(
    trial: &Trial<'_>,
    steps: Value,
    group: Option<&str>,
) -> Result<Value, Stop> {
    let group = match group {
        Some(group) => group.to_owned(),
        None => first_group(trial).await?,
    };
    let body = json!({ "name": trial.name("test email template"), "description": "This is a test description",
        "tags": ["test-tag"], "notificationGroupId": group, "steps": steps });
    let created = trial
        .setup(
            "the workflow is created",
            "workflows_create",
            &[],
            Some(body),
        )
        .await?;
    trial.created(
        "workflows_delete",
        &[("workflowId", &text(&created["_id"]))],
    );
    Ok(created)
}

/// The Production copy of the Development workflow `workflow` (its `_parentId`), read with
/// the Production key (`null` when there is none).
async fn production_copy(trial: &Trial<'_>, workflow: &Value) -> Result<(Reply, Value), Stop> {
    let name = text(&workflow["name"]);
    let reply = trial
        .call_in_production(
            "workflows_list",
            &[],
            &[("query", &name), ("limit", "100")],
            None,
        )
        .await?;
    trial.status(&reply, 200)?;
    let found = items(reply.data())
        .iter()
        .find(|copy| copy["_parentId"] == workflow["_id"])
        .cloned()
        .unwrap_or(Value::Null);
    Ok((reply, found))
}

/// Retires workflow `workflow` (see [`retire`]).
async fn retire_workflow(trial: &Trial<'_>, workflow: &Value) -> Result<(), Stop> {
    let id = text(&workflow["_id"]);
    retire(trial, &[("workflows_delete", "workflowId", &id)]).await
}

async fn promoted_list(trial: &Trial<'_>) -> Result<(), Stop> {
    let group = first_group(trial).await?;
    let workflow = workflow(trial, json!([email_step()]), Some(&group)).await?;
    let id = text(&workflow["_id"]);
    promote(trial, &[&id]).await?;
    let update = json!({ "name": workflow["name"], "tags": ["test-tag"],
        "description": "This is a test description", "steps": [], "notificationGroupId": group });
    trial
        .setup(
            "the workflow is updated",
            "workflows_update",
            &[("workflowId", &id)],
            Some(update),
        )
        .await?;
    let (reply, promoted) = changes(trial, true).await?;
    trial.equal(
        &reply,
        "the case's promoted changes listed",
        &json!(of(&promoted, &[&id]).len()),
        1,
    )?;
    retire_workflow(trial, &workflow).await
}

async fn group_of_copy(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("test");
    let group = trial
        .setup(
            "the workflow group is created",
            "workflow_groups_create",
            &[],
            Some(json!({ "name": name })),
        )
        .await?;
    let group_id = text(&group["_id"]);
    trial.created("workflow_groups_delete", &[("id", &group_id)]);
    promote(trial, &[&group_id]).await?;
    let workflow = workflow(trial, json!([email_step()]), Some(&group_id)).await?;
    promote(trial, &[&text(&workflow["_id"])]).await?;
    let groups = trial
        .call_in_production("workflow_groups_list", &[], &[], None)
        .await?;
    let production_group = items(groups.data())
        .iter()
        .find(|copy| copy["_parentId"] == json!(group_id))
        .map(|copy| copy["_id"].clone())
        .unwrap_or(Value::Null);
    let (reply, copy) = production_copy(trial, &workflow).await?;
    trial.equal(
        &reply,
        "prodVersion._notificationGroupId",
        &copy["_notificationGroupId"],
        production_group,
    )?;
    // The group's copy goes too.
    let workflow_id = text(&workflow["_id"]);
    retire(
        trial,
        &[
            ("workflows_delete", "workflowId", &workflow_id),
            ("workflow_groups_delete", "id", &group_id),
        ],
    )
    .await
}

fn variable(default_value: &str, required: bool) -> Value {
    json!([{ "name": "variable", "type": "String", "defaultValue": default_value, "required": required }])
}

/// The first variable of the first step of the Production copy is `expected`.
async fn copy_variable_is(
    trial: &Trial<'_>,
    workflow: &Value,
    expected: &Value,
) -> Result<(), Stop> {
    let (reply, copy) = production_copy(trial, workflow).await?;
    let variable = &copy["steps"][0]["template"]["variables"][0];
    for field in ["name", "type", "required", "defaultValue"] {
        trial.equal(
            &reply,
            &format!("variable.{field}"),
            &variable[field],
            expected[0][field].clone(),
        )?;
    }
    Ok(())
}

async fn variable_defaults(trial: &Trial<'_>) -> Result<(), Stop> {
    let step = json!({ "template": { "name": "Message Name", "subject": "Test email subject", "type": "email",
        "content": [{ "type": "text", "content": "This is a {{variable}}" }],
        "variables": variable("Test Default Value", false) } });
    let workflow = workflow(trial, json!([step]), None).await?;
    let id = text(&workflow["_id"]);
    promote(trial, &[&id]).await?;
    copy_variable_is(trial, &workflow, &variable("Test Default Value", false)).await?;
    let created = &workflow["steps"][0];
    let update = json!({ "steps": [{ "_id": created["_templateId"], "_templateId": created["_templateId"],
        "template": { "type": created["template"]["type"], "content": created["template"]["content"],
            "variables": variable("New Default Value", true) } }] });
    trial
        .setup(
            "the workflow is updated",
            "workflows_update",
            &[("workflowId", &id)],
            Some(update),
        )
        .await?;
    promote(trial, &[&id]).await?;
    copy_variable_is(trial, &workflow, &variable("New Default Value", true)).await?;
    retire_workflow(trial, &workflow).await
}

/// Sends Novu's full update of `workflow` with `steps`.
async fn update_steps(trial: &Trial<'_>, workflow: &Value, steps: Value) -> Result<(), Stop> {
    let update = json!({ "name": workflow["name"], "description": workflow["description"], "tags": workflow["tags"],
        "notificationGroupId": workflow["_notificationGroupId"], "steps": steps });
    let id = text(&workflow["_id"]);
    trial
        .setup(
            "the workflow is updated",
            "workflows_update",
            &[("workflowId", &id)],
            Some(update),
        )
        .await?;
    Ok(())
}

async fn steps_removed(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = workflow(trial, json!([email_step()]), None).await?;
    update_steps(trial, &workflow, json!([])).await?;
    promote(trial, &[&text(&workflow["_id"])]).await?;
    let (reply, copy) = production_copy(trial, &workflow).await?;
    trial.equal(
        &reply,
        "prodVersion.steps length",
        &json!(items(&copy["steps"]).len()),
        0,
    )?;
    retire_workflow(trial, &workflow).await
}

async fn status_promoted(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = workflow(trial, json!([]), None).await?;
    let id = text(&workflow["_id"]);
    promote(trial, &[&id]).await?;
    let body = json!({ "active": true });
    trial
        .setup(
            "the workflow is activated",
            "workflow_status_update",
            &[("workflowId", &id)],
            Some(body),
        )
        .await?;
    promote(trial, &[&id]).await?;
    let (reply, copy) = production_copy(trial, &workflow).await?;
    trial.equal(&reply, "prodVersion.active", &copy["active"], true)?;
    retire_workflow(trial, &workflow).await
}

/// The created step of `workflow` sent back with `name`, as Novu's update cases send it.
fn step_again(workflow: &Value, name: &str) -> Value {
    let step = &workflow["steps"][0];
    without_nulls(
        json!({ "_id": step["_templateId"], "_templateId": step["_templateId"],
        "template": { "name": name, "type": step["template"]["type"], "cta": step["template"]["cta"],
            "content": step["template"]["content"] } }),
    )
}

async fn step_renamed(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = workflow(trial, json!([email_step()]), None).await?;
    let id = text(&workflow["_id"]);
    promote(trial, &[&id]).await?;
    update_steps(trial, &workflow, json!([step_again(&workflow, "test")])).await?;
    promote(trial, &[&id]).await?;
    let (reply, copy) = production_copy(trial, &workflow).await?;
    trial.equal(
        &reply,
        "prodVersion.name (of the step)",
        &copy["steps"][0]["template"]["name"],
        "test",
    )?;
    retire_workflow(trial, &workflow).await
}

async fn step_added(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = workflow(trial, json!([email_step()]), None).await?;
    let id = text(&workflow["_id"]);
    promote(trial, &[&id]).await?;
    let mut second = email_step();
    second["template"]["cta"] = json!({ "type": "redirect", "data": { "url": "" } });
    second["filters"][0]["children"][0]["field"] = json!("secondName");
    update_steps(
        trial,
        &workflow,
        json!([step_again(&workflow, "Message Name"), second]),
    )
    .await?;
    promote(trial, &[&id]).await?;
    let (reply, copy) = production_copy(trial, &workflow).await?;
    trial.equal(
        &reply,
        "prodVersion[0].steps length",
        &json!(items(&copy["steps"]).len()),
        2,
    )?;
    retire_workflow(trial, &workflow).await
}

/// The number of pending changes (`GET /v1/changes/count`).
async fn count(trial: &Trial<'_>) -> Result<(Reply, i64), Stop> {
    let reply = trial.call("changes_count", &[], &[], None).await?;
    trial.status(&reply, 200)?;
    let count = reply.data().as_i64().unwrap_or(-1);
    Ok((reply, count))
}

/// Novu counts the pending changes of a fresh environment; the case counts how many one write
/// adds.
async fn count_create(trial: &Trial<'_>) -> Result<(), Stop> {
    let group = first_group(trial).await?;
    let (_, before) = count(trial).await?;
    workflow(trial, json!([email_step()]), Some(&group)).await?;
    let (reply, after) = count(trial).await?;
    trial.equal(
        &reply,
        "the pending changes the workflow's creation added",
        &json!(after - before),
        1,
    )
}

async fn count_delete(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = workflow(trial, json!([email_step()]), None).await?;
    let id = text(&workflow["_id"]);
    promote(trial, &[&id]).await?;
    let (_, before) = count(trial).await?;
    trial
        .call("workflows_delete", &[("workflowId", &id)], &[], None)
        .await?;
    let (reply, after) = count(trial).await?;
    trial.equal(
        &reply,
        "the pending changes the workflow's deletion added",
        &json!(after - before),
        1,
    )?;
    promote(trial, &[&id]).await
}

async fn group_promoted_along(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("Test name");
    let group = trial
        .setup(
            "the workflow group is created",
            "workflow_groups_create",
            &[],
            Some(json!({ "name": name })),
        )
        .await?;
    let group_id = text(&group["_id"]);
    trial.created("workflow_groups_delete", &[("id", &group_id)]);
    let workflow = workflow(trial, json!([]), Some(&group_id)).await?;
    let id = text(&workflow["_id"]);
    promote(trial, &[&id]).await?;
    let (reply, pending) = changes(trial, false).await?;
    trial.equal(
        &reply,
        "the pending changes of the case's workflow and group",
        &json!(of(&pending, &[&id, &group_id]).len()),
        0,
    )?;
    // The group's copy goes too.
    let workflow_id = text(&workflow["_id"]);
    retire(
        trial,
        &[
            ("workflows_delete", "workflowId", &workflow_id),
            ("workflow_groups_delete", "id", &group_id),
        ],
    )
    .await
}

async fn merged(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = workflow(trial, json!([]), None).await?;
    let id = text(&workflow["_id"]);
    for active in [true, false] {
        let body = json!({ "active": active });
        trial
            .setup(
                "the workflow's status is set",
                "workflow_status_update",
                &[("workflowId", &id)],
                Some(body),
            )
            .await?;
    }
    let (reply, pending) = changes(trial, false).await?;
    trial.equal(
        &reply,
        "the pending changes of the case's workflow",
        &json!(of(&pending, &[&id]).len()),
        1,
    )
}

async fn feed_deleted(trial: &Trial<'_>) -> Result<(), Stop> {
    let name = trial.name("Test delete feed in message");
    let feed = trial
        .setup(
            "the feed is created",
            "feeds_create",
            &[],
            Some(json!({ "name": name })),
        )
        .await?;
    let id = text(&feed["_id"]);
    trial
        .call("feeds_delete", &[("feedId", &id)], &[], None)
        .await?;
    promote(trial, &[&id]).await?;
    for production in [false, true] {
        let reply = match production {
            false => trial.call("feeds_list", &[], &[], None).await?,
            true => {
                trial
                    .call_in_production("feeds_list", &[], &[], None)
                    .await?
            }
        };
        trial.status(&reply, 200)?;
        let named = items(reply.data())
            .iter()
            .filter(|feed| feed["name"] == json!(name))
            .count();
        let environment = if production {
            "production"
        } else {
            "development"
        };
        trial.equal(
            &reply,
            &format!("the {environment} feeds named so"),
            &json!(named),
            0,
        )?;
    }
    Ok(())
}

/// `value` without its `null` members, at any depth: what JavaScript leaves out of a body when a
/// test copies a field the created workflow does not have.
pub(super) fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .filter(|(_, member)| !member.is_null())
                .map(|(key, member)| (key, without_nulls(member)))
                .collect(),
        ),
        other => other,
    }
}
