//! Builders for hand-made facts in reducer tests. Values are copied from real records of
//! `../shared/openclaw/captured/` (each test cites the lines it mirrors).
#![allow(dead_code)]

pub mod captured;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lanetop::domain::Model;
use lanetop::fact::*;
use lanetop::msg::Msg;

pub const LOG: &str = "/home/operator/lab/logs/openclaw.log";
pub const MAIN_SID: &str = "8e9a3ce9-9e2e-4257-9250-eea30eed5a22";
pub const OPS_SID: &str = "9e873f04-36d3-4d4c-9121-8b770792ebe0";

/// Parse an RFC 3339 time (as the log's `time` field prints it).
pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

pub fn m(s: &str) -> ModelRef {
    ModelRef::parse(s).expect("test model")
}

/// A log fact at `line` of the captured log.
pub fn log(
    line: u64,
    at: &str,
    level: Level,
    subsystem: &str,
    message: &str,
    event: Option<LogEvent>,
) -> Fact {
    Fact {
        at: t(at),
        origin: Origin::line(SourceKind::Log, Arc::from(LOG), line),
        kind: FactKind::Log(Box::new(LogFact {
            level,
            subsystem: subsystem.into(),
            message: message.into(),
            session: None,
            agent_id: None,
            hostname: None,
            event: event.map(Box::new),
        })),
    }
}

/// A typed log event with a plausible level/subsystem.
pub fn ev(line: u64, at: &str, event: LogEvent) -> Fact {
    let (level, sub) = match &event {
        LogEvent::FallbackDecision(_) => (Level::Warn, "model-fallback/decision"),
        LogEvent::LaneWaitExceeded { .. } => (Level::Warn, "diagnostic"),
        LogEvent::LaneTaskError { .. } => (Level::Error, "diagnostic"),
        LogEvent::LaneEnqueued { .. }
        | LogEvent::LaneDequeued { .. }
        | LogEvent::LaneTaskDone { .. } => (Level::Debug, "diagnostic"),
        LogEvent::RunStarted { .. } | LogEvent::RunDone { .. } => (Level::Debug, "agent/embedded"),
        LogEvent::ChainExhausted { .. } => (Level::Error, "openclaw"),
        LogEvent::Gateway(_) => (Level::Info, "gateway"),
        _ => (Level::Info, "test"),
    };
    let text = match &event {
        LogEvent::FallbackDecision(_) => "model fallback decision".to_string(),
        LogEvent::LaneWaitExceeded {
            lane,
            waited_ms,
            queue_ahead,
            ..
        } => {
            format!("lane wait exceeded: lane={lane} waitedMs={waited_ms} queueAhead={queue_ahead}")
        }
        LogEvent::LaneTaskError {
            lane,
            duration_ms,
            error,
        } => {
            format!("lane task error: lane={lane} durationMs={duration_ms} error=\"{error}\"")
        }
        LogEvent::ChainExhausted { attempts, .. } => format!("All models failed ({attempts}): …"),
        other => format!("{other:?}").chars().take(80).collect(),
    };
    log(line, at, level, sub, &text, Some(event))
}

pub fn fact(at: &str, origin: Origin, kind: FactKind) -> Fact {
    Fact {
        at: t(at),
        origin,
        kind,
    }
}

pub fn agent_db(agent: &str) -> Origin {
    Origin::new(
        SourceKind::AgentDb,
        Arc::from(format!(
            "/home/operator/.openclaw/agents/{agent}/agent/openclaw-agent.sqlite"
        )),
    )
}

pub fn state_db() -> Origin {
    Origin::new(
        SourceKind::StateDb,
        Arc::from("/home/operator/.openclaw/state/openclaw.sqlite"),
    )
}

#[allow(clippy::too_many_arguments)]
pub fn decision(
    run: &str,
    sid: &str,
    decision: &str,
    candidate: &str,
    next: Option<&str>,
    reason: Option<&str>,
    status: Option<u16>,
    attempt: u32,
    outcome: &str,
) -> LogEvent {
    LogEvent::FallbackDecision(Box::new(FallbackDecision {
        run_id: Some(run.into()),
        session_id: Some(sid.into()),
        lane: None,
        decision: decision.into(),
        requested: Some(m("fakeprime/fake-primary")),
        candidate: Some(m(candidate)),
        next: next.map(m),
        reason: reason.map(Into::into),
        status,
        attempt: Some(attempt),
        total: Some(3),
        final_outcome: Some(outcome.into()),
        error_preview: None,
        suppressed_duplicates: 0,
    }))
}

/// The `session_nodes` row of `agent:main:main` (captured `main` agent DB).
pub fn main_row() -> SessionRow {
    SessionRow {
        agent_id: "main".into(),
        key: "agent:main:main".into(),
        session_id: MAIN_SID.into(),
        status: Some("done".into()),
        created_via: Some("run".into()),
        ..SessionRow::default()
    }
}

pub fn snapshot(at: &str, agent: &str, rows: Vec<SessionRow>) -> Fact {
    fact(
        at,
        agent_db(agent),
        FactKind::SessionsSnapshot {
            agent_id: agent.into(),
            rows,
        },
    )
}

/// Fold facts one batch at a time, as the app does.
pub fn fold(model: &mut Model, facts: Vec<Fact>) {
    lanetop::update::update(model, Msg::Facts(facts));
}

/// The captured config's chains and prices (`captured/config/openclaw.json`, fake per-million
/// prices 3/15/0.3/3.75).
pub fn config() -> ConfigFacts {
    let price = Price {
        input: 3.0,
        output: 15.0,
        cache_read: 0.3,
        cache_write: 3.75,
    };
    ConfigFacts {
        default_chain: ModelChain {
            primary: Some(m("fakeprime/fake-primary")),
            fallbacks: vec![m("fakeprime/fake-secondary"), m("fakeback/fake-tertiary")],
        },
        agent_chains: vec![(
            "ops".into(),
            ModelChain {
                primary: Some(m("fakeback/fake-tertiary")),
                fallbacks: vec![m("fakeback/fake-backup")],
            },
        )],
        agents: vec!["main".into(), "ops".into(), "research".into()],
        prices: vec![
            (m("fakeprime/fake-primary"), price),
            (m("fakeback/fake-tertiary"), price),
        ],
        main_max_concurrent: Some(4),
        ..ConfigFacts::default()
    }
}

pub fn config_fact(at: &str, c: ConfigFacts) -> Fact {
    fact(
        at,
        Origin::new(
            SourceKind::Config,
            Arc::from("/home/operator/.openclaw/openclaw.json"),
        ),
        FactKind::Config(Box::new(c)),
    )
}

pub const RUN3: &str = "24864ff9-768a-49b4-ad3e-67ea07da96df";

pub fn run_start(line: u64, at: &str, run: &str, model: &str) -> lanetop::fact::Fact {
    ev(
        line,
        at,
        LogEvent::RunStarted {
            run_id: run.into(),
            session_id: MAIN_SID.into(),
            model: Some(m(model)),
            channel: None,
        },
    )
}

/// Phase 3 (lines 289-386): primary 429 → secondary 404 → tertiary ok, run 24864ff9.
pub fn phase3() -> Vec<lanetop::fact::Fact> {
    vec![
        run_start(
            303,
            "2026-11-22T01:49:46.652+00:00",
            RUN3,
            "fakeprime/fake-primary",
        ),
        ev(
            323,
            "2026-11-22T01:49:47.131+00:00",
            decision(
                RUN3,
                MAIN_SID,
                "candidate_failed",
                "fakeprime/fake-primary",
                Some("fakeprime/fake-secondary"),
                Some("rate_limit"),
                Some(429),
                1,
                "next_fallback",
            ),
        ),
        run_start(
            330,
            "2026-11-22T01:49:47.182+00:00",
            RUN3,
            "fakeprime/fake-secondary",
        ),
        ev(
            349,
            "2026-11-22T01:49:47.365+00:00",
            decision(
                RUN3,
                MAIN_SID,
                "candidate_failed",
                "fakeprime/fake-secondary",
                Some("fakeback/fake-tertiary"),
                Some("model_not_found"),
                Some(404),
                2,
                "next_fallback",
            ),
        ),
        run_start(
            355,
            "2026-11-22T01:49:47.419+00:00",
            RUN3,
            "fakeback/fake-tertiary",
        ),
        ev(
            372,
            "2026-11-22T01:49:47.639+00:00",
            LogEvent::RunDone {
                run_id: RUN3.into(),
                session_id: MAIN_SID.into(),
                duration_ms: 263,
                aborted: false,
            },
        ),
        // Line 375: success records carry no `reason` and no next candidate.
        ev(
            375,
            "2026-11-22T01:49:47.675+00:00",
            decision(
                RUN3,
                MAIN_SID,
                "candidate_succeeded",
                "fakeback/fake-tertiary",
                None,
                None,
                None,
                3,
                "succeeded",
            ),
        ),
    ]
}

/// Cron job `lab-main-cron` (f3eb99f7…) as the captured state DB holds it (`cron_jobs`).
pub fn lab_main_cron_job() -> CronJobRow {
    CronJobRow {
        id: "f3eb99f7-0dd4-4302-8637-5f7f34e81ab4".into(),
        name: "lab-main-cron".into(),
        agent_id: Some("main".into()),
        enabled: true,
        schedule: Schedule::Cron {
            expr: "* * * * *".into(),
            tz: None,
        },
        session_target: Some("isolated".into()),
        session_key: None,
        payload_kind: "agentTurn".into(),
        model: None,
        declaration_key: None,
        next_run_at_ms: Some(1795312740000),
        last_run_at_ms: Some(1795312680015),
        last_run_status: Some("ok".into()),
        last_duration_ms: Some(2170),
        last_error: None,
        consecutive_errors: Some(0),
        running_at_ms: None,
    }
}

/// One assistant turn of `agent:main:main` (transcript usage; `cost` = `usage.cost.total`, USD).
pub fn main_usage(at: &str, model: &str, input: u64, output: u64, cost: Option<f64>) -> Fact {
    fact(
        at,
        agent_db("main"),
        FactKind::Usage(Box::new(UsageRecord {
            agent_id: "main".into(),
            session_id: MAIN_SID.into(),
            session_key: Some("agent:main:main".into()),
            model: m(model),
            input,
            output,
            total_tokens: input + output,
            cost_usd: cost,
            ..UsageRecord::default()
        })),
    )
}
