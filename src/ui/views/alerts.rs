//! Alerts: the failure-mode detectors' alerts (severity, kind, subject, USD, remedy key, cause),
//! the evidence of the selected one (file:line or table/key; Enter jumps to its session
//! timeline or to its time in the Logs view), the budgets as meters and the overnight cron
//! projection.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Gauge, Paragraph, Row, Table, TableState, Wrap};

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::domain::detect::{Alert, Severity, budget};
use crate::domain::overnight;
use crate::fact::Locator;
use crate::ui::views::{block, clamp};

/// Theme role of a severity.
pub fn severity_role(s: Severity) -> Role {
    match s {
        Severity::Crit => Role::Crit,
        Severity::Warn => Role::Warn,
        Severity::Info => Role::Muted,
    }
}

/// One evidence origin as `file:line` or `file [table key]` (file name only).
pub fn evidence_text(o: &crate::fact::Origin) -> String {
    let file = o.path.rsplit('/').next().unwrap_or(&o.path);
    match &o.locator {
        Locator::None => file.to_string(),
        Locator::Line { line } => format!("{file}:{line}"),
        Locator::Row(row) => format!("{file} [{} {}]", row.table, row.key),
    }
}

/// The subject as the operator knows it: a cron job's name (its id is in the evidence and the
/// Cron view), else the subject itself, fitted to `w` cells.
fn subject(model: &Model, a: &Alert, w: usize) -> String {
    match model.cron.jobs.get(&a.subject) {
        Some(job) if !job.row.name.is_empty() => crate::ui::widgets::fmt::trunc(&job.row.name, w),
        _ => crate::ui::widgets::fmt::fit_key(&a.subject, w),
    }
}

fn usd(a: &Alert) -> String {
    a.usd.map_or("-".into(), |u| format!("${u:.2}"))
}

/// Draw the Alerts view.
pub fn render(f: &mut Frame, area: Rect, model: &Model, selected: usize, theme: &Theme) {
    let meters = budget::meters(model, &model.detect_config);
    let bottom_h = (meters.len() as u16 + 5).min(area.height / 3).max(4);
    let [list, detail, bottom] = Layout::vertical([
        Constraint::Min(4),
        Constraint::Length(8),
        Constraint::Length(bottom_h),
    ])
    .areas(area);
    let alerts = &model.alerts;
    let sel = clamp(selected, alerts.len());
    let header = Row::new(vec!["SEV", "KIND", "SUBJECT", "USD", "REMEDY", "CAUSE"])
        .style(theme.style(Role::Title));
    let rows: Vec<Row> = alerts
        .iter()
        .map(|a| {
            Row::new(vec![
                Cell::from(Span::styled(
                    a.severity.name(),
                    theme.style(severity_role(a.severity)),
                )),
                Cell::from(a.kind.name()),
                Cell::from(subject(model, a, 28)),
                Cell::from(usd(a)),
                Cell::from(a.remedy.map_or("-", |r| r.action_name())),
                Cell::from(a.cause.clone()),
            ])
        })
        .collect();
    let title = format!("Alerts ({})", alerts.len());
    let table = Table::new(
        rows,
        [
            Constraint::Length(4),
            Constraint::Length(17),
            Constraint::Length(28),
            Constraint::Length(9),
            Constraint::Length(13),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .block(block(title, theme))
    .row_highlight_style(theme.style(Role::Selection));
    let mut st = TableState::default().with_selected((!alerts.is_empty()).then_some(sel));
    f.render_stateful_widget(table, list, &mut st);

    let lines: Vec<Line> = match alerts.get(sel) {
        Some(a) => std::iter::once(Line::from(Span::styled(
            a.cause.clone(),
            theme.style(Role::Text),
        )))
        .chain(a.evidence.iter().map(|o| {
            Line::from(Span::styled(
                format!("  {}", evidence_text(o)),
                theme.style(Role::Muted),
            ))
        }))
        .collect(),
        None => vec![Line::from(Span::styled(
            "no alert",
            theme.style(Role::Muted),
        ))],
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block("Evidence", theme)),
        detail,
    );

    let [meters_area, night] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(bottom);
    let mb = block("Budgets today", theme);
    let inner = mb.inner(meters_area);
    f.render_widget(mb, meters_area);
    if meters.is_empty() {
        f.render_widget(
            Paragraph::new(Span::styled(
                "no budget set (lanetop.toml [budgets])",
                theme.style(Role::Muted),
            )),
            inner,
        );
    }
    for (i, m) in meters.iter().enumerate().take(inner.height as usize) {
        let r = m.ratio();
        let role = if r >= model.detect_config.budgets.crit_ratio {
            Role::Crit
        } else if r >= model.detect_config.budgets.warn_ratio {
            Role::Warn
        } else {
            Role::Ok
        };
        let g = Gauge::default()
            .ratio(r.clamp(0.0, 1.0))
            .label(format!(
                "{} ${:.2}/${:.2}",
                m.subject, m.spent_usd, m.budget_usd
            ))
            .gauge_style(theme.style(role));
        let row = Rect {
            y: inner.y + i as u16,
            height: 1,
            ..inner
        };
        f.render_widget(g, row);
    }
    let lines: Vec<Line> = match overnight::project(model, &model.detect_config) {
        Some(o) => std::iter::once(Line::from(Span::styled(
            format!(
                "until {} UTC: ${:.2}",
                o.until.format("%m-%d %H:%M"),
                o.total_usd
            ),
            theme.style(Role::Text),
        )))
        .chain(
            o.jobs
                .iter()
                .filter(|j| j.projected_usd.is_some())
                .map(|j| {
                    Line::from(Span::styled(
                        format!(
                            "  {:<22} {:>4} runs × ${:.3} = ${:.2}{}",
                            j.name,
                            j.runs_due.unwrap_or(0),
                            j.usd_per_run.unwrap_or(0.0),
                            j.projected_usd.unwrap_or(0.0),
                            j.drift_usd_per_run
                                .map_or(String::new(), |d| format!(" (drift {d:+.3})"))
                        ),
                        theme.style(Role::Muted),
                    ))
                }),
        )
        .collect(),
        None => vec![],
    };
    f.render_widget(
        Paragraph::new(lines).block(block("Overnight cron spend", theme)),
        night,
    );
}
