//! Fuzz target `sqlite_event`: the harness body is `lanetop::fuzzing::sqlite_event` (shared with
//! `tests/fuzz_corpus.rs`, which replays `fuzz/corpus/sqlite_event/` and `fuzz/regressions/sqlite_event/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanetop::fuzzing::sqlite_event(data));
