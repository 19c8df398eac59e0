//! Legacy (≤ 2026.5) readers against the real 2026.5.20 capture (`captured-legacy/state`) and
//! the constructed 3.x samples. Expected numbers were counted independently with python.

mod common;
mod stores_util;

use std::io::Write;
use std::path::{Path, PathBuf};

use lanetop::fact::{Fact, FactKind, Schedule};
use lanetop::ingest::legacy::{LegacyAgentReader, LegacyCronReader};
use lanetop::ingest::store::StoreReader;

fn legacy() -> PathBuf {
    common::openclaw("captured-legacy/state")
}

#[derive(Default, Debug, PartialEq)]
struct Tally {
    snapshots: Vec<usize>,
    usage: usize,
    usage_keyed: usize,
    usd: f64,
    users: usize,
    heartbeats: usize,
    model_changes: usize,
    transcripts: usize,
    corrupt: usize,
}

fn tally(facts: &[Fact]) -> Tally {
    let mut t = Tally::default();
    let mut files = std::collections::BTreeSet::new();
    for f in facts {
        if f.origin.kind == lanetop::fact::SourceKind::LegacyTranscript {
            files.insert(f.origin.path.clone());
        }
        match &f.kind {
            FactKind::SessionsSnapshot { rows, .. } => t.snapshots.push(rows.len()),
            FactKind::Usage(u) => {
                t.usage += 1;
                t.usd += u.cost_usd.unwrap_or(0.0);
                t.usage_keyed += usize::from(u.session_key.is_some());
            }
            FactKind::UserTurn { heartbeat, .. } => {
                t.users += 1;
                t.heartbeats += usize::from(*heartbeat);
            }
            FactKind::TranscriptModelChange { .. } => t.model_changes += 1,
            FactKind::CorruptLine { .. } => t.corrupt += 1,
            _ => {}
        }
    }
    t.transcripts = files.len();
    t
}

/// (agent, sessions.json entries, transcripts (*.jsonl minus trajectories), assistant usage,
/// usage whose session id is named in sessions.json, USD, user turns, heartbeat polls,
/// model_change + model-snapshot entries).
type Expected = (
    &'static str,
    usize,
    usize,
    usize,
    usize,
    f64,
    usize,
    usize,
    usize,
);

const AGENTS: [Expected; 3] = [
    ("main", 8, 10, 31, 26, 0.327999, 25, 6, 39),
    ("ops", 3, 9, 20, 11, 0.168801, 16, 1, 27),
    ("research", 2, 4, 8, 6, 0.152688, 7, 0, 10),
];

#[test]
fn legacy_agents_match_independent_counts() {
    for (agent, sessions, files, usage, keyed, usd, users, hb, changes) in AGENTS {
        let mut r =
            LegacyAgentReader::open(agent, &legacy().join(format!("agents/{agent}/sessions")))
                .unwrap();
        let t = tally(&r.poll().unwrap());
        assert_eq!(t.snapshots, vec![sessions], "{agent}");
        assert_eq!(t.transcripts, files, "{agent}");
        assert_eq!((t.usage, t.usage_keyed), (usage, keyed), "{agent}");
        assert!((t.usd - usd).abs() < 1e-9, "{agent}: {}", t.usd);
        assert_eq!(
            (t.users, t.heartbeats, t.model_changes, t.corrupt),
            (users, hb, changes, 0),
            "{agent}"
        );
        assert!(r.poll().unwrap().is_empty(), "{agent} second poll");
    }
}

#[test]
fn legacy_session_rows() {
    let mut r = LegacyAgentReader::open("main", &legacy().join("agents/main/sessions")).unwrap();
    let facts = r.poll().unwrap();
    let FactKind::SessionsSnapshot { rows, .. } = &facts[0].kind else {
        panic!("snapshot first")
    };
    let main = rows.iter().find(|r| r.key == "agent:main:main").unwrap();
    assert_eq!(main.session_id, "568d898c-534c-4571-bbf2-d8e2c57a670c");
    assert_eq!(main.estimated_cost_usd, Some(0.02499));
    assert_eq!(
        main.model.as_ref().map(|m| m.to_string()).as_deref(),
        Some("fakeprime/fake-primary")
    );
    let stuck = rows
        .iter()
        .find(|r| r.key.ends_with(":run:1795314817107"))
        .unwrap();
    assert_eq!(
        stuck.status.as_deref(),
        Some("running"),
        "an interrupted main system-event tick"
    );
    // The usage of the main session's transcript carries its key.
    assert!(facts.iter().any(|f| matches!(&f.kind, FactKind::Usage(u)
        if u.session_id == "568d898c-534c-4571-bbf2-d8e2c57a670c" && u.session_key.as_deref() == Some("agent:main:main"))));
}

#[test]
fn legacy_cron_jobs_and_runs() {
    let mut r = LegacyCronReader::open(&legacy().join("cron")).unwrap();
    let facts = r.poll().unwrap();
    let FactKind::CronJobsSnapshot { jobs } = &facts[0].kind else {
        panic!("jobs first")
    };
    assert_eq!(jobs.len(), 5);
    let ev = jobs
        .iter()
        .find(|j| j.name == "lab-main-system-event")
        .unwrap();
    assert_eq!(
        (ev.payload_kind.as_str(), ev.session_target.as_deref()),
        ("systemEvent", Some("main"))
    );
    assert_eq!(ev.last_duration_ms, Some(2), "state from jobs-state.json");
    let stale = jobs
        .iter()
        .find(|j| j.name == "lab-ops-stale-main-key")
        .unwrap();
    assert_eq!(stale.session_key.as_deref(), Some("agent:main:main"));
    assert_eq!(stale.next_run_at_ms, Some(1795315419022));
    let runs: Vec<_> = facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::CronRun(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(runs.len(), 22);
    assert_eq!(runs.iter().filter(|r| r.status == "error").count(), 2);
    assert_eq!(runs.iter().filter(|r| r.model.is_some()).count(), 14);
    assert_eq!(
        runs.iter().filter_map(|r| r.total_tokens).sum::<u64>(),
        70722
    );
    assert!(
        runs.iter()
            .all(|r| r.agent_id.is_some() && r.run_id.starts_with(&r.job_id))
    );
    assert!(r.poll().unwrap().is_empty());
}

#[test]
fn cron_3x_inline_state_sample() {
    let mut r =
        LegacyCronReader::open(&common::openclaw("samples/legacy/dot-openclaw/cron")).unwrap();
    let facts = r.poll().unwrap();
    let FactKind::CronJobsSnapshot { jobs } = &facts[0].kind else {
        panic!("jobs first")
    };
    let digest = jobs.iter().find(|j| j.name == "Morning digest").unwrap();
    assert_eq!(
        digest.schedule,
        Schedule::Cron {
            expr: "0 8 * * *".into(),
            tz: Some("Europe/Berlin".into())
        }
    );
    assert_eq!(digest.last_duration_ms, Some(38211), "3.x state inline");
    assert_eq!(digest.model.as_deref(), Some("kimi/kimi2.5"));
    let run = facts.iter().find_map(|f| match &f.kind {
        FactKind::CronRun(r) => Some(r.clone()),
        _ => None,
    });
    let run = run.unwrap();
    assert_eq!(
        run.run_id,
        "3b7e1f0a-9c42-4d85-b6e3-1a0f7d2c5e98:1779596340000"
    );
    assert_eq!(run.total_tokens, Some(24314));
    assert_eq!(
        run.model.map(|m| m.to_string()).as_deref(),
        Some("kimi/kimi2.5")
    );
}

fn copy_legacy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("state");
    stores_util::copy_tree(&legacy(), &root);
    (dir, root)
}

fn append(path: &Path, text: &str) {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

const LINE: &str = r#"{"type":"message","id":"feedbeef","parentId":null,"timestamp":"2026-11-22T03:00:00.000Z","message":{"role":"assistant","content":[],"provider":"fakeback","model":"fake-backup","usage":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0,"totalTokens":2,"cost":{"total":0.125}},"stopReason":"stop","timestamp":1795316400000}}"#;

#[test]
fn transcript_tail_partial_lines_and_bad_store() {
    let (_tmp, root) = copy_legacy();
    let dir = root.join("agents/ops/sessions");
    let mut r = LegacyAgentReader::open("ops", &dir).unwrap();
    r.poll().unwrap();
    let t = dir.join("549922a8-173a-4f80-bb47-93091185b475.jsonl");
    let (head, tail) = LINE.split_at(40);
    append(&t, head);
    assert!(r.poll().unwrap().is_empty(), "half a line: nothing yet");
    append(&t, &format!("{tail}\n"));
    let facts = r.poll().unwrap();
    assert_eq!(facts.len(), 1);
    let FactKind::Usage(u) = &facts[0].kind else {
        panic!()
    };
    assert_eq!(
        (u.cost_usd, u.session_key.as_deref()),
        (Some(0.125), Some("agent:ops:main"))
    );
    assert!(matches!(
        facts[0].origin.locator,
        lanetop::fact::Locator::Line { .. }
    ));

    // A half-written sessions.json: one Format error, the snapshot is kept, and transcript
    // facts of that poll are delivered by the next one.
    let store = dir.join("sessions.json");
    let good = std::fs::read(&store).unwrap();
    std::fs::write(&store, &good[..good.len() / 2]).unwrap();
    append(&t, &format!("{}\n", LINE.replace("feedbeef", "feedbee2")));
    let err = r.poll().unwrap_err();
    assert!(
        matches!(err, lanetop::ingest::store::StoreError::Format { .. }),
        "{err}"
    );
    let facts = r.poll().unwrap();
    assert_eq!(facts.len(), 1, "carried usage, no snapshot: {facts:?}");
    assert!(matches!(facts[0].kind, FactKind::Usage(_)));
    // The file is whole again (same rows): no new snapshot is needed, none is sent.
    std::fs::write(&store, &good).unwrap();
    assert!(r.poll().unwrap().is_empty());

    // A rewrite of the transcript (repair via rename) re-reads it but sends nothing twice.
    let tmp = dir.join("rewrite.tmp");
    std::fs::copy(&t, &tmp).unwrap();
    std::fs::rename(&tmp, &t).unwrap();
    assert!(r.poll().unwrap().is_empty());
    // Ignored neighbours.
    std::fs::write(
        dir.join("549922a8-173a-4f80-bb47-93091185b475.jsonl.lock"),
        "{}",
    )
    .unwrap();
    std::fs::write(dir.join(".fs-safe-replace.1.x.tmp"), "{").unwrap();
    assert!(r.poll().unwrap().is_empty());
}

#[test]
fn cron_run_appended_once() {
    let (_tmp, root) = copy_legacy();
    let mut r = LegacyCronReader::open(&root.join("cron")).unwrap();
    r.poll().unwrap();
    let log = root.join("cron/runs/1d0172d2-47bd-4e5a-b928-85fd72ba0417.jsonl");
    append(
        &log,
        r#"{"ts":1795315500000,"jobId":"1d0172d2-47bd-4e5a-b928-85fd72ba0417","action":"finished","status":"error","error":"FallbackSummaryError: All models failed (3)","runAtMs":1795315490000}"#,
    );
    assert!(r.poll().unwrap().is_empty(), "no newline yet");
    append(&log, "\n");
    let facts = r.poll().unwrap();
    assert_eq!(facts.len(), 1);
    let FactKind::CronRun(run) = &facts[0].kind else {
        panic!()
    };
    assert_eq!(
        (run.status.as_str(), run.agent_id.as_deref()),
        ("error", Some("research"))
    );
    assert_eq!(
        (run.started_at_ms, run.finished_at_ms),
        (1795315490000, Some(1795315500000))
    );
}

#[test]
fn checksum_legacy_readers_never_write() {
    let (_tmp, root) = copy_legacy();
    let before = stores_util::tree_fingerprint(&root);
    let mut readers: Vec<Box<dyn StoreReader>> = vec![Box::new(
        LegacyCronReader::open(&root.join("cron")).unwrap(),
    )];
    for a in ["main", "ops", "research"] {
        readers.push(Box::new(
            LegacyAgentReader::open(a, &root.join(format!("agents/{a}/sessions"))).unwrap(),
        ));
    }
    for round in 0..4 {
        for r in readers.iter_mut() {
            let facts = r.poll().unwrap();
            assert_eq!(facts.is_empty(), round > 0, "{}", r.name());
        }
    }
    drop(readers);
    assert_eq!(
        before,
        stores_util::tree_fingerprint(&root),
        "same paths, bytes and mtimes"
    );
}

/// Copy every file of `src` over `dst` in place (same inode when the file exists, like an
/// append), the way the files grew between the capture's phase snapshots.
fn overlay(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            overlay(&e.path(), &to);
        } else {
            std::fs::write(&to, std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
}

/// Replaying the real phase snapshots (`captured-legacy/snapshots/*`, then the final state)
/// into one directory: after each phase the cumulative usage and cron-run counts equal what
/// python counts in that phase, i.e. growth is read incrementally, nothing twice, nothing lost.
#[test]
fn replay_of_phase_snapshots_is_incremental() {
    // (phase, main / ops / research assistant usage, cron run lines)
    let phases: [(&str, [usize; 3], usize); 8] = [
        ("snapshots/after-fallback", [13, 10, 4], 5),
        ("snapshots/after-takeover", [19, 14, 7], 11),
        ("snapshots/before-kill", [20, 14, 7], 14),
        ("snapshots/after-kill", [24, 18, 7], 14),
        ("snapshots/before-sigusr1", [26, 18, 8], 17),
        ("snapshots/after-restart", [26, 18, 8], 17),
        ("snapshots/after-sigusr1-recovery", [29, 18, 8], 19),
        ("state", [31, 20, 8], 22),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let agents = ["main", "ops", "research"];
    let mut readers: Vec<LegacyAgentReader> = agents
        .iter()
        .map(|a| LegacyAgentReader::open(a, &root.join(format!("agents/{a}/sessions"))).unwrap())
        .collect();
    let mut cron = LegacyCronReader::open(&root.join("cron")).unwrap();
    let mut usage = [0usize; 3];
    let mut runs = 0;
    for (phase, want_usage, want_runs) in phases {
        overlay(&common::openclaw(&format!("captured-legacy/{phase}")), root);
        for (i, r) in readers.iter_mut().enumerate() {
            let t = tally(&r.poll().unwrap());
            assert_eq!(t.corrupt, 0, "{phase} {}", agents[i]);
            usage[i] += t.usage;
        }
        runs += cron
            .poll()
            .unwrap()
            .iter()
            .filter(|f| matches!(f.kind, FactKind::CronRun(_)))
            .count();
        assert_eq!((usage, runs), (want_usage, want_runs), "{phase}");
    }
}

/// Constructed 3.28/5.20 samples: the zero-usage `delivery-mirror` message is not a turn, the
/// fallback override is kept, the 5.20 split cron store reads its state from jobs-state.json.
#[test]
fn constructed_legacy_samples() {
    let root = common::openclaw("samples/legacy/dot-openclaw");
    let mut main = LegacyAgentReader::open("main", &root.join("agents/main/sessions")).unwrap();
    let t = tally(&main.poll().unwrap());
    assert_eq!(
        (t.snapshots.clone(), t.usage),
        (vec![5], 2),
        "mirror excluded"
    );
    assert!((t.usd - 0.012629).abs() < 1e-9, "{}", t.usd);
    let mut ill =
        LegacyAgentReader::open("illarion", &root.join("agents/illarion/sessions")).unwrap();
    let facts = ill.poll().unwrap();
    let t = tally(&facts);
    assert_eq!((t.usage, t.model_changes), (5, 3));
    assert!((t.usd - 0.045309).abs() < 1e-9, "{}", t.usd);
    let FactKind::SessionsSnapshot { rows, .. } = &facts[0].kind else {
        panic!("snapshot first")
    };
    assert!(rows.iter().any(
        |r| r.model_override.as_ref().map(|m| m.to_string()).as_deref() == Some("kimi/kimi2.5")
    ));

    let mut cron = LegacyCronReader::open(&root.join("cron-2026.5.20")).unwrap();
    let facts = cron.poll().unwrap();
    let FactKind::CronJobsSnapshot { jobs } = &facts[0].kind else {
        panic!("jobs first")
    };
    let watch = jobs
        .iter()
        .find(|j| j.id == "8d2c5a91-4e6f-4b30-a7d1-e9f0b3c6a852")
        .unwrap();
    assert_eq!(
        (watch.consecutive_errors, watch.last_run_status.as_deref()),
        (Some(3), Some("error"))
    );
    assert!(
        watch
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("FallbackSummaryError"))
    );
}

/// A half-written jobs-state.json: one Format error, the previous jobs stay; once whole again
/// with changed state, a new snapshot is sent.
#[test]
fn half_written_jobs_state_keeps_previous_jobs() {
    let (_tmp, root) = copy_legacy();
    let mut r = LegacyCronReader::open(&root.join("cron")).unwrap();
    r.poll().unwrap();
    let state = root.join("cron/jobs-state.json");
    let good = std::fs::read_to_string(&state).unwrap();
    std::fs::write(&state, &good[..good.len() / 3]).unwrap();
    let err = r.poll().unwrap_err().to_string();
    assert!(
        err.contains("jobs-state.json") && err.contains("invalid JSON"),
        "{err}"
    );
    assert!(
        r.poll().unwrap().is_empty(),
        "same broken version: reported once"
    );
    std::fs::write(
        &state,
        good.replace("\"consecutiveErrors\": 0", "\"consecutiveErrors\": 4"),
    )
    .unwrap();
    let facts = r.poll().unwrap();
    assert_eq!(facts.len(), 1);
    let FactKind::CronJobsSnapshot { jobs } = &facts[0].kind else {
        panic!()
    };
    assert!(jobs.iter().all(|j| j.consecutive_errors == Some(4)));
}

/// `tests/data/legacy-archives`: real 5.20 archives of a reset and of a delete. Their turns
/// were paid for, so their usage is read (USD counted with python, see its README); a live
/// transcript renamed into an archive is not counted a second time.
#[test]
fn reset_and_deleted_archives_keep_their_spend_once() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/legacy-archives");
    for (agent, turns, usd) in [("ops", 5, 0.061593), ("research", 1, 0.01791)] {
        let mut r =
            LegacyAgentReader::open(agent, &data.join(format!("agents/{agent}/sessions"))).unwrap();
        let t = tally(&r.poll().unwrap());
        assert_eq!((t.transcripts, t.usage), (1, turns), "{agent}");
        assert!((t.usd - usd).abs() < 1e-9, "{agent}: {}", t.usd);
        assert!(r.poll().unwrap().is_empty(), "{agent}: read once");
    }

    // The same transcript live, then renamed by a reset: its turns are not sent again.
    let dir = tempfile::tempdir().unwrap();
    let sessions = dir.path().join("agents/ops/sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    let archive = "ebac4afe-a225-42ed-b9a6-2ed42bbf2636.jsonl.reset.2026-11-22T20-55-11.328Z";
    let live = sessions.join("ebac4afe-a225-42ed-b9a6-2ed42bbf2636.jsonl");
    std::fs::copy(data.join("agents/ops/sessions").join(archive), &live).unwrap();
    let mut r = LegacyAgentReader::open("ops", &sessions).unwrap();
    assert_eq!(tally(&r.poll().unwrap()).usage, 5);
    std::fs::rename(&live, sessions.join(archive)).unwrap();
    let again = tally(&r.poll().unwrap());
    assert_eq!(again.usage, 0, "renamed into an archive: nothing new");
}
