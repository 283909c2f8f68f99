//! `NotificationsApi`: the operations tagged `Notifications`.

use novu_server::*;

use crate::domain::{Caller, activity};

use super::{ReferenceApi, answer, envelope, page};

impl NotificationsApi for ReferenceApi {
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
        answer(
            &request.context,
            page(outcome),
            NotificationsListResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            NotificationsStatsResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            NotificationsGraphStatsResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            NotificationsGetResponse::Ok,
        )
    }
}
