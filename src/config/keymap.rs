//! Keymaps: `(scope, chord) -> Action`, loaded from `keymaps/*.toml` (embedded) and overlaid by
//! the user's `keymap.toml` from the config dir.
//!
//! File shape: one table per [`Scope`], keys are chords, values are action names:
//! ```toml
//! [global]
//! q = "quit"
//! "ctrl-c" = "quit"
//! [logs]
//! f = "toggle-follow"
//! ```
//! An unknown scope, an unknown action, an unparsable chord, or a chord bound twice in one scope
//! (e.g. `"C"` and `"shift-c"`) fails with `FILE:LINE:COL: message`.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use toml::de::{DeTable, DeValue};

use crate::config::ConfigError;
use crate::config::action::{Action, Scope};

/// The shipped keymaps: (name, file name, text).
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "default",
        "keymaps/default.toml",
        include_str!("../../keymaps/default.toml"),
    ),
    (
        "vim",
        "keymaps/vim.toml",
        include_str!("../../keymaps/vim.toml"),
    ),
];

/// One key with its modifiers, normalised (a shifted character is stored as the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyChord {
    /// Normalise a crossterm key event (drops SHIFT on characters, keeps CTRL/ALT).
    pub fn from_event(ev: &KeyEvent) -> Self {
        Self::new(ev.code, ev.modifiers)
    }

    /// Build a normalised chord.
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() => {
                KeyCode::Char(c.to_ascii_uppercase())
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        if matches!(code, KeyCode::Char(_)) {
            mods.remove(KeyModifiers::SHIFT);
        }
        Self { code, mods }
    }

    /// Parse `q`, `G`, `?`, `ctrl-c`, `alt-x`, `shift-tab`, `enter`, `esc`, `pageup`, `f1`, `space`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                break;
            }
            mods |= m;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                f if f.starts_with('f') && f.len() > 1 => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=12).contains(&n) => KeyCode::F(n),
                    _ => return Err(format!("unknown key `{s}`")),
                },
                _ => return Err(format!("unknown key `{s}`")),
            },
        };
        Ok(Self::new(code, mods))
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::PageUp => f.write_str("pageup"),
            KeyCode::PageDown => f.write_str("pagedown"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One binding, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub scope: Scope,
    pub chord: KeyChord,
    pub action: Action,
}

/// The live keymap.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    map: HashMap<(Scope, KeyChord), Action>,
    /// Bindings in load order (an overlay replaces in place), for help and `--print-keymap`.
    bindings: Vec<Binding>,
}

impl Keymap {
    /// The action bound to `chord` in `scope`, falling back to the global scope.
    pub fn lookup(&self, scope: Scope, chord: KeyChord) -> Option<Action> {
        self.map
            .get(&(scope, chord))
            .or_else(|| self.map.get(&(Scope::Global, chord)))
            .copied()
    }

    /// Every binding, in load order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The bindings of one scope, in action order (then key), as help lists them.
    pub fn scope_bindings(&self, scope: Scope) -> Vec<&Binding> {
        let mut v: Vec<&Binding> = self.bindings.iter().filter(|b| b.scope == scope).collect();
        v.sort_by_key(|b| (b.action, b.chord.to_string()));
        v
    }

    /// The chords that trigger `action` in `scope` (or globally), for key hints.
    /// Shortest names first; a global chord shadowed in `scope` by another action is skipped.
    pub fn keys_for(&self, scope: Scope, action: Action) -> Vec<KeyChord> {
        let mut v: Vec<KeyChord> = self
            .bindings
            .iter()
            .filter(|b| b.action == action && (b.scope == scope || b.scope == Scope::Global))
            .filter(|b| self.lookup(scope, b.chord) == Some(action))
            .map(|b| b.chord)
            .collect();
        v.sort_by_key(|c| (c.to_string().chars().count(), c.to_string()));
        v.dedup();
        v
    }

    /// Apply one file on top of this keymap: its bindings replace same-scope, same-chord ones.
    pub fn overlay(&mut self, file: &str, text: &str) -> Result<(), ConfigError> {
        for b in parse_keymap(file, text)? {
            if self.map.insert((b.scope, b.chord), b.action).is_some() {
                if let Some(old) = self
                    .bindings
                    .iter_mut()
                    .find(|o| o.scope == b.scope && o.chord == b.chord)
                {
                    old.action = b.action;
                }
            } else {
                self.bindings.push(b);
            }
        }
        Ok(())
    }

    /// Load a keymap by name: `default`, `vim` (default + vim overlay), or a user file
    /// `<config_dir>/keymaps/<name>.toml` (on top of default); then `<config_dir>/keymap.toml`.
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Keymap, ConfigError> {
        let mut km = Keymap::default();
        let (_, dfile, dtext) = BUILTIN[0];
        km.overlay(dfile, dtext)?;
        if name != "default" {
            if let Some((_, file, text)) = BUILTIN.iter().find(|(n, _, _)| *n == name) {
                km.overlay(file, text)?;
            } else {
                let path = config_dir.map(|d| d.join("keymaps").join(format!("{name}.toml")));
                match path.as_deref().map(|p| (p, std::fs::read_to_string(p))) {
                    Some((p, Ok(text))) => km.overlay(&p.display().to_string(), &text)?,
                    _ => {
                        return Err(ConfigError::not_found(format!(
                            "unknown keymap `{name}` (built in: default, vim; or <config>/keymaps/{name}.toml)"
                        )));
                    }
                }
            }
        }
        if let Some(dir) = config_dir {
            let user = dir.join("keymap.toml");
            if let Ok(text) = std::fs::read_to_string(&user) {
                km.overlay(&user.display().to_string(), &text)?;
            }
        }
        Ok(km)
    }

    /// The `--print-keymap` table: scope, key, action, description.
    pub fn print_table(&self) -> String {
        let mut rows: Vec<[String; 4]> = vec![[
            "SCOPE".into(),
            "KEY".into(),
            "ACTION".into(),
            "DESCRIPTION".into(),
        ]];
        for scope in Scope::ALL {
            for b in self.scope_bindings(*scope) {
                rows.push([
                    scope.name().into(),
                    b.chord.to_string(),
                    b.action.name().into(),
                    b.action.description().into(),
                ]);
            }
        }
        let w: Vec<usize> = (0..3)
            .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for r in &rows {
            out.push_str(&format!(
                "{:w0$}  {:w1$}  {:w2$}  {}\n",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = w[0],
                w1 = w[1],
                w2 = w[2]
            ));
        }
        out
    }
}

/// Parse one keymap file into bindings, checking scopes, chords, actions and duplicates.
pub fn parse_keymap(file: &str, text: &str) -> Result<Vec<Binding>, ConfigError> {
    let root = DeTable::parse(text).map_err(|e| ConfigError::toml(file, text, &e))?;
    let mut out: Vec<Binding> = Vec::new();
    let mut seen: HashMap<(Scope, KeyChord), usize> = HashMap::new();
    for (scope_key, scope_val) in root.get_ref() {
        let at = |span: std::ops::Range<usize>, msg: String| {
            ConfigError::at(file, text, span.start, msg)
        };
        let scope = Scope::from_name(scope_key.get_ref()).ok_or_else(|| {
            let names: Vec<&str> = Scope::ALL.iter().map(|s| s.name()).collect();
            at(
                scope_key.span(),
                format!(
                    "unknown scope `{}` (expected one of: {})",
                    scope_key.get_ref(),
                    names.join(", ")
                ),
            )
        })?;
        let DeValue::Table(table) = scope_val.get_ref() else {
            return Err(at(
                scope_val.span(),
                format!("`{}` must be a table of key = \"action\"", scope.name()),
            ));
        };
        for (key, val) in table {
            let chord = KeyChord::parse(key.get_ref()).map_err(|m| at(key.span(), m))?;
            let name = val
                .get_ref()
                .as_str()
                .ok_or_else(|| at(val.span(), "action must be a string".into()))?;
            let action = Action::from_name(name).ok_or_else(|| {
                at(
                    val.span(),
                    format!("unknown action `{name}` (see `lanetop --print-keymap` for the names)"),
                )
            })?;
            let line = line_of(text, key.span().start);
            if let Some(first) = seen.insert((scope, chord), line) {
                return Err(at(
                    key.span(),
                    format!(
                        "key `{chord}` bound twice in scope `{}` (first at line {first})",
                        scope.name()
                    ),
                ));
            }
            out.push(Binding {
                scope,
                chord,
                action,
            });
        }
    }
    Ok(out)
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
