//! `sessions.json.lock` the way OpenClaw 2026.3.x takes it (FORMATS-LEGACY.md §1.3): exclusive
//! create (`O_CREAT|O_EXCL`), payload `{"pid": N, "createdAt": ISO}`, polls backing off
//! `min(1000, 50*attempt)` ms, a 10 s acquire timeout, and stale locks reclaimed when the pid is
//! dead or the lock is older than 30 s (the file mtime when the payload has no `createdAt`).
//! Released by removing the file, only if it is still ours.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// A store lock older than this is stale (OpenClaw `staleMs ?? 3e4`).
pub const STALE: Duration = Duration::from_secs(30);
/// Acquire timeout (OpenClaw `timeoutMs ?? 1e4`).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct StoreLock {
    path: PathBuf,
    token: String,
}

/// The lock path of a store: `<store>.lock`.
pub fn lock_path(store: &Path) -> PathBuf {
    let mut s = store.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// True when a process with this pid exists (`kill(pid, 0)`).
pub fn pid_alive(pid: i64) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks for existence/permission.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Is the existing lock at `path` stale (dead pid, or older than [`STALE`])?
fn is_stale(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    if let Some(pid) = v.get("pid").and_then(serde_json::Value::as_i64)
        && !pid_alive(pid)
    {
        return true;
    }
    let created = v
        .get("createdAt")
        .and_then(serde_json::Value::as_str)
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| SystemTime::from(t.with_timezone(&chrono::Utc)))
        .or_else(|| std::fs::metadata(path).and_then(|m| m.modified()).ok());
    match created {
        Some(t) => SystemTime::now()
            .duration_since(t)
            .is_ok_and(|age| age > STALE),
        // Vanished meanwhile: retry the create.
        None => false,
    }
}

impl StoreLock {
    /// Take the lock of `store`, waiting at most `timeout`.
    pub fn acquire(store: &Path, timeout: Duration) -> std::io::Result<StoreLock> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = lock_path(store);
        let t0 = Instant::now();
        let mut attempt: u64 = 0;
        loop {
            let token = format!(
                "{{\n  \"pid\": {},\n  \"createdAt\": \"{}\"\n}}",
                std::process::id(),
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            );
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(mut f) => {
                    f.write_all(token.as_bytes())?;
                    return Ok(StoreLock { path, token });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if is_stale(&path) {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                }
                Err(e) => return Err(e),
            }
            attempt += 1;
            if t0.elapsed() >= timeout {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "{} is held (waited {} ms)",
                        path.display(),
                        timeout.as_millis()
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis((50 * attempt).min(1000)));
        }
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        // Only remove the lock if it is still the one we wrote (not reclaimed by someone else).
        if std::fs::read_to_string(&self.path).is_ok_and(|t| t == self.token) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
