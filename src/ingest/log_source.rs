//! A log source: a rotation-aware [`Tailer`] wired to the [`LineParser`], producing one fact per
//! line and `SourceHealth` facts for the status bar (file, offset, lines read).

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;

use crate::fact::{Fact, FactKind, Origin, SourceHealth, SourceKind};
use crate::ingest::discover::LogTarget;
use crate::ingest::log::LineParser;
use crate::ingest::sources::health_fact;
use crate::ingest::tail::{TailEvent, TailOptions, TailStatus, Tailer};

/// A log tailer feeding the line parser: every line becomes one fact (typed or
/// [`FactKind::CorruptLine`]) with origin `Log` at its 1-based line.
pub struct LogSource {
    tailer: Tailer,
    parser: LineParser,
    label: Arc<str>,
    last_health: Option<SourceHealth>,
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
            parser: LineParser::new(),
            label,
            last_health: None,
        }
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
    pub fn pump(&mut self, parse: &dyn Fn() -> bool, out: &mut dyn FnMut(Fact)) {
        let parser = &mut self.parser;
        self.tailer.poll(&mut |ev| {
            if !parse() {
                return;
            }
            match ev {
                TailEvent::Line { path, line, bytes } => {
                    let origin = Origin::line(SourceKind::Log, path.clone(), line);
                    out(parse_guarded(parser, bytes, origin));
                }
                TailEvent::Overlong {
                    path,
                    line,
                    len,
                    head,
                } => {
                    let mut f =
                        parser.parse(head, Origin::line(SourceKind::Log, path.clone(), line));
                    f.kind = FactKind::CorruptLine {
                        error: format!("line of {len} bytes exceeds the line cap; skipped"),
                        excerpt: String::from_utf8_lossy(head).into_owned(),
                    };
                    out(f);
                }
            }
        });
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
        let path = self
            .tailer
            .status()
            .file
            .clone()
            .unwrap_or_else(|| self.label.clone());
        Some(health_fact(SourceKind::Log, path, h))
    }
}

/// Parse one line; a parser panic becomes a [`FactKind::CorruptLine`] (the parser is reset).
fn parse_guarded(parser: &mut LineParser, bytes: &[u8], origin: Origin) -> Fact {
    let o = origin.clone();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(bytes, o)))
        .unwrap_or_else(|_| {
            *parser = LineParser::new();
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
