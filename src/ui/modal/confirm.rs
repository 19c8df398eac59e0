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
    let rows_of = |l: &str| (l.chars().count() + 3).div_ceil(inner).max(1);
    // Borders (2) + the "Dry run" line + the prompt line are always shown; the preview gets
    // the rest, and what does not fit is counted ("… and 5 more").
    let room = area.height.saturating_sub(4) as usize;
    let mut used = 0;
    let mut shown = 0;
    for l in &p.preview {
        let r = rows_of(l);
        let need = if shown + 1 < p.preview.len() {
            r + 1
        } else {
            r
        };
        if used + need > room {
            break;
        }
        used += r;
        shown += 1;
    }
    let hidden = p.preview.len() - shown;
    let want = (used + usize::from(hidden > 0) + 4) as u16;
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
            .take(shown)
            .map(|l| Line::from(Span::styled(format!(" • {l}"), theme.style(Role::Text)))),
    );
    if hidden > 0 {
        lines.push(Line::from(Span::styled(
            format!(" … and {hidden} more (all {} are applied)", p.effects.len()),
            theme.style(Role::Muted),
        )));
    }
    lines.push(Line::from(vec![
        Span::styled(format!(" {} ", confirm_key(keymap)), theme.style(Role::Key)),
        Span::styled("confirm · any other key cancels", theme.style(Role::Warn)),
    ]));
    let para = Paragraph::new(lines)
        .block(block(format!("Confirm · {}", p.title), theme))
        .wrap(Wrap { trim: false });
    f.render_widget(para, r);
}
