//! `InboundParseApi`: the operations tagged `Inbound Parse`.

use novu_server::*;

use crate::domain::{Caller, environments};

use super::{ReferenceApi, answer, envelope};

impl InboundParseApi for ReferenceApi {
    async fn inbound_parse_mx_status(
        &self,
        request: InboundParseMxStatusRequest<Caller>,
    ) -> InboundParseMxStatusResponse {
        let outcome = self
            .read(request.caller, environments::mx_record_status)
            .await;
        answer(
            &request.context,
            envelope(outcome),
            InboundParseMxStatusResponse::Ok,
        )
    }
}
