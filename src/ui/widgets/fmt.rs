//! Number formats: USD, tokens, ages, times, durations.

use chrono::{DateTime, Utc};

/// USD with 2 decimals; amounts below $0.01 (but not zero) get 4 decimals (`$0.0123`, `$0.0012`).
pub fn usd(v: f64) -> String {
    if v == 0.0 {
        "$0.00".into()
    } else if v.abs() < 0.01 {
        format!("${v:.4}")
    } else {
        format!("${v:.2}")
    }
}

/// Tokens with k/M suffixes: `950`, `12.3k`, `4.5M`.
pub fn tokens(n: u64) -> String {
    if n < 1_000 {
        n.to_string()
    } else if n < 1_000_000 {
        format!("{:.1}k", n as f64 / 1e3)
    } else {
        format!("{:.1}M", n as f64 / 1e6)
    }
}

/// An age in seconds as `3s`, `5m`, `2h`, `4d`.
pub fn age_secs(s: i64) -> String {
    let s = s.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// Age of `at` against `now`, or `-` when either is unknown.
pub fn age(now: Option<DateTime<Utc>>, at: Option<DateTime<Utc>>) -> String {
    match (now, at) {
        (Some(n), Some(a)) => age_secs((n - a).num_seconds()),
        _ => "-".into(),
    }
}

/// A duration in ms as `850ms`, `2.3s`, `4m`.
pub fn millis(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        age_secs((ms / 1000) as i64)
    }
}

/// `HH:MM:SS` (UTC).
pub fn hms(at: DateTime<Utc>) -> String {
    at.format("%H:%M:%S").to_string()
}

/// Epoch ms → `DateTime`.
pub fn from_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// Truncate to `w` characters, with `…` when cut.
pub fn trunc(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else if w == 0 {
        String::new()
    } else {
        let mut t: String = s.chars().take(w - 1).collect();
        t.push('…');
        t
    }
}

/// Shorten UUID segments of a `:`-separated key to their first 8 hex digits
/// (`agent:ops:cron:007ab091-ffcc-…` → `agent:ops:cron:007ab091`), for narrow columns.
pub fn short_key(key: &str) -> String {
    key.split(':')
        .map(|seg| {
            let is_uuid = seg.len() == 36 && seg.chars().filter(|c| *c == '-').count() == 4;
            if is_uuid { &seg[..8] } else { seg }
        })
        .collect::<Vec<_>>()
        .join(":")
}

/// A session key or lane name in `w` characters for a column: whole when it fits, else with
/// UUID segments shortened ([`short_key`]), then, when still too long, the middle elided so that the end (the run or
/// channel id that tells sibling rows apart) stays whole: `session:agent:main:cron:f3eb99f7:
/// run:49477b7a` in 24 → `session:ag…:run:49477b7a`. The kept end starts at a `:` when one
/// fits in two thirds of the width; otherwise the last characters are kept.
pub fn fit_key(key: &str, w: usize) -> String {
    if key.chars().count() <= w {
        return key.to_string();
    }
    let short = short_key(key);
    let n = short.chars().count();
    if n <= w {
        return short;
    }
    if w < 5 {
        return trunc(&short, w);
    }
    let budget = (w - 1) * 2 / 3;
    let chars: Vec<char> = short.chars().collect();
    // The longest suffix that starts at a `:` and fits the budget, else the budget's chars.
    let tail_len = (1..n)
        .rev()
        .filter(|&i| chars[i] == ':')
        .map(|i| n - i)
        .take_while(|&len| len <= budget)
        .last()
        .unwrap_or(budget);
    let head_len = w - 1 - tail_len;
    let mut out: String = chars[..head_len].iter().collect();
    out.push('…');
    out.extend(&chars[n - tail_len..]);
    out
}
