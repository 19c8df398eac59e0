//! Ingest benchmark (`cargo bench --bench ingest`, harness = false).
//!
//! Inflates the real 2026.9.6 gateway log `captured/logs/openclaw.log` (2.0 MB, 2698 lines) to
//! ~100 MB (`LANETOP_BENCH_MB`) in a temp file by repeating it, reads it back, and times the
//! log parser over it in 8 MiB backlog chunks (each chunk's facts are dropped before the next,
//! as if handed to `update`): once on one thread ([`LineParser::parse_chunk`]) and once with the
//! parallel batch API on 2 threads ([`LineParser::parse_chunk_parallel`]). Prints
//! `ingest: N MB in X s = Y MB/s` per mode and the peak RSS (`VmHWM`, which includes the
//! 100 MB input buffer). Later stages of the pipeline can be added to `run`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use lanetop::fact::{FactKind, LogEvent};
use lanetop::ingest::log::LineParser;

const CHUNK: usize = 8 << 20;

fn shared() -> PathBuf {
    std::env::var_os("LANETOP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// User + system CPU seconds of the whole process so far.
fn cpu_secs() -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn vm_hwm_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Split `bytes` into chunks of about `CHUNK` bytes ending on a newline.
fn chunks(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + CHUNK).min(bytes.len());
        if end < bytes.len() {
            end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |p| end + p + 1);
        }
        out.push(&bytes[start..end]);
        start = end;
    }
    out
}

/// Parse everything; returns (facts, fallback decisions, corrupt lines, wall seconds, CPU seconds).
fn run(bytes: &[u8], threads: usize) -> (u64, u64, u64, f64, f64) {
    let path: Arc<str> = Arc::from("bench/openclaw.log");
    let mut parser = LineParser::new();
    let mut out = Vec::with_capacity(CHUNK / 400);
    let (mut facts, mut decisions, mut corrupt) = (0u64, 0u64, 0u64);
    let mut line = 1;
    let (t0, c0) = (Instant::now(), cpu_secs());
    for chunk in chunks(bytes) {
        line += if threads > 1 {
            parser.parse_chunk_parallel(chunk, &path, line, threads, &mut out)
        } else {
            parser.parse_chunk(chunk, &path, line, &mut out)
        };
        facts += out.len() as u64;
        for f in &out {
            match &f.kind {
                FactKind::Log(l) if matches!(l.event, Some(LogEvent::FallbackDecision(_))) => {
                    decisions += 1
                }
                FactKind::CorruptLine { .. } => corrupt += 1,
                _ => {}
            }
        }
        out.clear();
    }
    (
        facts,
        decisions,
        corrupt,
        t0.elapsed().as_secs_f64(),
        cpu_secs() - c0,
    )
}

fn main() {
    let src = shared().join("openclaw/captured/logs/openclaw.log");
    let base = match std::fs::read(&src) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ingest bench: cannot read {}: {e}", src.display());
            return;
        }
    };
    let target_mb: usize = std::env::var("LANETOP_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let copies = (target_mb * 1_000_000).div_ceil(base.len()).max(1);
    let mut tmp = tempfile::NamedTempFile::new().expect("temp file");
    for _ in 0..copies {
        tmp.write_all(&base).expect("write temp file");
    }
    tmp.flush().expect("flush");
    let t0 = Instant::now();
    let bytes = std::fs::read(tmp.path()).expect("read temp file");
    let read_s = t0.elapsed().as_secs_f64();
    let mb = bytes.len() as f64 / 1e6;
    println!(
        "input: {} copies of {} = {:.1} MB ({} lines), read in {:.3} s",
        copies,
        src.display(),
        mb,
        copies * 2698,
        read_s
    );
    for threads in [1, 2] {
        // One warm-up pass on a slice, then the timed pass over everything.
        run(&bytes[..bytes.len().min(CHUNK)], threads);
        let (facts, decisions, corrupt, secs, cpu) = run(&bytes, threads);
        assert_eq!(
            decisions,
            18 * copies as u64,
            "every copy has 18 fallback decisions"
        );
        assert_eq!(corrupt, 0);
        println!(
            "ingest ({threads} thread{}): {mb:.1} MB in {secs:.3} s = {:.0} MB/s ({facts} facts, {:.0} k lines/s, CPU {cpu:.3} s = {:.0} MB per CPU-s)",
            if threads == 1 { "" } else { "s" },
            mb / secs,
            facts as f64 / secs / 1e3,
            mb / cpu.max(1e-9)
        );
    }
    // SAFETY: plain libc query.
    let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    let mut load = String::new();
    if let Ok(l) = std::fs::read_to_string("/proc/loadavg") {
        load = l.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    }
    println!("host: {online} CPUs online, load average {load}");
    match vm_hwm_kb() {
        Some(kb) => println!(
            "peak RSS (VmHWM): {:.1} MB (includes the {mb:.0} MB input buffer)",
            kb as f64 / 1024.0
        ),
        None => println!("peak RSS: unavailable"),
    }
}
