//! `EventsApi`: the operations tagged `Events`.

use novu_server::*;
use serde_json::{Value, json};

use crate::failure::{Failure, Status};
use crate::ids;
use crate::resources::{Caller, events};

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
                let body = body?;
                let events = body["events"].as_array().cloned().unwrap_or_default();
                if events.len() > 100 {
                    return Err(Failure::bad_request(
                        "events must contain no more than 100 elements",
                    ));
                }
                let mut results = Vec::new();
                let mut earliest_due: Option<i64> = None;
                for event in &events {
                    if !event["payload"].is_object() {
                        let mut result = events::acknowledgement("error", None);
                        result["error"] = json!(["payload should not be null or undefined"]);
                        results.push(result);
                        continue;
                    }
                    // Each event runs in its own savepoint: a failed one leaves nothing behind
                    // and does not stop the others.
                    transaction.execute_batch("SAVEPOINT bulk_event")?;
                    let audience = events::Audience::To(&event["to"]);
                    match events::trigger(transaction, caller, event, audience) {
                        Ok(triggered) => {
                            transaction.execute_batch("RELEASE bulk_event")?;
                            results.push(triggered.body);
                            earliest_due =
                                earliest_due.into_iter().chain(triggered.earliest_due).min();
                        }
                        Err(failure) if failure.status != Status::InternalServerError => {
                            transaction
                                .execute_batch("ROLLBACK TO bulk_event; RELEASE bulk_event")?;
                            let mut result = events::acknowledgement("error", None);
                            result["error"] = json!([failure.message()]);
                            results.push(result);
                        }
                        Err(failure) => return Err(failure),
                    }
                }
                Ok((Value::Array(results), earliest_due))
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
                let mut event = event?;
                let transaction_id = event["transactionId"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(ids::uuid);
                event["transactionId"] = json!(transaction_id);
                // A broadcast answers `processed` whatever the workflow's state; an unknown
                // workflow is the only rejection, and it has no documented status here.
                transaction.execute_batch("SAVEPOINT broadcast")?;
                let earliest_due = match events::trigger(
                    transaction,
                    caller,
                    &event,
                    events::Audience::Everyone,
                ) {
                    Ok(triggered) => {
                        transaction.execute_batch("RELEASE broadcast")?;
                        triggered.earliest_due
                    }
                    Err(failure) if failure.status != Status::InternalServerError => {
                        transaction.execute_batch("ROLLBACK TO broadcast; RELEASE broadcast")?;
                        None
                    }
                    Err(failure) => return Err(failure),
                };
                Ok((
                    events::acknowledgement("processed", Some(&transaction_id)),
                    earliest_due,
                ))
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
