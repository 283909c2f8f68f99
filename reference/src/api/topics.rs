//! `TopicsApi`: the operations tagged `Topics`.

use novu_server::types;
use novu_server::*;

use crate::domain::{Caller, topics};

use super::{ReferenceApi, answer, envelope, page};

impl TopicsApi for ReferenceApi {
    async fn topics_list(&self, request: TopicsListRequest<Caller>) -> TopicsListResponse {
        let TopicsListQuery {
            page: number,
            page_size,
            key,
            ..
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                topics::list(transaction, caller, number, page_size, key.as_deref())
            })
            .await;
        answer(&request.context, page(outcome), TopicsListResponse::Ok)
    }

    async fn topics_create(&self, request: TopicsCreateRequest<Caller>) -> TopicsCreateResponse {
        let types::CreateTopicRequest { key, name } = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                topics::create(transaction, caller, &key, &name)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            TopicsCreateResponse::Created,
        )
    }

    async fn topics_get(&self, request: TopicsGetRequest<Caller>) -> TopicsGetResponse {
        let key = request.path.topic_key;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                topics::get(transaction, caller, &key)
            })
            .await;
        answer(&request.context, envelope(outcome), TopicsGetResponse::Ok)
    }

    async fn topics_delete(&self, request: TopicsDeleteRequest<Caller>) -> TopicsDeleteResponse {
        let key = request.path.topic_key;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                topics::delete(transaction, caller, &key)
            })
            .await;
        answer(&request.context, outcome, |()| {
            TopicsDeleteResponse::NoContent
        })
    }

    async fn topics_rename(&self, request: TopicsRenameRequest<Caller>) -> TopicsRenameResponse {
        let key = request.path.topic_key;
        let name = request.body.name;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                topics::rename(transaction, caller, &key, &name)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            TopicsRenameResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            TopicSubscribersAddResponse::Ok,
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
        answer(&request.context, outcome, |()| {
            TopicSubscribersRemoveResponse::NoContent
        })
    }

    async fn topic_subscribers_get(
        &self,
        request: TopicSubscribersGetRequest<Caller>,
    ) -> TopicSubscribersGetResponse {
        let TopicSubscribersGetPath {
            topic_key,
            external_subscriber_id,
            ..
        } = request.path;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                topics::get_subscriber(transaction, caller, &topic_key, &external_subscriber_id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            TopicSubscribersGetResponse::Ok,
        )
    }
}
