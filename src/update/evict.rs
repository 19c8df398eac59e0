//! Bounded memory for what only the log names: sessions known from log lines alone and the
//! per-session lanes (`session:<key>`) grow with every distinct session a long log mentions (a
//! 1 GB log can name tens of thousands; a gateway with minute-cron jobs names a new
//! `…:cron:<job>:run:<sessionId>` session every minute, forever). Past a cap, the least recently
//! active log-only sessions with nothing in flight are dropped; what they spent is not lost: the
//! totals by model, agent, cron job, day and hour keep it, and their `by_session` buckets are
//! merged into one [`EVICTED_SESSIONS`] bucket. Everything a store holds, and activity in
//! flight (runs, queued work, a live active flag), is always kept; for lanes, lane waits over
//! the threshold or lane errors are kept too. Found by the 1 h soak (`scripts/soak.sh`): keeping
//! every session with spend let RSS grow from 104 to 430 MB in an hour at 5,000 lines/s.

use chrono::{DateTime, Utc};

use crate::domain::Model;

/// Log-only sessions kept before eviction starts (then trimmed to 3/4 of it).
pub const LOG_ONLY_SESSIONS_CAP: usize = 4096;
/// The `Spend::by_session` key that sums the spend of evicted sessions.
pub const EVICTED_SESSIONS: &str = "(evicted sessions)";
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
                && s.active_runs.is_empty()
                && s.queued == 0
                && s.live_active != Some(true)
        })
        .map(|s| (s.last_activity, s.key.clone()))
        .collect();
    let keep = LOG_ONLY_SESSIONS_CAP * 3 / 4;
    let excess = log_only.saturating_sub(keep);
    if evictable.len() > excess {
        evictable.select_nth_unstable(excess);
        evictable.truncate(excess);
    }
    let sp = &mut model.spend;
    let mut merged = sp.by_session.remove(EVICTED_SESSIONS).unwrap_or_default();
    for (_, key) in evictable {
        let Some(s) = model.sessions.by_key.remove(&key) else {
            continue;
        };
        model.sessions.running.remove(&key);
        if model.sessions.key_by_session_id.get(&s.session_id) == Some(&key) {
            model.sessions.key_by_session_id.remove(&s.session_id);
        }
        for k in [key.as_str(), s.session_id.as_str()] {
            if let Some(b) = sp.by_session.remove(k) {
                merged.usd += b.usd;
                merged.tokens = merged.tokens.saturating_add(b.tokens);
                merged.unpriced_tokens = merged.unpriced_tokens.saturating_add(b.unpriced_tokens);
                merged.turns += b.turns;
            }
        }
    }
    if merged != Default::default() {
        sp.by_session.insert(EVICTED_SESSIONS.to_string(), merged);
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
        model.lanes.touched.remove(&name);
    }
}
