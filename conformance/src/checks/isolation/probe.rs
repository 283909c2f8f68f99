//! The requests of one direction of the `isolation` check: the owner's key makes and reads
//! back, the other key probes; each expectation that fails is one violation on the probing
//! request's operation.

use serde_json::Value;

use super::ISOLATION;
use crate::run::{Exchange, Run, Violation};
use crate::transport::{HttpClient, Request};

/// The most pages of a list the other key walks looking for the owner's item.
const MAX_PAGES: usize = 50;

/// One environment's key, as the check names it in reports.
#[derive(Clone)]
pub(super) struct Side {
    /// The client that sends with this key.
    pub http: HttpClient,
    /// `the first key (--api-key)`, …
    pub label: &'static str,
}

/// The statuses that say "nothing of that id here": the contract's 404, or the 400 some
/// operations answer for an unknown subscriber or feed.
pub(super) const UNKNOWN: &[u16] = &[400, 404];

/// The 404 of a plain read of an unknown id.
pub(super) const NOT_FOUND: &[u16] = &[404];

/// Operations that Novu's `RootEnvironmentGuard` refuses (401) to any environment but
/// Development, before any lookup; otherwise the 404 of an unknown id.
pub(super) const GUARDED: &[u16] = &[401, 404];

/// One direction of the check: what `owner` makes, `other` must not reach.
pub(super) struct Probe<'a> {
    pub run: &'a Run,
    pub owner: &'a Side,
    pub other: &'a Side,
    /// The prefix of every name and id this direction makes up.
    pub prefix: String,
}

impl Probe<'_> {
    /// A name or id of this direction: the prefix and `label`.
    pub fn name(&self, label: &str) -> String {
        format!("{}{label}", self.prefix)
    }

    /// Sends `operation_id` with `side`'s key.
    pub async fn send(
        &self,
        side: &Side,
        operation_id: &str,
        path: &[(&str, &str)],
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Option<Exchange> {
        let operation = self.run.spec.operation(operation_id)?;
        let request = Request::to(operation, path, query, body);
        Some(
            self.run
                .exchange_with(&side.http, ISOLATION, operation, request)
                .await,
        )
    }

    /// Sends `operation_id` with the owner's key and answers its `data` when it succeeds.
    pub async fn owner(
        &self,
        operation_id: &str,
        path: &[(&str, &str)],
        body: Option<Value>,
    ) -> Option<Value> {
        let exchange = self.send(self.owner, operation_id, path, &[], body).await?;
        success_data(&exchange)
    }

    /// Sends `operation_id` with the other key, whatever it answers (clean-up, upserts).
    pub async fn other(
        &self,
        operation_id: &str,
        path: &[(&str, &str)],
        body: Option<Value>,
    ) -> Option<Exchange> {
        self.send(self.other, operation_id, path, &[], body).await
    }

    /// Sends `operation_id` with the owner's key, whatever it answers (clean-up).
    pub async fn discard(&self, operation_id: &str, path: &[(&str, &str)], body: Option<Value>) {
        self.send(self.owner, operation_id, path, &[], body).await;
    }

    /// The other key's request to the owner's `what` is answered with one of `statuses`;
    /// answers the exchange, for [`Probe::unchanged`].
    pub async fn refused(
        &self,
        operation_id: &str,
        path: &[(&str, &str)],
        body: Option<Value>,
        statuses: &[u16],
        what: &str,
    ) -> Option<Exchange> {
        let exchange = self.send(self.other, operation_id, path, &[], body).await?;
        if exchange
            .status()
            .is_some_and(|status| statuses.contains(&status))
        {
            return Some(exchange);
        }
        let expected = format!(
            "{}: {what} of {}'s environment is unknown to {}",
            statuses
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            self.owner.label,
            self.other.label
        );
        self.violation(&exchange, operation_id, &expected, None);
        Some(exchange)
    }

    /// After `write`, the other key's request, the owner reads `what` back with `read` and
    /// finds it as `before`; a difference is a violation on the write's operation.
    pub async fn unchanged(
        &self,
        write: Option<Exchange>,
        read: &str,
        path: &[(&str, &str)],
        before: &Value,
        what: &str,
    ) {
        self.unchanged_in(write, read, path, Some, before, what)
            .await;
    }

    /// [`Probe::unchanged`] where `select` finds the item in what `read` answers (an item of
    /// a list, for kinds without a read by id).
    pub async fn unchanged_in(
        &self,
        write: Option<Exchange>,
        read: &str,
        path: &[(&str, &str)],
        select: impl Fn(Value) -> Option<Value>,
        before: &Value,
        what: &str,
    ) {
        let Some(write) = write else {
            return;
        };
        let Some(exchange) = self.send(self.owner, read, path, &[], None).await else {
            return;
        };
        let Some(operation) = self.run.spec.operations.iter().find(|operation| {
            write.request.method == operation.method
                && matches_path(&operation.path, &write.request.path)
        }) else {
            return;
        };
        let blamed = operation.operation_id.as_str();
        let after = success_data(&exchange).and_then(select);
        if after.as_ref() == Some(before) {
            return;
        }
        let problem = match &after {
            Some(after) => format!(
                "{}'s {what} changed after {} sent {blamed}: it was {before}, it is now {after}",
                self.owner.label, self.other.label
            ),
            None => format!(
                "{}'s {what} is gone after {} sent {blamed}",
                self.owner.label, self.other.label
            ),
        };
        let expected = format!(
            "{what} of {}'s environment unchanged by {}'s writes",
            self.owner.label, self.other.label
        );
        let mut violation = exchange.violation(ISOLATION, operation, &expected, Some(&problem));
        violation.curl = Some(format!(
            "{}  # {}\n    {}  # {} reads it back",
            write.curl, self.other.label, exchange.curl, self.owner.label
        ));
        self.run.violation(operation, violation);
    }

    /// The other key's list `operation_id` (with `query`), walked to its end, holds no item
    /// `owned` recognises as the owner's `what`.
    pub async fn unlisted(
        &self,
        operation_id: &str,
        query: &[(&str, String)],
        owned: impl Fn(&Value) -> bool,
        what: &str,
    ) {
        let Some(operation) = self.run.spec.operation(operation_id) else {
            return;
        };
        // The page size parameter and its largest value, when the list is paginated.
        let size = operation
            .parameters_in("query")
            .find(|parameter| parameter.name == "limit" || parameter.name == "pageSize")
            .map(|parameter| {
                let max = parameter.schema["maximum"].as_u64().unwrap_or(10).min(100);
                (parameter.name.clone(), max)
            });
        for page in 0..MAX_PAGES {
            let mut query: Vec<(&str, String)> = query.to_vec();
            if let Some((name, max)) = &size {
                query.push(("page", page.to_string()));
                query.push((name.as_str(), max.to_string()));
            }
            let Some(exchange) = self.send(self.other, operation_id, &[], &query, None).await
            else {
                return;
            };
            let Some(items) = exchange
                .json()
                .and_then(|body| body.get("data").and_then(Value::as_array).cloned())
            else {
                // Not a list (a refused request, say): nothing is listed.
                return;
            };
            if items.iter().any(&owned) {
                let expected = format!(
                    "{what} of {}'s environment absent from {}'s list",
                    self.owner.label, self.other.label
                );
                let problem = format!("page {page} lists it");
                self.violation(&exchange, operation_id, &expected, Some(&problem));
                return;
            }
            let full = size
                .as_ref()
                .is_some_and(|(_, max)| items.len() as u64 >= *max);
            if !full {
                return;
            }
        }
    }

    fn violation(
        &self,
        exchange: &Exchange,
        operation_id: &str,
        expected: &str,
        problem: Option<&str>,
    ) {
        let Some(operation) = self.run.spec.operation(operation_id) else {
            return;
        };
        let violation: Violation = exchange.violation(ISOLATION, operation, expected, problem);
        self.run.violation(operation, violation);
    }
}

/// Whether `path` (filled) is an instance of the `template` path.
fn matches_path(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(want, got)| {
            (want.starts_with('{') && want.ends_with('}') && !got.is_empty()) || want == got
        })
}

/// The `data` of a 2xx answer.
pub(super) fn success_data(exchange: &Exchange) -> Option<Value> {
    let status = exchange.status()?;
    if !(200..300).contains(&status) {
        return None;
    }
    exchange.json()?.get("data").cloned()
}

/// Whether `item` has `field` equal to `value`.
pub(super) fn has(item: &Value, field: &str, value: &str) -> bool {
    item.get(field).and_then(Value::as_str) == Some(value)
}
