//! Helpers shared by the log-parser tests (`tests/log_*.rs`).
#![allow(dead_code)]
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use lanetop::fact::{Fact, FactKind, Level, LogEvent, LogFact, Origin, SourceKind};
use lanetop::ingest::log::LineParser;

/// `../shared/openclaw/<rel>` (or under `LANETOP_SHARED`).
pub fn openclaw(rel: &str) -> PathBuf {
    std::env::var_os("LANETOP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("openclaw")
        .join(rel)
}

pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(openclaw(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every fact of a whole file, parsed sequentially.
pub fn parse_file(rel: &str) -> Vec<Fact> {
    let bytes = read(rel);
    let mut out = Vec::new();
    LineParser::new().parse_chunk(&bytes, &Arc::from(rel), 1, &mut out);
    out
}

/// Line `n` (1-based) of a file, raw.
pub fn raw_line(rel: &str, n: usize) -> Vec<u8> {
    read(rel)
        .split(|&b| b == b'\n')
        .nth(n - 1)
        .unwrap_or_else(|| panic!("{rel} has no line {n}"))
        .to_vec()
}

/// Line `n` (1-based) of a file, parsed alone.
pub fn parse_line(rel: &str, n: usize) -> Fact {
    LineParser::new().parse(
        &raw_line(rel, n),
        Origin::line(SourceKind::Log, Arc::from(rel), n as u64),
    )
}

pub fn log(f: &Fact) -> &LogFact {
    match &f.kind {
        FactKind::Log(l) => l,
        other => panic!("not a log fact: {other:?}"),
    }
}

/// The event of line `n`.
pub fn event(rel: &str, n: usize) -> LogEvent {
    let f = parse_line(rel, n);
    log(&f)
        .event
        .as_deref()
        .cloned()
        .unwrap_or_else(|| panic!("{rel}:{n} has no event: {:?}", log(&f)))
}

pub fn kind_name(e: &LogEvent) -> &'static str {
    use LogEvent as E;
    match e {
        E::FallbackDecision(_) => "FallbackDecision",
        E::FallbackChainStopped { .. } => "FallbackChainStopped",
        E::FallbackSummary { .. } => "FallbackSummary",
        E::ChainExhausted { .. } => "ChainExhausted",
        E::SameModelRetry { .. } => "SameModelRetry",
        E::RetryWindowElapsed { .. } => "RetryWindowElapsed",
        E::RateLimitRetryFloor { .. } => "RateLimitRetryFloor",
        E::RunStarted { .. } => "RunStarted",
        E::RunDone { .. } => "RunDone",
        E::RunTimedOut { .. } => "RunTimedOut",
        E::FailoverDecision { .. } => "FailoverDecision",
        E::AgentEnd { .. } => "AgentEnd",
        E::RunEnded { .. } => "RunEnded",
        E::LaneEnqueued { .. } => "LaneEnqueued",
        E::LaneDequeued { .. } => "LaneDequeued",
        E::LaneWaitExceeded { .. } => "LaneWaitExceeded",
        E::LaneTaskDone { .. } => "LaneTaskDone",
        E::LaneTaskError { .. } => "LaneTaskError",
        E::StuckSession { .. } => "StuckSession",
        E::RestartRecovery(_) => "RestartRecovery",
        E::ModelSwitch { .. } => "ModelSwitch",
        E::SessionTakeover { .. } => "SessionTakeover",
        E::Heartbeat { .. } => "Heartbeat",
        E::Cron { .. } => "Cron",
        E::Gateway(g) => match g {
            lanetop::fact::GatewayEvent::Starting => "Gateway::Starting",
            lanetop::fact::GatewayEvent::Ready => "Gateway::Ready",
            lanetop::fact::GatewayEvent::Signal { .. } => "Gateway::Signal",
            lanetop::fact::GatewayEvent::Restarting => "Gateway::Restarting",
            lanetop::fact::GatewayEvent::ShuttingDown => "Gateway::ShuttingDown",
            lanetop::fact::GatewayEvent::Stopped => "Gateway::Stopped",
            lanetop::fact::GatewayEvent::AgentModel { .. } => "Gateway::AgentModel",
            lanetop::fact::GatewayEvent::Identity { .. } => "Gateway::Identity",
        },
        E::AuthCooldown { .. } => "AuthCooldown",
    }
}

/// Event kind → count, plus `Corrupt` and `Untyped` lines.
pub fn tally(facts: &[Fact]) -> BTreeMap<&'static str, u64> {
    let mut m = BTreeMap::new();
    for f in facts {
        let k = match &f.kind {
            FactKind::Log(l) => l.event.as_deref().map_or("Untyped", kind_name),
            FactKind::CorruptLine { .. } => "Corrupt",
            _ => "Other",
        };
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// Level → count.
pub fn levels(facts: &[Fact]) -> BTreeMap<Level, u64> {
    let mut m = BTreeMap::new();
    for f in facts {
        if let FactKind::Log(l) = &f.kind {
            *m.entry(l.level).or_insert(0) += 1;
        }
    }
    m
}

/// Fallback counters as the report contract defines them: decisions, reason → count,
/// decision → count.
pub fn fallback_counts(facts: &[Fact]) -> (u64, BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let (mut n, mut by_reason, mut by_decision) = (0, BTreeMap::new(), BTreeMap::new());
    for f in facts {
        if let FactKind::Log(l) = &f.kind
            && let Some(LogEvent::FallbackDecision(d)) = l.event.as_deref()
        {
            n += 1;
            *by_decision.entry(d.decision.clone()).or_insert(0) += 1;
            if let Some(r) = &d.reason {
                *by_reason.entry(r.clone()).or_insert(0) += 1;
            }
        }
    }
    (n, by_reason, by_decision)
}

pub fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}
