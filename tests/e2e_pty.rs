//! End to end in a pseudo-terminal: start the real binary on the real captured artifacts, visit
//! every view by keystrokes, and quit with `q`; the terminal must be restored (alternate screen
//! left, cursor shown). The screen is modelled with `vt100`; every wait polls with a deadline.

mod common;

use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Expect;

struct Pty {
    session: expectrl::session::OsSession,
    parser: vt100::Parser,
    raw: Vec<u8>,
    /// lanetop's own data and state dirs (its device key, the audit log): removed on drop.
    _own: tempfile::TempDir,
}

impl Pty {
    fn spawn(args: &[&str], cols: u16, rows: u16) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lanetop"));
        // lanetop's own key and audit log go to a throwaway dir, never the user's XDG dirs.
        let own = tempfile::Builder::new()
            .prefix("lanetop-e2e-")
            .tempdir()
            .expect("temp dir");
        cmd.args(args)
            .env("TERM", "xterm-256color")
            .env("LANETOP_DATA_DIR", own.path().join("data"))
            .env("LANETOP_STATE_DIR", own.path().join("state"))
            .env_remove("NO_COLOR");
        let mut session = expectrl::Session::spawn(cmd).expect("spawn lanetop in a pty");
        session
            .get_process_mut()
            .set_window_size(cols, rows)
            .expect("window size");
        Self {
            session,
            parser: vt100::Parser::new(rows, cols, 0),
            raw: Vec::new(),
            _own: own,
        }
    }

    fn pump(&mut self) {
        let mut buf = [0u8; 65536];
        while let Ok(n) = self.session.try_read(&mut buf) {
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

    /// Poll until the screen contains every needle (5 s deadline).
    fn wait_for(&mut self, needles: &[&str]) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.pump();
            let s = self.screen();
            if needles.iter().all(|n| s.contains(n)) {
                return;
            }
            if Instant::now() > deadline {
                panic!("screen never showed {needles:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn send(&mut self, keys: &str) {
        self.session.send(keys).expect("send keys");
    }

    /// Wait for the process to exit; returns everything it printed.
    fn wait_exit(mut self) -> Vec<u8> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.session.get_process().is_alive().unwrap_or(false) {
            self.pump();
            assert!(
                Instant::now() < deadline,
                "lanetop did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
        let mut rest = Vec::new();
        let _ = self.session.read_to_end(&mut rest);
        self.raw.extend_from_slice(&rest);
        self.raw
    }
}

fn captured_args() -> Vec<String> {
    vec![
        "--state-dir".into(),
        common::openclaw("captured/state").display().to_string(),
        "--log".into(),
        common::openclaw("captured/logs/openclaw.log")
            .display()
            .to_string(),
    ]
}

fn visit_every_view(cols: u16, rows: u16) {
    let args = captured_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut pty = Pty::spawn(&args, cols, rows);
    pty.wait_for(&["Overview", "main"]);
    for (cmd, expect) in [
        (":logs\r", &["Logs", "signal SIGTERM received"][..]),
        (":sessions\r", &["Sessions", "agent:main:main"][..]),
        (":lanes\r", &["Lanes", "session:agent:main:main"][..]),
        (":cascades\r", &["Cascades", "fake-primary"][..]),
        (":spend\r", &["Spend", "fakeprime/fake-primary"][..]),
        (":cron\r", &["Cron", "heartbeat-main"][..]),
        (":alerts\r", &["Alerts (0)", "no alert"][..]),
        (":overview\r", &["Overview"][..]),
    ] {
        pty.send(cmd);
        pty.wait_for(expect);
    }
    pty.send("?");
    pty.wait_for(&["quit"]);
    pty.send("\x1b");
    // Esc then `q` in one read would be Alt-q: let the Esc close the help first.
    std::thread::sleep(Duration::from_millis(300));
    pty.pump();
    pty.send("q");
    let out = pty.wait_exit();
    let tail = String::from_utf8_lossy(&out[out.len().saturating_sub(200)..]).into_owned();
    assert!(
        tail.contains("\x1b[?1049l"),
        "alternate screen left on quit: {tail:?}"
    );
    assert!(
        tail.contains("\x1b[?25h"),
        "cursor shown again on quit: {tail:?}"
    );
}

#[test]
fn visits_every_view_at_120x40_and_quits_cleanly() {
    visit_every_view(120, 40);
}

#[test]
fn visits_every_view_at_80x24_and_quits_cleanly() {
    visit_every_view(80, 24);
}

#[test]
fn demo_mode_shows_every_view_and_cleans_up_on_quit() {
    let mut pty = Pty::spawn(&["--demo"], 100, 30);
    pty.wait_for(&["Overview", "demo"]);
    for (cmd, expect) in [
        (":sessions\r", &["Sessions", "agent:main:main"][..]),
        (":lanes\r", &["Lanes", "main"][..]),
        (":cascades\r", &["Cascades"][..]),
        (":spend\r", &["Spend", "$"][..]),
        (":cron\r", &["Cron", "inbox-triage"][..]),
        (
            ":alerts\r",
            &[
                "Alerts (",
                "cron-main-binding",
                "idle-heartbeat",
                "resume-flood",
            ][..],
        ),
        (":logs\r", &["Logs", "lines"][..]),
    ] {
        pty.send(cmd);
        pty.wait_for(expect);
    }
    let pid = pty.session.get_process().pid();
    let dir = std::env::temp_dir().join(format!("lanetop-demo-{pid}"));
    assert!(dir.is_dir(), "demo writes into {}", dir.display());
    pty.send("q");
    let _ = pty.wait_exit();
    assert!(!dir.exists(), "demo dir removed on quit: {}", dir.display());
}
