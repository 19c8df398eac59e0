//! Removing entries from a legacy `sessions.json` (≤ 2026.5, FORMATS-LEGACY.md §1.2-1.3) with
//! the gateway stopped, safely:
//!
//! 1. refuse when a gateway process is alive and the release has no store lock (2026.5);
//! 2. take `sessions.json.lock` ([`super::lock`]);
//! 3. read the file and its fingerprint (dev, inode, size, mtime ns);
//! 4. drop the entries asked for, skipping any whose `sessionId` changed or whose transcript
//!    has a `<sessionId>.jsonl.lock` (a run holds it); transcripts are never touched;
//! 5. back up the bytes read to `sessions.json.lanetop-backup.<ISO with dashes>` (mode 0600);
//! 6. write `sessions.json.<random>.tmp` (mode 0600, exclusive create), fsync;
//! 7. re-check the fingerprint right before the rename; if the file changed, remove the temp
//!    file and start over from step 3 (at most [`ATTEMPTS`] times);
//! 8. rename over `sessions.json`, fsync the directory, release the lock.
//!
//! Entries are kept byte for byte and in their order (`JSON.stringify(store, null, 2)` layout).

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::lock::StoreLock;

/// How many times the read-edit-write is redone when the file changed under it.
pub const ATTEMPTS: usize = 8;

/// Which legacy release wrote the store (decides whether a store lock protects live edits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyRelease {
    /// 2026.3.x: the gateway honours `sessions.json.lock`.
    Locking,
    /// 2026.5.x or unknown: no store lock; never edit while a gateway process is alive.
    Unlocked,
}

/// One entry to remove: its key and the session id it must still have (if known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub key: String,
    pub expected_session_id: Option<String>,
}

/// What an edit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditReport {
    pub removed: Vec<String>,
    /// (key, why) for entries left in place.
    pub skipped: Vec<(String, String)>,
    pub backup: Option<PathBuf>,
    /// Read-edit-write rounds needed (1 when nothing raced).
    pub rounds: usize,
}

/// Why an edit was refused or failed. Nothing was changed when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("a gateway process is running and this release takes no store lock: stop it first")]
    GatewayAlive,
    #[error("{0}")]
    Io(String),
    #[error("{path}: not a JSON object of sessions: {message}")]
    Format { path: String, message: String },
    #[error("{0} kept changing while being edited; nothing written")]
    Busy(String),
}

fn io(p: &Path, e: std::io::Error) -> EditError {
    EditError::Io(format!("{}: {e}", p.display()))
}

/// (dev, inode, size, mtime ns) of a file.
fn fingerprint(p: &Path) -> std::io::Result<(u64, u64, u64, i64)> {
    let m = std::fs::metadata(p)?;
    Ok((
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime() * 1_000_000_000 + m.mtime_nsec(),
    ))
}

/// The store's entries in file order, each value kept as its raw JSON text.
struct Ordered(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of session entries")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered, A::Error> {
                let mut v = Vec::new();
                while let Some((k, raw)) = m.next_entry::<String, Box<RawValue>>()? {
                    v.push((k, raw));
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// Serialize like `JSON.stringify(store, null, 2)` (no trailing newline), values verbatim.
fn render(entries: &[(String, Box<RawValue>)]) -> String {
    if entries.is_empty() {
        return "{}".into();
    }
    let body: Vec<String> = entries
        .iter()
        .map(|(k, v)| {
            format!(
                "  {}: {}",
                serde_json::to_string(k).unwrap_or_default(),
                v.get()
            )
        })
        .collect();
    format!("{{\n{}\n}}", body.join(",\n"))
}

fn session_id_of(raw: &RawValue) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(raw.get()).ok()?;
    v.get("sessionId")?.as_str().map(String::from)
}

/// True when `<dir>/<sessionId>.jsonl.lock` exists (a run holds the transcript).
fn transcript_locked(dir: &Path, session_id: &str) -> bool {
    dir.join(format!("{session_id}.jsonl.lock")).exists()
}

fn write_new_private(p: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(p)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn random_suffix() -> String {
    let mut b = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Remove `removals` from the store at `store` (see the module doc for the steps).
/// `gateway_alive` tells whether a gateway process runs now.
pub fn remove_entries(
    store: &Path,
    removals: &[Removal],
    release: LegacyRelease,
    gateway_alive: bool,
) -> Result<EditReport, EditError> {
    if gateway_alive && release == LegacyRelease::Unlocked {
        return Err(EditError::GatewayAlive);
    }
    let dir = store.parent().unwrap_or(Path::new(".")).to_path_buf();
    let _lock = StoreLock::acquire(store, Duration::from_secs(5)).map_err(|e| io(store, e))?;
    let mut backup: Option<PathBuf> = None;
    for round in 1..=ATTEMPTS {
        let before = fingerprint(store).map_err(|e| io(store, e))?;
        let bytes = std::fs::read(store).map_err(|e| io(store, e))?;
        let Ordered(entries) = serde_json::from_slice(&bytes).map_err(|e| EditError::Format {
            path: store.display().to_string(),
            message: e.to_string(),
        })?;
        let mut report = EditReport {
            rounds: round,
            ..EditReport::default()
        };
        let mut kept = Vec::with_capacity(entries.len());
        for (k, raw) in entries {
            let Some(r) = removals.iter().find(|r| r.key == k) else {
                kept.push((k, raw));
                continue;
            };
            let sid = session_id_of(&raw);
            let why = if let (Some(exp), Some(now)) = (&r.expected_session_id, &sid)
                && exp != now
            {
                Some(format!("session changed (now {now})"))
            } else if sid.as_deref().is_some_and(|s| transcript_locked(&dir, s)) {
                Some("transcript locked (.jsonl.lock): a run holds it".to_string())
            } else {
                None
            };
            match why {
                Some(w) => {
                    report.skipped.push((k.clone(), w));
                    kept.push((k, raw));
                }
                None => report.removed.push(k),
            }
        }
        for r in removals {
            if !report.removed.contains(&r.key) && !report.skipped.iter().any(|(k, _)| k == &r.key)
            {
                report
                    .skipped
                    .push((r.key.clone(), "not in the store".into()));
            }
        }
        if report.removed.is_empty() {
            return Ok(report);
        }
        // Back up what we read (once per distinct content; the first round's copy usually).
        let stamp = chrono::Utc::now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .replace(':', "-");
        let bk = dir.join(format!(
            "{}.lanetop-backup.{stamp}.{round}",
            store
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("sessions.json")
        ));
        write_new_private(&bk, &bytes).map_err(|e| io(&bk, e))?;
        if let Some(old) = backup.replace(bk) {
            let _ = std::fs::remove_file(old);
        }
        let tmp = dir.join(format!(
            "{}.{}.tmp",
            store
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("sessions.json"),
            random_suffix()
        ));
        write_new_private(&tmp, render(&kept).as_bytes()).map_err(|e| io(&tmp, e))?;
        if fingerprint(store).map_err(|e| io(store, e))? != before {
            let _ = std::fs::remove_file(&tmp);
            continue;
        }
        std::fs::rename(&tmp, store).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(store, e)
        })?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        report.backup = backup;
        return Ok(report);
    }
    if let Some(b) = backup {
        let _ = std::fs::remove_file(b);
    }
    Err(EditError::Busy(store.display().to_string()))
}

/// True when an OpenClaw gateway process runs on this host (`/proc/*/comm` is
/// `openclaw-gatewa…`, or the command line runs `openclaw … gateway`).
pub fn gateway_process_alive() -> bool {
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return false;
    };
    rd.flatten().any(|e| {
        let p = e.path();
        if !e
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            return false;
        }
        let comm = std::fs::read_to_string(p.join("comm")).unwrap_or_default();
        if comm.trim_end().starts_with("openclaw-gatew") {
            return true;
        }
        let cmd = std::fs::read(p.join("cmdline")).unwrap_or_default();
        let args: Vec<&[u8]> = cmd.split(|b| *b == 0).collect();
        args.iter()
            .any(|a| a.ends_with(b"openclaw") || a.ends_with(b"openclaw.mjs"))
            && args.iter().any(|a| *a == b"gateway")
    })
}
