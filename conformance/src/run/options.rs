//! What to run and against what: the options of `novu-conformance run`.

use std::time::Duration;

use super::baseline::Baseline;
use super::coverage::Requirement;

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
    /// Never these operations (`--exclude-operation`).
    pub exclude_operations: Vec<String>,
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
    /// The API key of another environment of the same server, for the `isolation` check;
    /// the embedded reference server's production key when no `base_url` is given.
    pub second_api_key: Option<String>,
    /// Another server to compare with (`differential`): the snapshot scenarios and the
    /// lifecycle sequences are played against both.
    pub compare_url: Option<String>,
    /// The API key of the server at `compare_url`.
    pub compare_api_key: Option<String>,
    /// Violations reported as expected (`--baseline`).
    pub baseline: Option<Baseline>,
    /// Stop starting new work once this many unexpected violations were recorded.
    pub max_failures: Option<u32>,
    /// Send the request behind each violation again at once, when that is safe, and label the
    /// violation flaky when it does not reproduce (the command line does; off by default here,
    /// so that a library run sends exactly what its checks send).
    pub recheck_violations: bool,
    /// Flaky violations (not reproduced when sent again) fail the run too.
    pub strict: bool,
    /// Keep every exchange for a HAR file (`--har`).
    pub record_exchanges: bool,
    /// Coverage gates (`--require`).
    pub requirements: Vec<Requirement>,
    /// The least share of documented (operation, status) pairs to see, in percent.
    pub status_coverage: Option<f64>,
    /// Play the `novu-e2e` cases that leave objects no operation deletes (an organization
    /// each); they are skipped, counted, without it. The run against the embedded reference
    /// server always plays them: that server is dropped at the run's end.
    pub allow_lasting_objects: bool,
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
            second_api_key: None,
            compare_url: None,
            compare_api_key: None,
            baseline: None,
            max_failures: None,
            recheck_violations: false,
            strict: false,
            record_exchanges: false,
            requirements: Vec::new(),
            status_coverage: None,
            exclude_operations: Vec::new(),
            allow_lasting_objects: false,
        }
    }
}
