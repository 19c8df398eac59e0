//! Strictly read-only access to an OpenClaw SQLite database, with cheap change detection.
//!
//! # How the database is opened
//! `Connection::open_with_flags("file:<path>?mode=ro", READ_ONLY | URI | NO_MUTEX)` with a
//! `busy_timeout` of [`BUSY_TIMEOUT`]. Never `immutable=1` (that would read torn pages while the
//! gateway writes), never a write, never a `CREATE`.
//!
//! # WAL databases and the `-wal`/`-shm` files (checked on this machine, SQLite 3.4x)
//! - A journal_mode=DELETE database (the captured DBs) opens and reads with no side file at all.
//! - A journal_mode=WAL database whose `-wal` **and** `-shm` exist (the gateway is running, or
//!   crashed) opens read-only and sees every committed transaction, including ones not yet
//!   checkpointed; uncommitted writes are invisible.
//! - A WAL database **without** its `-wal` or `-shm` (the gateway closed it cleanly): a
//!   `mode=ro` connection would *create* both files when the directory is writable (and fail
//!   with `SQLITE_CANTOPEN` when it is not). lanetop must never create files in the state dir,
//!   so [`RoDb`] checks the header (byte 18 = 2 means WAL) and both side files *before* every
//!   open and every poll. With **both** side files gone, every committed transaction has been
//!   checkpointed into the main file and no writer is attached (a writer would have created
//!   them), so the database is opened `immutable=1` (read as a plain file, creating nothing) —
//!   the one case where `immutable` reads exactly what the gateway committed. As soon as a
//!   `-wal` or `-shm` appears again (the gateway started), that connection is dropped and the
//!   database re-opened `mode=ro`. With only one of the two missing (a torn state), the poll
//!   fails with a clear [`StoreError::Sqlite`]. A race remains between the check and SQLite's
//!   own open (the gateway starting or stopping in that window); the next poll corrects it.
//! - While lanetop holds its connection, a gateway that closes cleanly does *not* remove
//!   `-wal`/`-shm` (the reader holds the shared-memory lock), so reading simply goes on; a
//!   read-only connection closing last leaves them in place too (it cannot checkpoint).
//! - A WAL reader necessarily maps the existing `-shm` (SQLite's shared wal-index) and takes
//!   its read locks there; it never writes the database or the `-wal`.
//!
//! All of this is exercised by `tests/stores_sqlite_live.rs`.
//!
//! # Change detection
//! `PRAGMA data_version` changes whenever another connection commits. A poll whose value did
//! not move costs one pragma and two `stat`s.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::ingest::store::StoreError;

/// How long a read waits for the gateway's write lock before failing with "database is locked".
pub const BUSY_TIMEOUT: Duration = Duration::from_millis(2000);

/// A lazily (re)opened read-only connection plus the last seen `data_version`.
pub(crate) struct RoDb {
    path: PathBuf,
    name: Arc<str>,
    conn: Option<Connection>,
    /// How `conn` was opened (must match what the side files say, else it is re-opened).
    conn_mode: OpenMode,
    data_version: Option<i64>,
}

/// How a database can be read without creating any file (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenMode {
    /// `mode=ro`: a rollback-journal db, or a WAL db with its `-wal` and `-shm` present.
    Live,
    /// `immutable=1`: a WAL db whose `-wal` and `-shm` are both gone (gateway stopped cleanly).
    Quiescent,
}

impl RoDb {
    /// Open `path` read-only now (so a bad path fails at construction).
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let mut db = Self {
            path: path.to_path_buf(),
            name: Arc::from(path.display().to_string()),
            conn: None,
            conn_mode: OpenMode::Live,
            data_version: None,
        };
        db.ensure_open()?;
        Ok(db)
    }

    /// Path as shown in errors and origins.
    pub(crate) fn name(&self) -> Arc<str> {
        self.name.clone()
    }

    /// The database file and its `-wal` (the files whose change should trigger a poll).
    pub(crate) fn watch_paths(&self) -> Vec<PathBuf> {
        vec![self.path.clone(), side_file(&self.path, "-wal")]
    }

    /// The connection when the database changed since the last call (always on the first
    /// call after an open), `None` when nothing changed.
    pub(crate) fn changed(&mut self) -> Result<Option<&Connection>, StoreError> {
        if let Err(e) = self.ensure_open() {
            self.conn = None;
            self.data_version = None;
            return Err(e);
        }
        let Some(conn) = self.conn.as_ref() else {
            return Err(self.err("connection unavailable"));
        };
        let version: i64 = match conn.query_row("PRAGMA data_version", [], |r| r.get(0)) {
            Ok(v) => v,
            Err(e) => {
                let err = sql_err(&self.name, &e);
                self.conn = None;
                self.data_version = None;
                return Err(err);
            }
        };
        if self.data_version == Some(version) {
            return Ok(None);
        }
        self.data_version = Some(version);
        Ok(self.conn.as_ref())
    }

    /// Forget the last `data_version`, so the next [`Self::changed`] reports a change (used
    /// after a failed read, which must be retried even if the database does not move).
    pub(crate) fn invalidate(&mut self) {
        self.data_version = None;
    }

    fn ensure_open(&mut self) -> Result<(), StoreError> {
        let mode = check_side_files(&self.path, &self.name)?;
        if self.conn.is_some() && self.conn_mode != mode {
            self.conn = None;
        }
        if self.conn.is_none() {
            let conn = match mode {
                OpenMode::Live => open_read_only(&self.path),
                OpenMode::Quiescent => open_immutable(&self.path),
            }
            .map_err(|e| sql_err(&self.name, &e))?;
            self.conn = Some(conn);
            self.conn_mode = mode;
            self.data_version = None;
        }
        Ok(())
    }

    fn err(&self, message: &str) -> StoreError {
        StoreError::Sqlite {
            path: self.name.to_string(),
            message: message.to_owned(),
        }
    }
}

/// Open `path` with `mode=ro` (see the module doc). Does not check the WAL side files.
pub fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let uri = format!("file:{}?mode=ro", uri_escape(&path.to_string_lossy()));
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(uri, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// Open a quiescent WAL database (no `-wal`, no `-shm`) with `immutable=1`: reads the main
/// file only and creates nothing. Only valid while both side files are absent.
fn open_immutable(path: &Path) -> rusqlite::Result<Connection> {
    let uri = format!(
        "file:{}?mode=ro&immutable=1",
        uri_escape(&path.to_string_lossy())
    );
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(uri, flags)
}

/// Decide how to open the db without touching anything: [`OpenMode::Live`] for a rollback
/// journal db or a WAL db with both side files, [`OpenMode::Quiescent`] for a WAL db with
/// neither; fail when the db is missing or only one side file exists.
fn check_side_files(path: &Path, name: &str) -> Result<OpenMode, StoreError> {
    let mut header = [0u8; 20];
    let mut file = std::fs::File::open(path).map_err(|e| StoreError::Io {
        path: name.to_owned(),
        message: e.to_string(),
    })?;
    let n = file.read(&mut header).map_err(|e| StoreError::Io {
        path: name.to_owned(),
        message: e.to_string(),
    })?;
    // An empty or short file is not in WAL mode yet; SQLite reports what it is.
    let wal_mode = n == header.len() && header[18] == 2;
    if !wal_mode {
        return Ok(OpenMode::Live);
    }
    let missing: Vec<&str> = ["-wal", "-shm"]
        .into_iter()
        .filter(|s| !side_file(path, s).exists())
        .collect();
    match missing.len() {
        0 => Ok(OpenMode::Live),
        2 => Ok(OpenMode::Quiescent),
        _ => Err(StoreError::Sqlite {
            path: name.to_owned(),
            message: format!(
                "WAL database has no {} but has the other side file; a read-only open would \
                 create it, and lanetop never creates files in the state dir",
                missing.join("/")
            ),
        }),
    }
}

/// `<path>-wal`, `<path>-shm`.
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Percent-escape the characters that would end or confuse the path part of a SQLite URI.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            _ => out.push(c),
        }
    }
    out
}

/// Map a rusqlite error to [`StoreError::Sqlite`], naming lock contention plainly.
pub(crate) fn sql_err(path: &str, e: &rusqlite::Error) -> StoreError {
    let message = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
            format!(
                "sqlite busy: locked by another connection (waited {} ms, retrying): {e}",
                BUSY_TIMEOUT.as_millis()
            )
        }
        _ => e.to_string(),
    };
    StoreError::Sqlite {
        path: path.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_escapes_specials() {
        assert_eq!(uri_escape("/a b/c?d#e%f"), "/a b/c%3fd%23e%25f");
    }

    #[test]
    fn side_file_appends_suffix() {
        assert_eq!(
            side_file(Path::new("/x/db.sqlite"), "-wal"),
            PathBuf::from("/x/db.sqlite-wal")
        );
    }
}
