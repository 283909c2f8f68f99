//! Embedded SQLite storage: one writer thread that commits requests in groups, and read-only
//! connections for operations that only read.
//!
//! Write requests queue for the writer thread ([`writer`]), which takes what is waiting, runs
//! each request in its own savepoint of one `BEGIN IMMEDIATE` transaction (a failing request
//! rolls back only itself), commits once and then answers them all. Writes are serialized, so
//! concurrent requests never lose each other's updates, and a request is answered only after
//! its commit, so the next request reads it back. Reads run on a small pool of read-only
//! connections ([`readers`]); WAL lets them run beside the writer and shows each one every
//! commit finished before it began. Documents are kept as JSON in the shape the API sends
//! them, next to the indexed key columns they are looked up by ([`documents`]).
//!
//! Durability: WAL with `synchronous=NORMAL`. A commit is in the WAL file (in the operating
//! system's cache) before its requests are answered, so every acknowledged write survives the
//! server process being killed (`kill -9`, a panic, an abort). An operating system crash or a
//! power loss can lose the last acknowledged commits (never corrupt the file): `FULL` would
//! fsync each commit, which on the development VM cost 1.8–3.9 ms per commit and capped
//! creates below 2,000/s even when grouped. Checkpoints run on their own thread
//! ([`checkpoint`]).
//!
//! Opening a database applies the [`migrations`] it lacks and seeds a new one ([`bootstrap`]).

mod bootstrap;
mod checkpoint;
mod documents;
mod migrations;
mod readers;
mod savepoint;
mod writer;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, Transaction};
use tokio::sync::oneshot;

pub(crate) use bootstrap::{Bootstrap, SeedDevelopment, create_environments};
pub(crate) use documents::{documents, first_document, typed};
pub(crate) use savepoint::savepoint;

use crate::failure::{Failure, Outcome};
use checkpoint::Checkpointer;
use readers::Readers;
use writer::{Job, Reply, Writer};

/// How long a connection waits for a lock another connection holds before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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

impl Store {
    /// Opens (creating when missing), migrates and bootstraps the database at `path`, then
    /// starts its writer thread.
    pub fn open(
        path: &Path,
        api_key: Option<&str>,
        production_api_key: Option<&str>,
        seed_development: SeedDevelopment,
    ) -> rusqlite::Result<(Self, Bootstrap)> {
        let mut connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrations::migrate(&mut connection)?;
        let bootstrap = bootstrap::bootstrap(
            &mut connection,
            api_key,
            production_api_key,
            seed_development,
        )?;
        let in_memory = path.as_os_str().is_empty() || path.as_os_str() == ":memory:";
        let readers = (!in_memory).then(|| Arc::new(Readers::new(path.to_owned())));
        let checkpointer = if in_memory {
            None
        } else {
            // The writer no longer checkpoints inside whichever commit crosses SQLite's
            // threshold; a thread of its own does, small and often.
            connection.pragma_update(None, "wal_autocheckpoint", 0)?;
            Some(Checkpointer::start(path)?)
        };
        let store = Self {
            writer: Arc::new(Writer::start(connection, checkpointer)?),
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
        if !self.writer.queue(job) {
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

/// A thread that could not be started, as the error opening the store answers.
fn thread_error(error: std::io::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(error))
}

/// A migrated in-memory connection, for unit tests that work on one transaction directly.
#[cfg(test)]
pub(crate) fn test_connection() -> Connection {
    let mut connection = Connection::open_in_memory().expect("an in-memory database opens");
    migrations::migrate(&mut connection).expect("the schema applies");
    connection
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

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
        let (store, _) =
            Store::open(&file.0, Some("key"), None, |_, _| Ok(())).expect("the store opens");
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
            let (store, _) =
                Store::open(&path, None, None, |_, _| Ok(())).expect("the store opens");
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
