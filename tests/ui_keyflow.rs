//! Key flows through the UI-state reducer: keymap → action → UI state, on the fixture model.

#[path = "common/fixture_model/mod.rs"]
mod fixture_model;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lanetop::config::Keymap;
use lanetop::domain::Model;
use lanetop::ui::data;
use lanetop::ui::reduce::handle_key;
use lanetop::ui::state::{Mode, SessionSort, SpendTab, UiState, View};

struct Flow {
    model: Model,
    ui: UiState,
    keymap: Keymap,
}

impl Flow {
    fn new() -> Self {
        Self::with_keymap("default")
    }
    fn with_keymap(name: &str) -> Self {
        Self {
            model: fixture_model::fixture_model(),
            ui: UiState::default(),
            keymap: Keymap::load(name, None).expect("keymap"),
        }
    }
    fn key(&mut self, code: KeyCode) -> &mut Self {
        handle_key(
            &mut self.ui,
            &self.model,
            &self.keymap,
            KeyEvent::new(code, KeyModifiers::NONE),
        );
        self
    }
    fn ctrl(&mut self, c: char) -> &mut Self {
        handle_key(
            &mut self.ui,
            &self.model,
            &self.keymap,
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        );
        self
    }
    /// Type characters (shifted letters arrive with SHIFT, as crossterm reports them).
    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            let m = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            handle_key(
                &mut self.ui,
                &self.model,
                &self.keymap,
                KeyEvent::new(KeyCode::Char(c), m),
            );
        }
        self
    }
}

#[test]
fn switch_views_with_digits_and_back_with_esc() {
    let mut f = Flow::new();
    f.keys("3");
    assert_eq!(f.ui.view, View::Sessions);
    f.keys("4");
    assert_eq!(f.ui.view, View::Lanes);
    f.keys("]");
    assert_eq!(f.ui.view, View::Cascades);
    f.key(KeyCode::Esc);
    assert_eq!(f.ui.view, View::Lanes);
    f.key(KeyCode::Esc).key(KeyCode::Esc);
    assert_eq!(f.ui.view, View::Overview);
    f.key(KeyCode::Esc);
    assert_eq!(
        f.ui.view,
        View::Overview,
        "esc on an empty history stays put"
    );
}

#[test]
fn command_line_with_aliases() {
    let mut f = Flow::new();
    f.keys(":c").key(KeyCode::Enter);
    assert_eq!(f.ui.view, View::Cascades);
    f.keys(":$").key(KeyCode::Enter);
    assert_eq!(f.ui.view, View::Spend);
    f.keys(":s").key(KeyCode::Enter);
    assert_eq!(f.ui.view, View::Sessions);
    f.keys(":bogus").key(KeyCode::Enter);
    assert_eq!(f.ui.flash.as_deref(), Some("unknown command `:bogus`"));
    f.keys(":lo").key(KeyCode::Backspace).key(KeyCode::Enter);
    assert_eq!(f.ui.view, View::Logs, ":lo minus one char is :l");
    f.keys(":cron").key(KeyCode::Esc);
    assert_eq!(
        (f.ui.view.clone(), f.ui.mode.clone()),
        (View::Logs, Mode::Normal),
        "esc cancels the command line"
    );
    f.keys(":q").key(KeyCode::Enter);
    assert!(f.ui.quit);
}

#[test]
fn help_opens_and_any_key_closes() {
    let mut f = Flow::new();
    f.keys("2?");
    assert_eq!(f.ui.mode, Mode::Help);
    f.key(KeyCode::Down).key(KeyCode::Down);
    assert_eq!((f.ui.mode.clone(), f.ui.help_scroll), (Mode::Help, 2));
    f.keys("?");
    assert_eq!(f.ui.mode, Mode::Normal);
    assert_eq!(f.ui.view, View::Logs);
}

#[test]
fn sessions_filter_sort_open_timeline_and_back() {
    let mut f = Flow::new();
    f.keys("3/op");
    assert_eq!(
        data::session_rows(&f.model, &f.ui.sessions).len(),
        2,
        "filters while typing"
    );
    f.key(KeyCode::Esc);
    assert_eq!(
        data::session_rows(&f.model, &f.ui.sessions).len(),
        7,
        "esc clears"
    );
    f.keys("/ops").key(KeyCode::Enter);
    let rows: Vec<String> = data::session_rows(&f.model, &f.ui.sessions)
        .iter()
        .map(|s| s.key.clone())
        .collect();
    assert_eq!(
        rows,
        [
            "agent:ops:cron:007ab091-ffcc-493b-979a-d1207036802e",
            "agent:ops:main"
        ]
    );
    f.keys("x");
    assert_eq!(data::session_rows(&f.model, &f.ui.sessions).len(), 7);
    f.keys("o");
    assert_eq!(f.ui.sessions.sort, SessionSort::Cost);
    assert_eq!(
        data::session_rows(&f.model, &f.ui.sessions)[0].key,
        "agent:main:main"
    );
    f.keys("r");
    assert_eq!(
        data::session_rows(&f.model, &f.ui.sessions)[0].key,
        "agent:research:cron:3bf435b6-ac50-421e-9002-cf16e51b5641"
    );
    f.keys("r").key(KeyCode::Down).key(KeyCode::Enter);
    assert_eq!(
        f.ui.view,
        View::Timeline("agent:main:cron:f3eb99f7-0dd4-4302-8637-5f7f34e81ab4".into())
    );
    f.key(KeyCode::Esc);
    assert_eq!(f.ui.view, View::Sessions);
}

#[test]
fn cascade_enter_opens_the_sessions_timeline() {
    let mut f = Flow::new();
    f.keys("5").key(KeyCode::Down).key(KeyCode::Enter);
    // The older episode names a session id; it resolves to its key through the index.
    assert_eq!(f.ui.view, View::Timeline("agent:main:main".into()));
}

#[test]
fn logs_follow_level_search_and_jump() {
    let mut f = Flow::new();
    f.keys("2");
    assert!(f.ui.logs.follow);
    f.keys("f");
    assert!(!f.ui.logs.follow);
    f.keys("f");
    assert!(f.ui.logs.follow);
    f.keys("l");
    assert_eq!(f.ui.logs.min_level, Some(lanetop::fact::Level::Info));
    f.keys("ll");
    assert_eq!(f.ui.logs.min_level, Some(lanetop::fact::Level::Error));
    f.keys("l");
    assert_eq!(f.ui.logs.min_level, None);
    f.keys("w");
    assert!(f.ui.logs.wrap);
    // Buffer holds sequence numbers 1000..1019; "fallback" matches 1006, 1007, 1008.
    f.keys("/fallback").key(KeyCode::Enter);
    assert_eq!((f.ui.logs.follow, f.ui.logs.cursor), (false, Some(1008)));
    f.keys("n");
    assert_eq!(f.ui.logs.cursor, Some(1007));
    f.keys("n");
    assert_eq!(f.ui.logs.cursor, Some(1006));
    f.keys("n");
    assert_eq!(f.ui.flash.as_deref(), Some("no more matches"));
    f.keys("N");
    assert_eq!(f.ui.logs.cursor, Some(1007));
    f.key(KeyCode::End);
    assert!(f.ui.logs.follow);
    f.keys(":time 01:57").key(KeyCode::Enter);
    assert_eq!(
        f.ui.logs.cursor,
        Some(1004),
        "first line at or after 01:57:00"
    );
    f.keys("t01:58").key(KeyCode::Enter);
    assert_eq!(f.ui.logs.cursor, Some(1013));
    f.keys("s");
    assert_eq!(f.ui.logs.subsystem.as_deref(), Some("agent/embedded"));
}

#[test]
fn logs_scroll_pauses_and_moves_by_visible_lines() {
    let mut f = Flow::new();
    f.keys("2").key(KeyCode::Up);
    assert_eq!((f.ui.logs.follow, f.ui.logs.end_seq), (false, Some(1018)));
    f.keys(":level error").key(KeyCode::Enter);
    // Only 1014 is ERROR; scrolling down from it reaches the end.
    f.key(KeyCode::Down);
    assert_eq!(f.ui.logs.end_seq, Some(1019));
}

#[test]
fn logs_home_shows_the_oldest_page_and_end_follows_again() {
    let mut f = Flow::new();
    f.keys("2").key(KeyCode::Home);
    // 19 buffered lines (1000..=1018) are fewer than a 20-line page: the end is the buffer end.
    assert_eq!((f.ui.logs.follow, f.ui.logs.end_seq), (false, Some(1019)));
    f.keys(":level warn").key(KeyCode::Enter).key(KeyCode::Home);
    assert_eq!(f.ui.logs.end_seq, Some(1019));
    f.key(KeyCode::End);
    assert!(f.ui.logs.follow);
}

#[test]
fn spend_tabs_cycle() {
    let mut f = Flow::new();
    f.keys("6").key(KeyCode::Tab);
    assert_eq!(f.ui.spend_tab, SpendTab::Agent);
    f.key(KeyCode::BackTab).key(KeyCode::BackTab);
    assert_eq!(f.ui.spend_tab, SpendTab::Day);
}

#[test]
fn vim_keys_move_and_open() {
    let mut f = Flow::with_keymap("vim");
    f.keys("3jl");
    assert!(matches!(f.ui.view, View::Timeline(_)));
    f.keys("h");
    assert_eq!(f.ui.view, View::Sessions);
    f.keys("G");
    assert_eq!(f.ui.sessions.selected, 6);
    f.keys("g");
    assert_eq!(f.ui.sessions.selected, 0);
}

#[test]
fn quit_keys() {
    let mut f = Flow::new();
    f.keys("q");
    assert!(f.ui.quit);
    let mut f = Flow::new();
    f.ctrl('c');
    assert!(f.ui.quit);
}
