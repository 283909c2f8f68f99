//! The in-test implementation of every tag's trait that the stubs tests serve.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use novu_server::types::{self, ChannelType, ErrorResponse, ErrorResponseMessage};
use novu_server::*;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::json;

/// The only API key the fixture accepts.
pub(crate) const API_KEY: &str = "test-key";
/// The environment `API_KEY` belongs to: the fixture's caller.
pub(crate) const ENVIRONMENT_ID: &str = "65f0c0ffee00000000000e01";
pub(crate) const ORGANIZATION_ID: &str = "65f0c0ffee00000000000001";
/// The only workflow, override and layout the fixture knows.
pub(crate) const WORKFLOW_ID: &str = "65f0c0ffee00000000000a01";
pub(crate) const OVERRIDE_ID: &str = "65f0c0ffee00000000000b01";
pub(crate) const LAYOUT_ID: &str = "65f0c0ffee00000000000c01";

/// The id of the environment an API key belongs to.
pub(crate) type EnvironmentId = String;

/// A trivial implementation: subscribers and topics are kept in memory, triggers are recorded,
/// and the other exercised operations answer from their typed input alone.
#[derive(Default)]
pub(crate) struct Fixture {
    pub(crate) subscribers: Mutex<BTreeMap<String, types::Subscriber>>,
    pub(crate) topics: Mutex<BTreeSet<String>>,
    pub(crate) triggers: Mutex<Vec<types::TriggerEventRequest>>,
}

/// Answers each listed operation with a documented 500: the tests never call them.
macro_rules! unexercised {
    ($($operation:ident($request:ident) -> $response:ident;)*) => {
        $(
            async fn $operation(&self, request: $request<EnvironmentId>) -> $response {
                $response::InternalServerError(unexercised(&request.context))
            }
        )*
    };
}

impl Authenticate for Fixture {
    type Caller = EnvironmentId;

    async fn authenticate(&self, api_key: &str) -> Result<EnvironmentId, AuthError> {
        if api_key == API_KEY {
            Ok(ENVIRONMENT_ID.into())
        } else {
            Err(AuthError::new("API Key not found"))
        }
    }
}

impl ChangesApi for Fixture {
    async fn changes_list(
        &self,
        request: ChangesListRequest<EnvironmentId>,
    ) -> ChangesListResponse {
        ChangesListResponse::Ok(types::ChangePage {
            data: Vec::new(),
            page: request.query.page,
            page_size: request.query.limit,
            total_count: 0,
        })
    }

    unexercised! {
        changes_apply_bulk(ChangesApplyBulkRequest) -> ChangesApplyBulkResponse;
        changes_count(ChangesCountRequest) -> ChangesCountResponse;
        changes_apply(ChangesApplyRequest) -> ChangesApplyResponse;
    }
}

impl EnvironmentsApi for Fixture {
    async fn environments_retrieve_current(
        &self,
        request: EnvironmentsRetrieveCurrentRequest<EnvironmentId>,
    ) -> EnvironmentsRetrieveCurrentResponse {
        EnvironmentsRetrieveCurrentResponse::Ok(types::EnvironmentEnvelope {
            data: types::Environment {
                id: request.caller,
                identifier: "development".into(),
                name: "Development".into(),
                organization_id: ORGANIZATION_ID.into(),
                parent_id: None,
            },
        })
    }

    unexercised! {
        environments_list(EnvironmentsListRequest) -> EnvironmentsListResponse;
        environment_api_keys_list(EnvironmentApiKeysListRequest) -> EnvironmentApiKeysListResponse;
    }
}

impl EventsApi for Fixture {
    async fn events_trigger(
        &self,
        request: EventsTriggerRequest<EnvironmentId>,
    ) -> EventsTriggerResponse {
        if request.body.name != "welcome" {
            let message = format!("workflow {} is not found", request.body.name);
            return EventsTriggerResponse::UnprocessableEntity(error(
                422,
                &request.context,
                message,
            ));
        }
        let transaction_id = request.body.transaction_id.clone();
        self.triggers.lock().unwrap().push(request.body);
        EventsTriggerResponse::Created(types::TriggerEventResultEnvelope {
            data: types::TriggerEventResult {
                acknowledged: true,
                error: None,
                status: types::TriggerEventResultStatus::Processed,
                transaction_id,
            },
        })
    }

    unexercised! {
        events_broadcast(EventsBroadcastRequest) -> EventsBroadcastResponse;
        events_trigger_bulk(EventsTriggerBulkRequest) -> EventsTriggerBulkResponse;
        events_cancel(EventsCancelRequest) -> EventsCancelResponse;
    }
}

impl ExecutionDetailsApi for Fixture {
    async fn execution_details_list(
        &self,
        request: ExecutionDetailsListRequest<EnvironmentId>,
    ) -> ExecutionDetailsListResponse {
        ExecutionDetailsListResponse::Ok(types::ExecutionDetailListEnvelope {
            data: vec![types::ExecutionDetail {
                channel: Some(types::StepType::Email),
                created_at: Some(instant()),
                detail: "Message sent".into(),
                environment_id: request.caller,
                id: "65f0c0ffee00000000000d01".into(),
                is_retry: false,
                is_test: false,
                job_id: "65f0c0ffee00000000000d02".into(),
                message_id: None,
                notification_id: request.query.notification_id.to_string(),
                notification_template_id: WORKFLOW_ID.into(),
                organization_id: ORGANIZATION_ID.into(),
                provider_id: Some("sendgrid".into()),
                raw: None,
                source: types::ExecutionDetailSource::Internal,
                status: types::ExecutionDetailStatus::Success,
                subscriber_id: request.query.subscriber_id,
                transaction_id: "txn-1".into(),
            }],
        })
    }
}

impl FeedsApi for Fixture {
    async fn feeds_create(
        &self,
        request: FeedsCreateRequest<EnvironmentId>,
    ) -> FeedsCreateResponse {
        FeedsCreateResponse::Created(types::FeedEnvelope {
            data: types::Feed {
                environment_id: request.caller,
                id: "65f0c0ffee00000000000f01".into(),
                identifier: request.body.name.clone(),
                name: request.body.name,
                organization_id: ORGANIZATION_ID.into(),
            },
        })
    }

    unexercised! {
        feeds_list(FeedsListRequest) -> FeedsListResponse;
        feeds_delete(FeedsDeleteRequest) -> FeedsDeleteResponse;
    }
}

impl InboundParseApi for Fixture {
    unexercised! {
        inbound_parse_mx_status(InboundParseMxStatusRequest) -> InboundParseMxStatusResponse;
    }
}

impl IntegrationsApi for Fixture {
    async fn integration_webhook_status_retrieve(
        &self,
        request: IntegrationWebhookStatusRetrieveRequest<EnvironmentId>,
    ) -> IntegrationWebhookStatusRetrieveResponse {
        let supported = request.path.provider_or_integration_id == "sendgrid";
        IntegrationWebhookStatusRetrieveResponse::Ok(types::BooleanEnvelope { data: supported })
    }

    unexercised! {
        integrations_list(IntegrationsListRequest) -> IntegrationsListResponse;
        integrations_create(IntegrationsCreateRequest) -> IntegrationsCreateResponse;
        integrations_list_active(IntegrationsListActiveRequest) -> IntegrationsListActiveResponse;
        integrations_update(IntegrationsUpdateRequest) -> IntegrationsUpdateResponse;
        integrations_delete(IntegrationsDeleteRequest) -> IntegrationsDeleteResponse;
        integrations_set_primary(IntegrationsSetPrimaryRequest) -> IntegrationsSetPrimaryResponse;
    }
}

impl LayoutsApi for Fixture {
    async fn layouts_set_default(
        &self,
        request: LayoutsSetDefaultRequest<EnvironmentId>,
    ) -> LayoutsSetDefaultResponse {
        if request.path.layout_id == LAYOUT_ID {
            return LayoutsSetDefaultResponse::NoContent;
        }
        let message = format!("Layout not found for id {}", request.path.layout_id);
        LayoutsSetDefaultResponse::NotFound(error(404, &request.context, message))
    }

    unexercised! {
        layouts_list(LayoutsListRequest) -> LayoutsListResponse;
        layouts_create(LayoutsCreateRequest) -> LayoutsCreateResponse;
        layouts_retrieve(LayoutsRetrieveRequest) -> LayoutsRetrieveResponse;
        layouts_delete(LayoutsDeleteRequest) -> LayoutsDeleteResponse;
        layouts_update(LayoutsUpdateRequest) -> LayoutsUpdateResponse;
    }
}

impl MessagesApi for Fixture {
    async fn messages_delete_by_transaction(
        &self,
        request: MessagesDeleteByTransactionRequest<EnvironmentId>,
    ) -> MessagesDeleteByTransactionResponse {
        // The fixture's only message is the email of transaction `txn-1`.
        let transaction_id = &request.path.transaction_id;
        match request.query.channel {
            None | Some(ChannelType::Email) if transaction_id == "txn-1" => {
                MessagesDeleteByTransactionResponse::NoContent
            }
            channel => {
                let channel = channel.map_or_else(String::new, |channel| format!("{channel} "));
                let message = format!("transaction {transaction_id} has no {channel}messages");
                MessagesDeleteByTransactionResponse::NotFound(error(404, &request.context, message))
            }
        }
    }

    unexercised! {
        messages_list(MessagesListRequest) -> MessagesListResponse;
        messages_delete(MessagesDeleteRequest) -> MessagesDeleteResponse;
    }
}

impl WorkflowGroupsApi for Fixture {
    async fn workflow_groups_create(
        &self,
        request: WorkflowGroupsCreateRequest<EnvironmentId>,
    ) -> WorkflowGroupsCreateResponse {
        WorkflowGroupsCreateResponse::Created(types::WorkflowGroupEnvelope {
            data: types::WorkflowGroup {
                environment_id: request.caller,
                id: "65f0c0ffee00000000000e02".into(),
                virtual_id: "65f0c0ffee00000000000e02".into(),
                name: request.body.name,
                organization_id: ORGANIZATION_ID.into(),
                parent_id: None,
            },
        })
    }

    unexercised! {
        workflow_groups_list(WorkflowGroupsListRequest) -> WorkflowGroupsListResponse;
        workflow_groups_retrieve(WorkflowGroupsRetrieveRequest) -> WorkflowGroupsRetrieveResponse;
        workflow_groups_delete(WorkflowGroupsDeleteRequest) -> WorkflowGroupsDeleteResponse;
        workflow_groups_update(WorkflowGroupsUpdateRequest) -> WorkflowGroupsUpdateResponse;
    }
}

impl WorkflowsApi for Fixture {
    /// Answers whether the workflow existed, as the API does.
    async fn workflows_delete(
        &self,
        request: WorkflowsDeleteRequest<EnvironmentId>,
    ) -> WorkflowsDeleteResponse {
        let existed = *request.path.workflow_id == WORKFLOW_ID;
        WorkflowsDeleteResponse::Ok(types::BooleanEnvelope { data: existed })
    }

    unexercised! {
        notification_templates_list(NotificationTemplatesListRequest) -> NotificationTemplatesListResponse;
        notification_templates_create(NotificationTemplatesCreateRequest) -> NotificationTemplatesCreateResponse;
        notification_templates_retrieve(NotificationTemplatesRetrieveRequest) -> NotificationTemplatesRetrieveResponse;
        notification_templates_update(NotificationTemplatesUpdateRequest) -> NotificationTemplatesUpdateResponse;
        notification_templates_delete(NotificationTemplatesDeleteRequest) -> NotificationTemplatesDeleteResponse;
        notification_template_status_update(NotificationTemplateStatusUpdateRequest) -> NotificationTemplateStatusUpdateResponse;
        workflows_list(WorkflowsListRequest) -> WorkflowsListResponse;
        workflows_create(WorkflowsCreateRequest) -> WorkflowsCreateResponse;
        workflow_variables_retrieve(WorkflowVariablesRetrieveRequest) -> WorkflowVariablesRetrieveResponse;
        workflows_retrieve(WorkflowsRetrieveRequest) -> WorkflowsRetrieveResponse;
        workflows_update(WorkflowsUpdateRequest) -> WorkflowsUpdateResponse;
        workflow_status_update(WorkflowStatusUpdateRequest) -> WorkflowStatusUpdateResponse;
    }
}

impl NotificationsApi for Fixture {
    /// One notification per requested subscriber, over the requested channels.
    async fn notifications_list(
        &self,
        request: NotificationsListRequest<EnvironmentId>,
    ) -> NotificationsListResponse {
        let query = request.query;
        let channels: Vec<types::StepType> = query
            .channels
            .iter()
            .flatten()
            .map(|channel| {
                channel
                    .to_string()
                    .parse()
                    .expect("every channel is a step type")
            })
            .collect();
        let data: Vec<types::ActivityNotification> = query
            .subscriber_ids
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(index, subscriber_id)| types::ActivityNotification {
                channels: Some(channels.clone()),
                created_at: None,
                environment_id: request.caller.clone(),
                id: format!("notification-{index}"),
                jobs: None,
                organization_id: ORGANIZATION_ID.into(),
                subscriber_id: format!("db-{subscriber_id}"),
                subscriber: Some(types::ActivitySubscriber {
                    email: None,
                    first_name: None,
                    id: format!("db-{subscriber_id}"),
                    last_name: None,
                    phone: None,
                    subscriber_id: Some(subscriber_id),
                }),
                template: None,
                template_id: "65f0c0ffee00000000000f01".into(),
                transaction_id: format!("txn-{index}"),
            })
            .collect();
        NotificationsListResponse::Ok(types::ActivityPage {
            has_more: false,
            page: query.page,
            page_size: data.len() as i64,
            data,
        })
    }

    unexercised! {
        notifications_graph_stats(NotificationsGraphStatsRequest) -> NotificationsGraphStatsResponse;
        notifications_stats(NotificationsStatsRequest) -> NotificationsStatsResponse;
        notifications_get(NotificationsGetRequest) -> NotificationsGetResponse;
    }
}

impl OrganizationsApi for Fixture {
    async fn organizations_rename(
        &self,
        request: OrganizationsRenameRequest<EnvironmentId>,
    ) -> OrganizationsRenameResponse {
        OrganizationsRenameResponse::Ok(types::OrganizationNameEnvelope { data: request.body })
    }

    unexercised! {
        organizations_list(OrganizationsListRequest) -> OrganizationsListResponse;
        organizations_create(OrganizationsCreateRequest) -> OrganizationsCreateResponse;
        organization_branding_update(OrganizationBrandingUpdateRequest) -> OrganizationBrandingUpdateResponse;
        organizations_retrieve_current(OrganizationsRetrieveCurrentRequest) -> OrganizationsRetrieveCurrentResponse;
        organization_members_list(OrganizationMembersListRequest) -> OrganizationMembersListResponse;
        organization_members_delete(OrganizationMembersDeleteRequest) -> OrganizationMembersDeleteResponse;
        organization_member_roles_update(OrganizationMemberRolesUpdateRequest) -> OrganizationMemberRolesUpdateResponse;
    }
}

impl SubscribersApi for Fixture {
    async fn subscribers_create(
        &self,
        request: SubscribersCreateRequest<EnvironmentId>,
    ) -> SubscribersCreateResponse {
        let body = request.body;
        let subscriber = types::Subscriber {
            avatar: body.avatar,
            channels: None,
            created_at: instant(),
            data: body.data,
            deleted: false,
            deleted_at: None,
            deleted_by: None,
            email: body.email,
            environment_id: request.caller,
            first_name: body.first_name,
            id: format!("db-{}", body.subscriber_id),
            is_online: None,
            last_name: body.last_name,
            last_online_at: None,
            locale: body.locale,
            organization_id: ORGANIZATION_ID.into(),
            phone: body.phone,
            subscriber_id: body.subscriber_id.clone(),
            updated_at: instant(),
            v: None,
        };
        let mut subscribers = self.subscribers.lock().unwrap();
        subscribers.insert(body.subscriber_id, subscriber.clone());
        SubscribersCreateResponse::Created(types::SubscriberEnvelope { data: subscriber })
    }

    async fn subscribers_get(
        &self,
        request: SubscribersGetRequest<EnvironmentId>,
    ) -> SubscribersGetResponse {
        let subscriber_id = &request.path.subscriber_id;
        match self.subscribers.lock().unwrap().get(subscriber_id) {
            Some(subscriber) => SubscribersGetResponse::Ok(types::SubscriberEnvelope {
                data: subscriber.clone(),
            }),
            None => {
                let message = format!("Subscriber not found for id {subscriber_id}");
                SubscribersGetResponse::NotFound(error(404, &request.context, message))
            }
        }
    }

    // The chat OAuth redirects are public: their requests carry no caller.
    async fn subscriber_chat_oauth(
        &self,
        request: SubscriberChatOauthRequest,
    ) -> SubscriberChatOauthResponse {
        SubscriberChatOauthResponse::InternalServerError(unexercised(&request.context))
    }

    async fn subscriber_chat_oauth_callback(
        &self,
        request: SubscriberChatOauthCallbackRequest,
    ) -> SubscriberChatOauthCallbackResponse {
        SubscriberChatOauthCallbackResponse::InternalServerError(unexercised(&request.context))
    }

    unexercised! {
        subscribers_list(SubscribersListRequest) -> SubscribersListResponse;
        subscribers_create_bulk(SubscribersCreateBulkRequest) -> SubscribersCreateBulkResponse;
        subscribers_update(SubscribersUpdateRequest) -> SubscribersUpdateResponse;
        subscribers_delete(SubscribersDeleteRequest) -> SubscribersDeleteResponse;
        subscriber_credentials_update(SubscriberCredentialsUpdateRequest) -> SubscriberCredentialsUpdateResponse;
        subscriber_credentials_append(SubscriberCredentialsAppendRequest) -> SubscriberCredentialsAppendResponse;
        subscriber_credentials_delete(SubscriberCredentialsDeleteRequest) -> SubscriberCredentialsDeleteResponse;
        subscriber_messages_mark_all(SubscriberMessagesMarkAllRequest) -> SubscriberMessagesMarkAllResponse;
        subscriber_messages_mark_as(SubscriberMessagesMarkAsRequest) -> SubscriberMessagesMarkAsResponse;
        subscriber_messages_mark_as_legacy(SubscriberMessagesMarkAsLegacyRequest) -> SubscriberMessagesMarkAsLegacyResponse;
        subscriber_message_action_update(SubscriberMessageActionUpdateRequest) -> SubscriberMessageActionUpdateResponse;
        subscriber_notifications_feed(SubscriberNotificationsFeedRequest) -> SubscriberNotificationsFeedResponse;
        subscriber_notifications_unseen_count(SubscriberNotificationsUnseenCountRequest) -> SubscriberNotificationsUnseenCountResponse;
        subscriber_online_status_update(SubscriberOnlineStatusUpdateRequest) -> SubscriberOnlineStatusUpdateResponse;
        subscriber_preferences_list(SubscriberPreferencesListRequest) -> SubscriberPreferencesListResponse;
        subscriber_preferences_update_global(SubscriberPreferencesUpdateGlobalRequest) -> SubscriberPreferencesUpdateGlobalResponse;
        subscriber_preferences_get_by_level(SubscriberPreferencesGetByLevelRequest) -> SubscriberPreferencesGetByLevelResponse;
        subscriber_preferences_update(SubscriberPreferencesUpdateRequest) -> SubscriberPreferencesUpdateResponse;
    }
}

impl TenantsApi for Fixture {
    async fn tenants_get(&self, request: TenantsGetRequest<EnvironmentId>) -> TenantsGetResponse {
        let identifier = request.path.identifier;
        if identifier != "acme" {
            let message = format!("Tenant with identifier: {identifier} cannot be found");
            return TenantsGetResponse::NotFound(error(404, &request.context, message));
        }
        TenantsGetResponse::Ok(types::TenantEnvelope {
            data: types::Tenant {
                created_at: instant(),
                data: None,
                environment_id: request.caller,
                id: "65f0c0ffee00000000000e03".into(),
                identifier,
                name: Some("Acme".into()),
                updated_at: instant(),
            },
        })
    }

    unexercised! {
        tenants_list(TenantsListRequest) -> TenantsListResponse;
        tenants_create(TenantsCreateRequest) -> TenantsCreateResponse;
        tenants_delete(TenantsDeleteRequest) -> TenantsDeleteResponse;
        tenants_update(TenantsUpdateRequest) -> TenantsUpdateResponse;
    }
}

impl TopicsApi for Fixture {
    async fn topics_create(
        &self,
        request: TopicsCreateRequest<EnvironmentId>,
    ) -> TopicsCreateResponse {
        let key = request.body.key;
        if !self.topics.lock().unwrap().insert(key.clone()) {
            let message = format!("Topic exists with key {key}");
            return TopicsCreateResponse::Conflict(error(409, &request.context, message));
        }
        TopicsCreateResponse::Created(types::TopicCreatedEnvelope {
            data: types::TopicCreated {
                id: format!("db-{key}"),
                key,
            },
        })
    }

    async fn topics_delete(
        &self,
        request: TopicsDeleteRequest<EnvironmentId>,
    ) -> TopicsDeleteResponse {
        let key = request.path.topic_key;
        if self.topics.lock().unwrap().remove(&key) {
            return TopicsDeleteResponse::NoContent;
        }
        let message = format!(
            "Topic not found for id {key} in the environment {}",
            request.caller
        );
        TopicsDeleteResponse::NotFound(error(404, &request.context, message))
    }

    async fn topic_subscribers_get(
        &self,
        request: TopicSubscribersGetRequest<EnvironmentId>,
    ) -> TopicSubscribersGetResponse {
        let path = request.path;
        TopicSubscribersGetResponse::Ok(types::TopicSubscriberEnvelope {
            data: types::TopicSubscriber {
                id: format!("membership-{}", path.external_subscriber_id),
                environment_id: request.caller,
                external_subscriber_id: path.external_subscriber_id.clone(),
                organization_id: ORGANIZATION_ID.into(),
                subscriber_id: format!("db-{}", path.external_subscriber_id),
                topic_id: format!("db-{}", path.topic_key),
                topic_key: path.topic_key,
            },
        })
    }

    unexercised! {
        topics_list(TopicsListRequest) -> TopicsListResponse;
        topics_get(TopicsGetRequest) -> TopicsGetResponse;
        topics_rename(TopicsRenameRequest) -> TopicsRenameResponse;
        topic_subscribers_add(TopicSubscribersAddRequest) -> TopicSubscribersAddResponse;
        topic_subscribers_remove(TopicSubscribersRemoveRequest) -> TopicSubscribersRemoveResponse;
    }
}

impl WorkflowOverridesApi for Fixture {
    async fn workflow_overrides_delete(
        &self,
        request: WorkflowOverridesDeleteRequest<EnvironmentId>,
    ) -> WorkflowOverridesDeleteResponse {
        let override_id = request.path.override_id;
        if *override_id == OVERRIDE_ID {
            return WorkflowOverridesDeleteResponse::Ok(types::BooleanEnvelope { data: true });
        }
        let message = format!("Workflow override with id {} not found", *override_id);
        WorkflowOverridesDeleteResponse::NotFound(error(404, &request.context, message))
    }

    unexercised! {
        workflow_overrides_list(WorkflowOverridesListRequest) -> WorkflowOverridesListResponse;
        workflow_overrides_create(WorkflowOverridesCreateRequest) -> WorkflowOverridesCreateResponse;
        workflow_overrides_retrieve_by_tenant(WorkflowOverridesRetrieveByTenantRequest) -> WorkflowOverridesRetrieveByTenantResponse;
        workflow_overrides_update_by_tenant(WorkflowOverridesUpdateByTenantRequest) -> WorkflowOverridesUpdateByTenantResponse;
        workflow_overrides_retrieve(WorkflowOverridesRetrieveRequest) -> WorkflowOverridesRetrieveResponse;
        workflow_overrides_update(WorkflowOverridesUpdateRequest) -> WorkflowOverridesUpdateResponse;
    }
}

/// A fixed instant, typed as whatever a schema's `date-time` field is.
pub(crate) fn instant<T: DeserializeOwned>() -> T {
    serde_json::from_value(json!("2024-03-01T12:00:00Z")).expect("a valid date-time")
}

/// The API's error body for `status`, about the request described by `context`.
pub(crate) fn error(
    status: u16,
    context: &RequestContext,
    message: impl Into<String>,
) -> ErrorResponse {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason());
    ErrorResponse {
        error: reason.map(str::to_owned),
        error_id: None,
        message: ErrorResponseMessage::String(message.into()),
        path: context.path_and_query.clone(),
        status_code: status.into(),
        timestamp: instant(),
    }
}

pub(crate) fn unexercised(context: &RequestContext) -> ErrorResponse {
    error(
        500,
        context,
        "the test fixture does not implement this operation",
    )
}
