//! Overlays and the bottom input line: `?` help, `:` command line.

pub mod command;
pub mod help;
