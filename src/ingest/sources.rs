//! The store sources the orchestrator drives: store readers picked by generation, plus the
//! config reader. Each turns errors into
//! [`FactKind::SourceHealth`] facts; nothing here panics on bad input.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use chrono::Utc;

use crate::fact::{Fact, FactKind, Generation, Origin, SourceHealth, SourceKind};
use crate::ingest::discover::Discovery;
use crate::ingest::legacy::{LegacyAgentReader, LegacyCronReader};
use crate::ingest::sqlite::{AgentDbReader, StateDbReader};
use crate::ingest::store::{StoreError, StoreReader};

type Opener = Box<dyn Fn() -> Result<Box<dyn StoreReader>, StoreError> + Send>;

/// A store reader to open (and re-open after a failed open), with what the status bar needs.
pub struct StoreSlot {
    kind: SourceKind,
    path: Arc<str>,
    watch: Vec<PathBuf>,
    opener: Opener,
    reader: Option<Box<dyn StoreReader>>,
    last_health: Option<SourceHealth>,
}

impl StoreSlot {
    fn new(kind: SourceKind, path: &Path, opener: Opener) -> Self {
        let watch = vec![path.to_path_buf()];
        let path = Arc::from(path.to_string_lossy().as_ref());
        StoreSlot {
            kind,
            path,
            watch,
            opener,
            reader: None,
            last_health: None,
        }
    }

    /// A slot around an already open reader (it is not re-opened after a panic).
    pub fn from_reader(kind: SourceKind, reader: Box<dyn StoreReader>) -> Self {
        let watch = reader.watch_paths();
        let label = watch
            .first()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|| reader.name());
        let path: Arc<str> = Arc::from(label.as_str());
        let p2 = label.clone();
        let opener: Opener = Box::new(move || {
            Err(StoreError::Format {
                path: p2.clone(),
                message: "reader closed after a panic".into(),
            })
        });
        StoreSlot {
            kind,
            path,
            watch,
            opener,
            reader: Some(reader),
            last_health: None,
        }
    }

    /// The path this slot reads (its identity: one slot per path).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether this is the config reader.
    pub fn is_config(&self) -> bool {
        self.kind == SourceKind::Config
    }

    /// Files whose change should trigger [`StoreSlot::poll`].
    pub fn watch_paths(&self) -> Vec<PathBuf> {
        match &self.reader {
            Some(r) => {
                let mut v = r.watch_paths();
                v.extend(self.watch.iter().cloned());
                v
            }
            None => self.watch.clone(),
        }
    }

    /// Open if needed, poll, and push the facts plus a health fact when the health changed.
    pub fn poll(&mut self, out: &mut dyn FnMut(Fact)) {
        // A reader that panics is reported and re-opened on the next poll.
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &mut self.reader {
                Some(r) => r.poll(),
                None => match (self.opener)() {
                    Ok(r) => self.reader.insert(r).poll(),
                    Err(e) => Err(e),
                },
            }))
            .unwrap_or_else(|_| {
                self.reader = None;
                Err(StoreError::Format {
                    path: self.path.to_string(),
                    message: "reader panicked".into(),
                })
            });
        let health = match result {
            Ok(facts) => {
                let n = facts.len();
                facts.into_iter().for_each(&mut *out);
                let name = self.reader.as_ref().map(|r| r.name()).unwrap_or_default();
                SourceHealth::Ok {
                    detail: format!("{name} read ({n} new)"),
                }
            }
            Err(e @ StoreError::Absent { .. }) => SourceHealth::Waiting {
                detail: e.to_string(),
            },
            Err(e) => SourceHealth::Error {
                message: e.to_string(),
            },
        };
        let changed = match (&self.last_health, &health) {
            (Some(SourceHealth::Ok { .. }), SourceHealth::Ok { .. }) => false,
            (Some(a), b) => a != b,
            (None, _) => true,
        };
        if changed {
            out(health_fact(self.kind, self.path.clone(), health.clone()));
        }
        self.last_health = Some(health);
    }
}

/// A [`FactKind::SourceHealth`] fact stamped now.
pub fn health_fact(kind: SourceKind, path: Arc<str>, health: SourceHealth) -> Fact {
    Fact {
        at: Utc::now(),
        origin: Origin::new(kind, path),
        kind: FactKind::SourceHealth { health },
    }
}

/// The [`FactKind::Generation`] fact of a discovery, if the generation is known.
pub fn generation_fact(d: &Discovery) -> Option<Fact> {
    let g: Generation = d.generation?;
    let path = d
        .state_dir
        .as_deref()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(Fact {
        at: Utc::now(),
        origin: Origin::new(SourceKind::Lanetop, path.into()),
        kind: FactKind::Generation(g),
    })
}

/// The store readers of a discovery, picked by generation: 2026.6+ → one
/// [`AgentDbReader`] per `agents/<id>/agent/openclaw-agent.sqlite` and a [`StateDbReader`] for
/// `state/openclaw.sqlite`; legacy → one [`LegacyAgentReader`] per `agents/<id>/sessions/` and a
/// [`LegacyCronReader`] for `cron/`. Readers that fail to open are left out (see
/// [`build_slots`] for the retrying form used by the orchestrator).
pub fn build_readers(d: &Discovery) -> Vec<Box<dyn StoreReader>> {
    store_slots(d)
        .into_iter()
        .filter_map(|s| (s.opener)().ok())
        .collect()
}

/// The config reader (first: prices are needed to price usage) and the store readers. With a
/// state dir but no `openclaw.json` in it, the config slot still watches that path: the status
/// bar and `sources[]` say it is missing (waiting), and it is read once it appears.
pub fn build_slots(d: &Discovery) -> Vec<StoreSlot> {
    let mut v = Vec::new();
    let expected = d.state_dir.as_ref().map(|s| s.join("openclaw.json"));
    if let Some(cfg) = d.config_path.as_ref().or(expected.as_ref()) {
        let p = cfg.clone();
        v.push(StoreSlot::new(
            SourceKind::Config,
            cfg,
            Box::new(move || Ok(Box::new(ConfigReader::new(&p)))),
        ));
    }
    v.extend(store_slots(d));
    v
}

fn store_slots(d: &Discovery) -> Vec<StoreSlot> {
    let Some(state) = &d.state_dir else {
        return Vec::new();
    };
    let mut v = Vec::new();
    match d.generation {
        Some(Generation::Sqlite) => {
            for (id, dir) in &d.agents {
                let db = dir.join("agent").join("openclaw-agent.sqlite");
                if db.is_file() {
                    let (id, p) = (id.clone(), db.clone());
                    let open: Opener =
                        Box::new(move || Ok(Box::new(AgentDbReader::open(&id, &p)?)));
                    v.push(StoreSlot::new(SourceKind::AgentDb, &db, open));
                }
            }
            let db = state.join("state").join("openclaw.sqlite");
            if db.is_file() {
                let p = db.clone();
                v.push(StoreSlot::new(
                    SourceKind::StateDb,
                    &db,
                    Box::new(move || Ok(Box::new(StateDbReader::open(&p)?))),
                ));
            }
        }
        Some(Generation::Legacy) => {
            for (id, dir) in &d.agents {
                let sessions = dir.join("sessions");
                if sessions.is_dir() {
                    let (id, p) = (id.clone(), sessions.clone());
                    let open: Opener =
                        Box::new(move || Ok(Box::new(LegacyAgentReader::open(&id, &p)?)));
                    v.push(StoreSlot::new(SourceKind::LegacySessions, &sessions, open));
                }
            }
            let cron = state.join("cron");
            if cron.is_dir() {
                let p = cron.clone();
                v.push(StoreSlot::new(
                    SourceKind::LegacyCron,
                    &cron,
                    Box::new(move || Ok(Box::new(LegacyCronReader::open(&p)?))),
                ));
            }
        }
        None => {}
    }
    v
}

/// Re-parses `openclaw.json` when its mtime or size changes; yields one
/// [`FactKind::Config`] per successful parse. A parse error is repeated until the file changes.
pub struct ConfigReader {
    path: PathBuf,
    seen: Option<(Option<SystemTime>, u64)>,
    last_error: Option<String>,
}

impl ConfigReader {
    /// A reader of the config file at `path` (nothing read yet).
    pub fn new(path: &Path) -> Self {
        ConfigReader {
            path: path.to_path_buf(),
            seen: None,
            last_error: None,
        }
    }
}

impl StoreReader for ConfigReader {
    fn name(&self) -> String {
        "config".into()
    }
    fn watch_paths(&self) -> Vec<PathBuf> {
        vec![self.path.clone()]
    }
    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        let io = |e: std::io::Error| StoreError::Io {
            path: self.path.display().to_string(),
            message: e.to_string(),
        };
        let meta = match std::fs::metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Absent {
                    path: self.path.display().to_string(),
                    hint: "no fallback chains, prices, lane limits or heartbeat settings".into(),
                });
            }
            m => m.map_err(io)?,
        };
        let stamp = (meta.modified().ok(), meta.len());
        if self.seen == Some(stamp) {
            return match &self.last_error {
                Some(m) => Err(StoreError::Format {
                    path: self.path.display().to_string(),
                    message: m.clone(),
                }),
                None => Ok(Vec::new()),
            };
        }
        self.seen = Some(stamp);
        match crate::ingest::config::load_config(&self.path) {
            Ok(cfg) => {
                self.last_error = None;
                let at = stamp
                    .0
                    .map(chrono::DateTime::<Utc>::from)
                    .unwrap_or_else(Utc::now);
                let origin = Origin::new(
                    SourceKind::Config,
                    self.path.to_string_lossy().as_ref().into(),
                );
                Ok(vec![Fact {
                    at,
                    origin,
                    kind: FactKind::Config(Box::new(cfg)),
                }])
            }
            Err(e) => {
                self.last_error = Some(match &e {
                    StoreError::Io { message, .. }
                    | StoreError::Sqlite { message, .. }
                    | StoreError::Format { message, .. } => message.clone(),
                    StoreError::Absent { hint, .. } => hint.clone(),
                });
                Err(e)
            }
        }
    }
}
