//! Why a run could not start or finish: problems with the set-up, not with the server's answers
//! (those are violations, reported as results).

/// A set-up error: the run cannot proceed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The contract cannot be read or used.
    #[error("cannot use the contract {name}: {message}")]
    Spec {
        /// The document or schema that failed.
        name: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// The target server cannot be used.
    #[error("cannot use the server at {base_url}: {message}")]
    Target {
        /// The server's base URL.
        base_url: String,
        /// What went wrong and what to do.
        message: String,
    },
    /// The options do not make sense together.
    #[error("{0}")]
    Usage(String),
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;
