//! Logs: the gateway log, following or paused, wrap toggle, level and subsystem filters, `/`
//! search with highlighted matches.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

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
                Span::styled(
                    format!("{} ", model.logs.subsystem(e)),
                    theme.style(Role::Accent),
                ),
            ];
            spans.extend(highlight(
                model.logs.message(e),
                &needle,
                theme.style(Role::Text),
                hl,
            ));
            let line = Line::from(spans);
            if ui.cursor == Some(seq) {
                line.style(theme.style(Role::Selection))
            } else {
                line
            }
        })
        .collect();
    // Wrapping is done here (by characters) so the newest rows stay at the bottom exactly.
    let lines: Vec<Line> = if ui.wrap {
        let all: Vec<Line> = lines
            .into_iter()
            .flat_map(|l| wrap_line(l, inner.width as usize))
            .collect();
        let skip = all.len().saturating_sub(inner.height as usize);
        all.into_iter().skip(skip).collect()
    } else {
        lines
    };
    f.render_widget(Paragraph::new(lines).block(b), area);
}

/// Split a line into rows of at most `width` characters, keeping span styles.
pub fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if width == 0 || line.width() <= width {
        return vec![line];
    }
    let style = line.style;
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut rest: Vec<char> = span.content.chars().collect();
        while !rest.is_empty() {
            let take = (width - used).min(rest.len());
            let chunk: String = rest.drain(..take).collect();
            cur.push(Span::styled(chunk, span.style));
            used += take;
            if used == width {
                rows.push(Line::from(std::mem::take(&mut cur)).style(style));
                used = 0;
            }
        }
    }
    if !cur.is_empty() {
        rows.push(Line::from(cur).style(style));
    }
    rows
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
