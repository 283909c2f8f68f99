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
use crate::run::fixtures;
use crate::run::{CheckResult, Options, Run, Violation};
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
    let http = HttpClient::new(base_url, api_key, options.timeout)?;
    preflight(&spec, &http).await?;
    let judge = enabled.iter().find_map(|check| check.judge());
    let run = Arc::new(Run::new(spec, schemas, http, options, selected, judge));
    walk(&run, &enabled).await;
    skip_what_did_not_run(&run, &enabled);
    run.progress.finish();
    Ok(Report {
        results: run.recorder.results(),
        seed: options.seed,
        base_url: run.http.base_url().to_owned(),
        elapsed: started.elapsed(),
        requests: run.requests(),
        webhook_calls: run.webhook_calls.load(std::sync::atomic::Ordering::Relaxed),
    })
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
    for check in phase(Phase::Reads) {
        check.run(run).await;
    }
    for check in phase(Phase::BeforeWrites) {
        check.run(run).await;
    }
    // The fixtures come before the examples: made by a check as requests of its own, or
    // quietly when only checks that address them are enabled.
    let uses = |usage: FixtureUse| enabled.iter().any(|check| check.fixtures() == usage);
    if !run.read_only && !uses(FixtureUse::Makes) && uses(FixtureUse::Addresses) {
        fixtures::make_quietly(run).await;
    }
    for check in phase(Phase::Examples) {
        check.run(run).await;
    }
    let background = tokio::spawn({
        let (run, checks) = (run.clone(), phase(Phase::Background));
        async move {
            for check in checks {
                check.run(&run).await;
            }
        }
    });
    for check in phase(Phase::Concurrent) {
        check.run(run).await;
    }
    if let Err(error) = background.await {
        eprintln!("novu-conformance: the trigger checks failed: {error}");
    }
    for check in phase(Phase::Alone) {
        check.run(run).await;
    }
    for check in phase(Phase::Late) {
        check.run(run).await;
    }
    for check in enabled {
        check.finish(run).await;
    }
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
            let reason = "not run (read-only, or nothing to send)";
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

/// A valid GET with the key, to tell a set-up problem from a violation before checking.
async fn preflight(spec: &Spec, http: &HttpClient) -> Result<()> {
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
        return Ok(());
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
            "the API key was refused ({}) on GET {}: check --api-key",
            received.status, operation.path
        ))),
        Ok(_) => Ok(()),
    }
}
