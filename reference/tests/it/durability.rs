//! Acknowledged writes survive `kill -9`: the `novu-reference` binary is killed without a
//! chance to flush anything, started again on the same file, and every write it answered with
//! a 2xx is read back.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::TemporaryDatabase;

const API_KEY: &str = "durability-key";

/// The server binary as its own process, killed (SIGKILL) when dropped.
struct ServerProcess {
    child: Child,
    base_url: String,
    http: reqwest::Client,
}

impl ServerProcess {
    /// Starts the binary on `database` and port 0, and waits for its `listening on` line.
    fn start(database: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_novu-reference"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--api-key",
                API_KEY,
                "--database",
            ])
            .arg(database)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let base_url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => panic!("the server exited before listening"),
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            base_url,
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        send(&self.http, &self.base_url, method, path, body).await
    }

    /// SIGKILL, then waits until the process is gone.
    fn kill(mut self) {
        self.child.kill().expect("the server is killed");
        self.child.wait().expect("the killed server is reaped");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn send(
    http: &reqwest::Client,
    base_url: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http
        .request(method, format!("{base_url}{path}"))
        .header("Authorization", format!("ApiKey {API_KEY}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("the body is readable");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9() {
    let database = TemporaryDatabase::new("kill-9");
    let first = ServerProcess::start(&database.0);

    // Parallel writers, so that several requests share one commit, and among them requests
    // that fail, which must take nothing of the others with them.
    let mut writers = JoinSet::new();
    for index in 0..40 {
        let http = first.http.clone();
        let base_url = first.base_url.clone();
        writers.spawn(async move {
            let created = send(
                &http,
                &base_url,
                reqwest::Method::POST,
                "/v1/subscribers",
                Some(json!({ "subscriberId": format!("survivor-{index}"), "firstName": format!("Survivor {index}") })),
            )
            .await;
            let refused = send(
                &http,
                &base_url,
                reqwest::Method::PATCH,
                &format!("/v1/subscribers/missing-{index}/credentials"),
                Some(json!({ "providerId": "fcm", "credentials": { "deviceTokens": ["t"] } })),
            )
            .await;
            (created.0, refused.0)
        });
    }
    while let Some(joined) = writers.join_next().await {
        let (created, refused) = joined.expect("no writer panicked");
        assert_eq!(created, 201, "every create is acknowledged");
        assert!(
            (400..500).contains(&refused),
            "a write for a missing subscriber is refused ({refused})"
        );
    }
    let (status, _) = first
        .send(
            reqwest::Method::POST,
            "/v1/topics/survivors/subscribers",
            Some(json!({ "subscribers": ["survivor-0", "survivor-1"] })),
        )
        .await;
    assert_eq!(status, 200);
    // The last acknowledged write before the kill.
    let (status, _) = first
        .send(
            reqwest::Method::PUT,
            "/v1/subscribers/survivor-39",
            Some(json!({ "lastName": "Last" })),
        )
        .await;
    assert_eq!(status, 200);
    first.kill();

    let second = ServerProcess::start(&database.0);
    for index in 0..40 {
        let (status, subscriber) = second
            .send(
                reqwest::Method::GET,
                &format!("/v1/subscribers/survivor-{index}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "survivor-{index} is still there");
        assert_eq!(subscriber["data"]["firstName"], format!("Survivor {index}"));
    }
    let (_, last) = second
        .send(reqwest::Method::GET, "/v1/subscribers/survivor-39", None)
        .await;
    assert_eq!(last["data"]["lastName"], "Last");
    let (status, topic) = second
        .send(reqwest::Method::GET, "/v1/topics/survivors", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        topic["data"]["subscribers"],
        json!(["survivor-0", "survivor-1"])
    );
    second.kill();
}
