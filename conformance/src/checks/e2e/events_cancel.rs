//! Cases ported from Novu's `events/e2e/cancel-event.e2e.ts`: cancelling a transaction while
//! its delay or digest waits, and what becomes of the digest's other events when the one that
//! leads it (or one it merged) is cancelled.
//!
//! Novu's tests read the jobs from its repository; here they are read from the activity feed
//! of the case's workflow, each notification carrying its jobs, in the order the case
//! triggered them. Where Novu waits for its queue (`awaitRunningJobs`), the case polls the feed
//! until the jobs reach the state Novu waits for.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::session::{DELIVERY, id_of, identifier, session_subscriber};
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const CANCEL: &str = "events/e2e/cancel-event.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        CANCEL,
        "should be able to cancel digest",
        "events_cancel",
        |t| Box::pin(cancel_digest(t)),
    ),
    Ported::new(
        CANCEL,
        "should be able to cancel delay",
        "events_cancel",
        |t| Box::pin(cancel_delay(t)),
    ),
    Ported::new(
        CANCEL,
        "should be able to cancel not 1st digest (e.x 2nd,3rd,etc..)",
        "events_cancel",
        |t| Box::pin(cancel_follower(t)),
    )
    .waits(),
    Ported::new(
        CANCEL,
        "should be able to cancel 1st main digest",
        "events_cancel",
        |t| Box::pin(cancel_leader(t)),
    )
    .waits(),
    Ported::new(
        CANCEL,
        "should be able to cancel 1st main digest and then its follower",
        "events_cancel",
        |t| Box::pin(cancel_leader_then_follower(t, false)),
    )
    .waits(),
    Ported::new(
        CANCEL,
        "should be able to cancel 1st main digest and then its follower and last merged notification",
        "events_cancel",
        |t| Box::pin(cancel_leader_then_follower(t, true)),
    )
    .waits(),
];

/// The case's workflow and subscriber, and the transactions it triggered, in order.
struct Setting {
    workflow: Value,
    subscriber_id: String,
    transactions: Vec<String>,
    /// When the first event was sent.
    first_sent: Option<Instant>,
}

impl Setting {
    async fn new(trial: &Trial<'_>, steps: Value) -> Result<Setting, Stop> {
        let workflow = trial.workflow(steps).await?;
        let subscriber_id = session_subscriber(trial, "subscriber", json!({})).await?;
        Ok(Setting {
            workflow,
            subscriber_id,
            transactions: Vec::new(),
            first_sent: None,
        })
    }

    /// Ends the case as inconclusive when `window` (its digest or delay window) has passed
    /// since the first event was sent: the server's window may have closed before the case's
    /// last request arrived, so what the server did next cannot be judged. A slow client or a
    /// loaded machine makes a case inconclusive, never failed.
    fn within(&self, trial: &Trial<'_>, window: Duration) -> Result<(), Stop> {
        let elapsed = self
            .first_sent
            .map(|sent| sent.elapsed())
            .unwrap_or_default();
        if elapsed >= window {
            return Err(trial.inconclusive(format!(
                "the case's requests took {} ms from its first event, not within its {} ms window",
                elapsed.as_millis(),
                window.as_millis()
            )));
        }
        Ok(())
    }

    /// Triggers the workflow for `to` (the case's subscriber when `None`) with `payload`, under
    /// `transaction` when given; answers the transaction id.
    async fn trigger(
        &mut self,
        trial: &Trial<'_>,
        payload: Value,
        transaction: Option<&str>,
        to: Option<Value>,
    ) -> Result<String, Stop> {
        let mut body = json!({
            "name": identifier(&self.workflow),
            "to": to.unwrap_or_else(|| json!([self.subscriber_id])),
            "payload": payload,
            "overrides": {},
        });
        if let Some(transaction) = transaction {
            body["transactionId"] = json!(transaction);
        }
        self.first_sent.get_or_insert_with(Instant::now);
        let data = trial
            .setup("the event is triggered", "events_trigger", &[], Some(body))
            .await?;
        let transaction = data["transactionId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        self.transactions.push(transaction.clone());
        Ok(transaction)
    }

    /// The workflow's activity once `done` holds of its jobs (or the deadline passed).
    async fn jobs_when(
        &self,
        trial: &Trial<'_>,
        done: impl Fn(&Jobs) -> bool,
    ) -> Result<(Reply, Jobs), Stop> {
        let started = Instant::now();
        let workflow_id = id_of(&self.workflow);
        loop {
            let reply = trial
                .call(
                    "notifications_list",
                    &[],
                    &[("templates", &workflow_id)],
                    None,
                )
                .await?;
            let jobs = Jobs::of(&reply, &self.transactions);
            if done(&jobs) || started.elapsed() >= DELIVERY {
                return Ok((reply, jobs));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn cancel(&self, trial: &Trial<'_>, transaction: &str) -> Result<(), Stop> {
        let reply = trial
            .call(
                "events_cancel",
                &[("transactionId", transaction)],
                &[],
                None,
            )
            .await?;
        trial.status(&reply, 200)
    }
}

/// The jobs of the workflow's notifications, each with its transaction, in trigger order.
struct Jobs(Vec<(String, Value)>);

impl Jobs {
    fn of(reply: &Reply, transactions: &[String]) -> Jobs {
        let mut jobs = Vec::new();
        for transaction in transactions {
            for notification in items(reply.data())
                .iter()
                .filter(|notification| notification["transactionId"] == transaction.as_str())
            {
                for job in items(&notification["jobs"]) {
                    jobs.push((transaction.clone(), job.clone()));
                }
            }
        }
        Jobs(jobs)
    }

    /// The jobs of step type `kind`, in trigger order.
    fn of_type(&self, kind: &str) -> Vec<&Value> {
        self.0
            .iter()
            .filter(|(_, job)| job["type"] == kind)
            .map(|(_, job)| job)
            .collect()
    }

    /// The jobs of `transaction` with `status`.
    fn with_status(&self, transaction: &str, status: &str) -> Vec<&Value> {
        self.0
            .iter()
            .filter(|(of, job)| of == transaction && job["status"] == status)
            .map(|(_, job)| job)
            .collect()
    }

    /// How many jobs are still to run (`pending`, `queued`, `running`), as Novu's
    /// `awaitRunningJobs` counts them: a waiting delay or digest is not.
    fn unfinished(&self) -> usize {
        self.0
            .iter()
            .filter(|(_, job)| {
                ["pending", "queued", "running"]
                    .iter()
                    .any(|status| job["status"] == *status)
            })
            .count()
    }
}

/// The digest window of the cases that cancel digested events, as Novu's tests set it.
const DIGEST_WINDOW: Duration = Duration::from_secs(1);

/// A digest step of `seconds` on the key `id`, then an in-app step counting its events.
fn digest_steps(seconds: u64, with_first_in_app: bool) -> Value {
    let mut steps = Vec::new();
    if with_first_in_app {
        steps.push(json!({
            "name": "first", "active": true,
            "template": { "type": "in_app", "content": "Hello world {{customVar}}" },
        }));
    }
    steps.push(json!({
        "name": "digest", "active": true,
        "template": { "type": "digest", "content": "" },
        "metadata": { "unit": "seconds", "amount": seconds, "digestKey": "id", "type": "regular" },
    }));
    steps.push(json!({
        "name": "count", "active": true,
        "template": { "type": "in_app", "content": "Hello world {{step.events.length}}" },
    }));
    json!(steps)
}

fn count(
    trial: &Trial<'_>,
    reply: &Reply,
    what: &str,
    actual: usize,
    expected: usize,
) -> Result<(), Stop> {
    trial.equal(reply, what, &json!(actual), expected)
}

async fn cancel_digest(trial: &Trial<'_>) -> Result<(), Stop> {
    let mut setting = Setting::new(trial, digest_steps(2, true)).await?;
    let id = trial.name("transaction");
    setting
        .trigger(
            trial,
            json!({ "customVar": "Testing of User Name" }),
            Some(&id),
            None,
        )
        .await?;
    setting
        .jobs_when(trial, |jobs| {
            jobs.of_type("digest")
                .iter()
                .any(|job| job["status"] == "delayed")
        })
        .await?;
    setting.cancel(trial, &id).await?;
    setting.within(trial, Duration::from_secs(2))?;
    let (reply, jobs) = setting.jobs_when(trial, |_| true).await?;
    count(
        trial,
        &reply,
        "the number of digest jobs",
        jobs.of_type("digest").len(),
        1,
    )?;
    count(
        trial,
        &reply,
        "the number of the transaction's pending jobs",
        jobs.with_status(&id, "pending").len(),
        0,
    )?;
    let cancelled = jobs
        .with_status(&id, "canceled")
        .into_iter()
        .filter(|job| job["type"] == "digest")
        .count();
    count(
        trial,
        &reply,
        "the number of cancelled digest jobs",
        cancelled,
        1,
    )
}

async fn cancel_delay(trial: &Trial<'_>) -> Result<(), Stop> {
    let steps = json!([
        { "name": "first", "active": true, "template": { "type": "in_app", "content": "Hello world {{customVar}}" } },
        {
            "name": "delay", "active": true, "template": { "type": "delay", "content": "" },
            "metadata": { "unit": "seconds", "amount": 5, "type": "regular" },
        },
        { "name": "after", "active": true, "template": { "type": "in_app", "content": "Hello world {{customVar}}" } },
    ]);
    let mut setting = Setting::new(trial, steps).await?;
    let second = session_subscriber(trial, "subscriber2", json!({})).await?;
    let id = trial.name("transaction");
    let to = json!([setting.subscriber_id, second]);
    setting
        .trigger(
            trial,
            json!({ "customVar": "Testing of User Name" }),
            Some(&id),
            Some(to),
        )
        .await?;
    setting
        .jobs_when(trial, |jobs| {
            let delays = jobs.of_type("delay");
            delays.len() == 2 && delays.iter().all(|job| job["status"] == "delayed")
        })
        .await?;
    setting.cancel(trial, &id).await?;
    setting.within(trial, Duration::from_secs(5))?;
    let (reply, jobs) = setting.jobs_when(trial, |_| true).await?;
    count(
        trial,
        &reply,
        "the number of the transaction's pending jobs",
        jobs.with_status(&id, "pending").len(),
        0,
    )?;
    let delays = jobs.of_type("delay");
    count(trial, &reply, "the number of delay jobs", delays.len(), 2)?;
    for (index, job) in delays.iter().enumerate() {
        trial.equal(
            &reply,
            &format!("delay job {index}'s status"),
            &job["status"],
            "canceled",
        )?;
    }
    Ok(())
}

/// What one in-app job of a digest case must show: its trigger's `customVar`, its status and
/// the `customVar`s of the events it digested.
struct Expected<'e> {
    custom_var: &'e str,
    status: &'e str,
    events: &'e [&'e str],
}

fn check_in_app_jobs(
    trial: &Trial<'_>,
    reply: &Reply,
    jobs: &Jobs,
    expected: &[Expected<'_>],
) -> Result<(), Stop> {
    let in_app = jobs.of_type("in_app");
    count(
        trial,
        reply,
        "the number of in-app jobs",
        in_app.len(),
        expected.len(),
    )?;
    for (index, (job, wanted)) in in_app.iter().zip(expected).enumerate() {
        trial.equal(
            reply,
            &format!("in-app job {index}'s payload.customVar"),
            &job["payload"]["customVar"],
            wanted.custom_var,
        )?;
        trial.equal(
            reply,
            &format!("in-app job {index}'s status"),
            &job["status"],
            wanted.status,
        )?;
        let events = items(&job["digest"]["events"]);
        count(
            trial,
            reply,
            &format!("the number of in-app job {index}'s digest events"),
            events.len(),
            wanted.events.len(),
        )?;
        for (position, custom_var) in wanted.events.iter().enumerate() {
            trial.equal(
                reply,
                &format!("in-app job {index}'s digest.events[{position}].customVar"),
                &events[position]["customVar"],
                *custom_var,
            )?;
        }
    }
    Ok(())
}

/// Triggers event `number` of a digest case.
async fn event(trial: &Trial<'_>, setting: &mut Setting, number: usize) -> Result<String, Stop> {
    setting
        .trigger(
            trial,
            json!({ "customVar": format!("trigger_{number}_data") }),
            None,
            None,
        )
        .await
}

/// Waits until one job is left unfinished: the newest event merged into the waiting digest.
async fn one_waiting(trial: &Trial<'_>, setting: &Setting) -> Result<(), Stop> {
    setting
        .jobs_when(trial, |jobs| jobs.unfinished() <= 1)
        .await
        .map(drop)
}

/// Waits until every job has ended.
async fn all_done(trial: &Trial<'_>, setting: &Setting) -> Result<(Reply, Jobs), Stop> {
    setting
        .jobs_when(trial, |jobs| jobs.unfinished() == 0)
        .await
}

/// The first two events; the second is merged into the first's digest.
async fn leader_and_follower(
    trial: &Trial<'_>,
    setting: &mut Setting,
) -> Result<(String, String), Stop> {
    let first = event(trial, setting, 1).await?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = event(trial, setting, 2).await?;
    one_waiting(trial, setting).await?;
    Ok((first, second))
}

async fn cancel_follower(trial: &Trial<'_>) -> Result<(), Stop> {
    let mut setting = Setting::new(trial, digest_steps(DIGEST_WINDOW.as_secs(), false)).await?;
    let (_, second) = leader_and_follower(trial, &mut setting).await?;
    event(trial, &mut setting, 3).await?;
    setting.cancel(trial, &second).await?;
    setting.within(trial, DIGEST_WINDOW)?;
    let (reply, jobs) = all_done(trial, &setting).await?;
    count(
        trial,
        &reply,
        "the number of digest jobs",
        jobs.of_type("digest").len(),
        3,
    )?;
    let cancelled = jobs
        .with_status(&second, "canceled")
        .into_iter()
        .filter(|job| job["type"] == "digest")
        .count();
    count(
        trial,
        &reply,
        "the number of the second event's cancelled digest jobs",
        cancelled,
        1,
    )?;
    check_in_app_jobs(
        trial,
        &reply,
        &jobs,
        &[
            Expected {
                custom_var: "trigger_1_data",
                status: "completed",
                events: &["trigger_1_data", "trigger_3_data"],
            },
            Expected {
                custom_var: "trigger_2_data",
                status: "canceled",
                events: &[],
            },
            Expected {
                custom_var: "trigger_3_data",
                status: "merged",
                events: &[],
            },
        ],
    )
}

async fn cancel_leader(trial: &Trial<'_>) -> Result<(), Stop> {
    let mut setting = Setting::new(trial, digest_steps(DIGEST_WINDOW.as_secs(), false)).await?;
    let (first, _) = leader_and_follower(trial, &mut setting).await?;
    setting.cancel(trial, &first).await?;
    event(trial, &mut setting, 3).await?;
    setting.within(trial, DIGEST_WINDOW)?;
    let (reply, jobs) = all_done(trial, &setting).await?;
    count(
        trial,
        &reply,
        "the number of digest jobs",
        jobs.of_type("digest").len(),
        3,
    )?;
    let cancelled = jobs
        .with_status(&first, "canceled")
        .into_iter()
        .filter(|job| job["type"] == "digest")
        .count();
    count(
        trial,
        &reply,
        "the number of the first event's cancelled digest jobs",
        cancelled,
        1,
    )?;
    check_in_app_jobs(
        trial,
        &reply,
        &jobs,
        &[
            Expected {
                custom_var: "trigger_1_data",
                status: "canceled",
                events: &[],
            },
            Expected {
                custom_var: "trigger_2_data",
                status: "completed",
                events: &["trigger_2_data", "trigger_3_data"],
            },
            Expected {
                custom_var: "trigger_3_data",
                status: "merged",
                events: &[],
            },
        ],
    )
}

/// The leader is cancelled, then the follower that took its place; with `last_too`, the event
/// merged last is cancelled as well.
async fn cancel_leader_then_follower(trial: &Trial<'_>, last_too: bool) -> Result<(), Stop> {
    let mut setting = Setting::new(trial, digest_steps(DIGEST_WINDOW.as_secs(), false)).await?;
    let (first, second) = leader_and_follower(trial, &mut setting).await?;
    setting.cancel(trial, &first).await?;
    event(trial, &mut setting, 3).await?;
    one_waiting(trial, &setting).await?;
    setting.cancel(trial, &second).await?;
    let fourth = event(trial, &mut setting, 4).await?;
    let mut cancelled_transactions = vec![first, second];
    if last_too {
        one_waiting(trial, &setting).await?;
        setting.cancel(trial, &fourth).await?;
        cancelled_transactions.push(fourth);
    }
    setting.within(trial, DIGEST_WINDOW)?;
    let (reply, jobs) = all_done(trial, &setting).await?;
    count(
        trial,
        &reply,
        "the number of digest jobs",
        jobs.of_type("digest").len(),
        4,
    )?;
    // Novu's test counts the digest jobs of the cancelled transactions, whatever their status.
    let cancelled_digests = jobs
        .0
        .iter()
        .filter(|(transaction, job)| {
            cancelled_transactions.contains(transaction) && job["type"] == "digest"
        })
        .count();
    count(
        trial,
        &reply,
        "the number of the cancelled events' digest jobs",
        cancelled_digests,
        cancelled_transactions.len(),
    )?;
    let (third_events, fourth_status): (&[&str], &str) = if last_too {
        (&["trigger_3_data"], "canceled")
    } else {
        (&["trigger_3_data", "trigger_4_data"], "merged")
    };
    check_in_app_jobs(
        trial,
        &reply,
        &jobs,
        &[
            Expected {
                custom_var: "trigger_1_data",
                status: "canceled",
                events: &[],
            },
            Expected {
                custom_var: "trigger_2_data",
                status: "canceled",
                events: &[],
            },
            Expected {
                custom_var: "trigger_3_data",
                status: "completed",
                events: third_events,
            },
            Expected {
                custom_var: "trigger_4_data",
                status: fourth_status,
                events: &[],
            },
        ],
    )
}
