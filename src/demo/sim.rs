//! The simulation state and the event list a scenario cycle produces.
//!
//! A cycle of the scenario is generated up front as a list of [`Ev`] (simulated time + one
//! write [`Op`]), sorted by time; the writer thread then applies them as the (compressed) clock
//! reaches them. [`Sim`] keeps what must persist across cycles: session ids, transcript parent
//! ids, when each session is next free, and the cron jobs.

use std::collections::HashMap;
use std::path::PathBuf;

use super::json::J;
use super::record::{Binding, Clock, Level, LogRecord, Trace, iso_utc};
use super::rng::Rng;
use super::world::{self, JobDef, SessionDef};

/// One write the simulated gateway performs.
#[derive(Debug, Clone)]
pub enum Op {
    /// Append a record to the file log.
    Log(LogRecord),
    /// Append one line to `agents/<agent>/sessions/<session_id>.jsonl`.
    Transcript {
        agent: &'static str,
        session_id: String,
        line: J,
    },
    /// Merge `patch` into the `sessions.json` entry `key` of `agent` (insert when missing).
    Session {
        agent: &'static str,
        key: String,
        patch: J,
    },
    /// Append one line to `cron/runs/<job_id>.jsonl`.
    CronRun { job_id: String, line: J },
    /// Merge `patch` into `cron/jobs-state.json` `jobs.<job_id>` (`state` merged key by key).
    CronState { job_id: String, patch: J },
}

/// An [`Op`] at a simulated time (ms; 0 = demo start, negative = backlog).
#[derive(Debug, Clone)]
pub struct Ev {
    pub at: i64,
    pub seq: u64,
    pub op: Op,
}

/// A long-lived session's running state.
#[derive(Debug, Clone)]
pub struct Sess {
    pub def: SessionDef,
    pub session_id: String,
    /// Simulated intervals `(from, to)` during which a run occupies the session lane.
    pub busy: Vec<(i64, i64)>,
    /// Context size (tokens) re-sent as the prompt; grows with each turn.
    pub context: i64,
}

/// The whole simulation: persistent world state plus the events of the cycle being built.
#[derive(Debug)]
pub struct Sim {
    pub clock: Clock,
    pub rng: Rng,
    pub seed: u64,
    /// Absolute path of the simulated state dir (`<dir>/state`), used inside records.
    pub state_dir: PathBuf,
    pub hostname: String,
    pub sessions: Vec<Sess>,
    pub jobs: Vec<JobDef>,
    /// Per-job consecutive error count (`jobs-state.json`).
    pub job_errors: HashMap<String, i64>,
    /// Last transcript entry id per session id (the `parentId` chain).
    pub last_entry: HashMap<String, String>,
    /// Session keys left `running` + `abortedLastRun` by a restart that recovery skipped;
    /// nobody talks to them again (stale bindings). `(key, simulated ms since)`.
    pub stale: Vec<(String, i64)>,
    pub out: Vec<Ev>,
    seq: u64,
}

impl Sim {
    /// A fresh world for `seed`, rooted at `state_dir`.
    pub fn new(seed: u64, clock: Clock, state_dir: PathBuf) -> Self {
        let mut rng = Rng::new(seed, 0x5745_4c44);
        let jobs = world::job_defs(&mut rng);
        let sessions = world::session_defs()
            .into_iter()
            .map(|def| Sess {
                session_id: rng.uuid(),
                busy: Vec::new(),
                context: if def.key == "agent:main:main" {
                    rng.range(56_000, 62_000)
                } else {
                    rng.range(9_000, 30_000)
                },
                def,
            })
            .collect();
        Sim {
            clock,
            rng,
            seed,
            state_dir,
            hostname: "demo-gw".to_owned(),
            sessions,
            jobs,
            job_errors: HashMap::new(),
            last_entry: HashMap::new(),
            stale: Vec::new(),
            out: Vec::new(),
            seq: 0,
        }
    }

    /// Record an op at simulated time `at`.
    pub fn push(&mut self, at: i64, op: Op) {
        self.seq += 1;
        self.out.push(Ev {
            at,
            seq: self.seq,
            op,
        });
    }

    /// Record a log line.
    pub fn log(&mut self, at: i64, rec: LogRecord) {
        self.push(at, Op::Log(rec));
    }

    /// A string-only record on `subsystem`.
    pub fn text(
        &mut self,
        at: i64,
        level: Level,
        subsystem: &'static str,
        text: String,
        trace: Option<&Trace>,
    ) {
        self.log(
            at,
            LogRecord::text(level, Binding::Subsystem(subsystem), text).traced(trace),
        );
    }

    /// The cron logger binding (`{"module":"cron","storeKey":…}`).
    pub fn cron_binding(&self) -> Binding {
        Binding::Cron(
            self.state_dir
                .join("cron")
                .join("jobs.json")
                .to_string_lossy()
                .into_owned(),
        )
    }

    /// Wall-clock epoch ms of simulated `at`.
    pub fn wall(&self, at: i64) -> i64 {
        self.clock.wall_ms(at)
    }

    /// A fresh trace (32-hex trace id, 16-hex span id).
    pub fn trace(&mut self) -> Trace {
        Trace {
            trace_id: self.rng.hex(32),
            span_id: self.rng.hex(16),
            parent_span_id: None,
        }
    }

    /// Index of the long-lived session `key`.
    pub fn sess_index(&self, key: &str) -> Option<usize> {
        self.sessions.iter().position(|s| s.def.key == key)
    }

    /// Absolute transcript path of `session_id` of `agent`.
    pub fn session_file(&self, agent: &str, session_id: &str) -> String {
        self.state_dir
            .join("agents")
            .join(agent)
            .join("sessions")
            .join(format!("{session_id}.jsonl"))
            .to_string_lossy()
            .into_owned()
    }

    /// Append a transcript entry `{type, id, parentId, timestamp, …body}` to a session and
    /// advance its parent chain. `body` holds the type-specific keys (`message`, `customType`…).
    pub fn entry(&mut self, at: i64, agent: &'static str, session_id: &str, kind: &str, body: J) {
        let id = self.rng.hex(8);
        let parent = self
            .last_entry
            .get(session_id)
            .map(|p| J::s(p))
            .unwrap_or_else(J::null);
        let mut line = J::obj().with("type", J::s(kind));
        // `custom` entries carry their payload before the ids, messages after (as captured).
        if kind == "custom" {
            line.merge(&body);
            line.set("id", J::s(&id));
            line.set("parentId", parent);
            line.set("timestamp", J::s(&iso_utc(self.wall(at))));
        } else {
            line.set("id", J::s(&id));
            line.set("parentId", parent);
            line.set("timestamp", J::s(&iso_utc(self.wall(at))));
            line.merge(&body);
        }
        self.last_entry.insert(session_id.to_owned(), id);
        self.push(
            at,
            Op::Transcript {
                agent,
                session_id: session_id.to_owned(),
                line,
            },
        );
    }

    /// Start a transcript: the `session` header, `model_change`, `thinking_level_change` and a
    /// `model-snapshot`, as 5.20 writes on creation.
    pub fn open_transcript(
        &mut self,
        at: i64,
        agent: &'static str,
        session_id: &str,
        model: &world::ModelDef,
    ) {
        let cwd = if agent == "main" {
            self.state_dir.join("workspace")
        } else {
            self.state_dir.join(format!("workspace-{agent}"))
        };
        let header = J::obj()
            .with("type", J::s("session"))
            .with("version", J::n(3))
            .with("id", J::s(session_id))
            .with("timestamp", J::s(&iso_utc(self.wall(at))))
            .with("cwd", J::s(&cwd.to_string_lossy()));
        self.push(
            at,
            Op::Transcript {
                agent,
                session_id: session_id.to_owned(),
                line: header,
            },
        );
        self.last_entry.remove(session_id);
        self.entry(
            at,
            agent,
            session_id,
            "model_change",
            J::obj()
                .with("provider", J::s(model.provider))
                .with("modelId", J::s(model.id)),
        );
        self.entry(
            at,
            agent,
            session_id,
            "thinking_level_change",
            J::obj().with("thinkingLevel", J::s("off")),
        );
        self.snapshot(at, agent, session_id, model);
    }

    /// A `custom` `model-snapshot` entry (written at every model switch).
    pub fn snapshot(
        &mut self,
        at: i64,
        agent: &'static str,
        session_id: &str,
        model: &world::ModelDef,
    ) {
        let data = J::obj()
            .with("timestamp", J::n(self.wall(at)))
            .with("provider", J::s(model.provider))
            .with("modelApi", J::s(model.api))
            .with("modelId", J::s(model.id));
        self.entry(
            at,
            agent,
            session_id,
            "custom",
            J::obj()
                .with("customType", J::s("model-snapshot"))
                .with("data", data),
        );
    }

    /// Merge a patch into a `sessions.json` entry.
    pub fn session_patch(&mut self, at: i64, agent: &'static str, key: &str, patch: J) {
        self.push(
            at,
            Op::Session {
                agent,
                key: key.to_owned(),
                patch,
            },
        );
    }

    /// Take the events built so far, sorted by (time, insertion order).
    pub fn drain_sorted(&mut self) -> Vec<Ev> {
        let mut evs = std::mem::take(&mut self.out);
        evs.sort_by_key(|e| (e.at, e.seq));
        evs
    }
}

impl Sim {
    /// Whether `key` is a stale binding at simulated time `t`.
    pub fn is_stale(&self, key: &str, t: i64) -> bool {
        self.stale.iter().any(|(k, since)| k == key && t >= *since)
    }
}
