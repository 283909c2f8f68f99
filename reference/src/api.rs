//! The `NovuApi` implementation: decodes nothing (the generated router already did), runs each
//! operation in one store transaction, and picks the documented response variant.

use std::collections::HashMap;
use std::sync::RwLock;

use novu_server::types;
use novu_server::*;
use rusqlite::Transaction;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::domain::subscribers::Mode;
use crate::domain::{
    Caller, activity, changes, chat_oauth, environments, events, feeds, integrations, layouts,
    messages, organizations, preferences, subscribers, tenants, topics, workflow_groups,
    workflow_overrides, workflows,
};
use crate::engine::Waker;
use crate::failure::{Failure, Outcome, Status};
use crate::ids;
use crate::store::{Store, typed};

/// The API over one store.
pub(crate) struct ReferenceApi {
    store: Store,
    /// Told about the due times triggers store, once they are committed.
    scheduler: Waker,
    /// The environment behind each API key already seen. Keys only change when a server
    /// starts (the bootstrap), so a key found once stays valid for this server's life.
    callers: RwLock<HashMap<String, Caller>>,
}

impl ReferenceApi {
    pub fn new(store: Store, scheduler: Waker) -> Self {
        Self {
            store,
            scheduler,
            callers: RwLock::default(),
        }
    }

    /// The body of a committed trigger, after telling the scheduler when its jobs are due.
    fn scheduled(&self, (body, earliest_due): (Value, Option<i64>)) -> Value {
        if let Some(due) = earliest_due {
            self.scheduler.scheduled(due);
        }
        body
    }

    /// Runs one operation for `caller` in its own transaction.
    async fn run<T, F>(&self, caller: Caller, work: F) -> Outcome<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction, &Caller) -> Outcome<T> + Send + 'static,
    {
        self.store
            .transaction(move |transaction| work(transaction, &caller))
            .await
    }

    /// Runs one operation that only reads, for `caller`, on a read-only connection.
    async fn read<T, F>(&self, caller: Caller, work: F) -> Outcome<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction, &Caller) -> Outcome<T> + Send + 'static,
    {
        self.store
            .read(move |transaction| work(transaction, &caller))
            .await
    }
}

/// A document wrapped in Novu's `{"data": …}` envelope, as the generated type `T`.
fn envelope<T: DeserializeOwned>(outcome: Outcome<Value>) -> Outcome<T> {
    outcome.and_then(|value| typed(json!({ "data": value })))
}

/// A document sent as it is (the paginated lists), as the generated type `T`.
fn page<T: DeserializeOwned>(outcome: Outcome<Value>) -> Outcome<T> {
    outcome.and_then(typed)
}

/// A typed request body as JSON, the form the resource code works on.
fn json_body(body: &impl serde::Serialize) -> Outcome<Value> {
    Ok(serde_json::to_value(body)?)
}

/// The server's own root URL as the request reached it, for links back to it.
fn api_root_url(context: &RequestContext) -> String {
    let host = context
        .headers
        .get(axum::http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// A string or a list of strings (ids given either way) as a list.
fn string_list(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The documented error variant of `$response` for a [`Failure`]; a status the operation does
/// not document becomes a 500.
macro_rules! failure_response {
    ($context:expr, $failure:expr, $response:ident $(, $variant:ident)*) => {{
        let failure: Failure = $failure;
        let path = &$context.path_and_query;
        #[allow(unreachable_patterns)]
        match failure.status {
            $(Status::$variant => $response::$variant(failure.body(path)),)*
            Status::InternalServerError => $response::InternalServerError(failure.body(path)),
            _ => $response::InternalServerError(failure.undocumented().body(path)),
        }
    }};
}

/// Answers an outcome with the success variant (`Ok(_)`, `Created(_)`, or a bodiless
/// `NoContent`) or the documented error variants listed after it.
macro_rules! answer {
    ($context:expr, $outcome:expr, $response:ident::$success:ident(_) $(, $variant:ident)*) => {
        match $outcome {
            Ok(value) => $response::$success(value),
            Err(failure) => failure_response!($context, failure, $response $(, $variant)*),
        }
    };
    ($context:expr, $outcome:expr, $response:ident::$success:ident $(, $variant:ident)*) => {
        match $outcome {
            Ok(()) => $response::$success,
            Err(failure) => failure_response!($context, failure, $response $(, $variant)*),
        }
    };
}

impl NovuApi for ReferenceApi {
    type Caller = Caller;

    async fn authenticate(&self, api_key: &str) -> Result<Caller, AuthError> {
        let known = self
            .callers
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(api_key)
            .cloned();
        if let Some(caller) = known {
            return Ok(caller);
        }
        let hash = ids::key_hash(api_key);
        let found = self
            .store
            .read(move |transaction| environments::caller_for_key(transaction, &hash))
            .await;
        match found {
            Ok(Some(caller)) => {
                self.callers
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(api_key.to_owned(), caller.clone());
                Ok(caller)
            }
            _ => Err(AuthError::new("API Key not found")),
        }
    }

    // Subscribers

    async fn subscribers_list(
        &self,
        request: SubscribersListRequest<Caller>,
    ) -> SubscribersListResponse {
        let SubscribersListQuery {
            page: number,
            limit,
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                subscribers::list(transaction, caller, number, limit)
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            SubscribersListResponse::Ok(_),
            BadRequest
        )
    }

    async fn subscribers_create(
        &self,
        request: SubscribersCreateRequest<Caller>,
    ) -> SubscribersCreateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                subscribers::create(transaction, caller, json_body(&body)?)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscribersCreateResponse::Created(_),
            BadRequest
        )
    }

    async fn subscribers_create_bulk(
        &self,
        request: SubscribersCreateBulkRequest<Caller>,
    ) -> SubscribersCreateBulkResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                subscribers::create_bulk(transaction, caller, json_body(&body)?)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscribersCreateBulkResponse::Created(_),
            BadRequest
        )
    }

    async fn subscribers_get(
        &self,
        request: SubscribersGetRequest<Caller>,
    ) -> SubscribersGetResponse {
        let subscriber_id = request.path.subscriber_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                subscribers::get(transaction, caller, &subscriber_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscribersGetResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn subscribers_update(
        &self,
        request: SubscribersUpdateRequest<Caller>,
    ) -> SubscribersUpdateResponse {
        let subscriber_id = request.path.subscriber_id;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                subscribers::update(transaction, caller, &subscriber_id, json_body(&body)?)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscribersUpdateResponse::Ok(_),
            BadRequest
        )
    }

    async fn subscribers_delete(
        &self,
        request: SubscribersDeleteRequest<Caller>,
    ) -> SubscribersDeleteResponse {
        let subscriber_id = request.path.subscriber_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                subscribers::delete(transaction, caller, &subscriber_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscribersDeleteResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn subscriber_credentials_update(
        &self,
        request: SubscriberCredentialsUpdateRequest<Caller>,
    ) -> SubscriberCredentialsUpdateResponse {
        let subscriber_id = request.path.subscriber_id;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                subscribers::update_credentials(
                    transaction,
                    caller,
                    &subscriber_id,
                    json_body(&body)?,
                    Mode::Replace,
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberCredentialsUpdateResponse::Ok(_),
            BadRequest
        )
    }

    async fn subscriber_credentials_append(
        &self,
        request: SubscriberCredentialsAppendRequest<Caller>,
    ) -> SubscriberCredentialsAppendResponse {
        let subscriber_id = request.path.subscriber_id;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                subscribers::update_credentials(
                    transaction,
                    caller,
                    &subscriber_id,
                    json_body(&body)?,
                    Mode::Append,
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberCredentialsAppendResponse::Ok(_),
            BadRequest
        )
    }

    async fn subscriber_credentials_delete(
        &self,
        request: SubscriberCredentialsDeleteRequest<Caller>,
    ) -> SubscriberCredentialsDeleteResponse {
        let SubscriberCredentialsDeletePath {
            subscriber_id,
            provider_id,
        } = request.path;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                subscribers::delete_credentials(transaction, caller, &subscriber_id, &provider_id)
            })
            .await;
        answer!(
            request.context,
            outcome,
            SubscriberCredentialsDeleteResponse::NoContent,
            BadRequest,
            NotFound
        )
    }

    async fn subscriber_online_status_update(
        &self,
        request: SubscriberOnlineStatusUpdateRequest<Caller>,
    ) -> SubscriberOnlineStatusUpdateResponse {
        let subscriber_id = request.path.subscriber_id;
        let is_online = request.body.is_online;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                subscribers::update_online_status(transaction, caller, &subscriber_id, is_online)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberOnlineStatusUpdateResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    // Topics

    async fn topics_list(&self, request: TopicsListRequest<Caller>) -> TopicsListResponse {
        let TopicsListQuery {
            page: number,
            page_size,
            key,
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                topics::list(transaction, caller, number, page_size, key.as_deref())
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            TopicsListResponse::Ok(_),
            BadRequest
        )
    }

    async fn topics_create(&self, request: TopicsCreateRequest<Caller>) -> TopicsCreateResponse {
        let types::CreateTopicRequest { key, name } = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                topics::create(transaction, caller, &key, &name)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            TopicsCreateResponse::Created(_),
            BadRequest,
            Conflict
        )
    }

    async fn topics_get(&self, request: TopicsGetRequest<Caller>) -> TopicsGetResponse {
        let key = request.path.topic_key;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                topics::get(transaction, caller, &key)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            TopicsGetResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn topics_delete(&self, request: TopicsDeleteRequest<Caller>) -> TopicsDeleteResponse {
        let key = request.path.topic_key;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                topics::delete(transaction, caller, &key)
            })
            .await;
        answer!(
            request.context,
            outcome,
            TopicsDeleteResponse::NoContent,
            BadRequest,
            NotFound,
            Conflict
        )
    }

    async fn topics_rename(&self, request: TopicsRenameRequest<Caller>) -> TopicsRenameResponse {
        let key = request.path.topic_key;
        let name = request.body.name;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                topics::rename(transaction, caller, &key, &name)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            TopicsRenameResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn topic_subscribers_add(
        &self,
        request: TopicSubscribersAddRequest<Caller>,
    ) -> TopicSubscribersAddResponse {
        let key = request.path.topic_key;
        let subscriber_ids = request.body.subscribers;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                topics::add_subscribers(transaction, caller, &key, &subscriber_ids)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            TopicSubscribersAddResponse::Ok(_),
            BadRequest
        )
    }

    async fn topic_subscribers_remove(
        &self,
        request: TopicSubscribersRemoveRequest<Caller>,
    ) -> TopicSubscribersRemoveResponse {
        let key = request.path.topic_key;
        let subscriber_ids = request.body.subscribers;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                topics::remove_subscribers(transaction, caller, &key, &subscriber_ids)
            })
            .await;
        answer!(
            request.context,
            outcome,
            TopicSubscribersRemoveResponse::NoContent,
            BadRequest
        )
    }

    async fn topic_subscribers_get(
        &self,
        request: TopicSubscribersGetRequest<Caller>,
    ) -> TopicSubscribersGetResponse {
        let TopicSubscribersGetPath {
            topic_key,
            external_subscriber_id,
        } = request.path;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                topics::get_subscriber(transaction, caller, &topic_key, &external_subscriber_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            TopicSubscribersGetResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    // Tenants

    async fn tenants_list(&self, request: TenantsListRequest<Caller>) -> TenantsListResponse {
        let TenantsListQuery {
            page: number,
            limit,
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                tenants::list(transaction, caller, number, limit)
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            TenantsListResponse::Ok(_),
            BadRequest
        )
    }

    async fn tenants_create(&self, request: TenantsCreateRequest<Caller>) -> TenantsCreateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                tenants::create(transaction, caller, json_body(&body)?)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            TenantsCreateResponse::Created(_),
            BadRequest,
            Conflict
        )
    }

    async fn tenants_get(&self, request: TenantsGetRequest<Caller>) -> TenantsGetResponse {
        let identifier = request.path.identifier;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                tenants::get(transaction, caller, &identifier)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            TenantsGetResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn tenants_update(&self, request: TenantsUpdateRequest<Caller>) -> TenantsUpdateResponse {
        let identifier = request.path.identifier;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                tenants::update(transaction, caller, &identifier, json_body(&body)?)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            TenantsUpdateResponse::Ok(_),
            BadRequest,
            NotFound,
            Conflict
        )
    }

    async fn tenants_delete(&self, request: TenantsDeleteRequest<Caller>) -> TenantsDeleteResponse {
        let identifier = request.path.identifier;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                tenants::delete(transaction, caller, &identifier)
            })
            .await;
        answer!(
            request.context,
            outcome,
            TenantsDeleteResponse::NoContent,
            BadRequest,
            NotFound
        )
    }

    // Feeds

    async fn feeds_list(&self, request: FeedsListRequest<Caller>) -> FeedsListResponse {
        let outcome = self.read(request.caller, feeds::list).await;
        answer!(request.context, envelope(outcome), FeedsListResponse::Ok(_))
    }

    async fn feeds_create(&self, request: FeedsCreateRequest<Caller>) -> FeedsCreateResponse {
        let name = request.body.name;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                feeds::create(transaction, caller, &name)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            FeedsCreateResponse::Created(_),
            BadRequest,
            Conflict
        )
    }

    async fn feeds_delete(&self, request: FeedsDeleteRequest<Caller>) -> FeedsDeleteResponse {
        let feed_id = request.path.feed_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                feeds::delete(transaction, caller, &feed_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            FeedsDeleteResponse::Ok(_),
            BadRequest
        )
    }

    // Workflow groups

    async fn workflow_groups_list(
        &self,
        request: WorkflowGroupsListRequest<Caller>,
    ) -> WorkflowGroupsListResponse {
        let outcome = self.read(request.caller, workflow_groups::list).await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowGroupsListResponse::Ok(_)
        )
    }

    async fn workflow_groups_create(
        &self,
        request: WorkflowGroupsCreateRequest<Caller>,
    ) -> WorkflowGroupsCreateResponse {
        let name = request.body.name;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_groups::create(transaction, caller, &name)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowGroupsCreateResponse::Created(_),
            BadRequest
        )
    }

    async fn workflow_groups_retrieve(
        &self,
        request: WorkflowGroupsRetrieveRequest<Caller>,
    ) -> WorkflowGroupsRetrieveResponse {
        let id = request.path.id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflow_groups::get(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowGroupsRetrieveResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn workflow_groups_update(
        &self,
        request: WorkflowGroupsUpdateRequest<Caller>,
    ) -> WorkflowGroupsUpdateResponse {
        let id = request.path.id;
        let name = request.body.name;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_groups::update(transaction, caller, &id, &name)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowGroupsUpdateResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn workflow_groups_delete(
        &self,
        request: WorkflowGroupsDeleteRequest<Caller>,
    ) -> WorkflowGroupsDeleteResponse {
        let id = request.path.id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_groups::delete(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowGroupsDeleteResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    // Environments

    async fn environments_list(
        &self,
        request: EnvironmentsListRequest<Caller>,
    ) -> EnvironmentsListResponse {
        let outcome = self.read(request.caller, environments::list).await;
        answer!(
            request.context,
            envelope(outcome),
            EnvironmentsListResponse::Ok(_)
        )
    }

    async fn environment_api_keys_list(
        &self,
        request: EnvironmentApiKeysListRequest<Caller>,
    ) -> EnvironmentApiKeysListResponse {
        let outcome = self.read(request.caller, environments::api_keys).await;
        answer!(
            request.context,
            envelope(outcome),
            EnvironmentApiKeysListResponse::Ok(_)
        )
    }

    async fn environments_retrieve_current(
        &self,
        request: EnvironmentsRetrieveCurrentRequest<Caller>,
    ) -> EnvironmentsRetrieveCurrentResponse {
        let outcome = self.read(request.caller, environments::current).await;
        answer!(
            request.context,
            envelope(outcome),
            EnvironmentsRetrieveCurrentResponse::Ok(_)
        )
    }

    // Organizations

    async fn organizations_list(
        &self,
        request: OrganizationsListRequest<Caller>,
    ) -> OrganizationsListResponse {
        let outcome = self.read(request.caller, organizations::list).await;
        answer!(
            request.context,
            envelope(outcome),
            OrganizationsListResponse::Ok(_)
        )
    }

    async fn organizations_retrieve_current(
        &self,
        request: OrganizationsRetrieveCurrentRequest<Caller>,
    ) -> OrganizationsRetrieveCurrentResponse {
        let outcome = self.read(request.caller, organizations::current).await;
        answer!(
            request.context,
            envelope(outcome),
            OrganizationsRetrieveCurrentResponse::Ok(_)
        )
    }

    async fn organizations_rename(
        &self,
        request: OrganizationsRenameRequest<Caller>,
    ) -> OrganizationsRenameResponse {
        let name = request.body.name;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                organizations::rename(transaction, caller, &name)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            OrganizationsRenameResponse::Ok(_),
            BadRequest
        )
    }

    async fn organization_branding_update(
        &self,
        request: OrganizationBrandingUpdateRequest<Caller>,
    ) -> OrganizationBrandingUpdateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                organizations::update_branding(transaction, caller, json_body(&body)?)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            OrganizationBrandingUpdateResponse::Ok(_),
            BadRequest
        )
    }

    async fn organization_members_list(
        &self,
        request: OrganizationMembersListRequest<Caller>,
    ) -> OrganizationMembersListResponse {
        let outcome = self.read(request.caller, organizations::members).await;
        answer!(
            request.context,
            envelope(outcome),
            OrganizationMembersListResponse::Ok(_)
        )
    }

    // Integrations

    async fn integrations_list(
        &self,
        request: IntegrationsListRequest<Caller>,
    ) -> IntegrationsListResponse {
        let outcome = self.read(request.caller, integrations::list).await;
        answer!(
            request.context,
            envelope(outcome),
            IntegrationsListResponse::Ok(_)
        )
    }

    async fn integrations_create(
        &self,
        request: IntegrationsCreateRequest<Caller>,
    ) -> IntegrationsCreateResponse {
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                integrations::create(transaction, caller, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            IntegrationsCreateResponse::Created(_),
            BadRequest,
            Conflict
        )
    }

    async fn integrations_list_active(
        &self,
        request: IntegrationsListActiveRequest<Caller>,
    ) -> IntegrationsListActiveResponse {
        let outcome = self.read(request.caller, integrations::list_active).await;
        answer!(
            request.context,
            envelope(outcome),
            IntegrationsListActiveResponse::Ok(_)
        )
    }

    async fn integration_webhook_status_retrieve(
        &self,
        request: IntegrationWebhookStatusRetrieveRequest<Caller>,
    ) -> IntegrationWebhookStatusRetrieveResponse {
        let id = request.path.provider_or_integration_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                integrations::webhook_status(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            IntegrationWebhookStatusRetrieveResponse::Ok(_),
            BadRequest
        )
    }

    async fn integrations_update(
        &self,
        request: IntegrationsUpdateRequest<Caller>,
    ) -> IntegrationsUpdateResponse {
        let id = request.path.integration_id;
        // The raw body, because `conditions: []` (clear them) and a missing `conditions` read
        // the same in the typed body.
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                integrations::update(transaction, caller, &id, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            IntegrationsUpdateResponse::Ok(_),
            BadRequest,
            NotFound,
            Conflict
        )
    }

    async fn integrations_delete(
        &self,
        request: IntegrationsDeleteRequest<Caller>,
    ) -> IntegrationsDeleteResponse {
        let id = request.path.integration_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                integrations::delete(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            IntegrationsDeleteResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn integrations_set_primary(
        &self,
        request: IntegrationsSetPrimaryRequest<Caller>,
    ) -> IntegrationsSetPrimaryResponse {
        let id = request.path.integration_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                integrations::set_primary(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            IntegrationsSetPrimaryResponse::Created(_),
            BadRequest,
            NotFound
        )
    }

    // Layouts

    async fn layouts_list(&self, request: LayoutsListRequest<Caller>) -> LayoutsListResponse {
        let LayoutsListQuery {
            page: number,
            page_size,
            order_by,
            ..
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                layouts::list(transaction, caller, number, page_size, order_by)
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            LayoutsListResponse::Ok(_),
            BadRequest
        )
    }

    async fn layouts_create(&self, request: LayoutsCreateRequest<Caller>) -> LayoutsCreateResponse {
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                layouts::create(transaction, caller, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            LayoutsCreateResponse::Created(_),
            BadRequest,
            Conflict
        )
    }

    async fn layouts_retrieve(
        &self,
        request: LayoutsRetrieveRequest<Caller>,
    ) -> LayoutsRetrieveResponse {
        let id = request.path.layout_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                layouts::get(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            LayoutsRetrieveResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn layouts_delete(&self, request: LayoutsDeleteRequest<Caller>) -> LayoutsDeleteResponse {
        let id = request.path.layout_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                layouts::delete(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            outcome,
            LayoutsDeleteResponse::NoContent,
            BadRequest,
            NotFound,
            Conflict
        )
    }

    async fn layouts_update(&self, request: LayoutsUpdateRequest<Caller>) -> LayoutsUpdateResponse {
        let id = request.path.layout_id;
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                layouts::update(transaction, caller, &id, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            LayoutsUpdateResponse::Ok(_),
            BadRequest,
            NotFound,
            Conflict
        )
    }

    async fn layouts_set_default(
        &self,
        request: LayoutsSetDefaultRequest<Caller>,
    ) -> LayoutsSetDefaultResponse {
        let id = request.path.layout_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                layouts::set_default(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            outcome,
            LayoutsSetDefaultResponse::NoContent,
            BadRequest,
            NotFound
        )
    }

    // Workflows

    async fn workflows_list(&self, request: WorkflowsListRequest<Caller>) -> WorkflowsListResponse {
        let WorkflowsListQuery {
            page: number,
            limit,
            query,
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflows::list(transaction, caller, number, limit, query.as_deref())
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            WorkflowsListResponse::Ok(_),
            BadRequest
        )
    }

    async fn workflows_create(
        &self,
        request: WorkflowsCreateRequest<Caller>,
    ) -> WorkflowsCreateResponse {
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::create(transaction, caller, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowsCreateResponse::Created(_),
            Unauthorized,
            BadRequest
        )
    }

    async fn workflows_retrieve(
        &self,
        request: WorkflowsRetrieveRequest<Caller>,
    ) -> WorkflowsRetrieveResponse {
        let id = request.path.workflow_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflows::get(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowsRetrieveResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn workflows_update(
        &self,
        request: WorkflowsUpdateRequest<Caller>,
    ) -> WorkflowsUpdateResponse {
        let id = request.path.workflow_id.to_string();
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::update(transaction, caller, &id, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowsUpdateResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn workflows_delete(
        &self,
        request: WorkflowsDeleteRequest<Caller>,
    ) -> WorkflowsDeleteResponse {
        let id = request.path.workflow_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::delete(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowsDeleteResponse::Ok(_),
            Unauthorized,
            BadRequest
        )
    }

    async fn workflow_status_update(
        &self,
        request: WorkflowStatusUpdateRequest<Caller>,
    ) -> WorkflowStatusUpdateResponse {
        let id = request.path.workflow_id.to_string();
        let active = request.body.active;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::update_status(transaction, caller, &id, active)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowStatusUpdateResponse::Ok(_),
            Unauthorized,
            BadRequest,
            NotFound
        )
    }

    async fn workflow_variables_retrieve(
        &self,
        request: WorkflowVariablesRetrieveRequest<Caller>,
    ) -> WorkflowVariablesRetrieveResponse {
        let outcome = self.read(request.caller, workflows::variables).await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowVariablesRetrieveResponse::Ok(_)
        )
    }

    // Notification templates: the deprecated name of the same workflows

    async fn notification_templates_list(
        &self,
        request: NotificationTemplatesListRequest<Caller>,
    ) -> NotificationTemplatesListResponse {
        let NotificationTemplatesListQuery {
            page: number,
            limit,
            query,
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflows::list(transaction, caller, number, limit, query.as_deref())
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            NotificationTemplatesListResponse::Ok(_),
            BadRequest
        )
    }

    async fn notification_templates_create(
        &self,
        request: NotificationTemplatesCreateRequest<Caller>,
    ) -> NotificationTemplatesCreateResponse {
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::create(transaction, caller, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            NotificationTemplatesCreateResponse::Created(_),
            Unauthorized,
            BadRequest
        )
    }

    async fn notification_templates_retrieve(
        &self,
        request: NotificationTemplatesRetrieveRequest<Caller>,
    ) -> NotificationTemplatesRetrieveResponse {
        let id = request.path.template_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflows::get(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            NotificationTemplatesRetrieveResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn notification_templates_update(
        &self,
        request: NotificationTemplatesUpdateRequest<Caller>,
    ) -> NotificationTemplatesUpdateResponse {
        let id = request.path.template_id.to_string();
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::update(transaction, caller, &id, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            NotificationTemplatesUpdateResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn notification_templates_delete(
        &self,
        request: NotificationTemplatesDeleteRequest<Caller>,
    ) -> NotificationTemplatesDeleteResponse {
        let id = request.path.template_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::delete(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            NotificationTemplatesDeleteResponse::Ok(_),
            Unauthorized,
            BadRequest
        )
    }

    async fn notification_template_status_update(
        &self,
        request: NotificationTemplateStatusUpdateRequest<Caller>,
    ) -> NotificationTemplateStatusUpdateResponse {
        let id = request.path.template_id.to_string();
        let active = request.body.active;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::update_status(transaction, caller, &id, active)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            NotificationTemplateStatusUpdateResponse::Ok(_),
            Unauthorized,
            BadRequest,
            NotFound
        )
    }

    // Workflow overrides

    async fn workflow_overrides_list(
        &self,
        request: WorkflowOverridesListRequest<Caller>,
    ) -> WorkflowOverridesListResponse {
        let WorkflowOverridesListQuery {
            page: number,
            limit,
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflow_overrides::list(transaction, caller, number, limit)
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            WorkflowOverridesListResponse::Ok(_),
            Unauthorized,
            BadRequest
        )
    }

    async fn workflow_overrides_create(
        &self,
        request: WorkflowOverridesCreateRequest<Caller>,
    ) -> WorkflowOverridesCreateResponse {
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_overrides::create(transaction, caller, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowOverridesCreateResponse::Created(_),
            Unauthorized,
            BadRequest,
            NotFound
        )
    }

    async fn workflow_overrides_retrieve_by_tenant(
        &self,
        request: WorkflowOverridesRetrieveByTenantRequest<Caller>,
    ) -> WorkflowOverridesRetrieveByTenantResponse {
        let workflow_id = request.path.workflow_id.to_string();
        let tenant_id = request.path.tenant_id.to_string();
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflow_overrides::get_by_tenant(transaction, caller, &workflow_id, &tenant_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowOverridesRetrieveByTenantResponse::Ok(_),
            Unauthorized,
            BadRequest,
            NotFound
        )
    }

    async fn workflow_overrides_update_by_tenant(
        &self,
        request: WorkflowOverridesUpdateByTenantRequest<Caller>,
    ) -> WorkflowOverridesUpdateByTenantResponse {
        let workflow_id = request.path.workflow_id.to_string();
        let tenant_id = request.path.tenant_id.to_string();
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_overrides::update_by_tenant(
                    transaction,
                    caller,
                    &workflow_id,
                    &tenant_id,
                    body,
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowOverridesUpdateByTenantResponse::Ok(_),
            Unauthorized,
            BadRequest,
            NotFound
        )
    }

    async fn workflow_overrides_retrieve(
        &self,
        request: WorkflowOverridesRetrieveRequest<Caller>,
    ) -> WorkflowOverridesRetrieveResponse {
        let id = request.path.override_id.to_string();
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflow_overrides::get(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowOverridesRetrieveResponse::Ok(_),
            Unauthorized,
            BadRequest,
            NotFound
        )
    }

    async fn workflow_overrides_update(
        &self,
        request: WorkflowOverridesUpdateRequest<Caller>,
    ) -> WorkflowOverridesUpdateResponse {
        let id = request.path.override_id.to_string();
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_overrides::update(transaction, caller, &id, body)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowOverridesUpdateResponse::Ok(_),
            Unauthorized,
            BadRequest,
            NotFound
        )
    }

    async fn workflow_overrides_delete(
        &self,
        request: WorkflowOverridesDeleteRequest<Caller>,
    ) -> WorkflowOverridesDeleteResponse {
        let id = request.path.override_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_overrides::delete(transaction, caller, &id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            WorkflowOverridesDeleteResponse::Ok(_),
            Unauthorized,
            BadRequest,
            NotFound
        )
    }

    // Subscriber preferences

    async fn subscriber_preferences_list(
        &self,
        request: SubscriberPreferencesListRequest<Caller>,
    ) -> SubscriberPreferencesListResponse {
        let subscriber_id = request.path.subscriber_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                preferences::list(transaction, caller, &subscriber_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberPreferencesListResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn subscriber_preferences_get_by_level(
        &self,
        request: SubscriberPreferencesGetByLevelRequest<Caller>,
    ) -> SubscriberPreferencesGetByLevelResponse {
        let SubscriberPreferencesGetByLevelPath {
            subscriber_id,
            parameter,
        } = request.path;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                preferences::by_level(transaction, caller, &subscriber_id, &parameter)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberPreferencesGetByLevelResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn subscriber_preferences_update(
        &self,
        request: SubscriberPreferencesUpdateRequest<Caller>,
    ) -> SubscriberPreferencesUpdateResponse {
        let subscriber_id = request.path.subscriber_id;
        let workflow_id = request.path.parameter.to_string();
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                preferences::update(
                    transaction,
                    caller,
                    &subscriber_id,
                    &workflow_id,
                    &json_body(&body)?,
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberPreferencesUpdateResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn subscriber_preferences_update_global(
        &self,
        request: SubscriberPreferencesUpdateGlobalRequest<Caller>,
    ) -> SubscriberPreferencesUpdateGlobalResponse {
        let subscriber_id = request.path.subscriber_id;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                preferences::update_global(transaction, caller, &subscriber_id, &json_body(&body)?)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberPreferencesUpdateGlobalResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    // Changes

    async fn changes_list(&self, request: ChangesListRequest<Caller>) -> ChangesListResponse {
        let ChangesListQuery {
            page: number,
            limit,
            promoted,
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                changes::list(transaction, caller, number, limit, &promoted)
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            ChangesListResponse::Ok(_),
            BadRequest
        )
    }

    async fn changes_count(&self, request: ChangesCountRequest<Caller>) -> ChangesCountResponse {
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                changes::count(transaction, caller)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            ChangesCountResponse::Ok(_)
        )
    }

    async fn changes_apply(&self, request: ChangesApplyRequest<Caller>) -> ChangesApplyResponse {
        let change_id = request.path.change_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                changes::apply(transaction, caller, &change_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            ChangesApplyResponse::Created(_),
            BadRequest,
            NotFound
        )
    }

    async fn changes_apply_bulk(
        &self,
        request: ChangesApplyBulkRequest<Caller>,
    ) -> ChangesApplyBulkResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                changes::apply_bulk(transaction, caller, &json_body(&body)?)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            ChangesApplyBulkResponse::Created(_),
            BadRequest
        )
    }

    // Organizations (the rest)

    async fn organizations_create(
        &self,
        request: OrganizationsCreateRequest<Caller>,
    ) -> OrganizationsCreateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                organizations::create(transaction, caller, &json_body(&body)?)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            OrganizationsCreateResponse::Created(_),
            BadRequest
        )
    }

    async fn organization_members_delete(
        &self,
        request: OrganizationMembersDeleteRequest<Caller>,
    ) -> OrganizationMembersDeleteResponse {
        let member_id = request.path.member_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                organizations::remove_member(transaction, caller, &member_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            OrganizationMembersDeleteResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn organization_member_roles_update(
        &self,
        request: OrganizationMemberRolesUpdateRequest<Caller>,
    ) -> OrganizationMemberRolesUpdateResponse {
        let member_id = request.path.member_id.to_string();
        let role = json_body(&request.body.role);
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                let role = role?;
                organizations::update_member_role(
                    transaction,
                    caller,
                    &member_id,
                    role.as_str().unwrap_or_default(),
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            OrganizationMemberRolesUpdateResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    // The public chat OAuth endpoints: no caller, the environment comes from the query.

    async fn subscriber_chat_oauth(
        &self,
        request: SubscriberChatOauthRequest,
    ) -> SubscriberChatOauthResponse {
        let target = chat_oauth::OauthTarget {
            environment_id: request.query.environment_id.to_string(),
            subscriber_id: request.path.subscriber_id,
            provider_id: request.path.provider_id,
            hmac_hash: request.query.hmac_hash,
            integration_identifier: request.query.integration_identifier,
        };
        let api_root_url = api_root_url(&request.context);
        let outcome = self
            .store
            .read(move |transaction| chat_oauth::authorize_url(transaction, &target, &api_root_url))
            .await;
        match outcome {
            Ok(location) => SubscriberChatOauthResponse::Found {
                location: Some(location),
            },
            Err(failure) => {
                failure_response!(
                    request.context,
                    failure,
                    SubscriberChatOauthResponse,
                    BadRequest
                )
            }
        }
    }

    async fn subscriber_chat_oauth_callback(
        &self,
        request: SubscriberChatOauthCallbackRequest,
    ) -> SubscriberChatOauthCallbackResponse {
        let target = chat_oauth::OauthTarget {
            environment_id: request.query.environment_id.to_string(),
            subscriber_id: request.path.subscriber_id,
            provider_id: request.path.provider_id,
            hmac_hash: request.query.hmac_hash,
            integration_identifier: request.query.integration_identifier,
        };
        let code = request.query.code;
        let outcome = self
            .store
            .transaction(move |transaction| chat_oauth::callback(transaction, &target, &code))
            .await;
        answer!(
            request.context,
            outcome,
            SubscriberChatOauthCallbackResponse::Ok(_),
            BadRequest
        )
    }

    // Not implemented yet.

    // Events

    async fn events_trigger(&self, request: EventsTriggerRequest<Caller>) -> EventsTriggerResponse {
        // The body as sent: the typed one cannot tell a left-out `actor` or `tenant` from null.
        let event = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                let triggered = events::trigger(
                    transaction,
                    caller,
                    &event,
                    events::Audience::To(&event["to"]),
                )?;
                Ok((triggered.body, triggered.earliest_due))
            })
            .await
            .map(|triggered| self.scheduled(triggered));
        answer!(
            request.context,
            envelope(outcome),
            EventsTriggerResponse::Created(_),
            BadRequest,
            UnprocessableEntity
        )
    }

    async fn events_trigger_bulk(
        &self,
        request: EventsTriggerBulkRequest<Caller>,
    ) -> EventsTriggerBulkResponse {
        // The body as sent: a left-out `payload` is an error here, an empty one is not.
        let body = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                events::trigger_bulk(transaction, caller, &body)
            })
            .await
            .map(|triggered| self.scheduled(triggered));
        answer!(
            request.context,
            envelope(outcome),
            EventsTriggerBulkResponse::Created(_),
            BadRequest
        )
    }

    async fn events_broadcast(
        &self,
        request: EventsBroadcastRequest<Caller>,
    ) -> EventsBroadcastResponse {
        let event = request.context.raw_body.clone();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                events::broadcast(transaction, caller, event)
            })
            .await
            .map(|triggered| self.scheduled(triggered));
        answer!(
            request.context,
            envelope(outcome),
            EventsBroadcastResponse::Created(_),
            BadRequest
        )
    }

    async fn events_cancel(&self, request: EventsCancelRequest<Caller>) -> EventsCancelResponse {
        let transaction_id = request.path.transaction_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                Ok(json!(events::cancel(transaction, caller, &transaction_id)?))
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            EventsCancelResponse::Ok(_),
            BadRequest
        )
    }

    // The subscriber's inbox

    async fn subscriber_notifications_feed(
        &self,
        request: SubscriberNotificationsFeedRequest<Caller>,
    ) -> SubscriberNotificationsFeedResponse {
        let subscriber_id = request.path.subscriber_id;
        let query = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                messages::feed(
                    transaction,
                    caller,
                    &subscriber_id,
                    messages::FeedQuery {
                        page: query.page,
                        limit: query.limit,
                        feed_identifiers: query.feed_identifier,
                        read: query.read,
                        seen: query.seen,
                        payload: query.payload,
                    },
                )
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            SubscriberNotificationsFeedResponse::Ok(_),
            BadRequest
        )
    }

    async fn subscriber_notifications_unseen_count(
        &self,
        request: SubscriberNotificationsUnseenCountRequest<Caller>,
    ) -> SubscriberNotificationsUnseenCountResponse {
        let subscriber_id = request.path.subscriber_id;
        let query = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                messages::unseen_count(
                    transaction,
                    caller,
                    &subscriber_id,
                    query.feed_identifier.as_deref(),
                    query.seen,
                    query.limit,
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberNotificationsUnseenCountResponse::Ok(_),
            BadRequest
        )
    }

    async fn subscriber_messages_mark_as(
        &self,
        request: SubscriberMessagesMarkAsRequest<Caller>,
    ) -> SubscriberMessagesMarkAsResponse {
        let subscriber_id = request.path.subscriber_id;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                let body = json_body(&body)?;
                let mark_as = body["markAs"].as_str().unwrap_or_default();
                messages::mark_as(
                    transaction,
                    caller,
                    &subscriber_id,
                    string_list(&body["messageId"]),
                    mark_as,
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberMessagesMarkAsResponse::Created(_),
            BadRequest
        )
    }

    async fn subscriber_messages_mark_all(
        &self,
        request: SubscriberMessagesMarkAllRequest<Caller>,
    ) -> SubscriberMessagesMarkAllResponse {
        let subscriber_id = request.path.subscriber_id;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                let body = json_body(&body)?;
                let feeds = (!body["feedIdentifier"].is_null())
                    .then(|| string_list(&body["feedIdentifier"]));
                let count = messages::mark_all(
                    transaction,
                    caller,
                    &subscriber_id,
                    feeds,
                    body["markAs"].as_str().unwrap_or_default(),
                )?;
                Ok(json!(count))
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberMessagesMarkAllResponse::Created(_),
            BadRequest,
            NotFound
        )
    }

    async fn subscriber_message_action_update(
        &self,
        request: SubscriberMessageActionUpdateRequest<Caller>,
    ) -> SubscriberMessageActionUpdateResponse {
        let path = request.path;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                messages::update_action(
                    transaction,
                    caller,
                    &path.subscriber_id,
                    &path.message_id,
                    &path.r#type,
                    &body.status,
                    Value::Object(body.payload),
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberMessageActionUpdateResponse::Created(_),
            BadRequest,
            NotFound
        )
    }

    async fn subscriber_messages_mark_as_legacy(
        &self,
        request: SubscriberMessagesMarkAsLegacyRequest<Caller>,
    ) -> SubscriberMessagesMarkAsLegacyResponse {
        let subscriber_id = request.path.subscriber_id;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                let body = json_body(&body)?;
                messages::mark_legacy(
                    transaction,
                    caller,
                    &subscriber_id,
                    string_list(&body["messageId"]),
                    &body["mark"],
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            SubscriberMessagesMarkAsLegacyResponse::Created(_),
            BadRequest
        )
    }

    // Messages

    async fn messages_list(&self, request: MessagesListRequest<Caller>) -> MessagesListResponse {
        let query = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                messages::list(
                    transaction,
                    caller,
                    messages::ListQuery {
                        channel: query.channel,
                        subscriber_id: query.subscriber_id,
                        transaction_ids: query.transaction_id,
                        page: query.page,
                        limit: query.limit,
                    },
                )
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            MessagesListResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn messages_delete(
        &self,
        request: MessagesDeleteRequest<Caller>,
    ) -> MessagesDeleteResponse {
        let message_id = request.path.message_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                messages::delete(transaction, caller, &message_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            MessagesDeleteResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }

    async fn messages_delete_by_transaction(
        &self,
        request: MessagesDeleteByTransactionRequest<Caller>,
    ) -> MessagesDeleteByTransactionResponse {
        let transaction_id = request.path.transaction_id;
        let channel = request.query.channel.map(|channel| channel.to_string());
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                messages::delete_by_transaction(
                    transaction,
                    caller,
                    &transaction_id,
                    channel.as_deref(),
                )
            })
            .await;
        answer!(
            request.context,
            outcome,
            MessagesDeleteByTransactionResponse::NoContent,
            BadRequest,
            NotFound
        )
    }

    // Activity

    async fn notifications_list(
        &self,
        request: NotificationsListRequest<Caller>,
    ) -> NotificationsListResponse {
        let query = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                activity::list(
                    transaction,
                    caller,
                    activity::ListQuery {
                        channels: query
                            .channels
                            .map(|channels| channels.iter().map(ToString::to_string).collect()),
                        templates: query
                            .templates
                            .map(|templates| templates.iter().map(|id| id.to_string()).collect()),
                        emails: query.emails,
                        subscriber_ids: query.subscriber_ids,
                        transaction_id: query.transaction_id,
                        page: query.page,
                    },
                )
            })
            .await;
        answer!(
            request.context,
            page(outcome),
            NotificationsListResponse::Ok(_),
            BadRequest
        )
    }

    async fn notifications_stats(
        &self,
        request: NotificationsStatsRequest<Caller>,
    ) -> NotificationsStatsResponse {
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                activity::stats(transaction, caller)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            NotificationsStatsResponse::Ok(_)
        )
    }

    async fn notifications_graph_stats(
        &self,
        request: NotificationsGraphStatsRequest<Caller>,
    ) -> NotificationsGraphStatsResponse {
        let days = request.query.days;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                activity::graph_stats(transaction, caller, days)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            NotificationsGraphStatsResponse::Ok(_),
            BadRequest
        )
    }

    async fn notifications_get(
        &self,
        request: NotificationsGetRequest<Caller>,
    ) -> NotificationsGetResponse {
        let notification_id = request.path.notification_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                activity::get(transaction, caller, &notification_id)
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            NotificationsGetResponse::Ok(_),
            BadRequest
        )
    }

    async fn execution_details_list(
        &self,
        request: ExecutionDetailsListRequest<Caller>,
    ) -> ExecutionDetailsListResponse {
        let query = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                activity::execution_details(
                    transaction,
                    caller,
                    &query.notification_id,
                    &query.subscriber_id,
                )
            })
            .await;
        answer!(
            request.context,
            envelope(outcome),
            ExecutionDetailsListResponse::Ok(_),
            BadRequest,
            NotFound
        )
    }
}
