//! Input shape 1: tslog JSONL of 2026.5+ (top-level `message`, `session_id`, `agent_id`).
//! Real captures: `captured/logs/openclaw.log` (2026.9.6), `captured-legacy/logs/openclaw.log`
//! (2026.5.20); constructed: `samples/gateway-openclaw-2026-09-06.log`,
//! `samples/legacy/tmp-openclaw/openclaw-2026-05-24.log` (5.20 envelope).
//!
//! Every expected count below was computed independently with Python over the same file
//! (`json.loads` per line; subsystem from `_meta.name`/`"0"`; text = `message` else the string
//! args; the template prefixes listed in `src/ingest/log/events*.rs`).

mod log_support;

use std::sync::Arc;

use lanetop::fact::{FactKind, Level, LogEvent};
use lanetop::ingest::log::LineParser;
use log_support::*;

const CAP: &str = "captured/logs/openclaw.log";
const LEG: &str = "captured-legacy/logs/openclaw.log";

#[test]
fn captured_9_6_every_line_and_event_count() {
    let facts = parse_file(CAP);
    assert_eq!(facts.len(), 2698);
    let t = tally(&facts);
    let expected = [
        ("AgentEnd", 70),
        ("AuthCooldown", 3),
        ("ChainExhausted", 1),
        ("Cron", 161),
        ("FailoverDecision", 47),
        ("FallbackDecision", 18),
        ("FallbackSummary", 2),
        ("Gateway::AgentModel", 3),
        ("Gateway::Ready", 3),
        ("Gateway::ShuttingDown", 2),
        ("Gateway::Signal", 2),
        ("Gateway::Starting", 3),
        // `shutdown completed cleanly in …ms` (gateway/shutdown): lines 2066, 2698.
        ("Gateway::Stopped", 2),
        ("Heartbeat", 3),
        ("LaneDequeued", 108),
        ("LaneEnqueued", 108),
        ("LaneTaskDone", 78),
        ("LaneTaskError", 26),
        ("LaneWaitExceeded", 2),
        ("RateLimitRetryFloor", 2),
        ("RestartRecovery", 4),
        ("RetryWindowElapsed", 2),
        ("RunDone", 39),
        ("RunEnded", 17),
        ("RunStarted", 72),
        ("SameModelRetry", 22),
        ("Untyped", 1898),
    ];
    assert_eq!(t, expected.into_iter().collect());
}

#[test]
fn captured_9_6_fallback_report_contract() {
    // fallbacks.decisions = `model-fallback/decision` records with text `model fallback decision`.
    let (n, by_reason, by_decision) = fallback_counts(&parse_file(CAP));
    assert_eq!(n, 18);
    assert_eq!(
        by_reason,
        map(&[
            ("auth", 6),
            ("billing", 1),
            ("model_not_found", 2),
            ("rate_limit", 2),
            ("server_error", 1),
            ("timeout", 1)
        ])
    );
    assert_eq!(
        by_decision,
        map(&[("candidate_failed", 13), ("candidate_succeeded", 5)])
    );
}

#[test]
fn captured_9_6_levels_boots_and_fields() {
    let facts = parse_file(CAP);
    assert_eq!(
        levels(&facts),
        [
            (Level::Debug, 2193),
            (Level::Info, 300),
            (Level::Warn, 152),
            (Level::Error, 53)
        ]
        .into_iter()
        .collect()
    );
    // Boots: `gateway ready` at lines 58, 1881, 2146 (MANIFEST: 3 boots).
    let ready: Vec<u64> = facts
        .iter()
        .filter(|f| matches!(&f.kind, FactKind::Log(l) if l.event.as_deref() == Some(&LogEvent::Gateway(lanetop::fact::GatewayEvent::Ready))))
        .map(|f| match f.origin.locator {
            lanetop::fact::Locator::Line { line } => line,
            _ => 0,
        })
        .collect();
    assert_eq!(ready, [58, 1881, 2146]);
    let with_agent = facts
        .iter()
        .filter(|f| matches!(&f.kind, FactKind::Log(l) if l.agent_id.is_some()))
        .count();
    let with_session = facts
        .iter()
        .filter(|f| matches!(&f.kind, FactKind::Log(l) if l.session.is_some()))
        .count();
    assert_eq!((with_agent, with_session), (72, 138));
    // Line 84: `agents/harness` `agent harness selected`, agent_id main, session_id agent:main:main.
    let l = log(&facts[83]).clone();
    assert_eq!(
        (l.subsystem.as_str(), l.message.as_str()),
        ("agents/harness", "agent harness selected")
    );
    assert_eq!(
        (l.agent_id.as_deref(), l.session.as_deref()),
        (Some("main"), Some("agent:main:main"))
    );
    // First and last record times (`time` with offset → UTC).
    assert_eq!(facts[0].at.to_rfc3339(), "2026-11-22T01:49:17.247+00:00");
    assert_eq!(facts[2697].at.to_rfc3339(), "2026-11-22T01:58:21.807+00:00");
    assert!(
        facts
            .windows(2)
            .all(|w| w[0].at <= w[1].at + chrono::Duration::seconds(1)),
        "times go forward"
    );
}

#[test]
fn captured_9_6_records_without_message() {
    // Lines 1795 and 1800: `{"0":"","_meta":{…"name":"openclaw"…},"time":…}` — no `message`.
    for n in [1795, 1800] {
        let f = parse_line(CAP, n);
        let l = log(&f);
        assert_eq!(
            (l.subsystem.as_str(), l.message.as_str(), l.level),
            ("openclaw", "", Level::Error),
            "line {n}"
        );
        assert!(l.event.is_none());
    }
    // Root-logger text in "0" with a message: line 1791.
    assert_eq!(
        log(&parse_line(CAP, 1791)).message,
        "Gateway target: ws://127.0.0.1:18790"
    );
}

#[test]
fn captured_5_20_counts_and_fallback_contract() {
    let facts = parse_file(LEG);
    assert_eq!(facts.len(), 2941);
    let expected = [
        ("AgentEnd", 61),
        ("ChainExhausted", 2),
        ("Cron", 48),
        ("FailoverDecision", 18),
        ("FallbackDecision", 31),
        ("FallbackSummary", 8),
        ("Gateway::AgentModel", 3),
        ("Gateway::Ready", 3),
        ("Gateway::Restarting", 3),
        ("Gateway::ShuttingDown", 1),
        ("Gateway::Signal", 3),
        ("Gateway::Starting", 2),
        // Lines 2660 (before the in-process restart's `gateway ready`) and 2941.
        ("Gateway::Stopped", 2),
        ("Heartbeat", 3),
        ("LaneDequeued", 124),
        ("LaneEnqueued", 124),
        ("LaneTaskDone", 78),
        ("LaneTaskError", 36),
        ("LaneWaitExceeded", 2),
        ("RestartRecovery", 1),
        ("RunDone", 36),
        ("RunEnded", 1),
        ("RunStarted", 66),
        ("SessionTakeover", 2),
        ("Untyped", 2283),
    ];
    assert_eq!(tally(&facts), expected.into_iter().collect());
    assert_eq!(
        levels(&facts),
        [
            (Level::Debug, 2688),
            (Level::Info, 103),
            (Level::Warn, 102),
            (Level::Error, 48)
        ]
        .into_iter()
        .collect()
    );
    let (n, by_reason, by_decision) = fallback_counts(&facts);
    assert_eq!(n, 31, "MANIFEST lists 31 decision lines");
    assert_eq!(
        by_reason,
        map(&[
            ("format", 4),
            ("model_not_found", 10),
            ("overloaded", 3),
            ("rate_limit", 5)
        ])
    );
    assert_eq!(
        by_decision,
        map(&[("candidate_failed", 22), ("candidate_succeeded", 9)])
    );
    // Decision lines are exactly the MANIFEST's list.
    let lines: Vec<u64> = facts
        .iter()
        .filter(|f| matches!(&f.kind, FactKind::Log(l) if matches!(l.event.as_deref(), Some(LogEvent::FallbackDecision(_)))))
        .map(|f| match f.origin.locator {
            lanetop::fact::Locator::Line { line } => line,
            _ => 0,
        })
        .collect();
    let manifest = [
        410, 434, 458, 579, 608, 629, 652, 672, 696, 887, 904, 941, 965, 971, 995, 1034, 1059,
        1168, 1200, 1227, 1256, 1273, 1318, 1346, 1388, 1393, 1418, 2183, 2198, 2263, 2276,
    ];
    assert_eq!(lines, manifest);
}

#[test]
fn samples_9_6_and_5_20() {
    let t = tally(&parse_file("samples/gateway-openclaw-2026-09-06.log"));
    let expected = [
        ("Cron", 2),
        ("FallbackDecision", 3),
        ("Heartbeat", 1),
        ("LaneDequeued", 1),
        ("LaneTaskError", 1),
        ("LaneWaitExceeded", 2),
        ("ModelSwitch", 1),
        ("RunDone", 1),
        ("RunStarted", 1),
        ("RunTimedOut", 1),
        ("StuckSession", 1),
    ];
    assert_eq!(t, expected.into_iter().collect());
    let facts = parse_file("samples/legacy/tmp-openclaw/openclaw-2026-05-24.log");
    let expected = [
        ("ChainExhausted", 1),
        ("Cron", 4),
        ("FallbackDecision", 87),
        ("Gateway::AgentModel", 1),
        ("Gateway::Ready", 1),
        ("Gateway::Restarting", 1),
        ("Gateway::Signal", 1),
        ("Heartbeat", 2),
        ("LaneWaitExceeded", 34),
        ("ModelSwitch", 2),
        ("RestartRecovery", 9),
        ("RunTimedOut", 1),
        ("SessionTakeover", 2),
        ("StuckSession", 1),
        ("Untyped", 4),
    ];
    assert_eq!(tally(&facts), expected.into_iter().collect());
    let (n, by_reason, _) = fallback_counts(&facts);
    assert_eq!(
        (n, by_reason),
        (87, map(&[("overloaded", 8), ("rate_limit", 40)]))
    );
    // `time` carries +02:00: line 1 `09:06:40.000+02:00` (`_meta.date` 07:06:40.000Z).
    assert_eq!(facts[0].at.to_rfc3339(), "2026-05-24T07:06:40+00:00");
}

#[test]
fn parallel_batch_equals_sequential() {
    for rel in [CAP, LEG] {
        let mut bytes = read(rel);
        // Repeat to exceed the parallel threshold, with a corrupt line at the start of a part.
        let copy = bytes.clone();
        while bytes.len() < 3 * lanetop::ingest::log::PARALLEL_MIN_BYTES {
            bytes.extend_from_slice(b"{\"not\": json\n");
            bytes.extend_from_slice(&copy);
        }
        let path: Arc<str> = Arc::from(rel);
        let (mut seq, mut par) = (Vec::new(), Vec::new());
        let mut p1 = LineParser::new();
        let n1 = p1.parse_chunk(&bytes, &path, 1, &mut seq);
        for threads in [2, 3] {
            par.clear();
            let mut p2 = LineParser::new();
            let n2 = p2.parse_chunk_parallel(&bytes, &path, 1, threads, &mut par);
            assert_eq!(n1, n2);
            assert_eq!(seq.len(), par.len());
            assert_eq!(p1.last_time(), p2.last_time());
            for (a, b) in seq.iter().zip(&par) {
                assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
        }
    }
}
