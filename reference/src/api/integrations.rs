//! `IntegrationsApi`: the operations tagged `Integrations`.

use novu_server::*;

use crate::domain::{Caller, integrations};

use super::{ReferenceApi, answer, envelope, json_body};

impl IntegrationsApi for ReferenceApi {
    async fn integrations_list(
        &self,
        request: IntegrationsListRequest<Caller>,
    ) -> IntegrationsListResponse {
        let outcome = self.read(request.caller, integrations::list).await;
        answer(
            &request.context,
            envelope(outcome),
            IntegrationsListResponse::Ok,
        )
    }

    async fn integrations_create(
        &self,
        request: IntegrationsCreateRequest<Caller>,
    ) -> IntegrationsCreateResponse {
        let body = request.body;
        let credentials = self.novu_credentials;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                integrations::create(transaction, caller, json_body(&body)?, credentials)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            IntegrationsCreateResponse::Created,
        )
    }

    async fn integrations_list_active(
        &self,
        request: IntegrationsListActiveRequest<Caller>,
    ) -> IntegrationsListActiveResponse {
        let outcome = self.read(request.caller, integrations::list_active).await;
        answer(
            &request.context,
            envelope(outcome),
            IntegrationsListActiveResponse::Ok,
        )
    }

    async fn integration_webhook_status_retrieve(
        &self,
        request: IntegrationWebhookStatusRetrieveRequest<Caller>,
    ) -> IntegrationWebhookStatusRetrieveResponse {
        let id = request.path.provider_or_integration_id;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                integrations::webhook_status(transaction, caller, &id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            IntegrationWebhookStatusRetrieveResponse::Ok,
        )
    }

    async fn integrations_update(
        &self,
        request: IntegrationsUpdateRequest<Caller>,
    ) -> IntegrationsUpdateResponse {
        let id = request.path.integration_id;
        // The raw body, because `conditions: []` (clear them) and a missing `conditions` read
        // the same in the typed body.
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                integrations::update(transaction, caller, &id, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            IntegrationsUpdateResponse::Ok,
        )
    }

    async fn integrations_delete(
        &self,
        request: IntegrationsDeleteRequest<Caller>,
    ) -> IntegrationsDeleteResponse {
        let id = request.path.integration_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                integrations::delete(transaction, caller, &id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            IntegrationsDeleteResponse::Ok,
        )
    }

    async fn integrations_set_primary(
        &self,
        request: IntegrationsSetPrimaryRequest<Caller>,
    ) -> IntegrationsSetPrimaryResponse {
        let id = request.path.integration_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                integrations::set_primary(transaction, caller, &id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            IntegrationsSetPrimaryResponse::Created,
        )
    }
}
