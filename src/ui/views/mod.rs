//! One module per view; each draws `&Model` + its UI state into a rect.

pub mod alerts;
pub mod cascades;
pub mod cron;
pub mod lanes;
pub mod logs;
pub mod overview;
pub mod sessions;
pub mod spend;
pub mod timeline;

use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

use crate::config::{Role, Theme};
use crate::fact::Level;

/// A bordered block with a themed title.
pub fn block<'a>(title: impl Into<String>, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(
            format!(" {} ", title.into()),
            theme.style(Role::Title),
        ))
}

/// Style of a log level.
pub fn level_style(level: Level, theme: &Theme) -> Style {
    match level {
        Level::Trace | Level::Debug => theme.style(Role::Muted),
        Level::Info => theme.style(Role::Text),
        Level::Warn => theme.style(Role::Warn),
        Level::Error | Level::Fatal => theme.style(Role::Crit),
    }
}

/// Short level name.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Trace => "TRC",
        Level::Debug => "DBG",
        Level::Info => "INF",
        Level::Warn => "WRN",
        Level::Error => "ERR",
        Level::Fatal => "FTL",
    }
}

/// Selected index clamped to `len` (0 when empty).
pub fn clamp(sel: usize, len: usize) -> usize {
    sel.min(len.saturating_sub(1))
}

/// Width in cells of the one `Fill` column of a bordered `Table` in `area` with these column
/// `widths` (ratatui's default one-cell column spacing, no highlight symbol): what a key column
/// has to fit in ([`crate::ui::widgets::fmt::fit_key`]).
pub fn fill_width(area: ratatui::layout::Rect, widths: &[ratatui::layout::Constraint]) -> usize {
    use ratatui::layout::Constraint;
    let fixed: usize = widths
        .iter()
        .map(|c| match c {
            Constraint::Length(n) => *n as usize,
            _ => 0,
        })
        .sum();
    (area.width as usize).saturating_sub(2 + fixed + widths.len().saturating_sub(1))
}

/// The rows a bordered `Table` with one header row in `area` shows for a fresh `TableState`
/// selecting `selected` (clamped) out of `len`: `(selected, offset, visible)`, the selection
/// (`None` when empty), the first row shown and how many are shown. Views build only rows
/// `offset..offset + visible` and select `selected - offset`: formatting every row cost
/// ~180 ms a frame at 10,000 sessions (`cargo bench --bench render`), and the soak's Lanes view
/// (4,000+ `session:*` lanes) spent most of its frame on rows never shown.
pub fn table_window(
    len: usize,
    selected: usize,
    area: ratatui::layout::Rect,
) -> (Option<usize>, usize, usize) {
    let selected = (len > 0).then(|| clamp(selected, len));
    let visible = (area.height as usize).saturating_sub(3).max(1);
    let offset = selected.map_or(0, |sel| (sel + 1).saturating_sub(visible));
    (selected, offset, visible)
}
