//! Reusable drawing pieces: number formats, gauges, header and status bar.

pub mod fmt;
pub mod gauge;
pub mod header;
pub mod status;
