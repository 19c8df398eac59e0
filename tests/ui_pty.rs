//! End-to-end: the real binary in a pty (expectrl + vt100). Startup on an empty state dir,
//! view switching by key and `:` command, NO_COLOR, quit with `q` and SIGTERM restoring the
//! terminal (alternate screen left).

use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::process::Healthcheck;
use expectrl::{Expect, Session};

struct Pty {
    session: expectrl::session::OsSession,
    parser: vt100::Parser,
}

impl Pty {
    fn spawn(extra: &[&str], state: &std::path::Path, config: &std::path::Path) -> Pty {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lanetop"));
        cmd.arg("--state-dir").arg(state).args(extra);
        cmd.env("LANETOP_CONFIG_DIR", config)
            .env("LANETOP_DATA_DIR", config.join("data"))
            .env("LANETOP_STATE_DIR", config.join("state"))
            .env("TERM", "xterm-256color")
            .env("NO_COLOR", "1");
        let mut session = Session::spawn(cmd).expect("spawn lanetop in a pty");
        session
            .get_process_mut()
            .set_window_size(100, 30)
            .expect("window size");
        Pty {
            session,
            parser: vt100::Parser::new(30, 100, 0),
        }
    }

    fn pump(&mut self) {
        let mut buf = [0u8; 8192];
        while let Ok(n) = self.session.try_read(&mut buf) {
            if n == 0 {
                break;
            }
            self.parser.process(&buf[..n]);
        }
    }

    /// Poll until `pred` holds on the screen (deadline 5 s).
    fn wait_for(&mut self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.pump();
            if pred(self.parser.screen()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{}",
                self.parser.screen().contents()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_exit(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.session.is_alive().unwrap_or(false) {
            self.pump();
            assert!(Instant::now() < deadline, "lanetop did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
        self.pump();
    }
}

fn has(s: &'static str) -> impl Fn(&vt100::Screen) -> bool {
    move |screen| screen.contents().contains(s)
}

#[test]
fn starts_switches_views_and_quits_restoring_the_terminal() {
    let state = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let mut p = Pty::spawn(&[], state.path(), config.path());
    p.wait_for("the overview", has("Spend today"));
    assert!(p.parser.screen().alternate_screen());
    p.session.send("3").expect("send");
    p.wait_for("sessions", has("Sessions (0)"));
    p.session.send(":c\r").expect("send");
    p.wait_for("cascades", has("Cascades (0)"));
    let cell = p.parser.screen().cell(0, 1).expect("header cell");
    assert_eq!(
        cell.fgcolor(),
        vt100::Color::Default,
        "NO_COLOR: no colours"
    );
    p.session.send("q").expect("send");
    p.wait_exit();
    assert!(!p.parser.screen().alternate_screen(), "terminal restored");
}

#[test]
fn sigterm_restores_the_terminal() {
    let state = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let mut p = Pty::spawn(&["--keymap", "vim"], state.path(), config.path());
    p.wait_for("the overview", has("Spend today"));
    let pid = p.session.get_process().pid();
    nix_kill(pid.as_raw());
    p.wait_exit();
    assert!(
        !p.parser.screen().alternate_screen(),
        "terminal restored after SIGTERM"
    );
}

fn nix_kill(pid: i32) {
    // SAFETY: sending SIGTERM to the child we spawned.
    let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(rc, 0, "kill");
}
