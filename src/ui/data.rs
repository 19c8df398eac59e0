//! Derived values the views and the UI reducer share, computed from the model's pub fields
//! (no I/O, no allocation beyond the returned rows).

use chrono::{DateTime, Duration, Timelike, Utc};

use crate::domain::{Lane, LogBuffer, LogEntry, Model, Session};
use crate::ui::state::{LogsUi, SessionSort, SessionsUi};

/// Sessions as the table shows them: filtered, sorted.
pub fn session_rows<'m>(model: &'m Model, ui: &SessionsUi) -> Vec<&'m Session> {
    let needle = ui.filter.to_lowercase();
    let mut rows: Vec<&Session> = model
        .sessions
        .by_key
        .values()
        .filter(|s| {
            needle.is_empty()
                || s.key.to_lowercase().contains(&needle)
                || s.agent_id.to_lowercase().contains(&needle)
                || s.label
                    .as_deref()
                    .is_some_and(|l| l.to_lowercase().contains(&needle))
                || s.current_model
                    .as_ref()
                    .is_some_and(|m| m.to_string().to_lowercase().contains(&needle))
        })
        .collect();
    rows.sort_by(|a, b| {
        let o = match ui.sort {
            SessionSort::LastActivity => b.last_activity.cmp(&a.last_activity),
            SessionSort::Cost => b.cost_usd.total_cmp(&a.cost_usd),
            SessionSort::Tokens => b.tokens.cmp(&a.tokens),
            SessionSort::Agent => a.agent_id.cmp(&b.agent_id),
            SessionSort::State => a.state.cmp(&b.state),
            SessionSort::Key => a.key.cmp(&b.key),
        };
        o.then_with(|| a.key.cmp(&b.key))
    });
    if ui.reverse {
        rows.reverse();
    }
    rows
}

/// Sequence number of the first entry still in the buffer.
pub fn first_seq(model: &Model) -> u64 {
    model.logs.total.saturating_sub(model.logs.len() as u64)
}

/// The entry with sequence number `seq`, when still buffered.
pub fn entry_at(model: &Model, seq: u64) -> Option<&LogEntry> {
    let first = first_seq(model);
    seq.checked_sub(first)
        .and_then(|i| model.logs.get(i as usize))
}

/// True when the entry passes the level and subsystem filters.
pub fn log_visible(logs: &LogBuffer, e: &LogEntry, ui: &LogsUi) -> bool {
    ui.min_level.is_none_or(|l| e.level >= l)
        && ui
            .subsystem
            .as_deref()
            .is_none_or(|s| logs.subsystem(e) == s)
}

/// True when the entry contains the search text (case-insensitive).
pub fn log_matches(logs: &LogBuffer, e: &LogEntry, needle_lower: &str) -> bool {
    !needle_lower.is_empty()
        && (logs.message(e).to_lowercase().contains(needle_lower)
            || logs.subsystem(e).to_lowercase().contains(needle_lower))
}

/// Exclusive end of the lines shown: the pinned end while paused, else everything.
pub fn log_end(model: &Model, ui: &LogsUi) -> u64 {
    match (ui.follow, ui.end_seq) {
        (false, Some(e)) => e.min(model.logs.total),
        _ => model.logs.total,
    }
}

/// Up to `n` visible entries ending before `end` (oldest first), with their sequence numbers.
pub fn visible_before<'m>(
    model: &'m Model,
    ui: &LogsUi,
    end: u64,
    n: usize,
) -> Vec<(u64, &'m LogEntry)> {
    let first = first_seq(model);
    let mut out = Vec::with_capacity(n.min(model.logs.len()));
    let mut seq = end;
    while seq > first && out.len() < n {
        seq -= 1;
        if let Some(e) = entry_at(model, seq).filter(|e| log_visible(&model.logs, e, ui)) {
            out.push((seq, e));
        }
    }
    out.reverse();
    out
}

/// Next visible match strictly before (`older`) or after `from`.
pub fn find_match(model: &Model, ui: &LogsUi, from: u64, older: bool) -> Option<u64> {
    let needle = ui.search.as_deref()?.to_lowercase();
    let first = first_seq(model);
    let ok = |s: u64| {
        entry_at(model, s).is_some_and(|e| {
            log_visible(&model.logs, e, ui) && log_matches(&model.logs, e, &needle)
        })
    };
    if older {
        (first..from.min(model.logs.total)).rev().find(|s| ok(*s))
    } else {
        (from.saturating_add(1).max(first)..model.logs.total).find(|s| ok(*s))
    }
}

/// Distinct subsystems in the buffer, sorted (for `cycle-subsystem`).
pub fn subsystems(model: &Model) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> = model
        .logs
        .entries()
        .iter()
        .map(|e| model.logs.subsystem(e))
        .collect();
    set.into_iter().map(str::to_owned).collect()
}

/// Lanes as the table shows them: busiest first (active, queued), then by name.
pub fn lane_rows(model: &Model) -> Vec<&Lane> {
    let mut v: Vec<&Lane> = model.lanes.by_name.values().collect();
    v.sort_by(|a, b| {
        (b.active + b.queued)
            .cmp(&(a.active + a.queued))
            .then_with(|| a.name.cmp(&b.name))
    });
    v
}

/// Median and maximum of a lane's recent waits, in ms.
pub fn wait_stats(lane: &Lane) -> Option<(u64, u64)> {
    let mut w: Vec<u64> = lane.recent_waits.iter().map(|(_, ms)| *ms).collect();
    if w.is_empty() {
        return None;
    }
    w.sort_unstable();
    Some((w[(w.len() - 1) / 2], w[w.len() - 1]))
}

/// USD spent on the UTC day of `now`.
pub fn spend_today(model: &Model, now: DateTime<Utc>) -> f64 {
    model
        .spend
        .by_day
        .get(&now.date_naive())
        .map_or(0.0, |b| b.usd)
}

/// Burn rate in USD per hour: spend of the previous full hour plus the current partial hour,
/// divided by the elapsed time (1 h + minutes into this hour).
pub fn burn_rate(model: &Model, now: DateTime<Utc>) -> f64 {
    let Some(hour) = now
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
    else {
        return 0.0;
    };
    let prev = hour - Duration::hours(1);
    let usd: f64 = [prev, hour]
        .iter()
        .filter_map(|h| model.spend.by_hour.get(h))
        .map(|b| b.usd)
        .sum();
    let elapsed_h = 1.0 + (now - hour).num_seconds() as f64 / 3600.0;
    usd / elapsed_h
}

/// USD per hour for the 24 hours ending at `now`'s hour (oldest first), in cents for sparklines.
pub fn hourly_cents(model: &Model, now: DateTime<Utc>, hours: usize) -> Vec<u64> {
    let Some(hour) = now
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
    else {
        return Vec::new();
    };
    (0..hours)
        .rev()
        .map(|i| {
            let h = hour - Duration::hours(i as i64);
            model
                .spend
                .by_hour
                .get(&h)
                .map_or(0, |b| (b.usd * 100.0).round() as u64)
        })
        .collect()
}
