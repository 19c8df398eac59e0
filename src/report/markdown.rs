//! The report as Markdown: a readable morning-mail summary with tables.

use std::fmt::Write;

use super::json::build;
use super::types::Report;
use crate::domain::Model;

fn t(x: &Option<chrono::DateTime<chrono::Utc>>) -> String {
    x.map_or_else(
        || "–".to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

fn o<T: ToString>(x: &Option<T>) -> String {
    x.as_ref()
        .map_or_else(|| "–".to_string(), ToString::to_string)
}

/// The console's USD format ([`crate::ui::widgets::fmt::usd`]): 2 decimals, 4 below a cent.
fn usd(x: f64) -> String {
    crate::ui::widgets::fmt::usd(x)
}

/// A cron job as the operator knows it: `name (id8)`, or the id when the job is not listed.
fn job_label(r: &Report, id: &str) -> String {
    match r.cron.jobs.iter().find(|j| j.id == id) {
        Some(j) => format!("{} ({})", j.name, id.get(..8).unwrap_or(id)),
        None => id.to_string(),
    }
}

/// The price column: `recorded` (every turn carried OpenClaw's cost), else the source with
/// the LiteLLM key (`bundled: claude-opus-4-6`), else `none`.
fn price_md(x: &super::types::ModelSpendOut) -> String {
    if x.turns > 0 && x.priced_by.recorded == x.turns {
        return "recorded".into();
    }
    match (x.price_source, &x.price_key) {
        (Some(s), Some(k)) => format!("{s}: {k}"),
        (Some(s), None) => s.to_string(),
        (None, _) if x.turns > 0 && x.unpriced_tokens == 0 => "recorded".into(),
        (None, _) => "none".into(),
    }
}

/// `unpriced` instead of `$0.00` when nothing of the amount is priced.
fn usd_or_unpriced(x: f64, unpriced_tokens: u64) -> String {
    if x == 0.0 && unpriced_tokens > 0 {
        "unpriced".to_string()
    } else {
        usd(x)
    }
}

/// Escape `|` so a value cannot break a table row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn json_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Render the report of `model` as Markdown.
pub fn to_markdown(model: &Model) -> String {
    render(&build(model))
}

fn render(r: &Report) -> String {
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# lanetop report\n\nGenerated at {} (model clock).\n",
        t(&r.generated_at)
    );
    let g = &r.gateway;
    let _ = writeln!(
        m,
        "**Gateway**: {}{} · {} boot(s) · last seen {} · default model {}\n",
        g.version
            .as_ref()
            .map_or(String::new(), |v| format!("{v} ")),
        json_name(&g.state),
        g.boots,
        t(&g.last_seen),
        o(&g.default_model)
    );

    alerts_md(&mut m, r);

    let s = &r.spend;
    let _ = writeln!(m, "## Spend\n");
    let _ = writeln!(
        m,
        "Total **{}** over {} tokens ({} turns); **{} tokens unpriced** (no price known, not counted as $0). Burn rate {}/h.\n",
        usd(s.total_usd),
        s.total_tokens,
        s.turns,
        s.unpriced_tokens,
        usd(s.burn_rate_usd_per_h)
    );
    if !s.models.is_empty() {
        let _ = writeln!(
            m,
            "| model | USD | tokens | unpriced tokens | turns | price |\n|---|---:|---:|---:|---:|---|"
        );
        for x in &s.models {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&x.model),
                usd_or_unpriced(x.usd, x.unpriced_tokens),
                x.tokens,
                x.unpriced_tokens,
                x.turns,
                cell(&price_md(x))
            );
        }
        m.push('\n');
    }
    let cost = |v: &Option<f64>| v.map_or_else(|| "unpriced".to_string(), usd);
    for (title, map) in [
        ("day (UTC)", &s.by_day),
        ("agent", &s.by_agent),
        ("cron job", &s.by_cron_job),
    ] {
        if map.is_empty() {
            continue;
        }
        let _ = writeln!(m, "| {title} | USD |\n|---|---:|");
        for (k, v) in map {
            let k = if title == "cron job" {
                job_label(r, k)
            } else {
                k.clone()
            };
            let _ = writeln!(m, "| {} | {} |", cell(&k), cost(v));
        }
        m.push('\n');
    }

    let f = &r.fallbacks;
    let _ = writeln!(m, "## Fallbacks\n");
    let _ = writeln!(
        m,
        "{} decisions · {} episodes ({} replayed after a boot) · {} chain(s) exhausted · {} same-model retries · {} model switches\n",
        f.decisions,
        f.episodes,
        f.replayed_after_boot,
        f.chain_exhausted,
        f.same_model_retries,
        f.model_switches
    );
    if !f.by_reason.is_empty() {
        let _ = writeln!(m, "| reason | decisions |\n|---|---:|");
        for (k, v) in &f.by_reason {
            let _ = writeln!(m, "| {} | {v} |", cell(k));
        }
        m.push('\n');
    }
    if !r.cascades.is_empty() {
        let _ = writeln!(
            m,
            "| started | session | chain | outcome | boot | replayed |\n|---|---|---|---|---:|---|"
        );
        for e in r.cascades.iter().rev().take(20) {
            let chain: Vec<String> = e
                .steps
                .iter()
                .map(|st| match (&st.from, &st.reason, st.status) {
                    (Some(fr), Some(re), Some(code)) => format!("{fr} ({re} {code})"),
                    (Some(fr), Some(re), None) => format!("{fr} ({re})"),
                    (Some(fr), None, _) => fr.clone(),
                    (None, _, _) => st.decision.clone(),
                })
                .collect();
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} |",
                t(&e.started),
                cell(&o(&e.session)),
                cell(&chain.join(" → ")),
                o(&e.outcome),
                e.boot,
                if e.replayed_after_boot {
                    "**yes**"
                } else {
                    "no"
                }
            );
        }
        m.push('\n');
    }

    let _ = writeln!(m, "## Lanes\n");
    if r.lanes.is_empty() {
        let _ = writeln!(m, "No lane activity seen.\n");
    } else {
        let _ = writeln!(
            m,
            "| lane | limit | active | queued | wait p50 ms | wait max ms | wait exceeded | done | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for l in &r.lanes {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&l.name),
                o(&l.limit),
                l.active,
                l.queued,
                o(&l.wait_p50_ms),
                o(&l.wait_max_ms),
                l.wait_exceeded,
                l.tasks_done,
                l.task_errors
            );
        }
        m.push('\n');
    }

    let _ = writeln!(m, "## Sessions\n");
    if !r.sessions.is_empty() {
        let _ = writeln!(
            m,
            "| session | kind | state | model (configured) | last activity | tokens | USD | unpriced |\n|---|---|---|---|---|---:|---:|---:|"
        );
        for x in &r.sessions {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} ({}) | {} | {} | {} | {} |",
                cell(&x.key),
                json_name(&x.kind),
                json_name(&x.state),
                o(&x.model),
                o(&x.configured_model),
                t(&x.last_activity),
                x.tokens,
                usd_or_unpriced(x.cost_usd, x.unpriced_tokens),
                x.unpriced_tokens
            );
        }
        m.push('\n');
    }
    if !r.unbound_sessions.is_empty() {
        let usd_sum: f64 = r.unbound_sessions.iter().map(|x| x.cost_usd).sum();
        let tokens: u64 = r.unbound_sessions.iter().map(|x| x.tokens).sum();
        let _ = writeln!(
            m,
            "{} more session(s) are known only from logs and transcripts (no store lists them, e.g. finished isolated cron runs): {} over {} tokens, counted in the spend above.\n",
            r.unbound_sessions.len(),
            usd(usd_sum),
            tokens
        );
    }

    let _ = writeln!(m, "## Cron jobs\n");
    if !r.cron.jobs.is_empty() {
        let _ = writeln!(
            m,
            "| job | agent | enabled | last status | next run | runs | USD |\n|---|---|---|---|---|---|---:|"
        );
        for j in &r.cron.jobs {
            let runs: Vec<String> = j
                .runs_by_status
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&j.name),
                o(&j.agent),
                if j.enabled { "yes" } else { "no" },
                o(&j.last_status),
                t(&j.next_run_at),
                runs.join(", "),
                usd(j.cost_usd)
            );
        }
        m.push('\n');
    }

    let _ = writeln!(
        m,
        "## Warnings\n\n{} warnings and errors seen (WARN and ERROR log lines, cron runs that ended in error, failing sources); newest:\n",
        r.warnings.count
    );
    for w in r.warnings.recent.iter().rev().take(10) {
        let _ = writeln!(
            m,
            "- {} {}: {}",
            w.at.format("%H:%M:%S"),
            json_name(&w.level).to_uppercase(),
            cell(&w.text)
        );
    }
    let _ = writeln!(m, "\n## Sources\n");
    for x in &r.sources {
        let _ = writeln!(
            m,
            "- `{}` ({}): {} {}",
            x.name,
            x.path,
            x.status,
            cell(&x.detail)
        );
    }
    let _ = writeln!(
        m,
        "- {} log line(s) read, {} corrupt line(s)",
        r.logs.lines, r.corrupt_lines.count
    );
    m
}

/// `## Alerts` (with the evidence of each), `## Budgets` and `## Overnight cron spend`.
fn alerts_md(m: &mut String, r: &Report) {
    let _ = writeln!(m, "## Alerts\n");
    if r.alerts.is_empty() {
        let _ = writeln!(m, "No alert.\n");
    } else {
        let _ = writeln!(m, "| severity | kind | subject | USD | remedy | cause |");
        let _ = writeln!(m, "|---|---|---|---:|---|---|");
        for a in &r.alerts {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} |",
                a.severity,
                a.kind,
                cell(&job_label(r, &a.subject)),
                a.usd.map_or("-".into(), usd),
                a.remedy.unwrap_or("-"),
                cell(&a.cause)
            );
        }
        let _ = writeln!(m);
        for a in &r.alerts {
            let ev: Vec<String> = a
                .evidence
                .iter()
                .map(|e| match (&e.line, &e.table, &e.key) {
                    (Some(l), _, _) => format!("{}:{l}", e.file),
                    (None, Some(t), Some(k)) => format!("{} [{t} {k}]", e.file),
                    _ => e.file.clone(),
                })
                .collect();
            if !ev.is_empty() {
                let _ = writeln!(
                    m,
                    "- {} {}: {}",
                    a.kind,
                    job_label(r, &a.subject),
                    ev.join(", ")
                );
            }
        }
        let _ = writeln!(m);
    }
    if !r.budgets.is_empty() {
        let _ = writeln!(m, "## Budgets today\n");
        for b in &r.budgets {
            let _ = writeln!(
                m,
                "- {}: {} of {} ({:.0} %)",
                b.subject,
                usd(b.spent_usd),
                usd(b.budget_usd),
                b.ratio * 100.0
            );
        }
        let _ = writeln!(m);
    }
    if let Some(o) = &r.overnight {
        let _ = writeln!(
            m,
            "## Overnight cron spend\n\nUntil {}: {} projected.\n",
            o.until.to_rfc3339(),
            usd(o.total_usd)
        );
        let _ = writeln!(m, "| job | runs due | USD/run | projected | drift/run |");
        let _ = writeln!(m, "|---|---:|---:|---:|---:|");
        for j in &o.jobs {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} |",
                cell(&j.name),
                j.runs_due.map_or("?".into(), |n| n.to_string()),
                j.usd_per_run.map_or("-".into(), usd),
                j.projected_usd.map_or("-".into(), usd),
                j.drift_usd_per_run
                    .map_or("-".into(), |d| format!("{d:+.4}"))
            );
        }
        let _ = writeln!(m);
    }
}
