//! `lanetop watch` as a daemon, through the binary: a dead endpoint (refused port, a server
//! that never answers) stalls neither ingest nor the live target and is logged; SIGHUP reloads
//! `lanetop.toml` (thresholds and targets); SIGTERM exits 0 within the flush bound; exit codes
//! 1 and 2; the morning digest and `report --since` against an independent count
//! (`scripts/independent_count.py --since`).

mod watch_support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lanetop::demo::{self, DemoOptions};
use serde_json::Value;
use watch_support::{
    Guard, Receiver, Setup, append_later, refusing_port, shared, signal, wait_exit,
};

const SETTLE: Duration = Duration::from_secs(30);

fn config(targets: &[(&str, String, &str)], extra: &str, watch_extra: &str) -> String {
    let mut s = format!(
        "utc_offset_minutes = 0\n{extra}\n[watch]\nrepeat_minutes = 1440\nresolve_grace_minutes = 0\n{watch_extra}\n"
    );
    for (kind, url, min) in targets {
        s.push_str(&format!(
            "[[watch.targets]]\nkind = \"{kind}\"\nurl = \"{url}\"\nmin_severity = \"{min}\"\n"
        ));
    }
    s
}

fn demo_files(root: &Path) -> (PathBuf, PathBuf) {
    demo::start(
        root,
        DemoOptions {
            speed: 1.0,
            seed: 0x0C1A_5EED,
        },
    )
    .expect("demo starts")
    .stop();
    (root.join("state"), root.join("logs"))
}

fn count(r: &Receiver, state: &str) -> usize {
    r.all()
        .iter()
        .filter(|q| q.json()["state"] == state)
        .count()
}

fn warn_alerts(report: &Value) -> usize {
    report["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["severity"] != "info")
        .count()
}

#[test]
fn dead_endpoints_stall_nothing_are_logged_and_sigterm_exits_0() {
    let good = Receiver::start();
    let hang = Receiver::hanging();
    let refused = refusing_port();
    let targets = [
        (
            "webhook",
            format!("http://127.0.0.1:{refused}/hook"),
            "warn",
        ),
        ("slack", hang.url("/slack"), "warn"),
        ("webhook", good.url("/hook"), "warn"),
    ];
    // repeat_minutes = 60 (model clock): when later records move the clock on, every
    // still-firing incident is pushed once more, which shows those records were ingested.
    let s = Setup::new(
        &config(&targets, "", "").replace("repeat_minutes = 1440", "repeat_minutes = 60"),
    );
    let (state, logs) = demo_files(&s.path("demo"));
    let n = warn_alerts(&s.report(&state, &logs, &[]));
    assert!(n >= 4, "the demo's incidents");
    let t0 = Instant::now();
    let mut w = Guard(s.watch(&state, &logs));
    good.wait_for(SETTLE, "every firing message at the live target", |r| {
        r.len() >= n
    });
    // The live target got them all while the other two were failing: not after their retries
    // (a hung POST alone takes its 10 s timeout; five tries with backoff take ~15 s).
    assert!(t0.elapsed() < Duration::from_secs(20), "{:?}", t0.elapsed());
    s.wait_log(
        Duration::from_secs(10),
        &format!("push target webhook:127.0.0.1:{refused}: try 1/5 failed: connect failed"),
    );
    assert!(!hang.all().is_empty(), "the hanging server was reached");
    // Ingest keeps up: 2000 later records (one a minute) are appended; within seconds the
    // live target gets a `repeat` of every still-firing incident (the model clock moved > 60
    // min), while the hung target still waits on its POSTs and the refused one backs off.
    let log = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .max_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap())
        .unwrap();
    let t1 = Instant::now();
    append_later(&log, 2000, 1);
    good.wait_for(SETTLE, "repeat messages", |_| count(&good, "repeat") >= 1);
    assert!(t1.elapsed() < Duration::from_secs(10), "{:?}", t1.elapsed());
    s.wait_log(
        SETTLE,
        &format!("push target webhook:127.0.0.1:{refused}: DEAD"),
    );
    // SIGTERM with a POST still hanging: exit 0 within the 5 s flush bound (+ margin).
    let t2 = Instant::now();
    signal(&w.0, libc::SIGTERM);
    assert_eq!(wait_exit(&mut w.0, Duration::from_secs(12)), Some(0));
    assert!(t2.elapsed() < Duration::from_secs(9), "{:?}", t2.elapsed());
    assert!(s.watch_log().contains("lanetop watch stopped"));
}

#[test]
fn sighup_reloads_thresholds_and_targets() {
    let (a, b) = (Receiver::start(), Receiver::start());
    // No retry storm with these thresholds.
    let calm = "[detect]\nstorm_attempts = 100000\nstorm_exhaustions = 100000\n";
    let s = Setup::new(&config(&[("webhook", a.url("/a"), "warn")], calm, ""));
    let (state, logs) = demo_files(&s.path("demo"));
    let mut w = Guard(s.watch(&state, &logs));
    s.wait_log(SETTLE, "ingest caught up");
    a.wait_for(SETTLE, "the other incidents", |r| !r.is_empty());
    std::thread::sleep(Duration::from_millis(2500));
    let storm = |r: &Receiver| {
        r.all()
            .iter()
            .filter(|q| q.json()["kind"] == "retry-storm")
            .count()
    };
    assert_eq!(storm(&a), 0);
    let before = a.all().len();
    // Default thresholds, the other target.
    // (info: the demo's storm is over by the end of its backlog, so it is an info alert.)
    s.write_config(&config(&[("webhook", b.url("/b"), "info")], "", ""));
    signal(&w.0, libc::SIGHUP);
    s.wait_log(Duration::from_secs(10), "SIGHUP: lanetop.toml reloaded");
    b.wait_for(SETTLE, "the retry storm at the new target", |_| {
        storm(&b) >= 1
    });
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        b.all().len(),
        storm(&b),
        "only the new incident: {:?}",
        b.all()
    );
    assert!(b.all().iter().all(|q| q.json()["state"] == "firing"));
    assert_eq!(a.all().len(), before, "the old target gets nothing more");
    // A bad file is refused and the running settings stay.
    s.write_config("[watch]\nrepeat_minutes = \"often\"\n");
    signal(&w.0, libc::SIGHUP);
    s.wait_log(Duration::from_secs(10), "lanetop.toml not reloaded");
    signal(&w.0, libc::SIGTERM);
    assert_eq!(wait_exit(&mut w.0, Duration::from_secs(15)), Some(0));
}

#[test]
fn exit_codes_nothing_to_watch_bad_config_usage() {
    let s = Setup::new("");
    let missing = s.path("no-such-state");
    let code = |args: &[&str]| {
        s.cmd(args)
            .arg("--log-file")
            .arg(s.path("watch.log"))
            .output()
            .unwrap()
            .status
            .code()
    };
    let st = missing.to_str().unwrap();
    assert_eq!(code(&["watch", "--no-gateway", "--state-dir", st]), Some(1));
    assert!(s.watch_log().contains("nothing to watch"));
    let c = shared("captured");
    let good_state = c.join("state");
    let gs = good_state.to_str().unwrap();
    s.write_config("[[watch.targets]]\nkind = \"pager\"\nurl = \"http://x\"\n");
    assert_eq!(code(&["watch", "--no-gateway", "--state-dir", gs]), Some(1));
    assert!(s.watch_log().contains("bad configuration"));
    assert_eq!(code(&["watch", "--clock", "sundial"]), Some(2));
}

#[test]
fn digest_and_report_since_match_an_independent_count() {
    let rx = Receiver::start();
    let c = shared("captured");
    let (state, log) = (c.join("state"), c.join("logs/openclaw.log"));
    let since = "2026-11-22T01:53:00Z";
    // Independent count (Python stdlib, no lanetop code) of the usage at or after `since`.
    let out = std::process::Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/independent_count.py"))
        .args(["--since", since])
        .arg(&state)
        .arg(&log)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ind: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (usd_since, total) = (
        ind["usd_since"].as_f64().unwrap(),
        ind["total_usd"].as_f64().unwrap(),
    );
    assert!(usd_since > 0.0 && usd_since < total, "{ind}");

    // The digest hour is the current UTC hour: the slot (hour:00 today) is after `since`, so
    // the digest is due as soon as ingest has caught up.
    let hour = chrono::Utc::now().format("%H").to_string();
    let s = Setup::new(&config(
        &[("webhook", rx.url("/d"), "info")],
        "",
        &format!("[watch.digest]\nhour = {}\n", hour.parse::<u32>().unwrap()),
    ));
    std::fs::write(s.path("lt-state/last-digest"), format!("{since}\n")).unwrap();

    // report --since (RFC 3339 and last-digest) = the independent count.
    for spec in [since, "last-digest"] {
        let r = s.report(&state, &log, &["--since", spec]);
        assert_eq!(r["since"], "2026-11-22T01:53:00Z");
        assert!(
            (r["spend"]["total_usd"].as_f64().unwrap() - usd_since).abs() < 1e-6,
            "{spec}: {}",
            r["spend"]
        );
        for (agent, usd) in ind["usd_since_by_agent"].as_object().unwrap() {
            let got = r["spend"]["by_agent"][agent].as_f64().unwrap_or(0.0);
            assert!(
                (got - usd.as_f64().unwrap()).abs() < 1e-6,
                "{agent}: {got} vs {usd}"
            );
        }
    }
    let full = s.report(&state, &log, &[]);
    assert!((full["spend"]["total_usd"].as_f64().unwrap() - total).abs() < 1e-6);
    // The overnight projection (cost per run over every run) does not depend on --since.
    let limited = s.report(&state, &log, &["--since", since]);
    assert_eq!(
        limited["overnight"]["total_usd"],
        full["overnight"]["total_usd"]
    );

    let log_file = s.path("watch.log");
    let mut w = Guard(
        s.cmd(&["watch", "--no-gateway", "--log-file"])
            .arg(&log_file)
            .arg("--state-dir")
            .arg(&state)
            .arg("--log")
            .arg(&log)
            .spawn()
            .unwrap(),
    );
    rx.wait_for(SETTLE, "the digest", |r| {
        r.iter().any(|q| q.json()["type"] == "digest")
    });
    let d = rx
        .all()
        .into_iter()
        .find(|q| q.json()["type"] == "digest")
        .unwrap()
        .json();
    assert!(
        (d["total_usd"].as_f64().unwrap() - usd_since).abs() < 1e-6,
        "{d}"
    );
    assert_eq!(d["since"], "2026-11-22T01:53:00Z");
    let text = d["text"].as_str().unwrap();
    for agent in ind["usd_since_by_agent"].as_object().unwrap().keys() {
        assert!(
            text.contains(&format!("- {agent}: $")),
            "{agent} in\n{text}"
        );
    }
    // The incidents pushed before the digest (the model clock is the wall clock here, hours
    // after the capture) are the ones it counts.
    let fired_before = rx
        .all()
        .iter()
        .take_while(|q| q.json()["type"] != "digest")
        .filter(|q| q.json()["state"] == "firing")
        .count();
    assert!(
        text.contains(&format!("**Alerts**: {fired_before} fired, 0 resolved")),
        "{text}"
    );
    assert!(text.contains("**Projected today**"), "{text}");
    // "last digest at" was recorded, and only one digest is sent.
    std::thread::sleep(Duration::from_millis(2500));
    let recorded = std::fs::read_to_string(s.path("lt-state/last-digest")).unwrap();
    assert_ne!(recorded.trim(), since);
    assert_eq!(
        rx.all()
            .iter()
            .filter(|q| q.json()["type"] == "digest")
            .count(),
        1
    );
    signal(&w.0, libc::SIGTERM);
    assert_eq!(wait_exit(&mut w.0, Duration::from_secs(15)), Some(0));
}
