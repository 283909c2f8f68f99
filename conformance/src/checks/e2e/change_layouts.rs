//! Cases ported from Novu's `change/e2e/promote-layout-changes.e2e.ts`: the pending change a
//! layout's creation, update and deletion record (with `recursive-diff`'s `op`/`path`/`val`
//! entries), and the layout as promoted to the Production environment.
//!
//! As in `changes.rs`, the changes are read over the changes list, the Production copies with
//! the Production key ([`Feature::Production`]), and the case applies the pending changes of
//! its own layout only; at the end the layout's deletion is promoted too.
//!
//! A layout created as the default is recorded as a `DefaultLayout` change; when the environment
//! had another default (a Development environment is made with one), that change is filed under the
//! `DefaultLayout` change of the layout that stopped being the default, and the list does not
//! show it. Novu's test reads the layout's changes from its database; here the case applies the
//! listed `DefaultLayout` change that carries it (the layout's own, the former default's, or, when
//! that one is itself filed, the others newest first until one does) and asserts Novu's
//! assertions on the changes that promotion answers. At the end the former default is made the
//! default again, so that the layout can be deleted, and both writes are promoted.

use serde_json::{Value, json};

use super::changes::{changes, of, promote, retire};
use super::integrations::text;
use super::layouts::{default_layout, layout};
use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const LAYOUTS: &str = "change/e2e/promote-layout-changes.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        LAYOUTS,
        "should promote a new layout created to production",
        "changes_apply",
        |t| Box::pin(created_default(t)),
    )
    .needs(Feature::Production),
    Ported::new(
        LAYOUTS,
        "should promote the updates done to a layout existing to production",
        "changes_apply",
        |t| Box::pin(updated(t)),
    )
    .needs(Feature::Production),
    Ported::new(
        LAYOUTS,
        "should promote the deletion of a layout to production",
        "changes_apply",
        |t| Box::pin(deleted(t)),
    )
    .needs(Feature::Production),
];

const CONTENT: &str = "<html><body><div>Hello {{organizationName}} {{{body}}}</div></body></html>";

/// The pending changes of layout `id` with type `kind`: exactly one, whose `change` holds
/// every entry of `entries`.
async fn one_change(
    trial: &Trial<'_>,
    id: &str,
    kind: &str,
    entries: &[Value],
) -> Result<(), Stop> {
    let (reply, pending) = changes(trial, false).await?;
    let found: Vec<&Value> = of(&pending, &[id])
        .into_iter()
        .filter(|change| change["type"] == kind)
        .collect();
    trial.equal(&reply, "changes length", &json!(found.len()), 1)?;
    trial.equal(&reply, "changes[0]._entityId", &found[0]["_entityId"], id)?;
    for entry in entries {
        let held = items(&found[0]["change"]).contains(entry);
        trial.holds(&reply, &format!("changes[0].change includes {entry}"), held)?;
    }
    Ok(())
}

/// The Production copy of layout `id` (`null` when there is none).
async fn production_copy(trial: &Trial<'_>, id: &str) -> Result<(Reply, Value), Stop> {
    let reply = trial
        .call_in_production("layouts_list", &[], &[("pageSize", "100")], None)
        .await?;
    trial.status(&reply, 200)?;
    let found = items(reply.data())
        .iter()
        .find(|copy| copy["_parentId"] == json!(id))
        .cloned()
        .unwrap_or(Value::Null);
    Ok((reply, found))
}

/// The Production copy is `layout` as promoted, with `variables` (less their `_id`).
async fn promoted_as(trial: &Trial<'_>, layout: &Value, variables: &Value) -> Result<(), Stop> {
    let id = text(&layout["_id"]);
    let (reply, copy) = production_copy(trial, &id).await?;
    let (_, organization) = trial.environment().await?;
    let production = text(&copy["_environmentId"]);
    trial.holds(
        &reply,
        "prodLayout is ok",
        copy.is_object() && !production.is_empty(),
    )?;
    trial.equal(&reply, "prodLayout._parentId", &copy["_parentId"], id)?;
    trial.equal(
        &reply,
        "prodLayout._organizationId",
        &copy["_organizationId"],
        organization,
    )?;
    trial.holds(
        &reply,
        "prodLayout is in another environment",
        copy["_environmentId"] != layout["_environmentId"],
    )?;
    for field in [
        "_creatorId",
        "name",
        "identifier",
        "content",
        "contentType",
        "isDefault",
        "channel",
    ] {
        trial.equal(
            &reply,
            &format!("prodLayout.{field}"),
            &copy[field],
            layout[field].clone(),
        )?;
    }
    let mut variable = copy["variables"][0].clone();
    if let Some(fields) = variable.as_object_mut() {
        fields.remove("_id");
    }
    trial.equal(
        &reply,
        "prodLayout.variables[0] (without _id)",
        &variable,
        variables[0].clone(),
    )
}

async fn created_default(trial: &Trial<'_>) -> Result<(), Stop> {
    let former = default_layout(trial).await?;
    let created = layout(
        trial,
        &trial.name("layout-name-creation"),
        true,
        &trial.name("layout-identifier-creation"),
    )
    .await?;
    let id = text(&created["_id"]);
    let played = promoted_default(trial, &created, former.as_deref()).await;
    // Without a former default the layout stays the default, which cannot be deleted. A Novu
    // Development environment is made with a default layout that can be neither deleted nor
    // unset, but no migration gave one to environments made before Novu had default layouts,
    // and a database made by an older reference has none either, so such a server still plays
    // this case.
    let Some(former) = former else {
        return played;
    };
    let restored = async {
        let reply = trial
            .call("layouts_set_default", &[("layoutId", &former)], &[], None)
            .await?;
        trial.status(&reply, 204)?;
        retire(trial, &[("layouts_delete", "layoutId", &id)]).await
    };
    let restored = restored.await;
    played.and(restored)
}

/// Novu's assertions on the creation of `created` as the default: one pending `DefaultLayout`
/// change of it, adding its `_id`, whose promotion copies it to Production.
async fn promoted_default(
    trial: &Trial<'_>,
    created: &Value,
    former: Option<&str>,
) -> Result<(), Stop> {
    let id = text(&created["_id"]);
    let (reply, promoted) = promote_default(trial, &id, former).await?;
    let found: Vec<&Value> = promoted
        .iter()
        .filter(|change| change["_entityId"] == json!(id) && change["type"] == "DefaultLayout")
        .collect();
    trial.equal(&reply, "changes length", &json!(found.len()), 1)?;
    trial.equal(
        &reply,
        "changes[0]._entityId",
        &found[0]["_entityId"],
        id.as_str(),
    )?;
    trial.equal(
        &reply,
        "changes[0].type",
        &found[0]["type"],
        "DefaultLayout",
    )?;
    let added = json!({ "op": "add", "path": ["_id"], "val": id });
    let held = items(&found[0]["change"]).contains(&added);
    trial.holds(&reply, &format!("changes[0].change includes {added}"), held)?;
    let variables = json!([{ "name": "organizationName", "type": "String", "defaultValue": "Company", "required": false }]);
    promoted_as(trial, created, &variables).await
}

/// Applies the listed pending `DefaultLayout` change that carries layout `id`'s: its own, else
/// the one whose promotion answers it among the changes promoted with it, trying the `former`
/// default's first, then the others newest first (the list does not say where a change is
/// filed). Answers the last promotion's reply and the changes it promoted.
async fn promote_default(
    trial: &Trial<'_>,
    id: &str,
    former: Option<&str>,
) -> Result<(Reply, Vec<Value>), Stop> {
    let (listed, pending) = changes(trial, false).await?;
    let defaults: Vec<&Value> = pending
        .iter()
        .filter(|change| change["type"] == "DefaultLayout")
        .collect();
    let rank = |change: &&&Value| match change["_entityId"].as_str() {
        Some(entity) if entity == id => 0,
        Some(entity) if Some(entity) == former => 1,
        _ => 2,
    };
    let mut ordered = defaults.iter().collect::<Vec<_>>();
    // A stable sort keeps the list's newest-first order within each rank.
    ordered.sort_by_key(rank);
    for change in ordered {
        let reply = trial
            .call(
                "changes_apply",
                &[("changeId", &text(&change["_id"]))],
                &[],
                None,
            )
            .await?;
        trial.status(&reply, 201)?;
        let promoted = items(reply.data()).to_vec();
        if promoted
            .iter()
            .any(|change| change["_entityId"] == json!(id))
        {
            return Ok((reply, promoted));
        }
    }
    trial
        .holds(
            &listed,
            "a pending DefaultLayout change carries the layout's",
            false,
        )
        .and(Err(Stop))
}

async fn updated(trial: &Trial<'_>) -> Result<(), Stop> {
    let (name, identifier) = (
        trial.name("layout-name-update"),
        trial.name("layout-identifier-update"),
    );
    let created = layout(trial, &name, false, &identifier).await?;
    let id = text(&created["_id"]);
    promote(trial, &[&id]).await?;
    let content =
        "<html><body><div>Hello {{organizationName}}, you all {{{body}}}</div></body></html>";
    let variables = json!([{ "name": "organizationName", "type": "String", "defaultValue": "Organization", "required": true }]);
    let (new_name, new_identifier) = (
        trial.name("layout-name-creation-updated"),
        trial.name("layout-identifier-creation-updated"),
    );
    let body = json!({ "name": new_name, "identifier": new_identifier, "description": "Amazing new layout updated",
        "content": content, "variables": variables, "isDefault": false });
    let reply = trial
        .call("layouts_update", &[("layoutId", &id)], &[], Some(body))
        .await?;
    trial.status(&reply, 200)?;
    let patched = reply.data().clone();
    let update = |path: Value, val: Value, old: Value| json!({ "op": "update", "path": path, "val": val, "oldVal": old });
    let entries = [
        update(json!(["name"]), json!(new_name), json!(name)),
        update(
            json!(["identifier"]),
            json!(new_identifier),
            json!(identifier),
        ),
        update(
            json!(["description"]),
            json!("Amazing new layout updated"),
            json!("Amazing new layout"),
        ),
        update(json!(["content"]), json!(content), json!(CONTENT)),
        update(
            json!(["variables", 0, "defaultValue"]),
            json!("Organization"),
            json!("Company"),
        ),
        update(
            json!(["variables", 0, "required"]),
            json!(true),
            json!(false),
        ),
    ];
    one_change(trial, &id, "Layout", &entries).await?;
    promote(trial, &[&id]).await?;
    promoted_as(trial, &patched, &variables).await?;
    retire(trial, &[("layouts_delete", "layoutId", &id)]).await
}

async fn deleted(trial: &Trial<'_>) -> Result<(), Stop> {
    let created = layout(
        trial,
        &trial.name("layout-name-deletion"),
        false,
        &trial.name("layout-identifier-deletion"),
    )
    .await?;
    let id = text(&created["_id"]);
    one_change(
        trial,
        &id,
        "Layout",
        &[json!({ "op": "add", "path": ["_id"], "val": id })],
    )
    .await?;
    promote(trial, &[&id]).await?;
    let reply = trial
        .call("layouts_delete", &[("layoutId", &id)], &[], None)
        .await?;
    trial.status(&reply, 204)?;
    let entries = [
        json!({ "op": "update", "path": ["deleted"], "val": true, "oldVal": false }),
        json!({ "op": "add", "path": ["isDeleted"], "val": true }),
    ];
    one_change(trial, &id, "Layout", &entries).await?;
    promote(trial, &[&id]).await?;
    let (reply, copy) = production_copy(trial, &id).await?;
    trial.equal(&reply, "prodLayout", &copy, Value::Null)
}
