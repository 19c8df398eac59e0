//! [`LegacyCronReader`]: `cron/` of a ≤ 2026.5 gateway (FORMATS-LEGACY.md §4.1,
//! OBSERVED-LEGACY.md §5).
//!
//! - `jobs.json` (`{version:1, jobs:[CronJob]}`) with its runtime state inline (3.x) or in
//!   `jobs-state.json` (`{version:1, jobs:{<id>:{state}}}`, 5.20) → [`FactKind::CronJobsSnapshot`],
//!   re-read when either file's inode/size/mtime changes and sent when the rows differ. An
//!   invalid file keeps the previous snapshot and yields one [`StoreError::Format`] per version.
//! - `runs/<jobId>.jsonl` lines with `action:"finished"` → one [`FactKind::CronRun`] each,
//!   tailed by byte offset. `run_id` is `<jobId>:<runAtMs>` (else `<jobId>:<ts>`),
//!   `started_at_ms` = `runAtMs`, `finished_at_ms` = `ts`, model = `provider`/`model` (the model
//!   that answered), `total_tokens` = `usage.total_tokens` (snake_case). A rewritten
//!   (pruned) run log is read again and runs already sent are skipped.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;

use crate::fact::{CronJobRow, CronRunRow, Fact, FactKind, Origin, SourceKind};
use crate::ingest::legacy::files::{JsonlTail, Stamp};
use crate::ingest::sqlite::cron_job::job_row;
use crate::ingest::sqlite::entry::model_pair;
use crate::ingest::sqlite::util::{excerpt, i64_at, ms_to_utc, str_at, u64_at};
use crate::ingest::store::{StoreError, StoreReader};

/// Reads a legacy `cron/` directory incrementally.
pub struct LegacyCronReader {
    jobs_path: PathBuf,
    state_path: PathBuf,
    runs_dir: PathBuf,
    jobs_name: Arc<str>,
    seen: Option<(Stamp, Option<Stamp>)>,
    last_jobs: Option<Vec<CronJobRow>>,
    agent_by_job: HashMap<String, String>,
    runs: HashMap<PathBuf, RunLog>,
    carry: Vec<Fact>,
}

struct RunLog {
    tail: JsonlTail,
    name: Arc<str>,
    job_id: String,
    sent: HashSet<String>,
}

impl LegacyCronReader {
    /// A reader for `cron_dir` (`~/.openclaw/cron`). Files may appear later.
    pub fn open(cron_dir: &Path) -> Result<Self, StoreError> {
        if cron_dir.exists() && !cron_dir.is_dir() {
            return Err(StoreError::Io {
                path: cron_dir.display().to_string(),
                message: "not a directory".into(),
            });
        }
        let jobs_path = cron_dir.join("jobs.json");
        Ok(Self {
            jobs_name: Arc::from(jobs_path.display().to_string()),
            jobs_path,
            state_path: cron_dir.join("jobs-state.json"),
            runs_dir: cron_dir.join("runs"),
            seen: None,
            last_jobs: None,
            agent_by_job: HashMap::new(),
            runs: HashMap::new(),
            carry: Vec::new(),
        })
    }

    fn read_jobs(&mut self, out: &mut Vec<Fact>) -> Result<(), StoreError> {
        let io = |p: &Path, e: std::io::Error| StoreError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        let Some(jobs_stamp) = Stamp::of(&self.jobs_path).map_err(|e| io(&self.jobs_path, e))?
        else {
            return Ok(());
        };
        let state_stamp = Stamp::of(&self.state_path).map_err(|e| io(&self.state_path, e))?;
        if self.seen == Some((jobs_stamp, state_stamp)) {
            return Ok(());
        }
        self.seen = Some((jobs_stamp, state_stamp));
        let jobs = read_json(&self.jobs_path)?;
        let state = if state_stamp.is_some() {
            Some(read_json(&self.state_path)?)
        } else {
            None
        };
        let list = match jobs.get("jobs").or(Some(&jobs)).and_then(Value::as_array) {
            Some(l) => l,
            None => {
                return Err(StoreError::Format {
                    path: self.jobs_name.to_string(),
                    message: "no `jobs` array; keeping the previous cron jobs".into(),
                });
            }
        };
        let state_of = |id: &str| state.as_ref()?.get("jobs")?.get(id)?.get("state");
        let rows: Vec<CronJobRow> = list
            .iter()
            .filter_map(|j| job_row(j, str_at(j, "id").as_deref().and_then(state_of)))
            .collect();
        self.agent_by_job = rows
            .iter()
            .filter_map(|r| Some((r.id.clone(), r.agent_id.clone()?)))
            .collect();
        if self.last_jobs.as_ref() != Some(&rows) {
            out.push(Fact {
                at: Utc::now(),
                origin: Origin::new(SourceKind::LegacyCron, self.jobs_name.clone()),
                kind: FactKind::CronJobsSnapshot { jobs: rows.clone() },
            });
            self.last_jobs = Some(rows);
        }
        Ok(())
    }

    fn read_runs(&mut self, out: &mut Vec<Fact>) -> Result<(), StoreError> {
        let io = |p: &Path, e: std::io::Error| StoreError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        let entries = match std::fs::read_dir(&self.runs_dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io(&self.runs_dir, e)),
        };
        let mut present: Vec<(PathBuf, String)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_owned();
                let job = name
                    .strip_suffix(".jsonl")
                    .filter(|s| !s.is_empty() && !name.starts_with('.'))?;
                Some((e.path(), job.to_owned()))
            })
            .collect();
        present.sort();
        let keep: HashSet<&PathBuf> = present.iter().map(|(p, _)| p).collect();
        self.runs.retain(|p, _| keep.contains(p));
        let mut first_err = None;
        for (path, job_id) in &present {
            let log = self.runs.entry(path.clone()).or_insert_with(|| RunLog {
                tail: JsonlTail::new(path.clone()),
                name: Arc::from(path.display().to_string()),
                job_id: job_id.clone(),
                sent: HashSet::new(),
            });
            let new = match log.tail.read_new() {
                Ok(Some(n)) => n,
                Ok(None) => continue,
                Err(e) => {
                    first_err.get_or_insert_with(|| io(path, e));
                    continue;
                }
            };
            for (line, bytes) in new.lines {
                let origin = Origin::line(SourceKind::LegacyCron, log.name.clone(), line);
                let v: Value = match serde_json::from_slice(&bytes) {
                    Ok(v) => v,
                    Err(e) => {
                        let excerpt = excerpt(
                            &String::from_utf8_lossy(&bytes[..bytes.len().min(400)]),
                            200,
                        );
                        out.push(Fact {
                            at: Utc::now(),
                            origin,
                            kind: FactKind::CorruptLine {
                                error: e.to_string(),
                                excerpt,
                            },
                        });
                        continue;
                    }
                };
                let Some(run) = run_row(&v, &log.job_id, &self.agent_by_job) else {
                    continue;
                };
                if !log.sent.insert(run.run_id.clone()) {
                    continue;
                }
                let at = run.finished_at_ms.unwrap_or(run.started_at_ms);
                out.push(Fact {
                    at: ms_to_utc(at).unwrap_or_else(Utc::now),
                    origin,
                    kind: FactKind::CronRun(Box::new(run)),
                });
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

impl StoreReader for LegacyCronReader {
    fn name(&self) -> String {
        "cron/jobs.json".to_owned()
    }

    fn watch_paths(&self) -> Vec<PathBuf> {
        vec![
            self.jobs_path.clone(),
            self.state_path.clone(),
            self.runs_dir.clone(),
        ]
    }

    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        let mut out = std::mem::take(&mut self.carry);
        let jobs = self.read_jobs(&mut out);
        let runs = self.read_runs(&mut out);
        match jobs.and(runs) {
            Ok(()) => Ok(out),
            Err(e) => {
                self.carry = out;
                Err(e)
            }
        }
    }
}

fn read_json(path: &Path) -> Result<Value, StoreError> {
    let bytes = std::fs::read(path).map_err(|e| StoreError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Format {
        path: path.display().to_string(),
        message: format!("invalid JSON ({e}); keeping the previous cron jobs"),
    })
}

/// One run-log line → a run; `None` unless `action` is `finished` (or absent) with a time.
fn run_row(v: &Value, file_job: &str, agents: &HashMap<String, String>) -> Option<CronRunRow> {
    if str_at(v, "action").is_some_and(|a| a != "finished") {
        return None;
    }
    let job_id = str_at(v, "jobId").unwrap_or_else(|| file_job.to_owned());
    let ts = i64_at(v, "ts");
    let run_at = i64_at(v, "runAtMs");
    let started = run_at.or(ts)?;
    let finished = ts.or_else(|| Some(started + i64_at(v, "durationMs")?));
    Some(CronRunRow {
        run_id: format!("{job_id}:{started}"),
        agent_id: agents.get(&job_id).cloned(),
        job_id,
        status: str_at(v, "status").unwrap_or_else(|| "unknown".to_owned()),
        started_at_ms: started,
        finished_at_ms: finished,
        error: str_at(v, "error"),
        session_key: str_at(v, "sessionKey"),
        session_id: str_at(v, "sessionId"),
        model: model_pair(v, "provider", "model"),
        total_tokens: v.get("usage").and_then(|u| u64_at(u, "total_tokens")),
    })
}
