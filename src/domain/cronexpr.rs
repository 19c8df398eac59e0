//! Cron expressions (`CronJob.schedule.kind = "cron"`, `expr`): the common forms.
//!
//! Supported: 5 fields `minute hour day-of-month month day-of-week`, each `*`, `N`, `A-B`,
//! `*/S`, `A-B/S`, `N/S` and comma lists of those; day-of-week 0–7 (0 and 7 = Sunday) and
//! three-letter names (`MON`, `JAN`); when both day fields are restricted a time matches
//! either (Vixie cron). A 6-field form with a leading seconds field is accepted and matched
//! per minute (one run per matching minute). `@hourly`, `@daily`/`@midnight`, `@weekly`,
//! `@monthly`, `@yearly`/`@annually` are accepted. Not supported (parse error): `L`, `W`, `#`,
//! `?`. Times are evaluated in one fixed UTC offset given by the caller (IANA zones are not
//! resolved).

use chrono::{DateTime, Datelike, FixedOffset, TimeDelta, Timelike, Utc};

/// A parsed expression: the allowed values of each field as bit sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpr {
    minutes: u64,
    hours: u32,
    dom: u32,
    months: u16,
    dow: u8,
    dom_star: bool,
    dow_star: bool,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn value(s: &str, names: &[&str], base: u32) -> Result<u32, String> {
    if let Ok(n) = s.parse::<u32>() {
        return Ok(n);
    }
    let l = s.to_ascii_lowercase();
    names
        .iter()
        .position(|n| *n == l)
        .map(|i| i as u32 + base)
        .ok_or_else(|| format!("bad value `{s}`"))
}

fn field(s: &str, lo: u32, hi: u32, names: &[&str], base: u32) -> Result<(u64, bool), String> {
    let mut bits = 0u64;
    for part in s.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, st)) => (
                r,
                st.parse::<u32>()
                    .ok()
                    .filter(|v| *v > 0)
                    .ok_or_else(|| format!("bad step in `{part}`"))?,
            ),
            None => (part, 1),
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, names, base)?, value(b, names, base)?)
        } else {
            let a = value(range, names, base)?;
            (a, if part.contains('/') { hi } else { a })
        };
        if a < lo || b > hi || a > b {
            return Err(format!("`{part}` out of range {lo}-{hi}"));
        }
        let mut v = a;
        while v <= b {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok((bits, s == "*" || s == "?"))
}

impl CronExpr {
    /// Parse an expression (see the module doc for the forms).
    pub fn parse(expr: &str) -> Result<CronExpr, String> {
        let e = match expr.trim() {
            "@hourly" => "0 * * * *",
            "@daily" | "@midnight" => "0 0 * * *",
            "@weekly" => "0 0 * * 0",
            "@monthly" => "0 0 1 * *",
            "@yearly" | "@annually" => "0 0 1 1 *",
            e => e,
        };
        let f: Vec<&str> = e.split_whitespace().collect();
        let f = match f.len() {
            5 => &f[..],
            6 => &f[1..],
            n => return Err(format!("expected 5 fields, got {n}")),
        };
        let (minutes, _) = field(f[0], 0, 59, &[], 0)?;
        let (hours, _) = field(f[1], 0, 23, &[], 0)?;
        let (dom, dom_star) = field(f[2], 1, 31, &[], 0)?;
        let (months, _) = field(f[3], 1, 12, &MONTHS, 1)?;
        let (mut dow, dow_star) = field(f[4], 0, 7, &DAYS, 0)?;
        if dow & (1 << 7) != 0 {
            dow |= 1;
        }
        Ok(CronExpr {
            minutes,
            hours: hours as u32,
            dom: dom as u32,
            months: months as u16,
            dow: (dow & 0x7f) as u8,
            dom_star,
            dow_star,
        })
    }

    /// True when the expression fires in the minute starting at local time `t`.
    pub fn matches(&self, t: &DateTime<FixedOffset>) -> bool {
        let dom_ok = self.dom & (1 << t.day()) != 0;
        let dow_ok = self.dow & (1 << t.weekday().num_days_from_sunday()) != 0;
        let day_ok = match (self.dom_star, self.dow_star) {
            (true, true) => true,
            (true, false) => dow_ok,
            (false, true) => dom_ok,
            (false, false) => dom_ok || dow_ok,
        };
        self.minutes & (1 << t.minute()) != 0
            && self.hours & (1 << t.hour()) != 0
            && self.months & (1 << t.month()) != 0
            && day_ok
    }

    /// Number of firing minutes in `[from, until)`, evaluated at UTC offset `offset_min`
    /// (at most 7 days are scanned).
    pub fn count_between(&self, from: DateTime<Utc>, until: DateTime<Utc>, offset_min: i32) -> u64 {
        let Some(tz) = FixedOffset::east_opt(offset_min.saturating_mul(60)) else {
            return 0;
        };
        // First whole minute at or after `from`.
        let mut t = from
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(from);
        if t < from {
            t += TimeDelta::minutes(1);
        }
        let cap = from + TimeDelta::days(7);
        let end = until.min(cap);
        let mut n = 0;
        while t < end {
            if self.matches(&t.with_timezone(&tz)) {
                n += 1;
            }
            t += TimeDelta::minutes(1);
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn forms() {
        let e = CronExpr::parse("* * * * *").unwrap();
        assert_eq!(
            e.count_between(at("2026-11-22T00:00:00Z"), at("2026-11-22T08:00:00Z"), 0),
            480
        );
        let e = CronExpr::parse("*/15 * * * *").unwrap();
        assert_eq!(
            e.count_between(at("2026-11-22T00:00:30Z"), at("2026-11-22T08:00:00Z"), 0),
            31
        );
        let e = CronExpr::parse("0 9-17 * * MON-FRI").unwrap();
        // 2026-11-23 is a Monday: 9 runs that day, none on Sunday the 22nd.
        assert_eq!(
            e.count_between(at("2026-11-22T00:00:00Z"), at("2026-11-24T00:00:00Z"), 0),
            9
        );
        let e = CronExpr::parse("30 7 * * *").unwrap();
        // 07:30 local at +02:00 is 05:30 UTC.
        assert_eq!(
            e.count_between(at("2026-11-22T05:00:00Z"), at("2026-11-22T06:00:00Z"), 120),
            1
        );
        assert_eq!(
            e.count_between(at("2026-11-22T05:00:00Z"), at("2026-11-22T06:00:00Z"), 0),
            0
        );
        assert_eq!(
            CronExpr::parse("0 0 1,3 * *").unwrap().count_between(
                at("2026-11-01T00:00:00Z"),
                at("2026-11-05T00:00:00Z"),
                0
            ),
            2
        );
        // At most 7 days are scanned.
        assert_eq!(
            CronExpr::parse("0 0 * * *").unwrap().count_between(
                at("2026-11-01T00:00:00Z"),
                at("2026-12-01T00:00:00Z"),
                0
            ),
            7
        );
        assert_eq!(
            CronExpr::parse("0 0 0 * * *").unwrap().count_between(
                at("2026-11-22T00:00:00Z"),
                at("2026-11-23T00:00:01Z"),
                0
            ),
            2
        );
        assert!(CronExpr::parse("0 0 L * *").is_err());
        assert!(CronExpr::parse("61 * * * *").is_err());
        assert!(CronExpr::parse("* * *").is_err());
        assert_eq!(
            CronExpr::parse("@daily").unwrap(),
            CronExpr::parse("0 0 * * *").unwrap()
        );
        // Sunday as 7.
        assert_eq!(
            CronExpr::parse("0 12 * * 7").unwrap().count_between(
                at("2026-11-22T00:00:00Z"),
                at("2026-11-23T00:00:00Z"),
                0
            ),
            1
        );
    }
}
