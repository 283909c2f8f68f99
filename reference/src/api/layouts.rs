//! `LayoutsApi`: the operations tagged `Layouts`.

use novu_server::*;

use crate::domain::{Caller, layouts};

use super::{ReferenceApi, answer, envelope, json_body, page};

impl LayoutsApi for ReferenceApi {
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
        answer(&request.context, page(outcome), LayoutsListResponse::Ok)
    }

    async fn layouts_create(&self, request: LayoutsCreateRequest<Caller>) -> LayoutsCreateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                layouts::create(transaction, caller, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            LayoutsCreateResponse::Created,
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
        answer(
            &request.context,
            envelope(outcome),
            LayoutsRetrieveResponse::Ok,
        )
    }

    async fn layouts_delete(&self, request: LayoutsDeleteRequest<Caller>) -> LayoutsDeleteResponse {
        let id = request.path.layout_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                layouts::delete(transaction, caller, &id)
            })
            .await;
        answer(&request.context, outcome, |()| {
            LayoutsDeleteResponse::NoContent
        })
    }

    async fn layouts_update(&self, request: LayoutsUpdateRequest<Caller>) -> LayoutsUpdateResponse {
        let id = request.path.layout_id;
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                layouts::update(transaction, caller, &id, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            LayoutsUpdateResponse::Ok,
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
        answer(&request.context, outcome, |()| {
            LayoutsSetDefaultResponse::NoContent
        })
    }
}
