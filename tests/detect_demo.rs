//! End to end: the demo simulator writes its incident shapes (cron storm bound to
//! `agent:main:main`, chain replayed after the restart, idle heartbeat drain on
//! `agent:ops:main`, resume flood on lane `main`) into a temp dir; `lanetop report --json
//! --check` on it names each one with evidence lines that really are those log and
//! transcript lines, and exits 4 (critical).

use std::path::Path;
use std::process::Command;

use lanetop::demo::{self, DemoOptions};
use serde_json::Value;

fn line(file: &str, n: u64) -> String {
    let text = std::fs::read_to_string(file).expect("evidence file");
    text.lines().nth((n - 1) as usize).unwrap_or("").to_string()
}

fn find<'a>(alerts: &'a [Value], kind: &str, subject: &str) -> &'a Value {
    alerts
        .iter()
        .find(|a| a["kind"] == kind && a["subject"] == subject)
        .unwrap_or_else(|| panic!("no {kind} alert for {subject}: {alerts:#?}"))
}

fn each_line(a: &Value, check: impl Fn(&str) -> bool) {
    let ev = a["evidence"].as_array().unwrap();
    assert!(!ev.is_empty());
    for e in ev.iter().filter(|e| e["line"].is_u64()) {
        let l = line(e["file"].as_str().unwrap(), e["line"].as_u64().unwrap());
        assert!(check(&l), "{}: {l}", a["kind"]);
    }
}

#[test]
fn demo_incidents_are_detected_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    // The ~2 simulated hours of backlog (one whole incident cycle) are written by start().
    demo::start(
        &root,
        DemoOptions {
            speed: 1.0,
            seed: 0x0C1A_5EED,
        },
    )
    .expect("demo starts")
    .stop();
    let cfg = tempfile::tempdir().unwrap();
    std::fs::write(cfg.path().join("lanetop.toml"), "utc_offset_minutes = 0\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lanetop"))
        .env("LANETOP_CONFIG_DIR", cfg.path())
        .args(["report", "--json", "--check", "--state-dir"])
        .arg(root.join("state"))
        .arg("--log")
        .arg(root.join("logs"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let alerts = r["alerts"].as_array().unwrap().clone();

    // The job bound to agent:main:main, from the demo's own jobs.json.
    let jobs: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("state/cron/jobs.json")).unwrap())
            .unwrap();
    let triage = jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["sessionKey"] == "agent:main:main")
        .expect("a job bound to main");
    let triage_id = triage["id"].as_str().unwrap();
    let bound = find(&alerts, "cron-main-binding", triage_id);
    assert_eq!(bound["severity"], "crit");
    assert_eq!(bound["remedy"], "pause-cron");
    assert!(bound["usd"].as_f64().unwrap() > 0.0);
    each_line(bound, |l| l.contains("model fallback decision"));
    // Only that job is bound to a main session.
    assert_eq!(
        alerts
            .iter()
            .filter(|a| a["kind"] == "cron-main-binding")
            .count(),
        1
    );

    let storm = find(&alerts, "retry-storm", triage_id);
    assert!(storm["usd"].as_f64().unwrap() > 1.0);
    each_line(storm, |l| {
        l.contains("model fallback decision") || l.contains("transient same-model retry")
    });

    let replay = find(&alerts, "chain-replay", "agent:main:main");
    assert_eq!(replay["remedy"], "pin-model");
    each_line(replay, |l| l.contains("model fallback decision"));

    let idle = find(&alerts, "idle-heartbeat", "agent:ops:main");
    assert!(idle["usd"].as_f64().unwrap() > 0.0, "USD per day");
    each_line(idle, |l| {
        l.contains("\"role\":\"user\"") && l.contains("eartbeat")
    });

    let flood = find(&alerts, "resume-flood", "main");
    assert_eq!(flood["remedy"], "prune-stale");
    each_line(flood, |l| {
        l.contains("interrupted main session") || l.contains("lane wait exceeded: lane=main ")
    });
    assert!(flood["evidence"].as_array().unwrap().iter().any(|e| {
        line(e["file"].as_str().unwrap(), e["line"].as_u64().unwrap())
            .contains("lane wait exceeded")
    }));

    // The overnight projection covers every cron job and the ops heartbeat.
    let o = &r["overnight"]["jobs"];
    let ids: Vec<&str> = o
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["job"].as_str().unwrap())
        .collect();
    for j in jobs["jobs"].as_array().unwrap() {
        assert!(ids.contains(&j["id"].as_str().unwrap()));
    }
    assert!(ids.contains(&"heartbeat:ops"));
    assert!(Path::new(&root).exists());
}
