//! The legacy (≤ 2026.5) state files of the simulated gateway, written like 5.20 writes them
//! (`OBSERVED-LEGACY.md` §1, §2, §5):
//! - `agents/<id>/sessions/sessions.json`: `JSON.stringify(store, null, 2)`, replaced
//!   atomically through `.fs-safe-replace.<pid>.<uuid>.tmp` + rename (never in place);
//! - `agents/<id>/sessions/<sessionId>.jsonl`: transcripts, appended;
//! - `cron/jobs.json` (once), `cron/jobs-state.json` (atomic via
//!   `.openclaw-cron.<pid>.<uuid>.tmp`), `cron/runs/<jobId>.jsonl` (appended).

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::json::J;
use super::rng::Rng;

/// Applies store operations and flushes the JSON stores when they changed.
#[derive(Debug)]
pub struct StoreWriter {
    root: PathBuf,
    /// Per agent: `sessions.json` entries in insertion order.
    sessions: BTreeMap<String, J>,
    dirty_sessions: Vec<String>,
    jobs_state: J,
    dirty_jobs: bool,
    rng: Rng,
    pid: u32,
}

impl StoreWriter {
    /// A writer rooted at the state dir `root` (created if missing).
    pub fn new(root: &Path, seed: u64) -> io::Result<Self> {
        fs::create_dir_all(root.join("cron").join("runs"))?;
        Ok(StoreWriter {
            root: root.to_path_buf(),
            sessions: BTreeMap::new(),
            dirty_sessions: Vec::new(),
            jobs_state: J::obj().with("version", J::n(1)).with("jobs", J::obj()),
            dirty_jobs: false,
            rng: Rng::new(seed, 0x5354_4f52),
            pid: std::process::id(),
        })
    }

    fn sessions_dir(&self, agent: &str) -> PathBuf {
        self.root.join("agents").join(agent).join("sessions")
    }

    /// Create `agents/<id>/sessions/` with an empty `sessions.json` (`{}`).
    pub fn init_agent(&mut self, agent: &str) -> io::Result<()> {
        fs::create_dir_all(self.sessions_dir(agent))?;
        self.sessions.entry(agent.to_owned()).or_insert_with(J::obj);
        self.mark_sessions(agent);
        Ok(())
    }

    fn mark_sessions(&mut self, agent: &str) {
        if !self.dirty_sessions.iter().any(|a| a == agent) {
            self.dirty_sessions.push(agent.to_owned());
        }
    }

    /// Write a whole file atomically (temp file in the same dir, then rename).
    pub fn write_atomic(&mut self, path: &Path, tmp_prefix: &str, text: &str) -> io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let tmp = dir.join(format!("{tmp_prefix}.{}.{}.tmp", self.pid, self.rng.uuid()));
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_data()?;
        }
        fs::rename(&tmp, path)
    }

    /// Append a JSONL transcript line.
    pub fn transcript(&mut self, agent: &str, session_id: &str, line: &J) -> io::Result<()> {
        let dir = self.sessions_dir(agent);
        fs::create_dir_all(&dir)?;
        append_line(&dir.join(format!("{session_id}.jsonl")), &line.compact())
    }

    /// Merge a patch into a `sessions.json` entry (inserting it at the end when new).
    pub fn session(&mut self, agent: &str, key: &str, patch: &J) {
        let store = self.sessions.entry(agent.to_owned()).or_insert_with(J::obj);
        match store.get(key) {
            Some(_) => {
                if let J::Obj(fields) = store
                    && let Some((_, entry)) = fields.iter_mut().find(|(k, _)| k == key)
                {
                    entry.merge(patch);
                }
            }
            None => {
                let mut entry = J::obj();
                entry.merge(patch);
                store.set(key, entry);
            }
        }
        self.mark_sessions(agent);
    }

    /// Append a `cron/runs/<jobId>.jsonl` line.
    pub fn cron_run(&mut self, job_id: &str, line: &J) -> io::Result<()> {
        append_line(
            &self
                .root
                .join("cron")
                .join("runs")
                .join(format!("{job_id}.jsonl")),
            &line.compact(),
        )
    }

    /// Merge into `jobs-state.json` `jobs.<jobId>` (top-level keys replaced; a patch's `state`
    /// replaces the whole runtime state, as the gateway rewrites it after each run).
    pub fn cron_state(&mut self, job_id: &str, patch: &J) {
        if let J::Obj(top) = &mut self.jobs_state
            && let Some((_, jobs)) = top.iter_mut().find(|(k, _)| k == "jobs")
        {
            let mut entry = jobs.get(job_id).cloned().unwrap_or_else(J::obj);
            entry.merge(patch);
            jobs.set(job_id, entry);
        }
        self.dirty_jobs = true;
    }

    /// Rewrite every changed JSON store atomically.
    pub fn flush(&mut self) -> io::Result<()> {
        for agent in std::mem::take(&mut self.dirty_sessions) {
            let text = self
                .sessions
                .get(&agent)
                .map(J::pretty)
                .unwrap_or_else(|| "{}".to_owned());
            let path = self.sessions_dir(&agent).join("sessions.json");
            self.write_atomic(&path, ".fs-safe-replace", &text)?;
        }
        if self.dirty_jobs {
            self.dirty_jobs = false;
            let text = self.jobs_state.pretty();
            let path = self.root.join("cron").join("jobs-state.json");
            self.write_atomic(&path, ".openclaw-cron", &text)?;
        }
        Ok(())
    }
}

fn append_line(path: &Path, line: &str) -> io::Result<()> {
    let mut f = OpenOptions::new().create(true).append(true).open(path)?;
    let mut buf = String::with_capacity(line.len() + 1);
    buf.push_str(line);
    buf.push('\n');
    f.write_all(buf.as_bytes())
}
