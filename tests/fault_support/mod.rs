//! Shared by the fault suites: fold messages into a model and render the whole UI through
//! ratatui's TestBackend, so assertions read what the operator sees (the status bar).

#![allow(dead_code)]

use lanetop::config::{Keymap, Theme};
use lanetop::domain::Model;
use lanetop::msg::Msg;
use lanetop::ui::UiState;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The rendered screen, one `String` per row.
pub fn screen_rows(model: &Model, cols: u16, rows: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(cols, rows)).expect("terminal");
    let ui = UiState::default();
    let theme = Theme::no_color();
    let keymap = Keymap::load("default", None).expect("keymap");
    t.draw(|f| lanetop::ui::render(f, model, &ui, &theme, &keymap))
        .expect("draw");
    let buf = t.backend().buffer();
    (0..rows)
        .map(|y| {
            (0..cols)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// The status bar row: the one showing the RPC link (`rpc ✓`, `rpc ✗`, `rpc !`, `rpc -`).
pub fn status_bar(model: &Model, cols: u16) -> String {
    let rows = screen_rows(model, cols, 30);
    rows.iter()
        .find(|r| {
            r.contains("rpc ✓") || r.contains("rpc ✗") || r.contains("rpc !") || r.contains("rpc -")
        })
        .cloned()
        .unwrap_or_else(|| panic!("no status bar on screen:\n{}", rows.join("\n")))
}

/// Fold one message into the model (the same `update` the app loop calls).
pub fn fold(model: &mut Model, msg: Msg) {
    lanetop::update::update(model, msg);
}
