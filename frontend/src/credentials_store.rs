//! Registry credentials typed into the page. They live in this signal and
//! nowhere else: not in localStorage, cookies, the URL or the log, so closing
//! or reloading the tab forgets them. Every API call gets the current set and
//! sends it in the credentials header (see `api`).

use leptos::prelude::*;
use shared::credentials::{Credential, CredentialSet, registry_key};

#[derive(Debug, Clone, Copy)]
pub struct CredentialsStore {
    set: RwSignal<CredentialSet>,
}

/// Why typed-in credentials were not kept: which field is missing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsInputError {
    #[error("write the registry's host (and port), e.g. ghcr.io or localhost:5000")]
    Registry,
    #[error("write the username (or the token's user name) for {0}")]
    Username(String),
    #[error("write the password or token for {0}")]
    Password(String),
}

impl CredentialsStore {
    pub fn install() -> CredentialsStore {
        let store = CredentialsStore {
            set: RwSignal::new(CredentialSet::default()),
        };
        provide_context(store);
        store
    }

    pub fn use_store() -> CredentialsStore {
        expect_context::<CredentialsStore>()
    }

    /// The credentials to send now (not tracked: a request reads them once).
    pub fn current(&self) -> CredentialSet {
        self.set.get_untracked()
    }

    /// Registries and usernames, tracked; never the secrets.
    pub fn registries(&self) -> Vec<(String, String)> {
        self.set.with(|set| {
            set.0
                .iter()
                .map(|(registry, c)| (registry.clone(), c.username.clone()))
                .collect()
        })
    }

    /// Keep a credential for `registry` (replacing any earlier one). Returns
    /// the normalized registry name it is filed under.
    pub fn save(
        &self,
        registry: &str,
        username: &str,
        password: &str,
    ) -> Result<String, CredentialsInputError> {
        let key = checked(registry, username, password)?;
        let credential = Credential {
            username: username.trim().to_string(),
            password: password.to_string(),
        };
        self.set.update(|set| {
            set.0.insert(key.clone(), credential);
        });
        Ok(key)
    }

    pub fn forget(&self, registry: &str) {
        self.set.update(|set| {
            set.0.remove(registry);
        });
    }
}

/// The registry key for valid input. Passwords are taken as typed (spaces
/// can be part of a token); an empty one is refused.
fn checked(
    registry: &str,
    username: &str,
    password: &str,
) -> Result<String, CredentialsInputError> {
    let key = registry_key(registry);
    if key.is_empty() {
        return Err(CredentialsInputError::Registry);
    }
    if username.trim().is_empty() {
        return Err(CredentialsInputError::Username(key));
    }
    if password.is_empty() {
        return Err(CredentialsInputError::Password(key));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_are_normalized_and_input_is_checked() {
        assert_eq!(
            checked(" https://GHCR.io/ ", "me", "tok"),
            Ok("ghcr.io".to_string())
        );
        assert_eq!(
            checked("index.docker.io", "me", "tok"),
            Ok("docker.io".to_string())
        );
        assert_eq!(
            checked("  ", "me", "tok"),
            Err(CredentialsInputError::Registry)
        );
        assert_eq!(
            checked("localhost:5000", " ", "tok"),
            Err(CredentialsInputError::Username("localhost:5000".into()))
        );
        assert_eq!(
            checked("localhost:5000", "u", ""),
            Err(CredentialsInputError::Password("localhost:5000".into()))
        );
    }
}
