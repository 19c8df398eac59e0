//! SQLite readers against the real 2026.9.6 capture (`captured/state`). Expected numbers were
//! counted independently with `sqlite3 -readonly` and python over the same DBs.

mod common;
mod stores_util;

use std::path::{Path, PathBuf};

use lanetop::fact::{Fact, FactKind};
use lanetop::ingest::sqlite::{AgentDbReader, StateDbReader};
use lanetop::ingest::store::StoreReader;

fn agent_db(root: &Path, agent: &str) -> PathBuf {
    root.join(format!("agents/{agent}/agent/openclaw-agent.sqlite"))
}

fn captured() -> PathBuf {
    common::openclaw("captured/state")
}

#[derive(Default, Debug)]
struct Tally {
    snapshots: Vec<usize>,
    usage: usize,
    usd: f64,
    usage_with_key: usize,
    usage_with_run: usize,
    users: usize,
    heartbeats: usize,
    model_changes: usize,
    pending: usize,
    corrupt: usize,
}

fn tally(facts: &[Fact]) -> Tally {
    let mut t = Tally::default();
    for f in facts {
        match &f.kind {
            FactKind::SessionsSnapshot { rows, .. } => t.snapshots.push(rows.len()),
            FactKind::Usage(u) => {
                t.usage += 1;
                t.usd += u.cost_usd.unwrap_or(0.0);
                t.usage_with_key += usize::from(u.session_key.is_some());
                t.usage_with_run += usize::from(u.run_id.is_some());
            }
            FactKind::UserTurn { heartbeat, .. } => {
                t.users += 1;
                t.heartbeats += usize::from(*heartbeat);
            }
            FactKind::TranscriptModelChange { .. } => t.model_changes += 1,
            FactKind::PendingInputs { .. } => t.pending += 1,
            FactKind::CorruptLine { .. } => t.corrupt += 1,
            _ => {}
        }
    }
    t
}

/// (agent, sessions, assistant usage rows, USD sum of usage.cost.total, user turns, heartbeat
/// polls, model_change + model-snapshot entries). Verified with python over transcript_events.
const AGENTS: [(&str, usize, usize, f64, usize, usize, usize); 3] = [
    ("main", 3, 18, 0.571473, 21, 3, 24),
    ("ops", 2, 20, 0.665628, 10, 0, 16),
    ("research", 2, 11, 0.335835, 11, 0, 19),
];

#[test]
fn agent_dbs_match_independent_counts() {
    for (agent, sessions, usage, usd, users, hb, changes) in AGENTS {
        let mut r = AgentDbReader::open(agent, &agent_db(&captured(), agent)).unwrap();
        let facts = r.poll().unwrap();
        let t = tally(&facts);
        assert_eq!(t.snapshots, vec![sessions], "{agent} sessions");
        assert_eq!(t.usage, usage, "{agent} usage");
        assert_eq!(
            format!("{:.2}", t.usd),
            format!("{usd:.2}"),
            "{agent} USD to the cent"
        );
        assert!((t.usd - usd).abs() < 1e-9, "{agent} USD exact: {}", t.usd);
        assert_eq!(
            t.usage_with_key, usage,
            "{agent}: every transcript has a session window"
        );
        assert_eq!(
            t.usage_with_run, usage,
            "{agent}: every assistant row has __openclaw.runId"
        );
        assert_eq!((t.users, t.heartbeats), (users, hb), "{agent} user turns");
        assert_eq!(t.model_changes, changes, "{agent} model changes");
        assert_eq!(t.pending, 1, "{agent}: one PendingInputs on the first poll");
        assert_eq!(t.corrupt, 0);
        // Nothing changed: the second poll is empty.
        assert!(r.poll().unwrap().is_empty(), "{agent} second poll");
    }
}

#[test]
fn main_session_rows_carry_entry_and_window_fields() {
    let mut r = AgentDbReader::open("main", &agent_db(&captured(), "main")).unwrap();
    let facts = r.poll().unwrap();
    let rows = facts
        .iter()
        .find_map(|f| match &f.kind {
            FactKind::SessionsSnapshot { rows, .. } => Some(rows.clone()),
            _ => None,
        })
        .unwrap();
    let main = rows.iter().find(|r| r.key == "agent:main:main").unwrap();
    assert_eq!(main.session_id, "8e9a3ce9-9e2e-4257-9250-eea30eed5a22");
    assert_eq!(main.status.as_deref(), Some("done"));
    assert_eq!(main.created_via.as_deref(), Some("run"));
    assert_eq!(main.chat_type.as_deref(), Some("direct"));
    assert_eq!(
        main.model.as_ref().map(|m| m.to_string()).as_deref(),
        Some("fakeprime/fake-primary")
    );
    assert_eq!(
        (main.input_tokens, main.output_tokens, main.total_tokens),
        (Some(8070), Some(15), Some(8070))
    );
    assert_eq!(main.estimated_cost_usd, Some(0.024435));
    assert_eq!(main.updated_at_ms, Some(1795312617160));
    let run = rows.iter().find(|r| r.key.contains(":run:")).unwrap();
    assert_eq!(
        run.status.as_deref(),
        Some("running"),
        "cron run cut off by the final stop"
    );
    assert_eq!(run.label.as_deref(), Some("Automation: lab-main-cron"));
    // The cron base key has no node status: the current window's status fills it.
    let base = rows
        .iter()
        .find(|r| r.key == "agent:main:cron:f3eb99f7-0dd4-4302-8637-5f7f34e81ab4")
        .unwrap();
    assert_eq!(base.status.as_deref(), Some("done"));
    // The failed turn of the auth cascade: stopReason error with its message.
    let errors: Vec<_> = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::Usage(u) if u.stop_reason.as_deref() == Some("error") => Some(u.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].error.is_some());
}

#[test]
fn state_db_cron_runs_and_boots() {
    let mut r = StateDbReader::open(&captured().join("state/openclaw.sqlite")).unwrap();
    let facts = r.poll().unwrap();
    let jobs = facts
        .iter()
        .find_map(|f| match &f.kind {
            FactKind::CronJobsSnapshot { jobs } => Some(jobs.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(jobs.len(), 8, "sqlite3: SELECT count(*) FROM cron_jobs");
    let hb = jobs
        .iter()
        .find(|j| j.declaration_key.as_deref() == Some("heartbeat:main"))
        .unwrap();
    assert_eq!(hb.payload_kind, "heartbeat");
    assert_eq!(
        hb.schedule,
        lanetop::fact::Schedule::Every { every_ms: 60000 }
    );
    assert_eq!(hb.last_run_status.as_deref(), Some("skipped"));
    assert_eq!(
        hb.last_error.as_deref(),
        Some("heartbeat skipped: cron-in-progress")
    );
    assert_eq!(hb.session_target.as_deref(), Some("main"));
    let research = jobs
        .iter()
        .find(|j| j.name == "lab-research-backup-model")
        .unwrap();
    assert_eq!(research.model.as_deref(), Some("fakeback/fake-backup"));
    assert_eq!(
        (research.last_duration_ms, research.consecutive_errors),
        (Some(2251), Some(0))
    );
    let cron = jobs.iter().find(|j| j.name == "lab-main-cron").unwrap();
    assert!(
        matches!(&cron.schedule, lanetop::fact::Schedule::Cron { expr, .. } if expr == "* * * * *")
    );

    let runs: Vec<_> = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::CronRun(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(runs.len(), 38);
    let count = |s: &str| runs.iter().filter(|r| r.status == s).count();
    assert_eq!(
        (
            count("ok"),
            count("skipped"),
            count("error"),
            count("interrupted")
        ),
        (21, 15, 1, 1)
    );
    // Enrichment from task_runs.detail_json (19 rows carry provider/model; tokens sum 157293).
    assert_eq!(runs.iter().filter(|r| r.model.is_some()).count(), 19);
    assert_eq!(
        runs.iter().filter_map(|r| r.total_tokens).sum::<u64>(),
        157293
    );
    let first = runs
        .iter()
        .find(|r| r.run_id == "846502b4-5e86-4edb-bb65-288907e69851")
        .unwrap();
    assert_eq!(
        first.session_key.as_deref(),
        Some(
            "agent:main:cron:f3eb99f7-0dd4-4302-8637-5f7f34e81ab4:run:622d49ff-edd8-4823-916f-44061322aac1"
        )
    );
    assert_eq!(
        first.model.as_ref().map(|m| m.to_string()).as_deref(),
        Some("fakeprime/fake-primary")
    );

    let boots: Vec<_> = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::GatewayBoot(b) => Some(b.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(boots.len(), 3);
    assert_eq!(
        boots.iter().filter(|b| b.completed_at_ms.is_none()).count(),
        1
    );
    assert_eq!(boots[1].outcome.as_deref(), Some("clean_stop"));
    assert_eq!(boots[1].reason.as_deref(), Some("stop (SIGTERM)"));
    // `schema_meta`: the `primary` row's release; the migration rows carry the same release
    // followed by a count, a date and hashes on further lines, which must not leak into it.
    let versions: Vec<&str> = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::StoreVersion { version } => Some(version.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(versions, ["2026.9.6"]);
    assert!(r.poll().unwrap().is_empty(), "second poll");
}

fn archive_usage(facts: &[Fact]) -> (usize, f64) {
    facts
        .iter()
        .filter(|f| {
            matches!(&f.origin.locator, lanetop::fact::Locator::Row(r) if &*r.table == "session_transcript_archives")
        })
        .filter_map(|f| match &f.kind {
            FactKind::Usage(u) => Some(u.cost_usd.unwrap_or(0.0)),
            _ => None,
        })
        .fold((0, 0.0), |(n, t), c| (n + 1, t + c))
}

/// `tests/data/sqlite-archives`: a real 9.6 store where two sessions were deleted with
/// `deleteTranscript` (see its README for the python counts). Their turns were paid for: the
/// archives are read, once, keyed by the deleted session's key; the live rows as before.
#[test]
fn deleted_transcript_archives_keep_their_spend_once() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sqlite-archives");
    let mut r = AgentDbReader::open("ops", &agent_db(&root, "ops")).unwrap();
    let facts = r.poll().unwrap();
    let t = tally(&facts);
    assert!(
        (t.usd - (0.310023 + 0.074412 + 0.037266)).abs() < 1e-9,
        "{}",
        t.usd
    );
    let (n, usd) = archive_usage(&facts);
    assert_eq!(n, 3);
    assert!((usd - 0.111678).abs() < 1e-9, "{usd}");
    assert!(facts.iter().all(|f| match &f.kind {
        FactKind::Usage(u) if u.session_id == "385a7feb-0173-4cae-9292-a06911fc2998" =>
            u.session_key.as_deref() == Some("agent:ops:delme"),
        FactKind::CorruptLine { .. } => false,
        _ => true,
    }));
    assert!(r.poll().unwrap().is_empty(), "second poll");

    // A session whose events were read live before its delete: its archive is not read.
    let dir = tempfile::tempdir().unwrap();
    let db = agent_db(dir.path(), "ops");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    std::fs::copy(agent_db(&root, "ops"), &db).unwrap();
    let c = rusqlite::Connection::open(&db).unwrap();
    // The row stands for what the reader saw before the delete; its session row is gone.
    c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    c.execute(
        "INSERT INTO transcript_events (session_id, seq, event_json, created_at) \
         SELECT '385a7feb-0173-4cae-9292-a06911fc2998', 0, event_json, created_at \
         FROM transcript_events LIMIT 1",
        [],
    )
    .unwrap();
    drop(c);
    let facts = AgentDbReader::open("ops", &db).unwrap().poll().unwrap();
    let (n, usd) = archive_usage(&facts);
    assert_eq!(n, 1, "only d2's archive");
    assert!((usd - 0.037266).abs() < 1e-9, "{usd}");
}
