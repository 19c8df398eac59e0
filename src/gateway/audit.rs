//! The audit log: one JSONL record per action attempt, in lanetop's XDG state dir
//! (`$LANETOP_STATE_DIR`, else `~/.local/state/lanetop`), file `audit.jsonl`, mode 0600.
//!
//! Record: `{"time": RFC 3339 UTC, "action": "kill-run", "target": "agent:main:main",
//! "params": {…RPC params…}, "method": "sessions.abort"|null, "ok": bool,
//! "answer": {…payload…}|{"code","message","details"}, "by": "operator"|"guard:<rule>",
//! "reason": str}` (`reason`: the guard rule's, only for `guard:*`). Params never hold secrets (the auth
//! token travels only in `connect`, which is never audited).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// File name of the audit log inside the state dir.
pub const AUDIT_FILE: &str = "audit.jsonl";

/// lanetop's state dir: `$LANETOP_STATE_DIR`, else XDG state (`~/.local/state/lanetop`), else
/// the data dir.
pub fn state_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("LANETOP_STATE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let p = directories::ProjectDirs::from("ai", "openclaw", "lanetop")?;
    Some(
        p.state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| p.data_dir().to_path_buf()),
    )
}

/// Appends records to `audit.jsonl`.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

/// One record.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub action: &'a str,
    pub target: &'a str,
    pub method: Option<&'a str>,
    pub params: &'a Value,
    pub ok: bool,
    pub answer: &'a Value,
    /// Who asked: the operator, or a guard rule.
    pub by: &'a super::runner::Initiator,
}

impl AuditLog {
    /// An audit log at `dir/audit.jsonl` (the dir is created 0700 on first write).
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(AUDIT_FILE),
        }
    }

    /// Path of the file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record (create the file with mode 0600 if needed). Errors are returned, not
    /// swallowed; the runner reports them in the outcome.
    pub fn append(&self, r: &Record<'_>) -> std::io::Result<()> {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if let Some(dir) = self.path.parent() {
            super::identity::create_private_dir(dir)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&self.path)?;
        // A file someone created with a looser mode is tightened.
        let perms = f.metadata()?.permissions();
        if perms.mode() & 0o077 != 0 {
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        let mut line = json!({
            "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "action": r.action, "target": r.target, "method": r.method,
            "params": r.params, "ok": r.ok, "answer": r.answer, "by": r.by.name(),
        });
        if let Some(why) = r.by.reason() {
            line["reason"] = json!(why);
        }
        f.write_all(format!("{line}\n").as_bytes())?;
        f.sync_data()
    }
}
