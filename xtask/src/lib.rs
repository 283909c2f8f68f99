//! The project's automation as a library, so that tests and benchmarks drive the same code as
//! `cargo xtask`: spec loading, code generation and linting.

pub mod codegen;
pub mod spec;
