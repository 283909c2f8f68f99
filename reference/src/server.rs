//! Starting and stopping a server: open the store, bind, serve the generated router inside the
//! layers of `edge/`.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::api::{Callers, ReferenceApi};
use crate::config::Config;
use crate::domain::{self, integrations::NovuCredentials};
use crate::edge;
use crate::engine::{Scheduler, Waker};
use crate::error::{Error, Result};
use crate::store::Store;

/// A server that is accepting requests. Dropping it stops the server too, without waiting.
#[derive(Debug)]
pub struct RunningServer {
    local_address: SocketAddr,
    api_key: String,
    api_key_generated: bool,
    production_api_key: String,
    production_api_key_generated: bool,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    scheduler: Option<Scheduler>,
}

impl RunningServer {
    /// The address the server is bound to (with the real port when port 0 was asked for).
    pub fn local_address(&self) -> SocketAddr {
        self.local_address
    }

    /// `http://<address>`, the base URL clients use.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_address)
    }

    /// The development environment's API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Whether this start generated the key (a new database without a configured key).
    pub fn api_key_generated(&self) -> bool {
        self.api_key_generated
    }

    /// The production environment's API key: another environment of the same organization,
    /// whose data the development key never sees.
    pub fn production_api_key(&self) -> &str {
        &self.production_api_key
    }

    /// Whether this start generated the production key.
    pub fn production_api_key_generated(&self) -> bool {
        self.production_api_key_generated
    }

    /// Stops accepting requests, finishes the ones in flight (and the jobs the scheduler is
    /// resuming) and closes the database.
    pub async fn shutdown(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            // The server may already have stopped on its own; then there is nobody to tell.
            let _ = stop.send(());
        }
        let served = match self.task.take() {
            Some(task) => match task.await {
                Ok(served) => served.map_err(Error::Serve),
                Err(join) => Err(Error::Serve(std::io::Error::other(join))),
            },
            None => Ok(()),
        };
        if let Some(scheduler) = self.scheduler.take() {
            scheduler.shutdown().await;
        }
        served
    }
}

/// Opens the database, bootstraps it when new, binds `config.listen` and serves the API in
/// the background.
pub async fn start(config: Config) -> Result<RunningServer> {
    let database_error = |source| Error::Database {
        path: config.database.display().to_string(),
        source,
    };
    let (store, bootstrap) = Store::open(
        &config.database,
        config.api_key.as_deref(),
        config.production_api_key.as_deref(),
        domain::environments::seed_development,
    )
    .map_err(database_error)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind {
            address: config.listen,
            source,
        })?;
    let local_address = listener.local_addr().map_err(|source| Error::Bind {
        address: config.listen,
        source,
    })?;
    // Jobs that became due while no server ran resume as soon as the scheduler starts.
    let waker = Waker::default();
    let scheduler = Scheduler::start(store.clone(), waker.clone());
    let callers = Arc::new(Callers::new(store.clone()));
    let novu_credentials = if config.novu_providers {
        NovuCredentials::Held
    } else {
        NovuCredentials::Missing
    };
    let api = ReferenceApi::new(store, waker, callers.clone(), novu_credentials);
    let app = novu_server::cors(edge::around(
        novu_server::routes(Arc::new(api)),
        callers,
        &config,
    ))
    .layer(
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    );
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // A dropped sender stops the server as a sent signal does.
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningServer {
        local_address,
        api_key: bootstrap.api_key.key,
        api_key_generated: bootstrap.api_key.generated,
        production_api_key: bootstrap.production_api_key.key,
        production_api_key_generated: bootstrap.production_api_key.generated,
        stop: Some(stop),
        task: Some(task),
        scheduler: Some(scheduler),
    })
}
