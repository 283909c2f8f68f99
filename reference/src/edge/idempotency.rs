//! Idempotency keys, as Novu's idempotency interceptor applies them: a POST or PATCH with an
//! `Idempotency-Key` header runs once per key and organization; a repeat gets the first answer
//! back (`Idempotency-Replay: true`), or 409 while the first is still running, or 422 when it
//! carries another body.
//!
//! State lives in memory, bounded as Novu's cache is by expiry: a key in progress for five
//! minutes, a completed answer for 24 hours, and at most [`CAPACITY`] keys (the oldest go
//! first). It is lost when the server stops.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::{caller, error_answer, path_and_query};
use crate::api::Callers;

/// Keys longer than this are refused with 400.
const MAX_KEY_LENGTH: usize = 255;
/// How long a key stays claimed by a request that has not answered yet.
const IN_PROGRESS_FOR: Duration = Duration::from_secs(5 * 60);
/// How long a completed answer is replayed.
const KEPT_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// The most keys kept at once; past it the oldest are forgotten.
const CAPACITY: usize = 100_000;
/// The largest body the router accepts anywhere (`x-body-limit`); a larger one is refused here.
const BODY_LIMIT: usize = 20 * 1024 * 1024;
/// Where clients read about idempotency, sent as `Link` with 409 and 422.
const DOCS_LINK: &str = "https://docs.novu.co/additional-resources/idempotency";

static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
static IDEMPOTENCY_REPLAY: HeaderName = HeaderName::from_static("idempotency-replay");
static LINK: HeaderName = HeaderName::from_static("link");

/// Which key of which organization.
type Scope = (String, String);

/// The keys seen, shared by every request.
pub(super) struct Keys {
    callers: Arc<Callers>,
    slots: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    by_scope: HashMap<Scope, Slot>,
    /// Scopes in the order they were claimed, with the generation that claimed them.
    order: VecDeque<(Scope, u64)>,
    next_generation: u64,
}

struct Slot {
    generation: u64,
    fingerprint: [u8; 32],
    expires: Instant,
    /// `None` while the first request runs.
    answer: Option<Arc<Stored>>,
}

/// A completed answer, as replayed.
struct Stored {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

/// What a request with a key finds.
enum Claim {
    /// The key is new (or expired): this request runs and stores its answer.
    First(Pending),
    InProgress,
    OtherBody,
    Replay(Arc<Stored>),
}

impl Keys {
    pub fn new(callers: Arc<Callers>) -> Self {
        // Sized for the capacity up front (a few MiB), so that no request waits on the map
        // growing under the lock.
        let slots = Slots {
            by_scope: HashMap::with_capacity(CAPACITY),
            order: VecDeque::with_capacity(CAPACITY),
            next_generation: 0,
        };
        Self {
            callers,
            slots: Mutex::new(slots),
        }
    }

    fn slots(&self) -> MutexGuard<'_, Slots> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn claim(self: &Arc<Self>, scope: Scope, fingerprint: [u8; 32]) -> Claim {
        let now = Instant::now();
        let mut slots = self.slots();
        slots.forget_expired(now);
        if let Some(slot) = slots.by_scope.get(&scope)
            && slot.expires > now
        {
            return match &slot.answer {
                None => Claim::InProgress,
                Some(_) if slot.fingerprint != fingerprint => Claim::OtherBody,
                Some(answer) => Claim::Replay(answer.clone()),
            };
        }
        let generation = slots.next_generation;
        slots.next_generation += 1;
        slots.by_scope.insert(
            scope.clone(),
            Slot {
                generation,
                fingerprint,
                expires: now + IN_PROGRESS_FOR,
                answer: None,
            },
        );
        slots.order.push_back((scope.clone(), generation));
        slots.keep_within(CAPACITY);
        Claim::First(Pending {
            keys: self.clone(),
            scope: Some(scope),
            generation,
        })
    }
}

impl Slots {
    /// Drops expired slots, and order entries of slots already gone, from the front.
    fn forget_expired(&mut self, now: Instant) {
        while let Some((scope, generation)) = self.order.front() {
            match self.by_scope.get(scope) {
                Some(slot) if slot.generation == *generation && slot.expires > now => break,
                Some(slot) if slot.generation == *generation => {
                    self.by_scope.remove(scope);
                }
                _ => {}
            }
            self.order.pop_front();
        }
    }

    /// Forgets the oldest slots until at most `capacity` remain, and drops order entries of
    /// slots that were replaced or removed once they outnumber the live ones.
    fn keep_within(&mut self, capacity: usize) {
        while self.by_scope.len() > capacity {
            let Some((scope, generation)) = self.order.pop_front() else {
                break;
            };
            if self
                .by_scope
                .get(&scope)
                .is_some_and(|slot| slot.generation == generation)
            {
                self.by_scope.remove(&scope);
            }
        }
        if self.order.len() > 2 * capacity.max(self.by_scope.len()) {
            let by_scope = &self.by_scope;
            self.order.retain(|(scope, generation)| {
                by_scope
                    .get(scope)
                    .is_some_and(|slot| slot.generation == *generation)
            });
        }
    }
}

/// The claim of the request that runs; the key is released again if that request never
/// completes (its connection dropped), so a retry is not refused for five minutes.
struct Pending {
    keys: Arc<Keys>,
    scope: Option<Scope>,
    generation: u64,
}

impl Pending {
    fn complete(mut self, answer: Stored) {
        let Some(scope) = self.scope.take() else {
            return;
        };
        let mut slots = self.keys.slots();
        if let Some(slot) = slots.by_scope.get_mut(&scope)
            && slot.generation == self.generation
        {
            slot.answer = Some(Arc::new(answer));
            slot.expires = Instant::now() + KEPT_FOR;
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let Some(scope) = self.scope.take() else {
            return;
        };
        let mut slots = self.keys.slots();
        if slots
            .by_scope
            .get(&scope)
            .is_some_and(|slot| slot.generation == self.generation && slot.answer.is_none())
        {
            slots.by_scope.remove(&scope);
        }
    }
}

/// The layer: POST and PATCH requests of a known API key with an `Idempotency-Key` header go
/// through [`Keys`]; every other request passes.
pub(super) async fn layer(State(keys): State<Arc<Keys>>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::POST | Method::PATCH) || super::dashboard_only(&request)
    {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(&IDEMPOTENCY_KEY).cloned() else {
        return next.run(request).await;
    };
    let Some(caller) = caller(&keys.callers, request.headers()).await else {
        return next.run(request).await;
    };
    let path = path_and_query(request.uri());
    let text = String::from_utf8_lossy(key.as_bytes()).into_owned();
    if key.len() > MAX_KEY_LENGTH {
        let message = format!(
            "idempotencyKey \"{text}\" has exceeded the maximum allowed length of {MAX_KEY_LENGTH} characters"
        );
        return error_answer(StatusCode::BAD_REQUEST, &path, message, true);
    }
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, BODY_LIMIT).await else {
        let message = format!("request entity too large: the body exceeds {BODY_LIMIT} bytes");
        return error_answer(StatusCode::PAYLOAD_TOO_LARGE, &path, message, true);
    };
    let claim = keys.claim((caller.organization_id, text.clone()), fingerprint(&body));
    let mut response = match claim {
        Claim::First(pending) => {
            let response = next.run(Request::from_parts(parts, Body::from(body))).await;
            let unrouted = response
                .extensions()
                .get::<novu_server::Unrouted>()
                .is_some();
            if unrouted || response.status() == StatusCode::UNAUTHORIZED {
                // Novu's interceptors run once a route is found and its guards let the caller
                // in: a method the path does not declare, or a refused caller (a dashboard-only
                // route), is neither kept nor marked, and frees the key.
                return response;
            }
            let (parts, body) = response.into_parts();
            let Ok(body) = to_bytes(body, usize::MAX).await else {
                // The answer could not be read whole; nothing is stored and the key is freed.
                let message =
                    "Internal server error, contact support and provide them with the errorId";
                return error_answer(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &path,
                    message.into(),
                    false,
                );
            };
            pending.complete(Stored {
                status: parts.status,
                content_type: parts.headers.get(CONTENT_TYPE).cloned(),
                body: body.clone(),
            });
            Response::from_parts(parts, Body::from(body))
        }
        Claim::InProgress => {
            let message = format!(
                "Request with key \"{text}\" is currently being processed. Please retry after 1 second"
            );
            let mut response = error_answer(StatusCode::CONFLICT, &path, message, true);
            let headers = response.headers_mut();
            headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
            headers.insert(LINK.clone(), HeaderValue::from_static(DOCS_LINK));
            response
        }
        Claim::OtherBody => {
            let message =
                format!("Request with key \"{text}\" is being reused for a different body");
            let mut response = error_answer(StatusCode::UNPROCESSABLE_ENTITY, &path, message, true);
            response
                .headers_mut()
                .insert(LINK.clone(), HeaderValue::from_static(DOCS_LINK));
            response
        }
        Claim::Replay(stored) => {
            let mut response = Response::new(Body::from(stored.body.clone()));
            *response.status_mut() = stored.status;
            if let Some(content_type) = &stored.content_type {
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, content_type.clone());
            }
            response
                .headers_mut()
                .insert(IDEMPOTENCY_REPLAY.clone(), HeaderValue::from_static("true"));
            response
        }
    };
    response.headers_mut().insert(IDEMPOTENCY_KEY.clone(), key);
    response
}

/// The body's fingerprint. Novu hashes `JSON.stringify` of the parsed body, so spacing between
/// tokens makes no other body but the order of keys does: a JSON body is hashed with its
/// insignificant whitespace removed and its keys as sent, anything else by its bytes.
fn fingerprint(body: &[u8]) -> [u8; 32] {
    let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok();
    let compacted = is_json.then(|| without_spacing(body));
    Sha256::digest(compacted.as_deref().unwrap_or(body)).into()
}

/// `json` (well-formed) without the whitespace between its tokens.
fn without_spacing(json: &[u8]) -> Vec<u8> {
    let mut compacted = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for &byte in json {
        if in_string {
            in_string = escaped || byte != b'"';
            escaped = !escaped && byte == b'\\';
        } else if byte.is_ascii_whitespace() {
            continue;
        } else {
            in_string = byte == b'"';
        }
        compacted.push(byte);
    }
    compacted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(index: usize) -> Scope {
        ("organization".to_owned(), index.to_string())
    }

    #[test]
    fn the_oldest_keys_go_first_past_the_capacity() {
        let mut slots = Slots::default();
        for index in 0..10 {
            slots.by_scope.insert(
                scope(index),
                Slot {
                    generation: index as u64,
                    fingerprint: [0; 32],
                    expires: Instant::now() + KEPT_FOR,
                    answer: None,
                },
            );
            slots.order.push_back((scope(index), index as u64));
            slots.keep_within(4);
        }
        let mut kept: Vec<_> = slots.by_scope.keys().map(|(_, key)| key.clone()).collect();
        kept.sort();
        assert_eq!(kept, ["6", "7", "8", "9"]);
    }

    #[test]
    fn json_bodies_differing_only_in_spacing_share_a_fingerprint() {
        assert_eq!(fingerprint(br#"{"a": 1}"#), fingerprint(br#"{"a":1}"#));
        assert_ne!(fingerprint(br#"{"a": 1}"#), fingerprint(br#"{"a": 2}"#));
        assert_ne!(fingerprint(b"x"), fingerprint(b"y"));
    }

    #[test]
    fn key_order_and_spacing_inside_strings_make_another_body() {
        assert_ne!(
            fingerprint(br#"{"a":1,"b":2}"#),
            fingerprint(br#"{"b":2,"a":1}"#)
        );
        assert_ne!(
            fingerprint(br#"{"a":"x y"}"#),
            fingerprint(br#"{"a":"xy"}"#)
        );
        assert_eq!(
            fingerprint(b"{ \"a\" : \"q\\\" \" ,\n \"b\": [1, 2] }"),
            fingerprint(br#"{"a":"q\" ","b":[1,2]}"#)
        );
    }
}
