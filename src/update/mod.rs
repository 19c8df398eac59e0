//! `update`: folds facts into the [`Model`]. Pure and fast; no I/O.

use crate::domain::Model;
use crate::fact::Fact;
use crate::msg::Msg;

/// Apply one message to the model. Returns true when something visible changed.
pub fn update(model: &mut Model, msg: Msg) -> bool {
    match msg {
        Msg::Facts(facts) => {
            for f in &facts {
                apply(model, f);
            }
            !facts.is_empty()
        }
        Msg::Tick(now) => {
            model.now = Some(now);
            true
        }
    }
}

/// Fold one fact into the model.
pub fn apply(_model: &mut Model, _fact: &Fact) {}
