//! The report's serde types, mirroring the schema in the module doc of `crate::report`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::gateway::GatewayState;
use crate::domain::{SessionKind, SessionState};
use crate::fact::{Generation, Level, Schedule};

pub(super) type Time = Option<DateTime<Utc>>;

/// The whole report (schema `lanetop.report/1`).
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub generated_at: Time,
    pub generation: Option<Generation>,
    pub sources: Vec<SourceOut>,
    pub corrupt_lines: CorruptOut,
    pub gateway: GatewayOut,
    /// Sessions a store lists (bindings: SQLite `session_nodes`, legacy `sessions.json`).
    pub sessions: Vec<SessionOut>,
    /// Sessions known only from other evidence (log lines, transcripts with no binding, e.g.
    /// finished isolated cron runs on ≤ 2026.5); their spend is in `spend` too.
    pub unbound_sessions: Vec<SessionOut>,
    pub lanes: Vec<LaneOut>,
    pub fallbacks: FallbacksOut,
    pub cascades: Vec<EpisodeOut>,
    pub spend: SpendOut,
    pub cron: CronOut,
    pub warnings: WarningsOut,
    pub logs: LogsOut,
    /// Failure-mode alerts, most severe first.
    pub alerts: Vec<super::alerts::AlertOut>,
    /// Projected cron / heartbeat spend until the morning hour.
    pub overnight: Option<crate::domain::overnight::Overnight>,
    /// Daily budgets (only those configured) with today's spend.
    pub budgets: Vec<super::alerts::BudgetOut>,
}

/// One source's health (`sources[]`).
#[derive(Debug, Serialize)]
pub struct SourceOut {
    pub name: String,
    pub path: String,
    pub status: &'static str,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// Corrupt-line count and the newest lines (`corrupt_lines`).
#[derive(Debug, Serialize)]
pub struct CorruptOut {
    pub count: u64,
    pub recent: Vec<CorruptLineOut>,
}

/// One line that could not be parsed.
#[derive(Debug, Serialize)]
pub struct CorruptLineOut {
    pub file: String,
    pub line: Option<u64>,
    pub error: String,
    pub excerpt: String,
}

/// The gateway (`gateway`): state, boots (count and details).
#[derive(Debug, Serialize)]
pub struct GatewayOut {
    pub state: GatewayState,
    pub last_seen: Time,
    pub default_model: Option<String>,
    pub hostname: Option<String>,
    pub version: Option<String>,
    pub reachable: Option<bool>,
    pub boots: usize,
    pub boot_details: Vec<BootOut>,
}

/// One gateway boot (`gateway.boot_details[]`).
#[derive(Debug, Serialize)]
pub struct BootOut {
    pub started_at: Time,
    pub ready_at: Time,
    pub ended_at: Time,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub pid: Option<i64>,
    pub boot_id: Option<String>,
    pub seen_in_log: bool,
}

/// One session (`sessions[]`); tokens are counts, `cost_usd` is USD.
#[derive(Debug, Serialize)]
pub struct SessionOut {
    pub key: String,
    pub agent: String,
    pub session_id: String,
    pub kind: SessionKind,
    pub state: SessionState,
    pub status: Option<String>,
    pub label: Option<String>,
    pub model: Option<String>,
    pub configured_model: Option<String>,
    pub model_override: Option<String>,
    pub last_activity: Time,
    pub tokens: u64,
    pub cost_usd: f64,
    pub unpriced_tokens: u64,
    pub cron_job: Option<String>,
    pub queued: u32,
    pub active_runs: usize,
    pub fallback_episodes: u32,
    pub turns: usize,
}

/// One lane (`lanes[]`); waits in ms.
#[derive(Debug, Serialize)]
pub struct LaneOut {
    pub name: String,
    pub limit: Option<u32>,
    pub active: u32,
    pub queued: u32,
    pub wait_p50_ms: Option<u64>,
    pub wait_max_ms: Option<u64>,
    pub wait_exceeded: u64,
    pub tasks_done: u64,
    pub task_errors: u64,
    pub last_seen: Time,
}

/// Fallback counters (`fallbacks`).
#[derive(Debug, Serialize)]
pub struct FallbacksOut {
    pub decisions: u64,
    pub by_reason: BTreeMap<String, u64>,
    pub by_decision: BTreeMap<String, u64>,
    pub same_model_retries: u64,
    pub chain_exhausted: u64,
    pub model_switches: u64,
    pub episodes: usize,
    pub replayed_after_boot: usize,
}

/// One fallback episode (`cascades[]`).
#[derive(Debug, Serialize)]
pub struct EpisodeOut {
    pub id: u64,
    pub session: Option<String>,
    pub session_id: Option<String>,
    pub run_id: Option<String>,
    pub lane: Option<String>,
    pub boot: usize,
    pub started: Time,
    pub ended: Time,
    pub outcome: Option<String>,
    pub replayed_after_boot: bool,
    pub steps: Vec<StepOut>,
}

/// One step of an episode: `from` → `to` (candidate → next).
#[derive(Debug, Serialize)]
pub struct StepOut {
    pub at: DateTime<Utc>,
    pub decision: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub reason: Option<String>,
    pub status: Option<u16>,
}

/// Spend (`spend`), USD and tokens.
#[derive(Debug, Serialize)]
pub struct SpendOut {
    pub total_usd: f64,
    pub total_tokens: u64,
    pub unpriced_tokens: u64,
    pub turns: u64,
    pub burn_rate_usd_per_h: f64,
    pub by_model: BTreeMap<String, Option<f64>>,
    pub by_agent: BTreeMap<String, Option<f64>>,
    pub by_day: BTreeMap<String, Option<f64>>,
    pub by_cron_job: BTreeMap<String, Option<f64>>,
    pub models: Vec<ModelSpendOut>,
}

/// Spend of one `provider/model` (`spend.models[]`).
#[derive(Debug, Serialize)]
pub struct ModelSpendOut {
    pub model: String,
    pub usd: f64,
    pub tokens: u64,
    pub unpriced_tokens: u64,
    pub turns: u64,
    /// Where this model's price comes from now: `config` | `refreshed` | `bundled`, or `null`
    /// when no price is known (turns with a recorded `usage.cost.total` need none).
    pub price_source: Option<&'static str>,
    /// The LiteLLM key the model matched (refreshed / bundled prices), else `null`.
    pub price_key: Option<String>,
    /// How its turns were priced: turn counts by `recorded` / `config` / `refreshed` /
    /// `bundled` / `unpriced`.
    pub priced_by: crate::domain::spend::PricedBy,
}

/// Cron jobs and orphan runs (`cron`).
#[derive(Debug, Serialize)]
pub struct CronOut {
    pub jobs: Vec<CronJobOut>,
    pub orphan_runs: BTreeMap<String, BTreeMap<String, u64>>,
}

/// One cron job (`cron.jobs[]`).
#[derive(Debug, Serialize)]
pub struct CronJobOut {
    pub id: String,
    pub name: String,
    pub agent: Option<String>,
    pub enabled: bool,
    pub schedule: Schedule,
    pub payload_kind: String,
    pub heartbeat: bool,
    pub last_status: Option<String>,
    pub last_run_at: Time,
    pub last_duration_ms: Option<u64>,
    /// USD of the newest finished run whose cost is known ([`crate::domain::run_cost`]: its
    /// own session's spend by session id, a heartbeat run's answer in the main session;
    /// `skipped` = 0), rounded to 1e-6.
    pub last_run_cost_usd: Option<f64>,
    pub last_error: Option<String>,
    pub next_run_at: Time,
    pub consecutive_errors: Option<u32>,
    pub runs_by_status: BTreeMap<String, u64>,
    /// USD: the spend of the job's sessions, plus a heartbeat job's answers in the main
    /// session ([`crate::domain::CronJob::cost_usd`]), rounded to 1e-6.
    pub cost_usd: f64,
}

/// Warnings (`warnings`).
#[derive(Debug, Serialize)]
pub struct WarningsOut {
    pub count: u64,
    pub recent: Vec<WarningOut>,
}

/// One warning.
#[derive(Debug, Serialize)]
pub struct WarningOut {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub text: String,
}

/// Log line totals (`logs`).
#[derive(Debug, Serialize)]
pub struct LogsOut {
    /// Log lines folded (every line of every log file read).
    pub lines: u64,
    /// Lines held in the model's log buffer; 0 from `lanetop report`, which keeps none.
    pub buffered: usize,
}
