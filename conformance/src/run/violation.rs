//! A violation: one way a server broke the contract, as a check reports it.

use serde::Serialize;

/// One way a server broke the contract.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The check that found it.
    pub check: &'static str,
    /// The operation concerned.
    pub operation_id: String,
    /// What the contract asks for.
    pub expected: String,
    /// What the server did.
    pub received: String,
    /// A command that sends the request again (`$NOVU_API_KEY` stands for the key).
    pub curl: Option<String>,
}
