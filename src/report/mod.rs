//! `lanetop report`: the derived state as JSON (a documented, versioned interface) or as a
//! Markdown morning-mail summary. Built from the same [`Model`] the TUI renders.
//!
//! # JSON schema (`schema: "lanetop.report/1"`)
//!
//! Times are RFC 3339 UTC strings (or `null`); USD amounts are numbers rounded to 1e-6 USD;
//! tokens are integers; durations are ms. Maps are objects with sorted keys; lists are
//! ordered as stated.
//!
//! ```text
//! {
//!   "schema": "lanetop.report/1",
//!   "generated_at": time|null,        // the model clock: last tick, or the newest fact time
//!   "generation": "sqlite"|"legacy"|null,
//!   "sources": [ { "name", "path", "status": "ok"|"waiting"|"error", "detail", "at" } ],
//!   "corrupt_lines": { "count", "recent": [ { "file", "line"|null, "error", "excerpt" } ] },
//!   "gateway": {
//!     "state": "unknown"|"starting"|"up"|"shutting-down"|"down",
//!     "last_seen": time|null, "default_model": "provider/model"|null,
//!     "hostname": str|null, "version": str|null, "reachable": bool|null,
//!     "boots": N,                     // number of gateway boots (DB rows and log starts, merged)
//!     "boot_details": [ { "started_at", "ready_at", "ended_at", "outcome", "reason", "pid",
//!                         "boot_id", "seen_in_log" } ]   // oldest first
//!   },
//!   "sessions": [ {                   // sessions a store lists (bindings); by cost_usd desc, then key
//!     "key", "agent", "session_id",
//!     "kind": "main"|"direct"|"group"|"cron-job"|"cron-run"|"heartbeat"|"subagent"|"other",
//!     "state": "running"|"queued"|"idle"|"stale"|"failed", "status": str|null, "label",
//!     "model": current "provider/model"|null, "configured_model": "provider/model"|null,
//!     "model_override", "last_activity": time|null,
//!     "tokens", "cost_usd", "unpriced_tokens",  // unpriced tokens are never counted as $0
//!     "cron_job": job id|null, "queued", "active_runs", "fallback_episodes", "turns"
//!   } ],
//!   "unbound_sessions": [ … ],        // same shape: sessions seen only in logs/transcripts
//!   "lanes": [ {                      // by name; every session:<key> lane included
//!     "name", "limit"|null, "active", "queued", "wait_p50_ms"|null, "wait_max_ms"|null,
//!     "wait_exceeded", "tasks_done", "task_errors", "last_seen"
//!   } ],
//!   "fallbacks": {
//!     "decisions",                    // number of `model fallback decision` records
//!     "by_reason": { reason: count }, // decisions that carry a failure reason
//!     "by_decision": { decision: count },
//!     "same_model_retries", "chain_exhausted", "model_switches",
//!     "episodes", "replayed_after_boot"   // counts over the kept episodes
//!   },
//!   "cascades": [ {                   // fallback episodes, oldest first (newest 500 kept)
//!     "id", "session": key or id|null, "session_id", "run_id", "lane", "boot": 0-based index,
//!     "started", "ended", "outcome": "succeeded"|"exhausted"|"stopped"|"interrupted"|"abandoned"|null,
//!     "replayed_after_boot": bool,
//!     "steps": [ { "at", "decision", "from", "to", "reason", "status" } ]
//!   } ],
//!   "spend": {
//!     "total_usd", "total_tokens", "unpriced_tokens", "turns", "burn_rate_usd_per_h",
//!                                     // USD: usage.cost.total, else config price, else unpriced
//!     "by_model": { "provider/model": usd }, "by_agent": { agent: usd },
//!     "by_day": { "YYYY-MM-DD" (UTC): usd }, "by_cron_job": { job id: usd },
//!                                     // usd is null when the bucket holds only unpriced tokens
//!     "models": [ { "model", "usd", "tokens", "unpriced_tokens", "turns" } ]  // by usd desc
//!   },
//!   "cron": {
//!     "jobs": [ {                     // by name, then id
//!       "id", "name", "agent", "enabled", "schedule": { "kind": "every"|"cron"|"at"|"other", … },
//!       "payload_kind", "heartbeat": bool, "last_status", "last_run_at", "last_duration_ms",
//!       "last_run_cost_usd": usd|null,  // the newest finished run whose cost is known (see
//!                                       // "Alerts, budgets, overnight spend": cost of a run)
//!       "last_error", "next_run_at", "consecutive_errors",
//!       "runs_by_status": { status: count },  // de-duplicated by run id, newest status
//!       "cost_usd"                    // its sessions' spend, plus a heartbeat job's answers
//!                                     // in the main session (as in spend.by_cron_job)
//!     } ],
//!     "orphan_runs": { job id: { status: count } }  // runs of jobs not in the job set
//!   },
//!   "warnings": { "count": total seen, "recent": [ { "at", "level", "text" } ] },  // newest 20, newest last
//!   "logs": { "lines": total log lines folded, "buffered": lines kept for a Logs view (0: report keeps none) },
//!   "alerts": [ {                     // failure-mode detectors (domain::detect), crit first
//!     "kind": "retry-storm"|"chain-replay"|"cron-main-binding"|"idle-heartbeat"|"resume-flood"|
//!             "takeover-race"|"model-drift"|"zombie-run"|"unpriced-usage"|"budget",
//!     "severity": "info"|"warn"|"crit",
//!     "subject": session key | cron job id | lane (resume-flood) | "provider/model"
//!                (unpriced-usage) | "total" | "agent:<id>" (budget, model-drift),
//!     "cause": one line, "usd": usd|null (idle-heartbeat: USD per day), "remedy": action|null,
//!     "since": time|null,
//!     "evidence": [ { "file", "line" } | { "file", "table", "key" } ]
//!   } ],
//!   "overnight": { "from", "until",  // until = next morning_hour:00 local
//!     "total_usd", "jobs": [ { "job", "name", "agent", "heartbeat", "runs_due"|null,
//!       "usd_per_run"|null, "projected_usd"|null, "drift_usd_per_run"|null, "samples" } ]
//!   } | null,
//!   "budgets": [ { "subject": "total"|"agent:<id>", "spent_usd", "budget_usd", "ratio" } ]
//! }
//! ```

pub mod alerts;
mod json;
mod markdown;
mod types;

pub use json::build;
pub use markdown::to_markdown;
pub use types::*;

use crate::domain::Model;

/// Output format of `lanetop report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Pretty-printed JSON (schema above).
    #[default]
    Json,
    /// Markdown morning-mail summary.
    Markdown,
}

/// Render the report of `model` in `format`.
pub fn render(model: &Model, format: Format) -> String {
    match format {
        Format::Json => to_json(model),
        Format::Markdown => to_markdown(model),
    }
}

/// Write the report to `out` (no trailing newline). JSON is serialised straight into `out`, so
/// a big model's report (~4 MB at 3,400 sessions) is never held as one string. Errors are the
/// writer's (a JSON serialisation error cannot happen for these types).
pub fn write(model: &Model, format: Format, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(out, &build(model)).map_err(std::io::Error::from)
        }
        Format::Markdown => out.write_all(to_markdown(model).as_bytes()),
    }
}

/// The report as pretty-printed JSON.
pub fn to_json(model: &Model) -> String {
    serde_json::to_string_pretty(&build(model)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Round USD to 1e-6 (a millionth of a dollar), as the JSON carries it.
pub fn round_usd(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e6).round() / 1e6
    } else {
        0.0
    }
}
