//! `[guard.*]` in `lanetop.toml`: the opt-in guard rules. Every rule is off unless its table
//! says `enabled = true`; an unknown rule or key fails with `file:line:col`
//! (`crate::config::settings`).
//!
//! ```toml
//! [guard.pause_cron_over_budget]
//! enabled = true
//! max_overnight_usd = 5.0     # optional: also pause a job projected above this by morning
//!
//! [guard.kill_retry_storm]
//! enabled = true
//! after_minutes = 10          # a retry storm firing this long (default 10, 0-1440)
//! ```

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// `[guard.pause_cron_over_budget]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PauseCronRule {
    pub enabled: bool,
    /// Pause a job whose overnight projection is at least this, USD; `None`: budgets only.
    pub max_overnight_usd: Option<f64>,
}

/// `[guard.kill_retry_storm]`.
#[derive(Debug, Clone, PartialEq)]
pub struct KillStormRule {
    pub enabled: bool,
    /// Minutes a `retry-storm` alert must have been firing before the guard acts.
    pub after_minutes: i64,
}

impl Default for KillStormRule {
    fn default() -> Self {
        KillStormRule {
            enabled: false,
            after_minutes: 10,
        }
    }
}

/// Every guard rule (all off by default).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GuardConfig {
    pub pause_cron_over_budget: PauseCronRule,
    pub kill_retry_storm: KillStormRule,
}

impl GuardConfig {
    /// True when at least one rule is enabled.
    pub fn any_enabled(&self) -> bool {
        self.pause_cron_over_budget.enabled || self.kill_retry_storm.enabled
    }
}

type Err = (Range<usize>, String);

fn number(v: &DeValue<'_>) -> Option<f64> {
    let x = match v {
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok()?,
        DeValue::Integer(i) if i.radix() == 10 => {
            i.as_str().replace('_', "").parse::<f64>().ok()?
        }
        _ => return None,
    };
    (x.is_finite() && x >= 0.0).then_some(x)
}

fn enabled(v: &DeValue<'_>, span: Range<usize>, rule: &str) -> Result<bool, Err> {
    match v {
        DeValue::Boolean(b) => Ok(*b),
        _ => Err((span, format!("guard.{rule}.enabled must be true or false"))),
    }
}

/// Parse the `[guard]` table onto `out`. Errors: the byte span to point at and the message.
pub fn parse(t: &DeTable<'_>, out: &mut GuardConfig) -> Result<(), Err> {
    for (k, v) in t {
        let rule = k.get_ref().as_ref();
        let DeValue::Table(r) = v.get_ref() else {
            return Err((v.span(), format!("`guard.{rule}` must be a table")));
        };
        match rule {
            "pause_cron_over_budget" => {
                for (rk, rv) in r {
                    let span = rv.span();
                    match rk.get_ref().as_ref() {
                        "enabled" => out.pause_cron_over_budget.enabled = enabled(rv.get_ref(), span, rule)?,
                        "max_overnight_usd" => {
                            out.pause_cron_over_budget.max_overnight_usd =
                                Some(number(rv.get_ref()).ok_or((
                                    span,
                                    "guard.pause_cron_over_budget.max_overnight_usd must be a number ≥ 0"
                                        .to_string(),
                                ))?)
                        }
                        other => {
                            return Err((
                                rk.span(),
                                format!(
                                    "unknown key `guard.{rule}.{other}` (expected enabled, max_overnight_usd)"
                                ),
                            ));
                        }
                    }
                }
            }
            "kill_retry_storm" => {
                for (rk, rv) in r {
                    let span = rv.span();
                    match rk.get_ref().as_ref() {
                        "enabled" => {
                            out.kill_retry_storm.enabled = enabled(rv.get_ref(), span, rule)?
                        }
                        "after_minutes" => {
                            let n = match rv.get_ref() {
                                DeValue::Integer(i) if i.radix() == 10 => {
                                    i.as_str().replace('_', "").parse::<i64>().ok()
                                }
                                _ => None,
                            };
                            out.kill_retry_storm.after_minutes =
                                n.filter(|n| (0..=1440).contains(n)).ok_or((
                                    span,
                                    "guard.kill_retry_storm.after_minutes must be an integer 0-1440"
                                        .to_string(),
                                ))?;
                        }
                        other => {
                            return Err((
                                rk.span(),
                                format!(
                                    "unknown key `guard.{rule}.{other}` (expected enabled, after_minutes)"
                                ),
                            ));
                        }
                    }
                }
            }
            other => {
                return Err((
                    k.span(),
                    format!(
                        "unknown guard rule `guard.{other}` (expected pause_cron_over_budget, kill_retry_storm)"
                    ),
                ));
            }
        }
    }
    Ok(())
}
