//! Integration choice: which integration carries a channel step's message, as Novu selects it
//! (a named one, the newest active one, or the first whose `conditions` pass for the tenant).

use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::conditions;
use super::state::Run;
use crate::failure::Outcome;
use crate::store::documents;

impl Run<'_> {
    /// Novu's integration selection: the newest active integration of the channel (only
    /// `primary` ones for email and sms), replaced by the first one whose `conditions` pass
    /// with the trigger's tenant.
    pub(super) fn integration(
        &self,
        transaction: &Transaction,
        channel: &str,
    ) -> Outcome<Option<Value>> {
        // A trigger can name the integration (`overrides.<channel>.integrationIdentifier`):
        // then that one, from any environment of the organization, and no conditions.
        if let Some(identifier) = self.overrides[channel]["integrationIdentifier"].as_str() {
            let named = documents(
                transaction,
                "SELECT doc FROM integrations WHERE organization_id = ?1 AND identifier = ?2 AND active = 1 AND deleted = 0",
                params![self.caller.organization_id, identifier],
            )?;
            return Ok(named
                .into_iter()
                .find(|integration| integration["channel"] == channel));
        }
        let active: Vec<Value> = documents(
            transaction,
            "SELECT doc FROM integrations WHERE environment_id = ?1 AND active = 1 AND deleted = 0 ORDER BY rowid",
            [&self.caller.environment_id],
        )?
        .into_iter()
        .filter(|integration| integration["channel"] == channel)
        .collect();
        let needs_primary = channel == "email" || channel == "sms";
        let default = active
            .iter()
            .filter(|integration| !needs_primary || integration["primary"] == json!(true))
            .max_by(|left, right| {
                let left = left["createdAt"].as_str().unwrap_or_default();
                let right = right["createdAt"].as_str().unwrap_or_default();
                left.cmp(right)
            })
            .cloned();
        let Some(tenant) = self.tenant else {
            return Ok(default);
        };
        // Integration conditions see the tenant only.
        let variables = conditions::Variables {
            tenant: Some(tenant.clone()),
            ..conditions::Variables::default()
        };
        for integration in &active {
            let conditions = integration["conditions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !conditions.is_empty()
                && conditions::evaluate(&conditions, &variables, &integration_world()).outcome
                    == conditions::Outcome::Pass
            {
                return Ok(Some(integration.clone()));
            }
        }
        Ok(default)
    }
}

/// The evaluator's view of the world for integration conditions: the real clock, no earlier
/// steps, and no webhook (integrations do not keep a part's `webhookUrl`, so Novu's call has
/// nowhere to go and the condition errors).
fn integration_world() -> conditions::Hooks<'static> {
    conditions::Hooks {
        now: chrono::Utc::now(),
        previous_step: &|_| None,
        call_webhook: &|_| Err("integration conditions keep no webhook url".to_owned()),
    }
}
