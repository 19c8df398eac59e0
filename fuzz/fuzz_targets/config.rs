//! Fuzz target `config`: the harness body is `lanetop::fuzzing::config` (shared with
//! `tests/fuzz_corpus.rs`, which replays `fuzz/corpus/config/` and `fuzz/regressions/config/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanetop::fuzzing::config(data));
