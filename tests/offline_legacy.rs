//! Offline legacy mode on copies of the REAL captured 2026.5.20 `sessions.json`
//! (`captured-legacy/state/agents/main/sessions/sessions.json`, 8 entries, checked with
//! Python): entries removed byte-exact with order kept, backup, mode 0600, the session-id guard,
//! transcript locks respected, refusal while a gateway runs, and a concurrent writer rewriting
//! the file in a loop (taking the store lock like 2026.3) losing nothing over many rounds, with
//! no torn file ever visible.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lanetop::offline::lock::StoreLock;
use lanetop::offline::{EditError, LegacyRelease, Removal, remove_entries};
use serde_json::Value;

const RUN_RUNNING: &str = "agent:main:cron:eac91b98-f879-4fff-9cc4-1ff3e28385aa:run:1795314817107";
const RUN_DONE_1: &str = "agent:main:cron:eac91b98-f879-4fff-9cc4-1ff3e28385aa:run:1795314892026";
const RUN_DONE_2: &str = "agent:main:cron:eac91b98-f879-4fff-9cc4-1ff3e28385aa:run:1795315230819";

fn copy_store(dir: &Path) -> PathBuf {
    let src = common::openclaw("captured-legacy/state/agents/main/sessions/sessions.json");
    let dst = dir.join("sessions.json");
    std::fs::copy(&src, &dst).expect("copy");
    dst
}

/// Keys in file order and each entry as a value.
fn entries(p: &Path) -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(p).expect("read");
    let v: serde_json::Map<String, Value> = serde_json::from_str(&text).expect("valid JSON");
    // serde_json's Map is sorted: recover file order from the text.
    let mut keys: Vec<(usize, String)> = v
        .keys()
        .map(|k| {
            (
                text.find(&format!("\n  {}:", serde_json::to_string(k).expect("k")))
                    .expect("pos"),
                k.clone(),
            )
        })
        .collect();
    keys.sort();
    keys.into_iter()
        .map(|(_, k)| (k.clone(), v[&k].clone()))
        .collect()
}

fn rm(key: &str) -> Removal {
    Removal {
        key: key.into(),
        expected_session_id: None,
    }
}

#[test]
fn removes_entries_keeps_the_rest_byte_exact_with_a_backup() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = copy_store(dir.path());
    let original = std::fs::read(&store).expect("read");
    let before = entries(&store);
    assert_eq!(before.len(), 8);
    let r = remove_entries(
        &store,
        &[rm(RUN_DONE_1), rm(RUN_DONE_2)],
        LegacyRelease::Locking,
        false,
    )
    .expect("edit");
    assert_eq!(r.removed, vec![RUN_DONE_1, RUN_DONE_2]);
    assert!(r.skipped.is_empty());
    let after = entries(&store);
    let expected: Vec<(String, Value)> = before
        .into_iter()
        .filter(|(k, _)| k != RUN_DONE_1 && k != RUN_DONE_2)
        .collect();
    assert_eq!(after, expected, "the other 6 entries unchanged, in order");
    // Kept entries are byte-identical: the new file is the old text minus the two entries.
    let text = std::fs::read_to_string(&store).expect("read");
    let main_start = text.find("\"agent:main:main\"").expect("main");
    let orig = String::from_utf8(original.clone()).expect("utf8");
    let orig_main = &orig[orig.find("\"agent:main:main\"").expect("main")..];
    let end = orig_main.find("\n  },\n").expect("end of main");
    assert_eq!(&text[main_start..main_start + end], &orig_main[..end]);
    assert!(
        !text.ends_with('\n'),
        "JSON.stringify layout: no trailing newline"
    );
    let mode = std::fs::metadata(&store)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let backup = r.backup.expect("backup");
    assert_eq!(std::fs::read(&backup).expect("backup"), original);
    assert!(
        !dir.path().join("sessions.json.lock").exists(),
        "lock released"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_changed_session_id_or_a_transcript_lock_keeps_the_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = copy_store(dir.path());
    // The running run's transcript is locked (the real lock payload from captured-legacy).
    let lock = common::openclaw(
        "captured-legacy/snapshots/after-fallback/agents/ops/sessions/6c11602b-9bf0-4b2a-9124-a6f9aae200dc.jsonl.lock",
    );
    std::fs::copy(
        lock,
        dir.path()
            .join("ca71c6b6-dc3c-4406-a0e1-6053daac4980.jsonl.lock"),
    )
    .expect("lock copy");
    let r = remove_entries(
        &store,
        &[
            rm(RUN_RUNNING),
            Removal {
                key: RUN_DONE_1.into(),
                expected_session_id: Some("not-the-current-id".into()),
            },
            rm("agent:main:nope"),
        ],
        LegacyRelease::Locking,
        false,
    )
    .expect("edit");
    assert!(r.removed.is_empty());
    let why: std::collections::BTreeMap<_, _> = r.skipped.into_iter().collect();
    assert!(why[RUN_RUNNING].contains(".jsonl.lock"));
    assert!(why[RUN_DONE_1].contains("session changed (now a149c264-f30b-4f2e-9bd9-042dee594165)"));
    assert_eq!(why["agent:main:nope"], "not in the store");
    assert_eq!(entries(&store).len(), 8, "nothing removed, nothing written");
    assert!(r.backup.is_none());
}

#[test]
fn refuses_on_an_unlocked_release_while_a_gateway_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = copy_store(dir.path());
    let original = std::fs::read(&store).expect("read");
    let e = remove_entries(&store, &[rm(RUN_DONE_1)], LegacyRelease::Unlocked, true)
        .expect_err("refused");
    assert!(matches!(e, EditError::GatewayAlive));
    assert_eq!(std::fs::read(&store).expect("read"), original);
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("ls").count(),
        1,
        "no file created"
    );
}

#[test]
fn a_stale_lock_of_a_dead_pid_is_reclaimed_and_a_live_one_waited_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = copy_store(dir.path());
    // pid 0x7ffffffe is not running.
    std::fs::write(
        dir.path().join("sessions.json.lock"),
        "{\"pid\": 2147483646, \"createdAt\": \"2026-11-22T02:34:42.870Z\"}",
    )
    .expect("lock");
    remove_entries(&store, &[rm(RUN_DONE_1)], LegacyRelease::Locking, false).expect("reclaimed");
    // A fresh lock of a live pid (ours) is respected until the timeout.
    let held = StoreLock::acquire(&store, Duration::from_secs(1)).expect("take");
    let t0 = std::time::Instant::now();
    let e = StoreLock::acquire(&store, Duration::from_millis(400)).expect_err("held");
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    assert!(t0.elapsed() >= Duration::from_millis(400));
    drop(held);
    assert!(StoreLock::acquire(&store, Duration::from_secs(1)).is_ok());
}

/// A writer like the 2026.3 gateway (lock, re-read, add an entry, temp + rename) runs in a loop
/// while lanetop prunes 60 planted entries one by one; a reader checks every version it sees
/// parses. At the end every writer entry and every captured entry is there and every planted one
/// is gone.
#[test]
fn a_concurrent_writer_loses_nothing_and_no_file_is_torn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = copy_store(dir.path());
    // Plant 60 prune victims.
    let mut text = std::fs::read_to_string(&store).expect("read");
    text.truncate(text.rfind('}').expect("close"));
    for i in 0..60 {
        text.push_str(&format!(",\n  \"agent:main:victim:{i}\": {{\n    \"sessionId\": \"victim-{i}\",\n    \"updatedAt\": 1\n  }}"));
    }
    text.push_str("\n}");
    std::fs::write(&store, &text).expect("plant");
    let captured: Vec<String> = entries(&common::openclaw(
        "captured-legacy/state/agents/main/sessions/sessions.json",
    ))
    .into_iter()
    .map(|(k, _)| k)
    .collect();

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let _lock =
                    StoreLock::acquire(&store, Duration::from_secs(10)).expect("writer lock");
                let mut t = std::fs::read_to_string(&store).expect("writer read");
                t.truncate(t.rfind('}').expect("close"));
                t.push_str(&format!(",\n  \"agent:main:writer:{n}\": {{\n    \"sessionId\": \"w-{n}\",\n    \"updatedAt\": {n}\n  }}\n}}"));
                let tmp = store.with_extension(format!("json.w{n}.tmp"));
                std::fs::write(&tmp, t).expect("writer tmp");
                std::fs::rename(&tmp, &store).expect("writer rename");
                n += 1;
                drop(_lock);
                std::thread::sleep(Duration::from_millis(1));
            }
            n
        })
    };
    let reader = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let t = std::fs::read(&store).expect("reader read");
                serde_json::from_slice::<Value>(&t).expect("never a torn file");
                reads += 1;
            }
            reads
        })
    };
    let mut rounds = 0;
    for i in 0..60 {
        let r = remove_entries(
            &store,
            &[Removal {
                key: format!("agent:main:victim:{i}"),
                expected_session_id: Some(format!("victim-{i}")),
            }],
            LegacyRelease::Locking,
            false,
        )
        .expect("prune");
        assert_eq!(r.removed.len(), 1, "{r:?}");
        rounds += r.rounds;
        if let Some(b) = r.backup {
            std::fs::remove_file(b).expect("tidy backup");
        }
        // An operator's pace; the writer (polling with the 2026.3 backoff) gets the lock between.
        std::thread::sleep(Duration::from_millis(40));
    }
    stop.store(true, Ordering::SeqCst);
    let written = writer.join().expect("writer");
    let reads = reader.join().expect("reader");
    assert!(written >= 10, "the writer really raced ({written} writes)");
    eprintln!("writer wrote {written} times, reader read {reads} versions");
    assert!(reads > 20);
    let keys: Vec<String> = entries(&store).into_iter().map(|(k, _)| k).collect();
    for n in 0..written {
        assert!(
            keys.contains(&format!("agent:main:writer:{n}")),
            "writer entry {n} lost"
        );
    }
    for k in &captured {
        assert!(keys.contains(k), "captured entry {k} lost");
    }
    assert!(
        !keys.iter().any(|k| k.contains(":victim:")),
        "every victim pruned"
    );
    assert_eq!(keys.len(), captured.len() + written as usize);
    assert_eq!(rounds, 60, "the lock serialises: no round had to be redone");
}

/// The runner with no RPC link on a legacy state dir prunes through the offline edit; the
/// read-only gate refuses before the disk is touched.
#[tokio::test]
async fn the_runner_prunes_offline_only_when_allowed() {
    use lanetop::gateway::runner::{Effect, Runner};
    let dir = tempfile::tempdir().expect("tempdir");
    let sessions = dir.path().join("agents/main/sessions");
    std::fs::create_dir_all(&sessions).expect("mkdir");
    let store = copy_store(&sessions);
    let original = std::fs::read(&store).expect("read");
    let effect = Effect::PruneSession {
        key: RUN_DONE_1.into(),
        reason: "finished cron run".into(),
        expected_session_id: Some("a149c264-f30b-4f2e-9bd9-042dee594165".into()),
    };
    let (_keep, link) = tokio::sync::watch::channel(None);
    let ro = Runner::new(true, link.clone(), None).with_offline(dir.path().to_path_buf());
    let o = ro.run(&effect).await;
    assert!(!o.ok && o.summary.contains("read-only"), "{}", o.summary);
    assert_eq!(
        std::fs::read(&store).expect("read"),
        original,
        "read-only: disk untouched"
    );
    assert_eq!(
        std::fs::read_dir(&sessions).expect("ls").count(),
        1,
        "no backup, no lock"
    );

    let rw = Runner::new(false, link, None).with_offline(dir.path().to_path_buf());
    let o = rw.run(&effect).await;
    assert_eq!(o.method.as_deref(), Some("offline:sessions.json"));
    if lanetop::offline::store_edit::gateway_process_alive() {
        // A gateway runs on this host (e.g. a lab): the edit must be refused.
        assert!(
            !o.ok && o.summary.contains("stop it first"),
            "{}",
            o.summary
        );
        assert_eq!(std::fs::read(&store).expect("read"), original);
    } else {
        assert!(o.ok, "{o:?}");
        let keys: Vec<String> = entries(&store).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys.len(), 7);
        assert!(!keys.contains(&RUN_DONE_1.to_string()));
    }
}
