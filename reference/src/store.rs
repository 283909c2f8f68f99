//! Embedded SQLite storage: one writer thread that commits requests in groups, and read-only
//! connections for operations that only read.
//!
//! Write requests queue for the writer thread, which takes what is waiting (up to
//! [`GROUP_LIMIT`]), runs each request in its own savepoint of one `BEGIN IMMEDIATE`
//! transaction (a failing request rolls back only itself), commits once and then answers them
//! all. Writes are serialized, so concurrent requests never lose each other's updates, and a
//! request is answered only after its commit, so the next request reads it back. Reads run on
//! a small pool of read-only connections; WAL lets them run beside the writer and shows each
//! one every commit finished before it began. Documents are kept as JSON in the shape the API
//! sends them, next to the indexed key columns they are looked up by.
//!
//! Durability: WAL with `synchronous=NORMAL`. A commit is in the WAL file (in the operating
//! system's cache) before its requests are answered, so every acknowledged write survives the
//! server process being killed (`kill -9`, a panic, an abort). An operating system crash or a
//! power loss can lose the last acknowledged commits (never corrupt the file): `FULL` would
//! fsync each commit, which on the development VM cost 1.8–3.9 ms per commit and capped
//! creates below 2,000/s even when grouped. Checkpoints run on their own thread (see
//! [`Checkpointer`]).

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::failure::{Failure, Outcome};
use crate::ids;

/// The schema, one migration per entry; `PRAGMA user_version` counts the applied ones.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE TABLE members (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    api_key_hash TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TABLE subscribers (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL,
    UNIQUE (environment_id, subscriber_id)
);
CREATE TABLE integrations (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    active INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX integrations_by_provider ON integrations (environment_id, provider_id);
CREATE TABLE topics (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (environment_id, key)
);
CREATE TABLE topic_subscribers (
    topic_id TEXT NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    subscriber_id TEXT NOT NULL,
    external_subscriber_id TEXT NOT NULL,
    PRIMARY KEY (topic_id, subscriber_id)
);
CREATE INDEX topic_subscribers_by_subscriber ON topic_subscribers (subscriber_id);
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (environment_id, identifier)
);
CREATE TABLE feeds (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX feeds_by_environment ON feeds (environment_id, identifier);
CREATE TABLE notification_groups (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE layouts (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX layouts_by_environment ON layouts (environment_id, identifier);
"#,
    r#"
CREATE TABLE workflows (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    trigger_identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX workflows_by_trigger ON workflows (environment_id, trigger_identifier);
"#,
    r#"
CREATE TABLE workflow_overrides (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX workflow_overrides_by_pair ON workflow_overrides (environment_id, workflow_id, tenant_id);
"#,
    r#"
CREATE TABLE subscriber_preferences (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    template_id TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX subscriber_preferences_by_subscriber ON subscriber_preferences (subscriber_id, template_id);
"#,
    r#"
CREATE TABLE changes (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX changes_by_entity ON changes (environment_id, type, entity_id, enabled);
"#,
    r#"
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX notifications_by_environment ON notifications (environment_id, created_at);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX jobs_by_transaction ON jobs (environment_id, transaction_id);
CREATE INDEX jobs_by_notification ON jobs (notification_id);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX messages_by_subscriber ON messages (environment_id, subscriber_id, channel);
CREATE INDEX messages_by_transaction ON messages (environment_id, transaction_id);
CREATE TABLE execution_details (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX execution_details_by_notification ON execution_details (notification_id, subscriber_id);
CREATE INDEX execution_details_by_job ON execution_details (job_id);
"#,
    // When a waiting job (delay, digest) resumes, in Unix milliseconds; NULL for every other
    // job. The scheduler reads the partial index; merged digest jobs are found by their leader.
    // Jobs left waiting by a server without a scheduler never resumed: they are due at once.
    r#"
ALTER TABLE jobs ADD COLUMN due_at INTEGER;
UPDATE jobs SET due_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE status = 'delayed';
CREATE INDEX jobs_by_due_at ON jobs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX jobs_by_merged_digest ON jobs (json_extract(doc, '$._mergedDigestId')) WHERE status = 'merged';
"#,
];

/// How many queued write requests one commit may cover at most, so that the first of a long
/// queue is not kept waiting for the whole queue's work.
const GROUP_LIMIT: usize = 64;

/// How many idle read-only connections are kept for later reads.
const IDLE_READERS: usize = 8;

/// How long a connection waits for a lock another connection holds before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How often at most the WAL is checkpointed into the database file. A checkpoint's fsync
/// stalls the writer's WAL appends for about as long as it takes, so small frequent ones keep
/// the latency tail short: at 1,000 triggers/s, p99 was 24–36 ms with 1 s, 8–17 ms with
/// 100 ms and 4–10 ms with 20 ms.
const CHECKPOINT_PACE: Duration = Duration::from_millis(20);

/// The WAL size (in 4 KiB pages) past which a checkpoint makes it start over (about 64 MiB).
const WAL_RESTART_FRAMES: i64 = 16_384;

/// Prepared statements kept per connection: a trigger alone uses more than rusqlite's 16.
const STATEMENT_CACHE: usize = 64;

/// The database behind one server.
#[derive(Clone)]
pub(crate) struct Store {
    writer: Arc<Writer>,
    /// Read-only connections to the same file; `None` for an in-memory database, which
    /// another connection cannot see, so its reads go to the writer.
    readers: Option<Arc<Readers>>,
}

/// Who the bootstrap made: the development environment's key, and whether it is new.
pub(crate) struct Bootstrap {
    pub api_key: String,
    pub generated: bool,
}

/// One request's work for the writer thread: it runs inside the group's transaction and
/// answers whether it succeeded (so its savepoint is kept) and how to reply once the group's
/// commit is known.
type Job = Box<dyn FnOnce(&Transaction) -> (bool, Reply) + Send>;

/// Sends a request its outcome, given how the commit of its group went.
type Reply = Box<dyn FnOnce(Result<(), &rusqlite::Error>) + Send>;

/// The writer thread and the queue feeding it. Dropping the last handle closes the queue and
/// waits for the thread to finish its group and close the connection.
struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
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

/// Idle read-only connections; a read takes one (opening it when none is idle) and gives it
/// back.
struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    fn take(&self) -> rusqlite::Result<Connection> {
        if let Some(connection) = lock(&self.idle).pop() {
            return Ok(connection);
        }
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(connection)
    }

    fn give_back(&self, connection: Connection) {
        let mut idle = lock(&self.idle);
        if idle.len() < IDLE_READERS {
            idle.push(connection);
        }
    }
}

impl Store {
    /// Opens (creating when missing), migrates and bootstraps the database at `path`, then
    /// starts its writer thread.
    pub fn open(path: &Path, api_key: Option<&str>) -> rusqlite::Result<(Self, Bootstrap)> {
        let mut connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrate(&mut connection)?;
        let bootstrap = bootstrap(&mut connection, api_key)?;
        let in_memory = path.as_os_str().is_empty() || path.as_os_str() == ":memory:";
        let readers = (!in_memory).then(|| {
            Arc::new(Readers {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            })
        });
        let checkpointer = if in_memory {
            None
        } else {
            // The writer no longer checkpoints inside whichever commit crosses SQLite's
            // threshold; a thread of its own does, small and often.
            connection.pragma_update(None, "wal_autocheckpoint", 0)?;
            Some(Checkpointer::start(path)?)
        };
        let (jobs, queue) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("novu-reference-writer".into())
            .spawn(move || write_groups(connection, queue, checkpointer))
            .map_err(thread_error)?;
        let store = Self {
            writer: Arc::new(Writer {
                jobs: Some(jobs),
                thread: Some(thread),
            }),
            readers,
        };
        Ok((store, bootstrap))
    }

    /// Runs `work` as one write request: on the writer thread, inside a savepoint of the
    /// group's transaction, so a failing request rolls back only itself. The answer comes
    /// after the group's commit, so whoever hears of a write can read it back.
    pub async fn transaction<T, F>(&self, work: F) -> Outcome<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Outcome<T> + Send + 'static,
    {
        let (reply, replied) = oneshot::channel();
        let job: Job = Box::new(move |transaction| {
            let outcome = work(transaction);
            let succeeded = outcome.is_ok();
            let send: Reply = Box::new(move |committed| {
                let outcome = match (outcome, committed) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(error)) => {
                        Err(Failure::internal(format!("database commit: {error}")))
                    }
                    (Err(failure), _) => Err(failure),
                };
                // The client may have gone; then nobody is left to tell.
                let _ = reply.send(outcome);
            });
            (succeeded, send)
        });
        let queued = self
            .writer
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        if !queued {
            return Err(Failure::internal(
                "the database writer has stopped; restart the server",
            ));
        }
        replied.await.map_err(|_| {
            Failure::internal("the request's transaction panicked or could not run; see the log")
        })?
    }

    /// Runs `work`, which only reads, in a read transaction of its own on a read-only
    /// connection, so reads do not queue behind writes. WAL shows it every commit that
    /// finished before it began, so a write already answered is always visible.
    pub async fn read<T, F>(&self, work: F) -> Outcome<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Outcome<T> + Send + 'static,
    {
        let Some(readers) = self.readers.clone() else {
            // Another connection cannot see an in-memory database: read on the writer, with
            // writes refused as a read-only connection would refuse them.
            return self
                .transaction(|transaction| {
                    transaction.pragma_update(None, "query_only", true)?;
                    let outcome = work(transaction);
                    transaction.pragma_update(None, "query_only", false)?;
                    outcome
                })
                .await;
        };
        tokio::task::spawn_blocking(move || {
            let mut connection = readers.take()?;
            let outcome = connection
                .transaction()
                .map_err(Failure::from)
                .and_then(|transaction| work(&transaction));
            readers.give_back(connection);
            outcome
        })
        .await
        .map_err(Failure::internal)?
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

/// Copies committed pages from the WAL into the database file on its own thread and
/// connection, at most once per [`CHECKPOINT_PACE`], instead of SQLite's automatic checkpoint
/// inside whichever commit crosses the threshold.
struct Checkpointer {
    commits: mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    fn start(path: &Path) -> rusqlite::Result<Self> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        // One slot: a commit made while a wake-up is pending needs no second one.
        let (commits, woken) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("novu-reference-checkpoint".into())
            .spawn(move || checkpoint_when_woken(connection, woken))
            .map_err(thread_error)?;
        Ok(Self { commits, thread })
    }

    /// Says that a commit happened.
    fn wake(&self) {
        // A full slot already asks for a checkpoint.
        let _ = self.commits.try_send(());
    }

    fn stop(self) {
        drop(self.commits);
        // A panic there was already reported by the panic hook.
        let _ = self.thread.join();
    }
}

fn checkpoint_when_woken(connection: Connection, woken: mpsc::Receiver<()>) {
    let mut due = woken.recv().is_ok();
    while due {
        let started = Instant::now();
        // PASSIVE never blocks the writer, but under a steady stream of commits the WAL never
        // gets copied in full and so never starts over; past a size, RESTART waits for the
        // writer's current group and lets the WAL start from its beginning again.
        let frames = checkpoint(&connection, "PASSIVE");
        if frames.is_some_and(|frames| frames > WAL_RESTART_FRAMES) {
            checkpoint(&connection, "RESTART");
        }
        // Commits made while pacing wait for the next checkpoint.
        let paced = started + CHECKPOINT_PACE;
        let mut committed = false;
        loop {
            match woken.recv_timeout(paced.saturating_duration_since(Instant::now())) {
                Ok(()) => committed = true,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        due = committed || woken.recv().is_ok();
    }
}

/// Runs one checkpoint; answers how many frames the WAL holds, or `None` when it failed
/// (logged: a failed checkpoint loses nothing, the next one retries).
fn checkpoint(connection: &Connection, mode: &str) -> Option<i64> {
    let ran = connection.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        row.get::<_, i64>(1)
    });
    match ran {
        Ok(frames) => Some(frames),
        Err(error) => {
            tracing::warn!(%error, mode, "wal checkpoint failed");
            None
        }
    }
}

fn thread_error(error: std::io::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(error))
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

/// Locks a mutex whose holders cannot leave its data half-changed.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A migrated in-memory connection, for unit tests that work on one transaction directly.
#[cfg(test)]
pub(crate) fn test_connection() -> Connection {
    let mut connection = Connection::open_in_memory().expect("an in-memory database opens");
    migrate(&mut connection).expect("the schema applies");
    connection
}

/// Makes sure the organization and its environments exist, and that the development
/// environment accepts `api_key` when one is given.
fn bootstrap(connection: &mut Connection, api_key: Option<&str>) -> rusqlite::Result<Bootstrap> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<String> = transaction
        .query_row(
            "SELECT value FROM meta WHERE key = 'development_environment_id'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    let bootstrap = match existing {
        None => {
            let (key, generated) = match api_key {
                Some(key) => (key.to_owned(), false),
                None => (ids::api_key(), true),
            };
            create_organization(&transaction, &key)?;
            Bootstrap {
                api_key: key,
                generated,
            }
        }
        Some(environment_id) => {
            let doc: String = transaction.query_row(
                "SELECT doc FROM environments WHERE id = ?1",
                [&environment_id],
                |row| row.get(0),
            )?;
            let mut environment: Value = serde_json::from_str(&doc)
                .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
            let stored = environment["apiKeys"][0]["key"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            match api_key {
                Some(key) if key != stored => {
                    let hash = ids::key_hash(key);
                    environment["apiKeys"][0]["key"] = json!(key);
                    environment["apiKeys"][0]["hash"] = json!(hash);
                    transaction.execute(
                        "UPDATE environments SET api_key_hash = ?2, doc = ?3 WHERE id = ?1",
                        params![environment_id, hash, environment.to_string()],
                    )?;
                    Bootstrap {
                        api_key: key.to_owned(),
                        generated: false,
                    }
                }
                _ => Bootstrap {
                    api_key: stored,
                    generated: false,
                },
            }
        }
    };
    transaction.commit()?;
    Ok(bootstrap)
}

fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let applied: usize = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

/// One organization, its admin member, and a development and a production environment, each
/// with its default workflow group, as Novu creates them at sign-up.
fn create_organization(transaction: &Transaction, api_key: &str) -> rusqlite::Result<()> {
    let now = ids::now();
    let organization_id = ids::object_id();
    let user_id = ids::object_id();
    let organization = json!({
        "_id": organization_id,
        "name": "Reference Organization",
        "branding": {},
        "createdAt": now,
        "updatedAt": now,
    });
    transaction.execute(
        "INSERT INTO organizations (id, doc) VALUES (?1, ?2)",
        params![organization_id, organization.to_string()],
    )?;
    let member_id = ids::object_id();
    let member = json!({
        "_id": member_id,
        "_userId": user_id,
        "user": {
            "_id": user_id,
            "firstName": "Reference",
            "lastName": "Admin",
            "email": "admin@novu-reference.invalid",
        },
        "roles": ["admin"],
        "memberStatus": "active",
        "_organizationId": organization_id,
    });
    transaction.execute(
        "INSERT INTO members (id, organization_id, doc) VALUES (?1, ?2, ?3)",
        params![member_id, organization_id, member.to_string()],
    )?;
    let development_id = ids::object_id();
    let production_id = ids::object_id();
    let production_key = ids::api_key();
    for (id, name, key, parent) in [
        (&development_id, "Development", api_key, None),
        (
            &production_id,
            "Production",
            production_key.as_str(),
            Some(&development_id),
        ),
    ] {
        let hash = ids::key_hash(key);
        let mut environment = json!({
            "_id": id,
            "name": name,
            "_organizationId": organization_id,
            "identifier": ids::environment_identifier(),
            "apiKeys": [{ "key": key, "_userId": user_id, "hash": hash }],
            "createdAt": now,
            "updatedAt": now,
        });
        if let Some(parent) = parent {
            environment["_parentId"] = json!(parent);
        }
        transaction.execute(
            "INSERT INTO environments (id, organization_id, api_key_hash, doc) VALUES (?1, ?2, ?3, ?4)",
            params![id, organization_id, hash, environment.to_string()],
        )?;
    }
    let development_group = ids::object_id();
    for (group_id, environment_id, parent) in [
        (development_group.clone(), &development_id, None),
        (ids::object_id(), &production_id, Some(&development_group)),
    ] {
        let mut group = json!({
            "_id": group_id,
            "name": "General",
            "_environmentId": environment_id,
            "_organizationId": organization_id,
        });
        if let Some(parent) = parent {
            group["_parentId"] = json!(parent);
        }
        transaction.execute(
            "INSERT INTO notification_groups (id, environment_id, organization_id, doc) VALUES (?1, ?2, ?3, ?4)",
            params![group_id, environment_id, organization_id, group.to_string()],
        )?;
    }
    // Like Novu, every new environment starts with the in-app provider active, so an in-app
    // step delivers without any set-up.
    for environment_id in [&development_id, &production_id] {
        let id = ids::object_id();
        let identifier = format!("novu-in-app-{}", ids::short_id());
        let now = ids::now();
        let integration = json!({
            "_id": id,
            "_environmentId": environment_id,
            "_organizationId": organization_id,
            "name": "Novu In-App",
            "identifier": identifier,
            "providerId": "novu",
            "channel": "in_app",
            "credentials": {},
            "active": true,
            "deleted": false,
            "primary": false,
            "priority": 0,
            "conditions": [],
            "createdAt": now,
            "updatedAt": now,
        });
        transaction.execute(
            "INSERT INTO integrations (id, environment_id, organization_id, provider_id, identifier, active, doc) \
             VALUES (?1, ?2, ?3, 'novu', ?4, 1, ?5)",
            params![id, environment_id, organization_id, identifier, integration.to_string()],
        )?;
    }
    transaction.execute(
        "INSERT INTO meta (key, value) VALUES ('development_environment_id', ?1), ('organization_id', ?2)",
        params![development_id, organization_id],
    )?;
    Ok(())
}

/// Reads one JSON document column.
pub(crate) fn document(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Value> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    })
}

/// The documents a query returns, in order.
pub(crate) fn documents<P: rusqlite::Params>(
    transaction: &Transaction,
    sql: &str,
    params: P,
) -> Outcome<Vec<Value>> {
    let mut statement = transaction.prepare_cached(sql)?;
    let rows = statement.query_map(params, |row| document(row, 0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The first document a query returns, if any.
pub(crate) fn first_document<P: rusqlite::Params>(
    transaction: &Transaction,
    sql: &str,
    params: P,
) -> Outcome<Option<Value>> {
    let mut statement = transaction.prepare_cached(sql)?;
    Ok(statement
        .query_row(params, |row| document(row, 0))
        .optional()?)
}

/// Converts a stored or built document into a generated response type.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(value: Value) -> Outcome<T> {
    serde_json::from_value(value)
        .map_err(|error| Failure::internal(format!("response shape: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Status;

    /// A database file unique to one test, removed (with its WAL files) on drop.
    struct TemporaryFile(PathBuf);

    impl TemporaryFile {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "novu-reference-store-{}-{name}.db",
                std::process::id()
            ));
            let file = Self(path);
            file.remove();
            file
        }

        fn remove(&self) {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = self.0.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }

    impl Drop for TemporaryFile {
        fn drop(&mut self) {
            self.remove();
        }
    }

    async fn meta_rows(store: &Store) -> i64 {
        store
            .read(|transaction| {
                Ok(transaction.query_row("SELECT COUNT(*) FROM meta", [], |row| row.get(0))?)
            })
            .await
            .unwrap_or_else(|failure| panic!("meta is unreadable: {failure:?}"))
    }

    /// Writes queued together share a commit; the failing and the panicking ones leave
    /// nothing behind, and the others keep their rows.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_request_rolls_back_only_itself() {
        let file = TemporaryFile::new("groups");
        let (store, _) = Store::open(&file.0, Some("key")).expect("the store opens");
        let before = meta_rows(&store).await;
        let mut requests = tokio::task::JoinSet::new();
        for index in 0..60 {
            let store = store.clone();
            requests.spawn(async move {
                store
                    .transaction(move |transaction| {
                        transaction.execute(
                            "INSERT INTO meta (key, value) VALUES (?1, 'x')",
                            [format!("request-{index}")],
                        )?;
                        match index % 3 {
                            0 => Ok(index),
                            1 => Err(Failure::bad_request("refused on purpose")),
                            _ => panic!("request {index} panics on purpose"),
                        }
                    })
                    .await
                    .map_err(|failure| (index, failure.status))
            });
        }
        let mut kept = 0;
        while let Some(answered) = requests.join_next().await {
            match answered.expect("the request task finished") {
                Ok(index) => {
                    assert_eq!(index % 3, 0);
                    kept += 1;
                }
                Err((index, Status::BadRequest)) => assert_eq!(index % 3, 1),
                Err((index, status)) => {
                    assert_eq!((index % 3, status), (2, Status::InternalServerError))
                }
            }
        }
        assert_eq!(kept, 20);
        assert_eq!(
            meta_rows(&store).await,
            before + 20,
            "only the succeeding requests wrote"
        );
    }

    /// A read cannot write, on the read-only pool of a file and on an in-memory database.
    #[tokio::test]
    async fn reads_refuse_writes() {
        let file = TemporaryFile::new("reads");
        for path in [file.0.clone(), PathBuf::from(":memory:")] {
            let (store, _) = Store::open(&path, None).expect("the store opens");
            let written = store
                .read(|transaction| {
                    Ok(transaction
                        .execute("INSERT INTO meta (key, value) VALUES ('sneaky', 'x')", [])?)
                })
                .await;
            assert!(written.is_err(), "{} let a read write", path.display());
            // The writer still writes afterwards.
            store
                .transaction(|transaction| {
                    Ok(transaction
                        .execute("INSERT INTO meta (key, value) VALUES ('honest', 'x')", [])?)
                })
                .await
                .unwrap_or_else(|failure| panic!("a write fails: {failure:?}"));
            let honest: i64 = store
                .read(|transaction| {
                    Ok(transaction.query_row(
                        "SELECT COUNT(*) FROM meta WHERE key IN ('honest', 'sneaky')",
                        [],
                        |row| row.get(0),
                    )?)
                })
                .await
                .unwrap_or_else(|failure| panic!("a read fails: {failure:?}"));
            assert_eq!(honest, 1, "the write is read back, the refused one is not");
        }
    }
}
