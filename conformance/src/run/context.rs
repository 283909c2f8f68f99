//! The context of one run: the contract and its validators, the HTTP client, the value
//! generator, what the run knows (ids of what it created) and what it must delete, the
//! selection and the options, and where findings go.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::exchange::Exchange;
use super::options::Options;
use super::progress::Progress;
use super::recheck::Rechecks;
use super::results::Recorder;
use super::traffic::Traffic;
use super::violation::Violation;
use crate::contract::{Operation, SchemaSet, Spec};
use crate::transport::callback::{Reach, is_loopback};
use crate::transport::{HttpClient, Request};
use crate::values::{Generator, Hints};

/// Judges every answer any check receives, besides what that check expects itself.
pub trait Judge: Send + Sync {
    /// Judges `exchange`, an answer to `operation`, and records what it finds.
    fn judge(&self, run: &Run, operation: &Operation, exchange: &Exchange);
}

/// The state shared by the checks of one run.
pub struct Run {
    /// The contract.
    pub spec: Spec,
    /// Its validators.
    pub schemas: SchemaSet,
    /// The HTTP client.
    pub http: HttpClient,
    /// The client of another environment of the same server (`--second-api-key`).
    pub second: Option<HttpClient>,
    /// The client of the server to compare with (`--compare-url`).
    pub compare: Option<HttpClient>,
    /// The value generator.
    pub generator: Generator,
    /// Where results go.
    pub recorder: Recorder,
    /// Progress on standard error.
    pub progress: Progress,
    /// The selected operations (`--tag`, `--operation`, `--partition`), in contract order.
    pub selected: Vec<Operation>,
    /// The selected routes the contract lists as dashboard-only (none when `--tag` or
    /// `--operation` narrow the run; `--partition` shares them out like operations).
    pub dashboard_routes: Vec<Operation>,
    /// The seed of the run.
    pub seed: u64,
    /// Cases per operation of the property checks.
    pub cases: u32,
    /// Concurrent requests.
    pub jobs: usize,
    /// Only what changes nothing on a conforming server (`--read-only`).
    pub read_only: bool,
    /// Keep what the run created (`--no-cleanup`).
    pub no_cleanup: bool,
    /// Cases may leave objects no operation deletes (`--allow-lasting-objects`).
    pub lasting_objects: bool,
    /// How the server under test reaches a callback the suite hosts, when it can.
    pub callback: Option<Reach>,
    /// Webhook calls the callback received.
    pub webhook_calls: AtomicU32,
    /// Every exchange on the wire.
    pub traffic: Arc<Traffic>,
    /// Checks that did not start because the run was cut short (`--max-failures`).
    pub checks_not_run: Mutex<Vec<&'static str>>,
    /// Per-operation tasks that did not start because the run was cut short.
    pub tasks_not_run: AtomicU32,
    hints: Mutex<Hints>,
    created: Mutex<Vec<(&'static str, Value)>>,
    deleted: Mutex<HashSet<String>>,
    requests: AtomicU32,
    verbose: bool,
    judge: Option<&'static dyn Judge>,
}

impl Run {
    /// The context of a run of `selected` with `options`, whose every answer `judge` judges;
    /// `http` tells `traffic` of every exchange.
    pub fn new(
        spec: Spec,
        schemas: SchemaSet,
        http: HttpClient,
        traffic: Arc<Traffic>,
        options: &Options,
        selected: Vec<Operation>,
        judge: Option<&'static dyn Judge>,
    ) -> Run {
        let recorder = Recorder::new(
            options.baseline.clone().unwrap_or_default(),
            options.max_failures,
            options
                .recheck_violations
                .then(|| Rechecks::new(http.clone(), traffic.clone())),
        );
        let callback = match &options.callback_host {
            Some(host) => Some(Reach::Host(host.clone())),
            None if is_loopback(http.base_url()) => Some(Reach::Loopback),
            None => None,
        };
        let second = options
            .second_api_key
            .as_deref()
            .map(|key| http.with_api_key(key, "NOVU_SECOND_API_KEY"));
        let compare = options
            .compare_url
            .as_deref()
            .zip(options.compare_api_key.as_deref())
            .map(|(url, key)| http.for_server(url, key, "NOVU_COMPARE_API_KEY"));
        Run {
            schemas,
            second,
            compare,
            http,
            generator: Generator::new(&format!("nc-{}-", options.seed)),
            recorder,
            progress: Progress::new(options.progress),
            selected,
            dashboard_routes: Vec::new(),
            seed: options.seed,
            cases: options.cases,
            jobs: options.jobs.max(1),
            read_only: options.read_only,
            no_cleanup: options.no_cleanup,
            lasting_objects: options.allow_lasting_objects,
            callback,
            webhook_calls: AtomicU32::new(0),
            traffic,
            checks_not_run: Mutex::default(),
            tasks_not_run: AtomicU32::new(0),
            // A layout's content must hold `{{{body}}}`; no schema keyword can say so.
            hints: Mutex::new(Hints::from([(
                "content".to_owned(),
                json!("<html><body>{{{body}}}</body></html>"),
            )])),
            created: Mutex::new(Vec::new()),
            deleted: Mutex::new(HashSet::new()),
            requests: AtomicU32::new(0),
            verbose: options.verbose,
            judge,
            spec,
        }
    }

    /// Values known so far (ids of created resources), by parameter or property name.
    pub fn hints(&self) -> Hints {
        self.hints.lock().expect("hints poisoned").clone()
    }

    /// Remembers `value` under `name` for later requests, unless something is known already.
    pub fn remember(&self, name: &str, value: Value) {
        self.hints
            .lock()
            .expect("hints poisoned")
            .entry(name.to_owned())
            .or_insert(value);
    }

    /// Remembers that the run made a resource with `create`, whose id is `id`, to delete it at
    /// the end.
    pub fn created(&self, create: &'static str, id: Value) {
        self.created
            .lock()
            .expect("created poisoned")
            .push((create, id));
    }

    /// What the run made, oldest first: the create operation and the id.
    pub fn made(&self) -> Vec<(&'static str, Value)> {
        self.created.lock().expect("created poisoned").clone()
    }

    /// Remembers that a check sent the delete `operation_id` itself: the clean-up leaves it out.
    pub fn deleted(&self, operation_id: &str) {
        self.deleted
            .lock()
            .expect("deleted poisoned")
            .insert(operation_id.to_owned());
    }

    /// Whether a check sent the delete `operation_id` itself.
    pub fn was_deleted(&self, operation_id: &str) -> bool {
        self.deleted
            .lock()
            .expect("deleted poisoned")
            .contains(operation_id)
    }

    /// Whether the run may send `operation`: under `--read-only`, GETs only.
    pub fn may_send(&self, operation: &Operation) -> bool {
        !self.read_only || operation.method == "GET"
    }

    /// Whether `operation_id` is selected.
    pub fn is_selected(&self, operation_id: &str) -> bool {
        self.selected
            .iter()
            .any(|operation| operation.operation_id == operation_id)
    }

    /// Whether `--max-failures` violations were recorded: no new work starts.
    pub fn cut_short(&self) -> bool {
        self.recorder.cut_short()
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Sends `request` for `check` on `operation`; the run's judge judges the answer too.
    pub async fn exchange(
        &self,
        check: &'static str,
        operation: &Operation,
        request: Request,
    ) -> Exchange {
        self.exchange_with(&self.http, check, operation, request)
            .await
    }

    /// Sends `request` for `check` on `operation` with `http` (another key's client, or
    /// another server's); the run's judge judges the answer too.
    pub async fn exchange_with(
        &self,
        http: &HttpClient,
        check: &'static str,
        operation: &Operation,
        request: Request,
    ) -> Exchange {
        let exchange = self.send_with(http, check, operation, request).await;
        if let Some(judge) = self.judge {
            judge.judge(self, operation, &exchange);
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
        self.send_with(&self.http, check, operation, request).await
    }

    /// [`Run::send`] with `http` instead of the run's client.
    pub async fn send_with(
        &self,
        http: &HttpClient,
        check: &'static str,
        operation: &Operation,
        request: Request,
    ) -> Exchange {
        let curl = http.curl(&request);
        let outcome = http.send(&request).await;
        self.requests.fetch_add(1, Ordering::Relaxed);
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

    /// Sends `request` once, a 429 being the answer rather than retried (for the check of the
    /// rate limit itself); counted and judged when `counted`, quiet otherwise.
    pub async fn exchange_once(
        &self,
        check: &'static str,
        operation: &Operation,
        request: Request,
        counted: bool,
    ) -> Exchange {
        let curl = self.http.curl(&request);
        let outcome = self.http.send_without_retry(&request).await;
        let exchange = Exchange {
            request,
            curl,
            outcome,
        };
        if counted {
            self.count_and_judge(check, operation, &exchange);
        }
        exchange
    }

    /// Counts and judges an exchange that was sent quietly, once a check knows it applies.
    pub fn count_and_judge(&self, check: &'static str, operation: &Operation, exchange: &Exchange) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.recorder
            .request(check, &operation.operation_id, &operation.tag);
        if let Some(judge) = self.judge {
            judge.judge(self, operation, exchange);
        }
    }

    /// Sends `request` without counting or judging it: set-up the report does not show.
    pub async fn quietly(&self, request: Request) -> Exchange {
        Exchange::quietly(&self.http, request).await
    }

    /// Records a violation found on `operation`.
    pub fn violation(&self, operation: &Operation, violation: Violation) {
        self.recorder.violation(&operation.tag, violation);
    }

    /// The progress line of `check` on `operations` of `tag`.
    pub fn progress_line(&self, check: &str, tag: &str, operations: &[String]) {
        self.progress.line(check, tag, operations, &self.recorder);
    }
}
