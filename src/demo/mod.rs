//! `lanetop --demo`: a simulator that writes real-format OpenClaw artifacts, live.
//!
//! [`start`] lays out, under `dir`:
//! - `dir/state/`: an OpenClaw ≤ 2026.5 legacy state dir — `openclaw.json` (JSON5: agents,
//!   fallback chains, per-model prices in USD per 1M tokens), `agents/<id>/sessions/
//!   sessions.json` (atomic temp + rename) and `<sessionId>.jsonl` transcripts with
//!   `usage.cost`, `cron/jobs.json`, `cron/jobs-state.json`, `cron/runs/<jobId>.jsonl`;
//! - `dir/logs/openclaw-YYYY-MM-DD.log`: a 2026.9.6-shape tslog JSONL file log (the envelope of
//!   `OBSERVED.md` §2), rotated to `.1.log` a few minutes after start (then only at an 8 MiB
//!   cap, see [`log_writer`]).
//!
//! This is the "2026.9.6-shape JSONL log plus a legacy sessions.json store" mix the console
//! must handle. The script ([`scenario`]) replays a healthy baseline and the mission's incidents
//! (fallback cascade of a cron job bound to `agent:main:main`, the chain replayed after a
//! restart, idle heartbeat drain, restart recovery flooding lane `main`), deterministic per
//! seed. About two simulated hours of backlog are written before [`start`] returns; a thread
//! then writes the rest as the compressed clock reaches it, until the [`DemoHandle`] is
//! stopped or dropped.

pub mod cron_runs;
pub mod json;
pub mod lifecycle;
pub mod log_writer;
pub mod messages;
pub mod record;
pub mod restart;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod store_writer;
pub mod turn;
pub mod turn_end;
pub mod world;

use std::collections::VecDeque;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use log_writer::LogWriter;
use record::{Clock, local_date};
use sim::{Ev, Op, Sim};
use store_writer::StoreWriter;

/// Marker file that makes a directory a demo directory (safe to wipe on the next start).
pub const MARKER: &str = ".lanetop-demo";

/// Options of the simulator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoOptions {
    /// Simulated seconds per real second (1.0 = real time; 60.0 = an hour per minute).
    pub speed: f64,
    /// Seed of the deterministic scenario.
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            speed: 1.0,
            seed: 0x0C1A_5EED,
        }
    }
}

/// A running simulator. Dropping it (or [`DemoHandle::stop`]) stops the writer thread and waits
/// for it; no file is written after that.
#[derive(Debug)]
pub struct DemoHandle {
    dir: PathBuf,
    stop_tx: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    error: Arc<Mutex<Option<String>>>,
}

impl DemoHandle {
    /// The simulated OpenClaw state dir (`<dir>/state`, what `--state-dir` would point at).
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// The directory of the rolling file log (`<dir>/logs`).
    pub fn log_dir(&self) -> PathBuf {
        self.dir.join("logs")
    }

    /// Whether the writer thread is still running.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// The I/O error that stopped the writer thread, if any.
    pub fn last_error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }

    /// Stop the writer thread and wait for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop_tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for DemoHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Start the simulator writing into `dir` (created if missing).
///
/// `dir` must be empty, missing, or a previous demo directory (it holds [`MARKER`]; its
/// `state/` and `logs/` are then wiped). The backlog (~2 simulated hours) is written before
/// this returns.
pub fn start(dir: &Path, opts: DemoOptions) -> io::Result<DemoHandle> {
    prepare_dir(dir)?;
    let dir = fs::canonicalize(dir)?;
    let state = dir.join("state");
    let logs = dir.join("logs");
    let speed = if opts.speed.is_finite() && opts.speed > 0.0 {
        opts.speed
    } else {
        1.0
    };
    let clock = Clock {
        anchor_ms: chrono::Utc::now().timestamp_millis(),
        speed,
    };
    let mut runner = Runner::new(&state, &logs, clock, opts.seed)?;
    runner.write_static()?;
    runner.run_until(0)?;
    runner.log.arm_rotation();
    runner.log.flush()?;
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let error = Arc::new(Mutex::new(None));
    let err_slot = Arc::clone(&error);
    let thread = std::thread::Builder::new()
        .name("lanetop-demo".into())
        .spawn(move || {
            let t0 = Instant::now();
            loop {
                let sim_now = (t0.elapsed().as_secs_f64() * speed * 1000.0) as i64;
                if let Err(e) = runner.run_until(sim_now).and_then(|_| runner.log.flush()) {
                    if let Ok(mut slot) = err_slot.lock() {
                        *slot = Some(e.to_string());
                    }
                    return;
                }
                let next = runner.next_at().unwrap_or(sim_now + 1000);
                let real_ms = ((next - sim_now) as f64 / speed).clamp(5.0, 250.0);
                match stop_rx.recv_timeout(Duration::from_millis(real_ms as u64)) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
            }
        })?;
    Ok(DemoHandle {
        dir,
        stop_tx: Some(stop_tx),
        thread: Some(thread),
        error,
    })
}

fn prepare_dir(dir: &Path) -> io::Result<()> {
    if dir.exists() {
        let marked = dir.join(MARKER).exists();
        let empty = fs::read_dir(dir)?.next().is_none();
        if !marked && !empty {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} is not empty and not a lanetop demo directory",
                    dir.display()
                ),
            ));
        }
        for sub in ["state", "logs"] {
            let p = dir.join(sub);
            if p.exists() {
                fs::remove_dir_all(&p)?;
            }
        }
    }
    fs::create_dir_all(dir)?;
    fs::write(
        dir.join(MARKER),
        "lanetop --demo writes here; safe to delete\n",
    )
}

/// The scenario generator plus the writers.
struct Runner {
    sim: Sim,
    pending: VecDeque<Ev>,
    next_cycle: u64,
    log: LogWriter,
    store: StoreWriter,
    logs_dir: PathBuf,
}

impl Runner {
    fn new(state: &Path, logs: &Path, clock: Clock, seed: u64) -> io::Result<Self> {
        Ok(Runner {
            sim: Sim::new(seed, clock, state.to_path_buf()),
            pending: VecDeque::new(),
            next_cycle: 0,
            log: LogWriter::new(logs)?,
            store: StoreWriter::new(state, seed)?,
            logs_dir: logs.to_path_buf(),
        })
    }

    /// `openclaw.json`, `cron/jobs.json`, empty session stores.
    fn write_static(&mut self) -> io::Result<()> {
        let state = self.sim.state_dir.clone();
        let start_wall = self.sim.wall(scenario::cycle_start(0));
        let log_file = self.logs_dir.join(format!(
            "openclaw-{}.log",
            local_date(self.sim.clock.anchor_ms)
        ));
        fs::write(
            state.join("openclaw.json"),
            world::config_json5(&state, &log_file),
        )?;
        let jobs = world::jobs_json(&self.sim.jobs, start_wall);
        self.store.write_atomic(
            &state.join("cron").join("jobs.json"),
            ".openclaw-cron",
            &jobs,
        )?;
        for a in world::AGENTS {
            self.store.init_agent(a.id)?;
        }
        self.store.flush()
    }

    fn next_at(&self) -> Option<i64> {
        self.pending.front().map(|e| e.at)
    }

    /// Apply every event up to simulated `until`, generating cycles as needed.
    fn run_until(&mut self, until: i64) -> io::Result<()> {
        while scenario::cycle_start(self.next_cycle) <= until + 60_000 {
            let evs = scenario::cycle(&mut self.sim, self.next_cycle);
            self.next_cycle += 1;
            let mut all: Vec<Ev> = self.pending.drain(..).chain(evs).collect();
            all.sort_by_key(|e| (e.at, e.seq));
            self.pending = all.into();
        }
        while self.pending.front().is_some_and(|e| e.at <= until) {
            let Some(ev) = self.pending.pop_front() else {
                break;
            };
            self.apply(ev)?;
        }
        self.store.flush()
    }

    fn apply(&mut self, ev: Ev) -> io::Result<()> {
        let wall = self.sim.wall(ev.at);
        match ev.op {
            Op::Log(rec) => self.log.append(wall, &rec.render(wall, &self.sim.hostname)),
            Op::Transcript {
                agent,
                session_id,
                line,
            } => self.store.transcript(agent, &session_id, &line),
            Op::Session { agent, key, patch } => {
                self.store.session(agent, &key, &patch);
                Ok(())
            }
            Op::CronRun { job_id, line } => self.store.cron_run(&job_id, &line),
            Op::CronState { job_id, patch } => {
                self.store.cron_state(&job_id, &patch);
                Ok(())
            }
        }
    }
}
