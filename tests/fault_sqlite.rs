//! SQLite faults on COPIES of the captured 2026.9.6 stores:
//! - another connection holds an EXCLUSIVE lock (a write transaction) on the `ops` agent db
//!   while the live reader loop (`ingest::spawn_readers`) polls: the status bar says `sqlite
//!   busy`, lanetop keeps running, and once the writer commits its row arrives exactly once;
//! - a WAL database that a writer keeps appending to and checkpointing with
//!   `wal_checkpoint(TRUNCATE)` while the reader polls concurrently: every committed row is read
//!   exactly once (none lost when the WAL is truncated under the reader, none twice).
//!
//! The capture's `ops` agent db holds 20 assistant usage rows (checked by
//! `stores_sqlite_live.rs::only_new_transcript_rows_come_back`).

mod common;
mod fault_support;
mod stores_util;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lanetop::domain::Model;
use lanetop::fact::{Fact, FactKind, SourceHealth, SourceKind};
use lanetop::ingest::sqlite::AgentDbReader;
use lanetop::ingest::store::StoreReader;
use lanetop::ingest::{IngestOptions, spawn_readers};
use lanetop::msg::Msg;
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

/// An assistant transcript event costing 0.5 USD (110 tokens), run `run-<n>`.
fn assistant(n: usize) -> String {
    format!(
        r#"{{"type":"message","id":"fault-{n}","parentId":null,"timestamp":"2026-11-22T02:00:00.000Z","message":{{"role":"assistant","content":[],"api":"openai-completions","provider":"fakeback","model":"fake-backup","usage":{{"input":100,"output":10,"cacheRead":0,"cacheWrite":0,"totalTokens":110,"cost":{{"input":0.0003,"output":0.00015,"cacheRead":0,"cacheWrite":0,"total":0.5}}}},"stopReason":"stop","timestamp":1795312800000,"__openclaw":{{"runId":"run-{n}"}}}}}}"#
    )
}

/// The `agent:ops:main` current session id and its highest `seq`.
fn ops_main(w: &Connection) -> (String, i64) {
    w.query_row(
        "SELECT session_id, max(seq) FROM transcript_events WHERE session_id = \
         (SELECT current_session_id FROM session_nodes WHERE session_key = 'agent:ops:main')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn usage_keys(facts: &[Fact]) -> Vec<String> {
    facts
        .iter()
        .filter(|f| matches!(f.kind, FactKind::Usage(_)))
        .map(|f| format!("{:?}", f.origin.locator))
        .collect()
}

#[test]
fn exclusive_lock_shows_sqlite_busy_then_the_row_arrives_once() {
    let (_tmp, root) = copy_capture();
    let db = agent_db(&root, "ops");
    let reader = AgentDbReader::open("ops", &db).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(64);
    let mut opts = IngestOptions {
        store_safety_poll: Duration::from_millis(100),
        ..Default::default()
    };
    opts.tail.poll = true;
    opts.tail.poll_interval = Duration::from_millis(50);
    let handle = spawn_readers(
        vec![(
            SourceKind::AgentDb,
            Box::new(reader) as Box<dyn StoreReader>,
        )],
        tx,
        opts,
    );
    let mut model = Model::default();
    let mut usage: Vec<String> = Vec::new();
    let mut pump = |model: &mut Model,
                    usage: &mut Vec<String>,
                    what: &str,
                    done: &dyn Fn(&Model, usize) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(model, usage.len()) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            match rx.try_recv() {
                Ok(Msg::Facts(f)) => {
                    usage.extend(usage_keys(&f));
                    fault_support::fold(model, Msg::Facts(f));
                }
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    };
    let health = |m: &Model| {
        m.sources
            .values()
            .next()
            .map(|s| s.health.clone())
            .expect("a health entry")
    };
    pump(&mut model, &mut usage, "the 20 captured rows", &|m, n| {
        n == 20 && !m.sources.is_empty()
    });
    assert!(matches!(health(&model), SourceHealth::Ok { .. }));

    // Another connection takes the write lock and inserts one row, uncommitted.
    let w = Connection::open(&db).unwrap();
    let (sid, max) = ops_main(&w);
    w.execute_batch("BEGIN EXCLUSIVE").unwrap();
    w.execute(
        "INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES (?1, ?2, ?3, 1795312800001)",
        (&sid, max + 1, assistant(1)),
    )
    .unwrap();
    pump(&mut model, &mut usage, "sqlite busy", &|m, _| {
        m.sources.values().any(|s| matches!(&s.health, SourceHealth::Error { message } if message.contains("sqlite busy")))
    });
    let bar = fault_support::status_bar(&model, 250);
    assert!(bar.contains("✗") && bar.contains("sqlite busy"), "{bar}");
    assert_eq!(usage.len(), 20, "nothing read through the lock");

    w.execute_batch("COMMIT").unwrap();
    pump(
        &mut model,
        &mut usage,
        "the committed row and health back",
        &|m, n| {
            n == 21
                && m.sources
                    .values()
                    .all(|s| matches!(s.health, SourceHealth::Ok { .. }))
        },
    );
    // Three more polls: still exactly one new row.
    std::thread::sleep(Duration::from_millis(400));
    pump(&mut model, &mut usage, "drain", &|_, _| true);
    while let Ok(Msg::Facts(f)) = rx.try_recv() {
        usage.extend(usage_keys(&f));
    }
    assert_eq!(usage.len(), 21, "the row arrives exactly once");
    let unique: HashSet<&String> = usage.iter().collect();
    assert_eq!(unique.len(), 21);
    drop(handle);
}

#[test]
fn wal_truncate_checkpoints_during_reads_lose_and_duplicate_nothing() {
    const ROWS: usize = 120;
    let (_tmp, root) = copy_capture();
    let db = agent_db(&root, "ops");
    let w = Connection::open(&db).unwrap();
    let mode: String = w
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    w.busy_timeout(Duration::from_secs(5)).unwrap();
    let mut reader = AgentDbReader::open("ops", &db).unwrap();
    let first = reader.poll().unwrap();
    assert_eq!(usage_keys(&first).len(), 20);

    let (sid, max) = ops_main(&w);
    let writer = std::thread::spawn(move || {
        let mut truncated = 0;
        for i in 1..=ROWS {
            w.execute(
                "INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES (?1, ?2, ?3, 1795312800001)",
                (&sid, max + i as i64, assistant(i)),
            )
            .unwrap();
            if i % 6 == 0 {
                // (busy, wal frames, checkpointed): busy = 0 and 0 frames = WAL truncated.
                let (busy, log): (i64, i64) = w
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .unwrap();
                if busy == 0 && log == 0 {
                    truncated += 1;
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        truncated
    });
    let mut got: Vec<String> = Vec::new();
    let mut errors = 0;
    while !writer.is_finished() {
        match reader.poll() {
            Ok(f) => got.extend(usage_keys(&f)),
            Err(e) => {
                // A poll may meet the checkpoint's lock: it is retried, never fatal.
                assert!(e.to_string().contains("sqlite busy"), "{e}");
                errors += 1;
            }
        }
    }
    let truncated = writer.join().unwrap();
    got.extend(usage_keys(&reader.poll().unwrap()));
    assert!(truncated > 0, "at least one TRUNCATE checkpoint completed");
    assert_eq!(got.len(), ROWS, "every row once (busy polls: {errors})");
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), ROWS, "no row twice");
    assert!(reader.poll().unwrap().is_empty());
}
