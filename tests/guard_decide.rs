//! The guard's pure decisions (`lanetop::guard`): which effects each opt-in rule asks for, on
//! models folded from facts that mirror real records (fallback decisions as the 2026.9.6 log
//! types them, transcript usage, cron rows as the state DB holds them), and that one incident
//! is acted on once.

mod facts;

use chrono::{DateTime, TimeDelta, Utc};
use facts::*;
use lanetop::domain::Model;
use lanetop::fact::*;
use lanetop::gateway::runner::Effect;
use lanetop::guard::{Guard, GuardConfig, GuardMemory, Rule, decide};
use lanetop::msg::Msg;
use lanetop::watch::TickHook;

const JOB: &str = "job-1";
const KEY: &str = "agent:main:cron:job-1:run:s1";
const SID: &str = "s1";
const T0: &str = "2026-11-22T01:00:00+00:00";

fn at(min: i64, sec: i64) -> String {
    (t(T0) + TimeDelta::minutes(min) + TimeDelta::seconds(sec)).to_rfc3339()
}

fn job_row(id: &str, enabled: bool, payload: &str) -> CronJobRow {
    CronJobRow {
        id: id.into(),
        name: format!("{id}-name"),
        enabled,
        schedule: Schedule::Every {
            every_ms: 3_600_000,
        },
        session_target: Some("isolated".into()),
        payload_kind: payload.into(),
        // The next run half an hour after the newest fact (01:02:20).
        next_run_at_ms: Some(t(&at(32, 20)).timestamp_millis()),
        ..lab_main_cron_job()
    }
}

fn jobs(rows: Vec<CronJobRow>) -> Fact {
    fact(T0, state_db(), FactKind::CronJobsSnapshot { jobs: rows })
}

fn session_row(key: &str, sid: &str) -> SessionRow {
    SessionRow {
        agent_id: "main".into(),
        key: key.into(),
        session_id: sid.into(),
        status: Some("running".into()),
        ..SessionRow::default()
    }
}

/// Three chain exhaustions of the job's run session, 3 minutes apart (primary 429, fallback
/// 429, `chain_exhausted`: each ends its run), and the next run in flight.
fn storm() -> Vec<Fact> {
    let mut f = vec![
        jobs(vec![job_row(JOB, true, "agentTurn")]),
        snapshot(T0, "main", vec![session_row(KEY, SID)]),
        ev(
            99,
            &at(0, 0),
            LogEvent::RunStarted {
                run_id: "r0".into(),
                session_id: SID.into(),
                model: Some(m("fakeprime/fake-primary")),
                channel: None,
            },
        ),
    ];
    for k in 0..3i64 {
        let line = 100 + k as u64 * 10;
        f.push(ev(
            line,
            &at(k * 3, 0),
            decision(
                "r0",
                SID,
                "candidate_failed",
                "fakeprime/fake-primary",
                Some("fakeprime/fake-secondary"),
                Some("rate_limit"),
                Some(429),
                1,
                "next_fallback",
            ),
        ));
        f.push(ev(
            line + 1,
            &at(k * 3, 20),
            decision(
                "r0",
                SID,
                "candidate_failed",
                "fakeprime/fake-secondary",
                None,
                Some("rate_limit"),
                Some(429),
                2,
                "chain_exhausted",
            ),
        ));
    }
    f.push(ev(
        140,
        &at(6, 40),
        LogEvent::RunStarted {
            run_id: "r3".into(),
            session_id: SID.into(),
            model: Some(m("fakeprime/fake-primary")),
            channel: None,
        },
    ));
    f
}

fn storm_rule(after: i64) -> GuardConfig {
    let mut c = GuardConfig::default();
    c.kill_retry_storm.enabled = true;
    c.kill_retry_storm.after_minutes = after;
    c
}

fn tick(model: &mut Model, when: DateTime<Utc>) {
    lanetop::update::update(model, Msg::Tick(when));
}

#[test]
fn storm_pauses_the_job_and_kills_its_run_once_after_n_minutes() {
    let mut model = Model::default();
    fold(&mut model, storm());
    let storms: Vec<_> = model
        .alerts
        .iter()
        .filter(|a| a.kind == lanetop::domain::detect::AlertKind::RetryStorm)
        .collect();
    assert_eq!(storms.len(), 1, "{:?}", model.alerts);
    assert_eq!(storms[0].subject, JOB);
    assert_eq!(storms[0].since, Some(t(&at(0, 0))));
    let mut mem = GuardMemory::default();
    // 6 min 40 s into the storm: not yet 10 minutes.
    assert!(decide(&model, &storm_rule(10), &mut mem).is_empty());
    // Off by default: nothing, whatever the storm.
    tick(&mut model, t(&at(11, 0)));
    assert!(decide(&model, &GuardConfig::default(), &mut GuardMemory::default()).is_empty());
    // 11 minutes: pause the job (its remedy) and kill the run in flight.
    let r = decide(&model, &storm_rule(10), &mut mem);
    let effects: Vec<&Effect> = r.iter().map(|x| &x.effect).collect();
    assert_eq!(
        effects,
        vec![
            &Effect::SetCronEnabled {
                id: JOB.into(),
                enabled: false,
                all: false
            },
            &Effect::KillRun { key: KEY.into() },
        ]
    );
    assert!(r.iter().all(|x| x.rule == Rule::KillRetryStorm));
    assert!(
        r[0].reason
            .starts_with("retry storm for 11 min: cron job job-1-name: "),
        "{}",
        r[0].reason
    );
    // Same incident a minute later: nothing again.
    tick(&mut model, t(&at(12, 0)));
    assert!(decide(&model, &storm_rule(10), &mut mem).is_empty());
    // An hour later the storm has ended (info): the incident is forgotten, nothing to do.
    tick(&mut model, t(&at(70, 0)));
    assert!(decide(&model, &storm_rule(10), &mut mem).is_empty());
    // A new storm later is a new incident: acted on again.
    let mut again = storm();
    for f in &mut again {
        f.at += TimeDelta::minutes(80);
    }
    fold(&mut model, again);
    tick(&mut model, t(&at(91, 0)));
    assert_eq!(decide(&model, &storm_rule(10), &mut mem).len(), 2);
}

#[test]
fn storm_of_a_plain_session_kills_its_run() {
    let key = "agent:main:telegram:direct:42";
    let mut f: Vec<Fact> = storm()
        .into_iter()
        .filter(|x| !matches!(x.kind, FactKind::CronJobsSnapshot { .. }))
        .collect();
    f[0] = snapshot(T0, "main", vec![session_row(key, SID)]);
    let mut model = Model::default();
    fold(&mut model, f);
    let r = decide(&model, &storm_rule(0), &mut GuardMemory::default());
    assert_eq!(
        r.iter().map(|x| &x.effect).collect::<Vec<_>>(),
        vec![&Effect::KillRun { key: key.into() }]
    );
}

/// Two turns of the job's session, $0.60 each (recorded `usage.cost.total`), in runs 01:00 and
/// 01:01, and the runs' rows.
fn job_spend(enabled: bool, payload: &str) -> Vec<Fact> {
    let usage = |min: i64| {
        fact(
            &at(min, 10),
            agent_db("main"),
            FactKind::Usage(Box::new(UsageRecord {
                agent_id: "main".into(),
                session_id: SID.into(),
                session_key: Some(KEY.into()),
                model: m("fakeprime/fake-primary"),
                input: 1000,
                output: 100,
                total_tokens: 1100,
                cost_usd: Some(0.6),
                ..UsageRecord::default()
            })),
        )
    };
    let run = |min: i64| {
        fact(
            &at(min, 30),
            state_db(),
            FactKind::CronRun(Box::new(CronRunRow {
                run_id: format!("run-{min}"),
                job_id: JOB.into(),
                agent_id: Some("main".into()),
                status: "ok".into(),
                started_at_ms: t(&at(min, 0)).timestamp_millis(),
                finished_at_ms: Some(t(&at(min, 30)).timestamp_millis()),
                error: None,
                session_key: Some(KEY.into()),
                session_id: None,
                model: None,
                total_tokens: Some(1100),
            })),
        )
    };
    vec![
        jobs(vec![job_row(JOB, enabled, payload)]),
        snapshot(T0, "main", vec![session_row(KEY, SID)]),
        usage(0),
        run(0),
        usage(1),
        run(1),
        // The newest fact: the model clock is 01:02:20.
        ev(
            200,
            &at(2, 20),
            LogEvent::RunDone {
                run_id: "r0".into(),
                session_id: SID.into(),
                duration_ms: 10,
                aborted: false,
            },
        ),
    ]
}

fn budget_model(daily: f64, enabled: bool, payload: &str) -> Model {
    let mut model = Model::default();
    model.detect_config.budgets.daily_usd = Some(daily);
    model.detect_config.morning_hour = 8;
    model.detect_config.utc_offset_min = 0;
    fold(&mut model, job_spend(enabled, payload));
    model
}

fn budget_rule() -> GuardConfig {
    let mut c = GuardConfig::default();
    c.pause_cron_over_budget.enabled = true;
    c
}

#[test]
fn budget_crossed_while_burning_pauses_once_a_day() {
    let model = budget_model(1.0, true, "agentTurn");
    let mut mem = GuardMemory::default();
    let r = decide(&model, &budget_rule(), &mut mem);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(
        r[0].effect,
        Effect::SetCronEnabled {
            id: JOB.into(),
            enabled: false,
            all: false
        }
    );
    assert_eq!(r[0].rule, Rule::PauseCronOverBudget);
    assert_eq!(
        r[0].reason,
        "cron job job-1-name (job-1): total budget crossed ($1.20 of $1.00) and the job burned $1.20 in the last hour"
    );
    // Once per job and budget day.
    assert!(decide(&model, &budget_rule(), &mut mem).is_empty());
    // Off by default.
    assert!(decide(&model, &GuardConfig::default(), &mut GuardMemory::default()).is_empty());
}

#[test]
fn projection_crossing_the_budget_pauses() {
    // $1.20 spent of $4.00; 7 hourly runs due before 08:00 (01:32 … 07:32) × $0.60 = $4.20.
    let model = budget_model(4.0, true, "agentTurn");
    let o = lanetop::domain::overnight::project(&model, &model.detect_config).unwrap();
    let j = o.jobs.iter().find(|j| j.job == JOB).unwrap();
    assert_eq!((j.runs_due, j.usd_per_run), (Some(7), Some(0.6)));
    let r = decide(&model, &budget_rule(), &mut GuardMemory::default());
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(
        r[0].reason
            .ends_with("overnight projection $4.20 would take the total budget to $5.40 of $4.00"),
        "{}",
        r[0].reason
    );
    // A budget the projection does not reach: nothing.
    let model = budget_model(6.0, true, "agentTurn");
    assert!(decide(&model, &budget_rule(), &mut GuardMemory::default()).is_empty());
    // ...unless the per-job cap is lower than the projection.
    let mut c = budget_rule();
    c.pause_cron_over_budget.max_overnight_usd = Some(4.0);
    let r = decide(&model, &c, &mut GuardMemory::default());
    assert_eq!(r.len(), 1);
    assert!(
        r[0].reason
            .ends_with("overnight projection $4.20 reaches max_overnight_usd $4.00")
    );
}

#[test]
fn disabled_and_system_jobs_are_never_paused() {
    let model = budget_model(1.0, false, "agentTurn");
    assert!(decide(&model, &budget_rule(), &mut GuardMemory::default()).is_empty());
    let model = budget_model(1.0, true, "heartbeat");
    assert!(decide(&model, &budget_rule(), &mut GuardMemory::default()).is_empty());
}

#[test]
fn guard_rules_parse_from_lanetop_toml() {
    let mut c = lanetop::domain::detect::DetectConfig::default();
    lanetop::config::settings::parse_into(
        "t.toml",
        "[guard.pause_cron_over_budget]\nenabled = true\nmax_overnight_usd = 2.5\n[guard.kill_retry_storm]\nenabled = true\nafter_minutes = 10\n",
        &mut c,
    )
    .unwrap();
    assert!(c.guard.pause_cron_over_budget.enabled);
    assert_eq!(c.guard.pause_cron_over_budget.max_overnight_usd, Some(2.5));
    assert_eq!(c.guard.kill_retry_storm.after_minutes, 10);
    assert!(c.guard.any_enabled());
    assert!(
        !lanetop::domain::detect::DetectConfig::default()
            .guard
            .any_enabled()
    );
    let e = lanetop::config::settings::parse_into(
        "t.toml",
        "[guard.kill_retry_storm]\nenabled = true\nafter_minute = 3\n",
        &mut c,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("t.toml:3:1: unknown key `guard.kill_retry_storm.after_minute`"),
        "{e}"
    );
    let e = lanetop::config::settings::parse_into(
        "t.toml",
        "[guard.kill_everything]\nenabled = true\n",
        &mut c,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("unknown guard rule `guard.kill_everything`"),
        "{e}"
    );
    let e = lanetop::config::settings::parse_into(
        "t.toml",
        "[guard.kill_retry_storm]\nenabled = \"yes\"\n",
        &mut c,
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2));
}

#[test]
fn the_watch_hook_reads_the_rules_from_the_model_settings() {
    let mut model = Model::default();
    fold(&mut model, storm());
    tick(&mut model, t(&at(11, 0)));
    let now = t(&at(11, 0));
    let mut hook = Guard::default();
    // Rules off (the default settings): the hook asks for nothing.
    assert!(hook.on_tick(&model, now).is_empty());
    model.detect_config.guard = storm_rule(10);
    let effects = hook.on_tick(&model, now);
    assert_eq!(effects.len(), 2, "{effects:?}");
    assert!(hook.on_tick(&model, now).is_empty(), "once per incident");
}
