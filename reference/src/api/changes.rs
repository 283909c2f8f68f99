//! `ChangesApi`: the operations tagged `Changes`.

use novu_server::*;

use crate::domain::{Caller, changes};

use super::{ReferenceApi, answer, envelope, json_body, page};

impl ChangesApi for ReferenceApi {
    async fn changes_list(&self, request: ChangesListRequest<Caller>) -> ChangesListResponse {
        let ChangesListQuery {
            page: number,
            limit,
            promoted,
            ..
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                changes::list(transaction, caller, number, limit, &promoted)
            })
            .await;
        answer(&request.context, page(outcome), ChangesListResponse::Ok)
    }

    async fn changes_count(&self, request: ChangesCountRequest<Caller>) -> ChangesCountResponse {
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                changes::count(transaction, caller)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            ChangesCountResponse::Ok,
        )
    }

    async fn changes_apply(&self, request: ChangesApplyRequest<Caller>) -> ChangesApplyResponse {
        let change_id = request.path.change_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                changes::apply(transaction, caller, &change_id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            ChangesApplyResponse::Created,
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
        answer(
            &request.context,
            envelope(outcome),
            ChangesApplyBulkResponse::Created,
        )
    }
}
