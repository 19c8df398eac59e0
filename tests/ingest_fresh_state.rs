//! A gateway started on a fresh state dir creates its agents and stores after lanetop started:
//! the running ingest must pick them up (found by the live lab test, where the agent DBs appear
//! seconds after the config).

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use lanetop::fact::{FactKind, Generation};
use lanetop::ingest::discover::{DiscoverOptions, discover};
use lanetop::ingest::{IngestOptions, spawn_with};
use lanetop::msg::Msg;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            fs::copy(e.path(), &dst).unwrap();
        }
    }
}

#[test]
fn stores_created_after_start_are_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    fs::create_dir_all(&state).unwrap();
    fs::copy(
        common::openclaw("captured/state/openclaw.json"),
        state.join("openclaw.json"),
    )
    .unwrap();
    let log = tmp.path().join("openclaw.log");
    fs::write(&log, "").unwrap();
    let discovery = discover(&DiscoverOptions {
        state_dir: Some(state.clone()),
        logs: vec![log],
        profile: None,
    })
    .unwrap();
    assert!(discovery.agents.is_empty() && discovery.generation.is_none());

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(64);
    let _guard = rt.enter();
    let opts = IngestOptions {
        store_safety_poll: Duration::from_millis(200),
        ..IngestOptions::default()
    };
    let _handle = spawn_with(&discovery, tx, opts);

    // The gateway creates its stores now.
    copy_dir(
        &common::openclaw("captured/state/agents"),
        &state.join("agents"),
    );
    copy_dir(
        &common::openclaw("captured/state/state"),
        &state.join("state"),
    );

    let deadline = Instant::now() + Duration::from_secs(15);
    let (mut agents, mut generation, mut cron_jobs) = (Vec::new(), None, 0);
    while Instant::now() < deadline && (agents.len() < 3 || generation.is_none() || cron_jobs == 0)
    {
        while let Ok(Msg::Facts(facts)) = rx.try_recv() {
            for f in facts {
                match f.kind {
                    FactKind::SessionsSnapshot { agent_id, .. } if !agents.contains(&agent_id) => {
                        agents.push(agent_id)
                    }
                    FactKind::Generation(g) => generation = Some(g),
                    FactKind::CronJobsSnapshot { jobs } => cron_jobs = jobs.len(),
                    _ => {}
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    agents.sort();
    assert_eq!(
        agents,
        ["main", "ops", "research"],
        "agent stores found after start"
    );
    assert_eq!(generation, Some(Generation::Sqlite));
    assert_eq!(cron_jobs, 8, "state DB found after start");
}
