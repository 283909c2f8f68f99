//! `EventsApi`: the operations tagged `Events`.

use novu_server::*;
use serde_json::json;

use crate::domain::{Caller, events};

use super::{ReferenceApi, answer, envelope, json_body};

impl EventsApi for ReferenceApi {
    async fn events_trigger(&self, request: EventsTriggerRequest<Caller>) -> EventsTriggerResponse {
        // The body as sent: the typed one cannot tell a left-out `actor` or `tenant` from null.
        let event = json_body(&request.body);
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                let event = event?;
                let triggered = events::trigger(
                    transaction,
                    caller,
                    &event,
                    events::Audience::To(&event["to"]),
                )?;
                Ok((triggered.body, triggered.earliest_due))
            })
            .await
            .map(|triggered| self.scheduled(triggered));
        answer(
            &request.context,
            envelope(outcome),
            EventsTriggerResponse::Created,
        )
    }

    async fn events_trigger_bulk(
        &self,
        request: EventsTriggerBulkRequest<Caller>,
    ) -> EventsTriggerBulkResponse {
        // The body as sent: a left-out `payload` is an error here, an empty one is not.
        let body = json_body(&request.body);
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                events::trigger_bulk(transaction, caller, &body?)
            })
            .await
            .map(|triggered| self.scheduled(triggered));
        answer(
            &request.context,
            envelope(outcome),
            EventsTriggerBulkResponse::Created,
        )
    }

    async fn events_broadcast(
        &self,
        request: EventsBroadcastRequest<Caller>,
    ) -> EventsBroadcastResponse {
        let event = json_body(&request.body);
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                events::broadcast(transaction, caller, event?)
            })
            .await
            .map(|triggered| self.scheduled(triggered));
        answer(
            &request.context,
            envelope(outcome),
            EventsBroadcastResponse::Created,
        )
    }

    async fn events_cancel(&self, request: EventsCancelRequest<Caller>) -> EventsCancelResponse {
        let transaction_id = request.path.transaction_id;
        let outcome = self
            .run(request.caller, move |transaction, caller| {
                Ok(json!(events::cancel(transaction, caller, &transaction_id)?))
            })
            .await;
        answer(
            &request.context,
            envelope(outcome),
            EventsCancelResponse::Ok,
        )
    }
}
