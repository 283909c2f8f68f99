//! Whole runs against the server under test.

use novu_conformance::{Options, Spec, run};

use crate::{against_reference, target_options};

#[tokio::test(flavor = "multi_thread")]
async fn a_full_run_covers_every_operation_and_the_reference_conforms() {
    let spec = Spec::embedded().unwrap();
    let report = run(spec.clone(), target_options()).await.unwrap();
    assert!(report.requests > 300, "only {} requests", report.requests);
    // The dashboard-only routes have results of their own, named `METHOD /path`.
    let covered: std::collections::BTreeSet<&str> = report
        .results
        .iter()
        .map(|result| result.operation_id.as_str())
        .collect();
    let dashboard_routes = spec.dashboard_routes();
    assert!(!dashboard_routes.is_empty());
    assert_eq!(
        covered.len(),
        spec.operations.len() + dashboard_routes.len(),
        "every operation and every dashboard-only route is checked"
    );
    for violation in report.violations() {
        let curl = violation.curl.as_deref().unwrap_or_default();
        assert!(
            curl.starts_with("curl ") && curl.contains("$NOVU_API_KEY"),
            "{curl}"
        );
    }
    // Another server may well break the contract; the reference must not. That each check can
    // fail at all is shown in `breaking.rs`.
    if against_reference() {
        let violations: Vec<_> = report.violations().collect();
        assert!(violations.is_empty(), "{violations:#?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_runs_send_only_safe_requests() {
    let options = Options {
        read_only: true,
        ..target_options()
    };
    let spec = Spec::embedded().unwrap();
    let report = run(spec.clone(), options).await.unwrap();
    for result in report.results.iter().filter(|result| result.requests > 0) {
        // A dashboard-only route's result is named `METHOD /path`.
        let method = match spec.operation(&result.operation_id) {
            Some(operation) => operation.method.as_str(),
            None => result.operation_id.split(' ').next().unwrap_or_default(),
        };
        assert_eq!(
            method, "GET",
            "{} sent {:?}",
            result.check, result.operation_id
        );
    }
    assert!(
        report
            .results
            .iter()
            .all(|result| result.check != "invalid-body" || result.requests == 0)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn selections_narrow_the_run() {
    let options = Options {
        tags: vec!["Environments".into()],
        checks: vec!["safe-reads".into()],
        ..target_options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    assert!(
        report
            .results
            .iter()
            .all(|result| result.tag == "Environments")
    );
    assert!(
        report
            .results
            .iter()
            .all(|result| result.check == "safe-reads" || result.check == "response-conformance")
    );
    assert_eq!(report.requests, 3);
    if against_reference() {
        assert_eq!(report.violations().count(), 0);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn partitions_split_the_operations() {
    let spec = Spec::embedded().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for slice in 1..=3 {
        let options = Options {
            checks: vec!["auth-missing-key".into()],
            partition: Some((slice, 3)),
            ..target_options()
        };
        let report = run(spec.clone(), options).await.unwrap();
        for result in &report.results {
            assert!(
                seen.insert((result.check, result.operation_id.clone()))
                    || result.check != "auth-missing-key"
            );
        }
    }
    let authenticated = spec
        .operations
        .iter()
        .filter(|operation| operation.authenticated)
        .count();
    assert_eq!(
        seen.iter()
            .filter(|(check, _)| *check == "auth-missing-key")
            .count(),
        authenticated
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_operations_and_checks_are_usage_errors() {
    let options = Options {
        operations: vec!["no_such_operation".into()],
        ..target_options()
    };
    let error = run(Spec::embedded().unwrap(), options).await.unwrap_err();
    assert!(
        matches!(error, novu_conformance::Error::Usage(_)),
        "{error}"
    );
    let options = Options {
        checks: vec!["no-such-check".into()],
        ..target_options()
    };
    let error = run(Spec::embedded().unwrap(), options).await.unwrap_err();
    assert!(error.to_string().contains("no-such-check"), "{error}");
}
