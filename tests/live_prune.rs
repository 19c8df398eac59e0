//! Live: prune through the REAL gateway "as the version offers" (`../shared/openclaw/lab`,
//! `openclaw@2026.9.6`, scenario `idle`). Two isolated cron jobs on agent `ops` run once each
//! (`cron run`), giving two finished bindings `agent:ops:cron:<job>`; the window and transcript
//! rows of the first one's session are then deleted from the agent DB (a binding whose session
//! is gone). lanetop reads the state dir; with `--prune-idle-hours 0` the prune plan names the
//! first "session gone" and the second "idle"; the runner sends
//! `sessions.cleanup {agent:"ops", fixMissing:true}`
//! (the gateway answers `missing: 1`) and `sessions.delete {key, expectedSessionId}`; afterwards
//! `sessions.list` lists neither key.
//!
//! Needs `OCLAB_PREFIX` (default `/tmp/oclab`) prepared by `lab/setup.sh`; `.ci/run` runs it
//! with `--ignored`.

mod common;
mod lab_support;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lab_support::{start_lab, wait_for};

use lanetop::config::Action;
use lanetop::domain::Model;
use lanetop::gateway::auth;
use lanetop::gateway::identity::DeviceIdentity;
use lanetop::gateway::runner::{Effect, Runner};
use lanetop::gateway::{Client, ClientOptions};
use lanetop::ingest::discover::{DiscoverOptions, discover};
use lanetop::msg::Msg;
use lanetop::ui::UiState;

const GW_PORT: &str = "18895";
const LLM_PORT: &str = "18995";
fn read_model(state: &Path, log: &Path) -> Model {
    let discovery = discover(&DiscoverOptions {
        state_dir: Some(state.to_path_buf()),
        logs: vec![log.to_path_buf()],
        profile: None,
    })
    .expect("discover the lab");
    let mut model = Model::default();
    lanetop::ingest::collect_once(&discovery, &mut |facts| {
        lanetop::update::update(&mut model, Msg::Facts(facts));
    });
    model
}

#[test]
#[ignore = "needs the lab (Node 24 + openclaw): run by .ci/run with --ignored"]
fn prune_goes_through_cleanup_or_delete_on_the_real_gateway() {
    let prefix = lab_support::installed_prefix();
    let (tmp, run) = lab_support::run_dir("lanetop-prune");
    let lab = start_lab(
        &prefix,
        &run,
        GW_PORT,
        LLM_PORT,
        &[("HEARTBEAT_EVERY", "6h")],
    );
    let state_dir = run.join("home/.openclaw");

    let mut keys = Vec::new();
    for name in ["prune-gone", "prune-done"] {
        let job = lab.oc(&[
            "cron",
            "create",
            "--name",
            name,
            "--every",
            "1h",
            "--agent",
            "ops",
            "--session",
            "isolated",
            "--message",
            "tick",
            "--no-deliver",
            "--json",
        ]);
        let id = job["id"].as_str().expect("job id").to_string();
        let ran = lab.oc(&["cron", "run", &id, "--json"]);
        assert_eq!(ran["ok"], true, "{ran}");
        keys.push(format!("agent:ops:cron:{id}"));
    }
    // Both runs finished: their bindings are listed, with no run in flight.
    wait_for("both cron runs to finish", 240, || {
        let list = lab.sessions();
        keys.iter().all(|k| {
            list.iter()
                .any(|s| s["key"] == k.as_str() && s["hasActiveRun"] != true)
        })
    });
    let list = lab.sessions();
    let sid_of = |k: &str| -> String {
        list.iter()
            .find(|s| s["key"] == k)
            .and_then(|s| s["sessionId"].as_str())
            .expect("sessionId")
            .to_string()
    };
    let gone_sid = sid_of(&keys[0]);

    // The incident: the first binding's session (window + transcript) is gone.
    {
        let db = state_dir.join("agents/ops/agent/openclaw-agent.sqlite");
        let c = rusqlite::Connection::open(&db).expect("open the ops agent db");
        c.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        let n = c
            .execute(
                "DELETE FROM transcript_events WHERE session_id = ?1",
                [&gone_sid],
            )
            .expect("delete events");
        assert!(n > 0, "the run wrote a transcript");
        c.execute(
            "DELETE FROM session_windows WHERE session_id = ?1",
            [&gone_sid],
        )
        .expect("delete window");
    }

    let model = read_model(&state_dir, &run.join("logs/openclaw.log"));
    let gone: Vec<&lanetop::domain::Session> = model
        .sessions
        .by_key
        .values()
        .filter(|s| s.session_gone)
        .collect();
    // The binding, and the run key of the same run when the store still lists it (it names the
    // same session id; whether the row is there when lanetop reads depends on the gateway's
    // timing, e.g. when the machine is loaded).
    let run_prefix = format!("{}:run:", keys[0]);
    assert!(
        gone.iter().any(|s| s.key == keys[0]),
        "lanetop sees the gone session: {:?}",
        gone.iter().map(|s| &s.key).collect::<Vec<_>>()
    );
    for s in &gone {
        assert!(
            (s.key == keys[0] || s.key.starts_with(&run_prefix)) && s.session_id == gone_sid,
            "only the gone session's keys are gone: {} ({})",
            s.key,
            s.session_id
        );
    }
    // The second binding is only idle: `--prune-idle-hours 0` makes it a candidate. (Deleting
    // its job is no way to leave it behind on 2026.9.6: `cron.remove` deletes the job's
    // bindings itself, observed here.)
    let ui = UiState {
        marked_sessions: keys.iter().cloned().collect::<BTreeSet<_>>(),
        prune_idle_hours: 0,
        ..UiState::default()
    };
    let pending = lanetop::ui::actions::plan(&ui, &model, Action::PruneStale).expect("a plan");
    assert_eq!(pending.effects.len(), 2, "{:?}", pending.preview);
    assert!(
        pending
            .preview
            .iter()
            .any(|l| l.contains(&keys[0]) && l.contains("session gone")),
        "{:?}",
        pending.preview
    );
    assert!(
        pending
            .preview
            .iter()
            .any(|l| l.contains(&keys[1]) && l.contains("idle")),
        "{:?}",
        pending.preview
    );

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let target = auth::resolve(Some(&state_dir.join("openclaw.json")), None, None);
    let identity =
        Arc::new(DeviceIdentity::load_or_create(&tmp.path().join("data")).expect("identity"));
    let client = rt
        .block_on(Client::connect(&ClientOptions {
            target,
            identity,
            read_only: false,
            connect_timeout: Duration::from_secs(10),
        }))
        .expect("connect to the real gateway")
        .0;
    assert!(client.has_method("sessions.cleanup"), "2026.9.6 offers it");
    let (_keep, link) = tokio::sync::watch::channel(Some(Arc::new(client)));
    let runner = Runner::new(
        false,
        link,
        Some(lanetop::gateway::audit::AuditLog::in_dir(
            &tmp.path().join("state"),
        )),
    );
    let mut methods = Vec::new();
    for e in &pending.effects {
        let o = rt.block_on(runner.run(e));
        assert!(o.ok, "{o:?}");
        if let Effect::PruneSession { key, .. } = e
            && key == &keys[0]
        {
            assert_eq!(o.method.as_deref(), Some("sessions.cleanup"));
            assert_eq!(o.answer["missing"], 1, "{}", o.answer);
        }
        methods.push(o.method.clone().unwrap_or_default());
        println!("{}", o.summary);
    }
    methods.sort();
    assert_eq!(methods, vec!["sessions.cleanup", "sessions.delete"]);
    let list = lab.sessions();
    for k in &keys {
        assert!(
            list.iter().all(|s| s["key"] != k.as_str()),
            "{k} gone from sessions.list"
        );
    }
}
