//! Offline legacy mode (≤ 2026.5, gateway stopped or unreachable): edit an agent's
//! `sessions.json` directly, safely (FORMATS-LEGACY.md §1.3, §2.2). Used by the runner only
//! when there is no RPC link. The edit rule (store lock vs refuse while a gateway lives) is
//! chosen by the detected release ([`release::detect`]).

pub mod lock;
pub mod release;
pub mod store_edit;

pub use store_edit::{EditError, EditReport, LegacyRelease, Removal, remove_entries};
