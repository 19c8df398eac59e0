//! Sessions reducer tests. Rows mirror `session_nodes` of the captured agent DBs
//! (`captured/state/agents/<id>/agent/openclaw-agent.sqlite`).

mod facts;

use facts::*;
use lanetop::domain::{Model, SessionKind, SessionState};
use lanetop::fact::{FactKind, SessionRow, UsageRecord};
use lanetop::msg::Msg;

const JOB: &str = "f3eb99f7-0dd4-4302-8637-5f7f34e81ab4";

fn main_rows() -> Vec<SessionRow> {
    let cron = |key: String, sid: &str, status: Option<&str>| SessionRow {
        agent_id: "main".into(),
        key,
        session_id: sid.into(),
        status: status.map(Into::into),
        created_via: Some("cron".into()),
        label: Some("Automation: lab-main-cron".into()),
        // 01:57:40 UTC
        last_activity_at_ms: Some(1795312660000),
        ..SessionRow::default()
    };
    vec![
        main_row(),
        cron(
            format!("agent:main:cron:{JOB}"),
            "49477b7a-2007-4d08-a5c1-c23e09876cf0",
            None,
        ),
        cron(
            format!("agent:main:cron:{JOB}:run:4291ada2-9349-4bbb-b999-cdc1f9b477ce"),
            "4291ada2-9349-4bbb-b999-cdc1f9b477ce",
            Some("running"),
        ),
    ]
}

#[test]
fn kinds_models_and_cron_owner() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            config_fact("2026-11-22T01:49:00.000+00:00", config()),
            snapshot("2026-11-22T01:58:00.000+00:00", "main", main_rows()),
        ],
    );
    let s = &model.sessions.by_key;
    assert_eq!(s.len(), 3);
    assert_eq!(s["agent:main:main"].kind, SessionKind::Main);
    let binding = &s[&format!("agent:main:cron:{JOB}")];
    assert_eq!(
        (binding.kind, binding.cron_job_id.as_deref()),
        (SessionKind::CronJob, Some(JOB))
    );
    let run = &s[&format!("agent:main:cron:{JOB}:run:4291ada2-9349-4bbb-b999-cdc1f9b477ce")];
    assert_eq!(
        (run.kind, run.cron_job_id.as_deref()),
        (SessionKind::CronRun, Some(JOB))
    );
    assert_eq!(
        run.state,
        SessionState::Running,
        "status running, no clock yet (snapshots do not move it)"
    );
    assert_eq!(
        s["agent:main:main"]
            .configured_model
            .as_ref()
            .map(|m| m.to_string())
            .as_deref(),
        Some("fakeprime/fake-primary")
    );

    // ops has its own chain (`agents.entries.ops.model.primary`).
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T01:58:00.000+00:00",
            "ops",
            vec![SessionRow {
                agent_id: "ops".into(),
                key: "agent:ops:main".into(),
                session_id: OPS_SID.into(),
                status: Some("done".into()),
                model: Some(m("fakeback/fake-backup")),
                ..SessionRow::default()
            }],
        )],
    );
    let ops = &model.sessions.by_key["agent:ops:main"];
    assert_eq!(
        ops.configured_model
            .as_ref()
            .map(|m| m.to_string())
            .as_deref(),
        Some("fakeback/fake-tertiary")
    );
    assert_eq!(
        ops.current_model.as_ref().map(|m| m.to_string()).as_deref(),
        Some("fakeback/fake-backup")
    );
}

#[test]
fn stale_and_failed_states() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T01:58:00.000+00:00",
            "main",
            main_rows(),
        )],
    );
    let run_key = format!("agent:main:cron:{JOB}:run:4291ada2-9349-4bbb-b999-cdc1f9b477ce");
    // 29 min after the last activity: still running; 31 min: stale.
    lanetop::update::update(&mut model, Msg::Tick(t("2026-11-22T02:26:40.000+00:00")));
    assert_eq!(model.sessions.by_key[&run_key].state, SessionState::Running);
    lanetop::update::update(&mut model, Msg::Tick(t("2026-11-22T02:28:41.000+00:00")));
    assert_eq!(model.sessions.by_key[&run_key].state, SessionState::Stale);
    let mut rows = main_rows();
    rows[0].status = Some("timeout".into());
    fold(
        &mut model,
        vec![snapshot("2026-11-22T02:29:00.000+00:00", "main", rows)],
    );
    assert_eq!(
        model.sessions.by_key["agent:main:main"].state,
        SessionState::Failed
    );
    // pending inputs make it queued
    fold(
        &mut model,
        vec![fact(
            "2026-11-22T02:29:01.000+00:00",
            agent_db("main"),
            FactKind::PendingInputs {
                agent_id: "main".into(),
                queued_by_session_key: vec![("agent:main:main".into(), 2)],
            },
        )],
    );
    assert_eq!(
        model.sessions.by_key["agent:main:main"].state,
        SessionState::Queued
    );
    assert_eq!(model.sessions.by_key["agent:main:main"].queued, 2);
}

/// A later snapshot of the same agent and source that no longer lists a row removes it, unless
/// the session has other evidence (here: usage).
#[test]
fn snapshot_replacement_removes_vanished_rows() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T01:58:00.000+00:00",
            "main",
            main_rows(),
        )],
    );
    let binding = format!("agent:main:cron:{JOB}");
    // usage on the binding's session: other evidence
    fold(
        &mut model,
        vec![fact(
            "2026-11-22T01:58:05.000+00:00",
            agent_db("main"),
            FactKind::Usage(Box::new(UsageRecord {
                agent_id: "main".into(),
                session_id: "49477b7a-2007-4d08-a5c1-c23e09876cf0".into(),
                model: m("fakeprime/fake-primary"),
                input: 10,
                output: 1,
                total_tokens: 11,
                cost_usd: Some(0.000045),
                ..UsageRecord::default()
            })),
        )],
    );
    assert_eq!(
        model.sessions.by_key[&binding].usage_turns, 1,
        "mapped by session id to the binding"
    );
    // ops rows are another agent: untouched by main's snapshots
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T01:58:00.000+00:00",
            "ops",
            vec![SessionRow {
                agent_id: "ops".into(),
                key: "agent:ops:main".into(),
                session_id: OPS_SID.into(),
                ..SessionRow::default()
            }],
        )],
    );
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T01:59:00.000+00:00",
            "main",
            vec![main_row()],
        )],
    );
    let keys: Vec<&str> = model.sessions.by_key.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec![binding.as_str(), "agent:main:main", "agent:ops:main"]
    );
    assert!(
        !model
            .sessions
            .key_by_session_id
            .contains_key("4291ada2-9349-4bbb-b999-cdc1f9b477ce")
    );
    assert_eq!(model.sessions.by_key[&binding].row_source, None);
    assert_eq!(model.sessions.by_key[&binding].status, None);
}

/// A session whose user turns are all heartbeat polls (`[OpenClaw heartbeat poll]`) is a
/// heartbeat session; the main session with real user turns stays `main`.
#[test]
fn heartbeat_sessions() {
    let mut model = Model::default();
    let turn = |key: &str, sid: &str, hb: bool| {
        fact(
            "2026-11-22T01:56:00.000+00:00",
            agent_db("ops"),
            FactKind::UserTurn {
                agent_id: "ops".into(),
                session_id: sid.into(),
                session_key: Some(key.into()),
                heartbeat: hb,
            },
        )
    };
    fold(
        &mut model,
        vec![
            turn("agent:ops:main", OPS_SID, true),
            turn("agent:ops:main", OPS_SID, true),
            turn("agent:main:main", MAIN_SID, true),
            turn("agent:main:main", MAIN_SID, false),
        ],
    );
    assert_eq!(
        model.sessions.by_key["agent:ops:main"].kind,
        SessionKind::Heartbeat
    );
    assert_eq!(
        model.sessions.by_key["agent:main:main"].kind,
        SessionKind::Main
    );
    assert_eq!(model.sessions.by_key["agent:main:main"].turns.len(), 2);
}

/// A cron job's `payload.model` is the configured model of its sessions (captured
/// `lab-research-backup-model` job pins a model); a heartbeat job that names a session key makes
/// that (non-main) session a heartbeat session.
#[test]
fn cron_payload_model_and_heartbeat_job_key() {
    use lanetop::fact::{CronJobRow, Schedule};
    let job = |id: &str, payload: &str, model: Option<&str>, key: Option<&str>| CronJobRow {
        id: id.into(),
        name: id.into(),
        agent_id: Some("research".into()),
        enabled: true,
        schedule: Schedule::Every { every_ms: 60_000 },
        session_target: Some("isolated".into()),
        session_key: key.map(Into::into),
        payload_kind: payload.into(),
        model: model.map(Into::into),
        declaration_key: None,
        next_run_at_ms: None,
        last_run_at_ms: None,
        last_run_status: None,
        last_duration_ms: None,
        last_error: None,
        consecutive_errors: None,
        running_at_ms: None,
    };
    let mut model = Model::default();
    let cron_key = "agent:research:cron:3bf435b6-ac50-421e-9002-cf16e51b5641";
    let row = |key: &str, sid: &str| SessionRow {
        agent_id: "research".into(),
        key: key.into(),
        session_id: sid.into(),
        ..SessionRow::default()
    };
    fold(
        &mut model,
        vec![
            config_fact("2026-11-22T01:49:00.000+00:00", config()),
            snapshot(
                "2026-11-22T01:58:00.000+00:00",
                "research",
                vec![
                    row(cron_key, "62e45e5f-bb10-4c2b-85ad-258a2d9cc0b9"),
                    row(
                        "agent:research:main",
                        "7365937f-c361-43b8-be3c-57e6e5b33825",
                    ),
                    row("agent:research:hooks:room:pulse", "s-pulse"),
                ],
            ),
        ],
    );
    let configured = |m: &Model, k: &str| {
        m.sessions.by_key[k]
            .configured_model
            .as_ref()
            .map(|x| x.to_string())
    };
    assert_eq!(
        configured(&model, cron_key).as_deref(),
        Some("fakeprime/fake-primary"),
        "agent default"
    );
    fold(
        &mut model,
        vec![fact(
            "2026-11-22T01:58:30.000+00:00",
            state_db(),
            FactKind::CronJobsSnapshot {
                jobs: vec![
                    job(
                        "3bf435b6-ac50-421e-9002-cf16e51b5641",
                        "agentTurn",
                        Some("fakeback/fake-backup"),
                        None,
                    ),
                    job(
                        "hb",
                        "heartbeat",
                        None,
                        Some("agent:research:hooks:room:pulse"),
                    ),
                    job("hb-main", "heartbeat", None, Some("agent:research:main")),
                ],
            },
        )],
    );
    assert_eq!(
        configured(&model, cron_key).as_deref(),
        Some("fakeback/fake-backup")
    );
    assert_eq!(
        model.sessions.by_key["agent:research:hooks:room:pulse"].kind,
        SessionKind::Heartbeat
    );
    assert_eq!(
        model.sessions.by_key["agent:research:main"].kind,
        SessionKind::Main
    );
    assert_eq!(model.sessions.by_key[cron_key].kind, SessionKind::CronJob);
}

/// A 5.20 isolated cron run that no store lists (`tests/data/legacy-run-lines.jsonl`: its lane
/// enqueue, then its `embedded run start` naming the session id only, real lines of a lab
/// gateway): the session is known under its run key, with its agent and cron job, whichever
/// line comes first.
#[test]
fn a_legacy_run_known_by_id_takes_its_lane_key() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/legacy-run-lines.jsonl");
    let bytes = std::fs::read(&path).expect("lines");
    let name: std::sync::Arc<str> = std::sync::Arc::from(path.display().to_string());
    let mut lines = Vec::new();
    lanetop::ingest::log::LineParser::new().parse_chunk(&bytes, &name, 1, &mut lines);
    assert_eq!(lines.len(), 2);
    let sid = "8b394e45-3639-45b5-9567-005c05aa5519";
    let key = format!("agent:main:cron:67ec7e3d-ff3c-465f-819b-e4fab443d868:run:{sid}");
    for order in [[0, 1], [1, 0]] {
        let mut model = Model::default();
        let legacy = fact(
            "2026-11-22T20:40:00+00:00",
            state_db(),
            FactKind::Generation(lanetop::fact::Generation::Legacy),
        );
        fold(&mut model, vec![legacy]);
        fold(
            &mut model,
            order.iter().map(|&i| lines[i].clone()).collect(),
        );
        let s = model
            .sessions
            .by_key
            .get(&key)
            .unwrap_or_else(|| panic!("{order:?}: {:?}", model.sessions.by_key.keys()));
        assert_eq!(s.agent_id, "main", "{order:?}");
        assert_eq!(
            s.cron_job_id.as_deref(),
            Some("67ec7e3d-ff3c-465f-819b-e4fab443d868")
        );
        assert_eq!(s.kind, SessionKind::CronRun);
        assert!(
            !model.sessions.by_key.contains_key(sid),
            "{order:?}: no id-keyed copy"
        );
        assert_eq!(model.sessions.resolve(sid), Some(key.as_str()));
    }
}
