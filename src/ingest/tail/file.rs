//! One followed file: its descriptor, offset, line count and incomplete last line. Splits the
//! bytes read into lines with memchr, never keeping more than [`TailOptions::max_line`] bytes of
//! an incomplete line.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use super::{TailEvent, TailOptions};

/// Bytes kept of an over-long line, for the excerpt.
const HEAD_LEN: usize = 120;

/// One file being followed (identified by device and inode).
pub(super) struct Tracked {
    pub(super) dev: u64,
    pub(super) ino: u64,
    pub(super) file: File,
    pub(super) path: Arc<str>,
    /// Bytes consumed.
    pub(super) offset: u64,
    /// Lines completed.
    pub(super) line: u64,
    /// Bytes of the incomplete last line.
    pub(super) partial: Vec<u8>,
    /// Length so far of an over-long line being skipped, and its first bytes.
    pub(super) overlong: Option<(u64, Vec<u8>)>,
    /// Lines ending at or before this offset are counted, not emitted (woken backlog files).
    pub(super) emit_from: u64,
    /// Skipped by the backlog filter: its size then; read only once it changes.
    pub(super) dormant: Option<u64>,
    /// Consecutive polls that did not list this file while it still had a name somewhere
    /// (a rotation renaming `.N.log` → `.N+1.log` between `readdir` and `stat`).
    pub(super) missing: u8,
}

pub(super) fn open_tracked(
    path: &Path,
    meta: &std::fs::Metadata,
    cutoff: Option<SystemTime>,
) -> std::io::Result<Tracked> {
    let file = File::open(path)?;
    // Identity from the descriptor (the name may have been replaced since the stat).
    let fmeta = file.metadata()?;
    let old = cutoff.is_some_and(|c| meta.modified().is_ok_and(|m| m < c));
    Ok(Tracked {
        dev: fmeta.dev(),
        ino: fmeta.ino(),
        file,
        path: Arc::from(path.to_string_lossy().as_ref()),
        offset: 0,
        line: 0,
        partial: Vec::new(),
        overlong: None,
        emit_from: 0,
        dormant: old.then_some(fmeta.len()),
        missing: 0,
    })
}

pub(super) fn reset(t: &mut Tracked) {
    t.offset = 0;
    t.line = 0;
    t.partial.clear();
    t.overlong = None;
    t.emit_from = 0;
    let _ = t.file.seek(SeekFrom::Start(0));
}

/// Read from the descriptor to EOF, emitting complete lines.
pub(super) fn read_new(
    t: &mut Tracked,
    buf: &mut [u8],
    opts: &TailOptions,
    sink: &mut dyn FnMut(TailEvent<'_>),
) {
    loop {
        let n = match t.file.read(buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        };
        let chunk = &buf[..n];
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', chunk) {
            let end = t.offset + nl as u64 + 1;
            complete_line(t, &chunk[start..nl], end, opts, sink);
            start = nl + 1;
        }
        keep_partial(t, &chunk[start..], opts);
        t.offset += n as u64;
    }
}

fn complete_line(
    t: &mut Tracked,
    seg: &[u8],
    end: u64,
    opts: &TailOptions,
    sink: &mut dyn FnMut(TailEvent<'_>),
) {
    t.line += 1;
    let emit = end > t.emit_from;
    if let Some((len, head)) = t.overlong.take() {
        if emit {
            sink(TailEvent::Overlong {
                path: &t.path,
                line: t.line,
                len: len + seg.len() as u64,
                head: &head,
            });
        }
    } else if t.partial.len() + seg.len() > opts.max_line {
        if emit {
            let len = (t.partial.len() + seg.len()) as u64;
            let mut head = t.partial.clone();
            head.extend_from_slice(seg);
            head.truncate(HEAD_LEN);
            sink(TailEvent::Overlong {
                path: &t.path,
                line: t.line,
                len,
                head: &head,
            });
        }
        t.partial.clear();
    } else if t.partial.is_empty() {
        if emit {
            sink(TailEvent::Line {
                path: &t.path,
                line: t.line,
                bytes: seg,
            });
        }
    } else {
        t.partial.extend_from_slice(seg);
        if emit {
            sink(TailEvent::Line {
                path: &t.path,
                line: t.line,
                bytes: &t.partial,
            });
        }
        t.partial.clear();
    }
}

fn keep_partial(t: &mut Tracked, rest: &[u8], opts: &TailOptions) {
    if rest.is_empty() {
        return;
    }
    if let Some((len, _)) = &mut t.overlong {
        *len += rest.len() as u64;
    } else if t.partial.len() + rest.len() > opts.max_line {
        let mut head = std::mem::take(&mut t.partial);
        let len = (head.len() + rest.len()) as u64;
        head.extend_from_slice(&rest[..rest.len().min(HEAD_LEN)]);
        head.truncate(HEAD_LEN);
        head.shrink_to_fit();
        t.overlong = Some((len, head));
    } else {
        t.partial.extend_from_slice(rest);
    }
}

/// True when an incomplete last line (or an over-long one) is held.
pub(super) fn has_partial(t: &Tracked) -> bool {
    !t.partial.is_empty() || t.overlong.is_some()
}

/// A vanished file's incomplete last line is emitted as is (no more bytes can come).
pub(super) fn flush_partial(t: &mut Tracked, sink: &mut dyn FnMut(TailEvent<'_>)) {
    if let Some((len, head)) = t.overlong.take() {
        t.line += 1;
        sink(TailEvent::Overlong {
            path: &t.path,
            line: t.line,
            len,
            head: &head,
        });
    } else if !t.partial.is_empty() {
        t.line += 1;
        sink(TailEvent::Line {
            path: &t.path,
            line: t.line,
            bytes: &t.partial,
        });
        t.partial.clear();
    }
}
