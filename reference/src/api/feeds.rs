//! `FeedsApi`: the operations tagged `Feeds`.

use novu_server::*;

use crate::domain::{Caller, feeds};

use super::{ReferenceApi, answer, envelope};

impl FeedsApi for ReferenceApi {
    async fn feeds_list(&self, request: FeedsListRequest<Caller>) -> FeedsListResponse {
        let outcome = self.read(request.caller, feeds::list).await;
        answer(&request.context, envelope(outcome), FeedsListResponse::Ok)
    }

    async fn feeds_create(&self, request: FeedsCreateRequest<Caller>) -> FeedsCreateResponse {
        let name = request.body.name;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                feeds::create(transaction, caller, &name)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            FeedsCreateResponse::Created,
        )
    }

    async fn feeds_delete(&self, request: FeedsDeleteRequest<Caller>) -> FeedsDeleteResponse {
        let feed_id = request.path.feed_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                feeds::delete(transaction, caller, &feed_id)
            })
            .await;
        answer(&request.context, envelope(outcome), FeedsDeleteResponse::Ok)
    }
}
