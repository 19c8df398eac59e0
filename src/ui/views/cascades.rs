//! Cascades: fallback episodes (newest first) and the steps of the selected one
//! (from → to, reason, HTTP status, time), with the replayed-after-restart flag.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table, TableState};

use crate::config::{Role, Theme};
use crate::domain::{Episode, Model};
use crate::ui::views::{block, clamp};
use crate::ui::widgets::fmt;

/// Episodes newest first (the order the list shows and the selection indexes).
pub fn episode_rows(model: &Model) -> Vec<&Episode> {
    model.cascades.episodes.iter().rev().collect()
}

/// Draw the Cascades view.
pub fn render(f: &mut Frame, area: Rect, model: &Model, selected: usize, theme: &Theme) {
    let eps = episode_rows(model);
    let sel = clamp(selected, eps.len());
    let [list, detail] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    let header = Row::new(["TIME", "SESSION", "STEPS", "OUTCOME", "BOOT", "REPLAYED"])
        .style(theme.style(Role::Title));
    let rows: Vec<Row> = eps
        .iter()
        .map(|e| {
            let (out, role) = match e.outcome.as_deref() {
                Some("succeeded") => ("succeeded", Role::Ok),
                Some(o) => (o, Role::Crit),
                None => ("open", Role::Warn),
            };
            Row::new(vec![
                Cell::from(e.started.map_or("-".into(), fmt::hms)),
                Cell::from(e.session.clone().unwrap_or_else(|| "-".into())),
                Cell::from(e.steps.len().to_string()),
                Cell::from(Span::styled(out.to_string(), theme.style(role))),
                Cell::from(e.boot.to_string()),
                Cell::from(if e.replayed_after_boot {
                    Span::styled("yes", theme.style(Role::Warn))
                } else {
                    Span::raw("no")
                }),
            ])
        })
        .collect();
    let c = &model.cascades.counters;
    let title = format!(
        "Cascades ({}) · {} decisions · {} exhausted · {} same-model retries",
        eps.len(),
        c.decisions,
        c.chain_exhausted,
        c.same_model_retries
    );
    let t = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Fill(1),
            Constraint::Length(5),
            Constraint::Length(10),
            Constraint::Length(4),
            Constraint::Length(8),
        ],
    )
    .header(header)
    .block(block(title, theme))
    .style(theme.style(Role::Text))
    .row_highlight_style(theme.style(Role::Selection));
    let mut st = TableState::default().with_selected((!eps.is_empty()).then_some(sel));
    f.render_stateful_widget(t, list, &mut st);

    let wide = area.width >= 100;
    let name = |m: &Option<crate::fact::ModelRef>| match m {
        Some(m) if wide => m.to_string(),
        Some(m) => m.model.clone(),
        None => "-".into(),
    };
    let steps: Vec<Row> = eps
        .get(sel)
        .map(|e| {
            e.steps
                .iter()
                .map(|s| {
                    let ok = s.decision == "candidate_succeeded";
                    Row::new(vec![
                        Cell::from(fmt::hms(s.at)),
                        Cell::from(name(&s.from)),
                        Cell::from(name(&s.to)),
                        Cell::from(Span::styled(
                            s.decision
                                .strip_prefix("candidate_")
                                .unwrap_or(&s.decision)
                                .to_string(),
                            theme.style(if ok { Role::Ok } else { Role::Warn }),
                        )),
                        Cell::from(s.reason.clone().unwrap_or_else(|| "-".into())),
                        Cell::from(Span::styled(
                            s.status.map_or("-".into(), |v| v.to_string()),
                            theme.style(if s.status.is_some() {
                                Role::Crit
                            } else {
                                Role::Muted
                            }),
                        )),
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    let t = Table::new(
        steps,
        [
            Constraint::Length(8),
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Length(9),
            Constraint::Length(15),
            Constraint::Length(4),
        ],
    )
    .header(
        Row::new(["TIME", "FROM", "TO", "DECISION", "REASON", "HTTP"])
            .style(theme.style(Role::Title)),
    )
    .block(block("Steps", theme))
    .style(theme.style(Role::Text));
    f.render_widget(t, detail);
}
