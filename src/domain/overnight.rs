//! Overnight spend: what the cron jobs (heartbeats included) will cost by morning.
//!
//! For each enabled job: **runs due** from the model clock `now` until the next
//! `morning_hour:00` local time ([`morning_after`]) — `every` schedules exactly from the job's
//! `nextRunAtMs` (or `now` when overdue or unknown: [`runs_due_every`]), `cron` expressions by
//! [`crate::domain::cronexpr`], `at` once when it falls in the span — × the **trailing mean
//! cost per run** (the newest `trailing_runs` finished runs whose cost is known: the spend of
//! the run's own session, or a heartbeat run's answer in the main session, see
//! [`crate::domain::run_cost`]; `skipped` runs cost 0; with no such run, the job's spend / its
//! counted runs) = **projected USD**. **Drift**: the
//! mean of the newer half of those runs minus the mean of the older half (USD per run; needs
//! four runs).
//!
//! Heartbeats configured in `openclaw.json` (`agents.*.heartbeat.every`, the ≤ 2026.5
//! generation) with no heartbeat cron job for the agent are projected as `heartbeat:<agent>`:
//! runs every `every` ms from the last poll, cost per poll = the priced assistant turns that
//! follow each heartbeat poll in the agent's sessions.

use chrono::{DateTime, FixedOffset, NaiveTime, TimeDelta, Utc};

use crate::domain::cron::is_heartbeat_job;
use crate::domain::cronexpr::CronExpr;
use crate::domain::detect::DetectConfig;
use crate::domain::run_cost::run_cost;
use crate::domain::session::TurnKind;
use crate::domain::{CronJob, Model};
use crate::fact::Schedule;

/// The projection of one job.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobProjection {
    /// Cron job id, or `heartbeat:<agent>` for a config heartbeat.
    pub job: String,
    pub name: String,
    pub agent: Option<String>,
    pub heartbeat: bool,
    /// Runs due before the morning; `None` when the schedule is not supported.
    pub runs_due: Option<u64>,
    /// Trailing mean USD per run (`None`: no cost known).
    pub usd_per_run: Option<f64>,
    /// `runs_due × usd_per_run`.
    pub projected_usd: Option<f64>,
    /// Newer-half mean − older-half mean of the trailing runs, USD per run.
    pub drift_usd_per_run: Option<f64>,
    /// How many runs the mean is over.
    pub samples: usize,
}

/// The whole projection.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Overnight {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// By projected USD desc, then job id.
    pub jobs: Vec<JobProjection>,
    /// Sum of the projected USD.
    pub total_usd: f64,
}

/// The next `hour:00` local time (UTC offset `offset_min`) strictly after `now`.
pub fn morning_after(now: DateTime<Utc>, hour: u32, offset_min: i32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(offset_min.saturating_mul(60))
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    let local = now.with_timezone(&tz);
    let t = NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN);
    let mut day = local.date_naive();
    loop {
        let cand = day.and_time(t).and_local_timezone(tz).single();
        if let Some(c) = cand.map(|c| c.with_timezone(&Utc))
            && c > now
        {
            return c;
        }
        match day.succ_opt() {
            Some(d) => day = d,
            None => return now,
        }
    }
}

/// Runs of an `every_ms` schedule in `[max(next, now), until)`: the first at `next_run_ms`
/// (or `now` when overdue or unknown), then every `every_ms`.
pub fn runs_due_every(
    every_ms: u64,
    next_run_ms: Option<i64>,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> u64 {
    if every_ms == 0 {
        return 0;
    }
    let now_ms = now.timestamp_millis();
    let first = next_run_ms.map_or(now_ms, |n| n.max(now_ms));
    let end = until.timestamp_millis();
    if first >= end {
        return 0;
    }
    let span = (end - first) as u64;
    span.div_ceil(every_ms)
}

/// Mean and drift of samples in time order: the mean of the newest ⌊n/2⌋ minus the mean of
/// the oldest ⌊n/2⌋ (the middle sample of an odd count is in neither half); needs 4 samples.
pub fn mean_and_drift(samples: &[f64]) -> (Option<f64>, Option<f64>) {
    if samples.is_empty() {
        return (None, None);
    }
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    let drift = (samples.len() >= 4).then(|| {
        let h = samples.len() / 2;
        let (old, new) = samples.split_at(samples.len() - h);
        let old = &old[..h];
        new.iter().sum::<f64>() / h as f64 - old.iter().sum::<f64>() / h as f64
    });
    (Some(mean), drift)
}

/// Cost samples (USD) of a job's newest `n` finished runs whose cost is known
/// ([`crate::domain::run_cost::run_cost`]), oldest first.
pub fn run_costs(model: &Model, job: &CronJob, n: usize) -> Vec<f64> {
    let mut out: Vec<f64> = job
        .runs
        .iter()
        .rev()
        .filter_map(|run| run_cost(model, job, run))
        .take(n)
        .collect();
    out.reverse();
    out
}

/// A heartbeat poll: its time and the USD of the answer.
type Poll = (DateTime<Utc>, f64);

/// Cost per heartbeat poll in the agent's sessions (the assistant turns after each poll up to
/// the next user turn), oldest first, and the time of the last poll.
fn heartbeat_samples(model: &Model, agent: &str) -> (Vec<Poll>, Option<DateTime<Utc>>) {
    let mut out = Vec::new();
    let mut last = None;
    for s in model
        .sessions
        .by_key
        .values()
        .filter(|s| s.agent_id == agent)
    {
        let mut cur: Option<(DateTime<Utc>, f64)> = None;
        for t in &s.turns {
            match &t.kind {
                TurnKind::User { heartbeat } => {
                    if let Some(c) = cur.take() {
                        out.push(c);
                    }
                    if *heartbeat {
                        cur = Some((t.at, 0.0));
                        last = Some(last.map_or(t.at, |l: DateTime<Utc>| l.max(t.at)));
                    }
                }
                TurnKind::Assistant {
                    cost_usd: Some(c), ..
                } => {
                    if let Some(x) = cur.as_mut() {
                        x.1 += c;
                    }
                }
                _ => {}
            }
        }
        if let Some(c) = cur {
            out.push(c);
        }
    }
    out.sort_by_key(|(t, _)| *t);
    (out, last)
}

/// Project every enabled job (and config heartbeat) from `model.now` to the morning.
pub fn project(model: &Model, cfg: &DetectConfig) -> Option<Overnight> {
    let now = model.now?;
    let until = morning_after(now, cfg.morning_hour, cfg.utc_offset_min);
    let mut jobs = Vec::new();
    for (id, job) in model.cron.jobs.iter().filter(|(_, j)| j.row.enabled) {
        let r = &job.row;
        let runs_due = match &r.schedule {
            Schedule::Every { every_ms } => {
                Some(runs_due_every(*every_ms, r.next_run_at_ms, now, until))
            }
            Schedule::Cron { expr, .. } => CronExpr::parse(expr)
                .ok()
                .map(|e| e.count_between(now, until, cfg.utc_offset_min)),
            Schedule::At { at } => DateTime::parse_from_rfc3339(at)
                .ok()
                .map(|t| u64::from(t >= now && t < until)),
            Schedule::Other { .. } => None,
        };
        let mut samples = run_costs(model, job, cfg.trailing_runs.max(1));
        if samples.is_empty() && job.cost_usd > 0.0 {
            let n: u64 = job
                .runs_by_status
                .iter()
                .filter(|(s, _)| *s != "running" && *s != "skipped")
                .map(|(_, n)| n)
                .sum();
            if n > 0 {
                samples.push(job.cost_usd / n as f64);
            }
        }
        let (mean, drift) = mean_and_drift(&samples);
        jobs.push(JobProjection {
            job: id.clone(),
            name: r.name.clone(),
            agent: r.agent_id.clone(),
            heartbeat: is_heartbeat_job(r),
            runs_due,
            usd_per_run: mean,
            projected_usd: runs_due.zip(mean).map(|(n, m)| n as f64 * m),
            drift_usd_per_run: drift,
            samples: samples.len(),
        });
    }
    for (agent, every) in &model.config.heartbeat_every_ms {
        let has_job =
            model.cron.jobs.values().any(|j| {
                is_heartbeat_job(&j.row) && j.row.agent_id.as_deref() == Some(agent.as_str())
            });
        if has_job || *every == 0 {
            continue;
        }
        let (polls, last) = heartbeat_samples(model, agent);
        let n = cfg.trailing_runs.max(1);
        let costs: Vec<f64> = polls.iter().rev().take(n).rev().map(|(_, c)| *c).collect();
        let next = last
            .and_then(|l| l.checked_add_signed(TimeDelta::milliseconds(*every as i64)))
            .map(|t| t.timestamp_millis());
        let runs_due = runs_due_every(*every, next, now, until);
        let (mean, drift) = mean_and_drift(&costs);
        jobs.push(JobProjection {
            job: format!("heartbeat:{agent}"),
            name: format!("heartbeat {agent}"),
            agent: Some(agent.clone()),
            heartbeat: true,
            runs_due: Some(runs_due),
            usd_per_run: mean,
            projected_usd: mean.map(|m| runs_due as f64 * m),
            drift_usd_per_run: drift,
            samples: costs.len(),
        });
    }
    jobs.sort_by(|a, b| {
        b.projected_usd
            .unwrap_or(0.0)
            .total_cmp(&a.projected_usd.unwrap_or(0.0))
            .then_with(|| a.job.cmp(&b.job))
    });
    let total_usd = jobs.iter().filter_map(|j| j.projected_usd).sum::<f64>() + 0.0;
    Some(Overnight {
        from: now,
        until,
        jobs,
        total_usd,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn morning() {
        assert_eq!(
            morning_after(at("2026-11-22T22:10:00Z"), 8, 0),
            at("2026-11-23T08:00:00Z")
        );
        assert_eq!(
            morning_after(at("2026-11-22T07:59:00Z"), 8, 0),
            at("2026-11-22T08:00:00Z")
        );
        assert_eq!(
            morning_after(at("2026-11-22T08:00:00Z"), 8, 0),
            at("2026-11-23T08:00:00Z")
        );
        // 08:00 at +01:00 is 07:00 UTC.
        assert_eq!(
            morning_after(at("2026-11-22T04:00:00Z"), 8, 60),
            at("2026-11-22T07:00:00Z")
        );
    }

    #[test]
    fn every_arithmetic() {
        let now = at("2026-11-22T22:00:00Z");
        let until = at("2026-11-23T08:00:00Z");
        // Every 15 min from 22:05: 22:05, 22:20, … 07:50 → 40 runs.
        let next = at("2026-11-22T22:05:00Z").timestamp_millis();
        assert_eq!(runs_due_every(900_000, Some(next), now, until), 40);
        // Overdue: counted from now, 22:00 … 07:45 → 40.
        assert_eq!(runs_due_every(900_000, Some(0), now, until), 40);
        assert_eq!(runs_due_every(3_600_000, None, now, until), 10);
        assert_eq!(runs_due_every(0, None, now, until), 0);
        assert_eq!(
            runs_due_every(60_000, Some(until.timestamp_millis()), now, until),
            0
        );
    }

    #[test]
    fn drift() {
        assert_eq!(mean_and_drift(&[]), (None, None));
        assert_eq!(mean_and_drift(&[1.0, 3.0]), (Some(2.0), None));
        let (m, d) = mean_and_drift(&[1.0, 1.0, 2.0, 4.0]);
        assert_eq!(m, Some(2.0));
        assert_eq!(d, Some(2.0));
        // Odd count: the middle sample is in neither half.
        let (_, d) = mean_and_drift(&[1.0, 2.0, 9.0, 3.0, 5.0]);
        assert_eq!(d, Some(4.0 - 1.5));
    }
}
