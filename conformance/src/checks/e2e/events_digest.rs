//! Cases ported from Novu's `events/e2e/digest-events.e2e.ts`: events within a digest's window
//! are merged into the first, per digest key; the later steps see `step.digest` and the
//! digested events; a chain without a digest sees no `step.digest`.
//!
//! Novu reads the jobs from its repository; here they are read from the activity feed of the
//! case's workflow (its only recipient is the case's subscriber). The cases wait for the
//! digest windows Novu's tests set (1 or 2 seconds).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::session::{
    DELIVERY, channel_integration, channel_step, id_of, identifier, messages_of, session_subscriber,
};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

pub(super) const DIGEST: &str = "events/e2e/digest-events.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        DIGEST,
        "should digest events within time interval",
        "events_trigger",
        |t| Box::pin(within_interval(t)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should not have digest prop when not running a digest",
        "events_trigger",
        |t| Box::pin(no_digest_prop(t)),
    ),
    Ported::new(
        DIGEST,
        "should add a digest prop to template compilation",
        "events_trigger",
        |t| Box::pin(digest_prop(t)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should digest based on same digestKey within time interval",
        "events_trigger",
        |t| Box::pin(same_digest_key(t)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should digest delayed events",
        "events_trigger",
        |t| Box::pin(digest_after_in_app(t)),
    )
    .waits(),
];

/// A regular digest step of `seconds`, on `digest_key` when given.
pub(super) fn digest_step(seconds: u64, digest_key: Option<&str>) -> Value {
    let mut metadata = json!({ "unit": "seconds", "amount": seconds, "type": "regular" });
    if let Some(key) = digest_key {
        metadata["digestKey"] = json!(key);
    }
    json!({
        "name": "digest", "active": true,
        "template": { "type": "digest", "content": "" },
        "metadata": metadata,
    })
}

/// Triggers `workflow` for `subscriber_id` with `payload`.
pub(super) async fn trigger(
    trial: &Trial<'_>,
    workflow: &Value,
    subscriber_id: &str,
    payload: Value,
) -> Result<(), Stop> {
    trial
        .setup(
            "the event is triggered",
            "events_trigger",
            &[],
            Some(
                json!({ "name": identifier(workflow), "to": [subscriber_id], "payload": payload }),
            ),
        )
        .await
        .map(drop)
}

/// The jobs of `workflow`'s notifications once `done` holds of them (or the deadline passed).
pub(super) async fn jobs_when(
    trial: &Trial<'_>,
    workflow: &Value,
    done: impl Fn(&[Value]) -> bool,
) -> Result<(Reply, Vec<Value>), Stop> {
    let started = Instant::now();
    let workflow_id = id_of(workflow);
    loop {
        let reply = trial
            .call(
                "notifications_list",
                &[],
                &[("templates", &workflow_id)],
                None,
            )
            .await?;
        let jobs: Vec<Value> = items(reply.data())
            .iter()
            .flat_map(|notification| items(&notification["jobs"]).to_vec())
            .collect();
        if done(&jobs) || started.elapsed() >= DELIVERY + Duration::from_secs(2) {
            return Ok((reply, jobs));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How many jobs are still to run (`pending`, `queued`, `running`), as Novu's
/// `awaitRunningJobs` counts them.
pub(super) fn to_run(jobs: &[Value]) -> usize {
    jobs.iter()
        .filter(|job| {
            ["pending", "queued", "running"]
                .iter()
                .any(|status| job["status"] == *status)
        })
        .count()
}

/// The jobs of step type `kind`.
pub(super) fn of_type<'j>(jobs: &'j [Value], kind: &str) -> Vec<&'j Value> {
    jobs.iter().filter(|job| job["type"] == kind).collect()
}

async fn within_interval(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([
            channel_step("sms", "Hello world {{customVar}}"),
            digest_step(1, None),
            channel_step("sms", "Hello world {{customVar}}"),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "customVar": "Testing of User Name" }),
    )
    .await?;
    trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "customVar": "digest" }),
    )
    .await?;
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| {
        of_type(jobs, "digest").len() == 2 && to_run(jobs) <= 2
    })
    .await?;
    let digests = of_type(&jobs, "digest");
    trial.equal(
        &reply,
        "the number of digest jobs",
        &json!(digests.len()),
        2,
    )?;
    let delayed = digests
        .iter()
        .filter(|job| job["status"] == "delayed")
        .count();
    trial.equal(
        &reply,
        "the number of delayed digest jobs",
        &json!(delayed),
        1,
    )?;
    trial.equal(
        &reply,
        "the number of other digest jobs",
        &json!(digests.len() - delayed),
        1,
    )?;
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| to_run(jobs) == 0).await?;
    let live: Vec<Value> = jobs
        .into_iter()
        .filter(|job| job["status"] != "canceled")
        .collect();
    let digest = of_type(&live, "digest")
        .first()
        .copied()
        .cloned()
        .unwrap_or_default();
    let amount = &digest["digest"]["amount"];
    trial.holds(
        &reply,
        &format!("the digest job's digest.amount ({amount}) is 1"),
        amount.as_f64() == Some(1.0),
    )?;
    trial.equal(
        &reply,
        "the digest job's digest.unit",
        &digest["digest"]["unit"],
        "seconds",
    )?;
    let with_events = live
        .iter()
        .find(|job| !items(&job["digest"]["events"]).is_empty())
        .cloned()
        .unwrap_or_default();
    trial.equal(
        &reply,
        "the number of digested events",
        &json!(items(&with_events["digest"]["events"]).len()),
        2,
    )
}

async fn no_digest_prop(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([channel_step(
            "sms",
            "Hello world {{#if step.digest}} HAS_DIGEST_PROP {{else}} NO_DIGEST_PROP {{/if}}"
        )]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "customVar": "Testing of User Name" }),
    )
    .await?;
    let listed = messages_of(trial, &subscriber_id, "sms", 1).await?;
    let content = listed.data()[0]["content"].as_str().unwrap_or_default();
    trial.holds(
        &listed,
        "the SMS includes NO_DIGEST_PROP and not HAS_DIGEST_PROP",
        content.contains("NO_DIGEST_PROP") && !content.contains("HAS_DIGEST_PROP"),
    )
}

async fn digest_prop(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([
            digest_step(2, None),
            channel_step(
                "sms",
                "Hello world {{#if step.digest}} HAS_DIGEST_PROP {{/if}}"
            ),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "customVar": "Testing of User Name" }),
    )
    .await?;
    trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "customVar": "digest" }),
    )
    .await?;
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| to_run(jobs) == 0).await?;
    let digests = of_type(&jobs, "digest");
    trial.equal(
        &reply,
        "the number of digest jobs",
        &json!(digests.len()),
        2,
    )?;
    for status in ["completed", "merged"] {
        trial.holds(
            &reply,
            &format!("a digest job is {status}"),
            digests.iter().any(|job| job["status"] == status),
        )?;
    }
    let listed = messages_of(trial, &subscriber_id, "sms", 1).await?;
    let content = listed.data()[0]["content"].as_str().unwrap_or_default();
    trial.holds(
        &listed,
        "the digest's SMS includes HAS_DIGEST_PROP",
        content.contains("HAS_DIGEST_PROP"),
    )
}

async fn same_digest_key(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([
            digest_step(2, Some("id")),
            channel_step("sms", "Hello world {{step.events.length}}"),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    for (custom_var, key) in [
        ("Testing of User Name", "digest-key-one"),
        ("Testing of User Name", "digest-key-one"),
        ("digest", "digest-key-two"),
    ] {
        trigger(
            trial,
            &workflow,
            &subscriber_id,
            json!({ "customVar": custom_var, "id": key }),
        )
        .await?;
    }
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| to_run(jobs) == 0).await?;
    let digests = of_type(&jobs, "digest");
    trial.equal(
        &reply,
        "the number of digest jobs",
        &json!(digests.len()),
        3,
    )?;
    for (status, expected) in [("completed", 2), ("merged", 1)] {
        let counted = digests.iter().filter(|job| job["status"] == status).count();
        trial.equal(
            &reply,
            &format!("the number of {status} digest jobs"),
            &json!(counted),
            expected,
        )?;
    }
    let listed = messages_of(trial, &subscriber_id, "sms", 2).await?;
    let contents: Vec<&str> = items(listed.data())
        .iter()
        .filter_map(|message| message["content"].as_str())
        .collect();
    trial.equal(
        &listed,
        "the number of SMS messages",
        &json!(contents.len()),
        2,
    )?;
    for (text, expected) in [("Hello world 2", 1), ("Hello world 1", 1)] {
        let counted = contents
            .iter()
            .filter(|content| content.contains(text))
            .count();
        trial.equal(
            &listed,
            &format!("the number of messages with `{text}`"),
            &json!(counted),
            expected,
        )?;
    }
    Ok(())
}

async fn digest_after_in_app(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = trial
        .workflow(json!([
            channel_step("in_app", "Hello world {{customVar}}"),
            digest_step(2, None),
            channel_step("in_app", "Hello world {{step.events.length}}"),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    trigger(
        trial,
        &workflow,
        &subscriber_id,
        json!({ "customVar": "Testing of User Name" }),
    )
    .await?;
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| {
        !jobs.is_empty() && jobs.iter().all(|job| job["status"] == "completed")
    })
    .await?;
    let unfinished = jobs
        .iter()
        .filter(|job| job["status"] != "completed")
        .count();
    trial.equal(
        &reply,
        "the number of jobs not completed",
        &json!(unfinished),
        0,
    )
}
