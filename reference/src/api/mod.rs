//! The generated server traits implemented over the store, one file per tag.
//!
//! A handler decodes nothing (the generated router already did): it hands its typed inputs to
//! the domain code inside one store transaction (`run`) or on a read-only connection (`read`)
//! and turns the outcome into the operation's documented answer with [`answer`].

mod changes;
mod environments;
mod events;
mod execution_details;
mod feeds;
mod inbound_parse;
mod integrations;
mod layouts;
mod messages;
mod notifications;
mod organizations;
mod subscribers;
mod tenants;
mod topics;
mod workflow_groups;
mod workflow_overrides;
mod workflows;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use novu_server::types;
use novu_server::*;
use rusqlite::Transaction;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::domain::integrations::NovuCredentials;
use crate::domain::{self, Caller};
use crate::engine::Waker;
use crate::failure::Outcome;
use crate::ids;
use crate::store::{Store, typed};

/// The API over one store.
pub(crate) struct ReferenceApi {
    store: Store,
    /// Told about the due times triggers store, once they are committed.
    scheduler: Waker,
    callers: Arc<Callers>,
    /// Whether this deployment holds the credentials of Novu's own providers.
    novu_credentials: NovuCredentials,
}

/// The environment behind each API key, looked up once and then kept: keys only change when a
/// server starts (the bootstrap), so a key found once stays valid for this server's life. The
/// router's authentication and the layers around it (`edge/`) share one.
pub(crate) struct Callers {
    store: Store,
    known: RwLock<HashMap<String, Caller>>,
}

impl Callers {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            known: RwLock::default(),
        }
    }

    /// Who `api_key` belongs to, or `None` for a key no environment has.
    pub async fn resolve(&self, api_key: &str) -> Option<Caller> {
        let known = self
            .known
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(api_key)
            .cloned();
        if known.is_some() {
            return known;
        }
        let hash = ids::key_hash(api_key);
        let found = self
            .store
            .read(move |transaction| domain::environments::caller_for_key(transaction, &hash))
            .await;
        let caller = found.ok().flatten()?;
        self.known
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(api_key.to_owned(), caller.clone());
        Some(caller)
    }
}

impl ReferenceApi {
    pub fn new(
        store: Store,
        scheduler: Waker,
        callers: Arc<Callers>,
        novu_credentials: NovuCredentials,
    ) -> Self {
        Self {
            store,
            scheduler,
            callers,
            novu_credentials,
        }
    }

    /// The body of a committed trigger, after telling the scheduler when its jobs are due.
    fn scheduled(&self, (body, earliest_due): (Value, Option<i64>)) -> Value {
        if let Some(due) = earliest_due {
            self.scheduler.scheduled(due);
        }
        body
    }

    /// Runs one operation for `caller` in its own transaction.
    async fn run<T, F>(&self, caller: Caller, work: F) -> Outcome<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction, &Caller) -> Outcome<T> + Send + 'static,
    {
        self.store
            .transaction(move |transaction| work(transaction, &caller))
            .await
    }

    /// Runs one operation that only reads, for `caller`, on a read-only connection.
    async fn read<T, F>(&self, caller: Caller, work: F) -> Outcome<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction, &Caller) -> Outcome<T> + Send + 'static,
    {
        self.store
            .read(move |transaction| work(transaction, &caller))
            .await
    }
}

/// A document wrapped in Novu's `{"data": …}` envelope, as the generated type `T`.
fn envelope<T: DeserializeOwned>(outcome: Outcome<Value>) -> Outcome<T> {
    outcome.and_then(|value| typed(json!({ "data": value })))
}

/// A document sent as it is (the paginated lists), as the generated type `T`.
fn page<T: DeserializeOwned>(outcome: Outcome<Value>) -> Outcome<T> {
    outcome.and_then(typed)
}

/// A typed request body as JSON, the form the domain code works on. The generated request
/// types keep absent, `null` and empty apart, so this is the body as sent, except that the
/// types read every `number` as `f64`: numbers are written back as JavaScript writes them, an
/// integral value without a fraction (`2`, not `2.0`), as Novu stores and answers them.
fn json_body(body: &impl serde::Serialize) -> Outcome<Value> {
    let mut value = serde_json::to_value(body)?;
    // No body (an optional one left out) reads as `{}`, as Novu's JSON parser hands it over.
    if value.is_null() {
        value = Value::Object(serde_json::Map::new());
    }
    as_javascript_numbers(&mut value);
    Ok(value)
}

/// Rewrites every integral floating-point number (within the integers a double holds exactly)
/// as an integer.
fn as_javascript_numbers(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float.abs() <= EXACT
            {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(as_javascript_numbers),
        Value::Object(fields) => fields.values_mut().for_each(as_javascript_numbers),
        _ => {}
    }
}

/// The server's own root URL as the request reached it, for links back to it.
fn api_root_url(context: &RequestContext) -> String {
    let host = context
        .headers
        .get(axum::http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The documented answer of an operation for `outcome`: `success` of the value, or the error
/// variant the operation documents for the failure's status. A status the operation does not
/// document is answered as a 500, so a mistake shows instead of breaking the contract.
fn answer<R, T>(context: &RequestContext, outcome: Outcome<T>, success: impl FnOnce(T) -> R) -> R
where
    R: Documented<Failure = types::ErrorResponse>,
{
    let failure = match outcome {
        Ok(value) => return success(value),
        Err(failure) => failure,
    };
    let path = &context.path_and_query;
    R::from_failure(failure.status.code(), failure.body(path)).unwrap_or_else(|_| {
        let undocumented = failure.undocumented();
        R::from_failure(undocumented.status.code(), undocumented.body(path))
            .unwrap_or_else(|_| panic!("every operation of the contract documents 500"))
    })
}

impl Authenticate for ReferenceApi {
    type Caller = Caller;

    async fn authenticate(&self, api_key: &str) -> Result<Caller, AuthError> {
        self.callers
            .resolve(api_key)
            .await
            .ok_or_else(|| AuthError::new("API Key not found"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_back_as_javascript_writes_them() {
        let mut value = json!({"a": 2.0, "b": [-3.0, 2.5, 7], "c": {"d": 1e300, "e": -0.0}});
        as_javascript_numbers(&mut value);
        assert_eq!(
            value,
            json!({"a": 2, "b": [-3, 2.5, 7], "c": {"d": 1e300, "e": 0}})
        );
        assert_eq!(value["a"].to_string(), "2");
    }
}
