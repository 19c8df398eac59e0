//! The header bar, most important first (the end is cut on a narrow terminal): current view,
//! read-only, host, gateway version (when known) and state, the failure-mode alert count (when
//! any), boots, the log's error/warning counts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::domain::gateway::GatewayState;
use crate::fact::Level;
use crate::ui::state::UiState;

/// Draw the header into one line.
pub fn render(f: &mut Frame, area: Rect, model: &Model, ui: &UiState, theme: &Theme) {
    let h = theme.style(Role::Header);
    let gw = &model.gateway;
    let (state, role) = match gw.state {
        GatewayState::Up => ("up", Role::Ok),
        GatewayState::Starting => ("starting", Role::Warn),
        GatewayState::ShuttingDown => ("shutting down", Role::Warn),
        GatewayState::Down => ("down", Role::Crit),
        GatewayState::Unknown => ("unknown", Role::Muted),
    };
    let errors = model
        .logs
        .warnings
        .iter()
        .filter(|w| w.level >= Level::Error)
        .count();
    let warns = model.logs.warnings.len() - errors;
    // Most important first: at 80 columns the end of the line is cut.
    let mut spans = vec![
        Span::styled(" lanetop ", h),
        Span::styled(format!("│ {} ", ui.view.title()), h),
    ];
    if ui.read_only {
        spans.push(Span::styled("│ read-only ", h));
    }
    spans.push(Span::styled(
        format!("│ {} ", gw.hostname.as_deref().unwrap_or("?")),
        h,
    ));
    spans.push(Span::styled(
        match gw.version.as_deref() {
            Some(v) => format!("│ gateway {v} "),
            None => "│ gateway ".into(),
        },
        h,
    ));
    spans.push(Span::styled(state, h.patch(theme.style(role))));
    if !model.alerts.is_empty() {
        let crit = model
            .alerts
            .iter()
            .filter(|a| a.severity == crate::domain::detect::Severity::Crit)
            .count();
        let role = if crit > 0 { Role::Crit } else { Role::Warn };
        spans.push(Span::styled(" │ ", h));
        spans.push(Span::styled(
            format!("alerts {} ({crit} crit)", model.alerts.len()),
            h.patch(theme.style(role)),
        ));
    }
    spans.push(Span::styled(format!(" │ boots {} ", gw.boots.len()), h));
    // A count in its role's colour when non-zero.
    let count = |mark: &str, n: usize, role: Role| {
        let style = if n > 0 { h.patch(theme.style(role)) } else { h };
        Span::styled(format!("{mark} {n}"), style)
    };
    spans.push(Span::styled("│ log ", h));
    spans.push(count("✖", errors, Role::Crit));
    spans.push(Span::styled(" ", h));
    spans.push(count("⚠", warns, Role::Warn));
    f.render_widget(Paragraph::new(Line::from(spans)).style(h), area);
}
