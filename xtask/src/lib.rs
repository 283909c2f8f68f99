//! The project's automation as a library, so that tests and benchmarks drive the same code as
//! `cargo xtask`: spec loading, code generation, linting and diffing.

pub mod codegen;
pub mod diff;
pub mod spec;
