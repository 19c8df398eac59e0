//! A price table in LiteLLM's format (`model_prices_and_context_window.json`, MIT, BerriAI):
//! a JSON object `{ key: { litellm_provider, input_cost_per_token, output_cost_per_token,
//! cache_read_input_token_cost?, cache_creation_input_token_cost?,
//! input_cost_per_token_above_<N>k_tokens?, … }, … }`, costs in **USD per token**. The bundled
//! copy (`data/prices/litellm.json`) is a trimmed file of the same format, and a refreshed table
//! (`[prices] refresh_url`) is the full upstream file: one parser reads both.
//!
//! Entries without a numeric input and output price (image, audio, search, `sample_spec`…) are
//! skipped; other keys are ignored. Bad input is an error value, never a panic.

use std::collections::HashMap;

use serde_json::Value;

/// USD per token of one LiteLLM entry. A missing cache price is `None`: tokens of that class
/// then have no price (never $0).
#[derive(Debug, Clone, PartialEq)]
pub struct TableEntry {
    /// The LiteLLM key, e.g. `claude-opus-4-6` or `zai/glm-5.1`.
    pub key: String,
    /// `litellm_provider`, e.g. `anthropic`, `gemini`, `zai`.
    pub provider: String,
    /// USD per input (uncached prompt) token.
    pub input: f64,
    /// USD per output token.
    pub output: f64,
    /// USD per cache-read token (`cache_read_input_token_cost`).
    pub cache_read: Option<f64>,
    /// USD per cache-write token (`cache_creation_input_token_cost`).
    pub cache_write: Option<f64>,
    /// The smallest prompt size, tokens, above which LiteLLM lists another price
    /// (`input_cost_per_token_above_200k_tokens` → 200 000). A larger prompt is left unpriced.
    pub tier_above_tokens: Option<u64>,
}

impl TableEntry {
    /// USD of one usage record at this price, or `None` when a token class the record used has
    /// no price here, or the prompt (input + cache read + cache write) is above a price tier.
    pub fn cost_usd(
        &self,
        input: u64,
        output: u64,
        cache_read: u64,
        cache_write: u64,
    ) -> Option<f64> {
        let prompt = input.saturating_add(cache_read).saturating_add(cache_write);
        if self.tier_above_tokens.is_some_and(|t| prompt > t) {
            return None;
        }
        let class = |tokens: u64, price: Option<f64>| match (tokens, price) {
            (0, _) => Some(0.0),
            (n, Some(p)) => Some(n as f64 * p),
            (_, None) => None,
        };
        Some(
            input as f64 * self.input
                + output as f64 * self.output
                + class(cache_read, self.cache_read)?
                + class(cache_write, self.cache_write)?,
        )
    }
}

/// A parsed price table: entries by key, plus a lower-case index for the documented
/// case-insensitive match.
#[derive(Debug, Default, Clone)]
pub struct PriceTable {
    entries: HashMap<String, TableEntry>,
    /// Lower-cased key → the keys that lower-case to it.
    lower: HashMap<String, Vec<String>>,
}

/// Why a table could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TableError {
    #[error("not JSON: {0}")]
    Json(String),
    #[error("not a LiteLLM price table (expected a JSON object of models)")]
    NotObject,
    #[error("no token-priced model in the table")]
    Empty,
}

fn num(e: &Value, k: &str) -> Option<f64> {
    e.get(k)
        .and_then(Value::as_f64)
        .filter(|x| x.is_finite() && *x >= 0.0)
}

/// `input_cost_per_token_above_200k_tokens` → 200 000.
fn tier_of(k: &str) -> Option<u64> {
    let n = k
        .strip_prefix("input_cost_per_token_above_")?
        .strip_suffix("k_tokens")?;
    n.parse::<u64>().ok()?.checked_mul(1000)
}

impl PriceTable {
    /// Parse a LiteLLM-format table. Errors: not JSON, not an object, or no usable entry.
    pub fn parse(text: &str) -> Result<PriceTable, TableError> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| TableError::Json(e.to_string()))?;
        let obj = root.as_object().ok_or(TableError::NotObject)?;
        let mut t = PriceTable::default();
        for (key, e) in obj {
            let (Some(provider), Some(input), Some(output)) = (
                e.get("litellm_provider").and_then(Value::as_str),
                num(e, "input_cost_per_token"),
                num(e, "output_cost_per_token"),
            ) else {
                continue;
            };
            let tier = e
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, _)| tier_of(k))
                .min();
            let entry = TableEntry {
                key: key.clone(),
                provider: provider.to_string(),
                input,
                output,
                cache_read: num(e, "cache_read_input_token_cost"),
                cache_write: num(e, "cache_creation_input_token_cost"),
                tier_above_tokens: tier,
            };
            t.lower
                .entry(key.to_lowercase())
                .or_default()
                .push(key.clone());
            t.entries.insert(key.clone(), entry);
        }
        if t.entries.is_empty() {
            return Err(TableError::Empty);
        }
        for v in t.lower.values_mut() {
            v.sort();
        }
        Ok(t)
    }

    /// The entry with exactly this key.
    pub fn get(&self, key: &str) -> Option<&TableEntry> {
        self.entries.get(key)
    }

    /// The entries whose key equals `key` ignoring ASCII/Unicode case, sorted by key.
    pub fn get_ignore_case(&self, key: &str) -> Vec<&TableEntry> {
        self.lower
            .get(&key.to_lowercase())
            .into_iter()
            .flatten()
            .filter_map(|k| self.entries.get(k))
            .collect()
    }

    /// Number of usable entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table has no entry (never after a successful [`PriceTable::parse`]).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = r#"{
      "sample_spec": {"litellm_provider": "one of …", "input_cost_per_token": 0.0, "mode": "chat"},
      "claude-opus-4-6": {"litellm_provider":"anthropic","input_cost_per_token":5e-06,
         "output_cost_per_token":2.5e-05,"cache_read_input_token_cost":5e-07,
         "cache_creation_input_token_cost":6.25e-06},
      "gpt-5.2": {"litellm_provider":"openai","input_cost_per_token":1.75e-06,
         "output_cost_per_token":1.4e-05,"cache_read_input_token_cost":1.75e-07},
      "gemini/gemini-2.5-pro": {"litellm_provider":"gemini","input_cost_per_token":1.25e-06,
         "output_cost_per_token":1e-05,"input_cost_per_token_above_200k_tokens":2.5e-06},
      "dall-e-3": {"litellm_provider":"openai","output_cost_per_image":0.04}
    }"#;

    #[test]
    fn parses_token_priced_entries_only() {
        let t = PriceTable::parse(T).unwrap();
        // sample_spec has no output price, dall-e-3 no token price.
        assert_eq!(t.len(), 3);
        let o = t.get("claude-opus-4-6").unwrap();
        assert_eq!(o.provider, "anthropic");
        assert_eq!(o.cache_write, Some(6.25e-06));
        assert_eq!(
            t.get("gemini/gemini-2.5-pro").unwrap().tier_above_tokens,
            Some(200_000)
        );
        assert_eq!(t.get_ignore_case("GPT-5.2").len(), 1);
    }

    #[test]
    fn cost_per_token_and_missing_classes() {
        let t = PriceTable::parse(T).unwrap();
        let o = t.get("claude-opus-4-6").unwrap();
        // 1000 in × 5e-6 + 100 out × 2.5e-5 + 2000 cr × 5e-7 + 10 cw × 6.25e-6
        let usd = o.cost_usd(1000, 100, 2000, 10).unwrap();
        assert!(
            (usd - (0.005 + 0.0025 + 0.001 + 0.0000625)).abs() < 1e-12,
            "{usd}"
        );
        let g = t.get("gpt-5.2").unwrap();
        assert!(g.cost_usd(10, 10, 10, 0).is_some());
        // A cache write with no cache-write price: unpriced, never $0.
        assert_eq!(g.cost_usd(10, 10, 10, 1), None);
        let p = t.get("gemini/gemini-2.5-pro").unwrap();
        assert!(p.cost_usd(200_000, 10, 0, 0).is_some());
        assert_eq!(p.cost_usd(200_001, 10, 0, 0), None);
    }

    #[test]
    fn bad_tables_are_errors() {
        assert!(matches!(PriceTable::parse("{"), Err(TableError::Json(_))));
        assert_eq!(PriceTable::parse("[1]").unwrap_err(), TableError::NotObject);
        assert_eq!(PriceTable::parse("{}").unwrap_err(), TableError::Empty);
        assert_eq!(
            PriceTable::parse(r#"{"m":{"litellm_provider":"x","input_cost_per_token":-1,"output_cost_per_token":1}}"#)
                .unwrap_err(),
            TableError::Empty
        );
    }
}
