//! lanetop: a live terminal operations console for OpenClaw gateways.
//!
//! Data flows one way (see `../shared/design/ARCHITECTURE.md`):
//! sources ([`ingest`]) → typed [`fact::Fact`]s → [`update`] → [`domain::Model`] → [`ui`] render,
//! and the same model → [`report`].

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod fact;
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway;
pub mod guard;
pub mod ingest;
pub mod msg;
pub mod offline;
pub mod prices;
pub mod report;
pub mod screenshot;
pub mod stats;
pub mod terminal;
pub mod ui;
pub mod update;
pub mod watch;

/// The global allocator lanetop's binary (and its benches) use: mimalloc, built without
/// transparent huge pages (`no_thp`), with freed pages returned to the OS after
/// [`PURGE_DELAY_MS`] ([`tune_allocator`]). The ingest pipeline allocates a few short-lived
/// strings per log line on the parser threads and frees them on the folding thread; `lanetop
/// report` over the 100 MB bench log took 0.31 s (40 MB peak RSS) with glibc's malloc and
/// 0.15 s (39 MB) with this (BENCHMARKS.md). Declare it in each binary:
/// `#[global_allocator] static ALLOC: lanetop::Allocator = lanetop::Allocator {};` and call
/// [`tune_allocator`] first thing in `main`.
pub type Allocator = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_e`, mimalloc v3
/// `include/mimalloc.h`; checked by `MIMALLOC_VERBOSE=1`, which lists the options in order).
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

/// How long (ms) mimalloc keeps freed pages before returning them to the OS. mimalloc's default
/// (1000) let a backlog's transient batches stay resident: `lanetop report` on 1 GB peaked at
/// 72 MB; 0 returned them at once but re-faulting them cost ~15 % more time (2.08 s vs 1.80 s,
/// 55 MB); 5 ms gave 1.80 s and 58 MB (BENCHMARKS.md, session 3).
pub const PURGE_DELAY_MS: std::os::raw::c_long = 5;

/// Apply [`PURGE_DELAY_MS`] unless `MIMALLOC_PURGE_DELAY` is set in the environment (then
/// mimalloc reads that).
pub fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return; // the operator's (or a benchmark's) choice
    }
    // SAFETY: mi_option_set only stores an option value; any value is valid for purge_delay.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
}
