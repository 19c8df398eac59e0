//! `lanetop --demo`: run the simulator into a temp dir and check its files with serde_json
//! directly (not with lanetop's parsers): the tslog envelope of every log line, fallback
//! decision meta, the legacy stores, rotation, a second boot, stopping, determinism.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lanetop::demo::{self, DemoOptions};
use serde_json::Value;

/// Log files of the family in chronological order: per date, `.N.log` (highest N first), then
/// the active `.log`.
fn log_files(dir: &Path) -> Vec<PathBuf> {
    let re = regex::Regex::new(r"^openclaw-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.log$").expect("regex");
    let mut files: Vec<(String, i64, PathBuf)> = fs::read_dir(dir)
        .expect("logs dir")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let c = re.captures(&name)?;
            let n = c
                .get(2)
                .and_then(|m| m.as_str().parse::<i64>().ok())
                .unwrap_or(0);
            Some((c[1].to_owned(), -n, e.path()))
        })
        .collect();
    files.sort();
    files.into_iter().map(|f| f.2).collect()
}

fn records(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for f in log_files(dir) {
        for (i, line) in fs::read_to_string(&f)
            .expect("read log")
            .lines()
            .enumerate()
        {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: not JSON ({e}): {line}", f.display(), i + 1));
            out.push(v);
        }
    }
    out
}

fn msg(r: &Value) -> &str {
    r["message"].as_str().unwrap_or("")
}

fn run_for(dir: &Path, opts: DemoOptions, ms: u64) {
    let h = demo::start(dir, opts).expect("demo starts");
    assert!(h.is_running());
    std::thread::sleep(Duration::from_millis(ms));
    assert_eq!(h.last_error(), None);
    drop(h);
}

fn check_envelope(r: &Value) {
    let time_re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$")
        .expect("re");
    let date_re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$").expect("re");
    assert!(r["0"].is_string(), "\"0\" missing: {r}");
    let meta = &r["_meta"];
    assert_eq!(meta["runtime"], "node", "{r}");
    assert!(meta["runtimeVersion"].is_string());
    assert!(meta["hostname"].is_string());
    assert!(date_re.is_match(meta["date"].as_str().unwrap_or("")), "{r}");
    let level = meta["logLevelId"].as_i64().unwrap_or(-1);
    assert!((2..=5).contains(&level), "{r}");
    let name = meta["logLevelName"].as_str().unwrap_or("");
    assert_eq!(
        ["DEBUG", "INFO", "WARN", "ERROR"][(level - 2) as usize],
        name
    );
    let binding = meta["name"].as_str().unwrap_or("");
    if binding == "openclaw" {
        assert_eq!(
            r["0"].as_str(),
            r["message"].as_str(),
            "root record text in \"0\""
        );
    } else {
        assert_eq!(r["0"].as_str(), Some(binding), "\"0\" equals _meta.name");
        let b: Value = serde_json::from_str(binding).expect("binding is a JSON string");
        assert!(
            b["subsystem"].is_string() || (b["module"] == "cron" && b["storeKey"].is_string()),
            "{b}"
        );
        assert_eq!(meta["parentNames"], serde_json::json!(["openclaw"]));
        match &r["1"] {
            Value::String(s) => {
                assert_eq!(Some(s.as_str()), r["message"].as_str());
                assert!(r.get("2").is_none());
            }
            Value::Object(_) => assert_eq!(r["2"].as_str(), r["message"].as_str()),
            other => panic!("bad \"1\": {other}"),
        }
    }
    assert!(time_re.is_match(r["time"].as_str().unwrap_or("")), "{r}");
    assert!(r["hostname"].is_string());
    assert!(r["message"].is_string());
    for opt in ["session_id", "agent_id", "traceId", "spanId"] {
        assert!(r.get(opt).is_none_or(Value::is_string), "{opt}: {r}");
    }
}

#[test]
fn demo_writes_real_format_artifacts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("demo");
    run_for(
        &dir,
        DemoOptions {
            speed: 3600.0,
            seed: 7,
        },
        1500,
    );
    let logs = dir.join("logs");
    let state = dir.join("state");

    // Log: every line is a tslog record with the 2026.9.6 envelope, in time order.
    let recs = records(&logs);
    assert!(recs.len() > 3000, "backlog + live: {} records", recs.len());
    recs.iter().for_each(check_envelope);
    let times: Vec<&str> = recs
        .iter()
        .filter_map(|r| r["_meta"]["date"].as_str())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "records are in time order across files"
    );

    // Rotation happened once the backlog was written.
    let names: Vec<String> = fs::read_dir(&logs)
        .expect("logs")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with(".1.log")),
        "rotated: {names:?}"
    );
    assert!(names.iter().any(|n| {
        regex::Regex::new(r"^openclaw-\d{4}-\d{2}-\d{2}\.log$")
            .expect("re")
            .is_match(n)
    }));

    // Fallback decisions with their meta.
    let decisions: Vec<&Value> = recs
        .iter()
        .filter(|r| msg(r) == "model fallback decision")
        .collect();
    assert!(decisions.len() > 20, "{} decisions", decisions.len());
    for d in &decisions {
        assert_eq!(d["0"], r#"{"subsystem":"model-fallback/decision"}"#);
        assert_eq!(d["_meta"]["logLevelName"], "WARN");
        let m = &d["1"];
        assert_eq!(m["event"], "model_fallback_decision");
        for k in [
            "runId",
            "sessionId",
            "decision",
            "requestedProvider",
            "requestedModel",
            "candidateProvider",
            "candidateModel",
            "fallbackStepFromModel",
            "fallbackStepFinalOutcome",
        ] {
            assert!(m[k].is_string(), "{k} in {m}");
        }
        assert!(m["attempt"].as_i64().is_some() && m["total"].as_i64().is_some());
    }
    let failed = decisions
        .iter()
        .filter(|d| d["1"]["decision"] == "candidate_failed")
        .count();
    let ok: Vec<&&Value> = decisions
        .iter()
        .filter(|d| d["1"]["decision"] == "candidate_succeeded")
        .collect();
    assert!(
        failed > 10 && !ok.is_empty(),
        "failed={failed} succeeded={}",
        ok.len()
    );
    assert!(ok.iter().all(|d| {
        d["1"]["previousAttempts"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    }));
    assert!(
        decisions
            .iter()
            .any(|d| d["1"]["reason"] == "rate_limit" && d["1"]["status"] == 429)
    );
    assert!(
        decisions
            .iter()
            .any(|d| d["1"]["reason"] == "overloaded" && d["1"]["status"] == 503)
    );

    // The other incident shapes.
    let has = |p: &str| recs.iter().any(|r| msg(r).starts_with(p));
    for p in [
        "embedded run failover decision",
        "transient same-model retry ",
        "transient retry window elapsed for ",
        "lane task error: lane=",
        "lane wait exceeded: lane=main waitedMs=",
        "lane enqueue: lane=main queueSize=",
        "lane dequeue: lane=main waitMs=",
        "embedded run start: runId=",
        "embedded run done: runId=",
        "live session model switch requested during active attempt for ",
        "marked 6 interrupted main session(s) from stale transcript locks",
        "resumed interrupted main session: agent:main:main (with pending payload)",
        "main-session restart recovery complete: recovered=4 failed=0 skipped=2",
        "cron: job run returned error status",
        "heartbeat: started",
        "Embedded agent failed before reply: All models failed (3): ",
    ] {
        assert!(has(p), "missing {p:?}");
    }
    assert!(
        recs.iter().any(|r| msg(r).starts_with("[agent] run ")
            && msg(r).ends_with(" ended with stopReason=stop"))
    );
    assert!(recs.iter().any(|r| {
        r["0"]
            .as_str()
            .is_some_and(|b| b.contains(r#""module":"cron","storeKey":"#))
    }));

    // A second boot after a SIGTERM.
    let pos = |p: &str| {
        recs.iter()
            .enumerate()
            .filter(|(_, r)| msg(r) == p)
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    };
    let boots = pos("loading configuration…");
    let ready = pos("gateway ready");
    let sigterm = pos("signal SIGTERM received");
    assert!(
        boots.len() >= 2 && ready.len() >= 2,
        "boots={boots:?} ready={ready:?}"
    );
    assert!(!sigterm.is_empty() && sigterm[0] > boots[0] && boots[1] > sigterm[0]);

    // sessions.json: pretty JSON object of entries with the legacy keys.
    let main: Value = serde_json::from_str(
        &fs::read_to_string(state.join("agents/main/sessions/sessions.json")).expect("main store"),
    )
    .expect("sessions.json parses");
    let entry = &main["agent:main:main"];
    for k in [
        "sessionId",
        "sessionFile",
        "status",
        "modelProvider",
        "model",
        "chatType",
    ] {
        assert!(entry[k].is_string(), "{k} in {entry}");
    }
    for k in [
        "updatedAt",
        "inputTokens",
        "outputTokens",
        "estimatedCostUsd",
    ] {
        assert!(entry[k].is_number(), "{k} in {entry}");
    }
    assert!(Path::new(entry["sessionFile"].as_str().unwrap_or("")).exists());
    let obj = main.as_object().expect("object");
    assert!(obj.len() >= 6);
    assert!(
        obj.values()
            .filter(|e| e["status"] == "running" && e["abortedLastRun"] == true)
            .count()
            >= 2,
        "stale bindings left running + abortedLastRun"
    );
    let ops: Value = serde_json::from_str(
        &fs::read_to_string(state.join("agents/ops/sessions/sessions.json")).expect("ops store"),
    )
    .expect("parses");
    assert!(
        ops["agent:ops:main"]["estimatedCostUsd"]
            .as_f64()
            .is_some_and(|c| c > 0.05),
        "heartbeats cost money"
    );
    assert!(
        ops.as_object()
            .expect("obj")
            .iter()
            .any(|(k, v)| k.starts_with("agent:ops:cron:") && v["label"] == "Cron: ops-status")
    );

    // Transcripts: header, assistant messages with usage.cost.total.
    let mut costs = Vec::new();
    let mut heartbeats = 0;
    let mut billed_retries = 0;
    for agent in ["main", "ops", "research"] {
        let sdir = state.join("agents").join(agent).join("sessions");
        for e in fs::read_dir(&sdir)
            .expect("sessions dir")
            .filter_map(|e| e.ok())
        {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(!name.ends_with(".tmp"), "temp file left behind: {name}");
            if !name.ends_with(".jsonl") {
                continue;
            }
            let text = fs::read_to_string(e.path()).expect("transcript");
            for (i, line) in text.lines().enumerate() {
                let v: Value = serde_json::from_str(line).expect("transcript line parses");
                if i == 0 {
                    assert_eq!(v["type"], "session");
                    assert_eq!(v["version"], 3);
                    continue;
                }
                assert!(v["id"].is_string() && v["timestamp"].is_string(), "{v}");
                let m = &v["message"];
                if m["role"] == "assistant" {
                    let total = m["usage"]["cost"]["total"]
                        .as_f64()
                        .expect("usage.cost.total");
                    costs.push(total);
                    assert!(m["stopReason"].is_string());
                    // A same-model retry re-sent (and paid for) the ~60k-token prompt.
                    let input = m["usage"]["input"].as_i64().unwrap_or(0);
                    if m["stopReason"] == "error" && input >= 50_000 && total > 0.0 {
                        billed_retries += 1;
                    }
                }
                if m["content"][0]["text"] == "[OpenClaw heartbeat poll]" {
                    heartbeats += 1;
                }
            }
        }
    }
    assert!(
        costs.len() > 100 && costs.iter().sum::<f64>() > 1.0,
        "{} assistant messages",
        costs.len()
    );
    assert!(heartbeats >= 4, "{heartbeats} heartbeat polls");
    assert!(
        billed_retries >= 10,
        "{billed_retries} billed same-model retries"
    );

    // Cron files.
    let jobs: Value =
        serde_json::from_str(&fs::read_to_string(state.join("cron/jobs.json")).expect("jobs.json"))
            .expect("parses");
    assert_eq!(jobs["version"], 1);
    let list = jobs["jobs"].as_array().expect("jobs[]");
    assert!(list.iter().any(|j| j["sessionKey"] == "agent:main:main"));
    let jstate: Value = serde_json::from_str(
        &fs::read_to_string(state.join("cron/jobs-state.json")).expect("jobs-state"),
    )
    .expect("parses");
    assert_eq!(jstate["version"], 1);
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for j in list {
        let id = j["id"].as_str().expect("id");
        assert!(
            jstate["jobs"][id]["state"]["nextRunAtMs"].is_number(),
            "state of {id}"
        );
        let runs = fs::read_to_string(state.join("cron/runs").join(format!("{id}.jsonl")))
            .expect("runs file");
        for line in runs.lines() {
            let v: Value = serde_json::from_str(line).expect("run line parses");
            assert_eq!(v["jobId"], id);
            assert_eq!(v["action"], "finished");
            *statuses
                .entry(v["status"].as_str().unwrap_or("").to_owned())
                .or_default() += 1;
        }
    }
    assert!(
        statuses.get("ok").is_some_and(|n| *n > 5) && statuses.get("error").is_some_and(|n| *n > 3),
        "{statuses:?}"
    );

    // Config: JSON5 with chains and prices.
    let cfg: Value =
        json5::from_str(&fs::read_to_string(state.join("openclaw.json")).expect("config"))
            .expect("JSON5 parses");
    assert_eq!(cfg["agents"]["list"][0]["id"], "main");
    assert!(
        cfg["agents"]["list"][0]["model"]["fallbacks"]
            .as_array()
            .is_some_and(|f| f.len() == 2)
    );
    assert!(cfg["models"]["providers"]["anthropic"]["models"][0]["cost"]["input"].is_number());
}

#[test]
fn dropping_the_handle_stops_writing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("demo");
    let h = demo::start(
        &dir,
        DemoOptions {
            speed: 600.0,
            seed: 3,
        },
    )
    .expect("starts");
    std::thread::sleep(Duration::from_millis(400));
    assert!(h.is_running());
    drop(h);
    let snapshot = || {
        let mut out = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).expect("dir").filter_map(|e| e.ok()) {
                let md = e.metadata().expect("metadata");
                if md.is_dir() {
                    stack.push(e.path());
                } else {
                    out.push((e.path(), md.len(), md.modified().ok()));
                }
            }
        }
        out.sort();
        out
    };
    let before = snapshot();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(before, snapshot(), "no write after the handle is dropped");
}

/// Normalised message kinds (ids and numbers blanked) of the backlog written by `start`.
/// The demo dir's path is blanked (it appears in `log file:` and stale-lock lines).
fn kinds(dir: &Path, seed: u64) -> Vec<String> {
    demo::start(dir, DemoOptions { speed: 1.0, seed })
        .expect("starts")
        .stop();
    let root = fs::canonicalize(dir)
        .expect("canonical")
        .to_string_lossy()
        .into_owned();
    let re = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")
        .expect("re");
    records(&dir.join("logs"))
        .iter()
        .map(|r| {
            let text = msg(r).replace(&root, "<dir>");
            format!(
                "{} {}",
                r["_meta"]["logLevelName"],
                re.replace_all(&text, "#")
            )
        })
        .collect()
}

fn first_difference(a: &[String], b: &[String]) -> Option<(usize, String, String)> {
    let n = a.len().max(b.len());
    (0..n).find(|&i| a.get(i) != b.get(i)).map(|i| {
        let show = |v: &[String]| v.get(i).cloned().unwrap_or_else(|| "<end>".to_owned());
        (i, show(a), show(b))
    })
}

#[test]
fn same_seed_same_sequence_of_message_kinds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = kinds(&tmp.path().join("a"), 42);
    let b = kinds(&tmp.path().join("b"), 42);
    let c = kinds(&tmp.path().join("c"), 43);
    assert!(a.len() > 2000, "{} backlog records", a.len());
    assert_eq!(first_difference(&a, &b), None, "same seed, same sequence");
    assert!(
        first_difference(&a, &c).is_some(),
        "another seed, another sequence"
    );
}

#[test]
fn refuses_a_foreign_directory_but_reuses_its_own() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("precious.txt"), "keep me").expect("write");
    let err = demo::start(tmp.path(), DemoOptions::default()).expect_err("non-empty foreign dir");
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(tmp.path().join("precious.txt").exists());

    let dir = tmp.path().join("demo");
    demo::start(&dir, DemoOptions::default())
        .expect("fresh")
        .stop();
    fs::write(dir.join("logs").join("stray.log"), "x").expect("write");
    demo::start(&dir, DemoOptions::default())
        .expect("reuse")
        .stop();
    assert!(
        !dir.join("logs").join("stray.log").exists(),
        "previous demo output wiped"
    );
    assert!(dir.join(demo::MARKER).exists());
}
