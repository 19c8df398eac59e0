//! The Sessions view builds only the rows on screen (10,000 sessions took ~180 ms a frame when
//! every row was formatted). The window must be the one a full table shows: from the top, and
//! scrolled so the selected row is the last visible one once the selection passes the screen.

mod facts;

use facts::*;
use lanetop::config::{Keymap, Theme};
use lanetop::domain::Model;
use lanetop::ui::state::{SessionSort, SessionsUi, UiState, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn model(n: usize) -> Model {
    let rows = (0..n)
        .map(|i| lanetop::fact::SessionRow {
            key: format!("agent:main:cron:job:run:r{i:05}"),
            session_id: format!("sid-{i:05}"),
            ..main_row()
        })
        .collect();
    let mut m = Model::default();
    fold(
        &mut m,
        vec![snapshot("2026-11-22T00:00:00.000+00:00", "main", rows)],
    );
    m
}

/// The table's body lines (between the header and the bottom border) and the selected line.
fn body(m: &Model, selected: usize) -> (Vec<String>, Option<usize>) {
    let ui = UiState {
        view: View::Sessions,
        sessions: SessionsUi {
            sort: SessionSort::Key,
            selected,
            ..SessionsUi::default()
        },
        ..UiState::default()
    };
    let theme = Theme::builtin("dark").expect("theme");
    let keymap = Keymap::load("default", None).expect("keymap");
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    t.draw(|f| lanetop::ui::render(f, m, &ui, &theme, &keymap))
        .expect("draw");
    let buf = t.backend().buffer().clone();
    let sel_bg = theme.style(lanetop::config::Role::Selection).bg;
    let mut lines = Vec::new();
    let mut sel = None;
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if line.contains("agent:main:cron:job:run:r") {
            if sel.is_none() && sel_bg.is_some() && buf[(2, y)].bg == sel_bg.unwrap_or_default() {
                sel = Some(lines.len());
            }
            lines.push(line);
        }
    }
    (lines, sel)
}

fn key_of(line: &str) -> String {
    let start = line.find("agent:").expect("key");
    line[start..]
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn window_follows_the_selection_like_a_full_table() {
    let m = model(500);
    let (top, sel) = body(&m, 0);
    let visible = top.len();
    assert!(visible > 20, "a 40-row screen shows many rows: {visible}");
    assert_eq!(key_of(&top[0]), "agent:main:cron:job:run:r00000");
    assert_eq!(sel, Some(0));
    // Selection inside the first screen: no scrolling.
    let (same, sel) = body(&m, visible - 1);
    assert_eq!(key_of(&same[0]), "agent:main:cron:job:run:r00000");
    assert_eq!(sel, Some(visible - 1));
    // Past the screen: the selected row is the last visible one.
    let (scrolled, sel) = body(&m, 300);
    assert_eq!(scrolled.len(), visible);
    assert_eq!(
        key_of(&scrolled[visible - 1]),
        "agent:main:cron:job:run:r00300"
    );
    assert_eq!(
        key_of(&scrolled[0]),
        format!("agent:main:cron:job:run:r{:05}", 300 + 1 - visible)
    );
    assert_eq!(sel, Some(visible - 1));
    // A selection past the end is clamped to the last row.
    let (end, _) = body(&m, 10_000);
    assert_eq!(key_of(&end[visible - 1]), "agent:main:cron:job:run:r00499");
}
