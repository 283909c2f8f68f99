//! Load benchmark: starts the `novu-reference` binary as its own process on a database file,
//! drives it over loopback from this process, and prints requests/s with p50/p99 latency for
//! GET subscriber, create subscriber and trigger of a one-step in-app workflow.
//!
//! `cargo bench -p novu-reference --bench load` (optionally `-- --seconds 5 --connections 8`).
//! `--rate N` paces the connections to N requests/s in all instead of as fast as they can;
//! a request sent late because the previous answer came late counts its latency from when it
//! was due, so a server falling behind shows. `--idempotency-keys` sends a unique
//! `Idempotency-Key` with every write (the creates and triggers), so the cost of the server's
//! idempotency layer shows beside a run without it. `--help` says the same.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const API_KEY: &str = "bench-key";

/// Numbers the idempotency keys across scenarios, whose request numbers each start at 0.
static IDEMPOTENCY_KEYS: AtomicU64 = AtomicU64::new(0);

/// The server process, killed when dropped.
struct Server {
    child: Child,
    base_url: String,
    _folder: TempFolder,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A folder for the database, removed when dropped.
struct TempFolder(std::path::PathBuf);

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start_server() -> Server {
    let folder = std::env::temp_dir().join(format!("novu-reference-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a temporary folder");
    let folder = TempFolder(folder);
    let mut child = Command::new(env!("CARGO_BIN_EXE_novu-reference"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            API_KEY,
            "--database",
        ])
        .arg(folder.0.join("bench.db"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
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
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        base_url,
        _folder: folder,
    }
}

struct Options {
    seconds: u64,
    connections: usize,
    /// Requests per second over all connections; `None` sends as fast as answers come.
    rate: Option<f64>,
    /// Whether every POST carries a unique `Idempotency-Key`.
    idempotency_keys: bool,
}

const HELP: &str = "\
load benchmark of novu-reference: GET subscriber, create subscriber, trigger (in-app)

usage: cargo bench -p novu-reference --bench load -- [options]

options:
  --seconds N          how long each scenario runs (default 5)
  --connections N      concurrent connections (default 8)
  --rate N             pace all connections together to N requests/s (default: unpaced)
  --idempotency-keys   send a unique Idempotency-Key with every write (creates, triggers)
  --help               this text";

fn options() -> Options {
    let mut options = Options {
        seconds: 5,
        connections: 8,
        rate: None,
        idempotency_keys: false,
    };
    let arguments: Vec<String> = std::env::args().collect();
    if arguments.iter().any(|argument| argument == "--help") {
        println!("{HELP}");
        std::process::exit(0);
    }
    options.idempotency_keys = arguments
        .iter()
        .any(|argument| argument == "--idempotency-keys");
    for pair in arguments.windows(2) {
        match pair[0].as_str() {
            "--seconds" => options.seconds = pair[1].parse().expect("--seconds takes a number"),
            "--connections" => {
                options.connections = pair[1].parse().expect("--connections takes a number")
            }
            "--rate" => options.rate = Some(pair[1].parse().expect("--rate takes a number")),
            _ => {}
        }
    }
    options
}

/// One request of a scenario: method, path and body for the `n`-th request.
type Request = Arc<dyn Fn(u64) -> (reqwest::Method, String, Option<Value>) + Send + Sync>;

struct Figures {
    requests: u64,
    failures: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

async fn drive(
    client: &reqwest::Client,
    base_url: &str,
    options: &Options,
    request: Request,
) -> Figures {
    let counter = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..options.connections {
        let client = client.clone();
        let base_url = base_url.to_owned();
        let counter = counter.clone();
        let request = request.clone();
        let keyed = options.idempotency_keys;
        // Unique across runs against one database too: keys are kept for a day.
        let run_id = std::process::id();
        let interval = options
            .rate
            .map(|rate| Duration::from_secs_f64(options.connections as f64 / rate));
        // Paced connections start staggered, so that they do not send in bursts.
        let stagger = interval.unwrap_or_default() * worker as u32 / options.connections as u32;
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0u64;
            let mut due = Instant::now() + stagger;
            while Instant::now() < deadline {
                let sent = match interval {
                    // Behind schedule: the wait since the request was due counts.
                    Some(interval) if Instant::now() > due => {
                        let scheduled = due;
                        due += interval;
                        scheduled
                    }
                    // On schedule: wait, and count from the send, not from the timer's
                    // (millisecond-grained) wake-up.
                    Some(interval) => {
                        tokio::time::sleep_until(due.into()).await;
                        due += interval;
                        Instant::now()
                    }
                    None => Instant::now(),
                };
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let (method, path, body) = request(n);
                let write = method == reqwest::Method::POST || method == reqwest::Method::PATCH;
                let mut builder = client
                    .request(method, format!("{base_url}{path}"))
                    .header("authorization", format!("ApiKey {API_KEY}"));
                if keyed && write {
                    let key = IDEMPOTENCY_KEYS.fetch_add(1, Ordering::Relaxed);
                    builder = builder.header("idempotency-key", format!("bench-{run_id}-{key}"));
                }
                if let Some(body) = body {
                    builder = builder.json(&body);
                }
                match builder.send().await {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        let _ = response.bytes().await;
                        latencies.push(sent.elapsed());
                        if !ok {
                            failures += 1;
                        }
                    }
                    Err(_) => failures += 1,
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for worker in workers {
        let (mut own, own_failures) = worker.await.expect("a worker finishes");
        latencies.append(&mut own);
        failures += own_failures;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |quantile: f64| {
        latencies
            .get(
                ((latencies.len() as f64 * quantile) as usize)
                    .min(latencies.len().saturating_sub(1)),
            )
            .copied()
            .unwrap_or_default()
    };
    Figures {
        requests: latencies.len() as u64,
        failures,
        elapsed,
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn report(name: &str, figures: &Figures) {
    println!(
        "{name:<22} {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} requests, {} failed)",
        figures.requests as f64 / figures.elapsed.as_secs_f64(),
        figures.p50.as_secs_f64() * 1e3,
        figures.p99.as_secs_f64() * 1e3,
        figures.requests,
        figures.failures,
    );
}

async fn send(
    client: &reqwest::Client,
    base_url: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = client
        .request(method, format!("{base_url}{path}"))
        .header("authorization", format!("ApiKey {API_KEY}"))
        .json(&body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn main() {
    let options = options();
    let server = start_server();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(options.connections)
            .build()
            .expect("an HTTP client");
        let base_url = server.base_url.clone();
        println!(
            "novu-reference at {base_url} (database file, WAL, synchronous=NORMAL, grouped commits); {} connections, {}, {} s per scenario{}",
            options.connections,
            options.rate.map_or("unpaced".to_owned(), |rate| format!("paced to {rate} req/s")),
            options.seconds,
            if options.idempotency_keys { ", a unique Idempotency-Key on every write" } else { "" }
        );

        let (status, _) = send(&client, &base_url, reqwest::Method::POST, "/v1/subscribers", json!({"subscriberId": "bench-reader", "firstName": "Ada"})).await;
        assert_eq!(status, 201, "the bench subscriber is created");
        let get: Request = Arc::new(|_| (reqwest::Method::GET, "/v1/subscribers/bench-reader".into(), None));
        report("GET subscriber", &drive(&client, &base_url, &options, get).await);

        let create: Request = Arc::new(|n| {
            let body = json!({"subscriberId": format!("bench-{n}"), "email": format!("bench-{n}@example.com"), "firstName": "Bench"});
            (reqwest::Method::POST, "/v1/subscribers".into(), Some(body))
        });
        report("create subscriber", &drive(&client, &base_url, &options, create).await);

        let (_, groups) = send(&client, &base_url, reqwest::Method::GET, "/v1/notification-groups", Value::Null).await;
        let group = groups["data"][0]["_id"].as_str().unwrap_or_default().to_owned();
        let workflow = json!({
            "name": "bench in-app",
            "notificationGroupId": group,
            "active": true,
            "steps": [{"active": true, "template": {"type": "in_app", "content": "Hello {{payload.name}}"}}],
        });
        let (status, created) = send(&client, &base_url, reqwest::Method::POST, "/v1/workflows", workflow).await;
        let identifier = created["data"]["triggers"][0]["identifier"].as_str().unwrap_or_default().to_owned();
        let (probe, answer) = send(
            &client,
            &base_url,
            reqwest::Method::POST,
            "/v1/events/trigger",
            json!({"name": identifier, "to": "bench-reader", "payload": {"name": "Ada"}}),
        )
        .await;
        if status != 201 || probe != 201 {
            println!("{:<22} not measured: the workflow or the trigger is not answered yet ({status}, {probe}: {answer})", "trigger (in-app)");
            return;
        }
        let trigger: Request = Arc::new(move |n| {
            let body = json!({"name": identifier, "to": "bench-reader", "payload": {"name": format!("Ada {n}")}});
            (reqwest::Method::POST, "/v1/events/trigger".into(), Some(body))
        });
        report("trigger (in-app)", &drive(&client, &base_url, &options, trigger).await);
    });
}
