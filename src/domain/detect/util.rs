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

/// USD of every session owned by cron job `job` between `from` and `to`.
pub fn job_usd_between(model: &Model, job: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    model
        .sessions
        .by_key
        .values()
        .filter(|s| s.cron_job_id.as_deref() == Some(job))
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
        None => (id_or_key.to_string(), None),
    }
}
