//! A run: picks the operations and checks, starts the embedded reference server when no target
//! is given, performs the checks in an order that lets later requests use resources created by
//! earlier ones, and cleans up after itself.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::callback::{Reach, is_loopback};
use crate::checks::{self, CHECKS, Exchange};
use crate::error::{Error, Result};
use crate::generate::{Generator, Hints};
use crate::http::{Credentials, HttpClient, Request};
use crate::lifecycle;
use crate::outcome::{CheckResult, Recorder, Violation};
use crate::progress::Progress;
use crate::properties;
use crate::resources::{self, PRODUCERS};
use crate::scenarios;
use crate::schema::SchemaSet;
use crate::semantic;
use crate::spec::{Operation, Spec};

/// What to run and against what.
#[derive(Debug, Clone)]
pub struct Options {
    /// The server; `None` starts the embedded reference server.
    pub base_url: Option<String>,
    /// The API key (required with `base_url`).
    pub api_key: Option<String>,
    /// The seed of generated values and of the run-scoped prefix.
    pub seed: u64,
    /// Only operations with one of these tags (all when empty).
    pub tags: Vec<String>,
    /// Only these operations (all when empty).
    pub operations: Vec<String>,
    /// Only these checks (all when empty); `response-conformance` always judges what others receive.
    pub checks: Vec<String>,
    /// Concurrent requests.
    pub jobs: usize,
    /// `(K, N)`: only the K-th of N slices of the selected operations (1-based).
    pub partition: Option<(usize, usize)>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Only checks that change nothing on a conforming server.
    pub read_only: bool,
    /// Keep what the run created.
    pub no_cleanup: bool,
    /// Print progress on standard error.
    pub progress: bool,
    /// Print one line per request and answer on standard error.
    pub verbose: bool,
    /// Cases per operation of the property checks.
    pub cases: u32,
    /// The address at which the server under test reaches this machine, for the callbacks of
    /// webhook conditions; without it they are offered only to a target on this machine.
    pub callback_host: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base_url: None,
            api_key: None,
            seed: 1,
            tags: Vec::new(),
            operations: Vec::new(),
            checks: Vec::new(),
            jobs: 4,
            partition: None,
            timeout: Duration::from_secs(10),
            read_only: false,
            no_cleanup: false,
            progress: false,
            verbose: false,
            cases: 50,
            callback_host: None,
        }
    }
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct Report {
    /// One result per check and operation.
    pub results: Vec<CheckResult>,
    /// The seed.
    pub seed: u64,
    /// The server checked.
    pub base_url: String,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Requests sent.
    pub requests: u32,
    /// Webhook calls the suite's callback received from the server under test.
    pub webhook_calls: u32,
}

impl Report {
    /// Requests sent per check, in the order of the catalogue; for `response-conformance`, the
    /// answers it examined (every one the other checks received).
    pub fn requests_per_check(&self) -> Vec<(&'static str, u32)> {
        CHECKS
            .iter()
            .map(|check| {
                let requests = self
                    .results
                    .iter()
                    .filter(|result| result.check == check.name)
                    .map(|result| result.requests)
                    .sum();
                (check.name, requests)
            })
            .filter(|(_, requests)| *requests > 0)
            .collect()
    }

    /// Every violation, in result order.
    pub fn violations(&self) -> impl Iterator<Item = &Violation> {
        self.results
            .iter()
            .flat_map(|result| result.violations.iter())
    }
}

/// The state shared by the checks of one run.
#[derive(Debug)]
pub struct Run {
    /// The contract.
    pub spec: Spec,
    /// Its validators.
    pub schemas: SchemaSet,
    /// The HTTP client.
    pub http: HttpClient,
    /// The value generator.
    pub generator: Generator,
    pub(crate) recorder: Recorder,
    resources: Mutex<Hints>,
    enabled: Vec<&'static str>,
    requests: std::sync::atomic::AtomicU32,
    verbose: bool,
    /// The seed of the run.
    pub seed: u64,
    /// Cases per operation of the property checks.
    pub cases: u32,
    /// How the server under test reaches a callback the suite hosts, when it can.
    pub callback: Option<Reach>,
    /// Webhook calls the callback received.
    pub(crate) webhook_calls: std::sync::atomic::AtomicU32,
}

impl Run {
    /// Values known so far (ids of created resources), by parameter or property name.
    pub fn hints(&self) -> Hints {
        self.resources.lock().expect("resources poisoned").clone()
    }

    /// Remembers `value` under `name` for later requests, unless something is known already.
    pub(crate) fn remember(&self, name: &str, value: Value) {
        self.resources
            .lock()
            .expect("resources poisoned")
            .entry(name.to_owned())
            .or_insert(value);
    }

    /// Sends `request` for `check` on `operation` and judges the answer by `response-conformance`.
    pub async fn exchange(
        &self,
        check: &'static str,
        operation: &Operation,
        request: Request,
    ) -> Exchange {
        let exchange = self.send(check, operation, request).await;
        if self.enabled.contains(&checks::RESPONSE_CONFORMANCE) {
            let conformance = checks::RESPONSE_CONFORMANCE;
            self.recorder
                .request(conformance, &operation.operation_id, &operation.tag);
            let problems = checks::response_problems(self, operation, &exchange);
            if !problems.is_empty() {
                let violation = exchange.violation(
                    conformance,
                    operation,
                    "a documented status (not 5xx), content type and headers, and a valid body",
                    Some(&problems.join("; ")),
                );
                self.recorder.violation(&operation.tag, violation);
            }
        }
        exchange
    }

    /// Sends `request` for `check` on `operation` and counts it, without judging the answer:
    /// the property checks judge (and shrink) their cases themselves.
    pub async fn send(
        &self,
        check: &'static str,
        operation: &Operation,
        request: Request,
    ) -> Exchange {
        let curl = self.http.curl(&request);
        let outcome = self.http.send(&request).await;
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let exchange = Exchange {
            request,
            curl,
            outcome,
        };
        if self.verbose {
            eprintln!(
                "{check} {} {} -> {}",
                exchange.request.method,
                exchange.request.path,
                exchange.describe().chars().take(160).collect::<String>()
            );
        }
        self.recorder
            .request(check, &operation.operation_id, &operation.tag);
        exchange
    }

    /// Records a violation found on `operation`.
    pub fn violation(&self, operation: &Operation, violation: Violation) {
        self.recorder.violation(&operation.tag, violation);
    }
}

/// Starts the target (the embedded reference server unless `options.base_url` is given),
/// performs the run and shuts the embedded server down.
pub async fn run(spec: Spec, options: Options) -> Result<Report> {
    match &options.base_url {
        Some(base_url) => {
            let api_key = options.api_key.clone().ok_or_else(|| {
                Error::Usage("--base-url needs --api-key (or NOVU_API_KEY)".into())
            })?;
            run_against(spec, base_url, &api_key, &options).await
        }
        None => {
            let server = novu_reference::start(novu_reference::Config::in_memory())
                .await
                .map_err(|error| Error::Target {
                    base_url: "(embedded reference server)".into(),
                    message: format!("it did not start: {error}"),
                })?;
            // The key belongs to the server just started, whatever NOVU_API_KEY says.
            let api_key = server.api_key().to_owned();
            let report = run_against(spec, &server.base_url(), &api_key, &options).await;
            let _ = server.shutdown().await;
            report
        }
    }
}

fn select(spec: &Spec, options: &Options) -> Result<Vec<Operation>> {
    for id in &options.operations {
        if spec.operation(id).is_none() {
            return Err(Error::Usage(format!(
                "unknown operation {id}: `novu-conformance list` shows them"
            )));
        }
    }
    for tag in &options.tags {
        if !spec
            .operations
            .iter()
            .any(|operation| &operation.tag == tag)
        {
            return Err(Error::Usage(format!("no operation has the tag {tag:?}")));
        }
    }
    let mut selected: Vec<Operation> = spec
        .operations
        .iter()
        .filter(|operation| options.tags.is_empty() || options.tags.contains(&operation.tag))
        .filter(|operation| {
            options.operations.is_empty() || options.operations.contains(&operation.operation_id)
        })
        .cloned()
        .collect();
    if selected.is_empty() {
        return Err(Error::Usage(
            "no operation has both the given tags and operation ids".into(),
        ));
    }
    if let Some((slice, count)) = options.partition {
        selected = selected
            .into_iter()
            .enumerate()
            .filter(|(index, _)| index % count == slice - 1)
            .map(|(_, operation)| operation)
            .collect();
    }
    Ok(selected)
}

fn enabled_checks(options: &Options) -> Result<Vec<&'static str>> {
    for name in &options.checks {
        if !CHECKS.iter().any(|check| check.name == name) {
            return Err(Error::Usage(format!(
                "unknown check {name}: `novu-conformance list` shows them"
            )));
        }
    }
    Ok(CHECKS
        .iter()
        .filter(|check| {
            options.checks.is_empty() || options.checks.iter().any(|name| name == check.name)
        })
        // These send only GETs under --read-only.
        .filter(|check| {
            !options.read_only
                || check.safe
                || [
                    checks::EXAMPLE_REQUESTS,
                    checks::VALID_INPUTS_ACCEPTED,
                    checks::INVALID_INPUTS_REJECTED,
                ]
                .contains(&check.name)
        })
        .map(|check| check.name)
        .collect())
}

async fn run_against(
    spec: Spec,
    base_url: &str,
    api_key: &str,
    options: &Options,
) -> Result<Report> {
    let started = Instant::now();
    let selected = select(&spec, options)?;
    let enabled = enabled_checks(options)?;
    let schemas = SchemaSet::new(&spec)?;
    // A schema that does not compile is the contract's fault: say so before sending anything.
    for operation in &spec.operations {
        let bodies = operation.request_body.iter().map(|body| &body.schema);
        let responses = operation
            .responses
            .values()
            .flat_map(|response| response.content.values());
        for schema in bodies.chain(responses).filter(|schema| !schema.is_null()) {
            schemas.validator(schema).map_err(|error| Error::Spec {
                name: format!("(operation {})", operation.operation_id),
                message: match error {
                    Error::Spec { message, .. } => message,
                    other => other.to_string(),
                },
            })?;
        }
    }
    let http = HttpClient::new(base_url, api_key, options.timeout)?;
    let run = Arc::new(Run {
        schemas,
        http,
        generator: Generator::new(&format!("nc-{}-", options.seed)),
        recorder: Recorder::default(),
        // A layout's content must hold `{{{body}}}`; no schema keyword can say so.
        resources: Mutex::new(Hints::from([(
            "content".to_owned(),
            json!("<html><body>{{{body}}}</body></html>"),
        )])),
        enabled: enabled.clone(),
        requests: std::sync::atomic::AtomicU32::new(0),
        verbose: options.verbose,
        seed: options.seed,
        cases: options.cases,
        callback: match &options.callback_host {
            Some(host) => Some(Reach::Host(host.clone())),
            None if is_loopback(base_url) => Some(Reach::Loopback),
            None => None,
        },
        webhook_calls: std::sync::atomic::AtomicU32::new(0),
        spec,
    });
    preflight(&run).await?;
    let progress = Arc::new(Progress::new(options.progress));
    let jobs = options.jobs.max(1);
    let writes_allowed = |operation: &Operation| !options.read_only || operation.method == "GET";

    for check in [checks::AUTH_MISSING_KEY, checks::AUTH_WRONG_KEY] {
        if !enabled.contains(&check) {
            continue;
        }
        let operations: Vec<Operation> = selected
            .iter()
            .filter(|operation| operation.authenticated && writes_allowed(operation))
            .cloned()
            .collect();
        for_each_tag(
            &run,
            &progress,
            check,
            operations,
            jobs,
            move |run, operation| async move {
                checks::authentication(&run, &operation, check).await;
            },
        )
        .await;
    }
    if enabled.contains(&checks::SAFE_READS) {
        let operations: Vec<Operation> = selected
            .iter()
            .filter(|operation| checks::is_safe_read(operation))
            .cloned()
            .collect();
        for_each_tag(
            &run,
            &progress,
            checks::SAFE_READS,
            operations,
            jobs,
            |run, operation| async move {
                checks::safe_read(&run, &operation).await;
            },
        )
        .await;
    }

    // Snapshots go before anything is written: what other checks leave behind (an in-app
    // integration newer than the environment's own, say) would show in the transcripts.
    if enabled.contains(&checks::SNAPSHOTS) && !options.read_only {
        scenarios::check(&run, &progress, &selected, api_key).await;
    }

    // Examples are sequential: creates first, so that later requests can name what they made.
    let examples = enabled.contains(&checks::EXAMPLE_REQUESTS);
    let producer_deletes: Vec<&str> = PRODUCERS
        .iter()
        .filter_map(|producer| producer.delete)
        .collect();
    let mut creates: Vec<Operation> = Vec::new();
    let mut middle: Vec<Operation> = Vec::new();
    let mut deletes: Vec<Operation> = Vec::new();
    for producer in PRODUCERS {
        if let Some(operation) = selected
            .iter()
            .find(|operation| operation.operation_id == producer.create)
        {
            creates.push(operation.clone());
        }
    }
    for operation in selected
        .iter()
        .filter(|operation| writes_allowed(operation))
    {
        let id = operation.operation_id.as_str();
        if PRODUCERS.iter().any(|producer| producer.create == id) || producer_deletes.contains(&id)
        {
            continue;
        }
        // Removals undo what the other requests set up, so they go with the deletes.
        if operation.method == "DELETE" || operation.path.ends_with("/removal") {
            deletes.push(operation.clone());
        } else {
            middle.push(operation.clone());
        }
    }
    // With --no-cleanup the resources stay, so their deletes are not exercised.
    let kept = if options.no_cleanup {
        producer_deletes.len()
    } else {
        0
    };
    for delete in producer_deletes.iter().rev().skip(kept) {
        if let Some(operation) = selected
            .iter()
            .find(|operation| operation.operation_id == *delete)
        {
            deletes.push(operation.clone());
        }
    }
    let mut created: Vec<(&'static str, Value)> = Vec::new();
    // The property checks address what the examples create, so they need it made too.
    let needs_resources = examples
        || enabled.contains(&checks::VALID_INPUTS_ACCEPTED)
        || enabled.contains(&checks::INVALID_INPUTS_REJECTED);
    if needs_resources && !options.read_only {
        // Creating is part of the example check when it is selected; otherwise the resources are
        // still made, silently, so that other checks can address them.
        let all_creates: Vec<Operation> = PRODUCERS
            .iter()
            .filter_map(|producer| run.spec.operation(producer.create).cloned())
            .collect();
        for operation in &all_creates {
            let counted = examples
                && creates
                    .iter()
                    .any(|selected| selected.operation_id == operation.operation_id);
            let exchange = if counted {
                checks::example_request(&run, operation).await
            } else {
                resources::silent_example(&run, operation).await
            };
            resources::capture(&run, operation, &exchange, &mut created);
        }
        if examples {
            let ids: Vec<String> = creates
                .iter()
                .map(|operation| operation.operation_id.clone())
                .collect();
            progress.line(checks::EXAMPLE_REQUESTS, "(creates)", &ids, &run);
        }
    }
    if examples {
        run_sequential(&run, &progress, &middle).await;
    }
    // The trigger checks mostly wait (for a feed, for a delay to pass), so they overlap the
    // property checks, whose writes never reach what the trigger checks create.
    let trigger_checks = tokio::spawn({
        let (run, progress) = (run.clone(), progress.clone());
        let (enabled, selected) = (enabled.clone(), selected.clone());
        let read_only = options.read_only;
        async move {
            let overlapping = semantic::OVERLAPPING;
            semantic::run_checks(
                &run,
                &progress,
                &enabled,
                &selected,
                read_only,
                &overlapping,
            )
            .await;
        }
    });
    for check in [
        checks::VALID_INPUTS_ACCEPTED,
        checks::INVALID_INPUTS_REJECTED,
    ] {
        if !enabled.contains(&check) {
            continue;
        }
        let operations: Vec<Operation> = selected
            .iter()
            .filter(|operation| writes_allowed(operation) && checks::has_inputs(operation))
            .cloned()
            .collect();
        for_each_tag(
            &run,
            &progress,
            check,
            operations,
            jobs,
            move |run, operation| async move {
                properties::check(run, operation, check).await;
            },
        )
        .await;
    }
    if let Err(error) = trigger_checks.await {
        eprintln!("novu-conformance: the trigger checks failed: {error}");
    }
    // The lifecycle models walk whole lists, so they run when nothing else writes: after the
    // property and trigger checks, before the example deletes and the cleanup.
    if enabled.contains(&checks::LIFECYCLES) && !options.read_only {
        lifecycle::check(run.clone(), selected.clone()).await;
        let covered: Vec<String> = selected
            .iter()
            .filter(|operation| lifecycle::covers(&operation.operation_id))
            .map(|operation| operation.operation_id.clone())
            .collect();
        progress.line(checks::LIFECYCLES, "(models)", &covered, &run);
    }
    let selection = [crate::delivery::INTEGRATION_SELECTION];
    semantic::run_checks(
        &run,
        &progress,
        &enabled,
        &selected,
        options.read_only,
        &selection,
    )
    .await;
    if enabled.contains(&checks::INVALID_BODY) && !options.read_only {
        let operations: Vec<Operation> = selected
            .iter()
            .filter(|operation| operation.request_body.is_some())
            .cloned()
            .collect();
        for_each_tag(
            &run,
            &progress,
            checks::INVALID_BODY,
            operations,
            jobs,
            |run, operation| async move {
                checks::invalid_body(&run, &operation).await;
            },
        )
        .await;
    }
    let mut deleted: HashSet<&str> = HashSet::new();
    if examples && !options.read_only {
        run_sequential(&run, &progress, &deletes).await;
        deleted.extend(
            deletes
                .iter()
                .map(|operation| operation.operation_id.as_str()),
        );
    }
    if !options.no_cleanup {
        resources::cleanup(&run, &created, &deleted).await;
    }

    // Checks that had nothing to do on an operation are reported as skipped.
    for operation in &selected {
        let applicable = checks::applicable(operation);
        for check in enabled.iter().filter(|check| applicable.contains(check)) {
            let reason = "not run (read-only, or nothing to send)";
            run.recorder
                .skip(check, &operation.operation_id, &operation.tag, reason);
        }
    }
    progress.finish();
    Ok(Report {
        results: run.recorder.results(),
        seed: options.seed,
        base_url: run.http.base_url().to_owned(),
        elapsed: started.elapsed(),
        requests: run.requests.load(std::sync::atomic::Ordering::Relaxed),
        webhook_calls: run.webhook_calls.load(std::sync::atomic::Ordering::Relaxed),
    })
}

/// The operation that tells whether the server is up and accepts the key.
pub const PROBE_OPERATION: &str = "environments_retrieve_current";

/// A valid GET with the key, to tell a set-up problem from a violation before checking.
async fn preflight(run: &Run) -> Result<()> {
    // The environment of the key is the simplest read there is; any authenticated read without
    // required input will do when the contract has no such operation.
    let candidates = || {
        run.spec
            .operations
            .iter()
            .filter(|operation| operation.authenticated && checks::is_safe_read(operation))
            .filter(|operation| {
                operation
                    .parameters_in("query")
                    .all(|parameter| !parameter.required)
            })
    };
    let probe = candidates()
        .find(|operation| operation.operation_id == PROBE_OPERATION)
        .or_else(|| candidates().next());
    let Some(operation) = probe else {
        return Ok(());
    };
    let request = Request {
        method: "GET".into(),
        path: operation.path.clone(),
        query: Vec::new(),
        body: None,
        credentials: Credentials::ApiKey,
    };
    let target = |message: String| Error::Target {
        base_url: run.http.base_url().to_owned(),
        message,
    };
    match run.http.send(&request).await {
        Err(failure) => Err(target(format!(
            "{failure}; check --base-url and that the server is up"
        ))),
        Ok(received) if received.status == 401 || received.status == 403 => Err(target(format!(
            "the API key was refused ({}) on GET {}: check --api-key",
            received.status, operation.path
        ))),
        Ok(_) => Ok(()),
    }
}

async fn run_sequential(run: &Arc<Run>, progress: &Progress, operations: &[Operation]) {
    let mut by_tag: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for operation in operations {
        checks::example_request(run, operation).await;
        by_tag
            .entry(operation.tag.clone())
            .or_default()
            .push(operation.operation_id.clone());
        progress.tick();
    }
    for (tag, ids) in by_tag {
        progress.line(checks::EXAMPLE_REQUESTS, &tag, &ids, run);
    }
}

async fn for_each_tag<F, Fut>(
    run: &Arc<Run>,
    progress: &Progress,
    check: &'static str,
    operations: Vec<Operation>,
    jobs: usize,
    task: F,
) where
    F: Fn(Arc<Run>, Operation) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut by_tag: BTreeMap<String, Vec<Operation>> = BTreeMap::new();
    for operation in operations {
        by_tag
            .entry(operation.tag.clone())
            .or_default()
            .push(operation);
    }
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
    for (tag, operations) in by_tag {
        let ids: Vec<String> = operations
            .iter()
            .map(|operation| operation.operation_id.clone())
            .collect();
        let mut set = tokio::task::JoinSet::new();
        for operation in operations {
            let run = run.clone();
            let permits = permits.clone();
            let task = task.clone();
            set.spawn(async move {
                let _permit = permits.acquire_owned().await;
                task(run, operation).await;
            });
        }
        while let Some(joined) = set.join_next().await {
            if let Err(error) = joined {
                eprintln!("novu-conformance: a {check} task failed: {error}");
            }
            progress.tick();
        }
        progress.line(check, &tag, &ids, run);
    }
}
