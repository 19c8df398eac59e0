//! A fixture [`Model`] with realistic values copied from the real 2026.9.6 capture
//! (`../shared/openclaw/captured`: host `vm`, agents main/ops/research, models
//! fakeprime/fake-primary → fakeprime/fake-secondary → fakeback/fake-tertiary, lanes `main` and
//! `session:agent:main:main`, cron jobs heartbeat-main, lab-main-cron, …).
//!
//! Kept apart from the snapshot assertions so it can later be replaced by the real pipeline
//! (ingest → update) over the captured artifacts.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use lanetop::domain::cascade::{Episode, FallbackStep};
use lanetop::domain::gateway::{Boot, GatewayState};
use lanetop::domain::session::{SessionKind, SessionState, Turn, TurnKind};
use lanetop::domain::spend::SpendBucket;
use lanetop::domain::{CronJob, Lane, LogEntry, Model, Session, SourceStatus, Warning};
use lanetop::fact::{
    CronJobRow, CronRunRow, Level, ModelRef, Origin, Schedule, SourceHealth, SourceKind,
};

/// The fixed clock of every snapshot: shortly after the last captured log line.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 1, 58, 30)
        .single()
        .expect("valid fixed time")
}

fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, h, m, s)
        .single()
        .expect("valid time")
}

fn mr(s: &str) -> ModelRef {
    ModelRef::parse(s).expect("provider/model")
}

fn log_origin(line: u64) -> Origin {
    Origin::line(
        SourceKind::Log,
        Arc::from("/tmp/openclaw/openclaw-2026-11-22.log"),
        line,
    )
}

const MAIN_CRON: &str = "f3eb99f7-0dd4-4302-8637-5f7f34e81ab4";
const OPS_CRON: &str = "007ab091-ffcc-493b-979a-d1207036802e";
const RESEARCH_CRON: &str = "3bf435b6-ac50-421e-9002-cf16e51b5641";
const HB_MAIN: &str = "99683efa-48c2-40fb-ba09-1d0804c81310";
const HB_OPS: &str = "cbb0b8f0-e61b-4f61-97d6-3ce29e9d36f5";

/// Build the fixture model.
pub fn fixture_model() -> Model {
    let mut m = Model {
        now: Some(now()),
        ..Model::default()
    };
    gateway(&mut m);
    sessions(&mut m);
    lanes(&mut m);
    cascades(&mut m);
    spend(&mut m);
    cron(&mut m);
    logs(&mut m);
    sources(&mut m);
    m
}

fn gateway(m: &mut Model) {
    let g = &mut m.gateway;
    g.version = Some("2026.9.6".into());
    g.hostname = Some("vm".into());
    g.state = GatewayState::Up;
    g.last_seen = Some(t(1, 58, 21));
    g.reachable = Some(false);
    g.default_model = Some(mr("fakeprime/fake-primary"));
    g.boots = vec![
        Boot {
            started_at: Some(t(1, 49, 17)),
            ready_at: Some(t(1, 49, 21)),
            ended_at: Some(t(1, 53, 40)),
            outcome: Some("SIGTERM".into()),
            reason: None,
            pid: Some(4121),
            boot_id: Some("b-1".into()),
        },
        Boot {
            started_at: Some(t(1, 53, 44)),
            ready_at: Some(t(1, 53, 49)),
            ended_at: None,
            outcome: None,
            reason: None,
            pid: Some(4388),
            boot_id: Some("b-2".into()),
        },
    ];
}

#[allow(clippy::too_many_arguments)]
fn session(
    key: &str,
    agent: &str,
    kind: SessionKind,
    state: SessionState,
    model: &str,
    tokens: u64,
    cost: f64,
    last: DateTime<Utc>,
) -> Session {
    Session {
        key: key.into(),
        agent_id: agent.into(),
        session_id: format!("sid-{}", key.len()),
        kind,
        state,
        configured_model: Some(mr("fakeprime/fake-primary")),
        current_model: Some(mr(model)),
        last_activity: Some(last),
        tokens,
        cost_usd: cost,
        ..Session::default()
    }
}

fn sessions(m: &mut Model) {
    let mut main = session(
        "agent:main:main",
        "main",
        SessionKind::Main,
        SessionState::Running,
        "fakeback/fake-tertiary",
        48_210,
        0.1432,
        t(1, 58, 19),
    );
    main.session_id = "8e9a3ce9-9e2e-4257-9250-eea30eed5a22".into();
    main.status = Some("running".into());
    main.queued = 1;
    main.fallback_episodes = 2;
    main.active_runs = vec!["24864ff9-768a-49b4-ad3e-67ea07da96df".into()];
    let o = log_origin(812);
    let run = "24864ff9-768a-49b4-ad3e-67ea07da96df".to_string();
    main.turns = [
        (t(1, 57, 2), TurnKind::User { heartbeat: false }),
        (
            t(1, 57, 2),
            TurnKind::RunStarted {
                run_id: run.clone(),
            },
        ),
        (
            t(1, 57, 3),
            TurnKind::Fallback {
                from: Some(mr("fakeprime/fake-primary")),
                to: Some(mr("fakeprime/fake-secondary")),
                reason: Some("rate_limit".into()),
                status: Some(429),
            },
        ),
        (
            t(1, 57, 4),
            TurnKind::Fallback {
                from: Some(mr("fakeprime/fake-secondary")),
                to: Some(mr("fakeback/fake-tertiary")),
                reason: Some("model_not_found".into()),
                status: Some(404),
            },
        ),
        (
            t(1, 57, 7),
            TurnKind::Assistant {
                model: mr("fakeback/fake-tertiary"),
                tokens: 12_408,
                cost_usd: Some(0.0372),
                stop_reason: Some("stop".into()),
                error: None,
            },
        ),
        (
            t(1, 57, 7),
            TurnKind::RunEnded {
                run_id: run,
                outcome: "stop".into(),
            },
        ),
        (t(1, 58, 1), TurnKind::User { heartbeat: true }),
        (
            t(1, 58, 2),
            TurnKind::Assistant {
                model: mr("fakeprime/fake-primary"),
                tokens: 9_120,
                cost_usd: None,
                stop_reason: Some("stop".into()),
                error: None,
            },
        ),
    ]
    .into_iter()
    .map(|(at, kind)| Turn {
        at,
        kind,
        origin: o.clone(),
    })
    .collect();
    let mut list = vec![
        main,
        session(
            "agent:ops:main",
            "ops",
            SessionKind::Main,
            SessionState::Idle,
            "fakeprime/fake-primary",
            21_930,
            0.0658,
            t(1, 56, 40),
        ),
        session(
            "agent:research:main",
            "research",
            SessionKind::Main,
            SessionState::Idle,
            "fakeprime/fake-primary",
            18_004,
            0.0540,
            t(1, 55, 12),
        ),
        session(
            &format!("agent:main:cron:{MAIN_CRON}"),
            "main",
            SessionKind::CronJob,
            SessionState::Idle,
            "fakeprime/fake-primary",
            30_112,
            0.0903,
            t(1, 58, 3),
        ),
        session(
            &format!("agent:main:cron:{MAIN_CRON}:run:4291ada2-9349-4bbb-b999-cdc1f9b477ce"),
            "main",
            SessionKind::CronRun,
            SessionState::Stale,
            "fakeprime/fake-primary",
            6_020,
            0.0181,
            t(1, 51, 3),
        ),
        session(
            &format!("agent:ops:cron:{OPS_CRON}"),
            "ops",
            SessionKind::CronJob,
            SessionState::Queued,
            "fakeprime/fake-primary",
            27_540,
            0.0826,
            t(1, 58, 11),
        ),
        session(
            &format!("agent:research:cron:{RESEARCH_CRON}"),
            "research",
            SessionKind::CronJob,
            SessionState::Failed,
            "fakeback/fake-backup",
            25_377,
            0.0024,
            t(1, 58, 13),
        ),
    ];
    list[3].cron_job_id = Some(MAIN_CRON.into());
    list[4].cron_job_id = Some(MAIN_CRON.into());
    list[5].cron_job_id = Some(OPS_CRON.into());
    list[6].cron_job_id = Some(RESEARCH_CRON.into());
    list[6].fallback_episodes = 1;
    list[2].unpriced_tokens = 4_200;
    for s in list {
        m.sessions
            .key_by_session_id
            .insert(s.session_id.clone(), s.key.clone());
        m.sessions.by_key.insert(s.key.clone(), s);
    }
}

#[allow(clippy::too_many_arguments)]
fn lane(
    name: &str,
    limit: Option<u32>,
    active: u32,
    queued: u32,
    waits: &[u64],
    exceeded: u64,
    done: u64,
    errors: u64,
) -> Lane {
    Lane {
        name: name.into(),
        limit,
        active,
        queued,
        recent_waits: waits
            .iter()
            .enumerate()
            .map(|(i, w)| (t(1, 50, i as u32), *w))
            .collect(),
        wait_exceeded: exceeded,
        tasks_done: done,
        task_errors: errors,
        last_seen: Some(t(1, 58, 19)),
    }
}

fn lanes(m: &mut Model) {
    for l in [
        lane("main", Some(4), 1, 0, &[2, 3, 2047, 5, 12], 0, 83, 0),
        lane(
            "session:agent:main:main",
            Some(1),
            1,
            1,
            &[4, 7281, 7281, 15],
            2,
            73,
            1,
        ),
        lane("cron-nested", None, 0, 0, &[1, 2, 2], 0, 74, 0),
        lane("session:agent:ops:main", Some(1), 0, 0, &[3, 9], 0, 15, 0),
        lane(
            &format!("session:agent:research:cron:{RESEARCH_CRON}"),
            Some(1),
            0,
            0,
            &[1, 1],
            0,
            24,
            2,
        ),
    ] {
        m.lanes.by_name.insert(l.name.clone(), l);
    }
}

fn step(
    at: DateTime<Utc>,
    decision: &str,
    from: &str,
    to: &str,
    reason: Option<&str>,
    status: Option<u16>,
) -> FallbackStep {
    FallbackStep {
        at,
        decision: decision.into(),
        from: Some(mr(from)),
        to: Some(mr(to)),
        reason: reason.map(str::to_owned),
        status,
        origin: log_origin(800),
    }
}

fn cascades(m: &mut Model) {
    let older = Episode {
        id: 1,
        session: Some("8e9a3ce9-9e2e-4257-9250-eea30eed5a22".into()),
        run_id: Some("0b51f0d2-2c55-4c1e-a1b0-5b0e5a7d3c11".into()),
        steps: vec![
            step(
                t(1, 52, 10),
                "candidate_failed",
                "fakeprime/fake-primary",
                "fakeprime/fake-secondary",
                Some("rate_limit"),
                Some(429),
            ),
            step(
                t(1, 52, 11),
                "candidate_failed",
                "fakeprime/fake-secondary",
                "fakeback/fake-tertiary",
                Some("model_not_found"),
                Some(404),
            ),
        ],
        outcome: Some("exhausted".into()),
        started: Some(t(1, 52, 10)),
        ended: Some(t(1, 52, 12)),
        boot: 0,
        replayed_after_boot: false,
    };
    let newest = Episode {
        id: 2,
        session: Some("agent:main:main".into()),
        run_id: Some("24864ff9-768a-49b4-ad3e-67ea07da96df".into()),
        steps: vec![
            step(
                t(1, 57, 3),
                "candidate_failed",
                "fakeprime/fake-primary",
                "fakeprime/fake-secondary",
                Some("rate_limit"),
                Some(429),
            ),
            step(
                t(1, 57, 4),
                "candidate_failed",
                "fakeprime/fake-secondary",
                "fakeback/fake-tertiary",
                Some("model_not_found"),
                Some(404),
            ),
            step(
                t(1, 57, 6),
                "candidate_succeeded",
                "fakeprime/fake-secondary",
                "fakeback/fake-tertiary",
                None,
                None,
            ),
        ],
        outcome: Some("succeeded".into()),
        started: Some(t(1, 57, 3)),
        ended: Some(t(1, 57, 6)),
        boot: 1,
        replayed_after_boot: true,
    };
    m.cascades.episodes.extend([older, newest]);
    let c = &mut m.cascades.counters;
    c.decisions = 18;
    c.by_reason.insert("rate_limit".into(), 7);
    c.by_reason.insert("model_not_found".into(), 6);
    c.by_decision.insert("candidate_failed".into(), 13);
    c.by_decision.insert("candidate_succeeded".into(), 5);
    c.same_model_retries = 4;
    c.chain_exhausted = 1;
    c.model_switches = 2;
}

fn bucket(usd: f64, tokens: u64, unpriced: u64, turns: u64) -> SpendBucket {
    SpendBucket {
        usd,
        tokens,
        unpriced_tokens: unpriced,
        turns,
    }
}

fn spend(m: &mut Model) {
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
    }
}

fn cron(m: &mut Model) {
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

fn logs(m: &mut Model) {
    let lines: &[(DateTime<Utc>, Level, &str, &str)] = &[
        (
            t(1, 49, 17),
            Level::Debug,
            "state/sqlite",
            "SQLite read-only snapshot for /home/operator/.openclaw/state/openclaw.sqlite: 1.4 MiB, budget 302 seconds",
        ),
        (t(1, 49, 21), Level::Info, "gateway", "gateway ready"),
        (
            t(1, 53, 40),
            Level::Info,
            "gateway",
            "signal SIGTERM received",
        ),
        (t(1, 53, 49), Level::Info, "gateway", "gateway ready"),
        (
            t(1, 57, 2),
            Level::Debug,
            "diagnostic",
            "lane enqueue: lane=session:agent:main:main queueSize=1",
        ),
        (
            t(1, 57, 2),
            Level::Info,
            "agent/embedded",
            "embedded run start: runId=24864ff9-768a-49b4-ad3e-67ea07da96df sessionId=8e9a3ce9-9e2e-4257-9250-eea30eed5a22 provider=fakeprime model=fake-primary",
        ),
        (
            t(1, 57, 3),
            Level::Warn,
            "model-fallback/decision",
            "model fallback decision: candidate_failed fakeprime/fake-primary reason=rate_limit status=429",
        ),
        (
            t(1, 57, 4),
            Level::Warn,
            "model-fallback/decision",
            "model fallback decision: candidate_failed fakeprime/fake-secondary reason=model_not_found status=404",
        ),
        (
            t(1, 57, 6),
            Level::Info,
            "model-fallback/decision",
            "model fallback decision: candidate_succeeded fakeback/fake-tertiary",
        ),
        (
            t(1, 57, 7),
            Level::Debug,
            "diagnostic",
            "lane task done: lane=main durationMs=2047 active=0 queued=0",
        ),
        (
            t(1, 57, 9),
            Level::Warn,
            "diagnostic",
            "lane wait exceeded: lane=session:agent:main:main waitedMs=7281 queueAhead=0 activeAhead=1 activeNow=0 queueBehind=1",
        ),
        (
            t(1, 57, 20),
            Level::Warn,
            "session-sqlite",
            "slow SQLite session write {\"durationMs\":412}",
        ),
        (
            t(1, 57, 41),
            Level::Info,
            "plugins",
            "plugin registry refreshed: 14 plugins",
        ),
        (
            t(1, 58, 0),
            Level::Info,
            "cron",
            "cron: job lab-main-cron started",
        ),
        (
            t(1, 58, 3),
            Level::Error,
            "agent/embedded",
            "embedded run agent end: isError=true provider=fakeback model=fake-backup error=fetch timeout reached",
        ),
        (
            t(1, 58, 9),
            Level::Warn,
            "provider-transport-fetch",
            "fetch timeout reached; aborting operation",
        ),
        (
            t(1, 58, 13),
            Level::Info,
            "cron",
            "cron: job lab-research-backup-model finished status=ok",
        ),
        (
            t(1, 58, 19),
            Level::Debug,
            "diagnostic",
            "lane task done: lane=session:agent:main:main durationMs=17240 active=1 queued=1",
        ),
        (
            t(1, 58, 21),
            Level::Info,
            "agents/session-maintenance",
            "session maintenance pass: 7 sessions, 0 pruned",
        ),
    ];
    for (i, (at, level, sub, msg)) in lines.iter().enumerate() {
        let origin = log_origin(1000 + i as u64);
        m.logs.entries.push_back(LogEntry {
            at: *at,
            level: *level,
            subsystem: (*sub).into(),
            message: (*msg).into(),
            origin: origin.clone(),
            typed: true,
        });
        if *level >= Level::Warn {
            m.logs.warnings.push_back(Warning {
                at: *at,
                level: *level,
                text: format!("[{sub}] {msg}"),
                origin,
            });
        }
    }
    // 1,000 earlier lines fell out of the buffer.
    m.logs.total = 1000 + lines.len() as u64;
}

fn sources(m: &mut Model) {
    let src = |path: &str, health: SourceHealth, at| SourceStatus {
        path: path.into(),
        health,
        at,
    };
    m.sources.insert(
        "log".into(),
        src(
            "/tmp/openclaw/openclaw-2026-11-22.log",
            SourceHealth::Ok {
                detail: "offset 1.9 MB".into(),
            },
            t(1, 58, 21),
        ),
    );
    m.sources.insert(
        "agent-db:main".into(),
        src(
            "/home/operator/.openclaw/agents/main/agent/openclaw-agent.sqlite",
            SourceHealth::Ok {
                detail: "7 rows".into(),
            },
            t(1, 58, 28),
        ),
    );
    m.sources.insert(
        "state-db".into(),
        src(
            "/home/operator/.openclaw/state/openclaw.sqlite",
            SourceHealth::Ok {
                detail: "8 jobs".into(),
            },
            t(1, 58, 25),
        ),
    );
}
