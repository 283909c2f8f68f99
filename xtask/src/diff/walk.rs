//! The comparison of one operation, shared by the operation and schema comparisons: both
//! documents, which way the compared values travel, the changes found so far, and the schema
//! pairs already compared (or being compared, which marks a cycle).

use std::collections::HashSet;
use std::rc::Rc;

use super::document::Document;
use super::policy::Policy;
use super::report::{Finding, Operation};
use super::rules::Rule;

/// Which way the values travel, which decides whether a difference breaks clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Clients send it: accepting more is fine, accepting less breaks them.
    Request,
    /// Clients receive it: promising more is fine, promising less breaks them.
    Response,
}

/// What a compared schema belongs to, as messages name it.
pub struct Subject {
    pub direction: Direction,
    owner: Owner,
}

enum Owner {
    /// A request body (`status` is `None`) or the body of a response.
    Body { status: Option<String> },
    /// A parameter, `query parameter `limit``.
    Parameter { location: String, name: String },
    /// A header of a response, `response 200 header `RateLimit-Reset``.
    Header { status: String, name: String },
}

impl Subject {
    pub fn request_body() -> Self {
        Self {
            direction: Direction::Request,
            owner: Owner::Body { status: None },
        }
    }

    pub fn response_body(status: &str) -> Self {
        Self {
            direction: Direction::Response,
            owner: Owner::Body {
                status: Some(status.to_owned()),
            },
        }
    }

    pub fn response_header(status: &str, name: &str) -> Self {
        Self {
            direction: Direction::Response,
            owner: Owner::Header {
                status: status.to_owned(),
                name: name.to_owned(),
            },
        }
    }

    pub fn parameter(location: &str, name: &str) -> Self {
        Self {
            direction: Direction::Request,
            owner: Owner::Parameter {
                location: location.to_owned(),
                name: name.to_owned(),
            },
        }
    }

    /// The value at `path` (`data[].name`; empty for the whole value): `request body`,
    /// `response 200 field `data.name``, `query parameter `tags[]``.
    pub fn describe(&self, path: &str) -> String {
        match &self.owner {
            Owner::Body { status } => {
                let side = match status {
                    None => "request".to_owned(),
                    Some(status) => format!("response {status}"),
                };
                if path.is_empty() {
                    format!("{side} body")
                } else {
                    format!("{side} field `{path}`")
                }
            }
            Owner::Header { status, name } => {
                let separator = if path.is_empty() || path.starts_with('[') {
                    ""
                } else {
                    "."
                };
                format!("response {status} header `{name}{separator}{path}`")
            }
            Owner::Parameter { location, name } => {
                let separator = if path.is_empty() || path.starts_with('[') {
                    ""
                } else {
                    "."
                };
                format!("{location} parameter `{name}{separator}{path}`")
            }
        }
    }

    pub(super) fn pick(&self, request: Rule, response: Rule) -> Rule {
        match self.direction {
            Direction::Request => request,
            Direction::Response => response,
        }
    }
}

/// The comparison of one operation: both documents, the changes found so far and the schema
/// pairs already compared.
pub struct Walk<'d, 'a> {
    pub(super) old: &'d Document<'a>,
    pub(super) new: &'d Document<'a>,
    pub(super) policy: &'d Policy,
    operation: Operation,
    pub(super) changes: Vec<Finding>,
    reported: HashSet<Finding>,
    /// Schema pairs compared in this operation, by direction and the pointers compared.
    pub(super) seen: HashSet<SchemaPair>,
    /// The schema pairs being compared further up the recursion: meeting one again is a cycle.
    pub(super) in_progress: HashSet<SchemaPair>,
}

/// Identifies the comparison of two schemas: the direction and the pointers on each side.
pub(super) type SchemaPair = (Direction, Rc<str>, Rc<str>);

impl<'d, 'a> Walk<'d, 'a> {
    pub(super) fn new(
        old: &'d Document<'a>,
        new: &'d Document<'a>,
        policy: &'d Policy,
        operation: Operation,
    ) -> Self {
        Self {
            old,
            new,
            policy,
            operation,
            changes: Vec::new(),
            reported: HashSet::new(),
            seen: HashSet::new(),
            in_progress: HashSet::new(),
        }
    }

    /// A fresh comparison of the same operation whose findings are thrown away: used to ask
    /// whether two schemas are the same. It keeps the pairs in progress, so that a cycle ends
    /// there too (and counts as the same).
    pub(super) fn scratch(&self) -> Self {
        let mut scratch = Self::new(self.old, self.new, self.policy, self.operation.clone());
        scratch.in_progress = self.in_progress.clone();
        scratch
    }

    pub(super) fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub(super) fn report(&mut self, rule: Rule, location: String, message: String) {
        self.report_shared(rule, location, message, None);
    }

    /// Reports a change that `shared` names across operations, whatever its location in each.
    pub(super) fn report_shared(
        &mut self,
        rule: Rule,
        location: String,
        message: String,
        shared: Option<String>,
    ) {
        let change = Finding {
            rule,
            operation: Some(self.operation.clone()),
            location,
            message,
            shared,
        };
        if self.reported.insert(change.clone()) {
            self.changes.push(change);
        }
    }
}
