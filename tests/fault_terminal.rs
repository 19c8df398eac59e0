//! Terminal and process faults on the real binary in a real pseudo-terminal (openpty; lanetop
//! is the session leader with the pty as its controlling terminal, like a login shell's job):
//! SSH dropped (the pty master closed: the kernel sends SIGHUP), SIGTERM, SIGINT, a panic
//! (`LANETOP_TEST_PANIC=1`, test-only), Ctrl-Z / `fg` and an outside SIGTSTP.
//!
//! Each checks what the operator gets back: the pty's termios (read from a slave descriptor
//! this test keeps open, so the kernel does not reset it when lanetop exits) is cooked again
//! (ICANON, ECHO, ISIG on), the alternate screen was left and the cursor shown (the bytes
//! written), the audit record of an action taken just before is on disk, and no process is left
//! in lanetop's session or process group (/proc).

mod common;
mod gateway_support;

use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROWS: u16 = 30;
const COLS: u16 = 110;

struct Pty {
    /// The master side (None once closed: hangup).
    master: Option<File>,
    /// A slave descriptor kept by the test: termios survives lanetop's exit.
    slave: File,
    child: Child,
    parser: vt100::Parser,
    raw: Vec<u8>,
    state: tempfile::TempDir,
}

/// lanetop on the captured 2026.9.6 artifacts, no gateway link (actions are refused and
/// audited), its own data/state dirs in a temp dir.
fn spawn(env: &[(&str, &str)]) -> Pty {
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
fn spawn_with(args: &[String], env: &[(&str, &str)]) -> Pty {
    let mut a = args.to_vec();
    a.push("--no-gateway".into());
    spawn_raw(&a, env)
}

/// lanetop with `args` and its gateway link on (the args name the gateway).
fn spawn_with_gateway(args: &[String]) -> Pty {
    spawn_raw(args, &[])
}

fn spawn_raw(args: &[String], env: &[(&str, &str)]) -> Pty {
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
    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    fn pump(&mut self) {
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

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    fn wait_for(&mut self, what: &str, done: impl Fn(&mut Pty) -> bool) {
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
    fn status_bar(&self) -> String {
        let s = self.screen();
        s.lines()
            .find(|l| l.contains("rpc "))
            .unwrap_or_default()
            .to_string()
    }

    fn wait_text(&mut self, text: &str) {
        let t = text.to_string();
        self.wait_for(text, move |p| p.screen().contains(&t));
    }

    fn send(&mut self, bytes: &[u8]) {
        use std::io::Write;
        let m = self.master.as_mut().expect("master open");
        m.write_all(bytes).expect("write to pty");
    }

    fn signal(&self, sig: i32) {
        // SAFETY: a signal to the child we spawned.
        assert_eq!(unsafe { libc::kill(self.pid(), sig) }, 0, "kill");
    }

    /// Wait for exit (20 s), pumping output; returns the exit status.
    fn wait_exit(&mut self) -> std::process::ExitStatus {
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

    fn termios(&self) -> libc::termios {
        // SAFETY: tcgetattr fills the struct from our open slave descriptor.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(self.slave.as_raw_fd(), &mut t), 0);
            t
        }
    }

    fn cooked(&self) -> bool {
        let t = self.termios();
        t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0 && t.c_lflag & libc::ISIG != 0
    }

    fn audit_path(&self) -> PathBuf {
        self.state.path().join("state/audit.jsonl")
    }

    /// Open the sessions view, ask to kill the first session's run and confirm: with no gateway
    /// the runner refuses and audits it.
    fn kill_first_session(&mut self) {
        self.send(b"3");
        self.wait_text("agent:main:main");
        self.send(b"\x0b"); // ctrl-k: kill-run
        self.wait_text("confirm");
        self.send(b"y");
        self.wait_text("not connected");
    }

    /// Everything written after the last time `needle` appeared (or all output).
    fn after_last(&self, needle: &[u8]) -> &[u8] {
        let at = self
            .raw
            .windows(needle.len())
            .rposition(|w| w == needle)
            .map_or(0, |i| i + needle.len());
        &self.raw[at..]
    }
}

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Processes (pid, state) whose session or process group is `id`, from /proc.
fn in_session(id: i32) -> Vec<(i32, char)> {
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

fn proc_state(pid: i32) -> char {
    in_session(pid)
        .into_iter()
        .find(|(p, _)| *p == pid)
        .map_or('?', |(_, s)| s)
}

fn audit_actions(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit JSON"))
        .collect()
}

/// Start, take an action, deliver `stop`, and check the terminal, the audit log and /proc.
fn ends_cleanly(stop: impl FnOnce(&mut Pty), want_code: Option<i32>, env: &[(&str, &str)]) -> Pty {
    let mut p = spawn(env);
    p.wait_text("Overview");
    assert!(
        !p.cooked(),
        "raw mode while running (the check below can fail)"
    );
    assert!(p.parser.screen().alternate_screen());
    let pid = p.pid();
    assert_eq!(
        in_session(pid).iter().map(|x| x.0).collect::<Vec<_>>(),
        vec![pid],
        "lanetop runs alone in its session (no child process)"
    );
    p.kill_first_session();
    stop(&mut p);
    let st = p.wait_exit();
    assert_eq!(st.code(), want_code, "exit status {st:?}");
    assert!(p.cooked(), "termios restored: {:o}", p.termios().c_lflag);
    let tail = p.after_last(ENTER_ALT);
    assert!(contains(tail, LEAVE_ALT), "alternate screen left");
    assert!(contains(tail, SHOW_CURSOR), "cursor shown");
    let audit = audit_actions(&p.audit_path());
    assert_eq!(
        audit.len(),
        1,
        "the action before the signal is audited: {audit:?}"
    );
    assert_eq!(audit[0]["action"], "kill-run");
    assert!(
        audit[0]["target"]
            .as_str()
            .is_some_and(|t| t.starts_with("agent:")),
        "{audit:?}"
    );
    assert!(
        in_session(pid).is_empty(),
        "nothing left: {:?}",
        in_session(pid)
    );
    p
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_the_audit() {
    ends_cleanly(|p| p.signal(libc::SIGTERM), Some(0), &[]);
}

#[test]
fn sigint_restores_the_terminal_and_keeps_the_audit() {
    ends_cleanly(|p| p.signal(libc::SIGINT), Some(0), &[]);
}

#[test]
fn ssh_dropped_hangs_up_and_lanetop_exits_cleanly() {
    // Closing the master is what sshd does when the connection drops: the kernel hangs the
    // terminal up and sends SIGHUP (and SIGCONT) to lanetop, the session leader.
    let mut p = spawn(&[]);
    p.wait_text("Overview");
    let pid = p.pid();
    p.kill_first_session();
    drop(p.master.take());
    let st = p.wait_exit();
    assert_eq!(st.code(), Some(0), "a clean exit, not a crash: {st:?}");
    let audit = audit_actions(&p.audit_path());
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert!(in_session(pid).is_empty(), "{:?}", in_session(pid));
}

#[test]
fn a_panic_restores_the_terminal_before_the_report() {
    let mut p = spawn(&[(lanetop::app::TEST_PANIC_ENV, "1")]);
    let pid = p.pid();
    let st = p.wait_exit();
    assert_eq!(st.code(), Some(101), "a panic exits 101: {st:?}");
    assert!(p.cooked(), "termios restored after a panic");
    let tail = p.after_last(ENTER_ALT);
    assert!(contains(tail, LEAVE_ALT), "alternate screen left");
    assert!(contains(tail, SHOW_CURSOR), "cursor shown");
    // The report is printed on the normal screen, after it was restored.
    let text = String::from_utf8_lossy(tail);
    assert!(text.contains("test-only panic"), "{text}");
    assert!(in_session(pid).is_empty(), "{:?}", in_session(pid));
}

/// Suspend with `how`, check the shell would get a usable terminal, then `fg` (SIGCONT) and
/// check lanetop took the screen back and redrew it.
fn suspend_and_resume(how: impl Fn(&mut Pty)) {
    let mut p = spawn(&[]);
    p.wait_text("Overview");
    let pid = p.pid();
    let before = p.raw.len();
    how(&mut p);
    p.wait_for("the stopped state", |p| proc_state(p.pid()) == 'T');
    p.pump();
    assert!(p.cooked(), "the shell gets a cooked terminal while stopped");
    assert!(
        contains(&p.raw[before..], LEAVE_ALT),
        "alternate screen left on suspend"
    );
    assert!(
        contains(&p.raw[before..], SHOW_CURSOR),
        "cursor shown on suspend"
    );
    assert!(!p.parser.screen().alternate_screen());
    let stopped_at = p.raw.len();
    // A fresh screen model: only what lanetop writes after `fg` can show the view again.
    p.parser = vt100::Parser::new(ROWS, COLS, 0);
    p.signal(libc::SIGCONT); // what `fg` does
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(contains(&p.raw[stopped_at..], ENTER_ALT) && p.screen().contains("Overview")) {
        assert!(
            Instant::now() < deadline,
            "no redraw after fg: state {} bytes {:?}",
            proc_state(pid),
            String::from_utf8_lossy(&p.raw[stopped_at..])
        );
        std::thread::sleep(Duration::from_millis(20));
        p.pump();
    }
    assert!(p.parser.screen().alternate_screen());
    p.wait_for("raw mode again", |p| !p.cooked());
    p.send(b"q");
    let st = p.wait_exit();
    assert_eq!(st.code(), Some(0));
    assert!(p.cooked());
    assert!(in_session(pid).is_empty());
}

#[test]
fn ctrl_z_suspends_and_fg_restores() {
    suspend_and_resume(|p| p.send(b"\x1a"));
}

#[test]
fn an_outside_sigtstp_suspends_and_fg_restores() {
    suspend_and_resume(|p| p.signal(libc::SIGTSTP));
}

#[test]
fn the_whole_binary_shows_a_deleted_log_dir_and_follows_it_again() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (state, logs) = (tmp.path().join("state"), tmp.path().join("logs"));
    std::fs::create_dir_all(&state).expect("state dir");
    std::fs::create_dir_all(&logs).expect("log dir");
    let line = std::fs::read_to_string(common::openclaw("captured/logs/openclaw.log"))
        .expect("captured log")
        .lines()
        .next()
        .expect("a line")
        .to_string();
    let active = logs.join("openclaw-2026-11-22.log");
    std::fs::write(&active, format!("{line}\n")).expect("write");
    let args = [
        "--state-dir".to_string(),
        state.display().to_string(),
        "--log".to_string(),
        logs.display().to_string(),
    ];
    let mut p = spawn_with(&args, &[]);
    p.wait_text("Overview");
    std::fs::remove_dir_all(&logs).expect("rm -r logs");
    // The status bar names the cause, at 110 columns.
    let gone = format!("log:openclaw-*.log ✗ log dir gone: {}", logs.display());
    p.wait_for("the cause in the status bar", |p| {
        p.status_bar().contains(&gone)
    });
    std::fs::create_dir_all(&logs).expect("log dir again");
    std::fs::write(&active, format!("{line}\n{line}\n")).expect("write");
    p.wait_for("the dir followed again", |p| {
        p.status_bar().contains("log:openclaw-*.log ✓")
    });
    p.send(b"q");
    assert_eq!(p.wait_exit().code(), Some(0));
}

#[test]
fn sigterm_during_an_unanswered_action_audits_it_as_interrupted() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut cfg = gateway_support::FakeConfig::default();
    cfg.hang.insert("sessions.abort".into());
    let fake = rt.block_on(gateway_support::start(cfg));
    let args = [
        "--state-dir".to_string(),
        common::openclaw("captured/state").display().to_string(),
        "--log".to_string(),
        common::openclaw("captured/logs/openclaw.log")
            .display()
            .to_string(),
        "--gateway-url".to_string(),
        fake.url.clone(),
        "--token".to_string(),
        "fake-token-123".to_string(),
    ];
    let mut p = spawn_with_gateway(&args);
    p.wait_for("the link up", |p| p.status_bar().contains("rpc ✓"));
    p.send(b"3");
    p.wait_text("agent:main:main");
    p.send(b"\x0b");
    p.wait_text("confirm");
    p.send(b"y");
    // The gateway never answers sessions.abort; quit while the runner waits for it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.calls("sessions.abort").is_empty() {
        assert!(Instant::now() < deadline, "sessions.abort never sent");
        std::thread::sleep(Duration::from_millis(20));
        p.pump();
    }
    let t0 = Instant::now();
    p.signal(libc::SIGTERM);
    let st = p.wait_exit();
    let took = t0.elapsed();
    assert_eq!(st.code(), Some(0), "{st:?}");
    assert!(
        took < Duration::from_secs(6),
        "exit waits at most the grace: {took:?}"
    );
    assert!(p.cooked());
    let audit = audit_actions(&p.audit_path());
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["action"], "kill-run");
    assert_eq!(audit[0]["ok"], false);
    assert!(
        audit[0]["answer"]["interrupted"]
            .as_str()
            .is_some_and(|w| w.contains("before the gateway answered")),
        "{audit:?}"
    );
    drop(fake);
}
