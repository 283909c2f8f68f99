//! Novu's semantics, one module per resource group: what each operation reads and writes, the
//! rules it enforces and the wire document (as JSON) it answers, or the
//! [`Failure`](crate::failure::Failure) that says why not. Each function runs inside the one
//! store transaction the API layer opened for the request, and knows nothing of HTTP or of the
//! response variants. The workflow engine that a trigger sets going is [`crate::engine`].

pub(crate) mod activity;
pub(crate) mod changes;
pub(crate) mod chat_oauth;
pub(crate) mod environments;
pub(crate) mod events;
pub(crate) mod feeds;
pub(crate) mod integrations;
pub(crate) mod layouts;
pub(crate) mod messages;
pub(crate) mod organizations;
pub(crate) mod preferences;
pub(crate) mod subscribers;
pub(crate) mod tenants;
pub(crate) mod topics;
pub(crate) mod workflow_groups;
pub(crate) mod workflow_overrides;
pub(crate) mod workflows;

pub(crate) use crate::caller::Caller;

/// The `{acknowledged, status}` body of deletions that answer 200.
pub(crate) fn deleted_acknowledgement() -> serde_json::Value {
    serde_json::json!({ "acknowledged": true, "status": "deleted" })
}

/// The rows to skip for a zero-based page. The contract bounds `page` at 0 (a negative one is
/// refused before it gets here); a page far beyond the data saturates rather than overflows.
pub(crate) fn offset(page: i64, size: i64) -> i64 {
    page.saturating_mul(size).max(0)
}

/// A page of a list whose `hasMore` only says whether the page is full (`data.length ===
/// limit` in Novu): subscribers, tenants and the activity feed.
pub(crate) fn full_page_rule(
    page: i64,
    size: i64,
    data: Vec<serde_json::Value>,
) -> serde_json::Value {
    serde_json::json!({
        "page": page,
        "hasMore": data.len() as i64 == size,
        "pageSize": size,
        "data": data,
    })
}

/// The organization's admin user, standing in for the user behind the API key.
pub(crate) fn creator_id(
    transaction: &rusqlite::Transaction,
    caller: &Caller,
) -> crate::failure::Outcome<serde_json::Value> {
    let member = crate::store::first_document(
        transaction,
        "SELECT doc FROM members WHERE organization_id = ?1 ORDER BY rowid",
        [&caller.organization_id],
    )?;
    Ok(member.map_or(serde_json::json!(""), |member| member["_userId"].clone()))
}

/// Novu's `RootEnvironmentGuard`: some operations only accept a key of the Development
/// environment, the one without a parent.
pub(crate) fn require_development(
    transaction: &rusqlite::Transaction,
    caller: &Caller,
) -> crate::failure::Outcome<()> {
    let environment = crate::store::first_document(
        transaction,
        "SELECT doc FROM environments WHERE id = ?1",
        [&caller.environment_id],
    )?;
    if environment.is_some_and(|environment| environment.get("_parentId").is_some()) {
        return Err(crate::failure::Failure::unauthorized(
            "This action is only allowed in Development environment",
        ));
    }
    Ok(())
}
