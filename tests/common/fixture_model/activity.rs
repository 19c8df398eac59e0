//! Lanes, cascades, log lines and source health.

use chrono::{DateTime, Utc};
use lanetop::domain::cascade::{Episode, FallbackStep};
use lanetop::domain::{Lane, Model, SourceStatus, Warning};
use lanetop::fact::{Level, SourceHealth};

use super::*;

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

pub(super) fn lanes(m: &mut Model) {
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

pub(super) fn cascades(m: &mut Model) {
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
        ..Default::default()
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
        ..Default::default()
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

pub(super) fn logs(m: &mut Model) {
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
        m.logs.push(*at, *level, sub, msg, origin.clone(), true);
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

pub(super) fn sources(m: &mut Model) {
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
