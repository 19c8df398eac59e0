//! **retry-storm**: one session or cron job keeps failing over. In the last
//! `storm_window_min` minutes, for one subject (the owning cron job when the session belongs to
//! one, else the session key): chain exhaustions (fallback episodes with outcome `exhausted`)
//! ≥ `storm_exhaustions`, or failed attempts (`candidate_failed` fallback steps + attributed
//! `transient same-model retry` lines) ≥ `storm_attempts`. Critical at twice either threshold.
//!
//! Evidence: the failed decision lines and retry lines. USD: what the subject's sessions spent
//! in the window (every failed attempt re-sends and bills the prompt). Remedy: `pause-cron`
//! for a job, `kill-run` for a session.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::util::{job_usd_between, session, subject_of, window_start};
use super::{Alert, AlertKind, DetectConfig, Remedy, Severity};
use crate::domain::Model;
use crate::fact::Origin;

#[derive(Default)]
struct Acc {
    failed: u32,
    retries: u32,
    exhausted: u32,
    since: Option<DateTime<Utc>>,
    evidence: Vec<(DateTime<Utc>, Origin)>,
    session: Option<String>,
}

/// Run the detector.
pub fn detect(model: &Model, cfg: &DetectConfig) -> Vec<Alert> {
    let (Some(now), Some(from)) = (model.now, window_start(model, cfg.storm_window_min)) else {
        return Vec::new();
    };
    let mut by: BTreeMap<String, Acc> = BTreeMap::new();
    for e in &model.cascades.episodes {
        let Some(s) = e.session.as_deref() else {
            continue;
        };
        let (subject, key) = subject_of(model, s);
        let steps: Vec<_> = e
            .steps
            .iter()
            .filter(|st| st.at >= from && st.decision == "candidate_failed")
            .collect();
        let exhausted = e.outcome.as_deref() == Some("exhausted") && e.ended.is_some_and(|t| t >= from);
        if steps.is_empty() && !exhausted {
            continue;
        }
        let acc = by.entry(subject).or_default();
        acc.session = acc.session.take().or(key);
        acc.failed += steps.len() as u32;
        acc.exhausted += u32::from(exhausted);
        for st in steps {
            acc.since = Some(acc.since.map_or(st.at, |t| t.min(st.at)));
            acc.evidence.push((st.at, st.origin.clone()));
        }
    }
    for r in model.detect.retries.iter().filter(|r| r.at >= from) {
        let Some(s) = r.subject.as_deref() else {
            continue;
        };
        let (subject, key) = subject_of(model, s);
        let acc = by.entry(subject).or_default();
        acc.session = acc.session.take().or(key);
        acc.retries += 1;
        acc.since = Some(acc.since.map_or(r.at, |t| t.min(r.at)));
        acc.evidence.push((r.at, r.origin.clone()));
    }
    let mut out = Vec::new();
    for (subject, mut acc) in by {
        let attempts = acc.failed + acc.retries;
        let fires = acc.exhausted >= cfg.storm_exhaustions.max(1) || attempts >= cfg.storm_attempts.max(1);
        if !fires {
            continue;
        }
        let crit = acc.exhausted >= 2 * cfg.storm_exhaustions.max(1)
            || attempts >= 2 * cfg.storm_attempts.max(1);
        let is_job = model.cron.jobs.contains_key(&subject)
            || acc
                .session
                .as_deref()
                .and_then(|k| session(model, k))
                .is_some_and(|s| s.cron_job_id.as_deref() == Some(subject.as_str()));
        let usd = if is_job {
            job_usd_between(model, &subject, from, now)
        } else {
            acc.session
                .as_deref()
                .and_then(|k| session(model, k))
                .map_or(0.0, |s| super::util::session_usd_between(s, from, now).0)
        };
        acc.evidence.sort_by_key(|(t, _)| *t);
        let who = if is_job {
            let name = model
                .cron
                .jobs
                .get(&subject)
                .map_or(subject.as_str(), |j| j.row.name.as_str());
            format!("cron job {name}")
        } else {
            format!("session {subject}")
        };
        out.push(Alert {
            kind: AlertKind::RetryStorm,
            severity: if crit { Severity::Crit } else { Severity::Warn },
            subject,
            cause: format!(
                "{who}: {} failed attempts ({} fallback, {} same-model retries), chain exhausted {}× in {} min; ${usd:.2} spent",
                attempts, acc.failed, acc.retries, acc.exhausted, cfg.storm_window_min
            ),
            evidence: acc.evidence.into_iter().map(|(_, o)| o).collect(),
            usd: Some(usd),
            remedy: Some(if is_job { Remedy::PauseCron } else { Remedy::KillRun }),
            since: acc.since,
        });
    }
    out
}
