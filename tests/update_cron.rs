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

const OPS_JOB: &str = "007ab091-ffcc-493b-979a-d1207036802e";

/// A run of `job` naming `session_key` (and, legacy, `session_id`).
fn run_in(
    id: &str,
    job: &str,
    agent: &str,
    span: (i64, i64),
    key: Option<String>,
    sid: Option<&str>,
) -> Fact {
    fact(
        "2026-11-22T01:58:30.000+00:00",
        state_db(),
        FactKind::CronRun(Box::new(CronRunRow {
            run_id: id.into(),
            job_id: job.into(),
            agent_id: Some(agent.into()),
            status: "ok".into(),
            started_at_ms: span.0,
            finished_at_ms: Some(span.1),
            session_key: key,
            session_id: sid.map(str::to_string),
            ..CronRunRow::default()
        })),
    )
}

/// One priced assistant turn of transcript `sid`, listed under `key`.
fn usage_in(at: &str, agent: &str, sid: &str, key: &str, cost: f64) -> Fact {
    fact(
        at,
        agent_db(agent),
        FactKind::Usage(Box::new(UsageRecord {
            agent_id: agent.into(),
            session_id: sid.into(),
            session_key: Some(key.into()),
            model: m("fakeprime/fake-primary"),
            input: 6000,
            output: 100,
            total_tokens: 6100,
            cost_usd: Some(cost),
            ..UsageRecord::default()
        })),
    )
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// 2026.9.6 (`captured`, job lab-ops-every-minute): `session_windows` lists each run's
/// transcript under the binding `agent:ops:cron:<job>`, and the receipts' task runs name
/// `agent:ops:cron:<job>:run:<sessionId>`, a key no store lists. Receipt 122d98e6 ran in
/// 83c1df1d ($0.01953), 9c21f217 in 2af340db ($0.019275). Each run is priced by the session
/// id in its key, whichever arrives first; the binding keeps the sum, and the job's cost is
/// not counted twice.
#[test]
fn isolated_runs_are_priced_by_the_session_id_in_their_key() {
    let binding = format!("agent:ops:cron:{OPS_JOB}");
    let (a, b) = (
        "83c1df1d-e6d0-4bd8-b5a4-1db3ca0c918e",
        "2af340db-032c-45fc-8201-659896985c03",
    );
    let ops_job = CronJobRow {
        id: OPS_JOB.into(),
        name: "lab-ops-every-minute".into(),
        agent_id: Some("ops".into()),
        schedule: Schedule::Every { every_ms: 60000 },
        ..job_row()
    };
    let runs = vec![
        run_in(
            "122d98e6-9fc0-49bb-a303-e9a5fac733b3",
            OPS_JOB,
            "ops",
            (1795312241401, 1795312260511),
            Some(format!("{binding}:run:{a}")),
            None,
        ),
        run_in(
            "9c21f217-b1e5-4421-b0f5-629e4e132759",
            OPS_JOB,
            "ops",
            (1795312301417, 1795312304316),
            Some(format!("{binding}:run:{b}")),
            None,
        ),
    ];
    let usage = vec![
        usage_in("2026-11-22T01:51:00.078+00:00", "ops", a, &binding, 0.01953),
        usage_in(
            "2026-11-22T01:51:44.204+00:00",
            "ops",
            b,
            &binding,
            0.019275,
        ),
    ];
    for runs_first in [true, false] {
        let mut model = Model::default();
        fold(&mut model, vec![jobs(vec![ops_job.clone()])]);
        let (x, y) = if runs_first {
            (runs.clone(), usage.clone())
        } else {
            (usage.clone(), runs.clone())
        };
        fold(&mut model, x);
        fold(&mut model, y);
        let job = &model.cron.jobs[OPS_JOB];
        let costs = lanetop::domain::overnight::run_costs(&model, job, 10);
        assert_eq!(costs, vec![0.01953, 0.019275], "runs first: {runs_first}");
        assert_eq!(
            lanetop::domain::run_cost::last_run_cost(&model, job),
            Some(0.019275)
        );
        assert!(near(job.cost_usd, 0.01953 + 0.019275));
        assert!(near(
            model.spend.by_session[&binding].usd,
            0.01953 + 0.019275
        ));
        let r = lanetop::report::build(&model);
        assert_eq!(r.cron.jobs[0].last_run_cost_usd, Some(0.019275));
    }
}

/// ≤ 2026.5 (`captured-legacy`, job lab-ops-isolated): the newest run's transcript (1508d6c1,
/// $0.00843) is listed in `sessions.json` under the binding `agent:ops:cron:<job>`; the run-log
/// line names `sessionId` and `sessionKey: …:run:<sessionId>`. The run is priced.
#[test]
fn legacy_newest_run_is_priced_through_its_session_id() {
    let job = "1441f4db-ee7c-470e-b32d-11abfa0bf3fc";
    let sid = "1508d6c1-704e-4d77-bc51-da73fd4676ca";
    let binding = format!("agent:ops:cron:{job}");
    let row = lanetop::fact::SessionRow {
        agent_id: "ops".into(),
        key: binding.clone(),
        session_id: sid.into(),
        ..lanetop::fact::SessionRow::default()
    };
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            jobs(vec![CronJobRow {
                id: job.into(),
                name: "lab-ops-isolated".into(),
                agent_id: Some("ops".into()),
                ..job_row()
            }]),
            snapshot("2026-11-22T02:42:51.000+00:00", "ops", vec![row]),
            usage_in(
                "2026-11-22T02:42:50.900+00:00",
                "ops",
                sid,
                &binding,
                0.00843,
            ),
            run_in(
                &format!("{job}:1795315353466"),
                job,
                "ops",
                (1795315353466, 1795315371060),
                Some(format!("{binding}:run:{sid}")),
                Some(sid),
            ),
        ],
    );
    let j = &model.cron.jobs[job];
    assert_eq!(
        lanetop::domain::run_cost::last_run_cost(&model, j),
        Some(0.00843)
    );
    assert_eq!(
        lanetop::domain::overnight::run_costs(&model, j, 10),
        vec![0.00843]
    );
}

/// The heartbeat poll and its answer in `agent:main:main` (captured main agent DB, session
/// 8e9a3ce9: poll seq 54 at 01:54:55.339, answer seq 55 at 01:54:56.087, $0.023529) inside
/// heartbeat-main's receipt f5a2389e [01:54:54.848, 01:54:56.150], which names no session; then
/// the operator's "after restart" turn (seq 56/57, $0.039909), outside any run. The answer is
/// split here into two records (a tool call at 01:54:55.900, $0.01, and the reply, $0.013529),
/// as a tool-using answer is written. The answer is the run's cost and is credited to the job
/// once, whatever arrives first (also when the transcript is named by id before the row names
/// its key) and however often the run is re-read; the operator's turn is nobody's.
#[test]
fn heartbeat_run_is_priced_by_its_answer_in_the_main_session() {
    let key = "agent:main:main";
    let user = |at: &str, heartbeat: bool| {
        fact(
            at,
            agent_db("main"),
            FactKind::UserTurn {
                agent_id: "main".into(),
                session_id: MAIN_SID.into(),
                session_key: Some(key.into()),
                heartbeat,
            },
        )
    };
    let turns = vec![
        user("2026-11-22T01:54:55.339+00:00", true),
        usage_in("2026-11-22T01:54:55.900+00:00", "main", MAIN_SID, key, 0.01),
        usage_in(
            "2026-11-22T01:54:56.087+00:00",
            "main",
            MAIN_SID,
            key,
            0.013529,
        ),
        user("2026-11-22T01:55:01.824+00:00", false),
        usage_in(
            "2026-11-22T01:55:01.928+00:00",
            "main",
            MAIN_SID,
            key,
            0.039909,
        ),
    ];
    let hb_run = || {
        run_in(
            "f5a2389e-cb1b-42e6-aa4f-66177cb12c91",
            HB,
            "main",
            (1795312494848, 1795312496150),
            None,
            None,
        )
    };
    // The same turns named by session id alone (kept under the id until a row names the key).
    let unkeyed: Vec<Fact> = turns
        .iter()
        .cloned()
        .map(|mut f| {
            match &mut f.kind {
                FactKind::Usage(u) => u.session_key = None,
                FactKind::UserTurn { session_key, .. } => *session_key = None,
                _ => {}
            }
            f
        })
        .collect();
    let row = || snapshot("2026-11-22T01:50:00.000+00:00", "main", vec![main_row()]);
    for order in ["run, turns", "turns, run", "run, turns by id, row"] {
        let mut model = Model::default();
        fold(&mut model, vec![jobs(vec![heartbeat_row()])]);
        match order {
            "run, turns" => {
                fold(&mut model, vec![row(), hb_run()]);
                fold(&mut model, turns.clone());
            }
            "turns, run" => {
                fold(&mut model, vec![row()]);
                fold(&mut model, turns.clone());
                fold(&mut model, vec![hb_run()]);
            }
            _ => {
                fold(&mut model, vec![hb_run()]);
                fold(&mut model, unkeyed.clone());
                fold(&mut model, vec![row()]);
            }
        }
        for reread in [false, true] {
            if reread {
                fold(&mut model, vec![jobs(vec![heartbeat_row()]), hb_run()]);
            }
            let j = &model.cron.jobs[HB];
            let case = format!("{order}, re-read: {reread}");
            assert_eq!(
                lanetop::domain::run_cost::last_run_cost(&model, j),
                Some(0.023529),
                "{case}"
            );
            assert!(near(j.cost_usd, 0.023529), "{case}: {}", j.cost_usd);
            assert!(near(model.spend.by_cron_job[HB].usd, 0.023529), "{case}");
            assert_eq!(model.spend.by_cron_job[HB].turns, 2, "{case}");
            // Booked once: the session and the total hold every turn, no job the operator's.
            let all = 0.023529 + 0.039909;
            assert!(near(model.spend.by_session[key].usd, all), "{case}");
            assert!(near(model.spend.total.usd, all), "{case}");
        }
    }
}

/// A main session a job owns (a bound job's run named `agent:main:main`, as 2026.9.6 writes
/// `child_session_key` for `sessionTarget: session:agent:main:main`, lab reproduction
/// `retry-storm`): its usage is booked for that job already, so the heartbeat answer in it is
/// not credited to the heartbeat job (the run still has its cost).
#[test]
fn heartbeat_answer_in_an_owned_session_is_not_credited_twice() {
    let key = "agent:main:main";
    let bound = CronJobRow {
        id: "5f2cf345-bound".into(),
        name: "inc-storm-main-bound".into(),
        session_target: Some(format!("session:{key}")),
        session_key: Some(key.into()),
        ..job_row()
    };
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            jobs(vec![heartbeat_row(), bound.clone()]),
            snapshot("2026-11-22T01:50:00.000+00:00", "main", vec![main_row()]),
            run_in(
                "bound-run",
                &bound.id,
                "main",
                (1795312400000, 1795312410000),
                Some(key.into()),
                None,
            ),
            run_in(
                "f5a2389e-cb1b-42e6-aa4f-66177cb12c91",
                HB,
                "main",
                (1795312494848, 1795312496150),
                None,
                None,
            ),
            fact(
                "2026-11-22T01:54:55.339+00:00",
                agent_db("main"),
                FactKind::UserTurn {
                    agent_id: "main".into(),
                    session_id: MAIN_SID.into(),
                    session_key: Some(key.into()),
                    heartbeat: true,
                },
            ),
            usage_in(
                "2026-11-22T01:54:56.087+00:00",
                "main",
                MAIN_SID,
                key,
                0.023529,
            ),
        ],
    );
    let credited: f64 = model.spend.by_cron_job.values().map(|b| b.usd).sum();
    assert!(
        near(credited, 0.023529),
        "booked once over all jobs: {credited}"
    );
    assert!(model.cron.jobs[HB].credited_runs.is_empty());
    assert!(near(model.cron.jobs[HB].cost_usd, 0.0));
    assert_eq!(
        lanetop::domain::run_cost::last_run_cost(&model, &model.cron.jobs[HB]),
        Some(0.023529)
    );
}
