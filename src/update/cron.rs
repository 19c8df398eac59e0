//! Cron reducer: jobs from `CronJobsSnapshot` (SQLite `cron_jobs`, legacy `jobs.json` +
//! `jobs-state.json`), runs from `CronRun` (SQLite `cron_run_receipts`, legacy
//! `cron/runs/<jobId>.jsonl`).
//!
//! Runs are de-duplicated by run id, keeping the newest status: a run seen `running` then `ok`
//! counts once, as `ok`; a terminal status is never downgraded back to `running`. Runs of jobs
//! not (yet) in the job set are counted in `Cron::orphan_runs` and move into the job when it
//! appears (and back when it vanishes). A job's `cost_usd` is the spend booked for sessions
//! whose key names the job (`spend.by_cron_job`).

use std::collections::BTreeMap;

use crate::domain::cron::{RUNS_PER_JOB, RUNS_SEEN_CAP};
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
    sessions::reclassify_all(model);
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
            j.runs.pop_front();
        }
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
