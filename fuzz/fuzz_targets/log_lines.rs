//! Fuzz target `log_lines`: the harness body is `lanetop::fuzzing::log_lines` (shared with
//! `tests/fuzz_corpus.rs`, which replays `fuzz/corpus/log_lines/` and `fuzz/regressions/log_lines/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanetop::fuzzing::log_lines(data));
