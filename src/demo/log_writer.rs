//! The rolling file log: `logs/openclaw-YYYY-MM-DD.log` (host-local date of each record), size
//! rotation by rename to `openclaw-YYYY-MM-DD.1.log` (older archives shift `.1` → `.2` … `.5`,
//! the oldest dropped), as `FORMATS.md` §1.1 describes the 2026.9.6 writer.
//!
//! Demo rule: each day file rotates **once** early, when it grows [`DEMO_ROTATE_BYTES`] past its
//! size at the moment rotation was armed (the end of the backlog, or 0 for a file opened later),
//! so a console that tails the directory sees one live rotation a few minutes in. After that it
//! rotates only at [`DEMO_MAX_LOG_BYTES`], which bounds the disk use of a demo left running fast.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::record::local_date;

/// Growth after which a day file is rotated once (bytes).
pub const DEMO_ROTATE_BYTES: u64 = 256 * 1024;
/// Size cap after the first rotation (bytes); the gateway's real default is 100 MB.
pub const DEMO_MAX_LOG_BYTES: u64 = 8 * 1024 * 1024;
/// Archives kept (`MAX_ROTATED_LOG_FILES`).
const MAX_ROTATED: u32 = 5;

/// Appends records to the day's log file and rotates it.
#[derive(Debug)]
pub struct LogWriter {
    dir: PathBuf,
    date: String,
    file: Option<File>,
    size: u64,
    /// Size at which the current day file rotates; `None` = not armed yet.
    rotate_at: Option<u64>,
    armed: bool,
    /// Dates whose file already rotated once.
    rotated: Vec<String>,
    /// Number of rotations done.
    pub rotations: u32,
}

impl LogWriter {
    /// A writer into `dir` (created if missing).
    pub fn new(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(LogWriter {
            dir: dir.to_path_buf(),
            date: String::new(),
            file: None,
            size: 0,
            rotate_at: None,
            armed: false,
            rotated: Vec::new(),
            rotations: 0,
        })
    }

    /// Path of the active file for `date`.
    pub fn path_for(&self, date: &str) -> PathBuf {
        self.dir.join(format!("openclaw-{date}.log"))
    }

    /// Start rotating: the current day file rotates once it grows [`DEMO_ROTATE_BYTES`] more.
    pub fn arm_rotation(&mut self) {
        self.armed = true;
        self.rotate_at = Some(if self.rotated.contains(&self.date) {
            DEMO_MAX_LOG_BYTES
        } else {
            self.size + DEMO_ROTATE_BYTES
        });
    }

    /// Append one rendered line stamped at `wall_ms`.
    pub fn append(&mut self, wall_ms: i64, line: &str) -> io::Result<()> {
        let date = local_date(wall_ms);
        if date != self.date || self.file.is_none() {
            self.open(&date)?;
        }
        let len = line.len() as u64 + 1;
        if let Some(limit) = self.rotate_at
            && self.size + len > limit
        {
            self.rotate()?;
            self.open(&date)?;
        }
        if let Some(f) = self.file.as_mut() {
            f.write_all(line.as_bytes())?;
            f.write_all(b"\n")?;
            self.size += len;
        }
        Ok(())
    }

    fn open(&mut self, date: &str) -> io::Result<()> {
        let path = self.path_for(date);
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        self.size = file.metadata()?.len();
        self.file = Some(file);
        if date != self.date {
            self.date = date.to_owned();
            self.rotate_at = if !self.armed {
                None
            } else if self.rotated.iter().any(|d| d == date) {
                Some(DEMO_MAX_LOG_BYTES)
            } else {
                Some(self.size + DEMO_ROTATE_BYTES)
            };
        }
        Ok(())
    }

    /// Rename the active file to `.1` after shifting older archives up (the oldest dropped).
    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        let stem = format!("openclaw-{}", self.date);
        let archive = |n: u32| self.dir.join(format!("{stem}.{n}.log"));
        let oldest = archive(MAX_ROTATED);
        if oldest.exists() {
            fs::remove_file(&oldest)?;
        }
        for n in (1..MAX_ROTATED).rev() {
            let from = archive(n);
            if from.exists() {
                fs::rename(&from, archive(n + 1))?;
            }
        }
        fs::rename(self.path_for(&self.date), archive(1))?;
        if !self.rotated.contains(&self.date) {
            self.rotated.push(self.date.clone());
        }
        self.rotate_at = Some(DEMO_MAX_LOG_BYTES);
        self.rotations += 1;
        Ok(())
    }

    /// Flush the active file.
    pub fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_once_after_arming() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = LogWriter::new(dir.path()).expect("writer");
        let now = 1_795_312_186_364;
        let line = "x".repeat(1023);
        for _ in 0..10 {
            w.append(now, &line).expect("append");
        }
        assert_eq!(w.rotations, 0, "no rotation before arming");
        w.arm_rotation();
        for _ in 0..(2 * DEMO_ROTATE_BYTES / 1024) {
            w.append(now, &line).expect("append");
        }
        assert_eq!(w.rotations, 1, "one early rotation per day file");
        for _ in 0..(DEMO_MAX_LOG_BYTES / 1024 + 8) {
            w.append(now, &line).expect("append");
        }
        assert_eq!(w.rotations, 2, "then only at the size cap");
        assert!(
            dir.path()
                .join(format!("openclaw-{}.2.log", local_date(now)))
                .exists()
        );
        let date = local_date(now);
        assert!(dir.path().join(format!("openclaw-{date}.1.log")).exists());
        assert!(dir.path().join(format!("openclaw-{date}.log")).exists());
    }
}
