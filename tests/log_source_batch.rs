//! The log source parses a backlog in batches on several threads; the facts must be exactly
//! those of parsing the same lines one by one (same kinds, times, line numbers, order), also
//! around blank lines, a batch boundary and an over-long line. Input: the real captured log.

mod common;

use std::io::Write;
use std::sync::Arc;

use lanetop::fact::{Fact, Origin, SourceKind};
use lanetop::ingest::discover::LogTarget;
use lanetop::ingest::log::LineParser;
use lanetop::ingest::log_source::{BATCH_BYTES, LogSource};
use lanetop::ingest::tail::TailOptions;

fn pump_all(path: &std::path::Path, opts: TailOptions) -> Vec<Fact> {
    let mut src = LogSource::new(LogTarget::File(path.to_path_buf()), opts);
    let mut facts = Vec::new();
    src.pump(&|| true, &mut |f| facts.push(f));
    facts
}

/// Line by line, as the source did before batching.
fn one_by_one(bytes: &[u8], path: &str) -> Vec<Fact> {
    let path: Arc<str> = Arc::from(path);
    let mut p = LineParser::new();
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, l)| p.parse(l, Origin::line(SourceKind::Log, path.clone(), i as u64 + 1)))
        .collect()
}

fn debug(facts: &[Fact]) -> Vec<String> {
    facts.iter().map(|f| format!("{f:?}")).collect()
}

#[test]
fn batched_parallel_parse_equals_line_by_line() {
    let real = std::fs::read(common::openclaw("captured/logs/openclaw.log")).unwrap();
    let lines = real.iter().filter(|b| **b == b'\n').count();
    assert_eq!(lines, 2698);
    // Enough copies to fill more than one batch, with blank lines between copies.
    let copies = BATCH_BYTES / real.len() + 2;
    let mut bytes = Vec::new();
    for _ in 0..copies {
        bytes.extend_from_slice(&real);
        bytes.extend_from_slice(b"\n   \n");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openclaw.log");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    let got = pump_all(&path, TailOptions::default());
    let want = one_by_one(&bytes, &path.to_string_lossy());
    assert_eq!(got.len(), copies * (lines + 2));
    assert_eq!(got.len(), want.len());
    // Both blank lines of each gap are corrupt-line facts, as line by line.
    let corrupt = got
        .iter()
        .filter(|f| matches!(f.kind, lanetop::fact::FactKind::CorruptLine { .. }))
        .count();
    assert_eq!(corrupt, copies * 2);
    let (g, w) = (debug(&got), debug(&want));
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        assert_eq!(a, b, "fact {i} differs");
    }
}

#[test]
fn overlong_line_in_a_backlog_keeps_line_numbers() {
    let real = std::fs::read(common::openclaw("captured/logs/openclaw.log")).unwrap();
    let mut bytes = real.clone();
    bytes.extend(std::iter::repeat_n(b'x', 5000));
    bytes.push(b'\n');
    bytes.extend_from_slice(&real);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openclaw.log");
    std::fs::write(&path, &bytes).unwrap();
    let opts = TailOptions {
        max_line: 4096,
        ..TailOptions::default()
    };
    let got = pump_all(&path, opts);
    assert_eq!(got.len(), 2 * 2698 + 1);
    let want = one_by_one(&bytes, &path.to_string_lossy());
    // Everything but the over-long line (2699) is the same as line by line.
    for (i, (a, b)) in debug(&got).iter().zip(&debug(&want)).enumerate() {
        if i != 2698 {
            assert_eq!(a, b, "fact {i} differs");
        }
    }
    let f = &got[2698];
    assert!(matches!(
        f.origin.locator,
        lanetop::fact::Locator::Line { line: 2699 }
    ));
    assert!(matches!(
        f.kind,
        lanetop::fact::FactKind::CorruptLine { .. }
    ));
}

/// `Messages::Notable` (`lanetop report`): the same facts, batched on the parser threads, except
/// that a run of plain lines (untyped, below WARN, naming no session) is one `PlainLines` fact
/// counting them, timed by the newest and placed at the last; other untyped lines below WARN
/// carry no text; typed and WARN+ lines keep theirs.
#[test]
fn notable_messages_count_plain_lines_and_keep_the_text_of_notable_ones() {
    use lanetop::fact::{FactKind, Level};
    use lanetop::ingest::log::Messages;
    let real = std::fs::read(common::openclaw("captured/logs/openclaw.log")).unwrap();
    let copies = BATCH_BYTES / real.len() + 2;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openclaw.log");
    let mut f = std::fs::File::create(&path).unwrap();
    for _ in 0..copies {
        f.write_all(&real).unwrap();
    }
    drop(f);
    let all = pump_all(&path, TailOptions::default());
    let mut src = LogSource::new(LogTarget::File(path.clone()), TailOptions::default())
        .keep_messages(Messages::Notable);
    let mut notable = Vec::new();
    src.pump(&|| true, &mut |f| notable.push(f));
    let plain = |f: &Fact| match &f.kind {
        FactKind::Log(l) => l.event.is_none() && l.level < Level::Warn && l.session.is_none(),
        _ => false,
    };
    let (mut counted, mut runs, mut emptied, mut kept) = (0u64, 0, 0, 0);
    let mut next = notable.iter().enumerate().peekable();
    let mut i = 0;
    while i < all.len() {
        let (k, n) = next
            .next()
            .unwrap_or_else(|| panic!("fact {i}: notable ended"));
        if plain(&all[i]) {
            let FactKind::PlainLines { lines } = n.kind else {
                panic!("fact {i}: a plain line gave notable fact {k} {n:?}");
            };
            let run = &all[i..i + lines as usize];
            assert!(
                run.iter().all(plain),
                "notable fact {k}: counts only plain lines"
            );
            assert!(
                all.get(i + lines as usize).is_none_or(|f| !plain(f))
                    || all[i + lines as usize].origin.path != n.origin.path
                    || next
                        .peek()
                        .is_some_and(|(_, f)| matches!(f.kind, FactKind::PlainLines { .. })),
                "notable fact {k}: a run ends at a notable line or a batch edge"
            );
            let newest = run.iter().map(|f| f.at).max();
            assert_eq!(Some(n.at), newest, "notable fact {k}: timed by the newest");
            assert_eq!(
                n.origin,
                run[run.len() - 1].origin,
                "notable fact {k}: origin"
            );
            counted += lines;
            runs += 1;
            i += lines as usize;
            continue;
        }
        let a = &all[i];
        let (FactKind::Log(a_log), FactKind::Log(n_log)) = (&a.kind, &n.kind) else {
            assert_eq!(format!("{a:?}"), format!("{n:?}"), "fact {i}");
            i += 1;
            continue;
        };
        if a_log.event.is_none() && a_log.level < Level::Warn {
            assert_eq!(n_log.message, "", "fact {i}: an untyped line keeps no text");
            emptied += 1;
        } else {
            assert_eq!(n_log.message, a_log.message, "fact {i}: notable text kept");
            kept += 1;
        }
        let mut same = (**n_log).clone();
        same.message = a_log.message.clone();
        assert_eq!(
            format!("{same:?}"),
            format!("{a_log:?}"),
            "fact {i}: all but the text is the same"
        );
        assert_eq!((a.at, &a.origin), (n.at, &n.origin), "fact {i}");
        i += 1;
    }
    assert!(next.next().is_none(), "no notable fact left over");
    // The captured log has all kinds: plain lines in runs, untyped lines naming a session,
    // and typed or WARN+ ones.
    assert_eq!(counted as usize, all.iter().filter(|f| plain(f)).count());
    assert!(
        counted > 1000 && runs > 100 && (runs as u64) < counted && kept > 100,
        "counted {counted} in {runs} runs, emptied {emptied}, kept {kept}"
    );
}
