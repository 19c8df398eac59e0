//! The header bar: host, gateway state and version, error/warning counts, the failure-mode
//! alert count (when any), current view.

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
    let mut spans = vec![
        Span::styled(" lanetop ", h),
        Span::styled(format!("│ {} ", gw.hostname.as_deref().unwrap_or("?")), h),
        Span::styled(
            format!("│ gateway {} ", gw.version.as_deref().unwrap_or("?")),
            h,
        ),
        Span::styled(state, h.patch(theme.style(role))),
        Span::styled(format!(" │ boots {} ", gw.boots.len()), h),
        Span::styled("│ ", h),
        Span::styled(
            format!("✖ {errors}"),
            if errors > 0 {
                h.patch(theme.style(Role::Crit))
            } else {
                h
            },
        ),
        Span::styled(" ", h),
        Span::styled(
            format!("⚠ {warns}"),
            if warns > 0 {
                h.patch(theme.style(Role::Warn))
            } else {
                h
            },
        ),
    ];
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
    spans.push(Span::styled(format!(" │ {}", ui.view.title()), h));
    if ui.read_only {
        spans.push(Span::styled(" │ read-only", h));
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(h), area);
}
