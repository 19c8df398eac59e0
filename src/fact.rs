//! Typed facts: what the ingest side learned from one OpenClaw source, ready to be folded into
//! the domain model by `update`. Sources never hand strings to the UI to re-parse; they produce
//! these values instead (see `../shared/design/ARCHITECTURE.md` §2).
//!
//! Every [`Fact`] carries its [`Origin`] (which file or table, which line or row) and the time the
//! event happened according to the source (`at`, UTC).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The kind of source a fact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// The gateway file log (tslog JSONL) or its console/journald text form.
    Log,
    /// A per-agent SQLite store `agents/<id>/agent/openclaw-agent.sqlite` (2026.6+).
    AgentDb,
    /// The shared state SQLite store `state/openclaw.sqlite` (2026.6+).
    StateDb,
    /// A legacy `agents/<id>/sessions/sessions.json` store (≤ 2026.5).
    LegacySessions,
    /// A legacy transcript `agents/<id>/sessions/<sessionId>.jsonl` (≤ 2026.5).
    LegacyTranscript,
    /// Legacy `cron/jobs.json`, `cron/jobs-state.json` or `cron/runs/<jobId>.jsonl` (≤ 2026.5).
    LegacyCron,
    /// `openclaw.json` (JSON5).
    Config,
    /// The gateway WebSocket RPC.
    Gateway,
    /// lanetop itself (clock ticks, internal notices).
    Lanetop,
}

/// Where inside a source a fact was found: a line of a file, or a row of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Locator {
    /// No finer position than the source itself.
    None,
    /// 1-based line number within the file (for rotated logs: within that file).
    Line { line: u64 },
    /// A row of a SQLite table (or a key of a JSON store), e.g. `session_nodes` / `agent:main:main`.
    /// Boxed: most origins are log lines, and the box keeps an [`Origin`] at 40 bytes, not 64
    /// (every fact, timeline turn and buffered log line has one).
    Row(Box<RowRef>),
}

const _: () = assert!(std::mem::size_of::<Origin>() == 40);

/// The table and key of a [`Locator::Row`] (serialized inline: `{"type":"row","table","key"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowRef {
    pub table: Arc<str>,
    pub key: Arc<str>,
}

/// Provenance of a fact: the source kind, its path, and the position inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub kind: SourceKind,
    /// Path of the file or database (shared between facts of the same source).
    pub path: Arc<str>,
    pub locator: Locator,
}

impl Origin {
    /// An origin with no position inside the source.
    pub fn new(kind: SourceKind, path: Arc<str>) -> Self {
        Self {
            kind,
            path,
            locator: Locator::None,
        }
    }
    /// An origin at a 1-based line of a file.
    pub fn line(kind: SourceKind, path: Arc<str>, line: u64) -> Self {
        Self {
            kind,
            path,
            locator: Locator::Line { line },
        }
    }
    /// An origin at a row of a table, named by its key.
    pub fn row(kind: SourceKind, path: Arc<str>, table: &str, key: &str) -> Self {
        Self {
            kind,
            path,
            locator: Locator::Row(Box::new(RowRef {
                table: table.into(),
                key: key.into(),
            })),
        }
    }
}

/// One fact from one source.
#[derive(Debug, Clone)]
pub struct Fact {
    /// When the event happened, per the source (log `time`, row timestamp), in UTC.
    pub at: DateTime<Utc>,
    pub origin: Origin,
    pub kind: FactKind,
}

/// A `provider/model` reference as OpenClaw prints it (`fakeprime/fake-primary`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
pub struct ModelRef {
    pub provider: String,
    pub model: String,
}

impl ModelRef {
    pub fn new(provider: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            provider: provider.into(),
            model: model.into(),
        }
    }
    /// Parse `provider/model`; the model part may itself contain `/` (e.g. `openrouter/a/b`).
    pub fn parse(s: &str) -> Option<Self> {
        let (p, m) = s.split_once('/')?;
        if p.is_empty() || m.is_empty() {
            return None;
        }
        Some(Self::new(p, m))
    }
}

impl std::fmt::Display for ModelRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.provider, self.model)
    }
}

/// Log level as tslog names it (`_meta.logLevelName`), or as the console text form shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Trace,
    Debug,
    #[default]
    Info,
    Warn,
    Error,
    Fatal,
}

/// Everything a source can tell.
#[derive(Debug, Clone)]
pub enum FactKind {
    /// One gateway log record (every line, typed or not, except the plain lines a parser under
    /// `ingest::log::Messages::Notable` only counts, in [`FactKind::PlainLines`]). `event` is set
    /// when the line is one of the templates lanetop understands (FORMATS.md §1.3, OBSERVED.md
    /// §3).
    Log(Box<LogFact>),
    /// Consecutive plain log lines (untyped, below WARN, naming no session), counted and not
    /// kept: only from a parser under `ingest::log::Messages::Notable` (`lanetop report`).
    /// `at` is the newest of their times, `origin` the last of them.
    PlainLines { lines: u64 },
    /// A line that could not be parsed at all (bad JSON, invalid UTF-8, no timestamp). Counted
    /// and shown; never fatal.
    CorruptLine { error: String, excerpt: String },
    /// The full current set of session rows of one agent store (SQLite `session_nodes` +
    /// `session_windows`, or a legacy `sessions.json`). Replaces that agent's previous snapshot
    /// from the same source kind, so vanished rows disappear.
    SessionsSnapshot {
        agent_id: String,
        rows: Vec<SessionRow>,
    },
    /// One assistant turn with its usage (SQLite `transcript_events`, legacy transcript `.jsonl`).
    Usage(Box<UsageRecord>),
    /// One user turn (a message from a person, a cron job or a heartbeat poll).
    UserTurn {
        agent_id: String,
        session_id: String,
        session_key: Option<String>,
        heartbeat: bool,
    },
    /// A `model_change` entry or a `custom`/`model-snapshot` entry in a transcript.
    TranscriptModelChange {
        agent_id: String,
        session_id: String,
        session_key: Option<String>,
        model: ModelRef,
    },
    /// Queued followups per session key (SQLite `session_pending_inputs`, `state='queued'`).
    PendingInputs {
        agent_id: String,
        queued_by_session_key: Vec<(String, u32)>,
    },
    /// All cron jobs currently defined (SQLite `cron_jobs`, or legacy `cron/jobs.json` +
    /// `jobs-state.json`). Replaces the previous set.
    CronJobsSnapshot { jobs: Vec<CronJobRow> },
    /// One cron run (SQLite `cron_run_receipts`, legacy `cron/runs/<jobId>.jsonl`).
    CronRun(Box<CronRunRow>),
    /// One gateway boot (SQLite `gateway_boot_lifecycle`).
    GatewayBoot(Box<BootRow>),
    /// The OpenClaw release that last migrated the state store (SQLite `schema_meta.app_version`,
    /// e.g. `2026.9.6`): the gateway's version when there is no RPC link (the log never names it).
    StoreVersion { version: String },
    /// The parsed `openclaw.json`.
    Config(Box<ConfigFacts>),
    /// Which storage generation the state dir holds, and the detected version hint.
    Generation(Generation),
    /// Health of one source, for the status bar (`log offset 12.4 MB`, `db read 2 s ago`, an error).
    SourceHealth { health: SourceHealth },
    /// lanetop's own RPC link to the gateway changed state ([`crate::gateway::live`]).
    GatewayLink(GatewayLink),
    /// Live `sessions.list` rows over RPC (FORMATS.md §5): which sessions run now. Covers only
    /// the keys listed; sessions known from files keep their file data.
    LiveSessions { rows: Vec<LiveSessionRow> },
    /// Live `cron.list` over RPC: each job's `enabled` flag.
    LiveCron { jobs: Vec<LiveCronJob> },
    /// Live `health` over RPC: `ok`.
    LiveHealth { ok: bool },
}

/// State of lanetop's RPC link (status bar `rpc ✓ ws://127.0.0.1:18789`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayLink {
    /// Handshake done.
    Up {
        url: String,
        /// `hello-ok.server.version` (`2026.9.6`).
        version: Option<String>,
        protocol: u64,
        /// Scopes granted (`hello-ok.auth.scopes`).
        scopes: Vec<String>,
    },
    /// Not connected; `error` says why (connection refused, auth rejected, `connection lost
    /// mid-call (sessions.abort)`, …). Never a secret.
    Down { url: String, error: String },
    /// Connected, but the last round of reads had trouble: `rpc timeout: health (10000 ms)`,
    /// `bad frame: 3 skipped`. `None`: a later round was clean (clears the warning).
    Trouble { url: String, cause: Option<String> },
}

/// One `sessions.list` row, reduced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSessionRow {
    pub key: String,
    pub session_id: Option<String>,
    /// `hasActiveRun`.
    pub has_active_run: bool,
    /// `activeRunIds`.
    pub active_run_ids: Vec<String>,
}

/// One `cron.list` job, reduced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCronJob {
    pub id: String,
    pub name: Option<String>,
    pub enabled: bool,
}

/// Health of one source, shown in the status bar.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceHealth {
    /// Working; `detail` is a short human text such as `offset 12.4 MB` or `12 rows`.
    Ok { detail: String },
    /// Waiting for the source to appear (file not yet created).
    Waiting { detail: String },
    /// Failing; the message says why (permission denied, database locked, ...).
    Error { message: String },
}

/// OpenClaw storage generation found on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Generation {
    /// 2026.6+: SQLite stores.
    Sqlite,
    /// ≤ 2026.5: `sessions.json` + transcript `.jsonl` + `cron/jobs.json`.
    Legacy,
}

/// One parsed log record.
#[derive(Debug, Clone)]
pub struct LogFact {
    pub level: Level,
    /// Subsystem from the `"0"` binding (`{"subsystem":…}`), `cron` for `{"module":"cron"}`,
    /// `openclaw` for the root logger; from `[subsystem]` in the console form.
    pub subsystem: compact_str::CompactString,
    /// The text (`message`, else the last numeric string arg). Truncated to a sane length.
    pub message: String,
    /// Top-level `session_id` (a session id or a session key), when present.
    pub session: Option<String>,
    /// Top-level `agent_id`, when present.
    pub agent_id: Option<String>,
    /// Top-level `hostname` (2026.5+), kept on gateway lifecycle lines only.
    pub hostname: Option<String>,
    /// The typed event, when the line is one lanetop understands.
    pub event: Option<Box<LogEvent>>,
}

/// Typed log events (templates in FORMATS.md §1.3, FORMATS-LEGACY.md §5, OBSERVED*.md).
#[derive(Debug, Clone, PartialEq)]
pub enum LogEvent {
    /// `model-fallback/decision` `model fallback decision` (meta in `"1"`, or console key=value).
    FallbackDecision(Box<FallbackDecision>),
    /// `model fallback chain stopped` (meta `{reason, candidateProvider, candidateModel}`).
    FallbackChainStopped {
        session_id: Option<String>,
        lane: Option<String>,
        reason: String,
        candidate: Option<ModelRef>,
    },
    /// `model-fallback` summary: `Model "a/b" not found. Fell back to "c/d".`
    FallbackSummary { from: ModelRef, to: ModelRef },
    /// `All models failed (N): …` (chain exhausted; CLI/lane error text or cron error).
    ChainExhausted {
        attempts: u32,
        session_key: Option<String>,
        job_id: Option<String>,
    },
    /// `transient same-model retry 3/8 for p/m reason=server_error: delayMs=5898`.
    SameModelRetry {
        model: ModelRef,
        attempt: u32,
        max: u32,
        reason: String,
        delay_ms: Option<u64>,
    },
    /// `transient retry window elapsed for p/m after N/8 retries; stopping same-model retries`.
    RetryWindowElapsed {
        model: ModelRef,
        retries: u32,
        max: u32,
    },
    /// `rate-limit retry floor 3600000ms exceeds retry.provider.maxRetryDelayMs=60000 for p/m; failing over`.
    RateLimitRetryFloor {
        model: ModelRef,
        floor_ms: u64,
        max_ms: u64,
    },
    /// `embedded run start: runId=… sessionId=… provider=… model=… thinking=… messageChannel=…`.
    RunStarted {
        run_id: String,
        session_id: String,
        model: Option<ModelRef>,
        channel: Option<String>,
    },
    /// `embedded run done: runId=… sessionId=… durationMs=… aborted=…`.
    RunDone {
        run_id: String,
        session_id: String,
        duration_ms: u64,
        aborted: bool,
    },
    /// `embedded run timeout: runId=… sessionId=… timeoutMs=…`.
    RunTimedOut {
        run_id: String,
        session_id: String,
        timeout_ms: u64,
    },
    /// `embedded run failover decision` (meta `event:"embedded_run_failover_decision"`).
    FailoverDecision {
        run_id: Option<String>,
        decision: String,
        reason: Option<String>,
        model: Option<ModelRef>,
        status: Option<u16>,
    },
    /// `embedded run agent end` (meta `isError`, `model`, `provider`, `error`).
    AgentEnd {
        run_id: Option<String>,
        is_error: bool,
        model: Option<ModelRef>,
        error: Option<String>,
    },
    /// `agents/agent-command` `[agent] run <runId> ended with stopReason=stop`.
    RunEnded { run_id: String, stop_reason: String },
    /// `lane enqueue: lane=… queueSize=…` (DEBUG).
    LaneEnqueued { lane: String, queue_size: u32 },
    /// `lane dequeue: lane=… waitMs=… queueSize=…` (DEBUG).
    LaneDequeued {
        lane: String,
        wait_ms: u64,
        queue_size: u32,
    },
    /// `lane wait exceeded: lane=… waitedMs=… queueAhead=…[ activeAhead=… activeNow=… queueBehind=…]`.
    LaneWaitExceeded {
        lane: String,
        waited_ms: u64,
        queue_ahead: u32,
        active_ahead: Option<u32>,
        active_now: Option<u32>,
        queue_behind: Option<u32>,
    },
    /// `lane task done: lane=… durationMs=… active=… queued=…` (DEBUG).
    LaneTaskDone {
        lane: String,
        duration_ms: u64,
        active: u32,
        queued: u32,
    },
    /// `lane task error: lane=… durationMs=… error="…"`.
    LaneTaskError {
        lane: String,
        duration_ms: u64,
        error: String,
    },
    /// `stuck session recovery: …` (5.20+) or `stuck session: … state= age= queueDepth=` (3.x).
    StuckSession {
        session_id: Option<String>,
        session_key: Option<String>,
        age_s: u64,
        action: Option<String>,
        released: Option<u32>,
    },
    /// `main-session-restart-recovery` / `subagent-orphan-recovery` lines.
    RestartRecovery(RestartRecovery),
    /// `live session model switch {requested during active attempt|detected before attempt|detected after failed attempt} for <sid>: a -> b`.
    ModelSwitch {
        session_id: String,
        from: ModelRef,
        to: ModelRef,
    },
    /// `EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt lock was released: <path>`.
    SessionTakeover {
        lane: Option<String>,
        path: Option<String>,
    },
    /// `gateway/heartbeat` lines (`heartbeat: started` …).
    Heartbeat {
        what: String,
        interval_ms: Option<u64>,
    },
    /// Cron module lines (`{"module":"cron"}`) and `gateway` `cron: job …` lines.
    Cron {
        what: String,
        job_id: Option<String>,
        job_name: Option<String>,
        error: Option<String>,
    },
    /// Gateway lifecycle (`gateway ready`, `signal SIGTERM received`, `gateway restarting`, …).
    Gateway(GatewayEvent),
    /// `auth profile failure state updated` (a provider key went into cooldown).
    AuthCooldown {
        provider: Option<String>,
        reason: Option<String>,
    },
}

/// One `model fallback decision` record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FallbackDecision {
    pub run_id: Option<String>,
    /// Session id (5.20+ meta `sessionId`; top-level `session_id` otherwise).
    pub session_id: Option<String>,
    pub lane: Option<String>,
    /// `candidate_failed | candidate_succeeded | skip_candidate | probe_cooldown_candidate`.
    pub decision: String,
    pub requested: Option<ModelRef>,
    pub candidate: Option<ModelRef>,
    pub next: Option<ModelRef>,
    /// Failure reason (`rate_limit`, `model_not_found`, …); absent on success records.
    pub reason: Option<String>,
    /// HTTP status of the failed attempt.
    pub status: Option<u16>,
    pub attempt: Option<u32>,
    pub total: Option<u32>,
    /// `fallbackStepFinalOutcome`: `succeeded | next_fallback | chain_exhausted`.
    pub final_outcome: Option<String>,
    pub error_preview: Option<String>,
    /// `suppressedDuplicateCount` (auth decisions are coalesced).
    pub suppressed_duplicates: u32,
}

/// Restart-recovery lines (`main-session-restart-recovery`, `subagent-orphan-recovery`).
#[derive(Debug, Clone, PartialEq)]
pub enum RestartRecovery {
    /// `marked N startup-orphaned|interrupted main session(s) for restart recovery`.
    Marked { count: u32 },
    /// `started interrupted main session: <key>` / `resumed interrupted main session: <key>` /
    /// `resumed orphaned session: <key>`.
    Resumed { session_key: String, lane: String },
    /// `main-session restart recovery startup complete: started=… settled=… failed=… skipped=…`.
    Complete {
        started: u32,
        failed: u32,
        skipped: u32,
    },
    /// `main-session restart recovery terminal: session=… run=… status=… reason=…`.
    Terminal { session_key: String, status: String },
}

/// Gateway lifecycle events.
#[derive(Debug, Clone, PartialEq)]
pub enum GatewayEvent {
    /// `loading configuration…` (first line of a boot).
    Starting,
    /// `gateway ready` (5.20+) / `listening on …` (3.x).
    Ready,
    /// `signal SIGTERM received` etc.
    Signal { signal: String },
    /// `gateway restarting`, `received SIGUSR1; restarting`, `restart mode: …`.
    Restarting,
    /// `received SIGTERM; shutting down`.
    ShuttingDown,
    /// `shutdown completed cleanly in 144ms` (`gateway/shutdown`): the process exits, or an
    /// in-process restart follows (`restart mode: in-process restart`, then `gateway ready`).
    Stopped,
    /// `agent model: p/m (…)` — the default agent model at boot.
    AgentModel { model: ModelRef },
    /// Who the gateway is: the record's `hostname` (every tslog record carries it) and the
    /// OpenClaw version when a line names it. Emit once per boot or on change.
    Identity {
        hostname: Option<String>,
        version: Option<String>,
    },
}

/// One session (one session key) as a store holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionRow {
    pub agent_id: String,
    /// Session key, e.g. `agent:main:main`, `agent:ops:cron:<jobId>:run:<sessionId>`.
    pub key: String,
    /// Current session id (transcript generation).
    pub session_id: String,
    /// `running | done | failed | killed | timeout` (SQLite `session_nodes.status`, legacy `status`).
    pub status: Option<String>,
    /// How it was created (`operator | spawn | channel | cron | …`).
    pub created_via: Option<String>,
    pub label: Option<String>,
    pub chat_type: Option<String>,
    /// Epoch ms.
    pub updated_at_ms: Option<i64>,
    pub last_interaction_at_ms: Option<i64>,
    pub last_activity_at_ms: Option<i64>,
    /// Model that last answered (`modelProvider`/`model`, or `session_windows.model_provider/model`).
    pub model: Option<ModelRef>,
    /// `providerOverride`/`modelOverride` set on the session.
    pub model_override: Option<ModelRef>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub total_tokens: Option<u64>,
    /// Legacy `estimatedCostUsd` (USD), when the store keeps it.
    pub estimated_cost_usd: Option<f64>,
    pub aborted_last_run: bool,
    pub archived: bool,
    pub parent_session_key: Option<String>,
    /// The binding points at a session that no longer exists: no `session_windows` row and no
    /// `transcript_events` for `current_session_id` (SQLite), or no `<sessionId>.jsonl` /
    /// `sessionFile` transcript on disk (legacy). A prune candidate ("session gone").
    pub transcript_missing: bool,
}

/// One assistant message with usage, in USD and tokens (transcript `message.usage`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UsageRecord {
    pub agent_id: String,
    pub session_id: String,
    /// Session key when the reader knows it (SQLite `session_windows.session_key`).
    pub session_key: Option<String>,
    pub run_id: Option<String>,
    pub model: ModelRef,
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    pub total_tokens: u64,
    /// `usage.cost.total` in USD when the transcript carries it; `None` when absent.
    pub cost_usd: Option<f64>,
    pub stop_reason: Option<String>,
    pub error: Option<String>,
}

/// A cron schedule (`CronJob.schedule`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Schedule {
    Every { every_ms: u64 },
    Cron { expr: String, tz: Option<String> },
    At { at: String },
    Other { name: String },
}

/// One cron job with its state (SQLite `cron_jobs.job_json` + `state_json`, legacy `jobs.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct CronJobRow {
    pub id: String,
    pub name: String,
    pub agent_id: Option<String>,
    pub enabled: bool,
    pub schedule: Schedule,
    /// `main | isolated | current | session:<id>`.
    pub session_target: Option<String>,
    /// Explicit `sessionKey` of the job, when set.
    pub session_key: Option<String>,
    /// `agentTurn | systemEvent | heartbeat | …`.
    pub payload_kind: String,
    /// `payload.model` override, when set.
    pub model: Option<String>,
    /// `declarationKey`, e.g. `heartbeat:main` for system heartbeat jobs.
    pub declaration_key: Option<String>,
    pub next_run_at_ms: Option<i64>,
    pub last_run_at_ms: Option<i64>,
    pub last_run_status: Option<String>,
    pub last_duration_ms: Option<u64>,
    pub last_error: Option<String>,
    pub consecutive_errors: Option<u32>,
    pub running_at_ms: Option<i64>,
}

/// One cron run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CronRunRow {
    /// Receipt id (SQLite) or `<jobId>:<runAtMs>` (legacy run log).
    pub run_id: String,
    pub job_id: String,
    pub agent_id: Option<String>,
    /// `running | ok | error | skipped | interrupted | superseded`.
    pub status: String,
    pub started_at_ms: i64,
    pub finished_at_ms: Option<i64>,
    pub error: Option<String>,
    /// The session the run ran in: `task_runs.child_session_key` (SQLite; empty for a
    /// heartbeat run, which answers in the agent's main session), else `detail_json.sessionKey`;
    /// the legacy run-log `sessionKey`. An isolated run's key is
    /// `agent:<agent>:cron:<job>:run:<sessionId>`; a legacy `systemEvent` run's is
    /// `…:run:<runAtMs>`; a job bound to a main session names `agent:<agent>:main`.
    pub session_key: Option<String>,
    /// The transcript session id of the run's own session, when the source names it apart
    /// from the key: the legacy run-log `sessionId` (FORMATS-LEGACY.md §4). SQLite receipts
    /// name it only inside `session_key` (see [`crate::domain::run_cost::run_session_id`]).
    pub session_id: Option<String>,
    pub model: Option<ModelRef>,
    pub total_tokens: Option<u64>,
}

/// One gateway boot (`gateway_boot_lifecycle`).
#[derive(Debug, Clone, PartialEq)]
pub struct BootRow {
    pub boot_id: String,
    pub pid: Option<i64>,
    pub started_at_ms: i64,
    pub completed_at_ms: Option<i64>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
}

/// USD per 1M tokens for one model (`models.providers.<p>.models[].cost`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_write: f64,
}

impl Price {
    /// USD for a usage record at this price (token counts × USD per 1M tokens).
    pub fn cost_usd(&self, input: u64, output: u64, cache_read: u64, cache_write: u64) -> f64 {
        (input as f64 * self.input
            + output as f64 * self.output
            + cache_read as f64 * self.cache_read
            + cache_write as f64 * self.cache_write)
            / 1_000_000.0
    }
}

/// Model chain of one agent: primary then fallbacks, in order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ModelChain {
    pub primary: Option<ModelRef>,
    pub fallbacks: Vec<ModelRef>,
}

/// What lanetop needs from `openclaw.json`. Secrets (tokens, passwords) are never kept here.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigFacts {
    /// `agents.defaults.model`.
    pub default_chain: ModelChain,
    /// Per-agent chains (`agents.entries.<id>.model` or `agents.list[].model`), agent id → chain.
    pub agent_chains: Vec<(String, ModelChain)>,
    /// Agent ids declared in the config.
    pub agents: Vec<String>,
    /// Prices by `provider/model`.
    pub prices: Vec<(ModelRef, Price)>,
    /// `agents.defaults.maxConcurrent` (caps lane `main`), when set.
    pub main_max_concurrent: Option<u32>,
    /// `agents.defaults.subagents.maxConcurrent`, when set.
    pub subagent_max_concurrent: Option<u32>,
    /// Heartbeat interval per agent id (`agents.defaults.heartbeat.every`, per-agent overrides), ms.
    pub heartbeat_every_ms: Vec<(String, u64)>,
    /// `gateway.port` (default 18789).
    pub gateway_port: Option<u16>,
    /// `logging.file`, when set.
    pub log_file: Option<String>,
    /// `logging.level`, when set.
    pub log_level: Option<String>,
}
