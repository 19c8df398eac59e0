//! Gateway log parsing: tslog JSONL (2026.3 and 2026.5+ envelopes) and the console text form.

use chrono::{DateTime, Utc};

use crate::fact::{Fact, FactKind, Origin};

/// Parses gateway log lines into facts. Keeps the last good timestamp, so a corrupt line can be
/// placed in time.
#[derive(Debug, Default)]
pub struct LineParser {
    last_time: Option<DateTime<Utc>>,
}

impl LineParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse one line (without its trailing newline). Never fails: an unparseable line becomes
    /// [`FactKind::CorruptLine`].
    pub fn parse(&mut self, line: &[u8], origin: Origin) -> Fact {
        let at = self.last_time.unwrap_or_default();
        Fact { at, origin, kind: FactKind::CorruptLine { error: "parser not implemented".into(), excerpt: String::from_utf8_lossy(&line[..line.len().min(120)]).into_owned() } }
    }
}
