//! `novu-reference`: serve the reference Novu-compatible API until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use novu_reference::{Config, RateLimits};

/// The reference Novu-compatible server on embedded SQLite.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Arguments {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// The SQLite database file (`:memory:` keeps everything in memory).
    #[arg(long, default_value = "novu-reference.db")]
    database: PathBuf,
    /// The development environment's API key; generated on first start when absent.
    #[arg(long)]
    api_key: Option<String>,
    /// The production environment's API key; generated on first start when absent. A key
    /// given here replaces the stored one.
    #[arg(long, value_name = "KEY")]
    production_api_key: Option<String>,
    /// Answer POST and PATCH requests with an `Idempotency-Key` header as ordinary requests:
    /// no replay, no 409 or 422 for a repeated key, no `Idempotency-*` response headers.
    #[arg(long)]
    no_idempotency: bool,
    /// Limit API-key requests per environment as Novu does, and send `RateLimit-*` headers.
    /// Takes a service level (`free`, `business`, `enterprise`, `unlimited`), requests per
    /// second per category (`trigger=60,configuration=20,global=30`; a category left out keeps
    /// the `unlimited` figure), or both (`free,trigger=5`). Off when absent.
    #[arg(long, value_name = "LEVEL|CATEGORY=PER_SECOND,...")]
    rate_limit: Option<RateLimits>,
    /// Play a deployment that holds the credentials of Novu's own email and SMS providers:
    /// each environment may create one `novu-email` and one `novu-sms` integration (a second
    /// gives 409), and a new organization starts with both as the primary integrations of its
    /// environments. Nothing is sent through them; deliveries are recorded as for any
    /// provider. Without it they are refused with 400, as where Novu lacks the credentials.
    #[arg(long)]
    novu_providers: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let arguments = Arguments::parse();
    let config = Config {
        listen: arguments.listen,
        database: arguments.database,
        api_key: arguments.api_key,
        production_api_key: arguments.production_api_key,
        idempotency: !arguments.no_idempotency,
        rate_limits: arguments.rate_limit,
        novu_providers: arguments.novu_providers,
    };
    let server = match novu_reference::start(config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("error: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if server.api_key_generated() {
        println!("generated API key (shown once): {}", server.api_key());
    }
    if server.production_api_key_generated() {
        println!(
            "generated production API key (shown once): {}",
            server.production_api_key()
        );
    }
    println!("listening on {}", server.base_url());
    stop_signal().await;
    tracing::info!("shutting down");
    match server.shutdown().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM where there is one.
async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
