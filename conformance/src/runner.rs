//! A run: picks the operations and checks, starts the embedded reference server when no target
//! is given, and walks the catalogue phase by phase ([`Phase`]): what changes nothing first,
//! the snapshots before anything is written, the fixtures and the examples so that later
//! requests can address what they made, the concurrent checks with the background checks
//! beside them, the checks that need the environment to themselves alone, and at the end what
//! undoes the rest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::checks::safe_reads::is_safe_read;
use crate::checks::{CATALOGUE, Check, FixtureUse, Phase, ReadOnly, applicable};
use crate::contract::{Operation, SchemaSet, Spec};
use crate::error::{Error, Result};
use crate::run::coverage::judge_gates;
use crate::run::fixtures;
use crate::run::{
    CaseRecord, CheckResult, Coverage, GateResult, Label, Options, RecordedExchange, Run, Traffic,
    Violation,
};
use crate::transport::{Credentials, HttpClient, Request};

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
    /// The ported cases played (`novu-e2e`), passed, failed or skipped with a reason.
    pub cases: Vec<CaseRecord>,
    /// The statuses seen per selected operation.
    pub coverage: Coverage,
    /// The gates the run was asked to meet (`--require`, `--require-status-coverage`).
    pub gates: Vec<GateResult>,
    /// Baseline entries that fail the run: one line each (matched nothing, or expired).
    pub baseline_problems: Vec<String>,
    /// Set when `--max-failures` cut the run short.
    pub cut_short: Option<CutShort>,
    /// Every exchange, when the options asked to record them (`--har`).
    pub exchanges: Vec<RecordedExchange>,
    /// Flaky violations fail the run too (`--strict`).
    pub strict: bool,
}

/// How much a run cut short by `--max-failures` did not do.
#[derive(Debug, Clone)]
pub struct CutShort {
    /// The limit reached.
    pub max_failures: u32,
    /// Checks that never started.
    pub checks_not_run: Vec<&'static str>,
    /// Per-operation tasks of started checks that never started.
    pub tasks_not_run: u32,
}

impl Report {
    /// Requests sent per check, in the order of the catalogue; for `response-conformance`, the
    /// answers it examined (every one the other checks received).
    pub fn requests_per_check(&self) -> Vec<(&'static str, u32)> {
        CATALOGUE
            .iter()
            .map(|check| {
                let requests = self
                    .results
                    .iter()
                    .filter(|result| result.check == check.name())
                    .map(|result| result.requests)
                    .sum();
                (check.name(), requests)
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

    /// Every violation with its label, in result order.
    pub fn findings(&self) -> impl Iterator<Item = (&Violation, &Label)> {
        self.results.iter().flat_map(CheckResult::findings)
    }

    /// Violations that fail the run: not expected by the baseline, and not flaky unless
    /// `--strict`.
    pub fn failing_violations(&self) -> impl Iterator<Item = &Violation> {
        self.findings()
            .filter(|(_, label)| label.fails(self.strict))
            .map(|(violation, _)| violation)
    }

    /// Whether the run passed: no failing violation, no baseline problem, every gate met, and
    /// not cut short.
    pub fn passed(&self) -> bool {
        self.failing_violations().next().is_none()
            && self.baseline_problems.is_empty()
            && self.gates.iter().all(|gate| gate.met)
            && self.cut_short.is_none()
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
            // It plays a deployment holding the credentials of Novu's own providers, as Novu
            // Cloud does, so the cases that need them play.
            let config = novu_reference::Config {
                novu_providers: true,
                ..novu_reference::Config::in_memory()
            };
            let server = novu_reference::start(config)
                .await
                .map_err(|error| Error::Target {
                    base_url: "(embedded reference server)".into(),
                    message: format!("it did not start: {error}"),
                })?;
            // The keys belong to the server just started, whatever NOVU_API_KEY says; its
            // production environment is the second environment of `isolation`. What the run
            // leaves behind goes with the server.
            let api_key = server.api_key().to_owned();
            let options = Options {
                second_api_key: Some(server.production_api_key().to_owned()),
                allow_lasting_objects: true,
                ..options
            };
            let report = run_against(spec, &server.base_url(), &api_key, &options).await;
            let _ = server.shutdown().await;
            report
        }
    }
}

fn select(spec: &Spec, options: &Options) -> Result<Vec<Operation>> {
    for id in options.operations.iter().chain(&options.exclude_operations) {
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
        .filter(|operation| !options.exclude_operations.contains(&operation.operation_id))
        .cloned()
        .collect();
    if selected.is_empty() {
        return Err(Error::Usage(
            "no operation has both the given tags and operation ids (less the excluded ones)"
                .into(),
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

/// The dashboard-only routes a run checks: all of them when nothing narrows the run to tags or
/// operations, shared out by `--partition` as operations are.
fn select_dashboard_routes(spec: &Spec, options: &Options) -> Vec<Operation> {
    if !options.tags.is_empty() || !options.operations.is_empty() {
        return Vec::new();
    }
    spec.dashboard_routes()
        .into_iter()
        .enumerate()
        .filter(|(index, _)| {
            options
                .partition
                .is_none_or(|(slice, count)| index % count == slice - 1)
        })
        .map(|(_, route)| route)
        .collect()
}

/// The enabled checks, in catalogue order: those named by `--check` (all without it), less
/// those `--read-only` excludes.
fn enabled_checks(options: &Options) -> Result<Vec<&'static dyn Check>> {
    for name in &options.checks {
        if !CATALOGUE.iter().any(|check| check.name() == name) {
            return Err(Error::Usage(format!(
                "unknown check {name}: `novu-conformance list` shows them"
            )));
        }
    }
    Ok(CATALOGUE
        .iter()
        .copied()
        .filter(|check| {
            options.checks.is_empty() || options.checks.iter().any(|name| name == check.name())
        })
        .filter(|check| !options.read_only || check.read_only() != ReadOnly::Excluded)
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
    if options.compare_url.is_some() != options.compare_api_key.is_some() {
        return Err(Error::Usage(
            "--compare-url and --compare-api-key (or NOVU_COMPARE_URL and NOVU_COMPARE_API_KEY) go together".into(),
        ));
    }
    let traffic = Arc::new(Traffic::new(
        api_key,
        options.record_exchanges,
        options.recheck_violations,
    ));
    let http = HttpClient::new(base_url, api_key, options.timeout)?.with_tap(traffic.clone());
    let first_environment = preflight(&spec, &http, "--api-key").await?;
    if let Some(second_key) = &options.second_api_key {
        let second = http.with_api_key(second_key, "NOVU_SECOND_API_KEY");
        let second_environment = preflight(&spec, &second, "--second-api-key").await?;
        if first_environment.is_some() && first_environment == second_environment {
            return Err(Error::Usage(
                "--second-api-key belongs to the same environment as --api-key: give the key of another environment of the server".into(),
            ));
        }
    }
    if let (Some(url), Some(key)) = (&options.compare_url, &options.compare_api_key) {
        let compare = http.for_server(url, key, "NOVU_COMPARE_API_KEY");
        preflight(&spec, &compare, "--compare-api-key").await?;
    }
    let judge = enabled.iter().find_map(|check| check.judge());
    let dashboard_routes = select_dashboard_routes(&spec, options);
    let mut run = Run::new(spec, schemas, http, traffic, options, selected, judge);
    run.dashboard_routes = dashboard_routes;
    let run = Arc::new(run);
    walk(&run, &enabled).await;
    skip_what_did_not_run(&run, &enabled);
    run.progress.finish();
    let coverage = Coverage::new(&run.spec, &run.selected, &run.traffic.statuses());
    let gates = judge_gates(&coverage, &options.requirements, options.status_coverage);
    let cut_short = run.cut_short().then(|| CutShort {
        max_failures: options.max_failures.unwrap_or_default(),
        checks_not_run: run.checks_not_run.lock().expect("poisoned").clone(),
        tasks_not_run: run.tasks_not_run.load(std::sync::atomic::Ordering::Relaxed),
    });
    Ok(Report {
        results: run.recorder.results(),
        seed: options.seed,
        base_url: run.http.base_url().to_owned(),
        elapsed: started.elapsed(),
        requests: run.requests(),
        webhook_calls: run.webhook_calls.load(std::sync::atomic::Ordering::Relaxed),
        cases: run.recorder.cases(),
        baseline_problems: baseline_problems(&run, &enabled, options),
        coverage,
        gates,
        cut_short,
        exchanges: run.traffic.take_exchanges(),
        strict: options.strict,
    })
}

/// The baseline entries that fail the run: expired ones, and those that matched nothing
/// although their check and operation were part of the run (an entry for an operation a
/// `--partition` or `--operation` left out is not judged).
fn baseline_problems(run: &Run, enabled: &[&'static dyn Check], options: &Options) -> Vec<String> {
    let Some(baseline) = &options.baseline else {
        return Vec::new();
    };
    let today = chrono::Utc::now().date_naive();
    let matches = run.recorder.baseline_matches();
    let mut problems = Vec::new();
    for (entry, matched) in baseline.violations.iter().zip(matches) {
        let name = format!(
            "baseline entry {} on {} ({})",
            entry.check, entry.operation, entry.fingerprint
        );
        if let Some(expires) = entry.expires
            && expires < today
        {
            problems.push(format!(
                "{name} expired on {expires}: fix the violation, or renew the entry with a new date"
            ));
            continue;
        }
        let in_run = enabled.iter().any(|check| check.name() == entry.check)
            && run.is_selected(&entry.operation);
        if matched == 0 && in_run && !run.cut_short() {
            problems.push(format!(
                "{name} matched no violation: the defect is gone or changed, remove the entry"
            ));
        }
    }
    problems
}

/// Performs the `enabled` checks phase by phase ([`Phase`]), each phase's in catalogue order,
/// then what they do at the end, then deletes what the run made.
async fn walk(run: &Arc<Run>, enabled: &[&'static dyn Check]) {
    let phase = |phase: Phase| -> Vec<&'static dyn Check> {
        enabled
            .iter()
            .copied()
            .filter(|check| check.phase() == phase)
            .collect()
    };
    // Once `--max-failures` is reached, a check that has not started does not.
    let start = |check: &'static dyn Check| {
        let go = !run.cut_short();
        if !go {
            run.checks_not_run
                .lock()
                .expect("poisoned")
                .push(check.name());
        }
        go
    };
    for check in phase(Phase::Reads) {
        if start(check) {
            check.run(run).await;
        }
    }
    for check in phase(Phase::BeforeWrites) {
        if start(check) {
            check.run(run).await;
        }
    }
    // The fixtures come before the examples: made by a check as requests of its own, or
    // quietly when only checks that address them are enabled.
    let uses = |usage: FixtureUse| enabled.iter().any(|check| check.fixtures() == usage);
    if !run.read_only && !uses(FixtureUse::Makes) && uses(FixtureUse::Addresses) {
        fixtures::make_quietly(run).await;
    }
    for check in phase(Phase::Examples) {
        if start(check) {
            check.run(run).await;
        }
    }
    // The background checks mostly wait and share nothing, so each waits beside the others
    // as well as beside the concurrent checks; so do the background parts of later checks.
    let mut background: Vec<_> = phase(Phase::Background)
        .into_iter()
        .filter(|check| start(*check))
        .map(|check| {
            let run = run.clone();
            tokio::spawn(async move { check.run(&run).await })
        })
        .collect();
    for check in enabled
        .iter()
        .copied()
        .filter(|check| check.phase() != Phase::Background)
    {
        // A check cut short here is told as not run where its own phase comes.
        if check.background(run).is_some() && !run.cut_short() {
            let run = run.clone();
            background.push(tokio::spawn(async move {
                if let Some(task) = check.background(&run) {
                    task.await;
                }
            }));
        }
    }
    for check in phase(Phase::Concurrent) {
        if start(check) {
            check.run(run).await;
        }
    }
    for task in background {
        if let Err(error) = task.await {
            eprintln!("novu-conformance: a check playing in the background failed: {error}");
        }
    }
    for check in phase(Phase::Alone) {
        if start(check) {
            check.run(run).await;
        }
    }
    for check in phase(Phase::Late) {
        if start(check) {
            check.run(run).await;
        }
    }
    for check in enabled {
        check.finish(run).await;
    }
    // The requests of violations sent again must be answered before the clean-up deletes
    // what they address.
    run.recorder.settle_rechecks().await;
    if !run.no_cleanup {
        fixtures::cleanup(run).await;
    }
}

/// Reports as skipped the enabled checks that apply to a selected operation but sent nothing
/// for it.
fn skip_what_did_not_run(run: &Run, enabled: &[&'static dyn Check]) {
    for operation in &run.selected {
        let applicable = applicable(operation);
        for check in enabled
            .iter()
            .filter(|check| applicable.contains(&check.name()))
        {
            let reason = if run.cut_short() {
                "not run: the run was cut short by --max-failures"
            } else {
                "not run (read-only, or nothing to send)"
            };
            run.recorder.skip(
                check.name(),
                &operation.operation_id,
                &operation.tag,
                reason,
            );
        }
    }
}

/// The operation that tells whether the server is up and accepts the key.
pub const PROBE_OPERATION: &str = "environments_retrieve_current";

/// A valid GET with the key, to tell a set-up problem from a violation before checking;
/// answers the `_id` of the key's environment when the probe tells it. `flag` names the
/// option that gave the key.
async fn preflight(spec: &Spec, http: &HttpClient, flag: &str) -> Result<Option<String>> {
    // The environment of the key is the simplest read there is; any authenticated read without
    // required input will do when the contract has no such operation.
    let candidates = || {
        spec.operations
            .iter()
            .filter(|operation| operation.authenticated && is_safe_read(operation))
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
        return Ok(None);
    };
    let request = Request {
        method: "GET".into(),
        path: operation.path.clone(),
        query: Vec::new(),
        body: None,
        credentials: Credentials::ApiKey,
        headers: Vec::new(),
    };
    let target = |message: String| Error::Target {
        base_url: http.base_url().to_owned(),
        message,
    };
    match http.send(&request).await {
        Err(failure) => Err(target(format!(
            "{failure}; check --base-url and that the server is up"
        ))),
        Ok(received) if received.status == 401 || received.status == 403 => Err(target(format!(
            "the API key was refused ({}) on GET {}: check {flag}",
            received.status, operation.path
        ))),
        Ok(received) => Ok(serde_json::from_str::<serde_json::Value>(&received.body)
            .ok()
            .and_then(|body| body["data"]["_id"].as_str().map(str::to_owned))),
    }
}
