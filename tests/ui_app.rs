//! The event loop, headless: a TestBackend terminal, keys from a channel-backed stream, facts
//! and ticks from the ingest channel.

#[path = "common/fixture_model/mod.rs"]
mod fixture_model;

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use lanetop::app::{self, App};
use lanetop::config::{Keymap, Theme};
use lanetop::msg::Msg;
use lanetop::ui::state::{UiState, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

fn key(c: char) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

/// The app the loop tests drive: the fixture model, default keymap, no colour, no runner.
fn fixture_app() -> App {
    App {
        model: fixture_model::fixture_model(),
        ui: UiState::default(),
        theme: Theme::no_color(),
        keymap: Keymap::load("default", None).expect("keymap"),
        effects: None,
    }
}

/// Terminal events from a channel: the sender, and the stream the loop reads.
#[allow(clippy::type_complexity)]
fn key_stream() -> (
    mpsc::Sender<std::io::Result<Event>>,
    std::pin::Pin<Box<dyn futures_util::Stream<Item = std::io::Result<Event>>>>,
) {
    let (ktx, krx) = mpsc::channel::<std::io::Result<Event>>(16);
    let events = Box::pin(futures_util::stream::unfold(krx, |mut r| async move {
        r.recv().await.map(|e| (e, r))
    }));
    (ktx, events)
}

#[tokio::test]
async fn loop_draws_handles_keys_and_quits() {
    let mut app = fixture_app();
    app.model.now = None;
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let (tx, rx) = mpsc::channel::<Msg>(16);
    let (ktx, events) = key_stream();
    let feeder = tokio::spawn(async move {
        tx.send(Msg::Facts(Vec::new())).await.expect("send facts");
        ktx.send(key('3')).await.expect("send key");
        tokio::time::sleep(Duration::from_millis(100)).await;
        ktx.send(key('q')).await.expect("send key");
        tx
    });
    tokio::time::timeout(
        Duration::from_secs(5),
        app::run(&mut terminal, &mut app, rx, Some(events)),
    )
    .await
    .expect("loop ends on q")
    .expect("loop ok");
    let _tx = feeder.await.expect("feeder");
    assert!(app.ui.quit);
    assert_eq!(app.ui.view, View::Sessions);
    assert!(app.model.now.is_some(), "the tick set the clock");
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        screen.contains("Sessions (7)"),
        "the sessions view was drawn after the key"
    );
}

/// A [`TestBackend`] that counts frames (one `flush` per `Terminal::draw`).
struct Counting {
    inner: TestBackend,
    frames: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl ratatui::backend::Backend for Counting {
    type Error = std::convert::Infallible;
    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<ratatui::layout::Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<ratatui::layout::Position>>(
        &mut self,
        position: P,
    ) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, t: ratatui::backend::ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(t)
    }
    fn size(&self) -> Result<ratatui::layout::Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<ratatui::backend::WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.frames
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.flush()
    }
}

/// Idle (no key, no fact, alerts unchanged), the screen is redrawn for the passing of time
/// every second tick (`app::IDLE_REDRAW`), not on every tick; a fact batch redraws at once.
#[tokio::test(start_paused = true)]
async fn idle_console_redraws_every_other_tick_and_facts_at_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut app = fixture_app();
    let frames = std::sync::Arc::new(AtomicUsize::new(0));
    let backend = Counting {
        inner: TestBackend::new(120, 40),
        frames: frames.clone(),
    };
    let mut terminal = Terminal::new(backend).expect("terminal");
    let (tx, rx) = mpsc::channel::<Msg>(16);
    let (ktx, events) = key_stream();
    let seen = frames.clone();
    let feeder = tokio::spawn(async move {
        // The first frame, and the first tick's (its alerts are new), are drawn by 0.5 s;
        // then 10 s idle: one frame per two ticks.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let start = seen.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(10_000)).await;
        let idle = seen.load(Ordering::SeqCst) - start;
        // A fact batch half a second after a tick's frame is drawn within a frame slot.
        let line = br#"{"0":"{\"subsystem\":\"gateway\"}","1":"hello","_meta":{"logLevelName":"INFO"},"time":"2026-11-22T01:00:00.000Z"}"#;
        let fact = lanetop::ingest::log::LineParser::new().parse(
            line,
            lanetop::fact::Origin::line(lanetop::fact::SourceKind::Log, "t.log".into(), 1),
        );
        tx.send(Msg::Facts(vec![fact])).await.expect("send facts");
        tokio::time::sleep(Duration::from_millis(100)).await;
        let after_fact = seen.load(Ordering::SeqCst) - start;
        ktx.send(key('q')).await.expect("send key");
        (idle, after_fact, tx)
    });
    tokio::time::timeout(
        Duration::from_secs(30),
        app::run(&mut terminal, &mut app, rx, Some(events)),
    )
    .await
    .expect("loop ends on q")
    .expect("loop ok");
    let (idle, after_fact, _tx) = feeder.await.expect("feeder");
    // Ticks at 1, 2, ... 10 s: frames at 2, 4, 6, 8 and 10 s (every tick would be 10).
    assert_eq!(idle, 5, "idle frames in 10 s");
    assert_eq!(after_fact, idle + 1, "a fact batch redraws at once");
}
