//! The delivery checks: `trigger-delivery` (curated scenarios with drawn names and values:
//! topic fan-out, rendering, preferences, tenant overrides, the unseen count and marks, cancel)
//! and `integration-selection` (integration `conditions` choose the integration for a tenant).
//!
//! An absence is judged only after a control recipient of the same run got its message, or
//! after the deadline, never after a fixed sleep.

use std::sync::Arc;
use std::time::Duration;

use proptest::strategy::{Strategy, ValueTree};
use serde_json::{Value, json};

use super::oracle::{self, Scope, Verdict};
use super::sandbox::{DELIVERY_DEADLINE, Sandbox, Stop, in_app_step, text, with_content};
use super::{after_a_trigger, triggers};
use crate::checks::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::Run;
use crate::values::strategies;

/// The name of the `trigger-delivery` check.
pub const TRIGGER_DELIVERY: &str = "trigger-delivery";
/// The name of the `integration-selection` check.
pub const INTEGRATION_SELECTION: &str = "integration-selection";

/// `trigger-delivery`.
pub struct TriggerDelivery;

/// `integration-selection`.
pub struct IntegrationSelection;

impl Check for TriggerDelivery {
    fn name(&self) -> &'static str {
        TRIGGER_DELIVERY
    }

    fn description(&self) -> &'static str {
        "topic fan-out reaches every member but the actor, content renders payload and subscriber fields, preferences and tenant overrides switch in-app off (not for critical workflows), unseen counts and marks follow the feed, a cancelled delay never delivers and its twin does, a trigger reusing a transactionId that has delivered is acknowledged and delivers nothing"
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
        Box::pin(after_a_trigger(
            run,
            TRIGGER_DELIVERY,
            trigger_delivery(run.clone()),
        ))
    }
}

impl Check for IntegrationSelection {
    fn name(&self) -> &'static str {
        INTEGRATION_SELECTION
    }

    fn description(&self) -> &'static str {
        "integration conditions select the integration that carries a tenant's messages; a tenant meeting none, and a trigger without a tenant, get the default"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    // It depends on the environment's SMS integrations, which the lifecycles also change.
    fn phase(&self) -> Phase {
        Phase::Alone
    }

    fn covers(&self, operation: &Operation) -> bool {
        triggers(operation)
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(after_a_trigger(
            run,
            INTEGRATION_SELECTION,
            integration_selection(run.clone()),
        ))
    }
}

/// How long the uncancelled twin of the cancel scenario may take to pass its one-second delay.
const DELAY_DEADLINE: Duration = Duration::from_secs(5);

/// Names and values a scenario draws from the seed.
struct Drawn {
    first_names: Vec<String>,
    word: String,
}

fn draw(run: &Run, check: &str) -> Drawn {
    let mut runner = strategies::runner(run.seed, check, 1);
    let strategy = (
        proptest::collection::vec("[A-Z][a-z]{2,7}", 4),
        "[a-z]{3,6}[0-9]{1,3}",
    );
    let (first_names, word) = strategy
        .new_tree(&mut runner)
        .map(|tree| tree.current())
        .unwrap_or_else(|_| (vec!["Ada".into(); 4], "word1".into()));
    Drawn { first_names, word }
}

/// Runs `trigger-delivery`: each scenario cleans up after itself, and one that cannot be set up
/// does not keep the others from running. The scenarios share nothing (each names what it makes
/// after its own label), so they play at once: the cancel scenario's one-second delay no longer
/// adds to the time of the four others.
async fn trigger_delivery(run: Arc<Run>) {
    let drawn = draw(&run, TRIGGER_DELIVERY);
    tokio::join!(
        play_scenario(&run, &drawn, "cancel"),
        play_scenario(&run, &drawn, "fan-out"),
        play_scenario(&run, &drawn, "preferences"),
        play_scenario(&run, &drawn, "override"),
        play_scenario(&run, &drawn, "marks"),
        play_scenario(&run, &drawn, "reused-transaction"),
    );
}

/// Plays the scenario `name` of `trigger-delivery` in a sandbox of its own.
async fn play_scenario(run: &Run, drawn: &Drawn, name: &str) {
    let sandbox = Sandbox::new(run, TRIGGER_DELIVERY);
    let _ = match name {
        "fan-out" => fan_out(&sandbox, drawn).await,
        "preferences" => preferences(&sandbox).await,
        "override" => tenant_override(&sandbox).await,
        "marks" => marks(&sandbox).await,
        "reused-transaction" => reused_transaction(&sandbox).await,
        _ => cancel(&sandbox).await,
    };
    sandbox.cleanup().await;
}

/// A topic's members each get the message rendered with their own fields and the payload; the
/// actor, although a member, gets none.
async fn fan_out(sandbox: &Sandbox<'_>, drawn: &Drawn) -> Result<(), Stop> {
    let content = "Hi {{subscriber.firstName}}, {{greeting}}";
    let workflow = sandbox
        .workflow(
            "fan-out",
            json!([in_app_step(content, json!([]))]),
            json!({}),
        )
        .await?;
    let mut members = Vec::new();
    for (index, first_name) in drawn.first_names.iter().take(3).enumerate() {
        let id = sandbox.name("fan-out-member", index as u32);
        sandbox
            .subscriber(json!({ "subscriberId": id, "firstName": first_name }))
            .await?;
        members.push((id, first_name.clone()));
    }
    let key = sandbox.name("fan-out-topic", 0);
    sandbox
        .expect(
            "the topic is created",
            "topics_create",
            &[],
            &[],
            Some(json!({ "key": key, "name": key })),
        )
        .await?;
    sandbox.created("topics_delete", &[("topicKey", &key)]);
    let ids: Vec<&str> = members.iter().map(|(id, _)| id.as_str()).collect();
    sandbox
        .expect(
            "the members are added to the topic",
            "topic_subscribers_add",
            &[("topicKey", &key)],
            &[],
            Some(json!({ "subscribers": ids })),
        )
        .await?;
    sandbox.created_with(
        "topic_subscribers_remove",
        &[("topicKey", &key)],
        Some(json!({ "subscribers": ids })),
    );
    let (actor, _) = &members[2];
    let (curl, _) = sandbox
        .trigger(json!({
            "name": workflow["triggers"][0]["identifier"],
            "to": [{ "type": "Topic", "topicKey": key }],
            "payload": { "greeting": drawn.word },
            "actor": actor,
        }))
        .await?;
    let trigger = sandbox.operation("events_trigger")?;
    for (id, first_name) in &members[..2] {
        let expected = format!("Hi {first_name}, {}", drawn.word);
        let feed = sandbox
            .await_feed(id, DELIVERY_DEADLINE, |feed| !feed.is_empty())
            .await?;
        let contents: Vec<&str> = feed
            .iter()
            .filter_map(|item| item["content"].as_str())
            .collect();
        if contents != [expected.as_str()] {
            sandbox.observe(
                &trigger,
                &curl,
                &format!(
                    "topic member {id} gets exactly one in-app message, rendered as {expected:?}"
                ),
                format!("its feed holds {contents:?}"),
            );
        }
    }
    // The members' messages are in, so the actor's would be too.
    let feed = sandbox.feed(actor).await?;
    if !feed.is_empty() {
        sandbox.observe(
            &trigger,
            &curl,
            &format!("no message for the actor {actor}, although a member of the topic"),
            format!("its feed holds {} items", feed.len()),
        );
    }
    Ok(())
}

/// A global or per-workflow preference that switches `in_app` off keeps the message away; a
/// critical workflow delivers anyway.
async fn preferences(sandbox: &Sandbox<'_>) -> Result<(), Stop> {
    let plain = sandbox
        .workflow(
            "preferences",
            json!([in_app_step("nc-preferences", json!([]))]),
            json!({}),
        )
        .await?;
    let critical = sandbox
        .workflow(
            "critical",
            json!([in_app_step("nc-critical", json!([]))]),
            json!({ "critical": true }),
        )
        .await?;
    let mut ids = Vec::new();
    for label in ["pref-global-off", "pref-workflow-off", "pref-control"] {
        let id = sandbox.name(label, 0);
        sandbox.subscriber(json!({ "subscriberId": id })).await?;
        ids.push(id);
    }
    let (global_off, workflow_off, control) = (&ids[0], &ids[1], &ids[2]);
    sandbox
        .expect(
            "the global in_app preference is switched off",
            "subscriber_preferences_update_global",
            &[("subscriberId", global_off)],
            &[],
            Some(json!({ "preferences": [{ "type": "in_app", "enabled": false }] })),
        )
        .await?;
    sandbox
        .expect(
            "the workflow's in_app preference is switched off",
            "subscriber_preferences_update",
            &[
                ("subscriberId", workflow_off),
                ("parameter", &text(&plain["_id"])),
            ],
            &[],
            Some(json!({ "channel": { "type": "in_app", "enabled": false } })),
        )
        .await?;
    let trigger = sandbox.operation("events_trigger")?;
    let (curl, _) = sandbox
        .trigger(json!({
            "name": plain["triggers"][0]["identifier"],
            "to": [global_off, workflow_off, control],
        }))
        .await?;
    let has = |content: &'static str| move |feed: &[Value]| !with_content(feed, content).is_empty();
    let feed = sandbox
        .await_feed(control, DELIVERY_DEADLINE, has("nc-preferences"))
        .await?;
    if with_content(&feed, "nc-preferences").is_empty() {
        sandbox.observe(
            &trigger,
            &curl,
            "the in-app message for the subscriber without preferences",
            format!("{control}'s feed holds {} items", feed.len()),
        );
        return Ok(());
    }
    for (id, preference) in [
        (global_off, "global preference"),
        (workflow_off, "preference for the workflow"),
    ] {
        let feed = sandbox.feed(id).await?;
        if !with_content(&feed, "nc-preferences").is_empty() {
            sandbox.observe(
                &trigger,
                &curl,
                &format!("no in-app message for {id}, whose {preference} switches in_app off"),
                "the message is in its feed".into(),
            );
        }
    }
    let (curl, _) = sandbox
        .trigger(json!({
            "name": critical["triggers"][0]["identifier"],
            "to": [global_off, control],
        }))
        .await?;
    let feed = sandbox
        .await_feed(global_off, DELIVERY_DEADLINE, has("nc-critical"))
        .await?;
    if with_content(&feed, "nc-critical").is_empty() {
        sandbox.observe(
            &trigger,
            &curl,
            &format!(
                "the critical workflow's message for {global_off} despite its global preference (a critical workflow ignores subscriber preferences)"
            ),
            format!("its feed holds {} items", feed.len()),
        );
    }
    Ok(())
}

/// A tenant's active override with `in_app: false` keeps the message from that tenant's
/// triggers; another tenant's trigger still delivers.
async fn tenant_override(sandbox: &Sandbox<'_>) -> Result<(), Stop> {
    let workflow = sandbox
        .workflow(
            "override",
            json!([in_app_step("nc-override", json!([]))]),
            json!({}),
        )
        .await?;
    let muted = sandbox.name("override-tenant", 0);
    let other = sandbox.name("override-tenant", 1);
    let muted_tenant = sandbox
        .tenant(json!({ "identifier": muted, "name": muted }))
        .await?;
    sandbox
        .tenant(json!({ "identifier": other, "name": other }))
        .await?;
    let created = sandbox
        .expect(
            "the override is created",
            "workflow_overrides_create",
            &[],
            &[],
            Some(json!({
                "workflowId": workflow["_id"],
                "tenantId": muted_tenant["_id"],
                "active": true,
                "preferenceSettings": { "in_app": false },
            })),
        )
        .await?;
    sandbox.created(
        "workflow_overrides_delete",
        &[("overrideId", &text(&created["_id"]))],
    );
    let (muted_subscriber, control) = (
        sandbox.name("override-subscriber", 0),
        sandbox.name("override-subscriber", 1),
    );
    for id in [&muted_subscriber, &control] {
        sandbox.subscriber(json!({ "subscriberId": id })).await?;
    }
    let name = &workflow["triggers"][0]["identifier"];
    let (curl, _) = sandbox
        .trigger(json!({ "name": name, "to": muted_subscriber, "tenant": muted }))
        .await?;
    sandbox
        .trigger(json!({ "name": name, "to": control, "tenant": other }))
        .await?;
    let trigger = sandbox.operation("events_trigger")?;
    let feed = sandbox
        .await_feed(&control, DELIVERY_DEADLINE, |feed| !feed.is_empty())
        .await?;
    if feed.is_empty() {
        sandbox.observe(
            &trigger,
            &curl,
            "the in-app message for the tenant without an override",
            format!("{control}'s feed is empty"),
        );
        return Ok(());
    }
    let feed = sandbox.feed(&muted_subscriber).await?;
    if !feed.is_empty() {
        sandbox.observe(
            &trigger,
            &curl,
            &format!(
                "no in-app message: the active override of tenant {muted} sets in_app to false"
            ),
            format!("{muted_subscriber}'s feed holds {} items", feed.len()),
        );
    }
    Ok(())
}

/// The unseen count follows the feed, and mark-as and mark-all change the flags they name.
async fn marks(sandbox: &Sandbox<'_>) -> Result<(), Stop> {
    let workflow = sandbox
        .workflow(
            "marks",
            json!([in_app_step("nc-mark {{n}}", json!([]))]),
            json!({}),
        )
        .await?;
    let subscriber = sandbox.name("marks-subscriber", 0);
    sandbox
        .subscriber(json!({ "subscriberId": subscriber }))
        .await?;
    for n in 1..=3 {
        sandbox
            .trigger(json!({
                "name": workflow["triggers"][0]["identifier"],
                "to": subscriber,
                "payload": { "n": n },
            }))
            .await?;
    }
    let feed = sandbox
        .await_feed(&subscriber, DELIVERY_DEADLINE, |feed| feed.len() >= 3)
        .await?;
    let feed_operation = sandbox.operation("subscriber_notifications_feed")?;
    let id_of = |n: u32| {
        feed.iter()
            .find(|item| item["content"].as_str() == Some(&format!("nc-mark {n}")))
            .map(|item| text(&item["_id"]))
    };
    let (Some(first), Some(second), Some(third)) = (id_of(1), id_of(2), id_of(3)) else {
        let contents: Vec<&Value> = feed.iter().map(|item| &item["content"]).collect();
        sandbox.observe(
            &feed_operation,
            &format!("GET /v1/subscribers/{subscriber}/notifications/feed"),
            "three in-app messages nc-mark 1, 2 and 3 after three triggers",
            format!("the feed holds {contents:?}"),
        );
        return Ok(());
    };
    let marks = Marks {
        sandbox,
        subscriber: &subscriber,
    };
    marks.unseen(3, "after three triggers").await?;
    marks.mark(&first, "seen").await?;
    marks
        .flags(&first, true, false, "after it was marked seen")
        .await?;
    marks
        .unseen(2, "after one of three was marked seen")
        .await?;
    marks
        .mark_all("seen", 2, "when one of three is seen")
        .await?;
    marks.unseen(0, "after mark-all seen").await?;
    marks.mark(&first, "unseen").await?;
    marks
        .flags(&first, false, false, "after it was marked unseen")
        .await?;
    marks
        .unseen(1, "after one message was marked unseen again")
        .await?;
    marks.mark(&second, "read").await?;
    marks
        .flags(
            &second,
            true,
            true,
            "after it was seen and then marked read",
        )
        .await?;
    marks
        .mark_all("read", 2, "when one of three is read")
        .await?;
    marks
        .flags(&third, true, true, "after mark-all read")
        .await?;
    Ok(())
}

/// The requests of the marks scenario, for one subscriber.
struct Marks<'s, 'r> {
    sandbox: &'s Sandbox<'r>,
    subscriber: &'s str,
}

impl Marks<'_, '_> {
    async fn unseen(&self, expected: u64, after: &str) -> Result<(), Stop> {
        let (operation, exchange) = self
            .sandbox
            .send(
                "subscriber_notifications_unseen_count",
                &[("subscriberId", self.subscriber)],
                &[],
                None,
            )
            .await?;
        let count = exchange
            .json()
            .and_then(|body| body["data"]["count"].as_u64());
        if count != Some(expected) {
            self.sandbox.violate(
                &operation,
                &exchange,
                &format!("an unseen count of {expected} {after}"),
                &format!("the count is {count:?}"),
            );
        }
        Ok(())
    }

    async fn flags(&self, id: &str, seen: bool, read: bool, after: &str) -> Result<(), Stop> {
        let (operation, exchange) = self
            .sandbox
            .send(
                "subscriber_notifications_feed",
                &[("subscriberId", self.subscriber)],
                &[("limit", "100")],
                None,
            )
            .await?;
        let item = exchange.json().and_then(|body| {
            body["data"]
                .as_array()?
                .iter()
                .find(|item| text(&item["_id"]) == id)
                .cloned()
        });
        let found = item
            .as_ref()
            .map(|item| (item["seen"].as_bool(), item["read"].as_bool()));
        if found != Some((Some(seen), Some(read))) {
            self.sandbox.violate(
                &operation,
                &exchange,
                &format!("message {id} in the feed with seen {seen} and read {read} {after}"),
                &format!("(seen, read) is {found:?}"),
            );
        }
        Ok(())
    }

    async fn mark(&self, id: &str, mark_as: &str) -> Result<(), Stop> {
        self.sandbox
            .expect(
                &format!("a message is marked {mark_as}"),
                "subscriber_messages_mark_as",
                &[("subscriberId", self.subscriber)],
                &[],
                Some(json!({ "messageId": [id], "markAs": mark_as })),
            )
            .await
            .map(|_| ())
    }

    async fn mark_all(&self, mark_as: &str, changed: u64, after: &str) -> Result<(), Stop> {
        let (operation, exchange) = self
            .sandbox
            .send(
                "subscriber_messages_mark_all",
                &[("subscriberId", self.subscriber)],
                &[],
                Some(json!({ "markAs": mark_as })),
            )
            .await?;
        let count = exchange.json().and_then(|body| body["data"].as_u64());
        if count != Some(changed) {
            self.sandbox.violate(
                &operation,
                &exchange,
                &format!("{changed} messages changed by mark-all {mark_as} {after}"),
                &format!("the answer is {count:?}"),
            );
        }
        Ok(())
    }
}

/// A cancelled transaction waiting in a delay never delivers; its uncancelled twin delivers
/// after the delay.
async fn cancel(sandbox: &Sandbox<'_>) -> Result<(), Stop> {
    let delay = json!({
        "name": "nc-delay",
        "active": true,
        "template": { "type": "delay", "content": "" },
        "metadata": { "type": "regular", "amount": 1, "unit": "seconds" },
    });
    let workflow = sandbox
        .workflow(
            "cancel",
            json!([delay, in_app_step("nc-after-delay", json!([]))]),
            json!({}),
        )
        .await?;
    let cancelled = sandbox.name("cancel-subscriber", 0);
    let twin = sandbox.name("cancel-twin", 0);
    for id in [&cancelled, &twin] {
        sandbox.subscriber(json!({ "subscriberId": id })).await?;
    }
    let name = &workflow["triggers"][0]["identifier"];
    let (cancelled_curl, transaction) = sandbox
        .trigger(json!({ "name": name, "to": cancelled }))
        .await?;
    let (operation, exchange) = sandbox
        .send(
            "events_cancel",
            &[("transactionId", &transaction)],
            &[],
            None,
        )
        .await?;
    if exchange.json().map(|body| body["data"].clone()) != Some(json!(true)) {
        sandbox.violate(
            &operation,
            &exchange,
            "200 with data true: the transaction was waiting in its delay",
            "nothing was reported cancelled",
        );
    }
    let (twin_curl, _) = sandbox.trigger(json!({ "name": name, "to": twin })).await?;
    let trigger = sandbox.operation("events_trigger")?;
    let feed = sandbox
        .await_feed(&twin, DELAY_DEADLINE, |feed| !feed.is_empty())
        .await?;
    if with_content(&feed, "nc-after-delay").is_empty() {
        sandbox.observe(
            &trigger,
            &twin_curl,
            &format!(
                "the uncancelled twin's in-app message after its 1 s delay, within {DELAY_DEADLINE:?}"
            ),
            format!("{twin}'s feed holds {} items", feed.len()),
        );
    }
    // The twin's message is in, or the deadline is long past the delay.
    let feed = sandbox.feed(&cancelled).await?;
    if !feed.is_empty() {
        sandbox.observe(
            &trigger,
            &cancelled_curl,
            "no message for a transaction cancelled during its delay",
            format!("{cancelled}'s feed holds {} items", feed.len()),
        );
    }
    Ok(())
}

/// A trigger whose `transactionId` already delivered is answered as processed, with that id,
/// and delivers nothing: Novu's worker drops a trigger whose transaction already has jobs
/// (`transactionId property is not unique`). The absence is judged once a control trigger,
/// sent after it with a fresh id, has delivered.
async fn reused_transaction(sandbox: &Sandbox<'_>) -> Result<(), Stop> {
    let workflow = sandbox
        .workflow(
            "reused-transaction",
            json!([in_app_step("nc-reused", json!([]))]),
            json!({}),
        )
        .await?;
    let [first, reused, control] =
        ["reuse-first", "reuse-again", "reuse-control"].map(|role| sandbox.name(role, 0));
    for id in [&first, &reused, &control] {
        sandbox.subscriber(json!({ "subscriberId": id })).await?;
    }
    let name = &workflow["triggers"][0]["identifier"];
    // Jobs outlive the run's objects, so the id is new to the server even where a run with the
    // same seed (and names) came before.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let transaction = format!("{}-{nanos}", sandbox.name("reused-transaction", 0));
    sandbox
        .trigger(json!({ "name": name, "to": first, "transactionId": transaction }))
        .await?;
    let feed = sandbox
        .await_feed(&first, DELIVERY_DEADLINE, |feed| !feed.is_empty())
        .await?;
    if feed.is_empty() {
        // Nothing delivered at all: what is wrong is reported by the scenarios that deliver.
        return Ok(());
    }
    let (reused_curl, answered) = sandbox
        .trigger(json!({ "name": name, "to": reused, "transactionId": transaction }))
        .await?;
    let trigger = sandbox.operation("events_trigger")?;
    if answered != transaction {
        sandbox.observe(
            &trigger,
            &reused_curl,
            &format!("the acknowledgement names the given transactionId {transaction:?}"),
            format!("it names {answered:?}"),
        );
    }
    sandbox
        .trigger(json!({ "name": name, "to": control }))
        .await?;
    sandbox
        .await_feed(&control, DELIVERY_DEADLINE, |feed| !feed.is_empty())
        .await?;
    let feed = sandbox.feed(&reused).await?;
    if !feed.is_empty() {
        sandbox.observe(
            &trigger,
            &reused_curl,
            "no message for a trigger whose transactionId already delivered (Novu's worker drops it)",
            format!("{reused}'s feed holds {} items", feed.len()),
        );
    }
    Ok(())
}

/// Runs `integration-selection`.
async fn integration_selection(run: Arc<Run>) {
    let sandbox = Sandbox::new(&run, INTEGRATION_SELECTION);
    let drawn = draw(&run, INTEGRATION_SELECTION);
    let _ = select_integrations(&sandbox, &drawn).await;
    sandbox.cleanup().await;
}

/// SMS providers: the contract does not check provider ids, and a real server knows these.
const SMS_PROVIDERS: &[&str] = &[
    "twilio",
    "plivo",
    "sns",
    "telnyx",
    "nexmo",
    "sms77",
    "termii",
    "kannel",
    "firetext",
    "gupshup",
    "clickatell",
    "burst-sms",
];

/// Integrations of one channel with tenant conditions: a tenant that meets one integration's
/// conditions is served by it, one that meets none (and a trigger without a tenant) by the
/// default, and conditions in error never select.
async fn select_integrations(sandbox: &Sandbox<'_>, drawn: &Drawn) -> Result<(), Stop> {
    let existing = sandbox
        .expect(
            "integrations are listed",
            "integrations_list",
            &[],
            &[],
            None,
        )
        .await?;
    let existing = existing.as_array().cloned().unwrap_or_default();
    let used: Vec<&str> = existing
        .iter()
        .filter(|integration| integration["channel"] == "sms")
        .filter_map(|integration| integration["providerId"].as_str())
        .collect();
    let providers: Vec<&str> = SMS_PROVIDERS
        .iter()
        .copied()
        .filter(|provider| !used.contains(provider))
        .take(4)
        .collect();
    if providers.len() < 4 {
        sandbox.run.recorder.skip(
            INTEGRATION_SELECTION,
            "events_trigger",
            "Events",
            "the environment already uses the SMS providers the check needs",
        );
        return Ok(());
    }
    let identifier = |index: u32| sandbox.name("selection-tenant", index);
    let region = format!("region-{}", drawn.word);
    let part = |field: &str, operator: &str, value: &str| json!({ "on": "tenant", "field": field, "operator": operator, "value": value });
    // (label, conditions) in creation order; the first has none and is the default candidate.
    let plans = [
        ("default", json!([])),
        (
            "by-identifier",
            json!([{ "value": "AND", "children": [part("identifier", "EQUAL", &identifier(0))] }]),
        ),
        (
            "by-region",
            json!([{ "value": "OR", "children": [
                part("name", "EQUAL", "nc-no-such-name"),
                part("data.region", "EQUAL", &region),
            ] }]),
        ),
        (
            "in-error",
            json!([{ "children": [part("data.nc-absent", "IN", "x")] }]),
        ),
    ];
    let mut integrations = Vec::new();
    for ((label, conditions), provider) in plans.iter().zip(&providers) {
        let mut body = json!({
            "name": sandbox.name(&format!("selection-{label}"), 0),
            "identifier": sandbox.name(&format!("selection-{label}"), 0),
            "providerId": provider,
            "channel": "sms",
            "active": true,
            "check": false,
            "credentials": { "apiKey": "nc-not-a-key", "from": "+15550100" },
        });
        if conditions
            .as_array()
            .is_some_and(|groups| !groups.is_empty())
        {
            body["conditions"] = conditions.clone();
        }
        let integration = sandbox
            .expect(
                "the integration is created",
                "integrations_create",
                &[],
                &[],
                Some(body),
            )
            .await?;
        sandbox.created(
            "integrations_delete",
            &[("integrationId", &text(&integration["_id"]))],
        );
        integrations.push((*label, (*provider).to_owned(), conditions.clone()));
    }
    // The default is the environment's primary SMS integration, whichever it is.
    let listed = sandbox
        .expect(
            "integrations are listed",
            "integrations_list",
            &[],
            &[],
            None,
        )
        .await?;
    let primary: Vec<String> = listed
        .as_array()
        .into_iter()
        .flatten()
        .filter(|integration| {
            integration["channel"] == "sms"
                && integration["active"] == true
                && integration["primary"] == true
        })
        .map(|integration| text(&integration["providerId"]))
        .collect();
    let default = match primary.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    };
    let tenants = [
        json!({ "identifier": identifier(0), "name": identifier(0) }),
        json!({ "identifier": identifier(1), "name": identifier(1), "data": { "region": region } }),
        json!({ "identifier": identifier(2), "name": identifier(2), "data": { "region": "nc-elsewhere" } }),
    ];
    for tenant in &tenants {
        sandbox.tenant(tenant.clone()).await?;
    }
    let workflow = sandbox
        .workflow(
            "selection",
            json!([{
                "name": "nc-sms",
                "active": true,
                "template": { "type": "sms", "content": "nc-sms" },
            }]),
            json!({}),
        )
        .await?;
    let subscriber = sandbox.name("selection-subscriber", 0);
    sandbox
        .subscriber(json!({ "subscriberId": subscriber, "phone": "+15550123" }))
        .await?;
    let trigger = sandbox.operation("events_trigger")?;
    let cases = tenants.iter().map(Some).chain([None]);
    for tenant in cases {
        // Conditions see the tenant alone (the integration `conditions` description).
        let scope = Scope {
            tenant: tenant.cloned().unwrap_or(Value::Null),
            ..Scope::default()
        };
        let chosen = tenant.and_then(|_| {
            integrations.iter().find(|(_, _, conditions)| {
                let groups = conditions.as_array().cloned().unwrap_or_default();
                !groups.is_empty()
                    && oracle::evaluate(&groups, &scope, &|_| Verdict::Error).verdict
                        == Verdict::Pass
            })
        });
        let mut body = json!({
            "name": workflow["triggers"][0]["identifier"],
            "to": subscriber,
        });
        if let Some(tenant) = tenant {
            body["tenant"] = tenant["identifier"].clone();
        }
        let (curl, transaction) = sandbox.trigger(body).await?;
        let provider = sms_provider(sandbox, &subscriber, &transaction).await?;
        let conditional: Vec<&str> = integrations
            .iter()
            .skip(1)
            .map(|(_, provider, _)| provider.as_str())
            .collect();
        let (expected, right) = match (chosen, &default) {
            (Some((label, provider_id, _)), _) => (
                format!(
                    "the SMS sent through the {label} integration ({provider_id}), whose conditions the tenant meets"
                ),
                provider.as_deref() == Some(provider_id.as_str()),
            ),
            (None, Some(default)) => (
                format!(
                    "the SMS sent through the default, primary integration ({default}): no integration's conditions select it"
                ),
                provider.as_deref() == Some(default.as_str()),
            ),
            (None, None) => (
                format!(
                    "the SMS sent through an integration other than the conditional ones {conditional:?}"
                ),
                provider
                    .as_deref()
                    .is_some_and(|provider| !conditional.contains(&provider)),
            ),
        };
        if !right {
            let tenant = tenant.map_or("no tenant".to_owned(), |tenant| format!("tenant {tenant}"));
            sandbox.observe(
                &trigger,
                &curl,
                &expected,
                format!("for {tenant} the message's providerId is {provider:?}"),
            );
        }
    }
    Ok(())
}

/// The `providerId` of the subscriber's SMS of `transaction`, polled until it is there.
async fn sms_provider(
    sandbox: &Sandbox<'_>,
    subscriber: &str,
    transaction: &str,
) -> Result<Option<String>, Stop> {
    let started = std::time::Instant::now();
    loop {
        let messages = sandbox
            .expect(
                "the messages are listed",
                "messages_list",
                &[],
                &[
                    ("subscriberId", subscriber),
                    ("channel", "sms"),
                    ("transactionId", transaction),
                ],
                None,
            )
            .await?;
        let provider = messages
            .as_array()
            .into_iter()
            .flatten()
            .find(|message| message["transactionId"] == transaction)
            .map(|message| text(&message["providerId"]));
        if provider.is_some() || started.elapsed() >= DELIVERY_DEADLINE {
            return Ok(provider);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
