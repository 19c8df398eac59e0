//! `lanetop.toml`: lanetop's own settings — detector thresholds, daily budgets and the
//! overnight morning hour. Read from `$LANETOP_CONFIG_DIR/lanetop.toml`, else the XDG config
//! dir (`~/.config/lanetop/lanetop.toml`). Every key is optional; a missing file means the
//! defaults. An unknown key, a wrong type or an out-of-range value fails with `file:line:col`.
//!
//! ```toml
//! read_only = false           # true: every action refuses (same as --read-only)
//! morning_hour = 8            # overnight projection runs until this local hour (0-23)
//! utc_offset_minutes = 60     # local time = UTC + this (default: the host's offset now)
//! trailing_runs = 10          # runs averaged for the cost per run
//!
//! [budgets]                   # daily, USD, UTC days; no budget unless set
//! daily_usd = 50.0            # every agent together
//! warn_ratio = 0.8            # warn at 80 % of a budget
//! crit_ratio = 1.0            # critical at 100 %
//! [budgets.agents]
//! main = 20.0                 # per agent id
//!
//! [detect]                    # defaults shown
//! storm_window_min = 30       # retry-storm window, minutes
//! storm_attempts = 40         # failed attempts (fallback steps + same-model retries) in it
//! storm_exhaustions = 3       # or chain exhaustions in it
//! replay_episodes = 1         # chain-replay: episodes replayed after a boot
//! replay_switches = 3         # chain-replay: live model switches in the storm window
//! idle_hours = 1.0            # idle-heartbeat: hours with no user turn
//! idle_polls = 3              # idle-heartbeat: polls since then
//! idle_crit_usd_per_day = 5.0 # idle-heartbeat: critical at this USD/day
//! flood_resumed = 3           # resume-flood: sessions resumed onto one lane after a boot
//! flood_wait_ms = 30000       # resume-flood: a lane wait at least this long
//! flood_window_min = 30       # resume-flood: minutes after the boot
//! takeover_repeats = 2        # takeover-race: takeovers of one subject in the window
//! takeover_window_min = 60    # takeover-race: window, minutes
//! drift_hours = 1.0           # model-drift: window, hours
//! drift_primary_share = 0.5   # model-drift: primary share below which it fires
//! drift_min_turns = 6         # model-drift: turns needed to judge
//! zombie_after_min = 30       # zombie-run: minutes a run may stay open
//!
//! [prices]                    # see crate::prices::settings
//! refresh_url = "https://…"   # a LiteLLM-format table; no refresh unless set
//!
//! [guard.kill_retry_storm]    # opt-in guard rules, see crate::guard::config
//! enabled = true
//! ```

use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::ConfigError;
use crate::domain::detect::DetectConfig;

/// File name of the settings file in the config dir.
pub const FILE: &str = "lanetop.toml";

/// Load `lanetop.toml` from `config_dir` (defaults when absent). `utc_offset_min` is the
/// host's local offset, used unless the file sets `utc_offset_minutes`.
pub fn load(config_dir: Option<&Path>, utc_offset_min: i32) -> Result<DetectConfig, ConfigError> {
    let mut cfg = DetectConfig {
        utc_offset_min,
        ..DetectConfig::default()
    };
    let Some(path) = config_dir.map(|d| d.join(FILE)) else {
        return Ok(cfg);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            parse_into(&path.display().to_string(), &text, &mut cfg)?;
            Ok(cfg)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(cfg),
        Err(e) => Err(ConfigError::not_found(format!("{}: {e}", path.display()))),
    }
}

/// Parse settings text onto `cfg` (keys not in the text keep their value).
pub fn parse_into(file: &str, text: &str, cfg: &mut DetectConfig) -> Result<(), ConfigError> {
    let root = DeTable::parse(text).map_err(|e| ConfigError::toml(file, text, &e))?;
    let at =
        |span: std::ops::Range<usize>, msg: String| ConfigError::at(file, text, span.start, msg);
    for (k, v) in root.get_ref() {
        let span = v.span();
        let key = k.get_ref().as_ref();
        match key {
            "morning_hour" => {
                let h = int(v.get_ref()).filter(|h| (0..=23).contains(h));
                cfg.morning_hour = h
                    .ok_or_else(|| at(span, "morning_hour must be an integer 0-23".into()))?
                    as u32;
            }
            "utc_offset_minutes" => {
                let o = int(v.get_ref()).filter(|o| (-1440..=1440).contains(o));
                cfg.utc_offset_min = o.ok_or_else(|| {
                    at(
                        span,
                        "utc_offset_minutes must be an integer in -1440..1440".into(),
                    )
                })? as i32;
            }
            // Read by the binary before anything starts (`main::config_read_only`); validated here.
            "read_only" => {
                if !matches!(v.get_ref(), DeValue::Boolean(_)) {
                    return Err(at(span, "read_only must be true or false".into()));
                }
            }
            "trailing_runs" => {
                let n = int(v.get_ref()).filter(|n| (1..=50).contains(n));
                cfg.trailing_runs = n
                    .ok_or_else(|| at(span, "trailing_runs must be an integer 1-50".into()))?
                    as usize;
            }
            "budgets" => {
                let DeValue::Table(t) = v.get_ref() else {
                    return Err(at(span, "`budgets` must be a table".into()));
                };
                for (bk, bv) in t {
                    let bspan = bv.span();
                    let b = &mut cfg.budgets;
                    match bk.get_ref().as_ref() {
                        "daily_usd" => {
                            b.daily_usd = Some(positive(bv.get_ref()).ok_or_else(|| {
                                at(bspan, "daily_usd must be a number ≥ 0".into())
                            })?)
                        }
                        "warn_ratio" => {
                            b.warn_ratio = positive(bv.get_ref()).ok_or_else(|| {
                                at(bspan, "warn_ratio must be a number ≥ 0".into())
                            })?
                        }
                        "crit_ratio" => {
                            b.crit_ratio = positive(bv.get_ref()).ok_or_else(|| {
                                at(bspan, "crit_ratio must be a number ≥ 0".into())
                            })?
                        }
                        "agents" => {
                            let DeValue::Table(a) = bv.get_ref() else {
                                return Err(at(
                                    bspan,
                                    "`budgets.agents` must be a table of agent = USD".into(),
                                ));
                            };
                            for (ak, av) in a {
                                let usd = positive(av.get_ref()).ok_or_else(|| {
                                    at(av.span(), "an agent budget must be a number ≥ 0".into())
                                })?;
                                b.agents.insert(ak.get_ref().to_string(), usd);
                            }
                        }
                        other => {
                            return Err(at(
                                bk.span(),
                                format!(
                                    "unknown key `budgets.{other}` (expected daily_usd, warn_ratio, crit_ratio, agents)"
                                ),
                            ));
                        }
                    }
                }
            }
            // `[watch]` is read by `crate::watch::config`.
            "watch" => {}
            "detect" => {
                let DeValue::Table(t) = v.get_ref() else {
                    return Err(at(span, "`detect` must be a table".into()));
                };
                for (dk, dv) in t {
                    let name = dk.get_ref().as_ref();
                    set_threshold(cfg, name, dv.get_ref()).map_err(|m| {
                        if m.starts_with("unknown") {
                            at(dk.span(), m)
                        } else {
                            at(dv.span(), m)
                        }
                    })?;
                }
            }
            "prices" => {
                let DeValue::Table(t) = v.get_ref() else {
                    return Err(at(span, "`prices` must be a table".into()));
                };
                crate::prices::settings::parse(t, &mut cfg.prices).map_err(|(s, m)| at(s, m))?;
            }
            "guard" => {
                let DeValue::Table(t) = v.get_ref() else {
                    return Err(at(span, "`guard` must be a table".into()));
                };
                crate::guard::config::parse(t, &mut cfg.guard).map_err(|(s, m)| at(s, m))?;
            }
            other => {
                return Err(at(
                    k.span(),
                    format!(
                        "unknown key `{other}` (expected morning_hour, utc_offset_minutes, trailing_runs, [budgets], [detect], [prices], [guard])"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn int(v: &DeValue) -> Option<i64> {
    match v {
        DeValue::Integer(i) if i.radix() == 10 => i.as_str().replace('_', "").parse().ok(),
        _ => None,
    }
}

fn positive(v: &DeValue) -> Option<f64> {
    let x = match v {
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok()?,
        _ => int(v)? as f64,
    };
    (x.is_finite() && x >= 0.0).then_some(x)
}

fn set_threshold(cfg: &mut DetectConfig, name: &str, v: &DeValue) -> Result<(), String> {
    let u = |v: &DeValue| {
        int(v)
            .filter(|n| *n >= 0)
            .ok_or_else(|| format!("`{name}` must be a non-negative integer"))
    };
    let f = |v: &DeValue| positive(v).ok_or_else(|| format!("`{name}` must be a number ≥ 0"));
    match name {
        "storm_window_min" => cfg.storm_window_min = u(v)?,
        "storm_attempts" => cfg.storm_attempts = u(v)? as u32,
        "storm_exhaustions" => cfg.storm_exhaustions = u(v)? as u32,
        "replay_episodes" => cfg.replay_episodes = u(v)? as u32,
        "replay_switches" => cfg.replay_switches = u(v)? as u32,
        "idle_hours" => cfg.idle_hours = f(v)?,
        "idle_polls" => cfg.idle_polls = u(v)? as u32,
        "idle_crit_usd_per_day" => cfg.idle_crit_usd_per_day = f(v)?,
        "flood_resumed" => cfg.flood_resumed = u(v)? as u32,
        "flood_wait_ms" => cfg.flood_wait_ms = u(v)? as u64,
        "flood_window_min" => cfg.flood_window_min = u(v)?,
        "takeover_repeats" => cfg.takeover_repeats = u(v)? as u32,
        "takeover_window_min" => cfg.takeover_window_min = u(v)?,
        "drift_hours" => cfg.drift_hours = f(v)?,
        "drift_primary_share" => cfg.drift_primary_share = f(v)?,
        "drift_min_turns" => cfg.drift_min_turns = u(v)? as u32,
        "zombie_after_min" => cfg.zombie_after_min = u(v)?,
        other => return Err(format!("unknown key `detect.{other}`")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let mut c = DetectConfig::default();
        parse_into(
            "t.toml",
            "morning_hour = 7\n[budgets]\ndaily_usd = 50\n[budgets.agents]\nmain = 20.5\n[detect]\nstorm_attempts = 12\nidle_hours = 0.5\n",
            &mut c,
        )
        .unwrap();
        assert_eq!(c.morning_hour, 7);
        assert_eq!(c.budgets.daily_usd, Some(50.0));
        assert_eq!(c.budgets.agents.get("main"), Some(&20.5));
        assert_eq!(c.storm_attempts, 12);
        assert_eq!(c.idle_hours, 0.5);
        assert_eq!(
            c.storm_exhaustions,
            DetectConfig::default().storm_exhaustions
        );
    }

    #[test]
    fn unknown_keys_fail_with_line() {
        let mut c = DetectConfig::default();
        let e = parse_into(
            "t.toml",
            "morning_hour = 8\n[detect]\nstorm_atempts = 3\n",
            &mut c,
        )
        .unwrap_err();
        assert_eq!((e.line, e.col), (Some(3), Some(1)));
        assert!(
            e.to_string()
                .starts_with("t.toml:3:1: unknown key `detect.storm_atempts`"),
            "{e}"
        );
        let e = parse_into("t.toml", "mornin_hour = 8\n", &mut c).unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = parse_into("t.toml", "\n\nmorning_hour = 25\n", &mut c).unwrap_err();
        assert_eq!(e.line, Some(3));
        let e = parse_into("t.toml", "[budgets]\ndaily_usd = \"x\"\n", &mut c).unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = parse_into("t.toml", "[budgets]\nweekly = 3\n", &mut c).unwrap_err();
        assert!(e.to_string().contains("unknown key `budgets.weekly`"));
    }
}
