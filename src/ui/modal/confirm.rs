//! The confirm dialog: the dry-run preview of a pending action. Only the `confirm` key sends;
//! any other key cancels.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::config::{Action, Keymap, Role, Scope, Theme};
use crate::ui::state::Pending;
use crate::ui::views::block;

/// The key bound to `confirm` (for the prompt), `y` when unbound.
fn confirm_key(keymap: &Keymap) -> String {
    keymap
        .scope_bindings(Scope::Global)
        .into_iter()
        .find(|b| b.action == Action::Confirm)
        .map_or("y".into(), |b| b.chord.to_string())
}

/// Draw the dialog centred over `area`.
pub fn render(f: &mut Frame, area: Rect, p: &Pending, keymap: &Keymap, theme: &Theme) {
    let w = area.width.min(110);
    let inner = w.saturating_sub(2).max(1) as usize;
    let rows: usize = p
        .preview
        .iter()
        .map(|l| (l.chars().count() + 3).div_ceil(inner).max(1))
        .sum();
    let want = rows as u16 + 4;
    let h = want.min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        "Dry run — this will change:",
        theme.style(Role::Muted),
    ))];
    lines.extend(
        p.preview
            .iter()
            .map(|l| Line::from(Span::styled(format!(" • {l}"), theme.style(Role::Text)))),
    );
    lines.push(Line::from(vec![
        Span::styled(format!(" {} ", confirm_key(keymap)), theme.style(Role::Key)),
        Span::styled("confirm · any other key cancels", theme.style(Role::Warn)),
    ]));
    let para = Paragraph::new(lines)
        .block(block(format!("Confirm · {}", p.title), theme))
        .wrap(Wrap { trim: false });
    f.render_widget(para, r);
}
