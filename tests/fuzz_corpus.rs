//! Replays every committed fuzz input through the same harness the fuzzer runs
//! (`lanetop::fuzzing`), on stable, in the normal `cargo test`: the minimized corpora
//! `fuzz/corpus/<target>/` (seeded from the real captured artifacts, grown by fuzzing) and the
//! findings `fuzz/regressions/<target>/`. A harness panics when a parser panics or breaks an
//! invariant, so this fails on any regression of a fixed finding or of corpus behaviour.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lanetop::fuzzing::{TARGETS, harness};
use lanetop::ingest::log::{LineParser, PARALLEL_MIN_BYTES};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir`, sorted (none when it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn replay(kind: &str) -> usize {
    let mut n = 0;
    for (name, h) in TARGETS {
        for path in files(&root().join(kind).join(name)) {
            let data = std::fs::read(&path).expect("read corpus file");
            let r = std::panic::catch_unwind(|| h(&data));
            assert!(r.is_ok(), "{name}: {} fails the harness", path.display());
            n += 1;
        }
    }
    n
}

#[test]
fn every_target_has_a_committed_corpus_seeded_from_real_artifacts() {
    for (name, _) in TARGETS {
        let n = files(&root().join("corpus").join(name)).len();
        assert!(n >= 3, "fuzz/corpus/{name} has {n} inputs");
        assert!(
            root()
                .join("fuzz_targets")
                .join(format!("{name}.rs"))
                .is_file(),
            "{name}.rs"
        );
        assert!(
            root().join("dict").join(format!("{name}.dict")).is_file(),
            "{name}.dict"
        );
    }
    assert!(harness("log_lines").is_some() && harness("nope").is_none());
}

#[test]
fn committed_corpus_replays_clean() {
    let n = replay("corpus");
    assert!(n >= 6 * 3, "{n} corpus inputs");
}

#[test]
fn committed_regressions_replay_clean() {
    replay("regressions");
}

#[test]
fn committed_corpus_stays_small() {
    let total: u64 = ["corpus", "regressions"]
        .iter()
        .flat_map(|k| TARGETS.iter().map(move |(t, _)| root().join(k).join(t)))
        .flat_map(|d| files(&d))
        .map(|p| p.metadata().map_or(0, |m| m.len()))
        .sum();
    assert!(
        total < 2 << 20,
        "committed fuzz inputs are {total} bytes (keep < 2 MiB)"
    );
}

/// The parallel backlog parse (only used above [`PARALLEL_MIN_BYTES`], so out of the fuzzer's
/// reach) gives exactly the sequential result on the whole log corpus, repeated past the
/// threshold, on 2 and 3 threads.
#[test]
fn log_corpus_parallel_parse_equals_sequential() {
    let mut one = Vec::new();
    for p in files(&root().join("corpus/log_lines")) {
        one.extend(std::fs::read(p).expect("read"));
        one.push(b'\n');
    }
    assert!(!one.is_empty());
    let mut bytes = Vec::new();
    while bytes.len() <= PARALLEL_MIN_BYTES + 1 {
        bytes.extend_from_slice(&one);
    }
    let path: Arc<str> = Arc::from("corpus.log");
    let mut seq = Vec::new();
    let mut p = LineParser::new();
    let lines = p.parse_chunk(&bytes, &path, 1, &mut seq);
    for threads in [2, 3] {
        let mut par = Vec::new();
        let mut q = LineParser::new();
        assert_eq!(
            q.parse_chunk_parallel(&bytes, &path, 1, threads, &mut par),
            lines
        );
        assert_eq!(par.len(), seq.len());
        for (a, b) in par.iter().zip(&seq) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
        assert_eq!(q.last_time(), p.last_time());
    }
}
