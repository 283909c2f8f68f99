//! What the deployment under test offers that a case may need, asked once per run before the
//! cases play: the tenants API, a Production key beside the run's, the credentials of Novu's
//! own email and SMS providers.

use crate::run::{Exchange, Run};

/// Whether a server holds the credentials of Novu's own provider of a channel, as a probe
/// found ([`novu_provider_held`]).
#[derive(Clone)]
enum NovuCredentials {
    Held,
    /// Missing: the server refused the provider, with this reason.
    Missing(String),
    /// Unknown: the server answered something else, described here.
    Unknown(String),
}

/// What a run learnt of Novu's own providers, per channel: each is probed once per run.
#[derive(Default)]
pub(super) struct NovuProbes {
    found: Vec<(&'static str, NovuCredentials)>,
}

impl NovuProbes {
    async fn of(&mut self, run: &Run, channel: &'static str) -> NovuCredentials {
        if let Some((_, known)) = self.found.iter().find(|(seen, _)| *seen == channel) {
            return known.clone();
        }
        let found = novu_provider_held(run, channel).await;
        self.found.push((channel, found.clone()));
        found
    }

    /// Why a case needing Novu's own providers of `channels` is skipped, if it is.
    pub(super) async fn skip_needing(
        &mut self,
        run: &Run,
        channels: &[&'static str],
    ) -> Option<String> {
        for channel in channels {
            match self.of(run, channel).await {
                NovuCredentials::Held => {}
                NovuCredentials::Missing(why) | NovuCredentials::Unknown(why) => return Some(why),
            }
        }
        None
    }

    /// Why a case replaying a server without the credentials of `channel` is skipped, if it is.
    pub(super) async fn skip_without(
        &mut self,
        run: &Run,
        channel: &'static str,
    ) -> Option<String> {
        match self.of(run, channel).await {
            NovuCredentials::Held => Some(format!(
                "it replays a server without the credentials of Novu's own {channel} provider; \
                 this one holds them (it lets the environment create novu-{channel} integrations)"
            )),
            NovuCredentials::Missing(_) => None,
            NovuCredentials::Unknown(why) => Some(why),
        }
    }
}

/// Whether the server holds the credentials of Novu's own provider of `channel`: it is asked
/// to create an inactive `novu-<channel>` integration in the key's environment, which it
/// refuses with 400 (`... is not allowed`) without them, and creates (deleted at once) or
/// answers 409 (the environment has one) with them.
async fn novu_provider_held(run: &Run, channel: &str) -> NovuCredentials {
    let provider = format!("novu-{channel}");
    let (Some(create), Some(delete)) = (
        run.spec.operation("integrations_create"),
        run.spec.operation("integrations_delete"),
    ) else {
        return NovuCredentials::Unknown(
            "the contract has no integrations_create or integrations_delete".to_owned(),
        );
    };
    let no_query: &[(&str, &str)] = &[];
    let body = serde_json::json!({
        "name": format!("{}novu-probe", run.generator.prefix()),
        "identifier": format!("{}novu-probe-{channel}", run.generator.prefix()),
        "providerId": provider, "channel": channel, "active": false, "check": false,
    });
    let request = crate::transport::Request::to(create, &[], no_query, Some(body));
    let reply = run.quietly(request).await;
    let answer = reply.json().unwrap_or_default();
    let message = answer["message"].as_str().unwrap_or_default();
    match reply.status() {
        Some(201) => {
            if let Some(id) = answer["data"]["_id"].as_str() {
                let path = [("integrationId", id)];
                let request = crate::transport::Request::to(delete, &path, no_query, None);
                run.quietly(request).await;
            }
            NovuCredentials::Held
        }
        Some(409) => NovuCredentials::Held,
        Some(400) if message.ends_with("is not allowed") => NovuCredentials::Missing(format!(
            "the server holds no credentials of Novu's own {channel} provider: it refuses \
             {provider} integrations (400 `{message}`)"
        )),
        status => NovuCredentials::Unknown(format!(
            "whether the server holds the credentials of Novu's own {channel} provider is \
             unknown: creating a {provider} integration was answered {}",
            status.map_or_else(|| "with nothing".to_owned(), |status| status.to_string())
        )),
    }
}

/// Whether the server answers the tenants list with 405, as Novu does with workflows in code.
pub(super) async fn tenants_are_off(run: &Run) -> bool {
    let Some(operation) = run.spec.operation("tenants_list") else {
        return true;
    };
    let no_query: &[(&str, &str)] = &[];
    let request = crate::transport::Request::to(operation, &[], no_query, None);
    run.quietly(request).await.status() == Some(405)
}

/// Whether the run's second key belongs to the environment whose parent is the first key's,
/// as Novu's Production environment is the child of its Development one.
pub(super) async fn second_key_is_production(run: &Run) -> bool {
    let (Some(second), Some(operation)) = (
        &run.second,
        run.spec.operation("environments_retrieve_current"),
    ) else {
        return false;
    };
    let no_query: &[(&str, &str)] = &[];
    let request = || crate::transport::Request::to(operation, &[], no_query, None);
    let first = run.quietly(request()).await.json().unwrap_or_default();
    let second = Exchange::quietly(second, request())
        .await
        .json()
        .unwrap_or_default();
    first["data"]["_id"].is_string() && second["data"]["_parentId"] == first["data"]["_id"]
}
