//! The events resource: trigger, bulk trigger, broadcast and cancel.
//!
//! A trigger finds its workflow (and the tenant's override of it), checks the reserved
//! variables, resolves its recipients (subscriber ids, inline subscribers, topics, or everyone
//! for a broadcast) and hands them to the workflow engine ([`crate::engine`]), which runs the
//! steps inside the same transaction. Cancelling stops what a transaction still has waiting.

use rusqlite::{Transaction, params};
use serde_json::{Map, Value, json};

use super::{Caller, subscribers};
use crate::engine::{Run, hand_over_digest, save_job};
use crate::failure::{Failure, Outcome};
use crate::ids;
use crate::store::{documents, first_document, savepoint};

/// Who a trigger goes to.
pub(crate) enum Audience<'a> {
    /// The `to` of the request: subscriber ids, subscriber objects and topics.
    To(&'a Value),
    /// Every subscriber of the environment (broadcast).
    Everyone,
}

/// What one trigger did: the result body, and when the earliest job it left waiting is due.
pub(crate) struct Triggered {
    pub body: Value,
    /// Unix milliseconds; the scheduler must be told once the transaction has committed.
    pub earliest_due: Option<i64>,
}

impl Triggered {
    fn answer(body: Value) -> Self {
        Self {
            body,
            earliest_due: None,
        }
    }
}

/// One trigger (`events_trigger`, one element of a bulk, or a broadcast).
pub(crate) fn trigger(
    transaction: &Transaction,
    caller: &Caller,
    event: &Value,
    audience: Audience<'_>,
) -> Outcome<Triggered> {
    let name = event["name"].as_str().unwrap_or_default();
    let workflow = first_document(
        transaction,
        "SELECT doc FROM workflows WHERE trigger_identifier = ?1 AND environment_id = ?2 AND deleted = 0",
        params![name, caller.environment_id],
    )?
    .ok_or_else(|| Failure::unprocessable("workflow_not_found"))?;
    require_reserved_variables(&workflow, event)?;
    require_payload_variables(&workflow, event)?;
    let tenant = match tenant_identifier(&event["tenant"]) {
        Some(identifier) => match first_document(
            transaction,
            "SELECT doc FROM tenants WHERE environment_id = ?1 AND identifier = ?2",
            params![caller.environment_id, identifier],
        )? {
            Some(tenant) => Some(tenant),
            None => return Ok(Triggered::answer(acknowledgement("no_tenant_found", None))),
        },
        None => None,
    };
    // A tenant's workflow override, when there is one, decides instead of the workflow.
    let active = match override_active(transaction, caller, &workflow, tenant.as_ref())? {
        Some(active) => active,
        None => workflow["active"].as_bool().unwrap_or(false),
    };
    if !active {
        return Ok(Triggered::answer(acknowledgement(
            "trigger_not_active",
            None,
        )));
    }
    let steps = workflow["steps"].as_array().cloned().unwrap_or_default();
    if steps.is_empty() {
        return Ok(Triggered::answer(acknowledgement(
            "no_workflow_steps_defined",
            None,
        )));
    }
    let steps: Vec<Value> = steps
        .into_iter()
        .filter(|step| step["active"].as_bool().unwrap_or(true))
        .collect();
    if steps.is_empty() {
        return Ok(Triggered::answer(acknowledgement(
            "no_workflow_active_steps_defined",
            None,
        )));
    }
    verify_payload(&workflow, &event["payload"])?;
    let transaction_id = event["transactionId"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(ids::uuid);
    // Novu's worker drops a trigger whose `transactionId` already has jobs in the environment
    // (`transactionId property is not unique`), after the API has answered it as processed.
    if event["transactionId"].is_string() && has_jobs(transaction, caller, &transaction_id)? {
        return Ok(Triggered::answer(acknowledgement(
            "processed",
            Some(&transaction_id),
        )));
    }
    let actor = match &event["actor"] {
        Value::Null => None,
        given => Some(subscriber_for(transaction, caller, given)?),
    };
    let recipients = match audience {
        Audience::To(to) => recipients(transaction, caller, to, actor.as_ref())?,
        Audience::Everyone => documents(
            transaction,
            "SELECT doc FROM subscribers WHERE environment_id = ?1 AND deleted = 0 ORDER BY rowid",
            [&caller.environment_id],
        )?,
    };
    let run = Run::new(
        caller,
        &workflow,
        &steps,
        event,
        tenant.as_ref(),
        actor.as_ref(),
        &transaction_id,
    );
    for subscriber in &recipients {
        run.deliver(transaction, subscriber)?;
    }
    Ok(Triggered {
        body: acknowledgement("processed", Some(&transaction_id)),
        earliest_due: run.earliest_due(),
    })
}

/// A bulk trigger (`events_trigger_bulk`): each event runs in its own savepoint, so a failed
/// one leaves nothing behind and does not stop the others. Answers one result per event and
/// the earliest due time the events left waiting.
pub(crate) fn trigger_bulk(
    transaction: &Transaction,
    caller: &Caller,
    body: &Value,
) -> Outcome<(Value, Option<i64>)> {
    let events = body["events"].as_array().cloned().unwrap_or_default();
    if events.len() > 100 {
        return Err(Failure::bad_request(
            "events must contain no more than 100 elements",
        ));
    }
    let mut results = Vec::new();
    let mut earliest_due: Option<i64> = None;
    for event in &events {
        let problems = event_problems(event);
        if !problems.is_empty() {
            let mut result = acknowledgement("error", None);
            result["error"] = json!(problems);
            results.push(result);
            continue;
        }
        let audience = Audience::To(&event["to"]);
        match savepoint(transaction, "bulk_event", |transaction| {
            trigger(transaction, caller, event, audience)
        })? {
            Ok(triggered) => {
                results.push(triggered.body);
                earliest_due = earliest_due.into_iter().chain(triggered.earliest_due).min();
            }
            Err(failure) => {
                let mut result = acknowledgement("error", None);
                result["error"] = json!([failure.message()]);
                results.push(result);
            }
        }
    }
    Ok((Value::Array(results), earliest_due))
}

/// What Novu's trigger command refuses in one event of a bulk, which the request itself does
/// not validate: its messages name the command's fields (`identifier` for `name`), presence
/// first, in the command's field order.
fn event_problems(event: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let name = &event["name"];
    if name.is_null() {
        problems.push("identifier should not be null or undefined".to_owned());
    }
    if !name.is_string() {
        problems.push("identifier must be a string".to_owned());
    }
    if event["payload"].is_null() {
        problems.push("payload should not be null or undefined".to_owned());
    }
    if !(event["transactionId"].is_null() || event["transactionId"].is_string()) {
        problems.push("transactionId must be a string".to_owned());
    }
    if event["to"].is_null() {
        problems.push("to should not be null or undefined".to_owned());
    }
    problems
}

/// A broadcast (`events_broadcast`) to every subscriber of the environment. It answers
/// `processed` whatever the workflow's state; an unknown workflow is the only rejection, and it
/// has no documented status here, so the broadcast's savepoint rolls it back and answers
/// `processed` all the same. Answers the body and the earliest due time it left waiting.
pub(crate) fn broadcast(
    transaction: &Transaction,
    caller: &Caller,
    mut event: Value,
) -> Outcome<(Value, Option<i64>)> {
    let transaction_id = event["transactionId"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(ids::uuid);
    event["transactionId"] = json!(transaction_id);
    let earliest_due = match savepoint(transaction, "broadcast", |transaction| {
        trigger(transaction, caller, &event, Audience::Everyone)
    })? {
        Ok(triggered) => triggered.earliest_due,
        Err(_) => None,
    };
    Ok((
        acknowledgement("processed", Some(&transaction_id)),
        earliest_due,
    ))
}

/// Cancels what a transaction still has waiting; `true` when a delay or digest was waiting.
/// Novu's `CancelDelayed`: the transaction's `delayed` and `merged` jobs, and its `pending` ones
/// when one of those is a delay or digest step. A cancelled digest leader hands its place to
/// the oldest event merged into it, which then waits in its stead.
pub(crate) fn cancel(
    transaction: &Transaction,
    caller: &Caller,
    transaction_id: &str,
) -> Outcome<bool> {
    let waiting = documents(
        transaction,
        "SELECT doc FROM jobs WHERE environment_id = ?1 AND transaction_id = ?2 AND status IN ('delayed', 'merged') ORDER BY rowid",
        params![caller.environment_id, transaction_id],
    )?;
    if waiting.is_empty() {
        return Ok(false);
    }
    let mut jobs = waiting.clone();
    if waiting
        .iter()
        .any(|job| job["type"] == "delay" || job["type"] == "digest")
    {
        jobs.extend(documents(
            transaction,
            "SELECT doc FROM jobs WHERE environment_id = ?1 AND transaction_id = ?2 AND status = 'pending' ORDER BY rowid",
            params![caller.environment_id, transaction_id],
        )?);
    }
    // The leaders' due times, read before cancelling clears them.
    let mut leaders = Vec::new();
    for leader in waiting
        .iter()
        .filter(|job| job["type"] == "digest" && job["status"] == "delayed")
    {
        let due_at: Option<i64> = transaction.query_row(
            "SELECT due_at FROM jobs WHERE id = ?1",
            [leader["_id"].as_str()],
            |row| row.get(0),
        )?;
        leaders.push((leader, due_at));
    }
    for job in &jobs {
        let mut job = job.clone();
        job["status"] = json!("canceled");
        job["updatedAt"] = json!(ids::now());
        save_job(transaction, &job, None)?;
    }
    for (leader, due_at) in leaders {
        hand_over_digest(transaction, leader, due_at)?;
    }
    Ok(true)
}

/// Whether the transaction `transaction_id` of the caller's environment has any job.
fn has_jobs(transaction: &Transaction, caller: &Caller, transaction_id: &str) -> Outcome<bool> {
    Ok(transaction
        .prepare_cached(
            "SELECT 1 FROM jobs WHERE environment_id = ?1 AND transaction_id = ?2 LIMIT 1",
        )?
        .exists(params![caller.environment_id, transaction_id])?)
}

/// The `{acknowledged, status, transactionId?}` body.
pub(crate) fn acknowledgement(status: &str, transaction_id: Option<&str>) -> Value {
    let mut body = json!({ "acknowledged": true, "status": status });
    if let Some(transaction_id) = transaction_id {
        body["transactionId"] = json!(transaction_id);
    }
    body
}

/// Novu's check of the payload against the `required` template variables of every step:
/// a `String` variable needs a string or a number, an `Array` one an array, a `Boolean` one a
/// boolean, any other a value. Answers 400 naming each one missing, in step order.
fn require_payload_variables(workflow: &Value, event: &Value) -> Outcome<()> {
    let payload = &event["payload"];
    let mut missing = Vec::new();
    let variables = workflow["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|step| {
            step["template"]["variables"]
                .as_array()
                .into_iter()
                .flatten()
        });
    for variable in variables {
        let name = variable["name"].as_str().unwrap_or_default();
        if variable["required"] != true || crate::engine::is_system_variable(name) {
            continue;
        }
        let value = name
            .split('.')
            .try_fold(payload, |value, part| value.get(part))
            .unwrap_or(&Value::Null);
        let (kind, given) = match variable["type"].as_str() {
            Some("String") => ("Value", value.is_string() || value.is_number()),
            Some("Array") => ("Array", value.is_array()),
            Some("Boolean") => ("Boolean", value.is_boolean()),
            // JavaScript writes the type's missing label as `undefined`.
            _ => ("undefined", !value.is_null()),
        };
        if !given {
            missing.push(format!("{name} ({kind})"));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure::bad_request(format!(
        "payload is missing required key(s) and type(s): {}",
        missing.join(", ")
    )))
}

/// Novu's check of the reserved variables a workflow declares (`tenant`, `actor`).
fn require_reserved_variables(workflow: &Value, event: &Value) -> Outcome<()> {
    let mut missing = Vec::new();
    for reserved in workflow["triggers"][0]["reservedVariables"]
        .as_array()
        .into_iter()
        .flatten()
    {
        match reserved["type"].as_str() {
            Some("tenant") => match &event["tenant"] {
                Value::Null => missing.push("tenant object"),
                Value::Object(tenant) if !truthy(tenant.get("identifier")) => {
                    missing.push("identifier property of tenant")
                }
                _ => {}
            },
            Some("actor") => match &event["actor"] {
                Value::Null => missing.push("actor object"),
                Value::Object(actor) if !truthy(actor.get("subscriberId")) => {
                    missing.push("subscriberId property of actor")
                }
                _ => {}
            },
            _ => {}
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Failure::bad_request(format!(
            "Trigger is missing: {}",
            missing.join(", ")
        )))
    }
}

/// Variables whose first segment names what the engine fills in itself: a step may require
/// them without the payload carrying them.
const SYSTEM_VARIABLES: &[&str] = &[
    "subscriber",
    "step",
    "branding",
    "tenant",
    "preheader",
    "actor",
];

/// Novu's `VerifyPayload`: every required variable of every step is in the payload with its
/// type (a `String` may be a number too), and a scheduled delay's `delayPath` names a top-level
/// payload key holding an ISO date. Everything missing is reported in one 400.
fn verify_payload(workflow: &Value, payload: &Value) -> Outcome<()> {
    let mut missing = Vec::new();
    for step in workflow["steps"].as_array().into_iter().flatten() {
        let template = &step["template"];
        for variable in template["variables"].as_array().into_iter().flatten() {
            let name = variable["name"].as_str().unwrap_or_default();
            let system = SYSTEM_VARIABLES.contains(&name.split('.').next().unwrap_or_default());
            if variable["required"] != true || system {
                continue;
            }
            let value = name
                .split('.')
                .try_fold(payload, |value, key| value.get(key))
                .unwrap_or(&Value::Null);
            let kind = variable["type"].as_str().unwrap_or_default();
            let present = match kind {
                "Array" => value.is_array(),
                "Boolean" => value.is_boolean(),
                "String" => value.is_string() || value.is_number(),
                _ => !value.is_null(),
            };
            if !present {
                let shown = match kind {
                    "String" => "Value",
                    "Array" | "Boolean" => kind,
                    _ => "undefined",
                };
                missing.push(format!("{name} ({shown})"));
            }
        }
        if template["type"] == "delay" && step["metadata"]["type"] == "scheduled" {
            let Some(path) = step["metadata"]["delayPath"]
                .as_str()
                .filter(|path| !path.is_empty())
            else {
                return Err(Failure::bad_request(
                    "Delay path is required for scheduled delay",
                ));
            };
            let date = payload
                .get(path)
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !contains_iso_date(date) {
                missing.push(format!("{path} (ISO Date)"));
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure::bad_request(format!(
        "payload is missing required key(s) and type(s): {}",
        missing.join(", ")
    )))
}

/// Whether `text` holds `dddd-dd-ddTdd:dd:dd?dddZ` somewhere (Novu's unanchored check, whose
/// `.` before the milliseconds takes any character).
fn contains_iso_date(text: &str) -> bool {
    const SHAPE: &[u8] = b"0000-00-00T00:00:00?000Z";
    let bytes = text.as_bytes();
    bytes.windows(SHAPE.len()).any(|window| {
        window.iter().zip(SHAPE).all(|(byte, shape)| match shape {
            b'0' => byte.is_ascii_digit(),
            b'?' => *byte != b'\n',
            other => byte == other,
        })
    })
}

/// JavaScript truthiness of an optional JSON value.
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) => !text.is_empty(),
        Some(Value::Number(number)) => number.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
        Some(_) => true,
    }
}

/// The tenant identifier of a trigger's `tenant` (a string or `{identifier}`); an empty
/// string names no tenant, as Novu reads a falsy tenant as none.
fn tenant_identifier(tenant: &Value) -> Option<String> {
    match tenant {
        Value::String(identifier) if identifier.is_empty() => None,
        Value::String(identifier) => Some(identifier.clone()),
        Value::Object(fields) => Some(
            fields
                .get("identifier")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        ),
        _ => None,
    }
}

/// The `active` flag of the tenant's override of this workflow, if it has one.
fn override_active(
    transaction: &Transaction,
    caller: &Caller,
    workflow: &Value,
    tenant: Option<&Value>,
) -> Outcome<Option<bool>> {
    let Some(tenant) = tenant else {
        return Ok(None);
    };
    let workflow_override = first_document(
        transaction,
        "SELECT doc FROM workflow_overrides WHERE environment_id = ?1 AND workflow_id = ?2 AND tenant_id = ?3 AND deleted = 0",
        params![
            caller.environment_id,
            workflow["_id"].as_str(),
            tenant["_id"].as_str()
        ],
    )?;
    Ok(workflow_override.map(|found| found["active"] == json!(true)))
}

/// The subscriber a recipient or actor names: found by id (created when new), or upserted
/// from an inline subscriber object.
fn subscriber_for(transaction: &Transaction, caller: &Caller, given: &Value) -> Outcome<Value> {
    match given {
        Value::String(subscriber_id) => {
            match subscribers::find(transaction, caller, subscriber_id)? {
                Some(subscriber) => Ok(subscriber),
                None => subscribers::create(
                    transaction,
                    caller,
                    json!({ "subscriberId": subscriber_id }),
                ),
            }
        }
        object => {
            // Novu applies inline channel credentials in its worker, where a failure does not
            // reach the trigger's answer; here a channel that cannot be applied is dropped.
            let fields = subscriber_fields(object);
            match savepoint(transaction, "inline_subscriber", |transaction| {
                subscribers::create(transaction, caller, fields.clone())
            })? {
                Ok(subscriber) => Ok(subscriber),
                Err(_) => {
                    let mut fields = fields;
                    if let Some(fields) = fields.as_object_mut() {
                        fields.remove("channels");
                    }
                    subscribers::create(transaction, caller, fields)
                }
            }
        }
    }
}

/// The fields of an inline subscriber that fit a stored subscriber: recipients are not
/// validated on the way in, and a profile field of the wrong type would break every later
/// read of the subscriber.
fn subscriber_fields(given: &Value) -> Value {
    let mut fields = Map::new();
    for (name, value) in given.as_object().into_iter().flatten() {
        let fits = match name.as_str() {
            "subscriberId" | "firstName" | "lastName" | "email" | "phone" | "avatar" | "locale" => {
                value.is_string()
            }
            "data" => value.is_object(),
            "channels" => value.is_array(),
            _ => false,
        };
        if fits {
            fields.insert(name.clone(), value.clone());
        }
    }
    Value::Object(fields)
}

/// The distinct subscribers of `to`, in order; topics fan out to their members except the actor.
fn recipients(
    transaction: &Transaction,
    caller: &Caller,
    to: &Value,
    actor: Option<&Value>,
) -> Outcome<Vec<Value>> {
    let items = match to {
        Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    };
    let mut found: Vec<Value> = Vec::new();
    let mut push = |subscriber: Value| {
        if !found
            .iter()
            .any(|known| known["subscriberId"] == subscriber["subscriberId"])
        {
            found.push(subscriber);
        }
    };
    for item in items {
        if item["type"] == "Topic" {
            let members: Vec<String> = {
                let mut statement = transaction.prepare_cached(
                    "SELECT members.external_subscriber_id FROM topic_subscribers members \
                     JOIN topics ON topics.id = members.topic_id \
                     WHERE topics.environment_id = ?1 AND topics.key = ?2 ORDER BY members.rowid",
                )?;
                let rows = statement.query_map(
                    params![caller.environment_id, item["topicKey"].as_str()],
                    |row| row.get(0),
                )?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for member in members {
                if actor.is_some_and(|actor| actor["subscriberId"] == member.as_str()) {
                    continue;
                }
                if let Some(subscriber) = subscribers::find(transaction, caller, &member)? {
                    push(subscriber);
                }
            }
        } else if item.is_string() || item.get("subscriberId").is_some_and(Value::is_string) {
            push(subscriber_for(transaction, caller, &item)?);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::require_reserved_variables;

    #[test]
    fn reserved_variables_name_what_is_missing() {
        let workflow = json!({ "triggers": [{ "reservedVariables": [
            { "type": "tenant", "variables": [{ "name": "identifier" }] },
            { "type": "actor", "variables": [{ "name": "subscriberId" }] },
        ] }] });
        let message = |event| {
            require_reserved_variables(&workflow, &event)
                .err()
                .map(|failure| failure.message().to_owned())
        };
        assert_eq!(
            message(json!({})),
            Some("Trigger is missing: tenant object, actor object".to_owned())
        );
        assert_eq!(
            message(json!({ "tenant": { "identifier": "" }, "actor": { "firstName": "A" } })),
            Some(
                "Trigger is missing: identifier property of tenant, subscriberId property of actor"
                    .to_owned()
            )
        );
        assert_eq!(message(json!({ "tenant": "acme", "actor": "ada" })), None);
    }
}
