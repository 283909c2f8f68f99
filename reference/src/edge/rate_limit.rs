//! Rate limits, as Novu's rate-limit interceptor applies them to API-key requests: one token
//! bucket per environment and category, refilled by `limit` tokens per 5-second window, holding
//! at most `burst` tokens; a request takes 1 token, or 100 for the four bulk operations. Every
//! evaluated answer carries the `RateLimit-*` headers; a request the bucket cannot pay for is
//! answered 429 with `Retry-After` and changes nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::{caller, error_answer, path_and_query};
use crate::api::Callers;
use crate::config::RateLimits;

/// The window a limit is counted over, in seconds.
const WINDOW_SECONDS: u32 = 5;
/// How far beyond the limit a bucket holds tokens: 10 %.
const BURST_ALLOWANCE: f64 = 0.1;
/// What a bulk operation costs, against 1 for any other.
const BULK_COST: i64 = 100;
/// The algorithm, as `RateLimit-Policy` names it.
const ALGORITHM: &str = "token bucket";

static LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
static REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
static RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
static POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// Novu's rate-limit categories: which operations share a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Category {
    Trigger,
    Configuration,
    Global,
}

impl Category {
    /// The category of a request path: Novu's events controller is `trigger`; subscribers,
    /// topics and tenants are `configuration`; everything else is `global`.
    fn of(path: &str) -> Self {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under("/v1/events") {
            Self::Trigger
        } else if under("/v1/subscribers") || under("/v1/topics") || under("/v1/tenants") {
            Self::Configuration
        } else {
            Self::Global
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Trigger => "trigger",
            Self::Configuration => "configuration",
            Self::Global => "global",
        }
    }
}

/// Whether the request is one of the operations Novu charges as bulk.
fn is_bulk(method: &Method, path: &str) -> bool {
    const BULK: [&str; 4] = [
        "/v1/events/trigger/bulk",
        "/v1/events/trigger/broadcast",
        "/v1/subscribers/bulk",
        "/v1/changes/bulk/apply",
    ];
    *method == Method::POST && BULK.contains(&path.trim_end_matches('/'))
}

/// One bucket: tokens left and when it was last refilled (milliseconds since the limiter
/// started); it is forgotten two windows after it was created or refilled.
struct Bucket {
    tokens: i64,
    last_refill: f64,
    expires: f64,
}

/// The outcome of taking tokens.
#[derive(Debug, PartialEq)]
struct Verdict {
    allowed: bool,
    remaining: i64,
    /// When a request of the same cost can next be paid for, in the limiter's milliseconds.
    reset: f64,
}

/// Every environment's buckets.
pub(super) struct Limiter {
    callers: Arc<Callers>,
    limits: RateLimits,
    started: Instant,
    buckets: Mutex<HashMap<(String, Category), Bucket>>,
}

impl Limiter {
    pub fn new(callers: Arc<Callers>, limits: RateLimits) -> Self {
        Self {
            callers,
            limits,
            started: Instant::now(),
            buckets: Mutex::default(),
        }
    }

    fn per_second(&self, category: Category) -> i64 {
        i64::from(match category {
            Category::Trigger => self.limits.trigger,
            Category::Configuration => self.limits.configuration,
            Category::Global => self.limits.global,
        })
    }

    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    /// Takes `cost` tokens from the bucket of `environment` and `category` at `now`.
    fn take(&self, environment: &str, category: Category, cost: i64, now: f64) -> Verdict {
        let limit = self.per_second(category) * i64::from(WINDOW_SECONDS);
        let burst = (limit as f64 * (1.0 + BURST_ALLOWANCE)).floor() as i64;
        let window = f64::from(WINDOW_SECONDS) * 1000.0;
        // The bucket is refilled by `limit` tokens per window, one every `fill` milliseconds.
        let fill = window / limit as f64;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (environment.to_owned(), category);
        let after = |remaining: i64| {
            if remaining < cost {
                cost - remaining
            } else {
                cost
            }
        };
        let bucket = buckets.get_mut(&key).filter(|bucket| bucket.expires > now);
        let (remaining, reset_cost, last_refill) = match bucket {
            None => {
                let remaining = burst - cost;
                buckets.insert(
                    key,
                    Bucket {
                        tokens: remaining,
                        last_refill: now,
                        expires: now + 2.0 * window,
                    },
                );
                (remaining, after(remaining), now)
            }
            // Refills wait until the bucket cannot pay.
            Some(bucket) if bucket.tokens >= cost => {
                bucket.tokens -= cost;
                (bucket.tokens, after(bucket.tokens), bucket.last_refill)
            }
            Some(bucket) => {
                let added = ((now - bucket.last_refill) / fill).floor() as i64;
                let remaining = burst.min(bucket.tokens + added) - cost;
                if remaining >= 0 {
                    bucket.last_refill += added as f64 * fill;
                    bucket.tokens = remaining;
                    bucket.expires = now + 2.0 * window;
                    (remaining, after(remaining), bucket.last_refill)
                } else {
                    (remaining, cost - bucket.tokens, bucket.last_refill)
                }
            }
        };
        Verdict {
            allowed: remaining >= 0,
            remaining: remaining.max(0),
            reset: last_refill + reset_cost as f64 * fill,
        }
    }

    /// The `RateLimit-*` headers of a verdict, formatted as Novu formats them.
    fn headers(&self, category: Category, bulk: bool, verdict: &Verdict, now: f64) -> HeaderMap {
        let limit = self.per_second(category) * i64::from(WINDOW_SECONDS);
        let burst = (limit as f64 * (1.0 + BURST_ALLOWANCE)).floor() as i64;
        let policy = format!(
            "{limit};w={WINDOW_SECONDS};burst={burst};comment=\"{ALGORITHM}\";category=\"{}\";cost=\"{}\";serviceLevel=\"{}\"",
            category.name(),
            if bulk { "bulk" } else { "single" },
            self.limits.service_level,
        );
        let mut headers = HeaderMap::new();
        let mut set = |name: &HeaderName, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name.clone(), value);
            }
        };
        set(&REMAINING, verdict.remaining.to_string());
        set(&LIMIT, limit.to_string());
        set(&RESET, seconds_until(verdict.reset, now).to_string());
        set(&POLICY, policy);
        headers
    }
}

/// Whole seconds from `now` until `moment`, rounded up, never negative.
fn seconds_until(moment: f64, now: f64) -> i64 {
    (((moment - now) / 1000.0).ceil() as i64).max(0)
}

/// The layer: API-key requests of a known environment are evaluated; others pass.
pub(super) async fn layer(
    State(limiter): State<Arc<Limiter>>,
    request: Request,
    next: Next,
) -> Response {
    // Novu's CORS layer answers a preflight before any interceptor counts it, and its
    // authentication guard an API key on a dashboard-only route.
    if request.method() == axum::http::Method::OPTIONS || super::dashboard_only(&request) {
        return next.run(request).await;
    }
    let Some(caller) = caller(&limiter.callers, request.headers()).await else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    let category = Category::of(path);
    let bulk = is_bulk(request.method(), path);
    let cost = if bulk { BULK_COST } else { 1 };
    let now = limiter.now();
    let verdict = limiter.take(&caller.environment_id, category, cost, now);
    let headers = limiter.headers(category, bulk, &verdict, now);
    let mut response = if verdict.allowed {
        next.run(request).await
    } else {
        let path = path_and_query(request.uri());
        let mut refused = error_answer(
            StatusCode::TOO_MANY_REQUESTS,
            &path,
            "API rate limit exceeded".into(),
            false,
        );
        refused.headers_mut().insert(
            RETRY_AFTER,
            HeaderValue::from(seconds_until(verdict.reset, now)),
        );
        refused
    };
    response.headers_mut().extend(headers);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_second: u32) -> Limiter {
        let limits = RateLimits {
            service_level: "custom".into(),
            trigger: per_second,
            configuration: per_second,
            global: per_second,
        };
        let store = crate::store::Store::open(
            std::path::Path::new(":memory:"),
            None,
            None,
            crate::domain::environments::seed_development,
        )
        .expect("an in-memory store opens")
        .0;
        Limiter::new(Arc::new(Callers::new(store)), limits)
    }

    #[test]
    fn a_bucket_pays_its_burst_then_refills_once_empty() {
        // 2 per second: limit 10 per window, burst 11, one token every 500 ms.
        let limiter = limiter(2);
        for taken in 1..=11 {
            let verdict = limiter.take("env", Category::Global, 1, 0.0);
            assert!(verdict.allowed, "request {taken}");
            assert_eq!(verdict.remaining, 11 - taken);
        }
        let refused = limiter.take("env", Category::Global, 1, 100.0);
        assert!(!refused.allowed);
        assert_eq!(seconds_until(refused.reset, 100.0), 1);
        // Other categories and environments have their own buckets.
        assert!(limiter.take("env", Category::Trigger, 1, 100.0).allowed);
        assert!(limiter.take("other", Category::Global, 1, 100.0).allowed);
        let refilled = limiter.take("env", Category::Global, 1, 1_000.0);
        assert!(refilled.allowed);
        assert_eq!(refilled.remaining, 1);
    }

    #[test]
    fn a_bulk_request_costs_a_hundred() {
        let limiter = limiter(30); // limit 150, burst 165
        let first = limiter.take("env", Category::Global, BULK_COST, 0.0);
        assert_eq!((first.allowed, first.remaining), (true, 65));
        let second = limiter.take("env", Category::Global, BULK_COST, 0.0);
        assert!(!second.allowed);
        assert_eq!(second.remaining, 0);
    }

    #[test]
    fn headers_read_as_novu_writes_them() {
        let limiter = limiter(20);
        let verdict = limiter.take("env", Category::Configuration, 1, 0.0);
        let headers = limiter.headers(Category::Configuration, false, &verdict, 0.0);
        assert_eq!(headers[&LIMIT], "100");
        assert_eq!(headers[&REMAINING], "109");
        assert_eq!(
            headers[&POLICY],
            "100;w=5;burst=110;comment=\"token bucket\";category=\"configuration\";cost=\"single\";serviceLevel=\"custom\""
        );
    }

    #[test]
    fn paths_fall_into_novu_categories() {
        assert_eq!(Category::of("/v1/events/trigger"), Category::Trigger);
        assert_eq!(
            Category::of("/v1/subscribers/a/preferences"),
            Category::Configuration
        );
        assert_eq!(Category::of("/v1/topics"), Category::Configuration);
        assert_eq!(Category::of("/v1/tenants/x"), Category::Configuration);
        assert_eq!(Category::of("/v1/topicsx"), Category::Global);
        assert_eq!(Category::of("/v1/workflows"), Category::Global);
        assert!(is_bulk(&Method::POST, "/v1/subscribers/bulk"));
        assert!(!is_bulk(&Method::GET, "/v1/subscribers/bulk"));
        assert!(!is_bulk(&Method::POST, "/v1/events/trigger"));
    }
}
