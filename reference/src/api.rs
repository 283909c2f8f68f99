//! The `NovuApi` implementation: decodes nothing (the generated router already did), runs each
//! operation in one store transaction, and picks the documented response variant.

use novu_server::types;
use novu_server::*;
use rusqlite::{OptionalExtension, Transaction};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::failure::{Failure, Outcome, Status};
use crate::ids;
use crate::resources::subscribers::Mode;
use crate::resources::{
    Caller, environments, feeds, organizations, subscribers, tenants, topics, workflow_groups,
};
use crate::store::{Store, typed};

/// The API over one store.
pub(crate) struct ReferenceApi {
    store: Store,
}

impl ReferenceApi {
    pub fn new(store: Store) -> Self {
        Self { store }
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

/// Operations still to be written answer the documented 500 with an honest message.
macro_rules! not_implemented {
    ($($operation:ident($request:ident) -> $response:ident;)*) => {
        $(
            async fn $operation(&self, request: $request<Caller>) -> $response {
                $response::InternalServerError(
                    Failure::not_implemented().body(&request.context.path_and_query),
                )
            }
        )*
    };
}

impl NovuApi for ReferenceApi {
    type Caller = Caller;

    async fn authenticate(&self, api_key: &str) -> Result<Caller, AuthError> {
        let hash = ids::key_hash(api_key);
        let found = self
            .store
            .transaction(move |transaction| {
                Ok(transaction
                    .query_row(
                        "SELECT id, organization_id FROM environments WHERE api_key_hash = ?1",
                        [hash],
                        |row| {
                            Ok(Caller {
                                environment_id: row.get(0)?,
                                organization_id: row.get(1)?,
                            })
                        },
                    )
                    .optional()?)
            })
            .await;
        match found {
            Ok(Some(caller)) => Ok(caller),
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
            .run(request.caller, move |transaction, caller| {
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
            .run(request.caller, move |transaction, caller| {
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
            .run(request.caller, move |transaction, caller| {
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
            .run(request.caller, move |transaction, caller| {
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
            .run(request.caller, move |transaction, caller| {
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
            .run(request.caller, move |transaction, caller| {
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
            .run(request.caller, move |transaction, caller| {
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
        let outcome = self.run(request.caller, feeds::list).await;
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
        let outcome = self.run(request.caller, workflow_groups::list).await;
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
            .run(request.caller, move |transaction, caller| {
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
        let outcome = self.run(request.caller, environments::list).await;
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
        let outcome = self.run(request.caller, environments::api_keys).await;
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
        let outcome = self.run(request.caller, environments::current).await;
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
        let outcome = self.run(request.caller, organizations::list).await;
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
        let outcome = self.run(request.caller, organizations::current).await;
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
        let outcome = self.run(request.caller, organizations::members).await;
        answer!(
            request.context,
            envelope(outcome),
            OrganizationMembersListResponse::Ok(_)
        )
    }

    // Not implemented yet: the public chat OAuth endpoints, then every operation below.

    async fn subscriber_chat_oauth(
        &self,
        request: SubscriberChatOauthRequest,
    ) -> SubscriberChatOauthResponse {
        SubscriberChatOauthResponse::InternalServerError(
            Failure::not_implemented().body(&request.context.path_and_query),
        )
    }

    async fn subscriber_chat_oauth_callback(
        &self,
        request: SubscriberChatOauthCallbackRequest,
    ) -> SubscriberChatOauthCallbackResponse {
        SubscriberChatOauthCallbackResponse::InternalServerError(
            Failure::not_implemented().body(&request.context.path_and_query),
        )
    }

    not_implemented! {
        changes_list(ChangesListRequest) -> ChangesListResponse;
        changes_apply_bulk(ChangesApplyBulkRequest) -> ChangesApplyBulkResponse;
        changes_count(ChangesCountRequest) -> ChangesCountResponse;
        changes_apply(ChangesApplyRequest) -> ChangesApplyResponse;
        events_trigger(EventsTriggerRequest) -> EventsTriggerResponse;
        events_broadcast(EventsBroadcastRequest) -> EventsBroadcastResponse;
        events_trigger_bulk(EventsTriggerBulkRequest) -> EventsTriggerBulkResponse;
        events_cancel(EventsCancelRequest) -> EventsCancelResponse;
        execution_details_list(ExecutionDetailsListRequest) -> ExecutionDetailsListResponse;
        integrations_list(IntegrationsListRequest) -> IntegrationsListResponse;
        integrations_create(IntegrationsCreateRequest) -> IntegrationsCreateResponse;
        integrations_list_active(IntegrationsListActiveRequest) -> IntegrationsListActiveResponse;
        integration_webhook_status_retrieve(IntegrationWebhookStatusRetrieveRequest) -> IntegrationWebhookStatusRetrieveResponse;
        integrations_update(IntegrationsUpdateRequest) -> IntegrationsUpdateResponse;
        integrations_delete(IntegrationsDeleteRequest) -> IntegrationsDeleteResponse;
        integrations_set_primary(IntegrationsSetPrimaryRequest) -> IntegrationsSetPrimaryResponse;
        layouts_list(LayoutsListRequest) -> LayoutsListResponse;
        layouts_create(LayoutsCreateRequest) -> LayoutsCreateResponse;
        layouts_retrieve(LayoutsRetrieveRequest) -> LayoutsRetrieveResponse;
        layouts_delete(LayoutsDeleteRequest) -> LayoutsDeleteResponse;
        layouts_update(LayoutsUpdateRequest) -> LayoutsUpdateResponse;
        layouts_set_default(LayoutsSetDefaultRequest) -> LayoutsSetDefaultResponse;
        messages_list(MessagesListRequest) -> MessagesListResponse;
        messages_delete_by_transaction(MessagesDeleteByTransactionRequest) -> MessagesDeleteByTransactionResponse;
        messages_delete(MessagesDeleteRequest) -> MessagesDeleteResponse;
        notification_templates_list(NotificationTemplatesListRequest) -> NotificationTemplatesListResponse;
        notification_templates_create(NotificationTemplatesCreateRequest) -> NotificationTemplatesCreateResponse;
        notification_templates_retrieve(NotificationTemplatesRetrieveRequest) -> NotificationTemplatesRetrieveResponse;
        notification_templates_update(NotificationTemplatesUpdateRequest) -> NotificationTemplatesUpdateResponse;
        notification_templates_delete(NotificationTemplatesDeleteRequest) -> NotificationTemplatesDeleteResponse;
        notification_template_status_update(NotificationTemplateStatusUpdateRequest) -> NotificationTemplateStatusUpdateResponse;
        notifications_list(NotificationsListRequest) -> NotificationsListResponse;
        notifications_graph_stats(NotificationsGraphStatsRequest) -> NotificationsGraphStatsResponse;
        notifications_stats(NotificationsStatsRequest) -> NotificationsStatsResponse;
        notifications_get(NotificationsGetRequest) -> NotificationsGetResponse;
        organizations_create(OrganizationsCreateRequest) -> OrganizationsCreateResponse;
        organization_members_delete(OrganizationMembersDeleteRequest) -> OrganizationMembersDeleteResponse;
        organization_member_roles_update(OrganizationMemberRolesUpdateRequest) -> OrganizationMemberRolesUpdateResponse;
        subscriber_messages_mark_all(SubscriberMessagesMarkAllRequest) -> SubscriberMessagesMarkAllResponse;
        subscriber_messages_mark_as(SubscriberMessagesMarkAsRequest) -> SubscriberMessagesMarkAsResponse;
        subscriber_messages_mark_as_legacy(SubscriberMessagesMarkAsLegacyRequest) -> SubscriberMessagesMarkAsLegacyResponse;
        subscriber_message_action_update(SubscriberMessageActionUpdateRequest) -> SubscriberMessageActionUpdateResponse;
        subscriber_notifications_feed(SubscriberNotificationsFeedRequest) -> SubscriberNotificationsFeedResponse;
        subscriber_notifications_unseen_count(SubscriberNotificationsUnseenCountRequest) -> SubscriberNotificationsUnseenCountResponse;
        subscriber_preferences_list(SubscriberPreferencesListRequest) -> SubscriberPreferencesListResponse;
        subscriber_preferences_update_global(SubscriberPreferencesUpdateGlobalRequest) -> SubscriberPreferencesUpdateGlobalResponse;
        subscriber_preferences_get_by_level(SubscriberPreferencesGetByLevelRequest) -> SubscriberPreferencesGetByLevelResponse;
        subscriber_preferences_update(SubscriberPreferencesUpdateRequest) -> SubscriberPreferencesUpdateResponse;
        workflow_overrides_list(WorkflowOverridesListRequest) -> WorkflowOverridesListResponse;
        workflow_overrides_create(WorkflowOverridesCreateRequest) -> WorkflowOverridesCreateResponse;
        workflow_overrides_retrieve_by_tenant(WorkflowOverridesRetrieveByTenantRequest) -> WorkflowOverridesRetrieveByTenantResponse;
        workflow_overrides_update_by_tenant(WorkflowOverridesUpdateByTenantRequest) -> WorkflowOverridesUpdateByTenantResponse;
        workflow_overrides_retrieve(WorkflowOverridesRetrieveRequest) -> WorkflowOverridesRetrieveResponse;
        workflow_overrides_update(WorkflowOverridesUpdateRequest) -> WorkflowOverridesUpdateResponse;
        workflow_overrides_delete(WorkflowOverridesDeleteRequest) -> WorkflowOverridesDeleteResponse;
        workflows_list(WorkflowsListRequest) -> WorkflowsListResponse;
        workflows_create(WorkflowsCreateRequest) -> WorkflowsCreateResponse;
        workflow_variables_retrieve(WorkflowVariablesRetrieveRequest) -> WorkflowVariablesRetrieveResponse;
        workflows_retrieve(WorkflowsRetrieveRequest) -> WorkflowsRetrieveResponse;
        workflows_update(WorkflowsUpdateRequest) -> WorkflowsUpdateResponse;
        workflows_delete(WorkflowsDeleteRequest) -> WorkflowsDeleteResponse;
        workflow_status_update(WorkflowStatusUpdateRequest) -> WorkflowStatusUpdateResponse;
    }
}
