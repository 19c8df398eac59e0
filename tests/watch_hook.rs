//! The guard's hook ([`lanetop::watch::TickHook`]), in process: what it returns goes through
//! the one runner (refused there without a gateway link, or in read-only mode; audited unless
//! read-only) and each outcome is pushed as an `action` message. One test in this binary: it
//! stops the loop with SIGTERM to its own process.

mod watch_support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use lanetop::domain::Model;
use lanetop::gateway::runner::{Effect, Initiator, Request};
use lanetop::watch::{Clock, TickHook, WatchOptions, link::GatewayOptions};
use watch_support::{Receiver, shared};

/// Asks once, on the first settled tick, to pause the first cron job the model knows.
struct PauseFirstJob {
    asked: bool,
    seen_now: std::sync::Arc<std::sync::Mutex<Option<DateTime<Utc>>>>,
}

impl TickHook for PauseFirstJob {
    fn on_tick(&mut self, model: &Model, now: DateTime<Utc>) -> Vec<Request> {
        *self.seen_now.lock().unwrap() = Some(now);
        if self.asked {
            return Vec::new();
        }
        self.asked = true;
        let Some(id) = model.cron.jobs.keys().next() else {
            return Vec::new();
        };
        vec![Request {
            effect: Effect::SetCronEnabled {
                id: id.clone(),
                enabled: false,
                all: false,
            },
            by: Initiator::Guard {
                rule: "pause_first_job",
                reason: "the test asks".into(),
            },
        }]
    }
}

async fn run_once(read_only: bool, rx: &Receiver, cfg: &std::path::Path) -> i32 {
    let seen = std::sync::Arc::default();
    let hook = PauseFirstJob {
        asked: false,
        seen_now: std::sync::Arc::clone(&seen),
    };
    let c = shared("captured-legacy");
    let opts = WatchOptions {
        discover: lanetop::ingest::discover::DiscoverOptions {
            state_dir: Some(c.join("state")),
            logs: vec![c.join("logs/openclaw.log")],
            profile: None,
        },
        gateway: GatewayOptions {
            connect: false,
            read_only,
            ..GatewayOptions::default()
        },
        clock: Clock::Facts,
        config_dir: Some(cfg.to_path_buf()),
        utc_offset_min: 0,
        deliver: Default::default(),
    };
    let before = rx.all().len();
    let task = tokio::spawn(lanetop::watch::run(opts, vec![Box::new(hook)]));
    let r = rx;
    tokio::task::spawn_blocking({
        let got = r.got.clone();
        move || {
            let t = std::time::Instant::now();
            while t.elapsed() < Duration::from_secs(30) {
                let n = got
                    .lock()
                    .unwrap()
                    .iter()
                    .skip(before)
                    .filter(|q| q.json()["type"] == "action")
                    .count();
                if n >= 1 {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    })
    .await
    .unwrap();
    assert!(seen.lock().unwrap().is_some(), "the hook ran");
    // SAFETY: kill(2) on our own pid; the loop's tokio handler catches SIGTERM.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGTERM);
    }
    tokio::time::timeout(Duration::from_secs(15), task)
        .await
        .expect("the loop stops on SIGTERM")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hook_effects_go_through_the_runner_and_are_pushed() {
    let rx = Receiver::start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("lt-state");
    // SAFETY: the only test in this binary; set before any thread reads it.
    unsafe {
        std::env::set_var("LANETOP_STATE_DIR", &state);
    }
    std::fs::write(
        dir.path().join("lanetop.toml"),
        format!(
            "[[watch.targets]]\nkind = \"webhook\"\nurl = \"{}\"\nmin_severity = \"crit\"\n",
            rx.url("/a")
        ),
    )
    .unwrap();

    // No gateway link: the runner refuses, audits the refusal; the outcome is pushed.
    assert_eq!(run_once(false, &rx, dir.path()).await, 0);
    let actions: Vec<_> = rx
        .all()
        .iter()
        .map(|q| q.json())
        .filter(|v| v["type"] == "action")
        .collect();
    assert_eq!(actions.len(), 1, "{actions:?}");
    let a = &actions[0];
    assert_eq!(a["action"], "pause-cron");
    assert_eq!(a["ok"], false);
    assert!(
        a["summary"]
            .as_str()
            .unwrap()
            .contains("refused: gateway not connected"),
        "{a}"
    );
    let audit = std::fs::read_to_string(state.join("audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 1);
    assert!(audit.contains("\"action\":\"pause-cron\""), "{audit}");
    // The record names the rule that asked, and its reason.
    let rec: serde_json::Value = serde_json::from_str(audit.lines().next().unwrap()).unwrap();
    assert_eq!(rec["by"], "guard:pause_first_job", "{rec}");
    assert_eq!(rec["reason"], "the test asks", "{rec}");

    // Read-only: refused as such, nothing audited.
    assert_eq!(run_once(true, &rx, dir.path()).await, 0);
    let actions: Vec<_> = rx
        .all()
        .iter()
        .map(|q| q.json())
        .filter(|v| v["type"] == "action")
        .collect();
    assert_eq!(actions.len(), 2);
    assert!(
        actions[1]["summary"]
            .as_str()
            .unwrap()
            .contains("refused: read-only mode"),
        "{}",
        actions[1]
    );
    let audit = std::fs::read_to_string(state.join("audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 1, "read-only writes no audit record");
}
