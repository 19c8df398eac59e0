//! Ingest: find the sources, read and follow them, turn them into [`crate::fact::Fact`]s.
//! Runs off the UI task; memory is bounded.
//!
//! - [`discover`]: where the state dir, config and logs are, and which storage generation.
//! - [`tail`] + [`watch`]: rotation-aware log tailing, woken by directory events.
//! - [`sources`]: store readers picked by generation ([`sources::build_readers`]) and the
//!   config reader; [`log_source`]: a tailer wired to [`log::LineParser`].
//! - [`collect_once`] (report mode) and [`spawn`] (live mode) drive them.

pub mod config;
pub mod discover;
pub mod legacy;
pub mod log;
pub mod log_source;
pub mod parse_pool;
pub mod sources;
pub mod sqlite;
pub mod store;
pub mod tail;
pub mod watch;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::error::TrySendError;

use crate::fact::Fact;
use crate::ingest::discover::{Discovery, LogTarget};
use crate::ingest::log_source::LogSource;
use crate::ingest::sources::{StoreSlot, build_slots, generation_fact};
use crate::ingest::store::StoreReader;
use crate::ingest::tail::TailOptions;
use crate::ingest::watch::{DirWatcher, Stop};
use crate::msg::Msg;

pub use crate::ingest::sources::build_readers;

/// Most facts per batch handed to a sink or sent as one [`Msg::Facts`]. (4096 kept ~7 MB more
/// in flight at the peak of a 1 GB backlog: the batch being filled, the one in the channel and
/// the one being folded.)
pub const BATCH: usize = 1024;

/// Read every source once and hand the facts to `sink` in batches of at most [`BATCH`], in
/// order per source: the config ([`crate::fact::FactKind::Config`]) first, then the
/// [`crate::fact::FactKind::Generation`], then every store reader once, then the log backlog
/// (files of each target modified in the last 24 h), each target followed by its
/// `SourceHealth`. Synchronous; used by `lanetop report`.
pub fn collect_once(discovery: &Discovery, sink: &mut dyn FnMut(Vec<Fact>)) {
    collect_once_with(discovery, &OnceOptions::default(), sink)
}

/// Options of a one-shot read ([`collect_once_with`]).
#[derive(Debug, Clone, Default)]
pub struct OnceOptions {
    /// Tailer options (e.g. no backlog age limit).
    pub tail: TailOptions,
    /// Which log lines keep their text ([`log::Messages::Notable`] when no Logs view will
    /// show them, as in `lanetop report`).
    pub messages: log::Messages,
}

/// [`collect_once`] with explicit options.
///
/// The config and the stores are read on the caller's thread; the log backlog is read on a
/// thread of its own and parsed on up to [`log_source::PARSE_THREADS`] persistent threads
/// ([`parse_pool`]); `sink` is always called on the caller's thread, in order.
pub fn collect_once_with(
    discovery: &Discovery,
    opts: &OnceOptions,
    sink: &mut dyn FnMut(Vec<Fact>),
) {
    let mut out = |b: Vec<Fact>| {
        sink(b);
        true
    };
    {
        let mut batch = Batcher::new(&mut out);
        let mut slots = build_slots(discovery);
        let config_slots = slots.iter().take_while(|s| s.is_config()).count();
        for slot in &mut slots[..config_slots] {
            slot.poll(&mut |f| batch.push(f));
        }
        if let Some(f) = generation_fact(discovery) {
            batch.push(f);
        }
        for slot in &mut slots[config_slots..] {
            slot.poll(&mut |f| batch.push(f));
        }
        batch.flush();
    }
    // The log backlog is read (and its batches handed to the parser threads) on a thread of
    // its own, so the caller's thread only folds: on 2 cores the read, the parse and the fold
    // then overlap (BENCHMARKS.md). Up to 5 batches wait in the channel: with 1 (session 4)
    // the reader and the parser threads stalled whenever a fold ran long, leaving a core idle
    // (1 GB report ~4 % slower); each waiting batch is ~0.3 MB of facts.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Fact>>(4);
    std::thread::scope(|s| {
        let reader = std::thread::Builder::new()
            .name("lanetop-backlog".into())
            .spawn_scoped(s, move || {
                read_logs_once(discovery, opts, &mut |b| tx.send(b).is_ok());
            });
        match reader {
            Ok(_) => rx.into_iter().for_each(|b| {
                out(b);
            }),
            // No thread: read on this one.
            Err(_) => read_logs_once(discovery, opts, &mut out),
        }
    });
}

/// Every log target's backlog, each followed by its `SourceHealth`, in batches to `out`.
fn read_logs_once(
    discovery: &Discovery,
    opts: &OnceOptions,
    out: &mut dyn FnMut(Vec<Fact>) -> bool,
) {
    let mut batch = Batcher::new(out);
    for target in &discovery.logs {
        let mut src =
            LogSource::new(target.clone(), opts.tail.clone()).keep_messages(opts.messages);
        src.pump(&|| true, &mut batch);
        if let Some(h) = src.health_fact(true) {
            batch.push(h);
        }
    }
    batch.flush();
}

/// Live-mode tuning.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Tailer options (poll mode, backlog age, line cap).
    pub tail: TailOptions,
    /// Quiet time before store readers are polled after a change (notify-debouncer-full; its
    /// thread also wakes once per this period, so a store change is read within about twice
    /// this). Default 200 ms.
    pub debounce: Duration,
    /// Store readers are polled at least this often even without events.
    pub store_safety_poll: Duration,
    /// Log dirs are re-read at least this often even without events (when notify works; a
    /// fallback for missed events, not the way new lines arrive). Default 5 s.
    pub log_safety_poll: Duration,
    /// A log health fact is re-sent at least this often.
    pub health_every: Duration,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            tail: TailOptions::default(),
            debounce: Duration::from_millis(200),
            store_safety_poll: Duration::from_secs(5),
            log_safety_poll: Duration::from_secs(5),
            health_every: Duration::from_secs(10),
        }
    }
}

/// Handle to the running ingest threads; dropping it stops them (and waits for them to exit).
pub struct IngestHandle {
    stop: Arc<Stop>,
    threads: Vec<JoinHandle<()>>,
}

impl IngestHandle {
    /// Number of ingest threads running (one per log target, one for config + stores).
    pub fn threads(&self) -> usize {
        self.threads.len()
    }
}

impl Drop for IngestHandle {
    fn drop(&mut self) {
        self.stop.set();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Start following every source of `discovery` on std threads; batches of facts are sent on
/// `tx` as [`Msg::Facts`] (config first, then stores; each log target: backlog, then live).
/// The channel is bounded: when it is full the ingest threads wait (backpressure). Threads end
/// when the handle is dropped or the receiver is closed.
pub fn spawn(discovery: &Discovery, tx: tokio::sync::mpsc::Sender<Msg>) -> IngestHandle {
    spawn_with(discovery, tx, IngestOptions::default())
}

/// Drive arbitrary store readers like [`spawn`] drives the discovered ones: poll each once,
/// then again whenever one of its [`StoreReader::watch_paths`] changes (debounced) and on the
/// safety poll. `kind` is the origin kind of each reader's health facts.
pub fn spawn_readers(
    readers: Vec<(crate::fact::SourceKind, Box<dyn StoreReader>)>,
    tx: tokio::sync::mpsc::Sender<Msg>,
    opts: IngestOptions,
) -> IngestHandle {
    let stop = Arc::new(Stop::default());
    let slots = readers
        .into_iter()
        .map(|(k, r)| StoreSlot::from_reader(k, r))
        .collect();
    let stop2 = stop.clone();
    let t = std::thread::Builder::new()
        .name("ingest-readers".into())
        .spawn(move || store_loop(slots, None, None, tx, stop2, opts));
    IngestHandle {
        stop,
        threads: t.into_iter().collect(),
    }
}

/// [`spawn`] with explicit options (e.g. forced poll mode for tests).
pub fn spawn_with(
    discovery: &Discovery,
    tx: tokio::sync::mpsc::Sender<Msg>,
    opts: IngestOptions,
) -> IngestHandle {
    let stop = Arc::new(Stop::default());
    let mut threads = Vec::new();
    let slots = build_slots(discovery);
    let generation = generation_fact(discovery);
    let (tx2, stop2, opts2) = (tx.clone(), stop.clone(), opts.clone());
    let d2 = discovery.clone();
    let t = std::thread::Builder::new()
        .name("ingest-stores".into())
        .spawn(move || store_loop(slots, generation, Some(d2), tx2, stop2, opts2));
    threads.extend(t.ok());
    for (i, target) in discovery.logs.iter().enumerate() {
        let (tx, stop, opts, target) = (tx.clone(), stop.clone(), opts.clone(), target.clone());
        let t = std::thread::Builder::new()
            .name(format!("ingest-log-{i}"))
            .spawn(move || log_loop(target, tx, stop, opts));
        threads.extend(t.ok());
    }
    IngestHandle { stop, threads }
}

fn store_loop(
    mut slots: Vec<StoreSlot>,
    generation: Option<Fact>,
    mut discovery: Option<Discovery>,
    tx: tokio::sync::mpsc::Sender<Msg>,
    stop: Arc<Stop>,
    opts: IngestOptions,
) {
    let dirs = |slots: &[StoreSlot]| -> Vec<PathBuf> {
        slots
            .iter()
            .flat_map(|s| s.watch_paths())
            .filter_map(|p| p.parent().map(|d| d.to_path_buf()))
            .collect()
    };
    // Watch before the first poll, so no change after it is missed.
    let mut watcher = DirWatcher::new(dirs(&slots), Some(opts.debounce), opts.tail.poll);
    let mut send = |b: Vec<Fact>| send_blocking(&tx, b, &stop);
    let mut batch = Batcher::new(&mut send);
    let config_slots = slots.iter().take_while(|s| s.is_config()).count();
    for slot in &mut slots[..config_slots] {
        slot.poll(&mut |f| batch.push(f));
    }
    batch.extend(generation);
    for slot in &mut slots[config_slots..] {
        slot.poll(&mut |f| batch.push(f));
    }
    if !batch.flush() || (slots.is_empty() && discovery.is_none()) {
        return;
    }
    // Opened readers may name more files (e.g. a `-wal` in another dir).
    dirs(&slots).into_iter().for_each(|d| watcher.add_dir(d));
    let mut last_full = Instant::now();
    // Without notify (dirs missing, forced polling) every reader is polled on this period.
    let unwatched_every = if opts.tail.poll {
        opts.tail.poll_interval
    } else {
        Duration::from_secs(1)
    };
    while !stop.is_set() {
        let live = watcher.is_live();
        let timeout = if live {
            opts.store_safety_poll
        } else {
            opts.tail.poll_interval
        };
        let changed = watcher.wait(timeout, &stop);
        if stop.is_set() {
            return;
        }
        let period = if live {
            opts.store_safety_poll
        } else {
            unwatched_every
        };
        let full = last_full.elapsed() >= period;
        if full {
            last_full = Instant::now();
            // Stores that appeared since start (a gateway started on a fresh state dir).
            if let Some(d) = &mut discovery {
                let fresh = discover::refresh(d);
                let generation_changed = fresh.generation != d.generation;
                for slot in build_slots(&fresh) {
                    if !slots.iter().any(|s| s.path() == slot.path()) {
                        slot.watch_paths()
                            .iter()
                            .filter_map(|p| p.parent())
                            .for_each(|dir| watcher.add_dir(dir.to_path_buf()));
                        slots.push(slot);
                    }
                }
                if generation_changed {
                    batch.extend(generation_fact(&fresh));
                }
                *d = fresh;
            }
        }
        for slot in &mut slots {
            let hit = full
                || changed
                    .as_ref()
                    .is_some_and(|c| slot.watch_paths().iter().any(|w| c.touches(w)));
            if hit {
                slot.poll(&mut |f| batch.push(f));
            }
        }
        if !batch.flush() {
            return;
        }
    }
}

fn log_loop(
    target: LogTarget,
    tx: tokio::sync::mpsc::Sender<Msg>,
    stop: Arc<Stop>,
    opts: IngestOptions,
) {
    let mut src = LogSource::new(target, opts.tail.clone());
    let mut watcher = DirWatcher::new(vec![src.dir()], None, opts.tail.poll);
    let mut last_health = Instant::now();
    let closed = AtomicBool::new(false);
    let mut send = |b: Vec<Fact>| {
        let ok = send_blocking(&tx, b, &stop);
        if !ok {
            closed.store(true, Ordering::Relaxed);
        }
        ok
    };
    let mut batch = Batcher::new(&mut send);
    while !stop.is_set() {
        src.pump(
            &|| !closed.load(Ordering::Relaxed) && !stop.is_set(),
            &mut batch,
        );
        let force = last_health.elapsed() >= opts.health_every;
        if let Some(h) = src.health_fact(force) {
            last_health = Instant::now();
            batch.push(h);
        }
        if !batch.flush() {
            return;
        }
        let timeout = if watcher.is_live() {
            opts.log_safety_poll
        } else {
            opts.tail.poll_interval
        };
        watcher.wait(timeout, &stop);
    }
}

/// Send one batch, waiting while the channel is full; false when the receiver is gone or `stop`
/// was set.
fn send_blocking(tx: &tokio::sync::mpsc::Sender<Msg>, batch: Vec<Fact>, stop: &Stop) -> bool {
    let mut msg = Msg::Facts(batch);
    loop {
        match tx.try_send(msg) {
            Ok(()) => return true,
            Err(TrySendError::Closed(_)) => return false,
            Err(TrySendError::Full(m)) => {
                if stop.is_set() {
                    return false;
                }
                msg = m;
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

impl log_source::FactSink for Batcher<'_> {
    fn push(&mut self, fact: Fact) {
        Batcher::push(self, fact);
    }
    fn push_all(&mut self, facts: Vec<Fact>) {
        self.push_vec(facts);
    }
}

/// Collects facts into batches of at most [`BATCH`]; once the output refuses a batch, drops
/// everything after it.
struct Batcher<'a> {
    buf: Vec<Fact>,
    out: &'a mut dyn FnMut(Vec<Fact>) -> bool,
    open: bool,
}

impl<'a> Batcher<'a> {
    fn new(out: &'a mut dyn FnMut(Vec<Fact>) -> bool) -> Self {
        Batcher {
            buf: Vec::new(),
            out,
            open: true,
        }
    }

    fn push(&mut self, f: Fact) {
        if !self.open {
            return;
        }
        self.buf.push(f);
        if self.buf.len() >= BATCH {
            self.flush();
        }
    }

    fn extend(&mut self, facts: impl IntoIterator<Item = Fact>) {
        facts.into_iter().for_each(|f| self.push(f));
    }

    /// Hand on `facts` as one batch when nothing is buffered (the vector moves, the facts are
    /// not copied), else buffer them.
    fn push_vec(&mut self, facts: Vec<Fact>) {
        if !self.open || facts.is_empty() {
            return;
        }
        if self.buf.is_empty() && facts.len() <= BATCH {
            self.open = (self.out)(facts);
        } else {
            self.extend(facts);
        }
    }

    /// Hand over what is buffered; false once the output is gone.
    fn flush(&mut self) -> bool {
        if self.open && !self.buf.is_empty() {
            // The next batch is likely as big as this one: no regrowing from empty.
            let next = Vec::with_capacity(self.buf.len());
            self.open = (self.out)(std::mem::replace(&mut self.buf, next));
        }
        self.open
    }
}
