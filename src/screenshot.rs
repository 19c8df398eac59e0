//! Render a ratatui [`Buffer`] to SVG (for `screenshots/`, converted to PNG by
//! `scripts/screenshots.sh` with `rsvg-convert`). Deterministic: the same buffer gives the same
//! bytes. Recipe from `../shared/design/ECOSYSTEM.md` §3 (DejaVu Sans Mono at 16 px: a cell is
//! 9.64 × 18.625 px, baseline at 0.928 em).

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const CELL_W: f32 = 9.64;
const CELL_H: f32 = 18.625;
const FONT_PX: f32 = 16.0;
const DEFAULT_FG: &str = "#d4d4d4";
const DEFAULT_BG: &str = "#1e1e1e";

/// The xterm palette for the 16 named colours.
fn named(c: Color) -> Option<&'static str> {
    Some(match c {
        Color::Black => "#000000",
        Color::Red => "#cd3131",
        Color::Green => "#0dbc79",
        Color::Yellow => "#e5e510",
        Color::Blue => "#2472c8",
        Color::Magenta => "#bc3fbc",
        Color::Cyan => "#11a8cd",
        Color::Gray => "#e5e5e5",
        Color::DarkGray => "#666666",
        Color::LightRed => "#f14c4c",
        Color::LightGreen => "#23d18b",
        Color::LightYellow => "#f5f543",
        Color::LightBlue => "#3b8eea",
        Color::LightMagenta => "#d670d6",
        Color::LightCyan => "#29b8db",
        Color::White => "#ffffff",
        _ => return None,
    })
}

/// `#rrggbb` for a ratatui colour; `default` for `Reset`.
fn hex(c: Color, default: &str) -> String {
    if let Some(n) = named(c) {
        return n.to_string();
    }
    match c {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => indexed(i),
        _ => default.to_string(),
    }
}

/// The xterm 256-colour cube and grey ramp.
fn indexed(i: u8) -> String {
    const BASE: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match i {
        0..=15 => named(BASE[i as usize]).unwrap_or(DEFAULT_FG).to_string(),
        16..=231 => {
            let v = i - 16;
            let step = |x: u8| if x == 0 { 0 } else { 55 + x * 40 };
            format!(
                "#{:02x}{:02x}{:02x}",
                step(v / 36),
                step((v / 6) % 6),
                step(v % 6)
            )
        }
        _ => {
            let g = 8 + (i - 232) * 10;
            format!("#{g:02x}{g:02x}{g:02x}")
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Render the whole buffer as an SVG document (one `<rect>` per background run, one `<text>`
/// per run of cells sharing a style).
pub fn buffer_to_svg(buf: &Buffer) -> String {
    let (w, h) = (
        buf.area.width as f32 * CELL_W,
        buf.area.height as f32 * CELL_H,
    );
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"{DEFAULT_BG}\"/>\n\
         <g font-family=\"DejaVu Sans Mono, monospace\" font-size=\"{FONT_PX}\" xml:space=\"preserve\">\n"
    );
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let c = &buf[(x, y)];
            let (mut fg, mut bg) = (hex(c.fg, DEFAULT_FG), hex(c.bg, DEFAULT_BG));
            if c.modifier.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            let start = x;
            let mut text = String::new();
            while x < area.right() {
                let d = &buf[(x, y)];
                if d.fg != c.fg || d.bg != c.bg || d.modifier != c.modifier {
                    break;
                }
                text.push_str(d.symbol());
                x += 1;
            }
            let cells = (x - start) as f32;
            let (px, py) = (
                (start - area.left()) as f32 * CELL_W,
                (y - area.top()) as f32 * CELL_H,
            );
            if bg != DEFAULT_BG {
                let _ = writeln!(
                    s,
                    "<rect x=\"{px}\" y=\"{py}\" width=\"{}\" height=\"{CELL_H}\" fill=\"{bg}\"/>",
                    cells * CELL_W
                );
            }
            if !text.trim().is_empty() {
                let bold = if c.modifier.contains(Modifier::BOLD) {
                    " font-weight=\"bold\""
                } else {
                    ""
                };
                let _ = writeln!(
                    s,
                    "<text x=\"{px}\" y=\"{}\" fill=\"{fg}\"{bold} textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\">{}</text>",
                    py + FONT_PX * 0.928,
                    cells * CELL_W,
                    escape(&text)
                );
            }
        }
    }
    s.push_str("</g>\n</svg>\n");
    s
}

/// Render every view of `model` at `cols`×`rows` with `theme`; returns `(file stem, SVG)` pairs:
/// `overview`, `logs`, `sessions`, `timeline` (of the session with the most turns), `lanes`,
/// `cascades`, `spend`, `cron`, and `help` (the `?` overlay on the overview).
pub fn render_all(
    model: &crate::domain::Model,
    theme: &crate::config::Theme,
    keymap: &crate::config::Keymap,
    cols: u16,
    rows: u16,
) -> Vec<(String, String)> {
    use crate::ui::state::{Mode, UiState, View};
    let busiest = model
        .sessions
        .by_key
        .values()
        .max_by_key(|s| s.turns.len())
        .map(|s| s.key.clone())
        .unwrap_or_default();
    let mut views: Vec<(String, UiState)> = [
        ("overview", View::Overview),
        ("logs", View::Logs),
        ("sessions", View::Sessions),
        ("timeline", View::Timeline(busiest)),
        ("lanes", View::Lanes),
        ("cascades", View::Cascades),
        ("spend", View::Spend),
        ("cron", View::Cron),
        ("alerts", View::Alerts),
    ]
    .into_iter()
    .map(|(name, view)| {
        (
            name.to_string(),
            UiState {
                view,
                activity: "screenshot".into(),
                ..UiState::default()
            },
        )
    })
    .collect();
    views.push((
        "help".into(),
        UiState {
            mode: Mode::Help,
            ..UiState::default()
        },
    ));
    views
        .into_iter()
        .map(|(name, ui)| {
            let backend = ratatui::backend::TestBackend::new(cols, rows);
            let mut terminal = match ratatui::Terminal::new(backend) {
                Ok(t) => t,
                Err(never) => match never {},
            };
            let _ = terminal.draw(|f| crate::ui::render(f, model, &ui, theme, keymap));
            (name, buffer_to_svg(terminal.backend().buffer()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn renders_text_runs_and_backgrounds() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 2));
        buf.set_string(0, 0, "a<b", Style::default().fg(Color::Red));
        buf.set_string(
            0,
            1,
            "sel",
            Style::default().add_modifier(Modifier::REVERSED),
        );
        let svg = buffer_to_svg(&buf);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(">a&lt;b</text>"), "{svg}");
        assert!(svg.contains("fill=\"#cd3131\""));
        // reversed: default fg becomes the background rect
        assert!(svg.contains(&format!("fill=\"{DEFAULT_FG}\"/>")));
        assert_eq!(svg, buffer_to_svg(&buf), "deterministic");
    }

    #[test]
    fn indexed_colours_map_to_the_xterm_cube() {
        assert_eq!(indexed(16), "#000000");
        assert_eq!(indexed(231), "#ffffff");
        assert_eq!(indexed(232), "#080808");
    }
}
