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
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// How often a blocked wait checks the stop flag.
const STOP_SLICE: Duration = Duration::from_millis(100);

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

/// Wakes on changes inside a set of directories (non-recursive).
pub struct DirWatcher {
    rx: Receiver<Vec<PathBuf>>,
    backend: Option<Backend>,
    dirs: Vec<(PathBuf, bool)>,
}

impl DirWatcher {
    /// Watch `dirs`. `debounce`: coalesce bursts (notify-debouncer-full) for this long;
    /// `force_poll`: do not use notify at all (every [`DirWatcher::wait`] times out).
    pub fn new(dirs: Vec<PathBuf>, debounce: Option<Duration>, force_poll: bool) -> Self {
        let (tx, rx) = channel();
        let backend = if force_poll {
            None
        } else {
            make_backend(tx, debounce)
        };
        let mut dirs: Vec<(PathBuf, bool)> = dirs.into_iter().map(|d| (d, false)).collect();
        dirs.sort();
        dirs.dedup();
        let mut w = DirWatcher { rx, backend, dirs };
        w.rewatch();
        w
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

    /// Block until a change arrives, `timeout` passes, or `stop` is set. Returns the changed paths
    /// on a change (all pending events coalesced), `None` on timeout or stop.
    pub fn wait(&mut self, timeout: Duration, stop: &AtomicBool) -> Option<Vec<PathBuf>> {
        self.rewatch();
        let deadline = Instant::now() + timeout;
        loop {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            match self.rx.recv_timeout((deadline - now).min(STOP_SLICE)) {
                Ok(mut paths) => {
                    while let Ok(more) = self.rx.try_recv() {
                        paths.extend(more);
                    }
                    return Some(paths);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    // No backend (poll mode): sleep in slices.
                    std::thread::sleep((deadline - now).min(STOP_SLICE));
                }
            }
        }
    }
}

fn make_backend(tx: Sender<Vec<PathBuf>>, debounce: Option<Duration>) -> Option<Backend> {
    match debounce {
        None => {
            let handler = move |res: notify::Result<notify::Event>| {
                if let Ok(ev) = res
                    && !matches!(ev.kind, EventKind::Access(_))
                {
                    let _ = tx.send(ev.paths);
                }
            };
            notify::recommended_watcher(handler).ok().map(Backend::Raw)
        }
        Some(d) => {
            let handler = move |res: DebounceEventResult| {
                if let Ok(evs) = res {
                    let paths: Vec<PathBuf> = evs
                        .into_iter()
                        .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
                        .flat_map(|e| e.event.paths)
                        .collect();
                    if !paths.is_empty() {
                        let _ = tx.send(paths);
                    }
                }
            };
            new_debouncer(d, None, handler).ok().map(Backend::Debounced)
        }
    }
}
