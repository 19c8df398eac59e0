//! The real terminal's modes: enter (raw mode, alternate screen, hidden cursor), restore
//! (raw mode off, alternate screen left, cursor shown), and job-control suspend (Ctrl-Z /
//! SIGTSTP: restore, stop until SIGCONT, enter again).
//!
//! [`restore`] is what the panic hook, the normal exit and [`suspend`] share; it never panics and
//! ignores a terminal that is gone (SSH dropped: writes fail with EIO).

use std::io::Write;

use crossterm::cursor::{Hide, Show};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::Backend;

/// Leave the alternate screen, show the cursor, turn raw mode off. Errors are ignored: this runs
/// in the panic hook and after a hangup, when there may be no terminal left to write to.
pub fn restore() {
    // Raw mode first (it has the most side effects), as ratatui::restore does.
    let _ = disable_raw_mode();
    let mut out = std::io::stdout();
    let _ = execute!(out, LeaveAlternateScreen, Show);
    let _ = out.flush();
}

/// Enter raw mode and the alternate screen, cleared, with the cursor hidden (after a
/// [`restore`]). The caller forces a full redraw ([`full_redraw`]).
pub fn enter() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        Clear(ClearType::All),
        Hide
    )
}

/// Clear the screen and make the next draw repaint every cell. Unlike `Terminal::clear`, this
/// does not query the cursor position (a terminal that does not answer would stall it for 2 s
/// and then fail, leaving the screen blank). Errors are ignored: a terminal that is gone fails
/// the next draw, which ends the loop.
pub fn full_redraw<B: Backend>(terminal: &mut Terminal<B>) {
    let _ = terminal.backend_mut().clear();
    // After a draw the current buffer is empty and the other one holds what was on screen:
    // swapping once more empties both, so the next draw writes every non-blank cell.
    terminal.swap_buffers();
}

/// Hand the terminal back to the shell and stop the process (SIGSTOP: lanetop catches SIGTSTP
/// itself, so the default stop action is not available); returns after SIGCONT (`fg`), with the
/// terminal in raw mode and the alternate screen again. The caller clears and redraws.
///
/// Only the process itself is stopped: lanetop spawns no child process.
pub fn suspend<B: Backend>(_terminal: &mut Terminal<B>) -> std::io::Result<()> {
    restore();
    // SAFETY: getpid/kill have no memory-safety preconditions; this stops only ourselves.
    let rc = unsafe { libc::kill(libc::getpid(), libc::SIGSTOP) };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        enter()?;
        return Err(e);
    }
    enter()
}
