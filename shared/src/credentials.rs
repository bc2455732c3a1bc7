//! Credentials typed into the page, as they travel to the proxy.
//!
//! The page keeps them in memory only and sends them with each request in one
//! header (a custom header also forces a CORS preflight, which foreign origins
//! fail). The proxy uses them for that request and forgets them; they are never
//! logged, stored, or put in a URL.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::reference::normalize_registry;

/// The request header that carries typed-in credentials.
pub const CREDENTIALS_HEADER: &str = "x-registry-auth";

#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Credential {
    pub username: String,
    /// Password or token.
    pub password: String,
}

/// Never prints the secret.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Credentials per registry (normalized registry name, e.g. `docker.io`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CredentialSet(pub BTreeMap<String, Credential>);

/// Why the credentials header cannot be read. Messages never echo the
/// header or any part of it: it holds secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error("the {CREDENTIALS_HEADER} header is not valid base64url-encoded JSON: {0}")]
    Malformed(String),
    #[error(
        "the {CREDENTIALS_HEADER} header is not base64url (A-Z a-z 0-9 - _, no padding): {reason}"
    )]
    NotBase64 { reason: String },
    #[error(
        "the {CREDENTIALS_HEADER} header decodes, but not to JSON of the form {{\"registry\": {{\"username\": \"...\", \"password\": \"...\"}}}} ({problem} at line {line}, column {column})"
    )]
    NotCredentials {
        problem: &'static str,
        line: usize,
        column: usize,
    },
}

/// The key a registry's credential is filed under: its normalized host
/// (lowercase, Docker Hub aliases folded into `docker.io`), also accepting the
/// `https://index.docker.io/v1/` form Docker's config.json uses.
pub fn registry_key(registry: &str) -> String {
    let trimmed = registry.trim();
    let without_scheme = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .unwrap_or(trimmed);
    let host = without_scheme.split('/').next().unwrap_or("");
    normalize_registry(host)
}

impl CredentialSet {
    /// base64url (no padding) of the JSON object, for the header.
    pub fn encode(&self) -> String {
        // Serializing string maps cannot fail; an empty object is the
        // harmless fallback should it ever.
        let json = serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec());
        URL_SAFE_NO_PAD.encode(json)
    }
    pub fn decode(header: &str) -> Result<Self, CredentialsError> {
        let header = header.trim();
        // Tolerate padding: some encoders add it.
        let unpadded = header.trim_end_matches('=');
        let json = URL_SAFE_NO_PAD
            .decode(unpadded)
            .map_err(|e| CredentialsError::NotBase64 {
                // base64's messages name an offset and a byte, not the content.
                reason: match e {
                    base64::DecodeError::InvalidByte(offset, _) => {
                        format!("invalid character at offset {offset}")
                    }
                    base64::DecodeError::InvalidLength(_) => "invalid length".to_string(),
                    base64::DecodeError::InvalidLastSymbol(offset, _) => {
                        format!("invalid last character at offset {offset}")
                    }
                    base64::DecodeError::InvalidPadding => "invalid padding".to_string(),
                },
            })?;
        serde_json::from_slice(&json).map_err(|e| CredentialsError::NotCredentials {
            problem: crate::json_error::secret_safe_problem(&e),
            line: e.line(),
            column: e.column(),
        })
    }
    /// The credential for a registry, accepting Docker Hub's aliases
    /// (`docker.io`, `index.docker.io`, `registry-1.docker.io`).
    pub fn for_registry(&self, registry: &str) -> Option<&Credential> {
        if let Some(exact) = self.0.get(registry) {
            return Some(exact);
        }
        let wanted = registry_key(registry);
        self.0
            .iter()
            .find(|(key, _)| registry_key(key) == wanted)
            .map(|(_, credential)| credential)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cred(user: &str, password: &str) -> Credential {
        Credential {
            username: user.into(),
            password: password.into(),
        }
    }

    fn set(entries: &[(&str, Credential)]) -> CredentialSet {
        CredentialSet(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn encode_is_unpadded_base64url_of_json() {
        let s = set(&[("ghcr.io", cred("me", "tok?>>"))]);
        let header = s.encode();
        assert!(!header.contains('='));
        assert!(!header.contains('+') && !header.contains('/'));
        let json = URL_SAFE_NO_PAD.decode(&header).unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            r#"{"ghcr.io":{"username":"me","password":"tok?>>"}}"#
        );
        assert_eq!(CredentialSet::decode(&header), Ok(s));
    }

    #[test]
    fn decode_accepts_padding_and_whitespace() {
        let s = set(&[("docker.io", cred("u", "p"))]);
        let padded =
            base64::engine::general_purpose::URL_SAFE.encode(serde_json::to_vec(&s).unwrap());
        assert_eq!(CredentialSet::decode(&format!(" {padded} ")), Ok(s));
        assert_eq!(
            CredentialSet::decode(""),
            Err(CredentialsError::NotCredentials {
                problem: "truncated JSON",
                line: 1,
                column: 0
            })
        );
    }

    #[test]
    fn decode_errors_are_clear_and_keep_secrets_out() {
        let err = CredentialSet::decode("abc$def").unwrap_err();
        assert_eq!(
            err,
            CredentialsError::NotBase64 {
                reason: "invalid character at offset 3".into()
            }
        );
        // Standard base64's `+`/`/` are not base64url.
        assert!(matches!(
            CredentialSet::decode("ab+/"),
            Err(CredentialsError::NotBase64 { .. })
        ));
        let not_json = URL_SAFE_NO_PAD.encode("hunter2-secret");
        let err = CredentialSet::decode(&not_json).unwrap_err();
        assert!(matches!(
            err,
            CredentialsError::NotCredentials {
                problem: "invalid JSON",
                ..
            }
        ));
        assert!(!err.to_string().contains("hunter2"), "{err}");
        // Wrong shape: the password is a number. The value must not be echoed.
        let wrong = URL_SAFE_NO_PAD.encode(r#"{"ghcr.io":{"username":"u","password":987654321}}"#);
        let err = CredentialSet::decode(&wrong).unwrap_err();
        assert!(matches!(
            err,
            CredentialsError::NotCredentials {
                problem: "unexpected shape",
                ..
            }
        ));
        assert!(!err.to_string().contains("987654321"), "{err}");
        assert!(err.to_string().contains(CREDENTIALS_HEADER), "{err}");
    }

    #[test]
    fn debug_redacts_the_password() {
        let text = format!("{:?}", set(&[("ghcr.io", cred("me", "s3cr3t"))]));
        assert!(text.contains("me"));
        assert!(!text.contains("s3cr3t"), "{text}");
    }

    #[test]
    fn docker_hub_aliases_are_one_registry() {
        let hub = cred("hubuser", "hubpass");
        for key in [
            "docker.io",
            "index.docker.io",
            "registry-1.docker.io",
            "https://index.docker.io/v1/",
        ] {
            let s = set(&[(key, hub.clone()), ("ghcr.io", cred("gh", "x"))]);
            for asked in [
                "docker.io",
                "index.docker.io",
                "registry-1.docker.io",
                "https://index.docker.io/v1/",
                "Docker.io",
            ] {
                assert_eq!(
                    s.for_registry(asked),
                    Some(&hub),
                    "stored {key}, asked {asked}"
                );
            }
            assert_eq!(
                s.for_registry("ghcr.io").map(|c| c.username.as_str()),
                Some("gh")
            );
            assert_eq!(s.for_registry("quay.io"), None);
        }
    }

    #[test]
    fn other_registries_match_by_host_and_port() {
        let s = set(&[("localhost:5000", cred("a", "b"))]);
        assert!(s.for_registry("localhost:5000").is_some());
        assert!(s.for_registry("LOCALHOST:5000").is_some());
        assert!(s.for_registry("localhost:5001").is_none());
        assert!(s.for_registry("localhost").is_none());
        assert_eq!(registry_key("https://GHCR.io/"), "ghcr.io");
    }

    proptest! {
        #[test]
        fn decode_never_panics(s in any::<String>()) {
            let _ = CredentialSet::decode(&s);
        }

        #[test]
        fn encode_decode_round_trip(
            entries in proptest::collection::btree_map("[a-z0-9.:-]{1,20}", ("\\PC{0,12}", "\\PC{0,20}"), 0..4)
        ) {
            let s = CredentialSet(entries.into_iter().map(|(k, (u, p))| (k, Credential { username: u, password: p })).collect());
            prop_assert_eq!(CredentialSet::decode(&s.encode()), Ok(s));
        }
    }
}
