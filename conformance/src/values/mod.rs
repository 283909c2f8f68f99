//! Values made from the contract's schemas: one simple valid value per schema for the example
//! requests and fixtures (`examples.rs`), and proptest strategies of valid values and of
//! values breaking exactly one keyword (`strategies.rs`), seeded per run and check.

pub mod bounds;
pub mod empty;
pub mod examples;
pub mod strategies;
pub mod whole_body;

pub use examples::{Generator, Hints};
