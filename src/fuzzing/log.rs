//! The `log_lines` harness: [`LineParser`] over a chunk of gateway log lines.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::fact::{Fact, FactKind, Level, Locator, SourceKind};
use crate::ingest::log::{LineParser, MAX_EXCERPT, MAX_MESSAGE, Messages, record};

/// Parse `data` as a chunk of log lines and check:
/// 1. `parse_chunk` reports as many lines as `data` has (`\n`-separated, a last unterminated
///    line counts), and yields exactly one fact per non-blank line, at that line's number;
/// 2. the chunk parse is identical (every field) to parsing the lines one by one with
///    [`LineParser::parse`];
/// 3. a line is corrupt in the chunk iff it is corrupt parsed alone by a fresh parser (so each
///    corrupt line is counted exactly once, whatever came before it);
/// 4. a corrupt line is placed at the time of the last good line (the Unix epoch before any),
///    and the parser's `last_time` is the time of the last good line;
/// 5. messages are capped at [`MAX_MESSAGE`] bytes, excerpts at [`MAX_EXCERPT`] input bytes
///    (≤ 3 × that after U+FFFD repair);
/// 6. on every JSON line, the fast envelope scan agrees with the serde visitor
///    (`record::agrees`: the scan gives up, or serde accepts the line and reads it the same).
/// 7. under [`Messages::Notable`] the chunk gives the same facts in the same order, except
///    that each run of plain lines (untyped, below WARN, naming no session) is one
///    [`FactKind::PlainLines`] counting them, timed by the newest, at the last one's origin.
pub fn log_lines(data: &[u8]) {
    let path: Arc<str> = Arc::from("fuzz.log");
    let mut chunk = Vec::new();
    let mut chunk_parser = LineParser::new();
    let seen = chunk_parser.parse_chunk(data, &path, 1, &mut chunk);

    let pieces: Vec<&[u8]> = split_lines(data);
    assert_eq!(seen, pieces.len() as u64, "line count");

    let mut single = Vec::new();
    let mut single_parser = LineParser::new();
    let mut last_good: Option<DateTime<Utc>> = None;
    for (i, line) in pieces.iter().enumerate() {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let n = i as u64 + 1;
        if let Ok(text) = std::str::from_utf8(line) {
            let text = text.trim_ascii();
            if text.starts_with('{') {
                assert!(record::agrees(text), "line {n}: fast scan != serde");
            }
        }
        let origin = crate::fact::Origin::line(SourceKind::Log, path.clone(), n);
        let fact = single_parser.parse(line, origin.clone());
        let alone = LineParser::new().parse(line, origin);
        assert_eq!(
            is_corrupt(&fact),
            is_corrupt(&alone),
            "line {n}: state changed corruption"
        );
        check_fact(&fact, last_good);
        if !is_corrupt(&fact) {
            last_good = Some(fact.at);
        }
        single.push(fact);
    }
    assert_eq!(chunk.len(), single.len(), "one fact per non-blank line");
    for (c, s) in chunk.iter().zip(&single) {
        assert!(same(c, s), "chunk parse == line parse:\n{c:?}\n{s:?}");
    }
    assert_eq!(chunk_parser.last_time(), last_good, "last_time");
    assert_eq!(single_parser.last_time(), last_good, "last_time (lines)");
    check_notable(data, &path, &single);
}

/// Invariant 7: the [`Messages::Notable`] chunk parse against the full line-by-line facts.
fn check_notable(data: &[u8], path: &Arc<str>, single: &[Fact]) {
    let mut notable = Vec::new();
    LineParser::with_messages(Messages::Notable).parse_chunk(data, path, 1, &mut notable);
    let plain = |f: &Fact| match &f.kind {
        FactKind::Log(l) => l.event.is_none() && l.level < Level::Warn && l.session.is_none(),
        _ => false,
    };
    let mut i = 0;
    for (k, n) in notable.iter().enumerate() {
        match n.kind {
            FactKind::PlainLines { lines } => {
                let run = &single[i..i + lines as usize];
                assert!(
                    lines > 0 && run.iter().all(plain),
                    "run {k}: plain lines only"
                );
                let next_plain = single.get(i + lines as usize).is_some_and(plain);
                assert!(
                    !next_plain,
                    "run {k}: a run takes every plain line in a row"
                );
                assert_eq!(Some(n.at), run.iter().map(|f| f.at).max(), "run {k}: time");
                assert_eq!(n.origin, run[run.len() - 1].origin, "run {k}: origin");
                i += lines as usize;
            }
            _ => {
                let s = &single[i];
                assert!(!plain(s), "fact {k}: a plain line was kept");
                assert_eq!((n.at, &n.origin), (s.at, &s.origin), "fact {k}");
                i += 1;
            }
        }
    }
    assert_eq!(i, single.len(), "every line accounted for");
}

/// The lines of `data` as `parse_chunk` sees them: split on `\n`, the empty piece after a final
/// `\n` (or of empty input) is not a line.
fn split_lines(data: &[u8]) -> Vec<&[u8]> {
    let mut pieces: Vec<&[u8]> = data.split(|b| *b == b'\n').collect();
    if pieces.last().is_some_and(|l| l.is_empty()) {
        pieces.pop();
    }
    pieces
}

/// Field-by-field equality of two log facts (cheaper than comparing their `Debug` text).
fn same(a: &Fact, b: &Fact) -> bool {
    a.at == b.at
        && a.origin == b.origin
        && match (&a.kind, &b.kind) {
            (FactKind::Log(x), FactKind::Log(y)) => {
                (
                    x.level,
                    &x.subsystem,
                    &x.message,
                    &x.session,
                    &x.agent_id,
                    &x.hostname,
                ) == (
                    y.level,
                    &y.subsystem,
                    &y.message,
                    &y.session,
                    &y.agent_id,
                    &y.hostname,
                ) && (x.event == y.event || format!("{:?}", x.event) == format!("{:?}", y.event))
            }
            (
                FactKind::CorruptLine { error, excerpt },
                FactKind::CorruptLine {
                    error: e2,
                    excerpt: x2,
                },
            ) => (error, excerpt) == (e2, x2),
            _ => false,
        }
}

fn is_corrupt(f: &Fact) -> bool {
    matches!(f.kind, FactKind::CorruptLine { .. })
}

fn check_fact(f: &Fact, last_good: Option<DateTime<Utc>>) {
    assert!(matches!(f.origin.locator, Locator::Line { line } if line >= 1));
    match &f.kind {
        FactKind::Log(l) => assert!(l.message.len() <= MAX_MESSAGE, "message cap"),
        FactKind::CorruptLine { excerpt, .. } => {
            assert!(excerpt.len() <= 3 * MAX_EXCERPT, "excerpt cap");
            assert_eq!(f.at, last_good.unwrap_or_default(), "corrupt line time");
        }
        other => panic!("a log line gave {other:?}"),
    }
}
