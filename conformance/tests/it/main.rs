//! Integration tests of the conformance suite: against the embedded reference server (or the
//! server named by `NOVU_BASE_URL` and `NOVU_API_KEY`), against hostile servers that break the
//! contract on purpose, and of the command line.

mod baseline;
mod boundaries;
mod breaking;
mod ci;
mod cli;
mod differential;
mod e2e;
mod e2e_digest;
mod e2e_fidelity;
mod e2e_novu_providers;
mod edges;
mod flaky;
mod hostile;
mod idempotency;
mod isolation;
mod lifecycle;
mod lifecycle_state;
mod methods;
mod peers;
mod properties;
mod proxy;
mod rate_limits;
mod reference;
mod semantics;
mod snapshots;

use std::time::Duration;

use novu_conformance::Options;

/// Options for a run against the server under test: the one named by `NOVU_BASE_URL` and
/// `NOVU_API_KEY` when set, the embedded reference server otherwise.
pub fn target_options() -> Options {
    Options {
        base_url: std::env::var("NOVU_BASE_URL").ok(),
        api_key: std::env::var("NOVU_API_KEY").ok(),
        second_api_key: std::env::var("NOVU_SECOND_API_KEY").ok(),
        seed: 42,
        jobs: 4,
        timeout: Duration::from_secs(10),
        ..Options::default()
    }
}

/// Whether the tests run against the embedded reference server.
pub fn against_reference() -> bool {
    std::env::var("NOVU_BASE_URL").is_err()
}
