//! The `conditions` check: `--cases` condition arrays drawn with proptest, each put on an
//! in-app step, triggered for a fresh subscriber (and tenant), and judged by the oracle of
//! `oracle.rs`: the step's message must reach the feed exactly when the conditions pass.
//!
//! The workflow has a second, unfiltered in-app step (the witness): once its message is in the
//! feed the filtered step has been decided, so an absent message is known to be absent without
//! waiting for a timeout. A disagreement is shrunk with proptest's value trees (fewer groups
//! and children, simpler values) and reported once with the minimal case, the trigger's
//! `curl`, the case number and the seed.
//!
//! Drawn are the parts whose result the trigger decides (`payload`, `subscriber` and `tenant`
//! fields, the online parts for a subscriber that never reported being online) and, when the
//! server can reach this machine, webhook parts calling the check's callback
//! (`transport/callback.rs`): their URLs say what the callback answers (JSON drawn from the
//! payload pools, a non-2xx, a body that is not JSON, or a closed port), so the oracle knows
//! each answer. The callback records the calls: the webhooks called must be those the contract
//! has called, and each body and signature must be the contract's. Previous-step parts are not
//! drawn: they need a read between two steps.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::{Union, ValueTree};
use serde_json::{Map, Value, json};

use super::oracle::{self, Evaluation, Scope, Verdict};
use super::sandbox::{DELIVERY_DEADLINE, Sandbox, Stop, in_app_step, text, with_content};
use super::{after_a_trigger, triggers};
use crate::checks::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::Run;
use crate::transport::callback::{
    Callback, Reply, SIGNATURE_HEADER, Urls, WebhookCall, signature_matches,
};
use crate::values::strategies;

/// The check's name.
pub const CONDITIONS: &str = "conditions";

/// `conditions`.
pub struct Conditions;

impl Check for Conditions {
    fn name(&self) -> &'static str {
        CONDITIONS
    }

    fn description(&self) -> &'static str {
        "--cases drawn condition arrays on an in-app step: its message reaches the feed exactly when the conditions pass by the contract's rules (an oracle written from the StepFilter and FieldOperator descriptions); a disagreement is shrunk"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    fn phase(&self) -> Phase {
        Phase::Background
    }

    fn covers(&self, operation: &Operation) -> bool {
        triggers(operation)
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(after_a_trigger(run, CONDITIONS, check(run.clone())))
    }
}

/// The most cases spent shrinking a disagreement (each sends about six requests).
const MAX_SHRINK_CASES: u32 = 64;

const FILTERED: &str = "nc-filtered";
const WITNESS: &str = "nc-witness";

/// One drawn case: the step's conditions and what the trigger carries.
#[derive(Debug, Clone)]
pub struct Case {
    /// The step's `filters`.
    pub filters: Vec<Value>,
    /// The trigger's payload.
    pub payload: Value,
    /// The subscriber's fields, without `subscriberId`.
    pub subscriber: Value,
    /// The tenant's fields without `identifier`, when the trigger names one.
    pub tenant: Option<Value>,
}

/// Runs the check. proptest's value trees are not `Send`, so the cases run on a blocking
/// thread that drives their requests on the run's runtime.
async fn check(run: Arc<Run>) {
    let handle = tokio::runtime::Handle::current();
    let joined = tokio::task::spawn_blocking(move || {
        handle.block_on(async {
            let sandbox = Sandbox::new(&run, CONDITIONS);
            let callback = match &run.callback {
                Some(reach) => match Callback::start(reach).await {
                    Ok(callback) => Some(callback),
                    Err(error) => {
                        eprintln!(
                            "novu-conformance: {CONDITIONS} draws no webhook parts: the callback \
                             did not start: {error}"
                        );
                        None
                    }
                },
                None => {
                    eprintln!(
                        "novu-conformance: {CONDITIONS} draws no webhook parts: the target is \
                         not on this machine; --callback-host names the address it reaches \
                         this machine at"
                    );
                    None
                }
            };
            let _ = cases(&sandbox, callback.as_ref()).await;
            if let Some(callback) = callback {
                callback.stop();
            }
            sandbox.cleanup().await;
        });
    })
    .await;
    if let Err(error) = joined {
        eprintln!("novu-conformance: the {CONDITIONS} check failed: {error}");
    }
}

/// The workflow every case updates, and the callback its webhook parts call.
struct Testbed<'c> {
    workflow_id: String,
    trigger: String,
    numbers: AtomicU32,
    callback: Option<&'c Callback>,
    /// The environment's id, which the webhook calls' signature signs.
    environment_id: String,
}

/// What one case showed.
struct Observed {
    evaluation: Evaluation,
    delivered: bool,
    curl: String,
    case: Case,
    scope: Scope,
    /// The paths of the webhooks the contract has called, sorted.
    expected_calls: Vec<String>,
    /// The paths the callback received, sorted.
    received_calls: Vec<String>,
}

impl Observed {
    fn agrees(&self) -> bool {
        self.delivered == (self.evaluation.verdict == Verdict::Pass)
            && self.expected_calls == self.received_calls
    }
}

async fn cases(sandbox: &Sandbox<'_>, callback: Option<&Callback>) -> Result<(), Stop> {
    let run = sandbox.run;
    let steps = json!([
        in_app_step(FILTERED, json!([])),
        in_app_step(WITNESS, json!([]))
    ]);
    let workflow = sandbox.workflow("conditions", steps, json!({})).await?;
    let mut environment_id = String::new();
    if callback.is_some() {
        let environment = sandbox
            .expect(
                "the environment whose id webhook calls sign is readable",
                "environments_retrieve_current",
                &[],
                &[],
                None,
            )
            .await?;
        environment_id = text(&environment["_id"]);
    }
    let testbed = Testbed {
        workflow_id: text(&workflow["_id"]),
        trigger: text(&workflow["triggers"][0]["identifier"]),
        numbers: AtomicU32::new(0),
        callback,
        environment_id,
    };
    let strategy = case_strategy(callback.map(Callback::urls));
    let mut runner = strategies::runner(run.seed, CONDITIONS, run.cases);
    for number in 1..=run.cases {
        let Ok(mut tree) = strategy.new_tree(&mut runner) else {
            break;
        };
        let first = attempt(sandbox, &testbed, tree.current()).await?;
        if first.agrees() {
            continue;
        }
        let mut smallest = None;
        let mut shrinks = 0;
        if tree.simplify() {
            while shrinks < MAX_SHRINK_CASES {
                shrinks += 1;
                let observed = attempt(sandbox, &testbed, tree.current()).await?;
                if observed.agrees() {
                    if !tree.complicate() {
                        break;
                    }
                } else {
                    smallest = Some(observed);
                    if !tree.simplify() {
                        break;
                    }
                }
            }
        }
        report(sandbox, number, &first, smallest.as_ref(), shrinks)?;
        return Ok(());
    }
    Ok(())
}

/// One case: the step gets the case's filters, a fresh subscriber (and tenant) is triggered,
/// and the feed tells whether the filtered step delivered.
async fn attempt(
    sandbox: &Sandbox<'_>,
    testbed: &Testbed<'_>,
    case: Case,
) -> Result<Observed, Stop> {
    let number = testbed.numbers.fetch_add(1, Ordering::Relaxed);
    let steps = json!([
        in_app_step(FILTERED, Value::Array(case.filters.clone())),
        in_app_step(WITNESS, json!([])),
    ]);
    sandbox
        .expect(
            "the workflow takes the case's filters",
            "workflows_update",
            &[("workflowId", &testbed.workflow_id)],
            &[],
            Some(json!({ "steps": steps })),
        )
        .await?;
    // What is made for one case is deleted right after it; a long run would pile it up.
    let made = Sandbox::new(sandbox.run, CONDITIONS);
    let observed = observe(sandbox, &made, number, testbed, case).await;
    made.cleanup().await;
    observed
}

async fn observe(
    sandbox: &Sandbox<'_>,
    made: &Sandbox<'_>,
    number: u32,
    testbed: &Testbed<'_>,
    case: Case,
) -> Result<Observed, Stop> {
    let subscriber_id = sandbox.name("cond-subscriber", number);
    let mut subscriber = json!({ "subscriberId": subscriber_id });
    merge(&mut subscriber, &case.subscriber);
    made.subscriber(subscriber.clone()).await?;
    let mut trigger = json!({
        "name": testbed.trigger,
        "to": subscriber_id,
        "payload": case.payload,
    });
    let mut tenant = Value::Null;
    if let Some(fields) = &case.tenant {
        let identifier = sandbox.name("cond-tenant", number);
        tenant = json!({ "identifier": identifier });
        merge(&mut tenant, fields);
        made.tenant(tenant.clone()).await?;
        trigger["tenant"] = json!(identifier);
    }
    let (curl, _) = sandbox.trigger(trigger).await?;
    let feed = sandbox
        .await_feed(&subscriber_id, DELIVERY_DEADLINE, |feed| {
            !with_content(feed, WITNESS).is_empty()
        })
        .await?;
    if with_content(&feed, WITNESS).is_empty() {
        let operation = sandbox.operation("events_trigger")?;
        sandbox.observe(
            &operation,
            &curl,
            &format!(
                "the unfiltered step's message {WITNESS:?} in the feed within {DELIVERY_DEADLINE:?}"
            ),
            format!("the feed holds {} items without it", feed.len()),
        );
        return Err(Stop);
    }
    let scope = Scope {
        payload: case.payload.clone(),
        subscriber,
        tenant,
        actor: Value::Null,
    };
    // Of the parts that depend on the world outside the trigger only webhooks are drawn; their
    // URLs say what they answer.
    let called = RefCell::new(Vec::new());
    let outside = |part: &Value| {
        let url = part["webhookUrl"].as_str().unwrap_or_default();
        let reply = Reply::of(url);
        if !matches!(reply, Some(Reply::Unreachable) | None) {
            called.borrow_mut().push(path_of(url));
        }
        match reply {
            Some(Reply::Json(answer)) => {
                let field = part["field"].as_str().unwrap_or_default();
                let expected = oracle::render(part["value"].as_str().unwrap_or_default(), &scope);
                let operator = part["operator"].as_str().unwrap_or_default();
                oracle::compare(oracle::lookup(&answer, field), operator, &expected)
            }
            // "A failed call puts the condition in error."
            _ => Verdict::Error,
        }
    };
    let evaluation = oracle::evaluate(&case.filters, &scope, &outside);
    // Which webhooks are called, not how often: a server makes a failed call again (Novu's
    // worker retries the job twice), and two parts may name the same URL.
    let mut expected_calls = called.into_inner();
    expected_calls.sort();
    expected_calls.dedup();
    let mut received_calls = Vec::new();
    if let Some(callback) = testbed.callback {
        let received = callback.take();
        sandbox
            .run
            .webhook_calls
            .fetch_add(received.len() as u32, Ordering::Relaxed);
        for call in &received {
            if let Some(problem) = call_problem(call, testbed, &scope, sandbox) {
                let operation = sandbox.operation("events_trigger")?;
                sandbox.observe(
                    &operation,
                    &curl,
                    "a webhook call POSTs {subscriber, payload, identifier, channel, providerId} \
                     as JSON with nv-hmac-256 the HMAC-SHA256 of the environment id keyed with \
                     the API key (WebhookFilterPart)",
                    format!("{problem}; filters {}", Value::Array(case.filters.clone())),
                );
                return Err(Stop);
            }
        }
        received_calls = received.into_iter().map(|call| call.path).collect();
        received_calls.sort();
        received_calls.dedup();
    }
    Ok(Observed {
        evaluation,
        delivered: !with_content(&feed, FILTERED).is_empty(),
        curl,
        case,
        scope,
        expected_calls,
        received_calls,
    })
}

/// Whether two JSON values are the same JSON: numbers compare by value (`1` is `1.0`).
fn same_json(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(l, r)| same_json(l, r))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left.iter().all(|(name, value)| {
                    right.get(name).is_some_and(|other| same_json(value, other))
                })
        }
        _ => left == right,
    }
}

/// The path of a callback URL.
fn path_of(url: &str) -> String {
    url.find("/hook/")
        .map_or_else(|| url.to_owned(), |start| url[start..].to_owned())
}

/// What is wrong with a webhook call, judged by `WebhookFilterPart`.
fn call_problem(
    call: &WebhookCall,
    testbed: &Testbed<'_>,
    scope: &Scope,
    sandbox: &Sandbox<'_>,
) -> Option<String> {
    let Some(body) = call.body.as_ref().filter(|body| body.is_object()) else {
        return Some(format!("the call to {} has no JSON object body", call.path));
    };
    let mut problems = Vec::new();
    for field in [
        "subscriber",
        "payload",
        "identifier",
        "channel",
        "providerId",
    ] {
        if body.get(field).is_none() {
            problems.push(format!("no {field}"));
        }
    }
    // The stored subscriber: at least the fields the check created it with.
    if body.get("subscriber").is_some() {
        for (name, value) in scope.subscriber.as_object().into_iter().flatten() {
            if !same_json(&body["subscriber"][name], value) {
                problems.push(format!(
                    "subscriber.{name} is {}, not {value}",
                    body["subscriber"][name]
                ));
            }
        }
    }
    if body.get("payload").is_some() && !same_json(&body["payload"], &scope.payload) {
        problems.push(format!(
            "payload is {}, not the trigger's {}",
            body["payload"], scope.payload
        ));
    }
    if body.get("identifier").is_some() && body["identifier"] != json!(testbed.trigger) {
        problems.push(format!(
            "identifier is {}, not {:?}",
            body["identifier"], testbed.trigger
        ));
    }
    if body.get("channel").is_some() && body["channel"] != "in_app" {
        problems.push(format!("channel is {}, not \"in_app\"", body["channel"]));
    }
    let api_key = sandbox.run.http.api_key();
    match &call.signature {
        None => problems.push(format!("no {SIGNATURE_HEADER} header")),
        Some(signature) if !signature_matches(signature, api_key, &testbed.environment_id) => {
            problems.push(format!(
                "{SIGNATURE_HEADER} {signature:?} is not the HMAC-SHA256 of the environment id \
                 {:?} keyed with the API key",
                testbed.environment_id
            ));
        }
        Some(_) => {}
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!(
            "the call to {} received {body}: {}",
            call.path,
            problems.join(", ")
        ))
    }
}

fn report(
    sandbox: &Sandbox<'_>,
    number: u32,
    first: &Observed,
    smallest: Option<&Observed>,
    shrinks: u32,
) -> Result<(), Stop> {
    let operation = sandbox.operation("events_trigger")?;
    let shown = smallest.unwrap_or(first);
    let describe = |observed: &Observed| {
        let mut described = format!(
            "filters {} with payload {}, subscriber {}, tenant {}",
            Value::Array(observed.case.filters.clone()),
            observed.scope.payload,
            observed.scope.subscriber,
            observed.scope.tenant
        );
        for url in webhook_urls(&observed.case.filters) {
            if let Some(reply) = Reply::of(&url) {
                described.push_str(&format!("; webhook {url} {}", reply.describe()));
            }
        }
        described
    };
    let expected = format!(
        "the filtered step's message {} the feed: the conditions {} ({})",
        if shown.evaluation.verdict == Verdict::Pass {
            "in"
        } else {
            "not in"
        },
        match shown.evaluation.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "are in error",
        },
        shown.evaluation.trace.join("; ")
    );
    let mut expected = expected;
    if !shown.expected_calls.is_empty() || !shown.received_calls.is_empty() {
        expected.push_str(&format!(
            ", and calls to the webhooks {:?}",
            shown.expected_calls
        ));
    }
    let mut received = format!(
        "the message was {}delivered",
        if shown.delivered { "" } else { "not " }
    );
    if !shown.expected_calls.is_empty() || !shown.received_calls.is_empty() {
        received.push_str(&format!(
            ", the webhooks called were {:?}",
            shown.received_calls
        ));
    }
    received.push_str(&format!(
        "; case {number} of {}: {}",
        sandbox.run.cases,
        describe(shown)
    ));
    if smallest.is_some() {
        received.push_str(&format!(
            "; shrunk in {shrinks} cases from {}",
            describe(first)
        ));
    }
    sandbox.observe(&operation, &shown.curl, &expected, received);
    Ok(())
}

fn webhook_urls(filters: &[Value]) -> Vec<String> {
    filters
        .iter()
        .flat_map(|group| group["children"].as_array().cloned().unwrap_or_default())
        .filter_map(|part| part["webhookUrl"].as_str().map(str::to_owned))
        .collect()
}

fn merge(target: &mut Value, fields: &Value) {
    if let (Some(target), Some(fields)) = (target.as_object_mut(), fields.as_object()) {
        target.extend(fields.clone());
    }
}

/// Numbers that meet the expected values below at their boundaries.
fn number() -> BoxedStrategy<Value> {
    select(vec![
        json!(1),
        json!(0),
        json!(2),
        json!(-1),
        json!(9),
        json!(10),
        json!(1.5),
        json!(16),
    ])
    .boxed()
}

/// Strings, among them numeric ones, a comma list, LIKE wildcards and the empty string.
fn string() -> BoxedStrategy<Value> {
    select(vec![
        "a",
        "",
        "abc",
        "10",
        "9",
        "2",
        " 2 ",
        "a,b",
        "true",
        "a_c",
        "50%",
        "Abc",
        "a&b",
        "x'y",
        "\t9\n",
        "\u{ff61}",
        "\u{1f600}",
    ])
    .prop_map(|text| json!(text))
    .boxed()
}

fn word() -> BoxedStrategy<Value> {
    select(vec![
        "a", "abc", "10", "9", "2", "a,b", "true", "a_c", "Abc",
    ])
    .prop_map(|text| json!(text))
    .boxed()
}

fn strings() -> BoxedStrategy<Value> {
    vec(string(), 0..=3).prop_map(Value::Array).boxed()
}

/// A value the contract's `CustomData` allows (subscriber and tenant `data`).
fn custom_value() -> BoxedStrategy<Value> {
    prop_oneof![
        string(),
        number(),
        any::<bool>().prop_map(Value::from),
        strings()
    ]
    .boxed()
}

/// Any JSON a payload may carry, but objects only one level deep.
fn payload_value() -> BoxedStrategy<Value> {
    prop_oneof![
        string(),
        number(),
        any::<bool>().prop_map(Value::from),
        strings(),
        Just(Value::Null),
        string().prop_map(|text| json!({ "k": text })),
    ]
    .boxed()
}

/// An object of the named optional fields.
fn object(fields: Vec<(&'static str, BoxedStrategy<Value>)>) -> BoxedStrategy<Value> {
    let (names, values): (Vec<&str>, Vec<BoxedStrategy<Value>>) = fields.into_iter().unzip();
    let values: Vec<BoxedStrategy<Option<Value>>> = values
        .into_iter()
        .map(option::of)
        .map(|s| s.boxed())
        .collect();
    values
        .prop_map(move |values| {
            let mut object = Map::new();
            for (name, value) in names.iter().zip(values) {
                if let Some(value) = value {
                    object.insert((*name).to_owned(), value);
                }
            }
            Value::Object(object)
        })
        .boxed()
}

fn payload() -> BoxedStrategy<Value> {
    let items = vec(prop_oneof![string(), number()], 0..=3)
        .prop_map(Value::Array)
        .boxed();
    object(vec![
        ("a", payload_value()),
        ("b", payload_value()),
        ("c", payload_value()),
        ("items", items),
        (
            "nested",
            string().prop_map(|text| json!({ "k": text })).boxed(),
        ),
    ])
}

fn data() -> BoxedStrategy<Value> {
    object(vec![
        ("a", custom_value()),
        ("b", custom_value()),
        ("items", strings()),
    ])
}

fn subscriber() -> BoxedStrategy<Value> {
    object(vec![
        ("firstName", word()),
        ("lastName", word()),
        ("phone", word()),
        ("data", data()),
    ])
}

fn tenant() -> BoxedStrategy<Option<Value>> {
    option::of((word(), option::of(data())).prop_map(|(name, data)| {
        let mut tenant = json!({ "name": name });
        if let Some(data) = data {
            tenant["data"] = data;
        }
        tenant
    }))
    .boxed()
}

const OPERATORS: &[&str] = &[
    "EQUAL",
    "NOT_EQUAL",
    "LARGER",
    "SMALLER",
    "LARGER_EQUAL",
    "SMALLER_EQUAL",
    "IN",
    "NOT_IN",
    "ANY_IN",
    "ALL_IN",
    "BETWEEN",
    "NOT_BETWEEN",
    "LIKE",
    "NOT_LIKE",
    "IS_DEFINED",
];

/// Expected values: the actual values' neighbours, numbers in the forms `Number()` reads,
/// bounds, lists, patterns and templates naming the drawn fields.
fn expected() -> BoxedStrategy<String> {
    let plain = select(vec![
        "1",
        "0",
        "2",
        "",
        "10",
        "9",
        "-1",
        "1.5",
        " 2 ",
        "1e1",
        "0x10",
        "Infinity",
        "a",
        "abc",
        "true",
        "false",
        "a,b",
        "b, a",
        "%",
        "a%",
        "%b%",
        "a_c",
        "_",
        "50\\%",
        "\\",
        "A%",
        "a&b",
        "x'y",
        "\u{ff61}",
        "\u{1f600}",
        "+1",
        ".5",
        "5.",
        "0X1F",
        "1e",
        "-0",
        "\t9\n",
        "0b",
    ]);
    let bound = || select(vec!["0", "1", "2", "9", "10", "1.5", "a", "abc", " 2", ""]);
    let template = select(vec![
        "{{payload.a}}",
        "{{payload.b}}",
        "{{{payload.c}}}",
        "{{subscriber.firstName}}",
        "{{subscriber.data.a}}",
        "{{subscriber.subscriberId}}",
        "{{tenant.name}}",
        "{{tenant.identifier}}",
        "{{payload.missing}}",
        "{{payload.a",
        "{{payload.a}},{{payload.b}}",
    ]);
    prop_oneof![
        3 => plain.prop_map(str::to_owned),
        1 => (bound(), bound()).prop_map(|(low, high)| format!("{low},{high}")),
        1 => template.prop_map(str::to_owned),
    ]
    .boxed()
}

fn field_part() -> BoxedStrategy<Value> {
    let source = prop_oneof![
        select(vec![
            "a", "b", "c", "items[0]", "items.1", "nested.k", "missing"
        ])
        .prop_map(|field| ("payload", field)),
        select(vec![
            "firstName",
            "data.a",
            "data.b",
            "data.items[0]",
            "lastName",
            "phone",
            "subscriberId",
            "data.missing",
        ])
        .prop_map(|field| ("subscriber", field)),
        select(vec![
            "name",
            "data.a",
            "data.b",
            "data.items[0]",
            "identifier",
            "data.missing"
        ])
        .prop_map(|field| ("tenant", field)),
    ];
    // `None` names the part's own field, so that the expected value equals the actual one: the
    // boundary of every relational operator and of BETWEEN.
    let value = prop_oneof![3 => expected().prop_map(Some), 1 => Just(None)];
    (source, select(OPERATORS), value)
        .prop_map(|((on, field), operator, value)| {
            // Templates name array elements with a dotted index.
            let dotted = field.replace('[', ".").replace(']', "");
            let value = value.unwrap_or_else(|| format!("{{{{{on}.{dotted}}}}}"));
            json!({ "on": on, "field": field, "operator": operator, "value": value })
        })
        .boxed()
}

/// The online parts; every subscriber drawn here never reported being online.
fn online_part() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<bool>().prop_map(|value| json!({ "on": "isOnline", "value": value })),
        (1..=5u32, select(vec!["minutes", "hours", "days"])).prop_map(|(value, unit)| {
            json!({ "on": "isOnlineInLast", "value": value, "timeOperator": unit })
        }),
    ]
    .boxed()
}

/// Webhook parts calling the callback at `urls`: the answer is JSON drawn like a payload (so
/// the payload's fields, named by the same fields and templates, meet it) or a failed call.
fn webhook_part(urls: Urls) -> BoxedStrategy<Value> {
    let reply = prop_oneof![
        6 => payload().prop_map(Reply::Json),
        1 => select(vec![500u16, 404]).prop_map(Reply::Status),
        1 => Just(Reply::NotJson),
        1 => Just(Reply::Unreachable),
    ];
    let field = select(vec![
        "a", "b", "c", "items[0]", "items.1", "nested.k", "missing",
    ]);
    // `None` names the trigger payload's same field: the answer's value meets the payload's.
    let value = prop_oneof![3 => expected().prop_map(Some), 1 => Just(None)];
    (reply, field, select(OPERATORS), value)
        .prop_map(move |(reply, field, operator, value)| {
            let dotted = field.replace('[', ".").replace(']', "");
            let value = value.unwrap_or_else(|| format!("{{{{payload.{dotted}}}}}"));
            json!({
                "on": "webhook",
                "webhookUrl": urls.url(&reply),
                "field": field,
                "operator": operator,
                "value": value,
            })
        })
        .boxed()
}

/// A `StepFilter` group: usually `AND` or `OR`, sometimes without `value` (which fails a group
/// of two or more), with `isNegated` and `type` now and then (which change nothing).
fn group(webhooks: Option<Urls>) -> BoxedStrategy<Value> {
    let mut parts = vec![(5, field_part()), (1, online_part())];
    if let Some(urls) = webhooks {
        parts.push((2, webhook_part(urls)));
    }
    let part = Union::new_weighted(parts).boxed();
    let value = prop_oneof![3 => Just(Some("AND")), 3 => Just(Some("OR")), 1 => Just(None)];
    let decoration = option::of((any::<bool>(), select(vec!["GROUP", "BOOLEAN", "TEXT"])));
    // Groups without children pass; a few are enough.
    let children = prop_oneof![1 => vec(part.clone(), 0..=0), 6 => vec(part, 1..=4)];
    (children, value, decoration)
        .prop_map(|(children, value, decoration)| {
            let mut group = json!({ "children": children });
            if let Some(value) = value {
                group["value"] = json!(value);
            }
            if let Some((negated, kind)) = decoration {
                group["isNegated"] = json!(negated);
                group["type"] = json!(kind);
            }
            group
        })
        .boxed()
}

/// Cases: up to three groups (the wire format nests exactly two levels, groups of parts), with
/// webhook parts calling the callback at `webhooks` when there is one.
pub fn case_strategy(webhooks: Option<Urls>) -> BoxedStrategy<Case> {
    let group = group(webhooks);
    let groups = prop_oneof![1 => vec(group.clone(), 0..=0), 8 => vec(group, 1..=3)];
    (groups, payload(), subscriber(), tenant())
        .prop_map(|(filters, payload, subscriber, tenant)| Case {
            filters,
            payload,
            subscriber,
            tenant,
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_reach_every_operator_source_and_verdict() {
        let urls = Urls::new("http://127.0.0.1:9", "http://127.0.0.1:10");
        let strategy = case_strategy(Some(urls));
        let mut runner = strategies::runner(7, CONDITIONS, 300);
        let mut operators = std::collections::BTreeSet::new();
        let mut sources = std::collections::BTreeSet::new();
        let mut verdicts = std::collections::BTreeSet::new();
        for _ in 0..300 {
            let case = strategy.new_tree(&mut runner).unwrap().current();
            for group in &case.filters {
                for part in group["children"].as_array().unwrap() {
                    sources.insert(part["on"].as_str().unwrap().to_owned());
                    if let Some(operator) = part["operator"].as_str() {
                        operators.insert(operator.to_owned());
                    }
                }
            }
            let scope = Scope {
                payload: case.payload.clone(),
                subscriber: case.subscriber.clone(),
                tenant: case.tenant.clone().unwrap_or(Value::Null),
                actor: Value::Null,
            };
            let verdict = oracle::evaluate(&case.filters, &scope, &|_| Verdict::Error).verdict;
            verdicts.insert(format!("{verdict:?}"));
        }
        assert_eq!(operators.len(), OPERATORS.len(), "{operators:?}");
        assert_eq!(sources.len(), 6, "{sources:?}");
        assert_eq!(verdicts.len(), 3, "{verdicts:?}");
    }
}
