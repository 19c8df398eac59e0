//! Soak generator (issue 6 item 4): a real-shaped OpenClaw 2026.9.6 host under load.
//!
//! ```text
//! cargo run --release --example soak_gen -- --dir DIR [--rate 5000] [--secs 3600]
//!     [--sessions 10000] [--max-bytes 104857600] [--store-every 5] [--shared ../shared]
//! ```
//!
//! 1. **Store**: copies `captured/state` (the real 2026.9.6 state dir: per-agent
//!    `openclaw-agent.sqlite`, shared `state/openclaw.sqlite`, `openclaw.json`) to `DIR/state`,
//!    switches the agent DBs to WAL (as the gateway runs them) and adds cron-run sessions until
//!    the agents hold `--sessions` sessions in total: each is a clone of the agent's captured
//!    `agent:<id>:cron:<job>` row (`session_nodes` + its current `session_windows` row, every
//!    column kept) under the real key shape `agent:<id>:cron:<job>:run:<uuid>` with a fresh
//!    session id, its times moved back by `i` minutes.
//! 2. **Log**: appends the lines of the real captured log `captured/logs/openclaw.log` (fallback
//!    decisions, lane enqueue/dequeue, embedded runs, usage, cron, heartbeats, boots …) in a loop
//!    to `DIR/logs/openclaw-YYYY-MM-DD.log` at `--rate` lines per second (one `write` per line, as
//!    the gateway's `appendFileSync`), for `--secs` seconds. Every timestamp of a line (`time`,
//!    `_meta.date`, any in the message) is moved so the line's first one is *now* (the others keep
//!    their offset); in loop `k` every UUID gets its last 8 hex digits replaced by `k` (new runs
//!    and sessions each loop). The file is size-rotated like OpenClaw (FORMATS.md §1.1): when the
//!    next line would pass `--max-bytes`, `.4.log` → `.5.log` … the active file → `.1.log`.
//! 3. Every `--store-every` seconds one cloned session's `updated_at` is bumped (the gateway
//!    writes the store after each run), so readers re-read a 10,000-session store.
//!
//! Progress goes to `DIR/gen.stats`, rewritten every second as one line
//! `lines=<n> bytes=<n> unix_ms=<n> rotations=<n>` (lines and bytes written in total), the
//! figure the soak script compares with lanetop's own count. Exit 0 at the end, 1 on an error.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

#[path = "../benches/support/store.rs"]
mod store;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Opts {
    dir: PathBuf,
    shared: PathBuf,
    rate: f64,
    secs: f64,
    sessions: usize,
    max_bytes: u64,
    store_every: f64,
}

fn opts() -> Res<Opts> {
    let mut o = Opts {
        dir: PathBuf::new(),
        shared: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        rate: 5000.0,
        secs: 3600.0,
        sessions: 10_000,
        max_bytes: 104_857_600,
        store_every: 5.0,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().ok_or("missing value")?;
        match args[i].as_str() {
            "--dir" => o.dir = PathBuf::from(v),
            "--shared" => o.shared = PathBuf::from(v),
            "--rate" => o.rate = v.parse()?,
            "--secs" => o.secs = v.parse()?,
            "--sessions" => o.sessions = v.parse()?,
            "--max-bytes" => o.max_bytes = v.parse()?,
            "--store-every" => o.store_every = v.parse()?,
            a => return Err(format!("unknown option {a}").into()),
        }
        i += 2;
    }
    if o.dir.as_os_str().is_empty() {
        return Err("--dir is required".into());
    }
    Ok(o)
}

/// One piece of a template line.
enum Seg {
    Lit(usize, usize),
    /// The original time (ms) minus the line's last one (its `time` field); `true` for `Z`.
    Time(i64, bool),
    /// The last 8 hex digits of a UUID (the first 28 are in the literal before): per loop.
    Uuid,
}

struct Line {
    segs: Vec<Seg>,
}

fn is_hex(b: &[u8]) -> bool {
    b.iter()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

fn uuid_at(b: &[u8]) -> bool {
    b.len() >= 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && [(0, 8), (9, 13), (14, 18), (19, 23), (24, 36)]
            .iter()
            .all(|&(s, e)| is_hex(&b[s..e]))
}

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

/// Cut every line of `base` (offsets into `base`, each line with its `\n`).
fn templates(base: &[u8]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', base) {
        let (mut segs, mut lit, mut i, mut last) = (Vec::new(), start, start, 0);
        while i <= end {
            let c = base[i];
            let boundary = i == start || !base[i - 1].is_ascii_alphanumeric();
            if boundary
                && c.is_ascii_digit()
                && let Some((t, z, len)) = time_at(&base[i..=end])
            {
                last = t.timestamp_millis();
                segs.push(Seg::Lit(lit, i));
                segs.push(Seg::Time(last, z));
                i += len;
                lit = i;
                continue;
            }
            if boundary && is_hex(&[c]) && uuid_at(&base[i..=end]) {
                segs.push(Seg::Lit(lit, i + 28));
                segs.push(Seg::Uuid);
                i += 36;
                lit = i;
                continue;
            }
            i += 1;
        }
        segs.push(Seg::Lit(lit, end + 1));
        for s in &mut segs {
            if let Seg::Time(ms, _) = s {
                *ms -= last;
            }
        }
        lines.push(Line { segs });
        start = end + 1;
    }
    lines
}

fn render(base: &[u8], l: &Line, now: DateTime<Utc>, k: u64, out: &mut Vec<u8>) {
    out.clear();
    for s in &l.segs {
        match s {
            Seg::Lit(a, b) => out.extend_from_slice(&base[*a..*b]),
            Seg::Time(ms, z) => {
                let t = now + chrono::Duration::milliseconds(*ms);
                out.extend_from_slice(t.to_rfc3339_opts(SecondsFormat::Millis, *z).as_bytes());
            }
            Seg::Uuid => {
                let _ = write!(out, "{:08x}", k & 0xffff_ffff);
            }
        }
    }
}

/// The active log file and its size rotation.
struct Sink {
    dir: PathBuf,
    stem: String,
    file: fs::File,
    size: u64,
    max: u64,
    rotations: u64,
}

impl Sink {
    fn path(&self, n: u32) -> PathBuf {
        match n {
            0 => self.dir.join(format!("{}.log", self.stem)),
            n => self.dir.join(format!("{}.{n}.log", self.stem)),
        }
    }
    fn open(dir: &Path, max: u64) -> Res<Sink> {
        fs::create_dir_all(dir)?;
        let stem = format!("openclaw-{}", Utc::now().format("%Y-%m-%d"));
        let path = dir.join(format!("{stem}.log"));
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        let size = file.metadata()?.len();
        Ok(Sink {
            dir: dir.to_path_buf(),
            stem,
            file,
            size,
            max,
            rotations: 0,
        })
    }
    fn write(&mut self, line: &[u8]) -> Res<()> {
        if self.size > 0 && self.size + line.len() as u64 > self.max {
            let _ = fs::remove_file(self.path(5));
            for n in (1..5).rev() {
                let _ = fs::rename(self.path(n), self.path(n + 1));
            }
            fs::rename(self.path(0), self.path(1))?;
            self.file = fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.path(0))?;
            self.size = 0;
            self.rotations += 1;
        }
        self.file.write_all(line)?;
        self.size += line.len() as u64;
        Ok(())
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("soak_gen: {e}");
        std::process::exit(1);
    }
}

fn run() -> Res<()> {
    let o = opts()?;
    let store = store::build(
        &o.shared.join("openclaw/captured/state"),
        &o.dir.join("state"),
        o.sessions,
    )?;
    let base = fs::read(o.shared.join("openclaw/captured/logs/openclaw.log"))?;
    let lines = templates(&base);
    if lines.is_empty() {
        return Err("empty template log".into());
    }
    let mut sink = Sink::open(&o.dir.join("logs"), o.max_bytes)?;
    let conns: Vec<_> = store
        .iter()
        .map(|(db, keys)| rusqlite::Connection::open(db).map(|c| (c, keys)))
        .collect::<Result<_, _>>()?;
    let stats = o.dir.join("gen.stats");
    println!(
        "log: {} at {} lines/s for {} s ({} template lines)",
        sink.path(0).display(),
        o.rate,
        o.secs,
        lines.len()
    );
    let (t0, mut buf) = (Instant::now(), Vec::with_capacity(1 << 16));
    let (mut written, mut bytes, mut next_stats, mut next_store, mut bumps) =
        (0u64, 0u64, 0.0, o.store_every, 0u64);
    loop {
        let el = t0.elapsed().as_secs_f64();
        if el >= o.secs {
            break;
        }
        let due = (el * o.rate) as u64;
        let now = Utc::now();
        while written < due {
            let k = written / lines.len() as u64;
            render(
                &base,
                &lines[(written % lines.len() as u64) as usize],
                now,
                k + 1,
                &mut buf,
            );
            sink.write(&buf)?;
            bytes += buf.len() as u64;
            written += 1;
        }
        if el >= next_store && o.store_every > 0.0 {
            next_store += o.store_every;
            let (c, keys) = &conns[bumps as usize % conns.len()];
            if let Some(key) = keys.get((bumps as usize * 7919) % keys.len().max(1)) {
                c.execute(
                    "UPDATE session_nodes SET updated_at = ?1 WHERE session_key = ?2",
                    rusqlite::params![now.timestamp_millis(), key],
                )?;
            }
            bumps += 1;
        }
        if el >= next_stats {
            next_stats += 1.0;
            write_stats(&stats, written, bytes, sink.rotations)?;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    write_stats(&stats, written, bytes, sink.rotations)?;
    println!(
        "done: {written} lines, {bytes} bytes in {:.1} s, {} rotations, {bumps} store writes",
        t0.elapsed().as_secs_f64(),
        sink.rotations
    );
    Ok(())
}

fn write_stats(path: &Path, lines: u64, bytes: u64, rotations: u64) -> Res<()> {
    let tmp = path.with_extension("tmp");
    fs::write(
        &tmp,
        format!(
            "lines={lines} bytes={bytes} unix_ms={} rotations={rotations}\n",
            Utc::now().timestamp_millis()
        ),
    )?;
    fs::rename(tmp, path)?;
    Ok(())
}
