//! `WorkflowGroupsApi`: the operations tagged `WorkflowGroups`.

use novu_server::*;

use crate::domain::{Caller, workflow_groups};

use super::{ReferenceApi, answer, envelope};

impl WorkflowGroupsApi for ReferenceApi {
    async fn workflow_groups_list(
        &self,
        request: WorkflowGroupsListRequest<Caller>,
    ) -> WorkflowGroupsListResponse {
        let outcome = self.read(request.caller, workflow_groups::list).await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowGroupsListResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            WorkflowGroupsCreateResponse::Created,
        )
    }

    async fn workflow_groups_retrieve(
        &self,
        request: WorkflowGroupsRetrieveRequest<Caller>,
    ) -> WorkflowGroupsRetrieveResponse {
        let id = request.path.id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflow_groups::get(transaction, caller, &id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowGroupsRetrieveResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            WorkflowGroupsUpdateResponse::Ok,
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
        answer(
            &request.context,
            envelope(outcome),
            WorkflowGroupsDeleteResponse::Ok,
        )
    }
}
