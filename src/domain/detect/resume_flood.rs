//! **resume-flood** (startup lane starvation): after a gateway boot, restart recovery takes on
//! at least `flood_resumed` sessions for one lane (`resumed|started interrupted main session`
//! lines, or the `marked N … main session(s)` count, → lane `main`; `resumed orphaned session`
//! → `subagent`) within `flood_window_min` minutes, and that lane, or the session lane
//! `session:<key>` of a resumed session (a turn queued behind that session's resumed run), logs
//! a `lane wait exceeded` of at least `flood_wait_ms` in the same span: user messages queue
//! behind the resumed runs. Critical when a wait reaches 4× the threshold. The newest such boot
//! is reported, per lane.
//!
//! 2026.9.6 (lab reproduction `tests/data/incidents/resume-flood`): recovery marks every
//! interrupted main session, then resumes them one at a time on lane `main` (a later one may
//! never start before the next restart), and refuses user turns on a session it is recovering
//! (`SESSION_WORK_START_CHANGED`): the starvation shows as waits on lane `main` of other
//! sessions' turns. Hence the `marked N` count.
//!
//! Subject: the lane name. Evidence: the `marked` lines, the resume lines, then the wait lines.
//! USD: what the resumed sessions spent since the boot. Remedy: `prune-stale` (and `kill-run`
//! the stale runs).

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::util::{session, session_usd_between};
use super::{Alert, AlertKind, DetectConfig, Remedy, Severity};
use crate::domain::Model;

/// Run the detector.
pub fn detect(model: &Model, cfg: &DetectConfig) -> Vec<Alert> {
    let Some(now) = model.now else {
        return Vec::new();
    };
    let starts: Vec<DateTime<Utc>> = model
        .gateway
        .boots
        .iter()
        .filter_map(|b| b.started_at.or(b.log_started_at))
        .collect();
    let mut latest: BTreeMap<String, Alert> = BTreeMap::new();
    for (i, start) in starts.iter().enumerate() {
        let mut end = *start + TimeDelta::minutes(cfg.flood_window_min);
        if let Some(next) = starts.get(i + 1) {
            end = end.min(*next);
        }
        let in_span = |t: DateTime<Utc>| t >= *start && t <= end;
        let mut lanes: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for r in model.detect.resumes.iter().filter(|r| in_span(r.at)) {
            lanes
                .entry(r.lane.as_deref().unwrap_or("main"))
                .or_default()
                .push(r);
        }
        let marked: Vec<_> = model
            .detect
            .marked
            .iter()
            .filter(|m| in_span(m.at))
            .collect();
        if !marked.is_empty() {
            lanes.entry("main").or_default();
        }
        for (lane, resumes) in lanes {
            // How many sessions recovery took on: the resume lines, or the `marked N` count
            // (2026.9.6 resumes them one at a time; a later one may never start).
            let taken = if lane == "main" {
                let n: u64 = marked.iter().map(|m| m.value).sum();
                (resumes.len() as u64).max(n)
            } else {
                resumes.len() as u64
            };
            if taken < u64::from(cfg.flood_resumed.max(1)) {
                continue;
            }
            let mut keys: Vec<&str> = resumes
                .iter()
                .filter_map(|r| r.subject.as_deref())
                .collect();
            keys.sort_unstable();
            keys.dedup();
            // A wait behind the resumed runs: on the lane itself, or on the session lane of a
            // resumed session (a turn queued behind that session's resumed run).
            let behind = |l: &str| {
                l == lane
                    || l.strip_prefix("session:")
                        .is_some_and(|k| keys.contains(&k))
            };
            let waits: Vec<_> = model
                .detect
                .waits
                .iter()
                .filter(|w| {
                    in_span(w.at)
                        && w.lane.as_deref().is_some_and(behind)
                        && w.value >= cfg.flood_wait_ms
                })
                .collect();
            let Some(max_wait) = waits.iter().map(|w| w.value).max() else {
                continue;
            };
            let usd: f64 = keys
                .iter()
                .filter_map(|k| session(model, k))
                .map(|s| session_usd_between(s, *start, now).0)
                .sum();
            let mut evidence: Vec<_> = if lane == "main" {
                marked.iter().map(|m| m.origin.clone()).collect()
            } else {
                Vec::new()
            };
            evidence.extend(resumes.iter().map(|r| r.origin.clone()));
            evidence.extend(waits.iter().map(|w| w.origin.clone()));
            latest.insert(
                lane.to_string(),
                Alert {
                    kind: AlertKind::ResumeFlood,
                    severity: if max_wait >= cfg.flood_wait_ms.saturating_mul(4) {
                        Severity::Crit
                    } else {
                        Severity::Warn
                    },
                    subject: lane.to_string(),
                    cause: format!(
                        "boot at {}: restart recovery took {taken} sessions onto lane {lane} ({} resumed so far); {} waits over {} s (max {} s)",
                        start.format("%H:%M:%S"),
                        keys.len(),
                        waits.len(),
                        cfg.flood_wait_ms / 1000,
                        max_wait / 1000
                    ),
                    evidence,
                    usd: Some(usd),
                    remedy: Some(Remedy::PruneStale),
                    since: Some(*start),
                },
            );
        }
    }
    latest.into_values().collect()
}
