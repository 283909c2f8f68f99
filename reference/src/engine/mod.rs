//! The workflow engine: runs what a trigger sets going inside the request's transaction, so
//! the next request sees every effect.
//!
//! The events resource ([`crate::domain::events`]) finds the workflow and the recipients and
//! hands them to a [`Run`]: per recipient one notification, per active step one job with its
//! execution details, and each job's step run in order ([`run`]). A step passes its filters
//! ([`filters`], evaluated by [`conditions`], whose webhook parts call out through
//! [`webhooks`]); then a delay ([`delay`]) or digest ([`digest`]) makes the job wait, or a
//! channel step checks the subscriber's preferences ([`preferences`]), chooses its integration
//! ([`integrations`]) and sends a rendered ([`render`]) message ([`messages`]).
//!
//! Novu queues the work and a worker delivers it later; here each step runs at once. Nothing
//! leaves the machine (except the calls of webhook conditions). Delay and digest steps stop
//! the chain: their job stays `delayed` with a due time in the `due_at` column and the later
//! steps `pending`, until the [`scheduler`] resumes it at the due time ([`run::resume`]), or a
//! cancel (`events_cancel`) cancels them first.

mod conditions;
mod delay;
mod digest;
mod filters;
mod integrations;
mod messages;
mod preferences;
mod push;
mod render;
mod run;
mod scheduler;
mod state;
mod webhooks;

pub(crate) use digest::hand_over_digest;
pub(crate) use preferences::stored_preference;
pub(crate) use scheduler::{Scheduler, Waker};
pub(crate) use state::{Run, is_system_variable, save_job};
