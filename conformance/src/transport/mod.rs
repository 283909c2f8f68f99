//! How the suite talks: the one bounded HTTP client of a run with its `curl` rendering
//! (`http.rs`) with the tap that sees every exchange (`tap.rs`), and the callback server that webhook condition parts call (`callback.rs`).

pub mod callback;
pub mod http;
pub mod tap;

pub use http::{Body, Credentials, HttpClient, Received, Request, TransportFailure, encode};
pub use tap::{Sent, Tap};
