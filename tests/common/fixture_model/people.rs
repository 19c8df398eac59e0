//! Gateway and sessions (with the `agent:main:main` timeline).

use chrono::{DateTime, Utc};
use lanetop::domain::gateway::{Boot, GatewayState};
use lanetop::domain::session::{SessionKind, SessionState, Turn, TurnKind};
use lanetop::domain::{Model, Session};

use super::*;

pub(super) fn gateway(m: &mut Model) {
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
            ..Default::default()
        },
        Boot {
            started_at: Some(t(1, 53, 44)),
            ready_at: Some(t(1, 53, 49)),
            ended_at: None,
            outcome: None,
            reason: None,
            pid: Some(4388),
            boot_id: Some("b-2".into()),
            ..Default::default()
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

pub(super) fn sessions(m: &mut Model) {
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
