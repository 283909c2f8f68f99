use reqwest::Method;
use serde_json::{Value, json};

use crate::{TemporaryDatabase, TestServer};

/// A server on a database file, and a raw request helper for its Production key.
struct Environments {
    test: TestServer,
    production_key: String,
    _database: TemporaryDatabase,
}

impl Environments {
    /// A server whose Development environment's starting changes (its default layout's) are
    /// promoted, so a test counts only the changes it makes.
    async fn start(name: &str) -> Self {
        let environments = Self::fresh(name).await;
        for change in listed_pending(&environments.test).await {
            apply_change(&environments.test, &change).await;
        }
        environments
    }

    /// A server on a new database, as it starts.
    async fn fresh(name: &str) -> Self {
        let database = TemporaryDatabase::new(name);
        let test = TestServer::start_with(novu_reference::Config {
            database: database.0.clone(),
            ..novu_reference::Config::in_memory()
        })
        .await;
        // The production key is never shown to the development key, so it is read from storage.
        let connection = rusqlite::Connection::open(&database.0).expect("the database opens");
        let production_key: String = connection
            .query_row(
                "SELECT json_extract(doc, '$.apiKeys[0].key') FROM environments \
                 WHERE json_extract(doc, '$.name') = 'Production'",
                [],
                |row| row.get(0),
            )
            .expect("a production environment exists");
        Self {
            test,
            production_key,
            _database: database,
        }
    }

    async fn production(&self, method: Method, path: &str) -> (u16, Value) {
        let response = reqwest::Client::new()
            .request(method, format!("{}{path}", self.test.server.base_url()))
            .header("Authorization", format!("ApiKey {}", self.production_key))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }
}

async fn create_workflow(test: &TestServer, name: &str) -> String {
    let (_, groups) = test.raw(Method::GET, "/v1/notification-groups", None).await;
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/workflows",
            Some(json!({
                "name": name,
                "notificationGroupId": groups["data"][0]["_id"],
                "steps": [{ "template": { "type": "in_app", "content": "Hi" } }],
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["data"]["_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn workflow_change_is_recorded_and_promoted() {
    let environments = Environments::start("changes-promote").await;
    let test = &environments.test;
    let workflow_id = create_workflow(test, "Welcome").await;

    let count = test
        .client
        .changes_count()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(count.data, 1);
    let (status, pending) = test
        .raw(Method::GET, "/v1/changes?promoted=false", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(pending["totalCount"], 1);
    assert_eq!(pending["page"], 0);
    assert_eq!(pending["pageSize"], 10);
    let change = &pending["data"][0];
    assert_eq!(change["type"], "NotificationTemplate");
    assert_eq!(change["_entityId"], workflow_id.as_str());
    assert_eq!(change["enabled"], false);
    assert!(
        change["change"]
            .as_array()
            .unwrap()
            .iter()
            .any(|difference| difference["op"] == "add"
                && difference["path"] == json!(["name"])
                && difference["val"] == "Welcome"),
        "{change}"
    );

    // A second write adds to the same pending change.
    let (status, _) = test
        .raw(
            Method::PUT,
            &format!("/v1/workflows/{workflow_id}"),
            Some(json!({ "name": "Hello" })),
        )
        .await;
    assert_eq!(status, 200);
    let (_, pending) = test
        .raw(Method::GET, "/v1/changes?promoted=false", None)
        .await;
    assert_eq!(pending["totalCount"], 1);

    let (_, before) = environments.production(Method::GET, "/v1/workflows").await;
    assert_eq!(before["totalCount"], 0);

    let change_id = pending["data"][0]["_id"].as_str().unwrap().to_owned();
    let (status, applied) = test
        .raw(
            Method::POST,
            &format!("/v1/changes/{change_id}/apply"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{applied}");
    assert_eq!(applied["data"][0]["_id"], change_id.as_str());

    let (_, promoted) = test
        .raw(Method::GET, "/v1/changes?promoted=true", None)
        .await;
    // Beside the starting default layout's, which `start` promoted.
    assert_eq!(promoted["totalCount"], 2);
    assert_eq!(promoted["data"][0]["_id"], change_id.as_str());
    assert_eq!(promoted["data"][0]["enabled"], true);
    let count = test
        .client
        .changes_count()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(count.data, 0);

    let (status, copied) = environments.production(Method::GET, "/v1/workflows").await;
    assert_eq!(status, 200);
    assert_eq!(copied["totalCount"], 1);
    let copy = &copied["data"][0];
    assert_eq!(copy["name"], "Hello");
    assert_eq!(copy["_parentId"], workflow_id.as_str());
    assert_ne!(copy["_id"], workflow_id.as_str());
    assert_eq!(copy["notificationGroup"]["name"], "General");
    assert_ne!(copy["_environmentId"], change["_environmentId"]);

    // Deleting in Development and promoting again deletes the copy.
    let (status, _) = test
        .raw(
            Method::DELETE,
            &format!("/v1/workflows/{workflow_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (_, pending) = test
        .raw(Method::GET, "/v1/changes?promoted=false", None)
        .await;
    let change_id = pending["data"][0]["_id"].as_str().unwrap().to_owned();
    let (status, applied) = test
        .raw(
            Method::POST,
            "/v1/changes/bulk/apply",
            Some(json!({ "changeIds": [change_id] })),
        )
        .await;
    assert_eq!(status, 201, "{applied}");
    assert_eq!(applied["data"][0][0]["_id"], change_id.as_str());
    let (_, copied) = environments.production(Method::GET, "/v1/workflows").await;
    assert_eq!(copied["totalCount"], 0);
}

#[tokio::test]
async fn group_layout_and_feed_changes_promote_together() {
    let environments = Environments::start("changes-bulk").await;
    let test = &environments.test;
    let (status, _) = test
        .raw(
            Method::POST,
            "/v1/notification-groups",
            Some(json!({ "name": "Billing" })),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = test
        .raw(Method::POST, "/v1/feeds", Some(json!({ "name": "news" })))
        .await;
    assert_eq!(status, 201);
    let (status, _) = test
        .raw(
            Method::POST,
            "/v1/layouts",
            Some(
                json!({ "name": "Main", "identifier": "main", "content": "<div>{{{body}}}</div>" }),
            ),
        )
        .await;
    assert_eq!(status, 201);
    let (_, pending) = test
        .raw(Method::GET, "/v1/changes?promoted=false&limit=2", None)
        .await;
    assert_eq!(pending["totalCount"], 3);
    assert_eq!(pending["data"].as_array().unwrap().len(), 2);
    assert_eq!(pending["data"][0]["type"], "Layout", "newest first");
    let (_, all) = test
        .raw(Method::GET, "/v1/changes?promoted=false", None)
        .await;
    let ids: Vec<Value> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["_id"].clone())
        .collect();
    let (status, applied) = test
        .raw(
            Method::POST,
            "/v1/changes/bulk/apply",
            Some(json!({ "changeIds": ids })),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(applied["data"].as_array().unwrap().len(), 3);
    assert_eq!(
        applied["data"][0][0]["type"], "NotificationGroup",
        "groups first"
    );

    let (_, groups) = environments
        .production(Method::GET, "/v1/notification-groups")
        .await;
    assert!(
        groups["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|group| group["name"] == "Billing")
    );
    let (_, feeds) = environments.production(Method::GET, "/v1/feeds").await;
    assert_eq!(feeds["data"][0]["name"], "news");
    let (_, layouts) = environments.production(Method::GET, "/v1/layouts").await;
    assert_eq!(layouts["data"][0]["identifier"], "main");
}

#[tokio::test]
async fn promoted_is_required_and_production_writes_record_nothing() {
    let environments = Environments::start("changes-rules").await;
    let test = &environments.test;
    let (status, _) = test.raw(Method::GET, "/v1/changes", None).await;
    assert_eq!(status, 400);
    let (status, _) = test
        .raw(Method::POST, "/v1/changes/not-an-id/apply", None)
        .await;
    assert_eq!(status, 400);
    let (status, unknown) = test
        .raw(
            Method::POST,
            "/v1/changes/64b7f1b2c3d4e5f6a7b8c9d0/apply",
            None,
        )
        .await;
    assert_eq!(status, 404, "an unknown change: {unknown}");
    assert_eq!(
        unknown["message"],
        "Change with id 64b7f1b2c3d4e5f6a7b8c9d0 not found"
    );
    let response = reqwest::Client::new()
        .post(format!("{}/v1/feeds", test.server.base_url()))
        .header(
            "Authorization",
            format!("ApiKey {}", environments.production_key),
        )
        .json(&json!({ "name": "prod-only" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let (_, count) = environments
        .production(Method::GET, "/v1/changes/count")
        .await;
    assert_eq!(count["data"], 0);
    let (_, count) = test.raw(Method::GET, "/v1/changes/count", None).await;
    assert_eq!(count["data"], 0);
}

/// A pending change holds the differences from the entity as last promoted to the entity as it
/// now is: writes after the first replace them instead of piling up, and a write after a
/// promotion opens a change from the promoted state.
#[tokio::test]
async fn a_pending_change_is_recomputed_by_each_write() {
    let environments = Environments::start("changes-recomputed").await;
    let test = &environments.test;
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/layouts",
            Some(json!({ "name": "First", "identifier": "first", "content": "<div>{{{body}}}</div>" })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["_id"].as_str().unwrap().to_owned();
    let rename = |name: &'static str| {
        let path = format!("/v1/layouts/{id}");
        async move {
            let (status, body) = test
                .raw(Method::PATCH, &path, Some(json!({ "name": name })))
                .await;
            assert_eq!(status, 200, "{body}");
        }
    };
    rename("Second").await;
    rename("Third").await;
    let pending = |expected: usize| async move {
        let (_, listed) = test
            .raw(Method::GET, "/v1/changes?promoted=false", None)
            .await;
        let data = listed["data"].as_array().unwrap().clone();
        assert_eq!(data.len(), expected, "{listed}");
        data
    };
    let names = |change: &Value| -> Vec<Value> {
        change["change"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|difference| difference["path"] == json!(["name"]))
            .cloned()
            .collect()
    };
    let change = pending(1).await.remove(0);
    assert_eq!(
        names(&change),
        [json!({ "op": "add", "path": ["name"], "val": "Third" })],
        "one difference from nothing to the latest name: {change}"
    );

    let (status, _) = test
        .raw(
            Method::POST,
            &format!("/v1/changes/{}/apply", change["_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 201);
    rename("Fourth").await;
    rename("Fifth").await;
    let change = pending(1).await.remove(0);
    assert_eq!(
        names(&change),
        [json!({ "op": "update", "path": ["name"], "val": "Fifth", "oldVal": "Third" })],
        "from the promoted name to the latest one: {change}"
    );
}

/// Novu records a workflow group's creation as a change, never its renames or its deletion.
#[tokio::test]
async fn only_a_group_creation_is_a_change() {
    let environments = Environments::start("changes-groups").await;
    let test = &environments.test;
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/notification-groups",
            Some(json!({ "name": "Billing" })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["data"]["_id"].as_str().unwrap();
    let (_, listed) = test
        .raw(Method::GET, "/v1/changes?promoted=false", None)
        .await;
    let change_id = listed["data"][0]["_id"].as_str().unwrap().to_owned();
    assert_eq!(listed["totalCount"], 1, "{listed}");
    let (status, _) = test
        .raw(
            Method::POST,
            &format!("/v1/changes/{change_id}/apply"),
            None,
        )
        .await;
    assert_eq!(status, 201);
    let path = format!("/v1/notification-groups/{id}");
    let (status, _) = test
        .raw(Method::PATCH, &path, Some(json!({ "name": "Invoices" })))
        .await;
    assert_eq!(status, 200);
    let (status, _) = test.raw(Method::DELETE, &path, None).await;
    assert_eq!(status, 200);
    let (_, count) = test.raw(Method::GET, "/v1/changes/count", None).await;
    assert_eq!(
        count["data"], 0,
        "no pending change after a rename and a delete"
    );
}

/// Creates a layout named `name` (also its identifier); answers its `_id`.
async fn create_layout(test: &TestServer, name: &str, is_default: bool) -> String {
    let (status, created) = test
        .raw(
            Method::POST,
            "/v1/layouts",
            Some(
                json!({ "name": name, "identifier": name, "content": "<div>{{{body}}}</div>",
                "isDefault": is_default }),
            ),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["data"]["_id"].as_str().unwrap().to_owned()
}

/// The listed pending changes, which the pending count agrees with.
async fn listed_pending(test: &TestServer) -> Vec<Value> {
    let (_, listed) = test
        .raw(Method::GET, "/v1/changes?promoted=false&limit=100", None)
        .await;
    let (_, count) = test.raw(Method::GET, "/v1/changes/count", None).await;
    assert_eq!(count["data"], listed["totalCount"], "{listed}");
    listed["data"].as_array().unwrap().clone()
}

/// Applies the change; answers the changes the answer lists.
async fn apply_change(test: &TestServer, change: &Value) -> Vec<Value> {
    let path = format!("/v1/changes/{}/apply", change["_id"].as_str().unwrap());
    let (status, applied) = test.raw(Method::POST, &path, None).await;
    assert_eq!(status, 201, "{applied}");
    applied["data"].as_array().unwrap().clone()
}

fn holds(change: &Value, difference: Value) -> bool {
    change["change"].as_array().unwrap().contains(&difference)
}

/// The Production copy of the layout `id` (by its `_parentId`).
async fn production_layout(environments: &Environments, id: &str) -> Value {
    let (_, copies) = environments.production(Method::GET, "/v1/layouts").await;
    copies["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|copy| copy["_parentId"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

/// Novu's `CreateEnvironment` makes the Development environment's default layout through
/// `CreateLayoutUseCase`, whose set-default use case records it: one pending `DefaultLayout`
/// change of the layout, which adds every field, and no `Layout` change. Production has no
/// layout until that change is promoted.
#[tokio::test]
async fn the_starting_default_layout_is_a_pending_default_layout_change() {
    let environments = Environments::fresh("changes-default-starting").await;
    let test = &environments.test;
    let (_, layouts) = test.raw(Method::GET, "/v1/layouts", None).await;
    assert_eq!(layouts["totalCount"], 1, "{layouts}");
    let layout = &layouts["data"][0];
    let id = layout["_id"].as_str().unwrap().to_owned();
    let (_, copies) = environments.production(Method::GET, "/v1/layouts").await;
    assert_eq!(copies["totalCount"], 0, "Production has none yet: {copies}");

    let pending = listed_pending(test).await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    let change = &pending[0];
    assert_eq!(change["type"], "DefaultLayout");
    assert_eq!(change["_entityId"], id.as_str());
    assert_eq!(change["enabled"], false);
    for (field, value) in [
        ("_id", json!(id)),
        ("name", json!("Default Layout")),
        ("identifier", json!("novu-default-layout")),
        ("isDefault", json!(true)),
    ] {
        assert!(
            holds(
                change,
                json!({ "op": "add", "path": [field], "val": value })
            ),
            "{field}: {change}"
        );
    }
    assert_eq!(change["templateName"], "Default Layout");
    assert!(change.get("previousDefaultLayout").is_none(), "{change}");

    let applied = apply_change(test, change).await;
    assert_eq!(applied.len(), 1);
    let copy = production_layout(&environments, &id).await;
    assert_eq!(copy["isDefault"], true, "{copy}");
    assert_eq!(copy["identifier"], "novu-default-layout");
    assert_eq!(copy["content"], layout["content"]);
}

/// A layout created as the default in an environment whose default was promoted: the set-default
/// use case records the former default's loss of the flag as its `DefaultLayout` change and files
/// the new default's change, which adds every field, under it; no `Layout` change.
#[tokio::test]
async fn a_layout_created_as_the_default_is_a_default_layout_change() {
    let environments = Environments::start("changes-default-created").await;
    let test = &environments.test;
    let id = create_layout(test, "first", true).await;
    let pending = listed_pending(test).await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    let former = &pending[0];
    assert_eq!(former["type"], "DefaultLayout");
    assert_eq!(former["templateName"], "Default Layout");
    assert_eq!(former["previousDefaultLayout"], "first", "{former}");

    let applied = apply_change(test, former).await;
    assert_eq!(applied.len(), 2, "{applied:?}");
    let change = &applied[0];
    assert_eq!(change["type"], "DefaultLayout");
    assert_eq!(change["_entityId"], id.as_str());
    assert!(
        holds(change, json!({ "op": "add", "path": ["_id"], "val": id })),
        "{change}"
    );
    let copy = production_layout(&environments, &id).await;
    assert_eq!(copy["isDefault"], true, "{copy}");
    assert_eq!(copy["name"], "first");
}

/// When a layout becomes the default, the former default's `DefaultLayout` change records that
/// it lost the flag and carries the new default's change: only the former is listed and
/// counted, and applying it promotes both, the carried one first.
#[tokio::test]
async fn the_former_defaults_change_carries_the_new_defaults() {
    let environments = Environments::start("changes-default-switch").await;
    let test = &environments.test;
    let first = create_layout(test, "first", true).await;
    apply_change(test, &listed_pending(test).await[0]).await;

    let second = create_layout(test, "second", true).await;
    let pending = listed_pending(test).await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    let former = &pending[0];
    assert_eq!(former["type"], "DefaultLayout");
    assert_eq!(former["_entityId"], first.as_str());
    assert!(
        holds(
            former,
            json!({ "op": "update", "path": ["isDefault"], "val": false, "oldVal": true })
        ),
        "from the promoted state: {former}"
    );
    assert_eq!(former["previousDefaultLayout"], "second", "{former}");

    let applied = apply_change(test, former).await;
    assert_eq!(applied.len(), 2, "{applied:?}");
    let carried = &applied[0];
    assert_eq!(carried["type"], "DefaultLayout");
    assert_eq!(carried["_entityId"], second.as_str());
    assert_eq!(carried["_parentId"], former["_id"]);
    assert!(holds(
        carried,
        json!({ "op": "add", "path": ["_id"], "val": second })
    ));
    assert_eq!(applied[1]["_id"], former["_id"]);
    assert_eq!(
        production_layout(&environments, &second).await["isDefault"],
        true
    );
    assert_eq!(
        production_layout(&environments, &first).await["isDefault"],
        false
    );
    assert!(listed_pending(test).await.is_empty());
    let (_, promoted) = test
        .raw(Method::GET, "/v1/changes?promoted=true", None)
        .await;
    // Beside the starting default layout's, which `start` promoted.
    assert_eq!(
        promoted["totalCount"], 3,
        "the carried change is not listed: {promoted}"
    );
}

/// Becoming the default by an update or by the set-default route, and any write of the default
/// layout, are `DefaultLayout` changes: a layout's first one adds every field even after `Layout`
/// changes promoted it, and a former default with a pending change of its own keeps it and
/// carries the new default's.
#[tokio::test]
async fn every_write_of_the_default_layout_is_a_default_layout_change() {
    let environments = Environments::start("changes-default-paths").await;
    let test = &environments.test;
    let first = create_layout(test, "first", true).await;
    let second = create_layout(test, "second", false).await;
    let pending = listed_pending(test).await;
    assert_eq!(pending[0]["type"], "Layout");
    for change in pending.iter().rev() {
        apply_change(test, change).await;
    }

    let path = format!("/v1/layouts/{second}");
    let (status, body) = test
        .raw(Method::PATCH, &path, Some(json!({ "isDefault": true })))
        .await;
    assert_eq!(status, 200, "{body}");
    let pending = listed_pending(test).await;
    assert_eq!(
        pending.len(),
        1,
        "no Layout change for the update: {pending:?}"
    );
    assert_eq!(pending[0]["_entityId"], first.as_str());
    let applied = apply_change(test, &pending[0]).await;
    assert_eq!(applied[0]["_entityId"], second.as_str());
    assert!(holds(
        &applied[0],
        json!({ "op": "add", "path": ["_id"], "val": second })
    ));

    let (status, body) = test
        .raw(Method::PATCH, &path, Some(json!({ "name": "renamed" })))
        .await;
    assert_eq!(status, 200, "{body}");
    let pending = listed_pending(test).await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    let renamed = &pending[0];
    assert_eq!(renamed["type"], "DefaultLayout");
    assert_eq!(renamed["_entityId"], second.as_str());
    assert!(holds(
        renamed,
        json!({ "op": "update", "path": ["name"], "val": "renamed", "oldVal": "second" })
    ));

    let (status, body) = test
        .raw(Method::POST, &format!("/v1/layouts/{first}/default"), None)
        .await;
    assert_eq!(status, 204, "{body}");
    let pending = listed_pending(test).await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(
        pending[0]["_id"], renamed["_id"],
        "the pending change is kept"
    );
    assert!(holds(
        &pending[0],
        json!({ "op": "update", "path": ["isDefault"], "val": false, "oldVal": true })
    ));
    let applied = apply_change(test, &pending[0]).await;
    assert_eq!(applied.len(), 2, "{applied:?}");
    assert_eq!(applied[0]["_entityId"], first.as_str());
    assert_eq!(
        production_layout(&environments, &first).await["isDefault"],
        true
    );
    assert_eq!(
        production_layout(&environments, &second).await["isDefault"],
        false
    );
}
