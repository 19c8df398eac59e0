//! Key input: text editing of the `:` and `/` lines, help-overlay keys, and keymap dispatch.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{PAGE, apply, go, logs};
use crate::config::{Action, KeyChord, Keymap};
use crate::domain::Model;
use crate::ui::modal::command::{self, Command};
use crate::ui::state::{Mode, UiState, View};

/// Handle one key. Returns true when the UI state changed (redraw needed).
pub fn handle_key(ui: &mut UiState, model: &Model, keymap: &Keymap, key: KeyEvent) -> bool {
    if key.kind == KeyEventKind::Release {
        return false;
    }
    ui.flash = None;
    match ui.mode.clone() {
        Mode::Command(text) => edit_line(ui, model, key, text, true),
        Mode::Filter(text) => edit_line(ui, model, key, text, false),
        Mode::Help => {
            let action = keymap.lookup(ui.scope(), KeyChord::from_event(&key));
            match action {
                Some(Action::Quit) => ui.quit = true,
                Some(Action::Down) => ui.help_scroll += 1,
                Some(Action::Up) => ui.help_scroll = ui.help_scroll.saturating_sub(1),
                Some(Action::PageDown) => ui.help_scroll += PAGE,
                Some(Action::PageUp) => ui.help_scroll = ui.help_scroll.saturating_sub(PAGE),
                _ => ui.mode = Mode::Normal,
            }
            true
        }
        Mode::Confirm => {
            let action = keymap.lookup(ui.scope(), KeyChord::from_event(&key));
            super::confirm_key(ui, action);
            true
        }
        Mode::Normal => match keymap.lookup(ui.scope(), KeyChord::from_event(&key)) {
            Some(a) => {
                apply(ui, model, a);
                true
            }
            None => false,
        },
    }
}

fn edit_line(
    ui: &mut UiState,
    model: &Model,
    key: KeyEvent,
    mut text: String,
    is_command: bool,
) -> bool {
    match key.code {
        KeyCode::Esc => ui.mode = Mode::Normal,
        KeyCode::Enter => {
            ui.mode = Mode::Normal;
            if is_command {
                run_command(ui, model, &text);
            } else {
                apply_filter(ui, model, text);
            }
        }
        KeyCode::Backspace => {
            if text.pop().is_none() && is_command {
                ui.mode = Mode::Normal;
            } else {
                ui.mode = if is_command {
                    Mode::Command(text)
                } else {
                    Mode::Filter(text)
                };
            }
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            text.push(c);
            ui.mode = if is_command {
                Mode::Command(text)
            } else {
                Mode::Filter(text)
            };
        }
        _ => return false,
    }
    // The sessions table filters live while typing (k9s style); esc clears it.
    if !is_command && ui.view == View::Sessions {
        match &ui.mode {
            Mode::Filter(t) => ui.sessions.filter.clone_from(t),
            _ if key.code == KeyCode::Esc => ui.sessions.filter.clear(),
            _ => {}
        }
        ui.sessions.selected = 0;
    }
    true
}

fn apply_filter(ui: &mut UiState, model: &Model, text: String) {
    match ui.view {
        View::Logs => {
            ui.logs.search = (!text.is_empty()).then_some(text);
            ui.logs.cursor = None;
            if ui.logs.search.is_some() {
                logs::search(ui, model, true);
            }
        }
        _ => {
            ui.sessions.filter = text;
            ui.sessions.selected = 0;
        }
    }
}

/// Run a `:` command.
pub fn run_command(ui: &mut UiState, model: &Model, text: &str) {
    match command::parse(text) {
        Ok(Command::Go(v)) => go(ui, v),
        Ok(Command::Quit) => ui.quit = true,
        Ok(Command::Help) => {
            ui.help_scroll = 0;
            ui.mode = Mode::Help;
        }
        Ok(Command::Time(t)) => {
            go(ui, View::Logs);
            let day = model.logs.entries().back().map(|e| e.at.date_naive());
            let target = day.map(|d| d.and_time(t).and_utc());
            let first = crate::ui::data::first_seq(model);
            let hit = target.and_then(|tg| model.logs.entries().iter().position(|e| e.at >= tg));
            match hit {
                Some(i) => {
                    let seq = first + i as u64;
                    logs::pin(ui, seq);
                }
                None => ui.flash = Some(format!("no line at or after {t}")),
            }
        }
        Ok(Command::Subsystem(s)) => {
            go(ui, View::Logs);
            ui.logs.subsystem = s;
        }
        Ok(Command::Level(l)) => {
            go(ui, View::Logs);
            ui.logs.min_level = l;
        }
        Err(e) => ui.flash = Some(e),
    }
}
