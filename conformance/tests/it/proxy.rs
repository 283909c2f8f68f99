//! A proxy in front of the embedded reference server that breaks one behaviour on purpose.
//!
//! A check is only worth something if it fails when the behaviour it guards is broken. The
//! reference passes every check, so tests put this proxy between the suite and the reference,
//! let it bend one request or one answer, and assert that the guarding check reports it.
//!
//! The proxy also counts every request it receives, so that `benches/peers.rs`, which includes
//! this file, counts the requests of every tool it measures in the same place.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use novu_conformance::Options;
use serde_json::Value;
use tokio::net::TcpListener;

/// A request on its way to the reference.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query, without `?` (empty when there is none).
    pub query: String,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The reference's API key, for breakages that forge credentials.
    pub reference_key: String,
    /// The key of the reference's production environment, its second environment.
    pub production_key: String,
}

impl Outgoing {
    /// The body as JSON, when it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Replaces the body with `value`.
    pub fn set_json(&mut self, value: &Value) {
        self.body = serde_json::to_vec(value).expect("a JSON value serialises");
    }

    /// The value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Sets header `name` (lowercase), replacing any value it had.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(key, _)| key != name);
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    /// Whether this is `method` on a path matching `template` (`{x}` matches one segment).
    pub fn is(&self, method: &str, template: &str) -> bool {
        self.method == method && path_matches(template, &self.path)
    }
}

/// The reference's answer on its way back to the suite.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Sets header `name` (lowercase), replacing any value it had; `None` removes it.
    pub fn set_header(&mut self, name: &str, value: Option<&str>) {
        self.headers.retain(|(key, _)| key != name);
        if let Some(value) = value {
            self.headers.push((name.to_owned(), value.to_owned()));
        }
    }

    /// The body as JSON, when it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Replaces the body with `value`.
    pub fn set_json(&mut self, value: &Value) {
        self.body = serde_json::to_vec(value).expect("a JSON value serialises");
    }
}

type RequestBreak = dyn Fn(&mut Outgoing) -> bool + Send + Sync;
type AnswerBreak = dyn Fn(&Outgoing, &mut Answer) -> bool + Send + Sync;

/// What the proxy bends. Each function answers whether it changed something, so a test can
/// tell that its breakage was exercised at all.
#[derive(Clone, Default)]
pub struct Breakage {
    request: Option<Arc<RequestBreak>>,
    answer: Option<Arc<AnswerBreak>>,
}

impl Breakage {
    /// Changes requests before the reference sees them.
    pub fn request(change: impl Fn(&mut Outgoing) -> bool + Send + Sync + 'static) -> Self {
        Breakage {
            request: Some(Arc::new(change)),
            answer: None,
        }
    }

    /// Changes requests before the reference sees them and answers before the suite does.
    pub fn both(
        request: impl Fn(&mut Outgoing) -> bool + Send + Sync + 'static,
        answer: impl Fn(&Outgoing, &mut Answer) -> bool + Send + Sync + 'static,
    ) -> Self {
        Breakage {
            request: Some(Arc::new(request)),
            answer: Some(Arc::new(answer)),
        }
    }

    /// Changes answers before the suite sees them; the request is the one the reference saw.
    pub fn answer(change: impl Fn(&Outgoing, &mut Answer) -> bool + Send + Sync + 'static) -> Self {
        Breakage {
            request: None,
            answer: Some(Arc::new(change)),
        }
    }

    /// Bends the JSON answer of `method template` when it has `status`: `change` edits the body
    /// and says whether it bent anything.
    pub fn json_answer(
        method: &'static str,
        template: &'static str,
        status: u16,
        change: impl Fn(&mut Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::answer(move |outgoing, answer| {
            if !outgoing.is(method, template) || answer.status != status {
                return false;
            }
            let Some(mut body) = answer.json() else {
                return false;
            };
            let bent = change(&mut body);
            if bent {
                answer.set_json(&body);
            }
            bent
        })
    }
}

struct Shared {
    upstream: String,
    api_key: String,
    production_key: String,
    client: reqwest::Client,
    breakage: Breakage,
    broken: AtomicU32,
    requests: AtomicU64,
}

/// The reference behind a proxy that applies one [`Breakage`].
pub struct BrokenReference {
    base_url: String,
    api_key: String,
    shared: Arc<Shared>,
    proxy: tokio::task::JoinHandle<()>,
    reference: Option<novu_reference::RunningServer>,
}

impl BrokenReference {
    /// Starts an in-memory reference server and the proxy in front of it.
    pub async fn start(breakage: Breakage) -> BrokenReference {
        Self::start_with(breakage, novu_reference::Config::in_memory()).await
    }

    /// Starts a reference server configured by `config` and the proxy in front of it.
    pub async fn start_with(breakage: Breakage, config: novu_reference::Config) -> BrokenReference {
        let reference = novu_reference::start(config)
            .await
            .expect("the reference server starts");
        let shared = Arc::new(Shared {
            upstream: reference.base_url(),
            api_key: reference.api_key().to_owned(),
            production_key: reference.production_api_key().to_owned(),
            // Redirects (chat OAuth) must reach the suite as they are.
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("a client builds"),
            breakage,
            broken: AtomicU32::new(0),
            requests: AtomicU64::new(0),
        });
        let app = Router::new().fallback(forward).with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("an address");
        let proxy = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        BrokenReference {
            base_url: format!("http://{address}"),
            api_key: reference.api_key().to_owned(),
            shared,
            proxy,
            reference: Some(reference),
        }
    }

    /// Run options aimed at the proxy.
    pub fn options(&self) -> Options {
        Options {
            base_url: Some(self.base_url.clone()),
            api_key: Some(self.api_key.clone()),
            seed: 42,
            jobs: 4,
            timeout: Duration::from_secs(10),
            ..Options::default()
        }
    }

    /// Run options aimed at the proxy with the production environment's key as the second key
    /// (`isolation`).
    pub fn options_with_second_key(&self) -> Options {
        Options {
            second_api_key: Some(self.shared.production_key.clone()),
            ..self.options()
        }
    }

    /// The proxy's address, `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API key of the reference's development environment.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// How many requests the proxy received, whatever happened to them.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// How many requests or answers the breakage changed.
    pub fn broken(&self) -> u32 {
        self.shared.broken.load(Ordering::SeqCst)
    }

    /// Stops the proxy and the reference.
    pub async fn stop(mut self) {
        self.proxy.abort();
        if let Some(reference) = self.reference.take() {
            let _ = reference.shutdown().await;
        }
    }
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    let mut outgoing = Outgoing {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .filter(|(name, _)| !is_hop_by_hop(name.as_str()))
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
        reference_key: shared.api_key.clone(),
        production_key: shared.production_key.clone(),
    };
    if let Some(change) = &shared.breakage.request
        && change(&mut outgoing)
    {
        shared.broken.fetch_add(1, Ordering::SeqCst);
    }
    let mut url = format!("{}{}", shared.upstream, outgoing.path);
    if !outgoing.query.is_empty() {
        url = format!("{url}?{}", outgoing.query);
    }
    let method = reqwest::Method::from_bytes(outgoing.method.as_bytes()).expect("a method");
    let mut upstream = shared.client.request(method, url);
    for (name, value) in &outgoing.headers {
        upstream = upstream.header(name, value);
    }
    let answer = match upstream.body(outgoing.body.clone()).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter(|(name, _)| !is_hop_by_hop(name.as_str()))
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = response.bytes().await.unwrap_or_default().to_vec();
            Answer {
                status,
                headers,
                body,
            }
        }
        Err(error) => Answer {
            status: 502,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: format!("the proxy could not reach the reference: {error}").into_bytes(),
        },
    };
    let mut answer = answer;
    if let Some(change) = &shared.breakage.answer
        && change(&outgoing, &mut answer)
    {
        shared.broken.fetch_add(1, Ordering::SeqCst);
    }
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).expect("a status");
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// Headers that describe one connection or one framing, which the proxy re-creates.
fn is_hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "host" | "content-length" | "transfer-encoding" | "connection" | "keep-alive"
    )
}

/// Whether `path` matches `template`, where `{x}` matches exactly one non-empty segment.
pub fn path_matches(template: &str, path: &str) -> bool {
    let expected: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let actual: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    expected.len() == actual.len()
        && expected.iter().zip(&actual).all(|(want, got)| {
            (want.starts_with('{') && want.ends_with('}') && !got.is_empty()) || want == got
        })
}
