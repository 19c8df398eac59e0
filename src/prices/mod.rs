//! Prices for every model: which price a `provider/model` gets, and from where.
//!
//! Precedence, per usage record (applied by `update::spend`):
//! 1. the record's own `usage.cost.total` (OpenClaw's recorded cost: always wins);
//! 2. **config**: `models.providers.<p>.models[].cost` in `openclaw.json` (USD per 1M tokens);
//! 3. **refreshed**: the table fetched from `[prices] refresh_url` (LiteLLM format), when
//!    configured ([`refresh`]);
//! 4. **bundled**: LiteLLM's table shipped in the binary (`data/prices/litellm.json`, trimmed;
//!    version, sha256 and licence in `data/prices/README.md`);
//! 5. otherwise the tokens are **unpriced** (counted as unpriced tokens, never as $0).
//!
//! Matching of OpenClaw ids to LiteLLM keys: [`matching`]. A table price leaves a record
//! unpriced when the record uses a token class the entry has no price for, or its prompt is
//! above a price tier ([`table::TableEntry::cost_usd`]).
//!
//! Pure: no I/O here except in [`refresh`] (never reachable from `update`).

pub mod matching;
pub mod refresh;
pub mod settings;
pub mod table;

use std::sync::{Arc, OnceLock};

use crate::fact::{ConfigFacts, Price};
pub use matching::MatchKind;
pub use settings::PriceSettings;
pub use table::{PriceTable, TableEntry};

/// The bundled table (LiteLLM, trimmed by `scripts/trim_litellm_prices.py`).
const BUNDLED_JSON: &str = include_str!("../../data/prices/litellm.json");

/// Where the bundled table comes from (shown in the README and `data/prices/README.md`).
pub const BUNDLED_ORIGIN: &str =
    "litellm 1.109.1 (PyPI), model_prices_and_context_window_backup.json, MIT";

/// The bundled table, parsed once per process. `None` only if the embedded file were broken
/// (a unit test guards against that).
pub fn bundled() -> Option<Arc<PriceTable>> {
    static B: OnceLock<Option<Arc<PriceTable>>> = OnceLock::new();
    B.get_or_init(|| PriceTable::parse(BUNDLED_JSON).ok().map(Arc::new))
        .clone()
}

/// Where a computed price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriceSource {
    /// `openclaw.json` `models.providers.<p>.models[].cost`.
    Config,
    /// The table fetched from `[prices] refresh_url` (or its cached copy).
    Refreshed,
    /// The table bundled in the binary.
    Bundled,
}

impl PriceSource {
    /// `config` / `refreshed` / `bundled`.
    pub fn name(self) -> &'static str {
        match self {
            PriceSource::Config => "config",
            PriceSource::Refreshed => "refreshed",
            PriceSource::Bundled => "bundled",
        }
    }
}

/// The price a model id resolved to.
#[derive(Debug, Clone, Copy)]
pub enum Resolved<'a> {
    /// A config price (USD per 1M tokens; a class the config omits costs 0, as in OpenClaw).
    Config(&'a Price),
    /// A table entry (USD per token), refreshed or bundled, and how the id matched its key.
    Table {
        source: PriceSource,
        entry: &'a TableEntry,
        kind: MatchKind,
    },
}

impl Resolved<'_> {
    /// Where the price comes from.
    pub fn source(&self) -> PriceSource {
        match self {
            Resolved::Config(_) => PriceSource::Config,
            Resolved::Table { source, .. } => *source,
        }
    }

    /// The LiteLLM key of a table price.
    pub fn key(&self) -> Option<&str> {
        match self {
            Resolved::Config(_) => None,
            Resolved::Table { entry, .. } => Some(&entry.key),
        }
    }

    /// USD of one usage record (token counts), or `None` when this price cannot price it.
    pub fn cost_usd(
        &self,
        input: u64,
        output: u64,
        cache_read: u64,
        cache_write: u64,
    ) -> Option<f64> {
        match self {
            Resolved::Config(p) => Some(p.cost_usd(input, output, cache_read, cache_write)),
            Resolved::Table { entry, .. } => entry.cost_usd(input, output, cache_read, cache_write),
        }
    }

    /// True when the price depends on the size of each prompt (a table entry with a tier):
    /// usage aggregated over several records cannot be priced with it.
    pub fn per_record_only(&self) -> bool {
        matches!(self, Resolved::Table { entry, .. } if entry.tier_above_tokens.is_some())
    }
}

/// The price tables besides the config: refreshed and bundled.
#[derive(Debug, Clone)]
pub struct PriceBook {
    /// The refreshed table, when `[prices] refresh_url` is set and a fetch (or the cache)
    /// succeeded.
    pub refreshed: Option<Arc<PriceTable>>,
    /// The bundled table; `None` disables it (tests of the config-only rule).
    pub bundled: Option<Arc<PriceTable>>,
}

impl Default for PriceBook {
    fn default() -> Self {
        PriceBook {
            refreshed: None,
            bundled: bundled(),
        }
    }
}

impl PriceBook {
    /// No table at all: only config prices.
    pub fn config_only() -> Self {
        PriceBook {
            refreshed: None,
            bundled: None,
        }
    }

    /// The price of `provider/model`: config, else refreshed, else bundled (module doc).
    pub fn resolve<'a>(&'a self, config: &'a ConfigFacts, id: &str) -> Option<Resolved<'a>> {
        if let Some((_, p)) = config.prices.iter().find(|(m, _)| m.to_string() == id) {
            return Some(Resolved::Config(p));
        }
        [
            (PriceSource::Refreshed, &self.refreshed),
            (PriceSource::Bundled, &self.bundled),
        ]
        .into_iter()
        .find_map(|(source, t)| {
            let (entry, kind) = matching::find(t.as_deref()?, id)?;
            Some(Resolved::Table {
                source,
                entry,
                kind,
            })
        })
    }
}

/// The price source shown for a model in the Spend view: `recorded` when every turn carried
/// OpenClaw's own `usage.cost.total`, else the source its price resolves to now (`config` /
/// `refreshed` / `bundled`), else `recorded` when none of its tokens is unpriced, else `none`.
pub fn label(model: &crate::domain::Model, id: &str) -> &'static str {
    let by = model.spend.priced_by.get(id).copied().unwrap_or_default();
    let turns = by.recorded + by.config + by.refreshed + by.bundled + by.unpriced;
    if turns > 0 && by.recorded == turns {
        return "recorded";
    }
    if let Some(r) = model.prices.resolve(&model.config, id) {
        return r.source().name();
    }
    match model.spend.by_model.get(id) {
        Some(b) if b.turns > 0 && b.unpriced_tokens == 0 => "recorded",
        _ => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::ModelRef;

    #[test]
    fn bundled_table_parses_and_prices_known_models() {
        let t = bundled().expect("the bundled table parses");
        // `scripts/trim_litellm_prices.py` over litellm 1.109.1 keeps 533 entries.
        assert_eq!(t.len(), 533);
        let b = PriceBook::default();
        let cfg = ConfigFacts::default();
        let r = b.resolve(&cfg, "anthropic/claude-opus-4-6").unwrap();
        assert_eq!(
            (r.source(), r.key()),
            (PriceSource::Bundled, Some("claude-opus-4-6"))
        );
        // LiteLLM 1.109.1: 5e-06 in, 2.5e-05 out, 5e-07 cache read, 6.25e-06 cache write.
        let usd = r
            .cost_usd(1_000_000, 1_000_000, 1_000_000, 1_000_000)
            .unwrap();
        assert!((usd - (5.0 + 25.0 + 0.5 + 6.25)).abs() < 1e-9, "{usd}");
        let r = b.resolve(&cfg, "zai/glm-5.1").unwrap();
        assert_eq!(r.key(), Some("zai/glm-5.1"));
        assert!(b.resolve(&cfg, "fakeprime/fake-primary").is_none());
        assert!(b.resolve(&cfg, "kimi/kimi2.5").is_none());
    }

    #[test]
    fn config_beats_refreshed_beats_bundled() {
        let refreshed = PriceTable::parse(
            r#"{"claude-opus-4-6":{"litellm_provider":"anthropic","input_cost_per_token":1e-06,"output_cost_per_token":2e-06}}"#,
        )
        .unwrap();
        let mut b = PriceBook::default();
        let mut cfg = ConfigFacts::default();
        let id = "anthropic/claude-opus-4-6";
        assert_eq!(b.resolve(&cfg, id).unwrap().source(), PriceSource::Bundled);
        b.refreshed = Some(Arc::new(refreshed));
        let r = b.resolve(&cfg, id).unwrap();
        assert_eq!(r.source(), PriceSource::Refreshed);
        assert_eq!(r.cost_usd(1_000_000, 0, 0, 0), Some(1.0));
        // A model only the bundled table knows still falls through to it.
        assert_eq!(
            b.resolve(&cfg, "openai/gpt-5.2").unwrap().source(),
            PriceSource::Bundled
        );
        cfg.prices.push((
            ModelRef::new("anthropic", "claude-opus-4-6"),
            Price {
                input: 3.0,
                ..Price::default()
            },
        ));
        let r = b.resolve(&cfg, id).unwrap();
        assert_eq!(r.source(), PriceSource::Config);
        assert_eq!(r.cost_usd(1_000_000, 0, 0, 0), Some(3.0));
        assert!(
            PriceBook::config_only()
                .resolve(&ConfigFacts::default(), id)
                .is_none()
        );
    }
}
