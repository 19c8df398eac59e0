//! `collect_once` over temp state dirs built from copies of the real captured artifacts.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::Path;

use lanetop::fact::{Fact, FactKind, Generation, Locator, SourceKind};
use lanetop::ingest::discover::{DiscoverOptions, Env, LogTarget, discover_with};
use lanetop::ingest::{BATCH, build_readers, collect_once};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            fs::copy(e.path(), &dst).unwrap();
        }
    }
}

fn env(root: &Path) -> Env {
    Env {
        vars: Vec::<(String, OsString)>::new(),
        home: Some(root.join("home")),
        tmp_dir: root.join("tmp"),
        default_log_dir: root.join("tmp/openclaw"),
        uid: 1000,
    }
}

/// Lines in a file, counted independently of the tailer (bytes `\n`).
fn newline_count(p: &Path) -> usize {
    fs::read(p).unwrap().iter().filter(|b| **b == b'\n').count()
}

fn collect(d: &lanetop::ingest::discover::Discovery) -> (Vec<Fact>, Vec<usize>) {
    let mut facts = Vec::new();
    let mut sizes = Vec::new();
    collect_once(d, &mut |b| {
        sizes.push(b.len());
        facts.extend(b);
    });
    (facts, sizes)
}

fn is_log_line(f: &Fact) -> bool {
    f.origin.kind == SourceKind::Log && matches!(f.origin.locator, Locator::Line { .. })
}

#[test]
fn collect_once_over_captured_sqlite_generation() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    copy_dir(&common::openclaw("captured/state"), &state);
    let log = root.path().join("logs/openclaw.log");
    fs::create_dir_all(log.parent().unwrap()).unwrap();
    fs::copy(common::openclaw("captured/logs/openclaw.log"), &log).unwrap();
    let want_lines = newline_count(&log);
    assert_eq!(want_lines, 2698);

    let opts = DiscoverOptions {
        state_dir: Some(state.clone()),
        logs: vec![log.clone()],
        ..Default::default()
    };
    let d = discover_with(&opts, &env(root.path())).unwrap();
    assert_eq!(d.logs, vec![LogTarget::File(log.clone())]);
    assert_eq!(build_readers(&d).len(), 4, "3 agent DBs + the state DB");

    let (facts, sizes) = collect(&d);
    assert!(sizes.iter().all(|n| (1..=BATCH).contains(n)), "{sizes:?}");
    // Config comes first (a Config fact, or its health when the parser rejects it).
    assert_eq!(facts[0].origin.kind, SourceKind::Config);
    assert!(matches!(
        facts[0].kind,
        FactKind::Config(_) | FactKind::SourceHealth { .. }
    ));
    let generations: Vec<Generation> = facts
        .iter()
        .filter_map(|f| match f.kind {
            FactKind::Generation(g) => Some(g),
            _ => None,
        })
        .collect();
    assert_eq!(generations, [Generation::Sqlite]);

    // One fact per log line, lines 1..=N exactly once, all after the stores.
    let lines: Vec<u64> = facts
        .iter()
        .filter(|f| is_log_line(f))
        .map(|f| match f.origin.locator {
            Locator::Line { line } => line,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(lines.len(), want_lines);
    assert_eq!(
        lines.iter().copied().collect::<BTreeSet<_>>(),
        (1..=want_lines as u64).collect()
    );
    let first_log = facts.iter().position(is_log_line).unwrap();
    assert!(
        facts[..first_log]
            .iter()
            .all(|f| f.origin.kind != SourceKind::Log)
    );
    // The log's health closes its stream, naming the file and its line count.
    let last = facts.last().unwrap();
    match &last.kind {
        FactKind::SourceHealth {
            health: lanetop::fact::SourceHealth::Ok { detail },
        } => {
            assert!(
                detail.contains("openclaw.log") && detail.contains(&format!("lines {want_lines}")),
                "{detail}"
            );
        }
        k => panic!("last fact {k:?}"),
    }
}

#[test]
fn collect_once_over_captured_legacy_generation() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("state");
    copy_dir(&common::openclaw("captured-legacy/state"), &state);
    let logdir = root.path().join("logs");
    fs::create_dir_all(&logdir).unwrap();
    fs::copy(
        common::openclaw("captured-legacy/logs/openclaw.log"),
        logdir.join("openclaw.log"),
    )
    .unwrap();
    let want_lines = newline_count(&logdir.join("openclaw.log"));

    let opts = DiscoverOptions {
        state_dir: Some(state.clone()),
        logs: vec![logdir],
        ..Default::default()
    };
    let d = discover_with(&opts, &env(root.path())).unwrap();
    assert_eq!(d.generation, Some(Generation::Legacy));
    let agents_with_sessions = d
        .agents
        .iter()
        .filter(|(_, p)| p.join("sessions").is_dir())
        .count();
    let cron = usize::from(state.join("cron").is_dir());
    assert_eq!(build_readers(&d).len(), agents_with_sessions + cron);
    assert_eq!(
        build_readers(&d).len(),
        4,
        "main, ops, research sessions + cron"
    );
    assert_eq!(want_lines, 2941);

    let (facts, _) = collect(&d);
    assert_eq!(facts.iter().filter(|f| is_log_line(f)).count(), want_lines);
    assert!(
        facts
            .iter()
            .any(|f| matches!(f.kind, FactKind::Generation(Generation::Legacy)))
    );
}
