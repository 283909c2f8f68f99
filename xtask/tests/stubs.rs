//! The generated server stubs and the generated client, end to end.
//!
//! A small in-test implementation of `NovuApi` is served by the generated router on 127.0.0.1 and
//! driven by the generated client, one or more operations of every tag. The router's own answers
//! (401 for credentials, 400 for invalid input, 404 for unknown routes) are checked with raw
//! requests where the typed client cannot send what they need.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use novu_client::{Client, Error, ResponseValue};
use novu_server::types::{self, ChannelType, ErrorResponse, ErrorResponseMessage, ObjectId};
use novu_server::*;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The only API key the fixture accepts.
const API_KEY: &str = "test-key";
/// The environment `API_KEY` belongs to: the fixture's caller.
const ENVIRONMENT_ID: &str = "65f0c0ffee00000000000e01";
const ORGANIZATION_ID: &str = "65f0c0ffee00000000000001";
/// The only workflow, override and layout the fixture knows.
const WORKFLOW_ID: &str = "65f0c0ffee00000000000a01";
const OVERRIDE_ID: &str = "65f0c0ffee00000000000b01";
const LAYOUT_ID: &str = "65f0c0ffee00000000000c01";

/// The id of the environment an API key belongs to.
type EnvironmentId = String;

/// A trivial implementation: subscribers and topics are kept in memory, triggers are recorded,
/// and the other exercised operations answer from their typed input alone.
#[derive(Default)]
struct Fixture {
    subscribers: Mutex<BTreeMap<String, types::Subscriber>>,
    topics: Mutex<BTreeSet<String>>,
    triggers: Mutex<Vec<types::TriggerEventRequest>>,
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
                error: Vec::new(),
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
                channels: channels.clone(),
                created_at: None,
                environment_id: request.caller.clone(),
                id: format!("notification-{index}"),
                jobs: Vec::new(),
                organization_id: ORGANIZATION_ID.into(),
                subscriber_id: Some(format!("db-{subscriber_id}")),
                template_id: None,
                subscriber: Some(types::ActivitySubscriber {
                    email: None,
                    first_name: None,
                    id: format!("db-{subscriber_id}"),
                    last_name: None,
                    phone: None,
                    subscriber_id: Some(subscriber_id),
                }),
                template: None,
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
            channels: Vec::new(),
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
fn instant<T: DeserializeOwned>() -> T {
    serde_json::from_value(json!("2024-03-01T12:00:00Z")).expect("a valid date-time")
}

/// The API's error body for `status`, about the request described by `context`.
fn error(status: u16, context: &RequestContext, message: impl Into<String>) -> ErrorResponse {
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

fn unexercised(context: &RequestContext) -> ErrorResponse {
    error(
        500,
        context,
        "the test fixture does not implement this operation",
    )
}

/// The generated router over a fresh [`Fixture`], served on a free local port until dropped.
struct Server {
    address: SocketAddr,
    fixture: Arc<Fixture>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a local port");
        let address = listener.local_addr().expect("the listener's address");
        let fixture = Arc::new(Fixture::default());
        let router = novu_server::router(Arc::clone(&fixture));
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("the server runs until aborted");
        });
        Self {
            address,
            fixture,
            task,
        }
    }

    fn client(&self) -> Client {
        self.client_with_key(API_KEY)
    }

    fn client_with_key(&self, api_key: &str) -> Client {
        Client::with_api_key(&format!("http://{}", self.address), api_key).expect("a valid key")
    }

    /// A request with the test key, for input the typed client cannot send.
    fn raw(&self, method: Method, path_and_query: &str) -> reqwest::RequestBuilder {
        self.raw_without_key(method, path_and_query)
            .header("authorization", format!("ApiKey {API_KEY}"))
    }

    fn raw_without_key(&self, method: Method, path_and_query: &str) -> reqwest::RequestBuilder {
        let url = format!("http://{}{path_and_query}", self.address);
        reqwest::Client::new().request(method, url)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The status and error body of a typed call that must have been refused.
fn refusal<T: Debug>(
    result: Result<ResponseValue<T>, Error<ErrorResponse>>,
) -> (StatusCode, ErrorResponse) {
    match result {
        Err(Error::ErrorResponse(response)) => (response.status(), response.into_inner()),
        other => panic!("expected the API's error body, got {other:?}"),
    }
}

/// The status and error body of a raw request that must have been refused.
async fn raw_refusal(request: reqwest::RequestBuilder) -> (StatusCode, ErrorResponse) {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("the API's error body"))
}

fn messages(body: &ErrorResponse) -> Vec<&str> {
    match &body.message {
        ErrorResponseMessage::String(message) => vec![message.as_str()],
        ErrorResponseMessage::Array(messages) => messages.iter().map(String::as_str).collect(),
    }
}

fn object_id(text: &str) -> ObjectId {
    text.parse().expect("a valid ObjectId")
}

#[tokio::test]
async fn events_trigger_hands_the_typed_body_to_the_implementation() {
    let server = Server::start().await;
    let client = server.client();
    let trigger = types::TriggerEventRequest {
        actor: None,
        bridge_url: None,
        controls: Default::default(),
        name: "welcome".into(),
        overrides: Default::default(),
        payload: json!({ "plan": "pro", "seats": 3 }).as_object().cloned(),
        tenant: None,
        to: types::TriggerRecipients::TriggerRecipient(types::TriggerRecipient::String(
            "ada".into(),
        )),
        transaction_id: Some("txn-1".into()),
    };

    let response = client
        .events_trigger()
        .body(trigger.clone())
        .send()
        .await
        .expect("trigger accepted");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.into_inner().data,
        types::TriggerEventResult {
            acknowledged: true,
            error: Vec::new(),
            status: types::TriggerEventResultStatus::Processed,
            transaction_id: Some("txn-1".into()),
        }
    );
    assert_eq!(
        *server.fixture.triggers.lock().unwrap(),
        vec![trigger.clone()]
    );

    let unknown = types::TriggerEventRequest {
        name: "farewell".into(),
        ..trigger
    };
    let (status, body) = refusal(client.events_trigger().body(unknown.clone()).send().await);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(messages(&body), ["workflow farewell is not found"]);
    assert_eq!(body.path, "/v1/events/trigger");
}

#[tokio::test]
async fn subscribers_create_then_get_round_trips_and_an_unknown_one_is_404() {
    let server = Server::start().await;
    let client = server.client();
    let ada = types::CreateSubscriberRequest {
        avatar: None,
        channels: None,
        data: None,
        email: Some("ada@example.com".into()),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        locale: Some("en-GB".into()),
        phone: None,
        subscriber_id: "ada".into(),
    };

    let created = client
        .subscribers_create()
        .body(ada.clone())
        .send()
        .await
        .expect("subscriber created");
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = created.into_inner().data;
    assert_eq!(created.subscriber_id, "ada");
    assert_eq!(created.email.as_deref(), Some("ada@example.com"));
    assert_eq!(created.first_name.as_deref(), Some("Ada"));
    assert_eq!(created.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(created.locale.as_deref(), Some("en-GB"));
    assert_eq!(created.environment_id, ENVIRONMENT_ID);
    assert_eq!(
        server.fixture.subscribers.lock().unwrap().get("ada"),
        Some(&created)
    );

    let fetched = client
        .subscribers_get()
        .subscriber_id("ada")
        .send()
        .await
        .expect("subscriber found");
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.into_inner().data, created);

    let (status, body) = refusal(client.subscribers_get().subscriber_id("grace").send().await);
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["Subscriber not found for id grace"]);
    assert_eq!(body.status_code, 404);
    assert_eq!(body.error.as_deref(), Some("Not Found"));
    assert_eq!(body.path, "/v1/subscribers/grace");
}

#[tokio::test]
async fn topics_create_delete_answer_201_204_and_their_documented_errors() {
    let server = Server::start().await;
    let client = server.client();
    let beta = types::CreateTopicRequest {
        key: "beta-testers".into(),
        name: "Beta testers".into(),
    };

    let created = client
        .topics_create()
        .body(beta.clone())
        .send()
        .await
        .expect("topic created");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        created.into_inner().data,
        types::TopicCreated {
            id: "db-beta-testers".into(),
            key: "beta-testers".into(),
        }
    );
    let (status, body) = refusal(client.topics_create().body(beta.clone()).send().await);
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(messages(&body), ["Topic exists with key beta-testers"]);

    let deleted = client
        .topics_delete()
        .topic_key("beta-testers")
        .send()
        .await
        .expect("topic deleted");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(server.fixture.topics.lock().unwrap().is_empty());
    let (status, body) = refusal(
        client
            .topics_delete()
            .topic_key("beta-testers")
            .send()
            .await,
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        messages(&body),
        [format!(
            "Topic not found for id beta-testers in the environment {ENVIRONMENT_ID}"
        )]
    );
}

#[tokio::test]
async fn notifications_list_reads_repeated_and_comma_separated_array_parameters() {
    let server = Server::start().await;
    let channels_as_steps = |names: &[&str]| -> Vec<types::StepType> {
        names.iter().map(|name| name.parse().unwrap()).collect()
    };
    let subscribers_of = |page: &types::ActivityPage| -> Vec<String> {
        let subscribers = page.data.iter().map(|notification| {
            let subscriber = notification.subscriber.as_ref().expect("a subscriber");
            subscriber.subscriber_id.clone().expect("a subscriberId")
        });
        subscribers.collect()
    };

    let page = server
        .client()
        .notifications_list()
        .channels(vec![ChannelType::Email, ChannelType::InApp])
        .page(2)
        .subscriber_ids(vec!["ada".into(), "grace".into()])
        .send()
        .await
        .expect("notifications listed")
        .into_inner();
    assert_eq!(page.page, 2);
    assert_eq!(subscribers_of(&page), ["ada", "grace"]);
    for notification in &page.data {
        assert_eq!(
            notification.channels,
            channels_as_steps(&["email", "in_app"])
        );
    }

    let response = server
        .raw(
            Method::GET,
            "/v1/notifications?channels=email&channels=sms,push&subscriberIds=ada,grace&subscriberIds=linus",
        )
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::OK);
    let page: types::ActivityPage = response.json().await.expect("an activity page");
    assert_eq!(page.page, 0, "the spec's default page");
    assert_eq!(subscribers_of(&page), ["ada", "grace", "linus"]);
    for notification in &page.data {
        assert_eq!(
            notification.channels,
            channels_as_steps(&["email", "sms", "push"])
        );
    }
}

#[tokio::test]
async fn workflows_delete_receives_the_typed_object_id() {
    let server = Server::start().await;
    let client = server.client();

    let existed = client
        .workflows_delete()
        .workflow_id(object_id(WORKFLOW_ID))
        .send()
        .await
        .expect("deleted");
    assert_eq!(existed.status(), StatusCode::OK);
    assert!(existed.into_inner().data);
    let other = object_id("65f0c0ffee00000000000a02");
    let existed = client
        .workflows_delete()
        .workflow_id(other.clone())
        .send()
        .await
        .expect("deleted");
    assert!(!existed.into_inner().data);
}

#[tokio::test]
async fn workflow_overrides_delete_answers_200_or_404() {
    let server = Server::start().await;
    let client = server.client();

    let deleted = client
        .workflow_overrides_delete()
        .override_id(object_id(OVERRIDE_ID))
        .send()
        .await;
    assert!(deleted.expect("override deleted").into_inner().data);
    let unknown = "65f0c0ffee00000000000b02";
    let (status, body) = refusal(
        client
            .workflow_overrides_delete()
            .override_id(object_id(unknown))
            .send()
            .await,
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        messages(&body),
        [format!("Workflow override with id {unknown} not found")]
    );
    assert_eq!(body.path, format!("/v1/workflow-overrides/{unknown}"));
}

#[tokio::test]
async fn workflow_groups_create_answers_201_with_the_given_name() {
    let server = Server::start().await;
    let body = types::WorkflowGroupRequest {
        name: "Onboarding".into(),
    };

    let created = server
        .client()
        .workflow_groups_create()
        .body(body.clone())
        .send()
        .await
        .expect("group created");
    assert_eq!(created.status(), StatusCode::CREATED);
    let group = created.into_inner().data;
    assert_eq!(group.name, "Onboarding");
    assert_eq!(group.environment_id, ENVIRONMENT_ID);
}

#[tokio::test]
async fn integrations_webhook_status_receives_the_provider() {
    let server = Server::start().await;
    let client = server.client();

    let sendgrid = client
        .integration_webhook_status_retrieve()
        .provider_or_integration_id("sendgrid")
        .send()
        .await;
    assert!(sendgrid.expect("status of sendgrid").into_inner().data);
    let mailgun = client
        .integration_webhook_status_retrieve()
        .provider_or_integration_id("mailgun")
        .send()
        .await;
    assert!(!mailgun.expect("status of mailgun").into_inner().data);
}

#[tokio::test]
async fn layouts_set_default_answers_204_or_404() {
    let server = Server::start().await;
    let client = server.client();

    let response = client
        .layouts_set_default()
        .layout_id(LAYOUT_ID)
        .send()
        .await
        .expect("default set");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = refusal(
        client
            .layouts_set_default()
            .layout_id("missing")
            .send()
            .await,
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["Layout not found for id missing"]);
}

#[tokio::test]
async fn execution_details_list_receives_its_query() {
    let server = Server::start().await;
    let notification_id = object_id("65f0c0ffee00000000000d03");

    let details = server
        .client()
        .execution_details_list()
        .notification_id(notification_id.clone())
        .subscriber_id("ada")
        .send()
        .await
        .expect("details listed")
        .into_inner()
        .data;
    assert_eq!(details.len(), 1);
    assert_eq!(details[0].notification_id, *notification_id);
    assert_eq!(details[0].subscriber_id, "ada");
    assert_eq!(details[0].status, types::ExecutionDetailStatus::Success);
    assert_eq!(
        details[0].created_at.map(|at| at.to_rfc3339()).as_deref(),
        Some("2024-03-01T12:00:00+00:00")
    );
}

#[tokio::test]
async fn organizations_rename_round_trips_the_name() {
    let server = Server::start().await;
    let name = types::OrganizationName {
        name: "Analytical Engines".into(),
    };

    let renamed = server
        .client()
        .organizations_rename()
        .body(name.clone())
        .send()
        .await
        .expect("renamed");
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(renamed.into_inner().data, name);
}

#[tokio::test]
async fn messages_delete_by_transaction_receives_the_channel() {
    let server = Server::start().await;
    let client = server.client();

    let deleted = client
        .messages_delete_by_transaction()
        .transaction_id("txn-1")
        .channel(ChannelType::Email)
        .send()
        .await
        .expect("messages deleted");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let refused = client
        .messages_delete_by_transaction()
        .transaction_id("txn-1")
        .channel(ChannelType::Sms)
        .send()
        .await;
    let (status, body) = refusal(refused);
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["transaction txn-1 has no sms messages"]);
    assert_eq!(body.path, "/v1/messages/transaction/txn-1?channel=sms");
}

#[tokio::test]
async fn changes_list_receives_its_query_and_the_spec_defaults() {
    let server = Server::start().await;
    let client = server.client();

    let page = client
        .changes_list()
        .limit(5u64)
        .page(2)
        .promoted("true")
        .send()
        .await
        .expect("changes listed");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.into_inner();
    assert_eq!((page.page, page.page_size, page.total_count), (2, 5, 0));
    let page = client
        .changes_list()
        .promoted("false")
        .send()
        .await
        .expect("changes listed");
    let page = page.into_inner();
    assert_eq!((page.page, page.page_size), (0, 10), "the spec's defaults");
}

#[tokio::test]
async fn environments_retrieve_current_answers_for_the_authenticated_caller() {
    let server = Server::start().await;

    let environment = server
        .client()
        .environments_retrieve_current()
        .send()
        .await
        .expect("current environment")
        .into_inner()
        .data;
    assert_eq!(environment.id, ENVIRONMENT_ID);
    assert_eq!(environment.organization_id, ORGANIZATION_ID);
}

#[tokio::test]
async fn feeds_create_answers_201_with_the_given_name() {
    let server = Server::start().await;
    let body = types::CreateFeedRequest {
        name: "product-updates".into(),
    };

    let created = server
        .client()
        .feeds_create()
        .body(body.clone())
        .send()
        .await
        .expect("feed created");
    assert_eq!(created.status(), StatusCode::CREATED);
    let feed = created.into_inner().data;
    assert_eq!(
        (feed.name.as_str(), feed.identifier.as_str()),
        ("product-updates", "product-updates")
    );
}

#[tokio::test]
async fn tenants_get_answers_200_or_404() {
    let server = Server::start().await;
    let client = server.client();

    let tenant = client
        .tenants_get()
        .identifier("acme")
        .send()
        .await
        .expect("tenant found")
        .into_inner()
        .data;
    assert_eq!(tenant.identifier, "acme");
    assert_eq!(tenant.name.as_deref(), Some("Acme"));
    assert_eq!(tenant.created_at.to_rfc3339(), "2024-03-01T12:00:00+00:00");
    let (status, body) = refusal(client.tenants_get().identifier("initech").send().await);
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        messages(&body),
        ["Tenant with identifier: initech cannot be found"]
    );
}

#[tokio::test]
async fn a_missing_or_unknown_api_key_is_answered_with_401() {
    let server = Server::start().await;

    let (status, body) = raw_refusal(server.raw_without_key(Method::GET, "/v1/subscribers")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(messages(&body), ["Missing authorization header"]);
    assert_eq!(
        (body.status_code, body.path.as_str()),
        (401, "/v1/subscribers")
    );

    let stranger = server.client_with_key("wrong-key");
    let topic = types::CreateTopicRequest {
        key: "beta-testers".into(),
        name: "Beta testers".into(),
    };
    let (status, body) = refusal(stranger.topics_create().body(topic.clone()).send().await);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(messages(&body), ["API Key not found"]);
    assert!(
        server.fixture.topics.lock().unwrap().is_empty(),
        "the implementation was not called"
    );
}

#[tokio::test]
async fn invalid_input_is_answered_with_the_400_error_body_before_the_implementation_runs() {
    let server = Server::start().await;

    let without_name = server
        .raw(Method::POST, "/v1/topics")
        .json(&json!({ "key": "beta-testers" }));
    let (status, body) = raw_refusal(without_name).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // As Novu's create-topic test records: presence first, then the type.
    assert_eq!(
        messages(&body),
        [
            "name should not be null or undefined",
            "name must be a string"
        ]
    );
    assert_eq!(body.error.as_deref(), Some("Bad Request"));
    assert_eq!((body.status_code, body.path.as_str()), (400, "/v1/topics"));
    assert!(
        server.fixture.topics.lock().unwrap().is_empty(),
        "the implementation was not called"
    );

    let (status, body) = refusal(
        server
            .client()
            .subscribers_list()
            .limit(1000u64)
            .send()
            .await,
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(messages(&body), ["limit must not be greater than 100"]);
    assert_eq!(body.path, "/v1/subscribers?limit=1000");

    let malformed_id = server.raw(Method::DELETE, "/v1/workflows/not-an-object-id");
    let (status, body) = raw_refusal(malformed_id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(messages(&body), ["workflowId must be a mongodb id"]);
}

#[tokio::test]
async fn static_segments_reach_the_operation_whose_parameter_they_fill() {
    let server = Server::start().await;
    let client = server.client();
    let bulk = types::CreateSubscriberRequest {
        avatar: None,
        channels: None,
        data: None,
        email: None,
        first_name: Some("Bulk".into()),
        last_name: None,
        locale: None,
        phone: None,
        subscriber_id: "bulk".into(),
    };
    client
        .subscribers_create()
        .body(bulk.clone())
        .send()
        .await
        .expect("subscriber created");

    // `/v1/subscribers/bulk` is also the path of `subscribers_create_bulk` (POST only).
    let fetched = client
        .subscribers_get()
        .subscriber_id("bulk")
        .send()
        .await
        .expect("subscriber found")
        .into_inner();
    assert_eq!(fetched.data.subscriber_id, "bulk");
    assert_eq!(fetched.data.first_name.as_deref(), Some("Bulk"));

    // `/v1/topics/{topicKey}/subscribers/removal` is also `topic_subscribers_remove` (POST only).
    let membership = client
        .topic_subscribers_get()
        .topic_key("t")
        .external_subscriber_id("removal")
        .send()
        .await
        .expect("membership");
    let membership = membership.into_inner().data;
    assert_eq!(membership.topic_key, "t");
    assert_eq!(membership.external_subscriber_id, "removal");
}

#[tokio::test]
async fn a_dashboard_only_route_refuses_an_api_key_before_the_key_is_looked_up() {
    let server = Server::start().await;
    for key in [API_KEY, "unknown-key"] {
        let request = server
            .raw_without_key(Method::POST, "/v1/invites/bulk")
            .header("authorization", format!("ApiKey {key}"));
        let (status, body) = raw_refusal(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key}");
        assert_eq!(messages(&body), ["API endpoint not available"], "{key}");
    }
    // A static route the dashboard's parameter route shadows keeps its own methods and
    // gains the dashboard's: `PUT /v1/environments/{id}` reads `me` as an id.
    let (status, body) = raw_refusal(server.raw(Method::PUT, "/v1/environments/me")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(messages(&body), ["API endpoint not available"]);
    let (status, body) = raw_refusal(server.raw_without_key(Method::GET, "/v1/preferences")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(messages(&body), ["Missing authorization header"]);
}

#[tokio::test]
async fn an_unknown_route_or_method_is_answered_with_404_and_the_error_body() {
    let server = Server::start().await;

    let (status, body) = raw_refusal(server.raw(Method::GET, "/v1/nowhere?page=1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["Cannot GET /v1/nowhere"]);
    assert_eq!(body.error.as_deref(), Some("Not Found"));
    assert_eq!(
        (body.status_code, body.path.as_str()),
        (404, "/v1/nowhere?page=1")
    );

    let (status, body) = raw_refusal(server.raw(Method::PATCH, "/v1/feeds")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(messages(&body), ["Cannot PATCH /v1/feeds"]);
}

#[test]
fn a_failure_becomes_the_documented_variant_of_its_status_and_only_that() {
    let context = RequestContext {
        path_and_query: "/v1/subscribers/ada".into(),
        headers: Default::default(),
    };
    let body = || error(404, &context, "Subscriber not found");
    assert!(matches!(
        SubscribersGetResponse::from_failure(StatusCode::NOT_FOUND, body()),
        Ok(SubscribersGetResponse::NotFound(_))
    ));
    assert!(matches!(
        SubscribersGetResponse::from_failure(StatusCode::TOO_MANY_REQUESTS, body()),
        Ok(SubscribersGetResponse::TooManyRequests(_))
    ));
    // `topics_create` documents no 404: the body comes back for the caller to decide.
    assert!(!TopicsCreateResponse::FAILURE_STATUSES.contains(&404));
    let refused = TopicsCreateResponse::from_failure(StatusCode::NOT_FOUND, body());
    assert_eq!(refused.err(), Some(body()));
    assert_eq!(
        SubscribersGetResponse::FAILURE_STATUSES,
        &[400, 401, 404, 429, 500]
    );
}

#[test]
fn optional_request_collections_keep_empty_apart_from_absent() {
    let read = |text: &str| -> types::UpdateIntegrationRequest {
        serde_json::from_str(text).expect("a valid update")
    };
    assert_eq!(read("{}").conditions, None);
    assert_eq!(read(r#"{"conditions": []}"#).conditions, Some(Vec::new()));
    // Written back, each keeps its form: absent stays absent, empty stays empty.
    let written = |text: &str| serde_json::to_value(read(text)).unwrap();
    assert_eq!(written("{}").get("conditions"), None);
    assert_eq!(written(r#"{"conditions": []}"#)["conditions"], json!([]));
}

#[test]
fn nullable_request_properties_keep_null_apart_from_absent() {
    let read = |text: &str| -> types::UpdateSubscriberRequest {
        serde_json::from_str(text).expect("a valid update")
    };
    assert_eq!(read("{}").email, None);
    assert_eq!(read(r#"{"email": null}"#).email, Some(None));
    let set = read(r#"{"email": "ada@example.com"}"#).email;
    assert!(matches!(set, Some(Some(_))), "{set:?}");
    // Written back, each keeps its form: absent stays absent, null stays null.
    assert_eq!(serde_json::to_value(read("{}")).unwrap(), json!({}));
    assert_eq!(
        serde_json::to_value(read(r#"{"email": null}"#)).unwrap(),
        json!({ "email": null })
    );
}
