//! The workflow engine: runs what a trigger sets going inside the request's transaction, so
//! the next request sees every effect. Its condition evaluator ([`conditions`]) decides step
//! filters, variant filters and integration conditions.

pub(crate) mod conditions;
