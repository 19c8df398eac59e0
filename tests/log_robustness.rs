//! Bad input never panics: every prefix and byte-damaged variant of real lines (JSONL and
//! console) parses to a `Log` or `CorruptLine` fact.

mod log_support;

use std::sync::Arc;

use lanetop::fact::{FactKind, Origin, SourceKind};
use lanetop::ingest::log::LineParser;
use log_support::*;

fn lines(rel: &str, every: usize) -> Vec<Vec<u8>> {
    read(rel)
        .split(|&b| b == b'\n')
        .step_by(every)
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn truncated_and_damaged_lines_never_panic() {
    let mut p = LineParser::new();
    let o = || Origin::line(SourceKind::Log, Arc::from("fuzz"), 1);
    let (mut log_facts, mut corrupt) = (0, 0);
    for rel in [
        "captured/logs/openclaw.log",
        "captured-legacy/logs/openclaw.log",
        "captured/logs/gateway.console.log",
    ] {
        for line in lines(rel, 37) {
            for cut in (0..line.len()).step_by(13) {
                let mut variants = vec![line[..cut].to_vec()];
                let mut flipped = line.clone();
                flipped[cut] ^= 0x80;
                variants.push(flipped);
                let mut quoted = line.clone();
                quoted[cut] = b'"';
                variants.push(quoted);
                for v in variants {
                    match p.parse(&v, o()).kind {
                        FactKind::Log(_) => log_facts += 1,
                        FactKind::CorruptLine { .. } => corrupt += 1,
                        other => panic!("unexpected {other:?}"),
                    }
                }
            }
        }
    }
    assert!(
        log_facts > 1000 && corrupt > 1000,
        "both outcomes exercised: {log_facts} / {corrupt}"
    );
}
