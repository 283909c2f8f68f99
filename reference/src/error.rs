//! Why a reference server could not start or stop.

/// A failure to open the database, bind the address or serve.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be opened, migrated or bootstrapped.
    #[error("cannot use the database `{path}`: {source}; check the path and its permissions")]
    Database {
        /// The database path as configured.
        path: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The listening address could not be bound.
    #[error("cannot listen on {address}: {source}; pick another address or free the port")]
    Bind {
        /// The configured address.
        address: std::net::SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The server stopped with an I/O error.
    #[error("the server stopped unexpectedly: {0}")]
    Serve(#[source] std::io::Error),
}

/// The result of starting or stopping a reference server.
pub type Result<T> = std::result::Result<T, Error>;
