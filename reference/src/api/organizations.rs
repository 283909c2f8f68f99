//! `OrganizationsApi`: the operations tagged `Organizations`.

use novu_server::*;

use crate::domain::{Caller, organizations};

use super::{ReferenceApi, answer, envelope, json_body};

impl OrganizationsApi for ReferenceApi {
    async fn organizations_list(
        &self,
        request: OrganizationsListRequest<Caller>,
    ) -> OrganizationsListResponse {
        let outcome = self.read(request.caller, organizations::list).await;
        answer(
            &request.context,
            envelope(outcome),
            OrganizationsListResponse::Ok,
        )
    }

    async fn organizations_retrieve_current(
        &self,
        request: OrganizationsRetrieveCurrentRequest<Caller>,
    ) -> OrganizationsRetrieveCurrentResponse {
        let outcome = self.read(request.caller, organizations::current).await;
        answer(
            &request.context,
            envelope(outcome),
            OrganizationsRetrieveCurrentResponse::Ok,
        )
    }

    async fn organizations_rename(
        &self,
        request: OrganizationsRenameRequest<Caller>,
    ) -> OrganizationsRenameResponse {
        let name = request.body.name;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                organizations::rename(transaction, caller, &name)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            OrganizationsRenameResponse::Ok,
        )
    }

    async fn organization_branding_update(
        &self,
        request: OrganizationBrandingUpdateRequest<Caller>,
    ) -> OrganizationBrandingUpdateResponse {
        let body = request.body;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                organizations::update_branding(transaction, caller, json_body(&body)?)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            OrganizationBrandingUpdateResponse::Ok,
        )
    }

    async fn organization_members_list(
        &self,
        request: OrganizationMembersListRequest<Caller>,
    ) -> OrganizationMembersListResponse {
        let outcome = self.read(request.caller, organizations::members).await;
        answer(
            &request.context,
            envelope(outcome),
            OrganizationMembersListResponse::Ok,
        )
    }

    async fn organizations_create(
        &self,
        request: OrganizationsCreateRequest<Caller>,
    ) -> OrganizationsCreateResponse {
        let body = request.body;
        let credentials = self.novu_credentials;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                organizations::create(transaction, caller, &json_body(&body)?, credentials)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            OrganizationsCreateResponse::Created,
        )
    }

    async fn organization_members_delete(
        &self,
        request: OrganizationMembersDeleteRequest<Caller>,
    ) -> OrganizationMembersDeleteResponse {
        let member_id = request.path.member_id.to_string();
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                organizations::remove_member(transaction, caller, &member_id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            OrganizationMembersDeleteResponse::Ok,
        )
    }

    async fn organization_member_roles_update(
        &self,
        request: OrganizationMemberRolesUpdateRequest<Caller>,
    ) -> OrganizationMemberRolesUpdateResponse {
        let member_id = request.path.member_id.to_string();
        let role = json_body(&request.body.role);
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                let role = role?;
                organizations::update_member_role(
                    transaction,
                    caller,
                    &member_id,
                    role.as_str().unwrap_or_default(),
                )
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            OrganizationMemberRolesUpdateResponse::Ok,
        )
    }
}
