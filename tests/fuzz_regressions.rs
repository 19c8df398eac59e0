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
    assert!(
        t.elapsed().as_secs() < 20,
        "bounded work: {:?}",
        t.elapsed()
    );
    // A small compressed event still decodes, byte for byte.
    let line = br#"{"type":"message","id":"a1","message":{"role":"user","content":"hi"}}"#;
    let blob = zstd::encode_all(&line[..], 3).expect("compress");
    assert_eq!(lanetop::fuzzing::zstd_event_len(&blob), Ok(line.len()));
}

/// Found while writing the `config` target (the `json5` crate recurses per level with no
/// limit), confirmed with the fuzz binary: `{a:` + 50,000 `[` … `]` + `}` killed the process
/// with SIGSEGV (stack overflow) before the fix. Now a `Format` error names the limit, and
/// nesting up to the limit (also inside strings and comments, which do not count) still parses.
#[test]
fn deeply_nested_config_is_an_error_not_a_stack_overflow() {
    use lanetop::ingest::config::{MAX_DEPTH, parse_config};
    use lanetop::ingest::store::StoreError;
    let data = input("config", "deep-nesting-50000");
    assert_eq!(data.len(), 100_004);
    let text = std::str::from_utf8(&data).expect("utf-8");
    let path = Path::new("openclaw.json");
    match parse_config(text, path) {
        Err(StoreError::Format { message, .. }) => {
            assert_eq!(message, "invalid JSON5: nested deeper than 128 levels");
        }
        other => panic!("{other:?}"),
    }
    let ok = format!(
        "{{gateway: {{port: 18789}}, x: {}{}, s: '{}', /* {} */}}",
        "[".repeat(MAX_DEPTH - 2),
        "]".repeat(MAX_DEPTH - 2),
        "[".repeat(500),
        "{".repeat(500),
    );
    let facts = parse_config(&ok, path).expect("within the limit");
    assert_eq!(facts.gateway_port, Some(18789));
    let over = format!("{{x: {}{}}}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse_config(&over, path).is_err());
    let real = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/openclaw/captured/config/openclaw.json");
    let real = std::fs::read_to_string(real).expect("captured openclaw.json");
    assert!(
        parse_config(&real, path).is_ok(),
        "the captured config still parses"
    );
}

/// Found by the `rpc_frame` target after 697,771 executions: an event whose payload holds a
/// 72-digit number (7444…4686415000) did not survive re-encoding: serde_json's default float
/// parser (no `float_roundtrip` feature) reads it 1 ULP off (7.444444444444446e71), and the
/// shortest printing of that re-parses to 7.444444444444445e71. Harmless for lanetop (RPC
/// numbers are counts, ms and USD with few digits); the harness now compares floats within
/// 4 ULPs. The frame decodes to an event with no name and that number.
#[test]
fn long_float_in_event_payload_reencodes_within_ulps() {
    use lanetop::gateway::frame::{Frame, decode_frame};
    let data = input("rpc_frame", "float-72-digits-reencoded");
    assert_eq!(data.len(), 125);
    let text = std::str::from_utf8(&data).expect("utf-8");
    let Ok(Frame::Event(ev)) = decode_frame(text) else {
        panic!("not an event")
    };
    assert_eq!(ev.event, "", "the key is `xvnt`, not `event`");
    let x = ev.payload["18"].as_f64().expect("a number");
    assert!((x - 7.444_444_444_444_445e71).abs() <= 2.0 * f64::EPSILON * x);
    lanetop::fuzzing::rpc_frame(&data);
}

/// Found by the `transcript` (13,895 executions) and `sqlite_event` (361,232 executions)
/// targets: an entry with `"id":""` decodes with no id (the decoders treat an empty string as
/// absent), while the harness expected `Some("")`. Behaviour kept (real ids are 8 hex chars or a
/// UUID); the harness now states it. Both inputs replay clean through their harness.
#[test]
fn empty_entry_id_is_no_id() {
    for (target, h) in [
        ("transcript", lanetop::fuzzing::transcript as fn(&[u8])),
        ("sqlite_event", lanetop::fuzzing::sqlite_event),
    ] {
        let data = input(target, "empty-id");
        assert!(data.windows(7).any(|w| w == b"\"id\":\"\""), "{target}");
        h(&data);
    }
}

/// Found by the `transcript` target (session 3, within its first minute): an assistant entry
/// whose `usage` has no `totalTokens` and token counts summing past `u64::MAX` panicked with
/// "attempt to add with overflow" (debug builds, as the tests run; release wrapped silently to
/// a wrong total). Counts are now clamped to 10^12 tokens per turn (exact values checked by
/// the unit test `ingest::sqlite::transcript::tests::token_counts_are_clamped`). Input: the captured legacy
/// transcript's first assistant entry with `input` = `u64::MAX`.
#[test]
fn token_counts_near_u64_max_saturate() {
    let data = input("transcript", "token-sum-overflow");
    assert!(data.windows(20).any(|w| w == b"18446744073709551615"));
    lanetop::fuzzing::transcript(&data);
}
