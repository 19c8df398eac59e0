//! Where the gateway is and how to authenticate (FORMATS.md §4 "Gateway").
//!
//! Secrets are read here only: `--token`, then `OPENCLAW_GATEWAY_TOKEN` /
//! `OPENCLAW_GATEWAY_PASSWORD`, then `gateway.auth.token|password` in `openclaw.json`. The
//! [`Secret`] type never prints its value (`Debug` shows `Secret(***)`).

use std::path::Path;

use serde_json::Value;

/// Default gateway port (`gateway.port`).
pub const DEFAULT_PORT: u16 = 18789;

/// A secret string that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The secret itself (only for the connect frame and the signed string).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Shared-secret auth sent in `connect.params.auth`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    #[default]
    None,
    Token(Secret),
    Password(Secret),
}

impl Auth {
    /// The token for the signed string (empty unless token auth).
    pub fn token_for_signature(&self) -> &str {
        match self {
            Auth::Token(t) => t.expose(),
            _ => "",
        }
    }
    /// Where the secret came from, for display (never the value).
    pub fn kind(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Token(_) => "token",
            Auth::Password(_) => "password",
        }
    }
}

/// Gateway URL and auth.
#[derive(Debug, Clone)]
pub struct Target {
    /// `ws://127.0.0.1:18789`.
    pub url: String,
    pub auth: Auth,
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The parsed `openclaw.json` (JSON5), or `Null` when absent or unreadable.
fn read_config(path: Option<&Path>) -> Value {
    path.and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| json5::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

/// Resolve the target: URL from `url_flag`, else `ws://127.0.0.1:<port>` with the port from
/// `OPENCLAW_GATEWAY_PORT` or `gateway.port`; auth from `token_flag`, the environment, then the
/// config file.
pub fn resolve(config: Option<&Path>, url_flag: Option<&str>, token_flag: Option<&str>) -> Target {
    let cfg = read_config(config);
    let gw = cfg.get("gateway").cloned().unwrap_or(Value::Null);
    let port = env_nonempty("OPENCLAW_GATEWAY_PORT")
        .and_then(|p| p.parse::<u16>().ok())
        .or_else(|| {
            gw.get("port")
                .and_then(Value::as_u64)
                .and_then(|p| u16::try_from(p).ok())
        })
        .unwrap_or(DEFAULT_PORT);
    let url = url_flag
        .map(str::to_string)
        .unwrap_or_else(|| format!("ws://127.0.0.1:{port}"));
    let cfg_secret = |k: &str| {
        gw.get("auth")
            .and_then(|a| a.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let auth = if let Some(t) = token_flag.filter(|t| !t.is_empty()) {
        Auth::Token(Secret::new(t))
    } else if let Some(t) = env_nonempty("OPENCLAW_GATEWAY_TOKEN") {
        Auth::Token(Secret::new(t))
    } else if let Some(p) = env_nonempty("OPENCLAW_GATEWAY_PASSWORD") {
        Auth::Password(Secret::new(p))
    } else if let Some(t) = cfg_secret("token") {
        Auth::Token(Secret::new(t))
    } else if let Some(p) = cfg_secret("password") {
        Auth::Password(Secret::new(p))
    } else {
        Auth::None
    };
    Target { url, auth }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_token_and_port_and_flag_override() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("openclaw.json");
        std::fs::write(
            &p,
            "{gateway:{port:18871, auth:{mode:'token', token:'s3cret'}}}",
        )
        .expect("w");
        // The environment may hold a token in CI; only assert what the flag forces.
        let t = resolve(Some(&p), None, Some("flagtok"));
        assert_eq!(t.auth, Auth::Token(Secret::new("flagtok")));
        assert!(!format!("{t:?}").contains("flagtok"));
        if std::env::var_os("OPENCLAW_GATEWAY_PORT").is_none() {
            assert_eq!(t.url, "ws://127.0.0.1:18871");
        }
        let t = resolve(Some(&p), Some("ws://h:1"), None);
        assert_eq!(t.url, "ws://h:1");
        if std::env::var_os("OPENCLAW_GATEWAY_TOKEN").is_none()
            && std::env::var_os("OPENCLAW_GATEWAY_PASSWORD").is_none()
        {
            assert_eq!(t.auth, Auth::Token(Secret::new("s3cret")));
        }
    }
}
