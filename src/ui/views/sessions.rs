//! Sessions: a sortable, filterable table; Enter opens the session's timeline.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table, TableState};

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::domain::session::SessionState;
use crate::ui::data;
use crate::ui::state::{SessionSort, SessionsUi};
use crate::ui::views::{block, fill_width, table_window};
use crate::ui::widgets::fmt;

/// Style role of a session state.
pub fn state_role(s: SessionState) -> Role {
    match s {
        SessionState::Running => Role::Ok,
        SessionState::Queued => Role::Warn,
        SessionState::Idle => Role::Muted,
        SessionState::Stale => Role::Warn,
        SessionState::Failed => Role::Crit,
    }
}

/// Name of a session state.
pub fn state_name(s: SessionState) -> &'static str {
    match s {
        SessionState::Running => "running",
        SessionState::Queued => "queued",
        SessionState::Idle => "idle",
        SessionState::Stale => "stale",
        SessionState::Failed => "failed",
    }
}

/// Draw the Sessions view.
/// Draw the sessions table; `marked` keys get a `*` before the key.
pub fn render(
    f: &mut Frame,
    area: Rect,
    model: &Model,
    ui: &SessionsUi,
    marked: &std::collections::BTreeSet<String>,
    theme: &Theme,
) {
    let rows = data::session_rows(model, ui);
    let arrow = if ui.reverse { "↑" } else { "↓" };
    let mut title = format!(
        "Sessions ({}) · sort {} {arrow}",
        rows.len(),
        ui.sort.label()
    );
    if !ui.filter.is_empty() {
        title.push_str(&format!(" · /{}", ui.filter));
    }
    let head = |s: SessionSort| {
        let l = s.label();
        if s == ui.sort {
            format!("{l}{arrow}")
        } else {
            l.to_string()
        }
    };
    let wide = area.width >= 100;
    let mut hv = vec![
        head(SessionSort::Key),
        head(SessionSort::Agent),
        head(SessionSort::State),
        "MODEL".into(),
    ];
    hv.extend([head(SessionSort::Tokens), head(SessionSort::Cost)]);
    if wide {
        hv.extend(["Q".into(), "FB".into()]);
    }
    hv.push(head(SessionSort::LastActivity));
    let header = Row::new(hv).style(theme.style(Role::Title));
    let mut widths = vec![
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(13),
        Constraint::Length(6),
        Constraint::Length(7),
    ];
    if wide {
        widths.extend([Constraint::Length(2), Constraint::Length(2)]);
    }
    widths.push(Constraint::Length(5));
    let key_w = fill_width(area, &widths);
    // Only the rows on screen are built (`table_window`).
    let (selected, offset, visible) = table_window(rows.len(), ui.selected, area);
    let body: Vec<Row> = rows
        .iter()
        .skip(offset)
        .take(visible)
        .map(|s| {
            let model_name = s
                .current_model
                .as_ref()
                .map_or("-".into(), |m| m.model.clone());
            let mut cells = vec![Cell::from(if marked.contains(&s.key) {
                format!("* {}", fmt::fit_key(&s.key, key_w.saturating_sub(2)))
            } else {
                fmt::fit_key(&s.key, key_w)
            })];
            cells.extend([
                Cell::from(s.agent_id.clone()),
                Cell::from(Span::styled(
                    state_name(s.state),
                    theme.style(state_role(s.state)),
                )),
                Cell::from(model_name),
                Cell::from(fmt::tokens(s.tokens)),
                Cell::from(Span::styled(fmt::usd(s.cost_usd), theme.style(Role::Spend))),
            ]);
            if wide {
                cells.extend([
                    Cell::from(s.queued.to_string()),
                    Cell::from(s.fallback_episodes.to_string()),
                ]);
            }
            cells.push(Cell::from(fmt::age(model.now, s.last_activity)));
            Row::new(cells)
        })
        .collect();
    let table = Table::new(body, widths)
        .header(header)
        .block(block(title, theme))
        .style(theme.style(Role::Text))
        .row_highlight_style(theme.style(Role::Selection));
    let mut st = TableState::default().with_selected(selected.map(|sel| sel - offset));
    f.render_stateful_widget(table, area, &mut st);
}
