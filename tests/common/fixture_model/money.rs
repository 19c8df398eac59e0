//! Spend buckets and cron jobs.

use chrono::{Duration, NaiveDate};
use lanetop::domain::spend::SpendBucket;
use lanetop::domain::{CronJob, Model};
use lanetop::fact::{CronJobRow, CronRunRow, Schedule};

use super::*;

fn bucket(usd: f64, tokens: u64, unpriced: u64, turns: u64) -> SpendBucket {
    SpendBucket {
        usd,
        tokens,
        unpriced_tokens: unpriced,
        turns,
    }
}

pub(super) fn spend(m: &mut Model) {
    let s = &mut m.spend;
    s.total = bucket(0.4564, 177_193, 9_120, 61);
    s.by_model.insert(
        "fakeprime/fake-primary".into(),
        bucket(0.3810, 127_007, 9_120, 46),
    );
    s.by_model.insert(
        "fakeback/fake-tertiary".into(),
        bucket(0.0730, 24_809, 0, 9),
    );
    s.by_model
        .insert("fakeback/fake-backup".into(), bucket(0.0024, 25_377, 0, 6));
    s.by_agent
        .insert("main".into(), bucket(0.2516, 84_342, 9_120, 31));
    s.by_agent
        .insert("ops".into(), bucket(0.1484, 49_470, 0, 18));
    s.by_agent
        .insert("research".into(), bucket(0.0564, 43_381, 0, 12));
    for (k, sess) in &m.sessions.by_key {
        s.by_session.insert(
            k.clone(),
            bucket(sess.cost_usd, sess.tokens, sess.unpriced_tokens, 5),
        );
    }
    s.by_cron_job
        .insert(MAIN_CRON.into(), bucket(0.1084, 36_132, 0, 9));
    s.by_cron_job
        .insert(OPS_CRON.into(), bucket(0.0826, 27_540, 0, 8));
    s.by_cron_job
        .insert(RESEARCH_CRON.into(), bucket(0.0024, 25_377, 0, 6));
    s.by_cron_job
        .insert(HB_MAIN.into(), bucket(0.0, 9_120, 9_120, 3));
    s.by_day.insert(
        NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
        bucket(0.3120, 104_000, 0, 40),
    );
    s.by_day.insert(
        NaiveDate::from_ymd_opt(2026, 11, 21).expect("date"),
        bucket(0.5210, 173_600, 0, 66),
    );
    s.by_day.insert(
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("date"),
        bucket(0.4564, 177_193, 9_120, 61),
    );
    let h0 = t(0, 0, 0);
    for (i, usd) in [
        (-3i64, 0.0410),
        (-2, 0.0822),
        (-1, 0.1290),
        (0, 0.1502),
        (1, 0.3062),
    ] {
        s.by_hour.insert(
            h0 + Duration::hours(i),
            bucket(usd, (usd * 380_000.0) as u64, 0, 8),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn job(
    id: &str,
    name: &str,
    agent: &str,
    schedule: Schedule,
    status: Option<&str>,
    dur: Option<u64>,
    cost: f64,
    runs: &[(&str, u64)],
) -> CronJob {
    let next = t(1, 59, 0).timestamp_millis();
    CronJob {
        row: CronJobRow {
            id: id.into(),
            name: name.into(),
            agent_id: Some(agent.into()),
            enabled: true,
            schedule,
            session_target: Some("isolated".into()),
            session_key: None,
            payload_kind: if name.starts_with("heartbeat") {
                "heartbeat".into()
            } else {
                "agentTurn".into()
            },
            model: None,
            declaration_key: name
                .strip_prefix("heartbeat-")
                .map(|a| format!("heartbeat:{a}")),
            next_run_at_ms: status.map(|_| next),
            last_run_at_ms: status.map(|_| t(1, 58, 0).timestamp_millis()),
            last_run_status: status.map(str::to_owned),
            last_duration_ms: dur,
            last_error: None,
            consecutive_errors: None,
            running_at_ms: None,
        },
        runs_by_status: runs.iter().map(|(k, v)| ((*k).to_string(), *v)).collect(),
        runs: std::iter::once(CronRunRow {
            run_id: format!("{id}:1"),
            job_id: id.into(),
            status: status.unwrap_or("ok").into(),
            started_at_ms: t(1, 58, 0).timestamp_millis(),
            ..CronRunRow::default()
        })
        .collect(),
        cost_usd: cost,
        credited_runs: Default::default(),
        origin: None,
    }
}

pub(super) fn cron(m: &mut Model) {
    let every = |ms| Schedule::Every { every_ms: ms };
    for j in [
        job(
            OPS_CRON,
            "lab-ops-every-minute",
            "ops",
            every(60_000),
            Some("ok"),
            Some(2822),
            0.0826,
            &[("ok", 8)],
        ),
        job(
            HB_MAIN,
            "heartbeat-main",
            "main",
            every(60_000),
            Some("skipped"),
            Some(261),
            0.0,
            &[("ok", 3), ("skipped", 6)],
        ),
        job(
            RESEARCH_CRON,
            "lab-research-backup-model",
            "research",
            every(60_000),
            Some("ok"),
            Some(2251),
            0.0024,
            &[("error", 1), ("ok", 5)],
        ),
        job(
            HB_OPS,
            "heartbeat-ops",
            "ops",
            every(60_000),
            Some("skipped"),
            Some(260),
            0.0,
            &[("skipped", 9)],
        ),
        job(
            MAIN_CRON,
            "lab-main-cron",
            "main",
            Schedule::Cron {
                expr: "* * * * *".into(),
                tz: None,
            },
            Some("ok"),
            Some(2170),
            0.1084,
            &[("ok", 9)],
        ),
        job(
            "1c0afe10-4956-4144-8e11-cb2e780838a3",
            "skill-collection-review-main",
            "main",
            every(604_800_000),
            None,
            None,
            0.0,
            &[],
        ),
    ] {
        m.cron.jobs.insert(j.row.id.clone(), j);
    }
}
