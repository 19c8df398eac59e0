//! Gateway faults against the protocol-faithful fake (`tests/gateway_support`), through the
//! real live link (`gateway::live::spawn`) and the real action runner sharing its client, with
//! every fact folded into a model and the status bar rendered through TestBackend:
//! - the gateway dies in the middle of `sessions.abort` (socket dropped, no answer): the action
//!   fails with `connection lost mid-call (sessions.abort)`, its audit record is written, the
//!   status bar says `rpc ✗ … connection lost mid-call (sessions.abort)`, and keeps saying it
//!   while reconnecting fails; once the gateway is back the link is up again;
//! - a read that never answers: `rpc ! … rpc timeout: health (10000 ms)`, the link stays up and
//!   the other reads keep arriving;
//! - garbage frames between answers: `rpc ! … bad frame: N skipped`, nothing else breaks.

mod fault_support;
mod gateway_support;

use std::sync::Arc;
use std::time::Duration;

use gateway_support::{FakeConfig, start};
use lanetop::domain::Model;
use lanetop::fact::{FactKind, GatewayLink};
use lanetop::gateway::audit::AuditLog;
use lanetop::gateway::auth::{Auth, Secret, Target};
use lanetop::gateway::identity::DeviceIdentity;
use lanetop::gateway::runner::{Effect, Runner};
use lanetop::gateway::{ClientOptions, live};
use lanetop::msg::Msg;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

fn opts(url: &str) -> ClientOptions {
    ClientOptions {
        target: Target {
            url: url.into(),
            auth: Auth::Token(Secret::new("fake-token-123")),
        },
        identity: Arc::new(DeviceIdentity::generate()),
        read_only: false,
        connect_timeout: Duration::from_secs(5),
    }
}

/// Fold link facts into `model` until `done` holds (deadline `secs`); returns the status bar.
async fn until(
    rx: &mut mpsc::Receiver<Msg>,
    model: &mut Model,
    secs: u64,
    what: &str,
    done: impl Fn(&Model) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done(model) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(m)) => fault_support::fold(model, m),
            _ => panic!(
                "timed out waiting for {what}; status bar: {}",
                fault_support::status_bar(model, 220)
            ),
        }
    }
    fault_support::status_bar(model, 220)
}

fn audit_lines(dir: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
        .collect()
}

#[tokio::test]
async fn gateway_killed_mid_call_is_shown_and_audited_then_followed_again() {
    let mut cfg = FakeConfig::default();
    cfg.drop_on.insert("sessions.abort".into());
    let fake = start(cfg).await;
    let url = fake.url.clone();
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let handle = live::spawn(opts(&url), tx.clone());
    let mut model = Model::default();
    let bar = until(&mut rx, &mut model, 10, "link up", |m| {
        m.gateway.reachable == Some(true)
    })
    .await;
    assert!(bar.contains(&format!("rpc ✓ {url}")), "{bar}");

    let audit = tempfile::tempdir().expect("tempdir");
    let mut runner = Runner::new(
        false,
        handle.link.clone(),
        Some(AuditLog::in_dir(audit.path())),
    );
    runner.timeout = Duration::from_secs(5);
    let out = runner
        .run(&Effect::KillRun {
            key: "agent:main:main".into(),
        })
        .await;
    assert!(!out.ok);
    assert!(
        out.summary
            .contains("connection lost mid-call (sessions.abort)"),
        "{}",
        out.summary
    );
    // The attempt is audited even though no answer came.
    let records = audit_lines(audit.path());
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["method"], "sessions.abort");
    assert_eq!(records[0]["ok"], false);
    assert!(
        records[0]["answer"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("connection lost mid-call (sessions.abort)")),
        "{:?}",
        records[0]
    );

    // The link saw it too: down, with the cause in the status bar.
    let bar = until(&mut rx, &mut model, 10, "link down", |m| {
        m.gateway.reachable == Some(false)
    })
    .await;
    // A poll read may have been in flight too: `(sessions.abort, sessions.list)`.
    let lost_abort = |t: &str| {
        t.split("connection lost mid-call (")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .is_some_and(|methods| methods.split(", ").any(|m| m == "sessions.abort"))
    };
    assert!(bar.contains("rpc ✗") && lost_abort(&bar), "{bar}");
    // The gateway stays dead: the cause stays in view while reconnecting fails.
    fake.stop();
    drop(fake);
    let bar = until(&mut rx, &mut model, 10, "a failed reconnect", |m| {
        m.gateway
            .rpc_detail
            .as_deref()
            .is_some_and(|d| d.contains("reconnecting"))
    })
    .await;
    assert!(
        lost_abort(&bar) && bar.contains(") · reconnecting"),
        "{bar}"
    );
    // A narrow terminal still shows the cause (details of healthy sources go first).
    let narrow = fault_support::status_bar(&model, 100);
    assert!(
        narrow.contains("rpc ✗ connection lost mid-call"),
        "{narrow}"
    );
    // The gateway is restarted on the same address: the link follows it again.
    let addr = url.trim_start_matches("ws://");
    let _again = gateway_support::start_on(FakeConfig::default(), addr).await;
    let bar = until(&mut rx, &mut model, 40, "the link up again", |m| {
        m.gateway.reachable == Some(true)
    })
    .await;
    assert!(bar.contains(&format!("rpc ✓ {url}")), "{bar}");
    assert!(!bar.contains("mid-call"), "{bar}");
    drop(handle);
}

#[tokio::test]
async fn a_read_that_never_answers_is_an_rpc_timeout_in_the_status_bar() {
    let mut cfg = FakeConfig::default();
    cfg.hang.insert("health".into());
    let fake = start(cfg).await;
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let handle = live::spawn(opts(&fake.url), tx);
    let mut model = Model::default();
    // live.rs waits 10 s for one read; the first round ends after that.
    let bar = until(&mut rx, &mut model, 25, "the timeout", |m| {
        m.gateway.rpc_trouble.is_some()
    })
    .await;
    assert!(
        bar.contains("rpc !") && bar.contains("rpc timeout: health (10000 ms)"),
        "{bar}"
    );
    assert_eq!(model.gateway.reachable, Some(true), "the link stays up");
    assert!(
        model.gateway.live_at.is_some(),
        "sessions.list and cron.list still merged"
    );
    drop(handle);
}

#[tokio::test]
async fn garbage_frames_are_counted_in_the_status_bar_and_reads_go_on() {
    let fake = start(FakeConfig {
        garbage: true,
        ..FakeConfig::default()
    })
    .await;
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let handle = live::spawn(opts(&fake.url), tx);
    let mut model = Model::default();
    let mut seen_sessions = false;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut trouble = None;
    while trouble.is_none() || !seen_sessions {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(Msg::Facts(facts))) = tokio::time::timeout(left, rx.recv()).await else {
            panic!("timed out: trouble {trouble:?}, sessions {seen_sessions}");
        };
        for f in &facts {
            match &f.kind {
                FactKind::LiveSessions { rows } => seen_sessions |= !rows.is_empty(),
                FactKind::GatewayLink(GatewayLink::Trouble { cause, .. }) => {
                    trouble = cause.clone();
                }
                _ => {}
            }
        }
        fault_support::fold(&mut model, Msg::Facts(facts));
    }
    // The fake sends one garbage text frame before each answer (three reads per round); the
    // garbage before the handshake is skipped by connect and not counted here.
    assert_eq!(trouble.as_deref(), Some("bad frame: 3 skipped"));
    let bar = fault_support::status_bar(&model, 220);
    assert!(
        bar.contains("rpc !") && bar.contains("bad frame: 3 skipped"),
        "{bar}"
    );
    assert_eq!(model.gateway.reachable, Some(true));
    drop(handle);
}
