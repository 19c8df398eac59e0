//! Fuzz target `rpc_frame`: the harness body is `lanetop::fuzzing::rpc_frame` (shared with
//! `tests/fuzz_corpus.rs`, which replays `fuzz/corpus/rpc_frame/` and `fuzz/regressions/rpc_frame/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lanetop::fuzzing::rpc_frame(data));
