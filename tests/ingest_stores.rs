//! The live store loop (`spawn_readers`) with fake readers: polled once at start, again when a
//! watched file changes (notify + debounce, long safety poll so only the event can trigger it),
//! on the poll fallback, and reader errors and panics become `SourceHealth::Error` facts while
//! the loop keeps going.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use lanetop::fact::{Fact, FactKind, Origin, SourceHealth, SourceKind};
use lanetop::ingest::store::{StoreError, StoreReader};
use lanetop::ingest::{IngestOptions, spawn_readers};
use lanetop::msg::Msg;
use tokio::sync::mpsc::error::TryRecvError;

#[derive(Clone, Copy)]
enum Mode {
    Ok,
    Fail,
    Panic,
}

struct Fake {
    path: PathBuf,
    polls: Arc<AtomicUsize>,
    mode: Mode,
}

impl StoreReader for Fake {
    fn name(&self) -> String {
        "fake".into()
    }
    fn watch_paths(&self) -> Vec<PathBuf> {
        vec![self.path.clone()]
    }
    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        let n = self.polls.fetch_add(1, Ordering::SeqCst) + 1;
        match self.mode {
            Mode::Ok => Ok(vec![Fact {
                at: Utc::now(),
                origin: Origin::new(SourceKind::StateDb, "fake".into()),
                kind: FactKind::UserTurn {
                    agent_id: "a".into(),
                    session_id: n.to_string(),
                    session_key: None,
                    heartbeat: false,
                },
            }]),
            Mode::Fail => Err(StoreError::Io {
                path: self.path.display().to_string(),
                message: "locked".into(),
            }),
            Mode::Panic => panic!("fake reader panics"),
        }
    }
}

#[derive(Default)]
struct Seen {
    turns: usize,
    errors: Vec<(SourceKind, String)>,
    closed: bool,
}

fn drain(rx: &mut tokio::sync::mpsc::Receiver<Msg>, seen: &mut Seen) {
    loop {
        match rx.try_recv() {
            Ok(Msg::Facts(b)) => {
                for f in b {
                    match f.kind {
                        FactKind::UserTurn { .. } => seen.turns += 1,
                        FactKind::SourceHealth {
                            health: SourceHealth::Error { message },
                        } => seen.errors.push((f.origin.kind, message)),
                        _ => {}
                    }
                }
            }
            Ok(_) => {}
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => {
                seen.closed = true;
                return;
            }
        }
    }
}

fn wait(
    rx: &mut tokio::sync::mpsc::Receiver<Msg>,
    seen: &mut Seen,
    what: &str,
    done: impl Fn(&Seen) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        drain(rx, seen);
        if done(seen) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn fake(path: &std::path::Path, mode: Mode) -> (Arc<AtomicUsize>, Box<dyn StoreReader>) {
    let polls = Arc::new(AtomicUsize::new(0));
    (
        polls.clone(),
        Box::new(Fake {
            path: path.to_path_buf(),
            polls,
            mode,
        }),
    )
}

#[test]
fn change_to_a_watched_file_triggers_a_poll() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("openclaw.sqlite-wal");
    fs::write(&db, b"0").unwrap();
    let (polls, reader) = fake(&db, Mode::Ok);
    let opts = IngestOptions {
        store_safety_poll: Duration::from_secs(600),
        debounce: Duration::from_millis(50),
        ..Default::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let handle = spawn_readers(vec![(SourceKind::StateDb, reader)], tx, opts);
    let mut seen = Seen::default();
    wait(&mut rx, &mut seen, "first poll", |s| s.turns == 1);
    fs::write(d.path().join("unrelated"), b"x").unwrap();
    fs::write(&db, b"1").unwrap();
    wait(&mut rx, &mut seen, "poll after change", |s| s.turns == 2);
    assert_eq!(
        polls.load(Ordering::SeqCst),
        2,
        "the unrelated file must not trigger a poll"
    );
    drop(handle);
    wait(&mut rx, &mut seen, "close", |s| s.closed);
}

#[test]
fn poll_fallback_polls_periodically() {
    let d = tempfile::tempdir().unwrap();
    let (_, reader) = fake(&d.path().join("db"), Mode::Ok);
    let mut opts = IngestOptions::default();
    opts.tail.poll = true;
    opts.tail.poll_interval = Duration::from_millis(20);
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let handle = spawn_readers(vec![(SourceKind::AgentDb, reader)], tx, opts);
    let mut seen = Seen::default();
    wait(&mut rx, &mut seen, "3 polls", |s| s.turns >= 3);
    drop(handle);
}

#[test]
fn errors_and_panics_become_health_facts() {
    let d = tempfile::tempdir().unwrap();
    let ok_path = d.path().join("ok.sqlite");
    fs::write(&ok_path, b"0").unwrap();
    let (_, failing) = fake(&d.path().join("locked.sqlite"), Mode::Fail);
    let (_, panicking) = fake(&d.path().join("bad.sqlite"), Mode::Panic);
    let (_, ok) = fake(&ok_path, Mode::Ok);
    let opts = IngestOptions {
        store_safety_poll: Duration::from_secs(600),
        debounce: Duration::from_millis(50),
        ..Default::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let readers = vec![
        (SourceKind::AgentDb, failing),
        (SourceKind::LegacyCron, panicking),
        (SourceKind::StateDb, ok),
    ];
    let handle = spawn_readers(readers, tx, opts);
    let mut seen = Seen::default();
    wait(&mut rx, &mut seen, "first round", |s| {
        s.turns == 1 && s.errors.len() == 2
    });
    assert_eq!(seen.errors[0].0, SourceKind::AgentDb);
    assert!(seen.errors[0].1.contains("locked"), "{:?}", seen.errors);
    assert_eq!(seen.errors[1].0, SourceKind::LegacyCron);
    assert!(
        seen.errors[1].1.ends_with("reader panicked"),
        "{:?}",
        seen.errors
    );
    // The loop survived the panic: a change still triggers the healthy reader.
    fs::write(&ok_path, b"1").unwrap();
    wait(&mut rx, &mut seen, "poll after change", |s| s.turns == 2);
    drop(handle);
}
