//! Credentials typed into the page, as they travel to the proxy.
//!
//! The page keeps them in memory only and sends them with each request in one
//! header (a custom header also forces a CORS preflight, which foreign origins
//! fail). The proxy uses them for that request and forgets them; they are never
//! logged, stored, or put in a URL.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error("the {CREDENTIALS_HEADER} header is not valid base64url-encoded JSON: {0}")]
    Malformed(String),
}

impl CredentialSet {
    /// base64url (no padding) of the JSON object, for the header.
    pub fn encode(&self) -> String {
        todo!()
    }
    pub fn decode(_header: &str) -> Result<Self, CredentialsError> {
        todo!()
    }
    /// The credential for a registry, accepting Docker Hub's aliases
    /// (`docker.io`, `index.docker.io`, `registry-1.docker.io`).
    pub fn for_registry(&self, _registry: &str) -> Option<&Credential> {
        todo!()
    }
}
