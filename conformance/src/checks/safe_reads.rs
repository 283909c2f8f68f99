//! `safe-reads`: every GET without path parameters whose required query values can be filled
//! answers its documented 2xx with a body valid against its schema.

use std::sync::Arc;

use super::check::{Check, Phase, ReadOnly, Task};
use super::response::response_problems;
use crate::contract::Operation;
use crate::run::{Run, fill_path, fill_query, for_each_tag};
use crate::transport::{Credentials, Request};

/// `safe-reads`.
pub const SAFE_READS: &str = "safe-reads";

/// `safe-reads`.
pub struct SafeReads;

impl Check for SafeReads {
    fn name(&self) -> &'static str {
        SAFE_READS
    }

    fn description(&self) -> &'static str {
        "every GET without path parameters whose required query values have a default or an enum answers its documented 2xx with a valid body"
    }

    fn read_only(&self) -> ReadOnly {
        ReadOnly::Safe
    }

    fn phase(&self) -> Phase {
        Phase::Reads
    }

    fn covers(&self, operation: &Operation) -> bool {
        is_safe_read(operation)
    }

    fn run<'a>(&'a self, run: &'a Arc<Run>) -> Task<'a> {
        Box::pin(async move {
            let operations: Vec<Operation> = run
                .selected
                .iter()
                .filter(|operation| is_safe_read(operation))
                .cloned()
                .collect();
            for_each_tag(run, SAFE_READS, operations, |run, operation| async move {
                safe_read(&run, &operation).await;
            })
            .await;
        })
    }
}

/// Whether `operation` is a GET without path parameters.
pub fn is_safe_read(operation: &Operation) -> bool {
    // A required query value with neither a default nor an enum names something (an id) the
    // check cannot know, and a 404 for it would be right.
    let fillable = |parameter: &crate::contract::Parameter| {
        !parameter.required
            || parameter.schema.get("default").is_some()
            || parameter.schema.get("enum").is_some()
    };
    operation.method == "GET"
        && operation.parameters_in("path").next().is_none()
        && operation.parameters_in("query").all(fillable)
}

/// `safe-reads` on `operation`.
async fn safe_read(run: &Run, operation: &Operation) {
    let hints = run.hints();
    let request = Request {
        method: operation.method.clone(),
        path: fill_path(run, operation, &hints),
        query: fill_query(run, operation, &hints),
        body: None,
        credentials: Credentials::ApiKey,
        headers: Vec::new(),
    };
    let exchange = run.exchange(SAFE_READS, operation, request).await;
    let expected = match operation.success_status() {
        Some(status) => format!("{status} with a body valid against the documented schema"),
        None => "a documented 2xx".into(),
    };
    let status = exchange.status();
    let problems = response_problems(run, operation, &exchange);
    if status.is_none_or(|status| !(200..300).contains(&status)) || !problems.is_empty() {
        let problem = problems.join("; ");
        let problem = (!problem.is_empty()).then_some(problem.as_str());
        run.violation(
            operation,
            exchange.violation(SAFE_READS, operation, &expected, problem),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Spec;

    #[test]
    fn safe_reads_cover_gets_whose_required_query_values_can_be_filled() {
        let spec = Spec::embedded().expect("the embedded spec loads");
        let safe = |id: &str| is_safe_read(spec.operation(id).expect("the operation exists"));
        assert!(safe("subscribers_list"), "defaults fill page and limit");
        assert!(safe("environments_retrieve_current"));
        assert!(
            !safe("execution_details_list"),
            "its required ids cannot be known"
        );
        assert!(!safe("subscribers_get"), "it has a path parameter");
        assert!(!safe("subscribers_create"), "it is not a GET");
    }
}
