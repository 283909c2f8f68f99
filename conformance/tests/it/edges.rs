//! The drawn edge cases against the reference bent to get one of them wrong: whole bodies that
//! are no object or missing, an absent optional body, integers past 2^53 and 64 bits and below
//! `minimum`, empty values the contract marks `x-empty: absent`, and unknown well-formed ids.

use novu_conformance::{Options, Report, Spec, Violation, run};
use serde_json::json;

use crate::proxy::{Answer, Breakage, BrokenReference, Outgoing};

/// Runs `check` on `operation` through a reference bent by `breakage`; the report and how many
/// answers the breakage changed.
async fn run_broken(breakage: Breakage, check: &str, operation: &str) -> (Report, u32) {
    let target = BrokenReference::start(breakage).await;
    let options = Options {
        checks: vec![check.into()],
        operations: vec![operation.into()],
        cases: 30,
        ..target.options()
    };
    let report = run(Spec::embedded().unwrap(), options).await.unwrap();
    let broken = target.broken();
    target.stop().await;
    (report, broken)
}

fn only_violation(report: &Report, check: &str, operation: &str) -> Violation {
    let found: Vec<&Violation> = report
        .violations()
        .filter(|violation| violation.check == check)
        .collect();
    assert_eq!(found.len(), 1, "{report:#?}");
    assert_eq!(found[0].operation_id, operation);
    found[0].clone()
}

/// Answers as a server that decodes the body into a record before validating it fails.
fn decoder_failure(answer: &mut Answer, status: u16, message: serde_json::Value) {
    answer.status = status;
    answer.headers = vec![("content-type".into(), "application/json".into())];
    answer.set_json(&json!({
        "statusCode": status,
        "timestamp": "2026-12-05T00:30:00.000Z",
        "path": "/v1/topics",
        "message": message,
    }));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_inputs_rejected_fails_when_a_null_body_is_a_500() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let null = outgoing.is("POST", "/v1/topics") && outgoing.body == b"null";
        if null {
            decoder_failure(answer, 500, json!("invalid type: null, expected struct"));
        }
        null
    });
    let (report, broken) = run_broken(breakage, "invalid-inputs-rejected", "topics_create").await;
    assert!(broken >= 1, "no null body was sent");
    let violation = only_violation(&report, "invalid-inputs-rejected", "topics_create");
    assert!(
        violation.received.contains("a JSON null as the whole body"),
        "{violation:#?}"
    );
    assert!(violation.received.contains("status 500"), "{violation:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_inputs_rejected_fails_when_a_number_body_is_accepted() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let number = outgoing.is("POST", "/v1/topics") && outgoing.body == b"12345";
        if number {
            answer.status = 201;
            answer.headers = vec![("content-type".into(), "application/json".into())];
            answer.set_json(&json!({"data": {"_id": "0123456789abcdef01234567", "key": "k"}}));
        }
        number
    });
    let (report, broken) = run_broken(breakage, "invalid-inputs-rejected", "topics_create").await;
    assert!(broken >= 1, "no number body was sent");
    let violation = only_violation(&report, "invalid-inputs-rejected", "topics_create");
    assert!(
        violation.received.contains("a number as the whole body"),
        "{violation:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_inputs_accepted_fails_when_an_absent_optional_body_is_refused() {
    // Novu reads a missing body as `{}`; the bent server demands one.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let absent = outgoing.is("PATCH", "/v1/tenants/{identifier}") && outgoing.body.is_empty();
        if absent {
            decoder_failure(answer, 400, json!(["request body should not be empty"]));
        }
        absent
    });
    let (report, broken) = run_broken(breakage, "valid-inputs-accepted", "tenants_update").await;
    assert!(broken >= 1, "no request without a body was sent");
    let violation = only_violation(&report, "valid-inputs-accepted", "tenants_update");
    assert!(
        violation.received.contains("no body, which is optional"),
        "{violation:#?}"
    );
}

/// Whether the query of `outgoing` carries `pair` (`page=1`).
fn has_query(outgoing: &Outgoing, pair: &str) -> bool {
    outgoing.query.split('&').any(|sent| sent == pair)
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_inputs_rejected_fails_when_a_page_beyond_64_bits_is_a_500() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let beyond = outgoing.is("GET", "/v1/subscribers")
            && has_query(outgoing, "page=18446744073709551616");
        if beyond {
            decoder_failure(answer, 500, json!("number too large to fit in target type"));
        }
        beyond
    });
    let (report, broken) =
        run_broken(breakage, "invalid-inputs-rejected", "subscribers_list").await;
    assert!(broken >= 1, "no page beyond 64 bits was sent");
    let violation = only_violation(&report, "invalid-inputs-rejected", "subscribers_list");
    assert!(
        violation.received.contains("an integer beyond 64 bits"),
        "{violation:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_inputs_rejected_fails_when_a_negative_page_is_served() {
    // The contract bounds `page` at 0; the bent server serves -1 as the first page.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let negative = outgoing.is("GET", "/v1/subscribers") && has_query(outgoing, "page=-1");
        if negative {
            answer.status = 200;
            answer.headers = vec![("content-type".into(), "application/json".into())];
            answer.set_json(&json!({"page": -1, "hasMore": false, "pageSize": 10, "data": []}));
        }
        negative
    });
    let (report, broken) =
        run_broken(breakage, "invalid-inputs-rejected", "subscribers_list").await;
    assert!(broken >= 1, "no page of -1 was sent");
    let violation = only_violation(&report, "invalid-inputs-rejected", "subscribers_list");
    assert!(
        violation.received.contains("under minimum"),
        "{violation:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_inputs_accepted_fails_when_a_page_beyond_doubles_is_refused() {
    // 2^53 + 1 is a 64-bit integer no double holds; the bent server refuses it.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let beyond =
            outgoing.is("GET", "/v1/subscribers") && has_query(outgoing, "page=9007199254740993");
        if beyond {
            decoder_failure(answer, 400, json!(["page must not be greater than 2^53"]));
        }
        beyond
    });
    let (report, broken) = run_broken(breakage, "valid-inputs-accepted", "subscribers_list").await;
    assert!(broken >= 1, "no page beyond doubles was sent");
    let violation = only_violation(&report, "valid-inputs-accepted", "subscribers_list");
    assert!(
        violation.received.contains("page=9007199254740993"),
        "{violation:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_inputs_accepted_fails_when_an_empty_layout_content_is_stored() {
    // `content: ""` keeps the stored content in Novu; the bent server stores it, and then finds
    // no `{{{body}}}` in it.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let empty = outgoing.is("PATCH", "/v1/layouts/{layoutId}")
            && outgoing
                .json()
                .is_some_and(|body| body["content"] == json!(""));
        if empty {
            decoder_failure(answer, 400, json!("Layout content must contain {{{body}}}"));
        }
        empty
    });
    let (report, broken) = run_broken(breakage, "valid-inputs-accepted", "layouts_update").await;
    assert!(broken >= 1, "no empty content was sent");
    let violation = only_violation(&report, "valid-inputs-accepted", "layouts_update");
    assert!(
        violation.expected.contains("x-empty: absent"),
        "{violation:#?}"
    );
    assert!(
        violation
            .received
            .contains("status Some(200) without them, Some(400) with them empty"),
        "{violation:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_inputs_accepted_fails_when_an_empty_feed_payload_filters() {
    // `payload=` filters nothing in Novu; the bent server tries to decode it.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let empty = outgoing.is("GET", "/v1/subscribers/{subscriberId}/notifications/feed")
            && has_query(outgoing, "payload=");
        if empty {
            decoder_failure(
                answer,
                400,
                json!("Invalid payload, the JSON object should be encoded to base64 string."),
            );
        }
        empty
    });
    let (report, broken) = run_broken(
        breakage,
        "valid-inputs-accepted",
        "subscriber_notifications_feed",
    )
    .await;
    assert!(broken >= 1, "no empty payload was sent");
    let violation = only_violation(
        &report,
        "valid-inputs-accepted",
        "subscriber_notifications_feed",
    );
    assert!(
        violation.expected.contains("query payload"),
        "{violation:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_ids_fails_when_a_well_formed_id_is_refused_as_malformed() {
    // A message id naming nothing is refused as if it were no id at all.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let unknown = outgoing.is("DELETE", "/v1/messages/{messageId}")
            && outgoing
                .path
                .rsplit('/')
                .next()
                .is_some_and(|id| id.starts_with("0000"));
        if unknown {
            decoder_failure(answer, 400, json!(["messageId must be a mongodb id"]));
        }
        unknown
    });
    let (report, broken) = run_broken(breakage, "unknown-ids", "messages_delete").await;
    assert_eq!(broken, 1, "one unknown id is sent");
    let violation = only_violation(&report, "unknown-ids", "messages_delete");
    assert!(
        violation
            .received
            .contains("a 400 listing constraint messages"),
        "{violation:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_ids_fails_when_an_unknown_id_is_a_500() {
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let unknown = outgoing.is("DELETE", "/v1/messages/{messageId}");
        if unknown {
            decoder_failure(answer, 500, json!("Cannot read properties of null"));
        }
        unknown
    });
    let (report, broken) = run_broken(breakage, "unknown-ids", "messages_delete").await;
    assert_eq!(broken, 1);
    let found: Vec<_> = report
        .violations()
        .filter(|violation| violation.check == "unknown-ids")
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_ids_fails_when_an_unknown_body_id_is_a_500() {
    // An override for a tenant id naming nothing: Novu answers 404; the bent server fails.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let unknown = outgoing.is("POST", "/v1/workflow-overrides")
            && outgoing.json().is_some_and(|body| {
                body["tenantId"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("0000"))
            });
        if unknown {
            decoder_failure(answer, 500, json!("Cannot read properties of null"));
        }
        unknown
    });
    let (report, broken) = run_broken(breakage, "unknown-ids", "workflow_overrides_create").await;
    assert!(broken >= 1, "no body with an unknown tenant id was sent");
    assert!(
        report
            .violations()
            .any(|violation| violation.check == "unknown-ids"
                && violation.expected.contains("body tenantId")),
        "{report:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_inputs_rejected_fails_when_a_missing_required_body_is_accepted() {
    // A topic needs `key` and `name`; the bent server makes one from nothing.
    let breakage = Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        let missing = outgoing.is("POST", "/v1/topics") && outgoing.body.is_empty();
        if missing {
            answer.status = 201;
            answer.headers = vec![("content-type".into(), "application/json".into())];
            answer.set_json(&json!({"data": {"_id": "0123456789abcdef01234567", "key": "k"}}));
        }
        missing
    });
    let (report, broken) = run_broken(breakage, "invalid-inputs-rejected", "topics_create").await;
    assert!(broken >= 1, "no request without a body was sent");
    let violation = only_violation(&report, "invalid-inputs-rejected", "topics_create");
    assert!(
        violation.received.contains("no body, which is required"),
        "{violation:#?}"
    );
}
