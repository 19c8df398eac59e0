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
mod pty_support;

use std::time::{Duration, Instant};

use pty_support::*;

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
