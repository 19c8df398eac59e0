//! The watch log: lanetop's own tracing, appended as plain text lines (`RFC3339 LEVEL target:
//! message`) to `--log-file`, else `<state dir>/watch.log` (`$LANETOP_STATE_DIR`, else
//! `~/.local/state/lanetop`). `LANETOP_LOG` sets the filter (default `info`).

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// File name of the watch log inside the state dir.
pub const FILE: &str = "watch.log";

/// The default log path: `<state dir>/watch.log`.
pub fn default_path() -> Option<PathBuf> {
    crate::gateway::audit::state_dir().map(|d| d.join(FILE))
}

/// Route tracing to `path` (created with its parent dirs, mode 0600, appended). Errors are
/// the user's to fix (unwritable path).
pub fn init(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut o = OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let file = o
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("LANETOP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false);
    tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .try_init()
        .map_err(|e| e.to_string())
}
