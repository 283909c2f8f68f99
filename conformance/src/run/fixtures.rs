//! The fixtures: the resources a run creates so that later requests can address them (which
//! operations create what, where the new id is found), and how everything is deleted again.

use serde_json::{Value, json};

use super::context::Run;
use super::exchange::Exchange;
use super::requests::{fill_path, fill_query};
use crate::contract::Operation;
use crate::transport::{Body, Credentials, Request};

/// How an operation that creates something makes its id known, and how to delete it.
pub struct Producer {
    /// The operation that creates the resource.
    pub create: &'static str,
    /// `(name, where)`: `where` is a JSON pointer into the response (`/data/_id`) or, after
    /// `request:`, into the request body.
    pub captures: &'static [(&'static str, &'static str)],
    /// The delete operation and the name of its id.
    pub delete: Option<&'static str>,
}

/// The resources the run creates, in dependency order.
pub const PRODUCERS: &[Producer] = &[
    Producer {
        create: "workflow_groups_create",
        captures: &[("id", "/data/_id"), ("notificationGroupId", "/data/_id")],
        delete: Some("workflow_groups_delete"),
    },
    Producer {
        create: "subscribers_create",
        captures: &[
            ("subscriberId", "request:/subscriberId"),
            ("externalSubscriberId", "request:/subscriberId"),
        ],
        delete: Some("subscribers_delete"),
    },
    Producer {
        create: "tenants_create",
        captures: &[
            ("identifier", "request:/identifier"),
            ("tenantId", "/data/_id"),
        ],
        delete: Some("tenants_delete"),
    },
    Producer {
        create: "topics_create",
        captures: &[("topicKey", "request:/key")],
        delete: Some("topics_delete"),
    },
    Producer {
        create: "feeds_create",
        captures: &[("feedId", "/data/_id")],
        delete: Some("feeds_delete"),
    },
    Producer {
        create: "layouts_create",
        captures: &[("layoutId", "/data/_id")],
        delete: Some("layouts_delete"),
    },
    Producer {
        create: "integrations_create",
        captures: &[
            ("integrationId", "/data/_id"),
            ("providerOrIntegrationId", "/data/_id"),
        ],
        delete: Some("integrations_delete"),
    },
    Producer {
        create: "workflows_create",
        captures: &[("workflowId", "/data/_id")],
        delete: Some("workflows_delete"),
    },
    Producer {
        create: "notification_templates_create",
        captures: &[("templateId", "/data/_id")],
        delete: Some("notification_templates_delete"),
    },
    Producer {
        create: "workflow_overrides_create",
        captures: &[("overrideId", "/data/_id")],
        delete: Some("workflow_overrides_delete"),
    },
    Producer {
        create: "events_trigger",
        captures: &[("transactionId", "/data/transactionId")],
        delete: None,
    },
];

/// The create operations of the contract that make fixtures, in dependency order.
pub fn creates(run: &Run) -> Vec<Operation> {
    PRODUCERS
        .iter()
        .filter_map(|producer| run.spec.operation(producer.create).cloned())
        .collect()
}

/// Makes every fixture with requests that are neither counted nor judged, for the checks
/// that address them when no check makes them as its own requests.
pub async fn make_quietly(run: &Run) {
    for operation in &creates(run) {
        let exchange = create_quietly(run, operation).await;
        capture(run, operation, &exchange);
    }
}

/// Sends the create `operation` with a generated body, without counting or judging it.
pub async fn create_quietly(run: &Run, operation: &Operation) -> Exchange {
    let hints = run.hints();
    let request = Request {
        method: operation.method.clone(),
        path: fill_path(run, operation, &hints),
        query: fill_query(run, operation, &hints),
        body: operation.request_body.as_ref().map(|body| {
            Body::Json(
                run.generator
                    .value(&run.spec, &run.schemas, &body.schema, None, &hints),
            )
        }),
        credentials: Credentials::ApiKey,
        headers: Vec::new(),
    };
    run.quietly(request).await
}

/// Remembers the ids `exchange` made known and what to delete at the end.
pub fn capture(run: &Run, operation: &Operation, exchange: &Exchange) {
    let Some(producer) = PRODUCERS
        .iter()
        .find(|producer| producer.create == operation.operation_id)
    else {
        return;
    };
    if exchange
        .status()
        .is_none_or(|status| !(200..300).contains(&status))
    {
        return;
    }
    let response = exchange.json().unwrap_or(Value::Null);
    let request = match &exchange.request.body {
        Some(Body::Json(value)) => value.clone(),
        _ => Value::Null,
    };
    let mut first = None;
    for (name, location) in producer.captures {
        let value = match location.strip_prefix("request:") {
            Some(pointer) => request.pointer(pointer),
            None => response.pointer(location),
        };
        if let Some(value) = value.filter(|value| !value.is_null()) {
            run.remember(name, value.clone());
            first.get_or_insert_with(|| value.clone());
        }
    }
    // Bodies name some resources under other property names.
    if operation.operation_id == "subscribers_create"
        && let Some(subscriber) = &first
    {
        run.remember("subscribers", json!([subscriber]));
    }
    if let (Some(_), Some(value)) = (producer.delete, first) {
        run.created(producer.create, value);
    }
}

/// Deletes what the run created and did not delete itself, newest first.
pub async fn cleanup(run: &Run) {
    for (create, _) in run.made().iter().rev() {
        let Some(producer) = PRODUCERS.iter().find(|producer| producer.create == *create) else {
            continue;
        };
        let Some(delete) = producer.delete.filter(|delete| !run.was_deleted(delete)) else {
            continue;
        };
        let Some(operation) = run.spec.operation(delete) else {
            continue;
        };
        let hints = run.hints();
        let request = Request {
            method: operation.method.clone(),
            path: fill_path(run, operation, &hints),
            query: Vec::new(),
            body: None,
            credentials: Credentials::ApiKey,
            headers: Vec::new(),
        };
        let _ = run.http.send(&request).await;
    }
}

/// Deletes what `exchange` created, if it was a successful create of a resource the run knows
/// how to delete: the property checks create many and keep none.
pub async fn undo(run: &Run, operation: &Operation, exchange: &Exchange) {
    let Some(producer) = PRODUCERS
        .iter()
        .find(|producer| producer.create == operation.operation_id)
    else {
        return;
    };
    let Some(delete) = producer
        .delete
        .and_then(|delete| run.spec.operation(delete))
    else {
        return;
    };
    if exchange
        .status()
        .is_none_or(|status| !(200..300).contains(&status))
    {
        return;
    }
    let response = exchange.json().unwrap_or(Value::Null);
    let request = match &exchange.request.body {
        Some(Body::Json(value)) => value.clone(),
        _ => Value::Null,
    };
    let mut hints = run.hints();
    let mut captured = false;
    for (name, location) in producer.captures {
        let value = match location.strip_prefix("request:") {
            Some(pointer) => request.pointer(pointer),
            None => response.pointer(location),
        };
        if let Some(value) = value.filter(|value| !value.is_null()) {
            hints.insert((*name).to_owned(), value.clone());
            captured = true;
        }
    }
    if !captured {
        return;
    }
    let request = Request {
        method: delete.method.clone(),
        path: fill_path(run, delete, &hints),
        query: Vec::new(),
        body: None,
        credentials: Credentials::ApiKey,
        headers: Vec::new(),
    };
    let _ = run.http.send(&request).await;
}
