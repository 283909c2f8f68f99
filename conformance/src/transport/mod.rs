//! How the suite talks: the one bounded HTTP client of a run with its `curl` rendering
//! (`http.rs`, with the tap that sees every exchange), and the callback server that webhook
//! condition parts call (`callback.rs`).

pub mod callback;
pub mod http;

pub use http::{
    Body, Credentials, HttpClient, Received, Request, Sent, Tap, TransportFailure, encode,
};
