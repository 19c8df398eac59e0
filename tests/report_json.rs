//! `lanetop report` JSON and Markdown: snapshots of a small model built from facts that mirror
//! the captured run (phase 3 cascade lines 303-375, phase 4 lane wait line 965, boots lines 6 and
//! 1825, `lab-main-cron` receipts, transcript usage of `agent:main:main`).

mod facts;

use std::sync::Arc;

use facts::*;
use lanetop::domain::Model;
use lanetop::fact::*;

const RUN3: &str = "24864ff9-768a-49b4-ad3e-67ea07da96df";
const JOB: &str = "f3eb99f7-0dd4-4302-8637-5f7f34e81ab4";

fn small_model() -> Model {
    let mut model = Model::default();
    let job = lab_main_cron_job();
    let run = |id: &str, status: &str| {
        fact(
            "2026-11-22T01:58:30.000+00:00",
            state_db(),
            FactKind::CronRun(Box::new(CronRunRow {
                run_id: id.into(),
                job_id: JOB.into(),
                status: status.into(),
                started_at_ms: 1795312680015,
                ..CronRunRow::default()
            })),
        )
    };
    let usage = main_usage;
    let mut cfg = config();
    cfg.prices
        .retain(|(m, _)| m.to_string() == "fakeprime/fake-primary");
    let log_origin = Origin::new(SourceKind::Log, Arc::from(LOG));
    fold(
        &mut model,
        vec![
            config_fact("2026-11-22T01:49:00.000+00:00", cfg),
            fact(
                "2026-11-22T01:49:00.000+00:00",
                state_db(),
                FactKind::Generation(Generation::Sqlite),
            ),
            fact(
                "2026-11-22T01:49:00.000+00:00",
                log_origin.clone(),
                FactKind::SourceHealth {
                    health: SourceHealth::Ok {
                        detail: "offset 2.2 MB".into(),
                    },
                },
            ),
            ev(
                6,
                "2026-11-22T01:49:20.213+00:00",
                LogEvent::Gateway(GatewayEvent::Starting),
            ),
            ev(
                34,
                "2026-11-22T01:49:23.060+00:00",
                LogEvent::Gateway(GatewayEvent::AgentModel {
                    model: m("fakeprime/fake-primary"),
                }),
            ),
            ev(
                58,
                "2026-11-22T01:49:24.973+00:00",
                LogEvent::Gateway(GatewayEvent::Ready),
            ),
            snapshot("2026-11-22T01:49:40.000+00:00", "main", vec![main_row()]),
            usage(
                "2026-11-22T01:49:31.089+00:00",
                "fakeprime/fake-primary",
                12599,
                15,
                Some(0.038022),
            ),
            ev(
                303,
                "2026-11-22T01:49:46.652+00:00",
                LogEvent::RunStarted {
                    run_id: RUN3.into(),
                    session_id: MAIN_SID.into(),
                    model: Some(m("fakeprime/fake-primary")),
                    channel: None,
                },
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
            // seq 12 of the transcript, as if its cost were missing: no config price → unpriced
            usage(
                "2026-11-22T01:49:47.619+00:00",
                "fakeback/fake-tertiary",
                12659,
                15,
                None,
            ),
            ev(
                965,
                "2026-11-22T01:51:16.811+00:00",
                LogEvent::LaneWaitExceeded {
                    lane: "session:agent:main:main".into(),
                    waited_ms: 7281,
                    queue_ahead: 0,
                    active_ahead: Some(1),
                    active_now: Some(0),
                    queue_behind: Some(1),
                },
            ),
            ev(
                1825,
                "2026-11-22T01:54:31.750+00:00",
                LogEvent::Gateway(GatewayEvent::Starting),
            ),
            fact(
                "2026-11-22T01:54:32.000+00:00",
                Origin::line(SourceKind::Log, Arc::from(LOG), 1826),
                FactKind::CorruptLine {
                    error: "EOF while parsing an object".into(),
                    excerpt: "{\"0\":\"{\\\"subsystem\\\"".into(),
                },
            ),
            fact(
                "2026-11-22T01:58:30.000+00:00",
                state_db(),
                FactKind::CronJobsSnapshot { jobs: vec![job] },
            ),
            run("5f82d92f-7ee4-4962-935c-1f2794156e5e", "running"),
            run("5f82d92f-7ee4-4962-935c-1f2794156e5e", "ok"),
            run("330eafe1-3aeb-436a-b0d6-0a353eb47cb1", "interrupted"),
        ],
    );
    model
}

#[test]
fn report_json_snapshot() {
    let model = small_model();
    insta::assert_snapshot!("report_small_model_json", lanetop::report::to_json(&model));
}

#[test]
fn report_markdown_snapshot() {
    let model = small_model();
    insta::assert_snapshot!(
        "report_small_model_markdown",
        lanetop::report::to_markdown(&model)
    );
}

/// The documented contract: these paths exist with these types.
#[test]
fn report_contract_fields() {
    let model = small_model();
    let v: serde_json::Value =
        serde_json::from_str(&lanetop::report::to_json(&model)).expect("valid JSON");
    assert_eq!(v["fallbacks"]["decisions"], 3);
    assert_eq!(v["fallbacks"]["by_reason"]["rate_limit"], 1);
    assert_eq!(v["fallbacks"]["by_reason"]["model_not_found"], 1);
    let lane = v["lanes"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["name"] == "session:agent:main:main"))
        .expect("lane");
    assert_eq!(lane["wait_exceeded"], 1);
    let s = &v["sessions"][0];
    assert_eq!(s["key"], "agent:main:main");
    assert_eq!(s["agent"], "main");
    assert_eq!(s["tokens"], 12614 + 12674);
    assert_eq!(s["cost_usd"], 0.038022);
    assert_eq!(s["unpriced_tokens"], 12674);
    assert_eq!(v["spend"]["total_usd"], 0.038022);
    assert_eq!(v["spend"]["by_model"]["fakeprime/fake-primary"], 0.038022);
    assert_eq!(v["spend"]["unpriced_tokens"], 12674);
    let job = &v["cron"]["jobs"][0];
    assert_eq!(
        (
            job["id"].as_str(),
            job["name"].as_str(),
            job["enabled"].as_bool()
        ),
        (Some(JOB), Some("lab-main-cron"), Some(true))
    );
    assert_eq!(job["runs_by_status"]["ok"], 1);
    assert_eq!(job["runs_by_status"]["interrupted"], 1);
    assert!(job["runs_by_status"].get("running").is_none());
    assert_eq!(v["gateway"]["boots"], 2);
    assert_eq!(v["corrupt_lines"]["count"], 1);
    assert_eq!(v["generated_at"], "2026-11-22T01:58:30Z");
    assert_eq!(v["cascades"][0]["steps"].as_array().map(Vec::len), Some(3));
    assert!(v["sources"].as_array().is_some_and(|a| a.len() == 1));
}

/// USD is rounded to 1e-6, not to cents.
#[test]
fn usd_rounded_to_micro_dollars() {
    assert_eq!(lanetop::report::round_usd(0.0380221234567), 0.038022);
    assert_eq!(lanetop::report::round_usd(0.0000004), 0.0);
    assert_eq!(lanetop::report::round_usd(12.3456785), 12.345679);
    assert_eq!(lanetop::report::round_usd(f64::NAN), 0.0);
}

#[test]
fn render_dispatches_on_format() {
    let model = small_model();
    use lanetop::report::{Format, render};
    assert_eq!(
        render(&model, Format::Json),
        lanetop::report::to_json(&model)
    );
    assert!(render(&model, Format::Markdown).starts_with("# lanetop report"));
    // an empty model reports too (no sources yet)
    let empty: serde_json::Value =
        serde_json::from_str(&render(&Model::default(), Format::Json)).expect("json");
    assert_eq!(empty["gateway"]["boots"], 0);
    assert_eq!(empty["generated_at"], serde_json::Value::Null);
    assert_eq!(empty["spend"]["total_usd"], 0.0);
}
