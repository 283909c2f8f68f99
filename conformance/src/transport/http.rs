//! The one HTTP client of a run: bounded in time and size, retrying 429s after `Retry-After`,
//! and turning every transport failure into a value rather than a panic.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::Value;

use crate::contract::Operation;

/// Characters escaped in a path segment or query component.
const COMPONENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'=');

/// Percent-encodes one path segment or query component.
pub fn encode(component: &str) -> String {
    utf8_percent_encode(component, COMPONENT).to_string()
}

/// The largest response body the suite reads; a larger one is a violation.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// How many times a 429 is retried before it is taken as the answer.
const MAX_RATE_LIMIT_RETRIES: u32 = 3;

/// The longest `Retry-After` wait honoured, in seconds.
const MAX_RETRY_AFTER_SECONDS: u64 = 5;

/// The credentials a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `Authorization: ApiKey <the run's key>`.
    ApiKey,
    /// No `Authorization` header.
    Missing,
    /// `Authorization: ApiKey <this wrong key>`.
    WrongKey(String),
}

/// The body a request carries.
#[derive(Debug, Clone)]
pub enum Body {
    /// A JSON value.
    Json(Value),
    /// Bytes sent as `application/json` whatever they are (for malformed bodies).
    RawJson(String),
}

/// A request, as the suite builds it and as the report shows it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path with its parameters filled and encoded.
    pub path: String,
    /// Query parameters (unencoded).
    pub query: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Body>,
    /// The credentials.
    pub credentials: Credentials,
    /// Further request headers (`Idempotency-Key`, say), by wire name.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// A request to `operation` with the API key: its path parameters filled from `path`
    /// (encoded here), `query` and an optional JSON `body`.
    pub fn to(
        operation: &Operation,
        path: &[(&str, &str)],
        query: &[(&str, impl AsRef<str>)],
        body: Option<Value>,
    ) -> Request {
        let mut filled = operation.path.clone();
        for (name, value) in path {
            filled = filled.replace(&format!("{{{name}}}"), &encode(value));
        }
        Request {
            method: operation.method.clone(),
            path: filled,
            query: query
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.as_ref().to_owned()))
                .collect(),
            body: body.map(Body::Json),
            credentials: Credentials::ApiKey,
            headers: Vec::new(),
        }
    }

    /// The same request with the header `name: value` added.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Received {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Header names (lower case) present on the response.
    pub header_names: Vec<String>,
    /// Every header as (lower-case name, value as lossy UTF-8), in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
    pub body: String,
}

/// Why no (complete) response came back.
#[derive(Debug, Clone)]
pub enum TransportFailure {
    /// Nothing within the timeout.
    Timeout(Duration),
    /// The connection could not be made.
    Connect(String),
    /// The connection broke or the response was unreadable.
    Broken(String),
    /// The body exceeded [`MAX_RESPONSE_BYTES`].
    TooLarge,
}

impl std::fmt::Display for TransportFailure {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportFailure::Timeout(limit) => {
                write!(
                    formatter,
                    "no complete response within {}s",
                    limit.as_secs_f32()
                )
            }
            TransportFailure::Connect(reason) => write!(formatter, "connection failed: {reason}"),
            TransportFailure::Broken(reason) => {
                write!(
                    formatter,
                    "connection broke or response unreadable: {reason}"
                )
            }
            TransportFailure::TooLarge => write!(
                formatter,
                "response body larger than {} MiB",
                MAX_RESPONSE_BYTES / (1024 * 1024)
            ),
        }
    }
}

/// One exchange as it happened on the wire; what a tap may not need (the URL, the `curl`
/// command, the headers) is made only when asked for.
#[derive(Debug)]
pub struct Sent<'a> {
    client: &'a HttpClient,
    /// The request.
    pub request: &'a Request,
    /// When it was sent.
    pub started: SystemTime,
    /// How long the answer took, to its last byte.
    pub elapsed: Duration,
    /// The answer, or why there was none.
    pub outcome: Result<&'a Received, &'a TransportFailure>,
}

impl Sent<'_> {
    /// The request's full URL.
    pub fn url(&self) -> String {
        self.client.url(self.request)
    }

    /// The `curl` command that sends the request again (the key as `$NOVU_API_KEY`).
    pub fn curl(&self) -> String {
        self.client.curl(self.request)
    }

    /// The body sent, as text.
    pub fn body(&self) -> Option<String> {
        request_text(self.request)
    }

    /// The request headers the client set, the API key redacted.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        match &self.request.credentials {
            Credentials::ApiKey => {
                headers.push(("authorization".into(), "ApiKey [redacted]".into()))
            }
            Credentials::Missing => {}
            Credentials::WrongKey(key) => {
                headers.push(("authorization".into(), format!("ApiKey {key}")))
            }
        }
        if self.request.body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        headers
    }
}

/// Told of every exchange of an [`HttpClient`], each attempt (a retried 429 too) with its
/// timing, so that coverage, HAR recording and flaky rechecks need no help from the checks.
pub trait Tap: Send + Sync + std::fmt::Debug {
    /// One exchange happened.
    fn observe(&self, sent: &Sent<'_>);
}

/// The HTTP side of a run.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    base_url: String,
    api_key: String,
    key_variable: &'static str,
    timeout: Duration,
    tap: Option<Arc<dyn Tap>>,
}

impl HttpClient {
    /// A client for the server at `base_url`, authenticating with `api_key`.
    pub fn new(
        base_url: &str,
        api_key: &str,
        timeout: Duration,
    ) -> crate::error::Result<HttpClient> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|error| {
                crate::error::Error::Usage(format!("cannot build the HTTP client: {error}"))
            })?;
        Ok(HttpClient {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
            key_variable: "NOVU_API_KEY",
            timeout,
            tap: None,
        })
    }

    /// The same client with another key (another environment of the server, or another
    /// server's key), which `curl` commands show as `$<variable>`.
    pub fn with_api_key(&self, api_key: &str, variable: &'static str) -> HttpClient {
        HttpClient {
            api_key: api_key.to_owned(),
            key_variable: variable,
            ..self.clone()
        }
    }

    /// The same client aimed at another server, with that server's key (shown as
    /// `$<variable>` in `curl` commands).
    pub fn for_server(&self, base_url: &str, api_key: &str, variable: &'static str) -> HttpClient {
        // Another server's traffic is not this run's: coverage and the HAR stay the target's.
        HttpClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            tap: None,
            ..self.with_api_key(api_key, variable)
        }
    }

    /// The same client, telling `tap` of every exchange.
    pub fn with_tap(mut self, tap: Arc<dyn Tap>) -> HttpClient {
        self.tap = Some(tap);
        self
    }

    /// The server's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The full URL of `request`.
    pub fn url(&self, request: &Request) -> String {
        let mut url = format!("{}{}", self.base_url, request.path);
        for (index, (name, value)) in request.query.iter().enumerate() {
            url.push(if index == 0 { '?' } else { '&' });
            url.push_str(&encode(name));
            url.push('=');
            url.push_str(&encode(value));
        }
        url
    }

    /// A `curl` command that sends `request` again, with `$NOVU_API_KEY` (or the client's
    /// [`HttpClient::key_variable`]) for the key.
    pub fn curl(&self, request: &Request) -> String {
        let mut command = format!(
            "curl -sS -i -X {} {}",
            request.method,
            quote(&self.url(request))
        );
        match &request.credentials {
            Credentials::ApiKey => {
                let variable = self.key_variable;
                command.push_str(&format!(" -H \"Authorization: ApiKey ${variable}\""));
            }
            Credentials::Missing => {}
            Credentials::WrongKey(key) => {
                command.push_str(" -H ");
                command.push_str(&quote(&format!("Authorization: ApiKey {key}")));
            }
        }
        for (name, value) in &request.headers {
            command.push_str(" -H ");
            command.push_str(&quote(&format!("{name}: {value}")));
        }
        if let Some(text) = request_text(request) {
            command.push_str(" -H 'Content-Type: application/json' --data-raw ");
            command.push_str(&quote(&text));
        }
        command
    }

    /// Sends `request`; a 429 is retried after its `Retry-After` (bounded) and only the final
    /// answer is returned.
    pub async fn send(&self, request: &Request) -> Result<Received, TransportFailure> {
        let mut attempt = 0;
        loop {
            let received = self.send_once(request).await?;
            if received.0.status != 429 || attempt >= MAX_RATE_LIMIT_RETRIES {
                return Ok(received.0);
            }
            attempt += 1;
            let wait = received.1.unwrap_or(1).min(MAX_RETRY_AFTER_SECONDS);
            tokio::time::sleep(Duration::from_secs(wait)).await;
        }
    }

    /// Sends `request` once: a 429 is the answer, with no retry (for checks that judge the
    /// rate limit itself).
    pub async fn send_without_retry(
        &self,
        request: &Request,
    ) -> Result<Received, TransportFailure> {
        Ok(self.send_once(request).await?.0)
    }

    /// Sends `request` once and tells the tap, if there is one.
    async fn send_once(
        &self,
        request: &Request,
    ) -> Result<(Received, Option<u64>), TransportFailure> {
        let Some(tap) = &self.tap else {
            return self.send_untapped(request).await;
        };
        let started = SystemTime::now();
        let clock = Instant::now();
        let result = self.send_untapped(request).await;
        let elapsed = clock.elapsed();
        tap.observe(&Sent {
            client: self,
            request,
            started,
            elapsed,
            outcome: result.as_ref().map(|(received, _)| received),
        });
        result
    }

    async fn send_untapped(
        &self,
        request: &Request,
    ) -> Result<(Received, Option<u64>), TransportFailure> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|error| TransportFailure::Broken(error.to_string()))?;
        let mut builder = self.client.request(method, self.url(request));
        match &request.credentials {
            Credentials::ApiKey => {
                builder = builder.header("Authorization", format!("ApiKey {}", self.api_key));
            }
            Credentials::Missing => {}
            Credentials::WrongKey(key) => {
                builder = builder.header("Authorization", format!("ApiKey {key}"));
            }
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        match &request.body {
            Some(Body::Json(value)) => {
                builder = builder
                    .header("Content-Type", "application/json")
                    .body(value.to_string());
            }
            Some(Body::RawJson(text)) => {
                builder = builder
                    .header("Content-Type", "application/json")
                    .body(text.clone());
            }
            None => {}
        }
        let exchange = async {
            let mut response = builder
                .send()
                .await
                .map_err(|error| classify(error, self.timeout))?;
            let status = response.status().as_u16();
            let headers = response.headers();
            let content_type = headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            let header_names = headers
                .keys()
                .map(|name| name.as_str().to_owned())
                .collect();
            let header_values = headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let retry_after = headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok());
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|error| classify(error, self.timeout))?
            {
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(TransportFailure::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok((
                Received {
                    status,
                    content_type,
                    header_names,
                    headers: header_values,
                    body: String::from_utf8_lossy(&body).into_owned(),
                },
                retry_after,
            ))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(TransportFailure::Timeout(self.timeout)),
        }
    }
}

fn classify(error: reqwest::Error, timeout: Duration) -> TransportFailure {
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        reason.push_str(": ");
        reason.push_str(&inner.to_string());
        source = inner.source();
    }
    if error.is_timeout() {
        TransportFailure::Timeout(timeout)
    } else if error.is_connect() {
        TransportFailure::Connect(reason)
    } else {
        TransportFailure::Broken(reason)
    }
}

/// The body of `request` as the wire carries it.
fn request_text(request: &Request) -> Option<String> {
    match &request.body {
        Some(Body::Json(value)) => Some(value.to_string()),
        Some(Body::RawJson(text)) => Some(text.clone()),
        None => None,
    }
}

/// Single-quotes `text` for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_commands_quote_for_the_shell_and_hide_the_key() {
        let client =
            HttpClient::new("http://127.0.0.1:9/", "secret", Duration::from_secs(1)).unwrap();
        let request = Request {
            method: "POST".into(),
            path: "/v1/topics/a%20b".into(),
            query: vec![("q".into(), "x&y".into())],
            body: Some(Body::Json(serde_json::json!({"name": "it's"}))),
            credentials: Credentials::ApiKey,
            headers: vec![("Idempotency-Key".into(), "k".into())],
        };
        assert_eq!(
            client.curl(&request),
            "curl -sS -i -X POST 'http://127.0.0.1:9/v1/topics/a%20b?q=x%26y' \
             -H \"Authorization: ApiKey $NOVU_API_KEY\" -H 'Idempotency-Key: k' \
             -H 'Content-Type: application/json' \
             --data-raw '{\"name\":\"it'\\''s\"}'"
        );
    }
}
