//! The detectors on incident reproductions captured from the REAL gateway
//! (`lab/scenarios/run.sh <name>`, copied once into `tests/data/incidents/<name>/`: the
//! gateway's JSONL log and SQLite stores, sanitized like the shared captures). Each must raise
//! its alert with the subject, evidence and USD that `scripts/incident_facts.py` finds
//! independently in the same files (see `tests/incidents/mod.rs`), and nothing it should not.

mod incidents;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

fn data(name: &str) -> (PathBuf, PathBuf) {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/incidents")
        .join(name);
    (d.join("state"), d.join("logs/openclaw.log"))
}

fn run(name: &str) -> (Value, Value) {
    let (state, log) = data(name);
    (
        incidents::report(&state, &log, incidents::SETTINGS),
        incidents::facts(&state, &log),
    )
}

fn set(kinds: &[&str]) -> BTreeSet<String> {
    kinds.iter().map(|s| s.to_string()).collect()
}

#[test]
fn retry_storm_and_cron_main_binding_on_the_minute_cron_reproduction() {
    let (r, f) = run("retry-storm");
    incidents::check_retry_storm(&r, &f);
    // Not model-drift: the primary lost most turns for minutes, not for `drift_hours` (1 h).
    assert_eq!(
        incidents::kinds(&r),
        set(&["retry-storm", "cron-main-binding"])
    );
}

#[test]
fn chain_replay_on_the_restart_reproduction() {
    let (r, f) = run("chain-replay");
    incidents::check_chain_replay(&r, &f);
    assert_eq!(incidents::kinds(&r), set(&["chain-replay"]));
}

#[test]
fn resume_flood_on_the_crash_and_restart_reproduction() {
    let (r, f) = run("resume-flood");
    incidents::check_resume_flood(&r, &f);
    assert_eq!(incidents::kinds(&r), set(&["resume-flood"]));
}

#[test]
fn idle_heartbeat_on_the_idle_session_reproduction() {
    let (r, f) = run("idle-heartbeat");
    incidents::check_idle_heartbeat(&r, &f);
    assert_eq!(incidents::kinds(&r), set(&["idle-heartbeat"]));
}

#[test]
fn default_thresholds_fire_only_what_does_not_need_hours() {
    // With the defaults (storms over 40 attempts, 1 h idle): the structural cron-main-binding,
    // the replay, and the flood whose waits are long anyway.
    for name in [
        "retry-storm",
        "chain-replay",
        "resume-flood",
        "idle-heartbeat",
    ] {
        let (state, log) = data(name);
        let r = incidents::report(&state, &log, "morning_hour = 8\nutc_offset_minutes = 0\n");
        let want = match name {
            "retry-storm" => set(&["cron-main-binding"]),
            // chain-replay fires from its first replay, whatever the time scale.
            "chain-replay" => set(&["chain-replay"]),
            // The waits behind the resumed runs (131 s, 127 s) pass the default 30 s too.
            "resume-flood" => set(&["resume-flood"]),
            _ => set(&[]),
        };
        assert_eq!(incidents::kinds(&r), want, "{name}: {:#}", r["alerts"]);
    }
}
