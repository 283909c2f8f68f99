//! The writer thread and its group commit: write requests queue for one thread, which runs
//! what is waiting (up to [`GROUP_LIMIT`]) each in its own savepoint of one transaction, commits
//! once and then answers them all, so one commit covers many requests and a failing request
//! rolls back only itself.

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::checkpoint::Checkpointer;
use super::thread_error;

/// How many queued write requests one commit may cover at most, so that the first of a long
/// queue is not kept waiting for the whole queue's work.
const GROUP_LIMIT: usize = 64;

/// One request's work for the writer thread: it runs inside the group's transaction and
/// answers whether it succeeded (so its savepoint is kept) and how to reply once the group's
/// commit is known.
pub(super) type Job = Box<dyn FnOnce(&Transaction) -> (bool, Reply) + Send>;

/// Sends a request its outcome, given how the commit of its group went.
pub(super) type Reply = Box<dyn FnOnce(Result<(), &rusqlite::Error>) + Send>;

/// The writer thread and the queue feeding it. Dropping the last handle closes the queue and
/// waits for the thread to finish its group and close the connection.
pub(super) struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread on `connection`; it wakes `checkpointer` after each commit.
    pub(super) fn start(
        connection: Connection,
        checkpointer: Option<Checkpointer>,
    ) -> rusqlite::Result<Self> {
        let (jobs, queue) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("novu-reference-writer".into())
            .spawn(move || write_groups(connection, queue, checkpointer))
            .map_err(thread_error)?;
        Ok(Self {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Queues `job` for the next group; `false` when the writer thread has stopped.
    pub(super) fn queue(&self, job: Job) -> bool {
        self.jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.jobs.take());
        // The last handle may go with a job on the writer thread itself, which cannot wait
        // for itself; it ends once the queue is empty.
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != std::thread::current().id()
        {
            // A panic on the writer thread was already reported by the panic hook.
            let _ = thread.join();
        }
    }
}

/// The writer thread: takes the queued requests in groups, runs each in its own savepoint of
/// one transaction, commits the group once and then replies to all of them, so one fsync
/// covers many requests.
fn write_groups(
    mut connection: Connection,
    queue: mpsc::Receiver<Job>,
    checkpointer: Option<Checkpointer>,
) {
    let mut waiting = VecDeque::new();
    loop {
        if waiting.is_empty() {
            match queue.recv() {
                Ok(job) => waiting.push_back(job),
                Err(mpsc::RecvError) => break,
            }
        }
        while waiting.len() < GROUP_LIMIT {
            match queue.try_recv() {
                Ok(job) => waiting.push_back(job),
                Err(_) => break,
            }
        }
        commit_group(&mut connection, &mut waiting);
        if let Some(checkpointer) = &checkpointer {
            checkpointer.wake();
        }
    }
    if let Some(checkpointer) = checkpointer {
        checkpointer.stop();
    }
}

/// Runs up to [`GROUP_LIMIT`] waiting jobs in one transaction and replies to those that ran;
/// jobs left waiting go to the next group.
fn commit_group(connection: &mut Connection, waiting: &mut VecDeque<Job>) {
    let transaction = match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(transaction) => transaction,
        Err(error) => {
            // Dropping the jobs answers their requests with a 500.
            tracing::error!(%error, "cannot begin a write transaction");
            waiting.clear();
            return;
        }
    };
    let mut replies = Vec::with_capacity(waiting.len());
    let mut broken = None;
    while replies.len() < GROUP_LIMIT
        && let Some(job) = waiting.pop_front()
    {
        if let Err(error) = transaction.execute_batch("SAVEPOINT request") {
            broken = Some(error);
            break;
        }
        // A panicking job drops its reply, which answers its request with a 500; the rest of
        // the group goes on.
        let ran = panic::catch_unwind(AssertUnwindSafe(|| job(&transaction)));
        if ran.is_err() {
            // A read that panicked on an in-memory database left its writes refused.
            let _ = transaction.pragma_update(None, "query_only", false);
        }
        let end = match ran {
            Ok((true, _)) => "RELEASE request",
            _ => "ROLLBACK TO request; RELEASE request",
        };
        let ended = transaction.execute_batch(end);
        if let Ok((_, reply)) = ran {
            replies.push(reply);
        }
        if let Err(error) = ended {
            broken = Some(error);
            break;
        }
        if transaction.is_autocommit() {
            // SQLite rolled the whole transaction back (an I/O error, a full disk): the
            // commit below fails and says so to every request of the group.
            break;
        }
    }
    let committed = match broken {
        None => transaction.commit(),
        Some(error) => {
            tracing::error!(%error, "a request's savepoint failed; rolling its group back");
            drop(transaction);
            Err(error)
        }
    };
    for reply in replies {
        reply(committed.as_ref().map(|_| ()));
    }
}
