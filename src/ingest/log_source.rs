//! A log source: a rotation-aware [`Tailer`] wired to the [`LineParser`], producing one fact per
//! line and `SourceHealth` facts for the status bar (file, offset, lines read).
//!
//! Consecutive lines of one file are copied into a batch (at most [`BATCH_BYTES`]). A full
//! batch (a backlog) goes to a [`ParsePool`] of up to [`PARSE_THREADS`] persistent threads and
//! stays in flight while the caller folds the previous one
//! ([`parse_pool::AHEAD`](crate::ingest::parse_pool::AHEAD)); a few live lines stay below
//! [`crate::ingest::log::PARALLEL_MIN_BYTES`] and are parsed in place. Facts, line numbers,
//! times and their order are the same as parsing line by line.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;

use crate::fact::{Fact, FactKind, Origin, SourceHealth, SourceKind};
use crate::ingest::discover::LogTarget;
use crate::ingest::log::{LineParser, Messages, PARALLEL_MIN_BYTES};
use crate::ingest::parse_pool::{AHEAD, InFlight, ParsePool};
use crate::ingest::sources::health_fact;
use crate::ingest::tail::{TailEvent, TailOptions, TailStatus, Tailer};

/// Bytes of consecutive lines parsed as one batch (a backlog is read in batches of this size):
/// 1 MiB, about 1,400 lines of a 2026.9 gateway log. Up to three are resident (being filled,
/// being parsed, a spare), so this is also a peak-RSS knob (2 MiB: +4 MB at 1 GB).
pub const BATCH_BYTES: usize = 1 << 20;
/// Most threads a batch is parsed on (fewer when the machine has fewer cores).
pub const PARSE_THREADS: usize = 4;

/// Where a source's facts go: one at a time, or a whole parsed part at once. A backlog's
/// parts arrive as the vectors the parser threads filled, so a sink that forwards batches
/// (the ingest `Batcher`) can pass them on without copying every fact again.
pub trait FactSink {
    /// One fact.
    fn push(&mut self, fact: Fact);
    /// Consecutive facts, in order (by default pushed one by one).
    fn push_all(&mut self, facts: Vec<Fact>) {
        facts.into_iter().for_each(|f| self.push(f));
    }
}

impl<F: FnMut(Fact)> FactSink for F {
    fn push(&mut self, fact: Fact) {
        self(fact)
    }
}

/// A log tailer feeding the line parser: every line becomes one fact (typed or
/// [`FactKind::CorruptLine`]) with origin `Log` at its 1-based line.
pub struct LogSource {
    tailer: Tailer,
    label: Arc<str>,
    last_health: Option<SourceHealth>,
    parsing: Parsing,
}

/// The parser side of a source: the batch being filled, the batches in flight, the pool.
struct Parsing {
    parser: LineParser,
    batch: LineBatch,
    threads: usize,
    /// Started on the first full batch (a live tail with small writes never starts it).
    pool: Option<ParsePool>,
    /// The pool could not be started; parse in place.
    no_pool: bool,
    inflight: VecDeque<InFlight>,
    /// A buffer handed back by a finished batch, for the next one.
    spare: Option<Vec<u8>>,
    facts: Vec<Fact>,
}

/// Consecutive complete lines of one file, `\n`-terminated, waiting to be parsed.
#[derive(Default)]
struct LineBatch {
    bytes: Vec<u8>,
    path: Option<Arc<str>>,
    first_line: u64,
    next_line: u64,
}

impl LogSource {
    /// A source for one target (nothing read yet).
    pub fn new(target: LogTarget, opts: TailOptions) -> Self {
        let label: Arc<str> = match &target {
            LogTarget::File(p) => p.to_string_lossy().as_ref().into(),
            LogTarget::Family { dir, stem } => dir
                .join(format!("{stem}-*.log"))
                .to_string_lossy()
                .as_ref()
                .into(),
        };
        LogSource {
            tailer: Tailer::new(target, opts),
            label,
            last_health: None,
            parsing: Parsing {
                parser: LineParser::new(),
                batch: LineBatch::default(),
                threads: std::thread::available_parallelism()
                    .map_or(1, |n| n.get())
                    .min(PARSE_THREADS),
                pool: None,
                no_pool: false,
                inflight: VecDeque::new(),
                spare: None,
                facts: Vec::new(),
            },
        }
    }

    /// Keep the text of `messages` lines only (before the first [`pump`](Self::pump)).
    pub fn keep_messages(mut self, messages: Messages) -> Self {
        self.parsing.parser = LineParser::with_messages(messages);
        self
    }

    /// The directory to watch.
    pub fn dir(&self) -> PathBuf {
        self.tailer.dir().to_path_buf()
    }

    /// The tailer's status.
    pub fn status(&self) -> &TailStatus {
        self.tailer.status()
    }

    /// Read what is new and push one fact per line. `parse`: false skips the parser (the
    /// consumer is gone; lines are only consumed).
    pub fn pump(&mut self, parse: &dyn Fn() -> bool, out: &mut dyn FactSink) {
        let p = &mut self.parsing;
        self.tailer.poll(&mut |ev| {
            if !parse() {
                p.discard();
                return;
            }
            match ev {
                TailEvent::Line { path, line, bytes } => {
                    let blank = bytes.trim_ascii().is_empty();
                    if !blank && p.batch.fits(path, line, bytes.len()) {
                        p.push(path, line, bytes);
                        return;
                    }
                    p.flush(out);
                    if blank {
                        // `parse_chunk` skips blank lines; line by line they are facts.
                        p.drain(0, out);
                        let origin = Origin::line(SourceKind::Log, path.clone(), line);
                        out.push(parse_guarded(&mut p.parser, bytes, origin));
                    } else {
                        p.push(path, line, bytes);
                    }
                }
                TailEvent::Overlong {
                    path,
                    line,
                    len,
                    head,
                } => {
                    p.flush(out);
                    p.drain(0, out);
                    let mut f = p
                        .parser
                        .parse(head, Origin::line(SourceKind::Log, path.clone(), line));
                    f.kind = FactKind::CorruptLine {
                        error: format!("line of {len} bytes exceeds the line cap; skipped"),
                        excerpt: String::from_utf8_lossy(head).into_owned(),
                    };
                    out.push(f);
                }
            }
        });
        if parse() {
            self.parsing.flush(out);
            self.parsing.drain(0, out);
        }
        self.parsing.discard();
    }

    /// The current health (file, offset, lines read; waiting; or the last error).
    pub fn health(&self) -> SourceHealth {
        let s = self.tailer.status();
        if let Some(e) = &s.error {
            return SourceHealth::Error { message: e.clone() };
        }
        match &s.file {
            Some(f) => SourceHealth::Ok {
                detail: format!(
                    "{f} offset {} lines {} files {}",
                    human_bytes(s.offset),
                    s.lines,
                    s.files
                ),
            },
            None => SourceHealth::Waiting {
                detail: format!("waiting for {}", self.label),
            },
        }
    }

    /// A health fact if the health changed since the last call (or `force`).
    pub fn health_fact(&mut self, force: bool) -> Option<Fact> {
        let h = self.health();
        if !force && self.last_health.as_ref() == Some(&h) {
            return None;
        }
        self.last_health = Some(h.clone());
        // Always the target's label (`<dir>/openclaw-*.log` for a family, the file otherwise),
        // never the current file: one status-bar entry per target, so an error (`log dir
        // gone`) is replaced by the recovery and a day rollover leaves no stale entry behind.
        Some(health_fact(SourceKind::Log, self.label.clone(), h))
    }
}

impl Parsing {
    /// Add a line to the batch (which `fits` it), first taking the spare buffer when the batch
    /// starts.
    fn push(&mut self, path: &Arc<str>, line: u64, bytes: &[u8]) {
        if self.batch.path.is_none()
            && self.batch.bytes.capacity() < BATCH_BYTES
            && let Some(b) = self.spare.take()
        {
            self.batch.bytes = b;
        }
        self.batch.push(path, line, bytes);
    }

    /// Parse the batch: a big one goes to the pool (and the oldest batches in flight beyond
    /// [`AHEAD`] are handed on); a small one is parsed here after everything in flight.
    fn flush(&mut self, out: &mut dyn FactSink) {
        let Some(path) = self.batch.path.take() else {
            return;
        };
        let first = self.batch.first_line;
        if self.batch.bytes.len() >= PARALLEL_MIN_BYTES && self.threads > 1 && self.start_pool() {
            let bytes = std::mem::take(&mut self.batch.bytes);
            let pool = self.pool.as_ref().expect("started");
            match pool.submit(bytes, path.clone(), first, self.parser.messages()) {
                Ok(f) => {
                    self.inflight.push_back(f);
                    self.drain(AHEAD, out);
                    return;
                }
                Err(bytes) => {
                    self.pool = None;
                    self.no_pool = true;
                    self.batch.bytes = bytes;
                }
            }
        }
        self.drain(0, out);
        let saved = self.parser.clone();
        let bytes = &self.batch.bytes;
        let facts = &mut self.facts;
        let parser = &mut self.parser;
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            parser.parse_chunk(bytes, &path, first, facts)
        }));
        if ok.is_ok() {
            self.facts.drain(..).for_each(|f| out.push(f));
        } else {
            self.facts.clear();
            self.parser = saved;
            line_by_line(&mut self.parser, &self.batch.bytes, &path, first, out);
        }
        self.batch.clear();
    }

    /// Hand on the facts of the oldest batches in flight until at most `keep` remain.
    fn drain(&mut self, keep: usize, out: &mut dyn FactSink) {
        while self.inflight.len() > keep {
            let Some(f) = self.inflight.pop_front() else {
                return;
            };
            match f.finish(&mut self.parser) {
                Some(parts) => {
                    for mut part in parts {
                        out.push_all(part.take_facts());
                    }
                }
                None => line_by_line(&mut self.parser, &f.bytes, &f.path, f.first_line, out),
            }
            if self.spare.is_none() {
                self.spare = f.into_buffer();
            }
        }
    }

    fn start_pool(&mut self) -> bool {
        if self.pool.is_none() && !self.no_pool {
            match ParsePool::new(self.threads) {
                Ok(p) => self.pool = Some(p),
                Err(e) => {
                    tracing::warn!("log parser threads not started ({e}); parsing on one thread");
                    self.no_pool = true;
                }
            }
        }
        self.pool.is_some()
    }

    /// Drop the batch and everything in flight (the consumer is gone).
    fn discard(&mut self) {
        self.batch.clear();
        self.inflight.clear();
    }
}

/// Parse `bytes` (`\n`-terminated lines from `first` on) one line at a time, each guarded.
fn line_by_line(
    parser: &mut LineParser,
    bytes: &[u8],
    path: &Arc<str>,
    first: u64,
    out: &mut dyn FactSink,
) {
    let lines = bytes
        .strip_suffix(b"\n")
        .unwrap_or(bytes)
        .split(|b| *b == b'\n');
    for (i, line) in lines.enumerate() {
        let origin = Origin::line(SourceKind::Log, path.clone(), first + i as u64);
        out.push(parse_guarded(parser, line, origin));
    }
}

impl LineBatch {
    /// True when `line` of `path` continues the batch and the batch has room for `len` bytes.
    fn fits(&self, path: &Arc<str>, line: u64, len: usize) -> bool {
        match &self.path {
            None => true,
            Some(p) => {
                Arc::ptr_eq(p, path)
                    && line == self.next_line
                    && self.bytes.len() + len < BATCH_BYTES
            }
        }
    }

    fn push(&mut self, path: &Arc<str>, line: u64, bytes: &[u8]) {
        if self.path.is_none() {
            self.path = Some(path.clone());
            self.first_line = line;
            if self.bytes.capacity() < BATCH_BYTES {
                // One allocation, never regrown (a backlog fills it).
                self.bytes.reserve_exact(BATCH_BYTES - self.bytes.len());
            }
        }
        self.bytes.extend_from_slice(bytes);
        self.bytes.push(b'\n');
        self.next_line = line + 1;
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.path = None;
        if self.bytes.capacity() > BATCH_BYTES {
            self.bytes = Vec::new();
        }
    }
}

/// Parse one line; a parser panic becomes a [`FactKind::CorruptLine`] (the parser is reset).
fn parse_guarded(parser: &mut LineParser, bytes: &[u8], origin: Origin) -> Fact {
    let o = origin.clone();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(bytes, o)))
        .unwrap_or_else(|_| {
            *parser = LineParser::with_messages(parser.messages());
            let excerpt = String::from_utf8_lossy(&bytes[..bytes.len().min(120)]).into_owned();
            Fact {
                at: Utc::now(),
                origin,
                kind: FactKind::CorruptLine {
                    error: "parser panicked".into(),
                    excerpt,
                },
            }
        })
}

/// `12.4 MB`-style size (decimal units).
fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.1} GB", n as f64 / 1e9),
    }
}
