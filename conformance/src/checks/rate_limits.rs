//! `rate-limits`: where a server sends the `RateLimit-*` headers, they are well formed
//! (`Limit`, `Remaining` and `Reset` non-negative integers, `Policy` in Novu's grammar with the
//! operation's category, `Remaining` within the policy's `burst`), and a category whose budget
//! is small enough to spend cheaply (at most [`BURST_BOUND`] requests) is spent: past it the
//! server answers 429 with a numeric `Retry-After` and the error body, and after waiting that
//! long it answers again.
//!
//! Novu's bucket starts full at `burst` (the limit plus 10 %), so `Remaining` may exceed
//! `Limit`; it never exceeds `burst`. A server that sends no `RateLimit-*` header does not
//! limit rates (or not for this key): the check is then not applicable.

use std::sync::Arc;
use std::time::Duration;

use super::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::{Exchange, Run};
use crate::transport::{Received, Request};

/// `rate-limits`.
pub const RATE_LIMITS: &str = "rate-limits";

/// The most requests the check spends to exhaust one category.
pub const BURST_BOUND: u64 = 400;

/// The longest `Retry-After` the check waits out before expecting success again.
const MAX_WAIT_SECONDS: u64 = 10;

/// One cheap operation per rate-limit category, and the category it falls in.
const PROBES: [(&str, &str); 3] = [
    ("environments_retrieve_current", "global"),
    ("topics_list", "configuration"),
    ("events_cancel", "trigger"),
];

/// `rate-limits`.
pub struct RateLimits;

impl Check for RateLimits {
    fn name(&self) -> &'static str {
        RATE_LIMITS
    }

    fn description(&self) -> &'static str {
        "where RateLimit-* headers are sent they are well formed (Policy grammar, Remaining within burst), and a cheaply exhaustible category answers 429 with Retry-After and the error body, then succeeds after that wait"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::GetsOnly
    }

    fn phase(&self) -> Phase {
        // Spending a category's budget would slow every other check of that category.
        Phase::Alone
    }

    fn covers(&self, operation: &Operation) -> bool {
        PROBES.iter().any(|(id, _)| *id == operation.operation_id)
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            for (operation_id, category) in PROBES {
                let Some(operation) = run.spec.operation(operation_id).cloned() else {
                    continue;
                };
                if run.is_selected(operation_id) && run.may_send(&operation) {
                    probe(run, &operation, category).await;
                }
            }
        })
    }
}

/// The request the check sends to `operation`: nothing it addresses exists.
fn request(run: &Run, operation: &Operation) -> Request {
    let transaction = format!("{}rate-limits", run.generator.prefix());
    Request::to(
        operation,
        &[("transactionId", transaction.as_str())],
        &[] as &[(&str, &str)],
        None,
    )
}

fn header<'a>(received: &'a Received, name: &str) -> Option<&'a str> {
    received
        .headers
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.trim())
}

/// The `RateLimit-*` values of an answer, read and checked.
#[derive(Debug)]
struct Limits {
    remaining: u64,
}

/// A `RateLimit-Policy` value read by Novu's grammar:
/// `<limit>;w=<window>;burst=<burst>;comment="…";category="…";cost="…";serviceLevel="…"`.
#[derive(Debug, PartialEq)]
pub struct Policy {
    /// The limit per window.
    pub limit: u64,
    /// The window in seconds.
    pub window: u64,
    /// The bucket size.
    pub burst: u64,
    /// `trigger`, `configuration` or `global`.
    pub category: String,
    /// `single` or `bulk`.
    pub cost: String,
}

impl Policy {
    /// Reads `text`, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let parts: Vec<&str> = text.split(';').collect();
        let [limit, window, burst, comment, category, cost, level] = parts.as_slice() else {
            return Err(format!("has {} `;`-separated parts, not 7", parts.len()));
        };
        let number = |part: &str, name: &str| -> Result<u64, String> {
            let value = if name.is_empty() {
                Some(part)
            } else {
                part.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('='))
            };
            value
                .and_then(|value| value.parse::<u64>().ok())
                .ok_or_else(|| {
                    format!(
                        "`{part}` is not `{name}{}<integer>`",
                        if name.is_empty() { "" } else { "=" }
                    )
                })
        };
        let quoted = |part: &str, name: &str, allowed: &[&str]| -> Result<String, String> {
            let value = part
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix("=\""))
                .and_then(|rest| rest.strip_suffix('"'))
                .filter(|value| !value.contains('"'))
                .ok_or_else(|| format!("`{part}` is not `{name}=\"…\"`"))?;
            if !allowed.is_empty() && !allowed.contains(&value) {
                return Err(format!("`{part}`: {name} is one of {}", allowed.join(", ")));
            }
            Ok(value.to_owned())
        };
        let policy = Policy {
            limit: number(limit, "")?,
            window: number(window, "w")?,
            burst: number(burst, "burst")?,
            category: quoted(
                category,
                "category",
                &["trigger", "configuration", "global"],
            )?,
            cost: quoted(cost, "cost", &["single", "bulk"])?,
        };
        quoted(comment, "comment", &[])?;
        quoted(level, "serviceLevel", &[])?;
        Ok(policy)
    }
}

/// What is wrong with the `RateLimit-*` headers of `received`; `Ok(None)` when there are none.
fn limits(received: &Received, category: &str) -> Result<Option<Limits>, String> {
    let names = [
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "ratelimit-policy",
    ];
    let present: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| header(received, name).is_some())
        .collect();
    if present.is_empty() {
        return Ok(None);
    }
    if present.len() < names.len() {
        return Err(format!(
            "only some RateLimit headers: {}",
            present.join(", ")
        ));
    }
    let integer = |name: &str| -> Result<u64, String> {
        let value = header(received, name).unwrap_or_default();
        value
            .parse::<u64>()
            .map_err(|_| format!("{name} {value:?} is not a non-negative integer"))
    };
    let limit = integer("ratelimit-limit")?;
    let remaining = integer("ratelimit-remaining")?;
    integer("ratelimit-reset")?;
    let policy = Policy::parse(header(received, "ratelimit-policy").unwrap_or_default())
        .map_err(|problem| format!("RateLimit-Policy {problem}"))?;
    if policy.limit != limit {
        return Err(format!(
            "RateLimit-Policy's limit {} differs from RateLimit-Limit {limit}",
            policy.limit
        ));
    }
    if remaining > policy.burst {
        return Err(format!(
            "RateLimit-Remaining {remaining} exceeds the policy's burst {}",
            policy.burst
        ));
    }
    if policy.category != category {
        return Err(format!(
            "RateLimit-Policy's category is {}, the operation's is {category}",
            policy.category
        ));
    }
    Ok(Some(Limits { remaining }))
}

/// The check on one category, through `operation`.
async fn probe(run: &Arc<Run>, operation: &Operation, category: &str) {
    // Quiet until the server is known to limit rates, so that a server that does not shows
    // the check as not applicable.
    let first = run
        .exchange_once(RATE_LIMITS, operation, request(run, operation), false)
        .await;
    let Ok(received) = &first.outcome else {
        return;
    };
    let headers_sent = received
        .headers
        .iter()
        .any(|(name, _)| name.starts_with("ratelimit-"));
    if !headers_sent && received.status != 429 {
        run.recorder.skip(
            RATE_LIMITS,
            &operation.operation_id,
            &operation.tag,
            "no RateLimit-* headers: the server does not limit rates",
        );
        return;
    }
    run.count_and_judge(RATE_LIMITS, operation, &first);
    let expected = "well-formed RateLimit-* headers";
    let remaining = match limits(received, category) {
        Ok(Some(limits)) => limits.remaining,
        Ok(None) => 0,
        Err(problem) => return violation(run, operation, &first, expected, &problem),
    };
    if received.status == 429 {
        return refused(run, operation, &first).await;
    }
    if remaining + 1 > BURST_BOUND {
        return;
    }
    // Spend the budget: the bucket may refill meanwhile, so send until refused, within bound.
    for _ in 0..BURST_BOUND {
        let exchange = run
            .exchange_once(RATE_LIMITS, operation, request(run, operation), true)
            .await;
        let Ok(received) = &exchange.outcome else {
            return;
        };
        if let Err(problem) = limits(received, category) {
            return violation(run, operation, &exchange, expected, &problem);
        }
        if received.status == 429 {
            return refused(run, operation, &exchange).await;
        }
    }
    violation(
        run,
        operation,
        &first,
        "429 once the announced budget is spent",
        &format!("{BURST_BOUND} requests after RateLimit-Remaining {remaining}, none refused"),
    );
}

/// A 429: with a numeric `Retry-After` and the error body (which the judge checks); after
/// waiting that long the operation answers again.
async fn refused(run: &Arc<Run>, operation: &Operation, exchange: &Exchange) {
    let expected = "429 with a non-negative integer Retry-After, then success after that wait";
    let Ok(received) = &exchange.outcome else {
        return;
    };
    let retry_after = header(received, "retry-after").and_then(|value| value.parse::<u64>().ok());
    let Some(retry_after) = retry_after else {
        return violation(run, operation, exchange, expected, "no numeric Retry-After");
    };
    let message = exchange
        .json()
        .and_then(|body| body.get("message").cloned());
    if message.is_none() {
        return violation(
            run,
            operation,
            exchange,
            expected,
            "no error body with a message",
        );
    }
    if retry_after > MAX_WAIT_SECONDS {
        return;
    }
    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(100)).await;
    let again = run
        .exchange_once(RATE_LIMITS, operation, request(run, operation), true)
        .await;
    if again.status() == Some(429) {
        violation(
            run,
            operation,
            &again,
            expected,
            &format!("still 429 after waiting Retry-After: {retry_after}"),
        );
    }
}

fn violation(run: &Run, operation: &Operation, exchange: &Exchange, expected: &str, problem: &str) {
    run.violation(
        operation,
        exchange.violation(RATE_LIMITS, operation, expected, Some(problem)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn novu_policies_read_and_broken_ones_say_why() {
        let policy = Policy::parse(
            "150;w=5;burst=165;comment=\"token bucket\";category=\"global\";cost=\"single\";serviceLevel=\"free\"",
        )
        .unwrap();
        assert_eq!((policy.limit, policy.window, policy.burst), (150, 5, 165));
        assert_eq!(
            (policy.category.as_str(), policy.cost.as_str()),
            ("global", "single")
        );
        for (text, says) in [
            ("150;w=5", "parts, not 7"),
            (
                "x;w=5;burst=1;comment=\"a\";category=\"global\";cost=\"single\";serviceLevel=\"a\"",
                "`x`",
            ),
            (
                "1;w=5;burst=1;comment=\"a\";category=\"other\";cost=\"single\";serviceLevel=\"a\"",
                "category is one of",
            ),
            (
                "1;w=5;burst=1;comment=\"a\";category=\"global\";cost=single;serviceLevel=\"a\"",
                "cost",
            ),
        ] {
            let problem = Policy::parse(text).unwrap_err();
            assert!(problem.contains(says), "{text}: {problem}");
        }
    }
}
