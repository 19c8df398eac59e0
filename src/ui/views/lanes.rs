//! Lanes: name, limit, active, queued, wait p50/max, waits exceeded, tasks done, errors.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table, TableState};

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::ui::data;
use crate::ui::views::{block, fill_width, table_window};
use crate::ui::widgets::fmt;

/// Draw the Lanes view.
pub fn render(f: &mut Frame, area: Rect, model: &Model, selected: usize, theme: &Theme) {
    let rows = data::lane_rows(model);
    let wide = area.width >= 100;
    let mut hv = vec![
        "LANE", "LIMIT", "ACTIVE", "QUEUED", "WAIT P50", "WAIT MAX", "EXCEEDED",
    ];
    if wide {
        hv.push("DONE");
    }
    hv.push("ERRORS");
    if wide {
        hv.push("SEEN");
    }
    let header = Row::new(hv).style(theme.style(Role::Title));
    let mut widths = vec![
        Constraint::Fill(1),
        Constraint::Length(5),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
    ];
    if wide {
        widths.push(Constraint::Length(5));
    }
    widths.push(Constraint::Length(6));
    if wide {
        widths.push(Constraint::Length(4));
    }
    let name_w = fill_width(area, &widths);
    // Only the rows on screen are built: a busy host has thousands of `session:*` lanes.
    let (selected, offset, visible) = table_window(rows.len(), selected, area);
    let body: Vec<Row> = rows
        .iter()
        .skip(offset)
        .take(visible)
        .map(|l| {
            let (p50, max) = data::wait_stats(l).map_or(("-".into(), "-".into()), |(a, b)| {
                (fmt::millis(a), fmt::millis(b))
            });
            let q = if l.queued > 0 { Role::Warn } else { Role::Text };
            let ex = if l.wait_exceeded > 0 {
                Role::Warn
            } else {
                Role::Text
            };
            let er = if l.task_errors > 0 {
                Role::Crit
            } else {
                Role::Text
            };
            let mut cells = vec![
                Cell::from(fmt::fit_key(&l.name, name_w)),
                Cell::from(l.limit.map_or("-".into(), |v| v.to_string())),
                Cell::from(l.active.to_string()),
                Cell::from(Span::styled(l.queued.to_string(), theme.style(q))),
                Cell::from(p50),
                Cell::from(max),
                Cell::from(Span::styled(l.wait_exceeded.to_string(), theme.style(ex))),
            ];
            if wide {
                cells.push(Cell::from(l.tasks_done.to_string()));
            }
            cells.push(Cell::from(Span::styled(
                l.task_errors.to_string(),
                theme.style(er),
            )));
            if wide {
                cells.push(Cell::from(fmt::age(model.now, l.last_seen)));
            }
            Row::new(cells)
        })
        .collect();
    let t = Table::new(body, widths)
        .header(header)
        .block(block(format!("Lanes ({})", rows.len()), theme))
        .style(theme.style(Role::Text))
        .row_highlight_style(theme.style(Role::Selection));
    let mut st = TableState::default().with_selected(selected.map(|sel| sel - offset));
    f.render_stateful_widget(t, area, &mut st);
}
