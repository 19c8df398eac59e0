//! Typed events, part 1 (fallback, retries, embedded runs). One test per event, on a real captured line where one exists (file and line cited),
//! else on a constructed `samples/` line, else on a line built from the FORMATS.md template.

mod log_support;

use std::sync::Arc;

use lanetop::fact::{FallbackDecision, Level, LogEvent, ModelRef, Origin, SourceKind};
use lanetop::ingest::log::LineParser;
use log_support::*;

const CAP: &str = "captured/logs/openclaw.log";
const LEG: &str = "captured-legacy/logs/openclaw.log";
const S96: &str = "samples/gateway-openclaw-2026-09-06.log";

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
fn fallback_decision_failed_9_6() {
    // captured 323: WARN model-fallback/decision, meta sessionId (no lane in 9.6 user turns).
    let f = parse_line(CAP, 323);
    assert_eq!(log(&f).level, Level::Warn);
    assert_eq!(
        log(&f).session.as_deref(),
        Some("8e9a3ce9-9e2e-4257-9250-eea30eed5a22")
    );
    assert_eq!(
        event(CAP, 323),
        LogEvent::FallbackDecision(Box::new(FallbackDecision {
            run_id: Some("24864ff9-768a-49b4-ad3e-67ea07da96df".into()),
            session_id: Some("8e9a3ce9-9e2e-4257-9250-eea30eed5a22".into()),
            lane: None,
            decision: "candidate_failed".into(),
            requested: Some(m("fakeprime", "fake-primary")),
            candidate: Some(m("fakeprime", "fake-primary")),
            next: Some(m("fakeprime", "fake-secondary")),
            reason: Some("rate_limit".into()),
            status: Some(429),
            attempt: Some(1),
            total: Some(3),
            final_outcome: Some("next_fallback".into()),
            error_preview: Some(
                "429 Rate limit reached for fake-primary.; Retry-After: 3600 seconds".into()
            ),
            suppressed_duplicates: 0,
        }))
    );
}

#[test]
fn fallback_decision_succeeded_and_lane() {
    // captured 375: candidate_succeeded, no reason.
    let LogEvent::FallbackDecision(d) = event(CAP, 375) else {
        panic!()
    };
    assert_eq!(
        (d.decision.as_str(), d.reason, d.candidate),
        (
            "candidate_succeeded",
            None,
            Some(m("fakeback", "fake-tertiary"))
        )
    );
    assert_eq!(d.final_outcome.as_deref(), Some("succeeded"));
    // samples 9.6 line 3: meta lane `main`.
    let LogEvent::FallbackDecision(d) = event(S96, 3) else {
        panic!()
    };
    assert_eq!(
        (d.lane.as_deref(), d.attempt, d.status),
        (Some("main"), Some(2), Some(503))
    );
    assert_eq!(d.next, Some(m("minimax", "MiniMax-M2.7")));
}

#[test]
fn fallback_decision_suppressed_duplicates() {
    // FORMATS.md §1.3 row 1/1b: meta `suppressedDuplicateCount`, console `(N duplicates suppressed in last Ns)`.
    let f = parse_str(
        r#"{"0":"{\"subsystem\":\"model-fallback/decision\"}","1":{"event":"model_fallback_decision","decision":"candidate_failed","reason":"auth","suppressedDuplicateCount":4},"2":"model fallback decision","_meta":{"logLevelName":"WARN"},"time":"2026-11-22T01:55:27.100+00:00","message":"model fallback decision"}"#,
    );
    let Some(LogEvent::FallbackDecision(d)) = log(&f).event.as_deref() else {
        panic!()
    };
    assert_eq!(d.suppressed_duplicates, 4);
    let f = parse_str(
        "2026-11-22T01:55:27.100+00:00 [model-fallback/decision] model fallback decision: decision=candidate_failed requested=a/b candidate=a/b reason=auth next=c/d detail=401 bad key (7 duplicates suppressed in last 60s)",
    );
    let Some(LogEvent::FallbackDecision(d)) = log(&f).event.as_deref() else {
        panic!()
    };
    assert_eq!(
        (d.suppressed_duplicates, d.error_preview.as_deref()),
        (7, Some("401 bad key"))
    );
}

#[test]
fn fallback_chain_stopped() {
    // Not in any capture or sample: built from FORMATS.md §1.3 row 2 (meta and console forms).
    let f = parse_str(
        r#"{"0":"{\"subsystem\":\"model-fallback/decision\"}","1":{"event":"model_fallback_chain_stopped","sessionId":"s1","lane":"main","reason":"agent_run_terminal_timeout","candidateProvider":"fakeback","candidateModel":"fake-backup"},"2":"model fallback chain stopped","_meta":{"logLevelName":"WARN"},"time":"2026-11-22T01:55:27.100+00:00","message":"model fallback chain stopped"}"#,
    );
    let expected = LogEvent::FallbackChainStopped {
        session_id: Some("s1".into()),
        lane: Some("main".into()),
        reason: "agent_run_terminal_timeout".into(),
        candidate: Some(m("fakeback", "fake-backup")),
    };
    assert_eq!(log(&f).event.as_deref(), Some(&expected));
    let f = parse_str(
        "2026-11-22T01:55:27.100+00:00 [model-fallback/decision] model fallback chain stopped: reason=agent_run_terminal_timeout candidate=fakeback/fake-backup",
    );
    assert!(
        matches!(log(&f).event.as_deref(), Some(LogEvent::FallbackChainStopped { reason, candidate: Some(_), .. }) if reason == "agent_run_terminal_timeout")
    );
}

#[test]
fn fallback_summary() {
    // captured 376.
    assert_eq!(
        event(CAP, 376),
        LogEvent::FallbackSummary {
            from: m("fakeprime", "fake-secondary"),
            to: m("fakeback", "fake-tertiary")
        }
    );
}

#[test]
fn chain_exhausted_counted_once_per_line() {
    // captured 2336: root ERROR `All models failed (3): …`; 2335 is its gateway/ws echo (not counted).
    assert_eq!(
        event(CAP, 2336),
        LogEvent::ChainExhausted {
            attempts: 3,
            session_key: None,
            job_id: None
        }
    );
    assert_eq!(log(&parse_line(CAP, 2335)).event, None);
    // captured-legacy 1389: `Embedded agent failed before reply: All models failed (3): …`.
    assert_eq!(
        event(LEG, 1389),
        LogEvent::ChainExhausted {
            attempts: 3,
            session_key: None,
            job_id: None
        }
    );
    // captured-legacy 1292: cron `job run returned error status`, meta error `FallbackSummaryError: All models failed (3)`
    // (its `diagnosticsSummary` repeats it; still one event).
    assert_eq!(
        event(LEG, 1292),
        LogEvent::ChainExhausted {
            attempts: 3,
            session_key: None,
            job_id: Some("139b765b-9bd3-4e3e-aa58-0681ac5d9253".into())
        }
    );
}

#[test]
fn same_model_retry_window_and_floor() {
    // captured 497, 779, 319.
    assert_eq!(
        event(CAP, 497),
        LogEvent::SameModelRetry {
            model: m("fakeback", "fake-tertiary"),
            attempt: 1,
            max: 8,
            reason: "server_error".into(),
            delay_ms: Some(951)
        }
    );
    assert_eq!(
        event(CAP, 779),
        LogEvent::RetryWindowElapsed {
            model: m("fakeback", "fake-tertiary"),
            retries: 6,
            max: 8
        }
    );
    assert_eq!(
        event(CAP, 319),
        LogEvent::RateLimitRetryFloor {
            model: m("fakeprime", "fake-primary"),
            floor_ms: 3_600_000,
            max_ms: 60_000
        }
    );
}

#[test]
fn embedded_run_lifecycle() {
    // captured 85 start, 104 done; samples 9.6 line 8 timeout; captured 108 `[agent] run … ended`.
    assert_eq!(
        event(CAP, 85),
        LogEvent::RunStarted {
            run_id: "d72429d8-e211-4a81-9312-e972738f8f38".into(),
            session_id: "8e9a3ce9-9e2e-4257-9250-eea30eed5a22".into(),
            model: Some(m("fakeprime", "fake-primary")),
            channel: Some("unknown".into()),
        }
    );
    assert_eq!(
        event(CAP, 104),
        LogEvent::RunDone {
            run_id: "d72429d8-e211-4a81-9312-e972738f8f38".into(),
            session_id: "8e9a3ce9-9e2e-4257-9250-eea30eed5a22".into(),
            duration_ms: 2030,
            aborted: false,
        }
    );
    assert_eq!(
        event(S96, 8),
        LogEvent::RunTimedOut {
            run_id: "run_c41d02".into(),
            session_id: "0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b".into(),
            timeout_ms: 600_000
        }
    );
    assert_eq!(
        event(CAP, 108),
        LogEvent::RunEnded {
            run_id: "d72429d8-e211-4a81-9312-e972738f8f38".into(),
            stop_reason: "stop".into()
        }
    );
    // captured-legacy 2705: the same template on the root logger (CLI embedded run).
    assert_eq!(
        event(LEG, 2705),
        LogEvent::RunEnded {
            run_id: "lab-1795315264495639761".into(),
            stop_reason: "stop".into()
        }
    );
}

#[test]
fn failover_decision_and_agent_end() {
    // captured 320 (meta), 316 (meta, isError), 100 (DEBUG text `isError=false`).
    assert_eq!(
        event(CAP, 320),
        LogEvent::FailoverDecision {
            run_id: Some("24864ff9-768a-49b4-ad3e-67ea07da96df".into()),
            decision: "fallback_model".into(),
            reason: Some("rate_limit".into()),
            model: Some(m("fakeprime", "fake-primary")),
            status: Some(429),
        }
    );
    assert_eq!(
        event(CAP, 316),
        LogEvent::AgentEnd {
            run_id: Some("24864ff9-768a-49b4-ad3e-67ea07da96df".into()),
            is_error: true,
            model: Some(m("fakeprime", "fake-primary")),
            error: Some(
                "⚠️ Rate limit reached for fake-primary.; Retry-After: 3600 seconds".into()
            ),
        }
    );
    assert_eq!(
        event(CAP, 100),
        LogEvent::AgentEnd {
            run_id: Some("d72429d8-e211-4a81-9312-e972738f8f38".into()),
            is_error: false,
            model: None,
            error: None
        }
    );
}
