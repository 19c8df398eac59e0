//! **takeover-race**: `EmbeddedAttemptSessionTakeoverError` repeating for one subject. One
//! takeover logs a `lane task error` on `main` and on `session:<key>` (FORMATS-LEGACY.md §2.3):
//! lines of one subject within 5 s count as one takeover. At least `takeover_repeats`
//! takeovers of one subject (the owning cron job, else the session) in the last
//! `takeover_window_min` minutes fire; critical at twice that.
//!
//! Evidence: the lane error lines. USD: the subject's spend in the window. Remedy: `pause-cron`
//! for a job, `kill-run` otherwise.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::util::{job_usd_between, session, session_usd_between, subject_of, window_start};
use super::{Alert, AlertKind, DetectConfig, Remedy, Severity};
use crate::domain::Model;
use crate::fact::Origin;

/// Run the detector.
pub fn detect(model: &Model, cfg: &DetectConfig) -> Vec<Alert> {
    let (Some(now), Some(from)) = (model.now, window_start(model, cfg.takeover_window_min)) else {
        return Vec::new();
    };
    // subject → (takeover times, evidence, a session key)
    type Acc = (Vec<DateTime<Utc>>, Vec<Origin>, Option<String>);
    let mut by: BTreeMap<String, Acc> = BTreeMap::new();
    for t in model.detect.takeovers.iter().filter(|t| t.at >= from) {
        let Some(s) = t.subject.as_deref() else {
            continue;
        };
        let (subject, key) = subject_of(model, s);
        let acc = by.entry(subject).or_default();
        if acc.2.is_none() {
            acc.2 = key;
        }
        if acc
            .0
            .last()
            .is_none_or(|l| t.at - *l > TimeDelta::seconds(5))
        {
            acc.0.push(t.at);
        }
        acc.1.push(t.origin.clone());
    }
    let mut out = Vec::new();
    for (subject, (times, evidence, key)) in by {
        let n = times.len() as u32;
        if n < cfg.takeover_repeats.max(1) {
            continue;
        }
        let is_job = model.cron.jobs.contains_key(&subject);
        let usd = if is_job {
            job_usd_between(model, &subject, from, now)
        } else {
            key.as_deref()
                .and_then(|k| session(model, k))
                .map_or(0.0, |s| session_usd_between(s, from, now).0)
        };
        out.push(Alert {
            kind: AlertKind::TakeoverRace,
            severity: if n >= 2 * cfg.takeover_repeats.max(1) {
                Severity::Crit
            } else {
                Severity::Warn
            },
            cause: format!(
                "{n} session takeovers (EmbeddedAttemptSessionTakeoverError) on {subject} in {} min: another writer races the run",
                cfg.takeover_window_min
            ),
            subject,
            evidence,
            usd: Some(usd),
            remedy: Some(if is_job { Remedy::PauseCron } else { Remedy::KillRun }),
            since: times.first().copied(),
        });
    }
    out
}
