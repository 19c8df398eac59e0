//! Gateway log parsing: one line of an OpenClaw gateway log → one [`Fact`].
//!
//! Three input shapes, told apart by the first byte (`{` = JSON, else text):
//! 1. tslog JSONL, 2026.5+ (`captured/logs/openclaw.log`, 2026.9.6; `captured-legacy`, 2026.5.20):
//!    `"0"` binding, `"1"` meta or text, `"2"` text, `_meta`, `time`, top-level `message`
//!    (optional), `session_id`, `agent_id` (`record.rs`).
//! 2. tslog JSONL, 2026.3.x: the same without top-level `message`/`session_id`; plus the 3.x
//!    size-cap line and the console JSON style `{time, level, subsystem, message, …}`.
//! 3. console text `2026-11-22T01:49:20.216+00:00 [gateway] text key=value…`, with ANSI colour
//!    and an optional journald prefix (`text.rs`). The console prints no level; it is inferred:
//!    the message colour (red = ERROR, yellow = WARN, grey = DEBUG, other = INFO), else the level
//!    the recognised template is logged at (`lane task error` = ERROR, `lane wait exceeded` =
//!    WARN, …), else ERROR when the text starts with `Error`/`error` or contains `Error: `, else
//!    INFO. Console short subsystem names are mapped back (`heartbeat` → `gateway/heartbeat`,
//!    `ws` → `gateway/ws`, …).
//!
//! Every line becomes [`FactKind::Log`] (with [`LogFact::event`] set when it matches a template
//! of [`events`]) or [`FactKind::CorruptLine`] (bad JSON, invalid UTF-8 that lossy repair does
//! not fix, no timestamp); under [`Messages::Notable`] a plain line is only counted, in
//! [`FactKind::PlainLines`]. Parsing never panics. `Fact::at` is the record time in UTC (`time`
//! with its offset, else `_meta.date`); a corrupt line gets the last good time (or the Unix
//! epoch when none was seen yet).
//!
//! # What counts (for the report contract)
//! - Fallback decisions: exactly the `model-fallback/decision` records whose text is
//!   `model fallback decision` (file) or starts with `model fallback decision: ` (console), one
//!   [`LogEvent::FallbackDecision`](crate::fact::LogEvent::FallbackDecision) each; the
//!   `model-fallback` summary and `embedded run failover decision` are separate events.
//! - Chain exhausted (`All models failed (N)`): one event per line on the root-logger/CLI error
//!   text and on cron `job run returned error status` whose meta `error` carries it; never on
//!   `lane task error` lines (one per lane, they stay `LaneTaskError`) nor on the `gateway/ws`
//!   RPC echo.
//! - Session takeover: the `lane task error` lines whose error is
//!   `EmbeddedAttemptSessionTakeoverError` — one per lane (`main` and `session:<key>`), so one
//!   takeover gives two events; the CLI's root-logger copy of the error is not an event.
//! - `Restarting` can appear several times per restart (`received SIGUSR1; restarting`,
//!   `restart mode: …`, `shutdown started: gateway restarting`); count boots with `Ready`.
//!
//! # Speed
//! A JSON line is read by a strict hand-written scan of the envelope (`scan.rs`): string ends
//! found a word at a time, then with `memchr2`; only the strings a record keeps are decoded,
//! `_meta.path`, trace ids and the `"1"` text that repeats `message` are only stepped over, and
//! the logger name is read out of the escaped `"0"` binding in place. A line outside the scan's
//! subset (a `\u` escape, an escaped key, …) goes to the serde visitor (`record_de.rs`), which
//! is also the reference the scan is checked against (unit tests on the captured logs, and the
//! `log_lines` fuzz harness on every input). Then a hand-rolled timestamp parser, memchr line
//! splitting, messages capped at [`MAX_MESSAGE`] bytes. Allocations per line: the boxed
//! [`LogFact`] and its message (the logger name is inline up to 24 bytes), and the event's
//! strings when typed.
//!
//! # Batch and parallel use
//! [`LineParser::parse_chunk`] parses a buffer of complete lines; [`LineParser::parse_chunk_parallel`]
//! splits a large backlog buffer at line boundaries and parses the parts on N scoped threads
//! (each with its own parser and its own copy of the path `Arc`, so threads share nothing hot),
//! then fixes line numbers and the times of leading corrupt lines so the output is identical to
//! the sequential one. Use it for the initial backlog (e.g. 2 threads on a 2-core host), and
//! [`LineParser::parse`] / `parse_chunk` for live tailing.

pub mod events;
mod events_ops;
pub(crate) mod kv;
pub(crate) mod meta;
pub(crate) mod record;
mod record_de;
mod scan;
pub(crate) mod text;
pub mod time;

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::fact::{Fact, FactKind, Level, Locator, LogEvent, LogFact, Origin, SourceKind};
use events::Input;
use record::Record;

/// Longest message kept in a [`LogFact`], in bytes (cut on a char boundary).
pub const MAX_MESSAGE: usize = 2048;
/// Longest excerpt kept in a [`FactKind::CorruptLine`], in bytes.
pub const MAX_EXCERPT: usize = 160;
/// Below this many bytes a batch is parsed in place, not split across parser threads (live
/// tailing: a few lines at a time).
pub const PARALLEL_MIN_BYTES: usize = 256 << 10;

/// Parses gateway log lines into facts. Keeps the last good timestamp, so a corrupt line can be
/// placed in time.
#[derive(Debug, Default, Clone)]
pub struct LineParser {
    last_time: Option<DateTime<Utc>>,
    messages: Messages,
}

/// Which lines keep their text in [`LogFact::message`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Messages {
    /// Every line (the console: the Logs view shows them).
    #[default]
    All,
    /// Only lines with a typed event or at WARN or worse, which is all the model reads from a
    /// message outside the Logs view (warnings, events). Other lines get an empty message,
    /// and a *plain* line (untyped, below WARN, naming no session) is only counted: it becomes
    /// [`FactKind::PlainLines`], and [`LineParser::parse_chunk`] counts a run of them in one
    /// fact. `lanetop report` keeps no scrollback and parses this way: ~60 % of a gateway's
    /// lines are plain, and each costs a fact less in flight and in the fold.
    Notable,
}

impl LineParser {
    /// A parser that has seen no line yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser that keeps the text of `messages` lines.
    pub fn with_messages(messages: Messages) -> Self {
        Self {
            last_time: None,
            messages,
        }
    }

    /// Which lines keep their text.
    pub fn messages(&self) -> Messages {
        self.messages
    }

    /// The message of a line: its text, unless `messages` is [`Messages::Notable`] and the
    /// line is neither typed nor WARN or worse.
    fn message(&self, text: Cow<'_, str>, level: Level, typed: bool) -> String {
        if self.messages == Messages::All || typed || level >= Level::Warn {
            capped(text)
        } else {
            String::new()
        }
    }

    /// True when a line is only counted ([`Messages::Notable`]: untyped, below WARN, naming no
    /// session).
    fn only_counted(&self, level: Level, typed: bool, session: bool) -> bool {
        self.messages == Messages::Notable && !typed && level < Level::Warn && !session
    }

    /// The time of the last line that had one.
    pub fn last_time(&self) -> Option<DateTime<Utc>> {
        self.last_time
    }

    /// Parse one line (without its trailing newline; a trailing `\r` is ignored). Never fails:
    /// an unparseable line becomes [`FactKind::CorruptLine`].
    pub fn parse(&mut self, line: &[u8], origin: Origin) -> Fact {
        let line = line.trim_ascii_end();
        let start = line
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(line.len());
        let line = &line[start..];
        if line.first() == Some(&b'{') {
            self.parse_json(line, origin)
        } else {
            self.parse_text(line, origin)
        }
    }

    /// Parse every line of `bytes` (split on `\n`; a last line without `\n` is parsed too, so
    /// pass only complete lines), appending one fact per non-blank line to `out`, except that
    /// consecutive plain lines under [`Messages::Notable`] are one [`FactKind::PlainLines`].
    /// Line numbers start at `first_line` (1-based) and count blank lines. Returns the number
    /// of lines seen.
    pub fn parse_chunk(
        &mut self,
        bytes: &[u8],
        path: &Arc<str>,
        first_line: u64,
        out: &mut Vec<Fact>,
    ) -> u64 {
        let mut line_no = first_line;
        let mut start = 0;
        let ours = out.len();
        let mut push = |this: &mut Self, line: &[u8], n: u64| {
            if !line.trim_ascii().is_empty() {
                let fact = this.parse(line, Origin::line(SourceKind::Log, path.clone(), n));
                let run = if out.len() > ours {
                    out.last_mut()
                } else {
                    None
                };
                if let Some(fact) = count_into(run, fact) {
                    out.push(fact);
                }
            }
        };
        for nl in memchr::memchr_iter(b'\n', bytes) {
            push(self, &bytes[start..nl], line_no);
            line_no += 1;
            start = nl + 1;
        }
        if start < bytes.len() {
            push(self, &bytes[start..], line_no);
            line_no += 1;
        }
        line_no - first_line
    }

    /// [`parse_chunk`](Self::parse_chunk) on `threads` threads: `bytes` is cut into `threads`
    /// parts at line boundaries, each part is parsed by its own [`LineParser`] on a scoped
    /// thread, and the results are appended to `out` in file order with the same line numbers
    /// and times the sequential parse gives. Returns the number of lines seen. (The log source
    /// uses persistent threads instead: `ingest::parse_pool`.)
    pub fn parse_chunk_parallel(
        &mut self,
        bytes: &[u8],
        path: &Arc<str>,
        first_line: u64,
        threads: usize,
        out: &mut Vec<Fact>,
    ) -> u64 {
        if threads <= 1 || bytes.len() < PARALLEL_MIN_BYTES {
            return self.parse_chunk(bytes, path, first_line, out);
        }
        let parts = split_parts(bytes, threads);
        let results: Vec<Part> = std::thread::scope(|s| {
            let handles: Vec<_> = parts[1..]
                .iter()
                .map(|r| {
                    let path: Arc<str> = Arc::from(&**path);
                    let part = &bytes[r.clone()];
                    let messages = self.messages;
                    s.spawn(move || Part::run(part, &path, messages))
                })
                .collect();
            let mut all = vec![Part::run(&bytes[parts[0].clone()], path, self.messages)];
            // A worker that panicked would be a bug; its part is then reported as one corrupt line.
            all.extend(
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Part::failed())),
            );
            all
        });
        self.join_parts(results, first_line, out)
    }

    /// Append the facts of `parts` (consecutive parts of one buffer, each parsed by
    /// [`Part::run`], in file order) to `out` as the sequential parse from `first_line` would
    /// give them ([`fix_parts`](Self::fix_parts)). Returns the number of lines.
    pub fn join_parts(
        &mut self,
        mut parts: Vec<Part>,
        first_line: u64,
        out: &mut Vec<Fact>,
    ) -> u64 {
        let lines = self.fix_parts(&mut parts, first_line);
        out.reserve(parts.iter().map(|p| p.facts.len()).sum());
        for mut part in parts {
            out.append(&mut part.facts);
        }
        lines
    }

    /// Make the facts of `parts` (consecutive parts of one buffer, each parsed by
    /// [`Part::run`], in file order) what the sequential parse from `first_line` gives, in
    /// place: line numbers shifted, leading corrupt lines of a part timed by the previous
    /// part's last time (or this parser's); this parser's last time advanced. Returns the
    /// number of lines. The parts' facts are then taken with [`Part::take_facts`].
    pub fn fix_parts(&mut self, parts: &mut [Part], first_line: u64) -> u64 {
        let mut line_offset = first_line;
        let mut carry = self.last_time;
        for part in parts {
            for f in &mut part.facts {
                if let Locator::Line { line } = &mut f.origin.locator {
                    *line += line_offset;
                }
            }
            if let Some(t) = carry {
                for f in part.facts.iter_mut().take(part.leading_corrupt) {
                    f.at = t;
                }
            }
            line_offset += part.lines;
            carry = part.last_time.or(carry);
        }
        self.last_time = carry;
        line_offset - first_line
    }

    fn parse_json(&mut self, line: &[u8], origin: Origin) -> Fact {
        // Invalid UTF-8 is repaired (U+FFFD) first; what is still not JSON is corrupt.
        let text = match std::str::from_utf8(line) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(line),
        };
        match Record::from_str(&text) {
            Ok(rec) => self.record_fact(rec, line, origin),
            Err(e) => self.corrupt(format!("bad JSON: {e}"), line, origin),
        }
    }

    fn record_fact(&mut self, mut rec: Record<'_>, line: &[u8], origin: Origin) -> Fact {
        let at = rec
            .time
            .as_deref()
            .and_then(time::parse_time)
            .or_else(|| rec.meta_date.as_deref().and_then(time::parse_time));
        let Some(at) = at else {
            return self.corrupt("no timestamp".into(), line, origin);
        };
        self.last_time = Some(at);
        let subsystem = rec.take_subsystem();
        let text = rec.take_text();
        let event = events::detect(&Input {
            sub: &subsystem,
            text: &text,
            meta: rec.meta(),
            session: rec.session_id.as_deref(),
        });
        let level = rec.level.unwrap_or(Level::Info);
        if self.only_counted(level, event.is_some(), rec.session_id.is_some()) {
            return plain_line(at, origin);
        }
        let fact = LogFact {
            level,
            subsystem,
            message: self.message(text, level, event.is_some()),
            session: rec.session_id.map(Cow::into_owned),
            agent_id: rec.agent_id.map(Cow::into_owned),
            // Only on gateway lifecycle lines: cheap, and enough to name the host per boot.
            hostname: matches!(event, Some(LogEvent::Gateway(_)))
                .then(|| rec.hostname.map(Cow::into_owned))
                .flatten(),
            event: event.map(Box::new),
        };
        Fact {
            at,
            origin,
            kind: FactKind::Log(Box::new(fact)),
        }
    }

    fn parse_text(&mut self, line: &[u8], origin: Origin) -> Fact {
        let s = match std::str::from_utf8(line) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(line),
        };
        let c = match text::parse_console(&s) {
            Ok(c) => c,
            Err(e) => return self.corrupt(e.into(), line, origin),
        };
        self.last_time = Some(c.at);
        let event = events::detect(&Input {
            sub: &c.subsystem,
            text: &c.text,
            meta: None,
            session: None,
        });
        let level = c
            .colour_level
            .or_else(|| event.as_ref().map(text::template_level))
            .unwrap_or_else(|| text::text_level(&c.text));
        if self.only_counted(level, event.is_some(), false) {
            return plain_line(c.at, origin);
        }
        let fact = LogFact {
            level,
            subsystem: c.subsystem.as_ref().into(),
            message: self.message(c.text, level, event.is_some()),
            session: None,
            agent_id: None,
            hostname: None,
            event: event.map(Box::new),
        };
        Fact {
            at: c.at,
            origin,
            kind: FactKind::Log(Box::new(fact)),
        }
    }

    fn corrupt(&self, error: String, line: &[u8], origin: Origin) -> Fact {
        let excerpt = String::from_utf8_lossy(&line[..line.len().min(MAX_EXCERPT)]).into_owned();
        Fact {
            at: self.last_time.unwrap_or_default(),
            origin,
            kind: FactKind::CorruptLine { error, excerpt },
        }
    }
}

/// One plain line, counted only ([`Messages::Notable`]).
fn plain_line(at: DateTime<Utc>, origin: Origin) -> Fact {
    Fact {
        at,
        origin,
        kind: FactKind::PlainLines { lines: 1 },
    }
}

/// Count `fact`, a [`FactKind::PlainLines`], into `run` when `run` is one too: the run's time
/// becomes the newest of both and its origin the later line. Gives `fact` back otherwise.
fn count_into(run: Option<&mut Fact>, fact: Fact) -> Option<Fact> {
    let FactKind::PlainLines { lines: more } = fact.kind else {
        return Some(fact);
    };
    match run {
        Some(Fact {
            at,
            origin,
            kind: FactKind::PlainLines { lines },
        }) => {
            *lines += more;
            *at = (*at).max(fact.at);
            *origin = fact.origin;
            None
        }
        _ => Some(fact),
    }
}

/// A message as an owned string of at most [`MAX_MESSAGE`] bytes.
fn capped(text: Cow<'_, str>) -> String {
    if text.len() <= MAX_MESSAGE {
        text.into_owned()
    } else {
        kv::truncate(&text, MAX_MESSAGE).to_owned()
    }
}

/// Split `bytes` into at most `n` ranges of about equal size, each ending after a `\n` (the
/// last one at the end of `bytes`).
pub fn split_parts(bytes: &[u8], n: usize) -> Vec<std::ops::Range<usize>> {
    let mut parts = Vec::with_capacity(n);
    let mut start = 0;
    for k in 1..=n.max(1) {
        let mut end = bytes.len() * k / n.max(1);
        if k < n && end > start {
            end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |p| end + p + 1);
        } else {
            end = end.max(start);
        }
        let end = end.min(bytes.len());
        parts.push(start..end);
        start = end;
    }
    parts
}

/// The result of parsing one part of a batch on its own (line numbers relative to the part,
/// 0-based); [`LineParser::join_parts`] puts parts back in file order.
#[derive(Debug)]
pub struct Part {
    facts: Vec<Fact>,
    lines: u64,
    last_time: Option<DateTime<Utc>>,
    /// Corrupt facts before the part's first timed line (their time comes from the previous part).
    leading_corrupt: usize,
}

impl Part {
    /// Parse `bytes` (complete lines) with a fresh [`LineParser`] keeping `messages`.
    pub fn run(bytes: &[u8], path: &Arc<str>, messages: Messages) -> Part {
        let mut parser = LineParser::with_messages(messages);
        let mut facts = Vec::with_capacity(bytes.len() / 512 + 1);
        let lines = parser.parse_chunk(bytes, path, 0, &mut facts);
        let leading_corrupt = facts
            .iter()
            .take_while(|f| matches!(f.kind, FactKind::CorruptLine { .. }))
            .count();
        Part {
            facts,
            lines,
            last_time: parser.last_time,
            leading_corrupt,
        }
    }

    /// The part's facts, moved out (after [`LineParser::fix_parts`]).
    pub fn take_facts(&mut self) -> Vec<Fact> {
        std::mem::take(&mut self.facts)
    }

    /// An empty part (a parse that failed; the caller re-parses line by line).
    pub fn failed() -> Part {
        Part {
            facts: Vec::new(),
            lines: 0,
            last_time: None,
            leading_corrupt: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(time: &str, pad: usize) -> String {
        format!(
            r#"{{"time":"{time}","level":"info","subsystem":"gateway","message":"{}"}}"#,
            "x".repeat(pad)
        ) + "\n"
    }

    #[test]
    fn parallel_part_starting_with_a_corrupt_line_gets_the_previous_time() {
        // The 2-way split point falls inside the first line, so part 2 starts at the corrupt line.
        let mut bytes = line("2026-11-22T01:00:00.000+00:00", 700_000).into_bytes();
        bytes.extend_from_slice(b"{ corrupt\n\n");
        bytes.extend_from_slice(line("2026-11-22T02:00:00.000+00:00", 700_000).as_bytes());
        let path: Arc<str> = Arc::from("t");
        let mut out = Vec::new();
        let mut p = LineParser::new();
        assert_eq!(p.parse_chunk_parallel(&bytes, &path, 10, 2, &mut out), 4);
        assert_eq!(out.len(), 3, "the blank line is counted, not parsed");
        assert!(matches!(out[1].kind, FactKind::CorruptLine { .. }));
        assert_eq!(out[1].at, out[0].at);
        let lines: Vec<_> = out.iter().map(|f| f.origin.locator.clone()).collect();
        assert_eq!(
            lines,
            [
                Locator::Line { line: 10 },
                Locator::Line { line: 11 },
                Locator::Line { line: 13 }
            ]
        );
        assert_eq!(p.last_time(), Some(out[2].at));
    }

    #[test]
    fn meta_of_other_loggers_is_skipped_but_line_still_parses() {
        let l = br#"{"0":"{\"subsystem\":\"infra/sqlite-snapshot\"}","1":{"attempt":1,"nested":{"a":[1,2]}},"2":"SQLite snapshot operation completed.","_meta":{"logLevelName":"DEBUG"},"time":"2026-11-22T01:49:19.828+00:00"}"#;
        let f = LineParser::new().parse(l, Origin::new(SourceKind::Log, Arc::from("t")));
        let FactKind::Log(l) = f.kind else {
            panic!("{f:?}")
        };
        assert_eq!(
            (l.subsystem.as_str(), l.message.as_str(), l.level),
            (
                "infra/sqlite-snapshot",
                "SQLite snapshot operation completed.",
                Level::Debug
            )
        );
    }
}
