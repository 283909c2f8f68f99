//! The generated router over a fresh fixture on a local port, and what the tests read of
//! its answers.

use std::fmt::Debug;
use std::net::SocketAddr;
use std::sync::Arc;

use novu_client::{Client, Error, ResponseValue};
use novu_server::types::{ErrorResponse, ErrorResponseMessage, ObjectId};
use reqwest::{Method, StatusCode};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::fixture::{API_KEY, Fixture};
/// The generated router over a fresh [`Fixture`], served on a free local port until dropped.
pub(crate) struct Server {
    address: SocketAddr,
    pub(crate) fixture: Arc<Fixture>,
    task: JoinHandle<()>,
}

impl Server {
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a local port");
        let address = listener.local_addr().expect("the listener's address");
        let fixture = Arc::new(Fixture::default());
        let router = novu_server::router(Arc::clone(&fixture));
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("the server runs until aborted");
        });
        Self {
            address,
            fixture,
            task,
        }
    }

    pub(crate) fn client(&self) -> Client {
        self.client_with_key(API_KEY)
    }

    pub(crate) fn client_with_key(&self, api_key: &str) -> Client {
        Client::with_api_key(&format!("http://{}", self.address), api_key).expect("a valid key")
    }

    /// A request with the test key, for input the typed client cannot send.
    pub(crate) fn raw(&self, method: Method, path_and_query: &str) -> reqwest::RequestBuilder {
        self.raw_without_key(method, path_and_query)
            .header("authorization", format!("ApiKey {API_KEY}"))
    }

    pub(crate) fn raw_without_key(
        &self,
        method: Method,
        path_and_query: &str,
    ) -> reqwest::RequestBuilder {
        let url = format!("http://{}{path_and_query}", self.address);
        reqwest::Client::new().request(method, url)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The status and error body of a typed call that must have been refused.
pub(crate) fn refusal<T: Debug>(
    result: Result<ResponseValue<T>, Error<ErrorResponse>>,
) -> (StatusCode, ErrorResponse) {
    match result {
        Err(Error::ErrorResponse(response)) => (response.status(), response.into_inner()),
        other => panic!("expected the API's error body, got {other:?}"),
    }
}

/// The status and error body of a raw request that must have been refused.
pub(crate) async fn raw_refusal(request: reqwest::RequestBuilder) -> (StatusCode, ErrorResponse) {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("the API's error body"))
}

pub(crate) fn messages(body: &ErrorResponse) -> Vec<&str> {
    match &body.message {
        ErrorResponseMessage::String(message) => vec![message.as_str()],
        ErrorResponseMessage::Array(messages) => messages.iter().map(String::as_str).collect(),
    }
}

pub(crate) fn object_id(text: &str) -> ObjectId {
    text.parse().expect("a valid ObjectId")
}
