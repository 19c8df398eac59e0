//! Sessions: one per session key, fused from the stores (rows, transcripts) and the log.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Utc};

use crate::fact::{ModelRef, Origin};

/// What a session is for, derived from its key and row (`agent:<id>:main`, `…:cron:<job>`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionKind {
    /// `agent:<id>:main`: the agent's main interactive session.
    Main,
    /// `agent:<id>:<channel>:direct:<peer>`.
    Direct,
    /// `…:group:<id>`, `…:channel:<id>`, `…:room:<id>`.
    Group,
    /// `agent:<id>:cron:<jobId>` or `cron:<jobId>`: the binding a cron job reuses.
    CronJob,
    /// `agent:<id>:cron:<jobId>:run:<sessionId|runAtMs>`: one isolated cron run.
    CronRun,
    /// A session driven by a heartbeat job.
    Heartbeat,
    /// Spawned by another session (`spawnedBy` / `parent_session_key`, `…:subagent:…`).
    Subagent,
    #[default]
    Other,
}

/// What the session is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionState {
    Running,
    Queued,
    #[default]
    Idle,
    /// Marked `running` in the store but with no activity for long: a stale binding.
    Stale,
    Failed,
}

/// One entry of a session timeline.
#[derive(Debug, Clone)]
pub struct Turn {
    pub at: DateTime<Utc>,
    pub kind: TurnKind,
    pub origin: Origin,
}

/// What happened in one timeline entry.
#[derive(Debug, Clone)]
pub enum TurnKind {
    User { heartbeat: bool },
    Assistant { model: ModelRef, tokens: u64, cost_usd: Option<f64>, stop_reason: Option<String>, error: Option<String> },
    Fallback { from: Option<ModelRef>, to: Option<ModelRef>, reason: Option<String>, status: Option<u16> },
    ModelChange { model: ModelRef },
    RunStarted { run_id: String },
    RunEnded { run_id: String, outcome: String },
}

/// One session (one session key).
#[derive(Debug, Clone, Default)]
pub struct Session {
    pub key: String,
    pub agent_id: String,
    pub session_id: String,
    pub kind: SessionKind,
    pub state: SessionState,
    /// Raw store status (`running | done | failed | killed | timeout`).
    pub status: Option<String>,
    pub label: Option<String>,
    /// The agent's configured primary model (from `openclaw.json`).
    pub configured_model: Option<ModelRef>,
    /// The model that answered last.
    pub current_model: Option<ModelRef>,
    pub model_override: Option<ModelRef>,
    pub last_activity: Option<DateTime<Utc>>,
    /// Tokens in + out (+ cache) over the session's transcripts.
    pub tokens: u64,
    /// Priced spend in USD.
    pub cost_usd: f64,
    /// Tokens with no price anywhere (never counted as $0).
    pub unpriced_tokens: u64,
    /// The cron job that owns this session, when it is a cron binding or run.
    pub cron_job_id: Option<String>,
    /// Queued followups (pending inputs), from the store.
    pub queued: u32,
    /// Runs started and not yet done, by run id.
    pub active_runs: Vec<String>,
    /// Number of fallback episodes seen for this session.
    pub fallback_episodes: u32,
    /// Timeline, oldest first, bounded.
    pub turns: VecDeque<Turn>,
    /// Where the row came from.
    pub origin: Option<Origin>,
}

/// All sessions by key, plus the session-id → key index the log needs (logs name session ids).
#[derive(Debug, Default)]
pub struct Sessions {
    pub by_key: BTreeMap<String, Session>,
    pub key_by_session_id: HashMap<String, String>,
}
