//! The caller's organization, its branding and its members.

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::Caller;
use super::integrations::{self, NovuCredentials};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{create_environments, documents, first_document};

/// The branding fields a branding update sets when given.
const BRANDING_FIELDS: &[&str] = &[
    "logo",
    "color",
    "fontColor",
    "contentBackground",
    "fontFamily",
];

/// The extensions a logo's address may end with.
const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "svg"];

/// A logo is an `https` address of an image: Novu's production and test servers take no
/// other scheme, and it judges an image by what follows the address's last dot.
fn check_logo(logo: &str) -> Outcome<()> {
    if !logo.starts_with("https://") {
        return Err(Failure::bad_request("logo must be a URL address"));
    }
    let extension = logo.rsplit('.').next().unwrap_or_default();
    if !IMAGE_EXTENSIONS.contains(&extension) {
        return Err(Failure::bad_request(format!(
            "Logo must be a valid image URL with one of the following extensions: {}",
            IMAGE_EXTENSIONS.join(", ")
        )));
    }
    Ok(())
}

pub(crate) fn current(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    first_document(
        transaction,
        "SELECT doc FROM organizations WHERE id = ?1",
        [&caller.organization_id],
    )?
    .ok_or_else(|| {
        Failure::internal(format!(
            "organization {} is missing",
            caller.organization_id
        ))
    })
}

/// The organizations the caller's user is an active member of: the key's own, and those the
/// user created since.
pub(crate) fn list(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    let user_id = super::creator_id(transaction, caller)?;
    Ok(Value::Array(documents(
        transaction,
        "SELECT organizations.doc FROM organizations JOIN members \
         ON members.organization_id = organizations.id \
         WHERE json_extract(members.doc, '$._userId') = ?1 \
         AND json_extract(members.doc, '$.memberStatus') = 'active' \
         ORDER BY organizations.rowid",
        [user_id.as_str().unwrap_or_default()],
    )?))
}

/// Renames the organization and answers `{name}`.
pub(crate) fn rename(transaction: &Transaction, caller: &Caller, name: &str) -> Outcome<Value> {
    let mut organization = current(transaction, caller)?;
    organization["name"] = json!(name);
    save(transaction, caller, organization)?;
    Ok(json!({ "name": name }))
}

/// Sets the given branding fields, keeps the others, and answers the branding.
pub(crate) fn update_branding(
    transaction: &Transaction,
    caller: &Caller,
    body: Value,
) -> Outcome<Value> {
    if let Some(logo) = body.get("logo").and_then(Value::as_str) {
        check_logo(logo)?;
    }
    let mut organization = current(transaction, caller)?;
    if !organization["branding"].is_object() {
        organization["branding"] = json!({});
    }
    for field in BRANDING_FIELDS {
        if let Some(value) = body.get(*field).filter(|value| !value.is_null()) {
            organization["branding"][*field] = value.clone();
        }
    }
    if let Some(logo) = body.get("logo").filter(|logo| !logo.is_null()) {
        organization["logo"] = logo.clone();
    }
    let branding = organization["branding"].clone();
    save(transaction, caller, organization)?;
    Ok(branding)
}

pub(crate) fn members(transaction: &Transaction, caller: &Caller) -> Outcome<Value> {
    Ok(Value::Array(documents(
        transaction,
        "SELECT doc FROM members WHERE organization_id = ?1 ORDER BY rowid",
        [&caller.organization_id],
    )?))
}

/// Creates an organization on the free plan with the caller's user as its admin member, and
/// its development and production environments, each with Novu's own integrations where the
/// deployment holds their `credentials` (Novu's `CreateOrganization`). The API key keeps
/// belonging to the caller's organization, so nothing of the new one but the organization
/// itself (answered, and listed among the user's) is visible to it.
pub(crate) fn create(
    transaction: &Transaction,
    caller: &Caller,
    body: &Value,
    credentials: NovuCredentials,
) -> Outcome<Value> {
    let now = ids::now();
    let organization_id = ids::object_id();
    let mut organization = json!({
        "_id": organization_id,
        "name": body["name"],
        "apiServiceLevel": "free",
        "branding": {},
        "createdAt": now,
        "updatedAt": now,
    });
    for field in ["logo", "domain", "language"] {
        if let Some(value) = body.get(field).filter(|value| !value.is_null()) {
            organization[field] = value.clone();
        }
    }
    transaction.execute(
        "INSERT INTO organizations (id, doc) VALUES (?1, ?2)",
        params![organization_id, organization.to_string()],
    )?;
    let user_id = super::creator_id(transaction, caller)?;
    let user = first_document(
        transaction,
        "SELECT doc FROM members WHERE organization_id = ?1 AND json_extract(doc, '$._userId') = ?2",
        params![caller.organization_id, user_id.as_str()],
    )?
    .map_or_else(|| json!({ "_id": user_id }), |member| member["user"].clone());
    let member_id = ids::object_id();
    let member = json!({
        "_id": member_id,
        "_userId": user_id,
        "user": user,
        "roles": ["admin"],
        "memberStatus": "active",
        "_organizationId": organization_id,
    });
    transaction.execute(
        "INSERT INTO members (id, organization_id, doc) VALUES (?1, ?2, ?3)",
        params![member_id, organization_id, member.to_string()],
    )?;
    // Their keys are made here and shown to nobody, as Novu's are to an API-key caller.
    let keys = [ids::api_key(), ids::api_key()];
    let user = user_id.as_str().unwrap_or_default();
    let environments =
        create_environments(transaction, &organization_id, user, [&keys[0], &keys[1]])?;
    super::environments::seed_development(
        transaction,
        &Caller {
            organization_id: organization_id.clone(),
            environment_id: environments[0].clone(),
        },
    )?;
    for environment_id in environments {
        let environment = Caller {
            organization_id: organization_id.clone(),
            environment_id,
        };
        integrations::create_novu_integrations(transaction, &environment, credentials)?;
    }
    Ok(organization)
}

/// Removes a member other than the caller's user and answers it.
pub(crate) fn remove_member(
    transaction: &Transaction,
    caller: &Caller,
    member_id: &str,
) -> Outcome<Value> {
    let member = find_member(transaction, caller, member_id)?
        .ok_or_else(|| Failure::not_found("Member not found"))?;
    if member["_userId"] == super::creator_id(transaction, caller)? {
        return Err(Failure::bad_request("Cannot remove self from members"));
    }
    transaction.execute("DELETE FROM members WHERE id = ?1", [member_id])?;
    Ok(member)
}

/// Sets the member's roles to `[role]`. The contract admits `admin` only (the router refuses
/// anything else); Novu fails with a 500 on `member`, which no conforming server may answer.
pub(crate) fn update_member_role(
    transaction: &Transaction,
    caller: &Caller,
    member_id: &str,
    role: &str,
) -> Outcome<Value> {
    let mut member = find_member(transaction, caller, member_id)?
        .ok_or_else(|| Failure::not_found("No member was found"))?;
    member["roles"] = json!([role]);
    transaction.execute(
        "UPDATE members SET doc = ?2 WHERE id = ?1",
        params![member_id, member.to_string()],
    )?;
    Ok(member)
}

fn find_member(
    transaction: &Transaction,
    caller: &Caller,
    member_id: &str,
) -> Outcome<Option<Value>> {
    first_document(
        transaction,
        "SELECT doc FROM members WHERE id = ?1 AND organization_id = ?2",
        params![member_id, caller.organization_id],
    )
}

fn save(transaction: &Transaction, caller: &Caller, mut organization: Value) -> Outcome<()> {
    organization["updatedAt"] = json!(ids::now());
    transaction.execute(
        "UPDATE organizations SET doc = ?2 WHERE id = ?1",
        params![caller.organization_id, organization.to_string()],
    )?;
    Ok(())
}
