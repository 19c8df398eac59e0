//! Ingest benchmark (`cargo bench --bench ingest`, harness = false). Prints figures; asserts
//! only that the input was understood (fallback decisions per copy, no corrupt lines).
//!
//! The real 2026.9.6 gateway log `captured/logs/openclaw.log` (2.0 MB, 2698 lines) is inflated
//! to ~100 MB (`LANETOP_BENCH_MB`) in a temp dir by `support/inflate.rs`: each copy's timestamps
//! are shifted forward, and (unless `LANETOP_BENCH_IDS=0`) its run/session UUIDs are rewritten so
//! the model sees distinct runs. Then:
//!
//! 1. **Full pipeline**, each stage in a fresh child process (so the peak RSS, `VmHWM`, is that
//!    of the pipeline alone; the file is streamed from disk, never loaded):
//!    - `read`: the rotation-aware [`Tailer`] alone (lines counted);
//!    - `parse`: [`lanetop::ingest::collect_once`] over a discovery whose only source is the big
//!      file (tail + parse + batching), batches dropped;
//!    - `full`: the same, every batch folded by [`lanetop::update::update`] into a [`Model`].
//! 2. **Parser alone** on the file held in memory, in 8 MiB chunks, 1 and 2 threads
//!    ([`LineParser::parse_chunk`], [`LineParser::parse_chunk_parallel`]).
//! 3. With `LANETOP_BENCH_GB=N`: an N GB file, `full` stage in a fresh process (peak RSS target
//!    ≤ 60 MB).
//!
//! `LANETOP_BENCH_DIR=<dir>` keeps the inflated file as `<dir>/openclaw.log` (the GB file, when
//! asked for, as `<dir>/openclaw-gb.log`) for other tools; otherwise a temp dir is used.
//!
//! Each stage runs `LANETOP_BENCH_RUNS` times (default 3; other work on the machine skews wall
//! times). Result line: `pipeline <stage>: N MB in X s = Y MB/s, Z k lines/s, CPU C s (M MB per
//! CPU-s), peak RSS R MB (check …)`.

#[path = "support/inflate.rs"]
mod inflate;
#[path = "support/pipeline.rs"]
mod pipeline;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use lanetop::fact::{FactKind, LogEvent};
use lanetop::ingest::log::LineParser;
use pipeline::{cpu_secs, vm_hwm_kb};

/// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOC: lanetop::Allocator = lanetop::Allocator {};

const CHUNK: usize = 8 << 20;
/// Fallback decisions in one copy of the captured log.
const DECISIONS_PER_COPY: u64 = 18;
/// Child mode: `<stage>:<file>`.
const CHILD_ENV: &str = "LANETOP_BENCH_CHILD";

fn shared() -> PathBuf {
    std::env::var_os("LANETOP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn env_num(name: &str) -> Option<f64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
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
                FactKind::Log(l)
                    if matches!(l.event.as_deref(), Some(LogEvent::FallbackDecision(_))) =>
                {
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

/// Child process: run one stage, print one result line.
fn child(spec: &str) {
    let Some((stage, file)) = spec.split_once(':') else {
        eprintln!("bad {CHILD_ENV}: {spec}");
        std::process::exit(2);
    };
    let file = Path::new(file);
    let mb = std::fs::metadata(file).map_or(0.0, |m| m.len() as f64 / 1e6);
    let o = pipeline::run_stage(stage, file);
    let rss = vm_hwm_kb().map_or(-1.0, |k| k as f64 / 1024.0);
    println!(
        "pipeline {stage:<5}: {mb:.1} MB in {:.3} s = {:.0} MB/s, {:.0} k lines/s, CPU {:.3} s ({:.0} MB per CPU-s), peak RSS {rss:.1} MB (check {}) {}",
        o.secs,
        mb / o.secs,
        o.lines as f64 / o.secs / 1e3,
        o.cpu,
        mb / o.cpu.max(1e-9),
        o.check,
        o.extra
    );
}

/// Run a stage in a fresh process; returns its result line.
fn spawn_stage(stage: &str, file: &Path) -> String {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return format!("pipeline {stage}: cannot find own executable: {e}"),
    };
    let out = Command::new(exe)
        .env(CHILD_ENV, format!("{stage}:{}", file.display()))
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        Ok(o) => format!(
            "pipeline {stage}: child failed ({}): {}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => format!("pipeline {stage}: cannot spawn: {e}"),
    }
}

fn parser_only(file: &Path, copies: u32) {
    let bytes = std::fs::read(file).expect("read temp file");
    let mb = bytes.len() as f64 / 1e6;
    for threads in [1, 2] {
        // One warm-up pass on a slice, then the timed pass over everything.
        run(&bytes[..bytes.len().min(CHUNK)], threads);
        let (facts, decisions, corrupt, secs, cpu) = run(&bytes, threads);
        assert_eq!(decisions, DECISIONS_PER_COPY * copies as u64);
        assert_eq!(corrupt, 0);
        println!(
            "parser only ({threads} thread{}): {mb:.1} MB in {secs:.3} s = {:.0} MB/s ({facts} facts, {:.0} k lines/s, CPU {cpu:.3} s = {:.0} MB per CPU-s)",
            if threads == 1 { "" } else { "s" },
            mb / secs,
            facts as f64 / secs / 1e3,
            mb / cpu.max(1e-9)
        );
    }
    match vm_hwm_kb() {
        Some(kb) => println!(
            "parser only: peak RSS (VmHWM) {:.1} MB (includes the {mb:.0} MB input buffer)",
            kb as f64 / 1024.0
        ),
        None => println!("parser only: peak RSS unavailable"),
    }
}

fn main() {
    lanetop::tune_allocator();
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        return child(&spec);
    }
    let src = shared().join("openclaw/captured/logs/openclaw.log");
    let base = match std::fs::read(&src) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ingest bench: cannot read {}: {e}", src.display());
            return;
        }
    };
    let distinct = std::env::var("LANETOP_BENCH_IDS").map_or(true, |v| v != "0");
    let template = inflate::Template::new(base);
    // `LANETOP_BENCH_DIR`: write (and keep) the inflated log there, e.g. for other tools.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = std::env::var_os("LANETOP_BENCH_DIR").map_or(tmp.path().to_path_buf(), PathBuf::from);
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("openclaw.log");
    let mb = env_num("LANETOP_BENCH_MB").unwrap_or(100.0);
    let t0 = Instant::now();
    let copies = template
        .write_file(&file, (mb * 1e6) as u64, distinct)
        .expect("write inflated log");
    println!(
        "input: {copies} copies of {} ({} lines each; timestamps shifted, {} ids) = {:.1} MB, written in {:.2} s",
        src.display(),
        template.lines,
        if distinct { "distinct" } else { "repeated" },
        copies as f64 * template.copy_len() as f64 / 1e6,
        t0.elapsed().as_secs_f64()
    );
    // SAFETY: plain libc query.
    let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    println!("host: {online} CPUs online, load average {load}");
    // Other work on the machine skews wall times: each stage runs `LANETOP_BENCH_RUNS` times
    // (default 3); compare the best, and the CPU seconds.
    let runs = env_num("LANETOP_BENCH_RUNS").map_or(3, |r| r.max(1.0) as usize);
    for stage in ["read", "parse", "full"] {
        for _ in 0..runs {
            println!("{}", spawn_stage(stage, &file));
        }
    }
    parser_only(&file, copies);
    if let Some(gb) = env_num("LANETOP_BENCH_GB").filter(|g| *g > 0.0) {
        let file = dir.join("openclaw-gb.log");
        let copies = template
            .write_file(&file, (gb * 1e9) as u64, distinct)
            .expect("write inflated log");
        println!(
            "input: {copies} copies = {:.1} MB",
            copies as f64 * template.copy_len() as f64 / 1e6
        );
        println!("{}", spawn_stage("full", &file));
        if std::env::var_os("LANETOP_BENCH_DIR").is_none() {
            let _ = std::fs::remove_file(&file);
        }
    }
}
