//! `EnvironmentsApi`: the operations tagged `Environments`.

use novu_server::*;

use crate::domain::{Caller, environments};

use super::{ReferenceApi, answer, envelope};

impl EnvironmentsApi for ReferenceApi {
    async fn environments_list(
        &self,
        request: EnvironmentsListRequest<Caller>,
    ) -> EnvironmentsListResponse {
        let outcome = self.read(request.caller, environments::list).await;
        answer(
            &request.context,
            envelope(outcome),
            EnvironmentsListResponse::Ok,
        )
    }

    async fn environment_api_keys_list(
        &self,
        request: EnvironmentApiKeysListRequest<Caller>,
    ) -> EnvironmentApiKeysListResponse {
        let outcome = self.read(request.caller, environments::api_keys).await;
        answer(
            &request.context,
            envelope(outcome),
            EnvironmentApiKeysListResponse::Ok,
        )
    }

    async fn environments_retrieve_current(
        &self,
        request: EnvironmentsRetrieveCurrentRequest<Caller>,
    ) -> EnvironmentsRetrieveCurrentResponse {
        let outcome = self.read(request.caller, environments::current).await;
        answer(
            &request.context,
            envelope(outcome),
            EnvironmentsRetrieveCurrentResponse::Ok,
        )
    }
}
