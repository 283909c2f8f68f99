//! How a reference server is started.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the server listens, where it keeps its data, and which API key it accepts.
#[derive(Clone, Debug)]
pub struct Config {
    /// The address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The SQLite database file, created when missing; `:memory:` keeps everything in memory.
    pub database: PathBuf,
    /// The development environment's API key. When absent, the key stored in the database is
    /// kept, or a new one is generated for a new database.
    pub api_key: Option<String>,
    /// The production environment's API key, kept, or generated for a new database, in the
    /// same way as [`Config::api_key`].
    pub production_api_key: Option<String>,
}

impl Config {
    /// A server on `127.0.0.1:0` over an in-memory database, as tests want it.
    pub fn in_memory() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: PathBuf::from(":memory:"),
            api_key: None,
            production_api_key: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            database: PathBuf::from("novu-reference.db"),
            api_key: None,
            production_api_key: None,
        }
    }
}
