//! Environments of the caller's organization and their API keys.

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Value, json};

use super::Caller;
use crate::failure::Outcome;
use crate::store::{documents, first_document};

/// What Novu's `CreateEnvironment` adds to an environment without a parent (Development)
/// beyond what the store makes with it: the default layout, with the pending `DefaultLayout`
/// change its creation records. The store calls this when it bootstraps a new database, and
/// an organization created over the API gets it too.
pub(crate) fn seed_development(transaction: &Transaction, caller: &Caller) -> rusqlite::Result<()> {
    super::layouts::create_default(transaction, caller)
        .map(drop)
        .map_err(|failure| {
            let cause = std::io::Error::other(format!("default layout: {}", failure.message()));
            rusqlite::Error::ToSqlConversionFailure(Box::new(cause))
        })
}

/// Every environment of the organization; API keys are shown only for the caller's own, the
/// others' `apiKeys` are empty.
pub(crate) fn list(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    let environments = documents(
        transaction,
        "SELECT doc FROM environments WHERE organization_id = ?1 ORDER BY rowid",
        [&caller.organization_id],
    )?;
    let shown = environments
        .into_iter()
        .map(|environment| {
            if environment["_id"] == caller.environment_id.as_str() {
                environment
            } else {
                without_keys(environment)
            }
        })
        .collect();
    Ok(Value::Array(shown))
}

/// The caller's environment as it is answered: without its API keys.
pub(crate) fn current(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    let mut environment = stored(transaction, caller)?;
    if let Some(fields) = environment.as_object_mut() {
        fields.remove("apiKeys");
    }
    Ok(environment)
}

/// The caller's environment as stored, keys included.
fn stored(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    let environment = first_document(
        transaction,
        "SELECT doc FROM environments WHERE id = ?1 AND organization_id = ?2",
        params![caller.environment_id, caller.organization_id],
    )?;
    Ok(environment.unwrap_or(Value::Null))
}

/// Whether the environment's inbound-parse domain has its MX record in place: never without a
/// domain (only the dashboard gives an environment one), otherwise the last result stored with
/// the domain (this server resolves no DNS).
pub(crate) fn mx_record_status(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    let environment = current(transaction, caller)?;
    let dns = &environment["dns"];
    let configured = dns["inboundParseDomain"]
        .as_str()
        .is_some_and(|domain| !domain.is_empty())
        && dns["mxRecordConfigured"].as_bool() == Some(true);
    Ok(json!({ "mxRecordConfigured": configured }))
}

/// The caller's environment's keys as `{key, _userId}`.
pub(crate) fn api_keys(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    let environment = stored(transaction, caller)?;
    let keys = environment["apiKeys"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|key| json!({ "key": key["key"], "_userId": key["_userId"] }))
        .collect();
    Ok(Value::Array(keys))
}

/// The caller an API key stands for: the environment whose key hashes to `hash`, and its
/// organization.
pub(crate) fn caller_for_key(transaction: &Transaction, hash: &str) -> Outcome<Option<Caller>> {
    Ok(transaction
        .query_row(
            "SELECT id, organization_id FROM environments WHERE api_key_hash = ?1",
            [hash],
            |row| {
                Ok(Caller {
                    environment_id: row.get(0)?,
                    organization_id: row.get(1)?,
                })
            },
        )
        .optional()?)
}

fn without_keys(mut environment: Value) -> Value {
    environment["apiKeys"] = json!([]);
    environment
}
