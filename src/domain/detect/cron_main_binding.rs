//! **cron-main-binding**: an enabled cron job (not a system heartbeat job) whose `sessionKey`,
//! or whose `sessionTarget: "session:<key>"`, is an agent's main interactive session
//! (`agent:<id>:main`). Such a job wakes and delivers into the operator's main session (and
//! its failures fail over there: FORMATS-LEGACY.md "Semantics of `job.sessionKey`").
//! `sessionTarget: "main"` alone is not flagged: OpenClaw requires it for `systemEvent` jobs,
//! which run in their own `…:cron:<job>:run:<ms>` session (OBSERVED-LEGACY.md §1).
//!
//! Warning; critical when the job also fails over (a `candidate_failed` fallback step in one
//! of its sessions or, on lane `cron-nested`, in the main session it is bound to — where
//! 2026.9.6 runs it, lab reproduction `tests/data/incidents/retry-storm` — or a run with status
//! `error`). Evidence: the job row (table + job id),
//! then the fallback steps. USD: the job's spend (the larger of its sessions' spend and the sum
//! of its runs' costs, which counts runs in a bound main session). Remedy: `pause-cron`.

use super::{Alert, AlertKind, DetectConfig, Remedy, Severity};
use crate::domain::cron::is_heartbeat_job;
use crate::domain::keys::parse_key;
use crate::domain::{Model, SessionKind};

/// The main-session key a job is bound to, if any.
pub fn main_binding(row: &crate::fact::CronJobRow) -> Option<String> {
    let is_main = |k: &str| parse_key(k).kind == SessionKind::Main;
    if let Some(k) = row.session_key.as_deref().filter(|k| is_main(k)) {
        return Some(k.to_string());
    }
    row.session_target
        .as_deref()
        .and_then(|t| t.strip_prefix("session:"))
        .filter(|k| is_main(k))
        .map(str::to_string)
}

/// Run the detector.
pub fn detect(model: &Model, _cfg: &DetectConfig) -> Vec<Alert> {
    let mut out = Vec::new();
    for (id, job) in &model.cron.jobs {
        if !job.row.enabled || is_heartbeat_job(&job.row) {
            continue;
        }
        let Some(bound) = main_binding(&job.row) else {
            continue;
        };
        let mut evidence = Vec::new();
        if let Some(o) = &job.origin {
            evidence.push(o.clone());
        }
        let mut failovers = 0u32;
        let mut since = None;
        for e in &model.cascades.episodes {
            let owned = e
                .session
                .as_deref()
                .and_then(|s| super::util::session(model, s))
                .is_some_and(|s| s.cron_job_id.as_deref() == Some(id.as_str()))
                || super::util::bound_job_of_episode(model, e).as_deref() == Some(id.as_str());
            if !owned {
                continue;
            }
            for st in e.steps.iter().filter(|s| s.decision == "candidate_failed") {
                failovers += 1;
                since = Some(since.map_or(st.at, |t: chrono::DateTime<chrono::Utc>| t.min(st.at)));
                evidence.push(st.origin.clone());
            }
        }
        let errors = job.runs_by_status.get("error").copied().unwrap_or(0);
        let crit = failovers > 0 || errors > 0;
        out.push(Alert {
            kind: AlertKind::CronMainBinding,
            severity: if crit { Severity::Crit } else { Severity::Warn },
            subject: id.clone(),
            cause: format!(
                "cron job {} (agent {}) is bound to main session {bound}{}",
                job.row.name,
                job.row.agent_id.as_deref().unwrap_or("?"),
                if crit {
                    format!(" and fails over ({failovers} failed attempts, {errors} error runs)")
                } else {
                    String::new()
                }
            ),
            evidence,
            usd: Some({
                let runs: f64 = crate::domain::overnight::run_costs(model, job, usize::MAX)
                    .iter()
                    .sum();
                runs.max(job.cost_usd)
            }),
            remedy: Some(Remedy::PauseCron),
            since,
        });
    }
    out
}
