//! Cases ported from Novu's `notifications/e2e/`: the activity feed and its filters, and the
//! activity statistics.
//!
//! Novu's tests read the feed of a fresh environment; here the feed is narrowed to the case's
//! subscribers, workflows or a unique email, which gives Novu's counts again. The statistics
//! count the whole environment, so those cases compare a read before the case's triggers with
//! one after: the difference is what Novu's fresh environment shows. The subscriber Novu's
//! widget session makes (`/v1/widgets/session/initialize`) is created over the API.

use serde_json::{Value, json};

use super::session::{
    activities, channel_step, default_template, finished, id_of, identifier, made_by_trigger,
    subscriber, triggered,
};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const FEED: &str = "notifications/e2e/get-activity-feed.e2e.ts";
const GRAPH: &str = "notifications/e2e/get-activity-graph-states.e2e.ts";
const STATS: &str = "notifications/e2e/get-activity-stats.e2e.ts";

/// The channels a notification may name.
const CHANNELS: &[&str] = &["in_app", "email", "sms", "chat", "push"];

/// The ported cases of these files.
pub const CASES: &[Ported] = &[
    Ported::new(
        FEED,
        "should get the current activity feed of user",
        "notifications_list",
        |t| Box::pin(current_feed(t)),
    ),
    Ported::new(
        FEED,
        "should filter by channel",
        "notifications_list",
        |t| Box::pin(filter_by_channel(t)),
    ),
    Ported::new(
        FEED,
        "should filter by templateId",
        "notifications_list",
        |t| Box::pin(filter_by_template(t)),
    ),
    Ported::new(FEED, "should filter by email", "notifications_list", |t| {
        Box::pin(filter_by_recipient(t, Recipient::Email))
    }),
    Ported::new(
        FEED,
        "should filter by subscriberId",
        "notifications_list",
        |t| Box::pin(filter_by_recipient(t, Recipient::SubscriberId)),
    ),
    Ported::new(
        GRAPH,
        "should get the current activity feed graph stats",
        "notifications_graph_stats",
        |t| Box::pin(graph_stats(t)),
    ),
    Ported::new(
        STATS,
        "should retrieve last month and last week activity",
        "notifications_stats",
        |t| Box::pin(stats(t)),
    ),
];

/// The subscriber Novu's widget session makes, with the names its tests read.
async fn widget_subscriber(trial: &Trial<'_>) -> Result<String, Stop> {
    let id = trial.name("subscriber");
    subscriber(
        trial,
        &id,
        json!({ "firstName": "Test", "lastName": "User", "email": "test@example.com" }),
    )
    .await?;
    Ok(id)
}

/// Triggers `workflow` for `to` with Novu's payload; answers the transaction id.
async fn trigger(trial: &Trial<'_>, workflow: &Value, to: Value) -> Result<String, Stop> {
    let data = triggered(
        trial,
        json!({ "name": identifier(workflow), "to": to, "payload": { "firstName": "Test" } }),
    )
    .await?;
    Ok(data["transactionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Waits until the jobs of every transaction have ended.
async fn all_finished(trial: &Trial<'_>, transactions: &[String]) -> Result<(), Stop> {
    for transaction in transactions {
        finished(trial, transaction).await?;
    }
    Ok(())
}

/// The number of listed activities is `expected`.
fn count(trial: &Trial<'_>, reply: &Reply, expected: usize) -> Result<(), Stop> {
    trial.equal(
        reply,
        "the number of activities",
        &json!(items(reply.data()).len()),
        expected,
    )
}

async fn current_feed(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = widget_subscriber(trial).await?;
    let mut transactions = Vec::new();
    for _ in 0..2 {
        transactions.push(trigger(trial, &workflow, json!(subscriber_id)).await?);
    }
    all_finished(trial, &transactions).await?;
    let reply = activities(
        trial,
        &[("page", "0"), ("subscriberIds", &subscriber_id)],
        2,
    )
    .await?;
    trial.equal(&reply, "hasMore", &reply.body["hasMore"], false)?;
    count(trial, &reply, 2)?;
    let first = &reply.data()[0];
    trial.equal(
        &reply,
        "data[0].template.name",
        &first["template"]["name"],
        workflow["name"].clone(),
    )?;
    trial.equal(
        &reply,
        "data[0].template._id",
        &first["template"]["_id"],
        workflow["_id"].clone(),
    )?;
    trial.equal(
        &reply,
        "data[0].subscriber.firstName",
        &first["subscriber"]["firstName"],
        "Test",
    )?;
    let channels = super::strings(&first["channels"]);
    trial.holds(
        &reply,
        "data[0].channels names a channel",
        channels.iter().any(|channel| CHANNELS.contains(channel)),
    )
}

async fn filter_by_channel(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let sms_only = trial
        .workflow(json!([channel_step("sms", "{{firstName}}")]))
        .await?;
    let subscriber_id = widget_subscriber(trial).await?;
    let transactions = vec![
        trigger(trial, &workflow, json!(subscriber_id)).await?,
        trigger(trial, &sms_only, json!(subscriber_id)).await?,
        trigger(trial, &sms_only, json!(subscriber_id)).await?,
    ];
    all_finished(trial, &transactions).await?;
    let reply = activities(
        trial,
        &[
            ("page", "0"),
            ("channels", "sms"),
            ("subscriberIds", &subscriber_id),
        ],
        2,
    )
    .await?;
    count(trial, &reply, 2)?;
    let first = &reply.data()[0];
    trial.equal(
        &reply,
        "data[0].template.name",
        &first["template"]["name"],
        sms_only["name"].clone(),
    )?;
    trial.holds(
        &reply,
        "data[0].channels includes sms",
        super::strings(&first["channels"]).contains(&"sms"),
    )
}

async fn filter_by_template(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let sms_only = trial
        .workflow(json!([channel_step("sms", "{{firstName}}")]))
        .await?;
    let subscriber_id = widget_subscriber(trial).await?;
    let transactions = vec![
        trigger(trial, &sms_only, json!(subscriber_id)).await?,
        trigger(trial, &workflow, json!(subscriber_id)).await?,
        trigger(trial, &workflow, json!(subscriber_id)).await?,
    ];
    all_finished(trial, &transactions).await?;
    let workflow_id = id_of(&workflow);
    let reply = activities(trial, &[("page", "0"), ("templates", &workflow_id)], 2).await?;
    count(trial, &reply, 2)?;
    for index in 0..2 {
        trial.equal(
            &reply,
            &format!("data[{index}]._templateId"),
            &reply.data()[index]["_templateId"],
            workflow_id.as_str(),
        )?;
    }
    Ok(())
}

/// Which recipient of four the feed is narrowed to.
#[derive(Clone, Copy)]
enum Recipient {
    /// The one triggered with an email (made unique to the case: the environment is shared).
    Email,
    /// The one triggered with a new subscriber id.
    SubscriberId,
}

async fn filter_by_recipient(trial: &Trial<'_>, recipient: Recipient) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = widget_subscriber(trial).await?;
    let email = format!("{}@email.coms", trial.name("test"));
    let first = trial.name("first-some-test");
    let second = trial.name("second");
    let third = trial.name("third");
    for made in [&first, &second, &third] {
        made_by_trigger(trial, made);
    }
    let transactions = vec![
        trigger(
            trial,
            &workflow,
            json!({ "subscriberId": first, "email": email }),
        )
        .await?,
        trigger(trial, &workflow, json!(second)).await?,
        trigger(trial, &workflow, json!({ "subscriberId": third })).await?,
        trigger(trial, &workflow, json!({ "subscriberId": subscriber_id })).await?,
    ];
    all_finished(trial, &transactions).await?;
    let filter = match recipient {
        Recipient::Email => ("emails", email.as_str()),
        Recipient::SubscriberId => ("subscriberIds", first.as_str()),
    };
    let reply = activities(trial, &[("page", "0"), filter], 1).await?;
    count(trial, &reply, 1)?;
    trial.equal(
        &reply,
        "data[0]._templateId",
        &reply.data()[0]["_templateId"],
        workflow["_id"].clone(),
    )
}

/// Today's entry of the graph statistics (UTC date), if any.
fn today(reply: &Reply) -> Option<Value> {
    let date = today_utc();
    items(reply.data())
        .iter()
        .find(|entry| entry["_id"] == date.as_str())
        .cloned()
}

/// Today's date, `yyyy-MM-dd`, in UTC.
fn today_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

async fn graph_stats(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = widget_subscriber(trial).await?;
    let before = trial
        .call("notifications_graph_stats", &[], &[], None)
        .await?;
    trial.status(&before, 200)?;
    let counted_before = today(&before).map_or(0, |entry| entry["count"].as_u64().unwrap_or(0));
    let transactions = vec![
        trigger(trial, &workflow, json!(subscriber_id)).await?,
        trigger(trial, &workflow, json!(subscriber_id)).await?,
    ];
    all_finished(trial, &transactions).await?;
    let after = trial
        .call("notifications_graph_stats", &[], &[], None)
        .await?;
    let Some(entry) = today(&after) else {
        return trial.fail(
            &after,
            &format!("an entry for today ({})", today_utc()),
            "there is none",
        );
    };
    // Two triggers of an in-app and an email step: four messages more today.
    trial.equal(
        &after,
        "today's count, less the count before the triggers",
        &json!(
            entry["count"]
                .as_u64()
                .unwrap_or(0)
                .saturating_sub(counted_before)
        ),
        4,
    )?;
    trial.holds(
        &after,
        "today's channels name a channel",
        super::strings(&entry["channels"])
            .iter()
            .any(|channel| CHANNELS.contains(channel)),
    )?;
    trial.holds(
        &after,
        "today's templates include the workflow",
        super::strings(&entry["templates"]).contains(&id_of(&workflow).as_str()),
    )
}

/// Novu's test moves two messages into the past in its repository, which changes neither
/// count (both count notifications); here the two triggers' notifications are counted.
async fn stats(trial: &Trial<'_>) -> Result<(), Stop> {
    let workflow = default_template(trial).await?;
    let subscriber_id = widget_subscriber(trial).await?;
    let before = trial.call("notifications_stats", &[], &[], None).await?;
    trial.status(&before, 200)?;
    let transactions = vec![
        trigger(trial, &workflow, json!(subscriber_id)).await?,
        trigger(trial, &workflow, json!(subscriber_id)).await?,
    ];
    all_finished(trial, &transactions).await?;
    let after = trial.call("notifications_stats", &[], &[], None).await?;
    for field in ["weeklySent", "monthlySent"] {
        let counted = |reply: &Reply| reply.data()[field].as_u64().unwrap_or(0);
        trial.equal(
            &after,
            &format!("data.{field}, less the count before the triggers"),
            &json!(counted(&after).saturating_sub(counted(&before))),
            2,
        )?;
    }
    Ok(())
}
