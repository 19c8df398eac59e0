//! [`LegacyAgentReader`]: `agents/<id>/sessions/` of a ≤ 2026.5 gateway.
//!
//! - `sessions.json` (`{ "<sessionKey>": SessionEntry }`, FORMATS-LEGACY.md §1.2) is re-read when
//!   its inode, size or mtime changes and sent as a [`FactKind::SessionsSnapshot`] when the rows
//!   differ. An invalid (e.g. half-written) file keeps the previous snapshot and yields one
//!   [`StoreError::Format`] per file version.
//! - Transcripts `<sessionId>.jsonl` (pi v3, §2.1) are tailed by byte offset, complete lines
//!   only; their entries become [`FactKind::Usage`], [`FactKind::UserTurn`] and
//!   [`FactKind::TranscriptModelChange`] (see `crate::ingest::sqlite::transcript`), with the
//!   session key looked up by `sessionId`/`sessionFile` in `sessions.json`. A replaced or
//!   truncated transcript is read again from the start and entries already sent (by entry
//!   `id`, per session id) are skipped.
//! - Archived transcripts `<sessionId>.jsonl.reset.<ts>` and `<sessionId>.jsonl.deleted.<ts>`
//!   (what `sessions.reset` and `sessions.delete` leave, FORMATS-LEGACY.md §1.1) are read the
//!   same way: their turns were paid for, so spend keeps them after a reset or a prune. A
//!   transcript renamed into an archive while lanetop runs is not counted twice (its entries
//!   were sent under the same session id).
//! - Ignored: `*.trajectory.jsonl`, `*.jsonl.lock`, `*.bak*`, `*.checkpoint.*`, dot files
//!   (`.fs-safe-replace.*.tmp`).
//!
//! Facts produced before an error in the same poll are kept and returned by the next poll.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;

use crate::fact::{Fact, FactKind, Origin, SessionRow, SourceKind};
use crate::ingest::legacy::files::{JsonlTail, Stamp};
use crate::ingest::sqlite::entry::row_from_entry;
use crate::ingest::sqlite::transcript::{self, EntryContext};
use crate::ingest::sqlite::util::{excerpt, ms_to_utc};
use crate::ingest::store::{StoreError, StoreReader};

/// Reads one agent's `sessions/` directory incrementally.
pub struct LegacyAgentReader {
    agent_id: String,
    dir: PathBuf,
    store_path: PathBuf,
    store_name: Arc<str>,
    store_seen: Option<Stamp>,
    last_rows: Option<Vec<SessionRow>>,
    /// Session id (and `sessionFile` stem) → session key.
    key_by_session: HashMap<String, String>,
    transcripts: HashMap<PathBuf, Transcript>,
    /// Entry ids already turned into facts, by session id: survives a rewrite of the file and
    /// its rename into a `.reset.`/`.deleted.` archive.
    sent: HashMap<String, HashSet<String>>,
    carry: Vec<Fact>,
}

struct Transcript {
    tail: JsonlTail,
    name: Arc<str>,
    session_id: String,
}

impl LegacyAgentReader {
    /// A reader for `sessions_dir` (`agents/<id>/sessions`). The directory may not exist yet
    /// (polls then return nothing); a path that exists but is not a directory is an error.
    pub fn open(agent_id: &str, sessions_dir: &Path) -> Result<Self, StoreError> {
        if sessions_dir.exists() && !sessions_dir.is_dir() {
            return Err(StoreError::Io {
                path: sessions_dir.display().to_string(),
                message: "not a directory".into(),
            });
        }
        let store_path = sessions_dir.join("sessions.json");
        Ok(Self {
            agent_id: agent_id.to_owned(),
            dir: sessions_dir.to_path_buf(),
            store_name: Arc::from(store_path.display().to_string()),
            store_path,
            store_seen: None,
            last_rows: None,
            key_by_session: HashMap::new(),
            transcripts: HashMap::new(),
            sent: HashMap::new(),
            carry: Vec::new(),
        })
    }

    fn read_store(&mut self, out: &mut Vec<Fact>) -> Result<(), StoreError> {
        let io = |e: std::io::Error| StoreError::Io {
            path: self.store_name.to_string(),
            message: e.to_string(),
        };
        let Some(stamp) = Stamp::of(&self.store_path).map_err(io)? else {
            return Ok(());
        };
        if self.store_seen == Some(stamp) {
            return Ok(());
        }
        // Report a broken version once; a rewrite changes the stamp and is read again.
        self.store_seen = Some(stamp);
        let bytes = std::fs::read(&self.store_path).map_err(io)?;
        let format = |message: String| StoreError::Format {
            path: self.store_name.to_string(),
            message,
        };
        let dir = &self.dir;
        let (rows, keys) = parse_store_with(&self.agent_id, &bytes, |row, e| {
            transcript_missing(dir, &row.session_id, e)
        })
        .map_err(format)?;
        self.key_by_session = keys;
        if self.last_rows.as_ref() != Some(&rows) {
            let at = rows
                .iter()
                .filter_map(|r| r.updated_at_ms)
                .max()
                .and_then(ms_to_utc);
            out.push(Fact {
                at: at.unwrap_or_else(Utc::now),
                origin: Origin::new(SourceKind::LegacySessions, self.store_name.clone()),
                kind: FactKind::SessionsSnapshot {
                    agent_id: self.agent_id.clone(),
                    rows: rows.clone(),
                },
            });
            self.last_rows = Some(rows);
        }
        Ok(())
    }

    fn read_transcripts(&mut self, out: &mut Vec<Fact>) -> Result<(), StoreError> {
        let io = |p: &Path, e: std::io::Error| StoreError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io(&self.dir, e)),
        };
        let mut present: Vec<(PathBuf, String)> = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(sid) = transcript_session_id(name) {
                present.push((entry.path(), sid));
            }
        }
        present.sort();
        let keep: HashSet<&PathBuf> = present.iter().map(|(p, _)| p).collect();
        self.transcripts.retain(|p, _| keep.contains(p));
        // A session's sent ids go with its last file (a rename into an archive keeps the id).
        let sids: HashSet<&str> = present.iter().map(|(_, s)| s.as_str()).collect();
        self.sent.retain(|s, _| sids.contains(s.as_str()));
        let mut first_err = None;
        for (path, sid) in &present {
            let t = self
                .transcripts
                .entry(path.clone())
                .or_insert_with(|| Transcript {
                    tail: JsonlTail::new(path.clone()),
                    name: Arc::from(path.display().to_string()),
                    session_id: sid.clone(),
                });
            let new = match t.tail.read_new() {
                Ok(Some(n)) => n,
                Ok(None) => continue,
                Err(e) => {
                    first_err.get_or_insert_with(|| io(path, e));
                    continue;
                }
            };
            let key = self.key_by_session.get(&t.session_id).map(String::as_str);
            let sent = self.sent.entry(t.session_id.clone()).or_default();
            let ctx = EntryContext {
                agent_id: &self.agent_id,
                session_id: &t.session_id,
                session_key: key,
            };
            for (line, bytes) in new.lines {
                let origin = Origin::line(SourceKind::LegacyTranscript, t.name.clone(), line);
                match transcript::decode(&bytes, &ctx) {
                    Ok(d) => {
                        let Some(kind) = d.kind else { continue };
                        if let Some(id) = d.id
                            && !sent.insert(id)
                        {
                            continue;
                        }
                        out.push(Fact {
                            at: d.at.unwrap_or_else(Utc::now),
                            origin,
                            kind,
                        });
                    }
                    Err(e) => out.push(Fact {
                        at: Utc::now(),
                        origin,
                        kind: FactKind::CorruptLine {
                            error: e.to_string(),
                            excerpt: excerpt(
                                &String::from_utf8_lossy(&bytes[..bytes.len().min(400)]),
                                200,
                            ),
                        },
                    }),
                }
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

impl StoreReader for LegacyAgentReader {
    fn name(&self) -> String {
        format!("sessions.json:{}", self.agent_id)
    }

    fn watch_paths(&self) -> Vec<PathBuf> {
        vec![self.dir.clone(), self.store_path.clone()]
    }

    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        let mut out = std::mem::take(&mut self.carry);
        let store = self.read_store(&mut out);
        let transcripts = self.read_transcripts(&mut out);
        match store.and(transcripts) {
            Ok(()) => Ok(out),
            Err(e) => {
                self.carry = out;
                Err(e)
            }
        }
    }
}

/// The session index of one agent.
pub(crate) type SessionIndex = (Vec<SessionRow>, HashMap<String, String>);

/// Parse the bytes of a `sessions.json` (`{ "<sessionKey>": SessionEntry }`, FORMATS-LEGACY.md
/// §1.2) into its rows sorted by key, and the map session id (and `sessionFile` stem) → session
/// key (the first key in key order wins). Errors (not JSON, not an object) are messages that
/// say the previous snapshot is kept. Pure: shared with the fuzz harness.
pub(crate) fn parse_store(agent_id: &str, bytes: &[u8]) -> Result<SessionIndex, String> {
    parse_store_with(agent_id, bytes, |_, _| false)
}

/// [`parse_store`], with `SessionRow::transcript_missing` set by `missing(row, entry)` (the
/// reader looks for the transcript on disk; the pure parse says none is missing).
fn parse_store_with(
    agent_id: &str,
    bytes: &[u8],
    missing: impl Fn(&SessionRow, &Value) -> bool,
) -> Result<SessionIndex, String> {
    let store: Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("invalid JSON ({e}); keeping the previous sessions snapshot"))?;
    let Some(map) = store.as_object() else {
        return Err("not a JSON object of session entries; keeping the previous snapshot".into());
    };
    let mut rows: Vec<SessionRow> = map
        .iter()
        .map(|(k, e)| {
            let mut row = row_from_entry(agent_id, k, e);
            row.transcript_missing = missing(&row, e);
            row
        })
        .collect();
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    let mut keys = HashMap::new();
    for (row, entry) in rows.iter().map(|r| (r, &map[&r.key])) {
        if !row.session_id.is_empty() {
            keys.entry(row.session_id.clone())
                .or_insert_with(|| row.key.clone());
        }
        if let Some(stem) = entry
            .get("sessionFile")
            .and_then(Value::as_str)
            .and_then(file_session_id)
        {
            keys.entry(stem).or_insert_with(|| row.key.clone());
        }
    }
    Ok((rows, keys))
}

/// The session id of a transcript file name, or `None` when the file is not a transcript.
/// `<id>.jsonl` → `<id>`; `<id>-topic-<thread>.jsonl` → `<id>`; the archives
/// `<id>.jsonl.reset.<ts>` and `<id>.jsonl.deleted.<ts>` → `<id>`.
fn transcript_session_id(name: &str) -> Option<String> {
    if name.starts_with('.') || name.ends_with(".trajectory.jsonl") || name.contains(".checkpoint.")
    {
        return None;
    }
    let stem = match name.split_once(".jsonl.") {
        Some((stem, rest)) if rest.starts_with("reset.") || rest.starts_with("deleted.") => stem,
        Some(_) => return None,
        None => name.strip_suffix(".jsonl")?,
    };
    if stem.is_empty() || stem.contains(".bak") || stem.contains('.') {
        return None;
    }
    Some(stem.split("-topic-").next().unwrap_or(stem).to_owned())
}

/// True when an entry names a session whose transcript is gone: neither
/// `<dir>/<sessionId>.jsonl`, nor the `sessionFile` path, nor a file of that name in `dir`
/// exists. Entries with no session id are not judged (`false`).
fn transcript_missing(dir: &Path, session_id: &str, entry: &Value) -> bool {
    if session_id.is_empty() {
        return false;
    }
    if dir.join(format!("{session_id}.jsonl")).is_file() {
        return false;
    }
    let file = entry.get("sessionFile").and_then(Value::as_str);
    let named = file.is_some_and(|f| {
        let p = Path::new(f);
        p.is_file() || p.file_name().is_some_and(|n| dir.join(n).is_file())
    });
    !named
}

/// The session id named by an entry's `sessionFile` (absolute path of the transcript).
fn file_session_id(path: &str) -> Option<String> {
    let name = Path::new(path).file_name()?.to_str()?;
    transcript_session_id(name)
}

#[cfg(test)]
mod tests {
    use super::transcript_session_id as sid;

    #[test]
    fn transcript_names() {
        assert_eq!(sid("abc.jsonl").as_deref(), Some("abc"));
        assert_eq!(sid("abc-topic-42.jsonl").as_deref(), Some("abc"));
        // Archives of a reset and of a delete (FORMATS-LEGACY.md §1.1).
        assert_eq!(
            sid("abc.jsonl.reset.2026-11-22T20-55-11.328Z").as_deref(),
            Some("abc")
        );
        assert_eq!(
            sid("abc.jsonl.deleted.2026-01-01T00-00-00.000Z").as_deref(),
            Some("abc")
        );
        for ignored in [
            "abc.trajectory.jsonl",
            "abc.jsonl.lock",
            "abc.jsonl.bak-12-34",
            "abc.bak.jsonl",
            ".fs-safe-replace.1.x.tmp",
            "sessions.json",
            "abc.trajectory-path.json",
            "abc.jsonl.other.2026",
        ] {
            assert_eq!(sid(ignored), None, "{ignored}");
        }
    }
}
