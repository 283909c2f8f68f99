//! `SubscribersApi`: the operations tagged `Subscribers`.

use novu_server::*;
use serde_json::{Value, json};

use crate::domain::subscribers::Mode;
use crate::domain::{Caller, chat_oauth, messages, preferences, subscribers};

use super::{ReferenceApi, answer, api_root_url, envelope, json_body, page};

impl SubscribersApi for ReferenceApi {
    async fn subscribers_list(
        &self,
        request: SubscribersListRequest<Caller>,
    ) -> SubscribersListResponse {
        let SubscribersListQuery {
            page: number,
            limit,
            ..
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                subscribers::list(transaction, caller, number, limit)
            })
            .await;
        answer(&request.context, page(outcome), SubscribersListResponse::Ok)
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
        answer(
            &request.context,
            envelope(outcome),
            SubscribersCreateResponse::Created,
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
        answer(
            &request.context,
            envelope(outcome),
            SubscribersCreateBulkResponse::Created,
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
        answer(
            &request.context,
            envelope(outcome),
            SubscribersGetResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            SubscribersUpdateResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            SubscribersDeleteResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            SubscriberCredentialsUpdateResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            SubscriberCredentialsAppendResponse::Ok,
        )
    }

    async fn subscriber_credentials_delete(
        &self,
        request: SubscriberCredentialsDeleteRequest<Caller>,
    ) -> SubscriberCredentialsDeleteResponse {
        let SubscriberCredentialsDeletePath {
            subscriber_id,
            provider_id,
            ..
        } = request.path;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                subscribers::delete_credentials(transaction, caller, &subscriber_id, &provider_id)
            })
            .await;
        answer(&request.context, outcome, |()| {
            SubscriberCredentialsDeleteResponse::NoContent
        })
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
        answer(
            &request.context,
            envelope(outcome),
            SubscriberOnlineStatusUpdateResponse::Ok,
        )
    }

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
        answer(
            &request.context,
            envelope(outcome),
            SubscriberPreferencesListResponse::Ok,
        )
    }

    async fn subscriber_preferences_get_by_level(
        &self,
        request: SubscriberPreferencesGetByLevelRequest<Caller>,
    ) -> SubscriberPreferencesGetByLevelResponse {
        let SubscriberPreferencesGetByLevelPath {
            subscriber_id,
            parameter,
            ..
        } = request.path;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                preferences::by_level(transaction, caller, &subscriber_id, &parameter)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            SubscriberPreferencesGetByLevelResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            SubscriberPreferencesUpdateResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            SubscriberPreferencesUpdateGlobalResponse::Ok,
        )
    }

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
        answer(&request.context, outcome, |location| {
            SubscriberChatOauthResponse::Found {
                location: Some(location),
            }
        })
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
        answer(
            &request.context,
            outcome,
            SubscriberChatOauthCallbackResponse::Ok,
        )
    }

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
        answer(
            &request.context,
            page(outcome),
            SubscriberNotificationsFeedResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            SubscriberNotificationsUnseenCountResponse::Ok,
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
                    messages::string_list(&body["messageId"]),
                    mark_as,
                )
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            SubscriberMessagesMarkAsResponse::Created,
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
                    .then(|| messages::string_list(&body["feedIdentifier"]));
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
        answer(
            &request.context,
            envelope(outcome),
            SubscriberMessagesMarkAllResponse::Created,
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
                    Value::Object(body.payload.unwrap_or_default()),
                )
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            SubscriberMessageActionUpdateResponse::Created,
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
                    &body["messageId"],
                    &body["mark"],
                )
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            SubscriberMessagesMarkAsLegacyResponse::Created,
        )
    }
}
