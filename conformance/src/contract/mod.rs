//! The contract, the floor everything else stands on: `spec/novu.yaml` read as a list of
//! operations (`spec.rs`) and its schemas compiled into validators (`schema.rs`).
//!
//! Nothing here knows of a server, a request or a check: it says what the contract allows.

mod schema;
mod spec;

pub use schema::SchemaSet;
pub use spec::{EMBEDDED_SPEC, Operation, Parameter, Spec, is_json};
