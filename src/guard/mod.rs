//! The opt-in guard: rules in `lanetop.toml` (`[guard.*]`, all off by default: [`config`])
//! that let `lanetop watch` act on its own — pause a cron job over its budget, kill a run
//! stuck in a retry storm — through the same runner as the TUI's actions
//! (`crate::gateway::runner`), where read-only mode refuses them and every attempt is audited.
//!
//! [`decide`] is pure (model + rules + memory → requests); [`Guard`] keeps the memory between
//! ticks, logs each decision and is the [`crate::watch::TickHook`] `lanetop watch` runs. Its
//! rules are read from the model's settings on every tick (`model.detect_config.guard`), so a
//! SIGHUP reload of `lanetop.toml` applies to it.

pub mod config;
pub mod decide;

pub use config::GuardConfig;
pub use decide::{GuardMemory, GuardRequest, Rule, decide};

use crate::domain::Model;

/// The guard between ticks: what it already did.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub memory: GuardMemory,
}

impl Guard {
    /// Decide on the current model with its rules (`model.detect_config.guard`, see
    /// [`decide`]); each request is logged with its rule and reason. Nothing when no rule is
    /// enabled.
    pub fn requests(&mut self, model: &Model) -> Vec<GuardRequest> {
        let config = &model.detect_config.guard;
        if !config.any_enabled() {
            return Vec::new();
        }
        let out = decide(model, config, &mut self.memory);
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

impl crate::watch::TickHook for Guard {
    /// The effects of [`Guard::requests`], for the runner.
    fn on_tick(
        &mut self,
        model: &Model,
        _now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<crate::gateway::runner::Request> {
        use crate::gateway::runner::{Initiator, Request};
        self.requests(model)
            .into_iter()
            .map(|r| Request {
                effect: r.effect,
                by: Initiator::Guard {
                    rule: r.rule.name(),
                    reason: r.reason,
                },
            })
            .collect()
    }
}
