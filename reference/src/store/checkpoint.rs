//! WAL checkpoints on a thread of their own, small and often, so their fsyncs stay short and
//! no request's commit pays for one.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::{BUSY_TIMEOUT, thread_error};

/// How often at most the WAL is checkpointed into the database file. A checkpoint's fsync
/// stalls the writer's WAL appends for about as long as it takes, so small frequent ones keep
/// the latency tail short: at 1,000 triggers/s, p99 was 24–36 ms with 1 s, 8–17 ms with
/// 100 ms and 4–10 ms with 20 ms.
const CHECKPOINT_PACE: Duration = Duration::from_millis(20);

/// The WAL size (in 4 KiB pages) past which a checkpoint makes it start over (about 64 MiB).
const WAL_RESTART_FRAMES: i64 = 16_384;

/// Copies committed pages from the WAL into the database file on its own thread and
/// connection, at most once per [`CHECKPOINT_PACE`], instead of SQLite's automatic checkpoint
/// inside whichever commit crosses the threshold.
pub(super) struct Checkpointer {
    commits: mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    pub(super) fn start(path: &Path) -> rusqlite::Result<Self> {
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
    pub(super) fn wake(&self) {
        // A full slot already asks for a checkpoint.
        let _ = self.commits.try_send(());
    }

    pub(super) fn stop(self) {
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
