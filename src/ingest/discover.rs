//! Discovery: find the state dir, profile, log files, config and storage generation.

use std::path::PathBuf;

use crate::fact::Generation;

/// What the user told us on the command line.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// `--state-dir`.
    pub state_dir: Option<PathBuf>,
    /// `--log` (repeatable): explicit log files or directories.
    pub logs: Vec<PathBuf>,
    /// `--profile`.
    pub profile: Option<String>,
}

/// What was found.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub state_dir: Option<PathBuf>,
    pub profile: Option<String>,
    pub config_path: Option<PathBuf>,
    /// Log files to follow, or patterns (dir + file-name family) to watch.
    pub logs: Vec<LogTarget>,
    pub generation: Option<Generation>,
    /// Agents found: (agent id, agent dir `agents/<id>`).
    pub agents: Vec<(String, PathBuf)>,
}

/// One log to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// One named file (followed across truncation, deletion and re-creation).
    File(PathBuf),
    /// A rolling family in `dir`: files named `<stem>-YYYY-MM-DD[.N].log` (e.g. stem `openclaw`
    /// or `openclaw-<profile>`).
    Family { dir: PathBuf, stem: String },
}
