//! The simulated gateway's fixed world: models with prices, agents with fallback chains, cron
//! jobs, and the long-lived sessions, plus the `openclaw.json` (JSON5) and `cron/jobs.json`
//! texts that describe them.
//!
//! Shapes follow `captured-legacy/config/openclaw.json` (5.20 schema: `agents.list[]`,
//! `models.providers.<id>.models[].cost` in USD per 1M tokens) and `captured-legacy/state/cron/
//! jobs.json` (`version:1`, `jobs[]` with `schedule.kind:"every"`, `sessionTarget`, `payload`).

use std::path::Path;

use super::json::J;
use super::rng::Rng;

/// Prices in USD per 1M tokens (`models.providers.<p>.models[].cost`).
#[derive(Debug, Clone, Copy)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_write: f64,
}

/// One model the simulated providers serve.
#[derive(Debug, Clone, Copy)]
pub struct ModelDef {
    pub provider: &'static str,
    pub id: &'static str,
    pub name: &'static str,
    /// Transcript `api` of the provider (`openai-completions`, `anthropic-messages`, …).
    pub api: &'static str,
    pub price: Price,
    pub context_window: i64,
}

impl ModelDef {
    /// `provider/model`.
    pub fn full(&self) -> String {
        format!("{}/{}", self.provider, self.id)
    }
}

/// The models of the demo, with illustrative prices (USD per 1M tokens).
pub const MODELS: &[ModelDef] = &[
    ModelDef {
        provider: "anthropic",
        id: "claude-opus-4-6",
        name: "Claude Opus 4.6",
        api: "anthropic-messages",
        price: Price {
            input: 5.0,
            output: 25.0,
            cache_read: 0.5,
            cache_write: 6.25,
        },
        context_window: 200_000,
    },
    ModelDef {
        provider: "anthropic",
        id: "claude-sonnet-4-5",
        name: "Claude Sonnet 4.5",
        api: "anthropic-messages",
        price: Price {
            input: 3.0,
            output: 15.0,
            cache_read: 0.3,
            cache_write: 3.75,
        },
        context_window: 200_000,
    },
    ModelDef {
        provider: "openai",
        id: "gpt-5.1",
        name: "GPT-5.1",
        api: "openai-responses",
        price: Price {
            input: 1.25,
            output: 10.0,
            cache_read: 0.125,
            cache_write: 0.0,
        },
        context_window: 272_000,
    },
    ModelDef {
        provider: "minimax",
        id: "MiniMax-M2.7",
        name: "MiniMax M2.7",
        api: "anthropic-messages",
        price: Price {
            input: 0.3,
            output: 1.2,
            cache_read: 0.03,
            cache_write: 0.375,
        },
        context_window: 200_000,
    },
    ModelDef {
        provider: "zhipu",
        id: "glm-5.1",
        name: "GLM 5.1",
        api: "openai-completions",
        price: Price {
            input: 0.6,
            output: 2.2,
            cache_read: 0.11,
            cache_write: 0.0,
        },
        context_window: 128_000,
    },
];

/// Look a model up by `provider/model`; falls back to the first model for unknown refs.
pub fn model(full: &str) -> &'static ModelDef {
    MODELS
        .iter()
        .find(|m| m.full() == full)
        .unwrap_or(&MODELS[0])
}

/// One agent: its id, workspace suffix, and fallback chain (primary first).
#[derive(Debug, Clone, Copy)]
pub struct AgentDef {
    pub id: &'static str,
    pub chain: &'static [&'static str],
    /// `heartbeat.every`, when the agent has heartbeats.
    pub heartbeat: Option<&'static str>,
}

/// The agents of the demo.
pub const AGENTS: &[AgentDef] = &[
    AgentDef {
        id: "main",
        chain: &[
            "anthropic/claude-opus-4-6",
            "anthropic/claude-sonnet-4-5",
            "minimax/MiniMax-M2.7",
        ],
        heartbeat: None,
    },
    AgentDef {
        id: "ops",
        chain: &[
            "anthropic/claude-sonnet-4-5",
            "minimax/MiniMax-M2.7",
            "zhipu/glm-5.1",
        ],
        heartbeat: Some("30m"),
    },
    AgentDef {
        id: "research",
        chain: &["openai/gpt-5.1", "anthropic/claude-sonnet-4-5"],
        heartbeat: None,
    },
];

/// The agent definition for `id` (the first agent for unknown ids).
pub fn agent(id: &str) -> &'static AgentDef {
    AGENTS.iter().find(|a| a.id == id).unwrap_or(&AGENTS[0])
}

/// Token cost in USD of one call (`usage.cost` of a transcript assistant message).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cost {
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_write: f64,
}

impl Cost {
    /// Cost of `input`/`output`/`cache_read`/`cache_write` tokens on `m`.
    pub fn of(m: &ModelDef, input: i64, output: i64, cache_read: i64, cache_write: i64) -> Cost {
        let per = |tokens: i64, usd_per_m: f64| tokens as f64 * usd_per_m / 1_000_000.0;
        Cost {
            input: per(input, m.price.input),
            output: per(output, m.price.output),
            cache_read: per(cache_read, m.price.cache_read),
            cache_write: per(cache_write, m.price.cache_write),
        }
    }

    /// Sum of the four parts.
    pub fn total(&self) -> f64 {
        self.input + self.output + self.cache_read + self.cache_write
    }
}

/// A cron job of the demo (`cron/jobs.json` entry).
#[derive(Debug, Clone)]
pub struct JobDef {
    pub id: String,
    pub agent: &'static str,
    pub name: &'static str,
    /// `sessionKey` the job is bound to (the incident job points at `agent:main:main`).
    pub session_key: Option<&'static str>,
    pub every_ms: i64,
    pub message: &'static str,
    /// `payload.model` override.
    pub model: Option<&'static str>,
}

/// Which long-lived session a key is, and its chat shape.
#[derive(Debug, Clone)]
pub struct SessionDef {
    pub key: String,
    pub agent: &'static str,
    pub chat_type: &'static str,
    /// Message channel for `embedded run start … messageChannel=`.
    pub channel: &'static str,
}

/// The long-lived sessions: `agent:main:main`, five channel bindings of `main` (they flood lane
/// `main` after a restart), the ops channel, the idle `agent:ops:main` that only heartbeats
/// touch, and `agent:research:main`.
pub fn session_defs() -> Vec<SessionDef> {
    let d = |key: &str, agent: &'static str, chat: &'static str, ch: &'static str| SessionDef {
        key: key.to_owned(),
        agent,
        chat_type: chat,
        channel: ch,
    };
    vec![
        d("agent:main:main", "main", "direct", "webchat"),
        d(
            "agent:main:telegram:direct:4471093",
            "main",
            "direct",
            "telegram",
        ),
        d(
            "agent:main:telegram:direct:5580214",
            "main",
            "direct",
            "telegram",
        ),
        d("agent:main:slack:direct:u07k2m9", "main", "direct", "slack"),
        d("agent:main:slack:direct:u05q8r1", "main", "direct", "slack"),
        d(
            "agent:main:discord:channel:11802934",
            "main",
            "channel",
            "discord",
        ),
        d("agent:ops:slack:channel:c07ops", "ops", "channel", "slack"),
        d("agent:ops:main", "ops", "direct", "heartbeat"),
        d("agent:research:main", "research", "direct", "webchat"),
    ]
}

/// The cron jobs, ids drawn from `rng`.
pub fn job_defs(rng: &mut Rng) -> Vec<JobDef> {
    vec![
        JobDef {
            id: rng.uuid(),
            agent: "main",
            name: "inbox-triage",
            session_key: Some("agent:main:main"),
            every_ms: 10 * 60_000,
            message: "Triage the shared inbox and summarise anything urgent",
            model: None,
        },
        JobDef {
            id: rng.uuid(),
            agent: "ops",
            name: "ops-status",
            session_key: None,
            every_ms: 15 * 60_000,
            message: "ops cron tick: report status of the deploy queue",
            model: None,
        },
        JobDef {
            id: rng.uuid(),
            agent: "research",
            name: "research-digest",
            session_key: None,
            every_ms: 30 * 60_000,
            message: "Summarise new papers in the watch list",
            model: Some("minimax/MiniMax-M2.7"),
        },
    ]
}

/// `cron/jobs.json` (5.20 shape), pretty-printed like the gateway writes it.
pub fn jobs_json(jobs: &[JobDef], created_at_ms: i64) -> String {
    let items = jobs
        .iter()
        .map(|j| {
            let mut o = J::obj()
                .with("id", J::s(&j.id))
                .with("agentId", J::s(j.agent));
            if let Some(k) = j.session_key {
                o.set("sessionKey", J::s(k));
            }
            let mut payload = J::obj()
                .with("kind", J::s("agentTurn"))
                .with("message", J::s(j.message));
            if let Some(m) = j.model {
                payload.set("model", J::s(m));
            }
            o.with("name", J::s(j.name))
                .with("enabled", J::b(true))
                .with("createdAtMs", J::n(created_at_ms))
                .with(
                    "schedule",
                    J::obj()
                        .with("kind", J::s("every"))
                        .with("everyMs", J::n(j.every_ms))
                        .with("anchorMs", J::n(created_at_ms)),
                )
                .with("sessionTarget", J::s("isolated"))
                .with("wakeMode", J::s("now"))
                .with("payload", payload)
                .with(
                    "delivery",
                    J::obj()
                        .with("mode", J::s("none"))
                        .with("channel", J::s("last")),
                )
                .with("state", J::obj())
        })
        .collect();
    J::obj()
        .with("version", J::n(1))
        .with("jobs", J::Arr(items))
        .pretty()
}

/// `openclaw.json` as JSON5 (comments, unquoted keys, trailing commas), 5.20 schema.
/// `log_file` is the absolute `logging.file` (a rolling `openclaw-YYYY-MM-DD.log` name).
pub fn config_json5(state_dir: &Path, log_file: &Path) -> String {
    let mut providers = String::new();
    let mut seen: Vec<&str> = Vec::new();
    for m in MODELS {
        if seen.contains(&m.provider) {
            continue;
        }
        seen.push(m.provider);
        let mut models = String::new();
        for pm in MODELS.iter().filter(|x| x.provider == m.provider) {
            models.push_str(&format!(
                "          {{ id: {id}, name: {name}, reasoning: false, input: [\"text\"],\n            cost: {{ input: {i}, output: {o}, cacheRead: {cr}, cacheWrite: {cw} }},\n            contextWindow: {cwin}, maxTokens: 8192 }},\n",
                id = J::s(pm.id).compact(),
                name = J::s(pm.name).compact(),
                i = pm.price.input,
                o = pm.price.output,
                cr = pm.price.cache_read,
                cw = pm.price.cache_write,
                cwin = pm.context_window,
            ));
        }
        providers.push_str(&format!(
            "      {p}: {{\n        baseUrl: \"https://api.{p}.example/v1\",\n        apiKey: \"${{{env}_API_KEY}}\",\n        api: \"{api}\",\n        models: [\n{models}        ],\n      }},\n",
            p = m.provider,
            env = m.provider.to_uppercase(),
            api = m.api,
        ));
    }
    let chain = |a: &AgentDef| {
        let fallbacks: Vec<String> = a.chain[1..].iter().map(|c| J::s(c).compact()).collect();
        format!(
            "model: {{ primary: {}, fallbacks: [{}] }}",
            J::s(a.chain[0]).compact(),
            fallbacks.join(", ")
        )
    };
    let mut list = String::new();
    for a in AGENTS {
        let ws = if a.id == "main" {
            state_dir.join("workspace")
        } else {
            state_dir.join(format!("workspace-{}", a.id))
        };
        let hb = a
            .heartbeat
            .map(|e| {
                format!(", heartbeat: {{ every: \"{e}\", lightContext: false, target: \"none\" }}")
            })
            .unwrap_or_default();
        let default = if a.id == "main" {
            "default: true, "
        } else {
            ""
        };
        list.push_str(&format!(
            "      {{ id: \"{id}\", {default}workspace: {ws}, {chain}{hb} }},\n",
            id = a.id,
            ws = J::s(&ws.to_string_lossy()).compact(),
            chain = chain(a),
        ));
    }
    format!(
        "// lanetop --demo: a simulated OpenClaw 2026.5 gateway (legacy file state).\n\
         // Prices are illustrative, USD per 1M tokens.\n\
         {{\n  gateway: {{ mode: \"local\", port: 18789, bind: \"loopback\", auth: {{ mode: \"token\", token: \"demo-token-0000\" }} }},\n  \
         logging: {{ level: \"debug\", file: {log}, consoleLevel: \"info\" }},\n  \
         models: {{\n    providers: {{\n{providers}    }},\n  }},\n  \
         agents: {{\n    defaults: {{\n      workspace: {ws},\n      {defchain},\n      maxConcurrent: 2,\n      timeoutSeconds: 600,\n    }},\n    list: [\n{list}    ],\n  }},\n  \
         cron: {{ enabled: true }},\n  \
         diagnostics: {{ enabled: true }},\n}}\n",
        log = J::s(&log_file.to_string_lossy()).compact(),
        ws = J::s(&state_dir.join("workspace").to_string_lossy()).compact(),
        defchain = chain(&AGENTS[0]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_uses_usd_per_million() {
        let m = model("anthropic/claude-opus-4-6");
        let c = Cost::of(m, 60_000, 1_000, 0, 0);
        assert!((c.total() - (0.3 + 0.025)).abs() < 1e-9);
    }

    #[test]
    fn config_is_json5() {
        let text = config_json5(Path::new("/s"), Path::new("/l/openclaw-2026-01-01.log"));
        let v: serde_json::Value = json5::from_str(&text).expect("json5 parses");
        assert_eq!(
            v["agents"]["list"][0]["model"]["fallbacks"][1],
            "minimax/MiniMax-M2.7"
        );
        assert_eq!(
            v["models"]["providers"]["openai"]["models"][0]["cost"]["input"],
            1.25
        );
    }
}
