//! `--demo` simulator.
