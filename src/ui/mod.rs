//! The TUI: pure rendering of `&Model` + [`UiState`] with a [`Theme`]; no I/O.
//!
//! Screen layout (every row is one terminal line; usable from 80×24):
//!
//! ```text
//! ┌──────────────────────────────────────────────────────────────────────────────┐
//! │ lanetop │ host │ gateway 2026.9.6 up │ boots 2 │ ✖ 1 ⚠ 4 │ Overview          │ header
//! ├──────────────────────────────────────────────────────────────────────────────┤
//! │                                                                              │
//! │   the current view (views/*.rs): Overview, Logs, Sessions, Timeline,         │ body
//! │   Lanes, Cascades, Spend, Cron, Alerts; `?` help is drawn over it (modal/help.rs)    │
//! │                                                                              │
//! ├──────────────────────────────────────────────────────────────────────────────┤
//! │ lanetop's own log (tui-logger), toggled with ctrl-l                          │ optional
//! ├──────────────────────────────────────────────────────────────────────────────┤
//! │ log ✓ offset 1.2 MB 3s · agent-db:main ✓ 12 rows 2s · rpc ✗ · following 3    │ status
//! │ :command / /filter input, a flash message, or key hints                      │ bottom
//! └──────────────────────────────────────────────────────────────────────────────┘
//! ```

pub mod actions;
pub mod data;
pub mod modal;
pub mod reduce;
pub mod state;
pub mod views;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::config::{Action, Keymap, Role, Theme};
use crate::domain::Model;
pub use state::{Mode, UiState, View};

/// Height of lanetop's own log pane when shown.
const LOG_PANE_HEIGHT: u16 = 8;

/// Draw the whole screen.
pub fn render(f: &mut Frame, model: &Model, ui: &UiState, theme: &Theme, keymap: &Keymap) {
    let pane = if ui.show_log_pane { LOG_PANE_HEIGHT } else { 0 };
    let [header, body, log_pane, status, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(pane),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    widgets::header::render(f, header, model, ui, theme);
    render_view(f, body, model, ui, theme);
    if ui.show_log_pane {
        own_log(f, log_pane, theme);
    }
    widgets::status::render(f, status, model, ui, theme);
    bottom_line(f, bottom, ui, theme, keymap);
    if ui.mode == Mode::Help {
        modal::help::render(f, body, keymap, ui.scope(), ui.help_scroll, theme);
    }
    if let (Mode::Confirm, Some(p)) = (&ui.mode, &ui.pending) {
        modal::confirm::render(f, body, p, keymap, theme);
    }
}

fn render_view(f: &mut Frame, area: Rect, model: &Model, ui: &UiState, theme: &Theme) {
    match &ui.view {
        View::Overview => views::overview::render(f, area, model, theme),
        View::Logs => views::logs::render(f, area, model, &ui.logs, theme),
        View::Sessions => {
            views::sessions::render(f, area, model, &ui.sessions, &ui.marked_sessions, theme)
        }
        View::Timeline(key) => {
            views::timeline::render(f, area, model, key, ui.timeline_scroll, theme)
        }
        View::Lanes => views::lanes::render(f, area, model, ui.lanes_selected, theme),
        View::Cascades => views::cascades::render(f, area, model, ui.cascades_selected, theme),
        View::Spend => views::spend::render(f, area, model, ui.spend_tab, theme),
        View::Cron => views::cron::render(f, area, model, ui.cron_selected, &ui.marked_cron, theme),
        View::Alerts => views::alerts::render(f, area, model, ui.alerts_selected, theme),
    }
}

fn own_log(f: &mut Frame, area: Rect, theme: &Theme) {
    let w = tui_logger::TuiLoggerWidget::default()
        .block(views::block("lanetop log", theme))
        .style(theme.style(Role::Text))
        .style_error(theme.style(Role::Crit))
        .style_warn(theme.style(Role::Warn))
        .style_info(theme.style(Role::Text))
        .style_debug(theme.style(Role::Muted))
        .style_trace(theme.style(Role::Muted))
        .output_file(false)
        .output_line(false)
        .output_target(true);
    f.render_widget(w, area);
}

fn bottom_line(f: &mut Frame, area: Rect, ui: &UiState, theme: &Theme, keymap: &Keymap) {
    let line = match &ui.mode {
        Mode::Command(t) => Line::from(vec![
            Span::styled(":", theme.style(Role::Key)),
            Span::raw(t.clone()),
            Span::raw("█"),
        ]),
        Mode::Filter(t) => Line::from(vec![
            Span::styled("/", theme.style(Role::Key)),
            Span::raw(t.clone()),
            Span::raw("█"),
        ]),
        _ => match &ui.flash {
            Some(m) => Line::from(Span::styled(m.clone(), theme.style(Role::Warn))),
            None => hints(ui, theme, keymap),
        },
    };
    f.render_widget(Paragraph::new(line), area);
}

/// Key hints for the current view, from the live keymap.
fn hints<'a>(ui: &UiState, theme: &Theme, keymap: &Keymap) -> Line<'a> {
    let scope = ui.scope();
    let mut wanted = vec![Action::ToggleHelp, Action::CommandMode];
    wanted.extend(match ui.view {
        View::Logs => vec![
            Action::ToggleFollow,
            Action::ToggleWrap,
            Action::CycleLevel,
            Action::Filter,
            Action::SearchNext,
        ],
        View::Sessions => vec![
            Action::Open,
            Action::Filter,
            Action::SortNext,
            Action::SortReverse,
        ],
        View::Spend => vec![Action::NextTab],
        View::Cascades | View::Cron | View::Alerts => vec![Action::Open],
        _ => vec![],
    });
    if !ui.history.is_empty() {
        wanted.push(Action::Back);
    }
    wanted.push(Action::Quit);
    let mut spans = Vec::new();
    for a in wanted {
        if let Some(k) = keymap.keys_for(scope, a).first() {
            spans.push(Span::styled(format!("<{k}>"), theme.style(Role::Key)));
            spans.push(Span::styled(
                format!(" {} ", a.name()),
                theme.style(Role::Muted),
            ));
        }
    }
    Line::from(spans)
}
