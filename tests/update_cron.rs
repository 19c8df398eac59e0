//! Cron reducer tests mirroring `captured/state/state/openclaw.sqlite` (`cron_jobs`,
//! `cron_run_receipts`) and the `lab-main-cron` job (`f3eb99f7-…`).

mod facts;

use facts::*;
use lanetop::domain::{Model, SessionKind};
use lanetop::fact::{CronJobRow, CronRunRow, Fact, FactKind, Schedule, UsageRecord};

const JOB: &str = "f3eb99f7-0dd4-4302-8637-5f7f34e81ab4";
const HB: &str = "99683efa-48c2-40fb-ba09-1d0804c81310";

fn job_row() -> CronJobRow {
    lab_main_cron_job()
}

fn heartbeat_row() -> CronJobRow {
    CronJobRow {
        id: HB.into(),
        name: "heartbeat-main".into(),
        schedule: Schedule::Every { every_ms: 60000 },
        session_target: Some("main".into()),
        payload_kind: "heartbeat".into(),
        declaration_key: Some("heartbeat:main".into()),
        last_run_status: Some("skipped".into()),
        last_error: Some("heartbeat skipped: cron-in-progress".into()),
        ..job_row()
    }
}

fn jobs(rows: Vec<CronJobRow>) -> Fact {
    fact(
        "2026-11-22T01:58:30.000+00:00",
        state_db(),
        FactKind::CronJobsSnapshot { jobs: rows },
    )
}

fn run(id: &str, job: &str, status: &str, start: i64, end: Option<i64>) -> Fact {
    fact(
        "2026-11-22T01:58:30.000+00:00",
        state_db(),
        FactKind::CronRun(Box::new(CronRunRow {
            run_id: id.into(),
            job_id: job.into(),
            agent_id: Some("main".into()),
            status: status.into(),
            started_at_ms: start,
            finished_at_ms: end,
            ..CronRunRow::default()
        })),
    )
}

/// Receipt `5f82d92f-…` (started 1795312680015, finished 1795312682185) first seen while still
/// running, then re-read as `ok`: one run, `ok`.
#[test]
fn running_then_ok_counts_once() {
    let mut model = Model::default();
    fold(&mut model, vec![jobs(vec![job_row()])]);
    let id = "5f82d92f-7ee4-4962-935c-1f2794156e5e";
    fold(
        &mut model,
        vec![run(id, JOB, "running", 1795312680015, None)],
    );
    assert_eq!(model.cron.jobs[JOB].runs_by_status.get("running"), Some(&1));
    fold(
        &mut model,
        vec![run(id, JOB, "ok", 1795312680015, Some(1795312682185))],
    );
    // the same run re-sent, and a stale `running` re-read after `ok`: both ignored.
    fold(
        &mut model,
        vec![
            run(id, JOB, "ok", 1795312680015, Some(1795312682185)),
            run(id, JOB, "running", 1795312680015, None),
        ],
    );
    let j = &model.cron.jobs[JOB];
    assert_eq!(j.runs_by_status.len(), 1, "{:?}", j.runs_by_status);
    assert_eq!(j.runs_by_status.get("ok"), Some(&1));
    assert_eq!(j.runs.len(), 1);
    assert_eq!(j.runs[0].status, "ok");
}

/// Receipts of `lab-main-cron` in the captured DB: 4 ok + 1 interrupted (`330eafe1…`, "cron: job
/// interrupted because owner is unavailable"). Runs that arrive before the job set are kept and
/// move into the job.
#[test]
fn runs_before_jobs_and_interrupted_warning() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            run(
                "846502b4-5e86-4edb-bb65-288907e69851",
                JOB,
                "ok",
                1795312200014,
                Some(1795312201088),
            ),
            run(
                "d4e04e40-58fd-4260-b12b-ce7be2cf283e",
                JOB,
                "ok",
                1795312263307,
                Some(1795312279879),
            ),
            run(
                "07f822f8-8d8b-41da-a6bd-2a1d97b21d47",
                JOB,
                "ok",
                1795312320014,
                Some(1795312323284),
            ),
            run(
                "330eafe1-3aeb-436a-b0d6-0a353eb47cb1",
                JOB,
                "interrupted",
                1795312380016,
                Some(1795312483755),
            ),
            run(
                "bb6a099b-08c3-479a-b4b1-86f3b3d93dcf",
                JOB,
                "ok",
                1795312636092,
                Some(1795312638536),
            ),
        ],
    );
    assert_eq!(model.cron.orphan_runs[JOB].get("ok"), Some(&4));
    fold(&mut model, vec![jobs(vec![job_row(), heartbeat_row()])]);
    assert!(model.cron.orphan_runs.is_empty());
    let r = lanetop::report::build(&model);
    let j = r.cron.jobs.iter().find(|j| j.id == JOB).expect("job");
    assert_eq!(j.runs_by_status.get("ok"), Some(&4));
    assert_eq!(j.runs_by_status.get("interrupted"), Some(&1));
    assert!(
        r.cron
            .jobs
            .iter()
            .find(|j| j.id == HB)
            .is_some_and(|j| j.heartbeat)
    );
    assert_eq!(
        model.logs.warnings.len(),
        1,
        "the interrupted run is a warning"
    );
    // The job vanishes from the set: its counts are kept as orphan runs.
    fold(&mut model, vec![jobs(vec![heartbeat_row()])]);
    assert_eq!(
        model.cron.runs_by_status(JOB).and_then(|m| m.get("ok")),
        Some(&4)
    );
}

/// Per-job cost = spend of the sessions the job owns (`agent:main:cron:<job>:run:<id>`).
#[test]
fn job_cost_from_owned_sessions() {
    let mut model = Model::default();
    fold(&mut model, vec![jobs(vec![job_row()])]);
    let key = format!("agent:main:cron:{JOB}:run:4291ada2-9349-4bbb-b999-cdc1f9b477ce");
    let usage = |cost| {
        fact(
            "2026-11-22T01:57:00.000+00:00",
            agent_db("main"),
            FactKind::Usage(Box::new(UsageRecord {
                agent_id: "main".into(),
                session_id: "4291ada2-9349-4bbb-b999-cdc1f9b477ce".into(),
                session_key: Some(key.clone()),
                model: m("fakeprime/fake-primary"),
                input: 1000,
                output: 100,
                total_tokens: 1100,
                cost_usd: Some(cost),
                ..UsageRecord::default()
            })),
        )
    };
    fold(&mut model, vec![usage(0.0045), usage(0.0045)]);
    assert!((model.cron.jobs[JOB].cost_usd - 0.009).abs() < 1e-12);
    assert_eq!(model.sessions.by_key[&key].kind, SessionKind::CronRun);
    assert_eq!(
        model.sessions.by_key[&key].cron_job_id.as_deref(),
        Some(JOB)
    );
    assert!((model.spend.by_cron_job[JOB].usd - 0.009).abs() < 1e-12);
}

/// Legacy (2026.5.20): `sessions.json` lists only the job binding; an older run's transcript is
/// known by its session id alone, and the run log line
/// (`captured-legacy/snapshots/before-sigusr1/cron/runs/1441f4db-….jsonl`, first line) names
/// `sessionKey: agent:ops:cron:<job>:run:<sessionId>`: the run's usage moves to that key and
/// the job is credited.
#[test]
fn legacy_run_log_maps_transcript_to_job() {
    let job = "1441f4db-ee7c-470e-b32d-11abfa0bf3fc";
    let sid = "b8b2d86b-9b05-47bd-9230-004512fe255e";
    let key = format!("agent:ops:cron:{job}:run:{sid}");
    let legacy = |p: &str| {
        lanetop::fact::Origin::new(
            lanetop::fact::SourceKind::LegacyTranscript,
            std::sync::Arc::from(p),
        )
    };
    let mut model = Model::default();
    fold(
        &mut model,
        vec![fact(
            "2026-11-22T02:33:31.000+00:00",
            legacy(
                "/home/operator/.openclaw/agents/ops/sessions/b8b2d86b-9b05-47bd-9230-004512fe255e.jsonl",
            ),
            FactKind::Usage(Box::new(UsageRecord {
                agent_id: "ops".into(),
                session_id: sid.into(),
                model: m("fakeback/fake-backup"),
                input: 2795,
                output: 14,
                total_tokens: 2809,
                cost_usd: Some(0.008595),
                ..UsageRecord::default()
            })),
        )],
    );
    assert!(
        model.spend.by_cron_job.is_empty(),
        "the job is unknown while only the id is"
    );
    let mut run_row = CronRunRow {
        run_id: format!("{job}:1795314804501"),
        job_id: job.into(),
        agent_id: Some("ops".into()),
        status: "ok".into(),
        started_at_ms: 1795314804501,
        finished_at_ms: Some(1795314811989),
        session_key: Some(key.clone()),
        ..CronRunRow::default()
    };
    run_row.model = Some(m("fakeback/fake-backup"));
    fold(
        &mut model,
        vec![
            fact(
                "2026-11-22T02:33:31.998+00:00",
                state_db(),
                FactKind::CronJobsSnapshot {
                    jobs: vec![CronJobRow {
                        id: job.into(),
                        name: "lab-ops-every-minute".into(),
                        ..job_row()
                    }],
                },
            ),
            fact(
                "2026-11-22T02:33:31.998+00:00",
                state_db(),
                FactKind::CronRun(Box::new(run_row)),
            ),
        ],
    );
    let s = &model.sessions.by_key[&key];
    assert_eq!(
        (s.kind, s.cron_job_id.as_deref(), s.placeholder),
        (SessionKind::CronRun, Some(job), false)
    );
    assert!(!model.sessions.by_key.contains_key(sid));
    assert!((model.spend.by_cron_job[job].usd - 0.008595).abs() < 1e-12);
    assert!((model.cron.jobs[job].cost_usd - 0.008595).abs() < 1e-12);
    let r = lanetop::report::build(&model);
    assert_eq!(r.cron.jobs[0].last_run_cost_usd, Some(0.008595));
}
