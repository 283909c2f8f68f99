//! Embedded SQLite storage: one writer connection, one transaction per request.
//!
//! Every operation runs as one `BEGIN IMMEDIATE` transaction on a blocking thread, so
//! concurrent requests are serialized and never lose each other's updates. Documents are kept
//! as JSON in the shape the API sends them, next to the indexed key columns they are looked up
//! by. With WAL and `synchronous=FULL`, an acknowledged write survives a killed process.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde_json::{Value, json};

use crate::failure::{Failure, Outcome};
use crate::ids;

/// The schema, one migration per entry; `PRAGMA user_version` counts the applied ones.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE TABLE members (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    api_key_hash TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TABLE subscribers (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL,
    UNIQUE (environment_id, subscriber_id)
);
CREATE TABLE integrations (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    active INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX integrations_by_provider ON integrations (environment_id, provider_id);
CREATE TABLE topics (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (environment_id, key)
);
CREATE TABLE topic_subscribers (
    topic_id TEXT NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    subscriber_id TEXT NOT NULL,
    external_subscriber_id TEXT NOT NULL,
    PRIMARY KEY (topic_id, subscriber_id)
);
CREATE INDEX topic_subscribers_by_subscriber ON topic_subscribers (subscriber_id);
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (environment_id, identifier)
);
CREATE TABLE feeds (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX feeds_by_environment ON feeds (environment_id, identifier);
CREATE TABLE notification_groups (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE layouts (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX layouts_by_environment ON layouts (environment_id, identifier);
"#,
    r#"
CREATE TABLE workflows (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    trigger_identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX workflows_by_trigger ON workflows (environment_id, trigger_identifier);
"#,
    r#"
CREATE TABLE workflow_overrides (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX workflow_overrides_by_pair ON workflow_overrides (environment_id, workflow_id, tenant_id);
"#,
    r#"
CREATE TABLE subscriber_preferences (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    template_id TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX subscriber_preferences_by_subscriber ON subscriber_preferences (subscriber_id, template_id);
"#,
    r#"
CREATE TABLE changes (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX changes_by_entity ON changes (environment_id, type, entity_id, enabled);
"#,
    r#"
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX notifications_by_environment ON notifications (environment_id, created_at);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX jobs_by_transaction ON jobs (environment_id, transaction_id);
CREATE INDEX jobs_by_notification ON jobs (notification_id);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX messages_by_subscriber ON messages (environment_id, subscriber_id, channel);
CREATE INDEX messages_by_transaction ON messages (environment_id, transaction_id);
CREATE TABLE execution_details (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX execution_details_by_notification ON execution_details (notification_id, subscriber_id);
CREATE INDEX execution_details_by_job ON execution_details (job_id);
"#,
    // When a waiting job (delay, digest) resumes, in Unix milliseconds; NULL for every other
    // job. The scheduler reads the partial index; merged digest jobs are found by their leader.
    // Jobs left waiting by a server without a scheduler never resumed: they are due at once.
    r#"
ALTER TABLE jobs ADD COLUMN due_at INTEGER;
UPDATE jobs SET due_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE status = 'delayed';
CREATE INDEX jobs_by_due_at ON jobs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX jobs_by_merged_digest ON jobs (json_extract(doc, '$._mergedDigestId')) WHERE status = 'merged';
"#,
];

/// The database behind one server.
#[derive(Clone)]
pub(crate) struct Store {
    connection: Arc<Mutex<Connection>>,
}

/// Who the bootstrap made: the development environment's key, and whether it is new.
pub(crate) struct Bootstrap {
    pub api_key: String,
    pub generated: bool,
}

impl Store {
    /// Opens (creating when missing) and migrates the database at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let mut connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut connection)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Makes sure the organization and its environments exist, and that the development
    /// environment accepts `api_key` when one is given.
    pub fn bootstrap(&self, api_key: Option<&str>) -> rusqlite::Result<Bootstrap> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<String> = transaction
            .query_row(
                "SELECT value FROM meta WHERE key = 'development_environment_id'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        let bootstrap = match existing {
            None => {
                let (key, generated) = match api_key {
                    Some(key) => (key.to_owned(), false),
                    None => (ids::api_key(), true),
                };
                create_organization(&transaction, &key)?;
                Bootstrap {
                    api_key: key,
                    generated,
                }
            }
            Some(environment_id) => {
                let doc: String = transaction.query_row(
                    "SELECT doc FROM environments WHERE id = ?1",
                    [&environment_id],
                    |row| row.get(0),
                )?;
                let mut environment: Value = serde_json::from_str(&doc)
                    .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
                let stored = environment["apiKeys"][0]["key"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                match api_key {
                    Some(key) if key != stored => {
                        let hash = ids::key_hash(key);
                        environment["apiKeys"][0]["key"] = json!(key);
                        environment["apiKeys"][0]["hash"] = json!(hash);
                        transaction.execute(
                            "UPDATE environments SET api_key_hash = ?2, doc = ?3 WHERE id = ?1",
                            params![environment_id, hash, environment.to_string()],
                        )?;
                        Bootstrap {
                            api_key: key.to_owned(),
                            generated: false,
                        }
                    }
                    _ => Bootstrap {
                        api_key: stored,
                        generated: false,
                    },
                }
            }
        };
        transaction.commit()?;
        Ok(bootstrap)
    }

    /// Runs `work` in one immediate transaction on a blocking thread; commits when it
    /// succeeds and rolls back when it fails, so a rejected request changes nothing.
    pub async fn transaction<T, F>(&self, work: F) -> Outcome<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Outcome<T> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut connection = store.lock();
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = work(&transaction)?;
            transaction.commit()?;
            Ok(value)
        })
        .await
        .map_err(Failure::internal)?
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic inside a transaction rolled it back when the transaction dropped, so the
        // connection is still consistent.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A migrated in-memory connection, for unit tests that work on one transaction directly.
#[cfg(test)]
pub(crate) fn test_connection() -> Connection {
    let mut connection = Connection::open_in_memory().expect("an in-memory database opens");
    migrate(&mut connection).expect("the schema applies");
    connection
}

fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let applied: usize = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

/// One organization, its admin member, and a development and a production environment, each
/// with its default workflow group, as Novu creates them at sign-up.
fn create_organization(transaction: &Transaction, api_key: &str) -> rusqlite::Result<()> {
    let now = ids::now();
    let organization_id = ids::object_id();
    let user_id = ids::object_id();
    let organization = json!({
        "_id": organization_id,
        "name": "Reference Organization",
        "branding": {},
        "createdAt": now,
        "updatedAt": now,
    });
    transaction.execute(
        "INSERT INTO organizations (id, doc) VALUES (?1, ?2)",
        params![organization_id, organization.to_string()],
    )?;
    let member_id = ids::object_id();
    let member = json!({
        "_id": member_id,
        "_userId": user_id,
        "user": {
            "_id": user_id,
            "firstName": "Reference",
            "lastName": "Admin",
            "email": "admin@novu-reference.invalid",
        },
        "roles": ["admin"],
        "memberStatus": "active",
        "_organizationId": organization_id,
    });
    transaction.execute(
        "INSERT INTO members (id, organization_id, doc) VALUES (?1, ?2, ?3)",
        params![member_id, organization_id, member.to_string()],
    )?;
    let development_id = ids::object_id();
    let production_id = ids::object_id();
    let production_key = ids::api_key();
    for (id, name, key, parent) in [
        (&development_id, "Development", api_key, None),
        (
            &production_id,
            "Production",
            production_key.as_str(),
            Some(&development_id),
        ),
    ] {
        let hash = ids::key_hash(key);
        let mut environment = json!({
            "_id": id,
            "name": name,
            "_organizationId": organization_id,
            "identifier": ids::environment_identifier(),
            "apiKeys": [{ "key": key, "_userId": user_id, "hash": hash }],
            "createdAt": now,
            "updatedAt": now,
        });
        if let Some(parent) = parent {
            environment["_parentId"] = json!(parent);
        }
        transaction.execute(
            "INSERT INTO environments (id, organization_id, api_key_hash, doc) VALUES (?1, ?2, ?3, ?4)",
            params![id, organization_id, hash, environment.to_string()],
        )?;
    }
    let development_group = ids::object_id();
    for (group_id, environment_id, parent) in [
        (development_group.clone(), &development_id, None),
        (ids::object_id(), &production_id, Some(&development_group)),
    ] {
        let mut group = json!({
            "_id": group_id,
            "name": "General",
            "_environmentId": environment_id,
            "_organizationId": organization_id,
        });
        if let Some(parent) = parent {
            group["_parentId"] = json!(parent);
        }
        transaction.execute(
            "INSERT INTO notification_groups (id, environment_id, organization_id, doc) VALUES (?1, ?2, ?3, ?4)",
            params![group_id, environment_id, organization_id, group.to_string()],
        )?;
    }
    // Like Novu, every new environment starts with the in-app provider active, so an in-app
    // step delivers without any set-up.
    for environment_id in [&development_id, &production_id] {
        let id = ids::object_id();
        let identifier = format!("novu-in-app-{}", ids::short_id());
        let now = ids::now();
        let integration = json!({
            "_id": id,
            "_environmentId": environment_id,
            "_organizationId": organization_id,
            "name": "Novu In-App",
            "identifier": identifier,
            "providerId": "novu",
            "channel": "in_app",
            "credentials": {},
            "active": true,
            "deleted": false,
            "primary": false,
            "priority": 0,
            "conditions": [],
            "createdAt": now,
            "updatedAt": now,
        });
        transaction.execute(
            "INSERT INTO integrations (id, environment_id, organization_id, provider_id, identifier, active, doc) \
             VALUES (?1, ?2, ?3, 'novu', ?4, 1, ?5)",
            params![id, environment_id, organization_id, identifier, integration.to_string()],
        )?;
    }
    transaction.execute(
        "INSERT INTO meta (key, value) VALUES ('development_environment_id', ?1), ('organization_id', ?2)",
        params![development_id, organization_id],
    )?;
    Ok(())
}

/// Reads one JSON document column.
pub(crate) fn document(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Value> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    })
}

/// The documents a query returns, in order.
pub(crate) fn documents<P: rusqlite::Params>(
    transaction: &Transaction,
    sql: &str,
    params: P,
) -> Outcome<Vec<Value>> {
    let mut statement = transaction.prepare_cached(sql)?;
    let rows = statement.query_map(params, |row| document(row, 0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The first document a query returns, if any.
pub(crate) fn first_document<P: rusqlite::Params>(
    transaction: &Transaction,
    sql: &str,
    params: P,
) -> Outcome<Option<Value>> {
    let mut statement = transaction.prepare_cached(sql)?;
    Ok(statement
        .query_row(params, |row| document(row, 0))
        .optional()?)
}

/// Converts a stored or built document into a generated response type.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(value: Value) -> Outcome<T> {
    serde_json::from_value(value)
        .map_err(|error| Failure::internal(format!("response shape: {error}")))
}
