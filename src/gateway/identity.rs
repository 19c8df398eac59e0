//! Ed25519 device identity for the gateway handshake (FORMATS.md §5 "Signing";
//! OpenClaw `dist/device-identity-*.mjs`, `dist/device-auth-*.mjs`).
//!
//! The key is made once and stored as JSON (`device.json`, mode 0600) in lanetop's data dir:
//! `{"deviceId": hex, "publicKey": base64url(raw 32 bytes), "secretKey": base64url(seed 32 bytes),
//! "createdAtMs": ms}`. The device id is the hex sha256 of the raw public key.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

/// File name of the stored identity inside the data dir.
pub const IDENTITY_FILE: &str = "device.json";

/// An error loading or creating the identity.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: invalid device identity: {message}")]
    Invalid { path: String, message: String },
}

/// One Ed25519 device key.
pub struct DeviceIdentity {
    key: SigningKey,
    /// Hex sha256 of the raw public key (64 lowercase hex chars).
    pub device_id: String,
    /// The raw 32-byte public key, base64url without padding.
    pub public_key_b64: String,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret key.
        f.debug_struct("DeviceIdentity")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// Hex sha256 of a raw public key: the OpenClaw device id.
pub fn device_id_of(raw_public_key: &[u8]) -> String {
    Sha256::digest(raw_public_key)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parameters of the signed connect string.
#[derive(Debug, Clone)]
pub struct SignParams<'a> {
    pub device_id: &'a str,
    pub client_id: &'a str,
    pub client_mode: &'a str,
    pub role: &'a str,
    pub scopes: &'a [String],
    pub signed_at_ms: i64,
    /// The shared token (empty when none, e.g. password auth).
    pub token: &'a str,
    pub nonce: &'a str,
}

/// The v2 payload: `v2|deviceId|clientId|clientMode|role|scopes(comma-joined)|signedAtMs|token|nonce`.
pub fn signing_payload(p: &SignParams<'_>) -> String {
    [
        "v2",
        p.device_id,
        p.client_id,
        p.client_mode,
        p.role,
        &p.scopes.join(","),
        &p.signed_at_ms.to_string(),
        p.token,
        p.nonce,
    ]
    .join("|")
}

impl DeviceIdentity {
    /// A fresh random identity (not stored).
    pub fn generate() -> Self {
        let key = SigningKey::generate(&mut rand_core::OsRng);
        Self::from_key(key)
    }

    fn from_key(key: SigningKey) -> Self {
        let raw = key.verifying_key().to_bytes();
        Self {
            device_id: device_id_of(&raw),
            public_key_b64: URL_SAFE_NO_PAD.encode(raw),
            key,
        }
    }

    /// Sign a UTF-8 payload; the signature as base64url without padding.
    pub fn sign(&self, payload: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.key.sign(payload.as_bytes()).to_bytes())
    }

    /// Load `dir/device.json`, or create it (mode 0600, dir 0700) when missing.
    pub fn load_or_create(dir: &Path) -> Result<Self, IdentityError> {
        let path = dir.join(IDENTITY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let id = Self::generate();
                id.store(dir, &path)?;
                Ok(id)
            }
            Err(e) => Err(io_err(&path, e)),
        }
    }

    fn parse(text: &str, path: &Path) -> Result<Self, IdentityError> {
        let invalid = |m: &str| IdentityError::Invalid {
            path: path.display().to_string(),
            message: m.into(),
        };
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(&e.to_string()))?;
        let seed = v
            .get("secretKey")
            .and_then(|s| s.as_str())
            .ok_or_else(|| invalid("no secretKey"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(seed)
            .map_err(|_| invalid("secretKey is not base64url"))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| invalid("secretKey is not 32 bytes"))?;
        let id = Self::from_key(SigningKey::from_bytes(&seed));
        if v.get("deviceId").and_then(|d| d.as_str()) != Some(id.device_id.as_str()) {
            return Err(invalid("deviceId does not match the key"));
        }
        Ok(id)
    }

    fn store(&self, dir: &Path, path: &Path) -> Result<(), IdentityError> {
        create_private_dir(dir)?;
        let body = serde_json::json!({
            "deviceId": self.device_id,
            "publicKey": self.public_key_b64,
            "secretKey": URL_SAFE_NO_PAD.encode(self.key.to_bytes()),
            "createdAtMs": chrono::Utc::now().timestamp_millis(),
        });
        write_private(path, format!("{body}\n").as_bytes())
    }
}

/// lanetop's data dir: `$LANETOP_DATA_DIR`, else the XDG data dir (`~/.local/share/lanetop`).
pub fn data_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("LANETOP_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("ai", "openclaw", "lanetop").map(|p| p.data_dir().to_path_buf())
}

fn io_err(path: &Path, e: std::io::Error) -> IdentityError {
    IdentityError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Create a directory (and parents) with mode 0700 for the leaf.
pub fn create_private_dir(dir: &Path) -> Result<(), IdentityError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io_err(dir, e))
}

/// Write a new file with mode 0600 (exclusive create; fails if it exists).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), IdentityError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_err(path, e))?;
    f.write_all(bytes).map_err(|e| io_err(path, e))?;
    f.sync_all().map_err(|e| io_err(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    #[test]
    fn created_once_mode_0600_and_reloaded_same() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let a = DeviceIdentity::load_or_create(dir.path()).expect("create");
        let mode = std::fs::metadata(dir.path().join(IDENTITY_FILE))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let b = DeviceIdentity::load_or_create(dir.path()).expect("load");
        assert_eq!(a.device_id, b.device_id);
        assert_eq!(a.device_id.len(), 64);
        let raw = URL_SAFE_NO_PAD.decode(&a.public_key_b64).expect("b64");
        assert_eq!(device_id_of(&raw), a.device_id);
        assert!(!format!("{a:?}").contains("secret"));
    }

    #[test]
    fn payload_and_signature_verify() {
        let id = DeviceIdentity::generate();
        let scopes = vec!["operator.read".to_string(), "operator.write".to_string()];
        let p = signing_payload(&SignParams {
            device_id: &id.device_id,
            client_id: "openclaw-tui",
            client_mode: "ui",
            role: "operator",
            scopes: &scopes,
            signed_at_ms: 1788686400000,
            token: "tok",
            nonce: "n-4f1c2a",
        });
        assert_eq!(
            p,
            format!(
                "v2|{}|openclaw-tui|ui|operator|operator.read,operator.write|1788686400000|tok|n-4f1c2a",
                id.device_id
            )
        );
        let sig = URL_SAFE_NO_PAD.decode(id.sign(&p)).expect("b64");
        let raw: [u8; 32] = URL_SAFE_NO_PAD
            .decode(&id.public_key_b64)
            .expect("b64")
            .try_into()
            .expect("32");
        let vk = VerifyingKey::from_bytes(&raw).expect("key");
        let sig = Signature::from_slice(&sig).expect("sig");
        assert!(vk.verify(p.as_bytes(), &sig).is_ok());
        assert!(vk.verify(b"other", &sig).is_err());
    }

    #[test]
    fn tampered_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(IDENTITY_FILE), "{\"secretKey\":\"zz\"}").expect("w");
        assert!(DeviceIdentity::load_or_create(dir.path()).is_err());
    }
}
