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

#[tokio::test]
async fn loop_draws_handles_keys_and_quits() {
    let mut app = App {
        model: fixture_model::fixture_model(),
        ui: UiState::default(),
        theme: Theme::no_color(),
        keymap: Keymap::load("default", None).expect("keymap"),
        effects: None,
    };
    app.model.now = None;
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let (tx, rx) = mpsc::channel::<Msg>(16);
    let (ktx, krx) = mpsc::channel::<std::io::Result<Event>>(16);
    let events = Box::pin(futures_util::stream::unfold(krx, |mut r| async move {
        r.recv().await.map(|e| (e, r))
    }));
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
