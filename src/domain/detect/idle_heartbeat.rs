//! **idle-heartbeat**: heartbeat polls keep firing on a session nobody talks to. A session
//! whose last non-heartbeat user turn (or, with none, its first timeline entry) is at least
//! `idle_hours` old and which got at least `idle_polls` heartbeat polls since then.
//!
//! USD: what the heartbeat turns spent (assistant turns from the first poll after the last user
//! turn on), per day: spend × 24 h / (now − first poll); the cause gives both. Critical at
//! `idle_crit_usd_per_day`. Evidence: the heartbeat poll transcript lines.
//! Remedy: `pause-cron` when a heartbeat cron job drives the agent (SQLite generation), else
//! `reset-session`.

use chrono::{DateTime, Utc};

use super::util::session_usd_between;
use super::{Alert, AlertKind, DetectConfig, Remedy, Severity};
use crate::domain::Model;
use crate::domain::cron::is_heartbeat_job;
use crate::domain::session::TurnKind;

/// Run the detector.
pub fn detect(model: &Model, cfg: &DetectConfig) -> Vec<Alert> {
    let Some(now) = model.now else {
        return Vec::new();
    };
    let idle_ms = (cfg.idle_hours * 3_600_000.0) as i64;
    let mut out = Vec::new();
    for s in model.sessions.by_key.values() {
        if s.heartbeat_turns == 0 {
            continue;
        }
        let last_user: Option<DateTime<Utc>> = s
            .turns
            .iter()
            .rev()
            .find(|t| matches!(t.kind, TurnKind::User { heartbeat: false }))
            .map(|t| t.at);
        let Some(idle_since) = last_user.or_else(|| s.turns.front().map(|t| t.at)) else {
            continue;
        };
        let idle = now - idle_since;
        if idle.num_milliseconds() < idle_ms || idle.num_milliseconds() <= 0 {
            continue;
        }
        let polls: Vec<_> = s
            .turns
            .iter()
            .filter(|t| t.at >= idle_since && matches!(t.kind, TurnKind::User { heartbeat: true }))
            .collect();
        if (polls.len() as u32) < cfg.idle_polls.max(1) {
            continue;
        }
        // What the heartbeats cost: the turns from the first poll on (the answer to the last
        // user turn is not heartbeat spend), as a rate over the time since that poll.
        let first_poll = polls.first().map_or(idle_since, |t| t.at);
        let (usd, _) = session_usd_between(s, first_poll, now);
        let span_ms = (now - first_poll).num_milliseconds().max(1);
        let per_day = usd * 86_400_000.0 / span_ms as f64;
        let hb_job = model.cron.jobs.values().find(|j| {
            is_heartbeat_job(&j.row)
                && j.row.enabled
                && (j.row.agent_id.as_deref() == Some(s.agent_id.as_str())
                    || j.row.session_key.as_deref() == Some(s.key.as_str()))
        });
        out.push(Alert {
            kind: AlertKind::IdleHeartbeat,
            severity: if per_day >= cfg.idle_crit_usd_per_day {
                Severity::Crit
            } else {
                Severity::Warn
            },
            subject: s.key.clone(),
            cause: format!(
                "{} heartbeat polls on {} with no user turn for {}: ${usd:.2} spent, ${per_day:.2}/day",
                polls.len(),
                s.key,
                if idle.num_minutes() < 60 {
                    format!("{} min", idle.num_minutes())
                } else {
                    format!("{:.1} h", idle.num_minutes() as f64 / 60.0)
                }
            ),
            evidence: polls.iter().map(|t| t.origin.clone()).collect(),
            usd: Some(per_day),
            remedy: Some(if hb_job.is_some() {
                Remedy::PauseCron
            } else {
                Remedy::ResetSession
            }),
            since: polls.first().map(|t| t.at),
        });
    }
    out
}
