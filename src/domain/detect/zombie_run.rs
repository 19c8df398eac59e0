//! **zombie-run**: a run that never ends. Two shapes:
//! - `embedded run start` with no `embedded run done`, `[agent] run … ended`, timeout or chain
//!   exhaustion for at least `zombie_after_min` minutes (the session's active runs);
//! - a `stuck session recovery` line with `released=0` (recovery could not free the lane).
//!
//! Subject: the session key. Evidence: the run start lines / the recovery line. USD: the
//! session's spend since the run started. Warning; critical when both shapes hit one session.
//! Remedy: `kill-run`.

use std::collections::BTreeMap;

use chrono::TimeDelta;

use super::util::{session, session_usd_between};
use super::{Alert, AlertKind, DetectConfig, Remedy, Severity};
use crate::domain::Model;
use crate::domain::session::TurnKind;

/// Run the detector.
pub fn detect(model: &Model, cfg: &DetectConfig) -> Vec<Alert> {
    let Some(now) = model.now else {
        return Vec::new();
    };
    let limit = TimeDelta::minutes(cfg.zombie_after_min);
    let mut by: BTreeMap<String, Alert> = BTreeMap::new();
    for s in model.sessions.by_key.values() {
        let mut old = Vec::new();
        for run in &s.active_runs {
            let start = s
                .turns
                .iter()
                .find(|t| matches!(&t.kind, TurnKind::RunStarted { run_id } if run_id == run));
            if let Some(t) = start
                && now - t.at >= limit
            {
                old.push(t);
            }
        }
        if old.is_empty() {
            continue;
        }
        let since = old.iter().map(|t| t.at).min();
        let usd = since.map_or(0.0, |f| session_usd_between(s, f, now).0);
        by.insert(
            s.key.clone(),
            Alert {
                kind: AlertKind::ZombieRun,
                severity: Severity::Warn,
                subject: s.key.clone(),
                cause: format!(
                    "{} run(s) on {} started over {} min ago with no done, timeout or end",
                    old.len(),
                    s.key,
                    cfg.zombie_after_min
                ),
                evidence: old.iter().map(|t| t.origin.clone()).collect(),
                usd: Some(usd),
                remedy: Some(Remedy::KillRun),
                since,
            },
        );
    }
    for ev in model.detect.stuck.iter().filter(|e| e.value == 0) {
        let subject = ev
            .subject
            .as_deref()
            .map(|s| session(model, s).map_or(s.to_string(), |x| x.key.clone()))
            .unwrap_or_else(|| "?".to_string());
        match by.get_mut(&subject) {
            Some(a) if a.kind == AlertKind::ZombieRun => {
                a.severity = Severity::Crit;
                a.evidence.push(ev.origin.clone());
                if !a.cause.contains("released=0") {
                    a.cause.push_str("; stuck-session recovery released=0");
                }
            }
            _ => {
                let usd =
                    session(model, &subject).map_or(0.0, |s| session_usd_between(s, ev.at, now).0);
                by.insert(
                    subject.clone(),
                    Alert {
                        kind: AlertKind::ZombieRun,
                        severity: Severity::Warn,
                        cause: format!(
                            "stuck-session recovery on {subject} released=0: the lane stays held"
                        ),
                        subject,
                        evidence: vec![ev.origin.clone()],
                        usd: Some(usd),
                        remedy: Some(Remedy::KillRun),
                        since: Some(ev.at),
                    },
                );
            }
        }
    }
    by.into_values().collect()
}
