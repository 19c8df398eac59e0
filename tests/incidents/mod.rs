//! Checks of the failure-mode detectors on incident reproductions made with the REAL gateway
//! (`lab/scenarios/run.sh`), shared by `tests/detect_incidents.rs` (the captured copies in
//! `tests/data/incidents/<name>/`) and `tests/live_incidents.rs` (fresh runs).
//!
//! Every expected figure comes from `scripts/incident_facts.py` (Python stdlib over the same
//! SQLite stores and log, no lanetop code): which lines are the failed fallback decisions of a
//! job, which transcript turns a job's runs paid for, the boots, the resumes, the lane waits, the
//! heartbeat polls. lanetop is run as the binary (`lanetop report --json`).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// `lanetop.toml` for the reproductions: thresholds scaled to minutes-long runs (the defaults
/// are for hours: 40 failed attempts in 30 min, 1 h idle, a 30 s lane wait).
pub const SETTINGS: &str = "morning_hour = 8\nutc_offset_minutes = 0\n[detect]\nstorm_attempts = 4\nidle_hours = 0.02\nidle_polls = 3\nflood_wait_ms = 20000\n";

/// Run `lanetop report --json` on a state dir and log with [`SETTINGS`] (or `settings`).
pub fn report(state: &Path, log: &Path, settings: &str) -> Value {
    let cfg = tempfile::tempdir().expect("tempdir");
    std::fs::write(cfg.path().join("lanetop.toml"), settings).expect("settings");
    let out = Command::new(env!("CARGO_BIN_EXE_lanetop"))
        .env("LANETOP_CONFIG_DIR", cfg.path())
        .args(["report", "--json", "--state-dir"])
        .arg(state)
        .arg("--log")
        .arg(log)
        .output()
        .expect("lanetop runs");
    assert!(
        out.status.success(),
        "lanetop report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

/// The independent facts (`scripts/incident_facts.py STATE LOG`).
pub fn facts(state: &Path, log: &Path) -> Value {
    let out = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/incident_facts.py"
        ))
        .arg(state)
        .arg(log)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "incident_facts.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("facts JSON")
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().expect("array")
}

/// Alerts of `kind` at `warn` or above.
pub fn alerts<'a>(r: &'a Value, kind: &str) -> Vec<&'a Value> {
    arr(&r["alerts"])
        .iter()
        .filter(|a| a["kind"] == kind && a["severity"] != "info")
        .collect()
}

/// Kinds of the `warn`/`crit` alerts.
pub fn kinds(r: &Value) -> BTreeSet<String> {
    arr(&r["alerts"])
        .iter()
        .filter(|a| a["severity"] != "info")
        .map(|a| a["kind"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The one alert of `kind` on `subject`.
pub fn alert<'a>(r: &'a Value, kind: &str, subject: &str) -> &'a Value {
    let found: Vec<_> = alerts(r, kind)
        .into_iter()
        .filter(|a| a["subject"] == subject)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {kind} alert on {subject}; alerts: {:#}",
        r["alerts"]
    );
    found[0]
}

/// Log line numbers of an alert's evidence in the gateway log.
pub fn log_lines(a: &Value) -> BTreeSet<u64> {
    arr(&a["evidence"])
        .iter()
        .filter(|e| {
            e["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("openclaw.log"))
        })
        .filter_map(|e| e["line"].as_u64())
        .collect()
}

/// The report clock (`generated_at`) in epoch ms.
pub fn now_ms(r: &Value) -> i64 {
    let s = r["generated_at"].as_str().expect("generated_at");
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("rfc3339")
        .timestamp_millis()
}

pub fn usd(a: &Value) -> f64 {
    a["usd"].as_f64().expect("usd")
}

/// `|a - b|` within the report's rounding (1e-6 USD per summed turn).
pub fn close(a: f64, b: f64, terms: usize) -> bool {
    (a - b).abs() <= 1e-6 * (terms.max(1) as f64) + 1e-9
}

fn turns(f: &Value) -> &Vec<Value> {
    arr(&f["turns"])
}

fn job_id(f: &Value, name: &str) -> String {
    arr(&f["jobs"])
        .iter()
        .find(|j| j["name"] == name)
        .and_then(|j| j["id"].as_str())
        .unwrap_or_else(|| panic!("job {name} in cron_jobs"))
        .to_string()
}

fn sids_of(f: &Value, key: &str) -> BTreeSet<String> {
    turns(f)
        .iter()
        .filter(|t| t["key"] == key)
        .filter_map(|t| t["sid"].as_str().map(String::from))
        .collect()
}

/// Assistant turns paid for by user messages containing `prefix` in session `key` (each
/// assistant turn is attributed to the user message before it), within `[from, to]` ms.
fn usd_after_prompts(f: &Value, key: &str, prefix: &str, from: i64, to: i64) -> (f64, usize) {
    let mut cur = false;
    let (mut sum, mut n) = (0.0, 0);
    for t in turns(f).iter().filter(|t| t["key"] == key) {
        if t["role"] == "user" {
            // 2026.9.6 prefixes a cron prompt with `[cron:<job id> <name>] `.
            cur = t["text"].as_str().is_some_and(|s| s.contains(prefix));
        } else if cur {
            let at = t["at_ms"].as_i64().unwrap_or(0);
            if at >= from && at <= to {
                sum += t["usd"].as_f64().unwrap_or(0.0);
                n += 1;
            }
        }
    }
    (sum, n)
}

/// Failed fallback decision lines on these session ids (optionally only lane `lane`), at or
/// after `from` ms.
fn failed_lines(
    f: &Value,
    sids: &BTreeSet<String>,
    lane: Option<&str>,
    from: i64,
) -> BTreeSet<u64> {
    arr(&f["decisions"])
        .iter()
        .filter(|d| d["decision"] == "candidate_failed")
        .filter(|d| d["sid"].as_str().is_some_and(|s| sids.contains(s)))
        .filter(|d| lane.is_none_or(|l| d["lane"] == l))
        .filter(|d| d["at_ms"].as_i64().unwrap_or(0) >= from)
        .filter_map(|d| d["line"].as_u64())
        .collect()
}

/// (a) minute-cron jobs with a failing primary: `retry-storm` on each job (the isolated one and
/// the one bound to `agent:main:main`, whose runs the gateway puts in the main session on lane
/// `cron-nested`), `cron-main-binding` (crit: it fails over) on the bound one.
pub fn check_retry_storm(r: &Value, f: &Value) {
    let now = now_ms(r);
    let from = now - 30 * 60_000;
    let iso = job_id(f, "inc-storm-isolated");
    let bound = job_id(f, "inc-storm-main-bound");

    // The isolated job: its sessions are `agent:main:cron:<job>` (one session id per run).
    let iso_key = format!("agent:main:cron:{iso}");
    let lines = failed_lines(f, &sids_of(f, &iso_key), None, from);
    assert!(lines.len() >= 4, "the job failed over ≥ 4 times: {lines:?}");
    let a = alert(r, "retry-storm", &iso);
    assert_eq!(log_lines(a), lines, "evidence = the job's failed decisions");
    let (want, n) = usd_after_prompts(f, &iso_key, "storm tick (isolated)", from, now);
    assert!(want > 0.0, "the fallback answers were billed");
    assert!(close(usd(a), want, n), "usd {} vs {want}", usd(a));
    assert_eq!(a["remedy"], "pause-cron");
    let sev = if lines.len() >= 8 { "crit" } else { "warn" };
    assert_eq!(a["severity"], sev, "{}", a["cause"]);

    // The job bound to the main session.
    let main_sids = sids_of(f, "agent:main:main");
    let lines = failed_lines(f, &main_sids, Some("cron-nested"), from);
    assert!(
        lines.len() >= 4,
        "the bound job failed over ≥ 4 times: {lines:?}"
    );
    let a = alert(r, "retry-storm", &bound);
    assert_eq!(log_lines(a), lines);
    let (want, n) = usd_after_prompts(
        f,
        "agent:main:main",
        "storm tick (bound to main)",
        from,
        now,
    );
    assert!(close(usd(a), want, n), "usd {} vs {want}", usd(a));
    assert_eq!(a["remedy"], "pause-cron");

    let b = alert(r, "cron-main-binding", &bound);
    assert_eq!(b["severity"], "crit", "{}", b["cause"]);
    assert_eq!(b["remedy"], "pause-cron");
    let ev = arr(&b["evidence"]);
    assert!(
        ev.iter()
            .any(|e| e["table"] == "cron_jobs" && e["key"] == bound.as_str()),
        "the job row is evidence: {ev:?}"
    );
    assert_eq!(log_lines(b), lines, "then the failed decisions");
    let (all, n) = usd_after_prompts(f, "agent:main:main", "storm tick (bound to main)", 0, now);
    assert!(close(usd(b), all, n), "usd {} vs {all}", usd(b));
    // Not the isolated job: its sessionTarget is `isolated`.
    assert!(
        alerts(r, "cron-main-binding")
            .iter()
            .all(|a| a["subject"] != iso.as_str())
    );
}

/// (b) restarts with a failing primary: `chain-replay` on `agent:main:main`.
pub fn check_chain_replay(r: &Value, f: &Value) {
    let now = now_ms(r);
    let boots: Vec<i64> = arr(&f["boots"]).iter().filter_map(Value::as_i64).collect();
    assert_eq!(boots.len(), 3, "three boots");
    let main_sids = sids_of(f, "agent:main:main");
    let lines = failed_lines(f, &main_sids, None, 0);
    // One walk per boot: primary fails, secondary answers.
    let per_boot: Vec<usize> = (0..3)
        .map(|i| {
            let end = boots.get(i + 1).copied().unwrap_or(i64::MAX);
            arr(&f["decisions"])
                .iter()
                .filter(|d| d["decision"] == "candidate_failed")
                .filter(|d| d["line"].as_u64().is_some_and(|l| lines.contains(&l)))
                .filter(|d| {
                    let at = d["at_ms"].as_i64().unwrap_or(0);
                    at >= boots[i] && at < end
                })
                .count()
        })
        .collect();
    assert_eq!(
        per_boot,
        vec![1, 1, 1],
        "the same chain walked once per boot"
    );
    let a = alert(r, "chain-replay", "agent:main:main");
    assert_eq!(
        log_lines(a),
        lines,
        "the replayed walks and the walk they repeat"
    );
    assert!(
        a["cause"].as_str().unwrap_or("").contains("2×"),
        "{}",
        a["cause"]
    );
    assert_eq!(a["severity"], "warn");
    assert_eq!(a["remedy"], "pin-model");
    assert!(
        a["cause"]
            .as_str()
            .unwrap_or("")
            .contains("fakeprime/fake-secondary"),
        "pin to the model that answered: {}",
        a["cause"]
    );
    // USD: the session's spend since the first replay (the second boot's failed decision).
    let since = arr(&f["decisions"])
        .iter()
        .filter(|d| d["line"].as_u64().is_some_and(|l| lines.contains(&l)))
        .filter_map(|d| d["at_ms"].as_i64())
        .filter(|t| *t >= boots[1])
        .min()
        .expect("a replay");
    let spent: Vec<f64> = turns(f)
        .iter()
        .filter(|t| t["key"] == "agent:main:main" && t["role"] == "assistant")
        .filter(|t| {
            let at = t["at_ms"].as_i64().unwrap_or(0);
            at >= since && at <= now
        })
        .filter_map(|t| t["usd"].as_f64())
        .collect();
    let want: f64 = spent.iter().sum();
    assert!(want > 0.0);
    assert!(close(usd(a), want, spent.len()), "usd {} vs {want}", usd(a));
}

/// (c) after a crash, restart recovery takes the three main sessions onto lane `main` (limited
/// to 1 in the scenario) and resumes them one by one; user turns on other sessions wait on lane
/// `main` behind them: `resume-flood` on lane `main`.
pub fn check_resume_flood(r: &Value, f: &Value) {
    let now = now_ms(r);
    let boots: Vec<i64> = arr(&f["boots"]).iter().filter_map(Value::as_i64).collect();
    let boot = *boots.last().expect("boots");
    let after = |x: &&Value| x["at_ms"].as_i64().unwrap_or(0) >= boot - 60_000;
    let marked: Vec<&Value> = arr(&f["marked"]).iter().filter(after).collect();
    let taken: u64 = marked.iter().filter_map(|m| m["count"].as_u64()).sum();
    assert_eq!(taken, 3, "recovery took the three main sessions");
    let resumes: Vec<&Value> = arr(&f["resumes"]).iter().filter(after).collect();
    let keys: BTreeSet<String> = resumes
        .iter()
        .filter_map(|x| x["key"].as_str().map(String::from))
        .collect();
    assert!(!keys.is_empty(), "recovery resumed at least one session");
    let waits: BTreeSet<u64> = arr(&f["waits"])
        .iter()
        .filter(after)
        .filter(|w| w["waited_ms"].as_u64().unwrap_or(0) >= 20_000)
        .filter(|w| {
            w["lane"].as_str().is_some_and(|l| {
                l == "main" || l.strip_prefix("session:").is_some_and(|k| keys.contains(k))
            })
        })
        .filter_map(|w| w["line"].as_u64())
        .collect();
    assert!(
        !waits.is_empty(),
        "user turns waited ≥ 20 s behind the resumed runs"
    );
    let a = alert(r, "resume-flood", "main");
    let mut want: BTreeSet<u64> = marked.iter().filter_map(|x| x["line"].as_u64()).collect();
    want.extend(resumes.iter().filter_map(|x| x["line"].as_u64()));
    want.extend(&waits);
    assert_eq!(
        log_lines(a),
        want,
        "evidence = the marked line, the resume lines and the wait lines"
    );
    assert!(
        a["cause"]
            .as_str()
            .unwrap_or("")
            .contains("took 3 sessions"),
        "{}",
        a["cause"]
    );
    assert_eq!(a["remedy"], "prune-stale");
    // USD: the resumed sessions' spend since the boot (`gateway_boot_lifecycle.started_at_ms`).
    let spent: Vec<f64> = turns(f)
        .iter()
        .filter(|t| t["role"] == "assistant")
        .filter(|t| t["key"].as_str().is_some_and(|k| keys.contains(k)))
        .filter(|t| {
            let at = t["at_ms"].as_i64().unwrap_or(0);
            at >= boot && at <= now
        })
        .filter_map(|t| t["usd"].as_f64())
        .collect();
    let want: f64 = spent.iter().sum();
    assert!(close(usd(a), want, spent.len()), "usd {} vs {want}", usd(a));
}

/// (d) heartbeats on an idle session: `idle-heartbeat` on `agent:main:main`, USD per day from
/// the heartbeat answers.
pub fn check_idle_heartbeat(r: &Value, f: &Value) {
    let now = now_ms(r);
    let main: Vec<&Value> = turns(f)
        .iter()
        .filter(|t| t["key"] == "agent:main:main")
        .collect();
    let last_user = main
        .iter()
        .filter(|t| t["role"] == "user" && t["heartbeat"] == false)
        .filter_map(|t| t["at_ms"].as_i64())
        .max()
        .expect("a user turn");
    let polls: Vec<i64> = main
        .iter()
        .filter(|t| t["heartbeat"] == true)
        .filter_map(|t| t["at_ms"].as_i64())
        .filter(|at| *at >= last_user)
        .collect();
    assert!(polls.len() >= 3, "≥ 3 heartbeat polls: {}", polls.len());
    let a = alert(r, "idle-heartbeat", "agent:main:main");
    let ev = arr(&a["evidence"]);
    assert_eq!(ev.len(), polls.len().min(24), "one evidence row per poll");
    assert!(
        a["cause"]
            .as_str()
            .unwrap_or("")
            .starts_with(&format!("{} heartbeat polls", polls.len())),
        "{}",
        a["cause"]
    );
    let first = polls[0];
    let spent: Vec<f64> = main
        .iter()
        .filter(|t| t["role"] == "assistant")
        .filter(|t| {
            t["at_ms"]
                .as_i64()
                .is_some_and(|at| at >= first && at <= now)
        })
        .filter_map(|t| t["usd"].as_f64())
        .collect();
    let sum: f64 = spent.iter().sum();
    assert!(sum > 0.0);
    let per_day = sum * 86_400_000.0 / (now - first) as f64;
    assert!(
        (usd(a) - per_day).abs() <= 1e-6 * per_day.max(1.0),
        "usd/day {} vs {per_day}",
        usd(a)
    );
    assert_eq!(
        a["remedy"], "pause-cron",
        "the heartbeat-main job drives it"
    );
}
