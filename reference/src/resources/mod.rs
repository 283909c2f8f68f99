//! Novu's semantics, one module per resource group. Each function runs inside one store
//! transaction and returns the wire document (as JSON) or a [`Failure`](crate::failure::Failure).

pub(crate) mod environments;
pub(crate) mod feeds;
pub(crate) mod organizations;
pub(crate) mod subscribers;
pub(crate) mod tenants;
pub(crate) mod topics;
pub(crate) mod workflow_groups;

/// Who is calling: the environment (and its organization) that the API key belongs to. Every
/// lookup is scoped to it.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub organization_id: String,
    pub environment_id: String,
}

/// The `{acknowledged, status}` body of deletions that answer 200.
pub(crate) fn deleted_acknowledgement() -> serde_json::Value {
    serde_json::json!({ "acknowledged": true, "status": "deleted" })
}

/// The rows to skip for a zero-based page; Novu has no lower bound on `page`, and a negative
/// skip reads as the first page here.
pub(crate) fn offset(page: i64, size: i64) -> i64 {
    page.saturating_mul(size).max(0)
}
