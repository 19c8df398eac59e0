//! The event loop: `select!` over terminal events (only with a TTY), ingest batches, a 1 Hz
//! tick and termination signals; redraws only when something changed: at once after a key, at
//! most 30 fps for data, and for the passing of time alone (ages, the clock, burn rates) every
//! [`IDLE_REDRAW`], unless the tick changed the alerts, which are drawn at once. The model's
//! clock and the detectors move on those same ticks (every other one), not on the ticks between
//! two idle frames.
//!
//! Process faults: SIGTERM, SIGHUP (SSH dropped) and SIGINT end the loop normally (the caller
//! restores the terminal and drains the action runner); a terminal that can no longer be
//! written to ends it too; Ctrl-Z and SIGTSTP suspend through [`run_suspendable`]'s hook.
//!
//! Keys go through the keymap to the UI reducer ([`crate::ui::reduce`]); data changes only via
//! [`crate::update::update`].

use std::time::Duration;

use chrono::Utc;
use crossterm::event::Event;
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use crate::config::{Keymap, Theme};
use crate::domain::Model;
use crate::gateway::runner::Request;
use crate::msg::Msg;
use crate::ui::{self, UiState};

/// Minimum time between two frames (≤ 30 fps).
pub const FRAME: Duration = Duration::from_millis(33);

/// How often a screen that nothing else changed is redrawn for the passing of time: every
/// second tick (btop and k9s refresh every 2 s too). A frame is most of an idle console's CPU
/// (BENCHMARKS.md, idle CPU); a tick that changes the alerts, a key or a fact redraws at once.
/// Just under 2 s, so a tick's jitter never skips a second one.
pub const IDLE_REDRAW: Duration = Duration::from_millis(1900);

/// Most ingest messages folded per wake-up.
const BATCH: usize = 512;

/// The current alerts by identity and severity: what a tick may change that is drawn at once.
fn alert_ids(
    model: &Model,
) -> Vec<(
    crate::domain::detect::AlertKind,
    String,
    crate::domain::detect::Severity,
)> {
    model
        .alerts
        .iter()
        .map(|a| (a.kind, a.subject.clone(), a.severity))
        .collect()
}

/// Everything the loop owns besides the terminal and the channels.
pub struct App {
    pub model: Model,
    pub ui: UiState,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Where confirmed effects go (the runner task); `None`: no runner (tests, report).
    pub effects: Option<mpsc::UnboundedSender<Request>>,
}

impl App {
    /// Handle one terminal event; returns true when a redraw is needed.
    pub fn on_event(&mut self, ev: &Event) -> bool {
        match ev {
            Event::Key(k) => {
                let dirty = ui::reduce::handle_key(&mut self.ui, &self.model, &self.keymap, *k);
                self.dispatch();
                dirty
            }
            Event::Resize(..) => true,
            _ => false,
        }
    }

    /// Hand confirmed effects (`ui.outbox`) to the runner.
    fn dispatch(&mut self) {
        for e in self.ui.outbox.drain(..) {
            let sent = self
                .effects
                .as_ref()
                .is_some_and(|tx| tx.send(e.clone().into()).is_ok());
            if !sent {
                self.ui.flash = Some(format!("{} {}: no action runner", e.action(), e.target()));
            }
        }
    }

    /// Fold one message into the model; returns true when a redraw is needed.
    pub fn on_msg(&mut self, msg: Msg) -> bool {
        if let Msg::ActionDone(o) = &msg {
            tracing::info!(action = o.action, target = %o.target, ok = o.ok, "{}", o.summary);
            self.ui.flash = Some(o.summary.clone());
            self.ui.outcomes.push(o.summary.clone());
            let excess = self.ui.outcomes.len().saturating_sub(20);
            self.ui.outcomes.drain(..excess);
            return true;
        }
        let (facts, tick) = match &msg {
            Msg::Facts(f) => (f.len(), false),
            _ => (0, matches!(msg, Msg::Tick(_))),
        };
        let changed = crate::update::update(&mut self.model, msg);
        flash_new_crit(&mut self.ui, &self.model);
        // Push alerts (lanetop watch's notifier), when targets are configured.
        if let Some(p) = &self.ui.push {
            p.note_facts(facts);
            if tick {
                self.ui.push_dead = p.tick(&self.model);
            }
        }
        changed
    }

    /// Draw one frame (first moving lanetop's own new log events into the tui-logger buffer).
    pub fn draw<B: Backend>(&self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        tui_logger::move_events();
        terminal.draw(|f| ui::render(f, &self.model, &self.ui, &self.theme, &self.keymap))?;
        Ok(())
    }
}

/// Next terminal event, or never when there is no event stream (no TTY, or it ended).
async fn next_event<S>(events: &mut Option<S>) -> Option<std::io::Result<Event>>
where
    S: Stream<Item = std::io::Result<Event>> + Unpin,
{
    match events {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

/// Run until quit (key, `:q`, SIGTERM, SIGHUP, SIGINT).
///
/// `events` is the terminal input: crossterm's `EventStream` when stdin is a terminal, `None`
/// otherwise (`EventStream::new()` panics without a TTY), or any stream in tests.
/// Ctrl-Z and SIGTSTP are ignored here (no terminal to hand back); see [`run_suspendable`].
pub async fn run<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    rx: mpsc::Receiver<Msg>,
    events: Option<S>,
) -> color_eyre::Result<()>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    S: Stream<Item = std::io::Result<Event>> + Unpin,
{
    run_suspendable(terminal, app, rx, events, None).await
}

/// How the loop hands the terminal back on Ctrl-Z / SIGTSTP: called with the terminal, it must
/// leave the alternate screen and raw mode, stop the process until SIGCONT, then restore both
/// (the loop then repaints every cell, see [`crate::terminal::full_redraw`]). `main` passes [`crate::terminal::suspend`].
pub type Suspend<'a, B> = &'a mut dyn FnMut(&mut Terminal<B>) -> std::io::Result<()>;

/// Test-only: `LANETOP_TEST_PANIC=1` makes the loop panic right after its first frame, so the
/// pty tests can check that the panic hook restores the terminal. Not a user feature.
pub const TEST_PANIC_ENV: &str = "LANETOP_TEST_PANIC";

/// True for Ctrl-Z (raw mode turns it into a key instead of SIGTSTP).
fn is_suspend_key(ev: &Event) -> bool {
    use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
    matches!(ev, Event::Key(k) if k.kind == KeyEventKind::Press
        && k.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(k.code, KeyCode::Char('z' | 'Z')))
}

/// [`run`] plus job control: with `suspend`, Ctrl-Z and SIGTSTP call it (the terminal is handed
/// back to the shell, the process stops, and on `fg` the screen is restored and redrawn);
/// without it they are ignored. SIGCONT (e.g. after an outside SIGSTOP) forces a full redraw.
pub async fn run_suspendable<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut rx: mpsc::Receiver<Msg>,
    mut events: Option<S>,
    mut suspend: Option<Suspend<'_, B>>,
) -> color_eyre::Result<()>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    S: Stream<Item = std::io::Result<Event>> + Unpin,
{
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    // Only catch SIGTSTP when the terminal can be handed back; otherwise keep its default.
    let mut sigtstp = match suspend {
        Some(_) => Some(signal(SignalKind::from_raw(libc::SIGTSTP))?),
        None => None,
    };
    let mut sigcont = signal(SignalKind::from_raw(libc::SIGCONT))?;
    let test_panic = std::env::var_os(TEST_PANIC_ENV).is_some_and(|v| v == "1");
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut buf: Vec<Msg> = Vec::with_capacity(BATCH);
    let mut rx_open = true;
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    // When a tick last moved the model's clock (`None`: never).
    let mut last_tick_update: Option<Instant> = None;
    // A key changed the screen: draw it now, not at the next frame slot (the 30 fps cap is for
    // data-driven redraws; a busy log redraws at the cap and a key would wait up to 33 ms).
    let mut input = false;
    loop {
        if dirty && (input || last_draw.elapsed() >= FRAME) {
            if let Err(e) = app.draw(terminal) {
                // The terminal is gone (SSH dropped: writes fail with EIO): nothing can be
                // shown any more, so quit cleanly (the caller still drains the action runner).
                tracing::warn!("terminal write failed, quitting: {e}");
                break;
            }
            dirty = false;
            input = false;
            last_draw = Instant::now();
            if test_panic {
                panic!("{TEST_PANIC_ENV}=1: test-only panic after the first frame");
            }
        }
        if app.ui.quit {
            break;
        }
        let mut do_suspend = false;
        tokio::select! {
            // `biased`: input first, then the tick, the frame timer and signals, then fact
            // batches last, so a log busy enough to always have a batch ready never starves a
            // key, a signal or the 1 s refresh.
            biased;
            ev = next_event(&mut events) => match ev {
                Some(Ok(ev)) if is_suspend_key(&ev) => do_suspend = true,
                Some(Ok(ev)) => {
                    let changed = app.on_event(&ev);
                    dirty |= changed;
                    input |= changed;
                }
                Some(Err(e)) => {
                    tracing::warn!("terminal input failed: {e}");
                    events = None;
                }
                None => events = None,
            },
            _ = tick.tick() => {
                // The clock and the detectors move with the idle frames, every IDLE_REDRAW:
                // a tick between two frames would refresh a model nobody sees (a fact batch
                // refreshes it on its own). The log pane follows lanetop's log every second.
                if app.ui.show_log_pane
                    || last_tick_update.is_none_or(|t| t.elapsed() >= IDLE_REDRAW)
                {
                    last_tick_update = Some(Instant::now());
                    let alerts = alert_ids(&app.model);
                    let changed = app.on_msg(Msg::Tick(Utc::now()));
                    dirty |= alert_ids(&app.model) != alerts
                        || app.ui.show_log_pane
                        || (changed && last_draw.elapsed() >= IDLE_REDRAW);
                }
                crate::stats::tick(&app.model);
            }
            _ = tokio::time::sleep_until(last_draw + FRAME), if dirty => {}
            _ = sigterm.recv() => app.ui.quit = true,
            _ = sighup.recv() => app.ui.quit = true,
            _ = sigint.recv() => app.ui.quit = true,
            _ = recv_opt(&mut sigtstp) => do_suspend = true,
            _ = sigcont.recv() => {
                crate::terminal::full_redraw(terminal);
                dirty = true;
            }
            n = rx.recv_many(&mut buf, BATCH), if rx_open => {
                if n == 0 {
                    rx_open = false;
                    tracing::info!("ingest stopped");
                }
                // Consecutive fact batches are folded as one: `update` refreshes the derived
                // state (O(sessions)) once per call, and a busy live log sends many small
                // batches (scripts/soak.sh: 5,000 lines/s with 10,000 sessions fell behind).
                let mut facts: Vec<crate::fact::Fact> = Vec::new();
                for m in buf.drain(..) {
                    match m {
                        Msg::Facts(f) => facts.extend(f),
                        other => {
                            if !facts.is_empty() {
                                dirty |= app.on_msg(Msg::Facts(std::mem::take(&mut facts)));
                            }
                            dirty |= app.on_msg(other);
                        }
                    }
                }
                if !facts.is_empty() {
                    dirty |= app.on_msg(Msg::Facts(facts));
                }
            }
        }
        if do_suspend && let Some(f) = suspend.as_mut() {
            if let Err(e) = f(terminal) {
                tracing::warn!("suspend failed: {e}");
            }
            crate::terminal::full_redraw(terminal);
            dirty = true;
            last_draw = Instant::now() - FRAME;
        }
    }
    Ok(())
}

/// The next signal of an optional stream, or never.
async fn recv_opt(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match s {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

/// A critical alert not seen before (`Model::new_crit` grew): flash its cause on the bottom
/// line (cleared by the next key).
pub fn flash_new_crit(ui: &mut UiState, model: &Model) {
    if model.new_crit > ui.crit_seen {
        ui.crit_seen = model.new_crit;
        if let Some(a) = model
            .alerts
            .iter()
            .find(|a| a.severity == crate::domain::detect::Severity::Crit)
        {
            ui.flash = Some(format!(
                "CRITICAL {}: {} — :alerts{}",
                a.kind.name(),
                a.cause,
                a.remedy
                    .map_or(String::new(), |r| format!(", remedy {}", r.action_name()))
            ));
        }
    }
}
