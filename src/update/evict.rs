//! Bounded memory for what only the log names: sessions known from log lines alone and the
//! per-session lanes (`session:<key>`) grow with every distinct session a long log mentions (a
//! 1 GB log can name tens of thousands). Past a cap, the least recently active of them that carry
//! nothing worth keeping are dropped; everything a store holds, everything with spend, activity
//! in flight, fallback episodes, lane waits over the threshold or lane errors is always kept.

use chrono::{DateTime, Utc};

use crate::domain::Model;

/// Log-only sessions kept before eviction starts (then trimmed to 3/4 of it).
pub const LOG_ONLY_SESSIONS_CAP: usize = 4096;
/// `session:*` lanes kept before eviction starts (then trimmed to 3/4 of it).
pub const SESSION_LANES_CAP: usize = 4096;

/// Evict when a cap is exceeded. Cheap when nothing is over its cap (two length checks).
pub(super) fn bound(model: &mut Model) {
    bound_sessions(model);
    bound_lanes(model);
}

fn bound_sessions(model: &mut Model) {
    if model.sessions.by_key.len() <= LOG_ONLY_SESSIONS_CAP {
        return;
    }
    // The cap is on log-only sessions: a store of 10,000 sessions must not make every batch
    // evict every log-only session (found by the soak, `scripts/soak.sh`).
    let log_only = model
        .sessions
        .by_key
        .values()
        .filter(|s| s.row_source.is_none())
        .count();
    if log_only <= LOG_ONLY_SESSIONS_CAP {
        return;
    }
    let mut evictable: Vec<(Option<DateTime<Utc>>, String)> = model
        .sessions
        .by_key
        .values()
        .filter(|s| {
            s.row_source.is_none()
                && s.usage_turns == 0
                && s.cost_usd == 0.0
                && s.unpriced_tokens == 0
                && s.active_runs.is_empty()
                && s.queued == 0
                && s.live_active != Some(true)
                && s.fallback_episodes == 0
        })
        .map(|s| (s.last_activity, s.key.clone()))
        .collect();
    let keep = LOG_ONLY_SESSIONS_CAP * 3 / 4;
    let excess = log_only.saturating_sub(keep);
    if evictable.len() > excess {
        evictable.select_nth_unstable(excess);
        evictable.truncate(excess);
    }
    for (_, key) in evictable {
        if let Some(s) = model.sessions.by_key.remove(&key)
            && model.sessions.key_by_session_id.get(&s.session_id) == Some(&key)
        {
            model.sessions.key_by_session_id.remove(&s.session_id);
        }
    }
}

fn bound_lanes(model: &mut Model) {
    let lanes = &mut model.lanes.by_name;
    if lanes.len() <= SESSION_LANES_CAP {
        return;
    }
    let mut evictable: Vec<(Option<DateTime<Utc>>, String)> = lanes
        .values()
        .filter(|l| {
            l.name.starts_with("session:")
                && l.active == 0
                && l.queued == 0
                && l.wait_exceeded == 0
                && l.task_errors == 0
        })
        .map(|l| (l.last_seen, l.name.clone()))
        .collect();
    let keep = SESSION_LANES_CAP * 3 / 4;
    let excess = lanes.len().saturating_sub(keep);
    if evictable.len() > excess {
        evictable.select_nth_unstable(excess);
        evictable.truncate(excess);
    }
    for (_, name) in evictable {
        lanes.remove(&name);
    }
}
