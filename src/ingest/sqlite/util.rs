//! Small helpers to read loosely typed JSON (`serde_json::Value`) and epoch-ms timestamps.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The string at `key`, if it is a non-empty string.
pub(crate) fn str_at(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A non-negative integer at `key` (accepts integral floats, as JSON writers sometimes emit).
pub(crate) fn u64_at(v: &Value, key: &str) -> Option<u64> {
    as_u64(v.get(key)?)
}

/// A signed integer at `key` (epoch ms and the like).
pub(crate) fn i64_at(v: &Value, key: &str) -> Option<i64> {
    let n = v.get(key)?;
    n.as_i64()
        .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}

/// A float at `key`.
pub(crate) fn f64_at(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64).filter(|f| f.is_finite())
}

/// A boolean at `key`.
pub(crate) fn bool_at(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

/// A JSON number as a non-negative integer.
pub(crate) fn as_u64(n: &Value) -> Option<u64> {
    n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f.round() as u64)
    })
}

/// Epoch milliseconds → UTC time.
pub(crate) fn ms_to_utc(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// An ISO-8601 / RFC 3339 string → UTC time.
pub(crate) fn iso_to_utc(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The first `max` characters of `s` (for error excerpts).
pub(crate) fn excerpt(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
