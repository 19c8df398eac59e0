//! The status bar: each source and its health, gateway reachability, what lanetop is doing.
//! When the full text does not fit, details are dropped (name + mark only).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::fact::SourceHealth;
use crate::ui::state::UiState;
use crate::ui::widgets::fmt;

fn spans<'a>(model: &Model, ui: &UiState, theme: &Theme, detailed: bool) -> Vec<Span<'a>> {
    let muted = theme.style(Role::Muted);
    let mut spans: Vec<Span> = Vec::new();
    let sep = || Span::styled(" · ", muted);
    for (name, st) in &model.sources {
        if !spans.is_empty() {
            spans.push(sep());
        }
        let (mark, role, detail) = match &st.health {
            SourceHealth::Ok { detail } => ("✓", Role::Ok, detail.as_str()),
            SourceHealth::Waiting { detail } => ("…", Role::Warn, detail.as_str()),
            SourceHealth::Error { message } => ("✗", Role::Crit, message.as_str()),
        };
        spans.push(Span::styled(format!("{name} "), theme.style(Role::Text)));
        spans.push(Span::styled(mark, theme.style(role)));
        if detailed {
            spans.push(Span::styled(
                format!(" {detail} {}", fmt::age(model.now, Some(st.at))),
                muted,
            ));
        }
    }
    if !spans.is_empty() {
        spans.push(sep());
    }
    let url = model.gateway.rpc_url.as_deref().unwrap_or("");
    let (gw, role) = match (model.gateway.reachable, detailed) {
        (Some(true), true) => (format!("rpc ✓ {url}"), Role::Ok),
        (Some(true), false) => ("rpc ✓".to_string(), Role::Ok),
        (Some(false), true) => (format!("rpc ✗ {url}: showing files"), Role::Crit),
        (Some(false), false) => ("rpc ✗".to_string(), Role::Crit),
        (None, _) => ("rpc -".to_string(), Role::Muted),
    };
    spans.push(Span::styled(gw, theme.style(role)));
    if model.corrupt.count > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            format!("{} corrupt", model.corrupt.count),
            theme.style(Role::Warn),
        ));
    }
    let marked = ui.marked_sessions.len() + ui.marked_cron.len();
    if marked > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            format!("{marked} marked"),
            theme.style(Role::Warn),
        ));
    }
    if !ui.push_dead.is_empty() {
        spans.push(sep());
        let text = if detailed {
            format!("push ✗ {}", ui.push_dead.join(", "))
        } else {
            "push ✗".to_string()
        };
        spans.push(Span::styled(text, theme.style(Role::Crit)));
    }
    if !ui.activity.is_empty() {
        spans.push(sep());
        spans.push(Span::styled(ui.activity.clone(), theme.style(Role::Accent)));
    }
    spans
}

/// Draw the status bar into one line.
pub fn render(f: &mut Frame, area: Rect, model: &Model, ui: &UiState, theme: &Theme) {
    let full = Line::from(spans(model, ui, theme, true));
    let line = if full.width() <= area.width as usize {
        full
    } else {
        Line::from(spans(model, ui, theme, false))
    };
    f.render_widget(Paragraph::new(line), area);
}
