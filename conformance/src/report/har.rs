//! `--har FILE`: every exchange of the run as HAR 1.2 (the HTTP Archive format browsers and
//! proxies read), the API key redacted: the `Authorization` header shows `ApiKey [redacted]`,
//! and the key's text is replaced wherever else it appears.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::run::RecordedExchange;
use crate::runner::Report;

/// The HAR document of `report`'s exchanges (recorded when the run was asked to), one entry
/// per line: written entry by entry, so a large run never holds the whole document as values.
pub fn har(report: &Report) -> String {
    let creator = json!({"name": "novu-conformance", "version": env!("CARGO_PKG_VERSION")});
    let mut text = format!(
        "{{\"log\": {{\"version\": \"1.2\", \"creator\": {creator}, \"pages\": [], \"entries\": ["
    );
    for (index, exchange) in report.exchanges.iter().enumerate() {
        text.push_str(if index == 0 { "\n" } else { ",\n" });
        text.push_str(&entry(exchange).to_string());
    }
    text.push_str("\n]}}\n");
    text
}

fn pairs(pairs: &[(String, String)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect()
}

fn entry(exchange: &RecordedExchange) -> Value {
    let started: DateTime<Utc> = exchange.started.into();
    let milliseconds = exchange.elapsed.as_secs_f64() * 1000.0;
    let mut request = json!({
        "method": exchange.method,
        "url": exchange.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": pairs(&exchange.headers),
        "queryString": pairs(&exchange.query),
        "headersSize": -1,
        "bodySize": exchange.body.as_ref().map_or(0, |body| body.len() as i64),
    });
    if let Some(body) = &exchange.body {
        request["postData"] = json!({"mimeType": "application/json", "text": body});
    }
    let (response, error) = match &exchange.outcome {
        Ok(received) => (
            json!({
                "status": received.status,
                "statusText": reqwest::StatusCode::from_u16(received.status)
                    .ok()
                    .and_then(|status| status.canonical_reason())
                    .unwrap_or(""),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": pairs(&received.headers),
                "content": {
                    "size": received.body.len(),
                    "mimeType": received.content_type.as_deref().unwrap_or(""),
                    "text": received.body,
                },
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": received.body.len(),
            }),
            None,
        ),
        // HAR has no place for a missing answer: status 0, as browsers record one.
        Err(failure) => (
            json!({
                "status": 0,
                "statusText": "",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": [],
                "content": {"size": 0, "mimeType": ""},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": -1,
            }),
            Some(failure.clone()),
        ),
    };
    let mut entry = json!({
        "startedDateTime": started.to_rfc3339_opts(SecondsFormat::Millis, true),
        "time": milliseconds,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": milliseconds, "receive": 0},
    });
    if let Some(error) = error {
        entry["_error"] = json!(error);
    }
    entry
}
