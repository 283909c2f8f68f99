//! The `isolation` check: two API keys of the same server, each of its own environment
//! (`--api-key` and `--second-api-key`), never reach each other's data.
//!
//! For every resource kind the run can make, one key (the owner) makes an item, and the other
//! key then reads it (a 404, or the 400 the contract documents for an unknown subscriber or
//! feed), walks its own lists (the item is absent), writes to it (update, delete, the
//! sub-resources: refused the same way) and makes an item of the same external id, key or
//! identifier (allowed: an upsert creates in the other environment); after every write the
//! owner reads its item back and finds it exactly as before. Then the keys swap roles. Novu
//! refuses workflow creation, deletion and status changes and every workflow-override
//! operation to a key of an environment other than Development (`RootEnvironmentGuard`, 401):
//! for those a 401 is as good as a 404, and a kind the owner cannot make is not probed in that
//! direction. Integrations are not probed: Novu scopes them to the organization by design (a
//! key may address another environment's integration by id, and both lists show every
//! environment's integrations).
//! Each key deletes what it made.

mod configuration;
mod probe;
mod subscribers;
mod workflows;

use std::sync::Arc;

use super::check::{Check, Phase, ReadOnly, Task, not_applicable};
use crate::contract::Operation;
use crate::run::Run;
use probe::{Probe, Side};

/// `isolation`.
pub const ISOLATION: &str = "isolation";

/// `isolation`.
pub struct Isolation;

/// Every operation the check sends.
const OPERATIONS: &[&str] = &[
    "subscribers_list",
    "subscribers_create",
    "subscribers_get",
    "subscribers_update",
    "subscribers_delete",
    "subscriber_credentials_update",
    "subscriber_credentials_append",
    "subscriber_credentials_delete",
    "subscriber_online_status_update",
    "subscriber_preferences_list",
    "subscriber_preferences_update_global",
    "subscriber_preferences_get_by_level",
    "subscriber_notifications_feed",
    "subscriber_notifications_unseen_count",
    "subscriber_messages_mark_as",
    "subscriber_messages_mark_all",
    "subscriber_message_action_update",
    "topics_list",
    "topics_create",
    "topics_get",
    "topics_delete",
    "topics_rename",
    "topic_subscribers_add",
    "topic_subscribers_remove",
    "topic_subscribers_get",
    "notifications_list",
    "notifications_get",
    "messages_list",
    "messages_delete",
    "messages_delete_by_transaction",
    "events_trigger",
    "feeds_list",
    "feeds_create",
    "feeds_delete",
    "tenants_list",
    "tenants_create",
    "tenants_get",
    "tenants_delete",
    "tenants_update",
    "workflows_list",
    "workflows_create",
    "workflows_retrieve",
    "workflows_update",
    "workflows_delete",
    "workflow_status_update",
    "notification_templates_list",
    "notification_templates_retrieve",
    "workflow_overrides_list",
    "workflow_overrides_create",
    "workflow_overrides_retrieve",
    "workflow_overrides_update",
    "workflow_overrides_delete",
    "workflow_overrides_retrieve_by_tenant",
    "workflow_overrides_update_by_tenant",
    "workflow_groups_list",
    "workflow_groups_create",
    "workflow_groups_retrieve",
    "workflow_groups_delete",
    "workflow_groups_update",
    "layouts_list",
    "layouts_create",
    "layouts_retrieve",
    "layouts_delete",
    "layouts_update",
    "layouts_set_default",
];

/// Why the check did not run without a second key.
const NO_SECOND_KEY: &str =
    "not applicable: no --second-api-key (the key of another environment of the same server)";

impl Check for Isolation {
    fn name(&self) -> &'static str {
        ISOLATION
    }

    fn description(&self) -> &'static str {
        "with --second-api-key (another environment's key of the same server): what one key makes, the other cannot read (404), list, update or delete, and its own writes of the same ids never change it; both ways"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    fn phase(&self) -> Phase {
        // Its lists span the environments; what the concurrent checks write would only make
        // them longer, but the walks are cheaper once those are done.
        Phase::Alone
    }

    fn covers(&self, operation: &Operation) -> bool {
        OPERATIONS.contains(&operation.operation_id.as_str())
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            if run.read_only {
                return;
            }
            let Some(second) = run.second.clone() else {
                not_applicable(run, self, NO_SECOND_KEY);
                return;
            };
            let first = Side {
                http: run.http.clone(),
                label: "the first key (--api-key)",
            };
            let second = Side {
                http: second,
                label: "the second key (--second-api-key)",
            };
            let directions = [(&first, &second), (&second, &first)];
            for (index, (owner, other)) in directions.into_iter().enumerate() {
                let probe = Probe {
                    run,
                    owner,
                    other,
                    prefix: format!("{}iso{}-", run.generator.prefix(), index + 1),
                };
                every_kind(&probe).await;
            }
            let covered: Vec<String> = run
                .selected
                .iter()
                .filter(|operation| self.covers(operation))
                .map(|operation| operation.operation_id.clone())
                .collect();
            run.progress_line(ISOLATION, "(environments)", &covered);
        })
    }
}

/// Probes every kind whose create operation is selected.
async fn every_kind(probe: &Probe<'_>) {
    let chosen = |create: &str| probe.run.is_selected(create);
    if chosen("subscribers_create") {
        subscribers::subscribers(probe).await;
    }
    if chosen("topics_create") {
        subscribers::topics(probe).await;
    }
    if chosen("tenants_create") {
        configuration::tenants(probe).await;
    }
    if chosen("layouts_create") {
        configuration::layouts(probe).await;
    }
    if chosen("workflow_groups_create") {
        configuration::workflow_groups(probe).await;
    }
    if chosen("feeds_create") {
        configuration::feeds(probe).await;
    }
    if chosen("workflows_create") {
        workflows::workflows(probe).await;
    }
}
