//! The gateway client and the action runner against the protocol-faithful fake gateway
//! (`tests/gateway_support`): handshake and signature, scopes, `MISSING_SCOPE`,
//! `session-changed`, timeouts, garbage frames, the read-only gate and the audit log.

mod gateway_support;

use std::sync::Arc;
use std::time::Duration;

use gateway_support::{FakeConfig, start};
use lanetop::gateway::audit::AuditLog;
use lanetop::gateway::auth::{Auth, Secret, Target};
use lanetop::gateway::identity::DeviceIdentity;
use lanetop::gateway::runner::{Effect, Runner};
use lanetop::gateway::{Client, ClientOptions, RpcError};
use serde_json::{Value, json};
use tokio::sync::watch;

fn opts(url: &str, token: &str, read_only: bool) -> ClientOptions {
    ClientOptions {
        target: Target {
            url: url.into(),
            auth: Auth::Token(Secret::new(token)),
        },
        identity: Arc::new(DeviceIdentity::generate()),
        read_only,
        connect_timeout: Duration::from_secs(5),
    }
}

/// A runner over a connected client, auditing into `dir`.
async fn runner(
    url: &str,
    read_only_client: bool,
    read_only_runner: bool,
    dir: &std::path::Path,
) -> Runner {
    let (c, _ev) = Client::connect(&opts(url, "fake-token-123", read_only_client))
        .await
        .expect("connect");
    let (_tx, rx) = watch::channel(Some(Arc::new(c)));
    // keep the sender alive for the test duration
    std::mem::forget(_tx);
    let mut r = Runner::new(read_only_runner, rx, Some(AuditLog::in_dir(dir)));
    r.timeout = Duration::from_millis(800);
    r
}

fn audit_lines(dir: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
        .collect()
}

#[tokio::test]
async fn handshake_signs_the_challenge_and_gets_the_requested_scopes() {
    let fake = start(FakeConfig::default()).await;
    let (c, _ev) = Client::connect(&opts(&fake.url, "fake-token-123", false))
        .await
        .expect("connect");
    assert_eq!(c.hello.protocol, 4);
    assert_eq!(c.hello.server_version.as_deref(), Some("2026.9.6"));
    assert_eq!(
        c.hello.scopes,
        vec!["operator.admin", "operator.read", "operator.write"]
    );
    let seen = fake.seen.lock().expect("lock");
    assert_eq!(seen.connects.len(), 1);
    assert!(
        seen.connects[0].signature_ok,
        "device signature must verify"
    );
    assert_eq!(seen.connects[0].client_id, "openclaw-tui");
    let raw = &seen.connects[0].raw;
    assert_eq!(raw["minProtocol"], 3);
    assert_eq!(raw["maxProtocol"], 4);
    assert_eq!(raw["client"]["mode"], "ui");
    assert_eq!(raw["role"], "operator");
}

#[tokio::test]
async fn read_only_asks_only_for_operator_read() {
    let fake = start(FakeConfig::default()).await;
    let (c, _ev) = Client::connect(&opts(&fake.url, "fake-token-123", true))
        .await
        .expect("connect");
    assert_eq!(c.hello.scopes, vec!["operator.read"]);
    assert!(fake.seen.lock().expect("lock").connects[0].signature_ok);
}

#[tokio::test]
async fn a_wrong_token_is_a_rejected_connect() {
    let fake = start(FakeConfig::default()).await;
    let e = Client::connect(&opts(&fake.url, "wrong", false))
        .await
        .expect_err("must fail");
    match e {
        RpcError::Rejected { code, message, .. } => {
            assert_eq!(code, "INVALID_REQUEST");
            assert!(message.contains("token mismatch"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}", l.local_addr().expect("addr"));
    drop(l);
    let e = Client::connect(&opts(&url, "t", false))
        .await
        .expect_err("refused");
    assert!(matches!(e, RpcError::Transport(_)), "{e:?}");
}

#[tokio::test]
async fn garbage_frames_are_skipped() {
    let fake = start(FakeConfig {
        garbage: true,
        ..FakeConfig::default()
    })
    .await;
    let (c, _ev) = Client::connect(&opts(&fake.url, "fake-token-123", false))
        .await
        .expect("connect despite garbage before the challenge");
    for _ in 0..3 {
        let v = c
            .call("health", json!({}), Duration::from_secs(2))
            .await
            .expect("health despite garbage between frames");
        assert_eq!(v["ok"], true);
    }
}

#[tokio::test]
async fn a_method_that_never_answers_times_out_and_the_client_stays_usable() {
    let mut cfg = FakeConfig::default();
    cfg.hang.insert("sessions.abort".into());
    let fake = start(cfg).await;
    let (c, _ev) = Client::connect(&opts(&fake.url, "fake-token-123", false))
        .await
        .expect("connect");
    let t0 = std::time::Instant::now();
    let e = c
        .call(
            "sessions.abort",
            json!({"key":"k"}),
            Duration::from_millis(300),
        )
        .await
        .expect_err("timeout");
    assert!(
        matches!(e, RpcError::Timeout { ref method, ms: 300 } if method == "sessions.abort"),
        "{e:?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(2));
    assert!(
        c.call("health", json!({}), Duration::from_secs(2))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn kill_sends_sessions_abort_with_clear_queued_and_reports_the_run() {
    let fake = start(FakeConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = runner(&fake.url, false, false, dir.path()).await;
    let o = r
        .run(&Effect::KillRun {
            key: "agent:main:main".into(),
        })
        .await;
    assert!(o.ok, "{o:?}");
    assert_eq!(o.method.as_deref(), Some("sessions.abort"));
    assert!(o.summary.contains("aborted run run-1"), "{}", o.summary);
    assert_eq!(
        fake.calls("sessions.abort"),
        vec![json!({"key":"agent:main:main","clearQueued":true})]
    );
    let audit = audit_lines(dir.path());
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["action"], "kill-run");
    assert_eq!(audit[0]["target"], "agent:main:main");
    assert_eq!(audit[0]["answer"]["abortedRunId"], "run-1");
}

#[tokio::test]
async fn kill_falls_back_to_chat_abort_without_sessions_abort() {
    let mut cfg = FakeConfig::default();
    cfg.methods.retain(|m| m != "sessions.abort");
    let fake = start(cfg).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = runner(&fake.url, false, false, dir.path()).await;
    let o = r
        .run(&Effect::KillRun {
            key: "agent:main:main".into(),
        })
        .await;
    assert!(o.ok, "{o:?}");
    assert_eq!(o.method.as_deref(), Some("chat.abort"));
    assert_eq!(
        fake.calls("chat.abort"),
        vec![json!({"sessionKey":"agent:main:main"})]
    );
    assert!(fake.calls("sessions.abort").is_empty());
}

#[tokio::test]
async fn reset_with_a_stale_session_id_shows_the_new_one_and_is_not_retried() {
    let fake = start(FakeConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = runner(&fake.url, false, false, dir.path()).await;
    let o = r
        .run(&Effect::ResetSession {
            key: "agent:main:main".into(),
            expected_session_id: Some("sid-old".into()),
        })
        .await;
    assert!(!o.ok);
    assert!(o.summary.contains("session changed"), "{}", o.summary);
    assert!(
        o.summary.contains("now session sid-main-1"),
        "{}",
        o.summary
    );
    assert!(o.summary.contains("not retried"), "{}", o.summary);
    assert_eq!(fake.calls("sessions.reset").len(), 1, "exactly one attempt");
    assert_eq!(o.answer["details"]["reason"], "session-changed");
    // With the right id it goes through and a new id is reported.
    let o = r
        .run(&Effect::ResetSession {
            key: "agent:main:main".into(),
            expected_session_id: Some("sid-main-1".into()),
        })
        .await;
    assert!(o.ok, "{o:?}");
    assert!(o.summary.contains("new session sid-new-"), "{}", o.summary);
    assert_eq!(audit_lines(dir.path()).len(), 2);
}

#[tokio::test]
async fn missing_scope_is_reported_with_the_scope_name() {
    let fake = start(FakeConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    // The client asked for read only; the runner itself is not read-only, so the gateway
    // decides: FORBIDDEN + details.code MISSING_SCOPE.
    let r = runner(&fake.url, true, false, dir.path()).await;
    let o = r
        .run(&Effect::SetCronEnabled {
            id: "job-1".into(),
            enabled: false,
            all: false,
        })
        .await;
    assert!(!o.ok);
    assert_eq!(o.answer["code"], "FORBIDDEN");
    assert_eq!(o.answer["details"]["code"], "MISSING_SCOPE");
    assert!(
        o.summary.contains("missing scope operator.admin"),
        "{}",
        o.summary
    );
}

#[tokio::test]
async fn pause_and_resume_cron_patch_enabled() {
    let fake = start(FakeConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = runner(&fake.url, false, false, dir.path()).await;
    for enabled in [false, true] {
        let o = r
            .run(&Effect::SetCronEnabled {
                id: "job-1".into(),
                enabled,
                all: false,
            })
            .await;
        assert!(o.ok, "{o:?}");
        assert_eq!(fake.state.lock().expect("lock").cron["job-1"], enabled);
    }
    assert_eq!(
        fake.calls("cron.update"),
        vec![
            json!({"id":"job-1","patch":{"enabled":false}}),
            json!({"id":"job-1","patch":{"enabled":true}})
        ]
    );
    let a = audit_lines(dir.path());
    assert_eq!(a[0]["action"], "pause-cron");
    assert_eq!(a[1]["action"], "resume-cron");
}

#[tokio::test]
async fn read_only_refuses_every_action_and_nothing_reaches_the_gateway() {
    let fake = start(FakeConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = runner(&fake.url, true, true, dir.path()).await;
    let effects = [
        Effect::KillRun {
            key: "agent:main:main".into(),
        },
        Effect::ResetSession {
            key: "agent:main:main".into(),
            expected_session_id: Some("sid-main-1".into()),
        },
        Effect::PruneSession {
            key: "agent:ops:cron:job-1".into(),
            reason: "test".into(),
            expected_session_id: None,
        },
        Effect::SetCronEnabled {
            id: "job-1".into(),
            enabled: false,
            all: true,
        },
        Effect::PinModel {
            key: "agent:main:main".into(),
            model: "p/m".into(),
            expected_session_id: None,
        },
    ];
    for e in &effects {
        let o = r.run(e).await;
        assert!(!o.ok);
        assert!(o.summary.contains("refused: read-only"), "{}", o.summary);
        assert_eq!(o.method, None);
    }
    assert!(
        fake.seen.lock().expect("lock").requests.is_empty(),
        "no request after connect"
    );
    assert!(fake.state.lock().expect("lock").cron["job-1"]);
    assert!(
        !dir.path().join("audit.jsonl").exists(),
        "read-only writes nothing, not even the audit log"
    );
}

#[tokio::test]
async fn not_connected_refuses_without_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_tx, rx) = watch::channel(None);
    let r = Runner::new(false, rx, Some(AuditLog::in_dir(dir.path())));
    let o = r.run(&Effect::KillRun { key: "k".into() }).await;
    assert!(!o.ok);
    assert!(o.summary.contains("gateway not connected"), "{}", o.summary);
}

#[tokio::test]
async fn the_audit_log_is_0600_and_never_holds_the_token() {
    use std::os::unix::fs::PermissionsExt;
    let fake = start(FakeConfig::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("state");
    let r = runner(&fake.url, false, false, &sub).await;
    r.run(&Effect::PruneSession {
        key: "agent:ops:cron:job-1".into(),
        reason: "cron job job-1 no longer exists".into(),
        expected_session_id: Some("sid-ops-1".into()),
    })
    .await;
    r.run(&Effect::PinModel {
        key: "agent:main:main".into(),
        model: "fakeprime/fake-primary".into(),
        expected_session_id: Some("sid-main-1".into()),
    })
    .await;
    let path = sub.join("audit.jsonl");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(!text.contains("fake-token-123"));
    assert_eq!(text.lines().count(), 2);
    assert_eq!(
        fake.calls("sessions.delete"),
        vec![json!({"key":"agent:ops:cron:job-1","expectedSessionId":"sid-ops-1"})]
    );
    assert_eq!(
        fake.calls("sessions.patch"),
        vec![
            json!({"key":"agent:main:main","model":"fakeprime/fake-primary","expectedSessionId":"sid-main-1"})
        ]
    );
}

#[tokio::test]
async fn legacy_servers_get_the_smaller_schemas() {
    let fake = start(FakeConfig {
        version: "2026.5.20".into(),
        ..FakeConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let r = runner(&fake.url, false, false, dir.path()).await;
    r.run(&Effect::KillRun {
        key: "agent:main:main".into(),
    })
    .await;
    r.run(&Effect::ResetSession {
        key: "agent:main:main".into(),
        expected_session_id: Some("x".into()),
    })
    .await;
    let o = r
        .run(&Effect::PinModel {
            key: "agent:main:main".into(),
            model: "p/m".into(),
            expected_session_id: None,
        })
        .await;
    assert_eq!(
        fake.calls("sessions.abort"),
        vec![json!({"key":"agent:main:main"})]
    );
    assert_eq!(
        fake.calls("sessions.reset"),
        vec![json!({"key":"agent:main:main","reason":"reset"})]
    );
    assert!(!o.ok && o.summary.contains("no RPC"), "{}", o.summary);
    assert!(fake.calls("sessions.patch").is_empty());
}

#[tokio::test]
async fn the_live_link_reports_up_reads_and_down() {
    use lanetop::fact::{FactKind, GatewayLink};
    use lanetop::msg::Msg;
    let fake = start(FakeConfig::default()).await;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(64);
    let handle = lanetop::gateway::live::spawn(opts(&fake.url, "fake-token-123", true), tx);
    let mut up = false;
    let mut sessions = None;
    let mut cron = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while (sessions.is_none() || cron.is_none()) && tokio::time::Instant::now() < deadline {
        let Ok(Some(Msg::Facts(facts))) =
            tokio::time::timeout(Duration::from_secs(5), rx.recv()).await
        else {
            break;
        };
        for f in facts {
            match f.kind {
                FactKind::GatewayLink(GatewayLink::Up { scopes, .. }) => {
                    assert_eq!(scopes, vec!["operator.read"]);
                    up = true;
                }
                FactKind::LiveSessions { rows } => sessions = Some(rows),
                FactKind::LiveCron { jobs } => cron = Some(jobs),
                _ => {}
            }
        }
    }
    assert!(up);
    let sessions = sessions.expect("sessions.list merged");
    let main = sessions
        .iter()
        .find(|r| r.key == "agent:main:main")
        .expect("main row");
    assert!(main.has_active_run);
    assert_eq!(main.active_run_ids, vec!["run-1"]);
    assert_eq!(cron.expect("cron.list").len(), 1);
    assert!(handle.link.borrow().is_some(), "the runner sees the client");
    drop(fake); // the gateway goes away: the link must say so
    let mut down = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !down && tokio::time::Instant::now() < deadline {
        let Ok(Some(Msg::Facts(facts))) =
            tokio::time::timeout(Duration::from_secs(5), rx.recv()).await
        else {
            break;
        };
        down = facts
            .iter()
            .any(|f| matches!(f.kind, FactKind::GatewayLink(GatewayLink::Down { .. })));
    }
    assert!(down, "a Down fact after the gateway stopped");
}
