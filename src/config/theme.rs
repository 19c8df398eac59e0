//! Themes: semantic roles → styles. Views ask for a [`Role`], never a raw colour.
//!
//! File shape (`themes/*.toml`, user `<config>/themes/<name>.toml` overlays or adds):
//! ```toml
//! [roles]
//! ok = { fg = "green" }
//! crit = { fg = "#ff5555", modifiers = ["bold"] }
//! ```
//! Colours are ratatui colour names, `#rrggbb`, or a 0–255 index. Missing roles of a user theme
//! fall back to the `dark` theme.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use toml::de::{DeTable, DeValue};

use crate::config::ConfigError;

/// The shipped themes: (name, file name, text).
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "dark",
        "themes/dark.toml",
        include_str!("../../themes/dark.toml"),
    ),
    (
        "light",
        "themes/light.toml",
        include_str!("../../themes/light.toml"),
    ),
    (
        "high-contrast",
        "themes/high-contrast.toml",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

macro_rules! roles {
    ($( $v:ident = $name:literal, $desc:literal; )*) => {
        /// A semantic style role.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Role { $( #[doc = $desc] $v, )* }
        impl Role {
            /// Every role.
            pub const ALL: &'static [Role] = &[ $( Role::$v, )* ];
            /// The name in theme files.
            pub fn name(self) -> &'static str { match self { $( Role::$v => $name, )* } }
            /// Parse a theme-file name.
            pub fn from_name(s: &str) -> Option<Role> { match s { $( $name => Some(Role::$v), )* _ => None } }
            /// The style under `NO_COLOR`: modifiers only.
            pub fn no_color_style(self) -> Style { NC[self as usize] }
        }
    };
}

const fn m(x: Modifier) -> Style {
    Style::new().add_modifier(x)
}
const NONE: Style = Style::new();
const NC: [Style; 16] = [
    NONE,
    m(Modifier::DIM),
    m(Modifier::BOLD),
    NONE,
    m(Modifier::BOLD),
    m(Modifier::BOLD.union(Modifier::UNDERLINED)),
    m(Modifier::BOLD),
    NONE,
    m(Modifier::REVERSED),
    m(Modifier::REVERSED),
    NONE,
    m(Modifier::BOLD),
    m(Modifier::REVERSED.union(Modifier::UNDERLINED)),
    NONE,
    m(Modifier::BOLD),
    m(Modifier::BOLD),
];

roles! {
    Text = "text", "Ordinary text";
    Muted = "muted", "Secondary text: ages, paths, units";
    Accent = "accent", "Names and values to draw the eye to";
    Ok = "ok", "Healthy state (gateway up, run ok)";
    Warn = "warn", "Warnings, queued work, degraded sources";
    Crit = "crit", "Errors, failures, unreachable";
    Spend = "spend", "USD amounts and spend charts";
    Budget = "budget", "Budget lines and projections";
    Selection = "selection", "The selected row";
    Header = "header", "The header bar";
    Border = "border", "Block borders";
    Title = "title", "Block titles and table headings";
    Highlight = "highlight", "Search matches";
    Gauge = "gauge", "Filled part of a lane gauge";
    Chart = "chart", "Bars and sparklines";
    Key = "key", "Key names in help and hints";
}

/// A resolved theme: one style per role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: BTreeMap<Role, Style>,
    /// True under `NO_COLOR` / `--no-color`: no colours at all, modifiers only.
    pub no_color: bool,
}

impl Theme {
    /// The style for a role.
    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }

    /// The colourless theme (`NO_COLOR`).
    pub fn no_color() -> Theme {
        let styles = Role::ALL.iter().map(|r| (*r, r.no_color_style())).collect();
        Theme {
            name: "no-color".into(),
            styles,
            no_color: true,
        }
    }

    /// A built-in theme by name (`dark`, `light`, `high-contrast`).
    pub fn builtin(name: &str) -> Result<Theme, ConfigError> {
        let (n, file, text) = BUILTIN.iter().find(|(n, _, _)| *n == name).ok_or_else(|| {
            ConfigError::not_found(format!(
                "unknown theme `{name}` (built in: dark, light, high-contrast)"
            ))
        })?;
        let styles = parse_theme(file, text)?;
        Ok(Theme {
            name: (*n).into(),
            styles,
            no_color: false,
        })
    }

    /// Load a theme by name: the built-in of that name (or `dark`) overlaid by
    /// `<config_dir>/themes/<name>.toml`. `no_color` wins over everything.
    pub fn load(
        name: &str,
        config_dir: Option<&Path>,
        no_color: bool,
    ) -> Result<Theme, ConfigError> {
        let user = config_dir.map(|d| d.join("themes").join(format!("{name}.toml")));
        let user_text = user
            .as_deref()
            .and_then(|p| std::fs::read_to_string(p).ok());
        let mut theme = match Theme::builtin(name) {
            Ok(t) => t,
            Err(e) if user_text.is_none() => return Err(e),
            Err(_) => Theme {
                name: name.into(),
                ..Theme::builtin("dark")?
            },
        };
        if let (Some(p), Some(text)) = (user, user_text) {
            theme
                .styles
                .extend(parse_theme(&p.display().to_string(), &text)?);
        }
        if no_color {
            return Ok(Theme::no_color());
        }
        Ok(theme)
    }
}

/// Parse one theme file into role styles (only the roles it names).
pub fn parse_theme(file: &str, text: &str) -> Result<BTreeMap<Role, Style>, ConfigError> {
    let root = DeTable::parse(text).map_err(|e| ConfigError::toml(file, text, &e))?;
    let at = |off: usize, msg: String| ConfigError::at(file, text, off, msg);
    let mut out = BTreeMap::new();
    for (k, v) in root.get_ref() {
        match (k.get_ref().as_ref(), v.get_ref()) {
            ("name", _) => {}
            ("roles", DeValue::Table(roles)) => {
                for (rk, rv) in roles {
                    let role = Role::from_name(rk.get_ref()).ok_or_else(|| {
                        at(rk.span().start, format!("unknown role `{}`", rk.get_ref()))
                    })?;
                    let DeValue::Table(spec) = rv.get_ref() else {
                        return Err(at(
                            rv.span().start,
                            "a role must be a table { fg, bg, modifiers }".into(),
                        ));
                    };
                    let mut style = Style::new();
                    for (sk, sv) in spec {
                        let off = sv.span().start;
                        match (sk.get_ref().as_ref(), sv.get_ref()) {
                            ("fg", DeValue::String(c)) => {
                                style = style.fg(color(c).map_err(|e| at(off, e))?)
                            }
                            ("bg", DeValue::String(c)) => {
                                style = style.bg(color(c).map_err(|e| at(off, e))?)
                            }
                            ("modifiers", DeValue::Array(a)) => {
                                for item in a.iter() {
                                    let name = item.get_ref().as_str().unwrap_or_default();
                                    let md = modifier(name).ok_or_else(|| {
                                        at(item.span().start, format!("unknown modifier `{name}`"))
                                    })?;
                                    style = style.add_modifier(md);
                                }
                            }
                            (other, _) => {
                                return Err(at(
                                    sk.span().start,
                                    format!("unknown or mistyped style field `{other}`"),
                                ));
                            }
                        }
                    }
                    out.insert(role, style);
                }
            }
            (other, _) => {
                return Err(at(
                    k.span().start,
                    format!("unexpected `{other}` (expected [roles])"),
                ));
            }
        }
    }
    Ok(out)
}

fn color(s: &str) -> Result<Color, String> {
    Color::from_str(s).map_err(|_| format!("unknown colour `{s}`"))
}

fn modifier(s: &str) -> Option<Modifier> {
    Some(match s {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        "crossed-out" => Modifier::CROSSED_OUT,
        _ => return None,
    })
}
