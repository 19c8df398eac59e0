//! Fuzz target `sessions_json`: the harness body is `lanetop::fuzzing::sessions_json` (shared with
//! `tests/fuzz_corpus.rs`, which replays `fuzz/corpus/sessions_json/` and `fuzz/regressions/sessions_json/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanetop::fuzzing::sessions_json(data));
