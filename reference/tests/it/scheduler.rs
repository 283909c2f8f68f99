//! The scheduler: delay and digest steps resume at their due time, through the same engine a
//! trigger runs, even across a restart; a cancel before the due time means they never do.

use std::future::Future;
use std::time::{Duration, Instant};

use novu_reference::Config;
use serde_json::{Value, json};

use crate::events::{feed, in_app, in_app_integration, trigger, workflow};
use crate::{TemporaryDatabase, TestServer};

/// How long a test waits for something the scheduler should do in about a second.
const DEADLINE: Duration = Duration::from_secs(10);

/// Polls `check` until it answers `Some`, failing with `what` after [`DEADLINE`].
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(started.elapsed() < DEADLINE, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A delay of one second, then an in-app step with this content.
fn delayed(content: &str) -> Value {
    json!([
        { "template": { "type": "delay" }, "metadata": { "type": "regular", "amount": 1, "unit": "seconds" } },
        in_app(content, json!([])),
    ])
}

/// The job statuses and the execution details (in order) of a transaction's notification.
async fn activity(test: &TestServer, transaction_id: &str) -> (Vec<String>, Vec<Value>) {
    let page = test
        .client
        .notifications_list()
        .transaction_id(transaction_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.data.len(), 1, "one notification for {transaction_id}");
    let notification = serde_json::to_value(&page.data[0]).unwrap();
    let jobs = notification["jobs"].as_array().unwrap();
    let statuses = jobs
        .iter()
        .map(|job| job["status"].as_str().unwrap().to_owned())
        .collect();
    let details = jobs
        .iter()
        .flat_map(|job| job["executionDetails"].as_array().unwrap().clone())
        .collect();
    (statuses, details)
}

fn detail_texts(details: &[Value]) -> Vec<&str> {
    details
        .iter()
        .map(|detail| detail["detail"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_delay_delivers_the_next_step_once_it_is_due() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Later", delayed("later {{n}}")).await;

    let started = Instant::now();
    trigger(
        &test,
        json!({ "name": name, "to": "ada", "payload": { "n": 1 }, "transactionId": "later" }),
    )
    .await;
    let (statuses, _) = activity(&test, "later").await;
    assert_eq!(statuses, ["delayed", "pending"]);
    let delivered = eventually("the delayed message", || async {
        let feed = feed(&test, "ada").await;
        (!feed.is_empty()).then_some(feed)
    })
    .await;
    let waited = started.elapsed();
    assert_eq!(delivered, ["later 1"]);
    assert!(
        waited >= Duration::from_millis(950),
        "delivered after {waited:?}, before the delay was over"
    );

    let (statuses, details) = activity(&test, "later").await;
    assert_eq!(statuses, ["completed", "completed"]);
    assert_eq!(
        detail_texts(&details),
        [
            "Step queued",
            "Step delayed",
            "Delay is finished",
            "Step queued",
            "Message created",
            "Message sent",
        ]
    );
    let waited: Value = serde_json::from_str(details[1]["raw"].as_str().unwrap()).unwrap();
    let delay = waited["delay"].as_i64().unwrap();
    assert!((900..=1000).contains(&delay), "{waited}");
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_cancelled_delay_never_delivers() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(
        &test,
        "Cancelled",
        delayed("for {{subscriber.subscriberId}}"),
    )
    .await;
    for (transaction_id, to) in [("cancelled", "ada"), ("kept", "bob")] {
        trigger(
            &test,
            json!({ "name": name, "to": to, "transactionId": transaction_id }),
        )
        .await;
    }
    let cancelled = test
        .client
        .events_cancel()
        .transaction_id("cancelled")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(cancelled.data, "the delay was waiting");

    // Bob's job was due at the same time as Ada's: once it ran, Ada's would have too.
    eventually("the kept transaction's message", || async {
        (feed(&test, "bob").await == ["for bob"]).then_some(())
    })
    .await;
    assert!(feed(&test, "ada").await.is_empty());
    let (statuses, details) = activity(&test, "cancelled").await;
    assert_eq!(statuses, ["canceled", "canceled"]);
    assert!(
        !detail_texts(&details).contains(&"Delay is finished"),
        "{details:?}"
    );
    assert!(
        !test
            .client
            .events_cancel()
            .transaction_id("kept")
            .send()
            .await
            .unwrap()
            .into_inner()
            .data,
        "nothing of the delivered transaction waits any more"
    );
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_digest_delivers_one_message_with_every_event_of_its_window() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(
        &test,
        "Comments",
        json!([
            {
                "template": { "type": "digest" },
                "metadata": { "type": "regular", "amount": 1, "unit": "seconds", "digestKey": "postId" },
            },
            in_app(
                "{{step.total_count}} on {{postId}}:{{#each step.events}} {{author}}{{/each}}",
                json!([]),
            ),
        ]),
    )
    .await;
    for (transaction_id, post, author) in [
        ("first", 1, "ann"),
        ("second", 1, "bob"),
        ("other-post", 2, "cy"),
        ("third", 1, "dee"),
    ] {
        trigger(
            &test,
            json!({
                "name": name,
                "to": "ada",
                "payload": { "postId": post, "author": author },
                "transactionId": transaction_id,
            }),
        )
        .await;
    }
    let mut delivered = eventually("both digests", || async {
        let feed = feed(&test, "ada").await;
        (feed.len() >= 2).then_some(feed)
    })
    .await;
    delivered.sort();
    assert_eq!(delivered, ["1 on 2: cy", "3 on 1: ann bob dee"]);

    let (statuses, details) = activity(&test, "first").await;
    assert_eq!(statuses, ["completed", "completed"]);
    let texts = detail_texts(&details);
    assert_eq!(
        texts,
        [
            "Step queued",
            "Step delayed",
            "Start digesting",
            "Digest triggered events",
            "Step queued",
            "Message created",
            "Message sent",
        ]
    );
    let events: Value = serde_json::from_str(details[3]["raw"].as_str().unwrap()).unwrap();
    assert_eq!(
        events,
        json!([
            { "postId": 1, "author": "ann" },
            { "postId": 1, "author": "bob" },
            { "postId": 1, "author": "dee" },
        ])
    );
    let (statuses, details) = activity(&test, "second").await;
    assert_eq!(statuses, ["merged", "merged"]);
    assert!(detail_texts(&details).contains(&"Digest was merged with other digest"));
    assert_eq!(
        feed(&test, "ada").await.len(),
        2,
        "no message per merged event"
    );
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn cancelling_a_digest_leader_hands_its_window_to_the_next_event() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(
        &test,
        "Handover",
        json!([
            { "template": { "type": "digest" }, "metadata": { "type": "regular", "amount": 1, "unit": "seconds" } },
            in_app("{{step.total_count}}:{{#each step.events}} {{n}}{{/each}}", json!([])),
        ]),
    )
    .await;
    for (transaction_id, n) in [("leader", 1), ("follower", 2), ("last", 3)] {
        trigger(
            &test,
            json!({ "name": name, "to": "ada", "payload": { "n": n }, "transactionId": transaction_id }),
        )
        .await;
    }
    assert!(
        test.client
            .events_cancel()
            .transaction_id("leader")
            .send()
            .await
            .unwrap()
            .into_inner()
            .data
    );
    let (statuses, _) = activity(&test, "follower").await;
    assert_eq!(statuses, ["delayed", "pending"], "the follower waits now");

    let delivered = eventually("the handed-over digest", || async {
        let feed = feed(&test, "ada").await;
        (!feed.is_empty()).then_some(feed)
    })
    .await;
    assert_eq!(delivered, ["2: 2 3"]);
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_overdue_job_resumes_after_a_restart() {
    let database = TemporaryDatabase::new("scheduler-restart");
    let config = Config {
        database: database.0.clone(),
        ..Config::in_memory()
    };
    let test = TestServer::start_with(config.clone()).await;
    in_app_integration(&test).await;
    let name = workflow(&test, "Durable", delayed("survived")).await;
    trigger(
        &test,
        json!({ "name": name, "to": "ada", "transactionId": "durable" }),
    )
    .await;
    assert!(feed(&test, "ada").await.is_empty());
    test.server.shutdown().await.unwrap();

    // Down past the due time, so the job is overdue when the server comes back.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let test = TestServer::start_with(config).await;
    let delivered = eventually("the overdue message", || async {
        let feed = feed(&test, "ada").await;
        (!feed.is_empty()).then_some(feed)
    })
    .await;
    assert_eq!(delivered, ["survived"]);
    let (statuses, details) = activity(&test, "durable").await;
    assert_eq!(statuses, ["completed", "completed"]);
    assert!(detail_texts(&details).contains(&"Delay is finished"));
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_backoff_digest_only_waits_when_events_come_close_together() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(
        &test,
        "Backoff",
        json!([
            {
                "template": { "type": "digest" },
                "metadata": {
                    "type": "backoff", "amount": 1, "unit": "seconds",
                    "backoffAmount": 5, "backoffUnit": "minutes",
                },
            },
            in_app("[{{step.total_count}}]{{#each step.events}} {{n}}{{/each}}", json!([])),
        ]),
    )
    .await;
    trigger(
        &test,
        json!({ "name": name, "to": "ada", "payload": { "n": 1 }, "transactionId": "alone" }),
    )
    .await;
    // Not digested: the step sees no events, a count of 0.
    assert_eq!(
        feed(&test, "ada").await,
        ["[0]"],
        "nothing came before: not digested"
    );
    let (statuses, _) = activity(&test, "alone").await;
    assert_eq!(statuses, ["skipped", "completed"]);

    for (transaction_id, n) in [("close", 2), ("closer", 3)] {
        trigger(
            &test,
            json!({ "name": name, "to": "ada", "payload": { "n": n }, "transactionId": transaction_id }),
        )
        .await;
    }
    let (statuses, _) = activity(&test, "close").await;
    assert_eq!(statuses, ["delayed", "pending"]);
    let delivered = eventually("the backoff digest", || async {
        let feed = feed(&test, "ada").await;
        (feed.len() == 2).then_some(feed)
    })
    .await;
    assert_eq!(delivered, ["[2] 2 3", "[0]"]);
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_backoff_digest_after_a_delay_skips_the_first_event_of_its_window() {
    let test = TestServer::start().await;
    in_app_integration(&test).await;
    let name = workflow(
        &test,
        "Delayed backoff",
        json!([
            { "template": { "type": "delay" }, "metadata": { "type": "regular", "amount": 1, "unit": "seconds" } },
            {
                "template": { "type": "digest" },
                "metadata": {
                    "type": "backoff", "amount": 1, "unit": "seconds",
                    "backoffAmount": 5, "backoffUnit": "minutes",
                },
            },
            in_app("[{{step.total_count}}]{{#each step.events}} {{n}}{{/each}}", json!([])),
        ]),
    )
    .await;
    // Both events wait out the delay; by the time the first reaches its digest the second
    // has arrived, but it came later: the first is not digested, the second is.
    for (transaction_id, n) in [("first", 1), ("second", 2)] {
        trigger(
            &test,
            json!({ "name": name, "to": "ada", "payload": { "n": n }, "transactionId": transaction_id }),
        )
        .await;
    }
    let delivered = eventually("both events delivered", || async {
        let feed = feed(&test, "ada").await;
        (feed.len() == 2).then_some(feed)
    })
    .await;
    assert_eq!(
        delivered,
        ["[1] 2", "[0]"],
        "a skipped event sees no digest: a count of 0"
    );
    let (statuses, _) = activity(&test, "first").await;
    assert_eq!(statuses, ["completed", "skipped", "completed"]);
    let (statuses, _) = activity(&test, "second").await;
    assert_eq!(statuses, ["completed", "completed", "completed"]);
    test.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn jobs_left_waiting_before_the_scheduler_existed_resume_after_the_upgrade() {
    let database = TemporaryDatabase::new("scheduler-upgrade");
    let config = Config {
        database: database.0.clone(),
        ..Config::in_memory()
    };
    let test = TestServer::start_with(config.clone()).await;
    in_app_integration(&test).await;
    let name = workflow(
        &test,
        "Stuck",
        json!([
            { "template": { "type": "delay" }, "metadata": { "type": "regular", "amount": 1, "unit": "days" } },
            in_app("unstuck", json!([])),
        ]),
    )
    .await;
    trigger(&test, json!({ "name": name, "to": "ada" })).await;
    test.server.shutdown().await.unwrap();

    // Back to the schema before the scheduler: no due times. The migrations after the
    // scheduler's (membership ids, change bases, change filing, the change list's index) are
    // undone first; a later migration must be undone here too.
    let connection = rusqlite::Connection::open(&database.0).unwrap();
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    connection
        .execute_batch(&format!(
            "DROP INDEX changes_listed; \
             DROP INDEX changes_by_parent; ALTER TABLE changes DROP COLUMN parent_id; \
             ALTER TABLE changes DROP COLUMN after; \
             DROP INDEX changes_by_age; ALTER TABLE changes DROP COLUMN base; \
             ALTER TABLE topic_subscribers DROP COLUMN id; \
             DROP INDEX jobs_by_due_at; DROP INDEX jobs_by_merged_digest; \
             ALTER TABLE jobs DROP COLUMN due_at; PRAGMA user_version = {};",
            version - 5
        ))
        .unwrap();
    drop(connection);

    let test = TestServer::start_with(config).await;
    let delivered = eventually("the job the upgrade made due", || async {
        let feed = feed(&test, "ada").await;
        (!feed.is_empty()).then_some(feed)
    })
    .await;
    assert_eq!(delivered, ["unstuck"]);
    test.server.shutdown().await.unwrap();
}
