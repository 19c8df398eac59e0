//! Reading never changes a byte of OpenClaw's state: run the real binary (`lanetop report`, and
//! the TUI's ingest for a while through the same discovery) over writable COPIES of both captured
//! state dirs and their logs, and compare every path, its bytes (sha256) and mtime before and
//! after. The file set must be identical too (no `-wal`/`-shm`/lock/temp file created).

mod common;
mod stores_util;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use lanetop::ingest::discover::{DiscoverOptions, discover};
use lanetop::msg::Msg;

fn run_everything_over(state_src: &Path, log_src: &Path) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("state");
    stores_util::copy_tree(state_src, &state);
    let logs = tmp.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs dir");
    let log = logs.join("openclaw.log");
    std::fs::copy(log_src, &log).expect("copy log");
    let before = stores_util::tree_fingerprint(tmp.path());

    let out = Command::new(env!("CARGO_BIN_EXE_lanetop"))
        .args(["report", "--json", "--state-dir"])
        .arg(&state)
        .arg("--log")
        .arg(&log)
        .output()
        .expect("lanetop report");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The live ingest (what the TUI runs): follow for a while, polling stores and logs.
    let d = discover(&DiscoverOptions {
        state_dir: Some(state.clone()),
        logs: vec![log.clone()],
        profile: None,
    })
    .expect("discover");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _g = rt.enter();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(16);
    let handle = lanetop::ingest::spawn_with(
        &d,
        tx,
        lanetop::ingest::IngestOptions {
            store_safety_poll: Duration::from_millis(100),
            ..Default::default()
        },
    );
    let mut facts = 0;
    let until = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < until {
        while let Ok(Msg::Facts(f)) = rx.try_recv() {
            facts += f.len();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(handle);
    assert!(facts > 1000, "the live ingest read the copy: {facts} facts");

    assert_eq!(
        stores_util::tree_fingerprint(tmp.path()),
        before,
        "no byte, mtime or file changed"
    );
}

#[test]
fn sqlite_state_dir_is_untouched_by_a_run() {
    run_everything_over(
        &common::openclaw("captured/state"),
        &common::openclaw("captured/logs/openclaw.log"),
    );
}

#[test]
fn legacy_state_dir_is_untouched_by_a_run() {
    run_everything_over(
        &common::openclaw("captured-legacy/state"),
        &common::openclaw("captured-legacy/logs/openclaw.log"),
    );
}
