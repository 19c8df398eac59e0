//! Cron reducer: jobs from `CronJobsSnapshot` (SQLite `cron_jobs`, legacy `jobs.json` +
//! `jobs-state.json`), runs from `CronRun` (SQLite `cron_run_receipts`, legacy
//! `cron/runs/<jobId>.jsonl`).
//!
//! Runs are de-duplicated by run id, keeping the newest status: a run seen `running` then `ok`
//! counts once, as `ok`; a terminal status is never downgraded back to `running`. Runs of jobs
//! not (yet) in the job set are counted in `Cron::orphan_runs` and move into the job when it
//! appears (and back when it vanishes). A job's `cost_usd` is the spend booked for sessions
//! whose key names the job (`spend.by_cron_job`), plus, for a heartbeat job, the answers of its
//! runs in the agent's main session, credited once per run ([`credit_heartbeat_run`]; why this
//! never counts a turn twice: [`crate::domain::run_cost`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::domain::cron::{RUNS_PER_JOB, RUNS_SEEN_CAP, is_heartbeat_job};
use crate::domain::run_cost::{heartbeat_run_answer, heartbeat_session, known_usd};
use crate::domain::{CronJob, Model, Warning};
use crate::fact::{CronJobRow, CronRunRow, Fact, Level};

use super::{logs, sessions, spend};

pub(super) fn on_jobs(model: &mut Model, fact: &Fact, jobs: &[CronJobRow]) {
    let mut old = std::mem::take(&mut model.cron.jobs);
    let table = match fact.origin.kind {
        crate::fact::SourceKind::StateDb => "cron_jobs",
        _ => "jobs",
    };
    for row in jobs {
        let origin = Some(crate::fact::Origin::row(
            fact.origin.kind,
            fact.origin.path.clone(),
            table,
            &row.id,
        ));
        let job = match old.remove(&row.id) {
            Some(mut j) => {
                j.row = row.clone();
                j.origin = origin;
                j
            }
            None => CronJob {
                row: row.clone(),
                runs_by_status: model.cron.orphan_runs.remove(&row.id).unwrap_or_default(),
                runs: Default::default(),
                cost_usd: 0.0,
                credited_runs: Default::default(),
                origin,
            },
        };
        model.cron.jobs.insert(row.id.clone(), job);
        spend::refresh_job_cost(model, &row.id);
    }
    for (id, gone) in old {
        if !gone.runs_by_status.is_empty() {
            model.cron.orphan_runs.insert(id, gone.runs_by_status);
        }
    }
    model.cron.heartbeat_sessions = model
        .cron
        .jobs
        .values()
        .filter(|j| is_heartbeat_job(&j.row))
        .filter_map(|j| Some((heartbeat_session(&j.row)?, j.row.id.clone())))
        .collect();
    sessions::reclassify_all(model);
}

/// Credit the answer of heartbeat run `run_id` of job `job_id` in a session the job does not
/// own ([`heartbeat_run_answer`]) to `spend.by_cron_job` and the job's `cost_usd`: booked as
/// the difference to what was credited for that run before ([`CronJob::credited_runs`]), so a
/// re-read never adds it twice. Nothing is credited (and a credit is kept as is) while the
/// answer is unknown or not fully priced, or when a job owns the session (its usage is booked
/// for that job already).
pub(super) fn credit_heartbeat_run(model: &mut Model, job_id: &str, run_id: &str) {
    let Some(j) = model.cron.jobs.get(job_id) else {
        return;
    };
    let Some(run) = j.runs.iter().find(|r| r.run_id == run_id) else {
        return;
    };
    let Some((key, b)) = heartbeat_run_answer(model, j, run) else {
        return;
    };
    let owned = model
        .sessions
        .by_key
        .get(&key)
        .is_some_and(|s| s.cron_job_id.is_some());
    if owned || known_usd(&b).is_none() {
        return;
    }
    let old = j.credited_runs.get(run_id).copied().unwrap_or_default();
    if old == b {
        return;
    }
    let total = model
        .spend
        .by_cron_job
        .entry(job_id.to_string())
        .or_default();
    total.usd += b.usd - old.usd;
    total.tokens = total
        .tokens
        .saturating_sub(old.tokens)
        .saturating_add(b.tokens);
    total.turns = total
        .turns
        .saturating_sub(old.turns)
        .saturating_add(b.turns);
    if let Some(j) = model.cron.jobs.get_mut(job_id) {
        j.credited_runs.insert(run_id.to_string(), b);
    }
    spend::refresh_job_cost(model, job_id);
}

/// A turn at `at` (`None`: turns at any time, e.g. a merged placeholder) arrived in session
/// `key`: re-credit the runs of the heartbeat jobs answering there whose window holds it.
pub(super) fn on_session_turn(model: &mut Model, key: &str, at: Option<DateTime<Utc>>) {
    if model.cron.heartbeat_sessions.is_empty() {
        return;
    }
    let at_ms = at.map(|t| t.timestamp_millis());
    let credit: Vec<(String, String)> = model
        .cron
        .heartbeat_sessions
        .iter()
        .filter(|(k, _)| k == key)
        .filter_map(|(_, job)| model.cron.jobs.get(job))
        .flat_map(|j| {
            j.runs
                .iter()
                .filter(move |r| {
                    at_ms.is_none_or(|t| {
                        r.started_at_ms <= t && r.finished_at_ms.is_some_and(|f| t <= f)
                    })
                })
                .map(|r| (j.row.id.clone(), r.run_id.clone()))
        })
        .collect();
    for (job, run) in credit {
        credit_heartbeat_run(model, &job, &run);
    }
}

fn terminal(status: &str) -> bool {
    status != "running"
}

fn stats<'a>(model: &'a mut Model, job_id: &str) -> &'a mut BTreeMap<String, u64> {
    match model.cron.jobs.get_mut(job_id) {
        Some(j) => &mut j.runs_by_status,
        None => model
            .cron
            .orphan_runs
            .entry(job_id.to_string())
            .or_default(),
    }
}

pub(super) fn on_run(model: &mut Model, fact: &Fact, run: &CronRunRow) {
    if run.run_id.is_empty() || run.job_id.is_empty() {
        return;
    }
    let prev = model.cron.run_status.get(&run.run_id).cloned();
    match &prev {
        Some((_, old)) if *old == run.status => return,
        Some((_, old)) if terminal(old) && !terminal(&run.status) => return,
        Some((job, old)) => {
            let s = stats(model, job);
            if let Some(n) = s.get_mut(old) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    s.remove(old);
                }
            }
        }
        None => {
            model.cron.run_order.push_back(run.run_id.clone());
            model.cron.runs_seen.insert(run.run_id.clone());
            while model.cron.run_order.len() > RUNS_SEEN_CAP {
                if let Some(old) = model.cron.run_order.pop_front() {
                    model.cron.run_status.remove(&old);
                    model.cron.runs_seen.remove(&old);
                }
            }
        }
    }
    *stats(model, &run.job_id)
        .entry(run.status.clone())
        .or_default() += 1;
    model
        .cron
        .run_status
        .insert(run.run_id.clone(), (run.job_id.clone(), run.status.clone()));
    if let Some(j) = model.cron.jobs.get_mut(&run.job_id) {
        j.runs.retain(|r| r.run_id != run.run_id);
        j.runs.push_back(run.clone());
        while j.runs.len() > RUNS_PER_JOB {
            if let Some(old) = j.runs.pop_front() {
                // Its credit stays in the totals; only the per-run record goes.
                j.credited_runs.remove(&old.run_id);
            }
        }
    }
    if model
        .cron
        .jobs
        .get(&run.job_id)
        .is_some_and(|j| is_heartbeat_job(&j.row))
    {
        credit_heartbeat_run(model, &run.job_id, &run.run_id);
    }
    if let Some(key) = &run.session_key {
        // Legacy run logs name `agent:<a>:cron:<job>:run:<sessionId>`, a key `sessions.json` no
        // longer lists: it is what maps the run's transcript (named by id) to the job.
        if let Some((_, sid)) = key.rsplit_once(":run:")
            && !sid.is_empty()
        {
            sessions::link(model, sid, key, run.agent_id.as_deref());
        }
        if let Some(s) = model.sessions.by_key.get_mut(key)
            && s.cron_job_id.is_none()
        {
            s.cron_job_id = Some(run.job_id.clone());
        }
    }
    if matches!(run.status.as_str(), "error" | "interrupted") {
        let name = model
            .cron
            .jobs
            .get(&run.job_id)
            .map_or(run.job_id.as_str(), |j| j.row.name.as_str());
        let text = format!(
            "cron job {name}: run {}{}",
            run.status,
            run.error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        );
        logs::warn(
            model,
            Warning {
                at: fact.at,
                level: Level::Warn,
                text,
                origin: fact.origin.clone(),
            },
        );
    }
}
