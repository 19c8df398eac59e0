//! Spend: USD and tokens by model, agent, session, cron job or day (tabs), as a bar chart and a
//! table.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Cell, Paragraph, Row, Table};

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::domain::spend::SpendBucket;
use crate::ui::state::SpendTab;
use crate::ui::views::{block, table_window};
use crate::ui::widgets::fmt;

/// Rows of one tab: (label, bucket), largest USD first (days: newest first).
pub fn spend_rows(model: &Model, tab: SpendTab) -> Vec<(String, SpendBucket)> {
    fn sorted<K: ToString>(m: &BTreeMap<K, SpendBucket>) -> Vec<(String, SpendBucket)> {
        let mut v: Vec<(String, SpendBucket)> =
            m.iter().map(|(k, b)| (k.to_string(), *b)).collect();
        v.sort_by(|a, b| b.1.usd.total_cmp(&a.1.usd).then_with(|| a.0.cmp(&b.0)));
        v
    }
    let s = &model.spend;
    match tab {
        SpendTab::Model => sorted(&s.by_model),
        SpendTab::Agent => sorted(&s.by_agent),
        SpendTab::Session => sorted(&s.by_session),
        SpendTab::CronJob => {
            let mut v = sorted(&s.by_cron_job);
            for (id, _) in &mut v {
                if let Some(j) = model.cron.jobs.get(id.as_str()) {
                    *id = j.row.name.clone();
                }
            }
            v
        }
        SpendTab::Day => s
            .by_day
            .iter()
            .rev()
            .map(|(d, b)| (d.to_string(), *b))
            .collect(),
    }
}

/// Draw the Spend view.
pub fn render(f: &mut Frame, area: Rect, model: &Model, tab: SpendTab, theme: &Theme) {
    let [tabs, chart, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(45),
        Constraint::Fill(1),
    ])
    .areas(area);
    let mut spans = vec![Span::styled(" by ", theme.style(Role::Muted))];
    for t in SpendTab::ALL {
        let st = if t == tab {
            theme.style(Role::Selection)
        } else {
            theme.style(Role::Muted)
        };
        spans.push(Span::styled(format!(" {} ", t.label()), st));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(
        format!("  total {}", fmt::usd(model.spend.total.usd)),
        theme.style(Role::Spend),
    ));
    f.render_widget(Paragraph::new(Line::from(spans)), tabs);

    let rows = spend_rows(model, tab);
    let b = block(format!("USD by {}", tab.label()), theme);
    let inner_w = b.inner(chart).width as usize;
    let bar_w: u16 = 9;
    let max_bars = (inner_w / (bar_w as usize + 1)).max(1);
    let bars: Vec<Bar> = rows
        .iter()
        .take(max_bars)
        .map(|(k, v)| {
            Bar::default()
                .value((v.usd * 100.0).round() as u64)
                .text_value(fmt::usd(v.usd))
                .label(Line::from(fmt::trunc(short(k), bar_w as usize)))
        })
        .collect();
    let bc = BarChart::default()
        .block(b)
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_w)
        .bar_gap(1)
        .bar_style(theme.style(Role::Chart))
        .value_style(theme.style(Role::Selection))
        .label_style(theme.style(Role::Muted));
    f.render_widget(bc, chart);

    // The Model tab also shows where each model's price comes from.
    let with_price = tab == SpendTab::Model;
    // No selection: only the rows that fit are built (by session, thousands of rows).
    let (_, _, visible) = table_window(rows.len(), 0, table);
    let body: Vec<Row> = rows
        .iter()
        .take(visible)
        .map(|(k, v)| {
            let mut cells = vec![
                Cell::from(k.clone()),
                Cell::from(Span::styled(fmt::usd(v.usd), theme.style(Role::Spend))),
                Cell::from(fmt::tokens(v.tokens)),
                Cell::from(if v.unpriced_tokens > 0 {
                    Span::styled(fmt::tokens(v.unpriced_tokens), theme.style(Role::Warn))
                } else {
                    Span::raw("-")
                }),
                Cell::from(v.turns.to_string()),
            ];
            if with_price {
                let label = crate::prices::label(model, k);
                let role = if label == "none" {
                    Role::Warn
                } else {
                    Role::Muted
                };
                cells.push(Cell::from(Span::styled(label, theme.style(role))));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Fill(1),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(9),
        Constraint::Length(6),
    ];
    let mut header = vec!["KEY", "USD", "TOKENS", "UNPRICED", "TURNS"];
    if with_price {
        widths.push(Constraint::Length(9));
        header.push("PRICE");
    }
    let t = Table::new(body, widths)
        .header(Row::new(header).style(theme.style(Role::Title)))
        .block(block(format!("{} rows · tab/←→ switch", rows.len()), theme))
        .style(theme.style(Role::Text));
    f.render_widget(t, table);
}

/// The last `:`/`/`-separated part of a long key (bar labels are narrow).
fn short(k: &str) -> &str {
    k.rsplit(['/', ':']).find(|s| !s.is_empty()).unwrap_or(k)
}
