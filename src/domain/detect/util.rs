//! Helpers shared by the detectors: windows, per-session spend in a time range, subjects.

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::session::TurnKind;
use crate::domain::{Model, Session};

/// `now - minutes`, or `None` when the model has no clock yet.
pub fn window_start(model: &Model, minutes: i64) -> Option<DateTime<Utc>> {
    model
        .now
        .and_then(|n| n.checked_sub_signed(TimeDelta::minutes(minutes)))
}

/// `now - hours` (fractional).
pub fn hours_ago(model: &Model, hours: f64) -> Option<DateTime<Utc>> {
    let ms = (hours * 3_600_000.0) as i64;
    model
        .now
        .and_then(|n| n.checked_sub_signed(TimeDelta::milliseconds(ms)))
}

/// Priced USD of a session's assistant turns with `from <= at <= to`, and whether any was seen.
pub fn session_usd_between(s: &Session, from: DateTime<Utc>, to: DateTime<Utc>) -> (f64, bool) {
    let mut usd = 0.0;
    let mut any = false;
    for t in s.turns.iter().filter(|t| t.at >= from && t.at <= to) {
        if let TurnKind::Assistant {
            cost_usd: Some(c), ..
        } = &t.kind
        {
            usd += c;
            any = true;
        }
    }
    (usd, any)
}

/// USD of every session owned by cron job `job` between `from` and `to`. A main session bound
/// to the job is not counted (its user turns are not the job's): see
/// [`bound_runs_usd_between`].
pub fn job_usd_between(model: &Model, job: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    model
        .sessions
        .by_key
        .values()
        .filter(|s| s.cron_job_id.as_deref() == Some(job))
        .filter(|s| s.kind != crate::domain::session::SessionKind::Main)
        .map(|s| session_usd_between(s, from, to).0)
        .sum()
}

/// The session a log names by key or id.
pub fn session<'a>(model: &'a Model, id_or_key: &str) -> Option<&'a Session> {
    let key = model.sessions.resolve(id_or_key)?;
    model.sessions.by_key.get(key)
}

/// The subject of an incident on a session: the owning cron job id when the session belongs
/// to (or is bound by) a cron job, else the session key (or id as the log named it).
pub fn subject_of(model: &Model, id_or_key: &str) -> (String, Option<String>) {
    match session(model, id_or_key) {
        Some(s) => match &s.cron_job_id {
            Some(j) => (j.clone(), Some(s.key.clone())),
            None => (s.key.clone(), Some(s.key.clone())),
        },
        // A key the sessions do not list (e.g. a per-run `…:cron:<job>:run:<sid>` key only the
        // log names) still names its job.
        None => match crate::domain::keys::parse_key(id_or_key).cron_job {
            Some(j) => (j, None),
            None => (id_or_key.to_string(), None),
        },
    }
}

/// The enabled, non-heartbeat cron job bound to main session `key` (its `sessionKey` or
/// `sessionTarget: session:<key>` names it), if exactly one is.
pub fn job_bound_to(model: &Model, key: &str) -> Option<String> {
    let mut it = model.cron.jobs.iter().filter(|(_, j)| {
        j.row.enabled
            && !crate::domain::cron::is_heartbeat_job(&j.row)
            && super::cron_main_binding::main_binding(&j.row).as_deref() == Some(key)
    });
    let (id, _) = it.next()?;
    it.next().is_none().then(|| id.clone())
}

/// The cron job a fallback episode ran for when it ran in a main session a job is bound to:
/// 2026.9.6 runs such a job's turns in the main session on lane `cron-nested` (lab reproduction
/// `tests/data/incidents/retry-storm`), so the episode's session has no cron job of its own.
pub fn bound_job_of_episode(model: &Model, e: &crate::domain::cascade::Episode) -> Option<String> {
    if e.lane.as_deref() != Some("cron-nested") {
        return None;
    }
    let s = session(model, e.session.as_deref()?)?;
    job_bound_to(model, &s.key)
}

/// USD of a job's runs that started in `[from, to]` in the main session it is bound to: the
/// session's priced turns from 1 s before each run's start to 5 s after its end (the same
/// window as the overnight per-run cost).
pub fn bound_runs_usd_between(
    model: &Model,
    job: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> f64 {
    let Some(j) = model.cron.jobs.get(job) else {
        return 0.0;
    };
    let Some(key) = super::cron_main_binding::main_binding(&j.row) else {
        return 0.0;
    };
    let Some(s) = model.sessions.by_key.get(&key) else {
        return 0.0;
    };
    let mut usd = 0.0;
    for run in &j.runs {
        let start = DateTime::<Utc>::from_timestamp_millis(run.started_at_ms);
        let end = run
            .finished_at_ms
            .and_then(|f| DateTime::<Utc>::from_timestamp_millis(f + 5000));
        if let (Some(a), Some(b)) = (start, end)
            && a >= from
            && a <= to
        {
            usd += session_usd_between(s, a - TimeDelta::seconds(1), b).0;
        }
    }
    usd
}
