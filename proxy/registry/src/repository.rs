//! A handle on one repository at one registry, as one caller (credential)
//! sees it: where requests go, which token scopes they need, and the keys
//! under which that caller's cached content, tags and tokens are kept (so one
//! user's reads are never handed to another).

use std::sync::{Arc, Mutex};

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderValue};
use shared::api::RateLimitInfo;
use shared::credentials::Credential;
use shared::digest::Digest;
use shared::reference::Reference;

use crate::auth;
use crate::budget::FetchBudget;
use crate::cache::tag_memo::TagKey;
use crate::cache::{CacheKey, CachedContent};
use crate::client::RegistryClient;
use crate::error::RegistryError;
use crate::guard::Target;
use crate::ops::FetchedManifest;
use crate::quota;
use crate::refusal::ErrorContext;

/// One repository at one registry, as one caller (credential) sees it.
pub struct Repository<'a> {
    pub(crate) client: &'a RegistryClient,
    pub(crate) target: Target,
    /// As the user wrote it (`docker.io`), for messages and credentials.
    pub(crate) registry: String,
    /// Where requests go (`registry-1.docker.io`).
    pub(crate) api_host: String,
    pub(crate) repository: String,
    pub(crate) credential: Option<Credential>,
    pub(crate) identity: String,
    /// Token scopes; more than one for a push that mounts blobs.
    pub(crate) scopes: Vec<String>,
    /// The last Authorization that worked here (Basic registries have no
    /// token to cache): a streamed upload cannot be re-sent after a 401.
    pub(crate) remembered: Mutex<Option<HeaderValue>>,
    /// Held while answering a challenge: concurrent requests of this
    /// handle wait for one token instead of each fetching one.
    pub(crate) auth_flight: tokio::sync::Mutex<()>,
    /// The pull quota the registry last reported to this handle.
    rate_limit: Mutex<Option<RateLimitInfo>>,
    /// What the operation this handle serves may still fetch (`None`: no limit).
    pub(crate) budget: Option<Arc<FetchBudget>>,
}

impl RegistryClient {
    /// A handle on one repository, with the caller's credential for its registry.
    pub async fn repository(
        &self,
        reference: &Reference,
        credential: Option<Credential>,
    ) -> Result<Repository<'_>, RegistryError> {
        let api_host = reference.api_host().to_string();
        let target = self.transport.target(&api_host).await?;
        Ok(Repository {
            client: self,
            identity: auth::identity(credential.as_ref()),
            scopes: vec![auth::pull_scope(reference.repository())],
            remembered: Mutex::new(None),
            auth_flight: tokio::sync::Mutex::new(()),
            rate_limit: Mutex::new(None),
            budget: None,
            registry: reference.registry().to_string(),
            repository: reference.repository().to_string(),
            api_host,
            target,
            credential,
        })
    }

    /// A handle for writing to `reference`'s repository. Its token carries
    /// `pull,push` on it and `pull` on each of `mount_from` (repositories of
    /// the same registry that blobs are mounted from), all in one token, as
    /// a cross-repository mount needs.
    pub async fn repository_for_push(
        &self,
        reference: &Reference,
        credential: Option<Credential>,
        mount_from: &[String],
    ) -> Result<Repository<'_>, RegistryError> {
        let mut repo = self.repository(reference, credential).await?;
        repo.scopes = vec![auth::push_scope(reference.repository())];
        for source in mount_from {
            let scope = auth::pull_scope(source);
            if source != reference.repository() && !repo.scopes.contains(&scope) {
                repo.scopes.push(scope);
            }
        }
        Ok(repo)
    }
}

impl Repository<'_> {
    /// Count what this handle fetches against `budget` (shared by every
    /// handle of one operation).
    pub fn with_budget(mut self, budget: Arc<FetchBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Count `len` bytes of content known by `key` against the budget.
    pub(crate) fn charge(&self, key: &str, len: usize, what: &str) -> Result<(), RegistryError> {
        match &self.budget {
            Some(budget) => budget.charge(key, len as u64, what),
            None => Ok(()),
        }
    }

    /// One request is being sent (see `round_trips`).
    pub(crate) fn count_request(&self) {
        crate::round_trips::note_request();
    }

    pub fn registry(&self) -> &str {
        &self.registry
    }

    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// `registry/repository`, for messages.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The pull quota the registry last reported (Docker Hub), if any.
    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        self.rate_limit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn note_rate_limit(&self, headers: &HeaderMap) {
        if let Some(q) = quota::rate_limit(headers) {
            *self.rate_limit.lock().unwrap_or_else(|p| p.into_inner()) = Some(q);
        }
    }

    /// A manifest this caller fetched and verified before, by digest.
    pub fn cached_manifest(&self, digest: &Digest) -> Option<FetchedManifest> {
        self.client
            .cache
            .get(&self.cache_key(digest))
            .map(|hit| FetchedManifest {
                bytes: hit.bytes,
                content_type: hit.content_type,
                docker_content_digest: Some(digest.clone()),
            })
    }

    /// Keep a manifest fetched by tag under its digest, when its bytes
    /// really hash to it (checked here, so nothing unverified is cached).
    pub fn cache_manifest(&self, digest: &Digest, fetched: &FetchedManifest) {
        if digest.verify(&fetched.bytes).is_ok() {
            self.cache_content(digest, &fetched.bytes, fetched.content_type.clone());
        }
    }

    /// Keep verified content under its digest (the caller verified it).
    pub(crate) fn cache_content(
        &self,
        digest: &Digest,
        bytes: &bytes::Bytes,
        content_type: Option<String>,
    ) {
        self.client.cache.insert(
            self.cache_key(digest),
            CachedContent {
                bytes: bytes.clone(),
                content_type,
            },
        );
    }

    /// Verified content this caller fetched before, by digest.
    pub(crate) fn cached_content(&self, digest: &Digest) -> Option<CachedContent> {
        self.client.cache.get(&self.cache_key(digest))
    }

    /// The digest `tag` pointed at when this caller last read it (a hint:
    /// confirm with `head_manifest` before use).
    pub fn remembered_tag(&self, tag: &str) -> Option<Digest> {
        self.client.tags.get(&self.tag_key(tag))
    }

    pub fn remember_tag(&self, tag: &str, digest: &Digest) {
        self.client.tags.insert(self.tag_key(tag), digest.clone());
    }

    fn tag_key(&self, tag: &str) -> TagKey {
        TagKey {
            registry: self.api_host.clone(),
            repository: self.repository.clone(),
            identity: self.identity.clone(),
            tag: tag.to_string(),
        }
    }

    fn cache_key(&self, digest: &Digest) -> CacheKey {
        CacheKey {
            registry: self.api_host.clone(),
            repository: self.repository.clone(),
            identity: self.identity.clone(),
            digest: digest.to_string(),
        }
    }

    /// The URL of `/v2/<repository>/<tail>` at this registry.
    pub(crate) fn url(&self, tail: &str) -> Result<Url, RegistryError> {
        self.target
            .base
            .join(&format!("v2/{}/{tail}", self.repository))
            .map_err(|e| RegistryError::Url {
                what: tail.to_string(),
                detail: e.to_string(),
            })
    }

    pub(crate) fn ctx<'w>(&'w self, what: &'w str) -> ErrorContext<'w> {
        ErrorContext {
            registry: &self.registry,
            what,
        }
    }

    pub(crate) fn manifest_what(&self, reference: &str) -> String {
        let sep = if reference.contains(':') { "@" } else { ":" };
        format!("manifest `{}{sep}{reference}`", self.name())
    }
}
