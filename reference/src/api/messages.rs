//! `MessagesApi`: the operations tagged `Messages`.

use novu_server::*;

use crate::domain::{Caller, messages};

use super::{ReferenceApi, answer, envelope, page};

impl MessagesApi for ReferenceApi {
    async fn messages_list(&self, request: MessagesListRequest<Caller>) -> MessagesListResponse {
        let query = request.query;
        let outcome = self
            .read(request.caller, move |transaction, caller| {
                messages::list(
                    transaction,
                    caller,
                    messages::ListQuery {
                        channel: query.channel,
                        subscriber_id: query.subscriber_id,
                        transaction_ids: query.transaction_id,
                        page: query.page,
                        limit: query.limit,
                    },
                )
            })
            .await;
        answer(&request.context, page(outcome), MessagesListResponse::Ok)
    }

    async fn messages_delete(
        &self,
        request: MessagesDeleteRequest<Caller>,
    ) -> MessagesDeleteResponse {
        let message_id = request.path.message_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                messages::delete(transaction, caller, &message_id)
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            MessagesDeleteResponse::Ok,
        )
    }

    async fn messages_delete_by_transaction(
        &self,
        request: MessagesDeleteByTransactionRequest<Caller>,
    ) -> MessagesDeleteByTransactionResponse {
        let transaction_id = request.path.transaction_id;
        let channel = request.query.channel.map(|channel| channel.to_string());
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                messages::delete_by_transaction(
                    transaction,
                    caller,
                    &transaction_id,
                    channel.as_deref(),
                )
            })
            .await;
        answer(&request.context, outcome, |()| {
            MessagesDeleteByTransactionResponse::NoContent
        })
    }
}
