//! The support code that generated server crates call, as `progenitor-client` is for
//! progenitor's clients: what does not depend on a spec lives here once, with its own tests,
//! and a generated server crate holds only what the spec decides (its trait, request and
//! response types, route table and operation descriptors).
//!
//! A generated handler calls [`authenticate`], then [`decode`] with its operation's
//! [`Operation`] descriptor; every rejection is already the API's error body. Response enums
//! implement [`Documented`] and answer through [`json`], [`empty`] and [`text`].
#![deny(missing_docs)]

mod answer;
mod auth;
mod cors;
mod decode;
mod rules;
mod schema;

pub use answer::{Documented, HeaderList, Unrouted, empty, error, json, not_found, text};
pub use auth::{AuthError, Authenticate, authenticate, dashboard_only};
pub use cors::cors;
pub use decode::{Decoded, Nothing, Operation, Parameter, RequestContext, Scalar, decode};
pub use schema::SchemaDocument;
