//! Hidden `--stats-file PATH` (for `scripts/soak.sh`): once a second the event loop rewrites
//! `PATH` with one line of ingest figures, so a soak can tell how far lanetop is behind the log:
//!
//! ```text
//! lines=<log lines folded> corrupt=<unparsable lines> sessions=<sessions in the model>
//! newest_ms=<time of the newest log line folded, epoch ms> unix_ms=<wall clock at write, epoch ms>
//! ```
//!
//! `unix_ms - newest_ms` is the lag for a log whose lines are stamped when written. The file is
//! written to `PATH.tmp` then renamed (readers never see half a line). Errors are ignored (a
//! figure for tests, not a feature).

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::domain::Model;

static PATH: OnceLock<PathBuf> = OnceLock::new();

/// Turn the stats file on (first call wins).
pub fn enable(path: PathBuf) {
    let _ = PATH.set(path);
}

/// The stats line for `model` at wall clock `now_ms` (epoch ms).
pub fn line(model: &Model, now_ms: i64) -> String {
    let newest = model
        .logs
        .entries()
        .back()
        .map_or(0, |e| e.at.timestamp_millis());
    format!(
        "lines={} corrupt={} sessions={} newest_ms={newest} unix_ms={now_ms}\n",
        model.logs.total,
        model.corrupt.count,
        model.sessions.by_key.len()
    )
}

/// Rewrite the stats file when enabled (called on the event loop's 1 Hz tick).
pub fn tick(model: &Model) {
    let Some(path) = PATH.get() else { return };
    let tmp = path.with_extension("tmp");
    let text = line(model, chrono::Utc::now().timestamp_millis());
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}
