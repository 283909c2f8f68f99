//! `idempotency`: a POST with an `Idempotency-Key` runs once per key. The same key and body
//! replay the first answer (same status and body, `Idempotency-Replay: true`) without creating
//! anything again; another body gets 422; duplicates sent at once execute once (the others get
//! 409 with `Retry-After`, or the replay); a 256-character key gets 400 and a 255-character one
//! is accepted. Topic creation is the POST it uses, since topics can be listed by key.
//!
//! A server that does not echo the key on the first answer has the feature off: the check is
//! then not applicable, not violated.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::check::{Check, FixtureUse, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::{Exchange, Run};
use crate::transport::{Received, Request};

/// `idempotency`.
pub const IDEMPOTENCY: &str = "idempotency";

/// The operation the check writes through, and those it reads and cleans up with.
const CREATE: &str = "topics_create";
const LIST: &str = "topics_list";
const DELETE: &str = "topics_delete";

/// How many identical requests are sent at once.
const CONCURRENT: usize = 5;

/// The longest key a server must accept.
const MAX_KEY_LENGTH: usize = 255;

/// `idempotency`.
pub struct Idempotency;

impl Check for Idempotency {
    fn name(&self) -> &'static str {
        IDEMPOTENCY
    }

    fn description(&self) -> &'static str {
        "where POSTs echo Idempotency-Key, a repeated key replays the first answer once (Idempotency-Replay: true), another body gets 422, concurrent duplicates execute once (409 + Retry-After or replay), a 256-character key gets 400 and a 255-character one is accepted"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Excluded
    }

    fn phase(&self) -> Phase {
        Phase::Concurrent
    }

    fn covers(&self, operation: &Operation) -> bool {
        operation.operation_id == CREATE
    }

    fn fixtures(&self) -> FixtureUse {
        FixtureUse::None
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            let Some(create) = run.spec.operation(CREATE).cloned() else {
                return;
            };
            if !run.is_selected(CREATE) || !run.may_send(&create) {
                return;
            }
            Session::new(run.clone(), create).check().await;
        })
    }
}

/// One run of the check: the names it makes unique and the topics it creates.
struct Session {
    run: Arc<Run>,
    create: Operation,
    /// Unique per run, even for runs with the same seed against one server: keys are kept
    /// for a day.
    unique: String,
    created: std::sync::Mutex<Vec<String>>,
}

/// The value of header `name` (lower case) on an answer.
fn header<'a>(received: &'a Received, name: &str) -> Option<&'a str> {
    received
        .headers
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

impl Session {
    fn new(run: Arc<Run>, create: Operation) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or_default();
        let unique = format!("{}idem-{nanos:x}", run.generator.prefix());
        Self {
            run,
            create,
            unique,
            created: std::sync::Mutex::default(),
        }
    }

    /// A topic-create request for topic `name` with key `key`.
    fn request(&self, name: &str, key: &str) -> Request {
        let body = json!({ "key": format!("{}-{name}", self.unique), "name": name });
        Request::to(&self.create, &[], &[] as &[(&str, &str)], Some(body))
            .with_header("Idempotency-Key", key)
    }

    fn key(&self, name: &str) -> String {
        format!("{}-{name}", self.unique)
    }

    fn violation(&self, exchange: &Exchange, expected: &str, problem: Option<&str>) {
        self.run.violation(
            &self.create,
            exchange.violation(IDEMPOTENCY, &self.create, expected, problem),
        );
    }

    async fn send(&self, request: Request) -> Exchange {
        let exchange = self.run.exchange(IDEMPOTENCY, &self.create, request).await;
        if exchange
            .status()
            .is_some_and(|status| (200..300).contains(&status))
            && let Some(body) = exchange.request.body.as_ref()
            && let crate::transport::Body::Json(body) = body
            && let Some(topic) = body["key"].as_str()
        {
            let mut created = self
                .created
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if !created.iter().any(|known| known == topic) {
                created.push(topic.to_owned());
            }
        }
        exchange
    }

    async fn check(self) {
        // The probe decides applicability; it is sent quietly so that a server without the
        // feature shows the check as not applicable rather than as run.
        let first_request = self.request("replayed", &self.key("replayed"));
        let first = self.run.quietly(first_request.clone()).await;
        let echoed = first
            .outcome
            .as_ref()
            .ok()
            .and_then(|received| header(received, "idempotency-key"))
            .map(str::to_owned);
        let Some(echoed) = echoed else {
            self.run.recorder.skip(
                IDEMPOTENCY,
                &self.create.operation_id,
                &self.create.tag,
                "the server does not echo Idempotency-Key: idempotency is off",
            );
            if first
                .status()
                .is_some_and(|status| (200..300).contains(&status))
            {
                self.delete(&format!("{}-replayed", self.unique)).await;
            }
            return;
        };
        self.created
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(format!("{}-replayed", self.unique));
        self.run.count_and_judge(IDEMPOTENCY, &self.create, &first);
        if echoed != self.key("replayed") {
            self.violation(&first, "the Idempotency-Key echoed as sent", None);
        }
        self.replay(&first, first_request).await;
        self.other_body().await;
        self.concurrent().await;
        self.key_lengths().await;
        if !self.run.no_cleanup {
            let created = self
                .created
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone();
            for topic in created {
                self.delete(&topic).await;
            }
        }
    }

    /// The same key and body again: the first answer, replayed, and one topic.
    async fn replay(&self, first: &Exchange, request: Request) {
        let expected = "the first answer replayed: same status and body, Idempotency-Replay: true";
        let again = self.send(request).await;
        let (Ok(before), Ok(after)) = (&first.outcome, &again.outcome) else {
            return self.violation(&again, expected, None);
        };
        if after.status != before.status {
            let problem = format!("status {} after {}", after.status, before.status);
            return self.violation(&again, expected, Some(&problem));
        }
        if first.json() != again.json() {
            return self.violation(&again, expected, Some("the body differs from the first"));
        }
        if header(after, "idempotency-replay") != Some("true") {
            return self.violation(&again, expected, Some("no Idempotency-Replay: true"));
        }
        self.exists_once("replayed", &again).await;
    }

    /// The topic `name` made by the check exists exactly once.
    async fn exists_once(&self, name: &str, after: &Exchange) {
        let Some(list) = self.run.spec.operation(LIST).cloned() else {
            return;
        };
        let topic = format!("{}-{name}", self.unique);
        let request = Request::to(&list, &[], &[("key", topic.as_str())], None);
        let page = self.run.exchange(IDEMPOTENCY, &list, request).await;
        let count = page.json().and_then(|body| body["totalCount"].as_u64());
        if count != Some(1) {
            let problem = format!(
                "GET /v1/topics?key={topic} found {} topics",
                count.map_or("no count of".to_owned(), |count| count.to_string())
            );
            self.violation(after, "the resource created exactly once", Some(&problem));
        }
    }

    /// The key of the first request with another body: 422 with `Link`, nothing created.
    async fn other_body(&self) {
        let mut request = self.request("other-body", &self.key("replayed"));
        request.body = Some(crate::transport::Body::Json(
            json!({ "key": format!("{}-other-body", self.unique), "name": "other" }),
        ));
        let exchange = self.send(request).await;
        let expected = "422 with Link for a key reused with another body";
        match &exchange.outcome {
            Ok(received) if received.status == 422 => {
                if header(received, "link").is_none() {
                    self.violation(&exchange, expected, Some("no Link header"));
                }
            }
            _ => self.violation(&exchange, expected, None),
        }
    }

    /// Identical requests sent at once: one runs, the others get 409 with `Retry-After` or
    /// the replay; one topic.
    async fn concurrent(&self) {
        let request = self.request("concurrent", &self.key("concurrent"));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENT {
            let (run, create, request) = (self.run.clone(), self.create.clone(), request.clone());
            tasks.spawn(async move { run.exchange(IDEMPOTENCY, &create, request).await });
        }
        let mut executed = Vec::new();
        let mut last = None;
        while let Some(joined) = tasks.join_next().await {
            let Ok(exchange) = joined else { continue };
            let expected = "one execution; the others 409 with Retry-After or the replay";
            match &exchange.outcome {
                Ok(received) if (200..300).contains(&received.status) => {
                    if header(received, "idempotency-replay") != Some("true") {
                        executed.push(received.status);
                    }
                }
                Ok(received) if received.status == 409 => {
                    let retry = header(received, "retry-after").map(str::trim);
                    if retry.is_none_or(|value| value.parse::<u64>().is_err()) {
                        self.violation(
                            &exchange,
                            expected,
                            Some("409 without a numeric Retry-After"),
                        );
                    }
                }
                _ => self.violation(&exchange, expected, None),
            }
            last = Some(exchange);
        }
        let Some(last) = last else { return };
        self.created
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(format!("{}-concurrent", self.unique));
        if executed.len() != 1 {
            let problem = format!("{} of {CONCURRENT} requests executed", executed.len());
            self.violation(
                &last,
                "exactly one execution of concurrent duplicates",
                Some(&problem),
            );
        }
        self.exists_once("concurrent", &last).await;
    }

    /// A key one character too long gets 400 and creates nothing; the longest key is accepted.
    async fn key_lengths(&self) {
        let key = |length: usize| {
            let mut key = self.key("length");
            while key.len() < length {
                key.push('x');
            }
            key.truncate(length);
            key
        };
        let too_long = self
            .send(self.request("too-long", &key(MAX_KEY_LENGTH + 1)))
            .await;
        if too_long.status() != Some(400) {
            self.violation(&too_long, "400 for a 256-character Idempotency-Key", None);
        }
        let longest = self
            .send(self.request("longest", &key(MAX_KEY_LENGTH)))
            .await;
        let echoed = longest
            .outcome
            .as_ref()
            .ok()
            .and_then(|received| header(received, "idempotency-key"));
        let accepted = longest
            .status()
            .is_some_and(|status| (200..300).contains(&status));
        if !accepted || echoed != Some(key(MAX_KEY_LENGTH).as_str()) {
            self.violation(
                &longest,
                "a 255-character Idempotency-Key accepted and echoed",
                None,
            );
        }
    }

    /// Removes a topic the check made, quietly.
    async fn delete(&self, topic: &str) {
        let Some(delete) = self.run.spec.operation(DELETE) else {
            return;
        };
        let request = Request::to(delete, &[("topicKey", topic)], &[] as &[(&str, &str)], None);
        let _ = self.run.quietly(request).await;
    }
}
