//! The interface every store reader (SQLite, legacy files, config) offers to the ingest
//! orchestrator: poll for what changed since the last poll.

use std::path::PathBuf;

use crate::fact::Fact;

/// Why a store read failed. Shown in the status bar; the reader is polled again later.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: sqlite: {message}")]
    Sqlite { path: String, message: String },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
    /// The file is not there (yet): shown as waiting, not failing; `hint` says what is missing
    /// without it.
    #[error("{} not found in {} ({hint})", file_of(path), dir_of(path))]
    Absent { path: String, hint: String },
}

/// `openclaw.json` of `/srv/state/openclaw.json`.
fn file_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `/srv/state` of `/srv/state/openclaw.json`.
fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

/// A source read by polling: SQLite DBs, `sessions.json`, transcripts, cron files, config.
///
/// `poll` returns only what is new or changed since the previous call (snapshots such as
/// [`crate::fact::FactKind::SessionsSnapshot`] are re-sent whole when their table changed;
/// append-only records such as usage and cron runs are sent once). Readers never write.
pub trait StoreReader: Send {
    /// Short name for the status bar, e.g. `agent-db:main`, `state-db`, `sessions.json:ops`.
    fn name(&self) -> String;
    /// Files whose change should trigger a poll (for SQLite: the db and its `-wal`).
    fn watch_paths(&self) -> Vec<PathBuf>;
    /// Read what changed. Errors are reported and the reader is polled again later.
    fn poll(&mut self) -> Result<Vec<Fact>, StoreError>;
}
