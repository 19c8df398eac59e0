//! Cron jobs and their runs.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::domain::spend::SpendBucket;
use crate::fact::{CronJobRow, CronRunRow};

/// One cron job with run statistics.
#[derive(Debug, Clone)]
pub struct CronJob {
    pub row: CronJobRow,
    /// Status → count over the runs seen.
    pub runs_by_status: BTreeMap<String, u64>,
    /// Newest runs last, bounded.
    pub runs: VecDeque<CronRunRow>,
    /// USD spent by the job: `spend.by_cron_job` (its sessions' usage, and the heartbeat
    /// answers credited in [`CronJob::credited_runs`]).
    pub cost_usd: f64,
    /// Heartbeat runs answered in a session the job does not own (the agent's main session):
    /// run id → the answer credited to `spend.by_cron_job` for the job
    /// ([`crate::domain::run_cost`] "Heartbeat answers in the job totals"). A re-read replaces
    /// a run's credit (the difference is booked); kept for the runs in [`CronJob::runs`] (an
    /// older run's credit stays in the totals).
    pub credited_runs: BTreeMap<String, SpendBucket>,
    /// The job's row: table `cron_jobs` (SQLite) or `jobs` (legacy `jobs.json`) keyed by the
    /// job id, in the file of the snapshot that last listed it.
    pub origin: Option<crate::fact::Origin>,
}

/// All cron jobs by id.
#[derive(Debug, Default)]
pub struct Cron {
    pub jobs: BTreeMap<String, CronJob>,
    /// Run ids already counted (re-queries must not double count).
    pub runs_seen: HashSet<String>,
    /// Runs of jobs not (yet) in the job set, by job id.
    pub orphan_runs: BTreeMap<String, BTreeMap<String, u64>>,
    /// Run id → (job id, status counted for it): a run seen `running` then `ok` counts once,
    /// as `ok`. Bounded to the newest [`RUNS_SEEN_CAP`] run ids (`run_order`).
    pub run_status: HashMap<String, (String, String)>,
    pub run_order: VecDeque<String>,
    /// (session key, job id) of every heartbeat job ([`is_heartbeat_job`]): the session its
    /// runs answer in ([`crate::domain::run_cost::heartbeat_session`]). Rebuilt with the job set.
    pub heartbeat_sessions: Vec<(String, String)>,
}

/// How many run ids are remembered for de-duplication.
pub const RUNS_SEEN_CAP: usize = 50_000;
/// How many runs are kept per job in [`CronJob::runs`].
pub const RUNS_PER_JOB: usize = 50;

/// True for OpenClaw's system heartbeat jobs (`payload.kind = heartbeat`, or
/// `declarationKey = heartbeat:<agentId>`; OBSERVED.md §3 "Heartbeat").
pub fn is_heartbeat_job(row: &CronJobRow) -> bool {
    row.payload_kind == "heartbeat"
        || row
            .declaration_key
            .as_deref()
            .is_some_and(|d| d.starts_with("heartbeat:"))
}

impl Cron {
    /// Status → count for a job, whether or not the job is in the current job set.
    pub fn runs_by_status(&self, job_id: &str) -> Option<&BTreeMap<String, u64>> {
        self.jobs
            .get(job_id)
            .map(|j| &j.runs_by_status)
            .or_else(|| self.orphan_runs.get(job_id))
    }
}
