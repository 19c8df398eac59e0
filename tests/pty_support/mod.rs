//! A real pseudo-terminal for the fault tests (openpty): lanetop as session leader with the
//! pty as its controlling terminal, output modelled with vt100, termios read from a slave
//! descriptor the test keeps open, the session and process group read from /proc.

#![allow(dead_code)]

// The test crate declares `mod common;` (captured artifact paths).
use crate::common;
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ROWS: u16 = 30;
pub const COLS: u16 = 110;

pub struct Pty {
    /// The master side (None once closed: hangup).
    pub master: Option<File>,
    /// A slave descriptor kept by the test: termios survives lanetop's exit.
    pub slave: File,
    pub child: Child,
    pub parser: vt100::Parser,
    pub raw: Vec<u8>,
    pub state: tempfile::TempDir,
}

/// lanetop on the captured 2026.9.6 artifacts, no gateway link (actions are refused and
/// audited), its own data/state dirs in a temp dir.
pub fn spawn(env: &[(&str, &str)]) -> Pty {
    let args = [
        "--state-dir".to_string(),
        common::openclaw("captured/state").display().to_string(),
        "--log".to_string(),
        common::openclaw("captured/logs/openclaw.log")
            .display()
            .to_string(),
    ];
    spawn_with(&args, env)
}

/// lanetop with `args` (plus `--no-gateway`) in a fresh pty.
pub fn spawn_with(args: &[String], env: &[(&str, &str)]) -> Pty {
    let mut a = args.to_vec();
    a.push("--no-gateway".into());
    spawn_raw(&a, env)
}

/// lanetop with `args` and its gateway link on (the args name the gateway).
pub fn spawn_with_gateway(args: &[String]) -> Pty {
    spawn_raw(args, &[])
}

pub fn spawn_raw(args: &[String], env: &[(&str, &str)]) -> Pty {
    let state = tempfile::tempdir().expect("tempdir");
    let ws = libc::winsize {
        ws_row: ROWS,
        ws_col: COLS,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let (mut m, mut s) = (0, 0);
    // SAFETY: openpty writes two descriptors; null name and termios mean defaults.
    let rc = unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws) };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned here.
    let (master, slave) = unsafe { (File::from_raw_fd(m), File::from_raw_fd(s)) };
    // SAFETY: fcntl on our own descriptors. Close-on-exec: lanetop must not inherit the
    // master (closing ours would then not hang the terminal up).
    unsafe {
        let fl = libc::fcntl(m, libc::F_GETFL);
        libc::fcntl(m, libc::F_SETFL, fl | libc::O_NONBLOCK);
        libc::fcntl(m, libc::F_SETFD, libc::FD_CLOEXEC);
        libc::fcntl(s, libc::F_SETFD, libc::FD_CLOEXEC);
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lanetop"));
    cmd.args(args)
        .env("TERM", "xterm-256color")
        .env("LANETOP_CONFIG_DIR", state.path().join("config"))
        .env("LANETOP_DATA_DIR", state.path().join("data"))
        .env("LANETOP_STATE_DIR", state.path().join("state"))
        .env_remove("NO_COLOR")
        .env_remove("LANETOP_TEST_PANIC")
        .stdin(Stdio::from(slave.try_clone().expect("dup")))
        .stdout(Stdio::from(slave.try_clone().expect("dup")))
        .stderr(Stdio::from(slave.try_clone().expect("dup")));
    for (k, v) in env {
        cmd.env(k, v);
    }
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().expect("spawn lanetop");
    Pty {
        master: Some(master),
        slave,
        child,
        parser: vt100::Parser::new(ROWS, COLS, 0),
        raw: Vec::new(),
        state,
    }
}

impl Pty {
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn pump(&mut self) {
        let Some(m) = self.master.as_mut() else {
            return;
        };
        let mut buf = [0u8; 65536];
        while let Ok(n) = m.read(&mut buf) {
            if n == 0 {
                break;
            }
            self.parser.process(&buf[..n]);
            self.raw.extend_from_slice(&buf[..n]);
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn wait_for(&mut self, what: &str, done: impl Fn(&mut Pty) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.pump();
            if done(self) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The status bar row (the one showing the RPC link).
    /// The status bar: the line naming the RPC link, else (when a long cause cut the line
    /// before it) the line above the key hints, the screen's last.
    pub fn status_bar(&self) -> String {
        let s = self.screen();
        let lines: Vec<&str> = s.lines().collect();
        lines
            .iter()
            .find(|l| l.contains("rpc "))
            .or_else(|| lines.iter().rev().nth(1))
            .copied()
            .unwrap_or_default()
            .to_string()
    }

    pub fn wait_text(&mut self, text: &str) {
        let t = text.to_string();
        self.wait_for(text, move |p| p.screen().contains(&t));
    }

    pub fn send(&mut self, bytes: &[u8]) {
        use std::io::Write;
        let m = self.master.as_mut().expect("master open");
        m.write_all(bytes).expect("write to pty");
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: a signal to the child we spawned.
        assert_eq!(unsafe { libc::kill(self.pid(), sig) }, 0, "kill");
    }

    /// Wait for exit (20 s), pumping output; returns the exit status.
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.pump();
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                self.pump();
                return st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("lanetop did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn termios(&self) -> libc::termios {
        // SAFETY: tcgetattr fills the struct from our open slave descriptor.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(self.slave.as_raw_fd(), &mut t), 0);
            t
        }
    }

    pub fn cooked(&self) -> bool {
        let t = self.termios();
        t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0 && t.c_lflag & libc::ISIG != 0
    }

    pub fn audit_path(&self) -> PathBuf {
        self.state.path().join("state/audit.jsonl")
    }

    /// Open the sessions view, ask to kill the first session's run and confirm: with no gateway
    /// the runner refuses and audits it.
    pub fn kill_first_session(&mut self) {
        self.send(b"3");
        self.wait_text("agent:main:main");
        self.send(b"\x0b"); // ctrl-k: kill-run
        self.wait_text("confirm");
        self.send(b"y");
        self.wait_text("not connected");
    }

    /// Everything written after the last time `needle` appeared (or all output).
    pub fn after_last(&self, needle: &[u8]) -> &[u8] {
        let at = self
            .raw
            .windows(needle.len())
            .rposition(|w| w == needle)
            .map_or(0, |i| i + needle.len());
        &self.raw[at..]
    }
}

pub const ENTER_ALT: &[u8] = b"\x1b[?1049h";
pub const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
pub const SHOW_CURSOR: &[u8] = b"\x1b[?25h";

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Processes (pid, state) whose session or process group is `id`, from /proc.
pub fn in_session(id: i32) -> Vec<(i32, char)> {
    let mut v = Vec::new();
    for e in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp session …`; comm may hold spaces and parentheses.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        let (state, pgrp, sid) = (
            f.first().and_then(|s| s.chars().next()).unwrap_or('?'),
            f.get(2).and_then(|s| s.parse::<i32>().ok()),
            f.get(3).and_then(|s| s.parse::<i32>().ok()),
        );
        if pgrp == Some(id) || sid == Some(id) {
            v.push((pid, state));
        }
    }
    v
}

pub fn proc_state(pid: i32) -> char {
    in_session(pid)
        .into_iter()
        .find(|(p, _)| *p == pid)
        .map_or('?', |(_, s)| s)
}

pub fn audit_actions(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit JSON"))
        .collect()
}
