//! Inflate the real captured gateway log into a big real-shaped log, streamed to disk.
//!
//! Copy `k` of `captured/logs/openclaw.log` has every ISO timestamp (`time`, `_meta.date`, and
//! any in message text; all are fixed-width `YYYY-MM-DDTHH:MM:SS.mmm` + `Z`/`+00:00`) shifted by
//! `k × (span + 1 s)`, so time moves forward across copies. With `distinct_ids`, every UUID (run,
//! session, cron job, message ids) gets its last 8 hex digits replaced by a per-copy value, so
//! the model sees new runs and sessions in every copy instead of the same ones again.

use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDateTime, SecondsFormat, Utc};

/// One piece of a base line.
enum Seg {
    Lit(usize, usize),
    /// A timestamp: parsed time, `true` for the `Z` form (else `+00:00`).
    Time(DateTime<Utc>, bool),
    /// A UUID: its first 28 chars are kept (byte range), the last 8 are per-copy.
    Uuid(usize, usize),
}

/// The base log cut into literal text, timestamps and UUIDs.
pub struct Template {
    base: Vec<u8>,
    segs: Vec<Seg>,
    span: Duration,
    /// Lines per copy.
    pub lines: usize,
}

fn is_hex(b: &[u8]) -> bool {
    b.iter()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

/// A UUID `8-4-4-4-12` at the start of `b`.
fn uuid_at(b: &[u8]) -> bool {
    b.len() >= 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && [(0, 8), (9, 13), (14, 18), (19, 23), (24, 36)]
            .iter()
            .all(|&(s, e)| is_hex(&b[s..e]))
}

/// A timestamp at the start of `b`: (time, Z form, length).
fn time_at(b: &[u8]) -> Option<(DateTime<Utc>, bool, usize)> {
    if b.len() < 24 || b[4] != b'-' || b[10] != b'T' || b[19] != b'.' {
        return None;
    }
    let s = std::str::from_utf8(&b[..23]).ok()?;
    let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.3f").ok()?;
    if b[23] == b'Z' {
        Some((t.and_utc(), true, 24))
    } else if b.len() >= 29 && &b[23..29] == b"+00:00" {
        Some((t.and_utc(), false, 29))
    } else {
        None
    }
}

impl Template {
    /// Cut `base` (a whole log) into segments.
    pub fn new(base: Vec<u8>) -> Self {
        let mut segs = Vec::new();
        let (mut lit, mut i) = (0, 0);
        let (mut first, mut last) = (None::<DateTime<Utc>>, None::<DateTime<Utc>>);
        while i < base.len() {
            let c = base[i];
            if c.is_ascii_digit()
                && (i == 0 || !base[i - 1].is_ascii_alphanumeric())
                && let Some((t, z, len)) = time_at(&base[i..])
            {
                segs.push(Seg::Lit(lit, i));
                segs.push(Seg::Time(t, z));
                first = first.or(Some(t)).map(|f| f.min(t));
                last = last.or(Some(t)).map(|l| l.max(t));
                i += len;
                lit = i;
                continue;
            }
            if (c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
                && (i == 0 || !base[i - 1].is_ascii_alphanumeric())
                && uuid_at(&base[i..])
            {
                segs.push(Seg::Lit(lit, i));
                segs.push(Seg::Uuid(i, i + 28));
                i += 36;
                lit = i;
                continue;
            }
            i += 1;
        }
        segs.push(Seg::Lit(lit, base.len()));
        let span = match (first, last) {
            (Some(f), Some(l)) => l - f + Duration::seconds(1),
            _ => Duration::seconds(1),
        };
        let lines = memchr::memchr_iter(b'\n', &base).count();
        Template {
            base,
            segs,
            span,
            lines,
        }
    }

    /// Bytes of one copy (every copy has the same length).
    pub fn copy_len(&self) -> usize {
        self.base.len()
    }

    /// Write copy `k` to `w`.
    pub fn write_copy(
        &self,
        k: u32,
        distinct_ids: bool,
        w: &mut impl Write,
    ) -> std::io::Result<()> {
        let shift = self.span * k as i32;
        for s in &self.segs {
            match s {
                Seg::Lit(a, b) => w.write_all(&self.base[*a..*b])?,
                Seg::Time(t, z) => {
                    let t = *t + shift;
                    let s = t.to_rfc3339_opts(SecondsFormat::Millis, *z);
                    w.write_all(s.as_bytes())?;
                }
                Seg::Uuid(a, b) => {
                    w.write_all(&self.base[*a..*b])?;
                    if distinct_ids {
                        write!(w, "{k:08x}")?;
                    } else {
                        w.write_all(&self.base[*b..*b + 8])?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Stream copies 0.. to `path` until it holds at least `bytes`; returns the copies written.
    pub fn write_file(&self, path: &Path, bytes: u64, distinct_ids: bool) -> std::io::Result<u32> {
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        let copies = bytes.div_ceil(self.copy_len() as u64).max(1) as u32;
        for k in 0..copies {
            self.write_copy(k, distinct_ids, &mut w)?;
        }
        w.flush()?;
        Ok(copies)
    }
}
