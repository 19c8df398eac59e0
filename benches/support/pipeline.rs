//! The pipeline stages the ingest bench times, each run in a fresh child process.

use std::path::Path;
use std::time::Instant;

use lanetop::domain::Model;
use lanetop::ingest::discover::{Discovery, LogTarget};
use lanetop::ingest::tail::{TailEvent, TailOptions, Tailer};

/// User + system CPU seconds of the whole process so far.
pub fn cpu_secs() -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Peak resident set size (`VmHWM`), in kB.
pub fn vm_hwm_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What one stage saw.
pub struct Outcome {
    pub lines: u64,
    pub secs: f64,
    pub cpu: f64,
    /// A check value: `read` → bytes, `parse` → facts, `full` → fallback decisions in the model.
    pub check: u64,
    pub extra: String,
}

/// Run `stage` (`read`, `parse` or `full`) over `file`.
pub fn run_stage(stage: &str, file: &Path) -> Outcome {
    let discovery = Discovery {
        logs: vec![LogTarget::File(file.to_path_buf())],
        ..Default::default()
    };
    let (t0, c0) = (Instant::now(), cpu_secs());
    let (lines, check, extra) = match stage {
        "read" => {
            let mut t = Tailer::new(LogTarget::File(file.to_path_buf()), TailOptions::default());
            let (mut lines, mut bytes) = (0u64, 0u64);
            t.poll(&mut |ev| {
                if let TailEvent::Line { bytes: b, .. } = ev {
                    lines += 1;
                    bytes += b.len() as u64 + 1;
                }
            });
            (lines, bytes, String::new())
        }
        "parse" => {
            let (mut lines, mut facts) = (0u64, 0u64);
            lanetop::ingest::collect_once(&discovery, &mut |b| {
                facts += b.len() as u64;
                lines += b
                    .iter()
                    .filter(|f| matches!(f.kind, lanetop::fact::FactKind::Log(_)))
                    .count() as u64;
            });
            (lines, facts, String::new())
        }
        _ => {
            // As `lanetop report` folds a backlog.
            let mut model = Model::default();
            let mut fold = lanetop::update::BacklogFold::default();
            lanetop::ingest::collect_once(&discovery, &mut |b| fold.fold(&mut model, b));
            fold.finish(&mut model);
            let decisions = model.cascades.counters.decisions;
            let extra = format!(
                "model: {} sessions, {} log lines kept, corrupt {}",
                model.sessions.by_key.len(),
                model.logs.len(),
                model.corrupt.count
            );
            (model.logs.total, decisions, extra)
        }
    };
    Outcome {
        lines,
        secs: t0.elapsed().as_secs_f64(),
        cpu: cpu_secs() - c0,
        check,
        extra,
    }
}
