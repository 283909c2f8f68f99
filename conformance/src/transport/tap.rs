//! What sees every exchange on the wire: a [`Tap`] attached to the run's [`HttpClient`] is told
//! of each request sent and what came back (each attempt, a retried 429 too), with its timing,
//! so that coverage, HAR recording and flaky rechecks need no help from the checks.
//!
//! [`HttpClient`]: super::HttpClient

use std::time::{Duration, SystemTime};

use super::http::{Received, Request, TransportFailure};

/// One exchange as it happened on the wire.
#[derive(Debug)]
pub struct Sent<'a> {
    /// The request.
    pub request: &'a Request,
    /// Its full URL.
    pub url: &'a str,
    /// The `curl` command that sends it again (the key as `$NOVU_API_KEY`).
    pub curl: &'a str,
    /// The request headers the client set, the API key redacted.
    pub headers: &'a [(String, String)],
    /// The body sent, as text.
    pub body: Option<&'a str>,
    /// When it was sent.
    pub started: SystemTime,
    /// How long the answer took, to its last byte.
    pub elapsed: Duration,
    /// The answer, or why there was none.
    pub outcome: &'a Result<Received, TransportFailure>,
}

/// Told of every exchange of an [`HttpClient`](super::HttpClient).
pub trait Tap: Send + Sync + std::fmt::Debug {
    /// One exchange happened.
    fn observe(&self, sent: &Sent<'_>);
}
