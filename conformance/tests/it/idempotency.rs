//! The `idempotency` check: it passes on the server under test, is not applicable where the
//! feature is off, and fails when the reference behind [`BrokenReference`] stops replaying,
//! executes a repeat again, or accepts a key that is too long.

use std::sync::atomic::{AtomicU32, Ordering};

use novu_conformance::{Options, Report, Spec, run};

use crate::proxy::{Breakage, BrokenReference};
use crate::{against_reference, target_options};

const IDEMPOTENCY: &str = "idempotency";

async fn run_check(options: Options) -> Report {
    let options = Options {
        // With the judge, so that replays, 409s and 422s are held to the contract too.
        checks: vec![IDEMPOTENCY.to_owned(), "response-conformance".to_owned()],
        operations: vec!["topics_create".to_owned()],
        ..options
    };
    run(Spec::embedded().unwrap(), options).await.unwrap()
}

/// The check's violations, its requests and whether it was skipped.
fn outcome(report: &Report) -> (Vec<String>, u32, bool) {
    let results: Vec<_> = report
        .results
        .iter()
        .filter(|result| result.check == IDEMPOTENCY)
        .collect();
    let violations = results
        .iter()
        .flat_map(|result| &result.violations)
        .map(|violation| format!("{}: {}", violation.expected, violation.received))
        .collect();
    let requests = results.iter().map(|result| result.requests).sum();
    let skipped = results.iter().any(|result| result.skipped.is_some());
    (violations, requests, skipped)
}

async fn run_broken(breakage: Breakage) -> (Vec<String>, u32) {
    let target = BrokenReference::start(breakage).await;
    let report = run_check(target.options()).await;
    let broken = target.broken();
    target.stop().await;
    (outcome(&report).0, broken)
}

fn is_keyed_topic_create(outgoing: &crate::proxy::Outgoing) -> bool {
    outgoing.is("POST", "/v1/topics") && outgoing.header("idempotency-key").is_some()
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_holds_on_the_target() {
    let report = run_check(target_options()).await;
    let (violations, requests, skipped) = outcome(&report);
    assert!(violations.is_empty(), "{violations:#?}");
    let judged: Vec<_> = report.violations().collect();
    assert!(judged.is_empty(), "{judged:#?}");
    if against_reference() {
        assert!(!skipped, "the reference has idempotency on");
        // Replay, list, other body, five at once, list, two key lengths.
        assert!(requests >= 11, "{requests}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_is_not_applicable_where_it_is_off() {
    let config = novu_reference::Config {
        idempotency: false,
        ..novu_reference::Config::in_memory()
    };
    let target = BrokenReference::start_with(Breakage::default(), config).await;
    let report = run_check(target.options()).await;
    target.stop().await;
    let (violations, requests, skipped) = outcome(&report);
    assert!(violations.is_empty(), "{violations:#?}");
    assert!(skipped, "{report:#?}");
    assert_eq!(requests, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_fails_without_the_replay_header() {
    let (violations, broken) = run_broken(Breakage::answer(|_, answer| {
        let replayed = answer.header("idempotency-replay").is_some();
        answer.set_header("idempotency-replay", None);
        replayed
    }))
    .await;
    assert!(broken > 0);
    assert!(
        violations
            .iter()
            .any(|found| found.contains("no Idempotency-Replay")),
        "{violations:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_fails_when_a_repeat_executes_again() {
    // Each keyed request reaches the reference under a key of its own, and the answer echoes
    // the key the suite sent: every repeat runs again.
    let counter = std::sync::Arc::new(AtomicU32::new(0));
    let (violations, broken) = run_broken(Breakage::both(
        move |outgoing| {
            if !is_keyed_topic_create(outgoing) {
                return false;
            }
            let sent = outgoing
                .header("idempotency-key")
                .unwrap_or_default()
                .to_owned();
            let fresh = format!("{sent}-{}", counter.fetch_add(1, Ordering::SeqCst));
            outgoing.set_header("x-sent-idempotency-key", &sent);
            outgoing.set_header("idempotency-key", &fresh);
            true
        },
        |outgoing, answer| match outgoing.header("x-sent-idempotency-key") {
            Some(sent) if answer.header("idempotency-key").is_some() => {
                answer.set_header("idempotency-key", Some(sent));
                true
            }
            _ => false,
        },
    ))
    .await;
    assert!(broken > 0);
    assert!(
        violations.iter().any(|found| found.contains("replayed")),
        "{violations:#?}"
    );
    assert!(
        violations.iter().any(|found| found.contains("Retry-After")),
        "{violations:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_fails_when_a_256_character_key_is_accepted() {
    let (violations, broken) = run_broken(Breakage::request(|outgoing| {
        let Some(key) = outgoing.header("idempotency-key").map(str::to_owned) else {
            return false;
        };
        if key.len() <= 255 {
            return false;
        }
        outgoing.set_header("idempotency-key", &key[..255]);
        true
    }))
    .await;
    assert!(broken > 0);
    assert!(
        violations
            .iter()
            .any(|found| found.contains("400 for a 256-character")),
        "{violations:#?}"
    );
}
