//! Detector reproductions built from `Fact`s that mirror real records (the templates of
//! FORMATS*.md / OBSERVED*.md as the log parser types them): each detector fires on its
//! incident with the right subject, evidence lines and USD, and stays silent on the healthy
//! variant.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use lanetop::domain::Model;
use lanetop::domain::detect::{AlertKind, Severity};
use lanetop::fact::*;
use lanetop::msg::Msg;
use lanetop::update::update;

const LOG: &str = "/var/tmp/openclaw/openclaw-2026-11-22.log";

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T01:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn at(min: i64) -> DateTime<Utc> {
    t0() + TimeDelta::minutes(min)
}

fn log(when: DateTime<Utc>, line: u64, session: Option<&str>, ev: LogEvent) -> Fact {
    Fact {
        at: when,
        origin: Origin::line(SourceKind::Log, Arc::from(LOG), line),
        kind: FactKind::Log(Box::new(LogFact {
            level: Level::Warn,
            subsystem: "diagnostic".into(),
            message: String::new(),
            session: session.map(str::to_string),
            agent_id: None,
            hostname: None,
            event: Some(Box::new(ev)),
        })),
    }
}

fn row(agent: &str, key: &str, sid: &str) -> SessionRow {
    SessionRow {
        agent_id: agent.into(),
        key: key.into(),
        session_id: sid.into(),
        status: Some("done".into()),
        ..SessionRow::default()
    }
}

fn snapshot(agent: &str, rows: Vec<SessionRow>) -> Fact {
    Fact {
        at: t0(),
        origin: Origin::new(SourceKind::LegacySessions, Arc::from("/s/sessions.json")),
        kind: FactKind::SessionsSnapshot {
            agent_id: agent.into(),
            rows,
        },
    }
}

fn usage(
    when: DateTime<Utc>,
    line: u64,
    agent: &str,
    sid: &str,
    model: &str,
    cost: Option<f64>,
) -> Fact {
    Fact {
        at: when,
        origin: Origin::line(
            SourceKind::LegacyTranscript,
            Arc::from(format!("/s/{sid}.jsonl")),
            line,
        ),
        kind: FactKind::Usage(Box::new(UsageRecord {
            agent_id: agent.into(),
            session_id: sid.into(),
            model: ModelRef::parse(model).unwrap(),
            input: 1000,
            output: 100,
            total_tokens: 1100,
            cost_usd: cost,
            ..UsageRecord::default()
        })),
    }
}

fn fold(facts: Vec<Fact>) -> Model {
    let mut m = Model::default();
    update(&mut m, Msg::Facts(facts));
    m
}

fn kinds(m: &Model, k: AlertKind) -> Vec<&lanetop::domain::detect::Alert> {
    m.alerts.iter().filter(|a| a.kind == k).collect()
}

fn lines(a: &lanetop::domain::detect::Alert) -> Vec<u64> {
    a.evidence
        .iter()
        .filter_map(|o| match o.locator {
            Locator::Line { line } => Some(line),
            _ => None,
        })
        .collect()
}

/// One takeover as 5.20 logs it: `lane task error` on `main` and on `session:<key>`
/// (captured-legacy lines 1756-1757).
fn takeover(when: DateTime<Utc>, line: u64) -> Vec<Fact> {
    let path = Some("/home/operator/.openclaw/agents/main/sessions/568d898c.jsonl".to_string());
    vec![
        log(
            when,
            line,
            None,
            LogEvent::SessionTakeover {
                lane: Some("main".into()),
                path: path.clone(),
            },
        ),
        log(
            when,
            line + 1,
            None,
            LogEvent::SessionTakeover {
                lane: Some("session:agent:main:main".into()),
                path,
            },
        ),
    ]
}

#[test]
fn takeover_race_fires_on_repeats_only() {
    let base = vec![snapshot(
        "main",
        vec![row("main", "agent:main:main", "568d898c")],
    )];
    let mut once = base.clone();
    once.extend(takeover(at(0), 10));
    let m = fold(once);
    assert!(kinds(&m, AlertKind::TakeoverRace).is_empty());

    let mut twice = base;
    twice.extend(takeover(at(0), 10));
    twice.extend(takeover(at(12), 40));
    let m = fold(twice);
    let a = kinds(&m, AlertKind::TakeoverRace);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].subject, "agent:main:main");
    assert_eq!(a[0].severity, Severity::Warn);
    assert_eq!(lines(a[0]), vec![10, 11, 40, 41]);
    assert_eq!(a[0].remedy.map(|r| r.action_name()), Some("kill-run"));
}

fn run_start(when: DateTime<Utc>, line: u64, run: &str, sid: &str) -> Fact {
    log(
        when,
        line,
        Some(sid),
        LogEvent::RunStarted {
            run_id: run.into(),
            session_id: sid.into(),
            model: ModelRef::parse("anthropic/claude-opus-4-6"),
            channel: Some("telegram".into()),
        },
    )
}

fn tick_line(when: DateTime<Utc>, line: u64) -> Fact {
    log(
        when,
        line,
        None,
        LogEvent::Heartbeat {
            what: "started".into(),
            interval_ms: None,
        },
    )
}

#[test]
fn zombie_run_fires_past_the_limit_and_on_released_zero() {
    let snap = snapshot("main", vec![row("main", "agent:main:main", "s1")]);
    // Started, nothing for 40 minutes.
    let m = fold(vec![
        snap.clone(),
        run_start(at(0), 5, "r1", "s1"),
        tick_line(at(40), 90),
    ]);
    let a = kinds(&m, AlertKind::ZombieRun);
    assert_eq!(a.len(), 1, "{:?}", m.alerts);
    assert_eq!(
        (a[0].subject.as_str(), lines(a[0])),
        ("agent:main:main", vec![5])
    );
    // The same run done: silent.
    let done = log(
        at(2),
        7,
        Some("s1"),
        LogEvent::RunDone {
            run_id: "r1".into(),
            session_id: "s1".into(),
            duration_ms: 120_000,
            aborted: false,
        },
    );
    let m = fold(vec![
        snap.clone(),
        run_start(at(0), 5, "r1", "s1"),
        done,
        tick_line(at(40), 90),
    ]);
    assert!(kinds(&m, AlertKind::ZombieRun).is_empty());
    // Stuck-session recovery that released nothing.
    let stuck = |released| {
        log(
            at(3),
            12,
            None,
            LogEvent::StuckSession {
                session_id: Some("s1".into()),
                session_key: Some("agent:main:main".into()),
                age_s: 612,
                action: Some("abort".into()),
                released,
            },
        )
    };
    let m = fold(vec![snap.clone(), stuck(Some(0))]);
    let a = kinds(&m, AlertKind::ZombieRun);
    assert_eq!((a.len(), lines(a[0])), (1, vec![12]));
    let m = fold(vec![snap, stuck(Some(1))]);
    assert!(kinds(&m, AlertKind::ZombieRun).is_empty());
}

#[test]
fn unpriced_usage_names_the_model_to_price() {
    let snap = snapshot("main", vec![row("main", "agent:main:main", "s1")]);
    let m = fold(vec![
        snap.clone(),
        usage(at(0), 3, "main", "s1", "zhipu/glm-5.1", None),
        usage(
            at(1),
            5,
            "main",
            "s1",
            "anthropic/claude-opus-4-6",
            Some(0.02),
        ),
    ]);
    let a = kinds(&m, AlertKind::UnpricedUsage);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].subject, "zhipu/glm-5.1");
    assert_eq!(a[0].usd, None);
    assert_eq!(lines(a[0]), vec![3]);
    assert!(a[0].cause.contains("1100 tokens"));
    // With a config price the same usage is priced: silent.
    let cfg = Fact {
        at: t0(),
        origin: Origin::new(SourceKind::Config, Arc::from("/s/openclaw.json")),
        kind: FactKind::Config(Box::new(ConfigFacts {
            prices: vec![(
                ModelRef::parse("zhipu/glm-5.1").unwrap(),
                Price {
                    input: 1.0,
                    output: 2.0,
                    ..Price::default()
                },
            )],
            ..ConfigFacts::default()
        })),
    };
    let m = fold(vec![
        cfg,
        snap,
        usage(at(0), 3, "main", "s1", "zhipu/glm-5.1", None),
    ]);
    assert!(kinds(&m, AlertKind::UnpricedUsage).is_empty());
}

fn config_chain(primary: &str, fallback: &str) -> Fact {
    Fact {
        at: t0(),
        origin: Origin::new(SourceKind::Config, Arc::from("/s/openclaw.json")),
        kind: FactKind::Config(Box::new(ConfigFacts {
            default_chain: ModelChain {
                primary: ModelRef::parse(primary),
                fallbacks: vec![ModelRef::parse(fallback).unwrap()],
            },
            agents: vec!["main".into()],
            ..ConfigFacts::default()
        })),
    }
}

#[test]
fn model_drift_when_the_fallback_serves_for_an_hour() {
    let p = "anthropic/claude-opus-4-6";
    let f = "anthropic/claude-sonnet-4-5";
    let turns = |model_at: &dyn Fn(i64) -> &'static str| {
        let mut v = vec![
            config_chain(p, f),
            snapshot("main", vec![row("main", "agent:main:main", "s1")]),
        ];
        for i in 0..10 {
            v.push(usage(
                at(i * 9),
                10 + i as u64,
                "main",
                "s1",
                model_at(i),
                Some(0.1),
            ));
        }
        v
    };
    // 80 minutes of turns, 8 of 10 by the fallback.
    let m = fold(turns(&|i| {
        if i < 2 {
            "anthropic/claude-opus-4-6"
        } else {
            "anthropic/claude-sonnet-4-5"
        }
    }));
    let a = kinds(&m, AlertKind::ModelDrift);
    assert_eq!(a.len(), 1, "{:?}", m.alerts);
    assert_eq!(a[0].subject, "agent:main");
    assert_eq!(a[0].remedy.map(|r| r.action_name()), Some("pin-model"));
    // In the last hour (21..81 min: turns 3..9) the primary served none: 7 off-primary turns.
    assert_eq!(lines(a[0]), vec![13, 14, 15, 16, 17, 18, 19]);
    assert!((a[0].usd.unwrap() - 0.7).abs() < 1e-9);
    // Primary serving: silent.
    let m = fold(turns(&|_| "anthropic/claude-opus-4-6"));
    assert!(kinds(&m, AlertKind::ModelDrift).is_empty());
}

fn decision(
    when: DateTime<Utc>,
    line: u64,
    run: &str,
    sid: &str,
    cand: &str,
    next: Option<&str>,
    attempt: u32,
) -> Fact {
    log(
        when,
        line,
        Some(sid),
        LogEvent::FallbackDecision(Box::new(FallbackDecision {
            run_id: Some(run.into()),
            session_id: Some(sid.into()),
            lane: Some("cron-nested".into()),
            decision: "candidate_failed".into(),
            requested: ModelRef::parse("anthropic/claude-opus-4-6"),
            candidate: ModelRef::parse(cand),
            next: next.and_then(ModelRef::parse),
            reason: Some("rate_limit".into()),
            status: Some(429),
            attempt: Some(attempt),
            total: Some(2),
            final_outcome: if next.is_none() {
                Some("chain_exhausted".into())
            } else {
                Some("next_fallback".into())
            },
            ..FallbackDecision::default()
        })),
    )
}

#[test]
fn retry_storm_live_then_ended() {
    let key = "agent:main:cron:job-1:run:s1";
    let mut facts = vec![snapshot("main", vec![row("main", key, "s1")])];
    for k in 0..3u64 {
        let t = at(k as i64 * 3);
        let run = format!("r{k}");
        facts.push(decision(
            t,
            100 + k * 10,
            &run,
            "s1",
            "anthropic/claude-opus-4-6",
            Some("anthropic/claude-sonnet-4-5"),
            1,
        ));
        facts.push(decision(
            t + TimeDelta::seconds(20),
            101 + k * 10,
            &run,
            "s1",
            "anthropic/claude-sonnet-4-5",
            None,
            2,
        ));
    }
    let m = fold(facts.clone());
    let a = kinds(&m, AlertKind::RetryStorm);
    assert_eq!(a.len(), 1, "{:?}", m.alerts);
    assert_eq!(
        (a[0].subject.as_str(), a[0].severity),
        ("job-1", Severity::Warn)
    );
    assert_eq!(lines(a[0]), vec![100, 101, 110, 111, 120, 121]);
    assert_eq!(a[0].remedy.map(|r| r.action_name()), Some("pause-cron"));
    // Two exhaustions only: silent.
    let m = fold(facts[..5].to_vec());
    assert!(kinds(&m, AlertKind::RetryStorm).is_empty());
    // An hour later the storm has ended: info.
    facts.push(tick_line(at(70), 500));
    let m = fold(facts);
    let a = kinds(&m, AlertKind::RetryStorm);
    assert_eq!((a.len(), a[0].severity), (1, Severity::Info));
}

/// The TUI side: `8` and `:alerts` open the Alerts view; Enter on an alert whose evidence is a
/// buffered log line pins the Logs view on that line; a new critical alert flashes once.
#[test]
fn alerts_view_keys_jump_and_flash() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use lanetop::config::Keymap;
    use lanetop::ui::reduce::handle_key;
    use lanetop::ui::state::{UiState, View};

    let mut facts = vec![snapshot(
        "main",
        vec![row("main", "agent:main:main", "568d898c")],
    )];
    for k in 0..4 {
        facts.extend(takeover(at(k * 5), 10 + k as u64 * 10));
    }
    let m = fold(facts);
    let a = &m.alerts[0];
    assert_eq!(
        (a.kind, a.severity),
        (AlertKind::TakeoverRace, Severity::Crit)
    );
    let km = Keymap::load("default", None).unwrap();
    let key = |ui: &mut UiState, c: KeyCode| {
        handle_key(ui, &m, &km, KeyEvent::new(c, KeyModifiers::NONE));
    };
    let mut ui = UiState::default();
    key(&mut ui, KeyCode::Char('8'));
    assert_eq!(ui.view, View::Alerts);
    key(&mut ui, KeyCode::Char('1'));
    for c in ":alerts".chars() {
        key(&mut ui, KeyCode::Char(c));
    }
    key(&mut ui, KeyCode::Enter);
    assert_eq!(ui.view, View::Alerts);
    key(&mut ui, KeyCode::Enter);
    assert_eq!(ui.view, View::Logs);
    // Pinned on the first evidence line (line 10 of the log: the first buffered entry).
    let first = lanetop::ui::data::first_seq(&m);
    let idx = m
        .logs
        .entries()
        .iter()
        .position(|e| e.origin.locator == Locator::Line { line: 10 })
        .unwrap();
    assert_eq!(ui.logs.cursor, Some(first + idx as u64));

    let mut ui = UiState::default();
    lanetop::app::flash_new_crit(&mut ui, &m);
    let flash = ui.flash.clone().unwrap();
    assert!(flash.starts_with("CRITICAL takeover-race"), "{flash}");
    ui.flash = None;
    lanetop::app::flash_new_crit(&mut ui, &m);
    assert_eq!(ui.flash, None, "flashed once");
}
