//! Cron jobs and their runs.

use std::collections::{BTreeMap, HashSet, VecDeque};

use crate::fact::{CronJobRow, CronRunRow};

/// One cron job with run statistics.
#[derive(Debug, Clone)]
pub struct CronJob {
    pub row: CronJobRow,
    /// Status → count over the runs seen.
    pub runs_by_status: BTreeMap<String, u64>,
    /// Newest runs last, bounded.
    pub runs: VecDeque<CronRunRow>,
    /// USD spent by the job's sessions.
    pub cost_usd: f64,
}

/// All cron jobs by id.
#[derive(Debug, Default)]
pub struct Cron {
    pub jobs: BTreeMap<String, CronJob>,
    /// Run ids already counted (re-queries must not double count).
    pub runs_seen: HashSet<String>,
    /// Runs of jobs not (yet) in the job set, by job id.
    pub orphan_runs: BTreeMap<String, BTreeMap<String, u64>>,
}
