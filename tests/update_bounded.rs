//! Bounded memory: 100k facts leave every buffer at its cap.

mod common;
mod facts;

use std::sync::Arc;

use chrono::TimeDelta;
use facts::*;
use lanetop::domain::Model;
use lanetop::fact::{Fact, FactKind, Level, LogEvent, Origin, SourceKind, UsageRecord};

#[test]
fn buffers_stay_bounded_after_100k_facts() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T00:00:00.000+00:00",
            "main",
            vec![main_row()],
        )],
    );
    let t0 = t("2026-11-22T00:00:00.000+00:00");
    let mut batch: Vec<Fact> = Vec::new();
    for i in 0..100_000u64 {
        let at = t0 + TimeDelta::milliseconds(i as i64 * 100);
        let run = format!("run-{i}");
        let kind = match i % 10 {
            0 => FactKind::Log(Box::new(lanetop::fact::LogFact {
                level: Level::Warn,
                subsystem: "model-fallback/decision".into(),
                message: "model fallback decision".into(),
                session: None,
                agent_id: None,
                hostname: None,
                event: Some(Box::new(decision(
                    &run,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-primary",
                    Some("fakeprime/fake-secondary"),
                    Some("rate_limit"),
                    Some(429),
                    1,
                    "next_fallback",
                ))),
            })),
            1 => FactKind::Log(Box::new(lanetop::fact::LogFact {
                level: Level::Warn,
                subsystem: "diagnostic".into(),
                message: "lane wait exceeded".into(),
                session: None,
                agent_id: None,
                hostname: None,
                event: Some(Box::new(LogEvent::LaneWaitExceeded {
                    lane: "session:agent:main:main".to_string(),
                    waited_ms: i,
                    queue_ahead: 0,
                    active_ahead: Some(1),
                    active_now: Some(0),
                    queue_behind: Some(0),
                })),
            })),
            2 => FactKind::Log(Box::new(lanetop::fact::LogFact {
                level: Level::Debug,
                subsystem: "agent/embedded".into(),
                message: "embedded run start".into(),
                session: None,
                agent_id: None,
                hostname: None,
                event: Some(Box::new(LogEvent::RunStarted {
                    run_id: run.clone(),
                    session_id: MAIN_SID.into(),
                    model: None,
                    channel: None,
                })),
            })),
            3 => FactKind::CorruptLine {
                error: "bad json".into(),
                excerpt: "{\"0\":".into(),
            },
            4 => FactKind::Usage(Box::new(UsageRecord {
                agent_id: "main".into(),
                session_id: MAIN_SID.into(),
                session_key: Some("agent:main:main".into()),
                model: m("fakeprime/fake-primary"),
                input: 10,
                output: 1,
                total_tokens: 11,
                cost_usd: Some(0.000045),
                ..UsageRecord::default()
            })),
            5 => FactKind::UserTurn {
                agent_id: "main".into(),
                session_id: MAIN_SID.into(),
                session_key: None,
                heartbeat: false,
            },
            _ => FactKind::Log(Box::new(lanetop::fact::LogFact {
                level: Level::Info,
                subsystem: "gateway".into(),
                message: format!("line {i}"),
                session: Some(MAIN_SID.into()),
                agent_id: None,
                hostname: None,
                event: None,
            })),
        };
        batch.push(Fact {
            at,
            origin: Origin::line(SourceKind::Log, Arc::from(LOG), i + 1),
            kind,
        });
        if batch.len() == 1000 {
            fold(&mut model, std::mem::take(&mut batch));
        }
    }
    fold(&mut model, batch);

    assert_eq!(model.logs.total, 70_000, "every Log fact counted");
    assert!(model.logs.len() <= model.logs.cap);
    assert_eq!(model.logs.len(), 20_000);
    assert_eq!(model.logs.warnings.len(), 200);
    assert_eq!(model.logs.warnings_total, 20_000);
    assert_eq!(model.corrupt.count, 10_000);
    assert_eq!(model.corrupt.recent.len(), 50);
    assert_eq!(model.cascades.counters.decisions, 10_000);
    assert_eq!(model.cascades.episodes.len(), 500);
    assert!(model.cascades.open.len() <= 500);
    let lane = &model.lanes.by_name["session:agent:main:main"];
    assert_eq!(lane.wait_exceeded, 10_000);
    assert_eq!(lane.recent_waits.len(), 256);
    let s = &model.sessions.by_key["agent:main:main"];
    assert_eq!(s.turns.len(), 500);
    assert_eq!(s.active_runs.len(), 32, "runs never marked done are capped");
    assert_eq!(s.usage_turns, 10_000);
    assert_eq!(s.user_turns, 10_000);
    assert_eq!(model.sessions.by_key.len(), 1, "no growth in sessions");
    assert!(model.sessions.session_id_by_run.len() <= 4096);
    assert!(model.sessions.run_order.len() <= 4096);
    assert!(model.spend.by_minute.len() <= 120);
    assert_eq!(model.spend.total.turns, 10_000);
}

/// A log naming 20k distinct cron-run sessions and lanes (a 1 GB log does): log-only sessions
/// and idle `session:*` lanes are bounded; store sessions and lanes with waits are always kept.
#[test]
fn log_only_sessions_and_session_lanes_are_bounded() {
    use lanetop::update::{LOG_ONLY_SESSIONS_CAP, SESSION_LANES_CAP};
    let mut model = Model::default();
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T00:00:00.000+00:00",
            "main",
            vec![main_row()],
        )],
    );
    let t0 = t("2026-11-22T00:00:00.000+00:00");
    let log = |at, lane: String, event| Fact {
        at,
        origin: Origin::line(SourceKind::Log, Arc::from("openclaw.log"), 1),
        kind: FactKind::Log(Box::new(lanetop::fact::LogFact {
            level: Level::Debug,
            subsystem: "diagnostic".into(),
            message: format!("lane task done: lane={lane}"),
            session: None,
            agent_id: None,
            hostname: None,
            event: Some(Box::new(event)),
        })),
    };
    let waited = "session:agent:ops:cron:job:run:waited".to_string();
    let mut batch = vec![log(
        t0,
        waited.clone(),
        LogEvent::LaneWaitExceeded {
            lane: waited.clone(),
            waited_ms: 9000,
            queue_ahead: 0,
            active_ahead: Some(1),
            active_now: Some(0),
            queue_behind: Some(0),
        },
    )];
    for i in 0..20_000i64 {
        let lane = format!("session:agent:ops:cron:job:run:{i:05}");
        let at = t0 + TimeDelta::seconds(i + 1);
        batch.push(log(
            at,
            lane.clone(),
            LogEvent::LaneTaskDone {
                lane: lane.clone(),
                duration_ms: 10,
                active: 0,
                queued: 0,
            },
        ));
        let (run_id, session_id) = (format!("run-{i}"), format!("sid-{i:05}"));
        batch.push(log(
            at,
            lane.clone(),
            LogEvent::RunStarted {
                run_id: run_id.clone(),
                session_id: session_id.clone(),
                model: None,
                channel: None,
            },
        ));
        batch.push(log(
            at,
            lane,
            LogEvent::RunDone {
                run_id,
                session_id,
                duration_ms: 5,
                aborted: false,
            },
        ));
        if batch.len() == 512 {
            fold(&mut model, std::mem::take(&mut batch));
        }
    }
    fold(&mut model, batch);
    let n = model.sessions.by_key.len();
    assert!(
        (LOG_ONLY_SESSIONS_CAP * 3 / 4..=LOG_ONLY_SESSIONS_CAP + 512).contains(&n),
        "{n}"
    );
    assert!(
        model.lanes.by_name.len() <= SESSION_LANES_CAP + 512,
        "{}",
        model.lanes.by_name.len()
    );
    assert!(
        model.sessions.by_key.contains_key("agent:main:main"),
        "store sessions are kept"
    );
    assert_eq!(
        model.lanes.by_name[&waited].wait_exceeded, 1,
        "lanes with waits are kept"
    );
    assert!(
        model
            .lanes
            .by_name
            .contains_key("session:agent:ops:cron:job:run:19999"),
        "the most recent lanes are kept"
    );
    assert!(
        !model
            .lanes
            .by_name
            .contains_key("session:agent:ops:cron:job:run:00000"),
        "the oldest idle lanes go first"
    );
}

/// A store of 10,000 sessions (the soak's, `scripts/soak.sh`) is not log-only: the log-only
/// sessions a log names stay in the model below the cap (they were all evicted on every batch
/// when the cap counted store sessions too).
#[test]
fn a_big_store_does_not_evict_log_only_sessions() {
    let mut model = Model::default();
    let rows: Vec<_> = (0..10_000)
        .map(|i| lanetop::fact::SessionRow {
            key: format!("agent:main:cron:job:run:store-{i:05}"),
            session_id: format!("store-sid-{i:05}"),
            ..main_row()
        })
        .collect();
    fold(
        &mut model,
        vec![snapshot("2026-11-22T00:00:00.000+00:00", "main", rows)],
    );
    assert_eq!(model.sessions.by_key.len(), 10_000);
    let t0 = t("2026-11-22T00:00:00.000+00:00");
    for batch in 0..3i64 {
        let facts = (0..100i64)
            .map(|i| Fact {
                at: t0 + TimeDelta::seconds(batch * 100 + i + 1),
                origin: Origin::line(SourceKind::Log, Arc::from("openclaw.log"), 1),
                kind: FactKind::Log(Box::new(lanetop::fact::LogFact {
                    level: Level::Debug,
                    subsystem: "agent/embedded".into(),
                    message: "embedded run start".into(),
                    session: None,
                    agent_id: None,
                    hostname: None,
                    event: Some(Box::new(LogEvent::RunStarted {
                        run_id: format!("run-{batch}-{i}"),
                        session_id: format!("log-sid-{batch}-{i}"),
                        model: None,
                        channel: None,
                    })),
                })),
            })
            .collect();
        fold(&mut model, facts);
    }
    assert_eq!(
        model.sessions.by_key.len(),
        10_300,
        "10,000 store sessions + 300 log-only sessions, none evicted"
    );
}

/// Log-only sessions that spent money are evicted too past the cap (a minute-cron job names a
/// new `…:run:<sessionId>` session every minute, forever; the soak's RSS grew from 104 to 430 MB
/// in an hour when every session with spend was kept), and no money is lost: the totals keep
/// it, and the evicted sessions' buckets are summed into one `(evicted sessions)` bucket.
#[test]
fn evicted_sessions_keep_their_spend() {
    use lanetop::update::{EVICTED_SESSIONS, LOG_ONLY_SESSIONS_CAP};
    let mut model = Model::default();
    let t0 = t("2026-11-22T00:00:00.000+00:00");
    let mut batch = Vec::new();
    let n = 3 * LOG_ONLY_SESSIONS_CAP as i64;
    for i in 0..n {
        let at = t0 + TimeDelta::seconds(i);
        batch.push(Fact {
            at,
            origin: agent_db("ops"),
            kind: FactKind::Usage(Box::new(UsageRecord {
                agent_id: "ops".into(),
                session_id: format!("sid-{i:05}"),
                session_key: Some(format!("agent:ops:cron:job:run:sid-{i:05}")),
                model: m("fakeprime/fake-primary"),
                input: 1000,
                output: 10,
                total_tokens: 1010,
                cost_usd: Some(0.25),
                ..UsageRecord::default()
            })),
        });
        if batch.len() == 512 {
            fold(&mut model, std::mem::take(&mut batch));
        }
    }
    fold(&mut model, batch);
    let kept = model.sessions.by_key.len();
    assert!(kept <= LOG_ONLY_SESSIONS_CAP + 512, "{kept} sessions kept");
    let sp = &model.spend;
    assert_eq!(sp.total.turns, n as u64);
    assert!(
        (sp.total.usd - 0.25 * n as f64).abs() < 1e-6,
        "{}",
        sp.total.usd
    );
    let evicted = sp.by_session[EVICTED_SESSIONS];
    assert_eq!(evicted.turns, n as u64 - (sp.by_session.len() as u64 - 1));
    let sum: f64 = sp.by_session.values().map(|b| b.usd).sum();
    assert!(
        (sum - sp.total.usd).abs() < 1e-6,
        "by_session sums to the total"
    );
    assert_eq!(sp.by_session.len() - 1, kept, "one bucket per kept session");
    let last = format!("agent:ops:cron:job:run:sid-{:05}", n - 1);
    assert!(
        model.sessions.by_key.contains_key(&last),
        "the newest is kept"
    );
    assert!(
        !model
            .sessions
            .by_key
            .contains_key("agent:ops:cron:job:run:sid-00000")
    );
}

/// One $0.01, 10-token turn of cron-run session `i` of agent `ops` (a log-only session key).
fn ops_turn(i: usize, at: chrono::DateTime<chrono::Utc>) -> Fact {
    Fact {
        at,
        origin: agent_db("ops"),
        kind: FactKind::Usage(Box::new(UsageRecord {
            agent_id: "ops".into(),
            session_id: format!("sid-{i:06}"),
            session_key: Some(format!("agent:ops:cron:job:run:sid-{i:06}")),
            model: m("fakeprime/fake-primary"),
            input: 10,
            total_tokens: 10,
            cost_usd: Some(0.01),
            ..UsageRecord::default()
        })),
    }
}

/// Under a live clock (the TUI, `lanetop watch`), a model over
/// `DEFER_REFRESH_SESSIONS` sessions is refreshed by the next `Tick`, not after every batch
/// (per batch, the refresh cost a whole core in the soak); without ticks, every batch refreshes.
#[test]
fn big_models_refresh_on_tick_not_per_batch() {
    use lanetop::msg::Msg;
    use lanetop::update::{DEFER_REFRESH_SESSIONS, LOG_ONLY_SESSIONS_CAP, update};
    let t0 = t("2026-11-22T00:00:00.000+00:00");
    let n = 2 * LOG_ONLY_SESSIONS_CAP;
    assert!(n > DEFER_REFRESH_SESSIONS);
    let batch = || (0..n).map(|i| ops_turn(i, t0)).collect::<Vec<_>>();

    // No ticks: the batch is refreshed (and bounded) at once.
    let mut plain = Model::default();
    fold(&mut plain, batch());
    assert!(plain.sessions.by_key.len() <= LOG_ONLY_SESSIONS_CAP);

    // Live clock: the batch is folded, the refresh (and the eviction in it) waits for the tick.
    let mut live = Model::default();
    update(&mut live, Msg::Tick(t0));
    fold(&mut live, batch());
    assert_eq!(live.sessions.by_key.len(), n, "refresh deferred");
    assert_eq!(live.spend.total.turns, n as u64, "facts are folded at once");
    update(&mut live, Msg::Tick(t0 + TimeDelta::seconds(1)));
    assert!(
        live.sessions.by_key.len() <= LOG_ONLY_SESSIONS_CAP,
        "the tick refreshed"
    );
    assert_eq!(live.sessions.by_key.len(), plain.sessions.by_key.len());
}

/// A deferred refresh does not defer eviction: between two ticks a backlog can fold hundreds of
/// thousands of lines, and the sessions they name must stay bounded (the TUI peaked at 69 MB on
/// a 1 GB backlog before, 53 MB after). Four batches of 8,192 new sessions each, no tick: the
/// model is checked every `BOUND_EVERY_FACTS` facts, so it ends within the cap, with every
/// turn's spend kept.
#[test]
fn deferred_refresh_still_evicts_every_bound_period() {
    use lanetop::msg::Msg;
    use lanetop::update::{BOUND_EVERY_FACTS, LOG_ONLY_SESSIONS_CAP, update};
    let t0 = t("2026-11-22T00:00:00.000+00:00");
    let per = 2 * LOG_ONLY_SESSIONS_CAP;
    assert_eq!(2 * per, BOUND_EVERY_FACTS, "a check every two batches");
    let mut live = Model::default();
    update(&mut live, Msg::Tick(t0));
    let mut most = 0;
    for b in 0..4 {
        let batch: Vec<Fact> = (b * per..(b + 1) * per).map(|i| ops_turn(i, t0)).collect();
        update(&mut live, Msg::Facts(batch));
        most = most.max(live.sessions.by_key.len());
    }
    assert!(
        live.sessions.by_key.len() <= LOG_ONLY_SESSIONS_CAP,
        "{} sessions after 4 batches without a tick",
        live.sessions.by_key.len()
    );
    assert!(
        most <= LOG_ONLY_SESSIONS_CAP * 3 / 4 + per,
        "at most one batch over: {most}"
    );
    assert_eq!(live.spend.total.turns, 4 * per as u64);
    assert!((live.spend.total.usd - 0.01 * (4 * per) as f64).abs() < 1e-6);
}

#[path = "../benches/support/inflate.rs"]
#[allow(dead_code)]
mod inflate;

/// `lanetop report`'s fold ([`lanetop::update::BacklogFold`]: a refresh every
/// `BACKLOG_REFRESH_FACTS` facts and at the end) gives the same report as an `update` (with its
/// refresh) per batch: the real captured log inflated past two refresh periods (distinct run
/// and session ids per copy: ~1,200 sessions), with the captured SQLite store.
#[test]
fn backlog_fold_equals_update_per_batch() {
    use lanetop::ingest::discover::DiscoverOptions;
    use lanetop::msg::Msg;
    use lanetop::update::{BACKLOG_REFRESH_FACTS, BacklogFold};
    let base = std::fs::read(common::openclaw("captured/logs/openclaw.log")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("openclaw.log");
    let t = inflate::Template::new(base);
    let copies = t
        .write_file(
            &log,
            (2 * BACKLOG_REFRESH_FACTS as u64 + 10_000) * 760,
            true,
        )
        .unwrap();
    let discovery = lanetop::ingest::discover::discover(&DiscoverOptions {
        state_dir: Some(common::openclaw("captured/state")),
        logs: vec![log.clone()],
        ..Default::default()
    })
    .unwrap();
    let read = |per_batch: bool| {
        let mut model = Model::default();
        let mut fold = BacklogFold::default();
        let mut batches = 0;
        lanetop::ingest::collect_once(&discovery, &mut |facts| {
            batches += 1;
            if per_batch {
                lanetop::update::update(&mut model, Msg::Facts(facts));
            } else {
                fold.fold(&mut model, facts);
            }
        });
        fold.finish(&mut model);
        let mut json: serde_json::Value = serde_json::from_str(&lanetop::report::render(
            &model,
            lanetop::report::Format::Json,
        ))
        .unwrap();
        // Wall-clock times of the reads, not of the data.
        json["generated_at"] = serde_json::Value::Null;
        for src in json["sources"].as_array_mut().unwrap() {
            src["at"] = serde_json::Value::Null;
        }
        (json, batches, model.sessions.by_key.len(), model.logs.len())
    };
    let (a, batches, sessions, lines) = read(true);
    let (b, ..) = read(false);
    assert!(copies >= 50, "{copies} copies");
    assert!(
        batches > 2 * BACKLOG_REFRESH_FACTS / lanetop::ingest::BATCH,
        "{batches} batches"
    );
    assert!(
        sessions > 1_000 && lines > 0,
        "{sessions} sessions, {lines} lines"
    );
    assert!(a["spend"]["total_usd"].as_f64().unwrap() > 0.0);
    if a != b {
        let dump = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap();
        let (da, db) = (dump(&a), dump(&b));
        let first = da
            .lines()
            .zip(db.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        let around = |d: &str| {
            d.lines()
                .skip(first.saturating_sub(12))
                .take(16)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "reports differ at line {first}:\n--- per batch\n{}\n--- backlog fold\n{}",
            around(&da),
            around(&db)
        );
    }
}
