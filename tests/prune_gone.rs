//! Issue 4 leftovers: the prune rule "binding whose session is gone", prune applied through the
//! gateway as the version offers, and the offline legacy edit rule chosen by release.
//!
//! - The REAL captured 2026.5.20 `agents/main/sessions/sessions.json` has 8 bindings; exactly
//!   one (`…:run:1795314961912`, session id `5e835bae-…`) has no transcript on disk (checked
//!   with `ls`/Python: no `5e835bae*` file in the directory): it is the only "session gone".
//! - The REAL captured 2026.9.6 SQLite stores have no such binding (every `current_session_id`
//!   has a `session_windows` row and events, checked with sqlite3); on a copy with the window
//!   and events of one cron session deleted, that session alone is "gone".
//! - Against the fake gateway: a "session gone" prune is sent as `sessions.cleanup {agent,
//!   fixMissing:true}` when the hello lists it, `sessions.delete` otherwise.
//! - Offline (no RPC link): a 2026.3-shaped state dir is edited under the store lock even with a
//!   gateway alive; a 2026.5 one (`cron/jobs-state.json`) is refused while a gateway lives.

mod common;
mod gateway_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gateway_support::{FakeConfig, start};
use lanetop::domain::Model;
use lanetop::gateway::auth::{Auth, Secret, Target};
use lanetop::gateway::identity::DeviceIdentity;
use lanetop::gateway::runner::{Effect, Runner};
use lanetop::gateway::{Client, ClientOptions};
use lanetop::ingest::discover::{DiscoverOptions, discover};
use lanetop::msg::Msg;
use lanetop::offline::LegacyRelease;
use lanetop::offline::release::detect;
use serde_json::json;
use tokio::sync::watch;

const GONE: &str = "agent:main:cron:eac91b98-f879-4fff-9cc4-1ff3e28385aa:run:1795314961912";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        let dst = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dst);
        } else {
            std::fs::copy(&p, &dst).expect("copy");
        }
    }
}

fn read_model(state: &Path) -> Model {
    let discovery = discover(&DiscoverOptions {
        state_dir: Some(state.to_path_buf()),
        logs: vec![],
        profile: None,
    })
    .expect("discover");
    let mut model = Model::default();
    lanetop::ingest::collect_once(&discovery, &mut |facts| {
        lanetop::update::update(&mut model, Msg::Facts(facts));
    });
    model
}

fn gone_keys(model: &Model) -> Vec<String> {
    model
        .sessions
        .by_key
        .values()
        .filter(|s| s.session_gone)
        .map(|s| s.key.clone())
        .collect()
}

#[test]
fn real_legacy_capture_has_exactly_one_binding_whose_session_is_gone() {
    let model = read_model(&common::openclaw("captured-legacy/state"));
    assert_eq!(gone_keys(&model), vec![GONE.to_string()]);
    let s = &model.sessions.by_key[GONE];
    let why = lanetop::ui::actions::prune_reason(&model, s, 24).expect("a prune candidate");
    assert!(
        why.starts_with("session gone") && why.contains("5e835bae-7097-4025-acd4-cc31502aa286"),
        "{why}"
    );
    // Bindings whose transcript exists are not "gone" (7 of 8).
    let main = &model.sessions.by_key["agent:main:main"];
    assert!(!main.session_gone);
}

#[test]
fn sqlite_binding_gone_after_its_window_and_events_are_deleted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("state");
    copy_dir(&common::openclaw("captured/state"), &state);
    assert!(
        gone_keys(&read_model(&state)).is_empty(),
        "the real capture has none"
    );
    let db = state.join("agents/ops/agent/openclaw-agent.sqlite");
    let sid = "b319cf07-315c-4f81-b8af-97dcf176f0d2";
    {
        let c = rusqlite::Connection::open(&db).expect("open copy");
        c.execute("DELETE FROM transcript_events WHERE session_id = ?1", [sid])
            .expect("delete events");
        c.execute("DELETE FROM session_windows WHERE session_id = ?1", [sid])
            .expect("delete window");
    }
    let model = read_model(&state);
    let key = "agent:ops:cron:007ab091-ffcc-493b-979a-d1207036802e";
    assert_eq!(gone_keys(&model), vec![key.to_string()]);
    let why = lanetop::ui::actions::prune_reason(&model, &model.sessions.by_key[key], 24)
        .expect("candidate");
    assert!(why.starts_with("session gone"), "{why}");
}

async fn runner(url: &str, dir: &Path) -> Runner {
    let opts = ClientOptions {
        target: Target {
            url: url.into(),
            auth: Auth::Token(Secret::new("fake-token-123")),
        },
        identity: Arc::new(DeviceIdentity::generate()),
        read_only: false,
        connect_timeout: Duration::from_secs(5),
    };
    let (c, _ev) = Client::connect(&opts).await.expect("connect");
    let (tx, rx) = watch::channel(Some(Arc::new(c)));
    std::mem::forget(tx);
    let mut r = Runner::new(
        false,
        rx,
        Some(lanetop::gateway::audit::AuditLog::in_dir(dir)),
    );
    r.timeout = Duration::from_millis(800);
    r
}

fn gone_effect(key: &str, sid: &str) -> Effect {
    Effect::PruneSession {
        key: key.into(),
        reason: format!("session gone: no transcript for session id {sid}"),
        expected_session_id: Some(sid.into()),
    }
}

#[tokio::test]
async fn session_gone_uses_sessions_cleanup_where_the_gateway_has_it() {
    let mut cfg = FakeConfig::default();
    cfg.sessions
        .insert("agent:ops:cron:gone".into(), "sid-gone".into());
    let fake = start(cfg).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = runner(&fake.url, dir.path()).await;
    let o = r.run(&gone_effect("agent:ops:cron:gone", "sid-gone")).await;
    assert!(o.ok, "{}", o.summary);
    assert_eq!(o.method.as_deref(), Some("sessions.cleanup"));
    assert_eq!(
        fake.calls("sessions.cleanup"),
        vec![json!({"agent":"ops","fixMissing":true})]
    );
    assert!(fake.calls("sessions.delete").is_empty());
    assert!(
        o.summary
            .contains("1 missing binding(s) fixed, 3 → 2 entries"),
        "{}",
        o.summary
    );
    // Another rule still deletes the one key, guarded by its session id.
    let o = r
        .run(&Effect::PruneSession {
            key: "agent:ops:cron:job-1".into(),
            reason: "finished cron run".into(),
            expected_session_id: Some("sid-ops-1".into()),
        })
        .await;
    assert_eq!(
        o.method.as_deref(),
        Some("sessions.delete"),
        "{}",
        o.summary
    );
}

#[tokio::test]
async fn session_gone_falls_back_to_sessions_delete_without_cleanup() {
    let mut cfg = FakeConfig::default();
    cfg.methods.retain(|m| m != "sessions.cleanup");
    cfg.sessions
        .insert("agent:ops:cron:gone".into(), "sid-gone".into());
    let fake = start(cfg).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = runner(&fake.url, dir.path()).await;
    let o = r.run(&gone_effect("agent:ops:cron:gone", "sid-gone")).await;
    assert!(o.ok, "{}", o.summary);
    assert_eq!(o.method.as_deref(), Some("sessions.delete"));
    assert_eq!(
        fake.calls("sessions.delete"),
        vec![json!({"key":"agent:ops:cron:gone","expectedSessionId":"sid-gone"})]
    );
}

/// A copy of the real legacy state dir; `v3` removes `cron/jobs-state.json` (2026.3 keeps the
/// job state inline in `jobs.json`, FORMATS-LEGACY.md §7).
fn legacy_copy(dir: &Path, v3: bool) -> PathBuf {
    let state = dir.join("state");
    copy_dir(&common::openclaw("captured-legacy/state"), &state);
    if v3 {
        std::fs::remove_file(state.join("cron/jobs-state.json")).expect("rm jobs-state");
    }
    state
}

#[test]
fn release_detected_from_the_real_legacy_state_dir() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let s520 = legacy_copy(&tmp.path().join("a"), false);
    let s3 = legacy_copy(&tmp.path().join("b"), true);
    assert_eq!(detect(&s520, None).release, LegacyRelease::Unlocked);
    assert_eq!(detect(&s3, None).release, LegacyRelease::Locking);
    // A known version overrides the files.
    assert_eq!(
        detect(&s520, Some("2026.3.11")).release,
        LegacyRelease::Locking
    );
}

fn offline_runner(state: &Path, audit: &Path) -> Runner {
    let (tx, rx) = watch::channel(None);
    std::mem::forget(tx);
    Runner::new(
        false,
        rx,
        Some(lanetop::gateway::audit::AuditLog::in_dir(audit)),
    )
    .with_offline(state.to_path_buf())
}

fn store_keys(state: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(state.join("agents/main/sessions/sessions.json"))
        .expect("read store");
    let v: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("store JSON");
    v.keys().cloned().collect()
}

#[tokio::test]
async fn offline_prune_applies_the_rule_of_the_detected_release() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let alive = lanetop::offline::store_edit::gateway_process_alive();
    let done = "agent:main:cron:eac91b98-f879-4fff-9cc4-1ff3e28385aa:run:1795314892026";
    let effect = Effect::PruneSession {
        key: done.into(),
        reason: "finished cron run".into(),
        expected_session_id: Some("a149c264-f30b-4f2e-9bd9-042dee594165".into()),
    };

    // 2026.3: the store lock makes the edit safe, gateway alive or not.
    let s3 = legacy_copy(&tmp.path().join("v3"), true);
    let o = offline_runner(&s3, &tmp.path().join("audit3"))
        .run(&effect)
        .await;
    assert!(o.ok, "{}", o.summary);
    assert!(o.summary.contains("store lock (2026.3)"), "{}", o.summary);
    assert!(!store_keys(&s3).contains(&done.to_string()));
    assert_eq!(store_keys(&s3).len(), 7);

    // 2026.5: refused while any gateway process lives; applied when none does.
    let s5 = legacy_copy(&tmp.path().join("v5"), false);
    let o = offline_runner(&s5, &tmp.path().join("audit5"))
        .run(&effect)
        .await;
    if alive {
        assert!(!o.ok, "{}", o.summary);
        assert!(
            o.summary.contains("gateway process is running"),
            "{}",
            o.summary
        );
        assert_eq!(store_keys(&s5).len(), 8, "nothing written");
    } else {
        assert!(o.ok, "{}", o.summary);
        assert!(o.summary.contains("2026.5"), "{}", o.summary);
        assert_eq!(store_keys(&s5).len(), 7);
    }
}

#[test]
fn the_2026_5_rule_refuses_with_a_gateway_alive_and_2026_3_does_not() {
    // The per-version rule itself, independent of what runs on this host.
    let tmp = tempfile::tempdir().expect("tempdir");
    let done = "agent:main:cron:eac91b98-f879-4fff-9cc4-1ff3e28385aa:run:1795314892026";
    let rm = || {
        vec![lanetop::offline::Removal {
            key: done.into(),
            expected_session_id: None,
        }]
    };
    let s5 = legacy_copy(&tmp.path().join("v5"), false);
    let store5 = s5.join("agents/main/sessions/sessions.json");
    let r = lanetop::offline::remove_entries(&store5, &rm(), detect(&s5, None).release, true);
    assert!(matches!(r, Err(lanetop::offline::EditError::GatewayAlive)));
    let s3 = legacy_copy(&tmp.path().join("v3"), true);
    let store3 = s3.join("agents/main/sessions/sessions.json");
    let r = lanetop::offline::remove_entries(&store3, &rm(), detect(&s3, None).release, true)
        .expect("2026.3 edits under the store lock");
    assert_eq!(r.removed, vec![done.to_string()]);
}
