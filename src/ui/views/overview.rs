//! Overview: gateway, spend today (burn rate, USD by hour), lanes as gauges, live cascades,
//! latest warnings.
//!
//! ```text
//! ┌ Gateway ─────────────────┐┌ Spend today ─────────────────────────┐
//! │ host, version, state     ││ $ today · $/h burn · sparkline 24 h   │
//! └──────────────────────────┘└──────────────────────────────────────┘
//! ┌ Lanes ─────────────────────────────────────────────────────────────┐
//! │ name  ████····  active/limit  queued                               │
//! └────────────────────────────────────────────────────────────────────┘
//! ┌ Live cascades ──────────────┐┌ Latest warnings ─────────────────────┐
//! └─────────────────────────────┘└──────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::domain::gateway::GatewayState;
use crate::ui::data;
use crate::ui::views::{block, level_name, level_style};
use crate::ui::widgets::{fmt, gauge};

/// Draw the Overview.
pub fn render(f: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let lanes_h = (data::lane_rows(model).len() as u16 + 2).clamp(3, 8);
    let [top, lanes, bottom] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Length(lanes_h),
        Constraint::Min(4),
    ])
    .areas(area);
    let [gw, spend] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(top);
    gateway(f, gw, model, theme);
    spend_today(f, spend, model, theme);
    lane_gauges(f, lanes, model, theme);
    let [casc, warn] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(bottom);
    cascades(f, casc, model, theme);
    if model.alerts.is_empty() {
        warnings(f, warn, model, theme);
    } else {
        let h = (model.alerts.len() as u16 + 2).min(warn.height / 2).max(3);
        let [al, rest] = Layout::vertical([Constraint::Length(h), Constraint::Min(2)]).areas(warn);
        alerts(f, al, model, theme);
        warnings(f, rest, model, theme);
    }
}

fn alerts(f: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let b = block(format!("Alerts ({})", model.alerts.len()), theme);
    let n = b.inner(area).height as usize;
    let lines: Vec<Line> = model
        .alerts
        .iter()
        .take(n)
        .map(|a| {
            Line::from(vec![
                Span::styled(
                    format!("{} ", a.severity.name()),
                    theme.style(super::alerts::severity_role(a.severity)),
                ),
                Span::styled(format!("{} ", a.kind.name()), theme.style(Role::Title)),
                Span::styled(a.cause.clone(), theme.style(Role::Text)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(b), area);
}

fn kv<'a>(k: &'a str, v: String, role: Role, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:<9}"), theme.style(Role::Muted)),
        Span::styled(v, theme.style(role)),
    ])
}

fn gateway(f: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let gw = &model.gateway;
    let (state, role) = match gw.state {
        GatewayState::Up => ("up", Role::Ok),
        GatewayState::Starting => ("starting", Role::Warn),
        GatewayState::ShuttingDown => ("shutting down", Role::Warn),
        GatewayState::Down => ("down", Role::Crit),
        GatewayState::Unknown => ("unknown", Role::Muted),
    };
    let up = gw.boots.last().and_then(|b| b.ready_at.or(b.started_at));
    let lines = vec![
        kv(
            "host",
            gw.hostname.clone().unwrap_or_else(|| "?".into()),
            Role::Accent,
            theme,
        ),
        kv(
            "version",
            match (&gw.version, model.generation) {
                (Some(v), _) => v.clone(),
                // A legacy store names no release; its shape bounds it.
                (None, Some(crate::fact::Generation::Legacy)) => "≤ 2026.5 (legacy store)".into(),
                (None, _) => "unknown (no RPC link)".into(),
            },
            Role::Text,
            theme,
        ),
        kv(
            "state",
            format!("{state} (up {})", fmt::age(model.now, up)),
            role,
            theme,
        ),
        kv(
            "boots",
            format!(
                "{} · model {}",
                gw.boots.len(),
                gw.default_model
                    .as_ref()
                    .map_or("-".into(), |m| m.to_string())
            ),
            Role::Text,
            theme,
        ),
    ];
    f.render_widget(Paragraph::new(lines).block(block("Gateway", theme)), area);
}

fn spend_today(f: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let b = block("Spend today (UTC)", theme);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let Some(now) = model.now else { return };
    let [text, spark] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let today = data::spend_today(model, now);
    let burn = data::burn_rate(model, now);
    let unpriced = model.spend.total.unpriced_tokens;
    let mut l1 = vec![
        Span::styled(fmt::usd(today), theme.style(Role::Spend)),
        Span::styled(" today  ", theme.style(Role::Muted)),
        Span::styled(format!("{}/h", fmt::usd(burn)), theme.style(Role::Budget)),
        Span::styled(" burn  ", theme.style(Role::Muted)),
        Span::styled(fmt::usd(model.spend.total.usd), theme.style(Role::Spend)),
        Span::styled(" total", theme.style(Role::Muted)),
    ];
    if unpriced > 0 {
        l1.push(Span::styled(
            format!("  {} unpriced tok", fmt::tokens(unpriced)),
            theme.style(Role::Warn),
        ));
    }
    let l2 = Line::from(vec![
        Span::styled(
            format!(
                "{} tokens · {} turns",
                fmt::tokens(model.spend.total.tokens),
                model.spend.total.turns
            ),
            theme.style(Role::Muted),
        ),
        Span::styled("  USD by hour, 24 h", theme.style(Role::Muted)),
    ]);
    f.render_widget(Paragraph::new(vec![Line::from(l1), l2]), text);
    let cents = data::hourly_cents(model, now, spark.width.min(24) as usize);
    f.render_widget(
        Sparkline::default()
            .data(&cents)
            .style(theme.style(Role::Chart)),
        spark,
    );
}

fn lane_gauges(f: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let b = block("Lanes", theme);
    let inner = b.inner(area);
    let name_w = (inner.width as usize / 3).clamp(8, 34);
    let lines: Vec<Line> = data::lane_rows(model)
        .into_iter()
        .take(inner.height as usize)
        .map(|l| {
            let limit = l.limit.unwrap_or(l.active.max(1));
            let mut spans = vec![Span::styled(
                format!("{:<name_w$} ", fmt::fit_key(&l.name, name_w)),
                theme.style(Role::Text),
            )];
            spans.extend(gauge::bar(
                l.active,
                limit,
                10,
                theme.style(Role::Gauge),
                theme.style(Role::Muted),
            ));
            spans.push(Span::styled(
                format!(
                    " {}/{}",
                    l.active,
                    l.limit.map_or("?".into(), |v| v.to_string())
                ),
                theme.style(Role::Text),
            ));
            let qrole = if l.queued > 0 {
                Role::Warn
            } else {
                Role::Muted
            };
            spans.push(Span::styled(
                format!("  queued {}", l.queued),
                theme.style(qrole),
            ));
            if l.wait_exceeded > 0 {
                spans.push(Span::styled(
                    format!("  {} waits exceeded", l.wait_exceeded),
                    theme.style(Role::Warn),
                ));
            }
            Line::from(spans)
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(b), area);
}

fn cascades(f: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let b = block("Live cascades", theme);
    let n = b.inner(area).height as usize;
    let lines: Vec<Line> = model
        .cascades
        .episodes
        .iter()
        .rev()
        .take(n)
        .map(|e| {
            let mut chain: Vec<String> = Vec::new();
            for s in &e.steps {
                for m in [&s.from, &s.to].into_iter().flatten() {
                    if chain.last() != Some(&m.model) {
                        chain.push(m.model.clone());
                    }
                }
            }
            let (out, role) = match e.outcome.as_deref() {
                Some("succeeded") => ("ok", Role::Ok),
                Some(o) => (o, Role::Crit),
                None => ("open", Role::Warn),
            };
            Line::from(vec![
                Span::styled(
                    format!("{:>4} ", fmt::age(model.now, e.started)),
                    theme.style(Role::Muted),
                ),
                // `interrupted` (11) is the longest outcome; one space always follows.
                Span::styled(format!("{out:<11} "), theme.style(role)),
                Span::styled(chain.join("→"), theme.style(Role::Accent)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(b), area);
}

fn warnings(f: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let b = block("Latest warnings", theme);
    let n = b.inner(area).height as usize;
    let lines: Vec<Line> = model
        .logs
        .warnings
        .iter()
        .rev()
        .take(n)
        .map(|w| {
            Line::from(vec![
                Span::styled(format!("{} ", fmt::hms(w.at)), theme.style(Role::Muted)),
                Span::styled(
                    format!("{} ", level_name(w.level)),
                    level_style(w.level, theme),
                ),
                Span::styled(w.text.clone(), theme.style(Role::Text)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(b), area);
}
