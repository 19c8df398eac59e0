//! The bounded buffer of log lines the Logs view shows, and the warnings list.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::fact::{Level, Origin};

/// One log line as the Logs view shows it. Its subsystem and message live in the buffer's
/// text chunks: read them with [`LogBuffer::subsystem`] and [`LogBuffer::message`].
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub origin: Origin,
    /// True when the line was recognised as a typed event.
    pub typed: bool,
    text: TextRef,
}

/// Where an entry's text is: chunk sequence number, byte offset, subsystem and message
/// lengths (the message follows the subsystem).
#[derive(Debug, Clone, Copy)]
struct TextRef {
    chunk: u64,
    start: u32,
    sub_len: u32,
    msg_len: u32,
}

/// A warning worth showing on the Overview (WARN/ERROR lines and typed incidents).
#[derive(Debug, Clone)]
pub struct Warning {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub text: String,
    pub origin: Origin,
}

/// Ring buffer of the newest log lines (bounded memory), with totals.
///
/// Entries are fixed-size records; their text is copied into [`TEXT_CHUNK`]-byte chunks,
/// appended in order and dropped (kept as one spare) once no entry points into them. A line
/// costs no allocation of its own, and the resident text is the buffered text plus at most
/// one chunk's tail per chunk (a line never straddles two chunks).
#[derive(Debug)]
pub struct LogBuffer {
    entries: VecDeque<LogEntry>,
    /// Text chunks, oldest first; `chunks[0]` has sequence number `first_chunk`.
    chunks: VecDeque<String>,
    first_chunk: u64,
    spare: Option<String>,
    /// Most lines kept; 0 keeps none (`lanetop report`, which shows no scrollback: at 1 GB
    /// of log, keeping 20,000 lines cost it ~7 MB of peak RSS and ~11 % of its wall time).
    pub cap: usize,
    /// Lines seen in total (including those that fell out of the buffer).
    pub total: u64,
    pub warnings: VecDeque<Warning>,
    /// Warnings seen in total (including those that fell out of `warnings`).
    pub warnings_total: u64,
}

/// Bytes per text chunk of the [`LogBuffer`] (64 KiB: ~400 lines of a 2026.9 gateway log).
pub const TEXT_CHUNK: usize = 64 << 10;

impl LogBuffer {
    /// Append a line (its text copied into the chunks), dropping the oldest beyond `cap`.
    pub fn push(
        &mut self,
        at: DateTime<Utc>,
        level: Level,
        subsystem: &str,
        message: &str,
        origin: Origin,
        typed: bool,
    ) {
        if self.cap == 0 {
            return;
        }
        let need = subsystem.len() + message.len();
        let fits = self
            .chunks
            .back()
            .is_some_and(|c| c.capacity() - c.len() >= need);
        if !fits {
            let mut c = self.spare.take().unwrap_or_default();
            c.reserve_exact(need.max(TEXT_CHUNK));
            self.chunks.push_back(c);
        }
        let chunk = self.first_chunk + self.chunks.len() as u64 - 1;
        let buf = self.chunks.back_mut().expect("a chunk was just ensured");
        let start = buf.len() as u32;
        buf.push_str(subsystem);
        buf.push_str(message);
        self.entries.push_back(LogEntry {
            at,
            level,
            origin,
            typed,
            text: TextRef {
                chunk,
                start,
                sub_len: subsystem.len() as u32,
                msg_len: message.len() as u32,
            },
        });
        while self.entries.len() > self.cap {
            self.entries.pop_front();
        }
        self.release_chunks();
    }

    /// Drop the chunks no entry points into any more (the newest one stays, as the spare).
    fn release_chunks(&mut self) {
        let keep_from = self.entries.front().map_or(u64::MAX, |e| e.text.chunk);
        while self.first_chunk < keep_from && self.chunks.len() > 1 {
            if let Some(mut c) = self.chunks.pop_front() {
                c.clear();
                self.spare = Some(c);
            }
            self.first_chunk += 1;
        }
    }

    /// The buffered lines, oldest first.
    pub fn entries(&self) -> &VecDeque<LogEntry> {
        &self.entries
    }

    /// Number of buffered lines.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no line is buffered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The buffered line at `index` (0 = oldest).
    pub fn get(&self, index: usize) -> Option<&LogEntry> {
        self.entries.get(index)
    }

    fn text(&self, e: &LogEntry) -> &str {
        let t = e.text;
        let chunk = t
            .chunk
            .checked_sub(self.first_chunk)
            .and_then(|i| self.chunks.get(i as usize));
        let start = t.start as usize;
        let end = start + (t.sub_len + t.msg_len) as usize;
        chunk.and_then(|c| c.get(start..end)).unwrap_or("")
    }

    /// The entry's logger name (`gateway/ws`, `cron`, `openclaw` for the root logger).
    pub fn subsystem(&self, e: &LogEntry) -> &str {
        self.text(e).get(..e.text.sub_len as usize).unwrap_or("")
    }

    /// The entry's message (capped at `ingest::log::MAX_MESSAGE` bytes by the parser).
    pub fn message(&self, e: &LogEntry) -> &str {
        self.text(e).get(e.text.sub_len as usize..).unwrap_or("")
    }

    /// Bytes held by the text chunks (capacity, spare included), for memory figures.
    pub fn text_bytes(&self) -> usize {
        self.chunks.iter().map(String::capacity).sum::<usize>()
            + self.spare.as_ref().map_or(0, String::capacity)
    }
}

/// At most this many warnings are kept (oldest dropped).
pub const WARNINGS_CAP: usize = 200;

impl Default for LogBuffer {
    fn default() -> Self {
        Self {
            entries: VecDeque::new(),
            chunks: VecDeque::new(),
            first_chunk: 0,
            spare: None,
            cap: 20_000,
            total: 0,
            warnings: VecDeque::new(),
            warnings_total: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::fact::SourceKind;

    fn origin(line: u64) -> Origin {
        Origin::line(SourceKind::Log, Arc::from("t.log"), line)
    }

    fn with_cap(cap: usize) -> LogBuffer {
        LogBuffer {
            cap,
            ..LogBuffer::default()
        }
    }

    #[test]
    fn text_survives_eviction_and_chunks_are_released() {
        let mut b = with_cap(500);
        let at = DateTime::<Utc>::default();
        for i in 0..20_000u64 {
            let msg = format!("line {i} {}", "é".repeat((i % 300) as usize));
            b.push(
                at,
                Level::Info,
                &format!("sub/{}", i % 7),
                &msg,
                origin(i),
                false,
            );
        }
        assert_eq!(b.len(), 500);
        for (k, e) in b.entries().iter().enumerate() {
            let i = 19_500 + k as u64;
            assert_eq!(e.origin.locator, crate::fact::Locator::Line { line: i });
            assert_eq!(b.subsystem(e), format!("sub/{}", i % 7));
            assert_eq!(
                b.message(e),
                format!("line {i} {}", "é".repeat((i % 300) as usize))
            );
        }
        // 500 lines of ≤ ~620 bytes: a handful of chunks, plus the spare.
        let text: usize = b
            .entries()
            .iter()
            .map(|e| b.message(e).len() + b.subsystem(e).len())
            .sum();
        assert!(
            b.text_bytes() <= text + 3 * TEXT_CHUNK,
            "{} vs {text}",
            b.text_bytes()
        );
    }

    #[test]
    fn cap_zero_keeps_nothing() {
        let mut b = with_cap(0);
        let at = DateTime::<Utc>::default();
        for i in 0..1_000u64 {
            b.push(at, Level::Warn, "cron", "run failed", origin(i), true);
        }
        assert!(b.is_empty());
        assert_eq!(b.text_bytes(), 0);
    }

    #[test]
    fn a_line_longer_than_a_chunk_gets_its_own() {
        let mut b = LogBuffer::default();
        let at = DateTime::<Utc>::default();
        b.push(at, Level::Warn, "a", "short", origin(1), true);
        let long = "x".repeat(TEXT_CHUNK + 10);
        b.push(at, Level::Warn, "b", &long, origin(2), true);
        b.push(at, Level::Warn, "c", "after", origin(3), true);
        let texts: Vec<_> = b
            .entries()
            .iter()
            .map(|e| (b.subsystem(e), b.message(e).len()))
            .collect();
        assert_eq!(texts, [("a", 5), ("b", TEXT_CHUNK + 10), ("c", 5)]);
    }
}
