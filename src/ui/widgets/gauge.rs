//! A text gauge (`████░░░░`) that reads without colour (works under `NO_COLOR`).

use ratatui::style::Style;
use ratatui::text::Span;

/// A bar of `width` cells filled to `value / max` (clamped); empty cells use `·`.
pub fn bar(value: u32, max: u32, width: usize, filled: Style, empty: Style) -> Vec<Span<'static>> {
    let n = if max == 0 {
        0
    } else {
        (value.min(max) as usize * width).div_ceil(max as usize)
    };
    let n = n.min(width);
    vec![
        Span::styled("█".repeat(n), filled),
        Span::styled("·".repeat(width - n), empty),
    ]
}
