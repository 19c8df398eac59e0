//! Live ingest (`spawn_with`) over a temp log family, with notify and with forced polling:
//! backlog, appends, rename rotation, truncation, a partial line, delete + re-create and day
//! rollover, counting log facts exactly. Waits are deadlines on observed facts, never sleeps used
//! as assertions; "no duplicates" is checked after the tailer has provably run more cycles
//! (periodic health facts).

mod common;

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use lanetop::fact::{FactKind, Generation, Locator, SourceKind};
use lanetop::ingest::discover::{Discovery, LogTarget};
use lanetop::ingest::{IngestOptions, spawn_with};
use lanetop::msg::Msg;
use tokio::sync::mpsc::error::TryRecvError;

struct Counter {
    rx: tokio::sync::mpsc::Receiver<Msg>,
    lines: usize,
    health: usize,
    closed: bool,
    kinds: Vec<SourceKind>,
    generation: Option<Generation>,
}

impl Counter {
    fn drain(&mut self) {
        loop {
            match self.rx.try_recv() {
                Ok(Msg::Facts(batch)) => {
                    assert!(batch.len() <= lanetop::ingest::BATCH);
                    for f in batch {
                        self.kinds.push(f.origin.kind);
                        match f.kind {
                            FactKind::SourceHealth { .. } => self.health += 1,
                            FactKind::Generation(g) => self.generation = Some(g),
                            _ if f.origin.kind == SourceKind::Log
                                && matches!(f.origin.locator, Locator::Line { .. }) =>
                            {
                                self.lines += 1
                            }
                            _ => {}
                        }
                    }
                }
                Ok(_) => {}
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.closed = true;
                    return;
                }
            }
        }
    }

    fn wait_until(&mut self, what: &str, mut done: impl FnMut(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.drain();
            if done(self) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: lines {}",
                self.lines
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Wait for exactly `n` log lines, then for three more health facts (≥ 2 more tailer
    /// cycles), and check no extra line arrived.
    fn expect_lines(&mut self, n: usize) {
        self.wait_until(&format!("{n} lines"), |c| c.lines >= n);
        let h = self.health + 3;
        self.wait_until("3 more health facts", |c| c.health >= h);
        assert_eq!(self.lines, n, "duplicates or extra lines");
    }
}

fn append(p: &Path, s: &str) {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
        .unwrap()
        .write_all(s.as_bytes())
        .unwrap();
}

fn lines(prefix: &str, n: usize) -> String {
    (1..=n).map(|i| format!("{prefix} line {i}\n")).collect()
}

fn opts(poll: bool) -> IngestOptions {
    let mut o = IngestOptions {
        health_every: Duration::from_millis(40),
        log_safety_poll: Duration::from_millis(100),
        ..Default::default()
    };
    o.tail.poll = poll;
    o.tail.poll_interval = Duration::from_millis(30);
    o
}

fn scenario(poll: bool) {
    let d = tempfile::tempdir().unwrap();
    let active = d.path().join("openclaw-2026-11-21.log");
    let rotated = d.path().join("openclaw-2026-11-21.1.log");
    fs::write(&active, lines("backlog", 100)).unwrap();
    let disc = Discovery {
        logs: vec![LogTarget::Family {
            dir: d.path().to_path_buf(),
            stem: "openclaw".into(),
        }],
        ..Default::default()
    };
    // A tiny channel: the tailer must wait for the consumer (backpressure), not drop or buffer.
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    let handle = spawn_with(&disc, tx, opts(poll));
    let mut c = Counter {
        rx,
        lines: 0,
        health: 0,
        closed: false,
        kinds: Vec::new(),
        generation: None,
    };
    c.expect_lines(100);

    append(&active, &lines("live", 20));
    c.expect_lines(120);

    // Rotation: the writer appends, renames the active file to .1 and starts a new one.
    append(&active, &lines("before-rotate", 5));
    fs::rename(&active, &rotated).unwrap();
    fs::write(&active, lines("after-rotate", 7)).unwrap();
    c.expect_lines(132);

    // Truncation in place.
    fs::write(&active, lines("t", 3)).unwrap();
    c.expect_lines(135);

    // A partial line is held until its newline.
    append(&active, "partial-");
    c.expect_lines(135);
    append(&active, "done\n");
    c.expect_lines(136);

    // Delete and re-create.
    fs::remove_file(&active).unwrap();
    fs::write(&active, lines("recreated", 2)).unwrap();
    c.expect_lines(138);

    // Day rollover.
    fs::write(
        d.path().join("openclaw-2026-11-22.log"),
        lines("next-day", 4),
    )
    .unwrap();
    c.expect_lines(142);

    drop(handle); // stops and joins the threads, which drop their senders
    c.wait_until("channel closed", |c| c.closed);
}

#[test]
fn live_tail_with_notify() {
    scenario(false);
}

#[test]
fn live_tail_with_polling() {
    scenario(true);
}

#[test]
fn live_stores_send_config_then_generation() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    fs::create_dir_all(state.join("agents/main/agent")).unwrap();
    fs::copy(
        common::openclaw("captured/state/openclaw.json"),
        state.join("openclaw.json"),
    )
    .unwrap();
    fs::copy(
        common::openclaw("captured/state/agents/main/agent/openclaw-agent.sqlite"),
        state.join("agents/main/agent/openclaw-agent.sqlite"),
    )
    .unwrap();
    let disc = lanetop::ingest::discover::discover_with(
        &lanetop::ingest::discover::DiscoverOptions {
            state_dir: Some(state.clone()),
            logs: vec![root.path().join("openclaw.log")],
            ..Default::default()
        },
        &lanetop::ingest::discover::Env {
            tmp_dir: root.path().join("tmp"),
            default_log_dir: root.path().join("tmp/openclaw"),
            ..Default::default()
        },
    );
    // `--log` file that does not exist yet: its dir exists, so it is waited for.
    let disc = disc.unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let handle = spawn_with(&disc, tx, opts(false));
    let mut c = Counter {
        rx,
        lines: 0,
        health: 0,
        closed: false,
        kinds: Vec::new(),
        generation: None,
    };
    c.wait_until("generation", |c| c.generation.is_some());
    assert_eq!(c.generation, Some(Generation::Sqlite));
    let first_store = c.kinds.iter().position(|k| *k != SourceKind::Log).unwrap();
    assert_eq!(c.kinds[first_store], SourceKind::Config);
    // The log file appears later and is picked up.
    fs::write(root.path().join("openclaw.log"), lines("late", 3)).unwrap();
    c.expect_lines(3);
    drop(handle);
    c.wait_until("channel closed", |c| c.closed);
}

#[test]
fn notify_wakes_the_tailer_without_polling() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("openclaw-2026-11-22.log");
    fs::write(&f, lines("a", 2)).unwrap();
    let disc = Discovery {
        logs: vec![LogTarget::Family {
            dir: d.path().to_path_buf(),
            stem: "openclaw".into(),
        }],
        ..Default::default()
    };
    let mut o = opts(false);
    o.log_safety_poll = Duration::from_secs(600);
    o.health_every = Duration::from_secs(600);
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let handle = spawn_with(&disc, tx, o);
    let mut c = Counter {
        rx,
        lines: 0,
        health: 0,
        closed: false,
        kinds: Vec::new(),
        generation: None,
    };
    c.wait_until("backlog", |c| c.lines == 2);
    // Only a directory event can wake the tailer within the deadline (the safety poll is 10 min).
    append(&f, &lines("b", 3));
    c.wait_until("notify wake-up", |c| c.lines == 5);
    drop(handle);
    c.wait_until("channel closed", |c| c.closed);
}
