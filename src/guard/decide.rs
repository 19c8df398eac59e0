//! The guard's decisions: model + rules + memory → the effects to run. Pure: no I/O, no clock
//! but `model.now`. The effects are run by the one runner (`crate::gateway::runner`), exactly
//! like a confirmed TUI action; the config opt-in replaces the confirm dialog.
//!
//! **pause_cron_over_budget** — an enabled, user-owned cron job (not a heartbeat, no
//! `declarationKey`: the gateway refuses to edit those) is paused (`cron.update
//! enabled:false`) when, for a daily budget that covers it (the total `budgets.daily_usd`, or
//! its agent's `budgets.agents.<id>`), at the crit ratio (`budgets.crit_ratio`, 100 %):
//! - *burn*: today's spend has reached the budget and the job spent money in the last 60 min; or
//! - *projection*: today's spend + the job's overnight projection (`report.overnight`) reaches
//!   the budget;
//! - or its projection alone reaches `max_overnight_usd` when set.
//!
//! One incident = one job on one UTC budget day: paused at most once per day, even if the
//! operator resumes it.
//!
//! **kill_retry_storm** — a `retry-storm` alert still firing (warn or crit, not the `info` of
//! an ended storm) for at least `after_minutes` (from its `since` or from when the guard first
//! saw it, whichever is earlier): a session subject gets `sessions.abort` (kill-run); a cron
//! job subject is paused (its remedy) and every session of the job with a run in flight is
//! killed. One incident = one subject while its alert keeps firing: acted on once; the memory
//! is cleared when the alert stops firing, so a later storm is a new incident.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::config::GuardConfig;
use crate::domain::Model;
use crate::domain::cron::is_heartbeat_job;
use crate::domain::detect::util::job_usd_between;
use crate::domain::detect::{AlertKind, Remedy, Severity, budget};
use crate::domain::overnight;
use crate::gateway::runner::Effect;

/// A guard rule (its `lanetop.toml` table name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    PauseCronOverBudget,
    KillRetryStorm,
}

impl Rule {
    /// `pause_cron_over_budget` / `kill_retry_storm`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::PauseCronOverBudget => "pause_cron_over_budget",
            Rule::KillRetryStorm => "kill_retry_storm",
        }
    }
}

/// One effect the guard wants run, with the rule and the reason (one line, with the numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct GuardRequest {
    pub rule: Rule,
    pub effect: Effect,
    pub reason: String,
}

/// What the guard already did, so that one incident is acted on once.
#[derive(Debug, Default, Clone)]
pub struct GuardMemory {
    /// (job id, UTC day) paused by `pause_cron_over_budget`.
    paused_for_budget: BTreeSet<(String, NaiveDate)>,
    /// Storm subjects acted on while their alert keeps firing.
    storms_acted: BTreeSet<String>,
    /// Storm subject → when its alert was first seen firing (or its `since`, when earlier).
    storm_since: BTreeMap<String, DateTime<Utc>>,
}

/// Decide what to do now. Returns nothing when no rule is enabled or the model has no clock.
pub fn decide(model: &Model, cfg: &GuardConfig, mem: &mut GuardMemory) -> Vec<GuardRequest> {
    let Some(now) = model.now else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if cfg.pause_cron_over_budget.enabled {
        pause_over_budget(model, cfg, mem, now, &mut out);
    }
    if cfg.kill_retry_storm.enabled {
        kill_storms(model, cfg, mem, now, &mut out);
    }
    out
}

fn money(x: f64) -> String {
    format!("${x:.2}")
}

/// Why a job is over budget now, if it is.
fn budget_reason(
    model: &Model,
    cfg: &GuardConfig,
    job: &crate::domain::CronJob,
    projected: Option<f64>,
    meters: &[budget::Meter],
    now: DateTime<Utc>,
) -> Option<String> {
    let dc = &model.detect_config;
    let burn = job_usd_between(model, &job.row.id, now - TimeDelta::minutes(60), now);
    let agent = job.row.agent_id.as_deref().unwrap_or("main");
    for m in meters {
        if m.subject != "total" && m.subject != format!("agent:{agent}") {
            continue;
        }
        let limit = m.budget_usd * dc.budgets.crit_ratio;
        if m.spent_usd >= limit && burn > 0.0 {
            return Some(format!(
                "{} budget crossed ({} of {}) and the job burned {} in the last hour",
                m.subject,
                money(m.spent_usd),
                money(m.budget_usd),
                money(burn)
            ));
        }
        if let Some(p) = projected.filter(|p| *p > 0.0)
            && m.spent_usd + p >= limit
        {
            return Some(format!(
                "overnight projection {} would take the {} budget to {} of {}",
                money(p),
                m.subject,
                money(m.spent_usd + p),
                money(m.budget_usd)
            ));
        }
    }
    let cap = cfg.pause_cron_over_budget.max_overnight_usd?;
    let p = projected.filter(|p| *p >= cap && *p > 0.0)?;
    Some(format!(
        "overnight projection {} reaches max_overnight_usd {}",
        money(p),
        money(cap)
    ))
}

fn pause_over_budget(
    model: &Model,
    cfg: &GuardConfig,
    mem: &mut GuardMemory,
    now: DateTime<Utc>,
    out: &mut Vec<GuardRequest>,
) {
    let day = now.date_naive();
    mem.paused_for_budget.retain(|(_, d)| *d == day);
    let meters = budget::meters(model, &model.detect_config);
    if meters.is_empty() && cfg.pause_cron_over_budget.max_overnight_usd.is_none() {
        return;
    }
    let projection = overnight::project(model, &model.detect_config);
    for job in model.cron.jobs.values() {
        let row = &job.row;
        if !row.enabled || is_heartbeat_job(row) || row.declaration_key.is_some() {
            continue;
        }
        let incident = (row.id.clone(), day);
        if mem.paused_for_budget.contains(&incident) {
            continue;
        }
        let projected = projection
            .as_ref()
            .and_then(|o| o.jobs.iter().find(|j| j.job == row.id))
            .and_then(|j| j.projected_usd);
        let Some(why) = budget_reason(model, cfg, job, projected, &meters, now) else {
            continue;
        };
        mem.paused_for_budget.insert(incident);
        out.push(GuardRequest {
            rule: Rule::PauseCronOverBudget,
            effect: Effect::SetCronEnabled {
                id: row.id.clone(),
                enabled: false,
                all: false,
            },
            reason: format!("cron job {} ({}): {why}", row.name, row.id),
        });
    }
}

fn kill_storms(
    model: &Model,
    cfg: &GuardConfig,
    mem: &mut GuardMemory,
    now: DateTime<Utc>,
    out: &mut Vec<GuardRequest>,
) {
    let firing: BTreeMap<&str, &crate::domain::detect::Alert> = model
        .alerts
        .iter()
        .filter(|a| a.kind == AlertKind::RetryStorm && a.severity != Severity::Info)
        .map(|a| (a.subject.as_str(), a))
        .collect();
    // Incidents that ended: forget them.
    mem.storms_acted.retain(|s| firing.contains_key(s.as_str()));
    mem.storm_since
        .retain(|s, _| firing.contains_key(s.as_str()));
    let after = TimeDelta::minutes(cfg.kill_retry_storm.after_minutes.max(0));
    for (subject, alert) in firing {
        let first = mem.storm_since.entry(subject.to_string()).or_insert(now);
        if let Some(s) = alert.since {
            *first = (*first).min(s);
        }
        let since = *first;
        if now - since < after || mem.storms_acted.contains(subject) {
            continue;
        }
        mem.storms_acted.insert(subject.to_string());
        let minutes = (now - since).num_minutes();
        let reason = format!("retry storm for {minutes} min: {}", alert.cause);
        let push = |out: &mut Vec<GuardRequest>, effect| {
            out.push(GuardRequest {
                rule: Rule::KillRetryStorm,
                effect,
                reason: reason.clone(),
            })
        };
        let job = model.cron.jobs.get(subject);
        if job.is_some() || alert.remedy == Some(Remedy::PauseCron) {
            {
                if job.is_none_or(|j| j.row.enabled) {
                    push(
                        out,
                        Effect::SetCronEnabled {
                            id: subject.to_string(),
                            enabled: false,
                            all: false,
                        },
                    );
                }
                for s in model.sessions.by_key.values() {
                    let running = !s.active_runs.is_empty() || s.live_active == Some(true);
                    if s.cron_job_id.as_deref() == Some(subject) && running && !s.placeholder {
                        push(out, Effect::KillRun { key: s.key.clone() });
                    }
                }
            }
        } else {
            push(
                out,
                Effect::KillRun {
                    key: subject.to_string(),
                },
            );
        }
    }
}
