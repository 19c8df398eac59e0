//! `lanetop watch` end to end, through the binary: real-format incidents (the demo
//! simulator's four incident shapes, the real captures) replayed with `--clock facts`, pushes
//! recorded by a local HTTP receiver on 127.0.0.1. Expected messages come from
//! `lanetop report --json` over the same files (alerts at or above the targets' severity), so
//! each incident gets exactly one `firing` with the report's kind, subject and USD, and one
//! `resolved` when a later fact (or a store change) ends it.

mod watch_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lanetop::demo::{self, DemoOptions};
use serde_json::Value;
use watch_support::{Guard, Receiver, Setup, append_later, copy_tree, shared, signal, wait_exit};

const SETTLE: Duration = Duration::from_secs(30);

fn config(targets: &[(&str, String, &str)], extra: &str) -> String {
    let mut s = format!(
        "utc_offset_minutes = 0\n{extra}\n[watch]\nrepeat_minutes = 1440\nresolve_grace_minutes = 0\n"
    );
    for (kind, url, min) in targets {
        s.push_str(&format!(
            "[[watch.targets]]\nkind = \"{kind}\"\nurl = \"{url}\"\nmin_severity = \"{min}\"\n"
        ));
    }
    s
}

/// (kind, subject) → USD (cents) of the report's alerts at or above `min` (info | warn).
fn expected(report: &Value, min: &str) -> BTreeMap<(String, String), Option<f64>> {
    report["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| min == "info" || a["severity"] == "warn" || a["severity"] == "crit")
        .map(|a| {
            let k = (
                a["kind"].as_str().unwrap().to_string(),
                a["subject"].as_str().unwrap().to_string(),
            );
            (k, a["usd"].as_f64().map(cents))
        })
        .collect()
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Incident messages of `state`: (kind, subject) → bodies.
fn incidents(r: &Receiver, state: &str) -> BTreeMap<(String, String), Vec<Value>> {
    let mut m: BTreeMap<_, Vec<Value>> = BTreeMap::new();
    for q in r.all() {
        let v = q.json();
        if v["type"] == "incident" && v["state"] == state {
            let k = (
                v["kind"].as_str().unwrap().to_string(),
                v["subject"].as_str().unwrap().to_string(),
            );
            m.entry(k).or_default().push(v);
        }
    }
    m
}

/// The demo simulator's ~2 simulated hours of backlog (one incident cycle) in `root`.
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

/// The newest `*.log` file under `logs` (a file or a dir).
fn newest_log(logs: &Path) -> PathBuf {
    if logs.is_file() {
        return logs.to_path_buf();
    }
    let mut v: Vec<PathBuf> = std::fs::read_dir(logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    v.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    v.pop().unwrap()
}

fn wait_settled(s: &Setup) {
    s.wait_log(SETTLE, "ingest caught up");
    // Two more ticks: whatever the settled state pushes is queued and delivered.
    std::thread::sleep(Duration::from_millis(2500));
}

#[test]
fn demo_incidents_one_message_each_then_resolved() {
    let rx = Receiver::start();
    // min_severity info: the demo's retry storm is over by the end of its backlog, and an
    // ended storm stays as an info alert (with the USD it burned).
    let s = Setup::new(&config(&[("webhook", rx.url("/hook"), "info")], ""));
    let (state, logs) = demo_files(&s.path("demo"));
    let want = expected(&s.report(&state, &logs, &[]), "info");
    eprintln!("expected: {want:#?}");
    // The demo's four incident shapes are all there (kinds as tests/detect_demo.rs names them).
    for kind in [
        "retry-storm",
        "chain-replay",
        "idle-heartbeat",
        "resume-flood",
    ] {
        assert!(want.keys().any(|(k, _)| k == kind), "{kind} in {want:?}");
    }
    let mut w = Guard(s.watch(&state, &logs));
    rx.wait_for(SETTLE, "one firing per incident", |r| {
        r.iter().filter(|q| q.json()["state"] == "firing").count() >= want.len()
    });
    wait_settled(&s);
    let firing = incidents(&rx, "firing");
    assert_eq!(
        firing.keys().cloned().collect::<Vec<_>>(),
        want.keys().cloned().collect::<Vec<_>>()
    );
    for (k, bodies) in &firing {
        assert_eq!(bodies.len(), 1, "{k:?}: {bodies:#?}");
        let b = &bodies[0];
        assert_eq!(b["usd"].as_f64(), want[k], "{k:?}");
        assert_eq!(b["schema"], 1);
        for f in [
            "cause",
            "host",
            "first_seen",
            "last_seen",
            "severity",
            "evidence",
        ] {
            assert!(!b[f].is_null(), "{f} in {b}");
        }
    }
    assert_eq!(
        rx.all().len(),
        want.len(),
        "nothing but the firing messages"
    );

    // Three hours later (later records of the same log), and the operator has paused the cron
    // job bound to agent:main:main (jobs.json rewritten atomically, as OpenClaw does): the
    // report over the same files says which incidents ended and which began; the watch says
    // exactly that, once each.
    append_later(&newest_log(&logs), 6, 30);
    pause_main_bound_job(&state);
    let after = expected(&s.report(&state, &logs, &[]), "info");
    eprintln!("after: {after:#?}");
    let gone: Vec<_> = want
        .keys()
        .filter(|k| !after.contains_key(*k))
        .cloned()
        .collect();
    let new: Vec<_> = after
        .keys()
        .filter(|k| !want.contains_key(*k))
        .cloned()
        .collect();
    assert!(
        gone.iter().any(|(k, _)| k == "cron-main-binding"),
        "{gone:?}"
    );
    rx.wait_for(SETTLE, "resolved messages", |r| {
        r.iter().filter(|q| q.json()["state"] == "resolved").count() >= gone.len()
    });
    std::thread::sleep(Duration::from_millis(2500));
    let resolved = incidents(&rx, "resolved");
    assert_eq!(resolved.keys().cloned().collect::<Vec<_>>(), gone);
    assert!(resolved.values().all(|v| v.len() == 1), "{resolved:#?}");
    let firing = incidents(&rx, "firing");
    for k in &new {
        assert_eq!(firing[k].len(), 1, "{k:?} fires once");
    }
    assert_eq!(rx.all().len(), want.len() + gone.len() + new.len());
    signal(&w.0, libc::SIGTERM);
    assert_eq!(wait_exit(&mut w.0, Duration::from_secs(15)), Some(0));
}

/// Set `enabled: false` on the demo's job whose `sessionKey` is `agent:main:main`.
fn pause_main_bound_job(state: &Path) {
    let path = state.join("cron/jobs.json");
    let mut jobs: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut n = 0;
    for j in jobs["jobs"].as_array_mut().unwrap() {
        if j["sessionKey"] == "agent:main:main" {
            j["enabled"] = Value::Bool(false);
            n += 1;
        }
    }
    assert_eq!(n, 1);
    let tmp = state.join("cron/jobs.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&jobs).unwrap()).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

#[test]
fn healthy_capture_pushes_nothing() {
    // captured/ (2026.9.6) raises no alert (README "Alerts"; checked here through report too).
    let rx = Receiver::start();
    let s = Setup::new(&config(&[("webhook", rx.url("/hook"), "info")], ""));
    let c = shared("captured");
    let (state, log) = (c.join("state"), c.join("logs/openclaw.log"));
    assert_eq!(
        s.report(&state, &log, &[])["alerts"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let mut w = Guard(s.watch(&state, &log));
    wait_settled(&s);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(rx.all().len(), 0, "{:?}", rx.all());
    signal(&w.0, libc::SIGTERM);
    assert_eq!(wait_exit(&mut w.0, Duration::from_secs(15)), Some(0));
    assert!(s.watch_log().contains("SIGTERM: stopping"));
}

#[test]
fn legacy_capture_binding_fires_once_and_resolves_when_the_job_is_paused() {
    // captured-legacy/ (2026.5.20) raises exactly cron-main-binding (crit) for its two jobs
    // whose sessionKey is agent:main:main.
    let rx = Receiver::start();
    let s = Setup::new(&config(&[("ntfy", rx.url("/topic"), "warn")], ""));
    let c = shared("captured-legacy");
    copy_tree(&c.join("state"), &s.path("state"));
    let (state, log) = (s.path("state"), c.join("logs/openclaw.log"));
    let want = expected(&s.report(&state, &log, &[]), "warn");
    let ids = [
        "139b765b-9bd3-4e3e-aa58-0681ac5d9253",
        "d46270c9-e912-4f1a-9b28-8e88581f4462",
    ];
    assert_eq!(
        want.keys().cloned().collect::<Vec<_>>(),
        ids.map(|i| ("cron-main-binding".to_string(), i.to_string()))
    );
    let mut w = Guard(s.watch(&state, &log));
    rx.wait_for(SETTLE, "two pushes", |r| r.len() >= 2);
    wait_settled(&s);
    let got = rx.all();
    assert_eq!(got.len(), 2);
    for (q, id) in got.iter().zip(ids) {
        // ntfy: text body, Title / Priority / Tags headers.
        assert_eq!(q.path, "/topic");
        let title = q.header("title").unwrap();
        assert!(title.starts_with("[CRIT] cron-main-binding "), "{title}");
        assert!(got.iter().any(|g| g.header("title").unwrap().contains(id)));
        assert_eq!(q.header("priority"), Some("5"));
        assert!(q.header("tags").unwrap().contains("cron-main-binding"));
        assert!(String::from_utf8_lossy(&q.body).contains("remedy: pause-cron"));
    }
    // The operator pauses one job (OpenClaw writes jobs.json atomically): that incident ends.
    let jobs_path = state.join("cron/jobs.json");
    let mut jobs: Value =
        serde_json::from_str(&std::fs::read_to_string(&jobs_path).unwrap()).unwrap();
    for j in jobs["jobs"].as_array_mut().unwrap() {
        if j["id"] == ids[1] {
            j["enabled"] = Value::Bool(false);
        }
    }
    let tmp = state.join("cron/jobs.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&jobs).unwrap()).unwrap();
    std::fs::rename(&tmp, &jobs_path).unwrap();
    rx.wait_for(SETTLE, "a resolved push", |r| r.len() >= 3);
    std::thread::sleep(Duration::from_millis(2500));
    let got = rx.all();
    assert_eq!(got.len(), 3);
    let t = got[2].header("title").unwrap();
    assert!(
        t.starts_with(&format!("[RESOLVED] cron-main-binding {} ($", ids[1])),
        "{t}"
    );
    assert_eq!(got[2].header("priority"), Some("3"));
    signal(&w.0, libc::SIGINT);
    assert_eq!(wait_exit(&mut w.0, Duration::from_secs(15)), Some(0));
}
