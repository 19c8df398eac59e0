//! Logs: the gateway log, following or paused, wrap toggle, level and subsystem filters, `/`
//! search with highlighted matches.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::ui::data;
use crate::ui::state::LogsUi;
use crate::ui::views::{block, level_name, level_style};
use crate::ui::widgets::fmt;

/// Draw the Logs view.
pub fn render(f: &mut Frame, area: Rect, model: &Model, ui: &LogsUi, theme: &Theme) {
    let mut title = format!(
        "Logs · {} · level ≥ {} · {}",
        if ui.follow { "following" } else { "paused" },
        ui.min_level.map_or("all", level_name),
        ui.subsystem
            .as_deref()
            .map_or("all subsystems".to_string(), |s| format!("subsystem {s}")),
    );
    if ui.wrap {
        title.push_str(" · wrap");
    }
    if let Some(s) = &ui.search {
        title.push_str(&format!(" · /{s}"));
    }
    title.push_str(&format!(" · {} lines", model.logs.total));
    let b = block(title, theme);
    let inner = b.inner(area);
    let end = data::log_end(model, ui);
    let rows = data::visible_before(model, ui, end, inner.height as usize);
    let needle = ui
        .search
        .as_deref()
        .map(str::to_lowercase)
        .unwrap_or_default();
    let hl = theme.style(Role::Highlight);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(seq, e)| {
            let mut spans = vec![
                Span::styled(format!("{} ", fmt::hms(e.at)), theme.style(Role::Muted)),
                Span::styled(
                    format!("{} ", level_name(e.level)),
                    level_style(e.level, theme),
                ),
                Span::styled(format!("{} ", e.subsystem), theme.style(Role::Accent)),
            ];
            spans.extend(highlight(&e.message, &needle, theme.style(Role::Text), hl));
            let line = Line::from(spans);
            if ui.cursor == Some(seq) {
                line.style(theme.style(Role::Selection))
            } else {
                line
            }
        })
        .collect();
    let mut p = Paragraph::new(lines).block(b);
    if ui.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    f.render_widget(p, area);
}

/// Split `text` into spans, styling case-insensitive occurrences of `needle_lower` with `hl`.
pub fn highlight(text: &str, needle_lower: &str, base: Style, hl: Style) -> Vec<Span<'static>> {
    if needle_lower.is_empty() {
        return vec![Span::styled(text.to_string(), base)];
    }
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        // Case folding changed byte lengths: highlight nothing rather than mis-slice.
        return vec![Span::styled(text.to_string(), base)];
    }
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(i) = lower[pos..].find(needle_lower) {
        let s = pos + i;
        let e = s + needle_lower.len();
        if s > pos {
            out.push(Span::styled(text[pos..s].to_string(), base));
        }
        out.push(Span::styled(text[s..e].to_string(), hl));
        pos = e;
    }
    if pos < text.len() {
        out.push(Span::styled(text[pos..].to_string(), base));
    }
    out
}
