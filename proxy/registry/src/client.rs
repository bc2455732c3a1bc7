//! The one value that holds everything shared between requests: the
//! transport (clients, target policy, bounds), the token cache, the content
//! cache and the tag memo. Callers get a `Repository` handle from it and
//! work through that.

use std::time::Duration;

use crate::auth::TokenCache;
use crate::auth::challenge_memo::ChallengeMemo;
use crate::cache::ContentCache;
use crate::cache::tag_memo::TagMemo;
use crate::error::RegistryError;
use crate::retry::RetryPolicy;
use crate::settings::RegistrySettings;
use crate::transport::Transport;

/// Shared by all requests: connection pools, token cache, content cache.
pub struct RegistryClient {
    pub(crate) transport: Transport,
    pub(crate) tokens: TokenCache,
    pub(crate) cache: ContentCache,
    /// Tag -> digest hints, confirmed by HEAD before use (see `tag_memo`).
    pub(crate) tags: TagMemo,
    /// Each registry's last challenge, answered before its 401 next time.
    pub(crate) challenges: ChallengeMemo,
}

impl RegistryClient {
    pub fn new(insecure_registries: &[String]) -> Result<Self, RegistryError> {
        Self::with_settings(insecure_registries, &RegistrySettings::default())
    }

    /// A client with these timeouts, retries, bounds and cache size.
    pub fn with_settings(
        insecure_registries: &[String],
        settings: &RegistrySettings,
    ) -> Result<Self, RegistryError> {
        Ok(RegistryClient {
            transport: Transport::new(insecure_registries, settings)?,
            tokens: TokenCache::with_capacity(settings.cached_tokens),
            cache: ContentCache::new(settings.cache_bytes),
            tags: TagMemo::with_capacity(settings.remembered_tags),
            challenges: ChallengeMemo::default(),
        })
    }

    /// Refuse `reference`'s registry now if the target guard would refuse
    /// it (see `Transport::admit`): call before looking up credentials.
    pub async fn admit(
        &self,
        reference: &shared::reference::Reference,
    ) -> Result<(), RegistryError> {
        self.transport.admit(reference.api_host()).await
    }

    /// The settings this client was built with.
    pub fn settings(&self) -> &RegistrySettings {
        self.transport.settings()
    }

    /// How hard requests (and callers retrying at a higher level) try.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.transport.retry
    }

    /// How long one API operation (an inspection, a plan) may take in all;
    /// see `limits::within`.
    pub fn operation_timeout(&self) -> Duration {
        self.settings().operation_timeout
    }
}
