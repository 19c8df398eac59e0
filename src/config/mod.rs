//! lanetop configuration: paths, themes, keymaps, and `lanetop.toml` settings ([`settings`]).
//!
//! Built-in themes (`themes/*.toml`) and keymaps (`keymaps/*.toml`) are embedded with
//! `include_str!`; user files in the config dir ([`paths::config_dir`]) overlay them.

pub mod action;
pub mod keymap;
pub mod paths;
pub mod settings;
pub mod theme;

pub use action::{Action, Scope};
pub use keymap::{KeyChord, Keymap};
pub use theme::{Role, Theme};

/// A configuration error, located when possible: `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ConfigError {
    /// File name (a built-in's `keymaps/vim.toml`, or the user file's path); empty when none.
    pub file: String,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub message: String,
}

impl ConfigError {
    fn render(&self) -> String {
        match (self.file.is_empty(), self.line, self.col) {
            (true, _, _) => self.message.clone(),
            (false, Some(l), Some(c)) => format!("{}:{l}:{c}: {}", self.file, self.message),
            (false, Some(l), None) => format!("{}:{l}: {}", self.file, self.message),
            _ => format!("{}: {}", self.file, self.message),
        }
    }

    /// An error at byte `offset` of `text`.
    pub fn at(file: &str, text: &str, offset: usize, message: String) -> Self {
        let line = keymap::line_of(text, offset);
        let line_start = text[..offset.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let col = text
            .get(line_start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        Self {
            file: file.into(),
            line: Some(line),
            col: Some(col),
            message,
        }
    }

    /// A TOML syntax error.
    pub fn toml(file: &str, text: &str, e: &toml::de::Error) -> Self {
        let msg = e.message().trim().to_string();
        match e.span() {
            Some(span) => Self::at(file, text, span.start, msg),
            None => Self {
                file: file.into(),
                line: None,
                col: None,
                message: msg,
            },
        }
    }

    /// A missing theme or keymap.
    pub fn not_found(message: String) -> Self {
        Self {
            file: String::new(),
            line: None,
            col: None,
            message,
        }
    }
}
