//! Typed events, part 2 (lanes, takeover, stuck sessions, recovery, switches, cron, heartbeat,
//! lifecycle, auth). One test per event, on a real captured line where one exists (file and line cited),
//! else on a constructed `samples/` line, else on a line built from the FORMATS.md template.

mod log_support;

use std::sync::Arc;

use lanetop::fact::{GatewayEvent, LogEvent, ModelRef, Origin, RestartRecovery, SourceKind};
use lanetop::ingest::log::LineParser;
use log_support::*;

const CAP: &str = "captured/logs/openclaw.log";
const LEG: &str = "captured-legacy/logs/openclaw.log";
const S96: &str = "samples/gateway-openclaw-2026-09-06.log";
const S520: &str = "samples/legacy/tmp-openclaw/openclaw-2026-05-24.log";

fn m(p: &str, m: &str) -> ModelRef {
    ModelRef::new(p, m)
}

fn parse_str(s: &str) -> lanetop::fact::Fact {
    LineParser::new().parse(
        s.as_bytes(),
        Origin::line(SourceKind::Log, Arc::from("t"), 1),
    )
}

#[test]
fn lane_events() {
    // captured 80, 81, 965, 105, 321.
    assert_eq!(
        event(CAP, 80),
        LogEvent::LaneEnqueued {
            lane: "session:agent:main:main".into(),
            queue_size: 1
        }
    );
    assert_eq!(
        event(CAP, 81),
        LogEvent::LaneDequeued {
            lane: "session:agent:main:main".into(),
            wait_ms: 1,
            queue_size: 0
        }
    );
    assert_eq!(
        event(CAP, 965),
        LogEvent::LaneWaitExceeded {
            lane: "session:agent:main:main".into(),
            waited_ms: 7281,
            queue_ahead: 0,
            active_ahead: Some(1),
            active_now: Some(0),
            queue_behind: Some(1),
        }
    );
    assert_eq!(
        event(CAP, 105),
        LogEvent::LaneTaskDone {
            lane: "main".into(),
            duration_ms: 2047,
            active: 0,
            queued: 0
        }
    );
    assert_eq!(
        event(CAP, 321),
        LogEvent::LaneTaskError {
            lane: "main".into(),
            duration_ms: 1455,
            error: "⚠️ Rate limit reached for fake-primary.; Retry-After: 3600 seconds".into()
        }
    );
}

#[test]
fn session_takeover_on_lane_task_error_lines() {
    // captured-legacy 1756 (lane main) and 1757 (lane session:agent:main:main); the CLI's root
    // ERROR copy at 1758 is not a second takeover event.
    let path =
        "/home/operator/.openclaw/agents/main/sessions/568d898c-534c-4571-bbf2-d8e2c57a670c.jsonl";
    assert_eq!(
        event(LEG, 1756),
        LogEvent::SessionTakeover {
            lane: Some("main".into()),
            path: Some(path.into())
        }
    );
    assert_eq!(
        event(LEG, 1757),
        LogEvent::SessionTakeover {
            lane: Some("session:agent:main:main".into()),
            path: Some(path.into())
        }
    );
    assert_eq!(log(&parse_line(LEG, 1758)).event, None);
}

#[test]
fn stuck_session() {
    // samples 9.6 line 9 (5.20+ `stuck session recovery:`); 3.x form in tests/log_tslog_3x.rs.
    assert_eq!(
        event(S96, 9),
        LogEvent::StuckSession {
            session_id: Some("0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b".into()),
            session_key: Some("agent:main:discord:channel:998877".into()),
            age_s: 742,
            action: Some("release_lane".into()),
            released: Some(0),
        }
    );
}

#[test]
fn restart_recovery() {
    use RestartRecovery as R;
    // captured 1860, 1898, 1899, 1943 (9.6 crash resume).
    assert_eq!(
        event(CAP, 1860),
        LogEvent::RestartRecovery(R::Marked { count: 1 })
    );
    assert_eq!(
        event(CAP, 1898),
        LogEvent::RestartRecovery(R::Resumed {
            session_key: "agent:main:main".into(),
            lane: "main".into()
        })
    );
    assert_eq!(
        event(CAP, 1899),
        LogEvent::RestartRecovery(R::Complete {
            started: 1,
            failed: 0,
            skipped: 0
        })
    );
    assert_eq!(
        event(CAP, 1943),
        LogEvent::RestartRecovery(R::Terminal {
            session_key: "agent:main:main".into(),
            status: "ok".into()
        })
    );
    // captured-legacy 2656: 5.20 `marked 1 interrupted main session(s) for restart recovery (gateway restart drain timeout)`.
    assert_eq!(
        event(LEG, 2656),
        LogEvent::RestartRecovery(R::Marked { count: 1 })
    );
    // samples 5.20 lines 36, 41, 47: stale-lock marker, resume with pending payload, 5.20 completion.
    assert_eq!(
        event(S520, 36),
        LogEvent::RestartRecovery(R::Marked { count: 2 })
    );
    assert_eq!(
        event(S520, 41),
        LogEvent::RestartRecovery(R::Resumed {
            session_key: "agent:illarion:telegram:direct:40382952".into(),
            lane: "main".into()
        })
    );
    assert_eq!(
        event(S520, 47),
        LogEvent::RestartRecovery(R::Complete {
            started: 6,
            failed: 0,
            skipped: 0
        })
    );
}

#[test]
fn model_switch() {
    // samples 9.6 line 10 (`requested during active attempt`); 3.28 variants in tests/log_tslog_3x.rs.
    assert_eq!(
        event(S96, 10),
        LogEvent::ModelSwitch {
            session_id: "5b0c2f4e-8a1d-4f5e-9c7b-2d1e0f3a4b6c".into(),
            from: m("minimax", "MiniMax-M2.7"),
            to: m("anthropic", "claude-opus-4-6"),
        }
    );
    let f = parse_str(
        "2026-05-24T09:10:00.000+02:00 [agent/embedded] live session model switch detected after failed attempt for sid-1: zhipu/glm-5.1 -> kimi/kimi2.5",
    );
    assert!(
        matches!(log(&f).event.as_deref(), Some(LogEvent::ModelSwitch { session_id, .. }) if session_id == "sid-1")
    );
}

#[test]
fn heartbeat_and_cron() {
    // captured 60 `heartbeat: started` {intervalMs:60000}; samples 9.6 line 14 flood guard.
    assert_eq!(
        event(CAP, 60),
        LogEvent::Heartbeat {
            what: "started".into(),
            interval_ms: Some(60_000)
        }
    );
    assert_eq!(
        event(S96, 14),
        LogEvent::Heartbeat {
            what: "flood guard tripped, deferring wake".into(),
            interval_ms: None
        }
    );
    // captured 66: cron module `cron: job added` {jobId, jobName}.
    assert_eq!(
        event(CAP, 66),
        LogEvent::Cron {
            what: "job added".into(),
            job_id: Some("99683efa-48c2-40fb-ba09-1d0804c81310".into()),
            job_name: Some("heartbeat-main".into()),
            error: None,
        }
    );
    // captured 279: `gateway` `cron: job added` {jobId, schedule}.
    let f = parse_line(CAP, 279);
    assert_eq!(log(&f).subsystem, "gateway");
    assert!(
        matches!(log(&f).event.as_deref(), Some(LogEvent::Cron { what, job_id: Some(j), .. }) if what == "job added" && j == "007ab091-ffcc-493b-979a-d1207036802e")
    );
    // captured 2411: error status without a chain exhaustion stays a cron event with its error.
    assert!(
        matches!(event(CAP, 2411), LogEvent::Cron { error: Some(e), .. } if e == "heartbeat failed: agent-runner-failure")
    );
    // samples 9.6 line 13: `gateway` `cron: job updated` {jobId}.
    assert!(
        matches!(event(S96, 13), LogEvent::Cron { what, job_id: Some(j), .. } if what == "job updated" && j == "nightly-digest")
    );
}

#[test]
fn gateway_lifecycle() {
    use GatewayEvent as G;
    // captured 6, 58, 2059, 2061, 34; captured-legacy 2647, 2658, 2661.
    assert_eq!(event(CAP, 6), LogEvent::Gateway(G::Starting));
    assert_eq!(event(CAP, 58), LogEvent::Gateway(G::Ready));
    assert_eq!(
        event(CAP, 2059),
        LogEvent::Gateway(G::Signal {
            signal: "SIGTERM".into()
        })
    );
    assert_eq!(event(CAP, 2061), LogEvent::Gateway(G::ShuttingDown));
    assert_eq!(
        event(CAP, 34),
        LogEvent::Gateway(G::AgentModel {
            model: m("fakeprime", "fake-primary")
        })
    );
    for n in [2647, 2658, 2661] {
        assert_eq!(
            event(LEG, n),
            LogEvent::Gateway(G::Restarting),
            "legacy line {n}"
        );
    }
}

#[test]
fn auth_cooldown() {
    // captured 2226.
    assert_eq!(
        event(CAP, 2226),
        LogEvent::AuthCooldown {
            provider: Some("fakeprime".into()),
            reason: Some("billing".into())
        }
    );
}

#[test]
fn untyped_lines_stay_generic() {
    // captured 1: state/sqlite DEBUG; 370: skills/workshop; 499: diagnostic heartbeat pulse (not the agent heartbeat).
    for n in [1, 370, 499] {
        assert_eq!(log(&parse_line(CAP, n)).event, None, "line {n}");
    }
}
