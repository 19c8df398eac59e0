//! `lanetop report --json` on the real captured artifacts (both storage generations) agrees with
//! an independent count over the same files (`scripts/independent_count.py`, Python stdlib only,
//! no code shared with lanetop): fallback decisions by reason, lane-wait counts, sessions per
//! agent, cron runs by status, boots, total cost to the cent, and what each cron run cost.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn independent(state: &Path, log: &Path) -> Value {
    let out = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/independent_count.py"
        ))
        .arg(state)
        .arg(log)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("independent JSON")
}

fn report(state: &Path, log: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_lanetop"))
        .args(["report", "--json", "--state-dir"])
        .arg(state)
        .arg("--log")
        .arg(log)
        .output()
        .expect("lanetop report runs");
    assert!(
        out.status.success(),
        "report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

fn check(state: &Path, log: &Path) {
    let want = independent(state, log);
    let got = report(state, log);

    assert_eq!(
        got["fallbacks"]["decisions"], want["decisions"],
        "fallback decisions"
    );
    assert_eq!(
        got["fallbacks"]["by_reason"], want["by_reason"],
        "fallbacks by reason"
    );

    let mut waits = BTreeMap::new();
    for lane in got["lanes"].as_array().expect("lanes[]") {
        let n = lane["wait_exceeded"].as_u64().expect("wait_exceeded");
        if n > 0 {
            waits.insert(
                lane["name"].as_str().expect("name").to_string(),
                Value::from(n),
            );
        }
    }
    assert_eq!(
        Value::Object(waits.into_iter().collect()),
        want["wait_exceeded"],
        "lane waits"
    );

    let mut per_agent: BTreeMap<String, u64> = BTreeMap::new();
    for s in got["sessions"].as_array().expect("sessions[]") {
        *per_agent
            .entry(s["agent"].as_str().expect("agent").to_string())
            .or_default() += 1;
    }
    assert_eq!(
        serde_json::to_value(&per_agent).expect("json"),
        want["sessions_per_agent"],
        "sessions per agent"
    );

    let mut runs = serde_json::Map::new();
    for job in got["cron"]["jobs"].as_array().expect("cron.jobs[]") {
        let by = &job["runs_by_status"];
        if by.as_object().is_some_and(|m| !m.is_empty()) {
            runs.insert(job["id"].as_str().expect("id").to_string(), by.clone());
        }
    }
    assert_eq!(
        Value::Object(runs),
        want["cron_runs_by_status"],
        "cron runs by status"
    );

    assert_eq!(got["gateway"]["boots"], want["boots"], "boots");
    let (g, w) = (
        got["spend"]["total_usd"].as_f64().expect("usd"),
        want["total_usd"].as_f64().expect("usd"),
    );
    assert_eq!(
        (g * 100.0).round(),
        (w * 100.0).round(),
        "total USD to the cent: {g} vs {w}"
    );
    assert!((g - w).abs() < 1e-6, "total USD: {g} vs {w}");

    // Every line of the log was folded, and none kept: a report prints no scrollback.
    let text = std::fs::read_to_string(log).expect("log");
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(got["logs"]["lines"], Value::from(lines), "log lines folded");
    assert_eq!(got["logs"]["buffered"], Value::from(0), "lines kept");

    // One exhaustion logs several records (the decision, `All models failed` lines, the cron
    // job's error up to minutes later: captured-legacy lines 1256 and 1292): each counts once,
    // so the count is the exhausted episodes (2 in each capture).
    let exhausted = got["cascades"]
        .as_array()
        .expect("cascades[]")
        .iter()
        .filter(|c| c["outcome"] == "exhausted")
        .count();
    assert_eq!(exhausted, 2, "exhausted episodes");
    assert_eq!(
        got["fallbacks"]["chain_exhausted"],
        Value::from(exhausted),
        "chain_exhausted"
    );
    // Task errors per lane = the log lines `lane task error: lane=<name> …`, counted here by
    // text: the `EmbeddedAttemptSessionTakeoverError` ones (typed apart for the takeover
    // detector; 2 in captured-legacy) are task errors of their lanes too.
    let text = std::fs::read_to_string(log).expect("log");
    for lane in got["lanes"].as_array().expect("lanes[]") {
        let name = lane["name"].as_str().expect("name");
        let needle = format!("lane task error: lane={name} ");
        let want = text.lines().filter(|l| l.contains(&needle)).count();
        assert_eq!(
            lane["task_errors"],
            Value::from(want),
            "task errors of {name}"
        );
    }
    // Both captures end with `shutdown completed cleanly in …ms`.
    assert_eq!(got["gateway"]["state"], "down", "gateway state");

    check_cron_run_costs(&got, &want["cron_run_costs"]);
}

/// What each cron run cost, per job, against the independent count (`cron_run_costs`: the
/// run's own transcript, found by the session id in `task_runs.child_session_key` /
/// the run log's `sessionId`, or a heartbeat run's answer to its poll in the main session):
/// the newest known run's cost, the job's cost, and the overnight samples, mean and drift.
/// Amounts are rounded to 1e-6 USD on both sides, hence the tolerance.
fn check_cron_run_costs(got: &Value, want: &Value) {
    let want = want.as_object().expect("cron_run_costs");
    assert!(!want.is_empty(), "the capture has cron runs");
    let close = |g: &Value, w: &Value| match (g.as_f64(), w.as_f64()) {
        (Some(g), Some(w)) => (g - w).abs() < 1.5e-6,
        _ => g == w,
    };
    let jobs = got["cron"]["jobs"].as_array().expect("cron.jobs[]");
    let projected = got["overnight"]["jobs"]
        .as_array()
        .expect("overnight.jobs[]");
    for (id, w) in want {
        let job = jobs.iter().find(|j| j["id"] == id.as_str()).expect("job");
        let p = projected
            .iter()
            .find(|p| p["job"] == id.as_str())
            .expect("projection");
        for (field, g) in [
            ("last_run_cost_usd", &job["last_run_cost_usd"]),
            ("cost_usd", &job["cost_usd"]),
            ("usd_per_run", &p["usd_per_run"]),
            ("drift_usd_per_run", &p["drift_usd_per_run"]),
            ("samples", &p["samples"]),
        ] {
            assert!(close(g, &w[field]), "{id} {field}: {g} vs {}", w[field]);
        }
    }
}

#[test]
fn report_matches_independent_count_on_sqlite_capture() {
    check(
        &common::openclaw("captured/state"),
        &common::openclaw("captured/logs/openclaw.log"),
    );
}

#[test]
fn report_matches_independent_count_on_legacy_capture() {
    let state = common::openclaw("captured-legacy/state");
    let log = common::openclaw("captured-legacy/logs/openclaw.log");
    check(&state, &log);
    // This capture keeps `openclaw.json` in `config/`, not in the state dir: the report says
    // the config is missing and what that costs, instead of leaving it out.
    let got = report(&state, &log);
    let config = got["sources"]
        .as_array()
        .expect("sources[]")
        .iter()
        .find(|s| s["name"] == "config")
        .expect("a config source");
    assert_eq!(config["status"], "waiting", "{config}");
    assert!(
        config["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("openclaw.json not found in ")
                && d.contains("no fallback chains, prices")),
        "{config}"
    );
}

#[test]
fn nothing_found_says_where_it_looked_and_exits_1() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_lanetop"))
        .arg("report")
        .env("HOME", home.path())
        .env("TMPDIR", home.path())
        .env_remove("OPENCLAW_STATE_DIR")
        .env_remove("OPENCLAW_HOME")
        .env_remove("OPENCLAW_PROFILE")
        .output()
        .expect("run lanetop");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("state dir: {}/.openclaw", home.path().display())),
        "{err}"
    );
    assert!(
        err.contains("--state-dir") && err.contains("--log") && err.contains("--demo"),
        "{err}"
    );
    assert!(
        !err.contains("BACKTRACE"),
        "a user error, not a crash: {err}"
    );
}

/// The Markdown report names cron jobs as the operator knows them (spend by cron job and alert
/// subjects), and says how much spend sits in sessions no store lists, so its sessions table
/// and its total add up.
#[test]
fn markdown_names_jobs_and_accounts_for_unbound_sessions() {
    let state = common::openclaw("captured-legacy/state");
    let log = common::openclaw("captured-legacy/logs/openclaw.log");
    let json = report(&state, &log);
    let out = Command::new(env!("CARGO_BIN_EXE_lanetop"))
        .args(["report", "--markdown", "--state-dir"])
        .arg(&state)
        .arg("--log")
        .arg(&log)
        .output()
        .expect("lanetop report runs");
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).expect("UTF-8");
    // `cron/jobs.json`: job 139b765b-… is `lab-main-isolated-main-key`.
    assert!(
        md.contains("| lab-main-isolated-main-key (139b765b) | $"),
        "spend by cron job by name:\n{md}"
    );
    assert!(
        !md.contains("| 139b765b-9bd3-4e3e-aa58-0681ac5d9253 |"),
        "no bare job id as a row label:\n{md}"
    );
    let unbound = json["unbound_sessions"]
        .as_array()
        .expect("unbound_sessions[]");
    assert!(
        !unbound.is_empty(),
        "finished isolated runs are unbound on 5.20"
    );
    assert!(
        md.contains(&format!(
            "{} more session(s) are known only from logs and transcripts",
            unbound.len()
        )),
        "{md}"
    );
}
