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
