//! `WorkflowOverridesApi`: the operations tagged `WorkflowOverrides`.

use novu_server::*;

use crate::domain::{Caller, workflow_overrides};

use super::{ReferenceApi, answer, envelope, json_body, page};

impl WorkflowOverridesApi for ReferenceApi {
    async fn workflow_overrides_list(
        &self,
        request: WorkflowOverridesListRequest<Caller>,
    ) -> WorkflowOverridesListResponse {
        let WorkflowOverridesListQuery {
            page: number,
            limit,
            ..
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflow_overrides::list(transaction, caller, number, limit)
            })
            .await;
        answer(
            &request.context,
            page(outcome),
            WorkflowOverridesListResponse::Ok,
        )
    }

    async fn workflow_overrides_create(
        &self,
        request: WorkflowOverridesCreateRequest<Caller>,
    ) -> WorkflowOverridesCreateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_overrides::create(transaction, caller, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowOverridesCreateResponse::Created,
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
        answer(
            &request.context,
            envelope(outcome),
            WorkflowOverridesRetrieveByTenantResponse::Ok,
        )
    }

    async fn workflow_overrides_update_by_tenant(
        &self,
        request: WorkflowOverridesUpdateByTenantRequest<Caller>,
    ) -> WorkflowOverridesUpdateByTenantResponse {
        let workflow_id = request.path.workflow_id.to_string();
        let tenant_id = request.path.tenant_id.to_string();
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_overrides::update_by_tenant(
                    transaction,
                    caller,
                    &workflow_id,
                    &tenant_id,
                    json_body(&body)?,
                )
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowOverridesUpdateByTenantResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            WorkflowOverridesRetrieveResponse::Ok,
        )
    }

    async fn workflow_overrides_update(
        &self,
        request: WorkflowOverridesUpdateRequest<Caller>,
    ) -> WorkflowOverridesUpdateResponse {
        let id = request.path.override_id.to_string();
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflow_overrides::update(transaction, caller, &id, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowOverridesUpdateResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            WorkflowOverridesDeleteResponse::Ok,
        )
    }
}
