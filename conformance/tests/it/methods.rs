//! `methods` against the reference bent to answer as a plain router does: `OPTIONS` refused as
//! an unknown method, and an undeclared method answered 405 with `Allow`.

use novu_conformance::{Options, Report, Spec, Violation, run};
use serde_json::json;

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};

async fn run_broken(breakage: Breakage) -> (Report, u32) {
    let target = BrokenReference::start(breakage).await;
    let options = Options {
        checks: vec!["methods".into()],
        operations: vec!["topics_create".into(), "topics_list".into()],
        ..target.options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let broken = target.broken();
    target.stop().await;
    (report, broken)
}

fn violations(report: &Report) -> Vec<Violation> {
    report
        .violations()
        .filter(|violation| violation.check == "methods")
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn methods_passes_against_the_reference() {
    let (report, broken) = run_broken(Breakage::default()).await;
    assert_eq!(broken, 0);
    assert!(violations(&report).is_empty(), "{report:#?}");
    let requests: u32 = report
        .results
        .iter()
        .filter(|result| result.check == "methods")
        .map(|result| result.requests)
        .sum();
    assert_eq!(requests, 4, "two probes for each of the two operations");
}

#[tokio::test(flavor = "multi_thread")]
async fn methods_fails_when_options_is_routed_like_any_method() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if outgoing.method != "OPTIONS" {
            return false;
        }
        answer.status = 404;
        answer.headers = vec![
            ("content-type".into(), "application/json".into()),
            ("allow".into(), "GET,HEAD,POST".into()),
        ];
        answer.set_json(&json!({
            "statusCode": 404,
            "timestamp": "2026-12-05T00:00:00.000Z",
            "path": outgoing.path,
            "message": format!("Cannot OPTIONS {}", outgoing.path),
            "error": "Not Found",
        }));
        true
    });
    let (report, broken) = run_broken(breakage).await;
    assert_eq!(broken, 2, "one OPTIONS per operation");
    let found = violations(&report);
    assert_eq!(found.len(), 2, "{found:#?}");
    for violation in found {
        assert!(violation.expected.starts_with("204"), "{violation:#?}");
        assert!(
            violation
                .received
                .contains("status 404, an Allow header, a body"),
            "{violation:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn methods_fails_when_an_undeclared_method_gets_405_with_allow() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let undeclared = outgoing.path == "/v1/topics"
            && !["GET", "POST", "OPTIONS"].contains(&outgoing.method.as_str());
        if undeclared {
            answer.status = 405;
            answer.set_header("allow", Some("GET,HEAD,POST"));
        }
        undeclared
    });
    let (report, broken) = run_broken(breakage).await;
    assert_eq!(broken, 2, "one undeclared method per operation");
    let found = violations(&report);
    assert_eq!(found.len(), 2, "{found:#?}");
    for violation in found {
        assert!(violation.expected.contains("Cannot "), "{violation:#?}");
        assert!(
            violation.received.contains("status 405, an Allow header"),
            "{violation:#?}"
        );
    }
}
