//! Input shape 3: the console text form (`TS [subsystem] text key=value…`, ANSI colour), as
//! `openclaw gateway run` prints it and journald keeps it. Real captures:
//! `captured/logs/gateway.console.log` (2026.9.6), `captured-legacy/logs/gateway.console.log`
//! (2026.5.20). Expected counts were computed with Python (regex over the ANSI-stripped lines;
//! level from the SGR code just before the message text: 36 info, 33 warn, 31 error; 17
//! uncoloured root lines per file).

mod log_support;

use std::sync::Arc;

use lanetop::fact::{
    Fact, FactKind, GatewayEvent, Level, LogEvent, ModelRef, Origin, RestartRecovery, SourceKind,
};
use lanetop::ingest::log::LineParser;
use log_support::*;

const CAP: &str = "captured/logs/gateway.console.log";
const LEG: &str = "captured-legacy/logs/gateway.console.log";

fn strip(bytes: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut rest = s.as_ref();
    while let Some(p) = rest.find("\x1b[") {
        out.push_str(&rest[..p]);
        let after = &rest[p + 2..];
        rest = &after[after.find('m').map_or(after.len(), |i| i + 1)..];
    }
    out.push_str(rest);
    out.into_bytes()
}

fn parse_bytes(bytes: &[u8]) -> Vec<Fact> {
    let mut out = Vec::new();
    LineParser::new().parse_chunk(bytes, &Arc::from("console"), 1, &mut out);
    out
}

#[test]
fn captured_9_6_console_counts() {
    let facts = parse_file(CAP);
    assert_eq!(facts.len(), 443);
    let expected = [
        ("AgentEnd", 31),
        ("AuthCooldown", 3),
        ("Cron", 3),
        ("FailoverDecision", 9),
        ("FallbackDecision", 18),
        ("FallbackSummary", 2),
        ("Gateway::AgentModel", 3),
        ("Gateway::Ready", 3),
        ("Gateway::ShuttingDown", 2),
        ("Gateway::Starting", 3),
        ("Heartbeat", 3),
        ("LaneTaskError", 26),
        ("LaneWaitExceeded", 2),
        ("RateLimitRetryFloor", 2),
        ("RestartRecovery", 4),
        ("RetryWindowElapsed", 2),
        ("RunEnded", 17),
        ("SameModelRetry", 22),
        ("Untyped", 288),
    ];
    assert_eq!(tally(&facts), expected.into_iter().collect());
    assert_eq!(
        levels(&facts),
        [(Level::Info, 267), (Level::Warn, 137), (Level::Error, 39)]
            .into_iter()
            .collect()
    );
    // The console decisions carry the same facts as the file records.
    let (n, by_reason, by_decision) = fallback_counts(&facts);
    assert_eq!(n, 18);
    assert_eq!(
        by_reason,
        fallback_counts(&parse_file("captured/logs/openclaw.log")).1
    );
    assert_eq!(
        by_decision,
        map(&[("candidate_failed", 13), ("candidate_succeeded", 5)])
    );
    assert!(facts.iter().all(|f| !log(f).message.contains('\x1b')));
}

#[test]
fn captured_5_20_console_counts() {
    let facts = parse_file(LEG);
    assert_eq!(facts.len(), 197);
    let expected = [
        ("AgentEnd", 18),
        ("ChainExhausted", 1),
        ("Cron", 5),
        ("FailoverDecision", 18),
        ("FallbackDecision", 27),
        ("FallbackSummary", 8),
        ("Gateway::AgentModel", 3),
        ("Gateway::Ready", 3),
        ("Gateway::Restarting", 3),
        ("Gateway::ShuttingDown", 1),
        ("Gateway::Signal", 3),
        ("Gateway::Starting", 2),
        ("Heartbeat", 3),
        ("LaneTaskError", 36),
        ("LaneWaitExceeded", 2),
        ("RestartRecovery", 1),
        ("RunEnded", 1),
        ("Untyped", 62),
    ];
    assert_eq!(tally(&facts), expected.into_iter().collect());
    // 59 cyan + 17 uncoloured = 76 info, minus line 129 (`All models failed`, an ERROR template).
    assert_eq!(
        levels(&facts),
        [(Level::Info, 75), (Level::Warn, 84), (Level::Error, 38)]
            .into_iter()
            .collect()
    );
    let (n, by_reason, _) = fallback_counts(&facts);
    // 27 = the file's 31 minus the 4 written by CLI embedded runs (reason=format) into the file only.
    assert_eq!(
        (n, by_reason),
        (
            27,
            map(&[
                ("model_not_found", 10),
                ("overloaded", 3),
                ("rate_limit", 5)
            ])
        )
    );
}

#[test]
fn console_event_fields() {
    // captured console line 1: `[gateway] loading configuration…`, time 01:49:20.216.
    let f = parse_line(CAP, 1);
    assert_eq!(
        (log(&f).subsystem.as_str(), log(&f).event.as_deref()),
        ("gateway", Some(&LogEvent::Gateway(GatewayEvent::Starting)))
    );
    assert_eq!(f.at.to_rfc3339(), "2026-11-22T01:49:20.216+00:00");
    // Line 14: `[gateway] ready`; line 15: `[heartbeat] started` (→ gateway/heartbeat).
    assert_eq!(event(CAP, 14), LogEvent::Gateway(GatewayEvent::Ready));
    let f = parse_line(CAP, 15);
    assert_eq!(log(&f).subsystem, "gateway/heartbeat");
    assert_eq!(
        log(&f).event.as_deref().cloned(),
        Some(LogEvent::Heartbeat {
            what: "started".into(),
            interval_ms: None
        })
    );
    // Line 57: console decision with `detail=`.
    let LogEvent::FallbackDecision(d) = event(CAP, 57) else {
        panic!()
    };
    assert_eq!(d.decision, "candidate_failed");
    assert_eq!(
        d.requested,
        Some(ModelRef::new("fakeprime", "fake-primary"))
    );
    assert_eq!(
        d.candidate,
        Some(ModelRef::new("fakeprime", "fake-primary"))
    );
    assert_eq!(d.next, Some(ModelRef::new("fakeprime", "fake-secondary")));
    assert_eq!(d.reason.as_deref(), Some("rate_limit"));
    assert_eq!(
        d.error_preview.as_deref(),
        Some("429 Rate limit reached for fake-primary.; Retry-After: 3600 seconds")
    );
    // Line 67: success, `reason=unknown next=none` → reason None, next None.
    let LogEvent::FallbackDecision(d) = event(CAP, 67) else {
        panic!()
    };
    assert_eq!(
        (d.decision.as_str(), d.reason, d.next),
        ("candidate_succeeded", None, None)
    );
    assert_eq!(
        d.candidate,
        Some(ModelRef::new("fakeback", "fake-tertiary"))
    );
    // Line 54: console failover decision `… decision=fallback_model reason=rate_limit … from=p/m … rawError=429 …`.
    assert_eq!(
        event(CAP, 54),
        LogEvent::FailoverDecision {
            run_id: Some("24864ff9-768a-49b4-ad3e-67ea07da96df".into()),
            decision: "fallback_model".into(),
            reason: Some("rate_limit".into()),
            model: Some(ModelRef::new("fakeprime", "fake-primary")),
            status: Some(429),
        }
    );
    // Line 52: agent end with error text up to ` rawError=`.
    let LogEvent::AgentEnd {
        is_error,
        model,
        error,
        ..
    } = event(CAP, 52)
    else {
        panic!()
    };
    assert!(is_error);
    assert_eq!(model, Some(ModelRef::new("fakeprime", "fake-primary")));
    assert_eq!(
        error.as_deref(),
        Some("⚠️ Rate limit reached for fake-primary.; Retry-After: 3600 seconds")
    );
    // Line 55: lane task error with ` errorName=` after the quoted error.
    assert_eq!(
        event(CAP, 55),
        LogEvent::LaneTaskError {
            lane: "main".into(),
            duration_ms: 1455,
            error: "⚠️ Rate limit reached for fake-primary.; Retry-After: 3600 seconds".into()
        }
    );
    // Line 306: restart recovery marker (yellow → WARN).
    let f = parse_line(CAP, 306);
    assert_eq!(log(&f).level, Level::Warn);
    assert_eq!(
        log(&f).event.as_deref().cloned(),
        Some(LogEvent::RestartRecovery(RestartRecovery::Marked {
            count: 1
        }))
    );
    // Line 373: auth profile failure.
    assert_eq!(
        event(CAP, 373),
        LogEvent::AuthCooldown {
            provider: Some("fakeprime".into()),
            reason: Some("billing".into())
        }
    );
    // Line 405: `[ws] ⇄ res ✗ … All models failed` is the RPC echo: not a chain exhaustion.
    let f = parse_line(CAP, 405);
    assert_eq!(
        (log(&f).subsystem.as_str(), &log(&f).event),
        ("gateway/ws", &None)
    );
    // Legacy line 129: uncoloured root ERROR `Embedded agent failed before reply: All models failed (3)`.
    let f = parse_line(LEG, 129);
    assert_eq!(
        (log(&f).subsystem.as_str(), log(&f).level),
        ("openclaw", Level::Error)
    );
    assert_eq!(
        log(&f).event.as_deref().cloned(),
        Some(LogEvent::ChainExhausted {
            attempts: 3,
            session_key: None,
            job_id: None
        })
    );
    // Legacy line 188: root `[agent] run lab-… ended with stopReason=stop`.
    assert_eq!(
        event(LEG, 188),
        LogEvent::RunEnded {
            run_id: "lab-1795315264495639761".into(),
            stop_reason: "stop".into()
        }
    );
    // Legacy 166/168/178: signal, `received SIGUSR1; restarting`, `restart mode: …`.
    assert_eq!(
        event(LEG, 166),
        LogEvent::Gateway(GatewayEvent::Signal {
            signal: "SIGUSR1".into()
        })
    );
    assert_eq!(event(LEG, 168), LogEvent::Gateway(GatewayEvent::Restarting));
    assert_eq!(event(LEG, 178), LogEvent::Gateway(GatewayEvent::Restarting));
}

#[test]
fn uncoloured_console_gives_the_same_events_and_template_levels() {
    for rel in [CAP, LEG] {
        let coloured = parse_file(rel);
        let plain = parse_bytes(&strip(&read(rel)));
        assert_eq!(coloured.len(), plain.len());
        for (a, b) in coloured.iter().zip(&plain) {
            let (a, b) = (log(a), log(b));
            assert_eq!(
                (&a.subsystem, &a.message, &a.event),
                (&b.subsystem, &b.message, &b.event)
            );
            if let Some(ev) = a.event.as_deref() {
                // Without colour the template decides; it agrees with the colour for these:
                if matches!(
                    ev,
                    LogEvent::LaneTaskError { .. }
                        | LogEvent::FallbackDecision(_)
                        | LogEvent::LaneWaitExceeded { .. }
                ) {
                    assert_eq!(a.level, b.level, "{}", a.message);
                }
            }
        }
    }
}

#[test]
fn journald_prefix_is_tolerated() {
    let mut bytes = Vec::new();
    for line in strip(&read(CAP))
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
    {
        bytes.extend_from_slice(b"Nov 22 01:49:20 vm openclaw[22363]: ");
        bytes.extend_from_slice(line);
        bytes.push(b'\n');
    }
    let facts = parse_bytes(&bytes);
    assert_eq!(facts.len(), 443);
    assert!(facts.iter().all(|f| matches!(f.kind, FactKind::Log(_))));
    let (n, _, _) = fallback_counts(&facts);
    assert_eq!(n, 18);
    assert_eq!(facts[0].at.to_rfc3339(), "2026-11-22T01:49:20.216+00:00");
}

#[test]
fn text_without_timestamp_is_corrupt() {
    let mut p = LineParser::new();
    let o = || Origin::line(SourceKind::Log, Arc::from("c"), 1);
    let good = p.parse(b"2026-11-22T01:49:20.216+00:00 [gateway] starting...", o());
    let f = p.parse("│ Doctor changes │".as_bytes(), o());
    assert!(matches!(&f.kind, FactKind::CorruptLine { error, .. } if error == "no timestamp"));
    assert_eq!(f.at, good.at);
}
