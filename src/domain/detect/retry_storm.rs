//! **retry-storm**: one session or cron job keeps failing over. In the last
//! `storm_window_min` minutes, for one subject (the owning cron job when the session belongs to
//! one, else the session key): chain exhaustions (fallback episodes with outcome `exhausted`)
//! ≥ `storm_exhaustions`, or failed attempts (`candidate_failed` fallback steps + attributed
//! `transient same-model retry` lines) ≥ `storm_attempts`. Critical at twice either threshold.
//!
//! A storm that no longer fills the current window but did fill some earlier window of the
//! kept history is reported as `info` ("ended"), so a morning report still names it.
//!
//! A job bound to a main session (`sessionKey: agent:<id>:main`) runs its turns in that session
//! on lane `cron-nested` (2026.9.6, lab reproduction): those episodes count for the job.
//!
//! Evidence: the failed decision lines and retry lines. USD: what the subject's sessions spent
//! in the window, plus, for a job bound to a main session, what its runs in the window spent
//! there (every failed attempt re-sends and bills the prompt). Remedy: `pause-cron`
//! for a job, `kill-run` for a session.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::util::{
    bound_job_of_episode, bound_runs_usd_between, job_usd_between, session, subject_of,
    window_start,
};
use super::{Alert, AlertKind, DetectConfig, Remedy, Severity};
use crate::domain::Model;
use crate::fact::Origin;

#[derive(Default)]
struct Acc {
    failed: u32,
    retries: u32,
    exhausted: u32,
    /// Every attempt and exhaustion time in the kept history (for the sliding window).
    attempt_times: Vec<DateTime<Utc>>,
    exhaust_times: Vec<DateTime<Utc>>,
    old_evidence: Vec<(DateTime<Utc>, Origin)>,
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
        let (subject, key) = match bound_job_of_episode(model, e) {
            Some(job) => (job, model.sessions.resolve(s).map(str::to_string)),
            None => subject_of(model, s),
        };
        let all: Vec<_> = e
            .steps
            .iter()
            .filter(|st| st.decision == "candidate_failed")
            .collect();
        let ended_exhausted = if e.outcome.as_deref() == Some("exhausted") {
            e.ended
        } else {
            None
        };
        if all.is_empty() && ended_exhausted.is_none() {
            continue;
        }
        let acc = by.entry(subject.clone()).or_default();
        acc.attempt_times.extend(all.iter().map(|st| st.at));
        acc.exhaust_times.extend(ended_exhausted);
        acc.old_evidence
            .extend(all.iter().map(|st| (st.at, st.origin.clone())));
        let steps: Vec<_> = all.into_iter().filter(|st| st.at >= from).collect();
        let exhausted = ended_exhausted.is_some_and(|t| t >= from);
        if steps.is_empty() && !exhausted {
            continue;
        }
        acc.session = acc.session.take().or(key);
        acc.failed += steps.len() as u32;
        acc.exhausted += u32::from(exhausted);
        for st in steps {
            acc.since = Some(acc.since.map_or(st.at, |t| t.min(st.at)));
            acc.evidence.push((st.at, st.origin.clone()));
        }
    }
    for r in &model.detect.retries {
        let Some(s) = r.subject.as_deref() else {
            continue;
        };
        let (subject, key) = subject_of(model, s);
        let acc = by.entry(subject).or_default();
        acc.attempt_times.push(r.at);
        acc.old_evidence.push((r.at, r.origin.clone()));
        if r.at < from {
            continue;
        }
        acc.session = acc.session.take().or(key);
        acc.retries += 1;
        acc.since = Some(acc.since.map_or(r.at, |t| t.min(r.at)));
        acc.evidence.push((r.at, r.origin.clone()));
    }
    let mut out = Vec::new();
    for (subject, mut acc) in by {
        let attempts = acc.failed + acc.retries;
        let fires =
            acc.exhausted >= cfg.storm_exhaustions.max(1) || attempts >= cfg.storm_attempts.max(1);
        if !fires {
            if let Some(a) = ended_storm(model, cfg, &subject, &mut acc) {
                out.push(a);
            }
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
                + bound_runs_usd_between(model, &subject, from, now)
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

/// The densest `storm_window_min` window of the kept history that fires, as (attempts,
/// exhaustions, window start, window end): a two-pointer sweep over the sorted event times,
/// O(n log n).
fn densest(cfg: &DetectConfig, acc: &mut Acc) -> Option<(u32, u32, DateTime<Utc>, DateTime<Utc>)> {
    let w = chrono::TimeDelta::minutes(cfg.storm_window_min);
    let mut ev: Vec<(DateTime<Utc>, bool)> = acc
        .attempt_times
        .iter()
        .map(|t| (*t, false))
        .chain(acc.exhaust_times.iter().map(|t| (*t, true)))
        .collect();
    ev.sort_unstable();
    let (mut l, mut a, mut x) = (0usize, 0u32, 0u32);
    let mut best: Option<(u32, u32, DateTime<Utc>, DateTime<Utc>)> = None;
    for r in 0..ev.len() {
        let (end, ex) = ev[r];
        if ex {
            x += 1
        } else {
            a += 1
        }
        while ev[l].0 < end - w {
            if ev[l].1 {
                x -= 1
            } else {
                a -= 1
            }
            l += 1;
        }
        let fires = x >= cfg.storm_exhaustions.max(1) || a >= cfg.storm_attempts.max(1);
        if fires && best.is_none_or(|b| (x, a) > (b.1, b.0)) {
            best = Some((a, x, end - w, end));
        }
    }
    best
}

/// An earlier storm of the kept history that has ended: `info`.
fn ended_storm(model: &Model, cfg: &DetectConfig, subject: &str, acc: &mut Acc) -> Option<Alert> {
    let (attempts, exhausted, start, end) = densest(cfg, acc)?;
    let is_job = model.cron.jobs.contains_key(subject);
    let usd = if is_job {
        job_usd_between(model, subject, start, end)
            + bound_runs_usd_between(model, subject, start, end)
    } else {
        session(model, subject).map_or(0.0, |s| super::util::session_usd_between(s, start, end).0)
    };
    let mut ev: Vec<_> = acc
        .old_evidence
        .iter()
        .filter(|(t, _)| *t >= start && *t <= end)
        .cloned()
        .collect();
    ev.sort_by_key(|(t, _)| *t);
    Some(Alert {
        kind: AlertKind::RetryStorm,
        severity: Severity::Info,
        subject: subject.to_string(),
        cause: format!(
            "ended: {attempts} failed attempts, chain exhausted {exhausted}× between {} and {}; ${usd:.2} spent",
            start.format("%H:%M"),
            end.format("%H:%M")
        ),
        evidence: ev.into_iter().map(|(_, o)| o).collect(),
        usd: Some(usd),
        remedy: Some(if is_job {
            Remedy::PauseCron
        } else {
            Remedy::KillRun
        }),
        since: Some(start),
    })
}
