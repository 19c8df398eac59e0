//! Where lanetop's own configuration lives.

use std::path::PathBuf;

/// Environment variable overriding the config dir.
pub const CONFIG_DIR_ENV: &str = "LANETOP_CONFIG_DIR";

/// The config dir: `$LANETOP_CONFIG_DIR`, else the XDG dir of
/// `ProjectDirs::from("ai", "openclaw", "lanetop")` (`~/.config/lanetop` on Linux).
/// Holds `keymap.toml`, `keymaps/<name>.toml` and `themes/<name>.toml`.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(CONFIG_DIR_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("ai", "openclaw", "lanetop")
        .map(|p| p.config_dir().to_path_buf())
}

/// True when `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
