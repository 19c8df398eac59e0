//! SQLite readers on COPIES of the capture that a writer connection changes: incrementality,
//! zstd rows, running→ok receipts, a live WAL database, and the never-write checksum test.

mod common;
mod stores_util;

use std::path::{Path, PathBuf};

use lanetop::fact::{Fact, FactKind};
use lanetop::ingest::sqlite::{AgentDbReader, StateDbReader};
use lanetop::ingest::store::StoreReader;
use rusqlite::Connection;

fn copy_capture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("state");
    stores_util::copy_tree(&common::openclaw("captured/state"), &root);
    (dir, root)
}

fn agent_db(root: &Path, agent: &str) -> PathBuf {
    root.join(format!("agents/{agent}/agent/openclaw-agent.sqlite"))
}

fn usd(facts: &[Fact]) -> (usize, f64) {
    facts.iter().fold((0, 0.0), |(n, s), f| match &f.kind {
        FactKind::Usage(u) => (n + 1, s + u.cost_usd.unwrap_or(0.0)),
        _ => (n, s),
    })
}

const ASSISTANT: &str = r#"{"type":"message","id":"new-1","parentId":null,"timestamp":"2026-11-22T02:00:00.000Z","message":{"role":"assistant","content":[],"api":"openai-completions","provider":"fakeback","model":"fake-backup","usage":{"input":100,"output":10,"cacheRead":0,"cacheWrite":0,"totalTokens":110,"cost":{"input":0.0003,"output":0.00015,"cacheRead":0,"cacheWrite":0,"total":0.5}},"stopReason":"stop","timestamp":1795312800000,"__openclaw":{"runId":"run-new"}}}"#;

/// A `navigation_json` that satisfies the table's CHECK for compressed rows.
const NAV: &str = r#"{"version":1,"report":{"kind":"canonical"},"navigation":{},"reset":{},"model":{},"modelBytes":0,"modelWithoutCheckpointBytes":0,"withoutCustomDataBytes":0}"#;

#[test]
fn zstd_rows_decode_to_the_same_totals() {
    let (_tmp, root) = copy_capture();
    let db = agent_db(&root, "main");
    {
        let w = Connection::open(&db).unwrap();
        let none: i64 = w
            .query_row(
                "SELECT count(*) FROM transcript_events WHERE event_json IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            none, 0,
            "the capture has no compressed rows, so this test builds them"
        );
        let rows: Vec<(String, i64, String)> = w
            .prepare("SELECT session_id, seq, event_json FROM transcript_events WHERE event_json LIKE '%\"role\":\"assistant\"%'")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), 18);
        for (sid, seq, json) in rows {
            let z = zstd::encode_all(json.as_bytes(), 3).unwrap();
            w.execute(
                "UPDATE transcript_events SET event_json = NULL, event_zstd = ?1, event_utf8_bytes = ?2, \
                 navigation_json = ?3 WHERE session_id = ?4 AND seq = ?5",
                (z, json.len() as i64, NAV, sid, seq),
            )
            .unwrap();
        }
    }
    let mut r = AgentDbReader::open("main", &db).unwrap();
    let (n, total) = usd(&r.poll().unwrap());
    assert_eq!(n, 18);
    assert!((total - 0.571473).abs() < 1e-9, "{total}");
}

#[test]
fn only_new_transcript_rows_come_back() {
    let (_tmp, root) = copy_capture();
    let db = agent_db(&root, "ops");
    let mut r = AgentDbReader::open("ops", &db).unwrap();
    assert_eq!(usd(&r.poll().unwrap()).0, 20);
    assert!(r.poll().unwrap().is_empty());

    let w = Connection::open(&db).unwrap();
    let (sid, max): (String, i64) = w
        .query_row(
            "SELECT session_id, max(seq) FROM transcript_events WHERE session_id = \
             (SELECT current_session_id FROM session_nodes WHERE session_key = 'agent:ops:main')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    w.execute(
        "INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES (?1, ?2, ?3, 1795312800001)",
        (&sid, max + 1, ASSISTANT),
    )
    .unwrap();
    let facts = r.poll().unwrap();
    assert_eq!(facts.len(), 1, "{facts:?}");
    let FactKind::Usage(u) = &facts[0].kind else {
        panic!("not usage")
    };
    assert_eq!(
        (u.cost_usd, u.total_tokens, u.run_id.as_deref()),
        (Some(0.5), 110, Some("run-new"))
    );
    assert_eq!(u.session_key.as_deref(), Some("agent:ops:main"));
    assert_eq!(facts[0].at.timestamp_millis(), 1795312800000);
    let key = format!("{sid}#{}", max + 1);
    assert!(
        matches!(&facts[0].origin.locator, lanetop::fact::Locator::Row(row) if &*row.table == "transcript_events" && *row.key == *key)
    );
    assert!(r.poll().unwrap().is_empty());
    // A commit to an unrelated table moves data_version but yields nothing.
    w.execute("INSERT INTO auth_profile_state VALUES ('k', '{}', 1)", [])
        .unwrap();
    assert!(r.poll().unwrap().is_empty());

    // A queued followup changes PendingInputs; a session update re-sends the snapshot.
    w.execute(
        "INSERT INTO session_pending_inputs (input_id, session_key, session_id, idempotency_key, run_id, request_hash, \
         message_json, lifecycle_generation, state, accepted_at) VALUES ('i1','agent:ops:main',?1,'k','r','h','{}','g','queued',1)",
        [&sid],
    )
    .unwrap();
    w.execute(
        "UPDATE session_nodes SET status = 'running' WHERE session_key = 'agent:ops:main'",
        [],
    )
    .unwrap();
    let facts = r.poll().unwrap();
    assert_eq!(facts.len(), 2, "{facts:?}");
    assert!(facts.iter().any(
        |f| matches!(&f.kind, FactKind::PendingInputs { queued_by_session_key, .. }
        if queued_by_session_key == &vec![("agent:ops:main".to_owned(), 1)])
    ));
    assert!(facts.iter().any(
        |f| matches!(&f.kind, FactKind::SessionsSnapshot { rows, .. }
        if rows.iter().any(|r| r.key == "agent:ops:main" && r.status.as_deref() == Some("running")))
    ));
}

#[test]
fn receipt_running_then_ok_is_resent_once() {
    let (_tmp, root) = copy_capture();
    let db = root.join("state/openclaw.sqlite");
    let mut r = StateDbReader::open(&db).unwrap();
    assert!(!r.poll().unwrap().is_empty());
    let w = Connection::open(&db).unwrap();
    w.execute(
        "INSERT INTO cron_run_receipts (receipt_id, store_key, job_id, config_revision, agent_id, status, owner_pid, started_at_ms) \
         VALUES ('rcpt-x', 'k', '007ab091-ffcc-493b-979a-d1207036802e', 'c', 'ops', 'running', 1, 1795312800000)",
        [],
    )
    .unwrap();
    let runs = |facts: Vec<Fact>| -> Vec<(String, String)> {
        facts
            .into_iter()
            .map(|f| match f.kind {
                FactKind::CronRun(r) => (r.run_id, r.status),
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    };
    assert_eq!(
        runs(r.poll().unwrap()),
        vec![("rcpt-x".to_owned(), "running".to_owned())]
    );
    w.execute("UPDATE cron_run_receipts SET status = 'ok', finished_at_ms = 1795312802000 WHERE receipt_id = 'rcpt-x'", [])
        .unwrap();
    assert_eq!(
        runs(r.poll().unwrap()),
        vec![("rcpt-x".to_owned(), "ok".to_owned())]
    );
    assert!(r.poll().unwrap().is_empty());

    // The killed boot completes: re-sent once.
    w.execute("UPDATE gateway_boot_lifecycle SET completed_at_ms = 1795312900000, outcome = 'x' WHERE completed_at_ms IS NULL", [])
        .unwrap();
    let facts = r.poll().unwrap();
    assert_eq!(facts.len(), 1);
    assert!(
        matches!(&facts[0].kind, FactKind::GatewayBoot(b) if b.completed_at_ms == Some(1795312900000))
    );
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

const MINI_SCHEMA: &str = "
CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY, current_session_id TEXT NOT NULL, entry_json TEXT NOT NULL,
  status TEXT, created_via TEXT, label TEXT, updated_at INTEGER NOT NULL, last_interaction_at INTEGER,
  last_activity_at INTEGER, parent_session_key TEXT, archived_at INTEGER);
CREATE TABLE session_windows (session_id TEXT PRIMARY KEY, session_key TEXT NOT NULL, status TEXT, chat_type TEXT,
  model_provider TEXT, model TEXT, updated_at INTEGER NOT NULL, ended_at INTEGER);
CREATE TABLE transcript_events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, event_json TEXT, created_at INTEGER NOT NULL,
  event_zstd BLOB, event_utf8_bytes INTEGER, navigation_json TEXT, PRIMARY KEY (session_id, seq));
CREATE TABLE session_pending_inputs (seq INTEGER PRIMARY KEY AUTOINCREMENT, session_key TEXT NOT NULL, state TEXT NOT NULL);
INSERT INTO session_nodes VALUES ('agent:main:main', 's1', '{\"sessionId\":\"s1\"}', 'done', 'run', NULL, 1, NULL, NULL, NULL, NULL);
INSERT INTO session_windows VALUES ('s1', 'agent:main:main', 'done', 'direct', 'p', 'm', 1, NULL);
";

#[test]
fn live_wal_db_reads_committed_rows_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("openclaw-agent.sqlite");
    let w = Connection::open(&db).unwrap();
    let mode: String = w
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    w.execute_batch("PRAGMA wal_autocheckpoint=0;").unwrap();
    w.execute_batch(MINI_SCHEMA).unwrap();
    w.execute("INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES ('s1', 1, ?1, 1)", [ASSISTANT])
        .unwrap();
    // An open write transaction with an uncommitted row.
    w.execute_batch("BEGIN IMMEDIATE").unwrap();
    w.execute("INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES ('s1', 2, ?1, 2)", [ASSISTANT])
        .unwrap();
    let before = listing(tmp.path());
    assert_eq!(
        before,
        vec![
            "openclaw-agent.sqlite",
            "openclaw-agent.sqlite-shm",
            "openclaw-agent.sqlite-wal"
        ]
    );

    let mut r = AgentDbReader::open("main", &db).unwrap();
    let facts = r.poll().unwrap();
    assert_eq!(
        usd(&facts).0,
        1,
        "committed, un-checkpointed row seen; uncommitted row not"
    );
    assert_eq!(listing(tmp.path()), before);

    w.execute_batch("COMMIT").unwrap();
    let facts = r.poll().unwrap();
    assert_eq!(usd(&facts).0, 1, "the row committed since");
    assert!(r.poll().unwrap().is_empty());
    assert_eq!(listing(tmp.path()), before);

    // The gateway closes its connection: while lanetop's connection is open, SQLite keeps
    // -wal/-shm (the reader holds the shared-memory lock), so reading goes on.
    drop(w);
    assert_eq!(listing(tmp.path()), before);
    assert!(r.poll().unwrap().is_empty());
    drop(r);
    // A last writer closing alone removes -wal/-shm (the gateway stopped cleanly). A `mode=ro`
    // open would have to create them; the reader opens the quiescent file `immutable=1`
    // instead: it reads every committed row and the directory stays exactly as it is.
    let last = Connection::open(&db).unwrap();
    let n: i64 = last
        .query_row("SELECT count(*) FROM transcript_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    drop(last);
    let after_close = listing(tmp.path());
    assert_eq!(after_close, vec!["openclaw-agent.sqlite"]);
    let mut r = AgentDbReader::open("main", &db).expect("quiescent WAL db opens");
    let facts = r.poll().unwrap();
    assert_eq!(
        usd(&facts).0,
        2,
        "both committed rows read from the checkpointed file"
    );
    assert!(r.poll().unwrap().is_empty());
    assert_eq!(listing(tmp.path()), after_close, "nothing created");
    let mut state = StateDbReader::open(&db).expect("state reader opens a quiescent db too");
    let _ = state.poll();
    assert_eq!(listing(tmp.path()), after_close);

    // The gateway starts again and writes: the side files reappear, the reader switches back
    // to a live `mode=ro` connection and sees the new row.
    let w = Connection::open(&db).unwrap();
    w.execute_batch("PRAGMA wal_autocheckpoint=0;").unwrap();
    w.execute("INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES ('s1', 3, ?1, 3)", [ASSISTANT])
        .unwrap();
    assert_eq!(listing(tmp.path()), before);
    let facts = r.poll().unwrap();
    assert_eq!(usd(&facts).0, 1, "the row written after the restart");
    drop(w);
    drop(r);
    drop(state);

    // A torn state (only one side file) is refused with a clear error, creating nothing.
    let _ = std::fs::remove_file(tmp.path().join("openclaw-agent.sqlite-wal"));
    if tmp.path().join("openclaw-agent.sqlite-shm").exists() {
        let torn = listing(tmp.path());
        let err = AgentDbReader::open("main", &db)
            .err()
            .expect("open must fail")
            .to_string();
        assert!(err.contains("never creates"), "{err}");
        assert_eq!(listing(tmp.path()), torn);
    }
}

#[test]
fn checksum_readers_never_write_sqlite_capture() {
    let (_tmp, root) = copy_capture();
    let before = stores_util::tree_fingerprint(&root);
    let mut readers: Vec<Box<dyn StoreReader>> = vec![Box::new(
        StateDbReader::open(&root.join("state/openclaw.sqlite")).unwrap(),
    )];
    for a in ["main", "ops", "research"] {
        readers.push(Box::new(
            AgentDbReader::open(a, &agent_db(&root, a)).unwrap(),
        ));
    }
    for round in 0..4 {
        for r in readers.iter_mut() {
            let facts = r.poll().unwrap();
            assert_eq!(facts.is_empty(), round > 0, "{}", r.name());
        }
    }
    drop(readers);
    let config = lanetop::ingest::config::load_config(&root.join("openclaw.json")).unwrap();
    assert_eq!(config.gateway_port, Some(18790));
    let after = stores_util::tree_fingerprint(&root);
    assert_eq!(before, after, "same paths, bytes and mtimes");
}

/// A poll that fails half-way (here: a table renamed away) keeps the facts it already made for
/// the next poll, and is retried even though the database does not change again.
#[test]
fn failed_poll_keeps_its_facts_and_retries() {
    let (_tmp, root) = copy_capture();
    let db = root.join("state/openclaw.sqlite");
    let mut r = StateDbReader::open(&db).unwrap();
    r.poll().unwrap();
    let w = Connection::open(&db).unwrap();
    w.execute_batch(
        "INSERT INTO cron_run_receipts (receipt_id, store_key, job_id, config_revision, agent_id, status, owner_pid, started_at_ms, finished_at_ms) \
         VALUES ('rcpt-y', 'k', 'j', 'c', 'ops', 'ok', 1, 1795312800000, 1795312801000); \
         ALTER TABLE gateway_boot_lifecycle RENAME TO boots_away;",
    )
    .unwrap();
    let err = r.poll().unwrap_err().to_string();
    assert!(err.contains("gateway_boot_lifecycle"), "{err}");
    let err = r.poll().unwrap_err().to_string();
    assert!(
        err.contains("gateway_boot_lifecycle"),
        "retried without a db change: {err}"
    );
    w.execute_batch("ALTER TABLE boots_away RENAME TO gateway_boot_lifecycle;")
        .unwrap();
    let facts = r.poll().unwrap();
    assert_eq!(facts.len(), 1, "{facts:?}");
    assert!(matches!(&facts[0].kind, FactKind::CronRun(run) if run.run_id == "rcpt-y"));
    assert!(r.poll().unwrap().is_empty());
}
