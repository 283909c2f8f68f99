//! The API's error answers: which status a failed operation gets and the body it carries.
//!
//! Domain and engine code return a [`Failure`]; the trait implementation turns it into the
//! operation's documented response variant with `api::answer`. A status an operation does not
//! document becomes a 500, so a mistake shows instead of breaking the contract.

use chrono::{SubsecRound, Utc};
use novu_server::types::{ErrorResponse, ErrorResponseMessage};

/// The status class of a failure, named like the response variants it maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    BadRequest,
    Unauthorized,
    NotFound,
    Conflict,
    UnprocessableEntity,
    InternalServerError,
}

impl Status {
    /// The HTTP status.
    pub fn code(self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::UnprocessableEntity => StatusCode::UNPROCESSABLE_ENTITY,
            Self::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A failed operation: its status, its message, and whether the body names the reason phrase.
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: Status,
    message: String,
    /// Nest leaves `error` out when an exception was built without a message.
    with_reason: bool,
    error_id: Option<String>,
}

impl Failure {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            with_reason: true,
            error_id: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Status::BadRequest, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(Status::Unauthorized, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Status::NotFound, message)
    }

    /// Nest's bare `NotFoundException()`: message `Not Found` and no `error` key.
    pub fn bare_not_found() -> Self {
        Self {
            with_reason: false,
            ..Self::new(Status::NotFound, "Not Found")
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(Status::Conflict, message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(Status::UnprocessableEntity, message)
    }

    /// An unexpected failure: logged with its cause, answered with Novu's opaque 500 message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let error_id = crate::ids::object_id();
        tracing::error!(%error_id, %cause, "request failed");
        Self {
            with_reason: false,
            error_id: Some(error_id),
            ..Self::new(
                Status::InternalServerError,
                "Internal server error, contact support and provide them with the errorId",
            )
        }
    }

    /// The message alone, for answers that report failures inside a success body.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error body for a request to `path` (path and query string as sent).
    pub fn body(&self, path: &str) -> ErrorResponse {
        let code = self.status.code();
        let status_code = i64::from(code.as_u16());
        let reason = code.canonical_reason().unwrap_or_default();
        ErrorResponse {
            error: self.with_reason.then(|| reason.to_owned()),
            error_id: self.error_id.clone(),
            message: ErrorResponseMessage::String(self.message.clone()),
            path: path.to_owned(),
            status_code,
            // Millisecond precision, as JavaScript dates have.
            timestamp: Utc::now().trunc_subsecs(3),
        }
    }

    /// The same failure answered as a 500, for statuses the operation does not document.
    pub fn undocumented(self) -> Self {
        Self::internal(format!(
            "undocumented {:?} for this operation: {}",
            self.status, self.message
        ))
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(error: rusqlite::Error) -> Self {
        Self::internal(format!("database: {error}"))
    }
}

impl From<serde_json::Error> for Failure {
    fn from(error: serde_json::Error) -> Self {
        Self::internal(format!("document: {error}"))
    }
}

/// What domain, engine and store code return.
pub(crate) type Outcome<T> = std::result::Result<T, Failure>;
