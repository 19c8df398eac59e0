//! `lanetop watch` replaying the incident reproductions made with the REAL gateway
//! (`lab/scenarios`, captured in `tests/data/incidents/<name>/`, checked against an independent
//! count by `tests/detect_incidents.rs`): with a `warn` webhook target, each incident is pushed
//! exactly once, as `firing`, with the kind, subject and USD that `lanetop report --json` gives
//! for the same files, and nothing else is pushed.

mod incidents;
mod watch_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use watch_support::{Guard, Receiver, Setup, signal, wait_exit};

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// (kind, subject) → USD in cents, of the report's warn/crit alerts.
fn warn_alerts(report: &Value) -> BTreeMap<(String, String), Option<f64>> {
    report["alerts"]
        .as_array()
        .expect("alerts[]")
        .iter()
        .filter(|a| a["severity"] == "warn" || a["severity"] == "crit")
        .map(|a| {
            let k = (
                a["kind"].as_str().unwrap_or_default().to_string(),
                a["subject"].as_str().unwrap_or_default().to_string(),
            );
            (k, a["usd"].as_f64().map(cents))
        })
        .collect()
}

/// Replay one captured scenario through `lanetop watch`; returns the pushed bodies.
fn replay(name: &str, want_kinds: &[&str]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/incidents")
        .join(name);
    let (state, log) = (dir.join("state"), dir.join("logs/openclaw.log"));
    let rx = Receiver::start();
    let toml = format!(
        "{}[watch]\nrepeat_minutes = 1440\nresolve_grace_minutes = 0\n\
         [[watch.targets]]\nkind = \"webhook\"\nurl = \"{}\"\nmin_severity = \"warn\"\n",
        incidents::SETTINGS,
        rx.url("/hook")
    );
    let s = Setup::new(&toml);
    let want = warn_alerts(&s.report(&state, &log, &[]));
    let mut kinds: Vec<&str> = want.keys().map(|(k, _)| k.as_str()).collect();
    kinds.dedup();
    assert_eq!(
        kinds, want_kinds,
        "{name}: the report's warn/crit alerts: {want:?}"
    );

    let mut w = Guard(s.watch(&state, &log));
    s.wait_log(Duration::from_secs(30), "ingest caught up");
    rx.wait_for(Duration::from_secs(20), "one push per incident", |r| {
        r.len() >= want.len()
    });
    std::thread::sleep(Duration::from_millis(2500));
    let mut got: BTreeMap<(String, String), Vec<Option<f64>>> = BTreeMap::new();
    for q in rx.all() {
        let v = q.json();
        assert_eq!(v["type"], "incident", "{name}: {v}");
        assert_eq!(v["state"], "firing", "{name}: {v}");
        let k = (
            v["kind"].as_str().unwrap_or_default().to_string(),
            v["subject"].as_str().unwrap_or_default().to_string(),
        );
        got.entry(k).or_default().push(v["usd"].as_f64().map(cents));
    }
    let once: BTreeMap<_, _> = got
        .iter()
        .map(|(k, v)| {
            assert_eq!(v.len(), 1, "{name}: {k:?} pushed {} times", v.len());
            (k.clone(), v[0])
        })
        .collect();
    assert_eq!(once, want, "{name}: pushes vs report");
    signal(&w.0, libc::SIGTERM);
    assert_eq!(wait_exit(&mut w.0, Duration::from_secs(15)), Some(0));
}

#[test]
fn retry_storm_pushes_the_storms_and_the_main_binding_once_each() {
    replay("retry-storm", &["cron-main-binding", "retry-storm"]);
}

#[test]
fn chain_replay_pushes_once() {
    replay("chain-replay", &["chain-replay"]);
}

#[test]
fn resume_flood_pushes_once() {
    replay("resume-flood", &["resume-flood"]);
}

#[test]
fn idle_heartbeat_pushes_once() {
    replay("idle-heartbeat", &["idle-heartbeat"]);
}
