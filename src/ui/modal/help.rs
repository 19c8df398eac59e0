//! `?` help: generated from the live keymap for the current scope and the global scope.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Clear, Row, Table};

use crate::config::{Keymap, Role, Scope, Theme};
use crate::ui::modal::command::COMMANDS;
use crate::ui::views::block;

/// Help rows: (scope, key, action, description) for `scope` then global.
pub fn help_rows(keymap: &Keymap, scope: Scope) -> Vec<[String; 4]> {
    let mut scopes = vec![scope];
    if scope != Scope::Global {
        scopes.push(Scope::Global);
    }
    scopes
        .into_iter()
        .flat_map(|s| {
            keymap.scope_bindings(s).into_iter().map(move |b| {
                [s.name().to_string(), b.chord.to_string(), b.action.name().to_string(), b.action.description().to_string()]
            })
        })
        .collect()
}

/// Draw the help overlay centred in `area`.
pub fn render(f: &mut Frame, area: Rect, keymap: &Keymap, scope: Scope, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2);
    let r = Rect { x: area.x + (area.width - w) / 2, y: area.y + 1, width: w, height: h };
    f.render_widget(Clear, r);
    let mut rows: Vec<Row> = help_rows(keymap, scope)
        .into_iter()
        .map(|[s, k, a, d]| {
            Row::new(vec![
                Cell::from(s).style(theme.style(Role::Muted)),
                Cell::from(k).style(theme.style(Role::Key)),
                Cell::from(a).style(theme.style(Role::Accent)),
                Cell::from(d).style(theme.style(Role::Text)),
            ])
        })
        .collect();
    for (c, d) in COMMANDS {
        rows.push(Row::new(vec![
            Cell::from("command").style(theme.style(Role::Muted)),
            Cell::from(format!(":{c}")).style(theme.style(Role::Key)),
            Cell::from(""),
            Cell::from(*d).style(theme.style(Role::Text)),
        ]));
    }
    let t = Table::new(rows, [Constraint::Length(9), Constraint::Length(14), Constraint::Length(16), Constraint::Fill(1)])
        .header(Row::new(["SCOPE", "KEY", "ACTION", "DESCRIPTION"]).style(theme.style(Role::Title)))
        .block(block(format!("Help · {} · ? or esc closes", scope.name()), theme));
    f.render_widget(t, r);
}
