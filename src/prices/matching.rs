//! Matching an OpenClaw model id (`provider/model`, FORMATS.md §4: `agents.defaults.model`,
//! transcript `provider` + `model`) to a LiteLLM price-table key. Never a fuzzy guess: only the
//! steps below, in this order, and the entry's `litellm_provider` must always be the LiteLLM
//! name of the OpenClaw provider ([`PROVIDERS`]). A provider not in [`PROVIDERS`] (custom
//! providers, `openai-codex` and other subscription logins, `openrouter`, whose catalog LiteLLM
//! does not price) never matches: its tokens stay unpriced unless `openclaw.json` prices them.
//!
//! 1. **exact**: the key is the whole id, `p/m` (`zai/glm-5.1`, `deepseek/deepseek-chat`).
//! 2. **provider-prefixed**: the key is `L/m` with `L` the LiteLLM provider name
//!    (`google/gemini-2.5-pro` → `gemini/gemini-2.5-pro`), else the bare model id `m` listed
//!    under provider `L` (`anthropic/claude-opus-4-6` → `claude-opus-4-6`,
//!    `openai/gpt-5.2` → `gpt-5.2`).
//! 3. **case-insensitive**: the same three keys compared ignoring case
//!    (`minimax/minimax-m2.5` → `minimax/MiniMax-M2.5`), only when exactly one key matches.
//!
//! No date suffix is stripped or added, no version is rounded, no separator is rewritten.

use super::table::{PriceTable, TableEntry};

/// OpenClaw provider id → LiteLLM `litellm_provider`, for the providers whose API prices
/// LiteLLM lists under that name (OpenClaw docs "Model providers"; LiteLLM provider docs).
pub const PROVIDERS: &[(&str, &str)] = &[
    ("anthropic", "anthropic"),
    ("openai", "openai"),
    ("google", "gemini"),
    ("xai", "xai"),
    ("mistral", "mistral"),
    ("groq", "groq"),
    ("deepseek", "deepseek"),
    ("zai", "zai"),
    ("moonshot", "moonshot"),
    ("minimax", "minimax"),
    ("cerebras", "cerebras"),
    ("together", "together_ai"),
    ("vercel-ai-gateway", "vercel_ai_gateway"),
];

/// Which matching step found the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    Exact,
    ProviderPrefixed,
    CaseInsensitive,
}

/// The LiteLLM provider name of an OpenClaw provider id, when mapped.
pub fn litellm_provider(openclaw_provider: &str) -> Option<&'static str> {
    PROVIDERS
        .iter()
        .find(|(p, _)| *p == openclaw_provider)
        .map(|(_, l)| *l)
}

/// Find the entry for an OpenClaw `provider/model` id (see the module doc for the rules).
/// `None` when the id has no `/`, the provider is not mapped, or no step matches.
pub fn find<'t>(table: &'t PriceTable, id: &str) -> Option<(&'t TableEntry, MatchKind)> {
    let (p, m) = id.split_once('/')?;
    if p.is_empty() || m.is_empty() {
        return None;
    }
    let l = litellm_provider(p)?;
    let ok = |e: &&TableEntry| e.provider == l;
    if let Some(e) = table.get(id).filter(ok) {
        return Some((e, MatchKind::Exact));
    }
    let prefixed = format!("{l}/{m}");
    for k in [prefixed.as_str(), m] {
        if let Some(e) = table.get(k).filter(ok) {
            return Some((e, MatchKind::ProviderPrefixed));
        }
    }
    let mut found: Vec<&TableEntry> = [id, prefixed.as_str(), m]
        .iter()
        .flat_map(|k| table.get_ignore_case(k))
        .filter(ok)
        .collect();
    found.sort_by(|a, b| a.key.cmp(&b.key));
    found.dedup_by(|a, b| a.key == b.key);
    match found.as_slice() {
        [one] => Some((one, MatchKind::CaseInsensitive)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> PriceTable {
        let e = |p: &str, i: f64| {
            format!(
                r#"{{"litellm_provider":"{p}","input_cost_per_token":{i},"output_cost_per_token":1e-06}}"#
            )
        };
        let text = format!(
            "{{{}}}",
            [
                ("claude-opus-4-6", e("anthropic", 5e-6)),
                ("gpt-5.2", e("openai", 1.75e-6)),
                ("gemini/gemini-2.5-pro", e("gemini", 1.25e-6)),
                ("deepseek-chat", e("deepseek", 1e-7)),
                ("deepseek/deepseek-chat", e("deepseek", 2.8e-7)),
                ("minimax/MiniMax-M2.5", e("minimax", 3e-7)),
                ("zai/glm-5.1", e("zai", 1.4e-6)),
                ("azure/gpt-5.2", e("azure", 9e-6)),
                ("Dup-Model", e("openai", 1e-6)),
                ("dup-model", e("openai", 2e-6)),
            ]
            .iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect::<Vec<_>>()
            .join(",")
        );
        PriceTable::parse(&text).unwrap()
    }

    fn key(t: &PriceTable, id: &str) -> Option<(String, MatchKind)> {
        find(t, id).map(|(e, k)| (e.key.clone(), k))
    }

    #[test]
    fn exact_then_prefixed_then_bare() {
        let t = table();
        use MatchKind::*;
        assert_eq!(key(&t, "zai/glm-5.1"), Some(("zai/glm-5.1".into(), Exact)));
        // Both `deepseek/deepseek-chat` and bare `deepseek-chat` exist: the whole id wins.
        assert_eq!(
            key(&t, "deepseek/deepseek-chat"),
            Some(("deepseek/deepseek-chat".into(), Exact))
        );
        assert_eq!(
            key(&t, "google/gemini-2.5-pro"),
            Some(("gemini/gemini-2.5-pro".into(), ProviderPrefixed))
        );
        assert_eq!(
            key(&t, "anthropic/claude-opus-4-6"),
            Some(("claude-opus-4-6".into(), ProviderPrefixed))
        );
        assert_eq!(
            key(&t, "openai/gpt-5.2"),
            Some(("gpt-5.2".into(), ProviderPrefixed))
        );
        assert_eq!(
            key(&t, "minimax/minimax-m2.5"),
            Some(("minimax/MiniMax-M2.5".into(), CaseInsensitive))
        );
    }

    #[test]
    fn never_guesses() {
        let t = table();
        // Unmapped providers: subscription logins, custom providers, routers.
        assert_eq!(key(&t, "openai-codex/gpt-5.2"), None);
        assert_eq!(key(&t, "fakeprime/fake-primary"), None);
        assert_eq!(key(&t, "openrouter/anthropic/claude-opus-4-6"), None);
        // A key of another provider is never taken (azure/gpt-5.2 is azure's, not openai's).
        assert_eq!(key(&t, "azure/gpt-5.2"), None);
        // The bare model id listed under another provider does not match.
        assert_eq!(key(&t, "zai/claude-opus-4-6"), None);
        // No version rounding or date stripping.
        assert_eq!(key(&t, "anthropic/claude-opus-4-6-20260205"), None);
        assert_eq!(key(&t, "anthropic/claude-opus-4.6"), None);
        assert_eq!(key(&t, "openai/gpt-5"), None);
        // Two keys differing only in case: ambiguous, no match.
        assert_eq!(key(&t, "openai/DUP-MODEL"), None);
        // Exact case still matches.
        assert_eq!(
            key(&t, "openai/dup-model").map(|x| x.0),
            Some("dup-model".into())
        );
        // Malformed ids.
        assert_eq!(key(&t, "gpt-5.2"), None);
        assert_eq!(key(&t, "/gpt-5.2"), None);
        assert_eq!(key(&t, "openai/"), None);
    }
}
