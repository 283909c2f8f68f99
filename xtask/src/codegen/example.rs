//! The client's example program, `examples/quickstart/`: generated with the crates so that
//! `cargo xtask check` keeps it in step with the builders it calls, and run against the
//! reference by `reference/tests/it/quickstart.rs`. `main.rs` reads the environment and calls
//! `quickstart.rs`'s `run`, which a test can call too; `main.rs` is written as rustfmt writes
//! it and `quickstart.rs` is kept from rustfmt, so that `cargo fmt` never makes them stale.

use super::ir::Operation;

/// The operations the quickstart calls; a spec without them gets no example.
const CALLS: [&str; 5] = [
    "subscribers_create",
    "workflow_groups_list",
    "workflows_create",
    "events_trigger",
    "subscriber_notifications_feed",
];

/// `examples/quickstart/quickstart.rs`, when the spec has every operation it calls: the
/// program's steps, in the client crate named `client_crate`.
pub fn quickstart(
    header: &str,
    operations: &[Operation],
    client_crate: &syn::Ident,
) -> Option<String> {
    let paginated_feed = operations
        .iter()
        .any(|operation| operation.id == CALLS[4] && operation.pagination.is_some());
    let complete = CALLS
        .iter()
        .all(|id| operations.iter().any(|operation| operation.id == *id));
    if !(complete && paginated_feed) {
        return None;
    }
    Some(format!(
        "// {header}\n\n{}",
        STEPS.replace("novu_client::", &format!("{client_crate}::"))
    ))
}

/// The steps, formatted as rustfmt formats them (the file is kept from rustfmt all the same).
const STEPS: &str = r#"//! The quickstart's steps, callable from a test: `run(base_url, api_key)`.

use futures_util::StreamExt;
use novu_client::{Client, types};
use serde_json::json;

/// What the quickstart did, for a caller (or a test) to look at.
#[derive(Debug)]
pub struct Quickstart {
    /// The subscriber it created (or updated).
    pub subscriber_id: String,
    /// The trigger identifier of the workflow it created.
    pub workflow: String,
    /// The transaction id of every trigger, in order.
    pub transactions: Vec<String>,
    /// The in-app messages of the subscriber's feed, newest first, read two per page.
    pub feed: Vec<String>,
}

/// Creates a subscriber and a workflow with one in-app step, triggers it five times
/// and reads the subscriber's in-app feed page by page, printing each message.
pub async fn run(base_url: &str, api_key: &str) -> Result<Quickstart, Box<dyn std::error::Error>> {
    // Every POST gets an idempotency key, so a request the server rate-limits is
    // sent again without the risk of acting twice.
    let client = Client::with_api_key(base_url, api_key)?.auto_idempotency_keys(true);

    let subscriber_id = "quickstart-ada".to_owned();
    client
        .subscribers_create()
        .body_map(|body| {
            body.subscriber_id(subscriber_id.clone())
                .first_name(Some("Ada".to_owned()))
        })
        .send()
        .await?;

    // A workflow belongs to a group; every environment starts with one.
    let group = client
        .workflow_groups_list()
        .send()
        .await?
        .into_inner()
        .data
        .into_iter()
        .next()
        .ok_or("the environment has no workflow group")?;
    let request: types::CreateWorkflowRequest = serde_json::from_value(json!({
        "name": "Quickstart",
        "notificationGroupId": group.id,
        "active": true,
        "steps": [{
            "name": "In-app",
            "template": { "type": "in_app", "content": "Hello {{subscriber.firstName}}, message {{n}}" },
        }],
    }))?;
    let workflow = client
        .workflows_create()
        .body(request)
        .send()
        .await?
        .into_inner()
        .data;
    let identifier = workflow
        .triggers
        .first()
        .ok_or("the workflow has no trigger")?
        .identifier
        .clone();

    let mut transactions = Vec::new();
    for n in 1..=5 {
        let request: types::TriggerEventRequest = serde_json::from_value(json!({
            "name": identifier,
            "to": subscriber_id,
            "payload": { "n": n },
        }))?;
        let triggered = client
            .events_trigger()
            .body(request)
            .send()
            .await?
            .into_inner()
            .data;
        transactions.push(triggered.transaction_id.unwrap_or_default());
    }

    // Two messages a page: `stream()` asks for page 0, 1, 2 until the feed says
    // there is no more.
    let mut feed = Vec::new();
    let mut messages = client
        .subscriber_notifications_feed()
        .subscriber_id(subscriber_id.clone())
        .limit(2u64)
        .stream();
    while let Some(message) = messages.next().await {
        let message = message?;
        println!("{}", message.content);
        feed.push(message.content);
    }
    Ok(Quickstart {
        subscriber_id,
        workflow: identifier,
        transactions,
        feed,
    })
}
"#;

/// `examples/quickstart/main.rs`: the program's entry point, formatted as rustfmt formats it.
pub fn entry_point(header: &str, client_package: &str) -> String {
    format!(
        r#"// {header}

//! Creates a subscriber and a workflow with an in-app step, triggers it and reads the
//! subscriber's feed page by page with `stream()`.
//!
//! `NOVU_BASE_URL=https://api.novu.co NOVU_API_KEY=… cargo run -p {client_package} --example quickstart`

use std::process::ExitCode;

#[rustfmt::skip]
mod quickstart;

#[tokio::main]
async fn main() -> ExitCode {{
    let (Ok(base_url), Ok(api_key)) = (
        std::env::var("NOVU_BASE_URL"),
        std::env::var("NOVU_API_KEY"),
    ) else {{
        eprintln!(
            "set NOVU_BASE_URL (https://api.novu.co) and NOVU_API_KEY (an environment's API key)"
        );
        return ExitCode::from(2);
    }};
    match quickstart::run(&base_url, &api_key).await {{
        Ok(done) => {{
            println!(
                "{{}} triggered {{}} times; {{}} messages in the feed of {{}}",
                done.workflow,
                done.transactions.len(),
                done.feed.len(),
                done.subscriber_id
            );
            ExitCode::SUCCESS
        }}
        Err(error) => {{
            eprintln!("error: {{error}}");
            ExitCode::FAILURE
        }}
    }}
}}
"#
    )
}
