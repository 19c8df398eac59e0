//! Timestamps of gateway log records.
//!
//! OpenClaw writes `time` as host-local time with offset, `YYYY-MM-DDTHH:mm:ss.SSS+HH:MM`
//! (`formatTimestamp(…, {style:"long"})`, FORMATS.md §1.2), and `_meta.date` as UTC
//! `YYYY-MM-DDTHH:mm:ss.SSSZ`. Both fixed shapes are parsed by hand (no allocation, no
//! format-string interpretation); anything else falls back to chrono's RFC 3339 parser.

use chrono::{DateTime, Utc};

/// Parse a log timestamp into UTC. `None` when it is not a timestamp at all.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    fast(s.as_bytes()).or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

fn digits(b: &[u8]) -> Option<i64> {
    let mut v = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DDTHH:mm:ss.SSS` followed by `Z` or `±HH:MM`.
fn fast(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 24
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
    {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let min = digits(&b[14..16])?;
    let sec = digits(&b[17..19])?;
    let milli = digits(&b[20..23])?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || min > 59
        || sec > 59
    {
        return None;
    }
    let offset_min = match &b[23..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let v = digits(&[*h1, *h2])? * 60 + digits(&[*m1, *m2])?;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_min * 60;
    DateTime::from_timestamp_millis(secs * 1000 + milli)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_ref(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn fast_path_matches_chrono() {
        for s in [
            "2026-11-22T01:49:17.247+00:00",
            "2026-09-06T11:14:02.255+02:00",
            "2026-05-24T09:10:01.000+02:00",
            "2024-02-29T23:59:59.999-05:30",
            "1999-12-31T00:00:00.001Z",
            "2026-11-22T01:46:44.224Z",
        ] {
            assert_eq!(fast(s.as_bytes()), Some(chrono_ref(s)), "{s}");
        }
    }

    #[test]
    fn rejects_garbage_and_falls_back() {
        assert_eq!(parse_time("not a time"), None);
        assert_eq!(parse_time("2026-02-30T00:00:00.000Z"), None);
        assert_eq!(fast(b"2026-11-22T01:49:17+00:00"), None);
        // No milliseconds: chrono fallback.
        assert_eq!(
            parse_time("2026-11-22T01:49:17+00:00"),
            Some(chrono_ref("2026-11-22T01:49:17+00:00"))
        );
    }
}
