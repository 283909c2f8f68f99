//! The client's generated example program (`generated/novu-client/examples/quickstart/`),
//! run against the reference: what a new user copies must work.

use std::collections::BTreeSet;

use crate::TestServer;

#[rustfmt::skip]
#[path = "../../../generated/novu-client/examples/quickstart/quickstart.rs"]
mod program;

#[tokio::test]
async fn the_quickstart_runs_against_the_reference() {
    let test = TestServer::start().await;
    let done = program::run(&test.server.base_url(), test.server.api_key())
        .await
        .expect("the quickstart succeeds");
    assert_eq!(done.subscriber_id, "quickstart-ada");
    assert_eq!(done.workflow, "quickstart");
    let transactions: BTreeSet<&String> = done.transactions.iter().collect();
    assert_eq!(
        transactions.len(),
        5,
        "five triggers: {:?}",
        done.transactions
    );
    assert_eq!(
        done.feed,
        (1..=5)
            .rev()
            .map(|n| format!("Hello Ada, message {n}"))
            .collect::<Vec<_>>(),
        "every message, newest first, read over three pages"
    );
}
