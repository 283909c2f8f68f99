//! Subscriber preferences. TEMPORARY STUB for the trigger engine: the real module (global,
//! per-workflow and tenant-override preferences, critical workflows) lands from the preferences
//! branch and replaces this file whole.

use rusqlite::Transaction;
use serde_json::Value;

use super::Caller;
use crate::failure::Outcome;

/// Whether `subscriber` accepts messages of `workflow` on `channel`; the stub allows all.
pub(crate) fn channel_allowed(
    _transaction: &Transaction,
    _caller: &Caller,
    _subscriber: &Value,
    _workflow: &Value,
    _tenant: Option<&Value>,
    _channel: &str,
) -> Outcome<bool> {
    Ok(true)
}
