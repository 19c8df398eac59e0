//! The gateway's WebSocket RPC (FORMATS.md §5; FORMATS-LEGACY.md §6): device identity,
//! secrets, the client, the live-read poller and the one action runner.
//!
//! Everything that changes the gateway goes through [`runner::Runner`]; the read-only gate is
//! enforced there and nowhere else.

pub mod audit;
pub mod auth;
pub mod client;
pub mod error;
pub mod frame;
pub mod identity;
pub mod live;
pub mod runner;

pub use client::{Client, ClientOptions, Event, Hello};
pub use error::RpcError;
