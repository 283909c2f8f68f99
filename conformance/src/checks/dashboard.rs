//! `dashboard-only-routes`: a route the contract lists under `x-dashboard-only` exists for the
//! dashboard's signed-in users only; an API key gets 401 `API endpoint not available`, not the
//! 404 of a route nobody serves, and nothing else happens.

use std::sync::Arc;

use serde_json::json;

use super::check::{Check, Phase, ReadOnly, Task};
use crate::contract::Operation;
use crate::run::{Run, fill_path, for_each_tag};
use crate::transport::{Body, Credentials, Request};
use crate::values::Hints;

/// `dashboard-only-routes`.
pub const DASHBOARD_ONLY_ROUTES: &str = "dashboard-only-routes";

/// The message of the refusal.
const NOT_AVAILABLE: &str = "API endpoint not available";

/// `dashboard-only-routes`: each listed route, with the run's API key.
pub struct DashboardOnlyRoutes;

impl Check for DashboardOnlyRoutes {
    fn name(&self) -> &'static str {
        DASHBOARD_ONLY_ROUTES
    }

    fn description(&self) -> &'static str {
        "every route listed as dashboard-only answers an API key with 401 `API endpoint not available`"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Safe
    }

    fn phase(&self) -> Phase {
        Phase::Reads
    }

    /// The routes are not operations of the contract.
    fn covers(&self, _operation: &Operation) -> bool {
        false
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            let routes: Vec<Operation> = run
                .dashboard_routes
                .iter()
                .filter(|route| run.may_send(route))
                .cloned()
                .collect();
            for_each_tag(
                run,
                DASHBOARD_ONLY_ROUTES,
                routes,
                |run, route| async move {
                    refusal(&run, &route).await;
                },
            )
            .await;
        })
    }
}

/// Sends the key to `route` (an empty JSON object as the body of a write) and expects the 401.
async fn refusal(run: &Run, route: &Operation) {
    let request = Request {
        method: route.method.clone(),
        path: fill_path(run, route, &Hints::new()),
        query: Vec::new(),
        body: (route.method != "GET").then(|| Body::Json(json!({}))),
        credentials: Credentials::ApiKey,
        headers: Vec::new(),
    };
    let exchange = run.exchange(DASHBOARD_ONLY_ROUTES, route, request).await;
    let expected = format!("401 with the message `{NOT_AVAILABLE}`");
    let problem = match (exchange.status(), exchange.json()) {
        (Some(401), Some(body)) if body["message"] == NOT_AVAILABLE => return,
        (Some(401), Some(body)) => Some(format!("the message is {}", body["message"])),
        _ => None,
    };
    run.violation(
        route,
        exchange.violation(DASHBOARD_ONLY_ROUTES, route, &expected, problem.as_deref()),
    );
}
