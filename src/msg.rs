//! Messages into `update`: facts from the sources, clock ticks, user actions.

use chrono::{DateTime, Utc};

use crate::fact::Fact;

/// One input to the update loop.
#[derive(Debug)]
pub enum Msg {
    /// A batch of facts from one ingest task.
    Facts(Vec<Fact>),
    /// The wall clock advanced (1 Hz while running); ages and rates are computed against it.
    Tick(DateTime<Utc>),
    /// An action finished (or was refused) in the runner ([`crate::gateway::runner`]).
    ActionDone(crate::gateway::runner::Outcome),
    /// A refreshed price table arrived ([`crate::prices::refresh`]).
    Prices(std::sync::Arc<crate::prices::PriceTable>),
}
