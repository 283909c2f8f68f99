//! `novu-e2e`: behaviour beyond the schema, as Novu's own end-to-end tests record it.
//!
//! Each [`Ported`] case names the Novu test it comes from (the file under `apps/api/src/app/`
//! and the `it(...)` title) and plays it again over HTTP with the run's API key: what Novu's
//! harness seeded by hand (sessions, factories, repository writes) is made with API calls here,
//! and what it read back from the database is read back through the API. A case asserts only
//! what Novu's test asserts, on values it created itself under the run's prefix, so a real Novu
//! server passes it; it deletes what it made. One module per Novu folder holds that folder's
//! cases (a large file of it, or the files of one job, in a module of their own); `README.md`
//! beside this file lists every case of the API-key folders, ported or left out and why.
//!
//! A case plays when the operation it tests is selected. A case that needs something a
//! deployment may turn off ([`Feature`]) is skipped with the reason when the server has it off;
//! one where the reference is known to answer otherwise names the difference and is skipped
//! the same way. Every case's end is recorded ([`CaseRecord`]), so skips are counted, not silent.

mod change_layouts;
mod changes;
mod deployment;
mod events_bulk;
mod events_cancel;
mod events_delay;
mod events_delivery;
mod events_digest;
mod events_digest_channels;
mod events_digest_keys;
mod events_filters;
mod events_overrides;
mod events_push;
mod events_topics;
mod events_trigger;
mod events_webhooks;
mod feeds;
mod integration_create;
mod integration_primary;
mod integration_update;
mod integrations;
mod layout_list;
mod layouts;
mod messages;
mod notification_groups;
mod notifications;
mod organization;
mod session;
mod subscriber_feed;
mod subscriber_oauth;
mod subscriber_preferences;
mod subscribers;
mod tenant;
mod topic_list;
mod topics;
mod workflow_create;
mod workflow_overrides;
mod workflow_promotion;
mod workflows_v1;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::semantic::sandbox::{Sandbox, Stop};
use crate::checks::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::{CaseOutcome, CaseRecord, Exchange, Run};
use crate::transport::callback::Callback;
use deployment::{NovuProbes, second_key_is_production, tenants_are_off};

/// The name of the check.
pub const NOVU_E2E: &str = "novu-e2e";

/// `novu-e2e`.
pub struct NovuE2e;

/// A ported folder (or part of one): its cases, and whether they may play beside each other
/// and beside the concurrent checks.
struct Folder {
    cases: &'static [Ported],
    /// The cases read and write only objects they made themselves (their subscribers, topics,
    /// workflows, feeds), never a list of the whole environment or one of its defaults (the
    /// primary integration, the default layout, the pending changes), and deliver through the
    /// integrations made once for all of them.
    own_objects: bool,
}

const fn alone(cases: &'static [Ported]) -> Folder {
    Folder {
        cases,
        own_objects: false,
    }
}

const fn beside(cases: &'static [Ported]) -> Folder {
    Folder {
        cases,
        own_objects: true,
    }
}

/// The cases of every ported folder, in the order they play.
const FOLDERS: &[Folder] = &[
    alone(subscribers::CASES),
    beside(subscriber_feed::CASES),
    beside(subscriber_feed::MORE_CASES),
    beside(subscriber_preferences::CASES),
    alone(subscriber_oauth::CASES),
    beside(topics::CASES),
    alone(topic_list::CASES),
    alone(tenant::CASES),
    alone(notification_groups::CASES),
    alone(layouts::CASES),
    alone(layout_list::CASES),
    alone(integrations::CASES),
    alone(integration_create::CASES),
    alone(integration_update::CASES),
    alone(integration_primary::CASES),
    alone(feeds::CASES),
    alone(changes::CASES),
    alone(change_layouts::CASES),
    alone(workflows_v1::CASES),
    beside(workflow_create::CASES),
    alone(workflow_promotion::CASES),
    alone(workflow_overrides::CASES),
    alone(messages::CASES),
    alone(notifications::CASES),
    alone(organization::CASES),
    // Two of its cases make and delete a chat integration each.
    alone(events_trigger::CASES),
    alone(events_delivery::CASES),
    beside(events_delivery::IN_APP_CASES),
    // They turn the environment's push integrations off and make two of their own.
    alone(events_push::CASES),
    beside(events_webhooks::CASES),
    beside(events_topics::CASES),
    beside(events_bulk::CASES),
    beside(events_cancel::CASES),
    beside(events_delay::CASES),
    beside(events_overrides::CASES),
    beside(events_filters::CASES),
    beside(events_digest::CASES),
    beside(events_digest_keys::CASES),
    // They make a chat or push integration each, which no other case delivers through.
    beside(events_digest_channels::CASES),
];

/// Every ported case, in the order they play.
pub fn cases() -> impl Iterator<Item = &'static Ported> {
    folder_cases().map(|(_, ported)| ported)
}

/// Every ported case with whether it may play beside the concurrent checks: a case of an
/// `own_objects` folder.
fn folder_cases() -> impl Iterator<Item = (bool, &'static Ported)> {
    FOLDERS.iter().flat_map(|folder| {
        folder
            .cases
            .iter()
            .map(move |ported| (folder.own_objects, ported))
    })
}

impl Check for NovuE2e {
    fn name(&self) -> &'static str {
        NOVU_E2E
    }

    fn description(&self) -> &'static str {
        "behaviour beyond the schema, from Novu's own e2e tests: each case replays one of them over HTTP with values it creates"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    // Some cases read lists of the whole environment or change its defaults (a layout, a
    // primary integration): nothing else may write meanwhile. The others play in the
    // background ([`Check::background`]).
    fn phase(&self) -> Phase {
        Phase::Alone
    }

    fn covers(&self, operation: &Operation) -> bool {
        cases().any(|case| case.operation == operation.operation_id)
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(play_alone(run))
    }

    fn background<'a>(&'a self, run: &'a Arc<Run>) -> Option<Task<'a>> {
        Some(Box::pin(play_beside(run)))
    }
}

/// The future of a case's play: `Err(Stop)` once a violation was recorded.
pub type Play<'a> = Pin<Box<dyn Future<Output = Result<(), Stop>> + Send + 'a>>;

/// Something a deployment may turn off; a case that needs it is skipped where it is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// The tenants API, which a server running workflows in code answers with 405.
    Tenants,
    /// The key of the Production environment beside the run's Development one
    /// (`--second-api-key`): the cases that read what changes promote read it with that key.
    Production,
    /// A webhook the server under test can call on this machine: the target runs here, or
    /// `--callback-host` names the address it reaches this machine at.
    Callback,
    /// Novu's own providers of these channels (`novu-email`, `novu-sms`), which a server lets
    /// an environment create only where it holds their credentials: a run asks it once.
    NovuProviders(&'static [&'static str]),
    /// A server without the credentials of Novu's own provider of this channel: the cases of
    /// what Novu does without them.
    WithoutNovuProvider(&'static str),
}

/// One case ported from Novu's e2e suite.
pub struct Ported {
    /// The Novu file it comes from, under `apps/api/src/app/`.
    pub source: &'static str,
    /// The `it(...)` title it comes from.
    pub title: &'static str,
    /// The operation it tests: it plays when that operation is selected.
    pub operation: &'static str,
    /// What it needs that a deployment may turn off.
    pub needs: Option<Feature>,
    /// Where the reference answers otherwise and is not fixed yet: the case is skipped with
    /// this reason.
    pub differs: Option<&'static str>,
    /// Whether it mostly waits out a time window (a delay, a digest): such cases play beside
    /// each other, before the other cases of their group ([`play_together`]).
    pub waits: bool,
    /// Whether it leaves objects behind that no operation deletes (an organization): it plays
    /// only where the run allows that (`--allow-lasting-objects`).
    pub lasting: bool,
    /// The play.
    pub play: for<'a> fn(&'a Trial<'a>) -> Play<'a>,
}

impl Ported {
    /// The case `title` of `source`, testing `operation`, played by `play`.
    pub const fn new(
        source: &'static str,
        title: &'static str,
        operation: &'static str,
        play: for<'a> fn(&'a Trial<'a>) -> Play<'a>,
    ) -> Ported {
        Ported {
            source,
            title,
            operation,
            needs: None,
            differs: None,
            waits: false,
            lasting: false,
            play,
        }
    }

    /// The same case, skipped because the reference answers otherwise: `reason` names the
    /// difference.
    pub const fn differs(self, reason: &'static str) -> Ported {
        Ported {
            differs: Some(reason),
            ..self
        }
    }

    /// The same case, played beside the other cases that wait out a window of their own (it
    /// creates what it uses and reads nothing of the environment's other objects).
    pub const fn waits(self) -> Ported {
        Ported {
            waits: true,
            ..self
        }
    }

    /// The same case, which leaves objects behind that no operation deletes.
    pub const fn leaves_lasting_objects(self) -> Ported {
        Ported {
            lasting: true,
            ..self
        }
    }

    /// The same case, needing `feature`.
    pub const fn needs(self, feature: Feature) -> Ported {
        Ported {
            needs: Some(feature),
            ..self
        }
    }
}

/// The selected cases that may play beside others (`own_objects`) or those that may not, each
/// with its number and, when it is skipped, the reason.
async fn plan(run: &Run, own_objects: bool) -> Vec<Planned> {
    let mut tenants_off = None;
    let mut production = None;
    let mut novu_providers = NovuProbes::default();
    let mut planned = Vec::new();
    for (number, (beside, ported)) in folder_cases().enumerate() {
        if beside != own_objects || !run.is_selected(ported.operation) {
            continue;
        }
        let skip = if let Some(reason) = ported.differs {
            Some(format!("the reference differs: {reason}"))
        } else if ported.lasting && !run.lasting_objects {
            Some(
                "it leaves behind an object no operation deletes (an organization in the key \
                 owner's account): --allow-lasting-objects plays it"
                    .to_owned(),
            )
        } else if let Some(Feature::NovuProviders(channels)) = ported.needs {
            novu_providers.skip_needing(run, channels).await
        } else if let Some(Feature::WithoutNovuProvider(channel)) = ported.needs {
            novu_providers.skip_without(run, channel).await
        } else if ported.needs == Some(Feature::Production) {
            if production.is_none() {
                production = Some(second_key_is_production(run).await);
            }
            (!production.unwrap_or(false)).then(|| {
                "no key of the Production environment was given (--second-api-key)".to_owned()
            })
        } else if ported.needs == Some(Feature::Callback) {
            run.callback.is_none().then(|| {
                "the server cannot call back this machine: it is not on it and no \
                 --callback-host was given"
                    .to_owned()
            })
        } else if ported.needs == Some(Feature::Tenants) {
            if tenants_off.is_none() {
                tenants_off = Some(tenants_are_off(run).await);
            }
            tenants_off
                .unwrap_or(false)
                .then(|| "the server has the tenants API turned off (405)".to_owned())
        } else {
            None
        };
        planned.push(Planned {
            number,
            ported,
            outcome: skip.map(CaseOutcome::Skipped),
        });
    }
    planned
}

/// A selected case of the corpus: its number, the case, and its outcome once known.
struct Planned {
    number: usize,
    ported: &'static Ported,
    outcome: Option<CaseOutcome>,
}

/// Records the outcomes of `planned`, in their order, and the progress line of the cases
/// played, named `label`.
fn record(run: &Run, planned: Vec<Planned>, label: &str) {
    let mut played = Vec::new();
    for Planned {
        ported, outcome, ..
    } in planned
    {
        played.push(ported.operation.to_owned());
        run.recorder.case(CaseRecord {
            check: NOVU_E2E,
            source: ported.source,
            title: ported.title,
            outcome: outcome.expect("every planned case has ended"),
        });
    }
    played.dedup();
    run.progress_line(NOVU_E2E, label, &played);
}

/// Plays the selected cases that read or change what belongs to the whole environment, one
/// after another, each in its own sandbox.
async fn play_alone(run: &Arc<Run>) {
    if run.read_only {
        return;
    }
    let mut planned = plan(run, false).await;
    // The waiting ones first, beside each other only: what they change of the environment
    // (an integration of a channel of their own) no other waiting case reads.
    let waiting: Vec<usize> = (0..planned.len())
        .filter(|index| planned[*index].outcome.is_none() && planned[*index].ported.waits)
        .collect();
    play_together(run, &mut planned, waiting).await;
    for case in &mut planned {
        if case.outcome.is_none() {
            case.outcome = Some(play(run, case.ported, case.number).await);
        }
    }
    record(run, planned, "(cases)");
}

/// Plays the selected cases that may play beside each other and beside the concurrent checks,
/// each in its own sandbox, concurrently ([`play_together`]).
async fn play_beside(run: &Arc<Run>) {
    if run.read_only {
        return;
    }
    let mut planned = plan(run, true).await;
    let all: Vec<usize> = (0..planned.len())
        .filter(|index| planned[*index].outcome.is_none())
        .collect();
    play_together(run, &mut planned, all).await;
    record(run, planned, "(cases beside)");
}

/// Plays the cases of `planned` at `indices` concurrently and records their outcomes there:
/// the waiting ones all at once and first, as they mostly wait out their windows, the others
/// at most `--jobs` at a time meanwhile.
async fn play_together(run: &Arc<Run>, planned: &mut [Planned], mut indices: Vec<usize>) {
    let Some(first) = indices.first() else {
        return;
    };
    // They share the email and SMS integrations Novu's session starts with, made once for all
    // of them: a case that made its own would delete it at its end, under a case still waiting
    // to deliver through it.
    let shared = Trial::new(run, planned[*first].ported, planned[*first].number);
    for channel in ["email", "sms"] {
        // A failure here shows again, as a failed case, where a case needs the channel.
        let _ = session::channel_integration(&shared, channel).await;
    }
    indices.sort_by_key(|index| !planned[*index].ported.waits);
    let permits = Arc::new(tokio::sync::Semaphore::new(run.jobs.max(1)));
    let mut playing = tokio::task::JoinSet::new();
    for index in indices {
        let Planned { number, ported, .. } = planned[index];
        let run = run.clone();
        let permits = (!ported.waits).then(|| permits.clone());
        playing.spawn(async move {
            let _permit = match permits {
                Some(permits) => Some(permits.acquire_owned().await),
                None => None,
            };
            (index, play(&run, ported, number).await)
        });
    }
    while let Some(joined) = playing.join_next().await {
        match joined {
            Ok((index, outcome)) => planned[index].outcome = Some(outcome),
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    shared.sandbox.cleanup().await;
}

/// Plays case `number`, `ported`, in a sandbox of its own, cleaned up after.
async fn play(run: &Run, ported: &'static Ported, number: usize) -> CaseOutcome {
    let trial = Trial::new(run, ported, number);
    let result = (ported.play)(&trial).await;
    trial.sandbox.cleanup().await;
    let inconclusive = trial.inconclusive.lock().expect("poisoned").take();
    match (result, inconclusive) {
        (Err(Stop), Some(reason)) => CaseOutcome::Skipped(format!("{INCONCLUSIVE}{reason}")),
        (Ok(()), _) => CaseOutcome::Passed,
        (Err(Stop), None) => CaseOutcome::Failed,
    }
}

/// What a case is handed: requests counted for `novu-e2e`, assertions that turn into
/// violations naming the Novu test, and a sandbox that deletes what the case made.
pub struct Trial<'a> {
    sandbox: Sandbox<'a>,
    ported: &'static Ported,
    number: usize,
    /// Why the case could not be judged, once it says so ([`Trial::inconclusive`]).
    inconclusive: std::sync::Mutex<Option<String>>,
}

/// An answer a case received.
pub struct Reply {
    operation: Operation,
    exchange: Exchange,
    /// The status (0 when nothing came back).
    pub status: u16,
    /// The body as JSON (`null` when it is not JSON).
    pub body: Value,
}

impl Reply {
    /// The body's `data`.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }
}

/// How the reason of a case that could not be judged starts.
pub const INCONCLUSIVE: &str = "inconclusive: ";

impl<'a> Trial<'a> {
    fn new(run: &'a Run, ported: &'static Ported, number: usize) -> Trial<'a> {
        Trial {
            sandbox: Sandbox::new(run, NOVU_E2E),
            ported,
            number,
            inconclusive: std::sync::Mutex::new(None),
        }
    }

    /// Ends the case without a verdict, for `reason`: what it needed did not happen in time
    /// (a window closed before its last request could arrive). It counts as skipped with the
    /// reason, not as failed, and records no violation.
    pub fn inconclusive(&self, reason: String) -> Stop {
        *self.inconclusive.lock().expect("poisoned") = Some(reason);
        Stop
    }

    /// A name unique to this case in this run, under the run's prefix.
    pub fn name(&self, label: &str) -> String {
        format!("{}{label}", self.prefix())
    }

    /// The case's number in the run, unique to it.
    pub fn number_in_run(&self) -> u64 {
        self.sandbox.run.seed.wrapping_mul(1000) + self.number as u64
    }

    /// The API key the run sends.
    pub fn api_key(&self) -> &str {
        self.sandbox.run.http.api_key()
    }

    /// What every name of this case starts with.
    pub fn prefix(&self) -> String {
        format!("{}e2e{}-", self.sandbox.run.generator.prefix(), self.number)
    }

    /// Sends `body` to operation `id` with these path values and query pairs.
    pub async fn call(
        &self,
        id: &str,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<Reply, Stop> {
        let (operation, exchange) = self.sandbox.send(id, path, query, body).await?;
        Ok(Reply {
            status: exchange.status().unwrap_or(0),
            body: exchange.json().unwrap_or(Value::Null),
            operation,
            exchange,
        })
    }

    /// As [`Trial::call`], with the key of the Production environment (cases that need
    /// [`Feature::Production`] play only where there is one).
    pub async fn call_in_production(
        &self,
        id: &str,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<Reply, Stop> {
        let operation = self.sandbox.operation(id)?;
        let run = self.sandbox.run;
        let request = crate::transport::Request::to(&operation, path, query, body);
        let exchange = match &run.second {
            Some(second) => {
                run.exchange_with(second, NOVU_E2E, &operation, request)
                    .await
            }
            None => run.exchange(NOVU_E2E, &operation, request).await,
        };
        Ok(Reply {
            status: exchange.status().unwrap_or(0),
            body: exchange.json().unwrap_or(Value::Null),
            operation,
            exchange,
        })
    }

    /// A set-up step that Novu's harness did by hand: anything but a 2xx with a JSON body ends
    /// the case with a violation. Answers the body's `data`.
    pub async fn setup(
        &self,
        what: &str,
        id: &str,
        path: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<Value, Stop> {
        self.sandbox.expect(what, id, path, &[], body).await
    }

    /// Remembers that `delete` with these path values undoes something the case made.
    pub fn created(&self, delete: &'static str, path: &[(&'static str, &str)]) {
        self.sandbox.created(delete, path);
    }

    /// Remembers that `operation` with these path values and `body` undoes something made.
    pub fn created_with(
        &self,
        operation: &'static str,
        path: &[(&'static str, &str)],
        body: Option<Value>,
    ) {
        self.sandbox.created_with(operation, path, body);
    }

    /// The answer has status `expected`.
    pub fn status(&self, reply: &Reply, expected: u16) -> Result<(), Stop> {
        self.holds(
            reply,
            &format!("status {expected}"),
            reply.status == expected,
        )
    }

    /// `actual`, read from the answer, is `expected`.
    pub fn equal(
        &self,
        reply: &Reply,
        what: &str,
        actual: &Value,
        expected: impl Into<Value>,
    ) -> Result<(), Stop> {
        let expected = expected.into();
        if *actual == expected {
            return Ok(());
        }
        self.fail(
            reply,
            &format!("{what} is {expected}"),
            &format!("{what} is {actual}"),
        )
    }

    /// `condition`, read from the answer, holds; `what` says what it states.
    pub fn holds(&self, reply: &Reply, what: &str, condition: bool) -> Result<(), Stop> {
        if condition {
            return Ok(());
        }
        self.fail(reply, what, "it does not hold")
    }

    /// Records a violation about `reply` and ends the case.
    pub fn fail(&self, reply: &Reply, expected: &str, problem: &str) -> Result<(), Stop> {
        let expected = format!(
            "{expected} (as Novu's {} asserts in \"{}\")",
            self.ported.source, self.ported.title
        );
        self.sandbox
            .violate(&reply.operation, &reply.exchange, &expected, problem);
        Err(Stop)
    }

    /// Creates an active workflow (and its group) with one in-app step whose content is
    /// `content`, as Novu's `session.createTemplate` gives its tests; answers the trigger
    /// identifier. Both are deleted at the end.
    pub async fn in_app_workflow(&self, content: &str) -> Result<String, Stop> {
        let step = super::semantic::sandbox::in_app_step(content, serde_json::json!([]));
        let workflow = self.workflow(serde_json::json!([step])).await?;
        Ok(workflow["triggers"][0]["identifier"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Creates an active workflow (and its group) with `steps`; answers the workflow. Both are
    /// deleted at the end.
    pub async fn workflow(&self, steps: Value) -> Result<Value, Stop> {
        self.workflow_with(steps, serde_json::json!({})).await
    }

    /// As [`Trial::workflow`], with the fields of `extra` (a name, `active`, `draft`) over the
    /// defaults.
    pub async fn workflow_with(&self, steps: Value, extra: Value) -> Result<Value, Stop> {
        let label = format!("e2e{}-workflow", self.number);
        self.sandbox.workflow(&label, steps, extra).await
    }

    /// Triggers workflow `identifier` for `subscriber_id` with `payload`; the subscriber, made
    /// by the trigger when new, is deleted at the end. Anything but a 201 ends the case.
    pub async fn trigger(
        &self,
        identifier: &str,
        subscriber_id: &str,
        payload: Value,
    ) -> Result<(), Stop> {
        self.created("subscribers_delete", &[("subscriberId", subscriber_id)]);
        self.sandbox
            .trigger(
                serde_json::json!({ "name": identifier, "to": subscriber_id, "payload": payload }),
            )
            .await
            .map(drop)
    }

    /// Starts a webhook callback the server under test can call (cases that need
    /// [`Feature::Callback`] play only where it can); the case stops it at its end.
    pub async fn callback(&self) -> Result<Callback, Stop> {
        let run = self.sandbox.run;
        let started = match &run.callback {
            Some(reach) => Callback::start(reach)
                .await
                .map_err(|error| format!("the callback did not start: {error}")),
            None => Err("the server cannot call back this machine".to_owned()),
        };
        started.map_err(|problem| {
            if let Ok(operation) = self.sandbox.operation(self.ported.operation) {
                self.sandbox.observe(
                    &operation,
                    "",
                    &format!(
                        "a webhook callback for Novu's {} \"{}\"",
                        self.ported.source, self.ported.title
                    ),
                    problem,
                );
            }
            Stop
        })
    }

    /// The environment the API key belongs to: its `_id` and `_organizationId`, which Novu's
    /// tests read from their session.
    pub async fn environment(&self) -> Result<(String, String), Stop> {
        let environment = self
            .setup(
                "the key's environment is readable",
                "environments_retrieve_current",
                &[],
                None,
            )
            .await?;
        let text = |field: &str| environment[field].as_str().unwrap_or_default().to_owned();
        Ok((text("_id"), text("_organizationId")))
    }

    /// Calls operation `id` until `done` holds of the answer, or until `deadline`: what a
    /// server delivers in the background (a message, an activity) comes later than the answer
    /// that caused it. Answers the last reply either way.
    pub async fn poll(
        &self,
        id: &str,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
        deadline: Duration,
        done: impl Fn(&Reply) -> bool,
    ) -> Result<Reply, Stop> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(50);
        loop {
            let reply = self.call(id, path, query, None).await?;
            if done(&reply) || started.elapsed() >= deadline {
                return Ok(reply);
            }
            tokio::time::sleep(pause.min(deadline.saturating_sub(started.elapsed()))).await;
            // A short ceiling, as the sandbox's feed polling has: what is awaited is seen
            // within 100 ms of its arrival, not up to half a second later.
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}

/// The strings of a JSON array (empty for anything else).
pub fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The same strings, sorted: `to.have.members` compares sets.
pub fn members(value: &Value) -> Vec<String> {
    let mut members: Vec<String> = strings(value).into_iter().map(str::to_owned).collect();
    members.sort();
    members
}

/// The items of a JSON array (empty for anything else).
pub fn items(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}
