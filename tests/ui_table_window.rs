//! The Sessions and Lanes views build only the rows on screen (10,000 sessions took ~180 ms a
//! frame when every row was formatted; the soak's 4,000+ `session:*` lanes ~15 ms). The window
//! must be the one a full table shows: from the top, and scrolled so the selected row is the
//! last visible one once the selection passes the screen.

mod facts;

use facts::*;
use lanetop::config::{Keymap, Theme};
use lanetop::domain::Model;
use lanetop::fact::LogEvent;
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

/// The Sessions table's body lines and the selected line.
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
    rows(m, &ui, "agent:main:cron:job:run:r")
}

/// Draw `ui` at 120×40; the lines containing `marker` (the table's body rows) and the index of
/// the selected one among them.
fn rows(m: &Model, ui: &UiState, marker: &str) -> (Vec<String>, Option<usize>) {
    let theme = Theme::builtin("dark").expect("theme");
    let keymap = Keymap::load("default", None).expect("keymap");
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    t.draw(|f| lanetop::ui::render(f, m, ui, &theme, &keymap))
        .expect("draw");
    let buf = t.backend().buffer().clone();
    let sel_bg = theme.style(lanetop::config::Role::Selection).bg;
    let mut lines = Vec::new();
    let mut sel = None;
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if line.contains(marker) {
            if sel.is_none() && sel_bg.is_some() && buf[(2, y)].bg == sel_bg.unwrap_or_default() {
                sel = Some(lines.len());
            }
            lines.push(line);
        }
    }
    (lines, sel)
}

/// The first whitespace-separated word of `line` starting at `prefix` (a key or lane name).
fn name_at(line: &str, prefix: &str) -> String {
    let start = line.find(prefix).expect("a row name");
    line[start..]
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
}

/// The window a full table of 500 rows named `<prefix>r00000` … `<prefix>r00499` shows, for a
/// selection at the top, inside the first screen, past it, and past the end. `body` draws the
/// table with a selection and returns its body lines and the selected line.
fn check_window(prefix: &str, body: impl Fn(usize) -> (Vec<String>, Option<usize>)) {
    let name = |line: &String| name_at(line, prefix);
    let row = |i: usize| format!("{prefix}r{i:05}");
    let (top, sel) = body(0);
    let visible = top.len();
    assert!(visible > 20, "a 40-row screen shows many rows: {visible}");
    assert_eq!(name(&top[0]), row(0));
    assert_eq!(sel, Some(0));
    // Selection inside the first screen: no scrolling.
    let (same, sel) = body(visible - 1);
    assert_eq!(name(&same[0]), row(0));
    assert_eq!(sel, Some(visible - 1));
    // Past the screen: the selected row is the last visible one.
    let (scrolled, sel) = body(300);
    assert_eq!(scrolled.len(), visible);
    assert_eq!(name(&scrolled[visible - 1]), row(300));
    assert_eq!(name(&scrolled[0]), row(300 + 1 - visible));
    assert_eq!(sel, Some(visible - 1));
    // A selection past the end is clamped to the last row.
    let (end, _) = body(10_000);
    assert_eq!(name(&end[visible - 1]), row(499));
}

#[test]
fn window_follows_the_selection_like_a_full_table() {
    let m = model(500);
    check_window("agent:main:cron:job:run:", |sel| body(&m, sel));
}

/// `n` idle session lanes (`session:agent:main:cron:job:run:r00000` …), each with one enqueue
/// and dequeue, so they sort by name.
fn lanes_model(n: usize) -> Model {
    let mut facts = Vec::new();
    for i in 0..n {
        let lane = format!("session:agent:main:cron:job:run:r{i:05}");
        let line = 2 * i as u64 + 1;
        facts.push(ev(
            line,
            "2026-11-22T01:51:16.800+00:00",
            LogEvent::LaneEnqueued {
                lane: lane.clone(),
                queue_size: 1,
            },
        ));
        facts.push(ev(
            line + 1,
            "2026-11-22T01:51:16.810+00:00",
            LogEvent::LaneDequeued {
                lane,
                wait_ms: 10,
                queue_size: 0,
            },
        ));
    }
    let mut m = Model::default();
    fold(&mut m, facts);
    m
}

/// The Lanes table's body lines and the selected line.
fn lanes_body(m: &Model, selected: usize) -> (Vec<String>, Option<usize>) {
    let ui = UiState {
        view: View::Lanes,
        lanes_selected: selected,
        ..UiState::default()
    };
    rows(m, &ui, "session:agent:main:cron:job:run:r")
}

#[test]
fn lanes_window_follows_the_selection_like_a_full_table() {
    let m = lanes_model(500);
    assert_eq!(m.lanes.by_name.len(), 500);
    check_window("session:agent:main:cron:job:run:", |sel| {
        lanes_body(&m, sel)
    });
}
