//! `WorkflowsApi`: the operations tagged `Workflows`.

use novu_server::*;

use crate::domain::{Caller, workflows};

use super::{ReferenceApi, answer, envelope, json_body, page};

impl WorkflowsApi for ReferenceApi {
    async fn workflows_list(&self, request: WorkflowsListRequest<Caller>) -> WorkflowsListResponse {
        let WorkflowsListQuery {
            page: number,
            limit,
            query,
            ..
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflows::list(transaction, caller, number, limit, query.as_deref())
            })
            .await;
        answer(&request.context, page(outcome), WorkflowsListResponse::Ok)
    }

    async fn workflows_create(
        &self,
        request: WorkflowsCreateRequest<Caller>,
    ) -> WorkflowsCreateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::create(transaction, caller, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowsCreateResponse::Created,
        )
    }

    async fn workflows_retrieve(
        &self,
        request: WorkflowsRetrieveRequest<Caller>,
    ) -> WorkflowsRetrieveResponse {
        let id = request.path.workflow_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflows::get(transaction, caller, &id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowsRetrieveResponse::Ok,
        )
    }

    async fn workflows_update(
        &self,
        request: WorkflowsUpdateRequest<Caller>,
    ) -> WorkflowsUpdateResponse {
        let id = request.path.workflow_id.to_string();
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::update(transaction, caller, &id, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowsUpdateResponse::Ok,
        )
    }

    async fn workflows_delete(
        &self,
        request: WorkflowsDeleteRequest<Caller>,
    ) -> WorkflowsDeleteResponse {
        let id = request.path.workflow_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::delete(transaction, caller, &id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowsDeleteResponse::Ok,
        )
    }

    async fn workflow_status_update(
        &self,
        request: WorkflowStatusUpdateRequest<Caller>,
    ) -> WorkflowStatusUpdateResponse {
        let id = request.path.workflow_id.to_string();
        let active = request.body.active;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::update_status(transaction, caller, &id, active)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowStatusUpdateResponse::Ok,
        )
    }

    async fn workflow_variables_retrieve(
        &self,
        request: WorkflowVariablesRetrieveRequest<Caller>,
    ) -> WorkflowVariablesRetrieveResponse {
        let outcome = self.read(request.caller, workflows::variables).await;
        answer(
            &request.context,
            envelope(outcome),
            WorkflowVariablesRetrieveResponse::Ok,
        )
    }

    async fn notification_templates_list(
        &self,
        request: NotificationTemplatesListRequest<Caller>,
    ) -> NotificationTemplatesListResponse {
        let NotificationTemplatesListQuery {
            page: number,
            limit,
            query,
            ..
        } = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflows::list(transaction, caller, number, limit, query.as_deref())
            })
            .await;
        answer(
            &request.context,
            page(outcome),
            NotificationTemplatesListResponse::Ok,
        )
    }

    async fn notification_templates_create(
        &self,
        request: NotificationTemplatesCreateRequest<Caller>,
    ) -> NotificationTemplatesCreateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::create(transaction, caller, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            NotificationTemplatesCreateResponse::Created,
        )
    }

    async fn notification_templates_retrieve(
        &self,
        request: NotificationTemplatesRetrieveRequest<Caller>,
    ) -> NotificationTemplatesRetrieveResponse {
        let id = request.path.template_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                workflows::get(transaction, caller, &id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            NotificationTemplatesRetrieveResponse::Ok,
        )
    }

    async fn notification_templates_update(
        &self,
        request: NotificationTemplatesUpdateRequest<Caller>,
    ) -> NotificationTemplatesUpdateResponse {
        let id = request.path.template_id.to_string();
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::update(transaction, caller, &id, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            NotificationTemplatesUpdateResponse::Ok,
        )
    }

    async fn notification_templates_delete(
        &self,
        request: NotificationTemplatesDeleteRequest<Caller>,
    ) -> NotificationTemplatesDeleteResponse {
        let id = request.path.template_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::delete(transaction, caller, &id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            NotificationTemplatesDeleteResponse::Ok,
        )
    }

    async fn notification_template_status_update(
        &self,
        request: NotificationTemplateStatusUpdateRequest<Caller>,
    ) -> NotificationTemplateStatusUpdateResponse {
        let id = request.path.template_id.to_string();
        let active = request.body.active;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                workflows::update_status(transaction, caller, &id, active)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            NotificationTemplateStatusUpdateResponse::Ok,
        )
    }
}
