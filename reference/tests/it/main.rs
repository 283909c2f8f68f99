//! Integration tests: each starts a reference server on `127.0.0.1:0` and drives it over HTTP
//! with the generated client, or with raw requests where the client's types get in the way.

mod activity;
mod changes;
mod chat_oauth;
mod client;
mod client_layers;
mod concurrency;
mod durability;
mod environments;
mod errors;
mod events;
mod feeds;
mod idempotency;
mod inbox;
mod integrations;
mod layouts;
mod messages;
mod organizations;
mod persistence;
mod preferences;
mod push;
mod quickstart;
mod rate_limit;
mod routes;
mod scheduler;
mod scripted_server;
mod subscribers;
mod tenants;
mod topics;
mod trigger_checks;
mod webhook_conditions;
mod workflow_groups;
mod workflow_overrides;
mod workflows;

use std::path::PathBuf;

use novu_client::types::ErrorResponse;
use novu_reference::{Config, RunningServer};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A running server with a client for its development environment.
pub struct TestServer {
    pub server: RunningServer,
    pub client: novu_client::Client,
    http: reqwest::Client,
}

impl TestServer {
    /// A server over a fresh in-memory database.
    pub async fn start() -> Self {
        Self::start_with(Config::in_memory()).await
    }

    pub async fn start_with(config: Config) -> Self {
        let server = novu_reference::start(config)
            .await
            .expect("the server starts");
        let client = novu_client::Client::with_api_key(&server.base_url(), server.api_key())
            .expect("the key fits in a header");
        Self {
            server,
            client,
            http: reqwest::Client::new(),
        }
    }

    /// Sends a raw request with the server's key; answers the status and the JSON body
    /// (`Value::Null` when there is none).
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.server.base_url()))
            .header("Authorization", format!("ApiKey {}", self.server.api_key()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("the body is readable");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("the body is JSON")
        };
        (status, value)
    }
}

/// Builds a generated request type from JSON, as a user's program would send it.
pub fn body<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the test body matches the request type")
}

/// The status and body of a documented error answer.
pub fn error<T: std::fmt::Debug>(
    result: Result<T, novu_client::Error<ErrorResponse>>,
) -> (u16, ErrorResponse) {
    match result {
        Err(novu_client::Error::ErrorResponse(response)) => {
            let status = response.status().as_u16();
            (status, response.into_inner())
        }
        other => panic!("expected a documented error answer, got {other:?}"),
    }
}

/// The message of an error body when it is one string.
pub fn message(body: &ErrorResponse) -> &str {
    match &body.message {
        novu_client::types::ErrorResponseMessage::String(message) => message,
        novu_client::types::ErrorResponseMessage::Array(messages) => {
            panic!("expected one message, got {messages:?}")
        }
    }
}

/// A database file path unique to this test process, removed (with its WAL files) on drop.
pub struct TemporaryDatabase(pub PathBuf);

impl TemporaryDatabase {
    pub fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("novu-reference-{}-{name}.db", std::process::id()));
        let database = Self(path);
        database.remove();
        database
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for TemporaryDatabase {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Creates an active integration through the API and answers its `_id`.
pub async fn create_integration(test: &TestServer, provider_id: &str, identifier: &str) -> String {
    let channel = match provider_id {
        "fcm" | "apns" | "expo" => "push",
        "twilio" => "sms",
        "slack" | "discord" => "chat",
        _ => "email",
    };
    test.client
        .integrations_create()
        .body(body::<novu_client::types::CreateIntegrationRequest>(
            serde_json::json!({
                "providerId": provider_id,
                "channel": channel,
                "identifier": identifier,
                "active": true,
            }),
        ))
        .send()
        .await
        .expect("the integration is created")
        .into_inner()
        .data
        .id
}
