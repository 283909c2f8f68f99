//! Cases ported from Novu's `organization/e2e/` (the key's organization: reading it, renaming
//! it, its branding; creating another) and `environments-v1/` (the key's environment and its
//! API keys).
//!
//! Novu's tests change a fresh organization; here the organization is the API key's, so a
//! case that renames it or changes its branding puts back what it found. The values Novu's
//! session knows (the organization's and environment's ids, names and logo) are read over the
//! API first.
//!
//! No operation deletes an organization, so the creation cases play only where the run allows
//! objects that last (`--allow-lasting-objects`), under the run's prefix. The key keeps
//! belonging to its own organization: of the new one it reads what the creation answers and
//! that it is among its user's organizations, not the new organization's environments,
//! members or integrations, nor the user's job title.

use serde_json::{Value, json};

use super::{Feature, Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const MINE: &str = "organization/e2e/get-my-organization.e2e.ts";
const RENAME: &str = "organization/e2e/rename-organization.e2e.ts";
const BRANDING: &str = "organization/e2e/update-branding-details.e2e.ts";
const CREATE: &str = "organization/e2e/create-organization.e2e.ts";
const API_KEYS: &str = "environments-v1/e2e/get-api-keys.e2e.ts";
const ENVIRONMENT: &str = "environments-v1/usecases/get-environment/get-environment.e2e.ts";

/// What Novu puts before an encrypted API key (`NOVU_ENCRYPTION_SUB_MASK`): a key answered
/// with it was not decrypted.
const ENCRYPTED_KEY_MARK: &str = "nvsk.";

/// The logo Novu's branding tests send, ending in `.{extension}`.
fn logo(extension: &str) -> String {
    logo_at("https", extension)
}

/// The same logo, reached through `scheme`.
fn logo_at(scheme: &str, extension: &str) -> String {
    format!("{scheme}://s3.us-east-1.amazonaws.com/novu-app-bucket/2/1/3.{extension}")
}

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(
        MINE,
        "should return the correct organization",
        "organizations_retrieve_current",
        |t| Box::pin(my_organization(t)),
    ),
    Ported::new(
        RENAME,
        "should rename the organization",
        "organizations_rename",
        |t| Box::pin(rename(t, "Liberty Powers", false)),
    ),
    Ported::new(
        BRANDING,
        "should update organization name only",
        "organizations_rename",
        |t| Box::pin(rename(t, "New Name", true)),
    ),
    Ported::new(
        BRANDING,
        "should update the branding details",
        "organization_branding_update",
        |t| Box::pin(update_branding(t)),
    ),
    Ported::new(
        BRANDING,
        "logo should be an https protocol",
        "organization_branding_update",
        |t| Box::pin(refuse_logos(t, &[("http", "png")])),
    ),
    Ported::new(
        BRANDING,
        "should update if logo is a valid image URL with ${extension} extension",
        "organization_branding_update",
        |t| Box::pin(accept_logos(t)),
    ),
    Ported::new(
        BRANDING,
        "should fail to update if logo is a valid image URL with ${extension} extension",
        "organization_branding_update",
        |t| Box::pin(refuse_logos(t, &[("https", "exe"), ("https", "zip")])),
    ),
    Ported::new(
        CREATE,
        "should add the user as admin",
        "organizations_create",
        |t| Box::pin(created_for_the_user(t)),
    )
    .leaves_lasting_objects(),
    Ported::new(
        CREATE,
        "should create organization with correct name",
        "organizations_create",
        |t| Box::pin(created_answers(t, "Hello Org", json!({}), json!({}))),
    )
    .leaves_lasting_objects(),
    Ported::new(
        CREATE,
        "should not create organization with no name",
        "organizations_create",
        |t| Box::pin(create_without_name(t)),
    ),
    Ported::new(
        CREATE,
        "should create organization with apiServiceLevel of free by default",
        "organizations_create",
        |t| {
            Box::pin(created_answers(
                t,
                "Free Org",
                json!({}),
                json!({ "apiServiceLevel": "free" }),
            ))
        },
    )
    .leaves_lasting_objects(),
    Ported::new(
        CREATE,
        "should create organization with questionnaire data",
        "organizations_create",
        |t| {
            Box::pin(created_answers(
                t,
                "Org Name",
                json!({ "domain": "org.com" }),
                json!({ "domain": "org.com" }),
            ))
        },
    )
    .leaves_lasting_objects(),
    Ported::new(
        CREATE,
        "should update user job title on organization creation",
        "organizations_create",
        |t| {
            Box::pin(created_answers(
                t,
                "Org Name",
                json!({ "jobTitle": "product_manager" }),
                json!({}),
            ))
        },
    )
    .leaves_lasting_objects(),
    Ported::new(
        CREATE,
        "should create organization with built in Novu integrations and set them as primary",
        "organizations_create",
        |t| Box::pin(created_answers(t, "Org Name", json!({}), json!({}))),
    )
    .leaves_lasting_objects(),
    Ported::new(
        CREATE,
        "when Novu Email credentials are not set it should not create Novu Email integration",
        "organizations_create",
        |t| Box::pin(created_answers(t, "Org Name", json!({}), json!({}))),
    )
    .needs(Feature::WithoutNovuProvider("email"))
    .leaves_lasting_objects(),
    Ported::new(
        CREATE,
        "when Novu SMS credentials are not set it should not create Novu SMS integration",
        "organizations_create",
        |t| Box::pin(created_answers(t, "Org Name", json!({}), json!({}))),
    )
    .needs(Feature::WithoutNovuProvider("sms"))
    .leaves_lasting_objects(),
    Ported::new(
        API_KEYS,
        "should get environment api keys correctly",
        "environment_api_keys_list",
        |t| Box::pin(api_keys(t)),
    ),
    Ported::new(
        ENVIRONMENT,
        "should return correct environment to user",
        "environments_retrieve_current",
        |t| Box::pin(current_environment(t)),
    ),
];

/// The key's organization, read as a set-up step.
async fn organization(trial: &Trial<'_>) -> Result<Value, Stop> {
    trial
        .setup(
            "the key's organization is readable",
            "organizations_retrieve_current",
            &[],
            None,
        )
        .await
}

/// Puts the organization's name back to `name` at the end.
fn restore_name(trial: &Trial<'_>, name: &Value) {
    trial.created_with("organizations_rename", &[], Some(json!({ "name": name })));
}

/// Puts the organization's branding back to `branding` at the end (what it had of the fields
/// an update takes; a field it did not have stays as the case left it).
fn restore_branding(trial: &Trial<'_>, branding: &Value) {
    let fields = [
        "logo",
        "color",
        "fontColor",
        "contentBackground",
        "fontFamily",
    ];
    let kept: serde_json::Map<String, Value> = fields
        .iter()
        .filter_map(|field| {
            let value = branding.get(*field).filter(|value| value.is_string())?;
            Some(((*field).to_owned(), value.clone()))
        })
        .collect();
    trial.created_with(
        "organization_branding_update",
        &[],
        Some(Value::Object(kept)),
    );
}

async fn my_organization(trial: &Trial<'_>) -> Result<(), Stop> {
    let (_, organization_id) = trial.environment().await?;
    let reply = trial
        .call("organizations_retrieve_current", &[], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    trial.equal(&reply, "data._id", &reply.data()["_id"], organization_id)
}

/// Renames the organization to `name`: the organization reads back with it (and, when
/// `same_logo`, its logo untouched).
async fn rename(trial: &Trial<'_>, name: &str, same_logo: bool) -> Result<(), Stop> {
    let before = organization(trial).await?;
    restore_name(trial, &before["name"]);
    let renamed = trial
        .call(
            "organizations_rename",
            &[],
            &[],
            Some(json!({ "name": name })),
        )
        .await?;
    trial.status(&renamed, 200)?;
    let reply = trial
        .call("organizations_retrieve_current", &[], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    trial.equal(&reply, "data.name", &reply.data()["name"], name)?;
    if !same_logo {
        return Ok(());
    }
    trial.equal(
        &reply,
        "data.logo",
        &reply.data()["logo"],
        before["logo"].clone(),
    )
}

async fn update_branding(trial: &Trial<'_>) -> Result<(), Stop> {
    let before = organization(trial).await?;
    restore_branding(trial, &before["branding"]);
    let payload = json!({
        "color": "#fefefe",
        "fontColor": "#f4f4f4",
        "contentBackground": "#fefefe",
        "fontFamily": "Nunito",
        "logo": logo("png"),
    });
    let updated = trial
        .call(
            "organization_branding_update",
            &[],
            &[],
            Some(payload.clone()),
        )
        .await?;
    trial.status(&updated, 200)?;
    let reply = trial
        .call("organizations_retrieve_current", &[], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    let branding = &reply.data()["branding"];
    for field in [
        "color",
        "logo",
        "fontColor",
        "fontFamily",
        "contentBackground",
    ] {
        trial.equal(
            &reply,
            &format!("data.branding.{field}"),
            &branding[field],
            payload[field].clone(),
        )?;
    }
    Ok(())
}

/// Every logo of `logos` (a scheme and an extension) is refused with a 400.
async fn refuse_logos(trial: &Trial<'_>, logos: &[(&str, &str)]) -> Result<(), Stop> {
    let before = organization(trial).await?;
    restore_branding(trial, &before["branding"]);
    for (scheme, extension) in logos {
        let reply = branding_logo(trial, &logo_at(scheme, extension)).await?;
        trial.status(&reply, 400)?;
    }
    Ok(())
}

/// A logo ending in each image extension Novu names is accepted (Novu's test is one `it` per
/// extension).
async fn accept_logos(trial: &Trial<'_>) -> Result<(), Stop> {
    let before = organization(trial).await?;
    restore_branding(trial, &before["branding"]);
    for extension in ["png", "jpg", "jpeg", "gif", "svg"] {
        let reply = branding_logo(trial, &logo(extension)).await?;
        trial.status(&reply, 200)?;
    }
    Ok(())
}

async fn branding_logo(trial: &Trial<'_>, logo: &str) -> Result<Reply, Stop> {
    trial
        .call(
            "organization_branding_update",
            &[],
            &[],
            Some(json!({ "logo": logo })),
        )
        .await
}

/// Creates an organization named `label` under the run's prefix, with the fields of `extra`:
/// a 201 whose `data` is the organization.
async fn create_organization(trial: &Trial<'_>, label: &str, extra: Value) -> Result<Reply, Stop> {
    let mut body = json!({ "name": trial.name(label) });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let reply = trial
        .call("organizations_create", &[], &[], Some(body))
        .await?;
    trial.status(&reply, 201)?;
    Ok(reply)
}

/// The organization created as `label` (with `extra`) is answered with its name and the
/// fields of `expected`. What else Novu's tests read of it (its environments' integrations,
/// the user's job title) belongs to another organization or to the user, which the key
/// cannot read.
async fn created_answers(
    trial: &Trial<'_>,
    label: &str,
    extra: Value,
    expected: Value,
) -> Result<(), Stop> {
    let reply = create_organization(trial, label, extra).await?;
    let data = reply.data();
    trial.equal(&reply, "data.name", &data["name"], trial.name(label))?;
    for (field, value) in expected.as_object().into_iter().flatten() {
        trial.equal(
            &reply,
            &format!("data.{field}"),
            &data[field],
            value.clone(),
        )?;
    }
    Ok(())
}

/// Novu reads the new organization's one member, the session's user, as admin; the key sees
/// the user's organizations, among which the new one now is (an active member's).
async fn created_for_the_user(trial: &Trial<'_>) -> Result<(), Stop> {
    let created = create_organization(trial, "Test Org 2", json!({})).await?;
    let id = created.data()["_id"].clone();
    let reply = trial.call("organizations_list", &[], &[], None).await?;
    trial.status(&reply, 200)?;
    trial.holds(
        &reply,
        &format!("the organization created ({id}) is among the key's user's"),
        id.is_string()
            && items(reply.data())
                .iter()
                .any(|organization| organization["_id"] == id),
    )
}

async fn create_without_name(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = trial
        .call("organizations_create", &[], &[], Some(json!({})))
        .await?;
    trial.status(&reply, 400)
}

/// Novu's test first creates a second environment (a JWT-only operation), which does not
/// change the keys listed; the key's owner, which Novu's session knows, is one of the
/// organization's members here.
async fn api_keys(trial: &Trial<'_>) -> Result<(), Stop> {
    let members = trial
        .setup(
            "the organization's members are listed",
            "organization_members_list",
            &[],
            None,
        )
        .await?;
    let reply = trial
        .call("environment_api_keys_list", &[], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    let first = &reply.data()[0];
    let key = first["key"].as_str().unwrap_or_default();
    trial.holds(
        &reply,
        &format!("data[0].key is decrypted (does not contain `{ENCRYPTED_KEY_MARK}`)"),
        !key.is_empty() && !key.contains(ENCRYPTED_KEY_MARK),
    )?;
    let owner = &first["_userId"];
    let is_member = items(&members)
        .iter()
        .any(|member| member["_userId"] == *owner);
    trial.holds(
        &reply,
        &format!("data[0]._userId ({owner}) is the key owner's, a member of the organization"),
        owner.is_string() && is_member,
    )
}

/// What Novu's session knows of its environment is read from the environments list here.
async fn current_environment(trial: &Trial<'_>) -> Result<(), Stop> {
    let (environment_id, _) = trial.environment().await?;
    let organization_id = organization(trial).await?["_id"].clone();
    let listed = trial
        .setup(
            "the environments are listed",
            "environments_list",
            &[],
            None,
        )
        .await?;
    let known = items(&listed)
        .iter()
        .find(|environment| environment["_id"] == environment_id.as_str())
        .cloned()
        .unwrap_or_default();
    let reply = trial
        .call("environments_retrieve_current", &[], &[], None)
        .await?;
    trial.status(&reply, 200)?;
    let data = reply.data();
    trial.equal(&reply, "data.name", &data["name"], known["name"].clone())?;
    trial.equal(
        &reply,
        "data._organizationId",
        &data["_organizationId"],
        organization_id,
    )?;
    trial.equal(
        &reply,
        "data.identifier",
        &data["identifier"],
        known["identifier"].clone(),
    )
}
