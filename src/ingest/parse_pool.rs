//! Persistent parser threads for log backlogs, and the in-flight queue that lets the caller fold
//! one batch while the next ones are parsed.
//!
//! A [`LogSource`](super::log_source::LogSource) reading a backlog hands each full batch
//! (about [`BATCH_BYTES`](super::log_source::BATCH_BYTES) of complete lines) to [`ParsePool::submit`]:
//! the bytes are split into one part per worker at line boundaries, each worker parses its part
//! with a fresh [`LineParser`] ([`Part::run`]), and the batch waits in the returned
//! [`InFlight`] until [`InFlight::finish`] joins the parts in file order
//! ([`LineParser::fix_parts`]). The source keeps [`AHEAD`] batches in flight after handing one
//! on, so on a 2-core host the workers parse batch *k + 1* while the caller's thread folds
//! batch *k*.
//!
//! Why persistent threads: spawning scoped threads per batch gave every batch a new
//! thread heap, and `perf` showed ~22 % of the pipeline's CPU in the allocator faulting in fresh
//! pages for them (BENCHMARKS.md, session 3).
//!
//! A worker that panics on a part reports `None`; the source then re-parses that batch line by
//! line (each panicking line becomes a corrupt-line fact). Workers exit when the pool is dropped.

use std::ops::Range;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::ingest::log::{LineParser, Messages, Part, split_parts};

/// Batches a source keeps in flight (being parsed) while it hands on the facts of the oldest.
/// 2 (1 until session 5): the workers always have a queued batch when one finishes; 1 GB report
/// ~2–3 % faster for ~1 MiB more resident.
pub const AHEAD: usize = 2;

struct Job {
    bytes: Arc<Vec<u8>>,
    range: Range<usize>,
    path: Arc<str>,
    messages: Messages,
    reply: SyncSender<Option<Part>>,
}

/// `n` parser threads fed from one job queue.
pub struct ParsePool {
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

/// One submitted batch: its bytes (kept for a line-by-line re-parse if a part failed), where it
/// starts, and one reply per part in file order.
pub struct InFlight {
    /// The batch's bytes, `\n`-terminated lines.
    pub bytes: Arc<Vec<u8>>,
    /// The file the lines came from.
    pub path: Arc<str>,
    /// 1-based line number of the first line.
    pub first_line: u64,
    replies: Vec<Receiver<Option<Part>>>,
}

impl ParsePool {
    /// A pool of `n` (at least 1) worker threads named `lanetop-parse-<i>`. Errors when the OS
    /// refuses a thread (the caller then parses on its own thread).
    pub fn new(n: usize) -> std::io::Result<ParsePool> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut workers = Vec::with_capacity(n.max(1));
        for i in 0..n.max(1) {
            let rx = rx.clone();
            workers.push(
                std::thread::Builder::new()
                    .name(format!("lanetop-parse-{i}"))
                    .spawn(move || worker(&rx))?,
            );
        }
        Ok(ParsePool {
            jobs: Some(tx),
            workers,
        })
    }

    /// Queue `bytes` (complete lines of `path` starting at `first_line`) as one part per
    /// worker, parsed keeping `messages`. Errors with the bytes back when the workers are gone
    /// (the caller parses in place).
    pub fn submit(
        &self,
        bytes: Vec<u8>,
        path: Arc<str>,
        first_line: u64,
        messages: Messages,
    ) -> Result<InFlight, Vec<u8>> {
        let Some(jobs) = &self.jobs else {
            return Err(bytes);
        };
        let bytes = Arc::new(bytes);
        let mut replies = Vec::with_capacity(self.workers.len());
        for range in split_parts(&bytes, self.workers.len()) {
            let (reply, rx) = mpsc::sync_channel(1);
            let job = Job {
                bytes: bytes.clone(),
                range,
                // Each part gets its own path `Arc`: the facts of different threads then never
                // touch one reference count.
                path: Arc::from(&*path),
                messages,
                reply,
            };
            if jobs.send(job).is_err() {
                drop(replies);
                return Err(Arc::try_unwrap(bytes).unwrap_or_else(|b| (*b).clone()));
            }
            replies.push(rx);
        }
        Ok(InFlight {
            bytes,
            path,
            first_line,
            replies,
        })
    }
}

impl Drop for ParsePool {
    fn drop(&mut self) {
        self.jobs = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

impl InFlight {
    /// The batch's buffer back (cleared) once no worker holds it, for the next batch.
    pub fn into_buffer(self) -> Option<Vec<u8>> {
        let mut b = Arc::try_unwrap(self.bytes).ok()?;
        b.clear();
        Some(b)
    }

    /// Wait for every part and return them in file order, their facts fixed as the
    /// sequential parse gives them ([`LineParser::fix_parts`], advancing `parser`'s last
    /// time). `None`, with `parser` untouched, when a part failed.
    pub fn finish(&self, parser: &mut LineParser) -> Option<Vec<Part>> {
        let mut parts = Vec::with_capacity(self.replies.len());
        for rx in &self.replies {
            match rx.recv() {
                Ok(Some(p)) => parts.push(p),
                _ => return None,
            }
        }
        parser.fix_parts(&mut parts, self.first_line);
        Some(parts)
    }
}

fn worker(rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let Ok(rx) = rx.lock() else { return };
            match rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            }
        };
        let part = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Part::run(&job.bytes[job.range.clone()], &job.path, job.messages)
        }))
        .ok();
        // Release the bytes before replying, so the source can reuse the buffer.
        let Job { bytes, reply, .. } = job;
        drop(bytes);
        let _ = reply.send(part);
    }
}
