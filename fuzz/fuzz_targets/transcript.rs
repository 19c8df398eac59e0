//! Fuzz target `transcript`: the harness body is `lanetop::fuzzing::transcript` (shared with
//! `tests/fuzz_corpus.rs`, which replays `fuzz/corpus/transcript/` and `fuzz/regressions/transcript/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanetop::fuzzing::transcript(data));
