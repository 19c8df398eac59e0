//! One test per fuzzing finding (README "Fuzzing"): the minimized input is committed under
//! `fuzz/regressions/<target>/` and replayed here with an exact assertion of the fixed
//! behaviour (`tests/fuzz_corpus.rs` also replays it through the harness).

use std::path::Path;
use std::time::Instant;

fn input(target: &str, name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target)
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Found by review while writing the `sqlite_event` target: `event_zstd` was inflated with
/// `zstd::decode_all`, unbounded. This 9,230-byte blob (`head -c 300000000 /dev/zero | zstd
/// -19`) inflated to 300,000,000 bytes. Now the reader stops at 16 MiB and the row is corrupt.
#[test]
fn zstd_bomb_in_event_zstd_is_refused_not_inflated() {
    let data = input("sqlite_event", "zstd-bomb-300MB");
    assert_eq!(data[0], 1, "selector: event_zstd column");
    assert_eq!(data.len(), 9_231);
    let t = Instant::now();
    let r = lanetop::fuzzing::zstd_event_len(&data[1..]);
    assert_eq!(
        r,
        Err("zstd: event larger than 16 MiB once decompressed".to_owned())
    );
    assert!(t.elapsed().as_secs() < 20, "bounded work: {:?}", t.elapsed());
    // A small compressed event still decodes, byte for byte.
    let line = br#"{"type":"message","id":"a1","message":{"role":"user","content":"hi"}}"#;
    let blob = zstd::encode_all(&line[..], 3).expect("compress");
    assert_eq!(lanetop::fuzzing::zstd_event_len(&blob), Ok(line.len()));
}
