//! Directory watching: wake an ingest loop when something changes in the watched dirs.
//!
//! Uses notify 8's recommended watcher (inotify on Linux) on each *directory*, never on files
//! (renames and re-creations would lose a file watch). Optionally debounced with
//! notify-debouncer-full (store readers: SQLite writes come in bursts). When a dir cannot be
//! watched (missing, inotify limits) or polling is forced, [`DirWatcher::wait`] simply times out
//! and the caller re-reads on its poll interval; missing (or removed) dirs are retried on every
//! wait.
//! Watching never writes anything.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// How often a wait whose channel has lost every sender checks the stop flag. A fallback only:
/// the watcher, then the [`Stop`] it waited on, always holds one sender.
const STOP_SLICE: Duration = Duration::from_millis(100);

/// A stop flag for the ingest threads that also wakes every [`DirWatcher::wait`] blocked on it,
/// so an idle thread needs no periodic wake-up to notice a stop (it used to wake every 100 ms:
/// ~20 wake-ups a second between the store and log threads of an idle console).
#[derive(Debug, Default)]
pub struct Stop {
    flag: AtomicBool,
    wakers: Mutex<Vec<SyncSender<Vec<PathBuf>>>>,
}

impl Stop {
    /// Whether [`set`](Self::set) was called.
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Set the flag and wake every watcher that has waited on it.
    pub fn set(&self) {
        self.flag.store(true, Ordering::SeqCst);
        let wakers = self.wakers.lock().unwrap_or_else(|e| e.into_inner());
        for w in wakers.iter() {
            // Full: a wake-up is pending anyway.
            let _ = w.try_send(Vec::new());
        }
    }

    fn register(&self, waker: SyncSender<Vec<PathBuf>>) {
        self.wakers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(waker);
    }
}

/// Event batches queued between the notify thread and the waiting loop.
const QUEUE: usize = 64;

enum Backend {
    Raw(RecommendedWatcher),
    Debounced(Debouncer<RecommendedWatcher, RecommendedCache>),
}

impl Backend {
    fn watch(&mut self, dir: &std::path::Path) -> notify::Result<()> {
        match self {
            Backend::Raw(w) => w.watch(dir, RecursiveMode::NonRecursive),
            Backend::Debounced(d) => d.watch(dir, RecursiveMode::NonRecursive),
        }
    }
}

/// What changed since the last wait.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Paths named by the events (files or dirs inside the watched dirs).
    pub paths: Vec<PathBuf>,
    /// Events were lost (queue full, kernel queue overflow): assume everything changed.
    pub overflowed: bool,
}

impl Changes {
    /// Whether `path` may have changed.
    pub fn touches(&self, path: &std::path::Path) -> bool {
        self.overflowed || self.paths.iter().any(|p| p == path)
    }
}

/// Wakes on changes inside a set of directories (non-recursive).
pub struct DirWatcher {
    rx: Receiver<Vec<PathBuf>>,
    /// A sender of `rx`'s channel, handed to the [`Stop`] of the first wait (which wakes it with
    /// an empty change list); `None` once handed over.
    waker: Option<SyncSender<Vec<PathBuf>>>,
    overflow: Arc<AtomicBool>,
    backend: Option<Backend>,
    dirs: Vec<(PathBuf, bool)>,
}

impl DirWatcher {
    /// Watch `dirs`. `debounce`: coalesce bursts (notify-debouncer-full) for this long;
    /// `force_poll`: do not use notify at all (every [`DirWatcher::wait`] times out).
    pub fn new(dirs: Vec<PathBuf>, debounce: Option<Duration>, force_poll: bool) -> Self {
        let (tx, rx) = sync_channel(QUEUE);
        let overflow = Arc::new(AtomicBool::new(false));
        let notifier = Notifier {
            tx: tx.clone(),
            overflow: overflow.clone(),
        };
        let backend = if force_poll {
            None
        } else {
            make_backend(notifier, debounce)
        };
        let mut dirs: Vec<(PathBuf, bool)> = dirs.into_iter().map(|d| (d, false)).collect();
        dirs.sort();
        dirs.dedup();
        let mut w = DirWatcher {
            rx,
            waker: Some(tx),
            overflow,
            backend,
            dirs,
        };
        w.rewatch();
        w
    }

    /// Also watch `dir` (no-op when already watched).
    pub fn add_dir(&mut self, dir: PathBuf) {
        if !self.dirs.iter().any(|(d, _)| *d == dir) {
            self.dirs.push((dir, false));
            self.rewatch();
        }
    }

    /// Whether every dir is watched by notify (else the caller must poll on a short interval).
    pub fn is_live(&self) -> bool {
        self.backend.is_some() && self.dirs.iter().all(|(_, ok)| *ok)
    }

    /// Try to watch dirs that could not be watched before (they may exist now).
    fn rewatch(&mut self) {
        let Some(b) = &mut self.backend else { return };
        for (dir, ok) in &mut self.dirs {
            let exists = dir.is_dir();
            if !*ok && exists {
                *ok = b.watch(dir).is_ok();
            } else if *ok && !exists {
                // Removed: the kernel dropped the watch; set it again once the dir is back.
                *ok = false;
            }
        }
    }

    /// Block until a change arrives, `timeout` passes, or `stop` is set (which wakes the wait
    /// at once). Returns the changes (all pending events coalesced), `None` on timeout or stop.
    pub fn wait(&mut self, timeout: Duration, stop: &Stop) -> Option<Changes> {
        if let Some(waker) = self.waker.take() {
            stop.register(waker);
        }
        self.rewatch();
        let deadline = Instant::now() + timeout;
        loop {
            if stop.is_set() {
                return None;
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            match self.rx.recv_timeout(deadline - now) {
                Ok(_) if stop.is_set() => return None,
                Ok(mut paths) => {
                    while let Ok(more) = self.rx.try_recv() {
                        paths.extend(more);
                    }
                    let overflowed = self.overflow.swap(false, Ordering::Relaxed);
                    return Some(Changes { paths, overflowed });
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    // Every sender gone (not while a `Stop` holds the waker): sleep in slices.
                    std::thread::sleep((deadline - now).min(STOP_SLICE));
                }
            }
        }
    }
}

/// Hands events to the waiting loop through a bounded queue; when it is full the event is
/// dropped and `overflow` set (the loop then treats everything as changed), so memory stays
/// bounded however fast the files change.
struct Notifier {
    tx: SyncSender<Vec<PathBuf>>,
    overflow: Arc<AtomicBool>,
}

impl Notifier {
    fn send(&self, paths: Vec<PathBuf>) {
        if let Err(TrySendError::Full(_)) = self.tx.try_send(paths) {
            self.overflow.store(true, Ordering::Relaxed);
        }
    }
    fn lost(&self) {
        self.overflow.store(true, Ordering::Relaxed);
        let _ = self.tx.try_send(Vec::new());
    }
}

fn make_backend(n: Notifier, debounce: Option<Duration>) -> Option<Backend> {
    match debounce {
        None => {
            let handler = move |res: notify::Result<notify::Event>| match res {
                Ok(ev) if ev.need_rescan() => n.lost(),
                Ok(ev) if !matches!(ev.kind, EventKind::Access(_)) => n.send(ev.paths),
                Ok(_) => {}
                Err(_) => n.lost(),
            };
            notify::recommended_watcher(handler).ok().map(Backend::Raw)
        }
        Some(d) => {
            let handler = move |res: DebounceEventResult| match res {
                Ok(evs) => {
                    if evs.iter().any(|e| e.event.need_rescan()) {
                        n.lost();
                    }
                    let paths: Vec<PathBuf> = evs
                        .into_iter()
                        .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
                        .flat_map(|e| e.event.paths)
                        .collect();
                    if !paths.is_empty() {
                        n.send(paths);
                    }
                }
                Err(_) => n.lost(),
            };
            // Tick once per debounce period, not notify's default of four times: the debouncer
            // thread is the busiest idle waker otherwise (BENCHMARKS.md, idle CPU).
            new_debouncer(d, Some(d), handler)
                .ok()
                .map(Backend::Debounced)
        }
    }
}
