//! Every exchange of a run, as the [`Tap`] of its HTTP client sees it: the statuses per method
//! and path (the coverage report is made from them), the latest answer to each distinct
//! request that may be sent again (for the flaky rechecks), and, with `--har`, the whole
//! exchange with its timing.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::transport::{Received, Request, Sent, Tap, TransportFailure};

/// One exchange as a HAR file records it, the API key redacted.
#[derive(Debug, Clone)]
pub struct RecordedExchange {
    /// When the request was sent.
    pub started: SystemTime,
    /// How long the answer took.
    pub elapsed: Duration,
    /// `GET`, `POST`, …
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The query parameters (unencoded).
    pub query: Vec<(String, String)>,
    /// The request headers the client set.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Option<String>,
    /// The answer, or why none came.
    pub outcome: Result<Received, String>,
}

/// The latest answer to one request.
#[derive(Debug, Clone)]
pub struct Latest {
    /// The request.
    pub request: Request,
    /// What came back.
    pub outcome: Result<Received, TransportFailure>,
}

/// What the run's exchanges were.
#[derive(Debug)]
pub struct Traffic {
    api_key: String,
    record: bool,
    keep_latest: bool,
    statuses: Mutex<HashMap<(String, String), BTreeMap<u16, u32>>>,
    latest: Mutex<HashMap<String, Latest>>,
    exchanges: Mutex<Vec<RecordedExchange>>,
}

impl Traffic {
    /// Traffic of a run with `api_key`, recording whole exchanges when `record` is set and the
    /// latest answer to each request that may be sent again when `keep_latest` is.
    pub fn new(api_key: &str, record: bool, keep_latest: bool) -> Traffic {
        Traffic {
            api_key: api_key.to_owned(),
            record,
            keep_latest,
            statuses: Mutex::default(),
            latest: Mutex::default(),
            exchanges: Mutex::default(),
        }
    }

    /// Statuses seen per method and path (the path as sent, without the query), with counts.
    pub fn statuses(&self) -> HashMap<(String, String), BTreeMap<u16, u32>> {
        self.statuses.lock().expect("traffic poisoned").clone()
    }

    /// The latest answer to the request whose `curl` command is `curl`, if it may be sent again.
    pub fn latest(&self, curl: &str) -> Option<Latest> {
        self.latest
            .lock()
            .expect("traffic poisoned")
            .get(curl)
            .cloned()
    }

    /// Every exchange recorded (with `record`), in the order they ended; they are handed over,
    /// not copied, so a second call returns only what came since.
    pub fn take_exchanges(&self) -> Vec<RecordedExchange> {
        std::mem::take(&mut *self.exchanges.lock().expect("traffic poisoned"))
    }

    /// `text` with the API key replaced; a key shorter than 8 characters is left alone, since
    /// replacing it would garble everything else.
    fn redact(&self, text: &str) -> String {
        if self.api_key.len() >= 8 {
            text.replace(&self.api_key, "[redacted]")
        } else {
            text.to_owned()
        }
    }
}

/// Whether sending `request` again changes nothing the first sending did not: a read, or a
/// request the server refused (a 4xx says nothing was written). A write that succeeded, failed
/// on the server's side or got no answer is never sent again.
pub fn may_repeat(request: &Request, status: Option<u16>) -> bool {
    matches!(request.method.as_str(), "GET" | "HEAD" | "OPTIONS")
        || status.is_some_and(|status| (400..500).contains(&status))
}

impl Tap for Traffic {
    fn observe(&self, sent: &Sent<'_>) {
        let status = sent.outcome.ok().map(|received| received.status);
        if let Ok(received) = sent.outcome {
            *self
                .statuses
                .lock()
                .expect("traffic poisoned")
                .entry((sent.request.method.clone(), sent.request.path.clone()))
                .or_default()
                .entry(received.status)
                .or_default() += 1;
        }
        if self.keep_latest && may_repeat(sent.request, status) {
            let latest = Latest {
                request: sent.request.clone(),
                outcome: sent.outcome.cloned().map_err(Clone::clone),
            };
            self.latest
                .lock()
                .expect("traffic poisoned")
                .insert(sent.curl(), latest);
        }
        if self.record {
            let outcome = match sent.outcome {
                Ok(received) => Ok(Received {
                    headers: received
                        .headers
                        .iter()
                        .map(|(name, value)| (name.clone(), self.redact(value)))
                        .collect(),
                    body: self.redact(&received.body),
                    ..received.clone()
                }),
                Err(failure) => Err(failure.to_string()),
            };
            let url = sent.url();
            let body = sent.body();
            let exchange = RecordedExchange {
                started: sent.started,
                elapsed: sent.elapsed,
                method: sent.request.method.clone(),
                url: self.redact(&url),
                query: sent
                    .request
                    .query
                    .iter()
                    .map(|(name, value)| (name.clone(), self.redact(value)))
                    .collect(),
                headers: sent.headers(),
                body: body.map(|body| self.redact(&body)),
                outcome,
            };
            self.exchanges
                .lock()
                .expect("traffic poisoned")
                .push(exchange);
        }
    }
}
