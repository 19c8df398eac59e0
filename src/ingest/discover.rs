//! Discovery: find the state dir, profile, log files, config and storage generation.
//!
//! Rules (FORMATS.md §1.1, §2, §4; OBSERVED.md §1; FORMATS-LEGACY.md §6):
//! - state dir: `--state-dir`, else `$OPENCLAW_STATE_DIR`, else `$OPENCLAW_HOME` (a *home* dir:
//!   its `.openclaw[-<profile>]` is used when it exists, the dir itself when it already looks like
//!   a state dir), else `~/.openclaw[-<profile>]`. Assumption (not spelled out by the docs): a
//!   named profile `<p>` keeps its state in `~/.openclaw-<p>`, like OpenClaw's `--profile`.
//! - profile: `--profile`, else `$OPENCLAW_PROFILE` (empty or `default` = no profile).
//! - config: `<state dir>/openclaw.json`; its `logging.file` overrides the default log path.
//! - logs: `--log` (files or dirs) win; else `logging.file`; else the rolling family
//!   `/tmp/openclaw/openclaw[-<escaped profile>]-YYYY-MM-DD[.N].log` and the fallback dir
//!   `<tmpdir>/openclaw-<uid>/`.
//! - generation: SQLite stores present → [`Generation::Sqlite`]; `agents/*/sessions/sessions.json`
//!   or `cron/jobs.json` → [`Generation::Legacy`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::fact::Generation;
use crate::ingest::tail::parse_family_name;

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
    /// The state dir, when it exists (holds `agents/`, `state/`, `openclaw.json`).
    pub state_dir: Option<PathBuf>,
    /// The named profile in effect, if any.
    pub profile: Option<String>,
    /// `<state dir>/openclaw.json`, when it exists.
    pub config_path: Option<PathBuf>,
    /// Log files to follow, or patterns (dir + file-name family) to watch.
    pub logs: Vec<LogTarget>,
    pub generation: Option<Generation>,
    /// Agents found: (agent id, agent dir `agents/<id>`), sorted by id.
    pub agents: Vec<(String, PathBuf)>,
}

/// One log to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// One named file (followed across truncation, deletion and re-creation; its size-rotation
    /// archives `<name>.N.log` beside it are part of it).
    File(PathBuf),
    /// A rolling family in `dir`: files named `<stem>-YYYY-MM-DD[.N].log` (e.g. stem `openclaw`
    /// or `openclaw-<profile>`).
    Family { dir: PathBuf, stem: String },
}

impl LogTarget {
    /// The directory watched for this target.
    pub fn dir(&self) -> PathBuf {
        match self {
            LogTarget::File(p) => parent_dir(p),
            LogTarget::Family { dir, .. } => dir.clone(),
        }
    }
}

/// The directory of a file path; `.` for a bare file name.
fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The environment discovery reads: variables, home dir, temp dir, uid, and the default log
/// dir. Tests build one by hand instead of mutating the process environment.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// Environment variables (only the `OPENCLAW_*` ones are read).
    pub vars: Vec<(String, OsString)>,
    /// The user's home dir (`~`).
    pub home: Option<PathBuf>,
    /// The OS temp dir (`os.tmpdir()`), for the `<tmpdir>/openclaw-<uid>/` fallback.
    pub tmp_dir: PathBuf,
    /// The default log dir, `/tmp/openclaw`.
    pub default_log_dir: PathBuf,
    /// The real uid (`getuid()`).
    pub uid: u32,
}

impl Env {
    /// The environment of this process.
    pub fn from_process() -> Self {
        let vars = ["OPENCLAW_STATE_DIR", "OPENCLAW_HOME", "OPENCLAW_PROFILE"]
            .iter()
            .filter_map(|k| std::env::var_os(k).map(|v| (k.to_string(), v)))
            .collect();
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        Env {
            vars,
            home: std::env::home_dir(),
            tmp_dir: std::env::temp_dir(),
            default_log_dir: PathBuf::from("/tmp/openclaw"),
            uid,
        }
    }

    /// A non-empty variable.
    pub fn var(&self, name: &str) -> Option<&OsString> {
        self.vars
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v)
    }
}

/// Why discovery failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// No state dir and no log file was found. Lists every place looked at.
    #[error(
        "no OpenClaw data found. Looked for:\n{}\nPoint lanetop at it with --state-dir <dir> \
         (or OPENCLAW_STATE_DIR=<dir>), --log <file-or-dir>, or try --demo.",
        .looked.iter().map(|(what, p)| format!("  - {what}: {}", p.display())).collect::<Vec<_>>().join("\n")
    )]
    NothingFound {
        /// (what, path) for every place looked at.
        looked: Vec<(String, PathBuf)>,
    },
    /// A `--log` path that does not exist and whose directory does not exist either.
    #[error("--log {}: no such file or directory (and its parent directory does not exist)", .0.display())]
    LogPathMissing(PathBuf),
}

/// Discover with the process environment.
pub fn discover(opts: &DiscoverOptions) -> Result<Discovery, DiscoverError> {
    discover_with(opts, &Env::from_process())
}

/// Discover with an explicit environment (see [`Env`]).
pub fn discover_with(opts: &DiscoverOptions, env: &Env) -> Result<Discovery, DiscoverError> {
    let mut looked = Vec::new();
    let profile = opts
        .profile
        .clone()
        .or_else(|| {
            env.var("OPENCLAW_PROFILE")
                .map(|v| v.to_string_lossy().into_owned())
        })
        .filter(|p| !p.is_empty() && p != "default");
    let state_name = match &profile {
        Some(p) => format!(".openclaw-{p}"),
        None => ".openclaw".to_string(),
    };
    let state_candidate = resolve_state_dir(opts, env, &state_name, &mut looked);
    let state_dir = state_candidate.filter(|p| p.is_dir());

    let config_path = state_dir
        .as_ref()
        .map(|d| d.join("openclaw.json"))
        .filter(|p| p.is_file());
    let log_file = config_path
        .as_deref()
        .and_then(|p| crate::ingest::config::load_config(p).ok())
        .and_then(|c| c.log_file);

    let mut logs = Vec::new();
    let mut any_log = false;
    if !opts.logs.is_empty() {
        for p in &opts.logs {
            looked.push(("--log".into(), p.clone()));
            if p.is_dir() {
                logs.extend(targets_in_dir(p, &profile_stem(profile.as_deref())));
            } else if p.is_file()
                || p.parent()
                    .is_some_and(|d| d.as_os_str().is_empty() || d.is_dir())
            {
                logs.push(target_for_file(p));
            } else {
                return Err(DiscoverError::LogPathMissing(p.clone()));
            }
        }
        any_log = true;
    } else if let Some(f) = log_file {
        let p = expand_tilde(&f, env);
        looked.push(("logging.file".into(), p.clone()));
        any_log = p.exists();
        logs.push(target_for_file(&p));
    } else {
        let stem = profile_stem(profile.as_deref());
        let fallback = env.tmp_dir.join(format!("openclaw-{}", env.uid));
        let mut dirs = vec![env.default_log_dir.clone()];
        if fallback != env.default_log_dir {
            dirs.push(fallback);
        }
        for dir in dirs {
            looked.push((
                "log family".into(),
                dir.join(format!("{stem}-YYYY-MM-DD[.N].log")),
            ));
            if family_has_files(&dir, &stem) {
                any_log = true;
                logs.push(LogTarget::Family {
                    dir,
                    stem: stem.clone(),
                });
            }
        }
        if logs.is_empty() {
            // Nothing yet: wait for the default family to appear.
            logs.push(LogTarget::Family {
                dir: env.default_log_dir.clone(),
                stem,
            });
        }
    }

    if state_dir.is_none() && !any_log {
        return Err(DiscoverError::NothingFound { looked });
    }

    let agents = state_dir.as_deref().map(list_agents).unwrap_or_default();
    let generation = state_dir
        .as_deref()
        .and_then(|d| detect_generation(d, &agents));
    Ok(Discovery {
        state_dir,
        profile,
        config_path,
        logs,
        generation,
        agents,
    })
}

fn resolve_state_dir(
    opts: &DiscoverOptions,
    env: &Env,
    state_name: &str,
    looked: &mut Vec<(String, PathBuf)>,
) -> Option<PathBuf> {
    if let Some(d) = &opts.state_dir {
        looked.push(("--state-dir".into(), d.clone()));
        return Some(d.clone());
    }
    if let Some(d) = env.var("OPENCLAW_STATE_DIR") {
        let d = PathBuf::from(d);
        looked.push(("$OPENCLAW_STATE_DIR".into(), d.clone()));
        return Some(d);
    }
    if let Some(h) = env.var("OPENCLAW_HOME") {
        let h = PathBuf::from(h);
        let nested = h.join(state_name);
        looked.push(("$OPENCLAW_HOME state dir".into(), nested.clone()));
        if nested.is_dir() {
            return Some(nested);
        }
        looked.push(("$OPENCLAW_HOME itself as a state dir".into(), h.clone()));
        if looks_like_state_dir(&h) {
            return Some(h);
        }
        return Some(nested);
    }
    let d = env.home.as_ref()?.join(state_name);
    looked.push(("state dir".into(), d.clone()));
    Some(d)
}

fn looks_like_state_dir(d: &Path) -> bool {
    d.join("openclaw.json").is_file()
        || d.join("agents").is_dir()
        || d.join("state").join("openclaw.sqlite").is_file()
}

fn expand_tilde(s: &str, env: &Env) -> PathBuf {
    match (s.strip_prefix("~/"), &env.home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(s),
    }
}

/// The file-name stem of the default rolling log for a profile: `openclaw` or
/// `openclaw-<escaped profile>` (FORMATS.md §1.1 escaping: `-`→`--`, `_`→`-0`, uppercase `X`→`-1x`,
/// other non-`[a-z0-9]` → `-2<hex code point>-`). Segments over 220 characters (hashed by
/// OpenClaw with SHA-256) are not supported: the escaped text is used as is.
pub fn profile_stem(profile: Option<&str>) -> String {
    let Some(p) = profile else {
        return "openclaw".into();
    };
    let mut out = String::from("openclaw-");
    for c in p.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            '-' => out.push_str("--"),
            '_' => out.push_str("-0"),
            'A'..='Z' => {
                out.push_str("-1");
                out.push(c.to_ascii_lowercase());
            }
            _ => out.push_str(&format!("-2{:x}-", c as u32)),
        }
    }
    out
}

/// A `--log`/`logging.file` path: a rolling family when its name matches the rolling pattern,
/// else one file.
fn target_for_file(p: &Path) -> LogTarget {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match parse_family_name(&name) {
        Some(f) if f.rotation == 0 => LogTarget::Family {
            dir: parent_dir(p),
            stem: f.stem.to_string(),
        },
        _ => LogTarget::File(p.to_path_buf()),
    }
}

/// Targets in a `--log` dir: every rolling family found; else every plain `openclaw*.log`
/// (not an archive `.N.log`); else wait for the default family.
fn targets_in_dir(dir: &Path, default_stem: &str) -> Vec<LogTarget> {
    let names = list_names(dir);
    let mut stems: Vec<String> = names
        .iter()
        .filter_map(|n| parse_family_name(n).map(|f| f.stem.to_string()))
        .collect();
    stems.sort();
    stems.dedup();
    if !stems.is_empty() {
        return stems
            .into_iter()
            .map(|stem| LogTarget::Family {
                dir: dir.to_path_buf(),
                stem,
            })
            .collect();
    }
    let mut files: Vec<PathBuf> = names
        .iter()
        .filter(|n| n.starts_with("openclaw") && n.ends_with(".log") && !is_archive_name(n))
        .map(|n| dir.join(n))
        .collect();
    files.sort();
    if !files.is_empty() {
        return files.into_iter().map(LogTarget::File).collect();
    }
    vec![LogTarget::Family {
        dir: dir.to_path_buf(),
        stem: default_stem.to_string(),
    }]
}

fn is_archive_name(n: &str) -> bool {
    n.strip_suffix(".log")
        .and_then(|b| b.rsplit_once('.'))
        .is_some_and(|(_, k)| !k.is_empty() && k.bytes().all(|c| c.is_ascii_digit()))
}

fn list_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn family_has_files(dir: &Path, stem: &str) -> bool {
    list_names(dir)
        .iter()
        .any(|n| parse_family_name(n).is_some_and(|f| f.stem == stem))
}

/// Refresh what can change while lanetop runs (a gateway started on a fresh state dir creates
/// its agents, stores and config after lanetop started): agents, storage generation and config
/// path, re-read from `d.state_dir`. Logs are left as they are (the tailers follow their dirs).
pub fn refresh(d: &Discovery) -> Discovery {
    let mut n = d.clone();
    if let Some(state) = &d.state_dir {
        n.agents = list_agents(state);
        n.generation = detect_generation(state, &n.agents).or(d.generation);
        if n.config_path.is_none() {
            let cfg = state.join("openclaw.json");
            n.config_path = cfg.is_file().then_some(cfg);
        }
    }
    n
}

fn list_agents(state_dir: &Path) -> Vec<(String, PathBuf)> {
    let dir = state_dir.join("agents");
    let mut v: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(|n| (n.to_string(), e.path())))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// SQLite stores → [`Generation::Sqlite`]; legacy JSON stores → [`Generation::Legacy`].
pub fn detect_generation(state_dir: &Path, agents: &[(String, PathBuf)]) -> Option<Generation> {
    let sqlite = state_dir.join("state").join("openclaw.sqlite").is_file()
        || agents
            .iter()
            .any(|(_, d)| d.join("agent").join("openclaw-agent.sqlite").is_file());
    if sqlite {
        return Some(Generation::Sqlite);
    }
    let legacy = state_dir.join("cron").join("jobs.json").is_file()
        || agents
            .iter()
            .any(|(_, d)| d.join("sessions").join("sessions.json").is_file());
    legacy.then_some(Generation::Legacy)
}
