//! The callback server of the `conditions` check: where the `webhookUrl` of a drawn webhook part
//! points, so that the server under test has a webhook to call.
//!
//! The path of each URL says what the callback answers (`WebhookFilterPart`: "compares `field`
//! of the JSON answer"), so a case and its shrunk forms carry their answers with them and the
//! oracle reads them from the part alone: `/hook/json/<JSON, percent-encoded>` answers that
//! JSON, `/hook/status/<code>` answers that status, `/hook/text` answers a body that is not
//! JSON, `/hook/sequence/<JSON array, percent-encoded>` answers its items in turn (the last one
//! from then on; `null` is a failed call, a 500) and `/hook/unreachable` names a port nothing
//! listens on (a failed call). Every call is recorded with its body and `nv-hmac-256` header.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use hmac::{Hmac, Mac};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::Value;
use sha2::Sha256;
use tokio::net::TcpListener;

/// The header carrying the call's signature.
pub const SIGNATURE_HEADER: &str = "nv-hmac-256";

/// What a webhook URL makes the callback answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A 200 with this JSON.
    Json(Value),
    /// This status (not 2xx) with a JSON body.
    Status(u16),
    /// A 200 whose body is not JSON.
    NotJson,
    /// The n-th call to the URL answers the n-th item with a 200 (the last item once they
    /// are used up); a `null` item answers 500 instead, which Novu's worker retries.
    Sequence(Vec<Value>),
    /// No answer: nothing listens on the URL's port.
    Unreachable,
}

impl Reply {
    /// The path of the URL that makes the callback answer this.
    fn path(&self) -> String {
        match self {
            Reply::Json(answer) => format!(
                "/hook/json/{}",
                utf8_percent_encode(&answer.to_string(), NON_ALPHANUMERIC)
            ),
            Reply::Status(status) => format!("/hook/status/{status}"),
            Reply::NotJson => "/hook/text".to_owned(),
            Reply::Sequence(answers) => format!(
                "/hook/sequence/{}",
                utf8_percent_encode(&Value::Array(answers.clone()).to_string(), NON_ALPHANUMERIC)
            ),
            Reply::Unreachable => "/hook/unreachable".to_owned(),
        }
    }

    /// What a URL of the callback answers, read from its path; `None` for any other URL.
    pub fn of(url: &str) -> Option<Reply> {
        let path = &url[url.find("/hook/")? + "/hook/".len()..];
        let (kind, rest) = path.split_once('/').unwrap_or((path, ""));
        match kind {
            "json" => {
                let text = percent_decode_str(rest).decode_utf8().ok()?;
                serde_json::from_str(&text).ok().map(Reply::Json)
            }
            "status" => rest.parse().ok().map(Reply::Status),
            "text" => Some(Reply::NotJson),
            "sequence" => {
                let text = percent_decode_str(rest).decode_utf8().ok()?;
                match serde_json::from_str(&text).ok()? {
                    Value::Array(answers) if !answers.is_empty() => Some(Reply::Sequence(answers)),
                    _ => None,
                }
            }
            "unreachable" => Some(Reply::Unreachable),
            _ => None,
        }
    }

    /// The reply in a few words, for reports.
    pub fn describe(&self) -> String {
        match self {
            Reply::Json(answer) => format!("answers {answer}"),
            Reply::Status(status) => format!("answers status {status}"),
            Reply::NotJson => "answers a body that is not JSON".to_owned(),
            Reply::Sequence(answers) => format!(
                "answers {} in turn (null: status 500)",
                Value::Array(answers.clone())
            ),
            Reply::Unreachable => "cannot be reached".to_owned(),
        }
    }
}

/// One call the callback received.
#[derive(Debug, Clone)]
pub struct WebhookCall {
    /// The request path.
    pub path: String,
    /// The `nv-hmac-256` header, when present.
    pub signature: Option<String>,
    /// The body, when it is JSON.
    pub body: Option<Value>,
}

/// How the server under test reaches this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// At 127.0.0.1: the target runs here.
    Loopback,
    /// At this host (`--callback-host`).
    Host(String),
}

/// The URLs of a callback.
#[derive(Debug, Clone)]
pub struct Urls {
    base_url: String,
    closed_url: String,
}

impl Urls {
    /// The URLs of a callback at `base_url`, with `closed_url` where nothing listens.
    pub fn new(base_url: &str, closed_url: &str) -> Urls {
        Urls {
            base_url: base_url.to_owned(),
            closed_url: closed_url.to_owned(),
        }
    }

    /// The URL that makes the callback answer `reply`.
    pub fn url(&self, reply: &Reply) -> String {
        let base = match reply {
            Reply::Unreachable => &self.closed_url,
            _ => &self.base_url,
        };
        format!("{base}{}", reply.path())
    }
}

/// A running callback server.
pub struct Callback {
    urls: Urls,
    state: Arc<Served>,
    server: tokio::task::JoinHandle<()>,
}

/// What the callback keeps between calls.
#[derive(Default)]
struct Served {
    /// The calls not taken yet.
    received: Mutex<Vec<WebhookCall>>,
    /// How many calls each path received, for the answers of a sequence.
    calls: Mutex<HashMap<String, usize>>,
}

impl Callback {
    /// Starts the callback on a free port. Reached at a host it listens on every interface and
    /// URLs name that host; otherwise it listens on and names 127.0.0.1.
    pub async fn start(reach: &Reach) -> std::io::Result<Callback> {
        let host = match reach {
            Reach::Host(host) => Some(host.as_str()),
            Reach::Loopback => None,
        };
        let bind = if host.is_some() {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        let listener = TcpListener::bind(SocketAddr::new(bind, 0)).await?;
        let port = listener.local_addr()?.port();
        // A port that was just free and is closed again: calls to it fail to connect.
        let closed_port = TcpListener::bind(SocketAddr::new(bind, 0))
            .await?
            .local_addr()?
            .port();
        let host = match host {
            Some(host) if host.contains(':') && !host.starts_with('[') => format!("[{host}]"),
            Some(host) => host.to_owned(),
            None => "127.0.0.1".to_owned(),
        };
        let state = Arc::new(Served::default());
        let app = Router::new().fallback(answer).with_state(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Callback {
            urls: Urls::new(
                &format!("http://{host}:{port}"),
                &format!("http://{host}:{closed_port}"),
            ),
            state,
            server,
        })
    }

    /// Its URLs.
    pub fn urls(&self) -> Urls {
        self.urls.clone()
    }

    /// The calls received since the last time this was asked.
    pub fn take(&self) -> Vec<WebhookCall> {
        std::mem::take(&mut *self.state.received.lock().expect("received poisoned"))
    }

    /// Stops the server.
    pub fn stop(self) {
        self.server.abort();
    }
}

async fn answer(State(state): State<Arc<Served>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 16 * 1024 * 1024).await.unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let earlier = {
        let mut calls = state.calls.lock().expect("calls poisoned");
        let count = calls.entry(path.clone()).or_default();
        *count += 1;
        *count - 1
    };
    state
        .received
        .lock()
        .expect("received poisoned")
        .push(WebhookCall {
            path: path.clone(),
            signature: parts
                .headers
                .get(SIGNATURE_HEADER)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            body: serde_json::from_slice(&body).ok(),
        });
    let (status, content_type, text) = match Reply::of(&path) {
        Some(Reply::Json(answer)) => (200, "application/json", answer.to_string()),
        Some(Reply::Status(status)) => (status, "application/json", r#"{"ok":true}"#.to_owned()),
        Some(Reply::NotJson) => (200, "text/plain", "ok".to_owned()),
        Some(Reply::Sequence(answers)) => match &answers[earlier.min(answers.len() - 1)] {
            Value::Null => (500, "application/json", r#"{"ok":false}"#.to_owned()),
            answer => (200, "application/json", answer.to_string()),
        },
        Some(Reply::Unreachable) | None => (404, "text/plain", "no such callback".to_owned()),
    };
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    response
}

/// Whether `signature` is the HMAC-SHA256 of `message` keyed with `key`, written in hex (either
/// case) or base64: the contract does not say which.
pub fn signature_matches(signature: &str, key: &str, message: &str) -> bool {
    let mac = hmac_sha256(key.as_bytes(), message.as_bytes());
    let hex: String = mac.iter().map(|byte| format!("{byte:02x}")).collect();
    signature.eq_ignore_ascii_case(&hex) || signature == BASE64_STANDARD.encode(mac)
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Whether `base_url` names this machine, so a callback on 127.0.0.1 is reachable from it.
pub fn is_loopback(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return false;
    };
    let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls_carry_their_replies() {
        for reply in [
            Reply::Json(json!({"a": "50%", "items": [1, "a,b"], "k": "x'y/z"})),
            Reply::Status(503),
            Reply::NotJson,
            Reply::Sequence(vec![Value::Null, json!({"isOnline": true})]),
            Reply::Unreachable,
        ] {
            let url = format!("http://127.0.0.1:9{}", reply.path());
            assert_eq!(Reply::of(&url), Some(reply), "{url}");
        }
        assert_eq!(Reply::of("http://example.com/other"), None);
    }

    #[tokio::test]
    async fn a_sequence_answers_its_items_in_turn_then_its_last() {
        let callback = Callback::start(&Reach::Loopback).await.unwrap();
        let url = callback.urls().url(&Reply::Sequence(vec![
            Value::Null,
            json!({"isOnline": true}),
            Value::Null,
        ]));
        let client = reqwest::Client::new();
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let response = client.post(&url).json(&json!({})).send().await.unwrap();
            statuses.push(response.status().as_u16());
        }
        assert_eq!(statuses, [500, 200, 500, 500]);
        assert_eq!(callback.take().len(), 4);
        callback.stop();
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231, test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(signature_matches(
            &hex.to_uppercase(),
            "Jefe",
            "what do ya want for nothing?"
        ));
        assert!(signature_matches(
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=",
            "Jefe",
            "what do ya want for nothing?"
        ));
    }

    #[test]
    fn loopback_targets_are_recognised() {
        assert!(is_loopback("http://127.0.0.1:3000"));
        assert!(is_loopback("http://localhost"));
        assert!(is_loopback("http://[::1]:8080/x"));
        assert!(!is_loopback("https://api.novu.co"));
        assert!(!is_loopback("http://10.0.0.2:3000"));
    }
}
