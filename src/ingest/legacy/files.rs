//! File helpers for the legacy readers: change stamps and an incremental JSONL tailer.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What identifies one version of a file: inode, size and mtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub ino: u64,
    pub len: u64,
    pub mtime: Option<SystemTime>,
}

impl Stamp {
    /// The stamp of `path`, `None` when it does not exist (other errors too).
    pub(crate) fn of(path: &Path) -> std::io::Result<Option<Stamp>> {
        match std::fs::metadata(path) {
            Ok(m) => Ok(Some(Stamp {
                ino: ino(&m),
                len: m.len(),
                mtime: m.modified().ok(),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(unix)]
fn ino(m: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(m)
}

#[cfg(not(unix))]
fn ino(_: &std::fs::Metadata) -> u64 {
    0
}

/// Most bytes read from one file in one poll; the rest waits for the next poll.
pub(crate) const MAX_READ_PER_POLL: u64 = 16 * 1024 * 1024;

/// Follows one append-only JSONL file by byte offset. Only complete lines (ending in `\n`)
/// are handed out; a partial last line is read again once it is complete. A file that shrank
/// or was replaced (new inode) is read again from the start (`restarted`), and the caller
/// de-duplicates what it already sent.
#[derive(Debug)]
pub(crate) struct JsonlTail {
    pub path: PathBuf,
    offset: u64,
    line: u64,
    ino: Option<u64>,
    /// Stamp of the version read to its end (`None` while a partial line is pending).
    seen: Option<Stamp>,
}

/// New complete lines: (1-based line number, bytes without the newline). After a restart the
/// numbering starts again at 1.
pub(crate) struct NewLines {
    pub lines: Vec<(u64, Vec<u8>)>,
}

impl JsonlTail {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            offset: 0,
            line: 0,
            ino: None,
            seen: None,
        }
    }

    /// Read the complete lines appended since the last call. `Ok(None)` when the file did not
    /// change (same inode, size and mtime) or vanished.
    pub(crate) fn read_new(&mut self) -> std::io::Result<Option<NewLines>> {
        let Some(stamp) = Stamp::of(&self.path)? else {
            return Ok(None);
        };
        if self.seen == Some(stamp) {
            return Ok(None);
        }
        let restarted = self.ino.is_some_and(|i| i != stamp.ino) || stamp.len < self.offset;
        if restarted {
            self.offset = 0;
            self.line = 0;
        }
        self.ino = Some(stamp.ino);
        let mut file = std::fs::File::open(&self.path)?;
        file.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::new();
        file.take(MAX_READ_PER_POLL).read_to_end(&mut buf)?;
        let complete = memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1);
        let mut lines = Vec::new();
        for raw in buf[..complete].split_inclusive(|b| *b == b'\n') {
            self.line += 1;
            let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if !raw.iter().all(u8::is_ascii_whitespace) {
                lines.push((self.line, raw.to_vec()));
            }
        }
        self.offset += complete as u64;
        // Remember the version only when it was read to its end, so that a pending partial
        // line or a capped read is looked at again next poll.
        self.seen = (self.offset == stamp.len).then_some(stamp);
        Ok(Some(NewLines { lines }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn partial_lines_wait_and_truncation_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.jsonl");
        std::fs::write(&p, b"{\"a\":1}\n{\"b\":").unwrap();
        let mut t = JsonlTail::new(p.clone());
        let n = t.read_new().unwrap().unwrap();
        assert_eq!(n.lines, vec![(1, b"{\"a\":1}".to_vec())]);
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"2}\n\n{\"c\":3}\n").unwrap();
        let n = t.read_new().unwrap().unwrap();
        assert_eq!(
            n.lines,
            vec![(2, b"{\"b\":2}".to_vec()), (4, b"{\"c\":3}".to_vec())]
        );
        assert!(t.read_new().unwrap().is_none());
        std::fs::write(&p, b"{\"z\":0}\n").unwrap();
        let n = t.read_new().unwrap().unwrap();
        assert_eq!(n.lines, vec![(1, b"{\"z\":0}".to_vec())]);
    }
}
