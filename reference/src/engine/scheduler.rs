//! The scheduler: resumes the jobs that wait for a time (delay and digest steps) when they are
//! due, through the same engine code a trigger runs ([`resume`]).
//!
//! Due times are stored with the jobs (`jobs.due_at`), so they survive a restart: a server that
//! starts resumes at once whatever became due while it was down. One background task sleeps
//! until the earliest due time; a trigger that schedules an earlier one wakes it through a
//! [`Waker`] once its transaction has committed.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Transaction, params};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

use super::run::resume;
use crate::failure::Outcome;
use crate::store::Store;

/// The longest the task sleeps without looking at the database, so a changed wall clock
/// delays a job by at most this long.
const LONGEST_SLEEP: Duration = Duration::from_secs(60);
/// How long the task waits before it tries again after the database failed it.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// How many due jobs resume in one transaction, so that requests are not held up long (a job
/// takes a few milliseconds in a debug build).
const BATCH: i64 = 25;

/// Tells the scheduler about due times that triggers stored.
#[derive(Clone, Debug, Default)]
pub(crate) struct Waker {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    /// The due time the task sleeps until; `None` while it looks at the database or has
    /// nothing to wait for, when every new due time must wake it.
    planned: Mutex<Option<i64>>,
    wake: Notify,
}

impl Waker {
    /// A job is due at `due` (Unix milliseconds); call it after the transaction committed.
    pub(crate) fn scheduled(&self, due: i64) {
        let planned = self
            .shared
            .planned
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if planned.is_none_or(|planned| due < planned) {
            self.shared.wake.notify_one();
        }
    }

    fn plan(&self, due: Option<i64>) {
        *self
            .shared
            .planned
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = due;
    }
}

/// The running scheduler task. Dropping it stops the task too, without waiting.
#[derive(Debug)]
pub(crate) struct Scheduler {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Scheduler {
    /// Starts the task over `store`; `waker` is the one the API tells about new due times.
    pub(crate) fn start(store: Store, waker: Waker) -> Self {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(store, waker, stopped));
        Self {
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the task once the jobs it is resuming are done.
    pub(crate) async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
        {
            tracing::error!(%error, "the scheduler task ended abnormally");
        }
    }
}

async fn run(store: Store, waker: Waker, mut stopped: oneshot::Receiver<()>) {
    loop {
        waker.plan(None);
        let wait = match store.transaction(resume_due).await {
            Ok(next) => {
                waker.plan(next);
                next.map_or(LONGEST_SLEEP, |due| {
                    let from_now = due - chrono::Utc::now().timestamp_millis();
                    Duration::from_millis(u64::try_from(from_now).unwrap_or(0)).min(LONGEST_SLEEP)
                })
            }
            Err(failure) => {
                tracing::error!(
                    error = failure.message(),
                    "the scheduler could not resume due jobs; trying again"
                );
                RETRY_AFTER
            }
        };
        // A dropped sender stops the task as a sent signal does.
        tokio::select! {
            biased;
            _ = &mut stopped => break,
            () = waker.shared.wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Resumes up to [`BATCH`] due jobs, each in its own savepoint, and answers the earliest due
/// time left.
fn resume_due(transaction: &Transaction) -> Outcome<Option<i64>> {
    let now = chrono::Utc::now().timestamp_millis();
    let due: Vec<String> = {
        let mut statement = transaction.prepare_cached(
            "SELECT id FROM jobs WHERE due_at IS NOT NULL AND due_at <= ?1 ORDER BY due_at, rowid LIMIT ?2",
        )?;
        let rows = statement.query_map(params![now, BATCH], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for job_id in due {
        transaction.execute_batch("SAVEPOINT resume_job")?;
        match resume(transaction, &job_id) {
            Ok(()) => transaction.execute_batch("RELEASE resume_job")?,
            Err(failure) => {
                // A job that cannot resume must not come back on every wake-up.
                transaction.execute_batch("ROLLBACK TO resume_job; RELEASE resume_job")?;
                tracing::error!(
                    job = job_id,
                    error = failure.message(),
                    "a due job failed to resume"
                );
                transaction.execute(
                    "UPDATE jobs SET status = 'failed', due_at = NULL, doc = json_set(doc, '$.status', 'failed') WHERE id = ?1",
                    [&job_id],
                )?;
            }
        }
    }
    Ok(transaction.query_row(
        "SELECT MIN(due_at) FROM jobs WHERE due_at IS NOT NULL",
        [],
        |row| row.get(0),
    )?)
}
