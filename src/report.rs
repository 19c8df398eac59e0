//! `lanetop report`.
