#!/usr/bin/env python3
"""Trim LiteLLM's model price table to what lanetop uses (stdlib only).

Usage: trim_litellm_prices.py SRC.json OUT.json

Keeps the token-priced chat/responses/completion entries of the LiteLLM providers lanetop maps
OpenClaw provider ids to (src/prices/matching.rs, PROVIDERS), and of each entry only:
litellm_provider, input_cost_per_token, output_cost_per_token, cache_read_input_token_cost,
cache_creation_input_token_cost (USD per token) and the `input_cost_per_token_above_<N>k_tokens`
keys (only their presence matters: lanetop leaves a prompt above a tier unpriced).
The output is itself a valid LiteLLM-format table (one entry per line, keys sorted).
"""
import json
import re
import sys

PROVIDERS = {
    "anthropic", "openai", "gemini", "xai", "mistral", "groq", "deepseek", "zai",
    "moonshot", "minimax", "cerebras", "together_ai", "vercel_ai_gateway",
}
MODES = {"chat", "responses", "completion"}
KEEP = (
    "litellm_provider",
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
)
TIER = re.compile(r"^input_cost_per_token_above_\d+k_tokens$")


def main() -> None:
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        table = json.load(f)
    kept = {}
    for key, e in sorted(table.items()):
        if not isinstance(e, dict) or e.get("litellm_provider") not in PROVIDERS:
            continue
        if e.get("mode") not in MODES:
            continue
        if not isinstance(e.get("input_cost_per_token"), (int, float)):
            continue
        if not isinstance(e.get("output_cost_per_token"), (int, float)):
            continue
        kept[key] = {
            k: v
            for k, v in sorted(e.items())
            if (k in KEEP or TIER.match(k)) and v is not None
        }
    with open(out, "w", encoding="utf-8") as f:
        f.write("{\n")
        items = list(kept.items())
        for i, (k, v) in enumerate(items):
            sep = "," if i + 1 < len(items) else ""
            f.write(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}{sep}\n")
        f.write("}\n")
    print(f"{len(kept)} entries of {len(table)}", file=sys.stderr)


if __name__ == "__main__":
    main()
