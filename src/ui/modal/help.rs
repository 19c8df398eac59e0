//! `?` help: generated from the live keymap for the current scope and the global scope, then the
//! `:` commands. Scrolls with the up/down keys; any other key closes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

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
                [
                    s.name().to_string(),
                    b.chord.to_string(),
                    b.action.name().to_string(),
                    b.action.description().to_string(),
                ]
            })
        })
        .collect()
}

/// Draw the help overlay over `area`, scrolled by `scroll` lines.
pub fn render(
    f: &mut Frame,
    area: Rect,
    keymap: &Keymap,
    scope: Scope,
    scroll: usize,
    theme: &Theme,
) {
    let w = area.width.min(100);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y,
        width: w,
        height: area.height,
    };
    f.render_widget(Clear, r);
    let mut lines: Vec<Line> = Vec::new();
    let mut current = String::new();
    for [s, k, a, d] in help_rows(keymap, scope) {
        if s != current {
            lines.push(Line::from(Span::styled(
                format!("── {s} ──"),
                theme.style(Role::Title),
            )));
            current = s;
        }
        lines.push(Line::from(vec![
            Span::styled(format!(" {k:<10} "), theme.style(Role::Key)),
            Span::styled(format!("{a:<16} "), theme.style(Role::Accent)),
            Span::styled(d, theme.style(Role::Text)),
        ]));
    }
    lines.push(Line::from(Span::styled(
        "── commands ──",
        theme.style(Role::Title),
    )));
    for (c, d) in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!(" :{c:<26} "), theme.style(Role::Key)),
            Span::styled(*d, theme.style(Role::Text)),
        ]));
    }
    let total = lines.len();
    let visible = r.height.saturating_sub(2) as usize;
    let top = scroll.min(total.saturating_sub(visible));
    let more = if top + visible < total {
        " · ↓ more"
    } else {
        ""
    };
    let p = Paragraph::new(lines)
        .block(block(
            format!("Help · {} · ↑↓ scroll, any key closes{more}", scope.name()),
            theme,
        ))
        .scroll((top as u16, 0));
    f.render_widget(p, r);
}
