//! Log faults through the live ingest pipeline (`ingest::spawn_with`, forced polling), every
//! fact folded into a model with `update` and the status bar rendered through TestBackend:
//! a line torn by rotation, a truncation mid-line, the log DIRECTORY deleted and re-created,
//! permission denied on it, a 10 MB single line and invalid UTF-8. Each ends with the pipeline
//! still running, the cause visible, and every line written counted exactly once (a torn or
//! over-long line is counted as one corrupt line, never dropped, never twice).
//! (Rename rotation, delete + re-create of the file and day rollover: `tail_live.rs`.)

mod fault_support;

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use lanetop::domain::Model;
use lanetop::fact::{FactKind, Locator, SourceHealth, SourceKind};
use lanetop::ingest::discover::{Discovery, LogTarget};
use lanetop::ingest::{IngestHandle, IngestOptions, spawn_with};
use lanetop::msg::Msg;

/// The live pipeline over one log family dir, plus what reached the model.
struct Live {
    rx: tokio::sync::mpsc::Receiver<Msg>,
    model: Model,
    /// Log line facts (typed or corrupt) received.
    lines: usize,
    /// Corrupt line facts received.
    corrupt: usize,
    /// Health facts received (one per tailer cycle at most, at least every 40 ms).
    health: usize,
    _handle: IngestHandle,
}

fn opts() -> IngestOptions {
    let mut o = IngestOptions {
        health_every: Duration::from_millis(40),
        log_safety_poll: Duration::from_millis(100),
        ..Default::default()
    };
    o.tail.poll = true;
    o.tail.poll_interval = Duration::from_millis(30);
    o
}

fn family(dir: &Path) -> Discovery {
    Discovery {
        logs: vec![LogTarget::Family {
            dir: dir.to_path_buf(),
            stem: "openclaw".into(),
        }],
        ..Default::default()
    }
}

impl Live {
    fn start(dir: &Path) -> Live {
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let handle = spawn_with(&family(dir), tx, opts());
        Live::over(rx, handle)
    }

    fn over(rx: tokio::sync::mpsc::Receiver<Msg>, handle: IngestHandle) -> Live {
        Live {
            rx,
            model: Model::default(),
            lines: 0,
            corrupt: 0,
            health: 0,
            _handle: handle,
        }
    }

    fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            if let Msg::Facts(batch) = &msg {
                for f in batch {
                    match &f.kind {
                        FactKind::SourceHealth { .. } => self.health += 1,
                        k if f.origin.kind == SourceKind::Log
                            && matches!(f.origin.locator, Locator::Line { .. }) =>
                        {
                            self.lines += 1;
                            if matches!(k, FactKind::CorruptLine { .. }) {
                                self.corrupt += 1;
                            }
                        }
                        _ => {}
                    }
                }
            }
            fault_support::fold(&mut self.model, msg);
        }
    }

    fn wait(&mut self, what: &str, done: impl Fn(&Live) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.drain();
            if done(self) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: lines {} corrupt {}; status bar: {}",
                self.lines,
                self.corrupt,
                self.bar()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Exactly `n` lines, confirmed after three more tailer cycles (no late duplicates).
    fn expect_lines(&mut self, n: usize) {
        self.wait(&format!("{n} lines"), |l| l.lines >= n);
        let h = self.health + 3;
        self.wait("3 more health facts", |l| l.health >= h);
        assert_eq!(self.lines, n, "duplicates or extra lines");
    }

    fn log_health(&self) -> Option<&SourceHealth> {
        self.model
            .sources
            .iter()
            .find(|(name, _)| name.starts_with("log"))
            .or_else(|| self.model.sources.iter().next())
            .map(|(_, s)| &s.health)
    }

    fn bar(&self) -> String {
        fault_support::status_bar(&self.model, 250)
    }
}

fn append(p: &Path, s: &[u8]) {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
        .unwrap()
        .write_all(s)
        .unwrap();
}

/// `n` tslog JSONL lines shaped like the captured 2026.9.6 log (each parses as a typed log line).
fn lines(prefix: &str, n: usize) -> String {
    (1..=n)
        .map(|i| {
            format!(
                r#"{{"0":"{{\"subsystem\":\"gateway\"}}","1":"{prefix} line {i}","_meta":{{"runtime":"node","hostname":"vm","date":"2026-11-22T01:49:17.247Z","logLevelId":3,"logLevelName":"INFO","name":"{{\"subsystem\":\"gateway\"}}","parentNames":["openclaw"]}},"time":"2026-11-22T01:49:17.247+00:00","hostname":"vm","message":"{prefix} line {i}"}}"#
            ) + "\n"
        })
        .collect()
}

fn set_age(p: &Path, age: Duration) {
    let f = fs::File::options().write(true).open(p).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
}

#[test]
fn a_line_torn_by_rotation_is_counted_once() {
    let d = tempfile::tempdir().unwrap();
    let active = d.path().join("openclaw-2026-11-22.log");
    let rotated = d.path().join("openclaw-2026-11-22.1.log");
    fs::write(&active, lines("a", 3)).unwrap();
    let mut l = Live::start(d.path());
    l.expect_lines(3);
    // The writer dies mid-line, the file is rotated away, a new writer starts a new file.
    append(&active, br#"{"0":"torn by rotat"#);
    l.expect_lines(3);
    fs::rename(&active, &rotated).unwrap();
    fs::write(&active, lines("b", 2)).unwrap();
    l.expect_lines(5);
    // Once the rotated file has been still for the grace period, the torn line is emitted.
    set_age(&rotated, lanetop::ingest::tail::PARTIAL_GRACE * 2);
    l.expect_lines(6);
    assert_eq!(l.corrupt, 1, "the torn JSON line is one corrupt line");
    assert!(l.bar().contains("1 corrupt"), "{}", l.bar());
    append(&active, lines("c", 1).as_bytes());
    l.expect_lines(7);
}

#[test]
fn truncation_mid_line_keeps_the_partial_and_restarts() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("openclaw-2026-11-22.log");
    fs::write(&f, lines("x", 4)).unwrap();
    let mut l = Live::start(d.path());
    l.expect_lines(4);
    append(&f, b"half a li");
    l.expect_lines(4);
    fs::write(&f, lines("y", 2)).unwrap(); // O_TRUNC on the same inode, shorter than before
    l.expect_lines(7); // the half line, then the two new ones
    append(&f, lines("y2", 3).as_bytes());
    l.expect_lines(10);
    assert!(matches!(l.log_health(), Some(SourceHealth::Ok { .. })));
}

#[test]
fn log_dir_deleted_is_shown_then_followed_again_when_recreated() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    let f = dir.join("openclaw-2026-11-22.log");
    fs::write(&f, lines("x", 5)).unwrap();
    let mut l = Live::start(&dir);
    l.expect_lines(5);
    // Last lines written just before the dir goes: still read from the open descriptor.
    append(&f, lines("last", 2).as_bytes());
    fs::remove_dir_all(&dir).unwrap();
    let gone = format!("log dir gone: {}", dir.display());
    l.wait(
        "the dir-gone cause",
        |l| matches!(l.log_health(), Some(SourceHealth::Error { message }) if *message == gone),
    );
    assert_eq!(l.lines, 7, "lines written before the delete are not lost");
    let bar = l.bar();
    assert!(bar.contains("✗") && bar.contains(&gone), "{bar}");
    // Re-created later: followed again, from its first line.
    fs::create_dir(&dir).unwrap();
    fs::write(&f, lines("again", 3)).unwrap();
    l.expect_lines(10);
    l.wait("health back to ok", |l| {
        matches!(l.log_health(), Some(SourceHealth::Ok { .. }))
    });
    assert!(!l.bar().contains("log dir gone"), "{}", l.bar());
}

/// Drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from this thread's effective set (Linux
/// capabilities are per thread; threads it creates inherit the reduced set). Root then gets
/// EACCES on a mode-000 dir like anyone else. Err when capset is not permitted.
fn drop_dac_override_in_this_thread() -> Result<(), String> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    const CAP_DAC_OVERRIDE: u32 = 1;
    const CAP_DAC_READ_SEARCH: u32 = 2;
    let mut h = Header {
        version: VERSION_3,
        pid: 0,
    };
    let mut d = [Data::default(); 2];
    // SAFETY: capget/capset with a v3 header and two data structs, as capget(2) documents.
    unsafe {
        if libc::syscall(libc::SYS_capget, &mut h as *mut Header, d.as_mut_ptr()) != 0 {
            return Err(format!("capget: {}", std::io::Error::last_os_error()));
        }
        d[0].effective &= !((1 << CAP_DAC_OVERRIDE) | (1 << CAP_DAC_READ_SEARCH));
        if libc::syscall(libc::SYS_capset, &mut h as *mut Header, d.as_ptr()) != 0 {
            return Err(format!("capset: {}", std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

#[test]
fn permission_denied_on_the_log_dir_is_shown_then_read_when_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("openclaw-2026-11-22.log"), lines("x", 4)).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o000)).unwrap();
    // Tests run as root here, where mode 000 denies nothing: the ingest threads are started
    // from a thread without the DAC override capabilities, so the kernel checks the mode.
    let mut l = start_unprivileged(&dir);
    let denied = format!("permission denied: {}", dir.display());
    l.wait(
        "the permission cause",
        |l| matches!(l.log_health(), Some(SourceHealth::Error { message }) if *message == denied),
    );
    let bar = l.bar();
    assert!(bar.contains("✗") && bar.contains(&denied), "{bar}");
    assert_eq!(l.lines, 0);
    // The operator fixes the mode: the backlog is read, once.
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    l.expect_lines(4);
    l.wait("health back to ok", |l| {
        matches!(l.log_health(), Some(SourceHealth::Ok { .. }))
    });
}

#[test]
fn ten_megabyte_line_and_invalid_utf8_are_counted_not_fatal() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("openclaw-2026-11-22.log");
    fs::write(&f, lines("before", 3)).unwrap();
    let mut l = Live::start(d.path());
    l.expect_lines(3);
    // A 10 MB single JSON line (over the 1 MB line cap), written in pieces like a slow writer.
    let mut big = br#"{"0":""#.to_vec();
    big.resize(10 * 1024 * 1024, b'x');
    for chunk in big.chunks(1 << 20) {
        append(&f, chunk);
    }
    append(&f, b"\"}\n");
    // Invalid UTF-8 in a text line and in a JSON string.
    append(&f, b"console \xff\xfe line\n");
    append(
        &f,
        b"{\"0\":\"bad \xc3\x28 utf8\",\"_meta\":{\"logLevelName\":\"INFO\"}}\n",
    );
    append(&f, lines("after", 2).as_bytes());
    l.expect_lines(8);
    // The 10 MB line, the console line with invalid UTF-8 (not a known text form) and the
    // JSON line with invalid UTF-8 are corrupt; the five well-formed lines are not.
    assert_eq!(l.corrupt, 3, "corrupt lines");
    assert_eq!(l.model.corrupt.count as usize, l.corrupt);
    let bar = l.bar();
    assert!(bar.contains(&format!("{} corrupt", l.corrupt)), "{bar}");
    assert!(matches!(l.log_health(), Some(SourceHealth::Ok { .. })));
}

/// Start the pipeline on `dir` from a thread without the DAC override capabilities when running
/// as root (see [`drop_dac_override_in_this_thread`]).
fn start_unprivileged(dir: &Path) -> Live {
    // SAFETY: geteuid has no preconditions.
    let root_user = unsafe { libc::geteuid() } == 0;
    let dir2 = dir.to_path_buf();
    let started = std::thread::spawn(move || {
        if root_user {
            drop_dac_override_in_this_thread()?;
        }
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        Ok::<_, String>((rx, spawn_with(&family(&dir2), tx, opts())))
    })
    .join()
    .unwrap();
    let (rx, handle) = started.expect("drop CAP_DAC_OVERRIDE to test EACCES as root");
    Live::over(rx, handle)
}

#[test]
fn an_unreadable_log_file_is_shown_then_read_when_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("openclaw-2026-11-22.log");
    fs::write(&f, lines("x", 3)).unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o000)).unwrap();
    let mut l = start_unprivileged(d.path());
    let denied = format!("permission denied: {}", f.display());
    l.wait(
        "the permission cause",
        |l| matches!(l.log_health(), Some(SourceHealth::Error { message }) if *message == denied),
    );
    assert!(l.bar().contains(&denied), "{}", l.bar());
    assert_eq!(l.lines, 0);
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    l.expect_lines(3);
    l.wait("health back to ok", |l| {
        matches!(l.log_health(), Some(SourceHealth::Ok { .. }))
    });
}

#[test]
fn a_log_dir_replaced_by_a_file_is_shown_then_followed_again() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("openclaw-2026-11-22.log"), lines("x", 2)).unwrap();
    let mut l = Live::start(&dir);
    l.expect_lines(2);
    fs::remove_dir_all(&dir).unwrap();
    fs::write(&dir, b"not a dir\n").unwrap();
    let cause = format!("not a directory: {}", dir.display());
    l.wait(
        "the not-a-dir cause",
        |l| matches!(l.log_health(), Some(SourceHealth::Error { message }) if *message == cause),
    );
    assert!(l.bar().contains(&cause), "{}", l.bar());
    fs::remove_file(&dir).unwrap();
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("openclaw-2026-11-22.log"), lines("y", 3)).unwrap();
    l.expect_lines(5);
}
