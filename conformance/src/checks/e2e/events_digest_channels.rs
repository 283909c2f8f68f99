//! The cases of Novu's `events/e2e/digest-events.e2e.ts` that deliver through chat or push:
//! Novu's session has a Slack and an FCM integration and its subscribers a Slack webhook and
//! an FCM device token. Here each case makes the integration it needs (and deletes it) and
//! gives its subscriber the credentials for that integration by its identifier: these cases
//! play beside the concurrent checks, which may make integrations of the same provider
//! meanwhile, and Novu binds credentials given without an identifier to the provider's first
//! active integration, whichever that is then.
//!
//! As in the other digest cases, the activity feed lists the jobs without Novu's trigger jobs:
//! its job counts are one job per event lower.

use serde_json::{Value, json};

use super::events_digest::{DIGEST, digest_step, jobs_when, to_run, trigger};
use super::events_digest_keys::{
    all_at_once, backoff_digest_step, backoff_digests, digest_prop_message,
};
use super::session::{channel_step, integration, messages_of, session_subscriber};
use super::{Ported, Trial, items};
use crate::checks::semantic::sandbox::Stop;

/// The ported cases of this part of the file.
pub const CASES: &[Ported] = &[
    Ported::new(
        DIGEST,
        "should create multiple digest based on different digestKeys with backoff",
        "events_trigger",
        |t| Box::pin(digest_keys_with_backoff(t)),
    )
    .waits(),
    Ported::new(
        DIGEST,
        "should add a digest prop to push template compilation",
        "events_trigger",
        |t| Box::pin(push_digest_prop(t)),
    )
    .waits(),
];

/// An active integration of `provider` for `channel` (deleted at the end), and a subscriber
/// whose credentials for that integration are `credentials`; answers the subscriber's id.
async fn subscriber_of(
    trial: &Trial<'_>,
    provider: &str,
    channel: &str,
    integration_credentials: Value,
    credentials: Value,
) -> Result<String, Stop> {
    let made = integration(trial, provider, channel, integration_credentials).await?;
    let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
    trial
        .setup(
            &format!("the subscriber's {provider} credentials are set"),
            "subscriber_credentials_update",
            &[("subscriberId", &subscriber_id)],
            Some(json!({
                "providerId": provider,
                "integrationIdentifier": made["identifier"],
                "credentials": credentials,
            })),
        )
        .await?;
    Ok(subscriber_id)
}

async fn digest_keys_with_backoff(trial: &Trial<'_>) -> Result<(), Stop> {
    let subscriber_id = subscriber_of(
        trial,
        "slack",
        "chat",
        json!({}),
        json!({ "webhookUrl": "https://slack.com/webhook/test" }),
    )
    .await?;
    let workflow = trial
        .workflow(json!([
            backoff_digest_step("postId"),
            channel_step("chat", "Hello world {{postId}}"),
        ]))
        .await?;
    let (post, post2) = (trial.name("post-1"), trial.name("post-2"));
    let events = [
        json!({ "customVar": "first", "postId": post }),
        json!({ "customVar": "second" }),
        json!({ "customVar": "third", "postId": post2 }),
        json!({ "customVar": "fourth", "postId": post }),
        json!({ "customVar": "fifth", "postId": post2 }),
        json!({ "customVar": "sixth" }),
    ];
    let triggers = events
        .into_iter()
        .map(|payload| trigger(trial, &workflow, &subscriber_id, payload));
    all_at_once(triggers.collect())
        .await
        .into_iter()
        .collect::<Result<Vec<()>, Stop>>()?;
    let (reply, jobs) = jobs_when(trial, &workflow, |jobs| to_run(jobs) == 0).await?;
    backoff_digests(trial, &reply, &jobs, false, [&post, &post2])?;
    let listed = messages_of(trial, &subscriber_id, "chat", 6).await?;
    let contents: Vec<&str> = items(listed.data())
        .iter()
        .filter_map(|message| message["content"].as_str())
        .collect();
    trial.equal(
        &listed,
        "the number of chat messages",
        &json!(contents.len()),
        6,
    )?;
    for post in [&post, &post2] {
        let text = format!("Hello world {post}");
        trial.holds(
            &listed,
            &format!("a chat message is `{text}`"),
            contents.contains(&text.as_str()),
        )?;
    }
    // Novu's 18 jobs less the 6 trigger jobs the feed does not list.
    trial.equal(&reply, "the number of jobs listed", &json!(jobs.len()), 12)
}

async fn push_digest_prop(trial: &Trial<'_>) -> Result<(), Stop> {
    let subscriber_id = subscriber_of(
        trial,
        "fcm",
        "push",
        json!({ "serviceAccount": "{}" }),
        json!({ "deviceTokens": ["identifier"] }),
    )
    .await?;
    let content = "Hello world {{#if step.digest}} HAS_DIGEST_PROP {{/if}}";
    let mut push = channel_step("push", content);
    push["template"]["title"] = json!(content);
    let workflow = trial.workflow(json!([digest_step(2, None), push])).await?;
    for custom_var in ["Testing of User Name", "digest"] {
        let payload = json!({ "customVar": custom_var });
        trigger(trial, &workflow, &subscriber_id, payload).await?;
    }
    digest_prop_message(trial, &workflow, &subscriber_id, "push", |content| {
        (!content.contains("HAS_DIGEST_PROP")).then_some("HAS_DIGEST_PROP")
    })
    .await
}
