//! Live: the four incident reproductions of `lab/scenarios/run.sh` against the REAL gateway
//! (`openclaw@2026.9.6` vs the fake LLM), run concurrently on their own ports and state dirs
//! (~5-6 min in all). At each scenario's `=== checkpoint healthy` (healthy turns done, nothing
//! broken yet) `lanetop report --json` must raise no alert; at the end it must raise the
//! scenario's alert with the subject, evidence and USD found independently
//! (`tests/incidents/mod.rs`, `scripts/incident_facts.py`).
//!
//! Needs `OCLAB_PREFIX` (default `/tmp/oclab`) prepared by `lab/setup.sh`; `.ci/run` runs it
//! with `--ignored`.

mod common;
mod incidents;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Scenario {
    name: &'static str,
    run: PathBuf,
    child: Child,
    healthy_checked: bool,
    done: bool,
}

impl Drop for Scenario {
    fn drop(&mut self) {
        // run.sh leads its own process group (setsid): TERM it; its EXIT trap stops the
        // gateway and the fake LLM it started.
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let pid = self.child.id() as i32;
        unsafe {
            libc::kill(-pid, libc::SIGTERM);
        }
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(90) {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        // run.sh died without its EXIT trap: stop what it started, by the pids it wrote.
        for (file, group) in [("gateway.pid", true), ("fake_llm.pid", false)] {
            let pid: i32 = std::fs::read_to_string(self.run.join("pids").join(file))
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .unwrap_or(0);
            if pid > 1 {
                unsafe {
                    libc::kill(if group { -pid } else { pid }, libc::SIGKILL);
                }
            }
        }
    }
}

fn start(prefix: &Path, root: &Path, name: &'static str, i: u16) -> Scenario {
    let run = root.join(name);
    let child = Command::new("setsid")
        .arg("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/lab/scenarios/run.sh"))
        .arg(name)
        .env("OCLAB_PREFIX", prefix)
        .env("RUN_DIR", &run)
        .env("GW_PORT", (18871 + i).to_string())
        .env("FAKE_LLM_PORT", (18971 + i).to_string())
        .env("CHECKPOINTS", "1")
        .env("LANETOP_SHARED", common::shared_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start lab/scenarios/run.sh");
    Scenario {
        name,
        run,
        child,
        healthy_checked: false,
        done: false,
    }
}

fn events(run: &Path) -> String {
    std::fs::read_to_string(run.join("logs/scenario-events.log")).unwrap_or_default()
}

#[test]
#[ignore = "needs the lab (Node 24 + openclaw): run by .ci/run with --ignored"]
fn incident_reproductions_against_the_real_gateway() {
    let prefix =
        PathBuf::from(std::env::var("OCLAB_PREFIX").unwrap_or_else(|_| "/tmp/oclab".into()));
    assert!(
        prefix.join("oc/node_modules/.bin/openclaw").exists(),
        "openclaw not installed under {}: run ../shared/openclaw/lab/setup.sh",
        prefix.display()
    );
    let tmp = tempfile::Builder::new()
        .prefix("lanetop-inc-")
        .tempdir()
        .expect("tempdir");
    let names = [
        "retry-storm",
        "chain-replay",
        "resume-flood",
        "idle-heartbeat",
    ];
    let mut all: Vec<Scenario> = names
        .iter()
        .enumerate()
        .map(|(i, n)| start(&prefix, tmp.path(), n, i as u16))
        .collect();
    let t0 = Instant::now();
    while all.iter().any(|s| !s.done) {
        assert!(
            t0.elapsed() < Duration::from_secs(900),
            "scenarios took more than 15 minutes"
        );
        for s in all.iter_mut().filter(|s| !s.done) {
            if !s.healthy_checked && events(&s.run).contains("=== checkpoint healthy") {
                let r = incidents::report(
                    &s.run.join("home/.openclaw"),
                    &s.run.join("logs/openclaw.log"),
                    incidents::SETTINGS,
                );
                assert!(
                    incidents::kinds(&r).is_empty(),
                    "{}: healthy phase raised {:#}",
                    s.name,
                    r["alerts"]
                );
                println!(
                    "{}: healthy checkpoint at {:?}: no alert",
                    s.name,
                    t0.elapsed()
                );
                s.healthy_checked = true;
                std::fs::write(s.run.join("go-healthy"), "").expect("go");
            }
            if let Some(status) = s.child.try_wait().expect("status") {
                assert!(status.success(), "{} exited {status}", s.name);
                assert!(s.healthy_checked, "{}: no healthy checkpoint", s.name);
                let state = s.run.join("artifacts/state");
                let log = s.run.join("artifacts/logs/openclaw.log");
                let r = incidents::report(&state, &log, incidents::SETTINGS);
                let f = incidents::facts(&state, &log);
                match s.name {
                    "retry-storm" => incidents::check_retry_storm(&r, &f),
                    "chain-replay" => incidents::check_chain_replay(&r, &f),
                    "resume-flood" => incidents::check_resume_flood(&r, &f),
                    _ => incidents::check_idle_heartbeat(&r, &f),
                }
                println!(
                    "{}: done at {:?}; alerts {:?}",
                    s.name,
                    t0.elapsed(),
                    incidents::kinds(&r)
                );
                s.done = true;
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    println!("all scenarios in {:?}", t0.elapsed());
}
