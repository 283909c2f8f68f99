//! The organization a new database starts with, and its two environments' API keys.
//!
//! Novu creates an organization, its admin and its environments at sign-up; this server has no
//! sign-up, so [`bootstrap`] seeds them when the store opens a database that has none, and
//! otherwise makes sure each environment accepts the key configured for it. What Novu's domain
//! use cases add to a new Development environment (its default layout and that layout's
//! pending change) is made by the [`SeedDevelopment`] the store is opened with, since the
//! store sits below the domain.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde_json::{Value, json};

use crate::caller::Caller;
use crate::ids;

/// Makes what a new organization's Development environment (`caller`'s) holds beyond its
/// environments, workflow groups and in-app integrations; runs in the bootstrap's transaction,
/// after both environments exist.
pub(crate) type SeedDevelopment = fn(&Transaction, &Caller) -> rusqlite::Result<()>;

/// The keys the environments accept after the bootstrap.
pub(crate) struct Bootstrap {
    /// The development environment's key.
    pub api_key: EnvironmentKey,
    /// The production environment's key.
    pub production_api_key: EnvironmentKey,
}

/// One environment's API key, and whether this start generated it.
pub(crate) struct EnvironmentKey {
    pub key: String,
    pub generated: bool,
}

impl EnvironmentKey {
    /// The configured key, or a new one.
    fn configured_or_new(configured: Option<&str>) -> EnvironmentKey {
        match configured {
            Some(key) => EnvironmentKey {
                key: key.to_owned(),
                generated: false,
            },
            None => EnvironmentKey {
                key: ids::api_key(),
                generated: true,
            },
        }
    }
}

/// Makes sure the organization and its environments exist, and that the development and the
/// production environment accept `api_key` and `production_api_key` when they are given (a
/// given key replaces the stored one; without one the stored key stays).
pub(super) fn bootstrap(
    connection: &mut Connection,
    api_key: Option<&str>,
    production_api_key: Option<&str>,
    seed_development: SeedDevelopment,
) -> rusqlite::Result<Bootstrap> {
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
            let bootstrap = Bootstrap {
                api_key: EnvironmentKey::configured_or_new(api_key),
                production_api_key: EnvironmentKey::configured_or_new(production_api_key),
            };
            create_organization(
                &transaction,
                &bootstrap.api_key.key,
                &bootstrap.production_api_key.key,
                seed_development,
            )?;
            bootstrap
        }
        Some(development_id) => {
            // The production environment is the development environment's child.
            let production_id: String = transaction.query_row(
                "SELECT id FROM environments WHERE json_extract(doc, '$._parentId') = ?1 \
                 ORDER BY rowid LIMIT 1",
                [&development_id],
                |row| row.get(0),
            )?;
            Bootstrap {
                api_key: keep_or_replace(&transaction, &development_id, api_key)?,
                production_api_key: keep_or_replace(
                    &transaction,
                    &production_id,
                    production_api_key,
                )?,
            }
        }
    };
    transaction.commit()?;
    Ok(bootstrap)
}

/// The key environment `environment_id` accepts: `configured` (stored in place of the old one
/// when it differs), else the stored one.
fn keep_or_replace(
    transaction: &Transaction,
    environment_id: &str,
    configured: Option<&str>,
) -> rusqlite::Result<EnvironmentKey> {
    let doc: String = transaction.query_row(
        "SELECT doc FROM environments WHERE id = ?1",
        [environment_id],
        |row| row.get(0),
    )?;
    let mut environment: Value = serde_json::from_str(&doc)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
    let stored = environment["apiKeys"][0]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let key = match configured {
        Some(key) if key != stored => {
            let hash = ids::key_hash(key);
            environment["apiKeys"][0]["key"] = json!(key);
            environment["apiKeys"][0]["hash"] = json!(hash);
            transaction.execute(
                "UPDATE environments SET api_key_hash = ?2, doc = ?3 WHERE id = ?1",
                params![environment_id, hash, environment.to_string()],
            )?;
            key.to_owned()
        }
        _ => stored,
    };
    Ok(EnvironmentKey {
        key,
        generated: false,
    })
}

/// One organization, its admin member, and a development and a production environment, each
/// with its default workflow group and its in-app integration, the development one seeded by
/// `seed_development`, as Novu creates them at sign-up.
fn create_organization(
    transaction: &Transaction,
    api_key: &str,
    production_key: &str,
    seed_development: SeedDevelopment,
) -> rusqlite::Result<()> {
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
    let [development_id, _] = create_environments(
        transaction,
        &organization_id,
        &user_id,
        [api_key, production_key],
    )?;
    seed_development(
        transaction,
        &Caller {
            organization_id: organization_id.clone(),
            environment_id: development_id.clone(),
        },
    )?;
    transaction.execute(
        "INSERT INTO meta (key, value) VALUES ('development_environment_id', ?1), ('organization_id', ?2)",
        params![development_id, organization_id],
    )?;
    Ok(())
}

/// A development and a production environment (its child) of `organization_id`, accepting
/// `keys` (owned by `user_id`), each with its workflow group `General` (Production's copying
/// Development's) and its in-app integration, as Novu creates them with an organization;
/// answers their `_id`s. Novu's Development environment also gets a default layout, which the
/// caller makes once both exist (its pending change needs the Production environment).
pub(crate) fn create_environments(
    transaction: &Transaction,
    organization_id: &str,
    user_id: &str,
    keys: [&str; 2],
) -> rusqlite::Result<[String; 2]> {
    let now = ids::now();
    let development_id = ids::object_id();
    let production_id = ids::object_id();
    for (id, name, key, parent) in [
        (&development_id, "Development", keys[0], None),
        (&production_id, "Production", keys[1], Some(&development_id)),
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
            "id": group_id,
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
    Ok([development_id, production_id])
}
