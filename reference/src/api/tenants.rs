//! `TenantsApi`: the operations tagged `Tenants`.

use novu_server::*;

use crate::domain::{Caller, tenants};

use super::{ReferenceApi, answer, envelope, json_body, page};

impl TenantsApi for ReferenceApi {
    async fn tenants_list(&self, request: TenantsListRequest<Caller>) -> TenantsListResponse {
        let TenantsListQuery {
            page: number,
            limit,
            ..
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                tenants::list(transaction, caller, number, limit)
            })
            .await;
        answer(&request.context, page(outcome), TenantsListResponse::Ok)
    }

    async fn tenants_create(&self, request: TenantsCreateRequest<Caller>) -> TenantsCreateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                tenants::create(transaction, caller, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            TenantsCreateResponse::Created,
        )
    }

    async fn tenants_get(&self, request: TenantsGetRequest<Caller>) -> TenantsGetResponse {
        let identifier = request.path.identifier;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                tenants::get(transaction, caller, &identifier)
            })
            .await;
        answer(&request.context, envelope(outcome), TenantsGetResponse::Ok)
    }

    async fn tenants_update(&self, request: TenantsUpdateRequest<Caller>) -> TenantsUpdateResponse {
        let identifier = request.path.identifier;
        // No body reads as `{}`, as Novu's JSON parser gives the DTO.
        let body = request.body.unwrap_or_default();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                tenants::update(transaction, caller, &identifier, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            TenantsUpdateResponse::Ok,
        )
    }

    async fn tenants_delete(&self, request: TenantsDeleteRequest<Caller>) -> TenantsDeleteResponse {
        let identifier = request.path.identifier;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                tenants::delete(transaction, caller, &identifier)
            })
            .await;
        answer(&request.context, outcome, |()| {
            TenantsDeleteResponse::NoContent
        })
    }
}
