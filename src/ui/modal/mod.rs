//! Overlays and the bottom input line: `?` help, `:` command line.

pub mod command;
pub mod confirm;
pub mod help;
