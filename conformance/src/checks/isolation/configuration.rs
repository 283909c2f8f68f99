//! Tenants, layouts, workflow groups and feeds probed across environments.

use serde_json::{Value, json};

use super::probe::{NOT_FOUND, Probe, UNKNOWN, has};

/// A tenant of the owner: the other key reaches it by no means, and making the same
/// identifier makes a tenant of its own.
pub(super) async fn tenants(probe: &Probe<'_>) {
    let identifier = probe.name("tenant");
    let path = [("identifier", identifier.as_str())];
    probe
        .owner(
            "tenants_create",
            &[],
            Some(json!({"identifier": identifier, "name": "Owner", "data": {"owner": true}})),
        )
        .await;
    let Some(before) = probe.owner("tenants_get", &path, None).await else {
        probe.discard("tenants_delete", &path, None).await;
        return;
    };
    let what = "a tenant";
    let check = async |write| {
        probe
            .unchanged(write, "tenants_get", &path, &before, what)
            .await
    };
    probe
        .refused("tenants_get", &path, None, NOT_FOUND, what)
        .await;
    probe
        .unlisted(
            "tenants_list",
            &[],
            |item| has(item, "identifier", &identifier) && item.get("_id") == before.get("_id"),
            what,
        )
        .await;
    let written = probe
        .refused(
            "tenants_update",
            &path,
            Some(json!({"name": "Intruder"})),
            NOT_FOUND,
            what,
        )
        .await;
    check(written).await;
    let written = probe
        .refused("tenants_delete", &path, None, NOT_FOUND, what)
        .await;
    check(written).await;
    let written = probe
        .other(
            "tenants_create",
            &[],
            Some(json!({"identifier": identifier, "name": "Intruder"})),
        )
        .await;
    check(written).await;
    let written = probe
        .other("tenants_update", &path, Some(json!({"name": "Intruder"})))
        .await;
    check(written).await;
    let written = probe.other("tenants_delete", &path, None).await;
    check(written).await;
    probe.discard("tenants_delete", &path, None).await;
}

/// A layout of the owner: the other key can neither read, change, delete nor make it its
/// default.
pub(super) async fn layouts(probe: &Probe<'_>) {
    let name = probe.name("layout");
    let body = |description: &str| {
        json!({
            "name": name,
            "identifier": name,
            "description": description,
            "content": "<html><body>{{{body}}}</body></html>",
        })
    };
    let Some(id) = probe
        .owner("layouts_create", &[], Some(body("Owner")))
        .await
        .and_then(|data| data["_id"].as_str().map(str::to_owned))
    else {
        return;
    };
    let path = [("layoutId", id.as_str())];
    if let Some(before) = probe.owner("layouts_retrieve", &path, None).await {
        let what = "a layout";
        let check = async |write| {
            probe
                .unchanged(write, "layouts_retrieve", &path, &before, what)
                .await
        };
        probe
            .refused("layouts_retrieve", &path, None, NOT_FOUND, what)
            .await;
        probe
            .unlisted("layouts_list", &[], |item| has(item, "_id", &id), what)
            .await;
        let written = probe
            .refused(
                "layouts_update",
                &path,
                Some(json!({"description": "Intruder"})),
                NOT_FOUND,
                what,
            )
            .await;
        check(written).await;
        let written = probe
            .refused("layouts_set_default", &path, None, NOT_FOUND, what)
            .await;
        check(written).await;
        let written = probe
            .refused("layouts_delete", &path, None, NOT_FOUND, what)
            .await;
        check(written).await;
        let written = probe
            .other("layouts_create", &[], Some(body("Intruder")))
            .await;
        let theirs = written
            .as_ref()
            .and_then(super::probe::success_data)
            .and_then(|data| data["_id"].as_str().map(str::to_owned));
        check(written).await;
        if let Some(theirs) = theirs {
            probe
                .other("layouts_delete", &[("layoutId", theirs.as_str())], None)
                .await;
        }
    }
    probe.discard("layouts_delete", &path, None).await;
}

/// A workflow group of the owner: the other key can neither read, rename nor delete it.
pub(super) async fn workflow_groups(probe: &Probe<'_>) {
    let name = probe.name("group");
    let Some(id) = probe
        .owner("workflow_groups_create", &[], Some(json!({"name": name})))
        .await
        .and_then(|data| data["_id"].as_str().map(str::to_owned))
    else {
        return;
    };
    let path = [("id", id.as_str())];
    if let Some(before) = probe.owner("workflow_groups_retrieve", &path, None).await {
        let what = "a workflow group";
        let check = async |write| {
            probe
                .unchanged(write, "workflow_groups_retrieve", &path, &before, what)
                .await
        };
        probe
            .refused("workflow_groups_retrieve", &path, None, NOT_FOUND, what)
            .await;
        probe
            .unlisted(
                "workflow_groups_list",
                &[],
                |item| has(item, "_id", &id),
                what,
            )
            .await;
        let written = probe
            .refused(
                "workflow_groups_update",
                &path,
                Some(json!({"name": format!("{name} intruder")})),
                NOT_FOUND,
                what,
            )
            .await;
        check(written).await;
        let written = probe
            .refused("workflow_groups_delete", &path, None, NOT_FOUND, what)
            .await;
        check(written).await;
        let written = probe
            .other("workflow_groups_create", &[], Some(json!({"name": name})))
            .await;
        let theirs = written
            .as_ref()
            .and_then(super::probe::success_data)
            .and_then(|data| data["_id"].as_str().map(str::to_owned));
        check(written).await;
        if let Some(theirs) = theirs {
            probe
                .other("workflow_groups_delete", &[("id", theirs.as_str())], None)
                .await;
        }
    }
    probe.discard("workflow_groups_delete", &path, None).await;
}

/// A feed of the owner: the other key neither lists nor deletes it; the same name makes a feed
/// of its own. Feeds have no read by id, so the owner finds its feed in its list.
pub(super) async fn feeds(probe: &Probe<'_>) {
    let name = probe.name("feed");
    let Some(id) = probe
        .owner("feeds_create", &[], Some(json!({"name": name})))
        .await
        .and_then(|data| data["_id"].as_str().map(str::to_owned))
    else {
        return;
    };
    let path = [("feedId", id.as_str())];
    let find = |list: Value| {
        list.as_array()?
            .iter()
            .find(|item| has(item, "_id", &id))
            .cloned()
    };
    let listed = probe.owner("feeds_list", &[], None).await.and_then(find);
    if let Some(before) = listed {
        let what = "a feed";
        probe
            .unlisted("feeds_list", &[], |item| has(item, "_id", &id), what)
            .await;
        let written = probe
            .refused("feeds_delete", &path, None, UNKNOWN, what)
            .await;
        probe
            .unchanged_in(written, "feeds_list", &[], find, &before, what)
            .await;
        let written = probe
            .other("feeds_create", &[], Some(json!({"name": name})))
            .await;
        let theirs = written
            .as_ref()
            .and_then(super::probe::success_data)
            .and_then(|data| data["_id"].as_str().map(str::to_owned));
        probe
            .unchanged_in(written, "feeds_list", &[], find, &before, what)
            .await;
        if let Some(theirs) = theirs {
            probe
                .other("feeds_delete", &[("feedId", theirs.as_str())], None)
                .await;
        }
    }
    probe.discard("feeds_delete", &path, None).await;
}
