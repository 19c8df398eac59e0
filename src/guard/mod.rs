//! The opt-in guard: rules in `lanetop.toml` (`[guard.*]`, all off by default: [`config`])
//! that let `lanetop watch` act on its own — pause a cron job over its budget, kill a run
//! stuck in a retry storm — through the same runner as the TUI's actions
//! (`crate::gateway::runner`), where read-only mode refuses them and every attempt is audited.
//!
//! [`decide`] is pure (model + rules + memory → requests); [`Guard`] keeps the memory between
//! ticks and logs each decision.

pub mod config;
pub mod decide;

pub use config::GuardConfig;
pub use decide::{GuardMemory, GuardRequest, Rule, decide};

use crate::domain::Model;

/// The guard between ticks: its rules and what it already did.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub config: GuardConfig,
    pub memory: GuardMemory,
}

impl Guard {
    /// A guard with these rules and an empty memory.
    pub fn new(config: GuardConfig) -> Self {
        Guard {
            config,
            memory: GuardMemory::default(),
        }
    }

    /// Decide on the current model (see [`decide`]); each request is logged with its rule and
    /// reason. Nothing when no rule is enabled.
    pub fn on_tick(&mut self, model: &Model) -> Vec<GuardRequest> {
        if !self.config.any_enabled() {
            return Vec::new();
        }
        let out = decide(model, &self.config, &mut self.memory);
        for r in &out {
            tracing::warn!(
                rule = r.rule.name(),
                action = r.effect.action(),
                target = %r.effect.target(),
                "guard: {}",
                r.reason
            );
        }
        out
    }
}
