//! More cases of Novu's `events/e2e/digest-events.e2e.ts`, on objects of their own: digests
//! split by a digest key (flat or nested, regular or backoff), `step.total_count` and
//! `step.digest` in an in-app step, and events merged into one digest whether they arrive at
//! once or one after another.
//!
//! Novu counts every job of the workflow from its repository, one trigger job per event among
//! them; the activity feed read here lists the jobs without the trigger jobs, so those counts
//! are one job per event lower. Where Novu reads a digest job as `delayed` while its window is
//! open, a run slowed down (a loaded machine) may read it just after the window closed: the
//! job that waited then counts as delayed once `completed`, the merged ones never do.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::events_digest::{DIGEST, digest_step, jobs_when, of_type, to_run, trigger};
use super::session::{channel_integration, channel_step, messages_of, session_subscriber};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

/// The ported cases of this part of the file.
pub const CASES: &[Ported] = &[
    Ported::new(
        DIGEST,
        "should digest based on digestKey within time interval",
        "events_trigger",
        |t| Box::pin(digest_key_within_interval(t)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should create multiple digest based on different digestKeys",
        "events_trigger",
        |t| Box::pin(different_digest_keys(t, false)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should create multiple digests based on different nested digestKeys",
        "events_trigger",
        |t| Box::pin(different_digest_keys(t, true)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should create multiple digests based on different nested digestKeys with backoff",
        "events_trigger",
        |t| Box::pin(nested_keys_with_backoff(t)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should add a digest prop to chat template compilation",
        "events_trigger",
        |t| Box::pin(total_count_prop(t)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should merge digest events accordingly when concurrent calls",
        "events_trigger",
        |t| Box::pin(concurrent_calls(t)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should merge digest events when sequential calls",
        "events_trigger",
        |t| Box::pin(sequential_calls(t)),
    )
    .waits(),
];

/// A backoff digest of 2 seconds on `digest_key` whose backoff window is 5 minutes, as Novu's
/// backoff cases set it.
pub(super) fn backoff_digest_step(digest_key: &str) -> Value {
    let mut step = digest_step(2, Some(digest_key));
    step["metadata"]["type"] = json!("backoff");
    step["metadata"]["backoffUnit"] = json!("minutes");
    step["metadata"]["backoffAmount"] = json!(5);
    step
}

/// The payload `{ customVar, postId }` (or `{ customVar, nested: { postId } }` when `nested`),
/// without the post when `post` is `None`.
fn post_payload(nested: bool, custom_var: &str, post: Option<&str>) -> Value {
    match (post, nested) {
        (None, _) => json!({ "customVar": custom_var }),
        (Some(post), false) => json!({ "customVar": custom_var, "postId": post }),
        (Some(post), true) => json!({ "customVar": custom_var, "nested": { "postId": post } }),
    }
}

/// The post id of a job's payload, flat or nested.
fn post_of(job: &Value, nested: bool) -> &Value {
    if nested {
        &job["payload"]["nested"]["postId"]
    } else {
        &job["payload"]["postId"]
    }
}

/// Whether a digest job is the one of its window that waited: Novu reads it while the window
/// is open (`delayed`); a run slowed down may read it just after the window closed, when the
/// same job is `completed`. The jobs merged into it are neither.
fn waited(job: &Value) -> bool {
    job["status"] == "delayed" || job["status"] == "completed"
}

/// How many of `jobs` have `status`.
fn with_status(jobs: &[&Value], status: &str) -> usize {
    jobs.iter().filter(|job| job["status"] == status).count()
}

/// Asserts that `actual`, a number read from `reply`, is `expected`.
fn count(
    trial: &Trial<'_>,
    reply: &Reply,
    what: &str,
    actual: usize,
    expected: usize,
) -> Result<(), Stop> {
    trial.equal(reply, what, &json!(actual), expected)
}

/// The contents of the messages `reply` lists.
fn contents(reply: &Reply) -> Vec<&str> {
    items(reply.data())
        .iter()
        .filter_map(|message| message["content"].as_str())
        .collect()
}

async fn digest_key_within_interval(trial: &Trial<'_>) -> Result<(), Stop> {
    channel_integration(trial, "sms").await?;
    let workflow = trial
        .workflow(json!([
            channel_step("sms", "Hello world {{customVar}}"),
            digest_step(2, Some("id")),
            channel_step("sms", "Hello world {{customVar}}"),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let id = trial.name("id");
    for payload in [
        json!({ "customVar": "Testing of User Name", "id": id }),
        json!({ "customVar": "digest" }),
        json!({ "customVar": "haj", "id": id }),
    ] {
        trigger(trial, &workflow, &subscriber_id, payload).await?;
    }
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| {
        of_type(jobs, "digest").len() == 3 && to_run(jobs) <= 3
    })
    .await?;
    let digests = of_type(&jobs, "digest");
    count(trial, &reply, "the number of digest jobs", digests.len(), 3)?;
    let delayed = digests.iter().filter(|job| waited(job)).count();
    count(
        trial,
        &reply,
        "the number of delayed digest jobs (completed once the window closed)",
        delayed,
        2,
    )?;
    let others = digests.len() - delayed;
    count(trial, &reply, "the number of other digest jobs", others, 1)?;
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| to_run(jobs) == 0).await?;
    let keyed = jobs
        .iter()
        .filter(|job| job["digest"]["digestKey"] == "id")
        .count();
    count(
        trial,
        &reply,
        "the number of jobs digested on `id`",
        keyed,
        3,
    )?;
    let with_events = of_type(&jobs, "sms")
        .into_iter()
        .filter(|job| !items(&job["digest"]["events"]).is_empty())
        .count();
    count(
        trial,
        &reply,
        "the number of SMS jobs with digested events",
        with_events,
        2,
    )
}

async fn different_digest_keys(trial: &Trial<'_>, nested: bool) -> Result<(), Stop> {
    let (key, content) = if nested {
        ("nested.postId", "Hello world {{nested.postId}}")
    } else {
        ("postId", "Hello world {{postId}}")
    };
    let workflow = trial
        .workflow(json!([
            digest_step(2, Some(key)),
            channel_step("in_app", content)
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let (post, post2) = (trial.name("post-1"), trial.name("post-2"));
    for (custom_var, post) in [
        ("No digest key", None),
        ("digest key1", Some(post.as_str())),
        ("digest key2", Some(post2.as_str())),
        ("No digest key repeat", None),
        ("digest key1 repeat", Some(post.as_str())),
    ] {
        let payload = post_payload(nested, custom_var, post);
        trigger(trial, &workflow, &subscriber_id, payload).await?;
    }
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| to_run(jobs) == 0).await?;
    let digests = of_type(&jobs, "digest");
    count(trial, &reply, "the number of digest jobs", digests.len(), 5)?;
    let of_post = |wanted: &Value| -> Vec<&Value> {
        digests
            .iter()
            .copied()
            .filter(|job| post_of(job, nested) == wanted)
            .collect()
    };
    let without = of_post(&Value::Null).len();
    count(
        trial,
        &reply,
        "the number of digest jobs without a post",
        without,
        2,
    )?;
    let first = of_post(&json!(post));
    let merged = with_status(&first, "merged");
    count(
        trial,
        &reply,
        "the number of merged jobs of post 1",
        merged,
        1,
    )?;
    count(
        trial,
        &reply,
        "the number of jobs of post 1",
        first.len(),
        2,
    )?;
    let second = of_post(&json!(post2)).len();
    count(trial, &reply, "the number of jobs of post 2", second, 1)?;
    let listed = messages_of(trial, &subscriber_id, "in_app", 3).await?;
    let texts = contents(&listed);
    count(trial, &listed, "the number of messages", texts.len(), 3)?;
    for (what, found) in [
        (
            "a message names post 1",
            texts.iter().any(|text| text.contains(&post)),
        ),
        (
            "a message names post 2",
            texts.iter().any(|text| text.contains(&post2)),
        ),
        (
            "a message is `Hello world ` (no digest key)",
            texts.contains(&"Hello world "),
        ),
    ] {
        trial.holds(&listed, what, found)?;
    }
    // Novu's 15 jobs less the 5 trigger jobs the feed does not list.
    count(trial, &reply, "the number of jobs listed", jobs.len(), 10)
}

async fn nested_keys_with_backoff(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = trial
        .workflow(json!([
            backoff_digest_step("nested.postId"),
            channel_step("in_app", "Hello world {{nested.postId}}"),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let (post, post2) = (trial.name("post-1"), trial.name("post-2"));
    for (custom_var, post) in [
        ("first", Some(post.as_str())),
        ("second", Some(post.as_str())),
        ("third", None),
        ("fourth", Some(post2.as_str())),
        ("fifth", Some(post2.as_str())),
        ("sixth", None),
    ] {
        let payload = post_payload(true, custom_var, post);
        trigger(trial, &workflow, &subscriber_id, payload).await?;
    }
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| to_run(jobs) == 0).await?;
    backoff_digests(trial, &reply, &jobs, true, [&post, &post2])?;
    let listed = messages_of(trial, &subscriber_id, "in_app", 6).await?;
    count(
        trial,
        &listed,
        "the number of messages",
        contents(&listed).len(),
        6,
    )?;
    // Novu's 18 jobs less the 6 trigger jobs the feed does not list.
    count(trial, &reply, "the number of jobs listed", jobs.len(), 12)
}

/// Checks the digest jobs of Novu's backoff cases: six events, two per post and two without,
/// of which the first of each digest value is not digested (skipped) and the second is.
pub(super) fn backoff_digests(
    trial: &Trial<'_>,
    reply: &Reply,
    jobs: &[Value],
    nested: bool,
    posts: [&str; 2],
) -> Result<(), Stop> {
    let digests = of_type(jobs, "digest");
    count(trial, reply, "the number of digest jobs", digests.len(), 6)?;
    let completed = with_status(&digests, "completed");
    count(
        trial,
        reply,
        "the number of completed digest jobs",
        completed,
        3,
    )?;
    let skipped = with_status(&digests, "skipped");
    count(
        trial,
        reply,
        "the number of skipped digest jobs",
        skipped,
        3,
    )?;
    for (what, wanted) in [
        ("post 1", json!(posts[0])),
        ("post 2", json!(posts[1])),
        ("no post", Value::Null),
    ] {
        let of_post = digests
            .iter()
            .filter(|job| *post_of(job, nested) == wanted)
            .count();
        count(
            trial,
            reply,
            &format!("the number of digest jobs of {what}"),
            of_post,
            2,
        )?;
    }
    Ok(())
}

async fn total_count_prop(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = trial
        .workflow(json!([
            digest_step(2, None),
            channel_step(
                "in_app",
                "Total events in digest:{{step.total_count}} Hello world {{#if step.digest}} HAS_DIGEST_PROP {{/if}}"
            ),
        ]))
        .await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    for custom_var in ["Testing of User Name", "digest"] {
        let payload = json!({ "customVar": custom_var });
        trigger(trial, &workflow, &subscriber_id, payload).await?;
    }
    digest_prop_message(trial, &workflow, &subscriber_id, "in_app", |content| {
        [
            ("HAS_DIGEST_PROP", content.contains("HAS_DIGEST_PROP")),
            (
                "Total events in digest:2",
                content.contains("Total events in digest:2"),
            ),
        ]
        .into_iter()
        .find(|(_, found)| !found)
        .map(|(text, _)| text)
    })
    .await
}

/// Once every job of `workflow` has ended: its two digest jobs, one completed and one merged,
/// and the `channel` message of the completed one's notification, of which `missing` names
/// a text its content lacks.
pub(super) async fn digest_prop_message(
    trial: &Trial<'_>,
    workflow: &Value,
    subscriber_id: &str,
    channel: &str,
    missing: impl Fn(&str) -> Option<&'static str>,
) -> Result<(), Stop> {
    let (reply, jobs) = jobs_when(trial, workflow, |jobs| to_run(jobs) == 0).await?;
    let digests = of_type(&jobs, "digest");
    count(trial, &reply, "the number of digest jobs", digests.len(), 2)?;
    for status in ["completed", "merged"] {
        let found = with_status(&digests, status) > 0;
        trial.holds(&reply, &format!("a digest job is {status}"), found)?;
    }
    let notification = items(reply.data())
        .iter()
        .find(|notification| {
            items(&notification["jobs"])
                .iter()
                .any(|job| job["type"] == "digest" && job["status"] == "completed")
        })
        .map(|notification| notification["_id"].clone())
        .unwrap_or_default();
    let listed = messages_of(trial, subscriber_id, channel, 1).await?;
    let content = items(listed.data())
        .iter()
        .find(|message| message["_notificationId"] == notification)
        .and_then(|message| message["content"].as_str())
        .unwrap_or_default();
    match missing(content) {
        None => Ok(()),
        Some(text) => trial.holds(
            &listed,
            &format!("the digest's {channel} message includes `{text}`"),
            false,
        ),
    }
}

/// Ten triggers of `{ customVar: "<label>-<n>" }`, all at once when `at_once`, else one after
/// another; answers the digest jobs once each has merged or started waiting, with the reply.
async fn ten_events(
    trial: &Trial<'_>,
    workflow: &Value,
    label: &str,
    at_once: bool,
) -> Result<(Reply, Vec<Value>), Stop> {
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    let payloads: Vec<Value> = (1..=10)
        .map(|n| json!({ "customVar": format!("{label}-{n}") }))
        .collect();
    if at_once {
        let triggers = payloads
            .into_iter()
            .map(|payload| trigger(trial, workflow, &subscriber_id, payload));
        all_at_once(triggers.collect())
            .await
            .into_iter()
            .collect::<Result<Vec<()>, Stop>>()?;
    } else {
        for payload in payloads {
            trigger(trial, workflow, &subscriber_id, payload).await?;
        }
    }
    let (reply, jobs) = jobs_when(trial, workflow, |jobs| {
        let digests = of_type(jobs, "digest");
        digests.len() == 10 && to_run(&digests.into_iter().cloned().collect::<Vec<_>>()) == 0
    })
    .await?;
    let digests = of_type(&jobs, "digest").into_iter().cloned().collect();
    Ok((reply, digests))
}

/// The digest window of ten events: ten digest jobs, one waiting and nine merged into it.
fn one_waits_nine_merged(
    trial: &Trial<'_>,
    reply: &Reply,
    digests: &[Value],
) -> Result<Value, Stop> {
    count(trial, reply, "the number of digest jobs", digests.len(), 10)?;
    let delayed = digests.iter().filter(|job| waited(job)).count();
    count(
        trial,
        reply,
        "the number of delayed digest jobs (completed once the window closed)",
        delayed,
        1,
    )?;
    count(
        trial,
        reply,
        "the number of other digest jobs",
        digests.len() - delayed,
        9,
    )?;
    Ok(digests
        .iter()
        .find(|job| waited(job))
        .cloned()
        .unwrap_or_default())
}

/// A digest of 2 seconds before an in-app step with the number of digested events.
async fn counting_workflow(trial: &Trial<'_>) -> Result<Value, Stop> {
    trial
        .workflow(json!([
            digest_step(2, None),
            channel_step("in_app", "Hello world {{step.events.length}}"),
        ]))
        .await
}

/// An ISO 8601 time of a job.
fn time(value: &Value) -> Option<DateTime<Utc>> {
    value
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|time| time.with_timezone(&Utc))
}

async fn concurrent_calls(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = counting_workflow(trial).await?;
    let (reply, digests) = ten_events(trial, &workflow, "concurrent-call", true).await?;
    let delayed = one_waits_nine_merged(trial, &reply, &digests)?;
    let delayed_id = delayed["_id"].clone();
    trial.holds(
        &reply,
        "the delayed job has an updatedAt",
        time(&delayed["updatedAt"]).is_some(),
    )?;
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| {
        jobs.iter()
            .any(|job| job["_id"] == delayed_id && job["status"] == "completed")
    })
    .await?;
    let completed = jobs
        .iter()
        .find(|job| job["_id"] == delayed_id)
        .cloned()
        .unwrap_or_default();
    let updated = time(&completed["updatedAt"]);
    for merged in digests.iter().filter(|job| job["_id"] != delayed_id) {
        let earlier = time(&merged["updatedAt"]);
        trial.holds(
            &reply,
            &format!(
                "the digest job that waited was updated ({}) after the merged one ({})",
                completed["updatedAt"], merged["updatedAt"]
            ),
            updated.is_some() && earlier.is_some() && updated > earlier,
        )?;
    }
    Ok(())
}

async fn sequential_calls(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = counting_workflow(trial).await?;
    let (reply, digests) = ten_events(trial, &workflow, "sequential-calls", false).await?;
    let delayed = one_waits_nine_merged(trial, &reply, &digests)?;
    trial.holds(
        &reply,
        "the delayed job has an updatedAt",
        time(&delayed["updatedAt"]).is_some(),
    )?;
    let custom_var = delayed["payload"]["customVar"].as_str().unwrap_or_default();
    trial.holds(
        &reply,
        &format!("the delayed job's payload.customVar ({custom_var}) contains sequential-calls-"),
        custom_var.contains("sequential-calls-"),
    )?;
    // Nothing more is asserted; the digest is let finish before the case deletes its objects.
    jobs_when(trial, &workflow, |jobs| to_run(jobs) == 0)
        .await
        .map(drop)
}

/// Awaits every future of `futures` together, answering their outputs in order.
pub(super) async fn all_at_once<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut all_ready = true;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(context) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => all_ready = false,
                }
            }
        }
        if all_ready {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
