//! Live test against the REAL OpenClaw gateway from `../shared/openclaw/lab` (quick scenario,
//! ~3 min): lanetop discovers the lab's state dir, follows its log and stores while the gateway
//! runs, and the fallbacks, lane waits and sessions of that run must reach the model as they
//! happen (measured lag printed), and match an independent count of the same files at the end.
//!
//! Needs `OCLAB_PREFIX` (default `/tmp/oclab`) prepared by `lab/setup.sh`; `.ci/run` does that
//! and runs this test with `--ignored`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lanetop::domain::Model;
use lanetop::ingest::discover::{DiscoverOptions, discover};
use lanetop::msg::Msg;

/// Count the `model fallback decision` records and lane dequeue lines in the log file as it is now.
fn count_in_log(path: &Path) -> (u64, u64) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (0, 0);
    };
    let mut decisions = 0;
    let mut dequeues = 0;
    for line in text.lines() {
        if line.contains("\"message\":\"model fallback decision\"") {
            decisions += 1;
        }
        if line.contains("\"message\":\"lane dequeue: lane=") {
            dequeues += 1;
        }
    }
    (decisions, dequeues)
}

fn waits_seen(model: &Model) -> usize {
    model
        .lanes
        .by_name
        .values()
        .map(|l| l.recent_waits.len())
        .sum()
}

#[test]
#[ignore = "needs the lab (Node 24 + openclaw): run by .ci/run with --ignored"]
fn follows_the_real_gateway_live() {
    let prefix =
        PathBuf::from(std::env::var("OCLAB_PREFIX").unwrap_or_else(|_| "/tmp/oclab".into()));
    assert!(
        prefix.join("oc/node_modules/.bin/openclaw").exists(),
        "openclaw not installed under {}: run ../shared/openclaw/lab/setup.sh",
        prefix.display()
    );
    let run_dir = tempfile::Builder::new()
        .prefix("lanetop-lab-")
        .tempdir()
        .expect("tempdir");
    let run = run_dir.path().to_path_buf();
    let state_dir = run.join("home/.openclaw");
    let log = run.join("logs/openclaw.log");

    let mut lab = Command::new("bash")
        .arg(common::openclaw("lab/run.sh"))
        .env("OCLAB_PREFIX", &prefix)
        .env("RUN_DIR", &run)
        .env("OUT_DIR", run.join("artifacts"))
        .env("SCENARIO", "quick")
        .env("DURATION_MIN", "0")
        .env("GW_PORT", "18797")
        .env("FAKE_LLM_PORT", "18997")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start lab/run.sh");

    // Wait for the gateway to create its state dir (config written by the lab first).
    let t0 = Instant::now();
    while !state_dir.join("openclaw.json").exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "lab never created {}",
            state_dir.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let discovery = discover(&DiscoverOptions {
        state_dir: Some(state_dir.clone()),
        logs: vec![log.clone()],
        profile: None,
    })
    .expect("discover the lab state dir");

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(64);
    let _guard = rt.enter();
    let handle = lanetop::ingest::spawn(&discovery, tx);

    let mut model = Model::default();
    let mut max_lag = Duration::ZERO;
    let mut behind_since: Option<Instant> = None;
    let mut seen_live_decision = false;
    let mut seen_live_wait = false;
    let mut lab_done_at: Option<Instant> = None;
    loop {
        while let Ok(msg) = rx.try_recv() {
            lanetop::update::update(&mut model, msg);
        }
        let (file_decisions, file_dequeues) = count_in_log(&log);
        let model_decisions = model.cascades.counters.decisions;
        // lag: how long the model stays behind what the file already holds
        if model_decisions < file_decisions {
            let since = *behind_since.get_or_insert_with(Instant::now);
            max_lag = max_lag.max(since.elapsed());
        } else {
            behind_since = None;
        }
        let running = lab.try_wait().expect("lab status").is_none();
        if running && model_decisions > 0 {
            seen_live_decision = true;
        }
        if running && waits_seen(&model) > 0 && file_dequeues > 0 {
            seen_live_wait = true;
        }
        if !running && lab_done_at.is_none() {
            lab_done_at = Some(Instant::now());
        }
        if let Some(done) = lab_done_at
            && done.elapsed() > Duration::from_secs(3)
        {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(900),
            "lab run took more than 15 minutes"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(handle);
    let status = lab.wait().expect("lab exit");

    let (file_decisions, file_dequeues) = count_in_log(&log);
    println!(
        "live lab: lab exit {status}, decisions file={file_decisions} model={}, dequeues file={file_dequeues}, \
         waits in model={}, sessions={}, max lag {:?} (sampled every 50 ms)",
        model.cascades.counters.decisions,
        waits_seen(&model),
        model.sessions.by_key.len(),
        max_lag
    );
    assert!(
        file_decisions >= 3,
        "the quick scenario makes fallbacks (phase 3): {file_decisions}"
    );
    assert!(
        seen_live_decision,
        "a fallback decision reached the model while the gateway was running"
    );
    assert!(
        seen_live_wait,
        "lane waits reached the model while the gateway was running"
    );
    assert_eq!(
        model.cascades.counters.decisions, file_decisions,
        "every decision record counted once"
    );
    assert!(
        max_lag < Duration::from_secs(2),
        "model lagged the file by {max_lag:?}"
    );
    for key in ["agent:main:main", "agent:ops:main", "agent:research:main"] {
        assert!(
            model.sessions.by_key.contains_key(key),
            "session {key} in the model"
        );
    }
    assert!(model.lanes.by_name.contains_key("main"), "lane main seen");
}
