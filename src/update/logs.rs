//! Logs reducer: every `Log` fact goes to the bounded [`crate::domain::LogBuffer`]; WARN and
//! worse lines and typed incidents (cron run errors, failing sources) go to `warnings`
//! (bounded, [`WARNINGS_CAP`]); `CorruptLine` is counted and the newest kept; `SourceHealth`
//! updates `model.sources`.

use chrono::{DateTime, Utc};

use crate::domain::logbuf::WARNINGS_CAP;
use crate::domain::{CORRUPT_RECENT_CAP, Model, SourceStatus, Warning};
use crate::fact::{Fact, Level, Locator, LogFact, Origin, SourceHealth, SourceKind};

/// Status-bar name of a source: `log:<file>`, `agent-db:<agent>`, `state-db`,
/// `sessions.json:<agent>`, `transcripts:<agent>`, `cron-files`, `config`, `gateway-rpc`,
/// `lanetop`. The agent is the `<id>` of an `agents/<id>/…` path.
pub fn source_name(origin: &Origin) -> String {
    let path = origin.path.as_ref();
    let agent = || {
        let parts: Vec<&str> = path.split(['/', '\\']).collect();
        parts
            .windows(2)
            .rev()
            .find(|w| w[0] == "agents")
            .map_or_else(|| "?".to_string(), |w| w[1].to_string())
    };
    let file = || path.rsplit(['/', '\\']).next().unwrap_or(path).to_string();
    match origin.kind {
        SourceKind::Log => format!("log:{}", file()),
        SourceKind::AgentDb => format!("agent-db:{}", agent()),
        SourceKind::StateDb => "state-db".into(),
        SourceKind::LegacySessions => format!("sessions.json:{}", agent()),
        SourceKind::LegacyTranscript => format!("transcripts:{}", agent()),
        SourceKind::LegacyCron => "cron-files".into(),
        SourceKind::Config => "config".into(),
        SourceKind::Gateway => "gateway-rpc".into(),
        SourceKind::Lanetop => "lanetop".into(),
    }
}

/// Add a warning (bounded).
pub(super) fn warn(model: &mut Model, w: Warning) {
    model.logs.warnings_total += 1;
    let ws = &mut model.logs.warnings;
    ws.push_back(w);
    while ws.len() > WARNINGS_CAP {
        ws.pop_front();
    }
}

/// Count a log line and add it to the warnings when WARN or worse (the line itself is added to
/// the buffer by [`push_entry`], after its event was folded). Only WARN+ messages are read
/// here: `ingest::log::Messages::Notable` (the report's parse) keeps no other untyped line's
/// text, and turns an untyped line below WARN that names no session into a mere count
/// (`FactKind::PlainLines`), so a reducer that starts reading more must widen that rule too.
pub(super) fn on_log(model: &mut Model, fact: &Fact, log: &LogFact) {
    model.logs.total += 1;
    if log.level >= Level::Warn {
        let text = if log.subsystem.is_empty() {
            log.message.clone()
        } else {
            format!("[{}] {}", log.subsystem, log.message)
        };
        warn(
            model,
            Warning {
                at: fact.at,
                level: log.level,
                text,
                origin: fact.origin.clone(),
            },
        );
    }
}

/// Add a log line to the bounded buffer (its text is copied into the buffer's chunks, see
/// [`crate::domain::LogBuffer`]; the fact's strings are freed with the fact).
pub(super) fn push_entry(model: &mut Model, at: DateTime<Utc>, origin: Origin, log: LogFact) {
    let typed = log.event.is_some();
    model
        .logs
        .push(at, log.level, &log.subsystem, &log.message, origin, typed);
}

pub(super) fn on_corrupt(model: &mut Model, fact: &Fact, error: &str, excerpt: &str) {
    let c = &mut model.corrupt;
    c.count += 1;
    let line = match fact.origin.locator {
        Locator::Line { line } => Some(line),
        _ => None,
    };
    c.recent.push_front((
        fact.origin.path.to_string(),
        line,
        error.to_string(),
        excerpt.to_string(),
    ));
    c.recent.truncate(CORRUPT_RECENT_CAP);
}

pub(super) fn on_source_health(model: &mut Model, fact: &Fact, health: &SourceHealth) {
    let name = source_name(&fact.origin);
    if let SourceHealth::Error { message } = health {
        let was_error = matches!(
            model.sources.get(&name),
            Some(SourceStatus {
                health: SourceHealth::Error { .. },
                ..
            })
        );
        if !was_error {
            let text = format!("source {name}: {message}");
            warn(
                model,
                Warning {
                    at: fact.at,
                    level: Level::Error,
                    text,
                    origin: fact.origin.clone(),
                },
            );
        }
    }
    model.sources.insert(
        name,
        SourceStatus {
            path: fact.origin.path.to_string(),
            health: health.clone(),
            at: fact.at,
        },
    );
}
