//! Input shape 2: tslog JSONL of 2026.3.x (no top-level `message`/`hostname`/`session_id`;
//! text in `"1"` or `"2"`), the 3.x size-cap line `{"time","level":"warn","subsystem":"logging",
//! "message":…}` and the console JSON style `{time, level, subsystem, message, …}`.
//! Files: `samples/legacy/tmp-openclaw/openclaw-2026-05-24.2026.3.28-excerpt.log` (constructed
//! from the 3.28 package, FORMATS-LEGACY.md §5) plus lines built from the same templates.

mod log_support;

use std::sync::Arc;

use lanetop::fact::{
    FactKind, GatewayEvent, Level, LogEvent, ModelRef, Origin, RestartRecovery, SourceKind,
};
use lanetop::ingest::log::LineParser;
use log_support::*;

const EX: &str = "samples/legacy/tmp-openclaw/openclaw-2026-05-24.2026.3.28-excerpt.log";

fn parse_str(s: &str) -> lanetop::fact::Fact {
    LineParser::new().parse(
        s.as_bytes(),
        Origin::line(SourceKind::Log, Arc::from("t"), 1),
    )
}

#[test]
fn excerpt_3_28_every_line() {
    let facts = parse_file(EX);
    assert_eq!(facts.len(), 9);
    let kinds: Vec<&str> = facts
        .iter()
        .map(|f| log(f).event.as_deref().map_or("Untyped", kind_name))
        .collect();
    assert_eq!(
        kinds,
        [
            "ModelSwitch",
            "FallbackDecision",
            "LaneWaitExceeded",
            "StuckSession",
            "RunTimedOut",
            "RestartRecovery",
            "Gateway::Ready",
            "Cron",
            "Untyped"
        ]
    );
    assert_eq!(
        levels(&facts),
        [(Level::Info, 4), (Level::Warn, 5)].into_iter().collect()
    );
    // No top-level message: the text comes from "1" (string call) or "2" (meta call).
    assert_eq!(
        log(&facts[2]).message,
        "lane wait exceeded: lane=main waitedMs=7342 queueAhead=3"
    );
    assert_eq!(log(&facts[1]).message, "model fallback decision");
    assert!(facts.iter().all(|f| log(f).session.is_none()));
}

#[test]
fn excerpt_3_28_event_fields() {
    // Line 1: 3.28-only `detected before attempt` variant.
    assert_eq!(
        event(EX, 1),
        LogEvent::ModelSwitch {
            session_id: "f4b7f86b-3c1e-4d2a-9b57-0e6c2a91d4f3".into(),
            from: ModelRef::new("zhipu", "glm-5.1"),
            to: ModelRef::new("kimi", "kimi2.5")
        }
    );
    // Line 2: 3.x decision meta has no sessionId/lane and there is no top-level session_id.
    let LogEvent::FallbackDecision(d) = event(EX, 2) else {
        panic!()
    };
    assert_eq!(
        (d.decision.as_str(), d.reason.as_deref(), d.status),
        ("candidate_failed", Some("rate_limit"), Some(429))
    );
    assert_eq!((d.session_id, d.lane), (None, None));
    assert_eq!(d.next, Some(ModelRef::new("kimi", "kimi2.5")));
    // Line 3: 3.x lane wait has only `queueAhead=`.
    assert_eq!(
        event(EX, 3),
        LogEvent::LaneWaitExceeded {
            lane: "main".into(),
            waited_ms: 7342,
            queue_ahead: 3,
            active_ahead: None,
            active_now: None,
            queue_behind: None
        }
    );
    // Line 4: 3.x `stuck session:`.
    assert_eq!(
        event(EX, 4),
        LogEvent::StuckSession {
            session_id: Some("5e9a1c72-3b4d-4f06-a8e1-7c2d90b3f615".into()),
            session_key: Some("agent:main:telegram:group:-1001987654321".into()),
            age_s: 131,
            action: None,
            released: None
        }
    );
    // Line 6: subagent orphan recovery → lane subagent.
    assert_eq!(
        event(EX, 6),
        LogEvent::RestartRecovery(RestartRecovery::Resumed {
            session_key: "agent:scout:subagent:1c9e4b7a-2f83-4d06-b5a1-7e0d3c9f8b62".into(),
            lane: "subagent".into()
        })
    );
    // Line 7: 3.x `listening on …` = Ready.
    assert_eq!(event(EX, 7), LogEvent::Gateway(GatewayEvent::Ready));
    // Line 8: `{"module":"cron"}` binding without storeKey.
    let f = parse_line(EX, 8);
    assert_eq!(log(&f).subsystem, "cron");
    assert!(
        matches!(log(&f).event.as_deref(), Some(LogEvent::Cron { what, .. }) if what == "started")
    );
}

#[test]
fn size_cap_line_has_its_own_envelope() {
    // Line 9: `{"time":…,"level":"warn","subsystem":"logging","message":"log file size cap reached; …"}`.
    let f = parse_line(EX, 9);
    let l = log(&f);
    assert_eq!((l.level, l.subsystem.as_str()), (Level::Warn, "logging"));
    assert!(l.message.starts_with(
        "log file size cap reached; suppressing writes file=/tmp/openclaw/openclaw-2026-05-24.log"
    ));
    assert_eq!(f.at.to_rfc3339(), "2026-05-24T07:10:07+00:00");
}

#[test]
fn console_json_style_lines() {
    // `logging.consoleStyle:"json"` (formatJsonConsoleLine): {time, level, subsystem, message}.
    let f = parse_str(
        r#"{"time":"2026-05-24T09:10:01.000+02:00","level":"warn","subsystem":"model-fallback/decision","message":"model fallback decision: decision=candidate_failed requested=zhipu/glm-5.1 candidate=zhipu/glm-5.1 reason=rate_limit next=kimi/kimi2.5 detail=429 Rate limit reached"}"#,
    );
    let l = log(&f);
    assert_eq!(l.level, Level::Warn);
    let Some(LogEvent::FallbackDecision(d)) = l.event.as_deref() else {
        panic!("{l:?}")
    };
    assert_eq!(d.candidate, Some(ModelRef::new("zhipu", "glm-5.1")));
    assert_eq!(d.error_preview.as_deref(), Some("429 Rate limit reached"));
    let f = parse_str(
        r#"{"time":"2026-05-24T09:10:02.100+02:00","level":"info","subsystem":"gateway","message":"gateway ready"}"#,
    );
    assert_eq!(
        log(&f).event.as_deref().cloned(),
        Some(LogEvent::Gateway(GatewayEvent::Ready))
    );
}

#[test]
fn string_args_are_joined_without_message() {
    // 3.x: `log.info("a", "b")` → "1":"a","2":"b", no top-level message; root logger "0" text.
    let f = parse_str(
        r#"{"0":"{\"subsystem\":\"diagnostic\"}","1":"lane wait exceeded:","2":"lane=main waitedMs=2000 queueAhead=1","_meta":{"logLevelName":"WARN","date":"2026-05-24T07:10:02.100Z"}}"#,
    );
    assert_eq!(
        log(&f).message,
        "lane wait exceeded: lane=main waitedMs=2000 queueAhead=1"
    );
    assert!(matches!(
        log(&f).event.as_deref(),
        Some(LogEvent::LaneWaitExceeded {
            waited_ms: 2000,
            ..
        })
    ));
    assert_eq!(
        f.at.to_rfc3339(),
        "2026-05-24T07:10:02.100+00:00",
        "no `time`: `_meta.date`"
    );
    let f = parse_str(
        r#"{"0":"Error: Main jobs require --system-event","_meta":{"name":"openclaw","logLevelName":"ERROR"},"time":"2026-05-24T09:10:02.100+02:00"}"#,
    );
    assert_eq!(
        (log(&f).subsystem.as_str(), log(&f).message.as_str()),
        ("openclaw", "Error: Main jobs require --system-event")
    );
}

#[test]
fn corrupt_lines_are_values_with_the_last_good_time() {
    let mut p = LineParser::new();
    let o = || Origin::line(SourceKind::Log, Arc::from("t"), 1);
    let good = p.parse(&raw_line(EX, 3), o());
    for bad in [
        &b"{\"0\":\"{\\\"subsystem\\\":\\\"diagnostic\\\"}\",\"1\":\"lane wait"[..],
        b"{\"_meta\":{\"logLevelName\":\"INFO\"},\"message\":\"no time\"}",
        b"\xff\xfe{garbage",
        b"{\"message\":\"\xff\xfe\" \"unterminated",
        b"[1,2,3]",
        b"plain text without a timestamp",
    ] {
        let f = p.parse(bad, o());
        assert!(
            matches!(f.kind, FactKind::CorruptLine { .. }),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
        assert_eq!(f.at, good.at);
    }
    // Invalid UTF-8 inside a string is repaired (U+FFFD), not corrupt.
    let f = p.parse(b"{\"time\":\"2026-05-24T09:10:09.000+02:00\",\"level\":\"info\",\"subsystem\":\"gateway\",\"message\":\"bad \xff byte\"}", o());
    assert_eq!(log(&f).message, "bad \u{fffd} byte");
    // Before any good line the time is the Unix epoch.
    let f = LineParser::new().parse(b"{", o());
    assert_eq!(f.at.timestamp(), 0);
}

#[test]
fn long_messages_are_truncated() {
    let long = "x".repeat(10_000);
    let f = parse_str(&format!(
        r#"{{"time":"2026-05-24T09:10:09.000+02:00","level":"info","subsystem":"gateway","message":"é{long}"}}"#
    ));
    assert_eq!(log(&f).message.len(), lanetop::ingest::log::MAX_MESSAGE);
}
