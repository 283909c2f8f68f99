//! `ExecutionDetailsApi`: the operations tagged `ExecutionDetails`.

use novu_server::*;

use crate::domain::{Caller, activity};

use super::{ReferenceApi, answer, envelope};

impl ExecutionDetailsApi for ReferenceApi {
    async fn execution_details_list(
        &self,
        request: ExecutionDetailsListRequest<Caller>,
    ) -> ExecutionDetailsListResponse {
        let query = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                activity::execution_details(
                    transaction,
                    caller,
                    &query.notification_id,
                    &query.subscriber_id,
                )
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            ExecutionDetailsListResponse::Ok,
        )
    }
}
