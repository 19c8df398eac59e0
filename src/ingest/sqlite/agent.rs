//! [`AgentDbReader`]: one per-agent store `agents/<id>/agent/openclaw-agent.sqlite` (2026.6+).
//!
//! Per poll (skipped when `PRAGMA data_version` did not move), inside one read transaction:
//! 1. `session_nodes` ⟕ `session_windows` (on `current_session_id`) → a
//!    [`FactKind::SessionsSnapshot`], sent on the first poll and whenever the rows differ. The
//!    rows are re-read only when a cheap digest of both tables moved (see
//!    `super::sessions::fingerprint`) or every `FULL_REREAD` (30 s) at most, since the
//!    gateway commits to unrelated tables (auth state, memory index) all the time;
//! 2. `transcript_events` rows past the last `(session_id, seq)` seen → [`FactKind::Usage`],
//!    [`FactKind::UserTurn`], [`FactKind::TranscriptModelChange`] (never resent); compressed
//!    rows (`event_json` NULL) are decoded from `event_zstd`; a row that cannot be decoded
//!    becomes a [`FactKind::CorruptLine`];
//! 3. `session_transcript_archives` rows not read yet (by `archive_name`): the transcript of a
//!    session deleted with `deleteTranscript` (its `transcript_events` rows are gone; a reset
//!    keeps them, FORMATS.md §2.2), JSONL in `archive_blob` (`encoding` `identity` or `zstd`) →
//!    the same facts, so spend keeps what was paid for. An archive of a session whose events
//!    this reader already read live is skipped (nothing is counted twice);
//! 4. `session_pending_inputs` with `state='queued'`, counted per session key →
//!    [`FactKind::PendingInputs`], sent on the first poll and on change.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::fact::{Fact, FactKind, Origin, SessionRow, SourceKind};
use crate::ingest::sqlite::conn::{RoDb, sql_err};
use crate::ingest::sqlite::sessions;
use crate::ingest::sqlite::transcript::{self, EntryContext};
use crate::ingest::sqlite::util::{excerpt, ms_to_utc};
use crate::ingest::store::{StoreError, StoreReader};

/// Reads one agent's SQLite store incrementally.
pub struct AgentDbReader {
    agent_id: String,
    db: RoDb,
    path: Arc<str>,
    last_sessions: Option<Vec<SessionRow>>,
    /// Cheap digest of `session_nodes`/`session_windows` at the last full read.
    sessions_fingerprint: Option<sessions::Fingerprint>,
    sessions_read: Option<Instant>,
    last_pending: Option<Vec<(String, u32)>>,
    /// Highest `seq` already turned into facts, per transcript `session_id`.
    seen_seq: HashMap<String, i64>,
    /// Every session id whose `transcript_events` were read (kept after its rows are gone).
    read_live: HashSet<String>,
    /// `session_transcript_archives.archive_name`s already handled.
    archives_read: HashSet<String>,
    /// Facts of a poll that failed half-way, delivered by the next poll.
    carry: Vec<Fact>,
}

impl AgentDbReader {
    /// Open `db_path` read-only for agent `agent_id`. Fails when the file is missing, is not a
    /// database, or is a WAL database without its `-wal`/`-shm` (see `sqlite::conn`).
    pub fn open(agent_id: &str, db_path: &Path) -> Result<Self, StoreError> {
        let db = RoDb::open(db_path)?;
        Ok(Self {
            agent_id: agent_id.to_owned(),
            path: db.name(),
            db,
            last_sessions: None,
            sessions_fingerprint: None,
            sessions_read: None,
            last_pending: None,
            seen_seq: HashMap::new(),
            read_live: HashSet::new(),
            archives_read: HashSet::new(),
            carry: Vec::new(),
        })
    }

    /// Append what changed to `out`. Every fact pushed is accounted for in the reader's state
    /// at once, so after an error `poll` keeps `out` for the next call and nothing is lost or
    /// sent twice.
    fn read(&mut self, out: &mut Vec<Fact>) -> Result<(), StoreError> {
        let Some(conn) = self.db.changed()? else {
            return Ok(());
        };
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sql_err(&path, &e);
        let tx = conn.unchecked_transaction().map_err(err)?;

        let fingerprint = sessions::fingerprint(&tx).map_err(err)?;
        let stale = self
            .sessions_read
            .is_none_or(|t| t.elapsed() >= sessions::FULL_REREAD);
        if stale || self.sessions_fingerprint.as_ref() != Some(&fingerprint) {
            let rows = sessions::load(&tx, &self.agent_id).map_err(err)?;
            self.sessions_fingerprint = Some(fingerprint);
            self.sessions_read = Some(Instant::now());
            if self.last_sessions.as_ref() != Some(&rows) {
                let at = rows
                    .iter()
                    .filter_map(|r| r.updated_at_ms)
                    .max()
                    .and_then(ms_to_utc);
                out.push(Fact {
                    at: at.unwrap_or_else(Utc::now),
                    origin: Origin::row(
                        SourceKind::AgentDb,
                        self.path.clone(),
                        "session_nodes",
                        "*",
                    ),
                    kind: FactKind::SessionsSnapshot {
                        agent_id: self.agent_id.clone(),
                        rows: rows.clone(),
                    },
                });
                self.last_sessions = Some(rows);
            }
        }

        let keys = load_window_keys(&tx).map_err(err)?;
        let maxes = load_max_seq(&tx).map_err(err)?;
        let present: HashSet<&str> = maxes.iter().map(|(s, _)| s.as_str()).collect();
        self.seen_seq.retain(|s, _| present.contains(s.as_str()));
        for (session_id, max) in &maxes {
            let from = self.seen_seq.get(session_id).copied().unwrap_or(-1);
            if *max <= from {
                continue;
            }
            let key = keys.get(session_id).map(String::as_str);
            let ctx = EntryContext {
                agent_id: &self.agent_id,
                session_id,
                session_key: key,
            };
            // `last` advances row by row, so a failure mid-session keeps what was pushed.
            let mut last = from;
            let res = read_events(&tx, &self.path, &ctx, &mut last, out);
            self.seen_seq.insert(session_id.clone(), last);
            self.read_live.insert(session_id.clone());
            res.map_err(err)?;
        }

        for (name, session_id, session_key) in load_archive_names(&tx).map_err(err)? {
            if !self.archives_read.insert(name.clone()) || self.read_live.contains(&session_id) {
                continue;
            }
            let ctx = EntryContext {
                agent_id: &self.agent_id,
                session_id: &session_id,
                session_key: Some(&session_key),
            };
            read_archive(&tx, &self.path, &name, &ctx, out).map_err(err)?;
        }

        let pending = load_pending(&tx).map_err(err)?;
        if self.last_pending.as_ref() != Some(&pending) {
            out.push(Fact {
                at: Utc::now(),
                origin: Origin::row(
                    SourceKind::AgentDb,
                    self.path.clone(),
                    "session_pending_inputs",
                    "queued",
                ),
                kind: FactKind::PendingInputs {
                    agent_id: self.agent_id.clone(),
                    queued_by_session_key: pending.clone(),
                },
            });
            self.last_pending = Some(pending);
        }
        drop(tx);
        Ok(())
    }
}

impl StoreReader for AgentDbReader {
    fn name(&self) -> String {
        format!("agent-db:{}", self.agent_id)
    }

    fn watch_paths(&self) -> Vec<PathBuf> {
        self.db.watch_paths()
    }

    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        let mut out = std::mem::take(&mut self.carry);
        match self.read(&mut out) {
            Ok(()) => Ok(out),
            Err(e) => {
                self.carry = out;
                self.db.invalidate();
                Err(e)
            }
        }
    }
}

/// `session_windows`: transcript `session_id` → `session_key`.
fn load_window_keys(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT session_id, session_key FROM session_windows")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Highest `seq` per transcript session (a scan of the primary-key index).
fn load_max_seq(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut stmt = conn
        .prepare_cached("SELECT session_id, max(seq) FROM transcript_events GROUP BY session_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Queued followups per session key.
fn load_pending(conn: &Connection) -> rusqlite::Result<Vec<(String, u32)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT session_key, count(*) FROM session_pending_inputs WHERE state = 'queued' \
         GROUP BY session_key ORDER BY session_key",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get::<_, i64>(1)?.clamp(0, i64::from(u32::MAX)) as u32,
        ))
    })?;
    rows.collect()
}

/// `(archive_name, session_id, session_key)` of every transcript archive; none when the table
/// does not exist (a store older than it).
fn load_archive_names(conn: &Connection) -> rusqlite::Result<Vec<(String, String, String)>> {
    let exists: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' \
         AND name = 'session_transcript_archives'",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT archive_name, session_id, session_key FROM session_transcript_archives \
         ORDER BY created_at, archive_name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// Largest decompressed transcript archive accepted, in bytes (256 MiB); a larger one
/// becomes one corrupt-row fact.
const MAX_ARCHIVE_BYTES: u64 = 256 << 20;

/// Turn one archived transcript (JSONL, one entry per line) into facts; a line that does not
/// decode becomes a corrupt-row fact, as does an archive that does not inflate.
fn read_archive(
    conn: &Connection,
    path: &Arc<str>,
    name: &str,
    ctx: &EntryContext<'_>,
    out: &mut Vec<Fact>,
) -> rusqlite::Result<()> {
    let (encoding, blob, created_at): (String, Vec<u8>, i64) = conn.query_row(
        "SELECT encoding, archive_blob, created_at FROM session_transcript_archives \
         WHERE archive_name = ?1",
        [name],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let fallback = ms_to_utc(created_at).unwrap_or_else(Utc::now);
    let origin = |line: usize| {
        Origin::row(
            SourceKind::AgentDb,
            path.clone(),
            "session_transcript_archives",
            &format!("{name}#{line}"),
        )
    };
    let bytes = match encoding.as_str() {
        "identity" => blob,
        "zstd" => match inflate_capped(&blob, MAX_ARCHIVE_BYTES, "archive") {
            Ok(b) => b,
            Err(e) => {
                out.push(corrupt(fallback, origin(0), e, &[]));
                return Ok(());
            }
        },
        other => {
            out.push(corrupt(
                fallback,
                origin(0),
                format!("unknown archive encoding {other:?}"),
                &[],
            ));
            return Ok(());
        }
    };
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match transcript::decode(line, ctx) {
            Ok(d) => {
                if let Some(kind) = d.kind {
                    out.push(Fact {
                        at: d.at.unwrap_or(fallback),
                        origin: origin(i + 1),
                        kind,
                    });
                }
            }
            Err(e) => out.push(corrupt(fallback, origin(i + 1), e.to_string(), line)),
        }
    }
    Ok(())
}

/// Turn the events of one session with `seq > *last` into facts, advancing `*last` per row.
fn read_events(
    conn: &Connection,
    path: &Arc<str>,
    ctx: &EntryContext<'_>,
    last: &mut i64,
    out: &mut Vec<Fact>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, event_json, event_zstd, created_at FROM transcript_events \
         WHERE session_id = ?1 AND seq > ?2 ORDER BY seq",
    )?;
    let mut rows = stmt.query((ctx.session_id, *last))?;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let json: Option<String> = r.get(1)?;
        let zstd_blob: Option<Vec<u8>> = r.get(2)?;
        let created_at: i64 = r.get(3)?;
        let key = format!("{}#{seq}", ctx.session_id);
        let origin = Origin::row(SourceKind::AgentDb, path.clone(), "transcript_events", &key);
        let fallback = ms_to_utc(created_at).unwrap_or_else(Utc::now);
        match event_bytes(json, zstd_blob)
            .and_then(|b| transcript::decode(&b, ctx).map_err(|e| (e.to_string(), b)))
        {
            Ok(d) => {
                if let Some(kind) = d.kind {
                    out.push(Fact {
                        at: d.at.unwrap_or(fallback),
                        origin,
                        kind,
                    });
                }
            }
            Err((error, bytes)) => out.push(corrupt(fallback, origin, error, &bytes)),
        }
        *last = seq;
    }
    Ok(())
}

/// Largest decompressed `event_zstd` accepted, in bytes (16 MiB). A zstd frame can expand
/// ~30,000-fold (9 KB of input → 300 MB), so a corrupt or hostile row must not be inflated
/// unbounded; a larger row becomes a corrupt-row fact instead.
pub(crate) const MAX_EVENT_BYTES: u64 = 16 << 20;

/// The event JSON: `event_json`, else `event_zstd` decompressed (at most [`MAX_EVENT_BYTES`]).
/// Errors carry a message starting with `zstd` (or naming the two NULL columns) and the bytes
/// to excerpt.
pub(crate) fn event_bytes(
    json: Option<String>,
    blob: Option<Vec<u8>>,
) -> Result<Vec<u8>, (String, Vec<u8>)> {
    match (json, blob) {
        (Some(j), _) => Ok(j.into_bytes()),
        (None, Some(b)) => inflate(&b).map_err(|e| (e, Vec::new())),
        (None, None) => Err((
            "event_json and event_zstd are both NULL".to_owned(),
            Vec::new(),
        )),
    }
}

/// Decompress every zstd frame of `blob`, refusing more than [`MAX_EVENT_BYTES`].
fn inflate(blob: &[u8]) -> Result<Vec<u8>, String> {
    inflate_capped(blob, MAX_EVENT_BYTES, "event")
}

/// Decompress every zstd frame of `blob`, refusing more than `cap` bytes (`what` names it in
/// the error).
fn inflate_capped(blob: &[u8], cap: u64, what: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let dec = zstd::stream::read::Decoder::new(blob).map_err(|e| format!("zstd: {e}"))?;
    let mut out = Vec::new();
    dec.take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("zstd: {e}"))?;
    if out.len() as u64 > cap {
        return Err(format!(
            "zstd: {what} larger than {} MiB once decompressed",
            cap >> 20
        ));
    }
    Ok(out)
}

fn corrupt(at: DateTime<Utc>, origin: Origin, error: String, bytes: &[u8]) -> Fact {
    let excerpt = excerpt(
        &String::from_utf8_lossy(&bytes[..bytes.len().min(400)]),
        200,
    );
    Fact {
        at,
        origin,
        kind: FactKind::CorruptLine { error, excerpt },
    }
}
