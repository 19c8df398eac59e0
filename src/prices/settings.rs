//! `[prices]` in `lanetop.toml` (parsed by `crate::config::settings`, which reports errors as
//! `file:line:col`):
//!
//! ```toml
//! [prices]
//! refresh_url = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
//! refresh_hours = 24      # re-fetch when the cached copy is older (default 24, 1-8760)
//! bundled = true          # false: never use the bundled table
//! ```
//!
//! Without `refresh_url` nothing is fetched and no cached copy is read.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// What `[prices]` sets.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceSettings {
    /// `http://` or `https://` URL of a LiteLLM-format table; `None`: no refresh.
    pub refresh_url: Option<String>,
    /// Re-fetch when the cached copy is older than this, hours.
    pub refresh_hours: u64,
    /// Use the bundled table (default true).
    pub bundled: bool,
}

impl Default for PriceSettings {
    fn default() -> Self {
        PriceSettings {
            refresh_url: None,
            refresh_hours: 24,
            bundled: true,
        }
    }
}

/// Parse the `[prices]` table onto `out`. Errors: the byte span to point at and the message.
pub fn parse(t: &DeTable<'_>, out: &mut PriceSettings) -> Result<(), (Range<usize>, String)> {
    for (k, v) in t {
        let span = v.span();
        match (k.get_ref().as_ref(), v.get_ref()) {
            ("refresh_url", DeValue::String(s)) => {
                let s = s.trim();
                if !(s.starts_with("https://") || s.starts_with("http://")) {
                    return Err((span, "prices.refresh_url must be an http(s):// URL".into()));
                }
                out.refresh_url = Some(s.to_string());
            }
            ("refresh_url", _) => {
                return Err((span, "prices.refresh_url must be a string".into()));
            }
            ("refresh_hours", DeValue::Integer(i)) if i.radix() == 10 => {
                let n = i.as_str().replace('_', "").parse::<u64>().ok();
                out.refresh_hours = n.filter(|n| (1..=8760).contains(n)).ok_or((
                    span,
                    "prices.refresh_hours must be an integer 1-8760".to_string(),
                ))?;
            }
            ("refresh_hours", _) => {
                return Err((
                    span,
                    "prices.refresh_hours must be an integer 1-8760".into(),
                ));
            }
            ("bundled", DeValue::Boolean(b)) => out.bundled = *b,
            ("bundled", _) => return Err((span, "prices.bundled must be true or false".into())),
            (other, _) => {
                return Err((
                    k.span(),
                    format!(
                        "unknown key `prices.{other}` (expected refresh_url, refresh_hours, bundled)"
                    ),
                ));
            }
        }
    }
    Ok(())
}
