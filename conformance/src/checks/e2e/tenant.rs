//! Cases ported from Novu's `tenant/e2e/`: create, read, list and its pages (newest first),
//! update (also of the identifier) and delete. They need the tenants API, which a server
//! running workflows in code turns off.
//!
//! Novu's harness writes tenants straight into its repository; here they are created with
//! `POST /v1/tenants`.

use serde_json::{Value, json};

use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CREATE: &str = "tenant/e2e/create-tenant.e2e.ts";
const DELETE: &str = "tenant/e2e/delete-tenant.e2e.ts";
const GET: &str = "tenant/e2e/get-tenant.e2e.ts";
const LIST: &str = "tenant/e2e/get-tenants.e2e.ts";
const UPDATE: &str = "tenant/e2e/update-tenant.e2e.ts";

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[
    Ported::new(
        CREATE,
        "should create a new tenant",
        "tenants_create",
        |t| Box::pin(create(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        CREATE,
        "should throw error if a tenant is already exist in the environment",
        "tenants_create",
        |t| Box::pin(create_taken(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        CREATE,
        "should throw error if a missing tenant identifier",
        "tenants_create",
        |t| Box::pin(create_without_identifier(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        DELETE,
        "should delete newly created tenant",
        "tenants_delete",
        |t| Box::pin(delete(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        DELETE,
        "should throw exception while trying to delete not existing tenant",
        "tenants_delete",
        |t| Box::pin(delete_missing(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        GET,
        "should get a newly created tenant",
        "tenants_get",
        |t| Box::pin(get(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        GET,
        "should throw exception if tenant does not existing",
        "tenants_get",
        |t| Box::pin(get_missing(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        LIST,
        "should get the newly created tenants",
        "tenants_list",
        |t| Box::pin(list_newest_first(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        LIST,
        "should get second page of tenants",
        "tenants_list",
        |t| Box::pin(list_second_page(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        LIST,
        "should get tenants by pagination",
        "tenants_list",
        |t| Box::pin(list_pages(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(UPDATE, "should update tenant", "tenants_update", |t| {
        Box::pin(update(t))
    })
    .needs(Feature::Tenants),
    Ported::new(
        UPDATE,
        "should not update identifier with null/undefined",
        "tenants_update",
        |t| Box::pin(update_without_identifier(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        UPDATE,
        "should not be able to update to already existing identifier (in the same environment)",
        "tenants_update",
        |t| Box::pin(update_to_taken(t)),
    )
    .needs(Feature::Tenants),
    Ported::new(
        UPDATE,
        "should throw exception id tenant was not found under environment",
        "tenants_update",
        |t| Box::pin(update_missing(t)),
    )
    .needs(Feature::Tenants),
];

const DATA: fn() -> Value = || json!({ "test1": "test value1", "test2": "test value2" });

/// Creates a tenant from `fields` (deleted at the end); answers the reply.
async fn tenant(trial: &Trial<'_>, fields: Value) -> Result<Reply, Stop> {
    let identifier = fields["identifier"].as_str().unwrap_or_default().to_owned();
    let reply = trial.call("tenants_create", &[], &[], Some(fields)).await?;
    trial.created("tenants_delete", &[("identifier", &identifier)]);
    trial.status(&reply, 201)?;
    Ok(reply)
}

/// Reads tenant `identifier`, which must exist.
async fn read(trial: &Trial<'_>, identifier: &str) -> Result<Reply, Stop> {
    let reply = trial
        .call("tenants_get", &[("identifier", identifier)], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    Ok(reply)
}

/// The reply's `message` contains `text`.
fn message_contains(trial: &Trial<'_>, reply: &Reply, text: &str) -> Result<(), Stop> {
    let message = reply.body["message"].as_str().unwrap_or_default();
    trial.holds(
        reply,
        &format!("message contains `{text}`"),
        message.contains(text),
    )
}

async fn create(trial: &Trial<'_>) -> Result<(), Stop> {
    let identifier = trial.name("identifier_123");
    let reply = tenant(
        trial,
        json!({ "identifier": identifier, "name": "name_123", "data": DATA() }),
    )
    .await?;
    trial.holds(&reply, "data is present", reply.data().is_object())?;
    let stored = read(trial, &identifier).await?;
    trial.equal(&stored, "data.name", &stored.data()["name"], "name_123")?;
    trial.equal(
        &stored,
        "data.identifier",
        &stored.data()["identifier"],
        identifier,
    )?;
    trial.equal(&stored, "data.data", &stored.data()["data"], DATA())
}

async fn create_taken(trial: &Trial<'_>) -> Result<(), Stop> {
    let identifier = trial.name("identifier_123");
    tenant(
        trial,
        json!({ "identifier": identifier, "name": "name_123" }),
    )
    .await?;
    let (environment, _) = trial.environment().await?;
    let again = trial
        .call(
            "tenants_create",
            &[],
            &[],
            Some(json!({ "identifier": identifier, "name": "name_123" })),
        )
        .await?;
    trial.status(&again, 409)?;
    message_contains(
        trial,
        &again,
        &format!(
            "Tenant with identifier: {identifier} already exists under environment {environment}"
        ),
    )
}

async fn create_without_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = trial
        .call("tenants_create", &[], &[], Some(json!({})))
        .await?;
    let messages = super::strings(&reply.body["message"]);
    for wanted in [
        "identifier should not be empty",
        "identifier must be a string",
    ] {
        trial.holds(
            &reply,
            &format!("message is an array that includes `{wanted}`"),
            messages.contains(&wanted),
        )?;
    }
    Ok(())
}

async fn delete(trial: &Trial<'_>) -> Result<(), Stop> {
    let identifier = trial.name("identifier_123");
    tenant(
        trial,
        json!({ "identifier": identifier, "name": "name_123", "data": DATA() }),
    )
    .await?;
    read(trial, &identifier).await?;
    trial
        .call("tenants_delete", &[("identifier", &identifier)], &[], None)
        .await?;
    let after = trial
        .call("tenants_get", &[("identifier", &identifier)], &[], None)
        .await?;
    trial.status(&after, 404)
}

async fn delete_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let identifier = trial.name("4f3c4146-e471-4fe8-b23d-e3411689db00");
    let (environment, _) = trial.environment().await?;
    let reply = trial
        .call("tenants_delete", &[("identifier", &identifier)], &[], None)
        .await?;
    message_contains(
        trial,
        &reply,
        &format!(
            "Tenant with identifier: {identifier} does not exist under environment {environment}"
        ),
    )
}

async fn get(trial: &Trial<'_>) -> Result<(), Stop> {
    let identifier = trial.name("identifier_123");
    tenant(
        trial,
        json!({ "identifier": identifier, "name": "name_123", "data": DATA() }),
    )
    .await?;
    let stored = read(trial, &identifier).await?;
    trial.equal(
        &stored,
        "data.identifier",
        &stored.data()["identifier"],
        identifier,
    )?;
    trial.equal(&stored, "data.name", &stored.data()["name"], "name_123")?;
    trial.equal(&stored, "data.data", &stored.data()["data"], DATA())
}

async fn get_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    let identifier = trial.name("identifier_123");
    let (environment, _) = trial.environment().await?;
    let reply = trial
        .call("tenants_get", &[("identifier", &identifier)], &[], None)
        .await?;
    message_contains(
        trial,
        &reply,
        &format!(
            "Tenant with identifier: {identifier} does not exist under environment {environment}"
        ),
    )
}

/// Creates `count` tenants `identifier_0`, `identifier_1`, … one after another, a few
/// milliseconds apart as Novu's test does, so that their creation times differ.
async fn tenants(trial: &Trial<'_>, count: usize) -> Result<Vec<String>, Stop> {
    let mut identifiers = Vec::new();
    for index in 0..count {
        let identifier = trial.name(&format!("identifier_{index}"));
        tenant(
            trial,
            json!({ "identifier": identifier, "name": "name_123", "data": DATA() }),
        )
        .await?;
        identifiers.push(identifier);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    Ok(identifiers)
}

/// Asks for page `page` of `limit` (each left out as Novu's helper leaves out a 0 or none).
async fn page(trial: &Trial<'_>, page: u32, limit: Option<u32>) -> Result<Reply, Stop> {
    let page_text = page.to_string();
    let limit_text = limit.map(|limit| limit.to_string());
    let mut query = Vec::new();
    if page > 0 {
        query.push(("page", page_text.as_str()));
    }
    if let Some(limit) = &limit_text {
        query.push(("limit", limit.as_str()));
    }
    let reply = trial.call("tenants_list", &[], &query, None).await?;
    trial.status(&reply, 200)?;
    Ok(reply)
}

/// Asserts a page's `page` and `pageSize`, and that its items begin with `first` in order.
/// Novu's environment holds only the case's tenants, so it also asserts how many the page
/// holds and `hasMore`; here the newest tenants are the case's, and the page's length and
/// `hasMore` must agree with each other as Novu computes them (`hasMore` exactly when the page
/// is full).
fn page_is(
    trial: &Trial<'_>,
    reply: &Reply,
    page: u32,
    size: u32,
    first: &[&String],
) -> Result<(), Stop> {
    trial.equal(reply, "page", &reply.body["page"], page)?;
    trial.equal(reply, "pageSize", &reply.body["pageSize"], size)?;
    let data = items(&reply.body["data"]);
    let leading: Vec<&Value> = data
        .iter()
        .take(first.len())
        .map(|tenant| &tenant["identifier"])
        .collect();
    trial.equal(
        reply,
        "the identifiers the page begins with",
        &json!(leading),
        json!(first),
    )?;
    let full = data.len() == size as usize;
    trial.equal(reply, "hasMore", &reply.body["hasMore"], full)
}

async fn list_newest_first(trial: &Trial<'_>) -> Result<(), Stop> {
    let ids = tenants(trial, 5).await?;
    let reply = page(trial, 0, None).await?;
    let newest_first: Vec<&String> = ids.iter().rev().collect();
    page_is(trial, &reply, 0, 10, &newest_first)
}

async fn list_second_page(trial: &Trial<'_>) -> Result<(), Stop> {
    let ids = tenants(trial, 9).await?;
    let reply = page(trial, 1, Some(5)).await?;
    let rest: Vec<&String> = ids[..4].iter().rev().collect();
    page_is(trial, &reply, 1, 5, &rest)
}

async fn list_pages(trial: &Trial<'_>) -> Result<(), Stop> {
    let ids = tenants(trial, 14).await?;
    let newest_first: Vec<&String> = ids.iter().rev().collect();
    for (number, chunk) in newest_first.chunks(5).enumerate() {
        let reply = page(trial, number as u32, Some(5)).await?;
        page_is(trial, &reply, number as u32, 5, chunk)?;
        if chunk.len() == 5 {
            trial.equal(&reply, "hasMore", &reply.body["hasMore"], true)?;
        }
    }
    Ok(())
}

async fn update(trial: &Trial<'_>) -> Result<(), Stop> {
    let identifier = trial.name("identifier_123");
    tenant(
        trial,
        json!({ "identifier": identifier, "name": "name_123", "data": DATA() }),
    )
    .await?;
    let renamed = trial.name("newIdentifier");
    trial.created("tenants_delete", &[("identifier", &renamed)]);
    let new_data = json!({ "test1": "new value", "test2": "new value2" });
    let reply = trial
        .call(
            "tenants_update",
            &[("identifier", &identifier)],
            &[],
            Some(json!({ "identifier": renamed, "name": "new_name", "data": new_data })),
        )
        .await?;
    trial.status(&reply, 200)?;
    let stored = read(trial, &renamed).await?;
    trial.equal(&stored, "data.name", &stored.data()["name"], "new_name")?;
    trial.equal(
        &stored,
        "data.identifier",
        &stored.data()["identifier"],
        renamed,
    )?;
    trial.equal(&stored, "data.data", &stored.data()["data"], new_data)
}

async fn update_without_identifier(trial: &Trial<'_>) -> Result<(), Stop> {
    let identifier = trial.name("identifier_123");
    tenant(
        trial,
        json!({ "identifier": identifier, "name": "name_123", "data": DATA() }),
    )
    .await?;
    // Novu's helper sends `identifier: null` first, then leaves it out.
    for body in [json!({ "identifier": null }), json!({})] {
        trial
            .call(
                "tenants_update",
                &[("identifier", &identifier)],
                &[],
                Some(body),
            )
            .await?;
        let stored = read(trial, &identifier).await?;
        trial.equal(
            &stored,
            "data.identifier",
            &stored.data()["identifier"],
            identifier.as_str(),
        )?;
    }
    Ok(())
}

async fn update_to_taken(trial: &Trial<'_>) -> Result<(), Stop> {
    let (first, second) = (trial.name("identifier_123"), trial.name("identifier_456"));
    // Novu's harness writes them without a name; over the API a name is required.
    tenant(trial, json!({ "identifier": first, "name": "name_123" })).await?;
    tenant(trial, json!({ "identifier": second, "name": "name_456" })).await?;
    let (environment, _) = trial.environment().await?;
    let reply = trial
        .call(
            "tenants_update",
            &[("identifier", &first)],
            &[],
            Some(json!({ "identifier": second })),
        )
        .await?;
    trial.status(&reply, 409)?;
    message_contains(
        trial,
        &reply,
        &format!("Tenant with identifier: {second} already exists under environment {environment}"),
    )
}

async fn update_missing(trial: &Trial<'_>) -> Result<(), Stop> {
    tenant(
        trial,
        json!({ "identifier": trial.name("identifier_123"), "name": "name_123" }),
    )
    .await?;
    let missing = trial.name("identifier_1234");
    let (environment, _) = trial.environment().await?;
    let reply = trial
        .call(
            "tenants_update",
            &[("identifier", &missing)],
            &[],
            Some(json!({})),
        )
        .await?;
    trial.status(&reply, 404)?;
    message_contains(
        trial,
        &reply,
        &format!(
            "Tenant with identifier: {missing} does not exist under environment {environment}"
        ),
    )
}
