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
/// transparent huge pages (`no_thp`), freed pages returned at once ([`tune_allocator`]). The
/// ingest pipeline allocates a few short-lived strings per log line on the parser threads and
/// frees them on the folding thread; with glibc's malloc the 100 MB backlog took 0.31 s and
/// 40 MB peak RSS, with this 0.23 s and 36 MB (BENCHMARKS.md). Declare it in each binary:
/// `#[global_allocator] static ALLOC: lanetop::Allocator = lanetop::Allocator {};` and call
/// [`tune_allocator`] first thing in `main`.
pub type Allocator = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_e`, mimalloc v3
/// `include/mimalloc.h`; checked by `MIMALLOC_VERBOSE=1`, which lists the options in order).
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

/// Return freed memory to the OS at once instead of after mimalloc's default 1 s: a backlog's
/// transient batches otherwise stay resident and set the peak RSS (36 vs 47 MB on 100 MB).
pub fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return; // the operator's (or a benchmark's) choice
    }
    // SAFETY: mi_option_set only stores an option value; any value is valid for purge_delay.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}
